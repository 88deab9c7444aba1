"""`xxgk consolidate … --against REPORT` (issue 13, part 5): the county's own report against the sum of
its units, on real files made here -- units' workbooks (filled_bytes), the county's report as a
workbook, as a published report in plain text, and in the 2019 format -- through the installed
command.  The sum is worked out here on its own, from the units' reports."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import ooxml_validator
from text_reports import published_text
from toolkit.core.formats import common, get_format
from toolkit.core.model import Report, show_number
from toolkit.app.samples import plausible_report
from toolkit.io.workbook.filled import filled_bytes

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
YEAR = 2024
UNITS = {"东河镇": ("乡镇", 1), "北关街道": ("街道", 2), "县民政局": ("县级部门", 3)}
T = common().against
SHEET = common().summary_sheets["against"]
# The planted differences of the county's workbook: cell -> what the county printed beyond the sum.
PLANTED = {"t2.licensing.decisions": 5, "t2.penalty.decisions": -2, "t2.fees.amount": 1.25}


def run(*args):
    env = {**os.environ, "COLUMNS": "1000", "NO_COLOR": "1"}  # no line wrapped
    return subprocess.run([XXGK, *map(str, args)], capture_output=True, text=True, env=env, timeout=300)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def units(tmp_path_factory) -> tuple[Path, dict]:
    """The units' workbooks, and the sum of their reports' figures by cell, added up here."""
    folder = tmp_path_factory.mktemp("units")
    total: dict = {}
    for unit, (level, seed) in UNITS.items():
        report = plausible_report(unit, level, YEAR, seed=seed)
        (folder / f"{unit} {YEAR}年报.xlsx").write_bytes(filled_bytes(report))
        for cid, value in report.values.items():
            total[cid] = round(total.get(cid, 0) + value, 6)
    return folder, total


def county_report(values: dict, year: int = YEAR, version: str = "2021") -> Report:
    return Report(unit="某县", level="县政府", year=year, format=version, values=dict(values))


def consolidate(folder: Path, summary: Path, against: Path, *extra):
    return run("consolidate", folder, "--year", YEAR, "--unit", "某县", "-o", summary, "--jobs", 1,
               "--against", against, *extra)


def sheet_rows(summary: Path) -> list[tuple]:
    """The against sheet's rows below its header, as openpyxl reads them."""
    ws = openpyxl.load_workbook(summary)[SHEET]
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == T["columns"][0])
    assert list(rows[header][:len(T["columns"])]) == T["columns"]
    return rows[header + 1:]


def differences(summary: Path) -> dict:
    """cell ids -> (label, county, units, difference, code) of each difference listed on the sheet."""
    out = {}
    for r in sheet_rows(summary):
        if isinstance(r[0], int):
            out[r[8]] = (r[1], r[4], r[5], r[6], r[7])
    return out


def label(cid: str, version: str = "2021") -> str:
    return get_format(version).cells[cid].label


def test_a_county_report_equal_to_the_sum_lists_nothing(units, tmp_path):
    folder, total = units
    county = tmp_path / "某县2024年年报.xlsx"
    county.write_bytes(filled_bytes(county_report(total)))
    summary = tmp_path / "汇总.xlsx"
    done = consolidate(folder, summary, county)
    assert done.returncode == 0, done.stdout + done.stderr
    assert differences(summary) == {}
    assert any(T["no_differences"] in (r[0] or "") for r in sheet_rows(summary))
    compared = len(get_format("2021").cells)  # every cell, totals too
    assert T["agrees"].format(compared=compared) in done.stdout
    assert T["code"] not in done.stdout
    wb = openpyxl.load_workbook(summary)
    assert wb.sheetnames.index(SHEET) == wb.sheetnames.index(common().summary_sheets["submissions"]) + 1
    check = run("check", summary)  # the summary still checks: the reader knows the sheet
    assert check.returncode == 0 and "R-EXTRA" not in check.stdout, check.stdout
    found = ooxml_validator.errors(summary)
    assert found == [], ooxml_validator.described(summary, found)


