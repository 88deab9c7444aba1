"""Text that came from an input — a unit name typed into 单位信息 or the roster, a file name, what
a message quotes — made safe to write anywhere: never a formula, never an encoding error.

Two things can go wrong with such text.  It may begin like a formula (`=HYPERLINK(...)`,
`=cmd|' /C calc'!A0`): openpyxl writes a str starting with "=" as a live formula, and spreadsheet
programs read a CSV cell starting with = + - @ TAB or CR as one.  And a file name that is not UTF-8
(GBK bytes from a zip made on Chinese Windows) reaches Python on Linux as a str with surrogate
escapes, which no UTF-8 output can hold.  `readable` shows such bytes as GBK where they are GBK,
else as \\xNN; `csv_field` neutralises a formula-like CSV cell (OWASP's convention: a leading
single quote).  Spreadsheet cells are written as text by `toolkit.workbook.cells.put`; streamed
sheets write inline strings (`toolkit.workbook.streamed.text`).  Pure Python.
"""
from __future__ import annotations

import codecs
import re
import tomllib
from functools import cache
from importlib import resources

_ESCAPED = "\udc80-\udcff"  # what os.fsdecode makes of a byte that is not UTF-8 (surrogateescape)
# A run of escaped bytes, each possibly followed by an ASCII byte (GBK's trail bytes 0x40-0x7E are
# ASCII, and os.fsdecode decodes those as themselves).
_RUN = re.compile(f"(?:[{_ESCAPED}][\x40-\x7e]?)+")
_OTHER_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")
_ANY_SURROGATE = re.compile("[\ud800-\udfff]")


@cache
def _texts() -> dict:
    return tomllib.loads(resources.files("toolkit.formats").joinpath("input_text.toml").read_text(encoding="utf-8"))


def _shown(run: str) -> str:
    raw = run.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("gbk")
    except UnicodeDecodeError:
        return raw.decode("ascii", "backslashreplace")  # \xd6 for each byte that is not ASCII


def readable(text: str) -> str:
    """`text` with the bytes a non-UTF-8 file name left in it (surrogate escapes) shown readably:
    decoded as GBK where they are GBK (东河镇.xlsx), else as \\xNN; any other lone surrogate (no
    output can hold one) becomes U+FFFD.  Text without surrogates is returned as it is."""
    if not _ANY_SURROGATE.search(text):
        return text
    text = _OTHER_SURROGATE.sub("\ufffd", text)
    return _RUN.sub(lambda m: _shown(m.group(0)), text)


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
    run = _RUN.match(exc.object, exc.start)
    end = max(exc.end, run.end()) if run else exc.end  # an ASCII trail byte after the run belongs to it
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
