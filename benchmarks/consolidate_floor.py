"""How near `xxgk consolidate` is to the floor of reading the zip, per workbook at the margin.

    python benchmarks/consolidate_floor.py [--n 2000] [--lo-share 0.5] [--rounds 2] [--dir FOLDER]
    python benchmarks/consolidate_floor.py --n 20000 --rounds 1 --dir /tmp/xxgk-floor   # the large run

Needs python-calamine (`pip install -e '.[bench]'`), pandas and openpyxl, and /usr/bin/soffice.

Builds N distinct filled workbooks (not timed; kept in --dir to reuse): our own (template_bytes of
`plausible_report`s, BASES seeds, every file a distinct unit) and a share of LibreOffice-saved copies
(the same bases converted by headless `soffice --convert-to xlsx`, Calc's xlsx filter: shared strings,
its own styles, its own workbook.xml), then runs, interleaved and each in its own process, on N and
on N/2 of them:

  ours -j1    `xxgk consolidate --jobs 1` (read, check, sum, write the summary)
  ours        `xxgk consolidate` (default: one worker per core)
  calamine    python-calamine: open each workbook, read the sheets that hold summed cells and 单位信息
  openpyxl    openpyxl read_only=True, data_only=True, the same sheets' rows   (on a sample: slow)
  pandas      pandas.read_excel of the same sheets                              (on a sample: slow)
  floor       zipfile: decompress every worksheet part, nothing else

The marginal time per workbook is (t(N) - t(N/2)) / (N/2): start-up, imports and the summary's fixed
cost drop out.  Printed: each marginal time, the ratios to the floor and to calamine, peak memory
(ru_maxrss of the process; PSS of xxgk and its workers, summed), the growth of memory per workbook,
the 1-vs-default speed-up, the load average before and after; then the same for our own workbooks
and for the LibreOffice-saved ones alone (ours -j1, calamine, floor).  Correctness, in the same run:
every summed cell of the summary (read back with calamine) equals the calamine-computed sum.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

YEAR = 2025
PLACEHOLDER = "XXGKUNITNAMEPLACEHOLDER"
BASES = 40
SAMPLE = 200  # openpyxl and pandas: N and N/2 of this many


# --- inputs ------------------------------------------------------------------------------------

def _bases(folder: Path, lo: bool) -> list[list[tuple[zipfile.ZipInfo, bytes]]]:
    from toolkit.app.samples import plausible_report
    from toolkit.io.workbook.template import template_bytes

    src = folder / "bases"
    src.mkdir(parents=True, exist_ok=True)
    paths = []
    for b in range(BASES):
        path = src / f"base{b:02d}.xlsx"
        if not path.exists():
            path.write_bytes(template_bytes(report=plausible_report(PLACEHOLDER, "乡镇", YEAR, "2021", seed=b)))
        paths.append(path)
    if lo:
        out = folder / "bases-lo"
        if not all((out / p.name).exists() for p in paths):
            out.mkdir(exist_ok=True)
            profile = tempfile.mkdtemp(prefix="xxgk_lo_profile_")
            try:  # one soffice for the whole batch, on a private profile
                subprocess.run(["/usr/bin/soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                                "--convert-to", "xlsx", "--outdir", str(out), *map(str, paths)],
                               check=True, capture_output=True, timeout=600)
            finally:
                shutil.rmtree(profile, ignore_errors=True)
        paths = [out / p.name for p in paths]
    bases = []
    for path in paths:
        with zipfile.ZipFile(path) as z:
            bases.append([(info, z.read(info.filename)) for info in z.infolist()])
    return bases


def generate(folder: Path, n: int, lo_share: float) -> tuple[list[Path], list[Path]]:
    """(our own workbooks, LibreOffice-saved ones), each a distinct unit, interleaved in name order."""
    folder.mkdir(parents=True, exist_ok=True)
    n_lo = round(n * lo_share)
    kinds = ["lo" if (i * n_lo) // n != ((i + 1) * n_lo) // n else "own" for i in range(n)]
    files = [folder / "all" / f"第{i:05d}号单位 {YEAR}年报{'-lo' if k == 'lo' else ''}.xlsx" for i, k in enumerate(kinds, 1)]
    (folder / "all").mkdir(exist_ok=True)
    if not all(p.exists() for p in files):
        bases = {"own": _bases(folder, False), "lo": _bases(folder, True) if n_lo else []}
        for i, (kind, path) in enumerate(zip(kinds, files)):
            if path.exists():
                continue
            name = f"第{i + 1:05d}号单位".encode()
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
                for info, body in bases[kind][i % BASES]:
                    z.writestr(info, body.replace(PLACEHOLDER.encode(), name) if PLACEHOLDER.encode() in body else body)
            path.write_bytes(out.getvalue())
    own = [p for p, k in zip(files, kinds) if k == "own"]
    lo = [p for p, k in zip(files, kinds) if k == "lo"]
    return own, lo


def subset(folder: Path, name: str, files: list[Path]) -> Path:
    """A folder of hard links to `files` (xxgk consolidate takes folders)."""
    out = folder / name
    if out.exists() and len(list(out.iterdir())) == len(files):
        return out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for p in files:
        os.link(p, out / p.name)
    return out


# --- what is summed, where ----------------------------------------------------------------------

def places() -> tuple[list[str], dict[str, tuple[str, int, int]]]:
    from toolkit.core.formats import get_format
    from toolkit.core.layout import workbook_layout

    layout, fmt = workbook_layout("2021"), get_format("2021")
    where = {cid: layout.where(cid) for cid in fmt.entry_cells}  # the totals are computed, not read
    sheets = sorted({s for s, _, _ in where.values()} | {"单位信息"})
    return sheets, where


# --- the workers (each run in its own process) ----------------------------------------------------

def work_calamine(files, sheets, where):
    from python_calamine import CalamineWorkbook

    sums = dict.fromkeys(where, 0)
    for path in files:
        book = CalamineWorkbook.from_path(str(path))
        grids = {s: book.get_sheet_by_name(s).to_python(skip_empty_area=False) for s in sheets}
        for cid, (s, r, c) in where.items():
            grid = grids[s]
            if r <= len(grid) and c <= len(grid[r - 1]):
                v = grid[r - 1][c - 1]
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    sums[cid] += v
    return sums


def work_openpyxl(files, sheets, where):
    import openpyxl

    sums = dict.fromkeys(where, 0)
    by_sheet: dict = {}
    for cid, (s, r, c) in where.items():
        by_sheet.setdefault(s, {})[(r, c)] = cid
    for path in files:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for s in sheets:
            cells = by_sheet.get(s, {})
            for r, row in enumerate(book[s].iter_rows(values_only=True), 1):
                for c, v in enumerate(row, 1):
                    cid = cells.get((r, c))
                    if cid and isinstance(v, (int, float)) and not isinstance(v, bool):
                        sums[cid] += v
        book.close()
    return sums


def work_pandas(files, sheets, where):
    import pandas as pd

    sums = dict.fromkeys(where, 0)
    for path in files:
        frames = pd.read_excel(path, sheet_name=sheets, header=None)
        for cid, (s, r, c) in where.items():
            frame = frames[s]
            if r <= frame.shape[0] and c <= frame.shape[1]:
                v = frame.iat[r - 1, c - 1]
                if not pd.isna(v) and isinstance(v, (int, float)):
                    sums[cid] += v
    return {k: float(v) for k, v in sums.items()}


def work_floor(files, sheets, where):
    total = 0
    for path in files:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    total += len(z.read(name))
    return {"bytes": total}


WORKERS = {"calamine": work_calamine, "openpyxl": work_openpyxl, "pandas": work_pandas, "floor": work_floor}


def worker_main(kind: str, folder: str, out: str) -> None:
    files = sorted(Path(folder).iterdir())
    sheets, where = places()
    Path(out).write_text(json.dumps(WORKERS[kind](files, sheets, where)), encoding="utf-8")


# --- running and timing -------------------------------------------------------------------------

def run(args: list[str], pss: bool = False) -> tuple[float, float, int, int, str]:
    """(wall seconds, CPU seconds of the process and its workers, ru_maxrss bytes of the process,
    peak PSS bytes of it and its children, stdout)."""
    from consolidate_speed import PeakMemory

    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "XLWINGS_LICENSE_KEY": "noncommercial"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, env=env)
        sampler = PeakMemory(proc.pid) if pss else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own resource usage (its peak memory)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.stop.set()
            sampler.join()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{args[:3]} failed:\n{stderr.decode(errors='replace')[-3000:]}")
    cpu = usage.ru_utime + usage.ru_stime  # wait4: the child and the children it reaped (its workers)
    return elapsed, cpu, usage.ru_maxrss * 1024, sampler.peak if sampler else 0, stdout.decode()


class Bench:
    def __init__(self, root: Path, year_files: dict[str, Path]):
        self.root = root
        self.year_files = year_files
        self.times: dict[tuple[str, str], list[float]] = {}
        self.cpu: dict[tuple[str, str], list[float]] = {}
        self.rss: dict[tuple[str, str], int] = {}
        self.pss: dict[tuple[str, str], int] = {}
        self.outputs: dict[tuple[str, str], str] = {}

    def ours(self, size: str, folder: Path, jobs: int | None, label: str) -> None:
        xxgk = str(Path(sys.executable).with_name("xxgk"))
        out = self.root / f"汇总-{label}-{size}.xlsx"
        args = [xxgk, "consolidate", str(folder), "--year", str(YEAR), "-o", str(out), "--unit", "某县", "--force"]
        if jobs:
            args += ["--jobs", str(jobs)]
        self._record(label, size, *run(args, pss=True))
        self.outputs[(label, size)] = str(out)

    def competitor(self, size: str, folder: Path, kind: str, label: str | None = None) -> None:
        out = self.root / f"{label or kind}-{size}.json"
        self._record(label or kind, size, *run([sys.executable, __file__, "--worker", kind, str(folder), str(out)]))
        self.outputs[(label or kind, size)] = str(out)

    def _record(self, label, size, elapsed, cpu, rss, pss, stdout):
        self.times.setdefault((label, size), []).append(elapsed)
        self.cpu.setdefault((label, size), []).append(cpu)
        self.rss[(label, size)] = max(self.rss.get((label, size), 0), rss)
        self.pss[(label, size)] = max(self.pss.get((label, size), 0), pss)
        if label.startswith("ours") and "个文件" in stdout:
            self.outputs[(label, size, "accounts")] = next(l for l in stdout.splitlines() if "个文件 =" in l)

    def marginal(self, label: str, n_full: int, n_half: int, cpu: bool = False) -> float:
        times = self.cpu if cpu else self.times
        full, half = min(times[(label, "full")]), min(times[(label, "half")])
        return (full - half) / (n_full - n_half)


def check_sums(summary: Path, calamine_sums: dict, where: dict) -> tuple[int, list[str]]:
    """Every summed cell of the summary equal to calamine's sum: (cells compared, the ones that differ)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(summary))
    grids = {}
    wrong, compared = [], 0
    for cid, (s, r, c) in where.items():
        if s not in grids:
            grids[s] = book.get_sheet_by_name(s).to_python(skip_empty_area=False)
        grid = grids[s]
        got = grid[r - 1][c - 1] if r <= len(grid) and c <= len(grid[r - 1]) else None
        got = 0 if got in ("", None) else got
        compared += 1
        want = calamine_sums[cid]
        if not isinstance(got, (int, float)) or abs(got - want) > 1e-6 * max(1, abs(want)):  # floats: rounding
            wrong.append(f"{cid}: summary {got!r}, calamine {want!r}")
    return compared, wrong


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker_main(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="workbooks (default 2000; 20000 for the large run)")
    parser.add_argument("--lo-share", type=float, default=0.5, help="share saved by LibreOffice (default 0.5)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds; the best of each is kept")
    parser.add_argument("--dir", type=Path, default=None, help="keep the workbooks here (reused next time)")
    parser.add_argument("--no-slow", action="store_true", help="leave out openpyxl and pandas")
    parser.add_argument("--no-kinds", action="store_true", help="leave out the per-kind runs")
    args = parser.parse_args()
    keep = args.dir is not None
    root = (args.dir or Path(tempfile.mkdtemp(prefix="xxgk-floor-"))) / f"n{args.n}-lo{args.lo_share:g}"
    load_before = os.getloadavg()
    try:
        t = time.perf_counter()
        own, lo = generate(root, args.n, args.lo_share)
        files = sorted(own + lo)
        n, h = len(files), len(files) // 2
        sample = files[:: max(1, n // SAMPLE)][:SAMPLE]
        folders = {"full": subset(root, "full", files), "half": subset(root, "half", files[:h]),
                   "sfull": subset(root, "sample-full", sample), "shalf": subset(root, "sample-half", sample[:len(sample) // 2])}
        kinds = {}
        if not args.no_kinds:
            k = min(len(own), len(lo))
            for kind, group in (("own", own), ("lo", lo)):
                if k >= 20:
                    kinds[kind] = (subset(root, f"{kind}-full", group[:k]), subset(root, f"{kind}-half", group[:k // 2]), k, k // 2)
        print(f"{n} workbooks ({len(own)} our own, {len(lo)} saved by LibreOffice) in {root} "
              f"(built or found in {time.perf_counter() - t:.0f} s, not timed); {os.cpu_count()} cores; "
              f"load average {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
        bench = Bench(root, {})
        for r in range(args.rounds):
            for size in ("half", "full"):
                bench.ours(size, folders[size], 1, "ours -j1")
                bench.ours(size, folders[size], None, "ours")
                bench.competitor(size, folders[size], "calamine")
                bench.competitor(size, folders[size], "floor")
                if not args.no_slow:
                    bench.competitor(size, folders["s" + size], "openpyxl")
                    bench.competitor(size, folders["s" + size], "pandas")
                for kind, (full, half, _, _) in kinds.items():
                    folder = full if size == "full" else half
                    bench.ours(size, folder, 1, f"ours -j1 [{kind}]")
                    bench.competitor(size, folder, "calamine", f"calamine [{kind}]")
                    bench.competitor(size, folder, "floor", f"floor [{kind}]")
            print(f"  round {r + 1} of {args.rounds} done; load average {os.getloadavg()[0]:.2f}", flush=True)
        load_after = os.getloadavg()
        m, c = {}, {}  # marginal wall and CPU seconds per workbook
        for label in ("ours -j1", "ours", "calamine", "floor"):
            m[label], c[label] = bench.marginal(label, n, h), bench.marginal(label, n, h, cpu=True)
        if not args.no_slow:
            for label in ("openpyxl", "pandas"):
                m[label] = bench.marginal(label, len(sample), len(sample) // 2)
                c[label] = bench.marginal(label, len(sample), len(sample) // 2, cpu=True)
        print(f"\nper workbook at the margin ((t(N) - t(N/2)) / (N/2), best of {args.rounds}), N = {n}:")
        print(f"  {'':10s} {'wall':>9s} {'CPU':>9s}")
        for label, value in m.items():
            full = min(bench.times[(label, 'full')])
            rss = bench.rss.get((label, "full"), 0)
            pss = bench.pss.get((label, "full"), 0)
            memory = f"maxrss {rss / 1e6:4.0f} MB" + (f", PSS with workers {pss / 1e6:4.0f} MB" if pss else "")
            on = f"N = {len(sample)}" if label in ("openpyxl", "pandas") else f"N = {n}"
            print(f"  {label:10s} {value * 1000:6.3f} ms {c[label] * 1000:6.3f} ms   ({on}: {full:6.2f} s wall in all; {memory})")
        print("\nratios, per core (ours -j1), wall and CPU (CPU is what the load of other jobs disturbs least):")
        for name, x in (("wall", m), ("CPU", c)):
            print(f"  {name:4s}: ours -j1 / floor {x['ours -j1'] / x['floor']:5.2f}× (target ≤ 3);  "
                  f"ours -j1 / calamine {x['ours -j1'] / x['calamine']:5.2f}× (target ≤ 1.3);  "
                  f"calamine / floor {x['calamine'] / x['floor']:5.2f}×"
                  + (f";  openpyxl / ours {x['openpyxl'] / x['ours -j1']:4.1f}×, pandas / ours {x['pandas'] / x['ours -j1']:4.1f}×"
                     if not args.no_slow else ""))
        speed = m["ours -j1"] / m["ours"]
        wall = min(bench.times[("ours -j1", "full")]) / min(bench.times[("ours", "full")])
        print(f"  speed-up of the default ({os.cpu_count()} processes) over --jobs 1: {speed:4.2f}× at the margin, "
              f"{wall:4.2f}× in wall time at N = {n}  (target ≥ 1.7 on an idle machine); CPU of the default run "
              f"{c['ours'] * 1000:.3f} ms per workbook against {c['ours -j1'] * 1000:.3f} ms")
        rss_full, rss_half = bench.rss.get(("ours -j1", "full"), 0), bench.rss.get(("ours -j1", "half"), 0)
        if rss_full and rss_half:
            print(f"  memory growth of --jobs 1: {(rss_full - rss_half) / (n - h) / 1024:5.1f} KB per workbook "
                  f"(maxrss {rss_half / 1e6:.0f} MB at {h}, {rss_full / 1e6:.0f} MB at {n}; target ≤ 2 KB)")
        if kinds:
            print("\nby kind of workbook (marginal CPU ms per workbook: ours -j1, calamine, floor; ours/floor, ours/calamine):")
            for kind, (_, _, k, kh) in kinds.items():
                o, ca, f = (bench.marginal(f"{x} [{kind}]", k, kh, cpu=True) for x in ("ours -j1", "calamine", "floor"))
                print(f"  {'our own' if kind == 'own' else 'LibreOffice-saved':18s} {o * 1000:6.3f} {ca * 1000:6.3f} {f * 1000:6.3f}"
                      f"   {o / f:5.2f}× {o / ca:5.2f}×   (N = {k} and {kh})")
        print(f"\nload average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
        # correctness: the summary's figures against calamine's sums of the same files
        sheets, where = places()
        sums = json.loads(Path(bench.outputs[("calamine", "full")]).read_text(encoding="utf-8"))
        for label in ("ours -j1", "ours"):
            compared, wrong = check_sums(Path(bench.outputs[(label, "full")]), sums, where)
            accounts = bench.outputs.get((label, "full", "accounts"), "")
            print(f"correctness ({label}): {compared} summed cells compared with calamine's sums, "
                  f"{len(wrong)} differ; {accounts.strip()}")
            for line in wrong[:10]:
                print("   ", line)
            if wrong:
                raise SystemExit(1)
    finally:
        if not keep:
            shutil.rmtree(root.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
