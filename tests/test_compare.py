"""`xxgk compare THIS LAST`: one unit's two reports side by side, on real files made here (workbooks
written by the template builder, a published report as plain text), through the installed command."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import ooxml_validator
from text_reports import UNIT as TEXT_UNIT, consistent_report, published_text
from toolkit.core.compare import _test, compare, texts
from toolkit.core.formats import common, get_format
from toolkit.core.model import Report, show_number
from toolkit.core.rules import computed_totals
from toolkit.app.samples import plausible_report
from toolkit.io.workbook.reader import read_workbook
from toolkit.io.workbook.template import template_bytes

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
UNIT = "东河镇"
T = common().compare

# The planted changes of the 2021 pair: ×6, ÷6, 50 → 0, and one figure unchanged.
PLANTED = {"t2.licensing.decisions": (30, 5, "Y-JUMP"), "t2.penalty.decisions": (5, 30, "Y-DROP"),
           "t2.enforcement.decisions": (0, 50, "Y-DROP-TO-ZERO"), "t2.fees.amount": (12.5, 12.5, "")}


def run(*args, cwd=None):
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([XXGK, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def write(path: Path, report: Report) -> Path:
    path.write_bytes(template_bytes(report=report))
    return path


def pair_2021() -> tuple[Report, Report]:
    """Last year's and this year's consistent reports (this year's 上年结转 = last year's 结转下年度),
    every other change below the thresholds, with the planted changes."""
    last = plausible_report(UNIT, "乡镇", 2024, "2021", seed=3)
    this = plausible_report(UNIT, "乡镇", 2025, "2021", seed=3, previous=last)
    for cid, (now, before, _) in PLANTED.items():
        this.values[cid], last.values[cid] = now, before
    return this, last


def figure(report: Report, cid: str):
    """A cell's figure as the report says it: an entry as given, a total as its parts add up."""
    return report.values[cid] if cid in report.values else computed_totals(report)[cid]


def expected_code(now, before) -> str:
    """The code the thresholds of common.toml give, worked out here on their own."""
    if now == before or now < 0 or before < 0:
        return ""
    if before == 0:
        return "Y-FROM-ZERO" if now >= T["large"] else ""
    if now == 0:
        return "Y-DROP-TO-ZERO" if before >= T["large"] else ""
    if max(now, before) < T["smallest"]:
        return ""
    return "Y-JUMP" if now > T["jump"] * before else "Y-DROP" if now * T["drop"] < before else ""


def test_a_2021_pair_every_main_figure_side_by_side_with_the_planted_changes_flagged(tmp_path):
    this, last = pair_2021()
    this_file, last_file = write(tmp_path / "东河镇2025.xlsx", this), write(tmp_path / "东河镇2024.xlsx", last)
    c = compare(read_workbook(this_file).report, read_workbook(last_file).report)
    fmt = get_format("2021")
    assert [r.cells for r in c.rows] == [(cid,) for cid in fmt.compared]
    assert len(c.rows) == 38  # table 二's 10 figures, the 25 rows of table 三, table 四's 3 totals
    for r in c.rows:
        cid, = r.cells
        now, before = figure(this, cid), figure(last, cid)
        assert (r.label, r.last_cells, r.this, r.last) == (fmt.cells[cid].label, (cid,), now, before), cid
        assert r.change == pytest.approx(now - before)
        assert r.ratio == (pytest.approx(now / before, abs=1e-4) if before > 0 else None)
        code = PLANTED[cid][2] if cid in PLANTED else expected_code(now, before)
        assert r.code == code, (cid, now, before)
    flagged = {r.cells[0]: r.code for r in c.rows if r.code}
    assert flagged == {cid: code for cid, (_, _, code) in PLANTED.items() if code}
    unchanged = next(r for r in c.rows if r.cells == ("t2.fees.amount",))
    assert (unchanged.this, unchanged.last, unchanged.change, unchanged.ratio, unchanged.code) == (12.5, 12.5, 0, 1, "")
    by_code = {f.code: f for f in c.findings}
    assert set(by_code) == {"Y-JUMP", "Y-DROP", "Y-DROP-TO-ZERO"} and all(f.severity == "提示" for f in c.findings)
    assert by_code["Y-JUMP"].message == ("表二“行政许可”行“本年处理决定数量”列：本年30，上年5，是上年的6倍（超过5倍），请核实")
    assert by_code["Y-DROP"].message == ("表二“行政处罚”行“本年处理决定数量”列：本年5，上年30，"
                                         "只有上年的16.7%（不到上年的1/5），请核实")
    assert by_code["Y-DROP-TO-ZERO"].message == "表二“行政强制”行“本年处理决定数量”列：上年50，本年为0，请核实是否漏填"
    assert by_code["Y-JUMP"].cells == ("t2.licensing.decisions",)
    assert c.notes == [] and not c.has_errors

    done = run("compare", this_file, last_file)
    assert done.returncode == 0, done.stderr
    for f in c.findings:
        assert f.code in done.stdout and f.message in done.stdout.replace("\n", "")
    assert "东河镇政府信息公开工作年度报告同比（2025年度与2024年度）" in done.stdout
    assert "表三“（七）总计”行“总计”列" in done.stdout


