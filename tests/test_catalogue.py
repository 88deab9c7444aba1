"""The catalogue of broken workbooks: every file of tests/workbooks.py, each named after its defect,
through `xxgk check` (exit code, each finding's code, severity, sheet and cell, and the words of its
message), `xxgk consolidate` (each file on 报送情况, summed or not and why, its findings on 校验结果,
the accounts adding up) and `xxgk import` (a workbook given to it by mistake: refused, saying what
to use instead).  No input is changed by any of them.

The file-level defects (empty, truncated, renamed CSV or .docx, old .xls, encrypted, zip bombs) are
tests/bad_files.py's; the three such files here are older fixtures of tests/workbooks.py.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from cli import app
from toolkit.core.consolidation import ACCEPTED, REJECTED
from toolkit.io.workbook.reader import READ_CODES, read_workbook
from workbooks import CONSISTENT_2021, EXTRA_SHEETS, INFO, T2, T3, T4, entries

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
E, H = "错误", "提示"


@dataclass(frozen=True)
class Case:
    """What becomes of one catalogue file."""

    name: str
    exit: int  # of `xxgk check` on the file alone
    codes: dict  # every finding's code -> severity (all findings of a code have it)
    words: tuple = ()  # in the findings' messages (or in the reason the file cannot be read)
    at: tuple = ()  # (code, sheet, cell) of findings that have them
    summed: bool = True  # by `xxgk consolidate`, or listed as not summed
    reason: tuple = ()  # words of the reason it was not summed (or of the remark on it)
    year: int = 2025  # the consolidation it is given to (2020: in the 2019 format, as for that year)


UNREADABLE = {}
# Messages quote the cell as 表三 依申请公开!D5 and say what to do.
CATALOGUE = (
    # --- a workbook from another template, or our template of the other format version ----------
    Case("someone-elses-spreadsheet.xlsx", 2, UNREADABLE, ("无法识别报告格式", "标准工作簿中填写"),
         summed=False, reason=("无法读取", "无法识别报告格式")),
    Case("2019-format-for-2025.xlsx", 0, {"F-FORMAT-YEAR": H},
         ("2025年度的报告应使用政府信息公开工作年度报告格式（2021年版）", "请改用"),
         reason=("按2019年版格式填报，已换算为2021年版",)),
    Case("2021-format-for-2020.xlsx", 0, {"F-FORMAT-YEAR": H},
         ("2020年度的报告应使用政府信息公开工作年度报告格式（2019年版）", "请改用"),
         reason=("按2021年版格式填报，已换算为2019年版",), year=2020),
    Case("2019-zequ-sample-unbalanced.xlsx", 1, {"F-FORMAT-YEAR": H, "T3-BALANCE": E},
         ("一、本年新收 + 二、上年结转 = 22",), (("T3-BALANCE", T3, "G5"),), year=2022),
    Case("format-cell-changed.xlsx", 0, {"R-FORMAT-CELL": H}, ("为“2019”", "表格是2021年版", "请把报告格式改回2021"),
         (("R-FORMAT-CELL", INFO, "B9"),)),
    Case("format-cell-overwritten-names-lost.xlsx", 0, {"R-FORMAT-CELL": H, "R-NAMES-LOST": H},
         ("为“2020年”", "已按2019年版读取"), (("R-FORMAT-CELL", INFO, "B9"),), year=2020),
    # --- sheets deleted, renamed, copied, added ----------------------------------------------------
    Case("table-sheet-deleted.xlsx", 1, {"R-SHEET-MISSING": E, "R-NAMES-LOST": H},
         ("没有“表四 复议诉讼”表", "把表名改回“表四 复议诉讼”", "下发的标准工作簿中重新填写"),
         summed=False, reason=("数据无法识别", "没有“表四 复议诉讼”表")),
    Case("info-sheet-deleted.xlsx", 1, {"R-SHEET-MISSING": E, "R-NAMES-LOST": H, "I-UNIT": H, "I-YEAR": H},
         ("没有“单位信息”表",), summed=False, reason=("无法识别报送单位", "没有“单位信息”表")),
    Case("table-sheet-renamed.xlsx", 0, {"R-SHEET-RENAMED": H},
         ("工作表“Sheet3”就是“表三 依申请公开”表", "请把表名改回“表三 依申请公开”")),
    Case("table-sheet-renamed-names-lost.xlsx", 0, {"R-SHEET-RENAMED": H, "R-NAMES-LOST": H},
         ("工作表“表三”就是“表三 依申请公开”表",)),
    Case("table-copied-and-the-copy-filled.xlsx", 0, {"R-EXTRA-SHEETS": H, "R-BLANK": H},
         ("“表三 依申请公开 (2)”", "不读取、不汇总", "“表三 依申请公开”表有144个应填单元格为空")),
    Case("thousand-sheets.xlsx", 0, {"R-EXTRA-SHEETS": H},
         (f"有{EXTRA_SHEETS}个标准工作簿没有的工作表（“Sheet8”、“Sheet9”、“Sheet10”等）",)),
    # --- defined names deleted ---------------------------------------------------------------------
    Case("defined-names-lost.xlsx", 0, {"R-NAMES-LOST": H}, ("已按标准表格位置读取", "无需处理")),
    Case("some-defined-names-deleted.xlsx", 0, {"R-NAMES-LOST": H}, ("175个单元格名称缺失", "t3.new.natural")),
    Case("defined-name-renamed.xlsx", 0, {"R-NAMES-LOST": H}, ("1个单元格名称缺失（如 t3.new.natural）",)),
    # --- defined names pointed elsewhere: not read, not summed ------------------------------------
    Case("defined-name-pointed-at-another-sheet.xlsx", 1, {"R-NAME-MISPLACED": E, "T3-BALANCE": E},
         ("单元格名称“t3.new.natural”", "指向 填报说明!Z99", "而该单元格在 表三 依申请公开!D5", "不读取、不汇总",
          "名称管理器"), (("R-NAME-MISPLACED", "填报说明", "Z99"),),
         summed=False, reason=("数据无法识别", "t3.new.natural", "填报说明!Z99")),
    Case("defined-name-pointed-at-a-hidden-cell.xlsx", 1, {"R-NAME-MISPLACED": E, "T3-BALANCE": E},
         ("“t3.new.natural”", "指向 表三 依申请公开!AZ5，而该单元格在 表三 依申请公开!D5"),
         (("R-NAME-MISPLACED", T3, "AZ5"),), summed=False, reason=("数据无法识别", "AZ5")),
    Case("two-defined-names-on-one-cell.xlsx", 1, {"R-NAME-MISPLACED": E, "T3-BALANCE": E},
         ("“t3.new.commercial”", "指向 表三 依申请公开!D5，而该单元格在 表三 依申请公开!E5",
          "与名称“t3.new.natural”指向同一单元格"), (("R-NAME-MISPLACED", T3, "D5"),),
         summed=False, reason=("数据无法识别", "t3.new.commercial")),
    Case("defined-name-pointed-at-an-inserted-row.xlsx", 1, {"R-NAME-MISPLACED": E, "R-MOVED": H},
         ("“t3.carried.natural”", "指向 表三 依申请公开!D7，而该单元格在 表三 依申请公开!D6", "现在 D8"),
         (("R-NAME-MISPLACED", T3, "D7"),), summed=False, reason=("数据无法识别", "t3.carried.natural")),
    # --- merged cells changed ----------------------------------------------------------------------
    Case("header-unmerged-names-lost.xlsx", 0, {"R-NAMES-LOST": H}),
    Case("header-merged-differently.xlsx", 0, {}),
    Case("entry-cells-merged.xlsx", 1, {"R-BLANK": H, "T3-BALANCE": E}, ("“表三 依申请公开”表有1个应填单元格为空",)),
    # --- rows and columns inserted -----------------------------------------------------------------
    Case("row-inserted-in-table.xlsx", 0, {"R-MOVED": H},
         ("应在 D7，现在 D8", "已按单元格名称读取", "请删除插入的行、列")),
    Case("column-inserted-in-table.xlsx", 0, {"R-MOVED": H}, ("应在 E5，现在 F5",)),
    Case("defined-names-lost-row-inserted.xlsx", 1, {"R-LAYOUT": E, "R-NAMES-LOST": H},
         ("表三 依申请公开!A7 应为“三、本年度办理结果”", "请恢复原来的表格"), (("R-LAYOUT", T3, "A7"),),
         summed=False, reason=("数据无法识别", "表三 依申请公开!A7")),
    Case("column-inserted-names-lost.xlsx", 1, {"R-LAYOUT": E, "R-NAMES-LOST": H},
         ("表三 依申请公开!E3 应为“法人或其他组织”",), (("R-LAYOUT", T3, "E3"),),
         summed=False, reason=("数据无法识别",)),
    # --- what is in count cells --------------------------------------------------------------------
    Case("not-a-number.xlsx", 1, {"R-NOT-NUMBER": E, "T3-BALANCE": E},
         ("表三 依申请公开!D5", "“十七”不是有效的件数", "请填写大于或等于0的整数", "“125000元”不是有效的金额（万元）"),
         (("R-NOT-NUMBER", T3, "D5"), ("R-NOT-NUMBER", T2, "B15")), summed=False, reason=("数据无法识别", "十七")),
    Case("fullwidth-digits-text-and-units.xlsx", 1, {"R-TEXT-NUMBER": H, "T3-BALANCE": E},
         ("填的是文本“１２”，已按12读取", "请改为数字"), (("R-TEXT-NUMBER", T3, "D5"),)),
    Case("inline-strings-text-numbers.xlsx", 1, {"R-TEXT-NUMBER": H, "T3-BALANCE": E}, ("“7件”",), year=2020),
    Case("blank-entry-cells.xlsx", 0, {"R-BLANK": H}, ("已按0读取", "没有发生的请填0")),
    Case("words-for-zero.xlsx", 0, {"R-BLANK": H}, ("“表四 复议诉讼”表有2个应填单元格为空",)),
    Case("dates-typed-in-count-cells.xlsx", 1, {"R-DATE": E, "T3-BALANCE": E},
         ("表三 依申请公开!D5", "填的是日期“2025-01-01”", "表二 主动公开!B8", "填的是日期“2025-01-05”",
          "格式改为“数值”"),
         (("R-DATE", T3, "D5"), ("R-DATE", T3, "E5"), ("R-DATE", T2, "B8")),
         summed=False, reason=("数据无法识别", "日期")),
    # another file's styles part forged to this one's CRC-32 and size (tests/test_forged_checksums.py)
    Case("checksum-of-styles-forged-to-anothers.xlsx", 0, {}),
    Case("date-read-after-a-forged-styles-checksum.xlsx", 1, {"R-DATE": E, "T3-BALANCE": E},
         ("表三 依申请公开!D5", "填的是日期“2025-01-05”"), (("R-DATE", T3, "D5"),),
         summed=False, reason=("数据无法识别", "日期")),
    Case("iso-dates-in-count-cells.xlsx", 1, {"R-DATE": E, "T3-BALANCE": E}, ("填的是日期“2025-03-01”",),
         (("R-DATE", T3, "D5"),), summed=False, reason=("数据无法识别",)),
    Case("boolean-in-count-cell.xlsx", 1, {"R-NOT-NUMBER": E, "T3-BALANCE": E}, ("“TRUE”不是有效的件数",),
         (("R-NOT-NUMBER", T3, "F5"),), summed=False, reason=("数据无法识别", "TRUE")),
    Case("huge-numbers.xlsx", 1, {"R-TOO-LARGE": E, "T3-BALANCE": E},
         ("表三 依申请公开!D5", "1E+15超出了件数可能的范围", "1E+308超出了金额（万元）可能的范围",
          "1000000000000超出了", "123456789012超出了", "请核对改正"),
         (("R-TOO-LARGE", T3, "D5"), ("R-TOO-LARGE", T2, "B15"), ("R-TOO-LARGE", T4, "A5"), ("R-TOO-LARGE", INFO, "B14")),
         summed=False, reason=("数据无法识别", "1E+15")),
    Case("infinity-and-nan-in-the-xml.xlsx", 1, {"R-NOT-NUMBER": E}, ("“inf”", "“nan”"),
         (("R-NOT-NUMBER", T4, "A5"), ("R-NOT-NUMBER", T4, "B5")), summed=False, reason=("数据无法识别",)),
    Case("negative-and-fractional-counts.xlsx", 1, {"V-NEGATIVE": E, "V-FRACTION": E},
         ("不能为负数，填报为-2", "应为整数，填报为2.5", "请填写大于或等于0的整数"),
         (("V-NEGATIVE", T4, "F5"), ("V-FRACTION", T2, "B8"))),
    Case("formula-errors-in-entry-cells.xlsx", 1, {"R-FORMULA-ERROR": E, "T3-BALANCE": E},
         ("错误值“#DIV/0!”（除数为0）", "错误值“#REF!”", "错误值“#VALUE!”", "错误值“#N/A”", "请改正公式，或直接填写数字"),
         (("R-FORMULA-ERROR", T3, "D5"), ("R-FORMULA-ERROR", T3, "E5"), ("R-FORMULA-ERROR", T2, "B8"),
          ("R-FORMULA-ERROR", T4, "C5")), summed=False, reason=("数据无法识别", "#DIV/0!")),
    Case("formula-error-in-total-cell.xlsx", 0, {"R-TOTAL-ERROR": H}, ("错误值“#REF!”，已按各项之和计算", "重新计算"),
         (("R-TOTAL-ERROR", T3, "J5"),)),
    Case("formula-never-calculated-in-entry-cell.xlsx", 1, {"R-UNCALCULATED": E, "T3-BALANCE": E},
         ("公式没有计算结果", "打开并保存后再试"), (("R-UNCALCULATED", T3, "D5"),),
         summed=False, reason=("数据无法识别", "公式没有计算结果")),
    # totals whose formulas were never calculated (openpyxl fills all these files so): computed, no word
    Case("2021-consistent.xlsx", 0, {}),
    Case("2019-consistent.xlsx", 0, {}, year=2020),
    Case("total-typed-over.xlsx", 1, {"T3-ROW-TOTAL": E, "T3-BALANCE": E}, ("总计填报为99，各类申请人之和为15",),
         (("T3-ROW-TOTAL", T3, "J5"),)),
    Case("total-typed-over-correctly.xlsx", 0, {}),
    # --- 单位信息 ------------------------------------------------------------------------------------
    Case("year-not-a-year.xlsx", 1, {"R-YEAR": E, "I-YEAR": H}, ("“二〇二五”不是年度", "请填写四位数年度"),
         (("R-YEAR", INFO, "B5"),), summed=False, reason=("年度未填写或无法识别",)),
    Case("last-year-figures-disagree-with-carried-over.xlsx", 1, {"R-NOT-NUMBER": E, "Y-CARRIED": E},
         ("“很多”不是有效的件数",), (("R-NOT-NUMBER", INFO, "B21"),)),
    # --- not workbooks (tests/bad_files.py has the whole file-level catalogue) ----------------------
    Case("not-a-workbook.xlsx", 2, UNREADABLE, ("这是文本文件",), summed=False, reason=("无法读取",)),
    Case("truncated-download.xlsx", 2, UNREADABLE, ("文件不完整或已损坏",), summed=False, reason=("无法读取",)),
    Case("zip-without-workbook.xlsx", 2, UNREADABLE, ("这是压缩包",), summed=False, reason=("无法读取",)),
    Case("zip-needing-a-newer-unzip-version.xlsx", 2, UNREADABLE, ("文件不完整或已损坏",), summed=False,
         reason=("无法读取",)),
    # --- what only a damaged file holds (found by tests/test_fuzz.py): the cell named, nothing read ---
    Case("2021-as-excel-saves.xlsx", 0, {}),  # the sound file they are made from: shared strings, totals calculated
    Case("number-cell-holding-text.xlsx", 2, UNREADABLE,
         ("工作表“表三 依申请公开”的单元格 D5 已损坏（数值单元格中是“abc”）", "检查该单元格后另存"),
         summed=False, reason=("无法读取", "D5 已损坏")),
    Case("string-cell-past-the-shared-strings.xlsx", 2, UNREADABLE, ("单元格 D5 已损坏（共享字符串表中没有第 9999 项）",),
         summed=False, reason=("无法读取",)),
    Case("string-cell-negative-shared-string-index.xlsx", 2, UNREADABLE, ("单元格 D5 已损坏（共享字符串表中没有第 -1 项）",),
         summed=False, reason=("无法读取",)),
    Case("unit-name-with-a-character-xml-forbids.xlsx", 2, UNREADABLE,
         ("工作表“单位信息”的单元格 B3 已损坏（文字中有 XML 不允许的字符 U+0001）",), summed=False, reason=("无法读取",)),
    Case("shared-strings-without-closing-tags.xlsx", 2, UNREADABLE, ("xl/sharedStrings.xml 已损坏",), summed=False,
         reason=("无法读取",)),
)
BY_NAME = {c.name: c for c in CATALOGUE}


def squeeze(text: str) -> str:
    """Text without white space: rich wraps long lines anywhere on the terminal."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def catalogue(defect_files, tmp_path_factory):
    """Every catalogue file through check (each alone), consolidate (one run per year) and import
    (all at once), with the inputs' digests taken before and after."""
    folder = tmp_path_factory.mktemp("catalogue-runs")
    files = {c.name: defect_files[c.name] for c in CATALOGUE}
    before = {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in files.items()}
    runner = CliRunner()
    checked = {}
    for case in CATALOGUE:
        done = runner.invoke(app, ["check", "--json", str(files[case.name])])
        assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
        checked[case.name] = (done.exit_code, json.loads(done.stdout)["files"][0])
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    summaries = {}
    for year in sorted({c.year for c in CATALOGUE}):
        summary = folder / f"汇总{year}.xlsx"
        inputs = [str(files[c.name]) for c in CATALOGUE if c.year == year]
        done = subprocess.run([XXGK, "consolidate", *inputs, "--year", str(year), "-o", str(summary),
                               "--unit", "某县", "--format", "2019" if year < 2021 else "2021"],
                              capture_output=True, text=True, env=env, timeout=300)
        summaries[year] = (done, summary)
    imported = runner.invoke(app, ["import", *map(str, files.values()), "-o", str(folder / "导入")])
    after = {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in files.items()}
    return dict(files=files, checked=checked, summaries=summaries, imported=imported, before=before, after=after,
                imports=folder / "导入")


