"""The roll-up of findings (issue 13, part 3): the summary's 问题汇总 sheet.

Real files throughout: units' workbooks (one late by its 填报日期, some with errors, some with a hint),
a roster with units that sent nothing, `xxgk consolidate`, a 可以忽略 typed into 校验结果 with openpyxl
and a second run with --review; then a prefecture consolidating two county summaries, whose rows
count each county's units' open errors, and an older county summary without the sheet."""
import datetime
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from ooxml_validator import errors as ooxml_errors
from toolkit.core.formats import common
from toolkit.core.roster import RosterUnit
from toolkit.app.samples import plausible_report
from toolkit.io.workbook.filled import filled_bytes
from toolkit.io.workbook.roster_book import roster_bytes

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
YEAR = 2022
SHEET = common().summary_sheets["rollup"]
FINDINGS = common().sheets["findings"]
REVIEW = common().review
OPEN, IGNORED = REVIEW["open_errors"], REVIEW["ignore"]
UNITS = {"东河镇": ("乡镇", 1), "北关街道": ("街道", 2), "西山乡": ("乡镇", 3), "南湖镇": ("乡镇", 4)}
ROSTER = [*((u, lv) for u, (lv, _) in UNITS.items()), ("泽曲镇", "乡镇"), ("县民政局", "县级部门")]
# 表三 unbalanced in a column: that column and 总计 break T3-BALANCE; 南湖镇 in two columns (three errors)
BROKEN = {"北关街道": ("t3.forward.natural",), "西山乡": ("t3.forward.natural",),
          "南湖镇": ("t3.forward.natural", "t3.forward.commercial")}
HINTED = ("东河镇", "南湖镇")  # the overview quotes a number of requests the table does not have: TX-REQUESTS
LATE = {"西山乡": "2023-02-10"}  # a township's deadline is 31 January: 10 days late


def run(*args):
    env = {**os.environ, "COLUMNS": "1000", "NO_COLOR": "1"}
    return subprocess.run([XXGK, *map(str, args)], capture_output=True, text=True, env=env, timeout=300)


def unit_workbook(folder: Path, unit: str, level: str, seed: int, broken=(), hinted=False, date=None) -> Path:
    report = plausible_report(unit, level, YEAR, seed=seed)
    for cid in broken:
        report.values[cid] += 1
    if hinted:
        report.texts["overview"] = "本年共受理政府信息公开申请9999件。（示例数据）"
    if date is not None:
        report.info["date"] = date
    path = folder / f"{unit} {YEAR}年报.xlsx"
    path.write_bytes(filled_bytes(report))
    return path


def consolidate(inputs, summary: Path, unit: str, *extra):
    inputs = inputs if isinstance(inputs, list) else [inputs]
    return run("consolidate", *inputs, "--year", YEAR, "--unit", unit, "-o", summary, "--jobs", 1, *extra)


def tables(path: Path) -> tuple[list[dict], list[dict]]:
    """The 问题汇总 sheet's unit rows and code rows as {header: value}, found by their headers."""
    values = list(openpyxl.load_workbook(path)[SHEET].iter_rows(values_only=True))

    def table(*names):
        at = next(i for i, r in enumerate(values) if all(n in r for n in names))
        out = []
        for r in values[at + 1:]:
            if r[1] is None:
                break
            out.append({h: v for h, v in zip(values[at], r) if h is not None})
        return out

    return table("单位名称", OPEN), table("代码", "单位数")


