"""The 分单位明细 sheet of a summary: one row per unit, one column per cell of the summary's format
(Chinese headers from the format), and a total row.

Its first row holds each column's id (the cell id, or info.unit and the like), so the sheet reads
back exactly whatever the headers say: `read_last_year` does that when the summary is given as last
year's (to `xxgk distribute --previous` and `xxgk consolidate --previous`).  The rows are streamed as
XML (see streamed.py): a county of 10,000 units is 2 million cells.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core.formats import common, get_format, info_id
from toolkit.core.layout import a1, column_letter
from toolkit.core.roster import unit_key
from toolkit.core.rules import Values
from toolkit.core.values import parse_value
from toolkit.io.workbook import streamed
from toolkit.io.workbook.reader import UnreadableWorkbook, read_workbook
from toolkit.io.workbook.xlsx import XlsxBook, XlsxError

ID_ROW = 1
HEADER_ROWS = (2, 3, 4)  # table, row, column
FIRST_DATA_ROW = 5
# The ids of the lists' own columns are the keys of common.toml's [lists].
NUMBER, FILE, PATH = "no", "file", "path"
CELL_ID, VALUE = "cell", "value"  # headers of the summary's other lists (报送情况, the --long table)
TOTAL = common().lists["total"]
EXTRA_LABELS = {k: v for k, v in common().lists.items() if k != "total"}
UNIT, LEVEL, FORMAT, DATE = (info_id(k) for k in ("unit", "level", "format", "date"))
INFO_COLUMNS = (NUMBER, UNIT, LEVEL, FORMAT, DATE, FILE)


def header(cid: str) -> str:
    """The Chinese header of a unit-information column (info.unit -> 单位名称, as on 单位信息) or of
    NUMBER, FILE, CELL_ID, VALUE: the one place the summary's lists get them from."""
    return EXTRA_LABELS.get(cid) or next(f.label for f in common().info_fields if f.id == cid)


def sheet_name() -> str:
    return common().summary_sheets["details"]


def columns(version: str) -> list[tuple[str, tuple[str, str, str]]]:
    """(id, (table, row, column) headers) of every column, info columns first."""
    out = [(cid, ("", "", header(cid))) for cid in INFO_COLUMNS]
    fmt = get_format(version)
    for cid, cell in fmt.cells.items():
        table = fmt.table(cell.table)
        if cell.row.labels:
            row_part, column_part = cell.row.name, cell.column.name
        else:  # table 四: one row, grouped columns
            row_part, column_part = " ".join(cell.column.labels[:-1]), cell.column.labels[-1]
        out.append((cid, (table.short, row_part, column_part)))
    return out


def last_row(units: int) -> int:
    return FIRST_DATA_ROW + units  # the total row


def rows(consolidation, style: dict[str, int]) -> Iterator[str]:
    """The data rows and the total row, as XML."""
    fmt = get_format(consolidation.version)
    cols = columns(consolidation.version)
    letters = [column_letter(i) for i in range(1, len(cols) + 1)]
    first_cell = len(INFO_COLUMNS)
    kinds = [fmt.cells[cid].kind for cid, _ in cols[first_cell:]]
    plain = [style["money"] if k == "money" else style["count"] for k in kinds]
    bold = [style["total_money"] if k == "money" else style["total_count"] for k in kinds]
    prefixes = [f'<c r="{letter}' for letter in letters[first_cell:]]

    number = streamed.number

    def figures(n: int, values, styles) -> str:
        return "".join([f'{p}{n}" s="{s}"><v>{v if type(v) is int else number(v)}</v></c>'
                        for p, s, v in zip(prefixes, styles, values) if v is not None])

    n = FIRST_DATA_ROW
    for i, s in enumerate(consolidation.accepted, start=1):
        info = (i, s.unit, s.level, s.format, s.date or None, s.name)
        head = "".join(streamed.text_cell(f"{letters[c]}{n}", v, style["text"]) if isinstance(v, str)
                       else streamed.number_cell(f"{letters[c]}{n}", v, style["text"])
                       for c, v in enumerate(info) if v is not None)
        yield f'<row r="{n}">{head}{figures(n, s.values, plain)}</row>'
        n += 1
    total = (TOTAL, f"{len(consolidation.accepted)}个单位") + ("",) * (first_cell - 2)
    head = "".join(streamed.text_cell(f"{letters[c]}{n}", v, style["total_text"]) for c, v in enumerate(total))
    yield f'<row r="{n}">{head}{figures(n, consolidation.totals, bold)}</row>'


