"""The summary workbook of a consolidation (汇总工作簿).

It is the standard workbook of the summary's format filled with the summed figures — so it reads,
checks and consolidates like any unit's workbook — plus the sheets a county office needs:
报送情况 (every file and every roster unit, with the reasons), 分单位明细 (one row per unit),
校验结果 (every finding of every unit) and 统计图 (native Excel charts).  openpyxl lays it out; the
big sheets are streamed (streamed.py).
"""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import BinaryIO

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from toolkit.core import review as reviewing, roster
from toolkit.core.consolidation import (ACCEPTED, MISSING, REJECTED, SUBMITTED_NOT_ACCEPTED, Consolidation, headline_label,
                                 summary_lines)
from toolkit.core.formats import common, get_format
from toolkit.core.input_text import name_note
from toolkit.core.layout import column_letter, parse_a1, workbook_layout
from toolkit.core.rules import computed_totals
from toolkit.io.workbook import details, streamed
from toolkit.io.workbook.against_sheet import add_sheet as against_sheet
from toolkit.io.workbook.cells import put
from toolkit.io.workbook.rollup_sheet import add_sheet as rollup_sheet
from toolkit.io.workbook.streamed import Stream, place_samples
from toolkit.io.workbook.year_over_year_sheet import sheets as year_over_year_sheets
from toolkit.io.workbook.template import (BORDER, CENTER, FINDINGS_WIDTHS, FONT, LEFT, NUMBER_FORMATS, a4_page,
                                       build_workbook, findings_header, wrapped_height)

STATUS_FILLS = {ACCEPTED: "C6EFCE", REJECTED: "FFC7CE", SUBMITTED_NOT_ACCEPTED: "FFC7CE", MISSING: "FFEB9C"}
ID_FONT = Font(name=FONT, size=8, color="808080")
ID_ALIGNMENT = Alignment(wrap_text=True, vertical="top")  # a cell id wider than its column wraps, not cut
DETAILS_TITLE_COLS = 2  # of 分单位明细, repeated on every page: 序号 and the unit's name
DETAILS_SCALE = 75  # per cent, 分单位明细 printed


def cell_style(bold=False, fill=None, wrap=False, number_format=None, border=True, size=None, color=None, center=False):
    out = {"font": Font(name=FONT, bold=bold, size=size, color=color),
           "alignment": CENTER if center else (LEFT if wrap else Alignment(vertical="center"))}
    if border:
        out["border"] = BORDER
    if fill:
        out["fill"] = PatternFill("solid", fgColor=fill)
    if number_format:
        out["number_format"] = number_format
    return out


def summary_bytes(c: Consolidation, review: reviewing.Review | None = None) -> bytes:
    """The summary workbook; `review` the decisions carried over to 校验结果 (and its 已解决 sheet)."""
    buf = io.BytesIO()
    prepared_summary(c, review)(buf)
    return buf.getvalue()


def prepared_summary(c: Consolidation, review: reviewing.Review | None = None) -> Callable[[BinaryIO], None]:
    """The summary workbook laid out (openpyxl: any scratch file it needs is written now), and the
    function that writes it to a binary file (seekable: a zip is written there), its big sheets made
    as they are written, so that it is never held in memory whole (files.atomic_stream)."""
    review = review or reviewing.Review()
    wb = build_workbook(c.version, report=c.report)
    sheets, extra = common().sheets, common().summary_sheets
    position = wb.sheetnames.index(sheets["findings"])
    wb.remove(wb[sheets["findings"]])
    if review.resolved:
        _resolved_sheet(wb.create_sheet(extra["resolved"], position), review)
    streams = [
        _findings_sheet(wb.create_sheet(sheets["findings"], position), c, review),
        _submissions_sheet(wb.create_sheet(extra["submissions"]), c),
        _details_sheet(wb.create_sheet(extra["details"]), c),
    ]
    _charts_sheet(wb.create_sheet(extra["charts"]), c)
    streams.append(rollup_sheet(wb, c))  # 问题汇总, after 报送情况
    against_sheet(wb, c)  # with --against only
    streams += year_over_year_sheets(wb, c)  # with --previous only
    for name, landscape in ((sheets["findings"], True), (extra["submissions"], True), (extra["charts"], False)):
        a4_page(wb[name], landscape)
    # a column per cell: no page is that wide, so it prints at DETAILS_SCALE, over then down, its
    # first columns (the unit) and header rows on every page
    details_sheet = wb[extra["details"]]
    a4_page(details_sheet, True, fit_width=False, title_rows=f"{details.ID_ROW}:{details.HEADER_ROWS[-1]}",
            title_cols=f"A:{column_letter(DETAILS_TITLE_COLS)}")
    details_sheet.page_setup.pageOrder = "overThenDown"
    details_sheet.page_setup.scale = DETAILS_SCALE
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = False
    wb.active = wb.sheetnames.index(extra["submissions"])
    wb.active.sheet_view.tabSelected = True
    buf = io.BytesIO()
    wb.save(buf)
    data, cached = buf.getvalue(), _cached_totals(c)
    return lambda into: streamed.splice(data, streams, cached, into)


