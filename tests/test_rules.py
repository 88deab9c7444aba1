"""The checker, table-driven: one row per relation, each with a failing and a passing case."""
import pytest

from toolkit.core.model import Report
from toolkit.core.rules import Values, check, computed_totals
from toolkit.core.formats import get_format
from toolkit.app.samples import plausible_report, zequ_2022


def pair(version="2021", level="乡镇", year=None):
    """A consistent report and last year's report it follows on from."""
    year = year or (2025 if version == "2021" else 2020)
    previous = plausible_report("测试镇", level, year - 1, version, seed=3)
    return plausible_report("测试镇", level, year, version, seed=7, previous=previous), previous


def base(version="2021", level="乡镇", year=None):
    return pair(version, level, year)[0]


def computed(report, cid):
    return Values(get_format(report.format), report.values)[cid]


def bump(cid, by=1):
    """Report the cell as `by` more than it holds (for a total: than its parts sum to); a cell id
    starting with prev: is last year's."""
    def change(report, previous):
        target = previous if cid.startswith("prev:") else report
        target.values[cid.removeprefix("prev:")] = computed(target, cid.removeprefix("prev:")) + by
    return change


def setv(**values):
    """Set cells (ids written with __ for .) in this year's report, or in last year's with prev__."""
    def change(report, previous):
        for k, v in values.items():
            target = previous if k.startswith("prev__") else report
            target.values[k.removeprefix("prev__").replace("__", ".")] = v
    return change


def both(*changes):
    def change(report, previous):
        for c in changes:
            c(report, previous)
    return change


def keep_all(report, previous):
    pass


# id, version, change that breaks the relation, change that keeps it, previous-report maker,
# (code, marked cells) expected of the failing case, every code the failing case gives
CASES = [
    ("balance", "2021", bump("t3.new.natural"), both(bump("t3.new.natural"), bump("t3.result.open.natural")),
     ("T3-BALANCE", {"t3.new.natural", "t3.carried.natural", "t3.result.total.natural", "t3.forward.natural"}),
     {"T3-BALANCE"}),
    ("row total", "2021", bump("t3.result.open.total"), bump("t3.result.open.total", 0),
     ("T3-ROW-TOTAL", {"t3.result.open.total"}), {"T3-ROW-TOTAL", "T3-RESULT-TOTAL"}),
    ("result total", "2019", bump("t3.result.total.natural"), bump("t3.result.total.natural", 0),
     ("T3-RESULT-TOTAL", {"t3.result.total.natural"}), {"T3-RESULT-TOTAL", "T3-BALANCE"}),
    ("table four total", "2021", bump("t4.after_review.total"), bump("t4.after_review.total", 0),
     ("T4-TOTAL", {"t4.after_review.total"}), {"T4-TOTAL"}),
    ("carried over", "2019", both(bump("t3.carried.legal"), bump("t3.result.open.legal")),
     both(bump("t3.carried.legal"), bump("t3.result.open.legal"), bump("prev:t3.forward.legal")),
     ("Y-CARRIED", {"t3.carried.legal"}), {"Y-CARRIED"}),
    ("in force continuity", "2021", setv(t2__normative__made=2, t2__normative__repealed=1, t2__normative__in_force=12,
                                         prev__t2__normative__in_force=10),
     setv(t2__normative__made=2, t2__normative__repealed=1, t2__normative__in_force=11, prev__t2__normative__in_force=10),
     ("Y-IN-FORCE", {"t2.normative.in_force", "t2.normative.made", "t2.normative.repealed"}), {"Y-IN-FORCE"}),
    ("project counts", "2019", setv(t2__licensing__previous=9, prev__t2__licensing__previous=5,
                                    prev__t2__licensing__change=3),
     setv(t2__licensing__previous=8, prev__t2__licensing__previous=5, prev__t2__licensing__change=3),
     ("Y-PROJECTS", {"t2.licensing.previous"}), {"Y-PROJECTS"}),
    ("rules by a township", "2021", setv(t2__rules__repealed=1, prev__t2__rules__in_force=1),
     setv(t2__rules__repealed=0, prev__t2__rules__in_force=0), ("P-RULES-LEVEL", {"t2.rules.repealed"}),
     {"P-RULES-LEVEL"}),
    ("negative count", "2021", setv(t4__review__pending=-1), setv(t4__review__pending=0),
     ("V-NEGATIVE", {"t4.review.pending"}), {"V-NEGATIVE"}),
    ("fractional count", "2019", setv(t2__normative__new_made=1.5), setv(t2__normative__new_made=2),
     ("V-FRACTION", {"t2.normative.new_made"}), {"V-FRACTION"}),
    ("negative money", "2021", setv(t2__fees__amount=-0.5), setv(t2__fees__amount=0.5),
     ("V-NEGATIVE", {"t2.fees.amount"}), {"V-NEGATIVE"}),
    ("count beyond any unit's", "2021", setv(t4__review__pending=10**12), setv(t4__review__pending=999999999),
     ("V-TOO-LARGE", {"t4.review.pending"}), {"V-TOO-LARGE"}),
    ("money beyond any unit's", "2021", setv(t2__fees__amount=-1e10), setv(t2__fees__amount=1e8),
     ("V-TOO-LARGE", {"t2.fees.amount"}), {"V-TOO-LARGE", "V-NEGATIVE"}),
]


