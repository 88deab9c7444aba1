"""Building the standard workbook (填报模板) from the format description, with openpyxl.

The workbook works with no Python at all (Excel, WPS, LibreOffice): totals are formulas, broken
relations turn red through conditional formatting, data validation refuses negative or fractional
counts, labels and formulas are locked on protected sheets (no password), every cell has a defined
name equal to its cell id, and pages print on A4.  Given a Report, the same builder writes its
unit, values and texts into the workbook (used for distribution, import and summaries).
"""
from __future__ import annotations

import io
import math

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from toolkit.core.formats import Format, common, get_format, info_id, info_label
from toolkit.core.formulas import bad_entry_test, broken_relation_test, level_rule_test, total_formulas
from toolkit.core.layout import (PREVIOUS_PREFIX, TableSheet, WorkbookLayout, a1, column_letter, rectangles,
                            workbook_layout)
from toolkit.core.model import ERROR, Report, show_number
from toolkit.io.published.totals import disagreeing_totals
from toolkit.io.workbook.cells import put, set_value
from toolkit.io.workbook.package import reproducible

FONT = "宋体"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LABEL_FILL = PatternFill("solid", fgColor=common().fills["label"])
TOTAL_FILL = PatternFill("solid", fgColor=common().fills["total"])
ENTRY_FILL = PatternFill("solid", fgColor=common().fills["entry"])
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
UNLOCKED = Protection(locked=False)
NUMBER_FORMATS = {"count": "0", "signed": "+0;-0;0", "money": "0.00##"}
DATA_COL_WIDTH = 12
TABLE_FOOTNOTE = "白色单元格由填报单位填写（没有发生的填0）；蓝色单元格为合计，由公式自动计算；红色表示勾稽关系不成立或数值有误，黄色为提示。"


def build_workbook(version: str | None = None, report: Report | None = None, keep_totals: bool = False) -> Workbook:
    """The standard workbook of a format version, filled with `report` if one is given.

    With `keep_totals` (a published report imported), a total the report gives that disagrees with
    its formula is written as given, a number with a note, so checking the workbook finds what
    checking the report found; the relation's conditional format marks it red."""
    fmt = get_format(version or (report.format if report else None))
    layout = workbook_layout(fmt.version)
    report = report or Report(format=fmt.version)
    kept = disagreeing_totals(report) if keep_totals else {}
    wb = Workbook()
    wb.remove(wb.active)
    names = common().sheets
    _guide_sheet(wb.create_sheet(names["guide"]), fmt)
    _info_sheet(wb.create_sheet(names["info"]), fmt, layout, report)
    formulas = total_formulas(layout)
    for sheet in layout.tables:
        _table_sheet(wb, wb.create_sheet(sheet.name), fmt, sheet, layout, report, formulas, kept)
    _texts_sheet(wb.create_sheet(names["texts"]), fmt, layout, report)
    _findings_sheet(wb.create_sheet(names["findings"]))
    _define_names(wb, layout)
    wb.active = 1
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The saved workbook, byte for byte the same for the same content."""
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible(buf.getvalue())


def template_bytes(version: str | None = None, report: Report | None = None, keep_totals: bool = False) -> bytes:
    return workbook_bytes(build_workbook(version, report, keep_totals))


# --- sheets ------------------------------------------------------------------------------------

def _protect(ws) -> None:
    """Protect without a password; formatting stays allowed so the check can colour cells."""
    ws.protection.sheet = True
    ws.protection.formatCells = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def a4_page(ws, landscape: bool, fit_width: bool = True, title_rows: str | None = None,
            title_cols: str | None = None) -> None:
    """A4 paper; `fit_width` scales the sheet to one page's width (all but the widest sheets);
    `title_rows` ("1:4") and `title_cols` ("A:B") are repeated on every page the sheet continues on."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1 if fit_width else 0
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = fit_width
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols


