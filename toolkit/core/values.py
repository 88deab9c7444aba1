"""Turning what people type into a cell into a number of the cell's kind.

Users write full-width digits (１７), spaces, units (17件, 12.5万元), thousands separators (1,136),
numbers stored as text, dashes or 无 for nothing.  `parse_value` accepts all of that and says what it
did; anything else is refused with the text that was found, never read as a silent 0.
"""
from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass

from toolkit.core.formats import Kind

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－−＋　", "0123456789.,--+ ")
# What people write for "nothing happened" instead of 0.
ZERO_WORDS = frozenset({"无", "-", "--", "—", "——", "/", "／", "－", "空", "没有"})
_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?|[+-]?\.\d+")


@dataclass(frozen=True)
class Parsed:
    """The outcome of reading one cell: a number (or None) and how it was read.

    how: "number" (a number cell), "text" (a number written as text or with a unit),
    "blank" (empty: taken as 0), "zero_word" (无, — and the like: taken as 0),
    "converted" (with `convert`, written in another unit of the kind, 251000元 for 万元),
    "invalid" (not a number of this kind: value is None, `found` says what was there)."""

    value: int | float | None
    how: str
    found: str = ""

    @property
    def ok(self) -> bool:
        return self.how != "invalid"


def _as_kind(number: float, kind: Kind) -> int | float:
    if kind.integer and float(number).is_integer():
        return int(number)
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def parse_value(raw, kind: Kind, convert: bool = False) -> Parsed:
    """Read a raw cell value (None, bool, int, float or str) as a number of `kind`.  `convert`: a
    figure in another unit of the kind is converted (the importer: a published 251000元 in a 万元 cell
    is 25.1); a workbook's cell must hold the figure itself, so its reader leaves this off."""
    if raw is None:
        return Parsed(0, "blank")
    if isinstance(raw, bool):
        return Parsed(None, "invalid", "TRUE" if raw else "FALSE")
    if isinstance(raw, float) and not math.isfinite(raw):  # 1e999 in a file's XML reads as inf
        return Parsed(None, "invalid", str(raw))
    if isinstance(raw, (int, float)):
        return Parsed(_as_kind(raw, kind), "number")
    text = str(raw)
    clean = text.translate(_FULL_WIDTH).strip().replace(" ", "").replace("\u00a0", "")
    if not clean:
        return Parsed(0, "blank")
    if clean in ZERO_WORDS:
        return Parsed(0, "zero_word", text)
    if clean.startswith("#"):  # an Excel error value such as #VALUE!
        return Parsed(None, "invalid", text)
    divisor = None
    for unit in sorted(kind.units, key=len, reverse=True):
        if clean.endswith(unit):
            clean = clean[: -len(unit)]
            break
    else:  # 万元 is matched above before 元 is here
        conversions = kind.conversions if convert else {}
        for unit, by in sorted(conversions.items(), key=lambda item: len(item[0]), reverse=True):
            if clean.endswith(unit):
                clean, divisor = clean[: -len(unit)], by
                break
    if not _NUMBER.fullmatch(clean):
        return Parsed(None, "invalid", text)
    number = float(clean.replace(",", ""))
    if not math.isfinite(number):  # 400 digits: beyond any figure, and inf would break every sum
        return Parsed(None, "invalid", text)
    if divisor:
        return Parsed(_as_kind(number / divisor, kind), "converted", text)
    return Parsed(_as_kind(number, kind), "text", text)


def beyond_maximum(value, kind: Kind) -> bool:
    """Whether a number read is larger (either way) than any figure of its kind can be."""
    return kind.maximum is not None and abs(value) > kind.maximum


# The years a report can be of: what the reader takes for a year, and what the commands accept.
FIRST_YEAR, LAST_YEAR = 1901, 2199


def plausible_year(year) -> bool:
    return isinstance(year, int) and not isinstance(year, bool) and FIRST_YEAR <= year <= LAST_YEAR


def parse_year(raw) -> int | None:
    """A report year written as 2025, 2025.0, "2025", "2025年" or "２０２５年度"; None if it is not one."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, (int, float)):
        return int(raw) if float(raw).is_integer() and plausible_year(int(raw)) else None
    m = re.fullmatch(r"(\d{4})(年度?)?", str(raw).translate(_FULL_WIDTH).strip())
    return int(m.group(1)) if m and plausible_year(int(m.group(1))) else None


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{4})(\d{2})(\d{2})")


def parse_date(text) -> datetime.date | None:
    """A date as people write it in 填报日期 when it is not an Excel date: 2025-02-01, 2025/2/1,
    2025.2.1, 2025年2月1日, 20250201 (full-width digits too); None if it is not one.  Compared as
    text, 2025.2.1 would come after 2025.10.15."""
    m = _DATE.match(str(text or "").translate(_FULL_WIDTH).strip())
    if not m:
        return None
    year, month, day = (int(g) for g in (m.groups()[:3] if m.group(1) else m.groups()[3:]))
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None
