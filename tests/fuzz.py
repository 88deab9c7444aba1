"""The fuzz test's machinery: real seed files, hypothesis strategies that damage them, and the three
paths the command line takes (check, consolidate, import) run in this process on every mutant.

Used by tests/test_fuzz.py and benchmarks/fuzz_report.py (which runs the same tests and prints the
figures).  Seeds are built by the project's own code: the standard workbook of each format version
filled with a made-up report, the macro-enabled workbook, the same workbook as Excel saves it (shared
strings, cached totals), and the published report `xxgk export` writes (.docx, .html) with its text.

A mutant passes when every path ends in a report or a refusal with a Chinese message naming the file,
within a time limit, and leaves every input byte for byte as it was.  Anything else is a crash or a
hang: the test fails with the mutation's description and the mutant saved to a file.
"""
from __future__ import annotations

import atexit
import contextlib
import csv
import functools
import hashlib
import io
import os
import pickle
import re
import shutil
import signal
import socket
import stat
import tempfile
import time
import traceback
import warnings
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st
from lxml import etree
from rich.console import Console

from toolkit.app.checking import check_file
from toolkit.ui.console import checked_json, print_checked, print_consolidation
from toolkit.core.consolidation import ACCEPTED, REJECTED, consolidate
from toolkit.io.files import atomic_write
from toolkit.app.publishing import import_to_workbook
from toolkit.io.published.export import export_bytes
from toolkit.io.published.text import docx_lines
from toolkit.app.samples import plausible_report
from toolkit.app.submissions import read_submissions
from toolkit.io.workbook import xlsx
from toolkit.io.workbook.macro_workbook import macro_workbook_bytes
from toolkit.io.workbook.reader import read_workbook
from toolkit.io.workbook.summary import summary_bytes
from toolkit.io.workbook.template import template_bytes
from workbooks import MAIN_NS, as_excel_saves, forge_crc
from workbooks import _set_cells as set_cells

YEAR = 2025
TARGET = "2021"
TIME_LIMIT = 10  # seconds for one mutant through all three paths (a few tenths are usual)
FIXED_MTIME = 1_735_689_600  # the inputs' modification time: Submission.modified is part of the result
FAILURES = Path(tempfile.gettempdir()) / "xxgk-fuzz-failures"
CJK = re.compile("[\u4e00-\u9fff]")
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass(frozen=True)
class Seed:
    name: str
    suffix: str
    data: bytes


class Mutant:
    """A damaged file.  Not a dataclass: hypothesis prints a failing example's dataclass field by
    field, the file's bytes too; this prints the mutation in words."""

    def __init__(self, seed: str, suffix: str, kind: str, what: str, data: bytes, stem: str = "mutant",
                 typed: str | None = None, form: str | None = None):
        self.seed, self.suffix, self.data = seed, suffix, data
        self.form = form  # not a file of `data` but a FIFO, a folder, a link loop... (NON_REGULAR_FORMS)
        self.stem = stem  # the file's name less its suffix (non-UTF-8 names: surrogate-escaped bytes)
        self.typed = typed  # formula-like text typed into the workbook, which no output may make a formula
        self.kind = kind  # the family of mutation: raw-zip, member-bytes, xml, part, text
        self.what = what  # the mutation in words, enough to make it again from the seed

    def __repr__(self):
        return f"Mutant({self.seed}: {self.kind}: {self.what}, {len(self.data)} bytes)"


# --- seeds ---------------------------------------------------------------------------------------

def report(unit: str, level: str, version: str, seed: int):
    return plausible_report(unit, level, YEAR, version, seed=seed)


@functools.cache
def seeds() -> dict[str, Seed]:
    r2021, r2019 = report("东河镇", "乡镇", "2021", 1), report("北关街道", "街道", "2019", 2)
    macro = report("西关镇", "乡镇", "2021", 5)
    docx = export_bytes(r2021, "docx")
    out = [
        Seed("2021.xlsx", ".xlsx", template_bytes("2021", r2021)),
        Seed("2019.xlsx", ".xlsx", template_bytes("2019", r2019)),
        Seed("2021.xlsm", ".xlsm", macro_workbook_bytes("2021", macro)),
        Seed("2021-as-excel-saves.xlsx", ".xlsx", as_excel_saves(template_bytes("2021", r2021), r2021)),
        Seed("report.docx", ".docx", docx),
        Seed("report.html", ".html", export_bytes(r2021, "html")),
        Seed("report.txt", ".txt", "\n".join("\t".join(line.cells) if line.row else line.text
                                             for line in docx_lines(docx)).encode("utf-8")),
    ]
    return {s.name: s for s in out}


WORKBOOK_SEEDS = ("2021.xlsx", "2019.xlsx", "2021.xlsm", "2021-as-excel-saves.xlsx")
REPORT_SEEDS = ("report.docx", "report.html", "report.txt")


def good_reports():
    """The two well-filled workbooks every mutant is consolidated with."""
    return [report("西山乡", "乡镇", "2021", 3), report("南湖街道", "街道", "2021", 4)]


# --- zip members ---------------------------------------------------------------------------------

def read_members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(info.filename, z.read(info)) for info in z.infolist()]


