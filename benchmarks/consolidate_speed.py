"""How fast `xxgk consolidate` is, against a pandas+openpyxl loop and the zip-decompression floor.

    python benchmarks/consolidate_speed.py [--n 2000] [--jobs N] [--dir FOLDER] [--xlsm MODE] [--previous]

Generates N unit workbooks (made-up consistent 2021-format reports, each a distinct unit; not
timed; kept in --dir to reuse), then prints, per workbook:
  - our consolidation end to end: `xxgk consolidate` run as a user runs it (start-up, reading,
    checking, summing, writing the summary workbook with its 分单位明细 of N rows), wall time / N;
  - a pandas+openpyxl loop doing only the read and the sum (on a sample of the files);
  - zip decompression alone: every member of every workbook inflated, one process;
the two ratios against the targets (≤ 4× the zip floor; ≥ 12× faster than pandas+openpyxl), and the
peak memory of the consolidation (its processes' proportional set sizes, summed, sampled).

With --previous, last year's workbooks of the same units are made and consolidated (not timed), and
the consolidation is timed again with that summary as --previous (the cross-year checks, the 同比 sheet).

With --xlsm the workbooks are macro-enabled (.xlsm, with the toolkit's buttons and VBA project), and
the check of their macros (toolkit.io.workbook.macro_check) is also timed alone, in one process:
  - fast:       the VBA project as the toolkit writes it (byte-identical: no parsing);
  - reread:     the same modules and sources in another order, as a program that rewrites the project
                (Excel, WPS) leaves it: the project is parsed and every source decompressed;
  - normalised: every module with one more line end, as LibreOffice writes them: parsed, decompressed
                and compared token by token.
"""
from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toolkit.core.formats import get_format  # noqa: E402
from toolkit.core.layout import workbook_layout  # noqa: E402
from toolkit.app.samples import plausible_report  # noqa: E402
from toolkit.io.workbook.template import template_bytes  # noqa: E402

YEAR = 2025
PLACEHOLDER = "XXGKUNITNAMEPLACEHOLDER"
BASES = 40  # distinct sets of figures; every workbook is a distinct unit
PANDAS_SAMPLE = 100


def _vba_project(mode: str) -> bytes | None:
    """The vbaProject.bin of the generated .xlsm workbooks (None: as the toolkit writes it)."""
    from toolkit.io.vba.own_project import project_modules
    from toolkit.io.vba.project import Module, vba_project

    modules = project_modules(8)
    if mode == "reread":
        return vba_project(modules[::-1])
    if mode == "normalised":
        return vba_project([Module(m.name, m.kind, m.source + "\r\n") for m in modules])
    return None


def generate(folder: Path, n: int, xlsm: str | None = None, year: int = YEAR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"第{i:05d}号单位" for i in range(1, n + 1)]
    files = [folder / f"{name} {year}年报.{'xlsm' if xlsm else 'xlsx'}" for name in names]
    roster = folder.parent / f"{folder.name}-名单.csv"
    if all(p.exists() for p in files) and roster.exists():
        return files
    bases = []
    for b in range(BASES):
        report = plausible_report(PLACEHOLDER, "乡镇", year, "2021", seed=b + (year - YEAR) * BASES)
        if xlsm:
            from toolkit.io.workbook.macro_workbook import macro_workbook_bytes

            data, project = macro_workbook_bytes(report=report), _vba_project(xlsm)
        else:
            data, project = template_bytes(report=report), None
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            bases.append([(info, project if project and info.filename == "xl/vbaProject.bin" else z.read(info.filename))
                          for info in z.infolist()])
    for i, (name, path) in enumerate(zip(names, files)):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for info, body in bases[i % BASES]:
                if PLACEHOLDER.encode() in body:
                    body = body.replace(PLACEHOLDER.encode(), name.encode("utf-8"))
                z.writestr(info, body)
        path.write_bytes(out.getvalue())
    roster.write_text("单位名称,单位层级\n" + "".join(f"{name},乡镇\n" for name in names), encoding="utf-8")
    return files


def macro_check_alone(files: list[Path], cold: bool = False) -> float:
    """The check of a workbook's macros alone, per workbook, after a warm-up (the toolkit's own
    project is built once per process).  `cold`: every module decompressed anew, as if no two
    workbooks shared a module's compressed bytes."""
    from toolkit.io.vba.inspect import forget_sources
    from toolkit.io.workbook.macro_check import macro_notes
    from toolkit.io.workbook.xlsx import XlsxBook

    books = [XlsxBook(path) for path in files]
    try:
        assert macro_notes(books[0], ".xlsm") == [], "the generated workbooks should pass the check"
        start = time.perf_counter()
        for book in books:
            if cold:
                forget_sources()
            macro_notes(book, ".xlsm")
        return (time.perf_counter() - start) / len(books)
    finally:
        for book in books:
            book.close()


def zip_floor(files: list[Path], passes: int = 3) -> float:
    """The best of a few passes (a floor), over at most 2,000 of the files."""
    files = files[:2000]
    best = float("inf")
    for _ in range(passes):
        start = time.perf_counter()
        for path in files:
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    z.read(name)
        best = min(best, (time.perf_counter() - start) / len(files))
    return best


