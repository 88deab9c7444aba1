"""Reading the modules of a VBA project (`vbaProject.bin`) from a stranger's file, and comparing them
with the toolkit's own.

A workbook comes back saved by Excel, WPS or LibreOffice, which rewrite the whole project (Excel adds
its compiled p-code and a performance cache, LibreOffice adds references and reorders the modules),
so its bytes say little; what counts is each module's source code.  Reading follows MS-OVBA: the
`VBA/dir` stream (compressed) lists the modules (MODULENAME, MODULESTREAMNAME, MODULEOFFSET,
MODULETYPE), each module stream holds its compressed source from MODULEOFFSET on, and the `PROJECT`
stream says which class-like modules are documents (ThisWorkbook, Sheet1, ...).

Comparing normalises only what Office changes without anyone touching the code:

- line ends, indentation and spacing between tokens, blank lines;
- the case of everything outside string literals (VBA is case-insensitive; the VBA editor re-cases
  keywords and identifiers project-wide);
- `Attribute` lines, wherever they are (module attributes that Excel adds to a class module, the
  procedure attributes that LibreOffice drops): they describe, they never run;
- `Option ClassModule`, which LibreOffice writes in place of a class module's attributes.

Document modules (ThisWorkbook, the sheets) are matched by kind, not by name: their code names
change when a sheet is added, renamed or its code name edited.  Ours hold nothing but attributes;
one holding anything more (but `Option` lines, which the VBA editor adds to new modules) has code.

Not compared: the compiled p-code and the performance cache.  Excel may run those instead of the
source when they were compiled by the same Office version ("VBA stomping"), so an unchanged source
does not prove the macros are ours; see the README.

Hostile input: every structure is checked as it is read, the project and its sources are bounded
(`MAX_PROJECT_BYTES`, `MAX_SOURCE_BYTES`), and any damage is an UnreadableProject with a Chinese
reason, never another exception.
"""
from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass, field
from functools import cache

from toolkit.io.vba.compression import DecompressionError, decompress
from toolkit.io.vba.project import CLASS, DOCUMENT, MODULE, Module

MAX_PROJECT_BYTES = 16 * 1024 * 1024  # ours is 33 KB; Excel's, with p-code, a few hundred KB
MAX_SOURCE_BYTES = 4 * 1024 * 1024  # all module sources together, decompressed (ours: 62 KB)
MAX_MODULES = 1000
# Decompressed sources kept by their compressed bytes: the workbooks of one consolidation come from
# one template, and a program that saves the same source compresses it to the same bytes, so most
# modules are decompressed once per process (decompressing is most of the cost).  Bounded: at most
# this many sources, each (compressed and not) at most this large.
CACHED_SOURCES, CACHED_SOURCE_BYTES = 32, 256 * 1024
_sources: dict[bytes, bytes] = {}

# dir stream record ids (MS-OVBA §2.3.4.2)
_PROJECTCODEPAGE, _PROJECTVERSION, _PROJECTMODULES = 0x0003, 0x0009, 0x000F
_MODULENAME, _MODULENAMEUNICODE, _MODULESTREAMNAME, _MODULEOFFSET = 0x0019, 0x0047, 0x001A, 0x0031
_MODULETYPE_PROCEDURAL, _MODULETYPE_OTHER, _MODULE_END, _DIR_END = 0x0021, 0x0022, 0x002B, 0x0010


class UnreadableProject(ValueError):
    """The bytes are not a VBA project that can be read; the message (Chinese) says what is wrong."""


@dataclass(frozen=True)
class FoundModule:
    """A module as read from a project: name, kind (module, class, document) and source text."""

    name: str
    kind: str
    source: str


# --- reading ----------------------------------------------------------------------------------------

