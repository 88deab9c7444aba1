"""How fast the Excel buttons' Python side is: what `import toolkit.excel` costs (the RunPython
command imports it in a fresh Python), what importing xlwings adds, and the time of each button's
function on xlwings' remote engine for a filled workbook (reading the payload, deciding, recording
the writes; Excel's own time to apply them is not measured here).  The workbook is filled by
openpyxl, so its totals hold no calculated value and 重新计算 restores every one: its worst case.

    XLWINGS_LICENSE_KEY=noncommercial .venv/bin/python benchmarks/button_speed.py
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


def import_ms(module: str) -> float:
    """Cumulative import time of `module` in a fresh interpreter, best of 5 (milliseconds)."""
    best = None
    for _ in range(5):
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                              capture_output=True, text=True, check=True)
        line = [ln for ln in done.stderr.splitlines() if re.search(rf"\|\s*{re.escape(module)}$", ln)][-1]
        micros = int(line.split("|")[1])
        best = micros if best is None else min(best, micros)
    return best / 1000


def main() -> None:
    print(f"import toolkit.excel : {import_ms('toolkit.excel'):7.1f} ms cumulative (target <= 150 ms)")
    print(f"import xlwings       : {import_ms('xlwings'):7.1f} ms cumulative (paid once a button runs; "
          "xlwings imports pandas/numpy when installed)")

    import xlwings as xw

    import toolkit.excel as excel
    from conftest import fill_workbook
    from remote_book import payload
    from toolkit.app.samples import plausible_report
    from toolkit.io.workbook.macro_workbook import macro_workbook_bytes
    from workbooks import entries, info_of

    report = plausible_report("东河镇", "乡镇", 2025, "2021", seed=1)
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "t.xlsm"
        template.write_bytes(macro_workbook_bytes("2021"))
        filled = fill_workbook(template, Path(folder) / "filled.xlsm", entries(report), info_of(report))
        data = payload(filled)
        for name in ("recompute", "check", "clear_marks", "carry_over"):
            times = []
            for _ in range(20):
                book = xw.Book(json=data)
                book.set_mock_caller()
                start = time.perf_counter()
                getattr(excel, name)()
                times.append(time.perf_counter() - start)
            actions = len(book.json()["actions"])
            print(f"{name:12s}: {min(times) * 1000:6.1f} ms (best of 20), {actions} write actions")


if __name__ == "__main__":
    main()
