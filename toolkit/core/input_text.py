"""Text that came from an input — a unit name typed into 单位信息 or the roster, a file name, what
a message quotes — made safe to write anywhere: never a formula, never an encoding error.

Two things can go wrong with such text.  It may begin like a formula (`=HYPERLINK(...)`,
`=cmd|' /C calc'!A0`): openpyxl writes a str starting with "=" as a live formula, and spreadsheet
programs read a CSV cell starting with = + - @ TAB or CR as one.  And a file name that is not UTF-8
(GBK bytes from a zip made on Chinese Windows) reaches Python on Linux as a str with surrogate
escapes, which no UTF-8 output can hold.  `readable` shows such bytes as GBK where they are GBK,
else as \\xNN; `csv_field` neutralises a formula-like CSV cell (OWASP's convention: a leading
single quote).  Spreadsheet cells are written as text by `toolkit.io.workbook.cells.put`; streamed
sheets write inline strings (`toolkit.io.workbook.streamed.text`).  Pure Python.
"""
from __future__ import annotations

import codecs
import re
from functools import cache

_ESCAPED = "\udc80-\udcff"  # what os.fsdecode makes of a byte that is not UTF-8 (surrogateescape)
_IS_ESCAPED = re.compile(f"[{_ESCAPED}]")
# Where a file name's GBK bytes can be: a stretch of escaped bytes, each possibly followed by an ASCII
# byte (GBK's trail bytes 0x40-0x7E are ASCII, and os.fsdecode decodes those as themselves), and of
# other non-ASCII characters (GBK bytes that happen to be UTF-8 too: 年报 is C4 EA B1 A8, and EA B1
# A8 is UTF-8 for 걨).
_SPAN = re.compile(f"(?:[{_ESCAPED}][\x40-\x7e]?|[^\x00-\x7f])+")
_OTHER_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")
_ANY_SURROGATE = re.compile("[\ud800-\udfff]")
_WIDEST = 2  # characters around the escaped bytes tried as part of the name


@cache
def _texts() -> dict:
    from toolkit.core.formats import load_toml

    return load_toml("input_text.toml")


def _gbk(part: str, errors: str = "strict") -> str:
    return part.encode("utf-8", "surrogateescape").decode("gbk", errors)


def _shown(span: str) -> str:
    """A stretch of non-ASCII text holding escaped bytes: its bytes decoded as GBK, taking in up to
    _WIDEST characters on either side that were UTF-8 by chance (the fewest that make it GBK), else
    with the bytes that are not GBK as \\xNN."""
    escaped = [m.start() for m in _IS_ESCAPED.finditer(span)]
    if not escaped:
        return span
    first, last = escaped[0], escaped[-1] + 1
    if last < len(span) and "\x40" <= span[last] <= "\x7e":
        last += 1
    for extra in range(2 * _WIDEST + 1):
        for left in range(min(extra, _WIDEST, first) + 1):
            right = extra - left
            if right > min(_WIDEST, len(span) - last):
                continue
            try:
                return span[:first - left] + _gbk(span[first - left:last + right]) + span[last + right:]
            except UnicodeDecodeError:
                pass
    return span[:first] + _gbk(span[first:last], "backslashreplace") + span[last:]


def readable(text: str) -> str:
    """`text` with the bytes a non-UTF-8 file name left in it (surrogate escapes) shown readably:
    decoded as GBK where they are GBK (东河镇.xlsx), else as \\xNN; any other lone surrogate (no
    output can hold one) becomes U+FFFD.  Text without surrogates is returned as it is."""
    if not _ANY_SURROGATE.search(text):
        return text
    text = _OTHER_SURROGATE.sub("\ufffd", text)
    return _SPAN.sub(lambda m: _shown(m.group(0)), text)


def readable_data(data):
    """`readable` applied to every str in JSON-like data (dicts, lists, tuples), before it is dumped:
    the \\xNN it writes are then escaped as JSON needs."""
    if isinstance(data, str):
        return readable(data)
    if isinstance(data, dict):
        return {readable_data(k): readable_data(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [readable_data(v) for v in data]
    return data


def not_utf8(text: str) -> bool:
    """Whether `text` holds bytes that were not UTF-8 (a file name from a GBK zip)."""
    return bool(_ANY_SURROGATE.search(text))


def name_note(name: str) -> str:
    """The note that goes with a file whose name is not UTF-8 ("" for any other name)."""
    return _texts()["non_utf8_name"].format(shown=readable(name)) if not_utf8(name) else ""


def csv_field(value):
    """A value for a CSV cell: numbers as they are; text readable, and with a single quote in front
    when it begins with = + - @ TAB or CR, so that no spreadsheet program runs it as a formula."""
    if not isinstance(value, str):
        return value
    value = readable(value)
    texts = _texts()
    return texts["csv_quote"] + value if value.startswith(tuple(texts["csv_formula_starts"])) else value


def formula_like(value) -> bool:
    """Whether text would be read as a formula by a spreadsheet program (when typed or from CSV)."""
    return isinstance(value, str) and value.startswith(tuple(_texts()["csv_formula_starts"]))


# --- the terminal ---------------------------------------------------------------------------------

ERRORS = "xxgk-readable"


def _terminal_errors(exc: UnicodeError):
    """An encoding error handler for the terminal's streams: a non-UTF-8 file name printed as
    `readable` shows it, whatever prints it."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    span = _SPAN.match(exc.object, exc.start)  # what was printed before exc.start is gone
    end = max(exc.end, span.end()) if span else exc.end
    # bytes, as the UTF-8 encoder takes no replacement text but ASCII; \uXXXX on a terminal that
    # cannot show Chinese either
    return readable(exc.object[exc.start:end]).encode(exc.encoding, "backslashreplace"), end


codecs.register_error(ERRORS, _terminal_errors)


def readable_streams(*streams) -> None:
    """Make text streams (the terminal's stdout and stderr) show non-UTF-8 file names readably
    instead of stopping with a UnicodeEncodeError."""
    for stream in streams:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors=ERRORS)
            except (ValueError, OSError):  # a stream that cannot change (closed, detached)
                pass
