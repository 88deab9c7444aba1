"""Reading filled workbooks, each file named after the defect it carries."""
import datetime
import hashlib

import openpyxl
import pytest

from toolkit.app.checking import check_file
from fuzz import time_limit
from toolkit.core.rules import check, computed_totals
from toolkit.io.workbook.reader import UnreadableWorkbook, read_cells, read_workbook
from workbooks import CONSISTENT_2019, CONSISTENT_2021, entries


@pytest.fixture(scope="module")
def files(defect_files):
    return defect_files


def codes(result):
    return sorted({f.code for f in result.findings})


@pytest.mark.parametrize("name,expected", [("2021-consistent.xlsx", CONSISTENT_2021),
                                           ("2019-consistent.xlsx", CONSISTENT_2019)])
def test_consistent_workbook_reads_back_exactly(files, name, expected):
    result = read_workbook(files[name])
    report = result.report
    assert (report.unit, report.level, report.year, report.format) == (
        expected.unit, expected.level, expected.year, expected.format)
    assert report.values == entries(expected)  # totals: formulas never calculated, so not reported
    assert report.texts == expected.texts
    assert report.info["filler"] == "李四" and report.info["phone"] == "0971-1234567"
    assert result.findings == []
    assert check(report) == []


def test_sample_township_in_the_2019_workbook(files):
    checked = check_file(files["2019-zequ-sample-unbalanced.xlsx"])
    errors = [f for f in checked.findings if f.severity == "错误"]
    assert {f.code for f in errors} == {"T3-BALANCE"}
    columns = {f.cells[0].rsplit(".", 1)[1]: (f.computed, f.reported) for f in errors}
    assert columns == {"nonprofit": (16 + 6, 0), "other": (1 + 2, 0), "total": (17 + 8, 0)}
    located = {f.address for f in errors}
    assert located == {"G5", "I5", "J5"}  # the 一、本年新收 cell of each column, on the 表三 sheet
    assert all(f.sheet == "表三 依申请公开" for f in errors)


def test_full_width_digits_text_and_units_are_read_with_a_hint_each(files):
    result = read_workbook(files["fullwidth-digits-text-and-units.xlsx"])
    v = result.report.values
    assert (v["t3.new.natural"], v["t3.new.research"], v["t2.normative.made"], v["t2.penalty.decisions"],
            v["t2.fees.amount"]) == (12, 3, 5, 1136, 12.5)
    hints = [f for f in result.findings if f.code == "R-TEXT-NUMBER"]
    assert {f.cells[0] for f in hints} == {"t3.new.natural", "t3.new.research", "t2.normative.made",
                                           "t2.penalty.decisions", "t2.fees.amount"}
    assert all(f.severity == "提示" and f.sheet and f.address for f in hints)
    natural = next(f for f in hints if f.cells == ("t3.new.natural",))
    assert natural.address == "D5" and "“１２”" in natural.message and "表三 依申请公开!D5" in natural.message


def test_blank_cells_are_zero_with_one_hint_per_sheet(files):
    result = read_workbook(files["blank-entry-cells.xlsx"])
    blanks = [f for f in result.findings if f.code == "R-BLANK"]
    assert {f.sheet for f in blanks} == {"表二 主动公开", "表三 依申请公开", "表四 复议诉讼"}
    t3 = next(f for f in blanks if f.sheet == "表三 依申请公开")
    assert "t3.new.natural" not in t3.cells and "t3.new.commercial" in t3.cells
    assert all(f.severity == "提示" for f in blanks)
    assert result.report.values["t3.new.commercial"] == 0
    assert check(result.report) == [f for f in check(result.report) if f.code not in ("T3-BALANCE",)]


def test_words_for_zero_read_as_zero_with_a_hint(files):
    result = read_workbook(files["words-for-zero.xlsx"])
    assert result.report.values["t4.review.upheld"] == 0 and result.report.values["t4.review.corrected"] == 0
    blank = next(f for f in result.findings if f.code == "R-BLANK")
    assert set(blank.cells) == {"t4.review.upheld", "t4.review.corrected"}


