"""`xxgk import DIR` over a folder of saved web pages: time per report, against pandas.read_html.

Builds a folder of N distinct pages as county staff save them (tests/saved_pages.py: GBK and UTF-8,
declared or not, two CMS wrappers, each page with its `_files/` folder; different units, years,
formats and figures), then in one process runs what the command runs for each file —
`toolkit.io.published.folder.reports_in` over the folder and `commands.import_to_workbook` per report
(read, import, write the workbook, check) — and, as the competitor on the same pages in the same run,
`pandas.read_html` with the tables written to a workbook by openpyxl.  Prints the first report's
time, the time per report after the first, the competitor's, and their ratio; `--profile` adds the
cProfile entries of the importer's own modules.

    python benchmarks/import_folder.py [--n 200] [--profile] [--dir FOLDER]
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from saved_pages import STYLES, report_for, save_page  # noqa: E402
from toolkit.app.publishing import import_to_workbook  # noqa: E402
from toolkit.io.published.folder import reports_in  # noqa: E402

_FIRST = "青石东河西山北关南坪龙泉白马金桥清水黄土红星新华长安永宁太平和平"
_ENDS = ("镇", "乡", "街道")
# (declaration, charset declared, bytes written in)
_ENCODINGS = (("meta-charset", "gbk", "gbk"), ("http-equiv", "gb2312", "gbk"), ("none", "utf-8", "gbk"),
              ("meta-charset", "utf-8", "utf-8"), ("none", "utf-8", "utf-8"))


def build(folder: Path, n: int) -> list[Path]:
    """N distinct saved pages (unit, year, format, figures, encoding and wrapper vary)."""
    pages = []
    for i in range(n):
        a, b = _FIRST[i % len(_FIRST)], _FIRST[(i * 7 + 3) % len(_FIRST)]
        unit = f"{a}{b}{_ENDS[i % 3]}" if i < len(_FIRST) * 3 else f"{a}{b}第{i}{_ENDS[i % 3]}"
        year = 2020 + i % 5
        version = "2019" if year == 2020 else "2021"
        declaration, charset, encoding = _ENCODINGS[i % len(_ENCODINGS)]
        report = report_for(unit, year, version, seed=i)
        pages.append(save_page(folder, f"{i:03d}-{unit}{year}年报", report, declaration, charset, encoding,
                               style=STYLES[i % 2]))
    return pages


def ours(folder: Path, out: Path) -> tuple[list[float], list[float], int, int]:
    """What `xxgk import FOLDER -o OUT` does, file by file; (wall seconds per report, CPU seconds per
    report, written, errors)."""
    found = reports_in([folder])
    sources, taken, times, cpu, written, errors = found.reports, set(), [], [], 0, 0
    for source in sources:
        start, start_cpu = time.perf_counter(), time.process_time()
        done = import_to_workbook(source, out, True, taken, inputs=sources)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        written += done.workbook is not None
        errors += sum(f.is_error for f in done.checked.findings)
    return times, cpu, written, errors


def stages(sources: list[Path]) -> dict[str, float]:
    """Mean seconds per report of each step import_to_workbook takes (all first uses done)."""
    from toolkit.core.formats import get_format
    from toolkit.io.published.importer import import_lines
    from toolkit.io.published.text import read_lines
    from toolkit.core.rules import check
    from toolkit.core.text_checks import heading_findings, text_findings
    from toolkit.io.workbook.filled import filled_bytes

    steps = {"read the page (text.read_lines)": lambda s, k: k.update(lines=read_lines(s)),
             "import the lines (importer.import_lines)": lambda s, k: k.update(imported=import_lines(k["lines"], s.name)),
             "workbook bytes (filled_bytes)": lambda s, k: filled_bytes(k["imported"].report),
             "check (rules.check)": lambda s, k: check(k["imported"].report),
             "text checks": lambda s, k: heading_findings(get_format(k["imported"].report.format), k["imported"].lines)
             + text_findings(k["imported"].report)}
    totals = dict.fromkeys(steps, 0.0)
    for source in sources:
        kept: dict = {}
        for name, step in steps.items():
            start = time.perf_counter()
            step(source, kept)
            totals[name] += time.perf_counter() - start
    return {name: total / len(sources) for name, total in totals.items()}


def competitor(pages: list[Path], out: Path) -> list[float]:
    """pandas.read_html on each page (lxml), every table found written to a workbook by openpyxl."""
    import openpyxl
    import pandas as pd

    times = []
    for k, page in enumerate(pages):
        start = time.perf_counter()
        tables = pd.read_html(io.BytesIO(page.read_bytes()), flavor="lxml")
        book = openpyxl.Workbook()
        book.remove(book.active)
        for i, table in enumerate(tables):
            sheet = book.create_sheet(f"表{i + 1}")
            sheet.append([str(c) for c in table.columns])
            for row in table.itertuples(index=False):
                sheet.append([None if v != v else v for v in row])  # NaN: empty
        book.save(out / f"{k:03d}.xlsx")
        times.append(time.perf_counter() - start)
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="also profile the import (cProfile)")
    parser.add_argument("--dir", type=Path, help="build the pages here (kept) instead of a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.dir or Path(tmp)
        folder = base / "往年年报"
        start = time.perf_counter()
        pages = build(folder, args.n)
        print(f"built {len(pages)} saved pages (each with its _files/ folder) in {time.perf_counter() - start:.1f} s: {folder}")

        times, cpu, written, errors = ours(folder, base / "导入")
        rest = times[1:]
        print("xxgk import path (reports_in + import_to_workbook per file), one process:")
        print(f"  first report: {ms(times[0])} (first use: lxml, format files, workbook template)")
        print(f"  per report after the first: mean {ms(statistics.mean(rest))}, median {ms(statistics.median(rest))}, "
              f"p90 {ms(sorted(rest)[int(len(rest) * 0.9)])}; CPU mean {ms(statistics.mean(cpu[1:]))} "
              "(wall minus CPU: waiting for the disk's fsync, or for a core other jobs hold)")
        print(f"  total {sum(times):.2f} s; {written} workbooks written, {errors} errors among their findings")

        print("  where the time goes (means over the same pages, after the run above):")
        for stage, seconds in stages(reports_in([folder]).reports).items():
            print(f"    {stage}: {ms(seconds)}")
        (base / "pandas").mkdir()
        theirs = competitor(pages, base / "pandas")
        print("pandas.read_html + openpyxl (tables only: no unit, year, texts, labels or checks):")
        print(f"  first page: {ms(theirs[0])}; per page after the first: mean {ms(statistics.mean(theirs[1:]))}, "
              f"median {ms(statistics.median(theirs[1:]))}")
        print(f"  ratio ours / pandas (means after the first): {statistics.mean(rest) / statistics.mean(theirs[1:]):.2f}")

        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            ours(folder, base / "导入-profile")
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stdout)
            print(f"\ncProfile of the same import over {len(pages)} pages (tottime, top 25):")
            stats.sort_stats("tottime").print_stats(25)
            print("the importer's own modules (cumulative):")
            stats.sort_stats("cumulative").print_stats(r"published/(importer|labels|text|furniture|signature)\.py|text_checks\.py", 25)


if __name__ == "__main__":
    main()
