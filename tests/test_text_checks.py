"""The text itself (issue 12, part 5): the six parts' headings, order and numbering as printed; 五
empty or "无"; 六 without the 信息处理费 statement; 重复率 against last year's report.  Always 提示:
a report otherwise consistent still imports with exit code 0."""
from __future__ import annotations

import pytest

from published_files import FIXTURES
from test_cli import run
from text_reports import UNIT, YEAR, consistent_report, drop_part, move_part, published_text, write
from toolkit.core.formats import get_format
from toolkit.core.model import Report
from toolkit.app.publishing import import_to_workbook
from toolkit.io.published.importer import import_file
from toolkit.core.rules import Values
from toolkit.core.text_checks import content_findings, heading_findings, repetition, settings, text_findings

TEXT_CODES = ("TX-HEADING", "TX-SUBHEADING", "TX-ORDER", "TX-PART-MISSING", "TX-PROBLEMS", "TX-FEES", "TX-REPEAT")


def _text(findings) -> list[tuple]:
    return [(f.code, f.severity, f.message) for f in findings if f.code in TEXT_CODES]


def _imported(tmp_path, name: str, text: str, previous: Report | None = None):
    return import_to_workbook(write(tmp_path, name, text), tmp_path / name, previous=previous)


def test_sample_headings_numbered_1_and_2_are_named_as_printed():
    imported = import_file(FIXTURES / "zequ-town-2022-published.txt")
    found = heading_findings(get_format(imported.report.format), imported.lines)
    assert {f.severity for f in found} == {"提示"}
    headings = [f for f in found if f.code == "TX-HEADING"]
    assert len(headings) == 6
    assert "“1、 总体情况”" in headings[0].message and "“一、总体情况”" in headings[0].message
    assert headings[0].reported == "1、 总体情况"
    assert "“2、 主动公开政府信息情况”" in headings[1].message and "“二、主动公开政府信息情况”" in headings[1].message
    subs = [f for f in found if f.code == "TX-SUBHEADING"]
    assert [f.reported for f in subs] == ["（2） 强化组织领导，完善制度建设", "（3） 围绕突出问题，增强公开实效"]
    assert "“（一）强化思想认识，压实工作责任”" in subs[0].message
    assert not [f for f in found if f.code in ("TX-ORDER", "TX-PART-MISSING")]


def test_sample_import_on_the_command_line_prints_the_heading_hints(tmp_path):
    done = run("import", FIXTURES / "zequ-town-2022-published.txt", "-o", tmp_path)
    assert "TX-HEADING" in done.stdout and "1、 总体情况" in done.stdout and "TX-SUBHEADING" in done.stdout


def test_consistent_report_has_no_text_hints_and_exits_0(tmp_path):
    path = write(tmp_path, "无误", published_text(consistent_report(), tmp_path))
    done = import_to_workbook(path, tmp_path / "导入")
    assert _text(done.checked.findings) == []
    assert not done.checked.has_errors
    assert run("import", path, "-o", tmp_path / "命令行").returncode == 0
    assert run("check", done.workbook).returncode == 0


@pytest.mark.parametrize("problems, quoted", [("无", "只写了“无”"), ("暂无。", "只写了“暂无。”"),
                                              ("需进一步加强。", "只有6个字（“需进一步加强。”）")])
def test_part_five_saying_nothing_is_a_hint_quoting_it(tmp_path, problems, quoted):
    text = published_text(consistent_report(problems=problems), tmp_path)
    done = _imported(tmp_path, "五写无", text)
    (finding,) = [f for f in done.checked.findings if f.code == "TX-PROBLEMS"]
    assert finding.severity == "提示" and quoted in finding.message and "五、存在的主要问题及改进情况" in finding.message
    assert not done.checked.has_errors
    assert run("import", write(tmp_path, "五写无", text), "-o", tmp_path / "命令行", "--force").returncode == 0


def test_part_five_threshold_is_in_the_format_file():
    assert settings("2021")["problems"]["minimum"] == 30 == settings("2019")["problems"]["minimum"]


def test_part_six_without_the_fee_statement(tmp_path):
    text = published_text(consistent_report(other="本年度无其他需要报告的事项。"), tmp_path)
    done = _imported(tmp_path, "六无信息处理费", text)
    (finding,) = [f for f in done.checked.findings if f.code == "TX-FEES"]
    assert finding.severity == "提示" and "信息处理费" in finding.message and "没有说明" in finding.message
    assert not done.checked.has_errors


def test_part_six_says_no_fee_while_table_three_counts_requests_dropped_for_an_unpaid_fee():
    report = consistent_report()
    report.values["t3.result.open.natural"] -= 1  # one request dropped for an unpaid 收费通知 instead
    report.values["t3.result.other.overdue_fee.natural"] = 1
    fmt = get_format("2021")
    (finding,) = [f for f in content_findings(report, fmt, Values(fmt, report.values)) if f.code == "TX-FEES"]
    assert "“未收取信息处理费”" in finding.message and "为1件" in finding.message
    assert finding.cells == ("t3.result.other.overdue_fee.total",)


def test_2019_format_asks_no_fee_statement():
    report = Report(unit=UNIT, year=2020, format="2019", texts={"overview": "概述。", "other": "无。",
                                                                 "problems": consistent_report().texts["problems"]})
    assert _text(text_findings(report)) == []


def test_an_unfilled_workbook_text_is_not_judged():
    assert text_findings(Report(unit=UNIT, year=YEAR, format="2021")) == []


