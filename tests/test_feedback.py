"""xxgk feedback on real files: units' workbooks with known errors and hints, consolidated by `xxgk
consolidate`, then one notice per unit with open errors, checked cell by cell against the summary's
校验结果 as openpyxl reads it (and the cells' labels against the units' own workbooks' defined names);
the 催报 list, --all, a reviewer's 可以忽略, Windows-unsafe names, summaries edited wrongly, the OOXML
validator and one notice rendered to PDF by LibreOffice."""
import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest

import ooxml_validator
from conftest import fill_workbook
from toolkit.core.file_names import safe_file_name
from toolkit.core.feedback import review_settings, wording
from toolkit.core.formats import common, get_format
from toolkit.core.roster import RosterUnit
from toolkit.app.samples import plausible_report, zequ_2022
from toolkit.io.workbook.roster_book import roster_bytes
from workbooks import entries

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
YEAR = 2022
UNSAFE = "县发改局/粮食局"  # "/" would make a folder of the file name
ODD = "县审批局:窗口*"  # ":" and "*" are refused by Windows
ROSTER = [("东河镇", "乡镇"), ("西山乡", "乡镇"), ("北关街道", "街道"), (UNSAFE, "县级部门"), (ODD, "县级部门"),
          ("泽曲镇", "乡镇"), ("南湖镇", "乡镇")]
W = wording()
COLUMNS = [W["columns"][c] for c in ("number", "table", "row", "column", "cell", "reported", "computed", "todo")]
# The file of each unit whose findings a notice lists (西山乡's older file was superseded by its newer one).
USED = {"东河镇": "东河镇.xlsx", UNSAFE: "发改局.xlsx", ODD: "审批局.xlsx", "泽曲镇": "泽曲镇.xlsx",
        "西山乡": "西山乡（修改后）.xlsx", "北关街道": "北关街道.xlsx"}
NOTICED = ["东河镇", UNSAFE, ODD, "泽曲镇"]  # units with errors
PASSED = ["西山乡", "北关街道"]  # summed, no error (西山乡 has a hint)