@pytest.mark.parametrize("name,version,fail,keep,expected,codes", CASES, ids=[c[0] for c in CASES])
def test_relation(name, version, fail, keep, expected, codes):
    passing, passing_previous = pair(version)
    failing, failing_previous = pair(version)
    keep(passing, passing_previous)
    fail(failing, failing_previous)
    assert check(passing, passing_previous) == []
    findings = check(failing, failing_previous)
    assert {f.code for f in findings} == codes
    code, cells = expected
    main = [f for f in findings if f.code == code]
    assert any(set(f.cells) == cells for f in main), [f.cells for f in main]
    assert all(f.reported != f.computed for f in main)


def test_signed_change_may_be_negative():
    report, previous = pair("2019")
    report.values["t2.fees.previous"] = computed(previous, "t2.fees.previous") + computed(previous, "t2.fees.change")
    report.values["t2.fees.change"] = -report.values["t2.fees.previous"]
    assert check(report, previous) == []


def test_carried_over_must_match_last_years_carried_forward():
    report, previous = pair()
    assert check(report, previous) == []
    report.values["t3.carried.research"] += 2
    findings = check(report, previous)
    assert {(f.code, f.cells) for f in findings} == {
        ("Y-CARRIED", ("t3.carried.research",)), ("Y-CARRIED", ("t3.carried.total",)),
        ("T3-BALANCE", ("t3.new.research", "t3.carried.research", "t3.result.total.research", "t3.forward.research")),
        ("T3-BALANCE", ("t3.new.total", "t3.carried.total", "t3.result.total.total", "t3.forward.total")),
    }
    carried = next(f for f in findings if f.code == "Y-CARRIED" and f.cells == ("t3.carried.research",))
    assert carried.reported == carried.computed + 2
    assert "上年结转填报为" in carried.message and str(carried.computed) in carried.message


def test_cross_year_rules_skip_cells_last_years_format_lacks():
    report = base("2021", year=2021)
    previous = plausible_report("测试镇", "乡镇", 2020, "2019", seed=3)
    assert all(f.code != "Y-IN-FORCE" for f in check(report, previous))


def test_cross_year_rules_skip_last_years_figures_that_could_not_be_read():
    # last year's workbook had 十七 in 四、结转下年度继续办理 (自然人): the reader leaves the cell out; taking
    # it as 0 made an error "上年报告的结转下年度继续办理为0" that last year's report never said
    report, previous = pair()
    del previous.values["t3.forward.natural"]
    report.values["t3.carried.natural"] += 0 if report.values["t3.carried.natural"] else 2
    carried = {f.cells for f in check(report, previous) if f.code == "Y-CARRIED"}
    assert ("t3.carried.natural",) not in carried and ("t3.carried.total",) not in carried


