"""Where everything sits in the standard workbook, derived from the format description.

Pure Python (rows and columns are 1-based numbers).  The template builder writes what this module
places; the readers, the Excel buttons and the finding reports look cells up here, so no coordinate
is written anywhere else.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from toolkit.core.formats import Block, Format, Table, cell_id, common, get_format, info_id


@dataclass(frozen=True)
class Label:
    """A label cell, possibly merged over row..last_row × col..last_col."""

    row: int
    col: int
    text: str
    role: str  # title, heading, corner, header, row
    last_row: int
    last_col: int

    @property
    def merged(self) -> bool:
        return (self.last_row, self.last_col) != (self.row, self.col)


@dataclass(frozen=True)
class TableSheet:
    table: Table
    width: int
    label_cols: int
    labels: tuple[Label, ...]
    cells: dict  # cell id -> (row, col)
    spans: dict  # cell id -> last col, where a value cell is merged to the right
    last_row: int

    @property
    def name(self) -> str:
        return self.table.sheet


@dataclass(frozen=True)
class WorkbookLayout:
    fmt: Format
    tables: tuple[TableSheet, ...]
    info: dict = field(default_factory=dict)  # info field id -> (row, col) on the 单位信息 sheet
    previous: dict = field(default_factory=dict)  # "prev." + cell id -> (row, col) on the 单位信息 sheet
    previous_heading_row: int = 0
    texts: dict = field(default_factory=dict)  # text part id -> (heading row, text row) on 文字部分

    def where(self, cell_id: str) -> tuple[str, int, int]:
        """(sheet name, row, col) of a table cell or an info field."""
        if cell_id in self.info:
            return (common().sheets["info"], *self.info[cell_id])
        if cell_id in self.previous:
            return (common().sheets["info"], *self.previous[cell_id])
        if cell_id.startswith("text."):
            return (common().sheets["texts"], self.texts[cell_id.removeprefix("text.")][1], 1)
        sheet = self.sheet_of(cell_id)
        return (sheet.name, *sheet.cells[cell_id])

    def sheet_of(self, cell_id: str) -> TableSheet:
        table_id = cell_id.split(".", 1)[0]
        return next(s for s in self.tables if s.table.id == table_id)

    def address(self, cell_id: str) -> tuple[str, str]:
        """(sheet name, A1 address) of a cell."""
        sheet, row, col = self.where(cell_id)
        return sheet, a1(row, col)


INFO_FIRST_ROW = 3
PREVIOUS_PREFIX = "prev."
TITLE_ROW = 1


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    return f"{d}{column_letter(col)}{d}{row}"


def parse_a1(ref: str) -> tuple[int, int]:
    ref = ref.replace("$", "").upper()
    i = 0
    col = 0
    while i < len(ref) and ref[i].isalpha():
        col = col * 26 + ord(ref[i]) - 64
        i += 1
    return int(ref[i:]), col


def rectangles(cells: dict) -> dict:
    """Cells grouped into rectangles of equal keys: {(row, col): key} -> {key: [(top, left, bottom,
    right), ...]}; runs along a row first, then runs of equal extent in consecutive rows."""
    runs: dict = {}
    for (row, col), key in sorted(cells.items()):
        key_runs = runs.setdefault(key, [])
        last = key_runs[-1] if key_runs else None
        if last and last[0] == row and last[3] == col - 1:
            last[3] = col
        else:
            key_runs.append([row, col, row, col])
    rects: dict = {}
    for key, row_runs in runs.items():
        merged: list[list[int]] = []
        for top, left, bottom, right in row_runs:
            prev = merged[-1] if merged else None
            if prev and prev[2] == top - 1 and (prev[1], prev[3]) == (left, right):
                prev[2] = bottom
            else:
                merged.append([top, left, bottom, right])
        rects[key] = [tuple(m) for m in merged]
    return rects


@cache
def info_cells() -> dict:
    """Info field id -> (row, col) on the 单位信息 sheet: the fields are common.toml's, so their places
    are the same in every version's workbook (a reader looks one up before it knows the version)."""
    return {f.id: (INFO_FIRST_ROW + i, 2) for i, f in enumerate(common().info_fields)}


def info_place(key: str) -> tuple[str, int, int]:
    """(sheet name, row, col) of the info field `key` (unit, format, status...), in any version."""
    return (common().sheets["info"], *info_cells()[info_id(key)])


@cache
def workbook_layout(version: str) -> WorkbookLayout:
    fmt = get_format(version)
    info = info_cells()
    heading_row = INFO_FIRST_ROW + len(info) + 1
    previous = {PREVIOUS_PREFIX + cid: (heading_row + 1 + i, 2) for i, cid in enumerate(fmt.previous_cells)}
    texts = {p.text: (2 + 2 * i, 3 + 2 * i) for i, p in enumerate(fmt.text_parts)}
    return WorkbookLayout(fmt, tuple(_table_sheet(t) for t in fmt.tables), info=info, texts=texts,
                          previous=previous, previous_heading_row=heading_row)


def _table_sheet(table: Table) -> TableSheet:
    label_cols = max(len(r.labels) for r in table.rows)
    data_cols = max(len(b.columns) for b in table.blocks)
    width = label_cols + data_cols
    labels = [Label(TITLE_ROW, 1, table.title, "title", TITLE_ROW, width)]
    cells, spans = {}, {}
    row = TITLE_ROW + 1
    for i, block in enumerate(table.blocks):
        if block.heading:
            labels.append(Label(row, 1, block.heading, "heading", row, width))
            row += 1
        corner = block.corner or (table.note if i == 0 else None)
        row = _block(table, block, row, label_cols, width, corner, labels, cells, spans)
    return TableSheet(table, width, label_cols, tuple(labels), cells, spans, row - 1)


def _groups(paths: list[tuple[str, ...]], level: int):
    """Runs of consecutive items sharing the same label path up to `level`: (first, last, label)."""
    runs = []
    for i, path in enumerate(paths):
        if len(path) <= level:
            continue
        key = path[: level + 1]
        if runs and runs[-1][3] == key and runs[-1][1] == i - 1:
            runs[-1][1] = i
        else:
            runs.append([i, i, path[level], key])
    return [(a, b, text, len(key) == len(paths[a])) for a, b, text, key in runs]


def _block(table, block: Block, top: int, label_cols: int, width: int, corner, labels, cells, spans) -> int:
    col_paths = [c.labels for c in block.columns]
    header_rows = max(len(p) for p in col_paths)
    first_data_col = label_cols + 1
    last = len(block.columns) - 1
    if label_cols and header_rows:
        labels.append(Label(top, 1, corner or "", "corner", top + header_rows - 1, label_cols))
    for level in range(header_rows):
        for a, b, text, is_leaf in _groups(col_paths, level):
            last_col = width if b == last else first_data_col + b
            last_row = top + header_rows - 1 if is_leaf else top + level
            labels.append(Label(top + level, first_data_col + a, text, "header", last_row, last_col))
    data_top = top + header_rows
    row_paths = [r.labels for r in block.rows]
    for level in range(label_cols):
        for a, b, text, is_leaf in _groups(row_paths, level):
            last_col = label_cols if is_leaf else level + 1
            labels.append(Label(data_top + a, level + 1, text, "row", data_top + b, last_col))
    for i, r in enumerate(block.rows):
        for j, c in enumerate(block.columns):
            cid = cell_id(table.id, r.id, c.id)
            cells[cid] = (data_top + i, first_data_col + j)
            if j == last and first_data_col + j < width:
                spans[cid] = width
    return data_top + len(block.rows)
