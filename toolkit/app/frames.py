"""`toolkit.read_reports(paths)`: the units' reports as one pandas DataFrame, for analysts at county
and prefecture level — one row per unit × cell, in the long table's columns (toolkit/io/long_table.py,
the rows built by the same `records` that `xxgk consolidate --long` writes) with 年度 and 路径 too:

    单位名称 单位层级 年度 报告格式 文件 路径 编号 表 行 列 数值

`paths` is one path or a list of them: workbooks (.xlsx/.xlsm), folders (their workbooks, searched
with their subfolders, as `xxgk consolidate` finds them) and published reports (.html/.txt/.docx/.pdf,
each named: `xxgk import` reads them).  Every report read is in it, whatever the checks say (read
its findings with `xxgk check`); each in its own format (2019 or 2021), or all converted to
`format` through the maps of the format files, as the summary converts them.  Every cell of the
format has a row; 数值 is NaN where the unit gives no figure (not reported, not readable, no place
in `format`).

Nothing is left out silently: each file that cannot be read is in `frame.attrs["unreadable"]`
(path -> why, in Chinese), and an `UnreadableFilesWarning` says how many; files in the folders
that are not workbooks are in `frame.attrs["skipped"]` (path -> why).

pandas is imported when `read_reports` is called, not before: neither `import toolkit` nor the
buttons nor `xxgk check` load it.
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

from toolkit.core.consolidation import Submission
from toolkit.core.formats import cell_map, get_format
from toolkit.io.inputs import MISSING, OLD_SUFFIXES, input_files, no_workbook
from toolkit.io.intake import refusal
from toolkit.io.long_table import RECORD_COLUMNS, cell_labels, records
from toolkit.core.model import Report
from toolkit.core.rules import Values

TEXT_COLUMNS = tuple(c for c in RECORD_COLUMNS if c not in (RECORD_COLUMNS[2], RECORD_COLUMNS[-1]))
YEAR_COLUMN, VALUE_COLUMN = RECORD_COLUMNS[2], RECORD_COLUMNS[-1]
UNREADABLE, SKIPPED = "unreadable", "skipped"  # the keys of frame.attrs
NOT_A_WORKBOOK = "不是工作簿（.xlsx/.xlsm），未读取；已发布的年报文件（.html/.txt/.docx/.pdf）请逐个列出"
_SHOWN = 3  # unreadable files named in the warning


class UnreadableFilesWarning(UserWarning):
    """Some of the files given to read_reports could not be read: see frame.attrs["unreadable"]."""


def read_reports(paths, format: str | None = None, jobs: int = 1):
    """The reports in `paths` as a pandas DataFrame, one row per unit × cell (see the module's
    docstring); `format` ("2019" or "2021") converts every report to that format.  `jobs` worker
    processes read the files (None: one per core); on Windows a script using them must call
    read_reports under `if __name__ == "__main__":`, as multiprocessing requires."""
    import pandas as pd
    from toolkit.io.published.folder import REPORT_SUFFIXES

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    if format is not None:
        get_format(format)  # an unknown version is refused before anything is read
    published = [p for p in paths if not p.is_dir() and p.suffix.lower() in REPORT_SUFFIXES]
    found = input_files([p for p in paths if p not in published])
    unreadable: dict[str, str] = {}
    for folder in found.empty:  # nothing new in it: unreadable only if none of the files read is in it
        if not any(_inside(path, folder) for path in found.files):
            unreadable[str(folder)] = no_workbook(folder)
    units: list[tuple[str, Submission]] = []
    files = found.files + published  # the workbooks as `xxgk consolidate` finds them, then the published
    todo = [(path, path in published) for path in files if str(path) not in found.refused]
    read = iter(_read_all(todo, jobs))
    for path in files:
        reason = found.refused.get(str(path))
        report = None
        if reason is not None:
            reason = f"“{path.name}”：{reason}"
        else:
            report, reason = next(read)
        if report is None:
            unreadable[str(path)] = reason
        else:
            units.append(_unit(path, report, format))
    rows = [row for version, group in _by_version(units) for row in records(group, cell_labels(version), gaps=True)]
    frame = pd.DataFrame.from_records(rows, columns=list(RECORD_COLUMNS)) if rows \
        else pd.DataFrame({c: [] for c in RECORD_COLUMNS})
    frame = frame.astype({**{c: "string" for c in TEXT_COLUMNS}, YEAR_COLUMN: "Int64", VALUE_COLUMN: "float64"})
    frame.attrs[UNREADABLE] = unreadable
    frame.attrs[SKIPPED] = {str(p): NOT_A_WORKBOOK for p in found.skipped}
    if unreadable:
        shown = "；".join(list(unreadable.values())[:_SHOWN])
        more = f"等 {len(unreadable)} 个" if len(unreadable) > _SHOWN else ""
        warnings.warn(UnreadableFilesWarning(
            f"{len(unreadable)} 个文件未能读取（见 frame.attrs[\"{UNREADABLE}\"]）：{shown}{more}"), stacklevel=2)
    return frame


def _inside(path: Path, folder: Path) -> bool:
    path, folder = os.path.abspath(path), os.path.abspath(folder)
    return os.path.commonpath([path, folder]) == folder


def _read_all(todo: list[tuple[Path, bool]], jobs: int | None) -> list:
    jobs = max(1, jobs or os.cpu_count() or 1)
    if jobs == 1 or len(todo) < 2 * jobs:
        return [_read(*item) for item in todo]
    import multiprocessing

    with multiprocessing.get_context().Pool(jobs) as pool:
        return pool.starmap(_read, todo, chunksize=max(1, min(64, len(todo) // (jobs * 8))))


def _read(path: Path, published: bool) -> tuple[Report | None, str | None]:
    """The report in one file, or None and why not (Chinese, naming the file), as
    toolkit.app.submissions.read_submission and `xxgk import` say it."""
    from toolkit.io.published.importer import import_file
    from toolkit.io.published.text import UnreadableReport
    from toolkit.app.submissions import OLD_FORMAT
    from toolkit.io.workbook.reader import UnreadableWorkbook, read_workbook

    if not os.path.lexists(path):
        return None, f"“{path.name}”：{MISSING}"
    if path.suffix.lower() in OLD_SUFFIXES:
        return None, f"“{path.name}”{OLD_FORMAT}"
    try:
        return (import_file(path) if published else read_workbook(path)).report, None
    except (UnreadableWorkbook, UnreadableReport) as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"“{path.name}”：{refusal(exc)}"
    except Exception as exc:  # a file nobody foresaw must not stop the others; say what happened
        return None, f"“{path.name}”：无法读取（{type(exc).__name__}: {exc}）"


def _unit(path: Path, report: Report, target: str | None) -> tuple[str, Submission]:
    """The report as a record source: its figures by the cells of `target` (its own format by
    default), None where it gives none.  A cell of `target` made of several cells of the report's
    format is their sum, None when any of them is not given."""
    target = target or report.format
    values = Values(get_format(report.format), report.values)
    figures: dict[str, object] = {}
    for cid, to in cell_map(report.format, target).cells.items():
        if not values.has(cid):
            figures[to] = None
        elif to not in figures or figures[to] is not None:
            total = values[cid] + (figures.get(to) or 0)
            figures[to] = round(total, 6) if isinstance(total, float) else total
    return target, Submission(str(path), unit=report.unit, level=report.level, year=report.year,
                              format=report.format, values=tuple(figures.get(cid) for cid in get_format(target).cells))


def _by_version(units: list[tuple[str, Submission]]):
    """Runs of units whose figures are by one format's cells (the records' labels are per format),
    in the order given."""
    run: list[Submission] = []
    version = None
    for target, s in units:
        if run and target != version:
            yield version, run
            run = []
        version = target
        run.append(s)
    if run:
        yield version, run
