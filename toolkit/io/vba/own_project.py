"""The toolkit's own VBA project: the modules built from the sources in macros/, as every .xlsm the
toolkit writes carries them, and as returned workbooks are compared with (toolkit.io.vba.inspect).

No spreadsheet library here: the reader of returned workbooks needs the expected project without
loading openpyxl.
"""
from __future__ import annotations

from functools import cache
from toolkit.io.resources import MACROS_DIR
from toolkit.io.vba.project import CLASS, MODULE, WORKBOOK_BASE, WORKSHEET_BASE, Module, document_module, vba_project

# The modules of the VBA project after the document modules, in this order: file, kind.
MACRO_FILES = (("XxgkButtons.bas", MODULE), ("xlwings.bas", MODULE), ("Dictionary.cls", CLASS))
WORKBOOK_CODE_NAME = "ThisWorkbook"


class MacroSourcesMissing(FileNotFoundError):
    """A VBA source of the buttons is missing (a damaged installation); the message is Chinese."""


def macro_sources() -> dict[str, bytes]:
    """The files of macros/ the project is built from, by file name."""
    try:
        return {name: (MACROS_DIR / name).read_bytes() for name, _ in MACRO_FILES}
    except FileNotFoundError as exc:
        raise MacroSourcesMissing(
            f"本工具安装不完整：找不到宏源文件 {exc.filename}，无法生成带按钮的 .xlsm 工作簿。"
            "请重新安装本工具（运行安装包中的“安装.bat”，或 pip install 本工具的 .whl 文件）") from exc


def macros_available() -> bool:
    """Whether the VBA sources are there to build .xlsm workbooks from."""
    return all((MACROS_DIR / name).is_file() for name, _ in MACRO_FILES)


def sheet_code_name(position: int) -> str:
    return f"Sheet{position}"


def macro_modules() -> list[Module]:
    """The modules of macros/, in project order (the document modules come before them)."""
    sources = macro_sources()
    return [Module(name.rsplit(".", 1)[0], kind, sources[name].decode("cp1252")) for name, kind in MACRO_FILES]


def project_modules(sheet_count: int) -> list[Module]:
    """Every module of the project: document modules for ThisWorkbook and Sheet1..SheetN, then the
    modules of macros/."""
    modules = [document_module(WORKBOOK_CODE_NAME, WORKBOOK_BASE)]
    modules += [document_module(sheet_code_name(i), WORKSHEET_BASE) for i in range(1, sheet_count + 1)]
    return modules + macro_modules()


@cache
def vba_project_bin(sheet_count: int) -> bytes:
    """The workbook's vbaProject.bin, for a workbook of `sheet_count` sheets."""
    return vba_project(project_modules(sheet_count))