def write_members(members) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a duplicated member name is one of the mutations
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, body in members:
                info = zipfile.ZipInfo(name, (2021, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, body)
    return out.getvalue()


@functools.cache
def members_of(seed_name: str) -> tuple[tuple[str, bytes], ...]:
    return tuple(read_members(seeds()[seed_name].data))


def replaced(seed_name: str, name: str, body: bytes) -> bytes:
    return write_members([(n, body if n == name else b) for n, b in members_of(seed_name)])


# --- mutations of bytes --------------------------------------------------------------------------

@st.composite
def damaged_bytes(draw, data: bytes, region: tuple[int, int] | None = None) -> tuple[str, bytes]:
    """Bytes flipped, cut, inserted, deleted or zeroed, at places drawn within `region` (default:
    anywhere)."""
    lo, hi = region or (0, len(data))
    hi = max(lo + 1, min(hi, len(data)))
    at = st.integers(lo, hi - 1)
    how = draw(st.sampled_from(("flip", "truncate", "insert", "delete", "zero")))
    if how == "flip":
        flips = draw(st.lists(st.tuples(at, st.integers(1, 255)), min_size=1, max_size=8))
        out = bytearray(data)
        for i, mask in flips:
            out[i] ^= mask
        return f"bytes flipped at {[i for i, _ in flips]}", bytes(out)
    i = draw(at)
    if how == "truncate":
        return f"cut at byte {i} of {len(data)}", data[:i]
    if how == "insert":
        junk = draw(st.binary(min_size=1, max_size=64))
        return f"{junk!r} inserted at {i}", data[:i] + junk + data[i:]
    n = draw(st.integers(1, 256))
    if how == "delete":
        return f"{n} bytes deleted at {i}", data[:i] + data[i + n:]
    return f"{n} bytes zeroed at {i}", data[:i] + bytes(len(data[i:i + n])) + data[i + n:]


@st.composite
def raw_zip_mutants(draw, seed_names) -> Mutant:
    """The package's own bytes damaged: local headers, compressed data, the central directory."""
    seed = seeds()[draw(st.sampled_from(seed_names))]
    n = len(seed.data)
    region = draw(st.sampled_from(((0, n), (0, 64), (n - 2048, n), (n - 22, n))))
    what, data = draw(damaged_bytes(seed.data, region))
    return Mutant(seed.name, seed.suffix, "raw-zip", what, data)


@st.composite
def member_byte_mutants(draw, seed_names) -> Mutant:
    """One member's uncompressed bytes damaged and the package zipped again: the zip is valid, the
    XML is not."""
    seed = seeds()[draw(st.sampled_from(seed_names))]
    names = [n for n, _ in members_of(seed.name) if not n.endswith((".bin", ".jpeg"))]
    name = draw(st.sampled_from(names))
    body = dict(members_of(seed.name))[name]
    closing = sorted(set(re.findall(rb"</[\w:]+>", body)))
    if closing and draw(st.integers(0, 4)) == 0:  # a writer that forgot a closing tag throughout
        tag = draw(st.sampled_from(closing))
        what, damaged = f"every {tag.decode()} removed", body.replace(tag, b"")
    else:
        what, damaged = draw(damaged_bytes(body))
    return Mutant(seed.name, seed.suffix, "member-bytes", f"{name}: {what}", replaced(seed.name, name, damaged))


# Put into text and attribute values: references to characters XML forbids, references out of range,
# undefined entities, raw control and invalid UTF-8 bytes, escaped markup.
REFERENCES = (b"&#1;", b"&#0;", b"&#x1F;", b"&#xD800;", b"&#xFFFE;", b"&#99999999;", b"&#x110000;", b"&bogus;",
              b"&amp;", b"&#38;", b"\x01", b"\x00", b"\xff", b"\xe4\xb8", b"&#12289;", b"&lt;/t&gt;", b"&#10;",
              b"&#13;", b"&#9;")
_TEXT_SPOTS = re.compile(rb'<(?:w:)?[tv](?: [^>]*)?>|\bname="')


@st.composite
def reference_mutants(draw, seed_names) -> Mutant:
    """A character reference or a raw byte put into the text or a name of one part, zipped again."""
    seed = seeds()[draw(st.sampled_from(seed_names))]
    members = dict(members_of(seed.name))
    names = [n for n, body in members.items() if _TEXT_SPOTS.search(body)]
    name = draw(st.sampled_from(names))
    body = members[name]
    spots = [m.end() for m in _TEXT_SPOTS.finditer(body)]
    at, reference = draw(st.sampled_from(spots)), draw(st.sampled_from(REFERENCES))
    return Mutant(seed.name, seed.suffix, "references", f"{name}: {reference!r} put at {at}",
                  replaced(seed.name, name, body[:at] + reference + body[at:]))


# --- mutations of the XML ------------------------------------------------------------------------

# What a cell's <v> can be made to hold: text, huge, negative, fractional, boolean, error values,
# numbers as text, shared-string indexes out of range, things no parser expects.
VALUES = ("十七", "17件", "１２", "1,136", "abc", "", " ", "-3", "-0", "2.5", "0.1", "1e308", "1e309", "-1e309",
          "9" * 400, "1E+15", "NaN", "inf", "-inf", "TRUE", "FALSE", "true", "1", "0", "#REF!", "#DIV/0!",
          "#VALUE!", "#N/A", "2025-01-15", "2025-01-15T00:00:00", "45672", "99999999", "-99999999",
          "65536", "4294967296", "0x10", "1_000", "٣", "&amp;", "<", "\u3000", "\x7f", "＝SUM(A1)",
          "[/b]", "'", '"', "\\", "%s", "{0}")
CELL_TYPES = ("s", "b", "e", "str", "inlineStr", "d", "n", "x", "")
# What a defined name can be made to point at.
NAME_TEXTS = ("#REF!", "'单位信息'!$Z$999", "'不存在'!$A$1", "", "单位信息!A1:B2", "'表三 依申请公开'!$D$1048577",
              "'表三 依申请公开'!$XFE$5", "'''单位信息'!$B$3", "表三 依申请公开!$D$5", "1+1", "'单位信息'!$B$0",
              # single cells a name can be redirected to (R-NAME-MISPLACED): another sheet, far right, a neighbour's
              "'填报说明'!$Z$99", "'表三 依申请公开'!$AZ$5", "'表三 依申请公开'!$E$5")
REFS = ("A0", "A", "1", "", "a1", "ZZZZ1", "XFD1048577", "A1048577", "AAA99999999", "$D$5", "D5:E6", "Ａ1",
        "A-1", "A01")


def any_value():
    return st.one_of(st.sampled_from(VALUES), st.text(max_size=20),
                     st.integers(-10**20, 10**20).map(str),
                     st.floats(allow_nan=True, allow_infinity=True).map(repr))


def _clean(text: str) -> str:
    """Text lxml can store in XML (it refuses control characters and lone surrogates)."""
    return "".join(ch for ch in text if ch in "\t\n\r" or (" " <= ch and not 0xD800 <= ord(ch) <= 0xDFFF
                                                          and ch not in "\ufffe\uffff"))


def _xml(body: bytes):
    return etree.fromstring(body, etree.XMLParser(remove_blank_text=False, huge_tree=True))


def _out(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


@st.composite
def element_edit(draw, root, ns: str, what_cells: str = "c") -> str:
    """Edit one element of a parsed part in place; returns the edit in words."""
    elements = [e for e in root.iter() if isinstance(e.tag, str) and e is not root]
    cells = [e for e in elements if e.tag == _q(ns, what_cells)]
    how = draw(st.sampled_from(("remove", "duplicate", "attribute", "text", "move") +
                               (("cell",) * 4 if cells and ns == MAIN_NS else ())))
    if how == "cell":
        return draw(cell_edit(cells))
    el = draw(st.sampled_from(elements))
    name = etree.QName(el).localname
    parent = el.getparent()
    if how == "remove":
        parent.remove(el)
        return f"<{name}> #{elements.index(el)} removed"
    if how == "duplicate":
        copies = draw(st.sampled_from((1, 1, 1, 2, 50, 3000)))  # many copies: a part no longer small
        for _ in range(copies):
            parent.insert(parent.index(el), _copy(el))
        return f"<{name}> #{elements.index(el)} duplicated {copies} times"
    if how == "move":
        target = draw(st.sampled_from(elements))
        if target is el or el in target.iterancestors():
            return "nothing moved"
        parent.remove(el)
        target.append(el)
        return f"<{name}> moved into <{etree.QName(target).localname}>"
    if how == "attribute" and el.attrib:
        key = draw(st.sampled_from(sorted(el.attrib)))
        if draw(st.booleans()):
            del el.attrib[key]
            return f"<{name}> lost attribute {key}"
        value = _clean(draw(any_value()))
        el.set(key, value)
        return f"<{name}> {key}={value!r}"
    value = _clean(draw(any_value()))
    el.text = value
    return f"<{name}> text {value!r}"


def _copy(el):
    return etree.fromstring(etree.tostring(el))


@st.composite
def cell_edit(draw, cells) -> str:
    """A worksheet cell's reference, type, style or value changed, or its value removed."""
    filled = [c for c in cells if len(c)]  # with a value, a formula or text: most of them the report's
    c = draw(st.sampled_from(filled if filled and draw(st.integers(0, 3)) else cells))
    ref = c.get("r", "?")
    how = draw(st.sampled_from(("r", "t", "t", "s", "v", "v", "v", "no-v", "formula", "remove-attr")))
    v = c.find(_q(MAIN_NS, "v"))
    if how == "r":
        new = draw(st.one_of(st.sampled_from(REFS), st.sampled_from([x.get("r", "") for x in cells])))
        c.set("r", new)
        return f"cell {ref}: r={new!r}"
    if how == "t":
        new = draw(st.sampled_from(CELL_TYPES))
        c.set("t", new)
        return f"cell {ref}: t={new!r}"
    if how == "s":
        new = draw(st.sampled_from(("999", "-1", "x", "", "0")))
        c.set("s", new)
        return f"cell {ref}: s={new!r}"
    if how == "remove-attr":
        key = draw(st.sampled_from(("r", "t", "s")))
        c.attrib.pop(key, None)
        return f"cell {ref}: no {key}"
    if how == "no-v":
        if v is not None:
            c.remove(v)
        return f"cell {ref}: <v> removed"
    if how == "formula":
        if c.find(_q(MAIN_NS, "f")) is None:
            f = etree.Element(_q(MAIN_NS, "f"))
            f.text = "SUM(A1:A2)"
            c.insert(0, f)
        if v is not None and draw(st.booleans()):
            c.remove(v)
            return f"cell {ref}: a formula, no value"
        return f"cell {ref}: a formula"
    value = _clean(draw(any_value()))
    if v is None:
        for inline in c.findall(_q(MAIN_NS, "is")):
            c.remove(inline)
        v = etree.SubElement(c, _q(MAIN_NS, "v"))
    v.text = value
    if draw(st.booleans()):
        c.set("t", draw(st.sampled_from(CELL_TYPES)))
    return f"cell {ref}: <v>{value!r}</v> t={c.get('t')!r}"


@st.composite
def workbook_edit(draw, root) -> str:
    """workbook.xml: sheets and defined names renamed, removed, duplicated, pointed elsewhere."""
    sheets = root.findall(f".//{_q(MAIN_NS, 'sheet')}")
    names = root.findall(f".//{_q(MAIN_NS, 'definedName')}")
    how = draw(st.sampled_from(("sheet-rename", "sheet-remove", "sheet-duplicate", "sheet-rid", "name-rename",
                                "name-remove", "name-duplicate", "name-text", "name-local", "names-remove",
                                "date1904", "element")))
    kind, _, change = how.partition("-")
    group = {"sheet": sheets, "name": names}.get(kind)
    if group:
        el = draw(st.sampled_from(group))
        label = f"{'sheet' if kind == 'sheet' else 'defined name'} {el.get('name')!r}"
        if change == "rename":
            extra = ["Sheet1", "", "'", "表三", "x" * 300] if kind == "sheet" else ["", "x"]
            new = draw(st.one_of(st.sampled_from([x.get("name") for x in group] + extra),
                                 st.text(max_size=12).map(_clean)))
            el.set("name", new)
            return f"{label} renamed {new!r}"
        if change == "remove":
            el.getparent().remove(el)
            return f"{label} removed"
        if change == "duplicate":
            el.getparent().append(_copy(el))
            return f"{label} duplicated"
        if change == "rid":
            el.set(R_ID, draw(st.sampled_from(("rId99", "", "rId1", "rId0"))))
            return f"{label} r:id={el.get(R_ID)!r}"
        if change == "local":
            el.set("localSheetId", draw(st.sampled_from(("0", "99", "-1", "x"))))
            return f"{label} made local"
        el.text = draw(st.one_of(st.sampled_from(NAME_TEXTS), st.text(max_size=20).map(_clean)))
        return f"{label} -> {el.text!r}"
    if how == "names-remove":
        for block in root.findall(_q(MAIN_NS, "definedNames")):
            root.remove(block)
        return "every defined name removed"
    if how == "date1904":
        pr = root.find(_q(MAIN_NS, "workbookPr"))
        if pr is not None:
            pr.set("date1904", draw(st.sampled_from(("1", "true", "x"))))
        return "date1904 set"
    return draw(element_edit(root, MAIN_NS))


@st.composite
def xml_mutants(draw, seed_names) -> Mutant:
    """A part parsed, one thing in it changed, written back: well-formed XML that says something else."""
    seed = seeds()[draw(st.sampled_from(seed_names))]
    members = dict(members_of(seed.name))
    if seed.suffix == ".docx":
        name = draw(st.sampled_from(["word/document.xml"] * 6 + ["word/_rels/document.xml.rels", "_rels/.rels",
                                                                   "[Content_Types].xml", "word/numbering.xml"]))
        root = _xml(members[name])
        what = draw(docx_edit(root) if name == "word/document.xml" else element_edit(root, ""))
    else:
        sheets = [n for n in members if n.startswith("xl/worksheets/sheet")]
        choices = sheets * 3 + ["xl/workbook.xml"] * 4 + ["xl/_rels/workbook.xml.rels", "_rels/.rels"]
        if "xl/sharedStrings.xml" in members:
            choices += ["xl/sharedStrings.xml"] * 2
        name = draw(st.sampled_from(choices))
        root = _xml(members[name])
        edits = []
        for _ in range(draw(st.integers(1, 3))):  # a few changes together: two huge figures make a sum overflow
            if name == "xl/workbook.xml":
                edits.append(draw(workbook_edit(root)))
            else:
                edits.append(draw(element_edit(root, MAIN_NS, "si" if name.endswith("sharedStrings.xml") else "c")))
        what = "; ".join(edits)
    return Mutant(seed.name, seed.suffix, "xml", f"{name}: {what}", replaced(seed.name, name, _out(root)))


@st.composite
def docx_edit(draw, root) -> str:
    """word/document.xml: a table cell's text, spans and merges, or any element changed."""
    texts = root.findall(f".//{_q(W_NS, 't')}")
    cells = root.findall(f".//{_q(W_NS, 'tcPr')}")
    how = draw(st.sampled_from(("text", "text", "span", "merge", "element", "element")))
    if how == "text" and texts:
        t = draw(st.sampled_from(texts))
        old, t.text = t.text, _clean(draw(any_value()))
        return f"text {old!r} -> {t.text!r}"
    if how in ("span", "merge") and cells:
        pr = draw(st.sampled_from(cells))
        tag = "gridSpan" if how == "span" else "vMerge"
        el = pr.find(_q(W_NS, tag))
        if el is None:
            el = etree.SubElement(pr, _q(W_NS, tag))
        value = draw(st.sampled_from(("0", "-1", "99", "2", "x", "", "restart", "continue")))
        el.set(_q(W_NS, "val"), value)
        return f"table cell {tag}={value!r}"
    return draw(element_edit(root, W_NS))


# --- parts removed or renamed --------------------------------------------------------------------

@st.composite
def part_mutants(draw, seed_names) -> Mutant:
    """A part removed, renamed, duplicated, emptied or replaced by another part."""
    seed = seeds()[draw(st.sampled_from(seed_names))]
    members = list(members_of(seed.name))
    names = [n for n, _ in members]
    key = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "_rels/.rels", "xl/sharedStrings.xml",
           "word/document.xml", "word/_rels/document.xml.rels", "[Content_Types].xml")
    name = draw(st.sampled_from([n for n in names if n in key or "worksheets/sheet" in n] * 3 + names))
    how = draw(st.sampled_from(("remove", "rename", "duplicate", "empty", "swap")))
    if how == "remove":
        out = [(n, b) for n, b in members if n != name]
    elif how == "rename":
        new = draw(st.sampled_from((name.upper(), name + ".bak", "/" + name, name.replace("/", "\\"),
                                    "old/" + name, name.replace(".xml", ".XML"))))
        out, how = [(new if n == name else n, b) for n, b in members], f"renamed {new!r}"
    elif how == "duplicate":
        other = draw(st.sampled_from(names))
        out, how = members + [(name, dict(members)[other])], f"duplicated (second copy holds {other})"
    elif how == "empty":
        out = [(n, b"" if n == name else b) for n, b in members]
    else:
        other = draw(st.sampled_from(names))
        out, how = [(n, dict(members)[other] if n == name else b) for n, b in members], f"replaced by {other}"
    return Mutant(seed.name, seed.suffix, "part", f"{name}: {how}", write_members(out))


# --- a styles part forged to another file's checksum ------------------------------------------------

FORGED_FORMATS = (b"0", b"1", b"14", b"22", b"58", b"164", b"165")  # 14, 22, 58, 164 (yyyy-mm-dd): dates
_XF = re.compile(rb'<xf numFmtId="(\d+)"')
_NUMBER_STYLE = re.compile(rb'<c r="[A-Z]+[0-9]+" s="(\d+)"(?: t="n")?><v>')


@functools.cache
def good_styles() -> bytes:
    """The styles part of the good workbooks every mutant is consolidated with."""
    r = good_reports()[0]
    return dict(read_members(template_bytes(r.format, r)))["xl/styles.xml"]


@st.composite
def forged_checksum_mutants(draw, seed_names=("2021.xlsx", "2021-as-excel-saves.xlsx", "2021.xlsm")) -> Mutant:
    """A workbook whose styles part shows numbers as dates, or dates as numbers, where the good
    workbooks' does not, forged to the CRC-32 and size of theirs by changing font names only: read
    between them, it must not change how they are read, nor they how it is."""
    seed = seeds()[draw(st.sampled_from(seed_names))]
    members = dict(members_of(seed.name))
    target = good_styles()
    body = target.replace("<name val=\"宋体\"/>".encode(), b'<name val="SimSun"/>')  # same length
    start = body.index(b"<cellXfs")
    xfs = [m for m in _XF.finditer(body) if m.start() > start]
    used = {int(x) for n, b in members.items() if n.startswith("xl/worksheets/") for x in _NUMBER_STYLE.findall(b)}
    choices = [i for i in range(len(xfs)) if i in used] * 3 + list(range(len(xfs)))
    changes = {}
    for _ in range(draw(st.integers(1, 3))):
        changes[draw(st.sampled_from(choices))] = draw(st.sampled_from(FORGED_FORMATS))
    for i in sorted(changes, reverse=True):
        body = body[:xfs[i].start(1)] + changes[i] + body[xfs[i].end(1):]
    name = b"Calibri" + b"a" * 16
    body = body.replace(b'<name val="Calibri"/>', b'<name val="' + name[:7 + len(target) - len(body)] + b'"/>', 1)
    spans = [(m.start(1), m.end(1)) for m in re.finditer(rb'<name val="([A-Za-z]+)"/>', body)]
    forged = forge_crc(body, zlib.crc32(target), spans)
    assert len(forged) == len(target)
    what = ", ".join(f"style {i} numFmtId={v.decode()}" for i, v in sorted(changes.items()))
    out = [(n, forged if n == "xl/styles.xml" else b) for n, b in members_of(seed.name)]
    return Mutant(seed.name, seed.suffix, "forged-checksum", f"xl/styles.xml: {what}; CRC-32 and size forged",
                  write_members(out))


# --- mutations of a published report's text ------------------------------------------------------

@st.composite
def text_mutants(draw, seed_names=("report.html", "report.txt")) -> Mutant:
    """The text of a published report (web page or plain text) edited as copying and pasting does:
    lines lost, doubled or swapped, numbers replaced, junk typed in, tags and spans broken, another
    encoding."""
    seed = seeds()[draw(st.sampled_from(seed_names))]
    text = seed.data.decode("utf-8")
    lines = text.split("\n")
    how = draw(st.sampled_from(("drop-lines", "duplicate-line", "swap-lines", "number", "number", "insert",
                                "truncate", "encoding", "tag", "span", "bytes", "long-line")))
    at = st.integers(0, len(lines) - 1)
    if how == "drop-lines":
        i, n = draw(at), draw(st.integers(1, 40))
        lines[i:i + n], what = [], f"lines {i}..{i + n} removed"
    elif how == "duplicate-line":
        i = draw(at)
        lines.insert(i, lines[i])
        what = f"line {i} doubled"
    elif how == "swap-lines":
        i, j = draw(at), draw(at)
        lines[i], lines[j], what = lines[j], lines[i], f"lines {i} and {j} swapped"
    elif how == "number":
        numbers = list(re.finditer(r"\d+(?:\.\d+)?", text))
        m = draw(st.sampled_from(numbers))
        value = draw(any_value())
        text, what = text[:m.start()] + value + text[m.end():], f"number {m.group()!r} at {m.start()} -> {value!r}"
        lines = text.split("\n")
    elif how == "long-line":  # a page whose paragraphs lost their breaks: one line of thousands of characters
        i, n = draw(at), draw(st.integers(2, 300))
        piece = draw(st.sampled_from((lines[i], "2020年", "一、", "（一）", "1 ", "行政许可", "信息公开")))
        lines[i], what = (piece.strip() or "2020年") * n if len(piece) < 40 else piece * min(n, 60), f"line {i} made long"
    elif how == "insert":
        i, junk = draw(at), draw(st.text(max_size=40))
        lines.insert(i, junk)
        what = f"line {junk!r} inserted at {i}"
    elif how == "truncate":
        i = draw(st.integers(0, len(text)))
        lines, what = text[:i].split("\n"), f"cut at character {i}"
    elif how == "tag":
        tags = list(re.finditer(r"</?[a-zA-Z][^>]*>", text))
        if not tags:
            return Mutant(seed.name, seed.suffix, "text", "nothing changed", seed.data)
        m = draw(st.sampled_from(tags))
        new = draw(st.sampled_from(("", "<", "<table>", "<td>", "</tr>", m.group() * 2, "<br>", "<!--")))
        text, what = text[:m.start()] + new + text[m.end():], f"tag {m.group()!r} at {m.start()} -> {new!r}"
        lines = text.split("\n")
    elif how == "span":
        value = draw(st.sampled_from(("0", "-1", "99", "x", "", "1e9", "2")))
        attr = draw(st.sampled_from(("colspan", "rowspan")))
        n = draw(st.integers(0, 40))
        text, count = re.subn(r"<td", f'<td {attr}="{value}"', text, count=n)
        lines, what = text.split("\n"), f'{count} cells given {attr}="{value}"'
    else:
        data = "\n".join(lines).encode("utf-8")
        if how == "encoding":
            codec = draw(st.sampled_from(("gbk", "utf-16", "utf-8-sig", "big5", "latin-1")))
            data = "\n".join(lines).encode(codec, errors="replace")
            what = f"written as {codec}"
        else:
            what, data = draw(damaged_bytes(data))
        return Mutant(seed.name, seed.suffix, "text", what, data)
    data = "\n".join(lines).encode("utf-8", errors="surrogatepass")
    return Mutant(seed.name, seed.suffix, "text", what, data)


# --- what a unit types and how its file is named ------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_PAYLOADS = ('HYPERLINK("http://example.com/x","点击")', "cmd|' /C calc'!A0", "1+1镇", "SUM(A1:A9)", "2+5",
                    "A1", "镇", "@SUM(1)", "=1", "'x", "")