def test_the_thresholds_are_the_format_files(monkeypatch):
    assert (T["jump"], T["drop"], T["smallest"], T["large"]) == (5, 5, 10, 20)
    assert _test(50, 10) is None and _test(51, 10) == "jump"  # more than 5×, not 5× itself
    assert _test(2, 10) is None and _test(1, 10) == "drop"  # less than a fifth
    assert _test(9, 1) is None and _test(1, 9) is None  # both below `smallest`: not worth a word
    assert _test(0, 20) == "to_zero" and _test(0, 19) is None and _test(20, 0) == "from_zero" and _test(19, 0) is None
    assert _test(0, 0) is None and _test(-3, 2) is None and _test(None, 5) is None
    monkeypatch.setitem(common().compare, "large", 100)
    assert _test(0, 50) is None


def test_a_broken_carry_over_is_an_error_as_check_previous_finds_it(tmp_path):
    this, last = pair_2021()
    this.values["t3.carried.natural"] += 2  # two more carried over than last year carried forward
    this.values["t3.result.open.natural"] += 2  # this year's table 三 still balances
    this_file, last_file = write(tmp_path / "本年.xlsx", this), write(tmp_path / "上年.xlsx", last)
    c = compare(read_workbook(this_file).report, read_workbook(last_file).report)
    assert c.notes == []  # both tables balance: no error of their own
    errors = [f for f in c.findings if f.severity == "错误"]
    assert [(f.code, f.cells) for f in errors] == [("Y-CARRIED", ("t3.carried.natural",)),
                                                   ("Y-CARRIED", ("t3.carried.total",))]
    forward = last.values["t3.forward.natural"]
    assert errors[0].message == (f"表三“自然人”列：上年结转填报为{forward + 2}，上年报告的结转下年度继续办理为{forward}")
    assert c.has_errors
    carried = next(r for r in c.rows if r.cells == ("t3.carried.total",))
    assert carried.this == figure(this, "t3.carried.total")
    check = run("check", this_file, "--previous", last_file)  # the same findings as check --previous gives
    done = run("compare", this_file, last_file)
    assert check.returncode == done.returncode == 1, done.stderr
    for f in errors:
        assert f.message in check.stdout.replace("\n", "") and f.message in done.stdout.replace("\n", "")


def test_2019_to_2021_only_the_mapped_cells_are_compared_and_the_rest_is_named(tmp_path):
    last = plausible_report(UNIT, "乡镇", 2020, "2019", seed=4)
    this = plausible_report(UNIT, "乡镇", 2021, "2021", seed=4, previous=last)
    this_file, last_file = write(tmp_path / "2021.xlsx", this), write(tmp_path / "2020.xlsx", last)
    c = compare(read_workbook(this_file).report, read_workbook(last_file).report)
    new, old = get_format("2021"), get_format("2019")
    other = ("t3.result.other.overdue_correction.total", "t3.result.other.overdue_fee.total",
             "t3.result.other.other.total")
    expected = [("t2.licensing.decisions",), ("t2.penalty.decisions",), ("t2.enforcement.decisions",)]
    expected += [(cid,) for cid in new.compared if cid.startswith(("t3.", "t4.")) and cid not in other[1:]]
    expected[expected.index((other[0],))] = other  # 2021's three （六） rows against 2019's one
    assert [r.cells for r in c.rows] == expected and len(c.rows) == 29
    for r in c.rows:
        last_cells = ("t3.result.other.total",) if r.cells == other else r.cells
        assert r.last_cells == last_cells
        assert r.this == sum(figure(this, cid) for cid in r.cells)
        assert r.last == figure(last, last_cells[0])
        assert r.code == expected_code(r.this, r.last)
        if r.cells == other:
            assert r.label == "表三“（六）其他处理”行“总计”列（本年为2021年版3项之和）"
        else:
            assert r.label == new.cells[r.cells[0]].label
    assert c.notes == [
        "2021年版的以下7项在2019年版中没有对应项，未比较：表二“规章”行（各列）；表二“行政规范性文件”行（各列）；"
        "表二“行政事业性收费”行（本年收费金额（单位：万元））",
        "2019年版的以下19项在2021年版中没有对应项，未比较：表二“规章”行（各列）；表二“规范性文件”行（各列）；"
        "表二“行政许可”行（上一年项目数量、本年增/减）；表二“其他对外管理服务事项”行（各列）；"
        "表二“行政处罚”行（上一年项目数量、本年增/减）；表二“行政强制”行（上一年项目数量、本年增/减）；"
        "表二“行政事业性收费”行（各列）；表二“政府集中采购”行（各列）",
        "Y-IN-FORCE（现行有效件数 = 上年现行有效件数 + 本年制发件数 − 本年废止件数）未校验：上年报告为2019年版，没有所需的项目",
    ]
    assert len(old.compared) == 48 and not c.has_errors  # 上年结转 compared across the formats, and it agrees

    this.values["t3.carried.legal"] = last.values["t3.forward.legal"] + 1
    this.values["t3.result.open.legal"] += 1
    broken = compare(this, last)
    assert [f.cells for f in broken.findings if f.code == "Y-CARRIED"] == [("t3.carried.legal",), ("t3.carried.total",)]

    done = run("compare", this_file, last_file, "-o", tmp_path / "同比.xlsx")
    assert done.returncode == 0, done.stderr
    flat = done.stdout.replace("\n", "")
    for note in c.notes:
        assert note in flat
    ws = openpyxl.load_workbook(tmp_path / "同比.xlsx").active
    column = [ws.cell(row, 1).value for row in range(1, ws.max_row + 1)]
    assert all(note in column for note in c.notes)