def test_the_catalogue_covers_every_defect_file(defect_files):
    assert set(BY_NAME) == set(defect_files), "every file of tests/workbooks.py has its case here, and no other"


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda c: c.name)
def test_check(catalogue, case):
    code, result = catalogue["checked"][case.name]
    assert code == case.exit, result
    findings = result["findings"]
    if case.codes is UNREADABLE:
        text = result["unreadable"]
        assert text and case.name in text and not findings
    else:
        assert result["unreadable"] is None
        assert {f["code"]: f["severity"] for f in findings} == case.codes
        assert all(f["severity"] == case.codes[f["code"]] for f in findings)
        assert all(f["severity"] == READ_CODES[f["code"]] for f in findings if f["code"] in READ_CODES)
        text = "\n".join(f["message"] for f in findings)
    for words in case.words:
        assert words in text, f"{case.name}: “{words}” not in {text}"
    located = {(f["code"], f["sheet"], f["address"]) for f in findings}
    for place in case.at:
        assert place in located, f"{case.name}: {place} not in {located}"


def submissions(summary: Path) -> dict[str, tuple]:
    """报送情况's file rows: file name -> (status, reason or remark); and its lines above them."""
    ws = openpyxl.load_workbook(summary, read_only=True)["报送情况"]
    rows = [tuple("" if v is None else v for v in row) for row in ws.iter_rows(values_only=True)]
    files = {row[1]: (row[6], row[7]) for row in rows if len(row) > 7 and row[6] in (ACCEPTED, REJECTED)}
    return files, [row[0] for row in rows if row and isinstance(row[0], str)]


