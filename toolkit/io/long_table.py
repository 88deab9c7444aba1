"""The summary's figures as a long table (one row per unit and cell), for pandas, R or a database:
`xxgk consolidate --long FILE.csv` (UTF-8 with BOM, so Excel opens it) or `--long FILE.parquet`.
`records` is the one place the long rows are built: `--long` writes them, and
`toolkit.read_reports` (toolkit/app/frames.py) makes its DataFrame of them (with 年度 and 路径 too).

Only the units that were summed are in it, with their figures in the summary's format (as on the
分单位明细 sheet); a cell a unit has no figure for (a mixed-format gap) has no row.  Text from the
inputs (unit and file names) is written readably (a non-UTF-8 file name as `readable` shows it); in
the CSV, text beginning with = + - @ TAB or CR gets a single quote in front (`csv_field`), so that no
spreadsheet program opening it runs a formula.  The figures stay numbers.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from toolkit.io.files import atomic_stream
from toolkit.core.formats import get_format, info_id
from toolkit.core.input_text import csv_field, readable
from toolkit.io.workbook import details

LABELS = ("表", "行", "列")
# The columns of a record (see `records`): the unit's, then the cell's.
RECORD_COLUMNS = tuple(details.header(c) for c in (info_id("unit"), info_id("level"), info_id("year"), info_id("format"),
                                                   details.FILE, details.PATH, details.CELL_ID)) \
    + LABELS + (details.header(details.VALUE),)
# The --long file's: a record without 年度 and 路径.
COLUMNS = tuple(c for c in RECORD_COLUMNS if c not in (details.header(info_id("year")), details.header(details.PATH)))
SUFFIXES = (".csv", ".parquet")
_BATCH_UNITS = 500


def cell_labels(version: str, cells=None) -> list[tuple[str, str, str, str]]:
    """(cell id, table, row, column) of each of `cells` (default: every cell of the format, in its
    order), the labels as on the summary's 分单位明细 sheet (details.columns)."""
    headers = dict(details.columns(version))
    return [(cid, *headers[cid]) for cid in (get_format(version).cells if cells is None else cells)]


def records(units, labels, gaps: bool = False, columns: tuple = RECORD_COLUMNS) -> Iterator[tuple]:
    """The long rows of `units` (Submissions, or anything with unit, level, year, format, name,
    path and values in the order of `labels`, as `cell_labels` gives them):
    (unit, level, year, format, file, path, cell id, table, row, column, value), as RECORD_COLUMNS;
    with `columns=COLUMNS`, the --long file's (no year, no path).  A cell whose value is None (no
    figure) has no row, unless `gaps`."""
    full = columns == RECORD_COLUMNS
    if not full and columns != COLUMNS:
        raise ValueError(f"columns: RECORD_COLUMNS or COLUMNS, not {columns}")
    for s in units:
        unit, level, name = readable(s.unit), readable(s.level), readable(s.name)
        head = (unit, level, s.year, s.format, name, readable(s.path)) if full else (unit, level, s.format, name)
        for label, value in zip(labels, s.values):
            if value is not None or gaps:
                yield head + label + (value,)


def rows(consolidation) -> Iterator[tuple]:
    """The --long rows (COLUMNS) of a consolidation: its summed units, in the summary's format."""
    return records(consolidation.accepted, cell_labels(consolidation.version, consolidation.cells), columns=COLUMNS)


def write_long(path, consolidation, force: bool = False) -> Path:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"长表文件应为 .csv 或 .parquet：{path.name}")
    with atomic_stream(path, force) as fh:
        if suffix == ".csv":
            text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
            writer = csv.writer(text)
            writer.writerow(COLUMNS)
            writer.writerows(tuple(map(csv_field, item)) for item in rows(consolidation))
            text.flush()
            text.detach()
        else:
            _parquet(fh, consolidation)
    return path


def _parquet(fh, consolidation) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, pa.float64() if name == details.header(details.VALUE) else pa.string()) for name in COLUMNS])
    with pq.ParquetWriter(fh, schema) as writer:
        batch: list[tuple] = []
        for item in rows(consolidation):
            batch.append(item)
            if len(batch) >= _BATCH_UNITS * 200:
                writer.write_table(_table(pa, schema, batch))
                batch = []
        writer.write_table(_table(pa, schema, batch))


def _table(pa, schema, batch):
    columns = list(zip(*batch)) if batch else [[] for _ in COLUMNS]
    return pa.table([pa.array(col, type=field.type) for col, field in zip(columns, schema)], schema=schema)
