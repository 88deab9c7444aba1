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
from typing import TYPE_CHECKING

from toolkit.core.formats import say, words
from toolkit.io.workbook.xlsx import XlsxBook, XlsxError

if TYPE_CHECKING:
    from toolkit.io.vba.project import Module

VBA_CHANGED, VBA_UNREADABLE, VBA_IN_XLSX = "R-VBA-CHANGED", "R-VBA-UNREADABLE", "R-VBA-IN-XLSX"
MACRO_SHEET, EMBEDDED = "R-MACRO-SHEET", "R-EMBEDDED"
# Excel 4.0 (XLM) macro sheets: macros that are not VBA, run on open through an Auto_Open name.
MACRO_SHEET_FOLDERS = ("xl/macrosheets/", "xl/intlmacrosheets/")
# Parts Office runs or opens something from: ActiveX controls, and objects embedded with their program.
EMBEDDED_FOLDERS = ("xl/activex/", "xl/embeddings/")
NAMES_SHOWN = 8  # at most this many module or part names in a message


@cache
def _expected_modules() -> tuple[Module, ...]:
    from toolkit.io.vba.own_project import macro_modules

    return tuple(macro_modules())


def macro_notes(book: XlsxBook, suffix: str) -> list[tuple[str, str]]:
    """(code, Chinese message) for each thing a workbook (of file suffix `suffix`) carries beyond
    what the toolkit's template has: none for a workbook whose macros are the toolkit's own."""
    notes, names = [], book.part_names
    part = book.vba_project_part
    if part is not None and part in names:
        if suffix.lower() == ".xlsx":
            notes.append((VBA_IN_XLSX, say(VBA_IN_XLSX)))
        note = _project_note(book, part, len(book.sheet_names))
        if note:
            notes.append(note)
    macro_sheets = sorted(n for n in names if n.lower().startswith(MACRO_SHEET_FOLDERS))
    if macro_sheets:
        notes.append((MACRO_SHEET, say(MACRO_SHEET, names=_listed(macro_sheets))))
    embedded = sorted(n for n in names if n.lower().startswith(EMBEDDED_FOLDERS))
    if embedded:
        notes.append((EMBEDDED, say(EMBEDDED, names=_listed(embedded))))
    return notes


def _project_note(book: XlsxBook, part: str, sheet_count: int) -> tuple[str, str] | None:
    # Here, not at the top: only a workbook with a VBA project needs the VBA reader (a plain .xlsx,
    # and `import toolkit.excel`, start faster without it).
    from toolkit.io.vba.inspect import MAX_PROJECT_BYTES, UnreadableProject, compare, read_modules
    from toolkit.io.vba.own_project import MacroSourcesMissing, vba_project_bin

    try:
        if book.part_size(part) > MAX_PROJECT_BYTES:
            raise UnreadableProject(words(VBA_UNREADABLE, "too_large"))
        data = book.part(part)
        expected = vba_project_bin(sheet_count)
        if data == expected:  # the fast path: the project as the toolkit wrote it
            return None
        differences = compare(read_modules(data), list(_expected_modules()))
    except MacroSourcesMissing:
        return VBA_UNREADABLE, say(VBA_UNREADABLE, "sources_missing")
    except (UnreadableProject, XlsxError) as exc:  # XlsxError: the part itself is damaged in the zip
        reason = _printable(str(exc), 120) if isinstance(exc, UnreadableProject) else words(VBA_UNREADABLE, "damaged")
        return VBA_UNREADABLE, say(VBA_UNREADABLE, reason=reason)
    if not differences:
        return None
    said = [words(VBA_CHANGED, key, names=_listed(names))
            for key, names in (("changed", differences.changed), ("added", differences.added),
                               ("removed", differences.removed)) if names]
    auto_run = ""
    if differences.auto_run:
        modules = "、".join(words(VBA_CHANGED, "module", module=_printable(m), procedures=_listed(p))
                            for m, p in differences.auto_run.items())
        auto_run = words(VBA_CHANGED, "auto_run", modules=modules)
    return VBA_CHANGED, say(VBA_CHANGED, changes="；".join(said), auto_run=auto_run)


def _printable(text: str, width: int = 40) -> str:
    """Text from the file made safe to show: no control characters (they cannot go into a workbook
    cell), at most `width` characters."""
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= width else text[:width - 1] + "…"


def _listed(names: list[str]) -> str:
    shown = "、".join(_printable(n) for n in names[:NAMES_SHOWN])
    return shown + (words(VBA_CHANGED, "more_names", count=len(names)) if len(names) > NAMES_SHOWN else "")
