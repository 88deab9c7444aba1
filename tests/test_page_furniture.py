"""Page furniture of reports taken from PDFs (toolkit.io.published.furniture): page numbers and running
headers and footers, on lines of their own, at the end of a table row and between a row's label and
its numbers, dropped; every figure of the report read as published.

The reports are real files made here: a consistent report exported by the toolkit, its text laid out
as text copied out of a PDF (a table row on one line, cells apart by spaces) with page numbers and
running headers put where page breaks fall; and the exported Word file given a running header and a
page-number footer and printed to PDF by LibreOffice.
"""
from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from test_cli import run
from toolkit.io.published.export import report_docx, report_html, report_title
from toolkit.io.published.furniture import drop_furniture, mark_pdf_margins
from toolkit.io.published.importer import import_file
from toolkit.io.published.text import Line, html_lines
from toolkit.core.rules import computed_totals
from toolkit.app.samples import plausible_report
from toolkit.io.workbook.reader import read_workbook

REPORT_2021 = plausible_report("东河镇", "乡镇", 2025, "2021", seed=1)
REPORT_2019 = plausible_report("北关街道", "街道", 2020, "2019", seed=2)


def _pdf_copied_lines(report) -> list[str]:
    """The report's text as copied out of a PDF: paragraphs, and each table row on one line."""
    out = []
    for line in html_lines(report_html(report).decode("utf-8")):
        if line.row:
            out.append(" ".join(c.replace("\n", "") for c in line.cells if c.strip()))
        else:
            out.append(line.text)
    return out


def _at(lines: list[str], start: str) -> int:
    return next(i for i, t in enumerate(lines) if t.startswith(start))


def _page_break(lines: list[str], after: str, *furniture: str, trailing: str = "") -> None:
    """A page break after the line beginning `after`: `trailing` (a page number) at the end of that
    line, then the furniture lines (the page number, the next page's running header)."""
    i = _at(lines, after)
    lines[i] += trailing
    lines[i + 1:i + 1] = list(furniture)


def _split_row(lines: list[str], start: str, *furniture: str) -> None:
    """A page break inside a table row: its label on one page, its numbers on the next."""
    i = _at(lines, start)
    label, _, numbers = lines[i].partition(" ")
    while numbers.split(" ")[0] and not numbers.split(" ")[0][0].isdigit():  # a label of several words
        word, _, numbers = numbers.partition(" ")
        label += " " + word
    lines[i:i + 1] = [label, *furniture, numbers]


def _assert_same(imported, report) -> None:
    back = imported.report
    assert (back.unit, back.year, back.format) == (report.unit, report.year, report.format)
    assert back.values == {**report.values, **computed_totals(report)}
    assert back.texts == report.texts


def _codes(imported) -> list[str]:
    return [f.code for f in imported.findings if f.code != "P-LEVEL"]


def _furniture_count(imported) -> str:
    finding, = [f for f in imported.findings if f.code == "P-PAGE-FURNITURE"]
    assert finding.severity == "提示"
    return finding.message


