"""The macro-enabled standard workbook (.xlsm): the standard workbook plus buttons that run the
toolkit's Python functions through xlwings, for clerks whose PC has Python.

On top of `build_workbook` (openpyxl) this adds an `xlwings.conf` sheet and code names for the
workbook (ThisWorkbook) and every sheet (Sheet1, Sheet2, ... : ASCII, matching the VBA document
modules); then, in the saved package, the VBA project built from macros/ by toolkit.io.vba, and on
each table sheet a form-control button per entry of common.toml's [[buttons]], to the right of the
table, written as Excel writes them: a legacy VML drawing (x:ClientData ObjectType="Button" with
x:FmlaMacro), a ctrlProps part and the sheet's <legacyDrawing> and <controls>.
"""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from html import escape

from openpyxl.styles import Alignment, Font
from openpyxl.workbook.workbook import Workbook

from toolkit.core.formats import common
from toolkit.core.layout import column_letter, workbook_layout
from toolkit.core.model import Report
# The project's own modules live in toolkit.io.vba.own_project (the reader compares returned workbooks
# with them without loading openpyxl); the names used by the CLI, the demo and the tests are kept here.
from toolkit.io.vba.own_project import (MACRO_FILES, MACROS_DIR, WORKBOOK_CODE_NAME,  # noqa: F401
                                     MacroSourcesMissing, macros_available, sheet_code_name, vba_project_bin)
from toolkit.io.workbook.package import reproducible
from toolkit.io.workbook.template import FONT, build_workbook

MAIN_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MAIN_XLSM = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
VBA_TYPE = "application/vnd.ms-office.vbaProject"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CTRL_TYPE = "application/vnd.ms-excel.controlproperties+xml"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
REL_VML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
REL_CTRL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/ctrlProp"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
NS_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

# Button geometry, in pixels (Excel's anchors count pixels at 96 dpi; 1 pt = 4/3 px).
BUTTON_COLUMN_WIDTH = 16  # characters, the column the buttons stand in
BUTTON_HEIGHT = 30
BUTTON_MARGIN = 6
_EMU_PER_PX = 9525
_DEFAULT_ROW_HEIGHT = 15  # points


def build_macro_workbook(version: str | None = None, report: Report | None = None) -> Workbook:
    """The standard workbook with an xlwings.conf sheet and code names (buttons and VBA are added to
    the saved package, see `macro_workbook_bytes`)."""
    wb = build_workbook(version, report)
    _conf_sheet(wb)
    wb.code_name = WORKBOOK_CODE_NAME
    for position, ws in enumerate(wb.worksheets, start=1):
        ws.sheet_properties.codeName = sheet_code_name(position)
    fmt_version = version or (report.format if report else None) or common().default_version
    for sheet in workbook_layout(fmt_version).tables:
        wb[sheet.name].column_dimensions[column_letter(button_column(sheet.width))].width = BUTTON_COLUMN_WIDTH
    return wb


def button_column(table_width: int) -> int:
    """The column the buttons stand in: one empty column right of the table, then the buttons."""
    return table_width + 2


def _conf_sheet(wb: Workbook) -> None:
    conf = common().xlwings_conf
    ws = wb.create_sheet(conf["sheet"])
    # Hidden: printing the workbook (Excel's 打印整个工作簿, WPS, LibreOffice's print and PDF export)
    # leaves hidden sheets out, and all three keep the state; xlwings reads a hidden sheet as well.
    # (A print area cannot be empty, and no application has a "do not print this sheet" flag.)
    ws.sheet_state = "hidden"
    for row, (key, value) in enumerate(conf["settings"], start=1):
        ws.cell(row, 1, key)
        ws.cell(row, 2, value)
    note = ws.cell(1, 4, conf["note"])
    note.font, note.alignment = Font(name=FONT, color="595959"), Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 46
    ws.column_dimensions["D"].width = 60


def macro_workbook_bytes(version: str | None = None, report: Report | None = None) -> bytes:
    """The macro-enabled workbook, byte for byte the same for the same content."""
    wb = build_macro_workbook(version, report)
    fmt_version = version or (report.format if report else None) or common().default_version
    button_sheets = {}
    for sheet in workbook_layout(fmt_version).tables:
        ws = wb[sheet.name]
        button_sheets[sheet.name] = _button_places(ws, button_column(sheet.width))
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible(*_add_macros(buf.getvalue(), len(wb.worksheets), button_sheets))


# --- buttons -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ButtonPlace:
    """Where a button sits: its cell anchor (0-based column/row plus pixel offsets), as VML and the
    controls element need it, and its position in points for VML's style."""

    caption: str
    macro: str
    col: int
    left: int
    top_row: int
    top: int
    bottom_row: int
    bottom: int
    width: int
    left_pt: float
    top_pt: float