@pytest.mark.parametrize("year", sorted({c.year for c in CATALOGUE}))
def test_consolidate_accounts_for_every_file(catalogue, year):
    done, summary = catalogue["summaries"][year]
    cases = [c for c in CATALOGUE if c.year == year]
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == (0 if all(c.summed and c.exit == 0 for c in cases) else 1), done.stderr
    files, lines = submissions(summary)
    summed = sum(c.summed for c in cases)
    accounts = f"共 {len(cases)} 个文件 = 汇总 {summed} 个 + 未汇总 {len(cases) - summed} 个"
    assert accounts in lines and accounts in done.stdout
    assert set(files) == {c.name for c in cases}
    # nothing unreadable or huge got into the summary: it reads back as a report without such findings
    back = read_workbook(summary)
    assert not {f.code for f in back.findings} & {"R-NOT-NUMBER", "R-TOO-LARGE", "R-DATE", "R-FORMULA-ERROR"}
    assert all(abs(v) < 1e12 for v in back.report.values.values())


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda c: c.name)
def test_consolidate(catalogue, case):
    _, summary = catalogue["summaries"][case.year]
    status, note = submissions(summary)[0][case.name]
    assert status == (ACCEPTED if case.summed else REJECTED), note
    for words in case.reason:
        assert words in note, f"{case.name}: “{words}” not in {note}"
    findings = openpyxl.load_workbook(summary, read_only=True)["校验结果"]
    rows = [row for row in findings.iter_rows(values_only=True) if row[1] == case.name]
    if case.codes is UNREADABLE:
        assert not rows  # nothing read: no findings to list
        return
    assert {(row[2], row[3]) for row in rows} == set(case.codes.items())
    _, checked = catalogue["checked"][case.name]
    assert len(rows) == len(checked["findings"])


