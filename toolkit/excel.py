"""The functions behind the buttons of the macro-enabled workbook: the thin xlwings adapter of
toolkit.ui.buttons.

Classic xlwings (Excel with Python on the PC; macros/XxgkButtons.bas runs them through RunPython):
`recompute()`, `check()`, `clear_marks()`, `carry_over()`, `export()`, each working on `xw.Book.caller()`.
xlwings Lite (no local Python): the `@script` functions `recompute_book(book)`, `check_book(book)`,
`clear_marks_book(book)`, `carry_over_book(book)`.  Both call the same code: one batched read of the
open workbook, `toolkit.ui.buttons` decides the writes, one batched write -- using only what the
classic, remote and Lite engines share (values, formulas, fill and font colours, number formats,
adding a sheet).  Nothing here depends on the workbook's file name (the export only makes sure it never
writes over the workbook's own file).

xlwings is imported when a button runs, not when this module is imported (xlwings itself imports
pandas and numpy when they are installed): `import toolkit.excel` stays fast.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from toolkit.ui import buttons
from toolkit.core.formats import common
from toolkit.core.layout import info_place

LITE = sys.platform == "emscripten" or os.environ.get("XLWINGS_ON_SERVER") == "true"
if LITE:
    import xlwings as xw

    try:  # what `from xlwings import script` gives on xlwings Lite and Server
        from xlwings.server import script
    except ImportError:  # pragma: no cover - depends on the runtime
        from xlwings import script
else:
    def script(function=None, **options):
        """Outside xlwings Lite/Server `@script` only marks a function, as xlwings' own does there."""
        return function if function is not None else (lambda f: f)


def _caption(macro: str) -> str:
    return next(b.caption for b in common().buttons if b.macro == macro)


# --- the classic entry points (RunPython) -----------------------------------------------------------

def recompute() -> None:
    """重新计算: put the formulas back into total cells that were typed over."""
    _classic(buttons.recompute)


def check() -> None:
    """校验: colour every finding's cells, list the findings on 校验结果, write the status."""
    _classic(buttons.check)


def clear_marks() -> None:
    """清除标记: remove the marks and the list of the last check."""
    _classic(buttons.clear_marks)


def carry_over() -> None:
    """导入上年数据: from last year's workbook (path on 单位信息, or chosen in a dialog), else from 上年数据."""
    _classic(_carry_over_from_file)


def export() -> None:
    """导出年报: the publishable report (.docx) into the workbook's folder.  (No xlwings Lite script:
    Lite cannot write files on the PC; `xxgk export` does the same from the command line.)"""
    import xlwings as xw

    book = xw.Book.caller()
    _classic(lambda sheets: export_to(sheets, _folder_of(book), _path_of(book)), book)


def export_to(sheets: dict[str, list[list] | None], folder: Path | None, workbook: Path | None = None) -> buttons.Plan:
    """Write the report into `folder` (atomically, never over an earlier export, never over the
    `workbook` file itself); the plan is the status."""
    from toolkit.io.files import OutputError, atomic_write, check_outputs

    plan, target, data = buttons.export(sheets, folder)
    try:
        check_outputs([target], [workbook])
        atomic_write(target, data)
    except OutputError as exc:  # a read-only folder, a full disk: said in Chinese, not as a traceback
        raise buttons.ButtonError(str(exc)) from exc
    return plan


def _path_of(book) -> Path | None:
    """The file of a saved workbook, else None (a new workbook has a bare name, Book1)."""
    try:
        path = Path(book.fullname)
    except Exception:
        return None
    return path if path.is_absolute() else None


def _folder_of(book) -> Path | None:
    """The folder of a saved workbook (from its full path; its file name plays no part), else None."""
    path = _path_of(book)
    return path.parent if path is not None and path.parent.is_dir() else None


# --- the xlwings Lite entry points ------------------------------------------------------------------

@script(name=_caption("XxgkRecompute"))
def recompute_book(book: xw.Book):
    _lite(book, buttons.recompute)


@script(name=_caption("XxgkCheck"))
def check_book(book: xw.Book):
    _lite(book, buttons.check)


@script(name=_caption("XxgkClearMarks"))
def clear_marks_book(book: xw.Book):
    _lite(book, buttons.clear_marks)


@script(name=_caption("XxgkCarryOver"))
def carry_over_book(book: xw.Book):
    """xlwings Lite cannot read files on the PC: last year's figures come from 上年数据."""
    _lite(book, buttons.carry_over)


# --- shared -----------------------------------------------------------------------------------------

def _classic(action, book=None) -> None:
    """Run a button on the calling workbook; a failure is printed to stderr, which xlwings shows
    in a message box, and the Python process ends with exit code 1."""
    import xlwings as xw

    book = book or xw.Book.caller()
    try:
        _run(book, action)
    except buttons.ButtonError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(1) from exc