def test_dash_page_numbers_and_running_headers_in_text_copied_from_a_pdf(tmp_path):
    lines = _pdf_copied_lines(REPORT_2021)
    title = report_title(REPORT_2021)
    _page_break(lines, "2025年，东河镇", "- 1 -", "东河镇人民政府", title)
    _page_break(lines, "行政许可", "- 2 -", title)  # a table-二 figure would be lost to the "2"
    _page_break(lines, "三、本年度办理结果", "东河镇人民政府", title, trailing=" - 3 -")  # in the row
    _split_row(lines, "（二）部分公开", "- 4 -", title)  # between a row's label and its numbers
    _page_break(lines, "2.没有现成信息", "— 5 —")
    path = tmp_path / "东河镇2025年政府信息公开工作年度报告.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    imported = import_file(path)
    _assert_same(imported, REPORT_2021)
    assert _codes(imported) == ["P-PAGE-FURNITURE"]
    assert "版面文字11处" in _furniture_count(imported) and "“- 3 -”" in _furniture_count(imported)
    done = run("import", path, "-o", tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "P-PAGE-FURNITURE" in done.stdout
    written = read_workbook(tmp_path / "out" / "东河镇 2025年报.xlsx").report
    assert {**written.values, **computed_totals(written)} == imported.report.values


def _imports_as_published(tmp_path, lines: list[str], dropped: str, report=None):
    """Write the copied text, import it: every cell as the original, the one finding naming `dropped`,
    and `xxgk import` exits 0."""
    path = tmp_path / "北关街道2020年政府信息公开工作年度报告.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    imported = import_file(path)
    _assert_same(imported, report or REPORT_2019)
    assert _codes(imported) == ["P-PAGE-FURNITURE"] and dropped in _furniture_count(imported)
    done = run("import", path, "-o", tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr


def test_bare_page_numbers_running_1_2_3_after_table_rows(tmp_path):
    lines = _pdf_copied_lines(REPORT_2019)
    _page_break(lines, "二、主动公开", "1")
    _page_break(lines, "（三）不予公开", "2")  # after a complete row of table 三
    _page_break(lines, "四、结转下年度", "3")
    _imports_as_published(tmp_path, lines, "版面文字3处")


def test_a_lone_bare_page_number_before_a_form_feed_as_pdftotext_writes_it(tmp_path):
    lines = _pdf_copied_lines(REPORT_2019)
    i = _at(lines, "（三）不予公开")  # a page of table 三 ends after a complete row
    lines[i + 1:i + 2] = ["2", "\f" + lines[i + 1]]
    path = tmp_path / "北关街道2020年政府信息公开工作年度报告.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    imported = import_file(path)
    _assert_same(imported, REPORT_2019)
    assert _codes(imported) == ["P-PAGE-FURNITURE"] and "版面文字1处（“2”）" in _furniture_count(imported)


def test_page_of_pages_between_a_label_and_its_numbers_and_at_the_end_of_a_row(tmp_path):
    lines = _pdf_copied_lines(REPORT_2019)
    _page_break(lines, "第二十条第（五）项", "第 1 页 共 3 页")
    _split_row(lines, "（二）部分公开", "第2页/共3页", "北关街道办事处")
    _page_break(lines, "（四）无法提供", "北关街道办事处", trailing=" 第3页/共3页")
    _imports_as_published(tmp_path, lines, "版面文字5处")


def test_a_bare_number_that_completes_a_row_is_kept_among_bare_page_numbers(tmp_path):
    lines = _pdf_copied_lines(REPORT_2021)
    _page_break(lines, "二、主动公开", "1")
    _page_break(lines, "（三）不予公开", "2")
    total = _at(lines, "（七）总计")  # its last figure wrapped onto a line of its own
    words = lines[total].split(" ")
    lines[total:total + 1] = [" ".join(words[:-1]), words[-1]]
    path = tmp_path / "东河镇2025年政府信息公开工作年度报告.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    imported = import_file(path)
    _assert_same(imported, REPORT_2021)
    assert "版面文字2处" in _furniture_count(imported)


def test_numbers_that_are_no_page_numbers_are_kept():
    # figures one a line (a table copied cell by cell), a "-2" before a placeholder "-", a lone "3"
    lines = [Line((t,)) for t in ["行政许可", "12", "-2 -", "86", "说明", "3", "完"]]
    assert drop_furniture(lines) == (lines, [])


def test_page_numbers_in_the_cells_of_table_rows_are_dropped():
    # a row copied from Word with the footer's page number as a last cell; a browser-copied cell
    # whose label went on over a page break
    rows = [Line(("（二）部分公开", "3", "0", "0", "0", "0", "0", "3", "- 4 -"), row=True),
            Line(("（三）不予公开\n— 5 —\n东河镇", "1", "0"), row=True), Line(("第 6 页 共 8 页",), row=True)]
    kept, dropped = drop_furniture(rows)
    assert kept == [Line(("（二）部分公开", "3", "0", "0", "0", "0", "0", "3"), row=True),
                    Line(("（三）不予公开\n东河镇", "1", "0"), row=True)]
    assert dropped == ["- 4 -", "— 5 —", "第 6 页 共 8 页"]


def test_the_signature_is_kept_though_the_units_name_heads_the_pages():
    title = "城关镇人民政府2022年政府信息公开工作年度报告"
    texts = [title, "一、总体情况", "- 1 -", "城关镇人民政府", title, "六、其他需要报告的事项", "无",
             "城关镇人民政府", "2023年1月20日"]
    kept, dropped = drop_furniture([Line((t,)) for t in texts])
    assert [l.text for l in kept] == [title, "一、总体情况", "六、其他需要报告的事项", "无", "城关镇人民政府",
                                      "2023年1月20日"]
    assert dropped == ["- 1 -", "城关镇人民政府", title]


def test_pdf_margin_lines_repeated_across_pages_or_page_numbers_and_the_title_under_the_header():
    title = "东河镇2025年政府信息公开工作年度报告"
    pages = [[(title, True), (title, True), ("一、总体情况", False), ("— 1 —", True)],
             [(title, True), ("行政许可 25", False), ("（示例）", True), ("— 2 —", True)]]
    assert mark_pdf_margins(pages) == [[True, False, False, True], [True, False, False, True]]


def _with_header_and_page_footer(report) -> bytes:
    """The exported Word report with the title as running header and "— 1 —" page numbers in the footer."""
    document = docx.Document(io.BytesIO(report_docx(report)))
    section = document.sections[0]
    section.header.paragraphs[0].text = report_title(report)
    footer = section.footer.paragraphs[0]._p
    footer.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve">— </w:t></w:r>'))
    footer.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    footer.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve"> —</w:t></w:r>'))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_pdf_with_a_running_header_and_page_numbers_across_table_three(tmp_path):
    if not shutil.which("soffice"):
        pytest.fail("LibreOffice (soffice) is needed for this test; run .ci/run to install it")
    source = tmp_path / "东河镇2025年政府信息公开工作年度报告.docx"
    source.write_bytes(_with_header_and_page_footer(REPORT_2021))
    proc = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    pdf = Path(tmp_path / source.with_suffix(".pdf").name)
    imported = import_file(pdf)
    _assert_same(imported, REPORT_2021)
    assert _codes(imported) == ["P-PAGE-FURNITURE"] and "“— 2 —”" in _furniture_count(imported)
    done = run("import", pdf, "-o", tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr
