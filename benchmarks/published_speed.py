"""How fast published reports come in and go out: the importer on each kind of input, the export to
each format, the imported report's workbook written (built with openpyxl / filled), and `xxgk import`
/ `xxgk export` end to end (start-up included).

    python benchmarks/published_speed.py [--runs 10]
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

from published_files import FIXTURES, word_tables_merged_cells_2019  # noqa: E402
from toolkit.io.published.export import export_bytes  # noqa: E402
from toolkit.io.published.importer import import_file  # noqa: E402
from toolkit.app.samples import zequ_2022  # noqa: E402
from toolkit.io.workbook.filled import filled_bytes  # noqa: E402
from toolkit.io.workbook.template import template_bytes  # noqa: E402


def timed(runs: int, action) -> str:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return f"median {statistics.median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    xxgk = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        inputs = {
            "text (泽曲镇 sample)": FIXTURES / "zequ-town-2022-published.txt",
            "text, one cell a line": FIXTURES / "web-text-one-cell-a-line-2021.txt",
            "HTML page": FIXTURES / "html-tables-rowspan-colspan-wrong-total-and-quote-2021.html",
            "Word .docx": word_tables_merged_cells_2019(tmp / "word.docx"),
        }
        docx = tmp / "export.docx"
        docx.write_bytes(export_bytes(zequ_2022(), "docx"))
        if shutil.which("soffice"):
            subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/lo", "--headless", "--convert-to", "pdf",
                            "--outdir", str(tmp), str(docx)], capture_output=True, check=True)
            inputs["PDF (Word export printed by LibreOffice)"] = tmp / "export.pdf"
        print(f"import (in process), {args.runs} runs each:")
        for name, path in inputs.items():
            print(f"  {name}: {timed(args.runs, lambda: import_file(path))}")
        print(f"export (in process), 泽曲镇 report, {args.runs} runs each:")
        for to in ("docx", "html"):
            print(f"  {to}: {timed(args.runs, lambda: export_bytes(zequ_2022(), to))}")
        imported = import_file(FIXTURES / "zequ-town-2022-published.txt").report
        start = time.perf_counter()
        filled_bytes(imported)  # the first builds the blank template of the version
        first = (time.perf_counter() - start) * 1000
        print(f"workbook written (xxgk import), 泽曲镇 report, {args.runs} runs each:")
        print(f"  built (openpyxl, template_bytes): {timed(args.runs, lambda: template_bytes(report=imported, keep_totals=True))}")
        print(f"  filled (the blank template built once, filled_bytes): {timed(args.runs, lambda: filled_bytes(imported))}"
              f" (the first, building it: {first:.0f} ms)")
        print(f"end to end (start-up included), {args.runs} runs each:")
        sample = FIXTURES / "zequ-town-2022-published.txt"
        print("  xxgk import sample: " + timed(args.runs, lambda: subprocess.run(
            [xxgk, "import", str(sample), "-o", str(tmp / "out"), "--force"], capture_output=True)))
        workbook = next((tmp / "out").glob("*.xlsx"))
        print("  xxgk export docx: " + timed(args.runs, lambda: subprocess.run(
            [xxgk, "export", str(workbook), "-o", str(tmp / "out"), "--force"], capture_output=True)))


if __name__ == "__main__":
    main()
