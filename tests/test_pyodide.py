"""xlwings Lite's core in Pyodide: the Lite scripts of toolkit.excel, run in Pyodide under Node
(tests/pyodide_run.mjs, offline) and in CPython on the same payloads, write the same.

What runs is what the README tells a clerk: main.py and requirements.txt of docs/xlwings-lite/.
Each line of that requirements.txt is the https address of a wheel the county hosts; the test has
those wheels (the toolkit's, built here; xlwings' and defusedxml's pure-Python wheels from PyPI) and
installs them in Pyodide with micropip from Pyodide's file system, as xlwings Lite installs
requirements.txt, with the network blocked.  main.py then becomes the module `main` and each case
runs one of its scripts through xlwings' `custom_scripts_call` on the remote-engine Book of a
payload built from a real workbook LibreOffice recalculated (tests/remote_book.py), and keeps
`book.json()["actions"]` and the Plan of the button's pure function (tests/lite_runner.py).

The reference is CPython with the development environment, as tests/test_buttons.py runs; compared
with it: each Pyodide package.json pins (xlwings Lite's Pyodide, and the one it had before, which
workbooks made then may still run), and CPython with nothing on its path but the standard library
and the hosted wheels (`-I -S`), where nothing compiled could hide behind an installed package.
All run at once, each interpreter started once for all cases.
"""
from __future__ import annotations

import copy
import re
import textwrap
import json
import os
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import xlwings as xw

import button_workbooks
from button_workbooks import T3
from remote_book import apply_actions, payload
from toolkit.ui import buttons
from toolkit import excel
from toolkit.core.formats import common

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
LITE_DOCS = REPO / "docs" / "xlwings-lite"
RUNNER = TESTS / "lite_runner.py"
NODE_RUNNER = TESTS / "pyodide_run.mjs"
INFO = common().sheets["info"]
FINDINGS = common().sheets["findings"]

# The Lite scripts of toolkit.excel and the caption each shows in xlwings Lite (the buttons' captions).
SCRIPTS = {"recompute_book": "XxgkRecompute", "check_book": "XxgkCheck", "clear_marks_book": "XxgkClearMarks",
           "carry_over_book": "XxgkCarryOver"}
# The distributions the button path may use: all pure Python; the toolkit's other dependencies
# (openpyxl, lxml, pandas, pyarrow, pdfplumber ...) serve the command line, not the buttons.
HOSTED = ("xlwings", "defusedxml", "xxgk-toolkit")
INSTALLED_MODULES = {"toolkit", "xlwings", "defusedxml"}
NOT_ON_THE_BUTTON_PATH = ("lxml", "numpy", "pandas", "pyarrow", "pdfminer", "pdfplumber", "openpyxl", "docx", "PIL",
                      "cryptography", "polars")
WORKBOOKS = ("consistent-2019", "zequ", "zequ-after-check", "zequ-without-findings-sheet", "text-number",
             "total-typed-over", "this-year", "last-year-figures-kept", "not-standard", "changed-table")
CASES = [f"{workbook}/{script}" for workbook in WORKBOOKS for script in SCRIPTS]
TIMEOUT = 600


# --- the runtimes -----------------------------------------------------------------------------------

def pins() -> dict[str, str]:
    return json.loads((REPO / "package.json").read_text(encoding="utf-8")).get("devDependencies", {})


def pyodide_packages() -> list[str]:
    """The npm packages of Pyodide package.json pins: `pyodide` and any alias of it (`pyodide`, to
    fail on, when there is none: an empty list would skip the tests)."""
    return sorted(n for n, spec in pins().items() if n == "pyodide" or spec.startswith("npm:pyodide@")) or ["pyodide"]


def pinned_version(name: str) -> str:
    if name not in pins():
        pytest.fail(f"package.json pins no {name} (Pyodide, xlwings Lite's Python): add it with npm install "
                    "--save-dev --save-exact")
    return pins()[name].removeprefix("npm:pyodide@")