def pandas_loop(files: list[Path]) -> float:
    """Read the four sheets with pandas (openpyxl engine) and add up every entry cell."""
    import pandas as pd

    layout = workbook_layout("2021")
    fmt = get_format("2021")
    places = [(layout.where(cid)) for cid in fmt.entry_cells]
    sheets = sorted({p[0] for p in places} | {"单位信息"})
    start = time.perf_counter()
    totals: dict = {}
    for path in files:
        frames = pd.read_excel(path, sheet_name=sheets, header=None, engine="openpyxl")
        for sheet, row, col in places:
            value = frames[sheet].iat[row - 1, col - 1]
            if not pd.isna(value):
                totals[(sheet, row, col)] = totals.get((sheet, row, col), 0) + value
    return (time.perf_counter() - start) / len(files)


class PeakMemory(threading.Thread):
    """Samples the summed proportional set size (PSS) of a process and its children."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, sum(_pss(p) for p in _tree(self.pid)))
            time.sleep(0.02)


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            pass
    return out


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def consolidate(folder: Path, jobs: int | None, year: int = YEAR, previous: Path | None = None) -> tuple[float, int, str]:
    xxgk = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
    out = folder.parent / f"{folder.name}-汇总{'-同比' if previous else ''}.xlsx"
    args = [xxgk, "consolidate", str(folder), "--year", str(year), "--roster", str(folder.parent / f"{folder.name}-名单.csv"),
            "-o", str(out), "--unit", "某县", "--force"] + (["--jobs", str(jobs)] if jobs else []) + (
            ["--previous", str(previous)] if previous else [])
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120"})
    sampler = PeakMemory(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"xxgk consolidate failed:\n{stderr}")
    accounts = next((line for line in stdout.splitlines() if "个文件 =" in line), "")
    return elapsed, sampler.peak, accounts + f"; summary {out.stat().st_size / 1e6:.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="number of unit workbooks (default 2000)")
    parser.add_argument("--jobs", type=int, default=None, help="passed to xxgk consolidate (default: cores)")
    parser.add_argument("--dir", type=Path, default=None, help="keep the generated workbooks here")
    parser.add_argument("--xlsm", choices=("fast", "reread", "normalised"), default=None,
                        help="macro-enabled workbooks, their VBA project as described above")
    parser.add_argument("--previous", action="store_true",
                        help="also time it with --previous: last year's summary of the same units (made, not timed)")
    args = parser.parse_args()
    keep = args.dir is not None
    root = args.dir or Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    try:
        folder = root / (f"units-{args.n}" + (f"-xlsm-{args.xlsm}" if args.xlsm else ""))
        t = time.perf_counter()
        files = generate(folder, args.n, args.xlsm)
        print(f"{args.n} workbooks in {folder} (generated or found in {time.perf_counter() - t:.0f} s, not timed); "
              f"{os.cpu_count()} cores")
        floor = zip_floor(files)
        elapsed, peak, accounts = consolidate(folder, args.jobs)
        ours = elapsed / args.n
        sample = files[:: max(1, len(files) // PANDAS_SAMPLE)][:PANDAS_SAMPLE]
        baseline = pandas_loop(sample)
        print(f"  xxgk consolidate, end to end:   {ours * 1000:7.3f} ms/workbook  ({elapsed:.2f} s in all; {accounts})")
        print(f"  pandas+openpyxl read and sum:   {baseline * 1000:7.3f} ms/workbook  (on {len(sample)} of them)")
        print(f"  zip decompression alone:        {floor * 1000:7.3f} ms/workbook  (every member, one process, "
              "best of 3 passes)")
        print(f"  ours / zip floor:   {ours / floor:5.2f}×   (target ≤ 4)")
        print(f"  pandas / ours:      {baseline / ours:5.1f}×   (target ≥ 12)")
        print(f"  peak memory:        {peak / 1e6:5.0f} MB  (PSS of xxgk and its worker processes; target ≤ 400)")
        if args.xlsm:
            alone, cold = macro_check_alone(sample), macro_check_alone(sample, cold=True)
            print(f"  macro check alone ({args.xlsm}):   {alone * 1000:7.3f} ms/workbook  (on {len(sample)} of them, "
                  f"one process; {cold * 1000:.3f} ms with every module decompressed anew)")
        if args.previous:
            last = generate(root / f"units-{args.n}-{YEAR - 1}", args.n, args.xlsm, YEAR - 1)[0].parent
            consolidate(last, args.jobs, YEAR - 1)
            summary = last.parent / f"{last.name}-汇总.xlsx"
            with_previous, _, accounts = consolidate(folder, args.jobs, previous=summary)
            print(f"  with --previous (同比, {args.n} units): {with_previous * 1000 / args.n:7.3f} ms/workbook  "
                  f"({with_previous:.2f} s in all, {with_previous - elapsed:+.2f} s; {accounts})")
        if args.n >= 10000:
            print(f"  {args.n} workbooks in {elapsed:.1f} s (target ≤ 15 s for 10,000)")
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
