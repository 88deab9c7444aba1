"""A VBA project (`vbaProject.bin`, MS-OVBA) built from module sources alone.

The layout follows the vbaProject.bin inside xlwings' own quickstart_standalone.xlsm (a file Excel
opens), and the writers of EPPlus (ExcelVbaProject) and NetOfficeFw/vbamc:

* `VBA/_VBA_PROJECT` is version 0xFFFF with no performance cache, so Office compiles from source;
* every module stream holds only its compressed source, at offset 0 (no p-code);
* `VBA/dir` (compressed) lists the project information and the modules, without references (the
  xlwings module binds late and needs none);
* `PROJECT` (text) names the modules, carries the unprotected CMG/DPB/GC values and the
  [Workspace] lines; `PROJECTwm` maps the module names to Unicode.

Everything that would be random in Office's own files (the project id, the encryption seed of the
protection values) is fixed, so the same sources always give the same bytes.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from toolkit.io.vba.cfb import Storage, write_compound_file
from toolkit.io.vba.compression import compress

CODEPAGE = 1252
LCID = 0x0409
SYSKIND_WIN64 = 3  # as in xlwings' quickstart_standalone.xlsm; Office recompiles for its own bitness
VERSION_MAJOR, VERSION_MINOR = 0x68FBFAC5, 4  # PROJECTVERSION of the same file
PROJECT_NAME = "VBAProject"
PROJECT_ID = "{6A1F0C5E-2B7D-4E43-9A51-58A3C0E9D7B1}"  # fixed: reproducible builds
_ENCRYPTION_SEED = 0x8D  # fixed seed for CMG/DPB/GC (MS-OVBA §2.4.3.2)
_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"

MODULE, CLASS, DOCUMENT = "module", "class", "document"
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"


@dataclass(frozen=True)
class Module:
    """A module as the project stores it: name, kind (module, class, document) and source text,
    starting with its `Attribute VB_Name` line."""

    name: str
    kind: str
    source: str


def document_module(name: str, base: str) -> Module:
    """An empty document module (ThisWorkbook or a worksheet) with the attributes Excel gives it."""
    lines = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return Module(name, DOCUMENT, "\r\n".join(lines) + "\r\n")


def _mbcs(text: str) -> bytes:
    return text.encode(f"cp{CODEPAGE}")


def _record(record_id: int, data: bytes = b"") -> bytes:
    return struct.pack("<HI", record_id, len(data)) + data


def _u32(value: int) -> bytes:
    return struct.pack("<I", value)


def _u16(value: int) -> bytes:
    return struct.pack("<H", value)


def _text_pair(record_id: int, unicode_id: int, text: str) -> bytes:
    """A record with MBCS text followed by its Unicode twin (DOCSTRING, HELPFILEPATH, ...)."""
    return _record(record_id, _mbcs(text)) + _record(unicode_id, text.encode("utf-16-le"))


def dir_stream(modules: list[Module]) -> bytes:
    """The uncompressed `dir` stream (MS-OVBA §2.3.4.2)."""
    out = bytearray()
    out += _record(0x0001, _u32(SYSKIND_WIN64))  # PROJECTSYSKIND
    out += _record(0x0002, _u32(LCID))  # PROJECTLCID
    out += _record(0x0014, _u32(LCID))  # PROJECTLCIDINVOKE
    out += _record(0x0003, _u16(CODEPAGE))  # PROJECTCODEPAGE
    out += _record(0x0004, _mbcs(PROJECT_NAME))  # PROJECTNAME
    out += _text_pair(0x0005, 0x0040, "")  # PROJECTDOCSTRING
    out += _text_pair(0x0006, 0x003D, "")  # PROJECTHELPFILEPATH
    out += _record(0x0007, _u32(0))  # PROJECTHELPCONTEXT
    out += _record(0x0008, _u32(0))  # PROJECTLIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, VERSION_MAJOR, VERSION_MINOR)  # PROJECTVERSION
    out += _text_pair(0x000C, 0x003C, "")  # PROJECTCONSTANTS
    out += _record(0x000F, _u16(len(modules)))  # PROJECTMODULES
    out += _record(0x0013, _u16(0xFFFF))  # PROJECTCOOKIE
    for module in modules:
        out += _record(0x0019, _mbcs(module.name))  # MODULENAME
        out += _record(0x0047, module.name.encode("utf-16-le"))  # MODULENAMEUNICODE
        out += _text_pair(0x001A, 0x0032, module.name)  # MODULESTREAMNAME
        out += _text_pair(0x001C, 0x0048, "")  # MODULEDOCSTRING
        out += _record(0x0031, _u32(0))  # MODULEOFFSET: source at 0, no p-code
        out += _record(0x001E, _u32(0))  # MODULEHELPCONTEXT
        out += _record(0x002C, _u16(0xFFFF))  # MODULECOOKIE
        out += _record(0x0021 if module.kind == MODULE else 0x0022)  # MODULETYPE
        out += _record(0x002B)  # terminator
    out += _record(0x0010)  # dir terminator
    return bytes(out)


def _encrypt(data: bytes) -> str:
    """MS-OVBA §2.4.3.2 data encryption, with a fixed seed and fixed ignored bytes."""
    seed = _ENCRYPTION_SEED
    project_key = sum(PROJECT_ID.encode("ascii")) & 0xFF
    out = bytearray([seed, seed ^ 2, seed ^ project_key])
    unencrypted, encrypted_1, encrypted_2 = project_key, out[2], out[1]
    plain = bytes([seed] * ((seed & 6) // 2)) + struct.pack("<I", len(data)) + data
    for byte in plain:
        encrypted = byte ^ ((encrypted_2 + unencrypted) & 0xFF)
        out.append(encrypted)
        encrypted_2, encrypted_1, unencrypted = encrypted_1, encrypted, byte
    return out.hex().upper()


def project_stream(modules: list[Module]) -> bytes:
    """The `PROJECT` stream (MS-OVBA §2.3.1): modules, name, unprotected state, workspace."""
    lines = [f'ID="{PROJECT_ID}"']
    for module in modules:
        if module.kind == DOCUMENT:
            lines.append(f"Document={module.name}/&H00000000")
        elif module.kind == CLASS:
            lines.append(f"Class={module.name}")
        else:
            lines.append(f"Module={module.name}")
    lines += [
        f'Name="{PROJECT_NAME}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{_encrypt(bytes(4))}"',  # no protection
        f'DPB="{_encrypt(bytes(1))}"',  # no password
        f'GC="{_encrypt(bytes([0xFF]))}"',  # visible
        "",
        "[Host Extender Info]",
        _HOST_EXTENDER,
        "",
        "[Workspace]",
        *[f"{module.name}=0, 0, 0, 0, C" for module in modules],
        "",
    ]
    return _mbcs("\r\n".join(lines) + "\r\n")


def projectwm_stream(modules: list[Module]) -> bytes:
    """The `PROJECTwm` stream (MS-OVBA §2.3.3): each module name in MBCS and in UTF-16."""
    out = bytearray()
    for module in modules:
        out += _mbcs(module.name) + b"\x00" + module.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out) + b"\x00\x00"


VBA_PROJECT_STREAM = bytes.fromhex("CC61FFFF000100")  # Reserved1, Version 0xFFFF, Reserved2/3 as xlwings'


def vba_project(modules: list[Module]) -> bytes:
    """The bytes of a `vbaProject.bin` holding `modules` (in that order)."""
    names = [m.name for m in modules]
    if len(set(n.upper() for n in names)) != len(names):
        raise ValueError(f"duplicate module names: {names}")
    for module in modules:
        if not module.source.startswith(f'Attribute VB_Name = "{module.name}"'):
            raise ValueError(f"module {module.name}: its source must start with its Attribute VB_Name line")
        if module.kind not in (MODULE, CLASS, DOCUMENT):
            raise ValueError(f"module {module.name}: unknown kind {module.kind!r}")
    vba = Storage({"_VBA_PROJECT": VBA_PROJECT_STREAM, "dir": compress(dir_stream(modules))})
    for module in modules:
        vba.entries[module.name] = compress(_mbcs(module.source))
    root = Storage({"PROJECT": project_stream(modules), "PROJECTwm": projectwm_stream(modules), "VBA": vba})
    return write_compound_file(root)
