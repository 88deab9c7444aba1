"""Real variants of the official tables in published reports (issue 12, part 3): each is read exactly
or named in a finding, and never turned into a false error.

Every fixture is a consistent report as its web page reads (text_reports.published_text), edited the
way real reports differ; each test asserts every cell of the format."""
from __future__ import annotations

import re

import pytest

from text_reports import UNIT, YEAR, consistent_report, published_text, write
from toolkit.core.formats import get_format
from toolkit.core.model import HINT
from toolkit.app.publishing import import_to_workbook
from toolkit.io.published.importer import import_file
from toolkit.core.rules import check, computed_totals
from toolkit.app.samples import plausible_report
from toolkit.io.workbook.reader import read_workbook


def _assert_cells(report, expected: dict) -> None:
    """Every cell of the report's format: read as `expected` says, or not read when it is absent."""
    for cid in get_format(report.format).cells:
        if cid in expected:
            assert report.values.get(cid) == expected[cid], cid
        else:
            assert cid not in report.values, cid


def _published(report) -> dict:
    """The figures as the report's page prints them: its totals too."""
    return {**report.values, **computed_totals(report)}


def _codes(imported) -> set[str]:
    return {f.code for f in imported.findings if f.code.startswith("P-")}


def _errors(imported) -> list:
    return [f for f in imported.findings + check(imported.report) if f.is_error]


def _rows(text: str) -> list[str]:
    return text.split("\n")


def _row_index(lines: list[str], start: str) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(start))


# --- a single （六）其他处理 row --------------------------------------------------------------

OTHER_ROWS = ("overdue_correction", "overdue_fee", "other")


def _one_other_row(report, lines: list[str]) -> dict:
    """The three （六） rows replaced by one, with their sums; returns the cells as then expected."""
    columns = [c.id for c in get_format("2021").table("t3").blocks[0].columns]
    sums = [sum(_published(report)[f"t3.result.other.{row}.{col}"] for row in OTHER_ROWS) for col in columns]
    first = _row_index(lines, "|（六）其他处理|")
    lines[first:first + 3] = ["|（六）其他处理|" + "|".join(str(v) for v in sums) + "|"]
    expected = {cid: v for cid, v in _published(report).items() if not cid.startswith("t3.result.other.")}
    expected.update({f"t3.result.other.other.{col}": v for col, v in zip(columns, sums)})
    return expected


def test_a_single_other_processing_row_goes_to_its_catch_all_row_with_a_hint(tmp_path):
    report = consistent_report()
    report.values["t3.result.other.overdue_correction.natural"] = 2  # so that the three rows add up to something
    report.values["t3.result.open.natural"] -= 2
    lines = _rows(published_text(report, tmp_path))
    expected = _one_other_row(report, lines)
    imported = import_file(write(tmp_path, "其他处理一行", "\n".join(lines)))
    _assert_cells(imported.report, expected)
    collapsed, = [f for f in imported.findings if f.code == "P-COLLAPSED"]
    assert collapsed.severity == HINT and "“（六）其他处理”只有一行" in collapsed.message
    assert "“3.其他”行" in collapsed.message and "2019年版" in collapsed.message
    assert collapsed.cells[0] == "t3.result.other.other.natural" and len(collapsed.cells) == 3 * 7
    assert "P-MISSING" not in _codes(imported) and not _errors(imported)


def test_a_single_other_processing_row_in_running_text(tmp_path):
    """Copied from a PDF: each row a line of text, labels and numbers separated by spaces."""
    report = consistent_report()
    lines = _rows(published_text(report, tmp_path))
    expected = _one_other_row(report, lines)
    start, end = _row_index(lines, "|一、本年新收"), _row_index(lines, "|四、结转下年度")
    lines[start:end + 1] = [" ".join(c for c in line.strip("|").split("|")) for line in lines[start:end + 1]]
    imported = import_file(write(tmp_path, "其他处理一行文字", "\n".join(lines)))
    _assert_cells(imported.report, expected)
    assert "P-COLLAPSED" in _codes(imported) and not _errors(imported)


def test_the_three_other_processing_rows_are_still_read_as_three(tmp_path):
    report = consistent_report()
    imported = import_file(write(tmp_path, "其他处理三行", published_text(report, tmp_path)))
    _assert_cells(imported.report, _published(report))
    assert "P-COLLAPSED" not in _codes(imported)


