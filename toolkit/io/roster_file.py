"""Reading the roster file (单位名单): a CSV file (UTF-8 with or without BOM, or GBK/GB18030 as Chinese
Excel saves "CSV") or an .xlsx workbook, read with the toolkit's own reader and within intake's limits;
its rows become a toolkit.core.roster.Roster."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from toolkit.core.roster import MESSAGES, SHEET, Roster, RosterError, roster_from_rows
from toolkit.io.intake import RefusedFile, read_limited
from toolkit.io.workbook.xlsx import XlsxBook, XlsxError


def read_roster(path) -> Roster:
    path = Path(path)
    if not path.exists():
        raise RosterError(MESSAGES["not_found"].format(sheet=SHEET, file=path))
    if path.is_dir():
        raise RosterError(MESSAGES["folder"].format(sheet=SHEET, file=path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _workbook_rows(path)
    else:
        raise RosterError(MESSAGES["suffix"].format(sheet=SHEET, file=path.name))
    return roster_from_rows(path, rows)


def _csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    try:
        data = read_limited(path)
    except RefusedFile as exc:
        raise RosterError(MESSAGES["unreadable"].format(sheet=SHEET, file=path.name, why=exc)) from exc
    except OSError as exc:
        raise RosterError(MESSAGES["unreadable"].format(sheet=SHEET, file=path.name, why=exc.strerror or exc)) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise RosterError(MESSAGES["encoding"].format(sheet=SHEET, file=path.name))
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    return [(i, row) for i, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)]


def _workbook_rows(path: Path) -> list[tuple[int, list[str]]]:
    try:
        with XlsxBook(path) as book:
            sheet = SHEET if SHEET in book.sheet_paths else book.sheet_names[0]
            cells = dict(book.cells(sheet))
    except (XlsxError, IndexError) as exc:
        raise RosterError(MESSAGES["unreadable"].format(sheet=SHEET, file=path.name, why=exc)) from exc
    by_row: dict[int, dict[int, object]] = {}
    for (row, col), raw in cells.items():
        by_row.setdefault(row, {})[col] = raw.value
    out = []
    for row in sorted(by_row):
        width = max(by_row[row])
        out.append((row, [_cell_text(by_row[row].get(c)) for c in range(1, width + 1)]))
    return out


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)