def test_sample_township_breaks_the_balance_on_exactly_three_columns():
    findings = check(zequ_2022())
    balance = {f.cells[0].split(".")[-1]: (f.computed, f.reported) for f in findings if f.code == "T3-BALANCE"}
    assert balance == {"nonprofit": (22, 0), "other": (3, 0), "total": (25, 0)}
    assert {f.code for f in findings if f.severity == "错误"} == {"T3-BALANCE"}
    total = next(f for f in findings if f.code == "T3-BALANCE" and f.cells[0] == "t3.new.total")
    assert "25" in total.message and "= 0" in total.message


def test_checker_returns_every_finding_at_once():
    report = base()
    for cid in ("t4.review.total", "t4.direct.total", "t4.after_review.total"):
        bump(cid)(report, None)
    report.values["t3.new.legal"] = -3
    codes = [f.code for f in check(report)]
    assert codes.count("T4-TOTAL") == 3 and "V-NEGATIVE" in codes and "T3-BALANCE" in codes


@pytest.mark.parametrize("change,code", [
    (lambda r: setattr(r, "unit", ""), "I-UNIT"),
    (lambda r: setattr(r, "year", None), "I-YEAR"),
    (lambda r: setattr(r, "level", "村委会"), "I-LEVEL"),
    (lambda r: setattr(r, "year", 2022), "F-FORMAT-YEAR"),
])
def test_report_level_rules(change, code):
    report = base("2019", year=2020)
    assert check(report) == []
    change(report)
    assert [f.code for f in check(report)] == [code]


def test_computed_totals_ignore_reported_totals():
    report = base()
    report.values["t3.new.total"] = 999
    totals = computed_totals(report)
    assert totals["t3.new.total"] == sum(report.values[f"t3.new.{c}"] for c in
                                         ("natural", "commercial", "research", "nonprofit", "legal", "other"))


def test_money_sums_tolerate_float_noise():
    report = base("2021")
    report.values["t2.fees.amount"] = 0.1 + 0.2
    assert check(report) == []


def test_report_round_trips_through_json():
    report = zequ_2022()
    again = Report.from_json(report.to_json())
    assert again == report
    assert Report.from_json(Report(values={"t2.fees.amount": 1.25}).to_json()).values == {"t2.fees.amount": 1.25}


def test_last_years_figures_kept_with_the_report_drive_the_cross_year_rules():
    report, previous = pair()
    report.previous = {cid: Values(get_format(previous.format), previous.values)[cid]
                       for cid in get_format(report.format).previous_cells}
    assert check(report) == []
    report.previous["t3.forward.legal"] += 1
    assert [(f.code, f.cells) for f in check(report)] == [("Y-CARRIED", ("t3.carried.legal",))]
    report.previous = {"t2.normative.in_force": report.previous["t2.normative.in_force"] + 5}
    assert [f.code for f in check(report)] == ["Y-IN-FORCE"]  # the figures not kept are not checked
    assert check(report, previous) == []  # last year's report itself, when given, comes first


def test_previous_cells_come_from_the_cross_year_rules():
    assert get_format("2021").previous_cells == [
        "t3.forward.natural", "t3.forward.commercial", "t3.forward.research", "t3.forward.nonprofit",
        "t3.forward.legal", "t3.forward.other", "t3.forward.total", "t2.rules.in_force", "t2.normative.in_force"]
    assert "t2.licensing.change" in get_format("2019").previous_cells


@pytest.mark.parametrize("defect,value", [("fraction", 2.5), ("negative", -1)])
def test_a_calculated_total_is_not_faulted_again_for_its_parts_defect(defect, value):
    """A part that is a fraction or negative is one finding, whether the total was calculated and
    saved (Excel, WPS, LibreOffice: the total's cached value holds the same defect) or not."""
    report = base()
    report.values["t3.new.research"] = value
    saved = Report(**{**report.__dict__, "values": dict(report.values)})
    saved.values["t3.new.total"] = computed(report, "t3.new.total")
    report.values.pop("t3.new.total", None)  # as the toolkit writes it: the formula never calculated
    faulted = [f for f in check(saved) if f.code.startswith("V-")]
    assert [(f.cells, f.reported) for f in faulted] == [(("t3.new.research",), value)]
    assert check(saved) == check(report)
    saved.values["t3.new.total"] += 0.25  # typed over: the total is itself faulted
    assert ("t3.new.total",) in [f.cells for f in check(saved) if f.code == "V-FRACTION"]
