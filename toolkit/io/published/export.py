"""Exporting a Report as the report to publish: a Word document (.docx) or an HTML page.

`export_bytes(report, "docx" | "html")` is the one entry point (Report → document bytes), for the
command line and for an Excel button alike.  The document has the title
"<单位><年度>年政府信息公开工作年度报告", the six parts in their official order with their official
headings, the texts of parts 一, 五 and 六 as written in the workbook, and tables 二, 三 and 四 in the
official layout: the labels, merged header cells and the 勾稽 note come from `toolkit.core.layout`, so the
exported tables are the workbook's tables.  A4 pages, body in 仿宋, tables in 宋体, headings in 黑体,
each with fallbacks.
"""
from __future__ import annotations

import html
import io
from dataclasses import dataclass

from toolkit.core.formats import Format, get_format
from toolkit.core.layout import TITLE_ROW, TableSheet, workbook_layout
from toolkit.core.model import Report, show_number
from toolkit.core.rules import Values

FORMATS = ("docx", "html")
TITLE_SUFFIX = "年政府信息公开工作年度报告"

# Page and type as in government documents (GB/T 9704): A4, margins in mm, sizes in pt
# (二号 22, 三号 16, 五号 10.5, 小五 9).
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TITLE_PT, BODY_PT, TABLE_PT, WIDE_TABLE_PT, LINE_PT = 22, 16, 10.5, 9, 28
# A table wider than this many columns gets the small type (表四 has 15).
WIDE_TABLE = 12
# A table of at most this many rows is kept on one page (表二, 表四); a longer one (表三) may break,
# its header repeated.
KEEP_TOGETHER_ROWS = 16

# Font families, first choice first.  Word and WPS take one name per run (with the fallbacks
# declared in the font table); HTML takes the whole list.
TITLE_FONTS = ("方正小标宋简体", "FZXiaoBiaoSong-B05S", "SimSun", "宋体", "Songti SC", "STSong", "Noto Serif CJK SC", "serif")
HEADING_FONTS = ("黑体", "SimHei", "Heiti SC", "STHeiti", "Noto Sans CJK SC", "sans-serif")
BODY_FONTS = ("仿宋", "FangSong", "仿宋_GB2312", "FangSong_GB2312", "STFangsong", "Noto Serif CJK SC", "serif")
TABLE_FONTS = ("宋体", "SimSun", "Songti SC", "STSong", "Noto Serif CJK SC", "serif")
LATIN_FONT = "Times New Roman"


def report_title(report: Report) -> str:
    year = report.year if report.year is not None else ""
    return f"{report.unit}{year}{TITLE_SUFFIX}"


def export_name(report: Report, to: str) -> str:
    """The file name of the exported report: 泽曲镇2022年政府信息公开工作年度报告.docx (a unit name such
    as 县发改局/县粮食局 made fit for a file name, or the "/" would put the file in a new folder)."""
    from toolkit.core.file_names import safe_file_name

    year = report.year if report.year is not None else ""
    return f"{safe_file_name(report.unit)}{year}{TITLE_SUFFIX}.{to}"


def export_bytes(report: Report, to: str = "docx") -> bytes:
    """The publishable report as the bytes of a .docx or .html file."""
    if to == "docx":
        return report_docx(report)
    if to == "html":
        return report_html(report)
    raise ValueError(f"export format {to!r} is not one of {FORMATS}")


# --- the tables as grids of cells ---------------------------------------------------------------

@dataclass(frozen=True)
class GridCell:
    """One cell of an exported table, 0-based, merged over row..last_row × col..last_col."""

    row: int
    col: int
    last_row: int
    last_col: int
    text: str
    role: str  # heading, corner, header, row (labels) or value

    @property
    def rowspan(self) -> int:
        return self.last_row - self.row + 1

    @property
    def colspan(self) -> int:
        return self.last_col - self.col + 1


@dataclass(frozen=True)
class Grid:
    sheet: TableSheet
    rows: int
    cols: int
    cells: tuple[GridCell, ...]  # in reading order
    header_rows: int  # rows above the first row of values, repeated on each page (single-block tables only)
    widths: tuple[float, ...]  # relative column widths


def table_grid(sheet: TableSheet, values: Values) -> Grid:
    """The table of a workbook sheet, without its title row (the part heading says it)."""
    top = TITLE_ROW + 1
    cells = [GridCell(lab.row - top, lab.col - 1, lab.last_row - top, lab.last_col - 1, lab.text, lab.role)
             for lab in sheet.labels if lab.role != "title"]
    for cid, (row, col) in sheet.cells.items():
        last_col = sheet.spans.get(cid, col)
        cells.append(GridCell(row - top, col - 1, row - top, last_col - 1, show_number(values[cid]), "value"))
    cells.sort(key=lambda c: (c.row, c.col))
    # Table 二 stacks five small tables: the first one's header is not the header of the others.
    header_rows = min(c.row for c in cells if c.role == "value") if len(sheet.table.blocks) == 1 else 0
    return Grid(sheet, sheet.last_row - top + 1, sheet.width, tuple(cells), header_rows, _widths(sheet, cells))


