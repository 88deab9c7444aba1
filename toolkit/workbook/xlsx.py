"""A small, fast reader of .xlsx/.xlsm files: sheet names, defined names and cell values.

It reads the package's XML directly (safely, with defusedxml), so it is quick and needs no
spreadsheet library.  It copes with what Excel, WPS and LibreOffice write: shared strings, inline
strings, formula cells with their cached values (and openpyxl's formulas that have none), rich text,
cells without an `r` attribute.  Macros are never run; they are not even read.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass

from defusedxml import ElementTree

from toolkit.layout import parse_a1

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_SINGLE_CELL = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)$")


class XlsxError(Exception):
    """The file is not a workbook this reader can open; the message says why, in Chinese."""


@dataclass(frozen=True)
class RawCell:
    value: object  # None, str, int, float, bool; an error value such as "#VALUE!" is a str
    formula: bool = False  # the cell holds a formula (value is its cached result, None if never calculated)


class XlsxBook:
    def __init__(self, path):
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
            names = set(self._zip.namelist())
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise XlsxError(f"无法打开：不是有效的 Excel 工作簿（.xlsx/.xlsm）（{exc}）") from exc
        self._names = names
        try:
            self._workbook_path = self._office_document()
            self._load_workbook()
        except XlsxError:
            self.close()
            raise
        except Exception as exc:  # a damaged package: any parse error means the same to the user
            self.close()
            raise XlsxError(f"无法读取：工作簿结构已损坏（{type(exc).__name__}: {exc}）") from exc
        self._shared: list[str] | None = None
        self._sheets: dict[str, dict] = {}

    def close(self):
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read(self, name: str) -> bytes:
        try:
            return self._zip.read(name)
        except KeyError as exc:
            raise XlsxError(f"无法读取：工作簿缺少 {name}") from exc
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:  # zlib.error is not among these
            raise XlsxError(f"无法读取：{name} 已损坏（{exc}）") from exc
        except Exception as exc:
            raise XlsxError(f"无法读取：{name} 已损坏（{type(exc).__name__}: {exc}）") from exc

    def _office_document(self) -> str:
        if "_rels/.rels" not in self._names:
            if "xl/workbook.xml" in self._names:
                return "xl/workbook.xml"
            raise XlsxError("无法打开：不是 Excel 工作簿（缺少 xl/workbook.xml）")
        root = ElementTree.fromstring(self._read("_rels/.rels"))
        for rel in root.iter(f"{_PKG_REL}Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                return rel.get("Target").lstrip("/")
        raise XlsxError("无法打开：不是 Excel 工作簿（找不到工作簿部件）")

    def _load_workbook(self):
        base = posixpath.dirname(self._workbook_path)
        rels_path = posixpath.join(base, "_rels", posixpath.basename(self._workbook_path) + ".rels")
        targets = {}
        for rel in ElementTree.fromstring(self._read(rels_path)).iter(f"{_PKG_REL}Relationship"):
            target = rel.get("Target")
            targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(base, target))
            if rel.get("Type", "").endswith("/sharedStrings"):
                self._shared_path = targets[rel.get("Id")]
        root = ElementTree.fromstring(self._read(self._workbook_path))
        pr = root.find(f"{_NS}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        self.sheet_paths = {}
        for sheet in root.iter(f"{_NS}sheet"):
            self.sheet_paths[sheet.get("name")] = targets.get(sheet.get(f"{_REL_NS}id"))
        self.sheet_names = list(self.sheet_paths)
        self.defined_names = {}  # name -> (sheet, row, col), single-cell workbook-level names only
        for dn in root.iter(f"{_NS}definedName"):
            if dn.get("localSheetId") is not None:
                continue
            m = _SINGLE_CELL.match((dn.text or "").strip())
            if m:
                sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
                self.defined_names[dn.get("name")] = (sheet, int(m.group(4)), parse_a1(m.group(3) + "1")[1])

    def _shared_strings(self) -> list[str]:
        if self._shared is None:
            path = getattr(self, "_shared_path", None)
            self._shared = []
            if path and path in self._names:
                for si in ElementTree.fromstring(self._read(path)).iter(f"{_NS}si"):
                    self._shared.append(_text_of(si))
        return self._shared

    def cells(self, sheet: str) -> dict[tuple[int, int], RawCell]:
        """Every non-empty cell of a sheet by (row, col)."""
        if sheet not in self._sheets:
            path = self.sheet_paths.get(sheet)
            if path is None:
                raise XlsxError(f"工作簿中没有工作表“{sheet}”")
            self._sheets[sheet] = self._parse_sheet(self._read(path))
        return self._sheets[sheet]

    def _parse_sheet(self, xml: bytes) -> dict:
        out = {}
        shared = None
        for row in ElementTree.fromstring(xml).iter(f"{_NS}row"):
            r = int(row.get("r", 0)) or (max((k[0] for k in out), default=0) + 1)
            col = 0
            for c in row.iter(f"{_NS}c"):
                ref = c.get("r")
                col = parse_a1(ref)[1] if ref else col + 1
                t = c.get("t", "n")
                f = c.find(f"{_NS}f")
                v = c.find(f"{_NS}v")
                text = v.text if v is not None else None
                if t == "inlineStr":
                    is_ = c.find(f"{_NS}is")
                    value = _text_of(is_) if is_ is not None else None
                elif text is None:
                    value = None
                elif t == "s":
                    if shared is None:
                        shared = self._shared_strings()
                    value = shared[int(text)]
                elif t in ("str", "e"):
                    value = text
                elif t == "b":
                    value = text in ("1", "true")
                else:
                    num = float(text)
                    value = int(num) if num.is_integer() else num
                if value is None and f is None:
                    continue
                out[(r, col)] = RawCell(value, f is not None)
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