@st.composite
def formula_text_mutants(draw) -> Mutant:
    """The 2021 workbook with a unit name (and the first text part) typed as text that begins like a
    formula: = + - @ TAB CR, then a classic payload or drawn text."""
    seed = seeds()["2021.xlsx"]
    body = draw(st.sampled_from(FORMULA_PAYLOADS) | st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                                                          min_size=1, max_size=20))
    typed = draw(st.sampled_from(FORMULA_STARTS)) + body + draw(st.sampled_from(("", "镇", " 街道")))
    if not typed.strip(" \t\r=+-@'"):
        typed += "镇"
    escaped = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    members = []
    for name, data in members_of(seed.name):
        if name.startswith("xl/worksheets/"):
            data = data.replace("<t>东河镇</t>".encode(), f'<t xml:space="preserve">{escaped}</t>'.encode())
        members.append((name, data))
    return Mutant(seed.name, seed.suffix, "formula-text", f"unit typed as {typed!r}", write_members(members),
                  typed=typed)


@st.composite
def non_utf8_name_mutants(draw) -> Mutant:
    """A seed, or a damaged one, named in bytes that are not UTF-8: GBK (a zip made on Chinese Windows,
    unpacked on Linux) or any bytes."""
    mutant = draw(st.sampled_from(WORKBOOK_SEEDS + REPORT_SEEDS).map(lambda n: Mutant(n, seeds()[n].suffix, "seed", "as it is", seeds()[n].data))
                  | workbook_mutants() | report_mutants())
    gbk = st.sampled_from(("东河镇", "南湖镇 2025年报", "泽曲镇年报", "县民政局（修改后）", "丂")).map(lambda t: t.encode("gbk"))
    raw = draw(gbk | st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b and b"\0" not in b
                                                                    and b not in (b".", b"..")))
    if not any(byte >= 0x80 for byte in raw):
        raw += b"\xd6\xd0"
    stem = os.fsdecode(raw)
    return Mutant(mutant.seed, mutant.suffix, "non-utf8-name", f"{mutant.what}, named {raw!r}", mutant.data, stem=stem)