def test_not_a_number_is_an_error_naming_sheet_cell_and_text(files):
    result = read_workbook(files["not-a-number.xlsx"])
    errors = {f.cells[0]: f for f in result.findings if f.code == "R-NOT-NUMBER"}
    assert set(errors) == {"t3.new.natural", "t2.fees.amount"}
    natural = errors["t3.new.natural"]
    assert natural.severity == "错误" and natural.sheet == "表三 依申请公开" and natural.address == "D5"
    assert "“十七”" in natural.message and "表三 依申请公开!D5" in natural.message
    assert "“125000元”" in errors["t2.fees.amount"].message and "万元" in errors["t2.fees.amount"].message
    assert "t3.new.natural" not in result.report.values  # never a silent 0


def test_negative_and_fractional_counts_are_read_and_flagged(files):
    checked = check_file(files["negative-and-fractional-counts.xlsx"])
    found = {(f.code, f.cells[0]) for f in checked.findings if f.code.startswith("V-")}
    assert found == {("V-NEGATIVE", "t4.direct.upheld"), ("V-FRACTION", "t2.licensing.decisions")}
    assert {f.address for f in checked.findings if f.code.startswith("V-")} == {"F5", "B8"}


def test_total_typed_over_is_reported_against_its_parts(files):
    checked = check_file(files["total-typed-over.xlsx"])
    row_total = [f for f in checked.findings if f.code == "T3-ROW-TOTAL"]
    assert len(row_total) == 1 and row_total[0].cells == ("t3.new.total",) and row_total[0].reported == 99
    assert row_total[0].address == "J5"


def test_formula_never_calculated_in_an_entry_cell_is_an_error(files):
    result = read_workbook(files["formula-never-calculated-in-entry-cell.xlsx"])
    assert [f.cells for f in result.findings if f.code == "R-UNCALCULATED"] == [("t3.new.natural",)]


def test_year_that_is_not_a_year(files):
    result = read_workbook(files["year-not-a-year.xlsx"])
    year = next(f for f in result.findings if f.code == "R-YEAR")
    assert year.sheet == "单位信息" and year.address == "B5" and "二〇二五" in year.message
    assert result.report.year is None


def test_defined_names_lost_falls_back_to_the_layout_with_a_hint(files):
    result = read_workbook(files["defined-names-lost.xlsx"])
    assert codes(result) == ["R-NAMES-LOST"]
    assert result.report.values == entries(CONSISTENT_2021)
    assert result.report.unit == "defined-names-lost"  # each defect file is a unit of its own name


def test_defined_names_lost_and_a_row_inserted_is_an_error_not_a_misread(files):
    result = read_workbook(files["defined-names-lost-row-inserted.xlsx"])
    layout = [f for f in result.findings if f.code == "R-LAYOUT"]
    assert len(layout) == 1 and layout[0].sheet == "表三 依申请公开" and layout[0].severity == "错误"
    assert layout[0].address == "A7" and "三、本年度办理结果" in layout[0].message
    assert not any(k.startswith("t3.") for k in result.report.values)
    assert result.report.values["t4.review.upheld"] == CONSISTENT_2021.values["t4.review.upheld"]


def test_a_deleted_table_sheet_is_an_error(files):
    result = read_workbook(files["table-sheet-deleted.xlsx"])
    missing = [f for f in result.findings if f.code == "R-SHEET-MISSING"]
    assert [f.sheet for f in missing] == ["表四 复议诉讼"]
    assert "t3.new.natural" in result.report.values


def test_inline_strings_are_read(files):
    result = read_workbook(files["inline-strings-text-numbers.xlsx"])
    assert result.report.values["t3.new.natural"] == 7 and result.report.values["t2.normative.new_made"] == 4
    assert result.report.unit == "inline-strings-text-numbers"


def test_format_found_from_the_labels_when_the_format_cell_is_lost(files):
    result = read_workbook(files["format-cell-overwritten-names-lost.xlsx"])
    assert result.report.format == "2019"
    assert result.report.values == entries(CONSISTENT_2019)


