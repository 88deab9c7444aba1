"""A report's standard workbook without openpyxl: the blank template built once, then filled.

`template_bytes(report=report, keep_totals=True)` lays the whole workbook out with openpyxl for every
report (about 170 ms), though only the report's own cells differ from the blank template.  Here the
blank template of a format version is built once per process (`template_bytes(version)`, cached),
and `filled_bytes(report)` writes the report's values into the empty cells of its sheet parts,
found by `toolkit.core.layout` (no coordinate or label is written here): the 单位信息 fields, the 上年数据
block, the tables' entry cells and the 文字部分 texts.  Each cell is written as openpyxl writes it
through `toolkit.io.workbook.cells.set_value` (numbers as `%.16g`, text as an inline string, escaped as
openpyxl's lxml writer escapes it, never a formula), so the package is the openpyxl one byte for byte.
The one exception: text that looks like a formula gets Excel's quote prefix, a style of its own; openpyxl
inserts such a style where the cell first needs it (renumbering the styles after it), here it is
appended to the styles' `cellXfs`: the same cells, styles and values, other style numbers.

A report the fill does not cover takes the openpyxl build, for that report only (see `filled_bytes`).
"""
from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from xml.etree import ElementTree

from openpyxl.compat.strings import safe_string  # how openpyxl writes a row's height

from toolkit.core.formats import common, get_format
from toolkit.core.input_text import formula_like
from toolkit.core.layout import PREVIOUS_PREFIX, a1, workbook_layout
from toolkit.core.model import Report
from toolkit.io.published.totals import disagreeing_totals
from toolkit.io.workbook.cells import text as cell_text
from toolkit.io.workbook.package import package_bytes
from toolkit.io.workbook.template import PAGE_WIDTH, TEXT_MINIMUM_HEIGHT, info_value, template_bytes, wrapped_height

STYLES = "xl/styles.xml"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A cell the blank template leaves empty, as openpyxl writes one with a style and no value.
_EMPTY_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)" s="([0-9]+)" t="n"></c>')
_CELL_XFS = re.compile(rb'<cellXfs count="([0-9]+)">(.*?)</cellXfs>', re.S)
_XF = re.compile(rb"<xf [^>]*?(?:/>|>.*?</xf>)", re.S)


@dataclass(frozen=True)
class _Slot:
    """An empty cell of the blank template: its part, where its element is in it, its address and style."""

    part: str
    start: int
    end: int
    ref: str
    style: int


@dataclass(frozen=True)
class _Blank:
    """The blank template of one format version, read once; never changed (fills copy what they change)."""

    members: tuple[tuple[str, bytes], ...]  # the package's parts, in its order
    slots: MappingProxyType  # field or cell id ("info.unit", "prev.…", "text.overview", "t3.new.natural") -> _Slot
    blank_info: MappingProxyType  # info field id -> what the blank template holds there (the format's version)
    xfs: tuple[bytes, ...]  # the styles' cellXfs, by style id
    text_heights: MappingProxyType  # "text.overview" -> (part, start, end) of its row's ht="…" value