def run(*args):
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([XXGK, *map(str, args)], capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def county(tmp_path_factory, templates):
    root = tmp_path_factory.mktemp("feedback")
    roster = root / "单位名单.xlsx"
    roster.write_bytes(roster_bytes(tuple(RosterUnit(n, lv) for n, lv in ROSTER)))
    sent = root / "回收"
    sent.mkdir()

    def fill(name, report, values=None, date=datetime.date(2023, 1, 10), template="2021"):
        fill_workbook(templates[template], sent / name, {**entries(report), **(values or {})},
                      {"info.unit": report.unit, "info.level": report.level, "info.year": report.year,
                       "info.date": date, "info.filler": "李四"}, report.texts)

    dh = plausible_report("东河镇", "乡镇", YEAR, seed=1)
    fill("东河镇.xlsx", dh, {"t3.forward.natural": dh.values["t3.forward.natural"] + 1, "t2.rules.made": 2})
    old = plausible_report("西山乡", "乡镇", YEAR, seed=2)
    fill("西山乡.xlsx", old, {"t3.forward.legal": old.values["t3.forward.legal"] + 3}, date=datetime.date(2023, 1, 8))
    fill("西山乡（修改后）.xlsx", plausible_report("西山乡", "乡镇", YEAR, seed=3), {"t2.rules.made": 1},
         date=datetime.date(2023, 1, 16))
    fill("北关街道.xlsx", plausible_report("北关街道", "街道", YEAR, seed=4))
    fill("发改局.xlsx", plausible_report(UNSAFE, "县级部门", YEAR, seed=5), {"t3.new.natural": "十七"})
    sp = plausible_report(ODD, "县级部门", YEAR, seed=6)
    review_total = sum(sp.values[f"t4.review.{c}"] for c in ("upheld", "corrected", "other", "pending"))
    fill("审批局.xlsx", sp, {"t4.review.total": review_total + 2})  # typed over the formula: T4-TOTAL
    zequ = zequ_2022()  # the real township on the 2019 template: table 三 does not balance
    fill("泽曲镇.xlsx", zequ, template="2019")
    summary = root / "汇总" / "某县2022年汇总.xlsx"
    done = run("consolidate", sent, "--year", YEAR, "--roster", roster, "--unit", "某县", "-o", summary, "--jobs", 2)
    assert summary.exists(), done.stderr
    return {"root": root, "sent": sent, "summary": summary}


def findings_rows(summary: Path) -> list[dict]:
    """校验结果 as openpyxl reads it: one dict per finding, by the header names."""
    ws = openpyxl.load_workbook(summary, read_only=True)[common().sheets["findings"]]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    index = {}
    for i, title in enumerate(header):
        index.setdefault(title, i)
    return [{k: row[i] for k, i in index.items()} for row in rows[1:] if any(v is not None for v in row)]


def shown(value) -> str:
    if value is None:
        return W["notice"]["no_value"]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def labels_of(workbook: Path, sheet: str, address: str, version: str) -> tuple[str, str, str]:
    """The table, row and column labels of the cell at sheet!address of a unit's own workbook, found
    by the workbook's defined names (openpyxl), not by the toolkit's layout."""
    wb = openpyxl.load_workbook(workbook)
    for name, dn in wb.defined_names.items():
        (where, ref), = dn.destinations
        if where == sheet and ref.replace("$", "") == address and name in get_format(version).cells:
            fmt = get_format(version)
            cell = fmt.cells[name]
            if not cell.row.labels:
                return fmt.table(cell.table).title, " ".join(cell.column.labels[:-1]), cell.column.labels[-1]
            return fmt.table(cell.table).title, " ".join(cell.row.labels), " ".join(cell.column.labels)
    raise AssertionError(f"{workbook.name} has no cell at {sheet}!{address}")


def expected(county, unit: str, severity: str) -> list[list[str]]:
    """The rows a notice must list for a unit: its used file's findings of that severity, in order."""
    version = "2019" if unit == "泽曲镇" else "2021"
    out = []
    for f in findings_rows(county["summary"]):
        if f["严重程度"] != severity or f["单位名称"] != unit or f["文件"] != USED[unit]:
            continue
        sheet, address = f["工作表"], f["单元格"]
        if sheet is None:  # about the report as a whole (F-FORMAT-YEAR)
            place = [shown(None)] * 4
        else:
            place = [*labels_of(county["sent"] / USED[unit], sheet, address, version), f"{sheet}!{address}"]
        out.append([str(len(out) + 1), *place, shown(f["填报值"]), shown(f["计算值"]), f["说明"]])
    return out


def docx_tables(path: Path) -> tuple[list[str], list[list[list[str]]]]:
    d = docx.Document(path)
    return [p.text for p in d.paragraphs], [[[c.text for c in r.cells] for r in t.rows] for t in d.tables]


def notice_name(unit: str, kind: str = "notice", suffix: str = ".docx") -> str:
    return W["files"][kind].format(unit=safe_file_name(unit), year=YEAR) + suffix


@pytest.fixture(scope="module")
def as_word(county):
    out = county["root"] / "反馈"
    done = run("feedback", county["summary"], "-o", out)
    assert done.returncode == 0, done.stderr
    return out, done


def test_one_notice_per_unit_with_errors_and_the_reminders(county, as_word):
    out, done = as_word
    reminders = W["files"]["reminders"].format(unit="某县", year=YEAR) + ".docx"
    assert sorted(p.name for p in out.iterdir()) == sorted([notice_name(u) for u in NOTICED] + [reminders])
    # Windows-unsafe unit names made safe: no <>:"/\|?* in any file name, each in DIR itself
    for p in out.iterdir():
        assert not re.search(r'[<>:"/\\|?*]', p.name) and p.parent == out
    assert notice_name(UNSAFE) == f"县发改局_粮食局 {YEAR}年度年报退回修改通知.docx"
    assert notice_name(ODD) == f"县审批局_窗口_ {YEAR}年度年报退回修改通知.docx"
    # one line per file written, and the totals
    lines = done.stdout.splitlines()
    for p in out.iterdir():
        assert sum(str(p) in line for line in lines) == 1, done.stdout
    assert any(line.startswith("共读取校验结果") and "写出退回修改通知 4 份" in line for line in lines), done.stdout
    assert "西山乡.xlsx" in done.stdout  # the superseded file's findings are counted, not dropped silently


@pytest.mark.parametrize("unit", NOTICED)
def test_notice_cell_by_cell(county, as_word, unit):
    out, _ = as_word
    paragraphs, tables = docx_tables(out / notice_name(unit))
    errors, hints = expected(county, unit, "错误"), expected(county, unit, "提示")
    assert errors, f"{unit} should have errors"
    assert paragraphs[0] == W["notice"]["title"]
    assert paragraphs[1] == f"{unit}："
    assert str(YEAR) in paragraphs[2] and USED[unit] in paragraphs[2] and f" {len(errors)} 个错误" in paragraphs[2]
    assert tables[0] == [COLUMNS, *errors]
    if hints:
        assert tables[1] == [COLUMNS, *hints]
        assert len(tables) == 2
    else:
        assert len(tables) == 1
    assert "某县" in paragraphs


def test_the_labels_name_the_cells(county, as_word):
    """Spot checks stated by hand: the broken balance of 东河镇's 自然人 column, 县审批局's 表四 group,
    泽曲镇's 2019 table 三, 县发改局's figure that is not a number."""
    out, _ = as_word
    rows = {u: docx_tables(out / notice_name(u))[1][0][1:] for u in NOTICED}
    dh = plausible_report("东河镇", "乡镇", YEAR, seed=1).values
    balance = dh["t3.new.natural"] + dh["t3.carried.natural"]  # = （七）总计 + 结转 before the slip
    assert rows["东河镇"][0][1:7] == ["三、收到和处理政府信息公开申请情况", "一、本年新收政府信息公开申请数量",
                                   "申请人情况 自然人", "表三 依申请公开!D5", str(balance + 1), str(balance)]
    assert rows[UNSAFE][0][2:6] == ["一、本年新收政府信息公开申请数量", "申请人情况 自然人", "表三 依申请公开!D5", "十七"]
    assert rows[ODD][0][1:3] == ["四、政府信息公开行政复议、行政诉讼情况", "行政复议"]
    assert "2019" not in rows["泽曲镇"][0][1] and rows["泽曲镇"][0][1].startswith("三、")


def test_hints_alone_make_no_notice_and_all_gives_passed(county, tmp_path):
    out = tmp_path / "全部"
    done = run("feedback", county["summary"], "-o", out, "--all", "--to", "xlsx")
    assert done.returncode == 0, done.stderr
    names = {p.name for p in out.iterdir()}
    for unit in PASSED:
        assert notice_name(unit, "passed", ".xlsx") in names
        assert notice_name(unit, "notice", ".xlsx") not in names
    ws = openpyxl.load_workbook(out / notice_name("西山乡", "passed", ".xlsx")).active
    assert ws.title == W["sheets"]["passed"]
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert values[0][0] == W["passed"]["title"] and values[1][0] == "西山乡："
    assert "西山乡（修改后）.xlsx" in values[2][0]
    at = values.index(COLUMNS)
    hints = expected(county, "西山乡", "提示")
    assert [list(map(str, r)) for r in values[at + 1: at + 1 + len(hints)]] == hints and len(hints) == 1
    passed = openpyxl.load_workbook(out / notice_name("北关街道", "passed", ".xlsx")).active
    texts = [row[0] for row in passed.iter_rows(values_only=True) if row[0]]
    assert COLUMNS[0] not in texts and "北关街道：" in texts  # no findings, no table


@pytest.mark.parametrize("unit", NOTICED)
def test_xlsx_notice_cell_by_cell(county, tmp_path_factory, unit):
    out = tmp_path_factory.getbasetemp() / "feedback-xlsx"
    if not out.exists():
        done = run("feedback", county["summary"], "-o", out, "--to", "xlsx")
        assert done.returncode == 0, done.stderr
    ws = openpyxl.load_workbook(out / notice_name(unit, suffix=".xlsx")).active
    values = [list(row) for row in ws.iter_rows(values_only=True)]
    tables, i = [], 0
    while i < len(values):
        if values[i][:len(COLUMNS)] == COLUMNS:
            j = i + 1
            while j < len(values) and values[j][0] is not None and str(values[j][0]).isdigit():
                j += 1
            tables.append([[str(v) for v in row[:len(COLUMNS)]] for row in values[i + 1:j]])
            i = j
        i += 1
    errors, hints = expected(county, unit, "错误"), expected(county, unit, "提示")
    assert tables == [errors] + ([hints] if hints else [])
    assert values[0][0] == W["notice"]["title"] and values[1][0] == f"{unit}："


def test_reminders_list_the_missing_units(county, as_word):
    out, _ = as_word
    paragraphs, tables = docx_tables(out / (W["files"]["reminders"].format(unit="某县", year=YEAR) + ".docx"))
    assert paragraphs[0] == W["reminders"]["title"].format(year=YEAR)
    missing, rejected = tables
    assert [r[1] for r in missing[1:]] == ["南湖镇"]
    assert missing[1][2] == "乡镇"
    assert [r[1] for r in rejected[1:]] == [UNSAFE]  # sent, but its figure 十七 kept it out of the sum
    assert "发改局.xlsx" in rejected[1][3] and "十七" in rejected[1][3] and W["reminders"]["notice_written"] in rejected[1][3]


def _reviewed(summary: Path, target: Path, decisions: dict[tuple[str, int], str]) -> Path:
    """The summary as a reviewer leaves it: 审核意见 typed into 校验结果 (the column added if this
    summary has none), by (unit, n-th finding of the unit)."""
    wb = openpyxl.load_workbook(summary)
    ws = wb[common().sheets["findings"]]
    header = [c.value for c in ws[1]]
    decision = review_settings()["decision"]
    col = header.index(decision) + 1 if decision in header else len(header) + 1
    ws.cell(1, col, decision)
    seen: dict[str, int] = {}
    for row in range(2, ws.max_row + 1):
        unit = ws.cell(row, 1).value
        seen[unit] = seen.get(unit, 0) + 1
        if (unit, seen[unit]) in decisions:
            ws.cell(row, col, decisions[(unit, seen[unit])])
    ws.cell(ws.max_row + 2, col, "请周五前改完")  # a reviewer's line below the findings
    wb.save(target)
    return target


def test_ignored_errors_are_not_open(county, tmp_path):
    errors = [f for f in findings_rows(county["summary"]) if f["单位名称"] == ODD and f["严重程度"] == "错误"]
    assert len(errors) == 1
    reviewed = _reviewed(county["summary"], tmp_path / "审核后.xlsx", {(ODD, 1): "可以忽略", ("东河镇", 1): "忽略"})
    out = tmp_path / "out"
    done = run("feedback", reviewed, "-o", out, "--all")
    assert done.returncode == 0, done.stderr
    names = {p.name for p in out.iterdir()}
    assert notice_name(ODD) not in names and notice_name(ODD, "passed") in names
    assert "（其中审核为“可以忽略”的 1 条）" in done.stdout
    # a decision outside the list: named with its cell, the finding stays open
    assert re.search(r"校验结果![A-Z]+\d+：审核意见“忽略”不是可选项", done.stderr), done.stderr
    _, tables = docx_tables(out / notice_name("东河镇"))
    assert tables[0][1:] == expected(county, "东河镇", "错误")
    assert re.search(r"校验结果第\d+行没有代码和说明，不是校验结果，未读取（该行内容：请周五前改完）", done.stderr), done.stderr


def test_without_review_columns_every_error_is_open(county, tmp_path):
    """A summary from before the reviewer's columns (or with them deleted): all errors are open."""
    def change(wb):
        ws = wb[common().sheets["findings"]]
        header = [c.value for c in ws[1]]
        for title in reversed([review_settings()[k] for k in ("decision", "note", "cells")]):
            if title in header:
                ws.delete_cols(header.index(title) + 1)

    older = _edited(county["summary"], tmp_path / "旧汇总.xlsx", change)
    assert review_settings()["decision"] not in [c.value for c in openpyxl.load_workbook(older)[
        common().sheets["findings"]][1]]
    out = tmp_path / "out"
    done = run("feedback", older, "-o", out)
    assert done.returncode == 0, done.stderr
    for unit in NOTICED:
        assert docx_tables(out / notice_name(unit))[1][0][1:] == expected(county, unit, "错误")


def test_outputs_are_never_over_the_summary_nor_over_files_without_force(county, tmp_path):
    out = tmp_path / "out"
    first = run("feedback", county["summary"], "-o", out)
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again = run("feedback", county["summary"], "-o", out)
    assert again.returncode == 2 and "已存在" in again.stderr and "--force" in again.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert run("feedback", county["summary"], "-o", out, "--force").returncode == 0
    # the summary itself under a notice's name in DIR: refused even with --force
    trap = tmp_path / "trap"
    trap.mkdir()
    summary = trap / notice_name("东河镇", suffix=".xlsx")
    shutil.copy(county["summary"], summary)
    data = summary.read_bytes()
    refused = run("feedback", summary, "-o", trap, "--to", "xlsx", "--force")
    assert refused.returncode == 2 and "不能覆盖输入文件" in refused.stderr, refused.stderr
    assert summary.read_bytes() == data and sorted(p.name for p in trap.iterdir()) == [summary.name]


def _edited(summary: Path, target: Path, change) -> Path:
    wb = openpyxl.load_workbook(summary)
    change(wb)
    wb.save(target)
    return target


@pytest.mark.parametrize("case", ["sheet renamed", "column renamed", "submissions deleted", "year cleared"])
def test_a_summary_that_cannot_be_read_is_named(county, tmp_path, case):
    findings, submissions = common().sheets["findings"], common().summary_sheets["submissions"]

    def change(wb):
        if case == "sheet renamed":
            wb[findings].title = "问题清单"
        elif case == "column renamed":
            wb[findings]["C1"] = "问题代码"
        elif case == "submissions deleted":
            del wb[submissions]
        else:
            wb[common().sheets["info"]]["B5"] = None

    bad = _edited(county["summary"], tmp_path / "改坏的汇总.xlsx", change)
    out = tmp_path / "out"
    done = run("feedback", bad, "-o", out)
    assert done.returncode == 2, done.stdout
    assert "改坏的汇总.xlsx" in done.stderr and "Traceback" not in done.stderr
    words = {"sheet renamed": ["没有“校验结果”表"], "column renamed": ["“校验结果”表第1行", "“代码”列"],
             "submissions deleted": ["没有“报送情况”表"], "year cleared": ["单位信息!B5", "年度"]}[case]
    for word in words:
        assert word in done.stderr, done.stderr
    assert not out.exists() or not any(out.iterdir())


def test_the_files_pass_the_ooxml_validator(county, as_word, tmp_path):
    out, _ = as_word
    xlsx = tmp_path / "xlsx"
    assert run("feedback", county["summary"], "-o", xlsx, "--to", "xlsx", "--all").returncode == 0
    paths = [*out.iterdir(), *xlsx.iterdir()]
    found = ooxml_validator.errors_of_all(paths)
    bad = {p: e for p, e in found.items() if e}
    assert not bad, "\n".join(ooxml_validator.described(p, e) for p, e in bad.items())


def test_a_notice_rendered_by_libreoffice(as_word, tmp_path):
    """The notice of 东河镇 as LibreOffice prints it (looked at once: the title, the salutation, both
    tables with all eight columns on a landscape A4 page, 某县 and the date bottom right)."""
    if not shutil.which("soffice"):
        pytest.fail("LibreOffice (soffice) is needed for this test; run .ci/run to install it")
    out, _ = as_word
    source = tmp_path / "notice.docx"
    shutil.copy(out / notice_name("东河镇"), source)
    done = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    text = subprocess.run(["pdftotext", str(tmp_path / "notice.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert "东河镇：" in flat and W["notice"]["title"] in flat
    assert "表三依申请公开!D5" in flat and "两者应相等" in flat and "一、本年新收政府信息公开申请数量" in flat


def test_the_core_is_pure():
    """Which findings make which notice is decided without a spreadsheet or Word library."""
    code = ("import sys, toolkit.core.feedback as f; f.wording(); f._places('2021'); f._places('2019'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'docx', 'xlwings', 'pandas', 'lxml')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.stdout.strip() == "[]"


def test_the_core_on_odd_rows():
    """toolkit.core.feedback by itself: a sheet whose rows were moved is not named by the standard labels,
    a severity typed wrongly stays an error and is named, a file without a unit gets a notice of its
    own, and a unit whose every file was refused is in the 催报 list with its reasons."""
    from toolkit.core.feedback import FileRow, FindingRow, RosterRow, SummaryFindings, blocks, feedback

    t3 = "表三 依申请公开"
    findings = [
        FindingRow(2, "东河镇", "a.xlsx", "R-MOVED", "提示", t3, "", "插入了行"),
        FindingRow(3, "东河镇", "a.xlsx", "T3-BALANCE", "错误", t3, "D6", "不平衡", 10, 9),
        FindingRow(4, "西山乡", "b.xlsx", "T3-BALANCE", "错", t3, "D5", "不平衡", 3, 2, severity_cell="D4"),
        FindingRow(5, "", "c.xlsx", "R-NOT-NUMBER", "错误", t3, "E5", "不是数字", "十七"),
    ]
    files = [FileRow("a.xlsx", "东河镇", "乡镇", "2021", "已汇总"), FileRow("b.xlsx", "西山乡", "乡镇", "2021", "已汇总"),
             FileRow("c.xlsx", "", "", "2021", "未汇总", "未填单位名称"),
             FileRow("d.xlsx", "南湖镇", "乡镇", "2021", "未汇总", "年度不符")]
    roster = [RosterRow("东河镇", "乡镇", "", "", "已汇总"), RosterRow("南湖镇", "乡镇", "", "", "已报送未汇总", "d.xlsx"),
              RosterRow("北山镇", "乡镇", "001", "王五", "未报送")]
    fb = feedback(SummaryFindings("汇总.xlsx", "某县", YEAR, "2021", findings, files, roster, False, "校验结果", "报送情况"))
    notices = {n.unit: n for n in fb.notices}
    assert set(notices) == {"东河镇", "西山乡", W["files"]["unnamed"].format(file="c.xlsx")}
    moved = notices["东河镇"].errors[0].place
    assert (moved.row, moved.column, moved.cell) == (W["notice"]["moved"], W["notice"]["moved"], f"{t3}!D6")
    assert notices["西山乡"].errors[0].place.row == "一、本年新收政府信息公开申请数量"
    assert any("校验结果!D4" in w and "“错”" in w for w in fb.warnings), fb.warnings
    assert any("第5行没有单位名称" in w for w in fb.warnings), fb.warnings
    assert [u.unit for u in fb.missing] == ["北山镇"]
    assert [(r.unit.unit, r.reasons, r.noticed) for r in fb.rejected] == [("南湖镇", [("d.xlsx", "年度不符")], False)]
    texts = [b for b in blocks("reminders", fb, fb, "2023年2月1日") if b.kind == "table"]
    assert texts[0].rows == (("1", "北山镇", "乡镇", "001", "王五"),)
    assert texts[1].rows == (("1", "南湖镇", "乡镇", "d.xlsx：年度不符"),)
