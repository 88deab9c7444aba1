"""Reading a summary written by `xxgk consolidate` for `xxgk feedback`: its 单位信息 (unit, year, format),
its 校验结果 (every finding, and the reviewer's 审核意见 where that column exists) and its 报送情况 (the
files and the roster check), into a `toolkit.core.feedback.SummaryFindings`.

Columns are found by their header names (common.toml `findings_columns`, the headers summary.py writes,
feedback.toml), wherever a reviewer moved them; a sheet or a column that is not there is a
`FeedbackSourceError` naming the file, the sheet and the row.  Read with the toolkit's own reader
(`toolkit.io.workbook.xlsx`), as every input is.
"""
from __future__ import annotations

from pathlib import Path

from toolkit.core.feedback import FileRow, FindingRow, RosterRow, SummaryFindings, review_settings, say
from toolkit.core.formats import VERSIONS, common, info_id
from toolkit.core.layout import a1, workbook_layout
from toolkit.core.roster import CODE, CONTACT, LEVEL, NAME
from toolkit.core.values import parse_year
from toolkit.io.workbook.details import FILE, NUMBER, header
from toolkit.io.workbook.reader import cell_text
from toolkit.io.workbook.summary import FILE_COLUMNS
from toolkit.io.workbook.xlsx import XlsxBook, XlsxError

HEADER_SEARCH_ROWS = 10  # a reviewer may have put a line or two above the header row


class FeedbackSourceError(ValueError):
    """The summary cannot be used; the message (Chinese) names the file, the sheet and the cell."""




def _grid(book: XlsxBook, sheet: str) -> dict[int, dict[int, object]]:
    rows: dict[int, dict[int, object]] = {}
    for (r, c), raw in book.cells(sheet).items():
        if raw.value is not None and raw.value != "":
            rows.setdefault(r, {})[c] = raw.value
    return rows


def _columns(row: dict[int, object]) -> dict[str, int]:
    """Header name -> its first column."""
    out: dict[str, int] = {}
    for c in sorted(row):
        out.setdefault(cell_text(row[c]), c)
    return out


def read_summary(path) -> SummaryFindings:
    path = Path(path)
    name = path.name
    try:
        with XlsxBook(path) as book:
            return _read(book, name)
    except XlsxError as exc:
        raise FeedbackSourceError(say("errors", "unreadable", summary=name, reason=exc)) from exc


def _read(book: XlsxBook, name: str) -> SummaryFindings:
    sheets = common().sheets
    findings_sheet, submissions_sheet = sheets["findings"], common().summary_sheets["submissions"]
    for sheet in (sheets["info"], findings_sheet, submissions_sheet):
        if sheet not in book.sheet_paths:
            raise FeedbackSourceError(say("errors", "no_sheet", summary=name, sheet=sheet))
    unit, year, version = _info(book, name)
    warnings: list[str] = []
    findings, reviewed = _findings(book, name, findings_sheet, warnings)
    files, roster = _submissions(book, name, submissions_sheet)
    return SummaryFindings(name, unit, year, version, findings, files, roster, reviewed, findings_sheet,
                           submissions_sheet, warnings)


def _info(book: XlsxBook, name: str) -> tuple[str, int, str]:
    layout = workbook_layout(common().default_version)
    info_sheet = common().sheets["info"]

    def where(fid: str) -> tuple[str, int, int]:
        return book.defined_names.get(fid) or (info_sheet, *layout.info[fid])

    def value(fid: str):
        sheet, row, col = where(fid)
        if sheet not in book.sheet_paths:
            return None
        raw = book.cells(sheet).get((row, col))
        return raw.value if raw is not None else None

    year = parse_year(value(info_id("year")))
    if year is None:
        sheet, row, col = where(info_id("year"))
        raise FeedbackSourceError(say("errors", "no_year", summary=name, sheet=sheet, cell=a1(row, col),
                                      found=cell_text(value(info_id("year")))))
    version = cell_text(value(info_id("format")))
    return cell_text(value(info_id("unit"))), year, version if version in VERSIONS else common().default_version


def _header_row(rows: dict, wanted: tuple[str, ...], name: str, sheet: str, required: int) -> tuple[int, dict]:
    """The row (among the first few) holding the headers `wanted`, and its columns by name.  A row
    with some of them is named with what it lacks."""
    best, best_row = 0, None
    for r in sorted(rows)[:HEADER_SEARCH_ROWS]:
        cols = _columns(rows[r])
        found = sum(w in cols for w in wanted)
        if found == len(wanted):
            return r, cols
        if found > best:
            best, best_row = found, r
    listed = "、".join(f"“{w}”" for w in wanted)
    if best_row is not None and best >= required:
        cols = _columns(rows[best_row])
        lacking = next(w for w in wanted if w not in cols)
        raise FeedbackSourceError(say("errors", "no_column", summary=name, sheet=sheet, row=best_row,
                                      column=lacking, columns=listed))
    raise FeedbackSourceError(say("errors", "no_header", summary=name, sheet=sheet, rows=HEADER_SEARCH_ROWS,
                                  columns=listed))


