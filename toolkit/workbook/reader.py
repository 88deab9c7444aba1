"""Reading a filled standard workbook into a Report, with a finding for everything that was not
a plain number where one belongs.

Cells are found by their defined names (each equal to the cell id); where names were lost, by the
standard layout, after making sure the labels are still where the layout puts them.  Values are read
as users really type them (see toolkit.values); what cannot be read is an 错误 naming the sheet, the
cell and what was found.  Never a traceback, never a silent 0.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from toolkit.formats import VERSIONS, common
from toolkit.layout import PREVIOUS_PREFIX, WorkbookLayout, a1, workbook_layout
from toolkit.model import ERROR, HINT, Finding, Report
from toolkit.values import parse_value, parse_year
from toolkit.workbook.macro_check import macro_notes
from toolkit.workbook.xlsx import RawCell, XlsxBook, XlsxError

READ_CODES = {
    "R-NAMES-LOST": HINT,
    "R-LAYOUT": ERROR,
    "R-SHEET-MISSING": ERROR,
    "R-BLANK": HINT,
    "R-TOTAL-BLANK": HINT,
    "R-TEXT-NUMBER": HINT,
    "R-NOT-NUMBER": ERROR,
    "R-UNCALCULATED": ERROR,
    "R-YEAR": ERROR,
    # what a workbook carries that could run in Excel (toolkit.workbook.macro_check)
    "R-VBA-CHANGED": HINT,
    "R-VBA-UNREADABLE": HINT,
    "R-VBA-IN-XLSX": HINT,
    "R-MACRO-SHEET": HINT,
    "R-EMBEDDED": HINT,
}


class UnreadableWorkbook(Exception):
    """The file cannot be read as a report workbook at all; the message (Chinese) names the file."""


@dataclass
class ReadResult:
    path: Path
    report: Report
    findings: list[Finding]
    positions: dict[str, tuple[str, str]] = field(default_factory=dict)  # cell id -> (sheet, A1) as found

    def locate(self, finding: Finding) -> tuple[str, str]:
        """(sheet, A1) of a finding: its own, or where its first cell was found in this workbook."""
        if finding.sheet:
            return finding.sheet, finding.address or ""
        if finding.cells and finding.cells[0] in self.positions:
            return self.positions[finding.cells[0]]
        return "", ""


def read_workbook(path) -> ReadResult:
    path = Path(path)
    if not path.exists():
        raise UnreadableWorkbook(f"“{path}”：文件不存在")
    try:
        with XlsxBook(path) as book:
            result = _Reader(path, book).read()
            # macros and embedded objects first: the one thing to know before opening the file in Excel
            result.findings[:0] = [Finding(code, READ_CODES[code], message)
                                   for code, message in macro_notes(book, path.suffix)]
            return result
    except XlsxError as exc:
        raise UnreadableWorkbook(f"“{path.name}”：{exc}") from exc


def read_cells(sheets: dict[str, list[list] | None], source: str = "当前工作簿") -> ReadResult:
    """Read a workbook given as the values of its sheets (2-D lists from A1, by sheet name; None for a
    sheet that exists but was not read), as the Excel buttons read the open workbook.  Cells are
    taken where the standard layout puts them (see GridBook); values are read as from a file."""
    book = GridBook(sheets)
    try:
        return _Reader(Path(source), book).read()
    except XlsxError as exc:
        raise UnreadableWorkbook(f"“{source}”：{exc}") from exc


class GridBook:
    """What the reader needs of a workbook (sheet names, defined names, cells), from sheet values.

    The defined names are the standard layout's for the version written on 单位信息 (the sheets of
    the workbook the buttons run in are protected, so cells stay where the layout puts them); when
    no version is written there, there are none and the reader goes by labels as for any file."""

    date1904 = False

    def __init__(self, sheets: dict[str, list[list] | None]):
        self.sheet_paths = {name: name for name in sheets}
        self._grids = sheets
        self._cells: dict[str, dict] = {}
        self.defined_names = self._layout_names()

    def cells(self, sheet: str) -> dict[tuple[int, int], RawCell]:
        if sheet not in self._cells:
            self._cells[sheet] = {(r, c): RawCell(value)
                                  for r, row in enumerate(self._grids.get(sheet) or (), start=1)
                                  for c, value in enumerate(row or (), start=1) if value not in (None, "")}
        return self._cells[sheet]

    def _layout_names(self) -> dict[str, tuple[str, int, int]]:
        row, col = workbook_layout(VERSIONS[0]).info["info.format"]  # the same in every version
        raw = self.cells(common().sheets["info"]).get((row, col))
        text = "" if raw is None else str(raw.value).strip().removesuffix(".0")
        if text not in VERSIONS:
            return {}
        layout = workbook_layout(text)
        ids = list(layout.info) + list(layout.previous) + [f"text.{t}" for t in layout.texts] + list(layout.fmt.cells)
        return {cid: layout.where(cid) for cid in ids}


def wrong_label(cells: dict, table_sheet) -> tuple[str, str, object] | None:
    """(A1 address, expected label, what is there) of the first label of a table sheet that is not
    where the layout puts it, or None when all are."""
    for lab in table_sheet.labels:
        raw = cells.get((lab.row, lab.col))
        found = None if raw is None else raw.value
        if lab.text and _normal(found) != _normal(lab.text):
            return a1(lab.row, lab.col), lab.text, found
    return None
_a1 = lru_cache(maxsize=4096)(a1)


def _normal(text) -> str:
    """Labels compared loosely: no spaces or line breaks, half-width brackets as full-width."""
    text = "" if text is None else str(text)
    text = re.sub(r"\s+", "", text)
    return text.replace("(", "（").replace(")", "）").replace(":", "：")


class _Reader:
    def __init__(self, path: Path, book: XlsxBook):
        self.path = path
        self.book = book
        self.findings: list[Finding] = []
        self.positions: dict[str, tuple[str, str]] = {}

    def add(self, code: str, message: str, *, cells=(), reported=None, sheet=None, address=None):
        self.findings.append(Finding(code, READ_CODES[code], message, tuple(cells), reported, None, sheet, address))

    def read(self) -> ReadResult:
        version = self._version()
        layout = workbook_layout(version)
        fmt = layout.fmt
        ids = list(layout.info) + list(layout.previous) + [f"text.{t}" for t in layout.texts] + list(fmt.cells)
        where = self._resolve(ids, layout)
        report = Report(format=version)
        self._info(report, layout, where)
        self._texts(report, layout, where)
        self._values(report, fmt, where)
        self._previous(report, fmt, layout, where)
        return ReadResult(self.path, report, self.findings, self.positions)

    # --- locating cells ------------------------------------------------------------------------

    def _version(self) -> str:
        info_sheet = common().sheets["info"]
        place = self.book.defined_names.get("info.format")
        if place is None or place[0] not in self.book.sheet_paths:
            row, col = workbook_layout(VERSIONS[0]).info["info.format"]  # the same in every version
            place = (info_sheet, row, col)
        if place[0] in self.book.sheet_paths:
            raw = self.book.cells(place[0]).get(place[1:])
            text = "" if raw is None or raw.value is None else str(raw.value).strip().removesuffix(".0")
            for version in VERSIONS:
                if text == version:
                    return version
        guessed = self._version_from_labels()
        if guessed:
            return guessed
        raise UnreadableWorkbook(
            f"“{self.path.name}”：无法识别报告格式——“{info_sheet}”表没有报告格式（2021 或 2019），"
            "表格标签也与标准格式不符。请使用本工具生成的标准工作簿。")

    def _version_from_labels(self) -> str | None:
        best, best_score = None, 0
        for version in VERSIONS:
            layout = workbook_layout(version)
            score = 0
            for sheet in layout.tables:
                if sheet.name not in self.book.sheet_paths:
                    continue
                cells = self.book.cells(sheet.name)
                score += sum(1 for lab in sheet.labels
                             if (raw := cells.get((lab.row, lab.col))) and _normal(raw.value) == _normal(lab.text))
            if score > best_score:
                best, best_score = version, score
        return best

    def _resolve(self, ids: list[str], layout: WorkbookLayout) -> dict[str, tuple[str, int, int]]:
        """Where each cell is: by defined name, else by layout on a sheet whose labels still match."""
        names = self.book.defined_names
        where, lost = {}, []
        for cid in ids:
            place = names.get(cid)
            if place and place[0] in self.book.sheet_paths:
                where[cid] = place
            else:
                lost.append(cid)
        if lost:
            self.add("R-NAMES-LOST", f"工作簿中有{len(lost)}个单元格名称缺失（如 {lost[0]}），已按标准表格位置读取")
            checked: dict[str, bool] = {}
            for cid in lost:
                sheet, row, col = layout.where(cid)
                if sheet not in checked:
                    checked[sheet] = self._sheet_usable(sheet, layout)
                if checked[sheet]:
                    where[cid] = (sheet, row, col)
        for cid, (sheet, row, col) in where.items():
            self.positions[cid] = (sheet, _a1(row, col))
        return where

    def _sheet_usable(self, sheet_name: str, layout: WorkbookLayout) -> bool:
        if sheet_name not in self.book.sheet_paths:
            self.add("R-SHEET-MISSING", f"工作簿中没有“{sheet_name}”表，其中的数据无法读取", sheet=sheet_name)
            return False
        table_sheet = next((s for s in layout.tables if s.name == sheet_name), None)
        if table_sheet is None:
            return True
        wrong = wrong_label(self.book.cells(sheet_name), table_sheet)
        if wrong:
            address, expected, found = wrong
            self.add("R-LAYOUT", f"{sheet_name}!{address} 应为“{expected}”，实为“{found or ''}”："
                     "表格结构被改动且单元格名称缺失，本表数据无法按位置读取",
                     sheet=sheet_name, address=address, reported=found)
            return False
        return True

    def _raw(self, where, cid):
        sheet, row, col = where[cid]
        return self.book.cells(sheet).get((row, col))

    # --- reading values ------------------------------------------------------------------------

    def _info(self, report: Report, layout: WorkbookLayout, where) -> None:
        labels = {f.id: f.label for f in common().info_fields}
        for fid in layout.info:
            if fid not in where or fid in ("info.format", "info.status"):
                continue
            raw = self._raw(where, fid)
            value = None if raw is None else raw.value
            key = fid.removeprefix("info.")
            if key == "year":
                report.year = parse_year(value)
                if value not in (None, "") and report.year is None:
                    sheet, address = self.positions[fid]
                    self.add("R-YEAR", f"{sheet}!{address}（{labels[fid]}）：“{value}”不是年度，请填写四位数年度，例如2025",
                             sheet=sheet, address=address, reported=str(value))
            elif key == "date":
                report.info[key] = _date_text(value, self.book.date1904)
            else:
                text = _text(value)
                if key in ("unit", "level"):
                    setattr(report, key, text)
                elif text:
                    report.info[key] = text

    def _texts(self, report: Report, layout: WorkbookLayout, where) -> None:
        for part in layout.texts:
            cid = f"text.{part}"
            if cid in where:
                raw = self._raw(where, cid)
                text = _text(None if raw is None else raw.value)
                if text:
                    report.texts[part] = text

    def _previous(self, report: Report, fmt, layout: WorkbookLayout, where) -> None:
        """上年数据: blank means not kept (no hint); what is there is read like any figure."""
        kinds = common().kinds
        for name in layout.previous:
            if name not in where:
                continue
            cid = name.removeprefix(PREVIOUS_PREFIX)
            raw = self._raw(where, name)
            parsed = parse_value(None if raw is None else raw.value, kinds[fmt.cells[cid].kind])
            if parsed.how == "blank":
                continue
            sheet, address = self.positions[name]
            label = common().previous_label + fmt.cells[cid].label
            if not parsed.ok:
                self.add("R-NOT-NUMBER", f"{sheet}!{address}（{label}）：“{parsed.found}”不是有效的"
                         f"{kinds[fmt.cells[cid].kind].name}。{kinds[fmt.cells[cid].kind].prompt}",
                         sheet=sheet, address=address, reported=parsed.found)
                continue
            report.previous[cid] = parsed.value

    def _values(self, report: Report, fmt, where) -> None:
        kinds = common().kinds
        blanks: dict[str, list[str]] = {}
        blank_totals: dict[str, list[str]] = {}
        sheets = {}
        for cid, cell in fmt.cells.items():
            place = where.get(cid)
            if place is None:
                continue
            cells = sheets.get(place[0])
            if cells is None:
                cells = sheets[place[0]] = self.book.cells(place[0])
            raw = cells.get(place[1:])
            if raw is not None and type(raw.value) is int:  # the usual case, as parse_value would read it
                report.values[cid] = raw.value
                continue
            sheet, address = self.positions[cid]
            if raw is not None and raw.formula and raw.value is None:
                if not cell.total:
                    self.add("R-UNCALCULATED", f"{sheet}!{address}（{cell.label}）的公式没有计算结果，"
                             "请在 Excel 或 WPS 中打开并保存后再试", cells=[cid], sheet=sheet, address=address)
                continue  # a total whose formula was never calculated: the checker computes it
            parsed = parse_value(None if raw is None else raw.value, kinds[cell.kind])
            if parsed.how in ("blank", "zero_word"):
                (blank_totals if cell.total else blanks).setdefault(sheet, []).append(cid)
                if cell.total:
                    continue
            elif parsed.how == "text":
                self.add("R-TEXT-NUMBER", f"{sheet}!{address}（{cell.label}）填的是文本“{parsed.found}”，已按{parsed.value}读取；"
                         "文本不计入表内合计，请改为数字", cells=[cid], sheet=sheet, address=address,
                         reported=parsed.value)
            elif not parsed.ok:
                self.add("R-NOT-NUMBER", f"{sheet}!{address}（{cell.label}）：“{parsed.found}”不是有效的"
                         f"{kinds[cell.kind].name}。{kinds[cell.kind].prompt}",
                         cells=[cid], sheet=sheet, address=address, reported=parsed.found)
                continue
            report.values[cid] = parsed.value
        for sheet, cids in blanks.items():
            self.add("R-BLANK", f"“{sheet}”表有{len(cids)}个应填单元格为空（或填“无”“—”），已按0读取；"
                     "没有发生的请填0", cells=cids, sheet=sheet)
        for sheet, cids in blank_totals.items():
            self.add("R-TOTAL-BLANK", f"“{sheet}”表有{len(cids)}个合计单元格为空（公式被删除），已按各项之和计算；"
                     "请点“重新计算”或重新填入公式", cells=cids, sheet=sheet)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date_text(value, date1904: bool) -> str:
    """填报日期 as ISO text: Excel stores a date as a serial number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 2958466:
        epoch = datetime.date(1904, 1, 1) if date1904 else datetime.date(1899, 12, 30)
        return (epoch + datetime.timedelta(days=int(value))).isoformat()
    return _text(value)