def _formulas(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [f.decode() for n in z.namelist() if n.startswith("xl/worksheets/")
                for f in re.findall(rb"<f[^>]*>(.*?)</f>", z.read(n), re.S)]


@functools.cache
def _template_formulas() -> Counter:
    return Counter(_formulas(template_bytes(TARGET)))


def run_text_case(mutant: Mutant) -> None:
    """A mutant through check, consolidate and import, then its consolidation written (summary and
    long CSV): no formula carries what was typed, no CSV cell begins like a formula, and a
    non-UTF-8 file name is shown readably, on 报送情况 too."""
    from toolkit.core.input_text import readable
    from toolkit.io.long_table import write_long
    from toolkit.io.workbook import streamed

    run_case(mutant)
    with guarded(mutant, "text", TIME_LIMIT) as (path, goods, root):
        result = consolidate(read_submissions([goods[0], path], TARGET, None, jobs=1), YEAR, TARGET,
                             unit=mutant.typed or "某县", date="2026-01-20")
        data = summary_bytes(result)
        leaked = Counter(_formulas(data)) - _template_formulas()  # the template's own only
        if leaked:
            raise Crash(f"formulas not of the template in the summary (typed: {mutant.typed!r}): {list(leaked)[:3]}")
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            texts = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")).decode("utf-8")
        if streamed.text(path.name) not in texts:  # as the streamed sheets write text
            raise Crash(f"the file {readable(path.name)!r} is not named on 报送情况")
        long = write_long(root / "long.csv", result, force=True)
        with long.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        bad = [v for row in rows[1:] for v in row[:-1] if v[:1] in FORMULA_STARTS]
        if bad:
            raise Crash(f"CSV cells beginning like a formula: {bad[:3]}")


# --- what is not a file, and texts too long to show ------------------------------------------------

NON_REGULAR_FORMS = ("fifo", "device", "socket", "folder", "link-loop", "dangling-link")


@st.composite
def non_regular_mutants(draw) -> Mutant:
    """A path named like a workbook or a report that is no regular file: a named pipe, a link to
    /dev/zero, a Unix socket, a folder, a link to itself, a link to nothing."""
    form = draw(st.sampled_from(NON_REGULAR_FORMS))
    suffix = draw(st.sampled_from((".xlsx", ".xlsm", ".docx", ".html", ".txt", ".pdf")))
    return Mutant(form, suffix, "non-regular", f"a {form} named *{suffix}", b"", form=form)


LONG_TEXT_PLACES = {"unit": ("单位信息", "B3"), "count": ("表三 依申请公开", "D5"), "filler": ("单位信息", "B6")}


@st.composite
def long_text_mutants(draw) -> Mutant:
    """The 2021 workbook with a long text typed into the unit name, a count cell or another field:
    up to the 32,767 characters a cell can hold, or beyond (which no Excel writes)."""
    length = draw(st.sampled_from((201, 5_000, 32_767, 32_768, 200_000)) | st.integers(150, 40_000))
    piece = draw(st.sampled_from(("东", "1", "a ", "十七", "\u3000", "&amp;", "1,")))
    place = draw(st.sampled_from(sorted(LONG_TEXT_PLACES)))
    text = piece * length
    seed = seeds()["2021.xlsx"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "long.xlsx")
        path.write_bytes(seed.data)
        sheet, ref = LONG_TEXT_PLACES[place]
        set_cells(path, sheet, {ref: ("inlineStr", f'<is><t xml:space="preserve">{text}</t></is>')})
        data = path.read_bytes()
    return Mutant(seed.name, seed.suffix, "long-text", f"{place} {ref} holds {piece!r} × {length}", data)


def run_long_text_case(mutant: Mutant) -> None:
    """run_case, then what check shows of the file: each message, and the whole terminal output,
    short whatever the length of the text (it is quoted cut, with its length)."""
    run_case(mutant)
    with guarded(mutant, "long", TIME_LIMIT) as (path, goods, root):
        checked = check_file(path)
        shown = io.StringIO()
        print_checked(Console(file=shown, width=120), checked)
        longest = max([len(f.message) for f in checked.findings] + [len(checked.unreadable or "")])
        if longest > 1_000 or len(shown.getvalue()) > 20_000:
            raise Crash(f"{longest} characters in a message, {len(shown.getvalue())} on the terminal")


def workbook_mutants() -> st.SearchStrategy[Mutant]:
    return st.one_of(raw_zip_mutants(WORKBOOK_SEEDS), member_byte_mutants(WORKBOOK_SEEDS),
                     reference_mutants(WORKBOOK_SEEDS), xml_mutants(WORKBOOK_SEEDS), part_mutants(WORKBOOK_SEEDS))


def docx_mutants() -> st.SearchStrategy[Mutant]:
    docx = ("report.docx",)
    return st.one_of(raw_zip_mutants(docx), member_byte_mutants(docx), reference_mutants(docx), xml_mutants(docx),
                     part_mutants(docx))


def report_mutants() -> st.SearchStrategy[Mutant]:
    return docx_mutants() | text_mutants()


# --- running a mutant through check, consolidate and import --------------------------------------

class Hang(BaseException):
    """A path took longer than TIME_LIMIT (a BaseException: no `except Exception` may swallow it)."""


class Crash(AssertionError):
    """A mutant made a path fail other than with a report or a clear refusal."""


@dataclass
class Tally:
    cases: int = 0
    by_kind: Counter = field(default_factory=Counter)  # mutation family -> cases
    by_seed: Counter = field(default_factory=Counter)  # seed file -> cases
    distinct: set = field(default_factory=set)  # digests of the mutants (a mutation may give what another gave)
    outcomes: Counter = field(default_factory=Counter)  # (path, "report" | "refused") -> cases
    refusals: Counter = field(default_factory=Counter)  # (path, message less file name and details) -> cases
    crashes: dict = field(default_factory=dict)  # the mutant's digest -> failure message
    hangs: dict = field(default_factory=dict)
    seconds: float = 0.0
    summaries_written: int = 0
    cli_cases: int = 0
    cli_exits: Counter = field(default_factory=Counter)  # (command, exit code) -> runs
    keep_going: bool = False  # benchmarks/fuzz_report.py counts failures instead of stopping at the first


TALLY = Tally()
_SUMMARIES: set[bytes] = set()  # consolidations whose summary workbook was written (identical ones write alike)


@contextlib.contextmanager
def time_limit(seconds: float):
    def alarm(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _digest(path: Path) -> str:
    mode = os.lstat(path).st_mode
    if not stat.S_ISREG(mode):  # a FIFO, a link, a folder (non-regular mutants): what it is, unread
        return f"{stat.S_IFMT(mode)} {os.readlink(path) if stat.S_ISLNK(mode) else ''}"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _make(path: Path, mutant: Mutant) -> None:
    """The mutant at `path`: its bytes, or the non-regular thing it is (whatever was there before gone:
    writing to a FIFO left by the previous case would wait for ever)."""
    if os.path.lexists(path):
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    if mutant.form is None:
        path.write_bytes(mutant.data)
        os.utime(path, (FIXED_MTIME, FIXED_MTIME))
    elif mutant.form == "fifo":
        os.mkfifo(path)
    elif mutant.form == "device":
        os.symlink("/dev/zero", path)  # never ends
    elif mutant.form == "socket":
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(path))
    elif mutant.form == "folder":
        path.mkdir()
        (path / "[Content_Types].xml").write_bytes(b"<Types/>")  # an unzipped workbook, say
    elif mutant.form == "link-loop":
        os.symlink(path.name, path)
    elif mutant.form == "dangling-link":
        os.symlink(f"gone{mutant.suffix}", path)


def _shown(message: str, name: str) -> str:
    """A refusal message as counted: without the file name and the parser's details in brackets."""
    message = message.replace(f"“{name}”：", "").replace(name, "…")
    return re.sub(r"（[^（）]*(?:（[^（）]*）[^（）]*)*）", "（…）", message)[:90]


def _refused(path: str, message: str, name: str) -> None:
    if not message or not CJK.search(message):
        raise Crash(f"{path}: the refusal is not a Chinese message: {message!r}")
    if name not in message:
        raise Crash(f"{path}: the refusal does not name the file {name}: {message!r}")
    TALLY.outcomes[(path, "refused")] += 1
    TALLY.refusals[(path, _shown(message, name))] += 1


@functools.cache
def _folders() -> tuple[Path, list[Path]]:
    """A work folder, and the good workbooks written once into it."""
    root = Path(tempfile.mkdtemp(prefix="xxgk-fuzz-"))
    atexit.register(shutil.rmtree, root, True)
    (root / "good").mkdir()
    goods = []
    for r in good_reports():
        path = root / "good" / f"{r.unit}.xlsx"
        path.write_bytes(template_bytes(r.format, r))
        os.utime(path, (FIXED_MTIME, FIXED_MTIME))
        goods.append(path)
    _GOODS_ALONE[:] = read_submissions(goods, TARGET, None, jobs=1)  # before any mutant is read
    return root, goods


_GOODS_ALONE: list = []  # the good workbooks as read on their own


CASE_MEMORY = 2 << 30  # bytes of resident memory one case may reach (a few hundred MB are usual)
_CLEAR_REFS, _STATUS = Path("/proc/self/clear_refs"), Path("/proc/self/status")


def _reset_peak_memory() -> None:
    """Linux: the peak resident size (VmHWM) starts again from now ("5" to clear_refs)."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        pass


def _peak_memory() -> int | None:
    """Bytes of the process's peak resident size since the reset, where the system says (Linux)."""
    try:
        line = next(x for x in _STATUS.read_text().splitlines() if x.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return None
    return int(line.split()[1]) * 1024


@contextlib.contextmanager
def guarded(mutant: Mutant, folder: str, seconds: float):
    """Write the mutant beside the good workbooks and yield (its path, the good workbooks, the work
    folder); what runs inside must end within `seconds` and leave every input as it was.  A failure
    is recorded in TALLY and raised as Crash (with the mutant saved to a file) unless keep_going."""
    root, goods = _folders()
    case = root / folder
    case.mkdir(exist_ok=True)
    path = case / f"{mutant.stem}{mutant.suffix}"
    _make(path, mutant)
    inputs = [path, *goods]
    before = {p: _digest(p) for p in inputs}
    start = time.perf_counter()
    try:
        _reset_peak_memory()
        with time_limit(seconds):
            yield path, goods, root
        changed = [p.name for p in inputs if _digest(p) != before[p]]
        if changed:
            raise Crash(f"inputs modified: {changed}")
        peak = _peak_memory()
        if peak is not None and peak > CASE_MEMORY:
            raise Crash(f"the case's process reached {peak / 2**30:.1f} GiB (bound {CASE_MEMORY / 2**30:.0f} GiB)")
    except (Crash, Hang, Exception) as exc:
        failure = _failure(mutant, exc)  # hypothesis runs a failing example again: counted once
        (TALLY.hangs if isinstance(exc, Hang) else TALLY.crashes)[hashlib.sha256(mutant.data).digest()] = failure
        if not TALLY.keep_going:
            raise Crash(failure) from None
    finally:
        TALLY.seconds += time.perf_counter() - start


def run_case(mutant: Mutant) -> None:
    """Run a mutant through check, consolidate and import; record the outcomes in TALLY."""
    TALLY.cases += 1
    TALLY.by_kind[mutant.kind] += 1
    TALLY.by_seed[mutant.seed] += 1
    TALLY.distinct.add(hashlib.sha256(mutant.data).digest())
    with guarded(mutant, "case", TIME_LIMIT) as (path, goods, root):
        checked = _check(path)
        _consolidate(path, goods, checked, root)
        _import(path, root)


def run_forged_case(mutant: Mutant) -> None:
    """run_case in a reader as fresh as a new worker process: nothing remembered of the files read
    before (the date styles seen), so the forged file is the first with its checksum, as when it
    comes first in a consolidation."""
    _folders()
    xlsx._DATE_STYLES.clear()
    run_case(mutant)


def _failure(mutant: Mutant, exc: BaseException) -> str:
    FAILURES.mkdir(exist_ok=True)
    digest = hashlib.sha256(mutant.data).hexdigest()[:12]
    saved = FAILURES / f"{Path(mutant.seed).stem}-{digest}{mutant.suffix}"
    saved.write_bytes(mutant.data)
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-12:])
    kind = "hang" if isinstance(exc, Hang) else "crash"
    return f"{kind} on {mutant.seed} ({mutant.kind}: {mutant.what}); the mutant is saved as {saved}\n{trace}"