def _cached_totals(c: Consolidation) -> dict:
    """The totals' values, written beside their formulas."""
    layout = workbook_layout(c.version)
    out: dict = {}
    for cid, value in computed_totals(c.report).items():
        sheet, ref = layout.address(cid)
        out.setdefault(sheet, {})[ref] = value
    return out


# --- 校验结果 -------------------------------------------------------------------------------------

FINDINGS_TITLES = (details.header(details.UNIT), details.header(details.FILE)) + common().findings_columns
REVIEW_TITLES = tuple(common().review[k] for k in ("decision", "note", "number", "cells"))
FINDINGS_SHEET_WIDTHS = (20, 28) + FINDINGS_WIDTHS + (11, 30, 6, 24)


def _findings_sheet(ws, c: Consolidation, review: reviewing.Review) -> Stream:
    """Every finding of every file, and the reviewer's columns: 审核意见 (a drop-down, the decision
    carried over or 待核实), 审核说明; then 序号 and 单元格编号, which `review_book` reads back."""
    colors = common().severity_colors
    titles = FINDINGS_TITLES + REVIEW_TITLES
    widths = FINDINGS_SHEET_WIDTHS
    findings_header(ws, titles, widths)
    keys = place_samples(ws, 2, {"text": cell_style(), "wrap": cell_style(wrap=True), "number": cell_style(),
                                 "choice": cell_style(fill="FFF2CC"), "id": cell_style(size=8, color="808080"),
                                 **{sev: cell_style(fill=color["fill"], color=color["font"]) for sev, color in colors.items()}})
    items = reviewing.listed(c)
    last = max(2, len(items) + 1)
    ws.auto_filter.ref = f"A1:{column_letter(len(titles))}{last}"
    _decision_list(ws, len(FINDINGS_TITLES) + 1, last)

    def rows(style):
        first = len(FINDINGS_TITLES)
        for n, (s, index, f) in enumerate(items, start=2):
            lines = streamed.wrapped_lines(f.message, widths[6])
            decision = review.decision(s.path, index)
            yield streamed.row(n, [
                (1, s.unit or None, style["text"]), (2, s.name, style["text"]), (3, f.code, style["text"]),
                (4, f.severity, style.get(f.severity, style["text"])), (5, f.sheet, style["text"]),
                (6, f.address, style["text"]), (7, f.message, style["wrap"]),
                (8, f.reported, style["number"]), (9, f.computed, style["number"]),
                (first + 1, decision.decision, style["choice"]), (first + 2, decision.note or None, style["wrap"]),
                (first + 3, n - 1, style["id"]), (first + 4, reviewing.cells_of(f) or None, style["id"])],
                LINE_HEIGHT * lines + 3 if lines > 1 else None)

    return Stream(ws.title, 2, keys, rows, last, len(titles))


def _decision_list(ws, col: int, last: int) -> None:
    """The drop-down of the 审核意见 column (common.toml [review] choices)."""
    r = common().review
    valid = DataValidation(type="list", formula1='"' + ",".join(r["choices"]) + '"', allow_blank=True,
                           showErrorMessage=True, errorStyle="stop", errorTitle=r["error_title"], error=r["error"],
                           showInputMessage=True, promptTitle=r["prompt_title"], prompt=r["prompt"])
    letter = column_letter(col)
    valid.add(f"{letter}2:{letter}{last}")
    ws.add_data_validation(valid)