# Text wrapped in a cell, measured as LibreOffice, WPS and Excel lay it out with the CJK fonts they
# fall back on when 宋体 is missing (a Chinese character a little more than two column-width units
# at 11 points, a line about 1.45 of the font size), so that no line of it is cut off the page.
TEXT_MINIMUM_HEIGHT = 300  # points: a text part's row has room to write in even when empty
PAGE_WIDTH = 64  # column-width units of a one-column text sheet: within A4 portrait's printable width at 100 %,
# even where the workbook's default font (Calibri) is missing and its wider fallback sets the unit
LINE_POINTS = 16.0  # one wrapped line of 11-point text
MAX_ROW_HEIGHT = 409  # points, the most Excel allows


def text_lines(text, width: float, size: float = 11) -> int:
    """How many lines `text` wraps to in a column (or merged cells) `width` units wide."""
    per_char = size / 11
    room = max(width - 1.5, 1)
    return sum(max(1, math.ceil(sum((2.15 if ord(ch) > 0x2E80 else 1.1) * per_char for ch in line) / room))
               for line in str(text).split("\n"))


def wrapped_height(text, width: float, size: float = 11, minimum: float = 15) -> float:
    """A row height (points) that shows all of `text` wrapped in `width` units."""
    lines = text_lines(text, width, size)
    return min(MAX_ROW_HEIGHT, max(minimum, (lines * LINE_POINTS + (4 if lines > 1 else -1)) * size / 11))