def pyodide_folder(name: str) -> Path:
    """The installed npm package, as `npm ci` puts it; the test fails (never skips) without it."""
    folder = REPO / "node_modules" / name
    if shutil.which("node") is None:
        pytest.fail("Node.js is needed to run Pyodide (xlwings Lite's Python) but `node` is not on PATH: "
                    "install Node.js and run `npm ci` in the repository (.ci/run does both)")
    try:
        installed = json.loads((folder / "package.json").read_text(encoding="utf-8"))["version"]
    except FileNotFoundError:
        pytest.fail(f"the npm package {name} (Pyodide) is not installed in node_modules/: run `npm ci`")
    if installed != pinned_version(name) or not (folder / "pyodide.mjs").exists():
        pytest.fail(f"node_modules/{name} holds Pyodide {installed}, package.json pins {pinned_version(name)}: "
                    "run `npm ci`")
    return folder


def pip_download(folder: Path, requirements: list[str], python: str = "3.12") -> list[Path]:
    """Pure-Python wheels (py3-none-any) for that Python from the package index, kept in `folder`
    between runs."""
    done = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                           "--platform", "any", "--implementation", "py", "--abi", "none", "--python-version", python,
                           "-d", str(folder), *requirements], capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, f"pip download {requirements} failed: {done.stderr[-2000:]}"
    found = []
    for requirement in requirements:
        name, version = requirement.split("==")
        prefix = f"{name.replace('-', '_')}-{version}-"
        matches = [w for w in folder.glob("*.whl") if w.name.lower().startswith(prefix.lower())]
        assert len(matches) == 1, (requirement, sorted(w.name for w in folder.glob("*.whl")))
        found.append(matches[0])
    return found


@pytest.fixture(scope="module")
def downloads(pytestconfig, tmp_path_factory) -> Path:
    """Where downloaded wheels are kept: pytest's cache (between runs), or this run's temporary folder
    when the cache is switched off (-p no:cacheprovider)."""
    cache = getattr(pytestconfig, "cache", None)
    return cache.mkdir("pyodide-wheels") if cache is not None else tmp_path_factory.mktemp("pyodide-wheels")


