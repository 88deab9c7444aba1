"""A small, fast reader of .xlsx/.xlsm files: sheet names, defined names and cell values.

It reads the package's XML directly, so it is quick and needs no spreadsheet library.  It copes with
what Excel, WPS and LibreOffice write: shared strings, inline strings, formula cells with their cached
values (and openpyxl's formulas that have none), rich text, cells without an `r` attribute.  Macros
are never run; they are not even read.

Two parsers give the same answer.  The scanner (regular expressions over the bytes) reads the XML as
Excel, WPS, LibreOffice and openpyxl write it — every cell `<c r="A1" ...>`, unprefixed elements —
and decodes a cell only when it is asked for; it expands no entity but the predefined and numeric
ones, so it is as safe as defusedxml.  Anything else (namespace prefixes, cells without `r`, single
quotes) goes to the tree parser (defusedxml), which reads any well-formed part.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple

# defusedxml and hashlib are imported where used (the tree parser; the styles' digest): the Excel
# buttons import this module for its cell type and read no package (`import toolkit.excel`, issue 15).

from toolkit.io.intake import RefusedFile, open_package, read_part
from toolkit.core.layout import column_letter, parse_a1

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_SINGLE_CELL = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)$")

# The scanner's patterns (bytes).
# A cell's or a string item's body stops at the next cell or item: where a closing tag is missing, the
# search fails there instead of running to the end of the part for every cell (minutes on a damaged part).
_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"([^>]*?)(?:/>|>([^<]*(?:<(?!/c>|c[\s>/])[^<]*)*)</c>)')
_VALUE = re.compile(rb"<v(?:\s[^>]*)?>(.*?)</v>", re.S)
_TEXT = re.compile(rb"<t(?:\s[^>]*)?>(.*?)</t>", re.S)
_PHONETIC = re.compile(rb"<rPh\b.*?</rPh>", re.S)
# What follows "<si" in an item (the table cut at each "<si"), to its end: attributes, then "/>" or the body.
_STRING_ITEM_REST = re.compile(rb"(?:\s[^>]*)?(?:/>|>([^<]*(?:<(?!/?si[\s>/])[^<]*)*)</si>)")
_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')
_WB_SHEET = re.compile(rb"<sheet\s([^>]*?)/?>")
_WB_NAME = re.compile(rb"<definedName\s([^>]*)>([^<]*)</definedName>")
_WB_PR = re.compile(rb"<workbookPr\s([^>]*?)/?>")
_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot|apos);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
# Characters XML 1.0 does not allow, raw or as a reference such as &#1;: a parser refuses the part, and
# an Excel file written with them (the summary workbook) could not be saved.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_R_NAMESPACE = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


class XlsxError(Exception):
    """The file is not a workbook this reader can open; the message says why, in Chinese."""


CELL_CHARACTERS = 32_767  # the most text an Excel cell holds


class _DamagedCell(ValueError):
    """A cell holds what no spreadsheet program writes; the message says what, in Chinese."""


class RawCell(NamedTuple):
    value: object  # None, str, int, float, bool; an error value such as "#VALUE!" is a str
    formula: bool = False  # the cell holds a formula (value is its cached result, None if never calculated)
    date: bool = False  # a date: a number with a date format (value is Excel's serial number), or t="d" (ISO text)


class XlsxBook:
    def __init__(self, path):
        self.path = path
        try:  # the package is measured and its kind checked before anything is read (toolkit.io.intake)
            self._zip = open_package(path, "xlsx")
        except RefusedFile as exc:
            raise XlsxError(str(exc)) from exc
        self._names = set(self._zip.namelist())
        self._shared: _SharedStrings | None = None
        self._shared_path = None
        self.vba_project_part: str | None = None  # the part the workbook's vbaProject relationship names
        self._styles_path = None
        self._date_styles: frozenset | None = None
        self._sheets: dict[str, Mapping] = {}
        try:
            self._workbook_path = self._office_document()
            self._load_workbook()
        except XlsxError:
            self.close()
            raise
        except Exception as exc:  # a damaged package: any parse error means the same to the user
            self.close()
            raise XlsxError(f"工作簿结构已损坏（{type(exc).__name__}: {exc}）；请让报送单位重新发送") from exc

    def close(self):
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read(self, name: str, label: str = "", shared: bool = False) -> bytes:
        try:
            return read_part(self._zip, name, label, shared)
        except KeyError as exc:
            raise XlsxError(f"工作簿不完整，缺少 {name}；请让报送单位重新发送") from exc
        except RefusedFile as exc:
            raise XlsxError(str(exc)) from exc

    def part(self, name: str) -> bytes | None:
        """A part of the package by its name (e.g. "xl/vbaProject.bin"), None if there is none;
        read with the same guards as the workbook's own parts."""
        return self._read(name) if name in self._names else None

    @property
    def part_names(self) -> frozenset[str]:
        """The names of every part of the package."""
        return frozenset(self._names)

    def part_size(self, name: str) -> int:
        """A part's uncompressed size as the package declares it (checked by toolkit.io.intake)."""
        return self._zip.getinfo(name).file_size

    def _office_document(self) -> str:
        if "_rels/.rels" not in self._names:
            if "xl/workbook.xml" in self._names:
                return "xl/workbook.xml"
            raise XlsxError("无法打开：不是 Excel 工作簿（缺少 xl/workbook.xml）")
        for rel in _relationships(self._read("_rels/.rels", shared=True)):
            if rel.get("Type", "").endswith("/officeDocument"):
                return rel["Target"].lstrip("/")
        raise XlsxError("无法打开：不是 Excel 工作簿（找不到工作簿部件）")

    def _load_workbook(self):
        base = posixpath.dirname(self._workbook_path)
        rels_path = posixpath.join(base, "_rels", posixpath.basename(self._workbook_path) + ".rels")
        targets, self._shared_path, self.vba_project_part, self._styles_path = _targets(
            base, self._read(rels_path, shared=True))
        self.date1904, sheets, self.defined_names = _workbook_parts(self._read(self._workbook_path, shared=True))
        self.sheet_paths = {name: targets.get(rid) for name, rid in sheets}
        self.sheet_names = list(self.sheet_paths)

    def _shared_strings(self) -> "_SharedStrings":
        if self._shared is None:
            path = self._shared_path
            data = self._read(path) if path and path in self._names else b""
            try:
                self._shared = _SharedStrings(data, path)
            except Exception as exc:  # asked for while reading a cell: say which part is damaged
                raise XlsxError(f"{path} 已损坏（{type(exc).__name__}: {exc}）；请让报送单位重新发送") from exc
        return self._shared

    def date_styles(self) -> frozenset:
        """The cell styles (indexes of cellXfs, a cell's s="…") that show a number as a date or time."""
        if self._date_styles is None:
            path = self._styles_path
            if not path or path not in self._names:
                self._date_styles = frozenset()
                return self._date_styles
            # Workbooks made from one template have the same styles part: known by a digest of the
            # bytes read (never by what the package declares about them: a CRC-32 and a size are
            # easily forged to equal another file's), it is parsed once per process
            data = self._read(path, f"工作簿的样式部件（{path}）", shared=True)
            import hashlib

            key = hashlib.blake2b(data, digest_size=32).digest()
            dates = _DATE_STYLES.get(key)
            if dates is None:
                try:
                    dates = _date_styles(data)
                except Exception as exc:
                    raise XlsxError(f"工作簿的样式部件已损坏（{type(exc).__name__}: {exc}），无法分辨日期和数字；请让报送单位重新发送") from exc
                if len(_DATE_STYLES) >= 64:
                    _DATE_STYLES.clear()
                _DATE_STYLES[key] = dates
            self._date_styles = dates
        return self._date_styles

    def cells(self, sheet: str) -> Mapping:
        """Every non-empty cell of a sheet, as a mapping (row, col) -> RawCell."""
        if sheet not in self._sheets:
            path = self.sheet_paths.get(sheet)
            if path is None:
                raise XlsxError(f"工作簿中没有工作表“{sheet}”")
            xml = self._read(path, f"工作表“{sheet}”（{path}）")
            dates = self.date_styles()
            try:
                scanned = _scan_sheet(xml, self._shared_strings, dates, sheet)
                self._sheets[sheet] = scanned if scanned is not None else _parse_sheet_tree(
                    xml, self._shared_strings, dates)
            except XlsxError:
                raise
            except Exception as exc:
                raise XlsxError(f"工作表“{sheet}”已损坏（{type(exc).__name__}: {exc}）；请让报送单位重新发送") from exc
        return self._sheets[sheet]


