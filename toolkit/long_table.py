"""The summary's figures as a long table (one row per unit and cell), for pandas, R or a database:
`xxgk consolidate --long FILE.csv` (UTF-8 with BOM, so Excel opens it) or `--long FILE.parquet`.

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

from toolkit.files import atomic_stream
from toolkit.input_text import csv_field, readable
from toolkit.workbook import details

COLUMNS = tuple(details.header(c) for c in ("info.unit", "info.level", "info.format", details.FILE, details.CELL_ID)) \
    + ("表", "行", "列", details.header(details.VALUE))
SUFFIXES = (".csv", ".parquet")
_BATCH_UNITS = 500


def rows(consolidation) -> Iterator[tuple]:
    headers = dict(details.columns(consolidation.version))
    labels = [headers[cid] for cid in consolidation.cells]
    for s in consolidation.accepted:
        unit, level, name = readable(s.unit), readable(s.level), readable(s.name)
        for cid, (table, row, column), value in zip(consolidation.cells, labels, s.values):
            if value is not None:
                yield (unit, level, s.format, name, cid, table, row, column, value)


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

    schema = pa.schema([(name, pa.float64() if name == "数值" else pa.string()) for name in COLUMNS])
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
