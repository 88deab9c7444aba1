"""`xxgk consolidate … --previous LAST_SUMMARY`: every unit summed this year that last year's summary
has, its main figures against last year's (toolkit.core.year_over_year, by toolkit.core.compare's comparison),
the changes beyond the thresholds as 提示 findings of the unit on 校验结果, and the 同比 sheet.

Real files: last year's unit workbooks consolidated by `xxgk consolidate` into last year's summary,
this year's workbooks consolidated with it as --previous (and without, to see what it changes).
Known changes: ×6 (Y-JUMP), ÷6 (Y-DROP), 50 → 0 (Y-DROP-TO-ZERO); units with no change worth a
word; a unit new this year; a unit gone; a unit that used the 2019 format last year."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from ooxml_validator import described, errors
from toolkit.core.compare import compare
from toolkit.core.formats import common, get_format
from toolkit.core.layout import workbook_layout
from toolkit.core.model import Report
from toolkit.core.rules import Values, check
from toolkit.app.samples import plausible_report
from toolkit.io.workbook.template import template_bytes

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
YEAR = 2025
SHEET = common().summary_sheets["year_over_year"]
FINDINGS = common().sheets["findings"]
CODES = {"Y-JUMP", "Y-DROP", "Y-DROP-TO-ZERO", "Y-FROM-ZERO"}
LICENSING, PENALTY, ENFORCEMENT = "t2.licensing.decisions", "t2.penalty.decisions", "t2.enforcement.decisions"


def run(*args):
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([XXGK, *map(str, args)], capture_output=True, text=True, env=env, timeout=300)


def edited(report: Report, **values) -> Report:
    return Report(report.unit, report.level, report.year, report.format,
                  {**report.values, **{k.replace("__", "."): v for k, v in values.items()}},
                  dict(report.texts), dict(report.info), dict(report.previous))


def pair(unit: str, last_version: str = "2021", needs: str = LICENSING) -> tuple[Report, Report]:
    """Last year's and this year's report of a unit, consistent with each other (上年结转 is last
    year's 结转下年度, the running counts follow on), with no change beyond the thresholds and no
    error of their own, and at least 2 in `needs` both years (the first seed that gives such)."""
    for seed in range(100):
        last = plausible_report(unit, "乡镇", YEAR - 1, last_version, seed=seed)
        this = plausible_report(unit, "乡镇", YEAR, seed=seed, previous=last)
        if (not compare(this, last).findings and not any(f.is_error for f in check(this, last) + check(last))
                and min(this.values[needs], last.values[needs]) >= 2):
            return last, this
    raise AssertionError(f"no quiet pair for {unit}")


def lasts_and_thises() -> tuple[dict, dict]:
    last, this = {}, {}
    last["甲镇"], this["甲镇"] = pair("甲镇")  # licensing decisions ×6
    this["甲镇"] = edited(this["甲镇"], **{LICENSING: last["甲镇"].values[LICENSING] * 6})
    last["乙镇"], this["乙镇"] = pair("乙镇", needs=PENALTY)  # penalty decisions ÷6
    last["乙镇"] = edited(last["乙镇"], **{PENALTY: this["乙镇"].values[PENALTY] * 6})
    last["丙镇"], this["丙镇"] = pair("丙镇")  # enforcement decisions 50 → 0
    last["丙镇"] = edited(last["丙镇"], **{ENFORCEMENT: 50})
    this["丙镇"] = edited(this["丙镇"], **{ENFORCEMENT: 0})
    last["丁镇"], this["丁镇"] = pair("丁镇")  # unchanged
    last["庚镇"], this["庚镇"] = pair("庚镇", "2019")  # 2019 last year; licensing ×6
    this["庚镇"] = edited(this["庚镇"], **{LICENSING: last["庚镇"].values[LICENSING] * 6})
    this["戊镇"] = plausible_report("戊镇", "乡镇", YEAR, seed=2)  # new this year
    last["己镇"] = plausible_report("己镇", "乡镇", YEAR - 1, seed=3)  # gone
    return last, this


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    root = tmp_path_factory.mktemp("previous")
    last, this = lasts_and_thises()
    for folder, reports in (("上年", last), ("本年", this)):
        (root / folder).mkdir()
        for unit, report in reports.items():
            (root / folder / f"{unit}.xlsx").write_bytes(template_bytes(report.format, report=report))
    previous = root / f"某县{YEAR - 1}年汇总.xlsx"
    done = run("consolidate", root / "上年", "--year", YEAR - 1, "--unit", "某县", "-o", previous, "--jobs", 1)
    assert done.returncode in (0, 1), done.stderr
    summary, plain = root / f"某县{YEAR}年汇总.xlsx", root / f"某县{YEAR}年汇总（无上年）.xlsx"
    with_previous = run("consolidate", root / "本年", "--year", YEAR, "--previous", previous, "-o", summary,
                        "--jobs", 1)
    without = run("consolidate", root / "本年", "--year", YEAR, "--unit", "某县", "-o", plain, "--jobs", 1)
    return {"root": root, "last": last, "this": this, "previous": previous, "summary": summary, "plain": plain,
            "with": with_previous, "without": without}


def sheet_rows(path: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(path)[SHEET]
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def table(path: Path) -> tuple[int, list[tuple], list[tuple]]:
    """The header row's number, the table's rows (unit × figure), and the rows after it."""
    rows = sheet_rows(path)
    columns = tuple(common().compare["consolidate"]["columns"])
    header = next(i for i, r in enumerate(rows) if r[:len(columns)] == columns)
    body = rows[header + 1:]
    end = next((i for i, r in enumerate(body) if r[0] is None), len(body))
    return header + 1, [r[:7] for r in body[:end]], body[end:]


def by_unit(rows) -> dict:
    out: dict = {}
    for unit, label, last, this, change, ratio, code in rows:
        out.setdefault(unit, {})[label] = (last, this, change, ratio, code)
    return out


def label(cid: str, version: str = "2021") -> str:
    return get_format(version).cells[cid].label


def test_hints_never_change_the_exit_code(county):
    """Every unit without errors: 0 with --previous (hints only) as without it."""
    assert county["without"].returncode == 0, county["without"].stdout + county["without"].stderr
    assert county["with"].returncode == 0, county["with"].stdout + county["with"].stderr
    assert "同比：" in county["with"].stdout
    assert "同比：" not in county["without"].stdout
    assert SHEET not in openpyxl.load_workbook(county["plain"], read_only=True).sheetnames


def test_each_unit_figure_by_figure_read_back_row_by_row(county):
    header, rows, _ = table(county["summary"])
    units = by_unit(rows)
    last, this = county["last"], county["this"]
    # the summary's own totals come first
    assert rows[0][0] == "某县（汇总合计）"
    order = list(dict.fromkeys(r[0] for r in rows))
    assert order[0] == "某县（汇总合计）"
    assert sorted(order[1:]) == sorted(["甲镇", "乙镇", "丙镇", "丁镇", "庚镇"])
    was, now = last["甲镇"].values[LICENSING], this["甲镇"].values[LICENSING]
    assert units["甲镇"][label(LICENSING)] == (was, now, now - was, 6, "Y-JUMP")
    now = this["乙镇"].values[PENALTY]
    assert units["乙镇"][label(PENALTY)] == (now * 6, now, now - now * 6, round(1 / 6, 4), "Y-DROP")
    assert units["丙镇"][label(ENFORCEMENT)] == (50, 0, -50, 0, "Y-DROP-TO-ZERO")
    assert not any(code for *_, code in units["丁镇"].values())
    assert {code for u in units.values() for *_, code in u.values()} - {None} <= CODES
    # every main figure of the format, once per unit in the same format
    compared = get_format("2021").compared
    assert len(units["丁镇"]) == len(compared)
    was, now = (Values(get_format("2021"), r.values)["t3.new.total"] for r in (last["丁镇"], this["丁镇"]))
    assert units["丁镇"][label("t3.new.total")][:3] == (was, now, now - was)


def test_totals_are_the_county_against_last_years_county(county):
    _, rows, _ = table(county["summary"])
    totals = by_unit(rows)["某县（汇总合计）"]
    last, this = county["last"], county["this"]
    for cid in (LICENSING, PENALTY, ENFORCEMENT):
        was = sum(r.values[cid] for r in last.values())
        now = sum(r.values[cid] for r in this.values())
        assert totals[label(cid)][:3] == (was, now, now - was), cid


def test_a_unit_of_2019_last_year_only_mapped_cells(county):
    _, rows, after = table(county["summary"])
    geng = by_unit(rows)["庚镇"]
    was, now = county["last"]["庚镇"].values[LICENSING], county["this"]["庚镇"].values[LICENSING]
    assert geng[label(LICENSING)] == (was, now, now - was, 6, "Y-JUMP")
    assert label("t2.rules.made") not in geng and label("t2.fees.amount") not in geng  # no 2019 counterpart
    other = [k for k in geng if "其他处理" in k]
    assert other and all("2021年版3项之和" in k for k in other), other  # 2021's three rows against 2019's one
    assert len(geng) < len(by_unit(rows)["丁镇"])
    notes = [r[0] for r in sheet_rows(county["summary"])[:table(county["summary"])[0]] if r[0]]
    assert any("上年按2019年版" in n and "庚镇" in n and "未比较" in n for n in notes), notes


def test_new_and_gone_units_named(county):
    _, rows, after = table(county["summary"])
    assert "戊镇" not in by_unit(rows) and "己镇" not in by_unit(rows)
    texts = [r[0] for r in after if r[0]]
    new = texts.index("本年新增的单位（上年汇总中没有）：1个")
    gone = texts.index("上年汇总中有、本年未汇总的单位：1个")
    assert texts[new + 1] == "戊镇" and texts[gone + 1] == "己镇"
    head = [r[0] for r in sheet_rows(county["summary"])[:5] if r[0]]
    assert any("其中5个在上年汇总中" in line and "本年新增的单位1个" in line for line in head), head


def findings_of(path: Path) -> list[dict]:
    ws = openpyxl.load_workbook(path)[FINDINGS]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def test_the_hints_are_the_units_findings_on_the_findings_sheet(county):
    found = [f for f in findings_of(county["summary"]) if f["代码"] in CODES]
    assert sorted((f["单位名称"], f["代码"]) for f in found) == sorted(
        [("甲镇", "Y-JUMP"), ("乙镇", "Y-DROP"), ("丙镇", "Y-DROP-TO-ZERO"), ("庚镇", "Y-JUMP")])
    for f in found:
        assert f["严重程度"] == "提示" and f["审核意见"] == common().review["default"]
        assert f["单元格编号"] in (LICENSING, PENALTY, ENFORCEMENT)
        assert (f["工作表"], f["单元格"]) == workbook_layout("2021").address(f["单元格编号"])
    jia = next(f for f in found if f["单位名称"] == "甲镇")
    assert "上年" in jia["说明"] and "倍" in jia["说明"]
    assert not any(f["代码"] in CODES for f in findings_of(county["plain"]))
    # 报送情况 counts them as hints, not errors
    ws = openpyxl.load_workbook(county["summary"])[common().summary_sheets["submissions"]]
    lines = [r[0] for r in ws.iter_rows(values_only=True) if r[0]]
    hints = sum(f["严重程度"] == "提示" for f in findings_of(county["summary"]))
    assert any(f"错误 0 个、提示 {hints} 个" in str(line) for line in lines), lines


def test_the_sheet_prints_and_filters(county):
    ws = openpyxl.load_workbook(county["summary"])[SHEET]
    header, rows, _ = table(county["summary"])
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.print_title_rows.replace("$", "") == f"{header}:{header}"
    assert ws.auto_filter.ref == f"A{header}:G{header + len(rows)}"


def test_the_summary_is_valid_ooxml_and_checks(county):
    found = errors(county["summary"])
    assert not found, described(county["summary"], found)
    done = run("check", county["summary"])
    assert "R-EXTRA-SHEETS" not in done.stdout, done.stdout


def test_a_summary_of_2019_last_year(county, tmp_path):
    """Last year's summary in the 2019 format: this year's 2021 units compared across formats."""
    previous = tmp_path / "上年汇总2019.xlsx"
    done = run("consolidate", county["root"] / "上年", "--year", YEAR - 1, "--unit", "某县", "--format", "2019",
               "-o", previous, "--jobs", 1)
    assert done.returncode in (0, 1), done.stderr
    summary = tmp_path / "汇总.xlsx"
    done = run("consolidate", county["root"] / "本年", "--year", YEAR, "--previous", previous, "-o", summary,
               "--jobs", 1)
    assert done.returncode == 0, done.stdout + done.stderr
    _, rows, _ = table(summary)
    units = by_unit(rows)
    assert units["甲镇"][label(LICENSING)][-1] == "Y-JUMP"
    assert units["丙镇"][label(ENFORCEMENT)][-1] == "Y-DROP-TO-ZERO"
    assert label("t2.rules.made") not in units["丁镇"]


def test_the_pairing_is_core_it_imports_no_spreadsheet_engine():
    code = ("import sys, toolkit.core.year_over_year; bad = [m for m in ('pandas', 'openpyxl', 'xlwings') if m in sys.modules];"
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_decision_on_a_hint_is_carried_to_the_next_run(county, tmp_path):
    """The reviewer marks 甲镇's Y-JUMP 可以忽略 in Excel; the next run with --review keeps it there."""
    reviewed = tmp_path / "审核后.xlsx"
    wb = openpyxl.load_workbook(county["summary"])
    ws = wb[FINDINGS]
    titles = [c.value for c in ws[1]]
    unit, code, decision = (titles.index(t) for t in ("单位名称", "代码", common().review["decision"]))
    row = next(r for r in ws.iter_rows(min_row=2) if r[unit].value == "甲镇" and r[code].value == "Y-JUMP")
    row[decision].value = common().review["ignore"]
    wb.save(reviewed)
    again = tmp_path / "再次汇总.xlsx"
    done = run("consolidate", county["root"] / "本年", "--year", YEAR, "--previous", county["previous"],
               "--review", reviewed, "-o", again, "--jobs", 1)
    assert done.returncode == 0, done.stdout + done.stderr
    decided = {(f["单位名称"], f["代码"]): f[common().review["decision"]] for f in findings_of(again)
               if f["代码"] in CODES}
    assert decided[("甲镇", "Y-JUMP")] == common().review["ignore"]
    assert decided[("乙镇", "Y-DROP")] == common().review["default"]