def dir_records(data: bytes):
    """(id, data) of each record of an uncompressed `dir` stream; UnreadableProject if one is cut."""
    position = 0
    while position < len(data):
        if position + 6 > len(data):
            raise UnreadableProject("模块目录（dir）的记录不完整")
        record_id, size = struct.unpack_from("<HI", data, position)
        if record_id == _PROJECTVERSION:  # its size field is a reserved 4, then 6 bytes of version
            size = 6
        if position + 6 + size > len(data):
            raise UnreadableProject("模块目录（dir）的记录超出数据末尾")
        yield record_id, data[position + 6:position + 6 + size]
        position += 6 + size


def _text(data: bytes, codepage: int) -> str:
    try:
        return data.decode(f"cp{codepage}", errors="replace")
    except LookupError:  # a code page Python does not know: the bytes still differ from ours
        return data.decode("cp1252", errors="replace")


@dataclass
class _Entry:
    name: str = ""
    unicode_name: str = ""
    stream: str = ""
    offset: int = 0
    procedural: bool | None = None


def _module_entries(dir_data: bytes) -> tuple[int, list[_Entry]]:
    """(code page, module entries) from the uncompressed dir stream."""
    codepage, declared, entries = 1252, None, []
    current: _Entry | None = None
    for record_id, data in dir_records(dir_data):
        if record_id == _DIR_END:
            break
        if record_id == _PROJECTCODEPAGE and len(data) == 2:
            codepage = struct.unpack("<H", data)[0]
        elif record_id == _PROJECTMODULES and len(data) == 2:
            declared = struct.unpack("<H", data)[0]
        elif record_id == _MODULENAME:
            if len(entries) >= MAX_MODULES:
                raise UnreadableProject(f"模块超过 {MAX_MODULES} 个")
            current = _Entry(name=_text(data, codepage))
            entries.append(current)
        elif current is None:
            continue  # project information and references: not needed
        elif record_id == _MODULENAMEUNICODE:
            current.unicode_name = data.decode("utf-16-le", errors="replace")
        elif record_id == _MODULESTREAMNAME:
            current.stream = _text(data, codepage)
        elif record_id == _MODULEOFFSET:
            if len(data) != 4:
                raise UnreadableProject("模块源码位置（MODULEOFFSET）记录有误")
            current.offset = struct.unpack("<I", data)[0]
        elif record_id in (_MODULETYPE_PROCEDURAL, _MODULETYPE_OTHER):
            current.procedural = record_id == _MODULETYPE_PROCEDURAL
        elif record_id == _MODULE_END:
            current = None
    else:
        raise UnreadableProject("模块目录（dir）没有结束记录")
    if declared is None or declared != len(entries):
        raise UnreadableProject("模块目录（dir）中的模块数与记录不符")
    for entry in entries:
        if not entry.stream or entry.procedural is None:
            raise UnreadableProject(f"模块 {entry.unicode_name or entry.name} 的目录记录不完整")
    return codepage, entries


_PROJECT_READ = 1024 * 1024  # of the PROJECT stream (a project of 1,000 modules needs about 40 KB)
_PROJECT_LINE = re.compile(r"^(Document|Class|Module|BaseClass)=([^/\r\n]*)", re.M)


# The VB_Base of Excel's document modules: the workbook, a worksheet, a chart sheet.
_DOCUMENT_BASE = re.compile(r'^Attribute VB_Base = "0\{000208(?:19|20|21)-0000-0000-C000-000000000046\}"', re.I | re.M)


def _document_names(ole) -> set[str]:
    """Upper-cased names of the modules the PROJECT stream declares as documents."""
    if not ole.exists("PROJECT"):
        return set()
    text = ole.openstream("PROJECT").read()[:_PROJECT_READ].decode("latin-1")
    return {name.strip().upper() for kind, name in _PROJECT_LINE.findall(text) if kind == "Document"}


def _kind(procedural: bool, name: str, source: str, documents: set[str]) -> str:
    """A module's kind: the dir stream tells a standard module from the others; a document is one the
    PROJECT stream lists as such, or whose VB_Base is one of Excel's documents (a PROJECT stream
    may be missing or, written by LibreOffice, incomplete)."""
    if procedural:
        return MODULE
    return DOCUMENT if name.upper() in documents or _DOCUMENT_BASE.search(source) else CLASS


