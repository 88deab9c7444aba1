"""Reading a filled standard workbook into a Report, with a finding for everything that was not
a plain number where one belongs.

Cells are found by their defined names (each equal to the cell id); where names were lost, by the
standard layout, after making sure the labels are still where the layout puts them.  Values are read
as users really type them (see toolkit.core.values); what cannot be read is an 错误 naming the sheet, the
cell and what was found.  Never a traceback, never a silent 0.
"""
from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from toolkit.core.formats import VERSIONS, Kind, codes, common, get_format, info_id, say, severity, words
from toolkit.core.layout import PREVIOUS_PREFIX, WorkbookLayout, a1, info_place, workbook_layout
from toolkit.core.model import Finding, Report
from toolkit.core.shown import quoted
from toolkit.core.values import Parsed, beyond_maximum, parse_value, parse_year
from toolkit.io.workbook.macro_check import macro_notes
from toolkit.io.workbook.names import misplaced
from toolkit.io.workbook.xlsx import RawCell, XlsxBook, XlsxError

# The reader's codes (R-…) and their severities, as codes.toml has them.
READ_CODES = {name: c.severity for name, c in codes().items() if name.startswith("R-")}
MISPLACED = "R-NAME-MISPLACED"

# Excel's error values, as a cell holds them (a formula's result, or typed), with what they mean.
ERROR_VALUES = codes()["R-FORMULA-ERROR"].words
EXTRA_SHEETS_SHOWN = 3  # at most this many extra sheets are named


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
    if not os.path.lexists(path):  # a symbolic link that leads nowhere is refused below, saying so
        raise UnreadableWorkbook(f"“{path}”：文件不存在")
    try:
        with XlsxBook(path) as book:
            result = _Reader(path, book).read()
            # macros and embedded objects first: the one thing to know before opening the file in Excel
            result.findings[:0] = [Finding(code, severity(code), message)
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
            self._cells[sheet] = {(r, c): RawCell(value, date=isinstance(value, (datetime.date, datetime.time)))
                                  for r, row in enumerate(self._grids.get(sheet) or (), start=1)
                                  for c, value in enumerate(row or (), start=1) if value not in (None, "")}
        return self._cells[sheet]

    def _layout_names(self) -> dict[str, tuple[str, int, int]]:
        _, row, col = info_place("format")
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


@lru_cache(maxsize=None)
def _own_cells() -> dict[str, frozenset]:
    """The cell ids only one format version has, by version: a workbook's defined names tell its version."""
    ids = {v: frozenset(get_format(v).cells) for v in VERSIONS}
    return {v: ids[v].difference(*(ids[w] for w in VERSIONS if w != v)) for v in VERSIONS}


@lru_cache(maxsize=None)
def standard_sheets() -> frozenset:
    """The names of every sheet a standard workbook, a macro-enabled one or a summary may have."""
    c = common()
    tables = {t.sheet for v in VERSIONS for t in get_format(v).tables}
    return frozenset({*c.sheets.values(), *tables, *c.summary_sheets.values(), c.xlwings_conf["sheet"]})


class _Reader:
    def __init__(self, path: Path, book: XlsxBook):
        self.path = path
        self.book = book
        self.findings: list[Finding] = []
        self.positions: dict[str, tuple[str, str]] = {}
        self.found: dict[str, str | None] = {}  # standard sheet name -> the sheet that is it (None: none)
        self.by_name: set[str] = set()  # cell ids found by their defined names
        self.wrong_names: dict = {}  # of those, the ones misplaced (names.misplaced)

    def add(self, code: str, message: str, *, cells=(), reported=None, sheet=None, address=None):
        self.findings.append(Finding(code, severity(code), message, tuple(cells), reported, None, sheet, address))

    def read(self) -> ReadResult:
        version = self._version()
        layout = workbook_layout(version)
        fmt = layout.fmt
        ids = list(layout.info) + list(layout.previous) + [f"text.{t}" for t in layout.texts] + list(fmt.cells)
        where = self._resolve(ids, layout)
        self._misplaced_names(version, layout, where)
        renamed = self._renamed_sheets(layout, where)
        self._moved_cells(layout, where)
        self._extra_sheets(renamed)
        report = Report(format=version)
        self._info(report, layout, where)
        self._texts(report, layout, where)
        self._values(report, fmt, where)
        self._previous(report, fmt, layout, where)
        return ReadResult(self.path, report, self.findings, self.positions)

    # --- the format version ----------------------------------------------------------------------

    def _version(self) -> str:
        """The format version: the one written on 单位信息, unless the defined names (or, without
        names, the tables' labels) show the workbook is of the other one."""
        info_sheet = common().sheets["info"]
        place = self.book.defined_names.get(info_id("format"))
        if place is None or place[0] not in self.book.sheet_paths:
            _, row, col = info_place("format")
            place = (info_sheet, row, col)
        text = ""
        if place[0] in self.book.sheet_paths:
            raw = self.book.cells(place[0]).get(place[1:])
            text = "" if raw is None or raw.value is None else str(raw.value).strip().removesuffix(".0")
        written = text if text in VERSIONS else None
        shown = self._version_from_names() or self._version_from_labels(prefer=written) or written
        if shown is None:
            raise UnreadableWorkbook(words("R-FORMAT-CELL", "unknown", file=self.path.name, sheet=info_sheet))
        if shown != written and place[0] in self.book.sheet_paths:
            sheet, address = place[0], a1(*place[1:])
            found = words("R-FORMAT-CELL", "written", text=quoted(text)) if text else words("R-FORMAT-CELL", "empty")
            self.add("R-FORMAT-CELL", say("R-FORMAT-CELL", sheet=sheet, address=address, found=found, version=shown),
                     sheet=sheet, address=address, reported=text or None)
        return shown

    def _version_from_names(self) -> str | None:
        names = self.book.defined_names.keys()
        found = [v for v in VERSIONS if not names.isdisjoint(_own_cells()[v])]
        return found[0] if len(found) == 1 else None

    def _version_from_labels(self, prefer: str | None = None) -> str | None:
        """The version whose table labels are in place best (`prefer` on a tie); None if no label is."""
        best, best_score = None, 0
        for version in sorted(VERSIONS, key=lambda v: v != prefer):
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

    # --- locating cells ------------------------------------------------------------------------

    def _resolve(self, ids: list[str], layout: WorkbookLayout) -> dict[str, tuple[str, int, int]]:
        """Where each cell is: by defined name, else by layout on a sheet whose labels still match."""
        named = _named_places(layout.fmt.version, ids, self.book.defined_names, self.book.sheet_paths)
        where, lost, self.wrong_names = dict(named.where), named.lost, named.wrong
        self.by_name = set(where)
        self.positions.update(named.positions)
        if lost:
            self.add("R-NAMES-LOST", say("R-NAMES-LOST", count=len(lost), first=lost[0]))
            for cid in lost:
                sheet, row, col = layout.where(cid)
                actual = self._sheet(sheet, layout)
                if actual is not None:
                    where[cid] = (actual, row, col)
                    self.positions[cid] = (actual, _a1(row, col))
        return where

    def _misplaced_names(self, version: str, layout: WorkbookLayout, where) -> None:
        """Names that point where no insertion of rows or columns can have moved their cells (another
        sheet, a cell far off, another name's cell): an 错误 each, and the cell is not read."""
        standard = _standard_places(version)
        wrong = self.wrong_names
        if not wrong:
            return
        rule = common().read_rules[MISPLACED]
        owners: dict[tuple, list[str]] = {}
        for cid in self.by_name:
            owners.setdefault(where[cid], []).append(cid)
        for cid in sorted(wrong, key=list(standard).index):
            sheet, row, col = where[cid]
            others = [c for c in owners[where[cid]] if c != cid]
            expected = wrong[cid]
            message = rule.message.format(
                name=cid, label=_cell_label(layout, cid), target=f"{sheet}!{a1(row, col)}",
                expected=f"{expected[0]}!{a1(*expected[1:])}",
                shared=rule.shared.format(other=others[0]) if others else "")
            self.add(MISPLACED, message, cells=[cid], sheet=sheet, address=a1(row, col))
        for cid, (sheet, row, col) in wrong.items():
            del where[cid]
            self.by_name.discard(cid)
            self.positions[cid] = (sheet, _a1(row, col))  # where rule findings about it point

    def _sheet(self, name: str, layout: WorkbookLayout) -> str | None:
        """The sheet that is the standard sheet `name`, fit to be read by position: the sheet of that
        name or, for a table, the one sheet of another name with all its labels in place (a renamed
        one); None, with an 错误, when there is none or its labels are not in place."""
        if name in self.found:
            return self.found[name]
        table = next((s for s in layout.tables if s.name == name), None)
        actual = name if name in self.book.sheet_paths else self._renamed_table(table)
        if actual is None:
            self.add("R-SHEET-MISSING", say("R-SHEET-MISSING", name=name), sheet=name)
        elif table is not None:
            wrong = wrong_label(self.book.cells(actual), table)
            if wrong:
                address, expected, found = wrong
                self.add("R-LAYOUT", say("R-LAYOUT", sheet=actual, address=address, expected=expected,
                                         found=quoted(found or "")),
                         sheet=actual, address=address, reported=found)
                actual = None
        self.found[name] = actual
        return actual

    def _renamed_table(self, table) -> str | None:
        """The one sheet not of a standard name whose labels are all where `table` puts them."""
        if table is None:
            return None
        matches = []
        for name in self.book.sheet_paths:
            if name in standard_sheets():
                continue
            try:
                if wrong_label(self.book.cells(name), table) is None:
                    matches.append(name)
            except XlsxError:  # a damaged sheet of the clerk's own is not the table
                continue
        return matches[0] if len(matches) == 1 else None

    def _renamed_sheets(self, layout: WorkbookLayout, where) -> dict[str, str]:
        """Standard sheets found under another name (by their defined names, which Excel keeps
        pointing at a renamed sheet, or by their labels): {standard name: name in the workbook}."""
        renamed = {}
        if {place[0] for place in where.values()} <= standard_sheets():
            return renamed  # the usual case: every cell on a sheet of a standard name
        for cid, (sheet, _, _) in where.items():
            standard = layout.where(cid)[0]
            if sheet != standard:
                renamed.setdefault(standard, sheet)
        for standard, sheet in renamed.items():
            self.add("R-SHEET-RENAMED", say("R-SHEET-RENAMED", sheet=quoted(sheet), standard=standard), sheet=sheet)
        return renamed

    def _moved_cells(self, layout: WorkbookLayout, where) -> None:
        """A table whose cells are not where the layout puts them (rows or columns inserted or
        deleted): read by the names, which moved with the cells; what the new rows hold is not read."""
        for table in layout.tables:
            last = next(reversed(table.cells))  # bottom right: moves with any row or column inserted before it
            if last in self.by_name and where[last][1:] == table.cells[last]:
                continue
            for cid, standard in table.cells.items():
                if cid in self.by_name and where[cid][1:] != standard:
                    sheet, row, col = where[cid]
                    self.add("R-MOVED", say("R-MOVED", sheet=sheet, label=layout.fmt.cells[cid].label,
                                            expected=a1(*standard), found=a1(row, col)), sheet=sheet)
                    break

    def _extra_sheets(self, renamed: dict[str, str]) -> None:
        extra = [s for s in self.book.sheet_paths if s not in standard_sheets() and s not in renamed.values()]
        if extra:
            shown = "、".join(words("R-EXTRA-SHEETS", "sheet", name=quoted(s)) for s in extra[:EXTRA_SHEETS_SHOWN])
            shown += words("", "more") if len(extra) > EXTRA_SHEETS_SHOWN else ""
            self.add("R-EXTRA-SHEETS", say("R-EXTRA-SHEETS", count=len(extra), shown=shown))

    def _raw(self, where, cid):
        sheet, row, col = where[cid]
        return self.book.cells(sheet).get((row, col))

    # --- reading values ------------------------------------------------------------------------

    def _info(self, report: Report, layout: WorkbookLayout, where) -> None:
        labels = {f.id: f.label for f in common().info_fields}
        for fid in layout.info:
            if fid not in where or fid in (info_id("format"), info_id("status")):
                continue
            raw = self._raw(where, fid)
            value = None if raw is None else raw.value
            key = fid.removeprefix("info.")
            if key == "year":
                report.year = None if raw is not None and raw.date else parse_year(value)
                if value not in (None, "") and report.year is None:
                    sheet, address = self.positions[fid]
                    shown = _date_text(value, self.book.date1904) if raw.date else value
                    self.add("R-YEAR", say("R-YEAR", sheet=sheet, address=address, label=labels[fid], found=quoted(shown)),
                             sheet=sheet, address=address, reported=quoted(shown))
            elif key == "date":
                report.info[key] = _date_text(value, self.book.date1904)
            else:
                text = cell_text(value)
                if key in ("unit", "level"):
                    setattr(report, key, text)
                elif text:
                    report.info[key] = text

    def _texts(self, report: Report, layout: WorkbookLayout, where) -> None:
        for part in layout.texts:
            cid = f"text.{part}"
            if cid in where:
                raw = self._raw(where, cid)
                text = cell_text(None if raw is None else raw.value)
                if text:
                    report.texts[part] = text

    def _figure(self, raw: RawCell | None, kind: Kind, sheet: str, address: str, label: str,
                cells=()) -> Parsed | None:
        """What a cell holds as a figure of its kind; None, with an 错误 saying what is there and
        what to do, when it holds none: an error value, a date, words, a number beyond the kind's
        maximum."""
        value = None if raw is None else raw.value
        place = dict(sheet=sheet, address=address, label=label)
        where = dict(cells=cells, sheet=sheet, address=address)
        if _error_value(value):
            code = value.strip()
            self.add("R-FORMULA-ERROR", say("R-FORMULA-ERROR", value=code, meaning=ERROR_VALUES[code], **place),
                     reported=code, **where)
            return None
        if raw is not None and raw.date:
            shown = _date_text(value, self.book.date1904)
            self.add("R-DATE", say("R-DATE", found=shown, kind=kind.name, **place), reported=shown, **where)
            return None
        parsed = parse_value(value, kind)
        if not parsed.ok:
            self.add("R-NOT-NUMBER", say("R-NOT-NUMBER", found=quoted(parsed.found), kind=kind.name, prompt=kind.prompt,
                                         **place), reported=quoted(parsed.found), **where)
            return None
        if beyond_maximum(parsed.value, kind):
            shown = _large(parsed.value)
            self.add("R-TOO-LARGE", say("R-TOO-LARGE", found=shown, kind=kind.name, maximum=_large(kind.maximum),
                                        **place), reported=shown, **where)
            return None
        return parsed

    def _previous(self, report: Report, fmt, layout: WorkbookLayout, where) -> None:
        """上年数据: blank means not kept (no hint); what is there is read like any figure."""
        kinds = common().kinds
        for name in layout.previous:
            if name not in where:
                continue
            cid = name.removeprefix(PREVIOUS_PREFIX)
            sheet, address = self.positions[name]
            label = common().previous_label + fmt.cells[cid].label
            parsed = self._figure(self._raw(where, name), kinds[fmt.cells[cid].kind], sheet, address, label)
            if parsed is not None and parsed.how != "blank":
                report.previous[cid] = parsed.value

    def _values(self, report: Report, fmt, where) -> None:
        kinds = common().kinds
        largest = min((k.maximum for k in kinds.values() if k.maximum is not None), default=float("inf"))
        blanks: dict[str, list[str]] = {}
        blank_totals: dict[str, list[str]] = {}
        by_sheet: dict[str, list[str]] = {}
        for cid in fmt.cells:
            place = where.get(cid)
            if place is not None:
                by_sheet.setdefault(place[0], []).append(cid)
        raws = {}
        for sheet, cids in by_sheet.items():  # a sheet's cells looked up in one go, in reading order
            cells = self.book.cells(sheet)
            keys = [where[cid][1:] for cid in cids]
            many = getattr(cells, "many", None)
            raws.update(zip(cids, many(keys) if many else [cells.get(k) for k in keys]))
        for cid, cell in fmt.cells.items():
            if cid not in raws:
                continue
            raw = raws[cid]
            if type(raw) is int:  # a plain whole number (_ScannedSheet.many)
                if -largest <= raw <= largest:
                    report.values[cid] = raw
                    continue
                raw = RawCell(raw)
            elif raw is not None and type(raw.value) is int and -largest <= raw.value <= largest and not raw.date:
                report.values[cid] = raw.value  # the usual case, as parse_value would read it
                continue
            sheet, address = self.positions[cid]
            if raw is not None and raw.formula and raw.value is None:
                if not cell.total:
                    self.add("R-UNCALCULATED", say("R-UNCALCULATED", sheet=sheet, address=address, label=cell.label),
                             cells=[cid], sheet=sheet, address=address)
                continue  # a total whose formula was never calculated: the checker computes it
            if cell.total and raw is not None:
                if _error_value(raw.value):
                    self.add("R-TOTAL-ERROR", say("R-TOTAL-ERROR", sheet=sheet, address=address, label=cell.label,
                                                  value=raw.value.strip()),
                             cells=[cid], sheet=sheet, address=address, reported=raw.value.strip())
                    continue
                raw = raw._replace(date=False)  # a total shown as a date is still the sum
            parsed = self._figure(raw, kinds[cell.kind], sheet, address, cell.label, [cid])
            if parsed is None:
                continue
            if parsed.how in ("blank", "zero_word"):
                (blank_totals if cell.total else blanks).setdefault(sheet, []).append(cid)
                if cell.total:
                    continue
            elif parsed.how == "text":
                self.add("R-TEXT-NUMBER", say("R-TEXT-NUMBER", sheet=sheet, address=address, label=cell.label,
                                              found=quoted(parsed.found), value=parsed.value), cells=[cid], sheet=sheet, address=address,
                         reported=parsed.value)
            report.values[cid] = parsed.value
        for sheet, cids in blanks.items():
            self.add("R-BLANK", say("R-BLANK", sheet=sheet, count=len(cids)), cells=cids, sheet=sheet)
        for sheet, cids in blank_totals.items():
            self.add("R-TOTAL-BLANK", say("R-TOTAL-BLANK", sheet=sheet, count=len(cids)), cells=cids, sheet=sheet)


@dataclass(frozen=True)
class NamedPlaces:
    """Where a workbook's defined names put the cells, worked out from its names alone."""

    names: object  # the defined names it was worked out from (kept: the cache goes by their id)
    where: dict  # cell id -> (sheet, row, col), for the cells named on a sheet that exists
    lost: list  # the cell ids with no such name, in reading order
    positions: dict  # cell id -> (sheet, A1) of those in `where`
    wrong: dict  # misplaced(): the names that point where their cells cannot be


_NAMED: dict[tuple, NamedPlaces] = {}
_NAMED_LIMIT = 64


def _named_places(version: str, ids: list[str], names, sheets) -> NamedPlaces:
    """NamedPlaces of a workbook; shared by the workbooks whose names are the same object (the
    workbook.xml of one template, parsed once: XlsxBook), which are most of them.  Callers copy
    `where` before changing it."""
    shared = isinstance(names, MappingProxyType)
    key = (version, id(names), tuple(sheets))
    known = _NAMED.get(key) if shared else None
    if known is not None and known.names is names:
        return known
    where, lost = {}, []
    for cid in ids:
        place = names.get(cid)
        if place and place[0] in sheets:
            where[cid] = place
        else:
            lost.append(cid)
    known = NamedPlaces(names, where, lost, {cid: (sheet, _a1(row, col)) for cid, (sheet, row, col) in where.items()},
                        misplaced(where, _standard_places(version)))
    if shared:
        if len(_NAMED) >= _NAMED_LIMIT:
            _NAMED.clear()
        _NAMED[key] = known
    return known


@lru_cache(maxsize=None)
def _standard_places(version: str) -> dict[str, tuple[str, int, int]]:
    """Where the layout puts every cell a defined name may name, in reading order."""
    layout = workbook_layout(version)
    ids = list(layout.info) + list(layout.previous) + [f"text.{t}" for t in layout.texts] + list(layout.fmt.cells)
    return {cid: layout.where(cid) for cid in ids}


def _cell_label(layout: WorkbookLayout, cid: str) -> str:
    """What a cell is, in words: a table cell's label, an info field's, 上年 + a cell's, a text part's heading."""
    fmt = layout.fmt
    if cid in fmt.cells:
        return fmt.cells[cid].label
    if cid in layout.previous:
        return common().previous_label + fmt.cells[cid.removeprefix(PREVIOUS_PREFIX)].label
    if cid.startswith("text."):
        return next((p.heading for p in fmt.parts if p.text == cid.removeprefix("text.")), cid)
    return next((f.label for f in common().info_fields if f.id == cid), cid)


def _error_value(value) -> bool:
    return isinstance(value, str) and value.strip() in ERROR_VALUES


def _large(value) -> str:
    """A number too large to be a figure, as Excel shows it: 1E+15 rather than sixteen digits."""
    return str(int(value)) if abs(value) < 1e15 and float(value).is_integer() else f"{value:.6G}"


def cell_text(value) -> str:
    """A cell's value as text: a whole float without its .0, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date_text(value, date1904: bool) -> str:
    """A date as ISO text: Excel stores one as a serial number (a time as a fraction of a day),
    xlwings gives a datetime, a t="d" cell ISO text."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()[:10] if isinstance(value, datetime.date) else value.strftime("%H:%M")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 0 <= value < 1:
            minutes = round(value * 24 * 60)
            return f"{minutes // 60:02d}:{minutes % 60:02d}"
        if 0 < value < 2958466:
            epoch = datetime.date(1904, 1, 1) if date1904 else datetime.date(1899, 12, 30)
            return (epoch + datetime.timedelta(days=int(value))).isoformat()
    text = cell_text(value)
    m = _ISO_DATE.match(text)
    return m.group(0) if m else text
