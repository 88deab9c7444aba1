"""The documents of `xxgk feedback`, written: each `toolkit.core.feedback` document (a list of `Block`s) as a
Word file (python-docx, laid out as `toolkit.io.published.export` lays out the report: A4, 仿宋 body,
黑体 headings, 宋体 tables) or a workbook (openpyxl, one sheet); every file written atomically, none of
them over the summary, none at all if one exists already (unless `force`).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from toolkit.core.feedback import Block, Feedback, blocks, file_names, wording
from toolkit.io.files import atomic_write, check_outputs, check_writable

FORMATS = ("docx", "xlsx")


@dataclass(frozen=True)
class Written:
    path: Path
    kind: str  # notice, passed, reminders
    what: object  # the Notice, or the Feedback for the 催报 list


def write_feedback(fb: Feedback, folder: Path, to: str, everyone: bool, force: bool, inputs, date: str) -> list[Written]:
    """Every document into `folder`; `inputs` (the summary) are never overwritten, even with `force`."""
    planned = [(Path(folder) / name, kind, what) for name, (kind, what) in file_names(fb, f".{to}", everyone)]
    check_outputs([p for p, _, _ in planned], inputs)
    for path, _, _ in planned:
        check_writable(path, force)
    out = []
    for path, kind, what in planned:
        data = document_bytes(blocks(kind, what, fb, date), to, wording()["sheets"][kind],
                              landscape=kind != "reminders")
        out.append(Written(atomic_write(path, data, force), kind, what))
    return out


def document_bytes(parts: list[Block], to: str, sheet: str = "", landscape: bool = True) -> bytes:
    if to == "docx":
        return _docx(parts, landscape)
    if to == "xlsx":
        return _xlsx(parts, sheet)
    raise ValueError(f"feedback format {to!r} is not one of {FORMATS}")


# --- Word -------------------------------------------------------------------------------------

TITLE_PT, BODY_PT, TABLE_PT = 22, 16, 9


def _docx(parts: list[Block], landscape: bool) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Mm, Pt

    from toolkit.io.published.export import (BODY_FONTS, HEADING_FONTS, MARGINS_MM, PAGE_MM, TABLE_FONTS, TITLE_FONTS,
                                          _declare_fonts, _style_font)
    from toolkit.io.workbook.cells import text as clean
    from toolkit.io.workbook.package import reproducible

    doc = Document()
    section = doc.sections[0]
    width, height = (PAGE_MM[1], PAGE_MM[0]) if landscape else PAGE_MM
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(width), Mm(height)
    margin = min(MARGINS_MM.values())
    for side in ("top", "bottom", "left", "right"):
        setattr(section, f"{side}_margin", Mm(margin))
    text_width = Mm(width - 2 * margin)

    normal = doc.styles["Normal"]
    _style_font(normal, BODY_FONTS[0], BODY_PT)
    normal.paragraph_format.space_after = Pt(0)

    def style(name: str, font: str, size: float, align=None, indent: bool = False):
        s = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        s.base_style = normal
        _style_font(s, font, size)
        if align is not None:
            s.paragraph_format.alignment = align
        if indent:
            s.paragraph_format.first_line_indent = Pt(size * 2)
        return s

    styles = {
        "title": style("通知标题", TITLE_FONTS[0], TITLE_PT, WD_ALIGN_PARAGRAPH.CENTER),
        "heading": style("通知小标题", HEADING_FONTS[0], BODY_PT, indent=True),
        "para": style("通知正文", BODY_FONTS[0], BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY),
        "sign": style("通知落款", BODY_FONTS[0], BODY_PT, WD_ALIGN_PARAGRAPH.RIGHT),
    }
    styles["title"].paragraph_format.space_after = Pt(BODY_PT)
    styles["heading"].paragraph_format.space_before = Pt(BODY_PT / 2)
    styles["heading"].paragraph_format.keep_with_next = True
    cell_style = style("通知表格", TABLE_FONTS[0], TABLE_PT)
    first = True
    for block in parts:
        if block.kind == "table":
            _docx_table(doc, block, cell_style, text_width, OxmlElement, clean)
            continue
        p = doc.add_paragraph(clean(block.text), style=styles[block.kind])
        if block.kind == "para" and not first:
            p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        if block.kind == "title":
            doc.core_properties.title = clean(block.text)
        first = block.kind == "title"
    doc.core_properties.author = "xxgk feedback"
    doc.core_properties.last_modified_by = "xxgk feedback"
    doc.core_properties.comments = ""
    _declare_fonts(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return reproducible(buf.getvalue())


def _docx_table(doc, block: Block, style, text_width, OxmlElement, clean):
    from toolkit.io.published.export import grid_table

    table, widths = grid_table(doc, 1 + len(block.rows), len(block.columns), block.widths, text_width)
    cells = table._cells
    n = len(block.columns)
    for r, values in enumerate((block.columns, *block.rows)):
        tr_pr = table.rows[r]._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if r == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))
        for c, value in enumerate(values):
            cell = cells[r * n + c]
            cell.width = widths[c]
            cell.text = clean(value)
            for paragraph in cell.paragraphs:
                paragraph._p.style = style.style_id
                if r == 0:
                    for run in paragraph.runs:
                        run.bold = True
    doc.add_paragraph("", style=style)


# --- Excel ------------------------------------------------------------------------------------

def _xlsx(parts: list[Block], sheet: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from toolkit.core.layout import column_letter
    from toolkit.io.workbook.cells import put
    from toolkit.io.workbook.package import reproducible
    from toolkit.io.workbook.template import FONT

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    tables = [b for b in parts if b.kind == "table"]
    width = max([len(t.columns) for t in tables] or [1])
    widths = max(tables, key=lambda t: len(t.columns)).widths if tables else (20,)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[column_letter(i)].width = max(6, w * 4)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    fonts = {"title": Font(name=FONT, bold=True, size=16), "heading": Font(name=FONT, bold=True, size=12),
             "para": Font(name=FONT, size=11), "sign": Font(name=FONT, size=11)}
    row = 1
    for block in parts:
        if block.kind == "table":
            for c, title in enumerate(block.columns, start=1):
                cell = put(ws, row, c, title)
                cell.font, cell.border, cell.alignment = Font(name=FONT, bold=True), border, wrap
                cell.fill = PatternFill("solid", fgColor="F2F2F2")
            for values in block.rows:
                row += 1
                for c, value in enumerate(values, start=1):
                    cell = put(ws, row, c, value)
                    cell.font, cell.border, cell.alignment = Font(name=FONT), border, wrap
            row += 2
            continue
        cell = put(ws, row, 1, block.text)
        cell.font = fonts[block.kind]
        cell.alignment = Alignment(wrap_text=True, vertical="center",
                                   horizontal="center" if block.kind == "title" else
                                   "right" if block.kind == "sign" else "left")
        if width > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        if block.kind == "para":
            ws.row_dimensions[row].height = 15 * (1 + len(block.text) // max(20, int(sum(widths) * 2)))
        row += 1
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible(buf.getvalue())
