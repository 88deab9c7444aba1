"""The signature and date at the end of a published report, and whether it was published in time.

A report ends with its unit and date, on one line or two: “泽曲镇人民政府 2023年1月20日”, or
“泽曲镇人民政府” over “二〇二三年一月二十日”.  The date is the usual evidence of when the report was
published; article 49 of the 政府信息公开条例 sets a deadline per level (common.toml [publication]).
Pure Python; the importer turns what is found here into findings.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cache

from toolkit.core.formats import common_toml
from toolkit.core.labels import chinese_number, width_normal

_CN_YEAR_DIGITS = "〇一二三四五六七八九"
_CN = "〇零○Ｏ一二三四五六七八九十"
DATE = re.compile(rf"(?P<year>(?:19|20)\d{{2}}|[一二][{_CN}]{{3}})年(?P<month>\d{{1,2}}|[{_CN}]{{1,3}})月"
                  rf"(?P<day>\d{{1,2}}|[{_CN}]{{1,3}})日")
SIGNATURE_LINE = re.compile(rf"^(?P<pre>.*?){DATE.pattern}$")
# How many lines at the end of the report are looked at for the signature (blank lines not counted).
SIGNATURE_LINES = 6


@dataclass(frozen=True)
class Signature:
    at: int  # index of its first line (the unit's, else the date's)
    unit: str  # "" when the signature has only a date
    date: datetime.date
    text: str  # as written, both lines joined by a space


@cache
def publication() -> dict:
    return common_toml()["publication"]


def message(key: str, **fields) -> str:
    return publication()["messages"][key].format(**fields)


def date_text(date: datetime.date) -> str:
    return message("date", year=date.year, month=date.month, day=date.day)


def parse_date(match: re.Match) -> datetime.date | None:
    """The date of a DATE match, Arabic or Chinese numerals; None if it is no real date (2月30日)."""
    year = match.group("year")
    if not year.isdigit():
        year = "".join(str(_CN_YEAR_DIGITS.index(c)) if c in _CN_YEAR_DIGITS else "" for c in
                       year.replace("零", "〇").replace("○", "〇").replace("Ｏ", "〇"))
        if len(year) != 4:
            return None
    month, day = (chinese_number(match.group(k).replace("○", "〇")) for k in ("month", "day"))
    try:
        return datetime.date(int(year), month or 0, day or 0)
    except ValueError:
        return None


def find_signature(texts: list[str], unit_line: re.Pattern) -> Signature | None:
    """The signature among the last lines (`texts`, one a line, in order): a date line, alone or
    after the unit's name, with the unit's name on the line before it if not on the same line."""
    seen = 0
    for i in range(len(texts) - 1, -1, -1):
        text = width_normal(texts[i])
        if not text:
            continue
        seen += 1
        if seen > SIGNATURE_LINES:
            return None
        m = SIGNATURE_LINE.match(text)
        if not m or (m.group("pre") and not unit_line.match(m.group("pre"))):
            continue
        date = parse_date(m)
        if date is None:
            continue
        unit, at, written = m.group("pre"), i, texts[i].strip()
        if not unit:
            before = next((j for j in range(i - 1, -1, -1) if width_normal(texts[j])), None)
            if before is not None and unit_line.match(width_normal(texts[before])):
                unit, at, written = width_normal(texts[before]), before, f"{texts[before].strip()} {written}"
        return Signature(at, unit, date, written)
    return None


_FORMS = re.compile(r"(人民政府|政府)?(办公室|办公厅|办)?$")


def same_unit(a: str, b: str) -> bool:
    """Whether two names are one unit's: 泽曲镇, 泽曲镇人民政府, 泽曲镇政府 are; 泽曲镇 and 东河镇 are not."""
    a, b = (_FORMS.sub("", width_normal(n)) or n for n in (a, b))
    return a == b


def deadline(level: str, year: int) -> datetime.date:
    """The last day a report of `year` by a unit of `level` is published in time; for a level not
    in the table, the latest of all."""
    table = publication()["deadlines"]
    month, day = table[level] if level in table else max(table.values())
    return datetime.date(year + 1, month, day)


def lateness(level: str, year: int | None, date: datetime.date) -> tuple[str, str] | None:
    """(code, message) when the date says the report was published too late or too early."""
    if year is None:
        return None
    if date <= datetime.date(year, 12, 31):
        return "P-DATE", message("early", date=date_text(date), year=year)
    last = deadline(level, year)
    if date > last:
        known = level in publication()["deadlines"]
        level_text = message("level_known", level=level) if known else message("level_unknown")
        return "P-LATE", message("late", date=date_text(date), level_text=level_text, deadline=date_text(last),
                                 basis=publication()["basis"])
    return None