def _widths(sheet: TableSheet, cells: list[GridCell]) -> tuple[float, ...]:
    """Data columns one unit each; a label column as wide as the longest label standing in it alone."""
    widths = []
    for col in range(sheet.width):
        if col >= sheet.label_cols:
            widths.append(1.0)
            continue
        longest = max((len(c.text) for c in cells if c.col == col == c.last_col and c.role == "row"), default=4)
        widths.append(min(max(longest / 5, 1.0), 3.5))
    return tuple(widths)


def _parts(report: Report):
    """(part, grid or None, text lines) in the official order."""
    fmt: Format = get_format(report.format)
    layout = workbook_layout(fmt.version)
    values = Values(fmt, report.values)
    sheets = {s.table.id: s for s in layout.tables}
    for part in fmt.parts:
        if part.table:
            yield part, table_grid(sheets[part.table], values), []
        else:
            text = report.texts.get(part.text, "") or ""
            yield part, None, [line.strip() for line in text.splitlines() if line.strip()]


# --- HTML ---------------------------------------------------------------------------------------

def _css_fonts(fonts) -> str:
    return ", ".join(f if f in ("serif", "sans-serif") else f'"{f}"' for f in fonts)


def report_html(report: Report) -> bytes:
    title = html.escape(report_title(report))
    m = MARGINS_MM
    style = f"""
@page {{ size: A4; margin: {m['top']}mm {m['right']}mm {m['bottom']}mm {m['left']}mm; }}
body {{ font-family: {_css_fonts(BODY_FONTS)}; font-size: {BODY_PT}pt; line-height: {LINE_PT}pt;
       max-width: {PAGE_MM[0] - m['left'] - m['right']}mm; margin: 2em auto; color: #000; }}
h1 {{ font-family: {_css_fonts(TITLE_FONTS)}; font-size: {TITLE_PT}pt; line-height: 1.5; font-weight: normal;
      text-align: center; margin: 0 0 {LINE_PT}pt; }}
h2 {{ font-family: {_css_fonts(HEADING_FONTS)}; font-size: {BODY_PT}pt; font-weight: normal; margin: 0;
      text-indent: 2em; }}
p {{ margin: 0; text-indent: 2em; text-align: justify; }}
table {{ border-collapse: collapse; width: 100%; margin: 6pt 0 {LINE_PT}pt; font-family: {_css_fonts(TABLE_FONTS)};
         font-size: {TABLE_PT}pt; line-height: 1.35; page-break-inside: auto; }}
table.wide {{ font-size: {WIDE_TABLE_PT}pt; }}
td {{ border: 1px solid #000; padding: 2pt 3pt; text-align: center; vertical-align: middle; }}
td.row {{ text-align: left; }}
tr {{ page-break-inside: avoid; }}
thead {{ display: table-header-group; }}
"""
    out = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
           f"<title>{title}</title>", f"<style>{style}</style>", "</head>", "<body>", f"<h1>{title}</h1>"]
    for part, grid, lines in _parts(report):
        out.append(f"<h2>{html.escape(part.heading)}</h2>")
        if grid is not None:
            out.append(_html_table(grid))
        out.extend(f"<p>{html.escape(line)}</p>" for line in lines)
    out += ["</body>", "</html>", ""]
    return "\n".join(out).encode("utf-8")


