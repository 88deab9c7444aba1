"""Figures part 一 quotes against the tables (TX-* rules): real-style sentences that must be flagged,
and sentences that look alike but must not be."""
from __future__ import annotations

import pytest

from toolkit.core.formats import FormatError, _text_rule, get_format
from toolkit.core.model import Report
from toolkit.core.rules import check

# A 2021 report whose tables say: 15 new requests, 2 carried over, 3 carried forward,
# 1 administrative review, 2 lawsuits (1 + 1), 4 normative documents made, 1 repealed, 9 in force.
VALUES = {"t3.new.natural": 15, "t3.carried.natural": 2, "t3.result.open.natural": 14, "t3.forward.natural": 3,
          "t4.review.upheld": 1, "t4.direct.pending": 1, "t4.after_review.upheld": 1,
          "t2.normative.made": 4, "t2.normative.repealed": 1, "t2.normative.in_force": 9}


def _quotes(text: str, year: int = 2025, version: str = "2021") -> list:
    report = Report(unit="东河镇", level="乡镇", year=year, format=version, values=dict(VALUES),
                    texts={"overview": text})
    quoting = {r.code for r in get_format(version).text_rules}  # not the checks of 五 and 六 (test_text_checks)
    return [(f.code, f.reported, f.computed) for f in check(report) if f.code in quoting]


@pytest.mark.parametrize("text, expected", [
    ("2025年，我镇共受理政府信息公开申请21件，均按时答复。", [("TX-REQUESTS", 21, 15)]),
    ("全年新收政府信息公开申请16件。", [("TX-REQUESTS", 16, 15)]),
    ("2024年收到政府信息公开申请12件，2025年收到政府信息公开申请21件。", [("TX-REQUESTS", 21, 15)]),
    ("本年度收到依申请公开政府信息申请３件。", [("TX-REQUESTS", 3, 15)]),  # full-width digit
    ("我镇收到0件信息公开申请。", [("TX-REQUESTS", 0, 15)]),
    ("2025年我镇未收到政府信息公开申请。", [("TX-REQUESTS", 0, 15)]),
    ("共收到依申请公开0件,公开0件,不予公开0件。", [("TX-REQUESTS", 0, 15)]),
    ("受理申请17件，其中上年结转5件。", [("TX-CARRIED", 5, 2)]),
    ("结转下年度继续办理1件。", [("TX-FORWARD", 1, 3)]),
    ("另有2件结转至下一年度办理。", [("TX-FORWARD", 2, 3)]),
    ("因政府信息公开被申请行政复议3件、提起行政诉讼4件。", [("TX-REVIEW", 3, 1), ("TX-LITIGATION", 4, 2)]),
    ("因政府信息依申请公开引起行政复议0件,行政诉讼0件。", [("TX-REVIEW", 0, 1), ("TX-LITIGATION", 0, 2)]),
    ("全年未发生因政府信息公开引起的行政复议和行政诉讼。", [("TX-REVIEW", 0, 1), ("TX-LITIGATION", 0, 2)]),
    ("本年制发行政规范性文件6件，废止规范性文件2件，现行有效规范性文件10件。",
     [("TX-NORMATIVE", 6, 4), ("TX-NORMATIVE", 10, 9), ("TX-NORMATIVE", 2, 1)]),
])
def test_quotes_that_disagree_with_the_tables_are_hints(text, expected):
    assert sorted(_quotes(text)) == sorted(expected)


@pytest.mark.parametrize("text", [
    "2025年，我镇共受理政府信息公开申请15件，均按时答复。",  # agrees
    "共受理政府信息公开申请17件，其中上年结转2件。",  # 17 = new + carried over
    "结转下年度继续办理3件。",
    "因政府信息公开被申请行政复议1件，提起行政诉讼2件。",
    "2024年收到政府信息公开申请12件，2025年收到政府信息公开申请15件。",  # the first is last year's
    "与上年相比，今年收到政府信息公开申请15件。",
    "上年收到政府信息公开申请30件。",
    "全年收到群众来信来访45件，均已办结。",  # not 政府信息公开申请
    "全年办理行政复议案件56件，其中涉及政府信息公开的1件。",  # the office's reviews in general
    "主动公开政府信息1136条，其中政策文件36件。",  # no table holds this count
    "结转下年资金50万元。",
    "新制作规范性文件6件。",  # a 2019 phrase: the 2021 tables' count is 制发
    "",
])
def test_sentences_that_do_not_contradict_the_tables_are_not_flagged(text):
    assert _quotes(text) == []


def test_2019_format_compares_its_own_counts():
    report = Report(unit="东河镇", level="乡镇", year=2020, format="2019",
                    values={"t2.normative.new_made": 4, "t3.new.natural": 15},
                    texts={"overview": "新制作规范性文件6件，共受理政府信息公开申请15件。"})
    found = [(f.code, f.reported, f.computed, f.cells) for f in check(report) if f.code == "TX-NORMATIVE" or f.code == "TX-REQUESTS"]
    assert found == [("TX-NORMATIVE", 6, 4, ("t2.normative.new_made",))]


def test_finding_names_both_numbers_and_the_cell():
    report = Report(unit="东河镇", year=2025, format="2021", values=dict(VALUES),
                    texts={"overview": "共受理政府信息公开申请21件。"})
    finding, = [f for f in check(report) if f.code == "TX-REQUESTS"]
    assert finding.severity == "提示"
    assert finding.cells == ("t3.new.total",)
    assert "受理政府信息公开申请21件" in finding.message and "为15" in finding.message
    assert "一、本年新收政府信息公开申请数量" in finding.message


def test_every_text_rule_of_both_formats_names_real_cells_and_parts():
    for version in ("2021", "2019"):
        fmt = get_format(version)
        assert {r.code for r in fmt.text_rules} >= {"TX-REQUESTS", "TX-CARRIED", "TX-FORWARD", "TX-REVIEW",
                                                      "TX-LITIGATION", "TX-NORMATIVE"}
        assert all(r.severity == "提示" for r in fmt.text_rules)


def test_a_text_rule_with_an_unknown_cell_is_refused():
    fmt = get_format("2021")
    with pytest.raises(FormatError):
        _text_rule({"code": "TX-X", "severity": "提示", "part": "overview", "patterns": [r"(?P<n>\d+)件"],
                    "cells": [["t3.nowhere.total"]], "message": ""}, fmt.cells, fmt.parts, "2021")
