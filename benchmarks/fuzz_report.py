"""The fuzz test in figures: damaged workbooks and published reports tried, how each path answered,
crashes, hangs and time.

    python benchmarks/fuzz_report.py

Runs the same cases as tests/test_fuzz.py (hypothesis, derandomized: the same examples every run),
counting crashes and hangs instead of stopping at the first, and prints the figures, the most
common refusals, and each failure with the mutation and the file its mutant was saved to.  Exits 1
if there was any crash or hang.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import fuzz  # noqa: E402
import test_fuzz  # noqa: E402


def main() -> None:
    fuzz.TALLY.keep_going = True
    start = time.perf_counter()
    for run in test_fuzz.FAMILIES:
        run()
    wall = time.perf_counter() - start
    print("xxgk fuzz test (tests/test_fuzz.py): damaged workbooks and published reports through check, "
          "consolidate and import")
    for line in fuzz.figures():
        print(line)
    print(f"  wall time with hypothesis' own work: {wall:.1f} s")
    print("most common refusals (file name and details left out):")
    for line in fuzz.common_refusals():
        print(line)
    for failure in [*fuzz.TALLY.crashes.values(), *fuzz.TALLY.hangs.values()]:
        print("\n" + failure)
    sys.exit(1 if fuzz.TALLY.crashes or fuzz.TALLY.hangs else 0)


if __name__ == "__main__":
    main()
