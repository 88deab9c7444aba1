"""How fast `xxgk check` answers for one workbook, start-up included, and what starting costs.

    python benchmarks/check_speed.py [--runs 10]

Prints, best of --runs (the machines are shared: the best run is the one least disturbed):
- the wall time of `xxgk check` on one workbook, Python's own start-up included, beside a bare
  `python -c pass` measured in the same run, and their ratio (issue 15's targets: at most 250 ms and
  at most 12 times `python -c pass`); whether checking imports pandas, openpyxl, xlwings, numpy or
  pydantic;
- the cumulative import time of `toolkit.excel` (the buttons' module, also what xlwings Lite loads),
  from `python -X importtime` (target: at most 60 ms);
- the wall time of `xxgk check` on the same workbook with 993 sheets of the clerk's own added (1,000
  in all: the reader reads only the sheets it needs).

Run as a user's installation runs: bytecode and the format files' parsed copies written (so without
PYTHONDONTWRITEBYTECODE), one run first to write them, from a folder that holds no other toolkit.
Uses a test helper (run after .ci/run).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from toolkit.app.samples import zequ_2022  # noqa: E402
from toolkit.io.workbook.template import template_bytes  # noqa: E402
from workbooks import EXTRA_SHEETS, with_extra_sheets  # noqa: E402

CHECK_MS, CHECK_RATIO, EXCEL_IMPORT_MS = 250, 12, 60  # issue 15's targets
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], runs: int, cwd: Path) -> list[float]:
    subprocess.run(command, capture_output=True, env=ENV, cwd=cwd)  # writes bytecode and the parsed copies
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, env=ENV, cwd=cwd)
        times.append(time.perf_counter() - start)
    return times


def interleaved(commands: dict[str, list[str]], runs: int, cwd: Path) -> dict[str, list[float]]:
    """Each command once per round, so that a noisy moment falls on all of them alike."""
    times = {name: [] for name in commands}
    for command in commands.values():
        subprocess.run(command, capture_output=True, env=ENV, cwd=cwd)
    for _ in range(runs):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, env=ENV, cwd=cwd)
            times[name].append(time.perf_counter() - start)
    return times


def import_ms(module: str, runs: int, cwd: Path) -> list[float]:
    """The cumulative import time of `module`, by `python -X importtime`, in ms, one a run."""
    out = []
    for _ in range(runs):
        lines = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True,
                               text=True, env=ENV, cwd=cwd).stderr.splitlines()
        out += [int(line.split("|")[1]) / 1000 for line in lines if line.split("|")[-1].strip() == module]
    return out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    xxgk = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        workbook = folder / "泽曲镇 2022年报.xlsx"
        workbook.write_bytes(template_bytes(report=zequ_2022()))
        times = interleaved({"check": [xxgk, "check", str(workbook)], "pass": [sys.executable, "-c", "pass"]},
                            args.runs, folder)
        imports = subprocess.run([sys.executable, "-X", "importtime", xxgk, "check", str(workbook)],
                                 capture_output=True, text=True, env=ENV, cwd=folder).stderr
        excel = import_ms("toolkit.excel", args.runs, folder)
        many = folder / "一千张工作表.xlsx"
        many.write_bytes(workbook.read_bytes())
        with_extra_sheets(many, EXTRA_SHEETS)
        many_times = timed([xxgk, "check", str(many)], args.runs, folder)
    modules = {line.split("|")[-1].strip().split(".")[0] for line in imports.splitlines() if "|" in line}
    check, bare = min(times["check"]), min(times["pass"])
    print(f"xxgk check, one workbook, best of {args.runs} runs (start-up included):")
    print(f"  best {ms(check)} (median {ms(statistics.median(times['check']))}; target ≤ {CHECK_MS} ms)")
    print(f"  python -c pass in the same run: best {ms(bare)}; ratio {check / bare:.1f}× (target ≤ {CHECK_RATIO}×)")
    for name in ("pandas", "openpyxl", "xlwings", "numpy", "pydantic"):
        print(f"  imports {name}: {'yes' if name in modules else 'no'}")
    print(f"import toolkit.excel, cumulative (python -X importtime), best of {args.runs} runs:")
    print(f"  best {min(excel):.0f} ms (median {statistics.median(excel):.0f} ms; target ≤ {EXCEL_IMPORT_MS} ms)")
    print(f"xxgk check, the same workbook with {EXTRA_SHEETS} sheets added (1,000 in all), {args.runs} runs:")
    print(f"  best {ms(min(many_times))}, median {ms(statistics.median(many_times))}, worst {ms(max(many_times))}")


if __name__ == "__main__":
    main()