def test_a_published_report_against_last_years_workbook(tmp_path):
    last = plausible_report(TEXT_UNIT, "乡镇", 2024, "2021", seed=5)
    this = consistent_report(2025, previous=last)
    this_file = tmp_path / "青山镇2025年政府信息公开工作年度报告.txt"
    this_file.write_text(published_text(this, tmp_path), encoding="utf-8")
    last_file = write(tmp_path / "青山镇2024.xlsx", last)
    done = run("compare", this_file, last_file, "-o", tmp_path / "同比.xlsx")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "本年：青山镇2025年政府信息公开工作年度报告.txt（青山镇，2025年度，2021年版格式）" in done.stdout
    ws = openpyxl.load_workbook(tmp_path / "同比.xlsx").active
    fmt = get_format("2021")
    rows = {ws.cell(row, 1).value: row for row in range(6, 6 + len(fmt.compared))}
    for cid in fmt.compared:
        row = rows[fmt.cells[cid].label]
        now, before = figure(this, cid), figure(last, cid)
        assert (ws.cell(row, 2).value, ws.cell(row, 3).value) == (now, before), cid
        assert ws.cell(row, 6).value == (expected_code(now, before) or None)


def test_years_must_be_consecutive(tmp_path):
    this, last = pair_2021()
    this_file = write(tmp_path / "2025.xlsx", this)
    last.year = 2023
    old = write(tmp_path / "2023.xlsx", last)
    done = run("compare", this_file, old)
    assert done.returncode == 2 and done.stdout == ""
    assert "上年报告“2023.xlsx”是2023年度的报告，而“2025.xlsx”是2025年度，上年报告应为2024年度" in done.stderr.replace("\n", "")
    last.year = 2024
    last_file = write(tmp_path / "2024.xlsx", last)
    swapped = run("compare", last_file, this_file)
    assert swapped.returncode == 2 and "写反" in swapped.stderr
    last.year = None
    no_year = write(tmp_path / "未填年度.xlsx", last)
    missing = run("compare", this_file, no_year)
    assert missing.returncode == 2 and "“未填年度.xlsx”没有填写年度" in missing.stderr.replace("\n", "")
    assert "Traceback" not in done.stderr + swapped.stderr + missing.stderr


def test_unreadable_inputs_and_outputs_that_are_refused(tmp_path):
    this, last = pair_2021()
    this_file, last_file = write(tmp_path / "本年.xlsx", this), write(tmp_path / "上年.xlsx", last)
    junk = tmp_path / "坏.xlsx"
    junk.write_text("not a workbook")
    before = last_file.read_bytes()
    for args in ((junk, last_file), (this_file, tmp_path / "没有.txt"), (this_file, this_file),
                 (this_file, last_file, "-o", last_file, "--force"), (this_file, last_file, "-o", tmp_path / "a.csv")):
        done = run("compare", *args)
        assert done.returncode == 2 and "错误：" in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
    assert last_file.read_bytes() == before  # -o over an input is refused, --force or not
    out = tmp_path / "同比.xlsx"
    out.write_bytes(b"old")
    assert run("compare", this_file, last_file, "-o", out).returncode == 2 and out.read_bytes() == b"old"
    assert run("compare", this_file, last_file, "-o", out, "--force").returncode == 0 and out.read_bytes() != b"old"


