"""Importing reports as published: the real 泽曲镇 sample, fixtures in the styles of real
publications, loose labels, numbers that cannot be placed, files that cannot be read."""
from __future__ import annotations

import pytest

from published_files import (FIXTURES, WORD_2019_T2, WORD_2019_T3, WORD_2019_T4,
                             word_tables_merged_cells_2019)
from toolkit.core.formats import get_format
from toolkit.core.model import ERROR, HINT
from toolkit.io.published.importer import import_file, import_lines
from toolkit.core.labels import loose, numbering, similarity
from toolkit.io.published.text import Line, UnreadableReport, read_lines
from toolkit.core.rules import check
from toolkit.app.samples import zequ_2022

ZEQU = FIXTURES / "zequ-town-2022-published.txt"
T3_COLUMNS = ["natural", "commercial", "research", "nonprofit", "legal", "other", "total"]


def _zequ_as_published() -> dict:
    """Every figure of the 泽曲镇 tables as the page shows them, cell by cell (2019 format)."""
    values = {}
    t2 = {  # row: figures left to right
        "rules": ("new_made", "new_published", "total_published", [0, 0, 0]),
        "normative": ("new_made", "new_published", "total_published", [11, 11, 11]),
        "licensing": ("previous", "change", "decisions", [0, 0, 0]),
        "other_services": ("previous", "change", "decisions", [0, 0, 0]),
        "penalty": ("previous", "change", "decisions", [0, 0, 0]),
        "enforcement": ("previous", "change", "decisions", [0, 0, 0]),
        "fees": ("previous", "change", [0, 0]),
        "procurement": ("items", "amount", [0, 0]),
    }
    for row, spec in t2.items():
        *columns, figures = spec
        values.update({f"t2.{row}.{c}": v for c, v in zip(columns, figures)})
    t3 = {"new": [0, 0, 0, 16, 0, 1, 17], "carried": [0, 0, 0, 6, 0, 2, 8]}
    for row in get_format("2019").table("t3").rows:
        figures = t3.get(row.id, [0] * 7)  # every other row of table 三 is published as 0
        values.update({f"t3.{row.id}.{c}": v for c, v in zip(T3_COLUMNS, figures)})
    values.update({c: 0 for c in get_format("2019").cells if c.startswith("t4.")})
    return values


@pytest.fixture(scope="module")
def zequ():
    return import_file(ZEQU)


def test_sample_finds_format_unit_year_and_every_number(zequ):
    report = zequ.report
    assert (report.format, report.unit, report.year, report.level) == ("2019", "泽曲镇", 2022, "乡镇")
    expected = _zequ_as_published()
    assert len(expected) == len(get_format("2019").cells) == 198
    for cid, value in expected.items():
        assert report.values.get(cid) == value, cid
    assert report.values == expected
    assert report.values == zequ_2022().values  # the foundation's hand-typed copy agrees


def test_sample_texts_of_parts_one_five_six(zequ):
    texts = zequ.report.texts
    assert texts["overview"].startswith("泽曲镇根据《中华人民共和国政府信息公开条例》")
    assert "（一）强化思想认识，压实工作责任" in texts["overview"]
    assert texts["overview"].endswith("真正做到涉密信息不上网，上网信息不涉密。")
    assert "总体情况" not in texts["overview"].splitlines()[1]  # the heading 1、 总体情况 is not text
    assert texts["problems"].startswith("（一）存在问题\n")
    assert texts["problems"].endswith("让群众参与到政府信息公开监督工作中来。")
    assert texts["other"] == "无"
    assert texts == zequ_2022().texts


def test_sample_check_reports_the_balance_on_exactly_the_failing_columns(zequ):
    findings = check(zequ.report)
    balance = [f for f in findings if f.code == "T3-BALANCE"]
    assert sorted(f.cells[0] for f in balance) == sorted(f"t3.new.{c}" for c in ("nonprofit", "other", "total"))
    assert {(f.computed, f.reported) for f in balance} == {(22, 0), (3, 0), (25, 0)}
    assert not [f for f in findings if f.is_error and f.code != "T3-BALANCE"]