def test_last_years_figures_in_the_workbook_are_read_and_checked(files):
    checked = check_file(files["last-year-figures-disagree-with-carried-over.xlsx"])
    report = checked.report
    assert report.previous == {"t3.forward.natural": CONSISTENT_2021.values["t3.carried.natural"] + 4,
                               "t3.forward.legal": 2}
    bad = next(f for f in checked.findings if f.code == "R-NOT-NUMBER")
    assert bad.sheet == "单位信息" and "很多" in bad.message and "上年表二" in bad.message
    carried = {f.cells for f in checked.findings if f.code == "Y-CARRIED"}
    assert ("t3.carried.natural",) in carried
    assert ("t3.carried.legal",) in carried or CONSISTENT_2021.values["t3.carried.legal"] == 2


@pytest.mark.parametrize("name,words", [
    ("not-a-workbook.xlsx", "这是文本文件"),
    ("truncated-download.xlsx", "文件不完整或已损坏"),
    ("zip-without-workbook.xlsx", "这是压缩包，不是 Excel 工作簿"),
    ("someone-elses-spreadsheet.xlsx", "无法识别报告格式"),
    ("zip-needing-a-newer-unzip-version.xlsx", "文件不完整或已损坏"),
    ("number-cell-holding-text.xlsx", "工作表“表三 依申请公开”的单元格 D5 已损坏（数值单元格中是“abc”）"),
    ("string-cell-past-the-shared-strings.xlsx", "单元格 D5 已损坏（共享字符串表中没有第 9999 项）"),
    ("string-cell-negative-shared-string-index.xlsx", "单元格 D5 已损坏（共享字符串表中没有第 -1 项）"),
    ("shared-strings-without-closing-tags.xlsx", "xl/sharedStrings.xml 已损坏"),
    ("unit-name-with-a-character-xml-forbids.xlsx", "单位信息”的单元格 B3 已损坏（文字中有 XML 不允许的字符 U+0001）"),
])
def test_unreadable_files_get_a_chinese_reason_naming_the_file(files, name, words):
    with pytest.raises(UnreadableWorkbook) as info, time_limit(10):  # a hang guard, not a speed test
        read_workbook(files[name])
    assert name in str(info.value) and words in str(info.value)


def test_a_workbook_as_excel_saves_it_reads_as_written(files):
    """Shared strings and calculated totals (as Excel writes them): every figure read, the totals too."""
    saved = read_workbook(files["2021-as-excel-saves.xlsx"])
    assert saved.report.unit == "2021-as-excel-saves"
    assert saved.report.values == {**CONSISTENT_2021.values, **computed_totals(CONSISTENT_2021)}
    assert not saved.findings


def test_reading_never_modifies_the_input(files):
    digests = {n: hashlib.sha256(p.read_bytes()).hexdigest() for n, p in files.items()}
    for path in files.values():
        try:
            check_file(path)
        except Exception as exc:  # pragma: no cover - check_file must not raise
            pytest.fail(f"{path.name}: {exc!r}")
    assert digests == {n: hashlib.sha256(p.read_bytes()).hexdigest() for n, p in files.items()}


def test_the_buttons_reader_takes_a_date_excel_gives_for_a_date(files):
    """In Excel, xlwings gives a date-formatted cell's value as a datetime: the same R-DATE."""
    wb = openpyxl.load_workbook(files["2021-consistent.xlsx"])
    sheets = {ws.title: [[None if isinstance(v, str) and v.startswith("=") else v for v in row]
                         for row in ws.iter_rows(values_only=True)] for ws in wb}
    sheets["表三 依申请公开"][4][3] = datetime.datetime(2025, 1, 5)  # D5, typed as 1-5
    result = read_cells(sheets)
    dates = [f for f in result.findings if f.code == "R-DATE"]
    assert [(f.sheet, f.address, f.severity) for f in dates] == [("表三 依申请公开", "D5", "错误")]
    assert "填的是日期“2025-01-05”" in dates[0].message and "t3.new.natural" not in result.report.values