def _quiet() -> Console:
    return Console(file=io.StringIO(), width=120)


def _check(path: Path):
    """`xxgk check`: read, apply the rules, render the findings as the console and --json do."""
    checked = check_file(path)
    print_checked(_quiet(), checked)
    checked_json([checked])
    if checked.unreadable is not None:
        _refused("check", checked.unreadable, path.name)
    else:
        assert checked.report is not None
        TALLY.outcomes[("check", "report")] += 1
    return checked


def _consolidate(path: Path, goods: list[Path], checked, root: Path) -> None:
    """`xxgk consolidate`: read among good workbooks, consolidate, write the summary; every input
    file accounted for."""
    files = [goods[0], path, goods[1]]
    submissions = read_submissions(files, TARGET, None, jobs=1)
    mine = submissions[1]
    if (mine.unreadable is None) != (checked.unreadable is None) or (
            checked.unreadable is not None and mine.unreadable != checked.unreadable):
        raise Crash(f"consolidate read the file otherwise than check: {mine.unreadable!r} / {checked.unreadable!r}")
    result = consolidate(submissions, YEAR, TARGET, unit="某县", date="2026-01-20")
    if [f.submission.path for f in result.files] != [str(p) for p in files]:
        raise Crash("not every input file is accounted for")
    for f in result.files:
        if f.status not in (ACCEPTED, REJECTED) or (f.status == REJECTED and not CJK.search(f.reason)):
            raise Crash(f"{f.submission.name}: {f.status} without a reason: {f.reason!r}")
    if any(f.status != ACCEPTED for f in (result.files[0], result.files[2])):
        raise Crash("a good workbook was not summed because of the broken one beside it")
    if [submissions[0], submissions[2]] != _GOODS_ALONE:
        raise Crash("a good workbook was read otherwise beside the broken one than on its own")
    outcome = result.files[1]
    if outcome.status == ACCEPTED:
        TALLY.outcomes[("consolidate", "report")] += 1
    else:
        TALLY.outcomes[("consolidate", "refused")] += 1
        TALLY.refusals[("consolidate", _shown(outcome.reason, path.name))] += 1
    key = hashlib.sha256(pickle.dumps(result)).digest()
    if key not in _SUMMARIES:  # the summary is a function of the consolidation: identical ones are written alike
        output = root / "某县汇总.xlsx"
        atomic_write(output, summary_bytes(result), force=True)
        print_consolidation(_quiet(), result, output)
        _SUMMARIES.add(key)
        TALLY.summaries_written += 1


