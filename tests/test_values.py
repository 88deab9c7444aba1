"""Reading what users type into a cell."""
import datetime

import pytest

from toolkit.core.formats import common
from toolkit.core.values import beyond_maximum, parse_date, parse_value, parse_year

COUNT, SIGNED, MONEY = (common().kinds[k] for k in ("count", "signed", "money"))


@pytest.mark.parametrize("raw,kind,value,how", [
    (17, COUNT, 17, "number"),
    (17.0, COUNT, 17, "number"),
    (1.5, COUNT, 1.5, "number"),  # read as typed; the checker flags the fraction
    ("17", COUNT, 17, "text"),
    ("１７", COUNT, 17, "text"),
    (" 17 ", COUNT, 17, "text"),
    ("17件", COUNT, 17, "text"),
    ("１７ 条", COUNT, 17, "text"),
    ("1,136", COUNT, 1136, "text"),
    ("1，136条", COUNT, 1136, "text"),
    ("\u300017\u3000", COUNT, 17, "text"),
    ("-3", SIGNED, -3, "text"),
    ("－３", SIGNED, -3, "text"),
    ("+2", SIGNED, 2, "text"),
    ("12.5万元", MONEY, 12.5, "text"),
    ("12.50", MONEY, 12.5, "text"),
    ("０．８", MONEY, 0.8, "text"),
    (None, COUNT, 0, "blank"),
    ("", COUNT, 0, "blank"),
    ("  ", COUNT, 0, "blank"),
    ("无", COUNT, 0, "zero_word"),
    ("—", COUNT, 0, "zero_word"),
    ("/", COUNT, 0, "zero_word"),
])
def test_accepted(raw, kind, value, how):
    parsed = parse_value(raw, kind)
    assert (parsed.value, parsed.how) == (value, how)
    assert type(parsed.value) is type(value)


@pytest.mark.parametrize("raw,kind", [
    ("十七", COUNT), ("abc", COUNT), ("17万元", COUNT), ("125000元", MONEY), ("1.2.3", COUNT),
    ("#VALUE!", COUNT), (True, COUNT), ("17件5", COUNT), ("1,13", COUNT), ("9" * 400, COUNT),
    ("9" * 400 + ".5万元", MONEY),
])
def test_refused_with_what_was_found(raw, kind):
    parsed = parse_value(raw, kind)
    assert parsed.value is None and parsed.how == "invalid"
    assert parsed.found == ("TRUE" if raw is True else raw)


@pytest.mark.parametrize("raw,year", [
    (2025, 2025), (2025.0, 2025), ("2025", 2025), ("2025年", 2025), ("２０２５年度", 2025),
    ("二〇二五", None), ("25", None), (None, None), (True, None),
])
def test_year(raw, year):
    assert parse_year(raw) == year


@pytest.mark.parametrize("text,date", [
    ("2025-02-01", datetime.date(2025, 2, 1)),
    ("2025/2/1", datetime.date(2025, 2, 1)),
    ("2025.2.1", datetime.date(2025, 2, 1)),
    ("2025年2月1日", datetime.date(2025, 2, 1)),
    ("２０２５年１０月１５日", datetime.date(2025, 10, 15)),
    (" 2025. 10. 15 ", datetime.date(2025, 10, 15)),
    ("20251015", datetime.date(2025, 10, 15)),
    ("2025-13-01", None),
    ("年初", None),
    ("", None),
])
def test_dates_as_people_write_them(text, date):
    assert parse_date(text) == date


@pytest.mark.parametrize("raw", [float("inf"), float("-inf"), float("nan")])
def test_a_number_that_is_no_number_is_refused(raw):
    parsed = parse_value(raw, COUNT)
    assert parsed.how == "invalid" and parsed.value is None and parsed.found == str(raw)


@pytest.mark.parametrize("value,kind,beyond", [
    (999_999_999, COUNT, False), (1_000_000_000, COUNT, True), (1e15, COUNT, True), (-1_000_000_000, SIGNED, True),
    (-999_999_999, SIGNED, False), (999_999_999.5, MONEY, True), (12.5, MONEY, False),
])
def test_figures_beyond_what_a_unit_can_have(value, kind, beyond):
    assert beyond_maximum(value, kind) is beyond
