"""How fast `xxgk check` answers for one workbook, start-up included, and what it imports.

    python benchmarks/check_speed.py [--runs 10]

Prints the wall time of each run (target: ≤ 0.5 s) and confirms that checking imports no pandas;
then the same for the workbook with 993 sheets of the clerk's own added (1,000 in all: the reader
reads only the sheets it needs).  Uses a test helper (run after .ci/run).
"""
from __future__ import annotations

import argparse
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


def timed(xxgk: str, workbook: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([xxgk, "check", str(workbook)], capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def report(what: str, times: list[float]) -> None:
    print(f"xxgk check, {what}, {len(times)} runs (start-up included):")
    print(f"  median {statistics.median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms, "
          f"worst {max(times) * 1000:.0f} ms (target ≤ 500 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    xxgk = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
    with tempfile.TemporaryDirectory() as tmp:
        workbook = Path(tmp) / "泽曲镇 2022年报.xlsx"
        workbook.write_bytes(template_bytes(report=zequ_2022()))
        times = timed(xxgk, workbook, args.runs)
        imports = subprocess.run([sys.executable, "-X", "importtime", xxgk, "check", str(workbook)],
                                 capture_output=True, text=True).stderr
        many = Path(tmp) / "一千张工作表.xlsx"
        many.write_bytes(workbook.read_bytes())
        with_extra_sheets(many, EXTRA_SHEETS)
        many_times = timed(xxgk, many, args.runs)
    modules = {line.split("|")[-1].strip().split(".")[0] for line in imports.splitlines() if "|" in line}
    report("one workbook", times)
    for name in ("pandas", "openpyxl", "xlwings", "numpy"):
        print(f"  imports {name}: {'yes' if name in modules else 'no'}")
    report(f"the same workbook with {EXTRA_SHEETS} sheets added (1,000 in all)", many_times)


if __name__ == "__main__":
    main()