def _guide_sheet(ws, fmt: Format) -> None:
    sheets, guide = common().sheets, common().guide
    fields = dict(info=sheets["info"], texts=sheets["texts"], findings=sheets["findings"],
                  tables="、".join(t.sheet for t in fmt.tables), parts="、".join(p.heading for p in fmt.text_parts))
    lines = [
        guide["title"].format(title=fmt.title, basis=fmt.basis),
        "",
        *[line.format(**fields) for line in guide["before_rules"]],
        *[guide["rule"].format(code=code, relation=relation) for code, relation in _rule_list(fmt)],
        *[line.format(**fields) for line in guide["after_rules"]],
    ]
    ws.column_dimensions["A"].width = PAGE_WIDTH
    for i, line in enumerate(lines, start=1):
        cell = ws.cell(i, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        size = 14 if i == 1 else 11
        cell.font = Font(name=FONT, size=size, bold=i == 1)
        if line:
            ws.row_dimensions[i].height = wrapped_height(line, PAGE_WIDTH, size)
    _protect(ws)
    a4_page(ws, landscape=False)


def _rule_list(fmt: Format):
    seen = {}
    for rel in fmt.relations:
        seen.setdefault(rel.rule.code, rel.rule.relation)
    for rule in fmt.level_rules:
        seen.setdefault(rule.code, rule.relation)
    return seen.items()


def info_value(report: Report, field_id: str, fmt: Format):
    key = field_id.removeprefix("info.")
    if key == "format":
        return fmt.version
    if key in ("unit", "level", "year"):
        return getattr(report, key) or None
    return report.info.get(key) or None


def _info_sheet(ws, fmt: Format, layout: WorkbookLayout, report: Report) -> None:
    c = common()
    ws.cell(1, 1, c.sheets["info"]).font = Font(name=FONT, size=14, bold=True)
    ws.merge_cells("A1:B1")
    ws.column_dimensions["B"].width = INFO_VALUE_WIDTH
    levels = DataValidation(type="list", formula1='"' + ",".join(c.all_levels) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle=c.info_input["error_title"],
                            error=c.info_input["level"].format(level=info_label("level")))
    years = DataValidation(type="whole", operator="between", formula1="2019", formula2="2100", allow_blank=True,
                           showErrorMessage=True, errorTitle=c.info_input["error_title"], error=c.info_input["year"])
    for f in c.info_fields:
        row, col = layout.info[f.id]
        label = ws.cell(row, col - 1, f.label)
        label.font, label.fill, label.border, label.alignment = Font(name=FONT, bold=True), LABEL_FILL, BORDER, LEFT
        ws.row_dimensions[row].height = _info_row_height(f.label, info_value(report, f.id, fmt))
        value = put(ws, row, col, info_value(report, f.id, fmt))
        value.font, value.border, value.alignment = Font(name=FONT), BORDER, LEFT
        if f.id == info_id("status"):
            value.protection = UNLOCKED  # written by the check button
        elif not f.fixed:
            value.protection = UNLOCKED
            value.fill = ENTRY_FILL
        if f.id == info_id("level"):
            levels.add(value.coordinate)
        elif f.id == info_id("year"):
            years.add(value.coordinate)
        elif f.id == info_id("date"):
            value.number_format = "yyyy-mm-dd"
    ws.add_data_validation(levels)
    ws.add_data_validation(years)
    _previous_block(ws, fmt, layout, report)
    _protect(ws)
    a4_page(ws, landscape=False)


INFO_LABEL_WIDTH, INFO_VALUE_WIDTH = 46, 60


def _info_row_height(label: str, value) -> float:
    """A row of 单位信息 tall enough for its wrapped label and value."""
    return max(wrapped_height(label, INFO_LABEL_WIDTH), wrapped_height(value or "", INFO_VALUE_WIDTH))


def _previous_block(ws, fmt: Format, layout: WorkbookLayout, report: Report) -> None:
    """上年数据: last year's figures the cross-year rules need, open to the buttons and to the clerk."""
    c = common()
    heading = ws.cell(layout.previous_heading_row, 1, c.previous_heading)
    heading.font, heading.alignment = Font(name=FONT, bold=True), LEFT
    ws.merge_cells(start_row=layout.previous_heading_row, start_column=1,
                   end_row=layout.previous_heading_row, end_column=2)
    ws.row_dimensions[layout.previous_heading_row].height = max(
        30, wrapped_height(c.previous_heading, INFO_LABEL_WIDTH + INFO_VALUE_WIDTH))
    ws.column_dimensions["A"].width = INFO_LABEL_WIDTH
    validations = {}
    for name, (row, col) in layout.previous.items():
        cid = name.removeprefix(PREVIOUS_PREFIX)
        cell_def = fmt.cells[cid]
        label = ws.cell(row, col - 1, c.previous_label + cell_def.label)
        label.font, label.fill, label.border, label.alignment = Font(name=FONT), LABEL_FILL, BORDER, LEFT
        ws.row_dimensions[row].height = _info_row_height(label.value, None)
        value = put(ws, row, col, report.previous.get(cid))
        value.font, value.border, value.protection = Font(name=FONT), BORDER, UNLOCKED
        value.number_format = NUMBER_FORMATS[cell_def.kind]
        kind = c.kinds[cell_def.kind]
        if cell_def.kind not in validations:
            validations[cell_def.kind] = _validation(kind)
        validations[cell_def.kind].add(value.coordinate)
    for dv in validations.values():
        ws.add_data_validation(dv)


def _validation(kind) -> DataValidation:
    """Data validation refusing what a kind of cell cannot hold, with the kind's Chinese prompt."""
    if kind.integer:
        options = dict(type="whole", operator="greaterThanOrEqual", formula1=str(kind.minimum)) \
            if kind.minimum is not None else dict(type="whole", operator="between",
                                                  formula1=_whole(-kind.maximum), formula2=_whole(kind.maximum))
    else:
        options = dict(type="decimal", operator="greaterThanOrEqual", formula1=str(kind.minimum or 0))
    return DataValidation(**options, allow_blank=True, showErrorMessage=True, showInputMessage=False,
                          errorTitle=common().info_input["error_title"], error=kind.prompt)


def _texts_sheet(ws, fmt: Format, layout: WorkbookLayout, report: Report) -> None:
    ws.cell(1, 1, common().sheets["texts"]).font = Font(name=FONT, size=14, bold=True)
    ws.column_dimensions["A"].width = PAGE_WIDTH
    for part in fmt.text_parts:
        heading_row, text_row = layout.texts[part.text]
        heading = ws.cell(heading_row, 1, part.heading + (f"（{part.hint}）" if part.hint else ""))
        heading.font, heading.fill, heading.border = Font(name=FONT, bold=True), LABEL_FILL, BORDER
        heading.alignment = Alignment(wrap_text=True, vertical="center")
        ws.row_dimensions[heading_row].height = wrapped_height(heading.value, PAGE_WIDTH)
        written = report.texts.get(part.text) or None
        text = put(ws, text_row, 1, written)
        text.font, text.border, text.protection = Font(name=FONT), BORDER, UNLOCKED
        text.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[text_row].height = wrapped_height(written or "", PAGE_WIDTH, minimum=TEXT_MINIMUM_HEIGHT)
    _protect(ws)
    a4_page(ws, landscape=False, title_rows="1:1")


FINDINGS_WIDTHS = (14, 8, 16, 8, 90, 10, 10)  # of common.toml's findings_columns


def findings_header(ws, titles, widths) -> None:
    """The title row of a 校验结果 sheet: the workbook's own, and the summary's (unit and file first)."""
    for col, (title, width) in enumerate(zip(titles, widths), start=1):
        cell = ws.cell(1, col, title)
        cell.font, cell.fill, cell.border, cell.alignment = Font(name=FONT, bold=True), LABEL_FILL, BORDER, CENTER
        ws.column_dimensions[column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"


def _findings_sheet(ws) -> None:
    findings_header(ws, common().findings_columns, FINDINGS_WIDTHS)
    a4_page(ws, landscape=True)


def _table_sheet(wb, ws, fmt: Format, sheet: TableSheet, layout: WorkbookLayout, report: Report, formulas,
                 kept=None) -> None:
    kinds = common().kinds
    _labels(ws, sheet)
    for cid, (row, col) in sheet.cells.items():
        cell_def = fmt.cells[cid]
        cell = ws.cell(row, col)
        if cell_def.total and kept and cid in kept:
            reported, computed = kept[cid]
            set_value(cell, reported)
            cell.fill = TOTAL_FILL
            c = common()
            note = c.published_total_note.format(reported=show_number(reported), computed=show_number(computed),
                                                 formula=formulas[cid])
            cell.comment = Comment(note, c.published_total_author, width=260, height=110)
        elif cell_def.total:
            cell.value = formulas[cid]
            cell.fill = TOTAL_FILL
        else:
            set_value(cell, report.values.get(cid))
            cell.fill = ENTRY_FILL
            cell.protection = UNLOCKED
        cell.number_format = NUMBER_FORMATS[cell_def.kind]
        cell.font, cell.border, cell.alignment = Font(name=FONT), BORDER, CENTER
        if cid in sheet.spans:
            for extra in range(col + 1, sheet.spans[cid] + 1):
                ws.cell(row, extra).border = BORDER
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=sheet.spans[cid])
    _entry_rules(ws, fmt, sheet, kinds)
    _relation_formats(ws, fmt, sheet, layout)
    note_row = sheet.last_row + 2
    note = ws.cell(note_row, 1, TABLE_FOOTNOTE)
    note.font, note.alignment = Font(name=FONT, size=9, color="595959"), LEFT
    ws.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=sheet.width)
    ws.row_dimensions[note_row].height = 30
    _widths(ws, sheet)
    _protect(ws)
    a4_page(ws, landscape=sheet.width > 6)
    ws.print_title_rows = None