# --- money written in 元 ------------------------------------------------------------------------

def _report_2019():
    report = plausible_report(UNIT, "乡镇", 2020, "2019")
    report.texts = {"overview": "2020年，青山镇认真贯彻落实《中华人民共和国政府信息公开条例》。",
                    "problems": "公开内容不够全面。下一步，我镇将加强业务培训。", "other": "无。"}
    return report


def test_money_written_in_yuan_is_converted_and_the_clean_figure_beside_it_kept(tmp_path):
    report = _report_2019()
    report.values["t2.procurement.amount"] = 25.1
    text = published_text(report, tmp_path)
    items = report.values["t2.procurement.items"]
    text = text.replace(f"|政府集中采购|{items}|25.1|", f"|政府集中采购|{items}|251000元|")
    imported = import_file(write(tmp_path, "金额写元", text))
    _assert_cells(imported.report, _published(report))
    converted, = [f for f in imported.findings if f.code == "P-CONVERTED"]
    assert converted.severity == HINT and converted.cells == ("t2.procurement.amount",)
    assert "“251000元”" in converted.message and "25.1万元" in converted.message
    assert converted.reported == "251000元" and not _errors(imported)


def test_an_odd_figure_is_named_and_the_figures_beside_it_keep_their_columns(tmp_path):
    report = consistent_report()
    text = published_text(report, tmp_path)
    row = next(line for line in text.split("\n") if line.startswith("|一、本年新收"))
    cells = row.strip("|").split("|")
    odd = "|".join([cells[0], "约" + cells[1], *cells[2:]])
    imported = import_file(write(tmp_path, "约数", text.replace(row, f"|{odd}|")))
    expected = {k: v for k, v in _published(report).items() if k != "t3.new.natural"}
    _assert_cells(imported.report, expected)
    unread, = [f for f in imported.findings if f.code == "P-UNPLACED"]
    assert unread.cells == ("t3.new.natural",) and f"“约{cells[1]}”不是数字" in unread.message


# --- rows typed with bars or tabs ----------------------------------------------------------------

def test_rows_typed_with_bars_between_cells_only(tmp_path):
    report = consistent_report()
    text = "\n".join(" | ".join(line.strip("|").split("|")) if line.startswith("|") and line.count("|") > 2
                     else line for line in _rows(published_text(report, tmp_path)))
    assert "\n一、本年新收政府信息公开申请数量 | " in text
    imported = import_file(write(tmp_path, "竖线分隔", text))
    _assert_cells(imported.report, _published(report))
    assert not _errors(imported)


def test_tab_rows_with_blank_trailing_cells_keep_their_places(tmp_path):
    report = consistent_report()
    lines = _rows(published_text(report, tmp_path))
    start, end = _row_index(lines, "|一、本年新收"), _row_index(lines, "|四、结转下年度")
    blanked = []
    for i in range(start, end + 1):
        cells = lines[i].strip("|").split("|")
        lines[i] = "\t".join(cells)
    # 二、上年结转: the last three cells left blank, the tabs between them kept (as Word copies them)
    carried = lines[start + 1].split("\t")
    lines[start + 1] = "\t".join(carried[:-3] + ["", "", ""])
    blanked = [f"t3.carried.{c}" for c in ("legal", "other", "total")]
    imported = import_file(write(tmp_path, "制表符空白", "\n".join(lines)))
    _assert_cells(imported.report, {k: v for k, v in _published(report).items() if k not in blanked})
    blank, = [f for f in imported.findings if f.code == "P-NOT-REPORTED"]
    assert list(blank.cells) == blanked and "“空白”" in blank.message
    assert "P-MISSING" not in _codes(imported) and "P-UNPLACED" not in _codes(imported)


def test_a_markdown_rule_line_is_no_row(tmp_path):
    report = consistent_report()
    lines = _rows(published_text(report, tmp_path))
    at = _row_index(lines, "|一、本年新收")
    lines.insert(at, "|---|---|---|---|---|---|---|---|")
    imported = import_file(write(tmp_path, "表格分隔线", "\n".join(lines)))
    _assert_cells(imported.report, _published(report))
    assert "P-POSITION" not in _codes(imported)


# --- placeholders -------------------------------------------------------------------------------

PLACEHOLDERS = ["/", "—", "-", "无", "不适用", ""]