@cache
def _blank(version: str) -> _Blank:
    data = template_bytes(version)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = tuple((name, z.read(name)) for name in z.namelist())
    parts = dict(members)
    layout = workbook_layout(version)
    fmt = layout.fmt
    sheet_parts = _sheet_parts(parts)
    empty = {}  # (part, A1) -> (start, end, style)
    for part in set(sheet_parts.values()):
        for m in _EMPTY_CELL.finditer(parts[part]):
            empty[part, m.group(1).decode()] = (m.start(), m.end(), int(m.group(2)))
    ids = [f.id for f in common().info_fields] + list(layout.previous)
    ids += [f"text.{p.text}" for p in fmt.text_parts]
    ids += [cid for sheet in layout.tables for cid in sheet.cells if not fmt.cells[cid].total]
    slots = {}
    for cid in ids:
        sheet, row, col = layout.where(cid)
        part, ref = sheet_parts[sheet], a1(row, col)
        if (part, ref) in empty:  # a cell the blank template fills itself (info.format) has no slot
            slots[cid] = _Slot(part, *empty[part, ref][:2], ref, empty[part, ref][2])
    heights = {}  # a text's row is as tall as the text wrapped (template._texts_sheet): its ht is filled too
    for part_text in fmt.text_parts:
        cid = f"text.{part_text.text}"
        if cid in slots:
            row = layout.where(cid)[1]
            m = re.compile(rb'<row r="%d" ht="([0-9.]+)"' % row).search(parts[slots[cid].part])
            if m:
                heights[cid] = (slots[cid].part, m.start(1), m.end(1))
    blank = Report(format=version)
    blank_info = {f.id: info_value(blank, f.id, fmt) for f in common().info_fields}
    cell_xfs = _CELL_XFS.search(parts[STYLES])
    xfs = tuple(m.group(0) for m in _XF.finditer(cell_xfs.group(2)))
    if len(xfs) != int(cell_xfs.group(1)):
        raise ValueError(f"{STYLES}: {cell_xfs.group(1)} cell styles declared, {len(xfs)} read")
    return _Blank(members, MappingProxyType(slots), MappingProxyType(blank_info), xfs, MappingProxyType(heights))


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> its part, from xl/workbook.xml and its relationships."""
    targets = {rel.get("Id"): rel.get("Target")
               for rel in ElementTree.fromstring(parts["xl/_rels/workbook.xml.rels"]).iter(f"{_PACKAGE_RELS}Relationship")}
    out = {}
    for sheet in ElementTree.fromstring(parts["xl/workbook.xml"]).iter(f"{_MAIN}sheet"):
        target = targets[sheet.get(_REL_ID)]
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out


def filled_bytes(report: Report) -> bytes:
    """The report's standard workbook: the same workbook as `template_bytes(report=report,
    keep_totals=True)`, from the blank template of its version built once per process."""
    return _filled(report) or template_bytes(report=report, keep_totals=True)


def _filled(report: Report) -> bytes | None:
    """The filled package, or None where the fill does not cover the report and the openpyxl build
    has to write it:
    - a published total that disagrees with its parts (`keep_totals`, toolkit/io/published/totals.py) is
      written as a number with a note, and a note needs parts the blank template has not (comments, a
      VML drawing, their relationships and content types): rare, so left to openpyxl;
    - a value openpyxl writes as something other than a number or a text (a bool, a date), or a cell
      the blank template does not leave empty."""
    if disagreeing_totals(report):
        return None
    fmt = get_format(report.format)
    blank = _blank(fmt.version)
    layout = workbook_layout(fmt.version)
    wanted = [(f.id, info_value(report, f.id, fmt)) for f in common().info_fields]
    wanted = [(fid, value) for fid, value in wanted if value != blank.blank_info[fid]]
    wanted += [(name, report.previous.get(name.removeprefix(PREVIOUS_PREFIX))) for name in layout.previous]
    wanted += [(cid, report.values.get(cid)) for sheet in layout.tables for cid in sheet.cells
               if not fmt.cells[cid].total]
    wanted += [(f"text.{p.text}", report.texts.get(p.text) or None) for p in fmt.text_parts]
    quoted: dict[int, int] = {}  # style id -> the id of the same style with the quote prefix
    edits: dict[str, list[tuple[int, int, bytes]]] = {}
    for cid, value in wanted:
        if value is None:
            continue
        slot = blank.slots.get(cid)
        if slot is None:
            return None
        xml = _cell(slot, value, blank, quoted)
        if xml is None:
            return None
        edits.setdefault(slot.part, []).append((slot.start, slot.end, xml))
        if cid in blank.text_heights:
            part, start, end = blank.text_heights[cid]
            height = wrapped_height(value, PAGE_WIDTH, minimum=TEXT_MINIMUM_HEIGHT)
            edits.setdefault(part, []).append((start, end, safe_string(height).encode()))
    members = []
    for name, body in blank.members:
        if name in edits:
            body = _spliced(body, edits[name])
        elif name == STYLES and quoted:
            body = _with_quoted_styles(body, blank, quoted)
            if body is None:
                return None
        members.append((name, body))
    return package_bytes(members)


def _cell(slot: _Slot, value, blank: _Blank, quoted: dict[int, int]) -> bytes | None:
    """The cell element openpyxl writes for `set_value(cell, value)` in the slot's cell."""
    if type(value) in (int, float):
        number = "" if math.isnan(value) or math.isinf(value) else "%.16g" % value
        return f'<c r="{slot.ref}" s="{slot.style}" t="n"><v>{number}</v></c>'.encode()
    if not isinstance(value, str):
        return None
    value = cell_text(value)
    style = slot.style
    if not value:
        return f'<c r="{slot.ref}" s="{style}" t="inlineStr"></c>'.encode()
    if formula_like(value):
        style = quoted.setdefault(style, len(blank.xfs) + len(quoted))
    space = ' xml:space="preserve"' if value != value.strip() else ""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return (f'<c r="{slot.ref}" s="{style}" t="inlineStr"><is><t{space}>'.encode()
            + escaped.encode("ascii", "xmlcharrefreplace") + b"</t></is></c>")


def _spliced(body: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    pieces, at = [], 0
    for start, end, xml in sorted(edits):
        pieces += [body[at:start], xml]
        at = end
    pieces.append(body[at:])
    return b"".join(pieces)


def _with_quoted_styles(body: bytes, blank: _Blank, quoted: dict[int, int]) -> bytes | None:
    """The styles part with, after the blank template's cell styles, a copy of each style a
    formula-like text needs with Excel's quote prefix (what `cells.set_value` gives such a cell)."""
    extra = [blank.xfs[style].replace(b'quotePrefix="0"', b'quotePrefix="1"', 1)
             for style, _ in sorted(quoted.items(), key=lambda item: item[1])]
    if any(b'quotePrefix="1"' not in xf for xf in extra):  # not openpyxl's way of writing a style
        return None
    match = _CELL_XFS.search(body)
    count = len(blank.xfs) + len(extra)
    return (body[:match.start()] + b'<cellXfs count="%d">' % count + match.group(2) + b"".join(extra)
            + b"</cellXfs>" + body[match.end():])