def test_three_differences_each_listed_with_both_numbers_on_the_sheet_and_in_the_terminal(units, tmp_path):
    folder, total = units
    figures = {cid: round(v + PLANTED.get(cid, 0), 6) for cid, v in total.items()}
    del figures["t2.rules.made"]  # left blank and not read: named, not taken for 0
    figures["t2.normative.made"] = "十七"
    # the county's workbook in the units' folder: an input of another kind, never summed or changed
    inputs = tmp_path / "回收"
    shutil.copytree(folder, inputs)
    county = inputs / "某县2024年年报.xlsx"
    county.write_bytes(filled_bytes(county_report(figures)))
    before = {p.name: digest(p) for p in inputs.iterdir()}
    summary = tmp_path / "汇总.xlsx"
    done = consolidate(inputs, summary, county)
    assert done.returncode == 1, done.stdout + done.stderr  # the differences: exit 1, the summary written
    assert {p.name: digest(p) for p in inputs.iterdir()} == before
    assert f"共 {len(UNITS)} 个文件 = 汇总 {len(UNITS)} 个 + 未汇总 0 个" in done.stdout

    listed = differences(summary)
    assert set(listed) == set(PLANTED)
    for cid, planted in PLANTED.items():
        county_figure, units_figure = figures[cid], total[cid]
        assert listed[cid] == (label(cid), county_figure, units_figure, planted, T["code"]), cid
        line = next(x for x in done.stdout.splitlines() if label(cid) in x and "│" in x)
        shown = show_number(planted)
        assert [c.strip() for c in line.split("│")[-4:-1]] == \
            [show_number(county_figure), show_number(units_figure), f"+{shown}" if planted > 0 else shown], line
    assert T["differs"].format(count=3, compared=len(get_format("2021").cells) - 2, sheet=SHEET) in done.stdout
    not_given = T["not_given"].format(count=2, cells=f"{label('t2.rules.made')}、{label('t2.normative.made')}")
    assert not_given in done.stdout
    assert any(r[0] == not_given for r in sheet_rows(summary))

    ws = openpyxl.load_workbook(summary)[SHEET]
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    found = ooxml_validator.errors(summary)
    assert found == [], ooxml_validator.described(summary, found)


def test_a_county_report_published_as_text(units, tmp_path):
    folder, total = units
    figures = dict(total)
    figures["t3.new.natural"] += 2  # the county printed 2 more requests of 自然人: its totals follow
    report = county_report(figures)
    report.texts = {"overview": f"{YEAR}年，某县认真贯彻落实《中华人民共和国政府信息公开条例》。",
                    "problems": "存在的主要问题：公开内容不够全面。", "other": "本年度未收取信息处理费。"}
    county = tmp_path / "某县2024年政府信息公开工作年度报告.txt"
    lines = published_text(report, tmp_path).split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("|行政许可|"))
    lines[at] = "|行政许可|十七|"  # a number the import cannot read: named, not taken for 0
    county.write_text("\n".join(lines), encoding="utf-8")
    before = digest(county)
    summary = tmp_path / "汇总.xlsx"
    done = consolidate(folder, summary, county)
    assert done.returncode == 1, done.stdout + done.stderr
    assert digest(county) == before
    new_total = sum(v for cid, v in total.items() if cid.startswith("t3.new."))
    assert differences(summary) == {
        "t3.new.natural": (label("t3.new.natural"), total["t3.new.natural"] + 2, total["t3.new.natural"], 2, T["code"]),
        "t3.new.total": (label("t3.new.total"), new_total + 2, new_total, 2, T["code"])}
    assert T["source"].format(name=county.name, unit="某县", year=YEAR, format="2021") in done.stdout
    assert T["not_given"].format(count=1, cells=label("t2.licensing.decisions")) in done.stdout
    assert T["differs"].format(count=2, compared=len(get_format("2021").cells) - 1, sheet=SHEET) in done.stdout