def _import(path: Path, root: Path) -> None:
    """`xxgk import`: read the file as a published report, write its workbook, check it."""
    folder = root / "imported"
    folder.mkdir(exist_ok=True)
    done = import_to_workbook(path, folder, force=True)
    if done.refused:  # the workbook could not be written; the command line names the report first
        _refused("import", f"“{path.name}”：{done.refused}", path.name)
        return
    if done.checked.unreadable:
        _refused("import", done.checked.unreadable, path.name)
        return
    print_checked(_quiet(), done.checked)
    read_workbook(done.workbook)  # the workbook written reads back
    TALLY.outcomes[("import", "report")] += 1


# --- the real command line, in this process ------------------------------------------------------

def run_cli_case(mutant: Mutant) -> None:
    """`xxgk check`, `xxgk consolidate` and `xxgk import` on a mutant through typer's test runner:
    exit code 0, 1 or 2 and no traceback; inputs unchanged."""
    from typer.testing import CliRunner

    import cli

    runner = CliRunner()
    TALLY.cli_cases += 1
    with guarded(mutant, "cli", TIME_LIMIT * 2) as (path, goods, root):
        out = root / "cli"
        commands = (["check", path], ["consolidate", goods[0], path, goods[1], "--year", YEAR, "-o", out / "汇总.xlsx",
                                       "--unit", "某县", "--jobs", 1, "--force"], ["import", path, "-o", out / "imported", "--force"])
        for args in commands:
            done = runner.invoke(cli.app, [str(a) for a in args], env={"COLUMNS": "160", "NO_COLOR": "1"})
            if done.exception is not None and not isinstance(done.exception, SystemExit):
                raise Crash(f"xxgk {args[0]}: {done.exception!r}\n" + "".join(
                    traceback.format_exception(*done.exc_info)[-8:]))
            if done.exit_code not in (0, 1, 2) or "Traceback" in done.output:
                raise Crash(f"xxgk {args[0]}: exit code {done.exit_code}\n{done.output[-2000:]}")
            TALLY.cli_exits[(args[0], done.exit_code)] += 1