def decide(path: Path, units: set[str], decision: str) -> None:
    """Type a decision beside every finding of these units on 校验结果, as a reviewer does."""
    wb = openpyxl.load_workbook(path)
    ws = wb[FINDINGS]
    header = {c.value: c.column for c in ws[1]}
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, header["单位名称"]).value in units:
            ws.cell(row, header[REVIEW["decision"]]).value = decision
    wb.save(path)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    root = tmp_path_factory.mktemp("rollup")
    sent = root / "回收"
    sent.mkdir()
    for unit, (level, seed) in UNITS.items():
        unit_workbook(sent, unit, level, seed, BROKEN.get(unit, ()), unit in HINTED, LATE.get(unit))
    roster = root / "单位名单.xlsx"
    roster.write_bytes(roster_bytes(tuple(RosterUnit(n, lv) for n, lv in ROSTER)))
    summary = root / "甲县2022年汇总.xlsx"
    first = consolidate(sent, summary, "甲县", "--roster", roster)
    assert first.returncode == 1, first.stdout + first.stderr
    reviewed = root / "甲县2022年汇总（审核后）.xlsx"
    shutil.copy(summary, root / "审核.xlsx")
    decide(root / "审核.xlsx", {"西山乡"}, IGNORED)
    second = consolidate(sent, reviewed, "甲县", "--roster", roster, "--review", root / "审核.xlsx")
    assert second.returncode == 1, second.stdout + second.stderr
    return {"root": root, "sent": sent, "roster": roster, "summary": summary, "first": first,
            "reviewed": reviewed, "second": second}


def short(rows: list[dict]) -> list[tuple]:
    return [(r["单位名称"], r["状态"], r["错误"], r["提示"], r[IGNORED], r[OPEN], r["是否按时"]) for r in rows]


def test_per_unit_rows_exact_worst_first_late_and_missing(county):
    units, _ = tables(county["summary"])
    assert short(units) == [
        ("南湖镇", "已汇总", 3, 1, 0, 3, "按时"),
        ("西山乡", "已汇总", 2, 0, 0, 2, "逾期10天"),  # as many open errors as 北关街道, and late
        ("北关街道", "已汇总", 2, 0, 0, 2, "按时"),
        ("泽曲镇", "未报送", None, None, None, None, None),  # the roster's, in its order
        ("县民政局", "未报送", None, None, None, None, None),
        ("东河镇", "已汇总", 0, 1, 0, 0, "按时"),
    ]
    assert [r["序号"] for r in units] == [1, 2, 3, 4, 5, 6]
    by_unit = {r["单位名称"]: r for r in units}
    assert by_unit["西山乡"]["填报日期"] == "2023-02-10" and by_unit["西山乡"]["公开期限"] == "2023-01-31"
    assert by_unit["东河镇"]["文件"] == f"东河镇 {YEAR}年报.xlsx"
    text = "\n".join(" ".join(str(v) for v in r if v is not None)
                     for r in openpyxl.load_workbook(county["summary"])[SHEET].iter_rows(values_only=True))
    assert "共 4 个单位报送：未处理错误 7 个（3 个单位），逾期 1 个单位；未报送 2 个单位" in text
    out = county["first"].stdout
    assert "未处理错误最多的单位：南湖镇（3 个）、西山乡（2 个）、北关街道（2 个）；详见汇总工作簿“问题汇总”表" in out
    assert "逾期报送的单位 1 个：西山乡" in out


def test_per_code_counts_exact_worst_first(county):
    _, codes = tables(county["summary"])
    assert [(r["代码"], r["严重程度"], r["单位数"], r["条数"], r[OPEN]) for r in codes] == [
        ("T3-BALANCE", "错误", 3, 7, 7), ("TX-REQUESTS", "提示", 2, 2, 0)]
    assert codes[0]["问题"] == "表三各列：第一项加第二项之和，等于第三项加第四项之和"  # the format's relation
    assert codes[1]["问题"].startswith("例：总体情况中写")  # no relation: an example of its message