def test_import_refuses_workbooks_saying_what_to_use(catalogue):
    done = catalogue["imported"]
    assert done.exit_code == 2
    out = squeeze(done.stdout + done.stderr)
    for case in CATALOGUE:  # the file-level ones are refused for what they are (tests/bad_files.py)
        assert squeeze(f"“{case.name}”：") in out, case.name
        if case.codes is not UNREADABLE or case.name == "someone-elses-spreadsheet.xlsx":
            assert squeeze(f"“{case.name}”：这是 Excel 工作簿，不是发布的年报；要检查工作簿请用 xxgk check") in out
    assert not catalogue["imports"].exists() or not any(catalogue["imports"].iterdir())


def test_no_input_is_changed(catalogue):
    assert catalogue["before"] == catalogue["after"]


@pytest.mark.parametrize("name", [
    "table-sheet-renamed.xlsx", "table-sheet-renamed-names-lost.xlsx", "thousand-sheets.xlsx",
    "some-defined-names-deleted.xlsx", "defined-name-renamed.xlsx", "header-unmerged-names-lost.xlsx",
    "header-merged-differently.xlsx", "row-inserted-in-table.xlsx", "column-inserted-in-table.xlsx",
    "format-cell-changed.xlsx", "formula-error-in-total-cell.xlsx", "total-typed-over-correctly.xlsx",
])
def test_what_is_read_despite_the_defect_is_read_exactly(defect_files, name):
    report = read_workbook(defect_files[name]).report
    assert (report.format, report.year) == ("2021", 2025)
    expected = entries(CONSISTENT_2021)
    if name == "total-typed-over-correctly.xlsx":
        expected["t3.new.total"] = sum(v for k, v in expected.items() if k.startswith("t3.new."))
    assert report.values == expected