def _resolved_sheet(ws, review: reviewing.Review) -> None:
    """已解决: the decided findings of the earlier summary that this run no longer finds, as they
    were listed there (read back on the next run, so that no decision is lost)."""
    titles = FINDINGS_TITLES + REVIEW_TITLES
    findings_header(ws, titles, FINDINGS_SHEET_WIDTHS)
    colors = common().severity_colors
    text, wrap = cell_style(), cell_style(wrap=True)
    for n, r in enumerate(review.resolved, start=2):
        values = (r.unit or None, r.file or None, r.code or None, r.severity or None, r.sheet or None,
                  r.address or None, r.message or None, r.reported, r.computed, r.decision or None, r.note or None,
                  n - 1, r.cells or None)
        for col, value in enumerate(values, start=1):
            cell = put(ws, n, col, value)
            style = wrap if col in (7, 11) else text
            if col == 4 and r.severity in colors:
                style = cell_style(fill=colors[r.severity]["fill"], color=colors[r.severity]["font"])
            for name, attribute in style.items():
                setattr(cell, name, attribute)
    ws.auto_filter.ref = f"A1:{column_letter(len(titles))}{max(2, len(review.resolved) + 1)}"
    a4_page(ws, True)


# --- 报送情况 -------------------------------------------------------------------------------------

_H = details.header
_OWN = common().submissions["columns"]
FILE_COLUMNS = (_H(details.NUMBER), _H(details.FILE), _H(details.UNIT), _H(details.LEVEL), _H(details.FORMAT),
                _H(details.DATE), _OWN["status"], _OWN["reason"], _OWN["errors"], _OWN["hints"],
                common().review["open_errors"])
FILE_WIDTHS = (6, 30, 22, 10, 9, 12, 12, 80, 6, 6, 10)
# The other tables share the columns (and widths): (column, header).
ROSTER_COLUMNS = ((1, _H(details.NUMBER)), (2, roster.NAME), (3, roster.LEVEL), (4, roster.CODE), (5, roster.CONTACT),
                  (6, FILE_COLUMNS[6]), (8, _H(details.FILE)))
UNMAPPED_COLUMNS = ((1, _H(details.NUMBER)), (2, _H(details.CELL_ID)), (3, _H(details.UNIT)), (4, _H(details.FORMAT)),
                    (5, _H(details.VALUE)), (8, _OWN["unmapped"]))
LINE_HEIGHT = 15.0


def _submissions_sheet(ws, c: Consolidation) -> Stream:
    for col, width in enumerate(FILE_WIDTHS, start=1):
        ws.column_dimensions[column_letter(col)].width = width
    keys = place_samples(ws, 1, {
        "title": cell_style(bold=True, size=14, border=False), "line": cell_style(border=False, wrap=True),
        "heading": cell_style(bold=True, border=False, size=12), "header": cell_style(bold=True, fill="F2F2F2", center=True),
        "text": cell_style(), "wrap": cell_style(wrap=True), "number": cell_style(),
        **{status: cell_style(fill=fill, bold=True) for status, fill in STATUS_FILLS.items()}})
    body = _submission_rows(c)
    # The lines on top span the table's width, wrapped, so that the page prints as wide as the table;
    # rows with wrapped text are given their height (spreadsheet programs do not grow them by themselves).
    last = column_letter(len(FILE_COLUMNS))
    merged = [n for n, cells in enumerate(body, start=1) if isinstance(cells, list) and cells and cells[0][2] == "line"]

    def rows(style):
        for n, cells in enumerate(body, start=1):
            cells = streamed.made(cells)
            yield streamed.row(n, [(col, value, style[key]) for col, value, key in cells], _height(cells, n in merged))

    return Stream(ws.title, 1, keys, rows, max(1, len(body)), len(FILE_COLUMNS),
                  merges=tuple(f"A{n}:{last}{n}" for n in merged))


def _height(cells, merged: bool) -> float | None:
    """Points for a row whose wrapped text needs more than one line (about 2 units of width a
    Chinese character); None for a one-line row."""
    lines = max([streamed.wrapped_lines(value, sum(FILE_WIDTHS) if merged else FILE_WIDTHS[col - 1])
                 for col, value, key in cells if key in ("line", "wrap") and value] or [1])
    return LINE_HEIGHT * lines + 3 if lines > 1 else None


