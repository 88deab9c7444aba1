"""Writing big sheets fast: rows streamed as XML into a workbook that openpyxl laid out.

openpyxl builds the workbook (styles, column widths, header rows, frozen panes, filters, charts) with
the big sheets as placeholders: their header rows and, below them, one row of sample cells, one per
style the streamed rows use.  After saving, each sample row is replaced by the streamed rows, whose
cells take the sample cells' style ids, so workbook.xml, the relationships, the content types and the
styles all stay openpyxl's.  Formula cells can be given cached values the same way, so a reader that
does not calculate (pandas, a previewer, a chart before recalculation) still sees the numbers.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from toolkit.core.input_text import readable
from toolkit.core.layout import column_letter
from toolkit.io.workbook.package import reproducible
from toolkit.io.workbook.xlsx import XlsxBook

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SAMPLE_STYLE = re.compile(rb'<c r="([A-Z]+)[0-9]+"[^>]*?\ss="([0-9]+)"')
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
_CHUNK = 1 << 20
_FORMULA_CELL = re.compile(rb'(<c r="([A-Z]{1,3}[0-9]+)"[^>]*>)(<f>[^<]*</f>)(?:<v></v>|<v/>)?(</c>)')


@dataclass
class Stream:
    """A placeholder sheet and the rows to put in place of its sample row."""

    sheet: str
    sample_row: int
    styles: tuple[str, ...]  # style keys, sample cells in columns 1, 2, ... of the sample row
    rows: Callable[[dict[str, int]], Iterable[str]]  # given style ids by key: the rows' XML, in order
    last_row: int
    last_col: int
    merges: tuple[str, ...] = ()  # ranges (A2:J2) to merge among the streamed rows


def place_samples(ws, row: int, styles: dict[str, dict]) -> tuple[str, ...]:
    """Write one sample cell per style (attributes as openpyxl takes them: font, fill, border,
    alignment, number_format) in `row`; returns the style keys in column order."""
    for col, (key, attributes) in enumerate(styles.items(), start=1):
        cell = ws.cell(row, col, key)
        for name, value in attributes.items():
            setattr(cell, name, value)
    return tuple(styles)


def splice(data: bytes, streams: list[Stream], cached: dict[str, dict[str, object]] | None = None,
           into=None) -> bytes | None:
    """The saved workbook `data` with each stream's rows in place of its sample row, and the cached
    values of formula cells ({sheet: {A1: value}}) written in; written to the binary file `into`
    if given (package.reproducible), else returned."""
    with XlsxBook(io.BytesIO(data)) as book:
        paths = book.sheet_paths
        parts = {s.sheet: book._read(paths[s.sheet]) for s in streams}
        formula_parts = {sheet: book._read(paths[sheet]) for sheet in (cached or {})}
    extra: dict = {}
    for stream in streams:
        extra[paths[stream.sheet]] = _spliced(parts[stream.sheet], stream)
    for sheet, values in (cached or {}).items():
        extra[paths[sheet]] = with_cached_values(formula_parts[sheet], values)
    return reproducible(data, extra, into)


def _spliced(xml: bytes, stream: Stream):
    marker = f'<row r="{stream.sample_row}"'.encode()
    start = xml.find(marker)
    while start >= 0 and xml[start + len(marker):start + len(marker) + 1] not in (b" ", b">"):
        start = xml.find(marker, start + 1)
    if start < 0:
        raise ValueError(f"{stream.sheet}: no sample row {stream.sample_row}")
    end = xml.find(b"</row>", start) + len(b"</row>")
    letters = {m.group(1).decode(): int(m.group(2)) for m in _SAMPLE_STYLE.finditer(xml[start:end])}
    style_ids = {key: letters[column_letter(i)] for i, key in enumerate(stream.styles, start=1)}
    head = _DIMENSION.sub(f'<dimension ref="A1:{column_letter(stream.last_col)}{stream.last_row}"/>'.encode(),
                          xml[:start], count=1)
    yield head
    chunk, size = [], 0
    for item in stream.rows(style_ids):  # rows gathered into chunks of about a megabyte
        chunk.append(item)
        size += len(item)
        if size > _CHUNK:
            yield "".join(chunk)
            chunk, size = [], 0
    yield "".join(chunk)
    yield _with_merges(xml[end:], stream.merges)


# What may follow <sheetData> before <mergeCells>, in the schema's order; <mergeCells> goes after them.
_BEFORE_MERGES = (b"<sheetCalcPr", b"<sheetProtection", b"<protectedRanges", b"<scenarios", b"<autoFilter",
                  b"<sortState", b"<dataConsolidate", b"<customSheetViews")
_MERGE_CELLS = re.compile(rb"<mergeCells[^>]*>")


def _with_merges(tail: bytes, merges) -> bytes:
    """The part after the rows, with `merges` added to its <mergeCells> (made if there is none)."""
    if not merges:
        return tail
    cells = "".join(f'<mergeCell ref="{ref}"/>' for ref in merges).encode()
    m = _MERGE_CELLS.search(tail)
    if m:
        count = re.search(rb'count="(\d+)"', m.group(0))
        opening = f'<mergeCells count="{int(count.group(1)) + len(merges)}">'.encode() if count else m.group(0)
        return tail[:m.start()] + opening + cells + tail[m.end():]
    at = tail.find(b"</sheetData>") + len(b"</sheetData>")
    for name in _BEFORE_MERGES:  # skip past the elements that come before <mergeCells>
        found = tail.find(name, at)
        if found >= 0:
            close = tail.find(b">", found)
            end_tag = b"</" + name[1:] + b">"
            at = (tail.find(end_tag, close) + len(end_tag)) if tail[close - 1:close] != b"/" else close + 1
    return tail[:at] + f'<mergeCells count="{len(merges)}">'.encode() + cells + b"</mergeCells>" + tail[at:]


def with_cached_values(xml: bytes, values: dict[str, object]) -> bytes:
    """Formula cells given a cached value (openpyxl writes formulas without one)."""
    def fill(m):
        value = values.get(m.group(2).decode())
        if value is None:
            return m.group(0)
        return m.group(1) + m.group(3) + f"<v>{number(value)}</v>".encode() + m.group(4)
    return _FORMULA_CELL.sub(fill, xml)


def number(value) -> str:
    """A number as the XML of a cell value: 17, 12.5 (no float noise)."""
    if isinstance(value, float):
        value = round(value, 6)
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def text(value) -> str:
    """Text escaped for XML, without the characters XML cannot hold (an inline string is text,
    never a formula); a non-UTF-8 file name shown readably."""
    value = _ILLEGAL_XML.sub("", readable(str(value)))
    # a raw CR would be read back as a line feed
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def text_cell(ref: str, value, style: int) -> str:
    body = text(value)
    space = ' xml:space="preserve"' if body != body.strip() else ""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{body}</t></is></c>'


def number_cell(ref: str, value, style: int) -> str:
    return f'<c r="{ref}" s="{style}"><v>{number(value)}</v></c>'


class Later:
    """A row of a sheet's body made only when it is written (`made`): a county's thousands of files
    and units each have a row, and those rows are never all held at once."""

    __slots__ = ("make", "args")

    def __init__(self, make: Callable[..., list], *args):
        self.make, self.args = make, args


def made(cells):
    """A row of a sheet's body as (column, value, style key) cells: as given, or made now (Later)."""
    return cells.make(*cells.args) if isinstance(cells, Later) else cells


def row(number_: int, cells: Iterable[tuple[int, object, int]], height: float | None = None) -> str:
    """A row of (column, value, style) cells: text for str, a number for int/float, an empty cell
    (styled, so table borders are whole) for None."""
    parts = [f'<row r="{number_}" ht="{height}" customHeight="1">' if height else f'<row r="{number_}">']
    for col, value, style in cells:
        ref = f"{column_letter(col)}{number_}"
        if value is None:
            parts.append(f'<c r="{ref}" s="{style}"/>')
        else:
            parts.append(text_cell(ref, value, style) if isinstance(value, str) else number_cell(ref, value, style))
    parts.append("</row>")
    return "".join(parts)


def wrapped_lines(text, width: float) -> int:
    """How many lines `text` takes wrapped in a column `width` wide (a Chinese character is 2)."""
    chars = sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))
    return max(1, -(-chars // max(1, int(width) - 2)))