# --- the scanner --------------------------------------------------------------------------------

def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8")
    if "\r" in text:  # XML normalises line ends in text content
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    bad = _NOT_XML.search(text)
    if bad:
        raise _DamagedCell(f"文字中有 XML 不允许的字符 U+{ord(bad.group()):04X}")
    return text


def _entity(m) -> str:
    name = m.group(1)
    if name[0] == "#":
        return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
    return _ENTITIES[name]


def _string_text(raw: bytes | None) -> str:
    """The text of a string item (<si> or <is>): its <t>, or its rich-text runs, without phonetic runs."""
    if not raw:
        return ""
    if b"<rPh" in raw:
        raw = _PHONETIC.sub(b"", raw)
    text = "".join(_unescape(t) for t in _TEXT.findall(raw))
    if len(text) > CELL_CHARACTERS:  # Excel and WPS never save more: a forged file; its text would fill every message
        raise _DamagedCell(f"文字有 {len(text):,} 个字符，超过 Excel 单元格最多 {CELL_CHARACTERS:,} 个字符的上限，"
                           "不是 Excel 或 WPS 保存的内容")
    return text


def _attributes(raw: bytes) -> dict[str, str]:
    return {k.decode(): _unescape(v) for k, v in _ATTRIBUTE.findall(raw)}