def _labels(ws, sheet: TableSheet) -> None:
    for lab in sheet.labels:
        cell = ws.cell(lab.row, lab.col, lab.text or None)
        if lab.role == "title":
            cell.font, cell.alignment = Font(name=FONT, size=14, bold=True), CENTER
            ws.row_dimensions[lab.row].height = 28
        else:
            cell.font = Font(name=FONT, bold=lab.role in ("header", "heading", "corner"))
            cell.fill = LABEL_FILL
            cell.alignment = LEFT if lab.role in ("row", "heading") and lab.last_col > lab.col else CENTER
            for r in range(lab.row, lab.last_row + 1):
                for c in range(lab.col, lab.last_col + 1):
                    ws.cell(r, c).border = BORDER
        if lab.merged:
            ws.merge_cells(start_row=lab.row, start_column=lab.col, end_row=lab.last_row, end_column=lab.last_col)


def _widths(ws, sheet: TableSheet) -> None:
    """Label columns as wide as their longest one-column label; data columns fixed; tall rows for long labels."""
    widths = {c: 8.0 for c in range(1, sheet.label_cols + 1)}
    for lab in sheet.labels:
        if lab.role == "row" and lab.col == lab.last_col and lab.row == lab.last_row:
            widths[lab.col] = max(widths[lab.col], min(_text_width(lab.text) + 2, 46))
    for col, width in widths.items():
        ws.column_dimensions[column_letter(col)].width = width
    for col in range(sheet.label_cols + 1, sheet.width + 1):
        ws.column_dimensions[column_letter(col)].width = DATA_COL_WIDTH
    heights: dict[int, float] = {}
    for lab in sheet.labels:
        if lab.role == "title" or lab.row != lab.last_row:
            continue
        span = sum(ws.column_dimensions[column_letter(c)].width for c in range(lab.col, lab.last_col + 1))
        heights[lab.row] = max(heights.get(lab.row, 15), wrapped_height(lab.text, span))
    for row, height in heights.items():
        ws.row_dimensions[row].height = height


