"""The workbooks sent back by the units: finding them in files and folders, and reading and checking
each one — in worker processes, one per core — into a `Submission` for the consolidation.

No spreadsheet library is imported: the toolkit's own reader reads the files, and nothing in them
(macros included) is ever run.  A file that cannot be read becomes a Submission saying why; one bad
file never stops the others.
"""
from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.checking import located
from toolkit.consolidate import Submission, submission
from toolkit.formats import get_format
from toolkit.roster import unit_key
from toolkit.rules import check
from toolkit.workbook.reader import UnreadableWorkbook, read_workbook

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# Formats a unit may send by mistake: they are inputs (listed as not readable, with what to do).
OLD_SUFFIXES = (".xls", ".et", ".ods")
OLD_FORMAT = "是旧版或其他软件的文件格式，请在 Excel 或 WPS 中“另存为” Excel 工作簿（*.xlsx）后重新报送"


@dataclass
class Inputs:
    files: list[Path] = field(default_factory=list)  # what will be read, in order
    skipped: list[Path] = field(default_factory=list)  # in the folders, but not workbooks (or lock files)
    missing: list[Path] = field(default_factory=list)  # named, but not there


def is_lock_file(path: Path) -> bool:
    """Office's and WPS's owner file of an open document (~$name.xlsx): no workbook, no report."""
    return Path(path).name.startswith("~$")


def _is_lock_or_temporary(path: Path) -> bool:
    # Office's owner files (~$name.xlsx), hidden files, and our own files being written (.name.tmp)
    return is_lock_file(path) or path.name.startswith(".")


def input_files(inputs, exclude=()) -> Inputs:
    """The workbooks among `inputs` (files, or folders searched with their subfolders), each once,
    leaving out `exclude` (last year's summary, the roster: inputs of another kind)."""
    out = Inputs()
    excluded = {_same(Path(p)) for p in exclude}
    seen = set()

    def add(path: Path):
        key = _same(path)
        if key in seen or key in excluded:
            return
        seen.add(key)
        out.files.append(path)

    for item in map(Path, inputs):
        if item.is_dir():
            for path in _walk(item):
                if _is_lock_or_temporary(path) or path.suffix.lower() not in WORKBOOK_SUFFIXES + OLD_SUFFIXES:
                    out.skipped.append(path)
                else:
                    add(path)
        elif item.is_file():
            if is_lock_file(item):
                out.skipped.append(item)
            else:
                add(item)
        else:
            out.missing.append(item)
    return out


def _same(path: Path) -> str:
    """A file's identity for leaving out repeats: its absolute path (folders given twice, a file
    given and also found in its folder)."""
    return os.path.normcase(os.path.abspath(path))


def _walk(folder: Path) -> list[Path]:
    """Every file below a folder, sorted by path."""
    out = []
    for top, dirs, names in os.walk(folder):
        dirs.sort()
        out += [Path(top, n) for n in sorted(names)]
    return out


# Set in each worker by _start (and in this process for jobs=1).
_TARGET = "2021"
_LAST_YEAR: dict = {}


def _start(target: str, last_year: dict) -> None:
    global _TARGET, _LAST_YEAR
    _TARGET, _LAST_YEAR = target, last_year


def read_submission(path: Path) -> Submission:
    """Read and check one file (in a worker).  Last year's figures of the unit, where last year's
    summary has them, replace the 上年数据 kept in the workbook for the cross-year rules."""
    path = Path(path)
    try:
        modified = path.stat().st_mtime
    except OSError as exc:
        return Submission(str(path), unreadable=f"“{path.name}”：无法打开（{exc.strerror or exc}）")
    if path.suffix.lower() in OLD_SUFFIXES:
        return Submission(str(path), modified, unreadable=f"“{path.name}”{OLD_FORMAT}")
    try:
        result = read_workbook(path)
        report = result.report
        figures = _LAST_YEAR.get(unit_key(report.unit))
        if figures is not None:
            kept = {cid: figures[cid] for cid in get_format(report.format).previous_cells if cid in figures}
            report.previous = {**report.previous, **kept}
        findings = located(result, result.findings + check(report))
        return submission(str(path), modified, report, findings, _TARGET)
    except UnreadableWorkbook as exc:
        return Submission(str(path), modified, unreadable=str(exc))
    except Exception as exc:  # a file nobody foresaw must not stop the others; say what happened
        return Submission(str(path), modified, unreadable=f"“{path.name}”：无法读取（{type(exc).__name__}: {exc}）")


def read_submissions(files: list[Path], target: str, last_year: dict | None = None, jobs: int | None = None,
                     progress=None) -> list[Submission]:
    """Every file read and checked, in the order given.  `jobs` worker processes (default: one per
    core); `progress(done, total)` is called as files are done."""
    last_year = last_year or {}
    jobs = max(1, jobs or os.cpu_count() or 1)
    total = len(files)
    out: list[Submission] = []
    if jobs == 1 or total < 2 * jobs:
        _start(target, last_year)
        for path in files:
            out.append(read_submission(path))
            if progress:
                progress(len(out), total)
        return out
    chunk = max(1, min(64, total // (jobs * 8)))
    with multiprocessing.get_context().Pool(jobs, _start, (target, last_year)) as pool:
        for result in pool.imap(read_submission, files, chunksize=chunk):
            out.append(result)
            if progress:
                progress(len(out), total)
    return out