def test_ignored_errors_are_not_open_after_review(county):
    units, codes = tables(county["reviewed"])
    assert short(units) == [
        ("南湖镇", "已汇总", 3, 1, 0, 3, "按时"),
        ("北关街道", "已汇总", 2, 0, 0, 2, "按时"),
        ("泽曲镇", "未报送", None, None, None, None, None),
        ("县民政局", "未报送", None, None, None, None, None),
        ("西山乡", "已汇总", 2, 0, 2, 0, "逾期10天"),  # both errors marked 可以忽略: nothing open
        ("东河镇", "已汇总", 0, 1, 0, 0, "按时"),
    ]
    assert [(r["代码"], r["条数"], r[OPEN]) for r in codes] == [("T3-BALANCE", 7, 5), ("TX-REQUESTS", 2, 0)]
    assert "未处理错误最多的单位：南湖镇（3 个）、北关街道（2 个）；" in county["second"].stdout


def test_the_chart_the_page_the_validator_and_the_reader(county):
    for path in (county["summary"], county["reviewed"]):
        assert not ooxml_errors(path)
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames.index(SHEET) == wb.sheetnames.index("报送情况") + 1
        ws = wb[SHEET]
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    with zipfile.ZipFile(county["summary"]) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    mine = [x for x in charts if f"'{SHEET}'!" in x]
    assert len(mine) == 1 and len(charts) == 3  # with 统计图's two
    # the open errors of the three units that have any, named by the unit column as text
    assert f"'{SHEET}'!$L$7:$L$9" in mine[0] and f"<strRef><f>'{SHEET}'!$B$7:$B$9" in mine[0]
    checked = run("check", county["reviewed"])  # 问题汇总 is a sheet of the summary: no unknown sheet
    assert "R-EXTRA-SHEETS" not in checked.stdout, checked.stdout


@pytest.fixture(scope="module")
def prefecture(county, tmp_path_factory):
    root = tmp_path_factory.mktemp("prefecture")
    other = root / "乙县回收"
    other.mkdir()
    unit_workbook(other, "城关镇", "乡镇", 7, ("t3.forward.commercial",))
    unit_workbook(other, "河口镇", "乡镇", 8)
    second = root / "乙县2022年汇总.xlsx"
    assert consolidate(other, second, "乙县").returncode == 1
    city = root / "某市2022年汇总.xlsx"
    done = consolidate([county["reviewed"], second], city, "某市")
    assert done.returncode == 1, done.stdout + done.stderr
    return {"root": root, "second": second, "city": city, "done": done}


def test_a_prefecture_counts_each_countys_units_open_errors(county, prefecture):
    units, codes = tables(prefecture["city"])
    assert [(r["单位名称"], r["单位层级"], r["错误"], r["提示"], r[IGNORED], r[OPEN], r["下级已汇总"], r["下级未报送"])
            for r in units] == [("甲县", "县级汇总", 7, 2, 2, 5, 4, 2), ("乙县", "县级汇总", 2, 0, 0, 2, 2, 0)]
    # the county summary's own findings (its summed 表三 unbalanced) are named, not added
    assert units[0]["说明"].startswith("按其“问题汇总”表计下级单位的问题（汇总工作簿本身另有错误")
    assert [(r["代码"], r["单位数"], r["条数"], r[OPEN]) for r in codes] == [
        ("T3-BALANCE", 4, 9, 7), ("TX-REQUESTS", 2, 2, 0)]
    assert "未处理错误最多的单位：甲县（5 个）、乙县（2 个）" in prefecture["done"].stdout
    assert not ooxml_errors(prefecture["city"])
    # and one level further up: the province's row of the prefecture counts the townships' open errors
    province = prefecture["root"] / "某省.xlsx"
    assert consolidate(prefecture["city"], province, "某省").returncode == 1
    units, _ = tables(province)
    assert [(r["单位名称"], r["单位层级"], r[OPEN], r["下级已汇总"]) for r in units] == [("某市", "市级汇总", 7, 2)]


