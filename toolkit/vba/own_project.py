"""The toolkit's own VBA project: the modules built from the sources in macros/, as every .xlsm the
toolkit writes carries them, and as returned workbooks are compared with (toolkit.vba.inspect).

No spreadsheet library here: the reader of returned workbooks needs the expected project without
loading openpyxl.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from toolkit.vba.project import CLASS, MODULE, WORKBOOK_BASE, WORKSHEET_BASE, Module, document_module, vba_project

MACROS_DIR = Path(__file__).resolve().parents[2] / "macros"
# The modules of the VBA project after the document modules, in this order: file, kind.
MACRO_FILES = (("XxgkButtons.bas", MODULE), ("xlwings.bas", MODULE), ("Dictionary.cls", CLASS))
WORKBOOK_CODE_NAME = "ThisWorkbook"


class MacroSourcesMissing(FileNotFoundError):
    """macros/ is not there (an installed copy without the source tree); the message is Chinese."""


def macro_sources() -> dict[str, bytes]:
    """The files of macros/ the project is built from, by file name."""
    try:
        return {name: (MACROS_DIR / name).read_bytes() for name, _ in MACRO_FILES}
    except FileNotFoundError as exc:
        raise MacroSourcesMissing(
            f"找不到宏源文件 {exc.filename}：生成带按钮的 .xlsm 工作簿需要本工具的源码目录（macros/），"
            "请在源码目录中以 pip install -e . 安装后再试，或使用 workbook_templates/ 中现成的 .xlsm 模板") from exc


def macros_available() -> bool:
    """Whether macros/ is there to build .xlsm workbooks from (a source checkout)."""
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
