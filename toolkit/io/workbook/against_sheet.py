"""The summary's sheet of `xxgk consolidate --against` (openpyxl; at most a few hundred rows): the
county's report and the units summed, every figure where the two differ (the report's figure, the
units' sum, the difference, the summary's sheet and cell, the cell ids), and what was not compared.
A4 landscape, one page wide.  Every word comes from common.toml [against]."""
from __future__ import annotations

from openpyxl.styles import Font, PatternFill

from toolkit.core.against import Against, texts
from toolkit.core.formats import common
from toolkit.core.layout import column_letter
from toolkit.io.workbook import streamed
from toolkit.io.workbook.cells import put
from toolkit.io.workbook.comparison import CENTER, CHANGE_FORMATS, LINE_HEIGHT, WRAP, fit_row_height
from toolkit.io.workbook.template import BORDER, FONT, LABEL_FILL, NUMBER_FORMATS, a4_page

WIDTHS = (6, 56, 16, 9, 12, 12, 14, 11, 30)
ID_LINE_HEIGHT = 11  # points, one line of the size-8 cell ids
HEADER_ROW = 5  # rows 1-3: title, the report, the units summed


def add_sheet(wb, c) -> None:
    """The sheet, after 报送情况, when the consolidation has a county report to check (`c.against`)."""
    a: Against | None = c.against
    if a is None:
        return
    t = texts()
    sheets = common().summary_sheets
    ws = wb.create_sheet(sheets["against"], wb.sheetnames.index(sheets["submissions"]) + 1)
    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[column_letter(col)].width = width
    put(ws, 1, 1, t["title"].format(unit=c.unit, year=c.year)).font = Font(name=FONT, bold=True, size=14)
    r = a.report
    put(ws, 2, 1, t["source"].format(name=a.name, unit=r.unit, year=r.year, format=r.format)).font = Font(name=FONT)
    put(ws, 3, 1, t["summed"].format(count=a.units, version=a.version)).font = Font(name=FONT)
    for col, title in enumerate(t["columns"], start=1):
        cell = _cell(ws, HEADER_ROW, col, title)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = LABEL_FILL
    ws.row_dimensions[HEADER_ROW].height = 30
    colour = common().severity_colors[t["severity"]]
    row = HEADER_ROW
    for n, (d, f) in enumerate(zip(a.differences, a.findings), start=1):
        row += 1
        values = (n, d.label, f.sheet, f.address, d.county, d.units, d.difference, f.code, " ".join(d.cells))
        for col, value in enumerate(values, start=1):
            cell = _cell(ws, row, col, value)
            if col == 2:
                cell.alignment = WRAP
            if col in (5, 6):
                cell.number_format = NUMBER_FORMATS[d.kind]
            if col == 7:
                cell.number_format = CHANGE_FORMATS[d.kind]
                cell.fill = PatternFill("solid", fgColor=colour["fill"])
                cell.font = Font(name=FONT, color=colour["font"])
            if col == 9:
                cell.font = Font(name=FONT, size=8, color="808080")
                cell.alignment = WRAP
        _row_height(ws, row, d.label, " ".join(d.cells))
    if a.differences:
        ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        ws.auto_filter.ref = f"A{HEADER_ROW}:{column_letter(len(WIDTHS))}{row}"
    else:
        row += 1
        put(ws, row, 1, t["no_differences"]).font = Font(name=FONT)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(WIDTHS))
    if a.notes:
        row += 2
        put(ws, row, 1, t["notes_heading"]).font = Font(name=FONT, bold=True)
        for note in a.notes:
            row += 1
            cell = put(ws, row, 1, note)
            cell.font, cell.alignment = Font(name=FONT), WRAP
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(WIDTHS))
            fit_row_height(ws, row, note, sum(WIDTHS))
    a4_page(ws, landscape=True)


def _row_height(ws, row: int, label: str, ids: str) -> None:
    """Tall enough for the wrapped label (宋体 11) and the wrapped cell ids (size 8, about 11/8 as
    many characters a line)."""
    lines = streamed.wrapped_lines(label, WIDTHS[1])
    id_lines = streamed.wrapped_lines(ids, WIDTHS[8] * 11 / 8)
    height = max(LINE_HEIGHT * lines if lines > 1 else 0, ID_LINE_HEIGHT * id_lines if id_lines > 1 else 0)
    if height:
        ws.row_dimensions[row].height = height + 3


def _cell(ws, row: int, col: int, value):
    cell = put(ws, row, col, value)
    cell.font = Font(name=FONT)
    cell.border = BORDER
    cell.alignment = CENTER
    return cell
