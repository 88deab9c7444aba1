"""Unit, year and publication date of an imported report from its signature and date at the end,
and the deadline of article 49.  Each fixture is a plausible report exported to HTML or text by
the project's own export, then edited the way real reports are written."""
from __future__ import annotations

import datetime
import html
import re

import pytest

from test_cli import run
from toolkit.core.model import HINT
from toolkit.io.published.export import export_bytes
from toolkit.io.published.importer import import_file
from toolkit.core.signature import deadline, find_signature
from toolkit.io.published.importer import UNIT_LINE
from toolkit.core.rules import check
from toolkit.app.samples import plausible_report
from toolkit.io.workbook.reader import read_workbook

OTHER = "本年度未收取信息处理费。"
PROBLEMS = ("一是公开内容的全面性和及时性仍需提高；二是政策解读的形式还比较单一。下一步，我镇将加强培训，"
            "丰富解读形式，及时回应群众关切。")


def _report(unit="青山镇", level="乡镇", year=2022):
    report = plausible_report(unit, level, year)
    report.texts["problems"] = PROBLEMS
    report.texts["other"] = OTHER
    return report


def _html(path, title: str, signature: list[str], report=None):
    """The exported HTML of a plausible report, titled `title`, with `signature` lines at the end."""
    report = report or _report()
    page = export_bytes(report, "html").decode("utf-8")
    page = re.sub(r"<h1>.*?</h1>", f"<h1>{html.escape(title)}</h1>", page, count=1)
    page = re.sub(r"<title>.*?</title>", f"<title>{html.escape(title)}</title>", page, count=1)
    lines = "".join(f'<p style="text-align:right">{html.escape(s)}</p>\n' for s in signature)
    path.write_text(page.replace("</body>", lines + "</body>"), encoding="utf-8")
    return path


def _text(path, title: str, signature: list[str], report=None):
    """The same report as plain text, the way a web page is copied: one paragraph or table cell a line."""
    page = _html(path.with_suffix(".html"), title, signature, report).read_text(encoding="utf-8")
    body = page.split("<body>", 1)[1]
    body = re.sub(r"</(p|h1|h2|td|tr)>", "\n", body)
    text = html.unescape(re.sub(r"<[^>]+>", "", body))
    path.write_text("\n".join(t.strip() for t in text.splitlines() if t.strip()) + "\n", encoding="utf-8")
    path.with_suffix(".html").unlink()
    return path


def _codes(imported) -> dict:
    return {f.code: f for f in imported.findings + check(imported.report)}


def test_title_without_unit_takes_unit_and_date_from_the_signature(tmp_path):
    path = _html(tmp_path / "title-without-unit-signature-at-end.html", "2022年政府信息公开工作年度报告",
                 ["青山镇人民政府", "2023年1月20日"])
    imported = import_file(path)
    report = imported.report
    assert (report.unit, report.year, report.level) == ("青山镇人民政府", 2022, "乡镇")
    assert report.info["date"] == "2023-01-20"
    codes = _codes(imported)
    assert "文末落款“青山镇人民政府 2023年1月20日”" in codes["P-UNIT"].message
    assert codes["P-UNIT"].severity == HINT
    assert "P-LATE" not in codes and "P-DATE" not in codes and "P-YEAR" not in codes
    assert report.texts["other"] == OTHER  # the signature is not part 六's text
    assert not any(f.is_error for f in codes.values())


def test_signature_on_one_line_in_chinese_numerals_in_copied_text(tmp_path):
    path = _text(tmp_path / "chinese-numeral-date-one-line.txt", "2022年政府信息公开工作年度报告",
                 ["青山镇 二〇二三年一月二十日"])
    imported = import_file(path)
    report = imported.report
    assert (report.unit, report.year, report.info["date"]) == ("青山镇", 2022, "2023-01-20")
    assert "P-LATE" not in _codes(imported)
    assert report.texts["other"] == OTHER


def test_date_after_the_township_deadline_is_a_hint(tmp_path):
    path = _html(tmp_path / "late-township-date.html", "青山镇2022年政府信息公开工作年度报告",
                 ["青山镇人民政府", "2023年2月3日"])
    imported = import_file(path)
    late = _codes(imported)["P-LATE"]
    assert late.severity == HINT
    assert "2023年2月3日" in late.message and "乡镇年报" in late.message and "2023年1月31日" in late.message
    assert "第四十九条" in late.message
    assert imported.report.info["date"] == "2023-02-03"
    assert "P-UNIT" not in _codes(imported)  # the title names the unit, and the signature agrees