def _whole(value) -> str:
    """A kind's bound as a validation formula: 999999999, not 999999999.0."""
    return str(int(value))


def _text_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _entry_rules(ws, fmt: Format, sheet: TableSheet, kinds) -> None:
    """Data validation and a red mark for bad entries, one rule per rectangle of same-kind entry cells."""
    error_color = common().severity_colors[ERROR]
    for kind_id, rects in _entry_rectangles(fmt, sheet).items():
        kind = kinds[kind_id]
        dv = _validation(kind)
        for top, left, bottom, right in rects:
            ref = f"{a1(top, left)}:{a1(bottom, right)}" if (top, left) != (bottom, right) else a1(top, left)
            dv.add(ref)
            ws.conditional_formatting.add(ref, FormulaRule(
                formula=[bad_entry_test(kind, a1(top, left))], stopIfTrue=False,
                fill=PatternFill("solid", bgColor=error_color["fill"]), font=Font(color=error_color["font"])))
        ws.add_data_validation(dv)


def _entry_rectangles(fmt: Format, sheet: TableSheet) -> dict[str, list[tuple[int, int, int, int]]]:
    return rectangles({pos: fmt.cells[cid].kind for cid, pos in sheet.cells.items() if not fmt.cells[cid].total})


def _relation_formats(ws, fmt: Format, sheet: TableSheet, layout: WorkbookLayout) -> None:
    """Conditional formats that colour the cells of a broken relation, as the checker would flag them."""
    colors = common().severity_colors
    for rel in fmt.relations:
        if rel.uses_previous or layout.sheet_of(rel.reported[0].cell) is not sheet:
            continue
        color = colors[rel.rule.severity]
        refs = " ".join(a1(*sheet.cells[c]) for c in rel.marked)
        ws.conditional_formatting.add(refs, FormulaRule(
            formula=[broken_relation_test(rel, layout)], stopIfTrue=False,
            fill=PatternFill("solid", bgColor=color["fill"]), font=Font(color=color["font"])))
    for rule in fmt.level_rules:
        color = colors[rule.severity]
        for cid in rule.zero:
            if cid in sheet.cells:
                ref = a1(*sheet.cells[cid])
                ws.conditional_formatting.add(ref, FormulaRule(
                    formula=[level_rule_test(rule.levels, ref)], stopIfTrue=False,
                    fill=PatternFill("solid", bgColor=color["fill"]), font=Font(color=color["font"])))


def _define_names(wb, layout: WorkbookLayout) -> None:
    ids = list(layout.info) + list(layout.previous) + [f"text.{t}" for t in layout.texts]
    ids += [cid for sheet in layout.tables for cid in sheet.cells]
    for cid in ids:
        sheet, row, col = layout.where(cid)
        ref = f"'{sheet}'!{a1(row, col, absolute=True)}"
        wb.defined_names[cid] = DefinedName(cid, attr_text=ref)