def test_the_workbook_cell_by_cell_and_valid_ooxml(tmp_path):
    this, last = pair_2021()
    this.values["t3.carried.natural"] += 2
    this.values["t3.result.open.natural"] += 2
    this_file, last_file = write(tmp_path / "东河镇2025.xlsx", this), write(tmp_path / "东河镇2024.xlsx", last)
    out = tmp_path / "东河镇同比.xlsx"
    done = run("compare", this_file, last_file, "-o", out)
    assert done.returncode == 1 and "已写入同比结果" in done.stdout, done.stderr
    c = compare(read_workbook(this_file).report, read_workbook(last_file).report)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [T["sheet"]]
    ws = wb.active
    last_row = ws.max_row  # before reading cells (openpyxl makes a cell it is asked for)
    assert ws.page_setup.paperSize == int(ws.PAPERSIZE_A4) and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws["A1"].value == "东河镇政府信息公开工作年度报告同比（2025年度与2024年度）"
    assert ws["A2"].value == "本年：东河镇2025.xlsx（东河镇，2025年度，2021年版格式）"
    assert ws["A3"].value == "上年：东河镇2024.xlsx（东河镇，2024年度，2021年版格式）"
    assert [ws.cell(5, col).value for col in range(1, 7)] == T["columns"]
    for i, r in enumerate(c.rows):
        row = 6 + i
        got = [ws.cell(row, col).value for col in range(1, 7)]
        assert got[:4] == [r.label, r.this, r.last, r.change], got
        assert got[4] == (pytest.approx(r.ratio) if r.ratio is not None else None)
        assert got[5] == (r.code or None)
        number_format = "0.00##" if r.kind == "money" else "0"
        assert ws.cell(row, 2).number_format == ws.cell(row, 3).number_format == number_format
    row = 6 + len(c.rows) + 1
    assert ws.cell(row, 1).value == T["findings_heading"]
    assert [ws.cell(row + 1, col).value for col in range(1, 4)] == T["findings_columns"]
    got = [tuple(ws.cell(row + 2 + i, col).value for col in range(1, 4)) for i in range(len(c.findings))]
    assert got == [(f.message, f.code, f.severity) for f in c.findings]
    assert [g[1] for g in got] == ["Y-JUMP", "Y-DROP", "Y-DROP-TO-ZERO", "Y-CARRIED", "Y-CARRIED"]
    assert last_row == row + 1 + len(c.findings)  # nothing after the findings: no note
    error_fill = common().severity_colors["错误"]["fill"]
    assert ws.cell(row + 2 + 3, 3).fill.fgColor.rgb.endswith(error_fill)
    assert show_number(ws.cell(6 + 9, 2).value) == "12.5"  # the unchanged fee amount
    assert ooxml_validator.errors(out) == [], ooxml_validator.described(out, ooxml_validator.errors(out))


def test_a_unit_name_that_looks_like_a_formula_stays_text(tmp_path):
    this, last = pair_2021()
    this.unit = last.unit = "=HYPERLINK(\"http://x\",\"镇\")"
    this_file, last_file = write(tmp_path / "本年.xlsx", this), write(tmp_path / "上年.xlsx", last)
    out = tmp_path / "同比.xlsx"
    assert run("compare", this_file, last_file, "-o", out).returncode == 0
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].data_type == "s" and ws["A1"].value.startswith("=HYPERLINK")
    this.unit = "西河镇"
    assert compare(this, last).notes[0].startswith("两份报告的单位名称不同")


def test_the_comparison_imports_no_spreadsheet_engine():
    code = ("import sys, toolkit.core.compare; bad = [m for m in ('pandas', 'openpyxl', 'xlwings') if m in sys.modules];"
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_reports_own_errors_are_named_and_left_to_check(tmp_path):
    this, last = pair_2021()
    this.values["t3.forward.natural"] += 3  # table 三 of this year no longer balances (T3-BALANCE twice)
    c = compare(this, last)
    assert c.notes == ["本年的报告本身有2个错误（T3-BALANCE），这里只作同比，请用 xxgk check 查看"]
    assert not c.has_errors  # the comparison itself finds none: carried over as last year carried forward
    this_file, last_file = write(tmp_path / "本年.xlsx", this), write(tmp_path / "上年.xlsx", last)
    done = run("compare", this_file, last_file)
    assert done.returncode == 0 and c.notes[0] in done.stdout.replace("\n", ""), done.stdout