def _px(points: float) -> int:
    return round(points * 4 / 3)


def _column_px(width: float) -> int:
    return int(width * 7 + 5)  # Excel's pixel width of a column of `width` characters (7-px digits)


def _button_places(ws, column: int) -> list[ButtonPlace]:
    """The buttons of a sheet stacked at the top of `column` (1-based), placed by the sheet's real
    column widths and row heights."""
    col0 = column - 1
    left_pt = 0.0
    for c in range(1, column):
        dim = ws.column_dimensions[column_letter(c)]
        left_pt += _column_px(dim.width if dim.width else 8.43) * 3 / 4
    width = _column_px(BUTTON_COLUMN_WIDTH) - 2 * BUTTON_MARGIN

    def row_px(row0: int) -> int:
        height = ws.row_dimensions[row0 + 1].height
        return _px(height if height else _DEFAULT_ROW_HEIGHT)

    def locate(pixels: int) -> tuple[int, int]:
        row0 = 0
        while pixels >= row_px(row0):
            pixels -= row_px(row0)
            row0 += 1
        return row0, pixels

    places = []
    for i, button in enumerate(common().buttons):
        top_px = BUTTON_MARGIN + i * (BUTTON_HEIGHT + BUTTON_MARGIN)
        top_row, top = locate(top_px)
        bottom_row, bottom = locate(top_px + BUTTON_HEIGHT)
        places.append(ButtonPlace(button.caption, button.macro, col0, BUTTON_MARGIN, top_row, top,
                                  bottom_row, bottom, width, left_pt + BUTTON_MARGIN * 3 / 4, top_px * 3 / 4))
    return places


_SHAPETYPE = (
    '<v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe">'
    '<v:stroke joinstyle="miter"/><v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" '
    'o:connecttype="rect"/><o:lock v:ext="edit" shapetype="t"/></v:shapetype>'
)


def _shape_id(drawing: int, k: int) -> int:
    return 1024 * drawing + 1 + k


def _vml(drawing: int, places: list[ButtonPlace]) -> bytes:
    shapes = []
    for k, b in enumerate(places):
        anchor = f"{b.col}, {b.left}, {b.top_row}, {b.top}, {b.col}, {b.left + b.width}, {b.bottom_row}, {b.bottom}"
        shapes.append(
            f'<v:shape id="_x0000_s{_shape_id(drawing, k)}" type="#_x0000_t201" '
            f'style="position:absolute;margin-left:{b.left_pt:g}pt;margin-top:{b.top_pt:g}pt;'
            f'width:{b.width * 3 / 4:g}pt;height:{BUTTON_HEIGHT * 3 / 4:g}pt;z-index:{k + 1};mso-wrap-style:tight" '
            'o:button="t" fillcolor="buttonFace [67]" strokecolor="windowText [64]" o:insetmode="auto">'
            '<v:fill color2="buttonFace [67]" o:detectmouseclick="t"/><o:lock v:ext="edit" rotation="t"/>'
            '<v:textbox style="mso-direction-alt:auto" o:singleclick="f"><div style="text-align:center">'
            f'<font face="{FONT}" size="220" color="#000000">{escape(b.caption)}</font></div></v:textbox>'
            f'<x:ClientData ObjectType="Button"><x:Anchor>{anchor}</x:Anchor>'
            '<x:PrintObject>False</x:PrintObject><x:AutoFill>False</x:AutoFill>'
            f'<x:FmlaMacro>[0]!{b.macro}</x:FmlaMacro>'
            '<x:TextHAlign>Center</x:TextHAlign><x:TextVAlign>Center</x:TextVAlign></x:ClientData></v:shape>'
        )
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{drawing}"/></o:shapelayout>'
        + _SHAPETYPE + "".join(shapes) + "</xml>"
    ).encode("utf-8")


_CTRL_PROP = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              f'<formControlPr xmlns="{NS_X14}" objectType="Button" lockText="1"/>').encode("utf-8")


def _controls(drawing: int, places: list[ButtonPlace], rel_ids: list[str]) -> str:
    items = []
    for k, (b, rid) in enumerate(zip(places, rel_ids)):
        def point(col, col_px, row, row_px):
            return (f"<xdr:col>{col}</xdr:col><xdr:colOff>{col_px * _EMU_PER_PX}</xdr:colOff>"
                    f"<xdr:row>{row}</xdr:row><xdr:rowOff>{row_px * _EMU_PER_PX}</xdr:rowOff>")
        items.append(
            '<mc:AlternateContent><mc:Choice Requires="x14">'
            f'<control shapeId="{_shape_id(drawing, k)}" r:id="{rid}" name="Button {k + 1}">'
            f'<controlPr defaultSize="0" print="0" autoFill="0" autoPict="0" macro="[0]!{b.macro}">'
            '<anchor moveWithCells="1">'
            f"<from>{point(b.col, b.left, b.top_row, b.top)}</from>"
            f"<to>{point(b.col, b.left + b.width, b.bottom_row, b.bottom)}</to>"
            "</anchor></controlPr></control></mc:Choice></mc:AlternateContent>"
        )
    return '<mc:AlternateContent><mc:Choice Requires="x14"><controls>' + "".join(items) + \
        "</controls></mc:Choice></mc:AlternateContent>"