def _lite(book, action) -> None:
    """Run a button in xlwings Lite.  A script that raises has its writes dropped (xlwings' Wasm runtime
    returns only the error and its traceback), so a ButtonError is not raised: its message goes to the
    status line on 单位信息 (written by _run) and to the output pane (printed)."""
    try:
        _run(book, action)
    except buttons.ButtonError as exc:
        print(exc)


def _run(book, action) -> None:
    try:
        plan = action(read(book))
    except buttons.ButtonError as exc:
        _write_status(book, str(exc))
        raise
    try:
        apply(book, plan)
    except Exception as exc:  # Excel refused a write (COM error, Office.js error ...)
        message = (f"Excel 拒绝写入（{type(exc).__name__}: {exc}）。若是合计单元格被改写，请先点 审阅 → 撤销工作表保护，"
                   "再点“重新计算”，然后点 审阅 → 保护工作表。")
        _write_status(book, message)
        raise buttons.ButtonError(message) from exc


def _values(sheet, rows: int, cols: int) -> list[list]:
    return sheet.range((1, 1), (rows, cols)).options(ndim=2, err_to_str=True).value


def read(book) -> dict[str, list[list] | None]:
    """One batched read: 单位信息, the table sheets and 校验结果, each one rectangle from A1
    (None for the other sheets)."""
    names = common().sheets
    sheets: dict[str, list[list] | None] = {sheet.name: None for sheet in book.sheets}
    if names["info"] in sheets:
        sheets[names["info"]] = _values(book.sheets[names["info"]], *buttons.info_extent())
        version = buttons.version_of(sheets[names["info"]])
        if version:
            for name, (rows, cols) in buttons.table_extents(version).items():
                if name in sheets:
                    sheets[name] = _values(book.sheets[name], rows, cols)
    if names["findings"] in sheets:
        findings = book.sheets[names["findings"]]
        last_row = findings.used_range.last_cell.row
        sheets[names["findings"]] = _values(findings, max(last_row, 1), len(common().findings_columns))
    return sheets


def apply(book, plan: buttons.Plan) -> None:
    """One batched write: the sheets to add, then every write in order."""
    for name in plan.add_sheets:
        book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])
    sheets = {}
    for w in plan.writes:
        if w.sheet not in sheets:
            sheets[w.sheet] = book.sheets[w.sheet]
        rng = sheets[w.sheet].range((w.top, w.left), (w.bottom, w.right))
        data = w.data
        if w.kind in ("values", "formulas") and (w.top, w.left) == (w.bottom, w.right):
            data = data[0][0]  # one cell: a scalar, as every engine takes it
        if w.kind == "values":
            rng.value = data
        elif w.kind == "formulas":
            rng.formula = data
        elif w.kind == "fill":
            rng.color = w.data
        elif w.kind == "font":
            rng.font.color = w.data
        elif w.kind == "number_format":
            rng.number_format = w.data
        else:
            raise ValueError(f"unknown write kind {w.kind!r}")


def _write_status(book, text: str) -> None:
    """The status line on 单位信息, best effort (the sheet may be missing: then nothing is written)."""
    try:
        _, row, col = info_place("status")
        book.sheets[common().sheets["info"]].range((row, col)).value = text
    except Exception:
        pass


def _carry_over_from_file(sheets: dict[str, list[list] | None]) -> buttons.Plan:
    from toolkit.io.workbook.reader import UnreadableWorkbook, read_workbook

    path, chosen = buttons.previous_file(sheets), ""
    if not path:
        path = chosen = _choose_previous_file()
    if not path:
        return buttons.carry_over(sheets)
    if not Path(path).is_absolute():
        raise buttons.ButtonError(common().button_messages["previous_path"].format(path=path))
    try:
        last_year = read_workbook(path).report
    except UnreadableWorkbook as exc:
        raise buttons.ButtonError(f"上年工作簿无法读取：{exc}") from exc
    return buttons.carry_over(sheets, last_year, Path(path).name, chosen)


def _choose_previous_file() -> str:
    """Ask for last year's workbook in a file dialog; "" when cancelled or no dialog can be shown."""
    try:
        import tkinter
        from tkinter import filedialog
    except ImportError:
        return ""
    try:
        root = tkinter.Tk()
        root.withdraw()
        root.attributes("-topmost", True)  # above Excel
        path = filedialog.askopenfilename(parent=root, title="选择上年的年报工作簿",
                                          filetypes=[("Excel 工作簿", "*.xlsx *.xlsm"), ("所有文件", "*.*")])
        root.destroy()
    except Exception:  # no display, Tcl error
        return ""
    return str(Path(path)) if path else ""
