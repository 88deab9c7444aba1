// Runs tests/lite_runner.py in Pyodide (the npm package, under Node), offline, as xlwings Lite would:
// installs the wheels of main.py's requirements.txt with micropip (as Lite installs requirements.txt),
// then runs the job's cases.  Driven by tests/test_pyodide.py:
//
//     node tests/pyodide_run.mjs JOB.json OUT.json
//
// JOB.json: {pyodide: the npm package's folder, env: {...}, tools: [micropip's wheels],
//            requirements: [{requirement: "emfs:/wheels/NAME.whl", wheel: local path}],
//            runner: path of lite_runner.py, job: the runner's job}
// OUT.json: {version, python, startup_ms, run_ms, install: {ok, error, distributions, network, ms},
//            network: [every attempt while the cases ran], run: the runner's result}
//
// Nothing may reach the network: fetch (how Pyodide and micropip download) and loadPackage (Pyodide's
// own package repository) are replaced by functions that record the attempt and fail.  micropip is
// not in the npm package (it is a package of Pyodide's repository): the job brings its wheel (from
// PyPI, the version pyodide-lock.json names), unpacked like any other file.  Should micropip fail
// (the error is reported), the requirements' wheels are unpacked directly, so that the cases still
// run and both failures can be told apart.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [jobPath, outPath] = process.argv.slice(2);
const job = JSON.parse(readFileSync(jobPath, "utf8"));
const network = [];
globalThis.fetch = async (resource) => {
  const url = typeof resource === "string" ? resource : resource.url ?? String(resource);
  network.push(`fetch ${url}`);
  throw new Error(`network access blocked in this test: ${url}`);
};

const { loadPyodide } = await import(pathToFileURL(path.join(job.pyodide, "pyodide.mjs")).href);
const output = [];
let started = Date.now();
const pyodide = await loadPyodide({
  env: job.env,
  stdout: (line) => output.push(line),
  stderr: (line) => output.push(line),
});
const startupMs = Date.now() - started;
pyodide.loadPackage = async (names) => {
  network.push(`loadPackage ${names}`);
  throw new Error(`Pyodide's package repository is not used in this test: ${names}`);
};

const bytes = (file) => new Uint8Array(readFileSync(file));
// Into site-packages, where micropip installs (unpackArchive's default is the working directory).
const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
const unpack = (wheel) => pyodide.unpackArchive(bytes(wheel), "wheel", { extractDir: sitePackages });
job.tools.forEach(unpack);
pyodide.FS.mkdirTree("/wheels");
for (const r of job.requirements) pyodide.FS.writeFile(r.requirement.replace(/^emfs:/, ""), bytes(r.wheel));

started = Date.now();
const install = { requirements: job.requirements.map((r) => r.requirement) };
pyodide.globals.set("REQUIREMENTS", pyodide.toPy(install.requirements));
try {
  await pyodide.runPythonAsync(`
import micropip
await micropip.install(REQUIREMENTS, keep_going=True)
`);
  install.ok = true;
} catch (error) {
  install.ok = false;
  install.error = String(error.message ?? error).split("\n").filter((l) => l.trim()).slice(-3).join("\n");
  for (const r of job.requirements) unpack(r.wheel);
}
install.network = network.splice(0);
install.ms = Date.now() - started;
install.distributions = JSON.parse(pyodide.runPython(`
import importlib.metadata, json
json.dumps(sorted(d.metadata["Name"] for d in importlib.metadata.distributions()))
`));

started = Date.now();
pyodide.FS.mkdirTree("/runner");
pyodide.FS.writeFile("/runner/lite_runner.py", readFileSync(job.runner, "utf8"));
pyodide.FS.writeFile("/runner/job.json", JSON.stringify(job.job));
const result = await pyodide.runPythonAsync(`
import json, sys
sys.path.insert(0, "/runner")
import lite_runner
with open("/runner/job.json", encoding="utf-8") as f:
    _job = json.load(f)
json.dumps(await lite_runner.run(_job), ensure_ascii=False)
`);
const runMs = Date.now() - started;

writeFileSync(outPath, JSON.stringify({
  version: pyodide.version,
  python: pyodide.runPython("import sys; sys.version.split()[0]"),
  startup_ms: startupMs,
  run_ms: runMs,
  network,
  install,
  output,
  run: JSON.parse(result),
}));
