"""The workbooks sent back by the units: finding them in files and folders, and reading and checking
each one — in worker processes, one per core — into a `Submission` for the consolidation.

No spreadsheet library is imported: the toolkit's own reader reads the files, and nothing in them
(macros included) is ever run.  A file that cannot be read becomes a Submission saying why; one bad
file never stops the others.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path

from toolkit.app.checking import located
from toolkit.core.consolidation import Submission, submission
from toolkit.core.formats import DEFAULT_VERSION, get_format
from toolkit.io.inputs import OLD_SUFFIXES, WORKBOOK_SUFFIXES, Inputs, input_files, is_lock_file  # noqa: F401 (found there)
from toolkit.io.intake import refusal
from toolkit.core.roster import unit_key
from toolkit.core.rules import Values, check
from toolkit.io.workbook.reader import UnreadableWorkbook, read_workbook

OLD_FORMAT = "是旧版或其他软件的文件格式，请在 Excel 或 WPS 中“另存为” Excel 工作簿（*.xlsx）后重新报送"


# Set in each worker by _start (and in this process for jobs=1).
_TARGET = DEFAULT_VERSION
_LAST_YEAR: dict = {}


def _start(target: str, last_year: dict) -> None:
    global _TARGET, _LAST_YEAR
    _TARGET, _LAST_YEAR = target, last_year


def _start_worker(target: str, last_year: dict) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the main process's to handle (cli.py)
    _start(target, last_year)


def read_submission(path: Path) -> Submission:
    """Read and check one file (in a worker).  Last year's figures of the unit, where last year's
    summary has them, replace the 上年数据 kept in the workbook for the cross-year rules."""
    path = Path(path)
    try:
        modified = path.stat().st_mtime
    except OSError as exc:
        return Submission(str(path), unreadable=f"“{path.name}”：{refusal(exc)}")
    if path.suffix.lower() in OLD_SUFFIXES:
        return Submission(str(path), modified, unreadable=f"“{path.name}”{OLD_FORMAT}")
    try:
        result = read_workbook(path)
        report = result.report
        figures = _LAST_YEAR.get(unit_key(report.unit))
        if figures is not None:
            kept = {cid: figures[cid] for cid in get_format(report.format).previous_cells if cid in figures}
            report.previous = {**report.previous, **kept}
        values = Values(get_format(report.format), report.values)  # totals computed once, for both
        findings = located(result, result.findings + check(report, values=values))
        return submission(str(path), modified, report, findings, _TARGET, values)
    except UnreadableWorkbook as exc:
        return Submission(str(path), modified, unreadable=str(exc))
    except Exception as exc:  # a file nobody foresaw must not stop the others; say what happened
        return Submission(str(path), modified, unreadable=f"“{path.name}”：无法读取（{type(exc).__name__}: {exc}）")


def read_submissions(files: list[Path], target: str, last_year: dict | None = None, jobs: int | None = None,
                     progress=None, refused: dict | None = None, meanwhile=None) -> list[Submission]:
    """Every file read and checked, in the order given.  `jobs` worker processes (default: one per
    core); `progress(done, total)` is called as files are done.  The files in `refused` (str(path)
    -> why, as `Inputs.refused`) are not read: each is a Submission saying why.  `meanwhile()`, if
    given, is called in this process while the workers read (with one job, before reading): what
    the caller needs next (the summary writer's imports) then costs no time of its own."""
    refused = refused or {}
    read = iter(_read_all([p for p in files if str(p) not in refused], target, last_year, jobs, progress,
                          meanwhile or (lambda: None)))
    return [Submission(str(p), unreadable=f"“{Path(p).name}”：{refused[str(p)]}") if str(p) in refused
            else next(read) for p in files]


def _read_all(files: list[Path], target: str, last_year: dict | None, jobs: int | None, progress,
              meanwhile) -> list[Submission]:
    last_year = last_year or {}
    jobs = max(1, jobs or os.cpu_count() or 1)
    total = len(files)
    out: list[Submission] = []
    if jobs == 1 or total < 2 * jobs:
        meanwhile()
        _start(target, last_year)
        for path in files:
            out.append(read_submission(path))
            if progress:
                progress(len(out), total)
        return out
    chunk = max(1, min(64, total // (jobs * 8)))
    with multiprocessing.get_context().Pool(jobs, _start_worker, (target, last_year)) as pool:
        results = pool.imap(read_submission, files, chunksize=chunk)  # the workers start on them now
        meanwhile()  # (their results are collected by the pool's own thread, so none waits for this)
        for result in results:
            out.append(result)
            if progress:
                progress(len(out), total)
    return out