class _SharedStrings:
    """The shared-strings table, each item found and decoded when first asked for.

    The table is cut at each "<si" (one pass, in C) rather than matched item by item up front: a
    workbook's table holds every label of the template, and a reader asks for a dozen of them.  An
    item that is not written as usual sends the whole table to the tree parser."""

    def __init__(self, data: bytes, path: str = ""):
        self._path = path
        if data and b"<sst" not in data:
            self._tree(data)
            return
        self._data = data
        self._items = data.split(b"<si")[1:] if data else []
        self._decoded: list = [None] * len(self._items)

    def _tree(self, data: bytes) -> None:
        from defusedxml import ElementTree

        self._items = [_text_of(si) for si in ElementTree.fromstring(data).iter(f"{_NS}si")]
        self._decoded = self._items

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> str:
        text = self._decoded[index]
        if text is None:
            m = _STRING_ITEM_REST.match(self._items[index])
            if m is None:
                try:
                    self._tree(self._data)
                except Exception as exc:  # as when the table is read up front: say which part is damaged
                    raise XlsxError(f"{self._path} 已损坏（{type(exc).__name__}: {exc}）；请让报送单位重新发送") from exc
                return self._decoded[index]
            text = self._decoded[index] = _string_text(m.group(1))
        return text


@lru_cache(maxsize=16)
def _single_cell_names(names: tuple) -> tuple:
    out = []
    for name, local, text in names:
        if local is not None:
            continue
        m = _SINGLE_CELL.match(text.strip())
        if m:
            sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
            out.append((name, (sheet, int(m.group(4)), _column_number(m.group(3)))))
    return tuple(out)


@lru_cache(maxsize=1024)
def _column_number(letters: str) -> int:
    return parse_a1(letters + "1")[1]