def _findings(book: XlsxBook, name: str, sheet: str, warnings: list[str]) -> tuple[list[FindingRow], bool]:
    review = review_settings()
    unit_h, file_h = header(info_id("unit")), header(FILE)
    code_h, severity_h, sheet_h, cell_h, message_h, reported_h, computed_h = common().findings_columns
    wanted = (unit_h, file_h, code_h, severity_h, sheet_h, cell_h, message_h, reported_h, computed_h)
    rows = _grid(book, sheet)
    head, cols = _header_row(rows, wanted, name, sheet, required=3)
    review_col, note_col, cells_col = (cols.get(review[k]) for k in ("decision", "note", "cells"))
    out = []
    for r in sorted(rows):
        if r <= head:
            continue
        row = rows[r]

        def get(title, col=None):
            return row.get(cols[title] if col is None else col)

        if not any(cell_text(v) for v in row.values()):
            continue
        if not cell_text(get(code_h)) and not cell_text(get(message_h)):  # a reviewer's line, not a finding
            warnings.append(say("lines", "not_finding", summary=name, sheet=sheet, row=r,
                                found="、".join(cell_text(v) for _, v in sorted(row.items()) if cell_text(v))))
            continue
        out.append(FindingRow(
            row=r, unit=cell_text(get(unit_h)), file=cell_text(get(file_h)), code=cell_text(get(code_h)),
            severity=cell_text(get(severity_h)), sheet=cell_text(get(sheet_h)), address=cell_text(get(cell_h)),
            message=cell_text(get(message_h)), reported=get(reported_h), computed=get(computed_h),
            review=cell_text(row.get(review_col)) if review_col else "",
            note=cell_text(row.get(note_col)) if note_col else "",
            review_cell=a1(r, review_col) if review_col else "", severity_cell=a1(r, cols[severity_h]),
            cells=tuple(c.strip() for c in cell_text(row.get(cells_col)).split("、") if c.strip()) if cells_col else ()))
    return out, review_col is not None


def _submissions(book: XlsxBook, name: str, sheet: str) -> tuple[list[FileRow], list[RosterRow] | None]:
    w = {"status": FILE_COLUMNS[6], "reason": FILE_COLUMNS[7]}  # as summary.py writes 报送情况
    rows = _grid(book, sheet)
    number = header(NUMBER)
    file_wanted = (number, header(FILE), header(info_id("unit")), header(info_id("level")), header(info_id("format")),
                   w["status"], w["reason"])
    roster_wanted = (number, NAME, LEVEL, CODE, CONTACT, w["status"], header(FILE))
    file_head = roster_head = None
    for r in sorted(rows):
        cols = _columns(rows[r])
        if file_head is None and all(t in cols for t in file_wanted):
            file_head = (r, cols)
        elif roster_head is None and all(t in cols for t in roster_wanted):
            roster_head = (r, cols)
    if file_head is None:
        raise FeedbackSourceError(say("errors", "no_files", summary=name, sheet=sheet,
                                      columns="、".join(f"“{t}”" for t in file_wanted)))

    def body(head):
        r0, cols = head
        for r in sorted(rows):
            if r <= r0:
                continue
            value = rows[r].get(cols[number])
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                break
            yield rows[r], cols

    files = [FileRow(cell_text(row.get(cols[header(FILE)])), cell_text(row.get(cols[header(info_id("unit"))])),
                     cell_text(row.get(cols[header(info_id("level"))])), cell_text(row.get(cols[header(info_id("format"))])),
                     cell_text(row.get(cols[w["status"]])), cell_text(row.get(cols[w["reason"]])))
             for row, cols in body(file_head)]
    roster = None
    if roster_head is not None:
        roster = [RosterRow(cell_text(row.get(cols[NAME])), cell_text(row.get(cols[LEVEL])), cell_text(row.get(cols[CODE])),
                            cell_text(row.get(cols[CONTACT])), cell_text(row.get(cols[w["status"]])),
                            cell_text(row.get(cols[header(FILE)])))
                  for row, cols in body(roster_head)]
    return files, roster