def test_a_part_missing_is_named(tmp_path):
    text = drop_part(published_text(consistent_report(), tmp_path), "五、存在的主要问题及改进情况")
    done = _imported(tmp_path, "缺第五部分", text)
    (finding,) = [f for f in done.checked.findings if f.code == "TX-PART-MISSING"]
    assert finding.severity == "提示" and "“五、存在的主要问题及改进情况”" in finding.message
    assert not [f for f in done.checked.findings if f.code == "P-HEADING"]  # said once, not by the importer too
    assert not done.checked.has_errors


def test_parts_out_of_order_are_named_as_printed(tmp_path):
    text = move_part(published_text(consistent_report(), tmp_path), "六、其他需要报告的事项", "五、存在的主要问题及改进情况")
    found = heading_findings(get_format("2021"), import_file(write(tmp_path, "五六颠倒", text)).lines)
    assert _text(found) == [("TX-ORDER", "提示", "“六、其他需要报告的事项”排在“五、存在的主要问题及改进情况”之前，"
                             "与格式规定的顺序（一、总体情况、二、主动公开政府信息情况、三、收到和处理政府信息公开申请情况、"
                             "四、政府信息公开行政复议、行政诉讼情况、五、存在的主要问题及改进情况、六、其他需要报告的事项）不符")]


def test_a_heading_in_other_words_is_quoted(tmp_path):
    text = published_text(consistent_report(), tmp_path).replace("六、其他需要报告的事项", "六、其他需报告事项")
    found = heading_findings(get_format("2021"), import_file(write(tmp_path, "标题措辞", text)).lines)
    (finding,) = [f for f in found if f.code == "TX-HEADING"]
    assert "“六、其他需报告事项”" in finding.message and "“六、其他需要报告的事项”" in finding.message


def test_this_years_text_copying_last_years_gives_the_rate_and_a_hint(tmp_path):
    last_year = consistent_report(YEAR - 1)
    copied = consistent_report()  # the same texts, only the year changed
    text = published_text(copied, tmp_path)
    done = _imported(tmp_path, "照抄上年", text, previous=last_year)
    assert done.repetition.rate == 1.0
    (finding,) = [f for f in done.checked.findings if f.code == "TX-REPEAT"]
    assert finding.severity == "提示" and "100.0%" in finding.message and "超过50.0%" in finding.message
    assert "“2025年，青山镇坚持以习近平新时代中国特色社会主义思想为指导" in finding.message
    assert not done.checked.has_errors
    # on the command line, last year's report as published: the rate printed, exit 0
    previous = tmp_path / "青山镇2024年政府信息公开工作年度报告.txt"
    previous.write_text(published_text(last_year, tmp_path), encoding="utf-8")
    cli = run("import", write(tmp_path, "照抄上年", text), "-o", tmp_path / "命令行", "--previous", previous)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "文字重复率" in cli.stdout and "100.0%" in cli.stdout and "TX-REPEAT" in cli.stdout


def test_a_rewritten_text_prints_its_rate_without_a_hint(tmp_path):
    last_year = consistent_report(YEAR - 1, overview="2024年，青山镇围绕年度重点任务，扎实做好政务公开各项工作，公开质量稳步提升。",
                                  problems="上年工作中存在的问题：信息更新不够及时，专栏栏目设置有待优化。下一步将加强培训。")
    result = repetition(consistent_report(), last_year, "上年.txt")
    assert 0 < result.rate < 0.5 and result.finding is None
    assert result.line == f"文字重复率（与上年报告“上年.txt”逐句比较）：{result.rate * 100:.1f}%"
    # last year's workbook on the command line: the rate is printed too
    text = published_text(consistent_report(problems="本年度工作中发现，部分栏目内容更新频率偏低，群众查阅不便。下一步我镇将建立定期更新台账，逐项落实整改。"), tmp_path)
    from toolkit.io.workbook.template import template_bytes
    workbook = tmp_path / "青山镇2024年.xlsx"
    workbook.write_bytes(template_bytes(report=last_year))
    cli = run("import", write(tmp_path, "重新撰写", text), "-o", tmp_path / "命令行", "--previous", workbook)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "文字重复率" in cli.stdout and "TX-REPEAT" not in cli.stdout


def test_repeated_passages_are_cut_to_the_length_in_the_format_file():
    s = settings("2021")["repeat"]
    result = repetition(consistent_report(), consistent_report(YEAR - 1))
    assert result.passages and all(len(p) <= s["passage_length"] for p in result.passages)
    assert any(p.endswith("…") for p in result.passages)


def test_check_with_last_years_workbook_prints_the_rate_and_the_hint(tmp_path):
    from toolkit.io.workbook.template import template_bytes
    last_year, copied = tmp_path / "青山镇2024年.xlsx", tmp_path / "青山镇2025年照抄上年.xlsx"
    previous_report = consistent_report(YEAR - 1)
    last_year.write_bytes(template_bytes(report=previous_report))
    copied.write_bytes(template_bytes(report=consistent_report(previous=previous_report)))
    done = run("check", copied, "--previous", last_year)
    assert "文字重复率（与上年报告“青山镇2024年.xlsx”逐句比较）：100.0%" in done.stdout, done.stdout + done.stderr
    assert "TX-REPEAT" in done.stdout and done.returncode == 0  # a 提示: the workbook is otherwise consistent


def test_every_text_check_of_both_formats_is_a_hint_with_its_code_in_the_format_file():
    for version in ("2021", "2019"):
        checks = settings(version)
        assert {s["severity"] for s in checks.values()} == {"提示"}
        codes = {v for s in checks.values() for k, v in s.items() if k.startswith("code")}
        assert codes == set(TEXT_CODES) - ({"TX-FEES"} if version == "2019" else set())