def figures() -> list[str]:
    """The fuzz run in figures, as the test session's end and benchmarks/fuzz_report.py print them."""
    t = TALLY
    lines = [f"{t.cases} cases ({len(t.distinct)} distinct files) through check, consolidate and import, "
             f"{t.cli_cases} more through the command line; crashes {len(t.crashes)}, hangs {len(t.hangs)}; "
             f"{t.seconds:.1f} s",
             "  by mutation: " + ", ".join(f"{k} {n}" for k, n in t.by_kind.most_common()),
             "  by seed:     " + ", ".join(f"{k} {n}" for k, n in t.by_seed.most_common())]
    for path in ("check", "consolidate", "import"):
        lines.append(f"  {path:<12} report {t.outcomes[(path, 'report')]:>5}   "
                     f"refused with a message {t.outcomes[(path, 'refused')]:>5}")
    lines.append(f"  summary workbooks written: {t.summaries_written} (one per distinct consolidation)")
    exits = ", ".join(f"{cmd} {code}: {n}" for (cmd, code), n in sorted(t.cli_exits.items()))
    lines.append(f"  command line exit codes: {exits or 'not run'}")
    return lines


def common_refusals(top: int = 6) -> list[str]:
    """Each path's most common refusals (file name and parser details left out)."""
    lines = []
    for path in ("check", "consolidate", "import"):
        mine = Counter({message: n for (p, message), n in TALLY.refusals.items() if p == path})
        lines += [f"  {n:>5}  {path}: {message}" for message, n in mine.most_common(top)]
    return lines