_EMPTY = RawCell(None)  # a cell element with neither value nor formula: as if absent
# Decoded cells by their XML (attributes, body): workbooks made from one template repeat the same
# cells — labels, styles, small numbers — so most cells are decoded once per process.  A few thousand
# do (a template's labels and numbers); the rest are each file's own (its unit's name), so the cache
# is emptied at a size that keeps memory flat over a county's thousands of files.
_DECODED: dict[tuple[bytes, bytes], RawCell] = {}
_DECODED_LIMIT = 8192


class _ScannedSheet(Mapping):
    """A worksheet's cells, each found and decoded when asked for.

    A cell is looked for after the last one found (readers ask in row order, as cells are stored),
    then from the start, with a fast substring search; so a reader asking for 200 of a sheet's 1,000
    cells never touches the other 800."""

    def __init__(self, xml: bytes, start: int, end: int, shared, dates: frozenset = frozenset(), name: str = ""):
        self._xml, self._start, self._end = xml, start, end  # the <sheetData> element is xml[start:end]
        self._shared = shared
        # this workbook's date styles, as they appear among a cell's attributes (the cache of decoded
        # cells is shared by workbooks, whose styles differ); only those the sheet uses at all
        self._dated = tuple(style for style in (b' s="%d"' % i for i in sorted(dates))
                            if xml.find(style, start, end) >= 0)
        self._dated_attrs: dict[bytes, bool] = {}  # a cell's attributes -> whether they name a date style
        self._cursor = start
        self._name = name
        self._plain: dict | None = None  # many(): reference -> (attributes, digits) of the plain numbers

    def _decode(self, attrs: bytes, body: bytes | None, ref: str) -> RawCell:
        try:
            return _decode_cell(attrs, body, self._shared)
        except XlsxError:
            raise
        except Exception as exc:  # a value that is no number, a string that is not there, bytes that are no UTF-8
            why = str(exc) if isinstance(exc, _DamagedCell) else f"{type(exc).__name__}: {exc}"
            raise XlsxError(f"工作表“{self._name}”的单元格 {ref} 已损坏（{why}），"
                            "请在 Excel 或 WPS 中打开该工作簿，检查该单元格后另存，再重新报送") from exc

    def get(self, key, default=None):
        needle = _NEEDLES.get(key)
        if needle is None:
            needle = _needle(*key)
        data = self._xml
        at = data.find(needle, self._cursor, self._end)
        if at < 0:
            at = data.find(needle, self._start, min(self._cursor + len(needle), self._end))
            if at < 0:
                return default
        # the element: <c r="D5" attrs/> or <c r="D5" attrs>body</c> (no ">" in cell attributes)
        gt = data.find(b">", at + len(needle), self._end)
        if gt < 0:
            raise XlsxError(f"工作表“{self._name}”的单元格 {needle[6:-1].decode()} 已损坏；请让报送单位重新发送")
        if data[gt - 1] == 47:  # "/"
            item = (data[at + len(needle):gt - 1], None)
            self._cursor = gt + 1
        else:
            close = data.find(b"</c>", gt, self._end)
            if close < 0:
                raise XlsxError(f"工作表“{self._name}”的单元格 {needle[6:-1].decode()} 已损坏；请让报送单位重新发送")
            item = (data[at + len(needle):gt], data[gt + 1:close])
            self._cursor = close + 4
        cell = _DECODED.get(item)
        if cell is None:
            cell = self._decode(*item, needle[6:-1].decode())
            if b' t="s"' not in item[0]:  # the same XML is the same cell in any workbook, but for shared strings
                if len(_DECODED) >= _DECODED_LIMIT:
                    _DECODED.clear()
                _DECODED[item] = cell
        if cell is _EMPTY:
            return default
        if self._dated and type(cell.value) in (int, float):
            dated = self._dated_attrs.get(item[0])
            if dated is None:
                dated = self._dated_attrs[item[0]] = any(s in item[0] for s in self._dated)
            if dated:
                return cell._replace(date=True)
        return cell

    def many(self, keys) -> list:
        """get() of each key, in order, but a cell holding a plain whole number (the usual figure:
        <c r="D5" s="3"><v>17</v></c>, of type n or none, no formula, no date style) given as the int
        alone: the one case worth a pass of its own, a report being some 200 of them."""
        plain = self._plain
        if plain is None:  # every plain number of the sheet in one pass; the first of a cell given twice
            plain = self._plain = {ref: (attrs, digits) for ref, attrs, digits
                                   in reversed(_PLAIN_NUMBER.findall(self._xml, self._start, self._end))}
        out = []
        dated, get = self._dated, self.get
        for key in keys:
            hit = plain.get(_REFS.get(key) or _ref(*key))
            if hit is not None:
                attrs = hit[0]
                typed = attrs.find(b' t="')
                if (typed < 0 or attrs[typed + 4:typed + 6] == b'n"') and not (dated and any(s in attrs for s in dated)):
                    out.append(int(hit[1]))
                    continue
            out.append(get(key))
        return out

    def __getitem__(self, key):
        cell = self.get(key)
        if cell is None:
            raise KeyError(key)
        return cell

    def __iter__(self):
        for ref, attrs, body in _CELL.findall(self._xml, self._start, self._end):
            if self._decode(attrs, body, ref.decode()) is not _EMPTY:
                yield parse_a1(ref.decode())

    def __len__(self):
        return sum(1 for _ in self)

    def __bool__(self):
        return any(True for _ in self)