# --- the package ----------------------------------------------------------------------------------

_ROOT_NAMESPACES = {"r": NS_R, "mc": NS_MC, "x14": NS_X14, "xdr": NS_XDR}
# Elements a worksheet may hold after <legacyDrawing>/<controls> (ECMA-376 CT_Worksheet order).
_AFTER_CONTROLS = ("<webPublishItems", "<tableParts", "<extLst", "</worksheet>")


def _rels(entries: list[tuple[str, str, str]]) -> bytes:
    body = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>' for rid, kind, target in entries)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{NS_PKG_REL}">{body}</Relationships>').encode("utf-8")


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part path (xl/worksheets/sheetN.xml), from workbook.xml and its rels."""
    rels = ET.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    workbook = ET.fromstring(package.read("xl/workbook.xml"))
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    parts = {}
    for sheet in workbook.find("m:sheets", ns):
        target = targets[sheet.get(f"{{{NS_R}}}id")]
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return parts


def _with_buttons(sheet_xml: str, legacy_rid: str, controls: str) -> str:
    root = re.match(r"<worksheet\b[^>]*>", sheet_xml)
    tag = root.group(0)
    extra = "".join(f' xmlns:{p}="{uri}"' for p, uri in _ROOT_NAMESPACES.items() if f"xmlns:{p}=" not in tag)
    sheet_xml = tag[:-1] + extra + ">" + sheet_xml[root.end():]
    at = min(i for i in (sheet_xml.find(marker) for marker in _AFTER_CONTROLS) if i >= 0)
    return sheet_xml[:at] + f'<legacyDrawing r:id="{legacy_rid}"/>' + controls + sheet_xml[at:]


def _add_macros(data: bytes, sheet_count: int, button_sheets: dict[str, list[ButtonPlace]]):
    """(package bytes, replaced/added members) with the VBA project and the buttons."""
    extra: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = set(package.namelist())
        parts = _sheet_parts(package)
        content_types = package.read("[Content_Types].xml").decode("utf-8")
        overrides = []
        control_number = 0
        for drawing, (sheet_name, places) in enumerate(button_sheets.items(), start=1):
            part = parts[sheet_name]
            folder, file = part.rsplit("/", 1)
            rels_path = f"{folder}/_rels/{file}.rels"
            if rels_path in names:
                raise NotImplementedError(f"{part} already has relationships; merging them is not needed yet")
            vml_path = f"xl/drawings/vmlDrawing{drawing}.vml"
            entries = [("rIdVml1", REL_VML, f"../drawings/vmlDrawing{drawing}.vml")]
            for _ in places:
                control_number += 1
                ctrl_path = f"xl/ctrlProps/ctrlProp{control_number}.xml"
                extra[ctrl_path] = _CTRL_PROP
                overrides.append(f'<Override PartName="/{ctrl_path}" ContentType="{CTRL_TYPE}"/>')
                entries.append((f"rIdCtrl{len(entries)}", REL_CTRL, f"../ctrlProps/ctrlProp{control_number}.xml"))
            extra[vml_path] = _vml(drawing, places)
            extra[rels_path] = _rels(entries)
            sheet_xml = package.read(part).decode("utf-8")
            extra[part] = _with_buttons(sheet_xml, "rIdVml1", _controls(drawing, places, [e[0] for e in entries[1:]]))
        if MAIN_XLSX not in content_types:
            raise ValueError("unexpected [Content_Types].xml: no spreadsheet main part")
        content_types = content_types.replace(MAIN_XLSX, MAIN_XLSM).replace(
            "</Types>",
            f'<Default Extension="vml" ContentType="{VML_TYPE}"/>'
            f'<Override PartName="/xl/vbaProject.bin" ContentType="{VBA_TYPE}"/>' + "".join(overrides) + "</Types>")
        extra["[Content_Types].xml"] = content_types.encode("utf-8")
        workbook_rels = package.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        extra["xl/_rels/workbook.xml.rels"] = workbook_rels.replace(
            "</Relationships>", f'<Relationship Type="{REL_VBA}" Target="vbaProject.bin" Id="rIdVba1"/></Relationships>'
        ).encode("utf-8")
    extra["xl/vbaProject.bin"] = vba_project_bin(sheet_count)
    return data, extra
