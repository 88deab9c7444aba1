"""`xxgk import` and `xxgk export` as a user runs them (the installed script, in a subprocess)."""
from __future__ import annotations

import hashlib

from published_files import FIXTURES
from test_cli import run
from toolkit.core.rules import computed_totals
from toolkit.app.samples import zequ_2022
from toolkit.io.workbook.reader import read_workbook

ZEQU = FIXTURES / "zequ-town-2022-published.txt"


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_import_writes_a_checked_workbook_named_after_unit_and_year(tmp_path):
    before = _digest(ZEQU)
    done = run("import", ZEQU, "-o", tmp_path)
    assert done.returncode == 1, done.stderr  # the sample's table 三 does not balance
    assert "泽曲镇 2022年度（2019年版格式）" in done.stdout
    assert done.stdout.count("T3-BALANCE") == 3 and "P-LABEL-NUMBER" in done.stdout
    assert "表三 依申请公开!D10" in done.stdout  # a finding points at its cell in the written workbook
    workbook = tmp_path / "泽曲镇 2022年报.xlsx"
    assert f"已写出工作簿：{workbook}" in done.stdout
    report = read_workbook(workbook).report
    sample = zequ_2022()
    assert (report.unit, report.level, report.year, report.format) == ("泽曲镇", "乡镇", 2022, "2019")
    assert {**report.values, **computed_totals(report)} == sample.values
    assert report.texts == sample.texts
    assert _digest(ZEQU) == before  # the input is never modified
    again = run("import", ZEQU, "-o", tmp_path)
    assert again.returncode == 2 and "已存在" in again.stderr and "--force" in again.stderr
    assert run("import", ZEQU, "-o", tmp_path, "--force").returncode == 1


def test_import_several_reports_and_an_unreadable_one(tmp_path):
    broken = tmp_path / "坏文件.docx"
    broken.write_bytes(b"not a docx")
    done = run("import", FIXTURES / "web-text-one-cell-a-line-2021.txt",
               FIXTURES / "html-tables-rowspan-colspan-wrong-total-and-quote-2021.html", broken, "-o", tmp_path / "out")
    assert done.returncode == 2
    assert "坏文件.docx" in done.stdout and "Word 文件已损坏" in done.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["河西街道办事处 2023年报.xlsx", "青石镇 2022年报.xlsx"]
    assert "T3-ROW-TOTAL" in done.stdout and "TX-REQUESTS" in done.stdout


def test_two_reports_of_one_unit_and_year_do_not_overwrite_each_other(tmp_path):
    copy = tmp_path / "另一份.txt"
    copy.write_bytes(ZEQU.read_bytes())
    done = run("import", ZEQU, copy, "-o", tmp_path / "out")
    assert done.returncode == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["泽曲镇 2022年报.xlsx", "泽曲镇 2022年报（另一份）.xlsx"]


def test_export_writes_docx_and_html_and_says_what_needs_attention(tmp_path):
    assert run("import", ZEQU, "-o", tmp_path).returncode == 1
    workbook = tmp_path / "泽曲镇 2022年报.xlsx"
    before = _digest(workbook)
    for to in ("docx", "html"):
        done = run("export", workbook, "-o", tmp_path / "年报", "--to", to)
        assert done.returncode == 0, done.stderr
        out = tmp_path / "年报" / f"泽曲镇2022年政府信息公开工作年度报告.{to}"
        assert out.exists() and f"已导出：{out}" in done.stdout
        assert "3 个错误" in done.stdout  # the workbook's check errors are pointed out, not hidden
    assert _digest(workbook) == before
    again = run("export", workbook, "-o", tmp_path / "年报")
    assert again.returncode == 2 and "已存在" in again.stderr
    wrong = run("export", workbook, "--to", "pdf")
    assert wrong.returncode == 2 and "docx 或 html" in wrong.stderr
    missing = run("export", tmp_path / "没有.xlsx", "-o", tmp_path)
    assert missing.returncode == 2 and "没有.xlsx" in missing.stderr


def test_help_is_in_chinese():
    for command in ("import", "export"):
        done = run(command, "--help")
        assert done.returncode == 0 and "年报" in done.stdout and "--force" in done.stdout


def test_export_counts_the_figures_it_could_not_read_among_the_errors(tmp_path, templates):
    from conftest import fill_workbook
    from workbooks import CONSISTENT_2021, entries, info_of

    workbook = fill_workbook(templates["2021"], tmp_path / "东河镇.xlsx",
                             {**entries(CONSISTENT_2021), "t2.fees.amount": "125000元"}, info_of(CONSISTENT_2021))
    done = run("export", workbook, "-o", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "该工作簿校验有 1 个错误" in done.stdout  # "125000元" goes out as 0: the user is told, as the button does


def test_a_report_file_the_system_cannot_read_is_a_chinese_message(tmp_path):
    done = run("import", "/proc/self/mem", "-o", tmp_path)  # opens, then every read fails (EIO)
    assert done.returncode == 2 and "“mem”：无法打开" in done.stdout and "Traceback" not in done.stderr


def test_control_characters_in_a_published_text_do_not_stop_the_import(tmp_path):
    # text copied from Word keeps its manual line breaks (vertical tab) and page breaks (form feed),
    # which a workbook cannot hold: the workbook was never written (a traceback)
    text = ZEQU.read_text(encoding="utf-8")
    at = text.index("1、 总体情况") + 40
    source = tmp_path / "带分页符.txt"
    source.write_text(text[:at] + "\x0b\x0c\x01" + text[at:], encoding="utf-8")
    done = run("import", source, "-o", tmp_path / "out")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    report = read_workbook(tmp_path / "out" / "泽曲镇 2022年报.xlsx").report
    overview = zequ_2022().texts["overview"]
    assert report.texts["overview"].replace("\n", "") == overview.replace("\n", "")


def test_a_unit_name_with_a_slash_makes_one_file_in_the_folder_asked_for(tmp_path, templates):
    from conftest import fill_workbook
    from workbooks import CONSISTENT_2021, entries, info_of

    workbook = fill_workbook(templates["2021"], tmp_path / "联合.xlsx", entries(CONSISTENT_2021),
                             {**info_of(CONSISTENT_2021), "info.unit": "县发改局/县粮食局"})
    done = run("export", workbook, "-o", tmp_path / "年报")
    assert done.returncode == 0, done.stderr
    assert [p.name for p in (tmp_path / "年报").iterdir()] == ["县发改局_县粮食局2025年政府信息公开工作年度报告.docx"]
