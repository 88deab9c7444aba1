"""The workbook of `xxgk compare -o FILE.xlsx` (openpyxl): one sheet, A4 landscape — the two reports,
every compared figure (this year, last year, change, ratio, the code of a flagged change), the
findings, and what was not compared.  Every word comes from common.toml [compare]."""
from __future__ import annotations

import math

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from toolkit.core.compare import Comparison, texts
from toolkit.core.formats import common
from toolkit.core.model import HINT
from toolkit.core.layout import column_letter
from toolkit.io.workbook.cells import put
from toolkit.io.workbook.template import BORDER, FONT, LABEL_FILL, NUMBER_FORMATS, a4_page, workbook_bytes

WIDTHS = (64, 12, 12, 12, 16, 16)
HEADER_ROW = 5  # the figures' header; rows 1-3: title and the two reports
RATIO_FORMAT = "0.00"
CHANGE_FORMATS = {"count": "+0;-0;0", "signed": "+0;-0;0", "money": "+0.00##;-0.00##;0"}
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LINE_HEIGHT = 15  # points, one line of 宋体 11


def comparison_bytes(c: Comparison, this_name: str, last_name: str) -> bytes:
    """The comparison as a workbook; `this_name` and `last_name` name the two files."""
    t = texts()
    wb = Workbook()
    ws = wb.active
    ws.title = t["sheet"]
    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[column_letter(col)].width = width
    put(ws, 1, 1, t["title"].format(unit=c.this.unit, year=c.this.year, last_year=c.last.year)).font = Font(
        name=FONT, bold=True, size=14)
    for row, (which, report, name) in enumerate(((t["this"], c.this, this_name), (t["last"], c.last, last_name)),
                                                start=2):
        put(ws, row, 1, t["source"].format(which=which, name=name, unit=report.unit, year=report.year,
                                           format=report.format)).font = Font(name=FONT)
    _header(ws, HEADER_ROW, t["columns"])
    row = HEADER_ROW
    for r in c.rows:
        row += 1
        _cell(ws, row, 1, r.label, WRAP)
        fit_row_height(ws, row, r.label)
        for col, value, number_format in ((2, r.this, NUMBER_FORMATS[r.kind]), (3, r.last, NUMBER_FORMATS[r.kind]),
                                          (4, r.change, CHANGE_FORMATS[r.kind]), (5, r.ratio, RATIO_FORMAT)):
            shown = t["not_given"] if value is None and col < 4 else value
            _cell(ws, row, col, shown, CENTER).number_format = number_format
        _cell(ws, row, 6, r.code or None, CENTER)
        if r.code:
            _colour(ws, row, HINT)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    row += 2
    ws.cell(row, 1, t["findings_heading"]).font = Font(name=FONT, bold=True)
    if c.findings:
        row += 1
        _header(ws, row, t["findings_columns"])
        for f in c.findings:
            row += 1
            _cell(ws, row, 1, f.message, WRAP)
            fit_row_height(ws, row, f.message)
            _cell(ws, row, 2, f.code, CENTER)
            _cell(ws, row, 3, f.severity, CENTER)
            _colour(ws, row, f.severity, columns=(2, 3))
    else:
        row += 1
        ws.cell(row, 1, t["no_findings"]).font = Font(name=FONT)
    if c.notes:
        row += 2
        ws.cell(row, 1, t["notes_heading"]).font = Font(name=FONT, bold=True)
        for note in c.notes:
            row += 1
            put(ws, row, 1, note).alignment = WRAP
            ws.cell(row, 1).font = Font(name=FONT)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(WIDTHS))
            fit_row_height(ws, row, note, sum(WIDTHS))
    a4_page(ws, landscape=True)
    return workbook_bytes(wb)


def _header(ws, row: int, titles) -> None:
    for col, title in enumerate(titles, start=1):
        cell = _cell(ws, row, col, title, CENTER)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = LABEL_FILL


def _cell(ws, row: int, col: int, value, alignment: Alignment):
    cell = put(ws, row, col, value)
    cell.font = Font(name=FONT)
    cell.border = BORDER
    cell.alignment = alignment
    return cell


def _colour(ws, row: int, severity: str, columns=(6,)) -> None:
    colour = common().severity_colors[severity]
    for col in columns:
        cell = ws.cell(row, col)
        cell.fill = PatternFill("solid", fgColor=colour["fill"])
        cell.font = Font(name=FONT, color=colour["font"])


def fit_row_height(ws, row: int, text: str, width: float = WIDTHS[0]) -> None:
    """A wrapped text's row tall enough for its lines (a CJK character is two width units)."""
    lines = math.ceil(sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) / max(width - 2, 1))
    if lines > 1:
        ws.row_dimensions[row].height = LINE_HEIGHT * lines