def test_a_figure_beyond_any_units_is_an_error_in_the_imported_report(tmp_path):
    """A published 16 that became 1000000000016 (digits pasted twice, say): the check of the imported
    report says so, as the reader does for a workbook (R-TOO-LARGE)."""
    lines = ZEQU.read_text(encoding="utf-8").split("\n")
    at = lines.index("\t16")
    lines[at] = "\t1000000000016"
    path = tmp_path / "泽曲镇 数字粘贴了两遍.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    report = import_file(path).report
    huge = [f for f in check(report) if f.code == "V-TOO-LARGE"]
    assert [(f.cells, f.reported) for f in huge] == [(("t3.new.nonprofit",), 1000000000016)]
    assert huge[0].is_error and "超出了可能的范围（绝对值最大999999999）" in huge[0].message


def test_sample_rows_without_labels_and_eight_numbers_are_findings_not_guesses(zequ):
    codes = [f.code for f in zequ.findings]
    assert not {"P-UNPLACED", "P-MISSING", "P-EMPTY-TABLE"} & set(codes)
    extra, = [f for f in zequ.findings if f.code == "P-LABEL-NUMBER"]
    assert "16行" in extra.message and "行标签栏" in extra.message and "1.属于国家秘密" in extra.message
    positional = [f for f in zequ.findings if f.code == "P-POSITION"]
    # （三） 2-8, （四） 2-3, （五） 2-5: the first row of each group is named by its group label
    assert [len(f.cells) // 7 for f in positional] == [7, 2, 4]
    assert positional[0].cells[0] == "t3.result.denied.prohibited_by_law.natural"
    unit, = [f for f in zequ.findings if f.code == "P-UNIT"]
    assert "泽曲镇根据" in unit.message


@pytest.mark.parametrize("name, unit, year, version, level, codes", [
    ("web-text-one-cell-a-line-2021.txt", "青石镇", 2022, "2021", "乡镇", {"P-LEVEL"}),
    ("html-tables-rowspan-colspan-wrong-total-and-quote-2021.html", "河西街道办事处", 2023, "2021", "街道",
     {"P-LEVEL", "P-NOT-REPORTED", "T3-ROW-TOTAL", "T3-BALANCE", "TX-REQUESTS"}),
    ("empty-tables-2019.txt", "石门乡", 2020, "2019", "乡镇", {"P-LEVEL", "P-EMPTY-TABLE"}),
])
def test_fixtures_in_real_styles(name, unit, year, version, level, codes):
    imported = import_file(FIXTURES / name)
    report = imported.report
    assert (report.unit, report.year, report.format, report.level) == (unit, year, version, level)
    assert {f.code for f in imported.findings + check(report)} == codes
    assert report.texts["overview"] and report.texts["problems"] and report.texts["other"]


def test_one_cell_a_line_with_split_labels_reads_every_cell():
    report = import_file(FIXTURES / "web-text-one-cell-a-line-2021.txt").report
    assert len(report.values) == len(get_format("2021").cells)
    assert report.values["t3.new.natural"] == 9 and report.values["t3.new.total"] == 11
    assert report.values["t3.result.denied.third_party.natural"] == 1  # under "(三)" "不予公开" split
    assert report.values["t3.result.unable.not_held.legal"] == 1
    assert report.values["t2.normative.in_force"] == 12  # 规范性文件 for 行政规范性文件
    assert report.values["t4.review.upheld"] == 1
    assert "发布时间" not in report.texts["overview"]  # page furniture is not the report's text
    assert report.texts["other"].startswith("本年度未收取信息处理费。")


def test_html_tables_rowspan_colspan_and_a_published_total_that_disagrees():
    imported = import_file(FIXTURES / "html-tables-rowspan-colspan-wrong-total-and-quote-2021.html")
    values = imported.report.values
    assert values["t3.new.natural"] == 12  # written "１２"
    assert values["t3.new.total"] == 15  # as published, though the parts add up to 14
    assert values["t2.licensing.decisions"] == 0 and values["t2.penalty.decisions"] == 5  # colspan=3
    assert values["t2.fees.amount"] == 1.25
    assert values["t3.result.other.other.natural"] == 1
    direct = [c for c in get_format("2021").cells if c.startswith("t4.direct.")]
    assert not set(direct) & set(values)  # "—": not reported, not 0
    placeholder, = [f for f in imported.findings if f.code == "P-NOT-REPORTED"]
    assert placeholder.severity == HINT and list(placeholder.cells) == direct and "“—”" in placeholder.message
    row_total, = [f for f in check(imported.report) if f.code == "T3-ROW-TOTAL"]
    assert (row_total.reported, row_total.computed) == (15, 14)
    quote, = [f for f in check(imported.report) if f.code == "TX-REQUESTS"]
    assert "16件" in quote.message and (quote.reported, quote.computed) == (16, 15)
    assert imported.report.texts["other"] == "无。"  # the site's footer is not part 六


def test_empty_tables_are_errors_and_the_filled_table_is_read():
    imported = import_file(FIXTURES / "empty-tables-2019.txt")
    empty = [f for f in imported.findings if f.code == "P-EMPTY-TABLE"]
    assert [f.cells[0].split(".")[0] for f in empty] == ["t2", "t3"]
    assert all(f.severity == ERROR for f in empty)
    assert len(empty[1].cells) == len([c for c in get_format("2019").cells if c.startswith("t3.")])
    assert {k for k in imported.report.values} == {c for c in get_format("2019").cells if c.startswith("t4.")}


def test_word_tables_with_merged_cells(tmp_path):
    imported = import_file(word_tables_merged_cells_2019(tmp_path / "word-tables-merged-cells-2019.docx"))
    report = imported.report
    assert (report.unit, report.year, report.format) == ("城关镇人民政府", 2020, "2019")
    assert "标题旁" in next(f.message for f in imported.findings if f.code == "P-UNIT")
    expected = {c: 0 for c in get_format("2019").cells}
    expected.update(WORD_2019_T2)
    expected.update(WORD_2019_T4)
    for row, figures in WORD_2019_T3.items():
        expected.update({f"t3.{row}.{c}": v for c, v in zip(T3_COLUMNS, figures)})
    assert report.values == expected
    assert report.texts == {"overview": "本报告根据《中华人民共和国政府信息公开条例》要求编制。\n"
                                        "2020年，城关镇共受理政府信息公开申请7件，其中上年结转1件。",
                            "problems": "（一）存在问题\n信息公开的及时性有待提高。", "other": "无"}
    assert not [f for f in check(report) if f.is_error]


# --- the stream of numbers, when rows are not known ------------------------------------------------

def _stream(*tokens) -> list[Line]:
    head = [Line(("泽源镇2022年政府信息公开工作年度报告",)), Line(("三、收到和处理政府信息公开申请情况",))]
    return head + [Line((str(t),)) for t in tokens] + [Line(("四、政府信息公开行政复议、行政诉讼情况",))]


def test_a_run_of_numbers_covering_whole_rows_is_spread_by_position_with_a_finding():
    imported = import_lines(_stream("（三）不予公开", *range(56)), "stream.txt")
    values = imported.report.values
    assert values["t3.result.denied.state_secret.natural"] == 0
    assert values["t3.result.denied.inquiry.total"] == 55
    positional, = [f for f in imported.findings if f.code == "P-POSITION"]
    assert len(positional.cells) == 7 * 7


def test_numbers_that_fit_no_row_are_not_placed():
    imported = import_lines(_stream("（三）不予公开", *[1] * 57), "stream.txt")
    assert not any(k.startswith("t3.result.denied") for k in imported.report.values)
    unplaced, = [f for f in imported.findings if f.code == "P-UNPLACED"]
    assert unplaced.severity == ERROR and "57个数字" in unplaced.message
    missing = [f for f in imported.findings if f.code == "P-MISSING"]
    assert any(f.cells[0] == "t3.result.denied.state_secret.natural" for f in missing)


def test_a_short_row_is_not_guessed():
    lines = _stream()[:2] + [Line(("一、本年新收政府信息公开申请数量", "3", "1", "4"), row=True)] + _stream()[-1:]
    imported = import_lines(lines, "short.txt")
    assert not any(k.startswith("t3.new.") for k in imported.report.values)
    assert "3个数字" in next(f.message for f in imported.findings if f.code == "P-UNPLACED")


# --- labels ---------------------------------------------------------------------------------

@pytest.mark.parametrize("published, official", [
    ("规范性文件", "行政规范性文件"),
    ("（本数据的钩稽关系为：第一项加第二项之和）", "（本列数据的勾稽关系为：第一项加第二项之和）"),
    ("本年新\n制作数量", "本年新制作数量"),
    ("(四)结转下年继续办理", "四、结转下年度继续办理"),
    ("一、本年新收政府信息数量", "一、本年新收政府信息公开申请数量"),
    ("行政事业收费", "行政事业性收费"),
    ("第二十条第(一)项", "第二十条第（一）项"),
    ("3.危及\"三安全一稳定\"", "3.危及“三安全一稳定”"),
    ("１．属于国家秘密", "1.属于国家秘密"),
])
def test_labels_match_loosely(published, official):
    assert similarity(loose(published), loose(official)) >= 0.8


@pytest.mark.parametrize("one, other", [("行政处罚", "行政强制"), ("予以公开", "部分公开"), ("其他", "其他处理")])
def test_different_labels_do_not_match(one, other):
    assert similarity(loose(one), loose(other)) < 0.72


@pytest.mark.parametrize("heading, number", [("1、 总体情况", 1), ("二、主动公开", 2), ("（3） 围绕", 3),
                                             ("(四)强化", 4), ("6、其他", 6), ("总体情况", None)])
def test_heading_numbers(heading, number):
    assert numbering(heading) == number


# --- files that cannot be read ---------------------------------------------------------------

def _zip_needing_a_newer_unzip_version(member: str) -> bytes:
    """A zip whose central directory asks for unzip version 16.2: Python's zipfile raises
    NotImplementedError (found by the fuzz test)."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(member, "<x/>")
    data = bytearray(out.getvalue())
    at = data.index(b"PK\x01\x02")
    data[at + 6:at + 8] = b"\xa2\x00"
    return bytes(data)


@pytest.mark.parametrize("name, data, why", [
    ("missing.txt", None, "文件不存在"),
    ("old-word.doc", b"\xd0\xcf\x11\xe0 an old Word file", "不支持 .doc"),
    ("not-really.docx", b"this is not a zip", "Word 文件已损坏"),
    ("truncated.pdf", b"%PDF-1.4\n1 0 obj <<", "PDF"),
    ("blank.txt", "\n \n\t\n".encode(), "没有文字"),
    ("binary.txt", bytes(range(128, 256)) * 4, "编码"),
    ("zip-needing-a-newer-unzip-version.docx", _zip_needing_a_newer_unzip_version("word/document.xml"), "文件不完整或已损坏"),
    ("zip-needing-a-newer-unzip-version.xlsx", _zip_needing_a_newer_unzip_version("xl/workbook.xml"), "文件不完整或已损坏"),
])
def test_unreadable_files_name_the_file_and_why(tmp_path, name, data, why):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(UnreadableReport) as caught:
        read_lines(path)
    assert name in str(caught.value) and why in str(caught.value)


def test_a_figure_of_400_digits_is_a_finding_not_a_traceback(tmp_path):
    """Found by the fuzz test: 400 nines were read as inf, and the check stopped with OverflowError."""
    from toolkit.app.publishing import import_to_workbook
    from toolkit.io.published.export import export_bytes
    from toolkit.app.samples import plausible_report

    page = export_bytes(plausible_report("东河镇", "乡镇", 2025, "2021", seed=1), "html").decode()
    path = tmp_path / "figure-of-400-digits.html"
    path.write_text(page.replace("<td>27</td>", f"<td>{'9' * 400}</td>", 1), encoding="utf-8")
    done = import_to_workbook(path, tmp_path)
    assert done.workbook is not None and done.checked.unreadable is None
    assert "t2.normative.made" not in done.checked.report.values
    assert any(f.code == "P-MISSING" and "t2.normative.made" in f.cells for f in done.checked.findings)


def test_a_number_too_many_in_table_four_is_a_finding_not_a_traceback(tmp_path):
    """Found by the fuzz test: the message for numbers standing in the row-label column quoted the row's
    name, and 表四's one data row has none (IndexError)."""
    from toolkit.io.published.export import export_bytes
    from toolkit.app.samples import plausible_report

    page = export_bytes(plausible_report("东河镇", "乡镇", 2025, "2021", seed=1), "html").decode()
    table_four = page.rindex("<table")
    last_row = page.rindex("<tr>\n<td>", table_four) + len("<tr>\n")  # 表四's data row: its first number doubled
    first_number = page[last_row:page.index("\n", last_row) + 1]
    path = tmp_path / "table-four-row-with-a-number-too-many.html"
    path.write_text(page[:last_row] + first_number + page[last_row:], encoding="utf-8")
    imported = import_file(path)
    extra = next(f for f in imported.findings if f.code == "P-LABEL-NUMBER")
    assert extra.message.startswith("表四1行的数字比表格的列数多1个") and "本表的数据行没有行名" in extra.message


def test_a_long_line_of_years_is_read_without_stalling(tmp_path):
    """Found by the fuzz test: the title pattern was searched on every line, and on a long line full of
    years (12,000 characters of 2020年) it backtracked for minutes; a 2,000-character paragraph took
    0.8 s.  No title is longer than 80 characters.  (A hang guard, not a speed test.)"""
    from fuzz import time_limit

    from toolkit.io.published.export import export_bytes
    from toolkit.app.samples import plausible_report

    page = export_bytes(plausible_report("东河镇", "乡镇", 2025, "2021", seed=1), "html").decode()
    path = tmp_path / "report-with-a-long-line-of-years.html"
    path.write_text(page.replace("<body>", "<body><p>" + "2020年" * 2000 + "</p>", 1), encoding="utf-8")
    with time_limit(10):
        imported = import_file(path)
    assert (imported.report.unit, imported.report.year) == ("东河镇", 2025)


def _damaged_word_reports(folder):
    """Word reports as `xxgk export` writes them, then damaged (found by the fuzz test): python-docx
    stopped on each with an error of its own (lxml's, zlib's, AttributeError)."""
    import io
    import zipfile

    from toolkit.io.published.export import export_bytes
    from toolkit.app.samples import plausible_report

    data = export_bytes(plausible_report("东河镇", "乡镇", 2025, "2021", seed=1), "docx")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {info.filename: z.read(info) for info in z.infolist()}
        document = z.getinfo("word/document.xml")

    def package(**changed) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, body in parts.items():
                z.writestr(name, changed.get(name.replace("/", "_").replace(".", "_"), body))
        return out.getvalue()

    start = document.header_offset + 30 + len(document.filename) + len(document.extra)
    files = {
        "word-styles-part-not-xml.docx": package(word_styles_xml=b"\0" * 16),
        "word-document-part-holds-relationships.docx": package(word_document_xml=parts["_rels/.rels"]),
        "word-content-types-without-part-name.docx": package(
            **{"[Content_Types]_xml": parts["[Content_Types].xml"].replace(b"PartName=", b"Name=", 1)}),
        "word-compressed-text-corrupt.docx": data[:start + 8] + b"\xff" * 64 + data[start + 72:],
    }
    for name, body in files.items():
        (folder / name).write_bytes(body)
    return {name: folder / name for name in files}


@pytest.fixture(scope="module")
def damaged_word(tmp_path_factory):
    return _damaged_word_reports(tmp_path_factory.mktemp("damaged-word"))


@pytest.mark.parametrize("name", ["word-styles-part-not-xml.docx", "word-document-part-holds-relationships.docx",
                                  "word-content-types-without-part-name.docx", "word-compressed-text-corrupt.docx"])
def test_damaged_word_reports_name_the_file_and_say_it_is_damaged(damaged_word, name):
    with pytest.raises(UnreadableReport) as caught:
        read_lines(damaged_word[name])
    assert name in str(caught.value) and "已损坏" in str(caught.value)  # the part named where intake finds it


def test_the_importer_core_needs_no_file_format_library():
    import subprocess
    import sys

    code = ("import sys, toolkit.io.published.importer; bad = [m for m in ('pandas', 'openpyxl', 'xlwings', 'docx',"
            " 'pdfplumber', 'lxml') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_text_that_is_no_report_is_unreadable(tmp_path):
    path = tmp_path / "通知.txt"
    path.write_text("关于做好春节期间安全生产工作的通知\n各村、社区：\n请认真做好安全生产工作。\n", encoding="utf-8")
    with pytest.raises(UnreadableReport) as caught:
        import_file(path)
    assert "通知.txt" in str(caught.value) and "不像是政府信息公开工作年度报告" in str(caught.value)