def test_an_older_summary_without_the_sheet_is_named_and_counts_its_own_findings(county, prefecture, tmp_path):
    old = tmp_path / "乙县（旧版）.xlsx"
    wb = openpyxl.load_workbook(prefecture["second"])
    del wb[SHEET]
    wb.save(old)
    city = tmp_path / "某市.xlsx"
    done = consolidate([county["reviewed"], old], city, "某市")
    assert done.returncode == 1, done.stdout + done.stderr
    units, _ = tables(city)
    row = next(r for r in units if r["单位名称"] == "乙县")
    # the summary's own errors: its summed 表三 unbalanced in 城关镇's column and in 总计
    assert (row["错误"], row[OPEN], row["下级已汇总"]) == (2, 2, None)
    message = f"“{old.name}”没有“{SHEET}”表（较早版本生成的汇总，或该表被删除、改名）：按汇总工作簿本身的校验结果计"
    assert row["说明"] == message and message in done.stdout


@pytest.mark.parametrize("module", ["toolkit.core.rollup", "toolkit.io.workbook.rollup_book"])
def test_the_roll_up_and_its_reader_import_no_spreadsheet_engine(module):
    code = (f"import sys, {module}; bad = [m for m in ('pandas', 'openpyxl', 'xlwings') if m in sys.modules];"
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_deadlines_are_the_format_files(county):
    from toolkit.core.signature import deadline
    assert deadline("乡镇", YEAR) == datetime.date(YEAR + 1, 1, 31)
    assert deadline("县级汇总", YEAR) == datetime.date(YEAR + 1, 3, 31)  # a summary: the latest of all


def test_a_unit_not_summed_and_dates_missing_or_unreadable(tmp_path):
    sent = tmp_path / "回收"
    sent.mkdir()
    unit_workbook(sent, "东河镇", "乡镇", 1, date="")  # no 填报日期
    unit_workbook(sent, "西山乡", "乡镇", 3, date="2023年2月1日")  # one day late, however written
    unit_workbook(sent, "南湖镇", "乡镇", 4, date="春节后")
    report = plausible_report("北关街道", "街道", YEAR - 1, seed=2)  # last year's workbook: not summed
    report.values["t3.forward.natural"] += 1
    (sent / "北关街道 2021年报.xlsx").write_bytes(filled_bytes(report))
    summary = tmp_path / "汇总.xlsx"
    done = consolidate(sent, summary, "某县")
    assert done.returncode == 1, done.stdout + done.stderr
    units, _ = tables(summary)
    by_unit = {r["单位名称"]: r for r in units}
    assert by_unit["东河镇"]["是否按时"] == "未填填报日期"
    assert by_unit["西山乡"]["是否按时"] == "逾期1天"
    assert by_unit["南湖镇"]["是否按时"] == "填报日期无法识别"
    # the unit that sent only a file not summed has its row, and its findings count
    assert (by_unit["北关街道"]["状态"], by_unit["北关街道"][OPEN]) == ("未汇总", 2)
    assert units[0]["单位名称"] == "北关街道"


def test_a_count_typed_over_on_the_countys_sheet_is_named_and_its_own_findings_count(county, prefecture, tmp_path):
    edited = tmp_path / "乙县（改过）.xlsx"
    wb = openpyxl.load_workbook(prefecture["second"])
    ws = wb[SHEET]
    header = next(r for r in range(1, 20) if ws.cell(r, 2).value == "单位名称")
    column = next(c.column for c in ws[header] if c.value == OPEN)
    ws.cell(header + 1, column).value = "五"
    wb.save(edited)
    city = tmp_path / "某市.xlsx"
    done = consolidate([county["reviewed"], edited], city, "某市")
    assert done.returncode == 1, done.stdout + done.stderr
    row = next(r for r in tables(city)[0] if r["单位名称"] == "乙县")
    cell = f"{openpyxl.utils.get_column_letter(column)}{header + 1}"
    assert row["说明"] == f"“{edited.name}”{SHEET}!{cell}：“五”不是数字（该表被改动过）：按汇总工作簿本身的校验结果计"
    assert (row[OPEN], row["下级已汇总"]) == (2, None)  # the county summary's own errors