_NEEDLES: dict[tuple[int, int], bytes] = {}  # (row, col) -> b'<c r="D5"'
_REFS: dict[tuple[int, int], bytes] = {}  # (row, col) -> b"D5"
# A cell holding a whole number and nothing else (15 digits at most: a double holds them exactly).
_PLAIN_NUMBER = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"([^>]*)><v>([0-9]{1,15})</v></c>')


def _ref(row: int, col: int) -> bytes:
    ref = f"{column_letter(col)}{row}".encode()
    if len(_REFS) < 8192:
        _REFS[(row, col)] = ref
    return ref


def _needle(row: int, col: int) -> bytes:
    needle = f'<c r="{column_letter(col)}{row}"'.encode()
    if len(_NEEDLES) < 8192:
        _NEEDLES[(row, col)] = needle
    return needle


def _decode_cell(attrs: bytes, body: bytes | None, shared) -> RawCell:
    t = b"n"
    at = attrs.find(b' t="')
    if at >= 0:
        t = attrs[at + 4:attrs.find(b'"', at + 4)]
    formula = bool(body) and b"<f" in body
    if t == b"inlineStr":
        value = _string_text(body) if body and b"<is" in body else None
    else:
        if body and body.startswith(b"<v>") and body.endswith(b"</v>") and b"<" not in body[3:-4]:
            text = body[3:-4]  # the usual <v>17</v>
        else:
            v = _VALUE.search(body) if body else None
            text = v.group(1) if v else None
        if t == b"n" and text:
            value = _number(text)
        else:
            value = _typed_value(t.decode(), _unescape(text) if text else None, shared)
    if value is None and not formula:
        return _EMPTY
    return RawCell(value, formula, t == b"d")


def _typed_value(t: str, text: str | None, shared):
    if text is None:
        return None
    if t == "s":
        strings, index = shared(), int(text)
        if not 0 <= index < len(strings):  # a negative index would quietly give another cell's text
            raise _DamagedCell(f"共享字符串表中没有第 {index} 项")
        return strings[index]
    if t == "b":
        return text in ("1", "true")
    if t == "n":
        return _number(text)
    return text  # str (a formula's text result), e (an error such as #VALUE!), d (an ISO date)


def _number(text: str | bytes) -> int | float:
    """A numeric cell's value.  What is no number at all (text, where Excel writes only numbers) is a
    damaged cell; inf and nan (1e999 reads as inf) are passed on, for the reader to refuse as figures."""
    try:
        num = float(text)
    except ValueError:
        raise _DamagedCell(f"数值单元格中是“{text.decode(errors='replace') if isinstance(text, bytes) else text}”")
    return int(num) if num.is_integer() else num