def test_county_government_has_until_31_march_and_an_unknown_level_is_held_to_the_latest(tmp_path):
    assert deadline("县政府", 2022) == datetime.date(2023, 3, 31)
    assert deadline("县级部门", 2022) == datetime.date(2023, 1, 31)
    assert deadline("", 2022) == datetime.date(2023, 3, 31)
    report = _report("青山县人民政府办公室", "", 2022)
    path = _html(tmp_path / "county-office-dated-march.html", "青山县人民政府办公室2022年政府信息公开工作年度报告",
                 ["青山县人民政府办公室", "2023年3月15日"], report)
    imported = import_file(path)
    assert imported.report.level == "" and "P-LATE" not in _codes(imported)
    path = _html(tmp_path / "county-office-dated-april.html", "青山县人民政府办公室2022年政府信息公开工作年度报告",
                 ["青山县人民政府办公室", "2023年4月1日"], report)
    late = _codes(import_file(path))["P-LATE"]
    assert "各层级年报中最晚的公开期限2023年3月31日" in late.message


def test_year_only_in_the_file_name_says_a_renamed_file_changes_it(tmp_path):
    report = _report()
    report.texts["overview"] = "本镇认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。"
    path = _html(tmp_path / "青山镇2022年报.html", "青山镇政府信息公开工作年度报告", [], report)
    imported = import_file(path)
    assert imported.report.year == 2022 and "date" not in imported.report.info
    year = _codes(imported)["P-YEAR"]
    assert year.severity == HINT
    assert "文件名“青山镇2022年报.html”" in year.message and "文件改名" in year.message


def test_year_from_the_signature_date_before_the_file_name(tmp_path):
    report = _report()
    report.texts["overview"] = "本镇认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。"
    path = _html(tmp_path / "青山镇2019年报.html", "青山镇政府信息公开工作年度报告",
                 ["青山镇人民政府", "2023年1月10日"], report)
    imported = import_file(path)
    assert imported.report.year == 2022
    assert "落款日期2023年1月10日推定为2022年度" in _codes(imported)["P-YEAR"].message


def test_signature_of_another_unit_and_a_date_before_the_year_ended(tmp_path):
    path = _html(tmp_path / "other-unit-signature-early-date.html", "青山镇2022年政府信息公开工作年度报告",
                 ["东河镇人民政府", "2022年12月20日"])
    codes = _codes(import_file(path))
    assert "文末落款却是“东河镇人民政府”" in codes["P-UNIT"].message
    assert codes["P-DATE"].severity == HINT and "早于2022年度结束" in codes["P-DATE"].message


@pytest.mark.parametrize("lines, found", [
    (["……", "泽曲镇人民政府", "2023年1月20日"], ("泽曲镇人民政府", datetime.date(2023, 1, 20), 1)),
    (["泽曲镇人民政府 2023年1月20日"], ("泽曲镇人民政府", datetime.date(2023, 1, 20), 0)),
    (["泽曲镇 二〇二三年一月二十日", ""], ("泽曲镇", datetime.date(2023, 1, 20), 0)),
    (["正文", "二零二三年十二月三十一日"], ("", datetime.date(2023, 12, 31), 1)),
    (["青山县人民政府办公室", "2023 年 3 月 1 日"], ("青山县人民政府办公室", datetime.date(2023, 3, 1), 0)),
    (["泽曲镇人民政府", "2023年2月30日"], None),  # no such date
    (["于2023年1月20日召开会议"], None),  # a sentence, not a signature
])
def test_signature_forms(lines, found):
    signature = find_signature(lines, UNIT_LINE)
    assert (signature and (signature.unit, signature.date, signature.at)) == found


def test_consistent_report_published_in_time_imports_with_exit_0_and_its_date(tmp_path):
    path = _html(tmp_path / "consistent-on-time.html", "青山镇2022年政府信息公开工作年度报告",
                 ["青山镇人民政府", "2023年1月20日"])
    done = run("import", path, "-o", tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "P-LATE" not in done.stdout
    report = read_workbook(tmp_path / "out" / "青山镇 2022年报.xlsx").report
    assert (report.unit, report.year, report.info["date"]) == ("青山镇", 2022, "2023-01-20")
