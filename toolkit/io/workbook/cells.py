"""Values from an input (a unit name, what a clerk typed, a roster's line) put into an openpyxl
cell: text always as text, numbers as numbers.

openpyxl writes a str beginning with "=" as a formula, so a unit named `=HYPERLINK(...)` would
become a live link, `=cmd|' /C calc'!A0` a DDE call.  `put` writes such text as a string cell, with
Excel's "quote prefix" where it looks like a formula (so editing the cell keeps it text too), shows a
non-UTF-8 file name readably and drops the characters XML cannot hold.  Formulas of our own are
assigned directly, never through `put`.
"""
from __future__ import annotations

import re

from toolkit.core.input_text import formula_like, readable

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text(value: str) -> str:
    """Input text as a cell can hold it: readable, without the characters XML forbids."""
    return _ILLEGAL_XML.sub("", readable(value))


def put(ws, row: int, column: int, value):
    """Write `value` (from an input) into the cell and return the cell: a str as text, whatever it
    begins with; anything else (numbers, dates, None) as openpyxl writes it."""
    cell = ws.cell(row, column)
    set_value(cell, value)
    return cell


def set_value(cell, value) -> None:
    """`cell.value = value` for a value from an input: a str is text, never a formula."""
    if isinstance(value, str):
        value = text(value)
        cell.value = value
        cell.data_type = "s"
        if formula_like(value):
            cell.quotePrefix = True
    else:
        cell.value = value