def read_modules(data: bytes) -> list[FoundModule]:
    """The modules of a vbaProject.bin, in the order of its `dir` stream.  UnreadableProject when the
    bytes are not a readable VBA project."""
    import olefile  # a runtime dependency; imported here so that reading a plain .xlsx does not load it

    if len(data) > MAX_PROJECT_BYTES:
        raise UnreadableProject(f"VBA 工程过大（{len(data) // 1024} KB）")
    try:
        # Always a file object: olefile takes bytes shorter than 1536 for a file name to open.
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if not ole.exists("VBA/dir"):
                raise UnreadableProject("不是 VBA 工程（缺少 VBA/dir）")
            codepage, entries = _module_entries(decompress(ole.openstream("VBA/dir").read(), MAX_SOURCE_BYTES))
            documents = _document_names(ole)
            modules, total = [], 0
            for entry in entries:
                name = entry.unicode_name or entry.name
                path = f"VBA/{entry.stream}"
                if not ole.exists(path):
                    raise UnreadableProject(f"缺少模块 {name} 的数据")
                stream = ole.openstream(path).read()
                if entry.offset >= len(stream):
                    raise UnreadableProject(f"模块 {name} 的源码位置超出数据末尾")
                source = _decompressed(stream[entry.offset:], MAX_SOURCE_BYTES - total)
                total += len(source)
                text = _text(source, codepage)
                modules.append(FoundModule(name, _kind(entry.procedural, name, text, documents), text))
            return modules
    except UnreadableProject:
        raise
    except DecompressionError as exc:
        raise UnreadableProject(f"压缩的源码已损坏，或解压后超过 {MAX_SOURCE_BYTES // 1024 // 1024} MB") from exc
    except Exception as exc:  # olefile raises OSError, struct.error, IndexError, ... for a damaged file
        raise UnreadableProject(f"不是有效的 VBA 工程文件（{type(exc).__name__}）") from exc


def forget_sources() -> None:
    """Empty the cache of decompressed sources (for measuring the cost of reading every module)."""
    _sources.clear()


def _decompressed(container: bytes, limit: int) -> bytes:
    source = _sources.get(container)
    if source is None:
        source = decompress(container, limit)
        if len(source) <= CACHED_SOURCE_BYTES and len(container) <= CACHED_SOURCE_BYTES:
            if len(_sources) >= CACHED_SOURCES:
                del _sources[next(iter(_sources))]  # the oldest
            _sources[container] = source
    elif len(source) > limit:
        raise DecompressionError(f"more than {limit} bytes")
    return source


# --- comparing ----------------------------------------------------------------------------------------

_ATTRIBUTE = re.compile(r"^\s*attribute\s+[\w.]+\s*=", re.I)
_LO_CLASS_MARK = re.compile(r"^\s*option\s+classmodule\s*$", re.I)
_OPTION = re.compile(r"^\s*option\s+\w+", re.I)
# A token: a string literal ("" inside is a quote), a comment (to the end of the line), a hex or
# octal literal (so `x &H1` and `x & H1` stay apart), a word, or any other single character.
_TOKEN = re.compile(r'"(?:[^"]|"")*"?|\'.*|&[HhOo][0-9A-Fa-f]*&?|\w+|\S')


def _token(token: str) -> str:
    if token[0] == '"':
        return token
    return token.rstrip() if token[0] == "'" else token.lower()


def _tokens(line: str) -> tuple[str, ...]:
    return tuple(_token(t) for t in _TOKEN.findall(line))


_LINE = re.compile(r"[^\r\n]+")  # VBA ends lines with CR, LF or both; blank lines are not needed


def _lines(source: str):
    """The non-empty lines of a source, one at a time (a hostile source can hold millions)."""
    return (m.group() for m in _LINE.finditer(source))