@dataclass
class LastYear:
    """Last year's summary: its own report, and each unit's figures from its 分单位明细."""

    path: Path
    unit: str
    level: str
    year: int | None
    version: str
    totals: dict  # the summary's own figures (its standard tables)
    units: dict = field(default_factory=dict)  # unit key -> {cell id: value}
    names: dict = field(default_factory=dict)  # unit key -> unit name as written
    formats: dict = field(default_factory=dict)  # unit key -> the format the unit used (its figures are in `version`)

    def figures(self, unit: str) -> dict | None:
        return self.units.get(unit_key(unit))


def read_last_year(path) -> LastYear:
    """Read a summary written by `xxgk consolidate` (its 单位信息 and tables with the standard reader,
    its 分单位明细 by the ids of the first row).  Raises UnreadableWorkbook naming file, sheet and cell."""
    path = Path(path)
    result = read_workbook(path)
    report = result.report
    name = sheet_name()
    try:
        with XlsxBook(path) as book:
            if name not in book.sheet_paths:
                raise UnreadableWorkbook(f"“{path.name}”没有“{name}”表：不是 xxgk consolidate 生成的汇总工作簿")
            cells = book.cells(name)
            units, names, formats = _unit_rows(path, name, cells, report.format)
    except XlsxError as exc:
        raise UnreadableWorkbook(f"“{path.name}”：{exc}") from exc
    fmt = get_format(report.format)
    values = Values(fmt, report.values)
    return LastYear(path, report.unit, report.level, report.year, report.format,
                    {cid: values[cid] for cid in fmt.cells}, units, names, formats)


def _unit_rows(path: Path, sheet: str, cells, version: str):
    fmt = get_format(version)
    kinds = common().kinds
    by_row: dict[int, dict[int, object]] = {}
    for (r, c), raw in cells.items():
        by_row.setdefault(r, {})[c] = raw.value
    id_row = next((r for r in sorted(by_row)[:10] if UNIT in by_row[r].values()), None)
    if id_row is None:
        raise UnreadableWorkbook(f"“{path.name}”“{sheet}”表第{ID_ROW}行没有列编号（如 {UNIT}），无法读取各单位数字")
    ids = {c: v for c, v in by_row[id_row].items() if isinstance(v, str)}
    unit_col = next(c for c, v in ids.items() if v == UNIT)
    number_col = next((c for c, v in ids.items() if v == NUMBER), None)
    format_col = next((c for c, v in ids.items() if v == FORMAT), None)
    units, names, formats = {}, {}, {}
    for r in sorted(by_row):
        if r <= id_row + len(HEADER_ROWS):
            continue
        row = by_row[r]
        unit = row.get(unit_col)
        if unit is None or (number_col is not None and row.get(number_col) == TOTAL) or unit == TOTAL:
            continue
        figures = {}
        for c, cid in ids.items():
            cell = fmt.cells.get(cid)
            if cell is None or c not in row:
                continue
            parsed = parse_value(row[c], kinds[cell.kind])
            if not parsed.ok:
                raise UnreadableWorkbook(f"“{path.name}”{sheet}!{a1(r, c)}（{unit}，{cell.label}）：“{parsed.found}”"
                                         "不是数字")
            figures[cid] = parsed.value
        key = unit_key(str(unit))
        units[key], names[key] = figures, str(unit)
        formats[key] = str(row.get(format_col) or version)
    return units, names, formats
