"""The 问题汇总 sheet's columns, and reading the sheet back from a summary consolidated one level up.

A prefecture consolidates its counties' summaries: each county's row of the prefecture's 问题汇总
counts the county's units' findings, as the county's own 问题汇总 lists them (`read_carried`, with the
project's reader, columns found by their header names, never by position).  An older summary
without the sheet, or one whose sheet cannot be used, is named; its row then counts the summary's
own findings.  No spreadsheet library: the writer is toolkit/io/workbook/rollup_sheet.py, the roll-up
itself the pure toolkit/core/rollup.py.
"""
from __future__ import annotations

import os
from pathlib import Path

from toolkit.core.consolidation import ACCEPTED, MISSING
from toolkit.core.formats import common, info_id
from toolkit.core.layout import a1
from toolkit.core.model import ERROR, HINT
from toolkit.core.rollup import Carried, CodeRow, Rollup, is_summary, lines, roll_up, settings, text
from toolkit.io.workbook import details
from toolkit.io.workbook.xlsx import XlsxBook, XlsxError

HEADER_ROWS = 20  # the unit table's header is looked for in the first rows


def sheet_name() -> str:
    return common().summary_sheets["rollup"]


def unit_columns() -> tuple[tuple[str, str], ...]:
    """(key, header) of the unit table's columns, in order."""
    h, c, r = details.header, settings()["columns"], common().review
    return (("number", h(details.NUMBER)), ("unit", h(info_id("unit"))), ("level", h(info_id("level"))),
            ("status", c["status"]), ("file", h(details.FILE)), ("date", h(info_id("date"))),
            ("deadline", c["deadline"]), ("timing", c["timing"]), ("errors", ERROR), ("hints", HINT),
            ("ignored", r["ignore"]), ("open", r["open_errors"]), ("below_sent", c["below_sent"]),
            ("below_missing", c["below_missing"]), ("note", c["note"]))


def code_columns() -> tuple[tuple[int, str, str], ...]:
    """(column, key, header) of the code table, in the unit table's columns (问题 merged over 4 to 8)."""
    c, f, r = settings()["columns"], common().findings_columns, common().review
    return ((1, "number", details.header(details.NUMBER)), (2, "code", f[0]), (3, "severity", f[1]),
            (4, "title", c["title"]), (9, "units", c["units"]), (10, "findings", c["findings"]),
            (11, "open", r["open_errors"]))


def rollup_of(c) -> Rollup:
    """The consolidation's roll-up, the summaries among its units read for what they carry up."""
    return roll_up(c, carried(c))


def lines_of(c) -> list[str]:
    """The roll-up's lines for the terminal (toolkit.core.rollup.lines)."""
    return lines(rollup_of(c))


def carried(c) -> dict:
    """file path -> Carried, or why the summary's 问题汇总 cannot be used: for every summed summary."""
    return {s.path: read_carried(s.path) for s in c.accepted if is_summary(s.level)}


_READ: dict = {}  # (path, mtime, size) -> what was read: the sheet and the terminal ask for it in one run


def read_carried(path) -> Carried | str:
    path = Path(path)
    try:
        stat = os.stat(path)
        key = (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError as exc:
        return text("unreadable", file=path.name, sheet=sheet_name(), why=exc.strerror or exc)
    if key not in _READ:
        if len(_READ) > 1000:
            _READ.clear()
        try:
            _READ[key] = _read(path)
        except Exception as exc:  # whatever a file holds, the summary is still written, the reason named
            _READ[key] = text("unreadable", file=path.name, sheet=sheet_name(), why=f"{type(exc).__name__}: {exc}")
    return _READ[key]


def _read(path: Path) -> Carried | str:
    sheet = sheet_name()
    try:
        with XlsxBook(path) as book:
            if sheet not in book.sheet_paths:
                return text("no_sheet", file=path.name, sheet=sheet)
            cells = book.cells(sheet)
    except XlsxError as exc:
        return text("unreadable", file=path.name, sheet=sheet, why=exc)
    rows: dict[int, dict[int, object]] = {}
    for (row, col), raw in cells.items():
        rows.setdefault(row, {})[col] = raw.value.strip() if isinstance(raw.value, str) else raw.value
    units = dict(unit_columns())
    found = _table(rows, units["unit"], units["open"])
    if found is None:
        return text("no_column", file=path.name, sheet=sheet, column=units["open"])
    head, at = found
    wanted = ("unit", "status", "errors", "hints", "ignored", "open")
    for key in wanted:
        if units[key] not in at:
            return text("no_column", file=path.name, sheet=sheet, column=units[key])
    col = {key: at[units[key]] for key in wanted}
    problems: list[str] = []

    def number(r: int, c: int) -> int:
        value = rows[r].get(c)
        if value is None or value == "":
            return 0
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return int(value)
        problems.append(text("not_number", file=path.name, sheet=sheet, cell=a1(r, c), found=value))
        return 0

    totals = dict.fromkeys(("errors", "hints", "ignored", "open", "sent", "missing"), 0)
    r = head + 1
    while r in rows and rows[r].get(col["status"]) not in (None, ""):  # every row has one (a unit may not)
        status = rows[r].get(col["status"])
        if status == MISSING:
            totals["missing"] += 1
        else:
            totals["sent"] += status == ACCEPTED
            for key in ("errors", "hints", "ignored", "open"):
                totals[key] += number(r, col[key])
        r += 1
    codes = _codes(rows, r, path.name, sheet, number)
    if problems:  # a number typed over: the sheet is not what was written; the first such cell named
        return problems[0]
    return Carried(path.name, codes=codes, **totals)


def _table(rows: dict, *headers: str, after: int = 0) -> tuple[int, dict[str, int]] | None:
    """(row, {header: column}) of the first row after `after` naming all `headers`."""
    for r in sorted(rows):
        if r <= after:
            continue
        if r > after + HEADER_ROWS and after == 0:
            return None
        names = {v: c for c, v in sorted(rows[r].items()) if isinstance(v, str)}
        if all(h in names for h in headers):
            return r, names
    return None


def _codes(rows: dict, after: int, file: str, sheet: str, number) -> tuple[CodeRow, ...]:
    headers = {key: title for _, key, title in code_columns()}
    found = _table(rows, headers["code"], headers["units"], after=after)
    if found is None:
        return ()
    head, at = found
    col = {key: at.get(title) for key, title in headers.items()}
    out = []
    r = head + 1
    while r in rows and rows[r].get(col["code"]) not in (None, ""):
        row = rows[r]
        out.append(CodeRow(str(row.get(col["code"])), str(row.get(col["severity"]) or ""),
                           str(row.get(col["title"]) or "") if col["title"] else "",
                           *(number(r, col[k]) if col[k] else 0 for k in ("units", "findings", "open"))))
        r += 1
    return tuple(out)