def _submission_rows(c: Consolidation) -> list:
    """The sheet's rows: each a list of (column, value, style key) cells, or, for the row of a file
    (a county may have thousands), a streamed.Later that makes that list when the row is written."""
    def header(columns):
        return [(col, title, "header") for col, title in columns]

    t = common().submissions
    out = [[(1, t["title"].format(sheet=common().summary_sheets["submissions"], year=c.year), "title")]]
    out += [[(1, line, "line")] for line in summary_lines(c) + c.conversions]
    out += [[], [(1, t["files"], "heading")], header(enumerate(FILE_COLUMNS, start=1))]
    out += [streamed.Later(_file_row, i, f, c) for i, f in enumerate(c.files, start=1)]
    if c.roster is not None:
        out += [[], [(1, t["roster"].format(sheet=roster.SHEET, file=c.roster.path.name if c.roster.path else ""),
                      "heading")],
                header(ROSTER_COLUMNS)]
        for i, (u, status, files) in enumerate(c.roster_status(), start=1):
            values = (i, u.name, u.level or None, u.code or None, u.contact or None, status,
                      "、".join(f.submission.name for f in files) or None)
            keys = ("number", "text", "text", "text", "text", status, "wrap")
            out.append([(col, v, k) for (col, _), v, k in zip(ROSTER_COLUMNS, values, keys)])
    converted = [s for s in c.accepted if s.unmapped]
    if converted:
        out += [[], [(1, t["unmapped"], "heading")], header(UNMAPPED_COLUMNS)]
        n = 0
        for s in converted:
            fmt = get_format(s.format)
            for cid, value in s.unmapped:
                n += 1
                values = (n, cid, s.unit, s.format, value, fmt.cells[cid].label)
                keys = ("number", "text", "text", "text", "number", "wrap")
                out.append([(col, v, k) for (col, _), v, k in zip(UNMAPPED_COLUMNS, values, keys)])
    return out


def _file_row(i: int, f, c: Consolidation) -> list[tuple]:
    s = f.submission
    note = "；".join(filter(None, (f.reason or "；".join(f.remarks + _converted(s, c.version)), name_note(s.name))))
    counts = (None, None, None) if s.unreadable else (s.errors, s.hints, c.open_errors(s))
    return list(zip(range(1, 12), (i, s.name, s.unit or None, s.level or None, s.format or None,
                                   s.date or None, f.status, note or None) + counts,
                    ("number", "text", "text", "text", "text", "text", f.status, "wrap", "number", "number", "number")))


def _converted(s, version: str) -> tuple[str, ...]:
    if not s.format or s.format == version:
        return ()
    t = common().submissions
    note = t["converted"].format(source=s.format, target=version)
    if s.unmapped:
        note += t["not_converted"].format(count=len(s.unmapped), target=version)
    return (note,)


# --- 分单位明细 -----------------------------------------------------------------------------------

def _details_sheet(ws, c: Consolidation) -> Stream:
    cols = details.columns(c.version)
    header = cell_style(bold=True, fill="F2F2F2", center=True)
    for col, (cid, labels) in enumerate(cols, start=1):
        ident = ws.cell(details.ID_ROW, col, cid)
        ident.font, ident.alignment = ID_FONT, ID_ALIGNMENT
        for row, text in zip(details.HEADER_ROWS, labels):
            cell = ws.cell(row, col, text or None)
            for name, value in header.items():
                setattr(cell, name, value)
        ws.column_dimensions[column_letter(col)].width = 22 if cid in (details.UNIT, details.FILE) else 11
    first_cell = len(details.INFO_COLUMNS) + 1
    for col in range(1, first_cell):  # info columns: one header over the three header rows
        ws.merge_cells(start_row=details.HEADER_ROWS[0], start_column=col, end_row=details.HEADER_ROWS[-1],
                       end_column=col)
        ws.cell(details.HEADER_ROWS[0], col, cols[col - 1][1][2])
    for level, row in enumerate(details.HEADER_ROWS[:2]):
        _merge_runs(ws, row, first_cell, [labels[: level + 1] for _, labels in cols[first_cell - 1:]])
    ws.row_dimensions[details.ID_ROW].height = max(
        wrapped_height(cid, ws.column_dimensions[column_letter(col)].width, ID_FONT.sz) for col, (cid, _) in
        enumerate(cols, start=1))
    ws.row_dimensions[details.HEADER_ROWS[1]].height = 45
    ws.row_dimensions[details.HEADER_ROWS[2]].height = 45
    ws.freeze_panes = f"{column_letter(3)}{details.FIRST_DATA_ROW}"
    last = details.last_row(len(c.accepted))
    ws.auto_filter.ref = f"A{details.HEADER_ROWS[-1]}:{column_letter(len(cols))}{last - 1}"
    money = NUMBER_FORMATS["money"]
    keys = place_samples(ws, details.FIRST_DATA_ROW, {
        "text": cell_style(), "count": cell_style(number_format=NUMBER_FORMATS["count"]),
        "money": cell_style(number_format=money),
        "total_text": cell_style(bold=True, fill="DDEBF7"),
        "total_count": cell_style(bold=True, fill="DDEBF7", number_format=NUMBER_FORMATS["count"]),
        "total_money": cell_style(bold=True, fill="DDEBF7", number_format=money)})
    return Stream(ws.title, details.FIRST_DATA_ROW, keys, lambda style: details.rows(c, style), last, len(cols))