def _scan_sheet(xml: bytes, shared, dates: frozenset = frozenset(), name: str = "") -> _ScannedSheet | None:
    """The cells of a worksheet as Excel, WPS, LibreOffice and openpyxl write it; None if it is
    written some other way (the tree parser then reads it)."""
    start = xml.find(b"<sheetData")
    if start < 0:
        return None
    end = xml.rfind(b"</sheetData>", start)
    if end < 0:
        return None  # <sheetData/> (no cells) or a damaged part: the tree parser tells which
    if xml.count(b"<c", start, end) != xml.count(b'<c r="', start, end):
        return None  # cells without an r attribute, or r not first (or rich text runs with <color> and the like)
    return _ScannedSheet(xml, start, end, shared, dates, name)


def _scan_workbook(data: bytes):
    """(date1904, [(sheet name, relationship id)], [(defined name, localSheetId, text)]) from
    workbook.xml as usually written; None otherwise.  _workbook_parts keeps
    the outcome per workbook.xml."""
    if not data.lstrip().startswith((b"<?xml", b"<workbook")) or b"<workbook" not in data \
            or _R_NAMESPACE not in data:
        return None
    sheets_at = data.find(b"<sheets")
    pr = _WB_PR.search(data, 0, sheets_at if sheets_at >= 0 else len(data))
    date1904 = bool(pr) and _attributes(pr.group(1)).get("date1904") in ("1", "true")
    sheets = []
    for raw in _WB_SHEET.findall(data):
        attrs = _attributes(raw)
        sheets.append((attrs.get("name"), attrs.get("r:id")))
    if data.count(b"<sheet ") != len(sheets) or any(n is None or r is None for n, r in sheets):
        return None
    start, end = data.find(b"<definedNames>"), data.find(b"</definedNames>")
    names = _scan_defined_names(data[start:end]) if 0 <= start < end else ()
    if names is None:
        return None
    return date1904, sheets, names


@lru_cache(maxsize=16)
def _scan_defined_names(block: bytes):
    """The <definedNames> of a workbook as (name, localSheetId, text) items.  Cached: workbooks made
    from the same template have the same names, byte for byte, and there are some 260 of them."""
    names = []
    for raw, text in _WB_NAME.findall(block):
        attrs = _attributes(raw)
        if "name" not in attrs:
            return None
        names.append((attrs["name"], attrs.get("localSheetId"), _unescape(text)))
    if block.count(b"<definedName ") != len(names):
        return None
    return tuple(names)


@lru_cache(maxsize=16)
def _workbook_parts(data: bytes) -> tuple:
    """(date1904, ((sheet name, relationship id), ...), {defined name: (sheet, row, col)}, read-only)
    of a workbook.xml.  Cached: workbooks made from one template have it byte for byte, and the
    package reader gives the same bytes object for it (toolkit.io.intake.read_part, shared)."""
    parts = _scan_workbook(data)
    if parts is None:
        parts = _parse_workbook_tree(data)
    date1904, sheets, names = parts
    return date1904, tuple(sheets), MappingProxyType(dict(_single_cell_names(tuple(names))))


@lru_cache(maxsize=64)
def _targets(base: str, data: bytes) -> tuple:
    """({relationship id: part name}, shared strings part, VBA project part, styles part) from the
    workbook's relationships part (None for a part it does not name)."""
    targets, shared, vba, styles = {}, None, None, None
    for rel in _relationships(data):
        target = rel.get("Target", "")
        rid, kind = rel.get("Id"), rel.get("Type", "")
        targets[rid] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        if kind.endswith("/sharedStrings"):
            shared = targets[rid]
        elif kind.endswith("/vbaProject"):  # where Excel loads the macros from
            vba = targets[rid]
        elif kind.endswith("/styles"):
            styles = targets[rid]
    return MappingProxyType(targets), shared, vba, styles


# --- the tree parser --------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _relationships(data: bytes) -> tuple:
    """Cached: workbooks made from one template have the same relationship parts, byte for byte."""
    from defusedxml import ElementTree

    return tuple(dict(rel.attrib) for rel in ElementTree.fromstring(data).iter(f"{_PKG_REL}Relationship"))