def _placeholder_report(tmp_path):
    """Table 四's fifteen zeros and 表二's 规章 row written with placeholders, one of each kind."""
    report = consistent_report()
    t4 = [c for c in get_format("2021").cells if c.startswith("t4.")]
    for cid in t4:
        report.values[cid] = 0
    text = published_text(report, tmp_path)
    written = [PLACEHOLDERS[i % len(PLACEHOLDERS)] for i in range(len(t4))]
    text = text.replace("|" + "|".join(["0"] * 15) + "|", "|" + "|".join(written) + "|")
    text = text.replace("|规章|0|0|0|", "|规章|无|不适用|/|")
    placed = t4 + ["t2.rules.made", "t2.rules.repealed", "t2.rules.in_force"]
    assert all(cid in get_format("2021").cells for cid in placed)
    return report, write(tmp_path, "占位符", text), placed


def test_placeholders_are_not_reported_rather_than_zero_or_an_error(tmp_path):
    report, path, placed = _placeholder_report(tmp_path)
    imported = import_file(path)
    _assert_cells(imported.report, {k: v for k, v in _published(report).items() if k not in placed})
    found = {cid for f in imported.findings if f.code == "P-NOT-REPORTED" for cid in f.cells}
    assert found == set(placed)
    t4, = [f for f in imported.findings if f.code == "P-NOT-REPORTED" and f.cells[0].startswith("t4.")]
    for shown in ("“/”", "“—”", "“-”", "“无”", "“不适用”", "“空白”"):
        assert shown in t4.message
    assert all(f.severity == HINT for f in imported.findings if f.code == "P-NOT-REPORTED")
    assert "P-MISSING" not in _codes(imported) and "P-ZERO-WORD" not in _codes(imported)
    assert not _errors(imported)


def test_placeholders_leave_the_workbook_cells_empty_and_it_reads_them_as_blanks(tmp_path):
    report, path, placed = _placeholder_report(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    done = import_to_workbook(path, out)
    assert not done.checked.has_errors
    result = read_workbook(done.workbook)
    blanks = {cid for f in result.findings if f.code == "R-BLANK" for cid in f.cells}
    totals = set(get_format("2021").total_cells)
    assert blanks == set(placed) - totals  # as the reader takes any blank cell: a hint, read as 0
    assert set(placed) & totals  # table 四's totals: their formulas, written as such, give 0
    assert all(result.report.values[cid] == 0 for cid in set(placed) - totals)


# --- characters as PDF text gives them -----------------------------------------------------------

def test_kangxi_radicals_full_width_forms_and_labels_split_over_lines(tmp_path):
    report = consistent_report()
    lines = _rows(published_text(report, tmp_path))
    start, end = _row_index(lines, "|一、本年新收"), _row_index(lines, "|四、结转下年度")
    rows = []
    for line in lines[start:end + 1]:  # running text, the labels' lines broken as a PDF's page breaks them
        cells = line.strip("|").split("|")
        labels = [c for c in cells if not re.fullmatch(r"\d+", c)]
        numbers = [c.translate(str.maketrans("0123456789", "０１２３４５６７８９")) for c in cells[len(labels):]]
        label = "".join(labels)
        rows += [label[:len(label) // 2], label[len(label) // 2:] + " " + " ".join(numbers)]
    lines[start:end + 1] = rows
    text = "\n".join(lines).replace("（", "(").replace("）", ")")
    kangxi = text.translate(str.maketrans({"一": "\u2f00", "行": "\u2f8f", "人": "\u2f08", "民": "\u2ea0",
                                           "长": "\u2ed3", "见": "\u2ec5"}))
    assert kangxi != text and "⼀、本年新收" in kangxi
    imported = import_file(write(tmp_path, "康熙部首", kangxi))
    _assert_cells(imported.report, _published(report))
    assert imported.report.unit == UNIT and imported.report.year == YEAR
    assert "\u2f00" not in imported.report.texts["overview"] and "一" in imported.report.texts["overview"]
    assert not _errors(imported)


@pytest.mark.parametrize("written", ["⼈⺠政府", "人民政府"])
def test_radicals_in_the_unit_name(tmp_path, written):
    report = consistent_report()
    text = published_text(report, tmp_path).replace(UNIT, "青山镇" + written, 1)
    imported = import_file(write(tmp_path, "单位名称", text.replace(f"{YEAR}年政府", f"{YEAR}年政府", 1)))
    assert imported.report.unit == "青山镇人民政府"
