"""What a returned workbook carries that could run on the machine of whoever opens it in Excel: its
VBA project, compared with the toolkit's own; Excel 4.0 macro sheets; ActiveX controls and embedded
objects (these two told from the package's part names alone).

Nothing is run, and the project is read only when its bytes differ from the one the toolkit writes
(a workbook filled by a program that keeps the project as it was); Excel, WPS and LibreOffice
rewrite it on every save, so for most returned .xlsm files the modules are read and compared one by
one (toolkit.io.vba.inspect).  The results are (code, message) pairs for the reader, which makes them
findings (severity 提示: the figures are read and summed as usual).
"""
from __future__ import annotations

from functools import cache

from toolkit.io.vba.inspect import MAX_PROJECT_BYTES, UnreadableProject, compare, read_modules
from toolkit.io.vba.own_project import MacroSourcesMissing, macro_modules, vba_project_bin
from toolkit.io.vba.project import Module
from toolkit.io.workbook.xlsx import XlsxBook, XlsxError

VBA_CHANGED, VBA_UNREADABLE, VBA_IN_XLSX = "R-VBA-CHANGED", "R-VBA-UNREADABLE", "R-VBA-IN-XLSX"
MACRO_SHEET, EMBEDDED = "R-MACRO-SHEET", "R-EMBEDDED"
# Excel 4.0 (XLM) macro sheets: macros that are not VBA, run on open through an Auto_Open name.
MACRO_SHEET_FOLDERS = ("xl/macrosheets/", "xl/intlmacrosheets/")
# Parts Office runs or opens something from: ActiveX controls, and objects embedded with their program.
EMBEDDED_FOLDERS = ("xl/activex/", "xl/embeddings/")
NAMES_SHOWN = 8  # at most this many module or part names in a message
_DO_NOT_ENABLE = "请勿在 Excel 中启用宏，先向报送单位核实；本工具检查和汇总时不运行宏，数据照常读取"


@cache
def _expected_modules() -> tuple[Module, ...]:
    return tuple(macro_modules())


def macro_notes(book: XlsxBook, suffix: str) -> list[tuple[str, str]]:
    """(code, Chinese message) for each thing a workbook (of file suffix `suffix`) carries beyond
    what the toolkit's template has: none for a workbook whose macros are the toolkit's own."""
    notes, names = [], book.part_names
    part = book.vba_project_part
    if part is not None and part in names:
        if suffix.lower() == ".xlsx":
            notes.append((VBA_IN_XLSX, "扩展名为 .xlsx 的工作簿中含有宏（VBA 工程）：Excel 保存的 .xlsx 不含宏，"
                                       "这个文件可能被改过扩展名或被其他程序改动。请勿将其改为 .xlsm 或在 Excel 中启用宏，"
                                       "先向报送单位核实"))
        note = _project_note(book, part, len(book.sheet_names))
        if note:
            notes.append(note)
    macro_sheets = sorted(n for n in names if n.lower().startswith(MACRO_SHEET_FOLDERS))
    if macro_sheets:
        notes.append((MACRO_SHEET, f"工作簿中含有 Excel 4.0 宏表（{_listed(macro_sheets)}），本工具的模板中没有；"
                                   f"这种宏不是 VBA，启用宏后可能在打开工作簿时自动运行。{_DO_NOT_ENABLE}"))
    embedded = sorted(n for n in names if n.lower().startswith(EMBEDDED_FOLDERS))
    if embedded:
        notes.append((EMBEDDED, f"工作簿中含有 ActiveX 控件或嵌入的对象（{_listed(embedded)}），本工具的模板中没有这些内容，"
                                "在 Excel 中打开或双击时可能运行其中的程序。请勿在 Excel 中启用或双击这些对象，"
                                "先向报送单位核实；本工具检查和汇总时不打开它们"))
    return notes


def _project_note(book: XlsxBook, part: str, sheet_count: int) -> tuple[str, str] | None:
    try:
        if book.part_size(part) > MAX_PROJECT_BYTES:
            raise UnreadableProject("VBA 工程过大")
        data = book.part(part)
        expected = vba_project_bin(sheet_count)
        if data == expected:  # the fast path: the project as the toolkit wrote it
            return None
        differences = compare(read_modules(data), list(_expected_modules()))
    except MacroSourcesMissing:
        return VBA_UNREADABLE, ("无法核对工作簿中的宏（VBA）是否与本工具模板相同：缺少本工具的宏源文件（macros/），"
                                "请在本工具的源码目录中以 pip install -e . 安装。核实之前请勿在 Excel 中启用宏")
    except (UnreadableProject, XlsxError) as exc:  # XlsxError: the part itself is damaged in the zip
        reason = _printable(str(exc), 120) if isinstance(exc, UnreadableProject) else "文件中的这一部分已损坏"
        return VBA_UNREADABLE, (f"工作簿中的宏（VBA 工程）无法读取（{reason}），可能已损坏或被改动，"
                                f"无法与本工具模板核对。{_DO_NOT_ENABLE}")
    if not differences:
        return None
    said = []
    for verb, names in (("修改了", differences.changed), ("新增了", differences.added), ("删除了", differences.removed)):
        if names:
            said.append(f"{verb} {_listed(names)}")
    message = f"工作簿中的宏（VBA）与本工具模板不同：{'；'.join(said)}。"
    if differences.auto_run:
        which = "、".join(f"{_printable(m)} 含有 {_listed(p)}" for m, p in differences.auto_run.items())
        message += f"其中 {which}，这些宏在启用宏后会自动运行。"
    return VBA_CHANGED, message + _DO_NOT_ENABLE


def _printable(text: str, width: int = 40) -> str:
    """Text from the file made safe to show: no control characters (they cannot go into a workbook
    cell), at most `width` characters."""
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= width else text[:width - 1] + "…"


def _listed(names: list[str]) -> str:
    shown = "、".join(_printable(n) for n in names[:NAMES_SHOWN])
    return shown + (f" 等 {len(names)} 个" if len(names) > NAMES_SHOWN else "")