def _merge_runs(ws, row: int, first_col: int, keys: list) -> None:
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            if i - 1 > start and keys[start][-1]:
                ws.merge_cells(start_row=row, start_column=first_col + start, end_row=row,
                               end_column=first_col + i - 1)
            start = i


# --- 统计图 ---------------------------------------------------------------------------------------

def _charts_sheet(ws, c: Consolidation) -> None:
    fmt = get_format(c.version)
    chosen, t = fmt.headline, common().charts
    index = {cid: i for i, cid in enumerate(c.cells)}
    bold = Font(name=FONT, bold=True)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 14
    ws.cell(1, 1, chosen.by_unit_title).font = bold
    ws.cell(2, 1, t["unit"]).font = bold
    ws.cell(2, 2, t["count"]).font = bold
    figure = index[chosen.by_unit]
    ranked = sorted(c.accepted, key=lambda s: (-(s.values[figure] or 0), s.unit))
    shown, rest = ranked[:t["units"]], ranked[t["units"]:]
    for i, s in enumerate(shown, start=3):
        put(ws, i, 1, s.unit)
        ws.cell(i, 2, s.values[figure] or 0)
    last = 2 + len(shown)
    if rest:
        last += 1
        ws.cell(last, 1, t["others"].format(count=len(rest)))
        ws.cell(last, 2, sum(s.values[figure] or 0 for s in rest))
    by_unit = BarChart()
    by_unit.type = "bar"
    by_unit.title = chosen.by_unit_title
    by_unit.legend = None
    by_unit.y_axis.title = t["axis"]
    if last >= 3:
        by_unit.add_data(Reference(ws, min_col=2, min_row=2, max_row=last), titles_from_data=True)
        _text_categories(by_unit, Reference(ws, min_col=1, min_row=3, max_row=last))
    by_unit.height, by_unit.width = max(7.5, 0.55 * max(1, last - 2)), 16
    ws.add_chart(by_unit, t["anchor"])

    top = max(last + 3, t["results_row"])
    result_label = headline_label(fmt, chosen.results)
    ws.cell(top, 1, result_label).font = bold
    ws.cell(top + 1, 1, t["results"]).font = bold
    ws.cell(top + 1, 2, t["count"]).font = bold
    values = dict(zip(c.cells, c.totals))
    for i, (group, members) in enumerate(chosen.groups, start=top + 2):
        ws.cell(i, 1, group)
        ws.cell(i, 2, sum(values.get(cid) or 0 for cid in members))
    end = top + 1 + len(chosen.groups)
    answered = BarChart()
    answered.title = result_label
    answered.legend = None
    answered.add_data(Reference(ws, min_col=2, min_row=top + 1, max_row=end), titles_from_data=True)
    _text_categories(answered, Reference(ws, min_col=1, min_row=top + 2, max_row=end))
    answered.height, answered.width = 9, 16
    ws.add_chart(answered, f"{column_letter(parse_a1(t['anchor'])[1])}{top}")


def _text_categories(chart, labels: Reference) -> None:
    """The bars' labels as a reference to text cells (openpyxl's set_categories makes it a number
    reference): unit names are text, whatever they look like."""
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(labels)))