def _parse_workbook_tree(data: bytes):
    from defusedxml import ElementTree

    root = ElementTree.fromstring(data)
    pr = root.find(f"{_NS}workbookPr")
    date1904 = pr is not None and pr.get("date1904") in ("1", "true")
    sheets = [(s.get("name"), s.get(f"{_REL_NS}id")) for s in root.iter(f"{_NS}sheet")]
    names = [(dn.get("name"), dn.get("localSheetId"), dn.text or "") for dn in root.iter(f"{_NS}definedName")]
    return date1904, sheets, names


def _parse_sheet_tree(xml: bytes, shared, dates: frozenset = frozenset()) -> dict:
    from defusedxml import ElementTree

    out = {}
    for row in ElementTree.fromstring(xml).iter(f"{_NS}row"):
        r = int(row.get("r", 0)) or (max((k[0] for k in out), default=0) + 1)
        col = 0
        for c in row.iter(f"{_NS}c"):
            ref = c.get("r")
            col = parse_a1(ref)[1] if ref else col + 1
            t = c.get("t", "n")
            f = c.find(f"{_NS}f")
            if t == "inlineStr":
                is_ = c.find(f"{_NS}is")
                value = _text_of(is_) if is_ is not None else None
            else:
                v = c.find(f"{_NS}v")
                value = _typed_value(t, v.text if v is not None else None, shared)
            if value is None and f is None:
                continue
            style = c.get("s", "")
            date = t == "d" or (type(value) in (int, float) and style.isdigit() and int(style) in dates)
            out[(r, col)] = RawCell(value, f is not None, date)
    return out


def _text_of(node) -> str:
    """The text of a string item: plain <t>, or rich-text runs <r><t>, leaving out phonetic runs."""
    parts = []
    for child in node:
        tag = child.tag
        if tag == f"{_NS}t":
            parts.append(child.text or "")
        elif tag == f"{_NS}r":
            t = child.find(f"{_NS}t")
            if t is not None:
                parts.append(t.text or "")
    return "".join(parts)


# --- date styles --------------------------------------------------------------------------------

# Built-in number formats that show a date or a time: 14-22 everywhere, 27-36 and 50-58 as Chinese
# (and other East Asian) Excel defines them (年月日, 上午/下午 ...), 45-47 minutes and seconds.
DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
# What a format code shows literally, or as colour, locale or condition: "text", [Red], [$-804],
# [DBNum1], \x, _x (a space as wide as x), *x (x repeated).
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_DATE_CODES = re.compile(r"[yYmMdDhHsS]")


def is_date_format(format_id: int, code: str | None = None) -> bool:
    """Whether a number format shows a number as a date or time: a built-in date format, or a
    format code with year, month, day, hour or second letters outside quotes and brackets."""
    if code is None:
        return format_id in DATE_FORMAT_IDS
    shown = _FORMAT_LITERALS.sub("", code)
    return shown.lower() != "general" and bool(_DATE_CODES.search(shown))


_DATE_STYLES: dict[bytes, frozenset] = {}  # BLAKE2b digest of a styles part as read -> its date styles


def _date_styles(data: bytes) -> frozenset:
    """The indexes of cellXfs whose number format is a date or time."""
    from defusedxml import ElementTree

    root = ElementTree.fromstring(data)
    codes = {}
    for fmt in root.iter(f"{_NS}numFmt"):
        if (fmt.get("numFmtId") or "").isdigit():
            codes[int(fmt.get("numFmtId"))] = fmt.get("formatCode") or ""
    xfs = root.find(f"{_NS}cellXfs")
    dates = set()
    for i, xf in enumerate(xfs if xfs is not None else ()):
        raw = xf.get("numFmtId") or "0"
        if raw.isdigit() and is_date_format(int(raw), codes.get(int(raw))):
            dates.add(i)
    return frozenset(dates)