def test_a_2019_county_report_against_2021_units_only_what_the_maps_pair(units, tmp_path):
    folder, total = units
    old = get_format("2019")
    figures = {}
    for cid, cell in old.cells.items():
        if cell.total:
            continue
        if cid.startswith("t3.result.other."):  # 2019's one （六）其他处理 row: 2021's three rows added
            col = cid.rsplit(".", 1)[1]
            figures[cid] = sum(total[f"t3.result.other.{row}.{col}"] for row in ("overdue_correction", "overdue_fee", "other"))
        elif cid in total:  # the same id in both formats: table 三, table 四, 二's 处理决定数量
            figures[cid] = total[cid]
        else:  # 2019's own items of table 二: nothing in 2021 to compare them with
            figures[cid] = 7
    figures["t2.penalty.decisions"] += 3
    county = tmp_path / "某县2024年年报（2019年版）.xlsx"
    county.write_bytes(filled_bytes(county_report(figures, version="2019")))
    summary = tmp_path / "汇总.xlsx"
    done = consolidate(folder, summary, county)
    assert done.returncode == 1, done.stdout + done.stderr
    cid = "t2.penalty.decisions"
    assert differences(summary) == {cid: (label(cid), total[cid] + 3, total[cid], 3, T["code"])}
    notes = [r[0] for r in sheet_rows(summary) if isinstance(r[0], str)]
    unmapped_2021 = [n for n in notes if n.startswith("2021年版的以下")]
    unmapped_2019 = [n for n in notes if n.startswith("2019年版的以下")]
    assert len(unmapped_2021) == 1 and "表二“规章”行" in unmapped_2021[0] and "行政事业性收费" in unmapped_2021[0]
    assert len(unmapped_2019) == 1 and "政府集中采购" in unmapped_2019[0]
    assert unmapped_2021[0] in done.stdout and unmapped_2019[0] in done.stdout
    # 2021's three （六） rows were compared with 2019's one, and agree: counted among the compared
    groups = len(get_format("2021").cells) - 7 - 3 * 7 + 7  # less table 二's unpaired, the （六） rows as one
    assert T["differs"].format(count=1, compared=groups, sheet=SHEET) in done.stdout


def test_a_county_report_of_another_year_is_an_error(units, tmp_path):
    folder, total = units
    county = tmp_path / "某县2023年年报.xlsx"
    county.write_bytes(filled_bytes(county_report(total, year=YEAR - 1)))
    summary = tmp_path / "汇总.xlsx"
    done = consolidate(folder, summary, county)
    assert done.returncode == 2
    assert T["wrong_year"].format(name=county.name, found=YEAR - 1, year=YEAR) in done.stderr.replace("\n", "")
    assert not summary.exists()


def test_an_unreadable_county_report_is_an_error(units, tmp_path):
    folder, total = units
    whole = filled_bytes(county_report(total))
    county = tmp_path / "某县2024年年报.xlsx"
    county.write_bytes(whole[: len(whole) // 3])
    summary = tmp_path / "汇总.xlsx"
    done = consolidate(folder, summary, county)
    assert done.returncode == 2
    assert "--against 的年报无法读取" in done.stderr and county.name in done.stderr
    assert not summary.exists()
    missing = consolidate(folder, summary, tmp_path / "没有这个文件.txt")
    assert missing.returncode == 2 and "--against 的年报无法读取" in missing.stderr and not summary.exists()


def test_the_against_file_is_never_the_output(units, tmp_path):
    folder, total = units
    county = tmp_path / "某县2024年年报.xlsx"
    county.write_bytes(filled_bytes(county_report(total)))
    before = digest(county)
    done = consolidate(folder, county, county, "--force")
    assert done.returncode == 2 and "不能覆盖输入文件" in done.stderr
    assert digest(county) == before


def test_the_core_imports_no_spreadsheet_engine():
    code = ("import sys, toolkit.core.against; bad = [m for m in ('pandas', 'openpyxl', 'xlwings') if m in sys.modules];"
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