def _html_table(grid: Grid) -> str:
    total = sum(grid.widths)
    wide = ' class="wide"' if grid.cols > WIDE_TABLE else ""
    out = [f"<table{wide}>", "<colgroup>"]
    out += [f'<col style="width:{w / total * 100:.1f}%">' for w in grid.widths]
    out.append("</colgroup>")
    by_row: dict[int, list[GridCell]] = {}
    for cell in grid.cells:
        by_row.setdefault(cell.row, []).append(cell)
    for r in range(grid.rows):
        if r == 0 and grid.header_rows:
            out.append("<thead>")
        if r == grid.header_rows and grid.header_rows:
            out.append("</thead><tbody>")
        out.append("<tr>")
        for cell in by_row.get(r, []):
            span = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + \
                   (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
            css = f' class="{cell.role}"' if cell.role == "row" else ""
            out.append(f"<td{span}{css}>{html.escape(cell.text)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>" if grid.header_rows else "</table>")
    return "\n".join(out)


# --- Word ---------------------------------------------------------------------------------------

def report_docx(report: Report) -> bytes:
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt

    from toolkit.io.workbook.package import reproducible

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    text_width = Mm(PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"])

    normal = doc.styles["Normal"]
    _style_font(normal, BODY_FONTS[0], BODY_PT)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(LINE_PT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    def paragraph_style(name: str, font: str, size: float):
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        _style_font(style, font, size)
        return style

    title_style = paragraph_style("年报标题", TITLE_FONTS[0], TITLE_PT)
    title_style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title_style.paragraph_format.line_spacing = Pt(TITLE_PT * 1.5)
    title_style.paragraph_format.space_after = Pt(LINE_PT)
    heading_style = paragraph_style("年报一级标题", HEADING_FONTS[0], BODY_PT)
    heading_style.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    heading_style.paragraph_format.keep_with_next = True
    body_style = paragraph_style("年报正文", BODY_FONTS[0], BODY_PT)
    body_style.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    table_style = paragraph_style("年报表格", TABLE_FONTS[0], TABLE_PT)
    table_style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    table_style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    table_style.paragraph_format.first_line_indent = Pt(0)
    table_style.paragraph_format.space_before = table_style.paragraph_format.space_after = Pt(1.5)
    wide_style = paragraph_style("年报表格小字", TABLE_FONTS[0], WIDE_TABLE_PT)
    wide_style.base_style = table_style

    title = report_title(report)
    doc.core_properties.title = title
    doc.core_properties.author = report.unit
    doc.core_properties.last_modified_by = report.unit
    doc.core_properties.comments = ""
    doc.add_paragraph(title, style=title_style)
    for part, grid, lines in _parts(report):
        doc.add_paragraph(part.heading, style=heading_style)
        if grid is not None:
            _docx_table(doc, grid, wide_style if grid.cols > WIDE_TABLE else table_style, text_width,
                        WD_CELL_VERTICAL_ALIGNMENT, WD_ALIGN_PARAGRAPH)
            doc.add_paragraph("", style=body_style)
        for line in lines:
            doc.add_paragraph(line, style=body_style)
    _declare_fonts(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return reproducible(buf.getvalue())


def _style_font(style, east_asian: str, size: float) -> None:
    """A style's fonts: Chinese in `east_asian` (w:eastAsia), Latin letters and digits in Times New Roman."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def grid_table(doc, rows: int, cols: int, shares, text_width: int):
    """A ruled, centred Word table of fixed column widths (`shares` of the text width); returns the
    table and the widths."""
    from docx.enum.table import WD_TABLE_ALIGNMENT

    table = doc.add_table(rows=rows, cols=cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    total = sum(shares)
    widths = [int(text_width * w / total) for w in shares]
    for col, width in zip(table.columns, widths):
        col.width = width
    return table, widths


def _docx_table(doc, grid: Grid, style, text_width, WD_CELL_VERTICAL_ALIGNMENT, WD_ALIGN_PARAGRAPH):
    from docx.oxml import OxmlElement

    table, widths = grid_table(doc, grid.rows, grid.cols, grid.widths, text_width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width
    for r, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if r < grid.header_rows:
            header = OxmlElement("w:tblHeader")
            tr_pr.append(header)
    # The cells are fetched once before merging (python-docx recomputes the grid on every table.cell
    # call); merges never overlap, so each merge's corners are still in place when it is made.
    cells = table._cells
    for spec in grid.cells:
        cell = cells[spec.row * grid.cols + spec.col]
        if spec.rowspan > 1 or spec.colspan > 1:
            cell = cell.merge(cells[spec.last_row * grid.cols + spec.last_col])
        cell.text = spec.text
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        keep = spec.last_row < grid.rows - 1 and (grid.rows <= KEEP_TOGETHER_ROWS or spec.row < grid.header_rows)
        for paragraph in cell.paragraphs:
            paragraph._p.style = style.style_id  # the style by id: paragraph.style looks it up by name each time
            paragraph.paragraph_format.keep_with_next = keep
            if spec.role == "row":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    return table


def _declare_fonts(doc) -> None:
    """Declare the Chinese fonts in the font table with a fallback and the GB2312 character set, so
    Word and WPS substitute a Chinese font of the same family where the first choice is missing."""
    from docx.oxml import parse_xml

    part = next((rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable")), None)
    if part is None:
        return
    root = parse_xml(part.blob)
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    declared = {el.get(f"{{{ns}}}name") for el in root.iterchildren(f"{{{ns}}}font")}
    for fonts, family in ((TITLE_FONTS, "roman"), (HEADING_FONTS, "modern"), (BODY_FONTS, "modern"),
                          (TABLE_FONTS, "roman")):
        name, fallback = fonts[0], fonts[1]  # the same font's other (English) name
        if name in declared:
            continue
        root.append(parse_xml(
            f'<w:font xmlns:w="{ns}" w:name="{name}"><w:altName w:val="{fallback}"/>'
            f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'))
        declared.add(name)
    from lxml import etree

    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