def _statement_lines(source: str):
    """The lines of a module that are code, stripped: no blank, Attribute or LibreOffice class lines."""
    for line in _lines(source):
        line = line.strip()
        if not line or line[:1] in "Aa" and _ATTRIBUTE.match(line) or line[:1] in "Oo" and _LO_CLASS_MARK.match(line):
            continue
        yield line


def code_lines(source: str) -> tuple[tuple[str, ...], ...]:
    """A module's code as Office-independent lines of tokens (see the module's docstring)."""
    return tuple(_tokens(line) for line in _statement_lines(source))


_END = object()


def same_code(source: str, expected: str) -> bool:
    """Whether two sources are the same code (equal code_lines), line by line: only lines that
    differ as text are tokenised, and the first difference ends it."""
    ours = _expected_statement_lines(expected)
    found = _statement_lines(source)
    for mine in ours:
        line = next(found, _END)
        if line is _END or line != mine and _tokens(line) != _tokens(mine):
            return False
    return next(found, _END) is _END


@cache
def _expected_statement_lines(source: str) -> tuple[str, ...]:
    return tuple(_statement_lines(source))


def _has_code(source: str) -> bool:
    """Whether a document module holds anything that is not an attribute, an Option line or blank."""
    return any(line.strip() and not _ATTRIBUTE.match(line) and not _OPTION.match(line) for line in _lines(source))


# Procedures that run without anyone choosing to run them: when the workbook opens or closes, on a
# workbook, sheet or chart event (opening, saving, editing, selecting), when a form or an ActiveX
# control is shown, drawn or passed over (the triggers malicious documents use: Frame1_Layout,
# InkPicture1_Painted, ...).  A button's Click handler is left out: someone has to click.
_PROCEDURE = re.compile(r"^[ \t]*(?:(?:public|private|friend)[ \t]+)?(?:static[ \t]+)?(?:sub|function)[ \t]+(\w+)",
                        re.I | re.M)
_AUTO_RUN = re.compile(
    r"^(?:auto_?(?:open|close|exec|exit|new)|document_\w+|workbook_\w+|worksheet_\w+|chart_\w+|app_\w+"
    r"|userform_\w+|\w+_(?:gotfocus|lostfocus|layout|paint|painted|resize|mousemove|change))$", re.I)
AUTO_RUN_LISTED = 10  # at most this many names are collected


def auto_run_procedures(source: str) -> list[str]:
    """The names of the procedures of a module that Office runs by itself (Workbook_Open, Auto_Open,
    a sheet's or a control's event handler, ...), the first AUTO_RUN_LISTED of them."""
    names = []
    for match in _PROCEDURE.finditer(source):
        if _AUTO_RUN.match(match.group(1)):
            names.append(match.group(1))
            if len(names) == AUTO_RUN_LISTED:
                break
    return names


@dataclass
class Differences:
    """How a project differs from the expected one, by module name."""

    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    auto_run: dict[str, list[str]] = field(default_factory=dict)  # changed or added module -> procedures

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.removed)


def compare(found: list[FoundModule], expected: list[Module]) -> Differences:
    """The modules of `found` that are not in `expected` (added), those of `expected` missing from
    `found` (removed), and those whose code or kind differs (changed).  Document modules, whatever
    their names, are changed when they hold code: every workbook has them, ours hold none."""
    out = Differences()
    ours = {m.name.upper(): m for m in expected if m.kind != DOCUMENT}
    seen = set()
    for module in found:
        mine = ours.get(module.name.upper())
        if mine is not None:
            seen.add(module.name.upper())
            same = module.kind == mine.kind and (
                module.source == mine.source or same_code(module.source, mine.source))
            differs = out.changed if not same else None
        elif module.kind == DOCUMENT:
            differs = out.changed if _has_code(module.source) else None
        else:
            differs = out.added
        if differs is not None:
            differs.append(module.name)
            procedures = auto_run_procedures(module.source)
            if procedures:
                out.auto_run[module.name] = procedures
    out.removed = [m.name for m in expected if m.kind != DOCUMENT and m.name.upper() not in seen]
    return out
