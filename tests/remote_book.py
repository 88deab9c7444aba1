"""A real workbook file as xlwings' remote engine sees it: the JSON payload an Office.js client
(xlwings Lite) sends, built from the file's cells, and the writes a script made, read back from
`book.json()["actions"]`.

The payload follows xlwings 0.37.8's remote engine (xlwings/pro/_xlremote.py): "client", "version",
"book" (name, active sheet, selection), "names", and per sheet its name and its values from A1 to
the last used cell ("" for an empty cell, numbers as numbers, error values as their text).
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import xlwings as xw

from toolkit.core.layout import a1
from toolkit.io.workbook.xlsx import XlsxBook


def payload(path: Path, book_name: str | None = None) -> dict:
    with XlsxBook(path) as book:
        sheets = []
        for name in book.sheet_paths:
            cells = book.cells(name)
            rows = max((r for r, _ in cells), default=0)
            cols = max((c for _, c in cells), default=0)
            values = [["" for _ in range(cols)] for _ in range(rows)] or [[]]
            for (r, c), raw in cells.items():
                values[r - 1][c - 1] = "" if raw.value is None else raw.value
            sheets.append({"name": name, "values": values, "pictures": [], "tables": [], "shapes": [],
                           "charts": [], "notes": [], "print_area": None, "visibility": "Visible"})
        index = {name: i for i, name in enumerate(book.sheet_paths)}
        names = [{"name": n, "sheet_index": index[s], "address": a1(r, c, absolute=True), "scope_sheet_name": None,
                  "scope_sheet_index": None, "book_scope": True}
                 for n, (s, r, c) in book.defined_names.items() if s in index]
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": book_name or path.name, "active_sheet_index": 1, "selection": "A1"},
            "names": names, "sheets": sheets}


def remote_book(path: Path, book_name: str | None = None) -> xw.Book:
    return xw.Book(json=payload(path, book_name))


class Actions:
    """The actions of a remote book, by kind, with their sheet names and A1 cells."""

    def __init__(self, book: xw.Book):
        self.raw = book.json()["actions"]
        self.sheet_names = [s.name for s in book.sheets]

    def of(self, func: str) -> list[dict]:
        return [a for a in self.raw if a["func"] == func]

    def cells(self, action: dict) -> list[tuple[str, str]]:
        sheet = self.sheet_names[action["sheet_position"]]
        return [(sheet, a1(action["start_row"] + 1 + i, action["start_column"] + 1 + j))
                for i in range(action["row_count"]) for j in range(action["column_count"])]

    def coloured(self, fill: str) -> set[tuple[str, str]]:
        """Cells given this fill colour (#RRGGBB, any case)."""
        return {cell for a in self.of("setRangeColor") if (a["args"][0] or "").upper() == fill.upper()
                for cell in self.cells(a)}

    def font_coloured(self, color: str) -> set[tuple[str, str]]:
        return {cell for a in self.of("setFontProperty") if a["args"][0] == "color"
                and (a["args"][1] or "").upper() == color.upper() for cell in self.cells(a)}

    def written(self, func: str = "setValues") -> dict[tuple[str, str], object]:
        """Cell -> the last value (or formula) written to it by this kind of action."""
        out = {}
        for a in self.of(func):
            cells = self.cells(a)
            flat = [v for row in a["values"] for v in row]
            out.update(zip(cells, flat))
        return out

    def per_sheet(self, cells) -> dict[str, set[str]]:
        out = defaultdict(set)
        for sheet, address in cells:
            out[sheet].add(address)
        return dict(out)


def apply_actions(payload_: dict, book: xw.Book) -> dict:
    """The payload after the client ran the book's value and formula writes (as Excel would show
    the cells the next time a button reads them; formulas are kept as their text)."""
    sheets = {s["name"]: s for s in payload_["sheets"]}
    order = [s["name"] for s in payload_["sheets"]]
    for action in book.json()["actions"]:
        if action["func"] == "addSheet":
            index, name = action["args"]
            sheet = {"name": name, "values": [[]], "pictures": [], "tables": []}
            payload_["sheets"].insert(index, sheet)
            sheets[name] = sheet
            order.insert(index, name)
        if action["func"] not in ("setValues", "setFormula"):
            continue
        values = sheets[order[action["sheet_position"]]]["values"]
        for i, row in enumerate(action["values"]):
            for j, value in enumerate(row):
                r, c = action["start_row"] + i, action["start_column"] + j
                while len(values) <= r:
                    values.append([])
                width = max(len(values[0]), c + 1)
                for line in values:
                    line.extend([""] * (width - len(line)))
                values[r][c] = "" if value is None else value
    return payload_