@pytest.fixture(scope="module")
def wheels(tmp_path_factory, downloads) -> dict[str, Path]:
    """The wheels a county hosts, by file name: the toolkit's, built from this source tree, and the
    pure-Python wheels of the dependencies the buttons use, at the versions installed here."""
    built = tmp_path_factory.mktemp("toolkit-wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(built), str(REPO)],
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, f"building the toolkit's wheel failed: {done.stderr[-2000:]}"
    dependencies = pip_download(downloads, [f"{d}=={metadata.version(d)}" for d in HOSTED if d != "xxgk-toolkit"])
    return {w.name: w for w in [*built.glob("*.whl"), *dependencies]}


def micropip_wheels(folder: Path, downloads: Path) -> list[Path]:
    """micropip and what it needs, at the versions this Pyodide's lock file names (Pyodide's own
    repository has them; the npm package does not)."""
    lock = json.loads((folder / "pyodide-lock.json").read_text(encoding="utf-8"))
    packages, python = lock["packages"], ".".join(lock["info"]["python"].split(".")[:2])
    names = ["micropip", *packages["micropip"]["depends"]]
    return pip_download(downloads, [f"{n}=={packages[n]['version']}" for n in names], python)


def documented_requirements() -> list[str]:
    return [line.strip() for line in (LITE_DOCS / "requirements.txt").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def hosted_file(line: str) -> str:
    """The file name a requirements.txt line's address ends with."""
    return urlsplit(line).path.rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def files(tmp_path_factory, macro_templates, templates):
    """The workbooks of tests/test_buttons.py (the same files when both modules run)."""
    return button_workbooks.session_files(tmp_path_factory, macro_templates, templates)


def without_sheet(data: dict, name: str) -> dict:
    data["sheets"] = [s for s in data["sheets"] if s["name"] != name]
    return data


def sheet(data: dict, name: str) -> dict:
    return next(s for s in data["sheets"] if s["name"] == name)


def after_check(data: dict) -> dict:
    """The payload once 校验 ran and Excel shows its writes: 校验结果 lists the findings (what a second
    check and 清除标记 clear)."""
    book = xw.Book(json=copy.deepcopy(data))
    excel.apply(book, buttons.check(excel.read(book)))
    return apply_actions(data, book)


def payloads(files) -> dict[str, dict]:
    """Each workbook's payload, as tests/test_buttons.py builds them (workbooks named Book1, as a
    workbook Lite has open may be)."""
    out = {key: payload(files[key], "Book1") for key in
           ("consistent-2019", "zequ", "text-number", "total-typed-over", "this-year", "last-year-figures-kept")}
    out["zequ-after-check"] = after_check(payload(files["zequ"], "Book1"))
    out["zequ-without-findings-sheet"] = without_sheet(payload(files["zequ"], "Book1"), FINDINGS)
    out["not-standard"] = payload(files["zequ"], "Book1")
    sheet(out["not-standard"], INFO)["values"] = [["随便一张表"]]
    out["changed-table"] = payload(files["zequ"], "Book1")
    t3 = sheet(out["changed-table"], T3)["values"]
    t3.insert(6, [""] * len(t3[0]))  # a row inserted in the table
    return out


@pytest.fixture(scope="module")
def job(files) -> dict:
    """The runner's job: the documented main.py, every case's script and payload."""
    data = payloads(files)
    return {"main_py": (LITE_DOCS / "main.py").read_text(encoding="utf-8"),
            "cases": [{"id": case, "script": case.split("/")[1], "payload": data[case.split("/")[0]]}
                      for case in CASES]}


class Run:
    """One interpreter running the job in a process of its own, started at once; `out()` waits for it
    and gives its result, or fails the test that asked (and only those) when it could not run."""

    def __init__(self, what: str, command: list[str] | None, folder: Path, problem: str = ""):
        self.what, self.folder, self.problem = what, folder, problem
        env = {**os.environ, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
        self.process = command and subprocess.Popen(
            [*command, str(folder / "job.json"), str(folder / "out.json")], cwd=folder, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.result = None

    def out(self) -> dict:
        if self.problem:
            pytest.fail(self.problem)
        if self.result is None:
            _, stderr = self.process.communicate(timeout=TIMEOUT)
            if self.process.returncode != 0:
                self.problem = f"{self.what} failed:\n{stderr[-4000:]}"
                pytest.fail(self.problem)
            self.result = json.loads((self.folder / "out.json").read_text(encoding="utf-8"))
        return self.result


def start_cpython(folder: Path, job_: dict, args: list[str]) -> Run:
    (folder / "job.json").write_text(json.dumps(job_, ensure_ascii=False), encoding="utf-8")
    return Run(f"CPython {' '.join(args)}", [sys.executable, *args, str(RUNNER)], folder)


def start_pyodide(name: str, folder: Path, downloads: Path, job_: dict, wheels: dict[str, Path]) -> Run:
    """Pyodide of npm package `name`, one start for every case: the documented requirements installed
    by micropip from the hosted wheels, then the cases."""
    try:
        package = pyodide_folder(name)
    except pytest.fail.Exception as exc:
        return Run(f"Pyodide {name}", None, folder, str(exc))
    requirements = [{"requirement": f"emfs:/wheels/{hosted_file(line)}", "wheel": str(wheels[hosted_file(line)])}
                    for line in documented_requirements() if hosted_file(line) in wheels]
    (folder / "job.json").write_text(json.dumps({
        "pyodide": str(package), "env": {"XLWINGS_LICENSE_KEY": "noncommercial", "HOME": "/home/pyodide"},
        "tools": [str(w) for w in micropip_wheels(package, downloads)], "requirements": requirements,
        "runner": str(RUNNER), "job": job_}, ensure_ascii=False), encoding="utf-8")
    return Run(f"Pyodide {name}", ["node", str(NODE_RUNNER)], folder)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, downloads, job, wheels) -> dict[str, Run]:
    """Every interpreter on the same job, all at once:
    - `cpython`, the reference: CPython with the development environment (the toolkit of this source
      tree), the scripts as xlwings Server and Lite run them (XLWINGS_ON_SERVER=true);
    - `cpython-wheels`: CPython isolated from every installed package (-I -S), with nothing but the
      standard library and the hosted wheels, unpacked;
    - each Pyodide package.json pins."""
    isolated = tmp_path_factory.mktemp("cpython-wheels")
    for line in documented_requirements():
        with zipfile.ZipFile(wheels[hosted_file(line)]) as whl:
            whl.extractall(isolated / "site")
    started = {"cpython": start_cpython(tmp_path_factory.mktemp("cpython"), job, []),
               "cpython-wheels": start_cpython(isolated, {**job, "sys_path": [str(isolated / "site")]}, ["-I", "-S"])}
    for name in pyodide_packages():
        started[name] = start_pyodide(name, tmp_path_factory.mktemp(name), downloads, job, wheels)
    yield started
    for run in started.values():
        if run.process and run.process.poll() is None:
            run.process.kill()


@pytest.fixture
def cpython(runs) -> dict:
    return runs["cpython"].out()


@pytest.fixture
def cpython_wheels(runs) -> dict:
    return runs["cpython-wheels"].out()


@pytest.fixture(params=pyodide_packages())
def pyodide(request, runs) -> dict:
    return runs[request.param].out()


def results(run: dict) -> dict[str, dict]:
    """A runner's results by case (of a Pyodide run's runner, or of a CPython run)."""
    return {r["id"]: r for r in run.get("run", run)["results"]}


# --- the same writes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES)
def test_each_lite_script_writes_in_pyodide_what_it_writes_in_cpython(pyodide, cpython, case):
    expected, actual = results(cpython)[case], results(pyodide)[case]
    assert expected["actions"], "every script writes at least its status line"
    assert actual["error"] == expected["error"] is None
    assert actual["printed"] == expected["printed"]
    assert actual["actions"] == expected["actions"]
    assert actual["plan"] == expected["plan"]


def test_cpython_with_only_the_hosted_wheels_writes_the_same(cpython_wheels, cpython):
    assert results(cpython_wheels) == results(cpython)


def test_the_cases_cover_each_outcome(cpython):
    """Findings and none, a total put back, last year's figures carried over, a sheet added, and
    workbooks refused (said on the status line and printed, nothing raised): the comparison is not of
    empty writes."""
    by_case = results(cpython)
    funcs = {case: {a["func"] for a in r["actions"]} for case, r in by_case.items()}
    assert "setFormula" in funcs["total-typed-over/recompute_book"]
    assert "addSheet" in funcs["zequ-without-findings-sheet/check_book"]
    assert {"setRangeColor", "setFontProperty"} <= funcs["zequ/check_book"]
    statuses = {case: next(v for a in reversed(r["actions"]) if a["func"] == "setValues" for v in a["values"][0])
                for case, r in by_case.items()}
    refused = {case: r["printed"] for case, r in by_case.items() if r["printed"]}
    assert refused == {f"{workbook}/{script}": statuses[f"{workbook}/{script}"] + "\n"
                       for workbook in ("not-standard", "changed-table") for script in SCRIPTS}
    assert all(statuses[case].startswith("无法识别本工作簿") for case in refused if case.startswith("not-standard"))
    assert statuses["consistent-2019/check_book"] == "校验完成：未发现错误和提示"
    assert statuses["zequ/check_book"].startswith("校验完成：错误 3 个")
    assert statuses["last-year-figures-kept/carry_over_book"].startswith("已按“单位信息”表的上年数据填入二、上年结转 2 项")


def test_pyodide_is_the_pinned_one(pyodide, request):
    assert pyodide["version"] == pinned_version(request.node.callspec.params["pyodide"])
    assert pyodide["run"]["platform"] == "emscripten"


# --- nothing compiled, nothing from the network ------------------------------------------------------

def compiled_check(run: dict) -> None:
    modules = run["modules"]
    assert modules["compiled"] == []
    # defusedxml is hosted (a dependency of the toolkit) but loaded only where a workbook file is read
    # (toolkit.io.workbook.xlsx's tree parser), which no Lite script does
    assert {"toolkit", "xlwings"} <= set(modules["installed"]) <= INSTALLED_MODULES
    assert not [m for m in modules["added"] if m.split(".")[0] in NOT_ON_THE_BUTTON_PATH]


def test_the_button_path_imports_nothing_compiled_in_cpython(cpython_wheels):
    """main.py's import and every case, in a CPython that has nothing installed but the hosted
    wheels: no module of an installed package is a compiled extension."""
    compiled_check(cpython_wheels)


def test_the_button_path_imports_nothing_compiled_in_pyodide(pyodide):
    compiled_check(pyodide["run"])


def test_the_cases_reach_no_network(pyodide):
    assert pyodide["network"] == []


# --- what the README tells a clerk --------------------------------------------------------------------

def test_the_documented_main_py_offers_the_four_buttons(pyodide, cpython):
    captions = {b.macro: b.caption for b in common().buttons}
    expected = {function: captions[macro] for function, macro in SCRIPTS.items()}
    for run in (pyodide["run"], cpython):
        assert {s["function_name"]: s["name"] for s in run["scripts"]} == expected


def test_the_documented_requirements_are_the_hosted_wheels(wheels):
    """Each line is the https address of one of the wheels the test runs (the toolkit's at this
    version, the dependencies at the versions installed here), each wheel once."""
    lines = documented_requirements()
    assert all(urlsplit(line).scheme == "https" for line in lines), lines
    assert sorted(hosted_file(line) for line in lines) == sorted(wheels)
    assert len({urlsplit(line).netloc + urlsplit(line).path.rsplit("/", 1)[0] for line in lines}) == 1, \
        "the wheels are in one folder of one server"


def test_the_documented_requirements_install_offline_with_micropip(pyodide):
    """xlwings Lite installs requirements.txt with micropip: from the three hosted wheels alone,
    micropip must find everything (nothing asked of PyPI or of Pyodide's package repository)."""
    install = pyodide["install"]
    asked = [attempt.rstrip("/").rsplit("/", 1)[-1] for attempt in install["network"]]
    assert install["ok"] and not asked, (
        f"micropip could not install the documented requirements from the hosted wheels alone; it asked "
        f"PyPI or Pyodide's repository for {asked} (the toolkit's wheel requires them on every platform, the "
        f"buttons need none of them):\n{install.get('error')}")
    assert set(HOSTED) <= set(install["distributions"])


def test_the_readme_quotes_the_documented_files_as_they_are():
    """The README's Lite section shows docs/xlwings-lite/ word for word: what it tells a clerk to
    paste is what ran here."""
    readme = (REPO / "docs" / "guide-clerk.md").read_text(encoding="utf-8")
    lite = readme[readme.index("**没有本机 Python 的电脑：xlwings Lite**"):readme.index("**WPS 表格**")]
    blocks = [textwrap.dedent(b) for b in re.findall(r"```(?:text|python)\n(.*?)```", lite, flags=re.S)]
    for name in ("requirements.txt", "main.py"):
        assert (LITE_DOCS / name).read_text(encoding="utf-8") in blocks, name
