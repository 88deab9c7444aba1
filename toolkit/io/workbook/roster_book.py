"""The roster as a workbook to fill (`xxgk roster --template`): one header row and a drop-down of
unit levels; the demo writes a filled one the same way."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from toolkit.core.formats import common
from toolkit.core.layout import column_letter
from toolkit.core.roster import CODE, COLUMNS, CONTACT, LEVEL, NAME, REQUIRED, SHEET, RosterUnit
from toolkit.io.workbook.cells import put
from toolkit.io.workbook.template import FONT, LABEL_FILL, workbook_bytes

WIDTHS = {NAME: 30, LEVEL: 14, CODE: 16, CONTACT: 14}
ROWS_WITH_DROP_DOWN = 2000
NOTE = common().roster["note"].format(name=NAME, info=common().sheets["info"], level=LEVEL, code=CODE, contact=CONTACT)


def roster_bytes(units: tuple[RosterUnit, ...] = ()) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    for col, title in enumerate(COLUMNS, start=1):
        cell = ws.cell(1, col, title)
        cell.font = Font(name=FONT, bold=True, color="9C0006" if title in REQUIRED else None)
        cell.fill = LABEL_FILL
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[column_letter(col)].width = WIDTHS.get(title, 14)
    for row, unit in enumerate(units, start=2):
        for col, value in enumerate((unit.name, unit.level, unit.code, unit.contact), start=1):
            put(ws, row, col, value or None).font = Font(name=FONT)
    levels = DataValidation(type="list", formula1='"' + ",".join(common().all_levels) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="输入有误", error=common().roster["drop_down"].format(level=LEVEL))
    level_col = column_letter(COLUMNS.index(LEVEL) + 1)
    levels.add(f"{level_col}2:{level_col}{ROWS_WITH_DROP_DOWN}")
    ws.add_data_validation(levels)
    ws.freeze_panes = "A2"
    guide = wb.create_sheet(common().roster["guide"])
    guide.column_dimensions["A"].width = 100
    guide.cell(1, 1, NOTE).alignment = Alignment(wrap_text=True, vertical="top")
    guide.cell(1, 1).font = Font(name=FONT)
    guide.row_dimensions[1].height = 45
    return workbook_bytes(wb)
