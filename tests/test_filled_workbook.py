"""The report's workbook filled into the blank template built once (toolkit.io.workbook.filled) is the
workbook openpyxl builds for it (`template_bytes(report=..., keep_totals=True)`): the same bytes
where no text needs a quote prefix, else the same cells read back; valid Open XML; the same totals
when LibreOffice recalculates it (issue 12, part 6)."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from openpyxl import load_workbook

import ooxml_validator
from conftest import run_libreoffice
from published_files import FIXTURES, word_tables_merged_cells_2019
from toolkit.core.formats import common, get_format
from toolkit.core.layout import workbook_layout
from toolkit.core.model import Report
from toolkit.io.published.importer import import_file
from toolkit.io.published.totals import disagreeing_totals
from toolkit.core.rules import computed_totals
from toolkit.app.samples import plausible_report, zequ_2022
from toolkit.io.workbook import filled
from toolkit.io.workbook.filled import filled_bytes
from toolkit.io.workbook.reader import read_workbook
from toolkit.io.workbook.template import template_bytes

# Texts a spreadsheet would take for a formula (input_text.toml's csv_formula_starts), and text
# XML escapes or cannot hold.
FORMULA_LIKE = {"unit": '=HYPERLINK("http://example.com","青山镇")', "filler": "@张三", "phone": "+86 0000-0000000",
                "overview": "=cmd|' /C calc'!A0", "problems": "-无", "other": "+本年度无其他事项"}
ODD_TEXT = " 一、总体情况 & <b>加粗</b>\r\n\t第二行 😀\x01 "


def _previous(version: str) -> dict:
    """Last year's figures for every cell of the 上年数据 block (negative where the cell is signed)."""
    fmt = get_format(version)
    return {cid: (-(i + 1) if fmt.cells[cid].kind == "signed" else 3 * i + 1)
            for i, cid in enumerate(fmt.previous_cells)}


def _reports(tmp_path_factory) -> dict[str, Report]:
    reports = {"zequ_2022 sample": zequ_2022()}
    for path in sorted(FIXTURES.iterdir()):
        if path.suffix in (".txt", ".html"):
            reports[f"imported {path.name}"] = import_file(path).report
    docx = word_tables_merged_cells_2019(tmp_path_factory.mktemp("word") / "word.docx")
    reports["imported Word 2019"] = import_file(docx).report

    quoted = plausible_report("青山镇", "乡镇", 2025, "2021", seed=3)
    quoted.unit = FORMULA_LIKE["unit"]
    quoted.info.update(filler=FORMULA_LIKE["filler"], phone=FORMULA_LIKE["phone"])
    quoted.texts = {part: FORMULA_LIKE[part] for part in ("overview", "problems", "other")}
    reports["texts starting = + - @"] = quoted

    odd = plausible_report("东河镇", "乡镇", 2025, "2021", seed=4)
    odd.texts["overview"] = ODD_TEXT
    odd.texts["other"] = "\x02"  # nothing XML can hold: an empty text cell
    money = next(cid for cid, cell in get_format("2021").cells.items() if cell.kind == "money" and not cell.total)
    odd.values[money] = 12.345  # a fraction, written as "%.16g" as openpyxl writes it
    reports["text XML escapes"] = odd

    with_previous = plausible_report("北关街道", "街道", 2025, "2021", seed=5)
    with_previous.previous = _previous("2021")
    reports["previous-year values 2021"] = with_previous
    old = plausible_report("北关街道", "街道", 2020, "2019", seed=6)
    old.previous = _previous("2019")
    reports["2019 format with previous-year values"] = old

    wrong = plausible_report("青山镇", "乡镇", 2025, "2021", seed=7)
    wrong.values["t4.review.total"] = wrong.values.get("t4.review.total", 0) + 5
    reports["published total that disagrees"] = wrong
    return reports


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, tuple[Report, Path, Path]]:
    """Each report's workbook, built by openpyxl and filled."""
    folder = tmp_path_factory.mktemp("filled")
    out = {}
    for i, (name, report) in enumerate(_reports(tmp_path_factory).items()):
        built, fill = folder / f"{i}-built.xlsx", folder / f"{i}-filled.xlsx"
        built.write_bytes(template_bytes(report=report, keep_totals=True))
        fill.write_bytes(filled_bytes(report))
        out[name] = (report, built, fill)
    return out


def _kept(report: Report) -> bool:
    return bool(disagreeing_totals(report))


def test_the_reports_cover_what_the_fill_writes(written):
    reports = [r for r, _, _ in written.values()]
    assert {r.format for r in reports} == {"2019", "2021"}
    assert any(r.previous for r in reports if r.format == "2019") and any(r.previous for r in reports
                                                                         if r.format == "2021")
    assert sum(_kept(r) for r in reports) >= 2  # the HTML fixture's wrong total, and the made-up one


@pytest.mark.parametrize("name", [
    "zequ_2022 sample", "imported empty-tables-2019.txt", "imported html-tables-rowspan-colspan-wrong-total-and-quote-2021.html",
    "imported web-text-one-cell-a-line-2021.txt", "imported zequ-town-2022-published.txt", "imported Word 2019",
    "texts starting = + - @", "text XML escapes", "previous-year values 2021", "2019 format with previous-year values",
    "published total that disagrees"])
def test_the_filled_workbook_reads_back_as_the_built_one(written, name):
    report, built, fill = written[name]
    a, b = read_workbook(built), read_workbook(fill)
    assert b.report == a.report
    assert [dataclasses.replace(f, source=None) for f in b.findings] == \
        [dataclasses.replace(f, source=None) for f in a.findings]
    # and the report itself came through: its entries (totals are formulas, computed when a
    # spreadsheet program opens the file), previous-year values, unit and year
    cells = get_format(report.format).cells
    entries = {k: v for k, v in report.values.items() if not cells[k].total}
    assert {k: v for k, v in b.report.values.items() if k in entries} == entries
    assert b.report.previous == report.previous
    assert b.report.unit == report.unit and b.report.year == report.year


def test_the_fill_is_the_openpyxl_build_byte_for_byte_where_no_text_needs_a_quote_prefix(written):
    same = [name for name, (report, built, fill) in written.items() if built.read_bytes() == fill.read_bytes()]
    assert sorted(same) == sorted(n for n in written if n != "texts starting = + - @")


def test_the_fast_path_fills_every_report_without_a_disagreeing_total(written):
    for name, (report, _, _) in written.items():
        assert (filled._filled(report) is None) == _kept(report), name


def test_formula_like_texts_are_text_with_the_quote_prefix_never_formulas(written):
    report, built, fill = written["texts starting = + - @"]
    assert built.read_bytes() != fill.read_bytes()  # openpyxl numbers the quote-prefixed styles otherwise
    layout = workbook_layout("2021")
    books = load_workbook(built), load_workbook(fill)
    cells = {"info.unit": FORMULA_LIKE["unit"], "info.filler": FORMULA_LIKE["filler"],
             "info.phone": FORMULA_LIKE["phone"], **{f"text.{p}": FORMULA_LIKE[p] for p in ("overview", "problems", "other")}}
    for cid, value in cells.items():
        sheet, address = layout.address(cid)
        for wb in books:
            cell = wb[sheet][address]
            assert (cell.value, cell.data_type, cell.quotePrefix) == (value, "s", True), cid
    # the other cells keep their styles, without the prefix
    for wb in books:
        sheet, address = layout.address("info.level")
        assert wb[sheet][address].quotePrefix is False
        assert wb[sheet][address].fill.fgColor.rgb.endswith(common().fills["entry"])


def test_every_filled_workbook_is_valid_open_xml(written):
    files = [fill for _, _, fill in written.values()]
    verdicts = ooxml_validator.errors_of_all(files)
    assert all(not found for found in verdicts.values()), "\n".join(
        ooxml_validator.described(p, found) for p, found in verdicts.items() if found)


def test_filling_again_keeps_nothing_of_the_report_filled_before(tmp_path):
    first = plausible_report("甲镇", "乡镇", 2025, "2021", seed=8)
    first.previous = _previous("2021")
    first.texts["overview"] = "=甲镇的文字"
    filled_bytes(first)
    blank = filled_bytes(Report(format="2021"))
    assert blank == template_bytes("2021")  # the cached template is as built
    second = Report(unit="乙镇", year=2024, format="2021", values={"t3.new.natural": 2})
    path = tmp_path / "乙镇2024.xlsx"
    path.write_bytes(filled_bytes(second))
    back = read_workbook(path).report
    assert back.unit == "乙镇" and back.previous == {} and not any(back.texts.values())
    entries = {k: v for k, v in back.values.items() if not get_format("2021").cells[k].total}
    assert {k: v for k, v in entries.items() if v} == {"t3.new.natural": 2}
    assert filled._blank.cache_info().hits >= 2  # built once, filled from again


def test_libreoffice_recalculates_the_same_totals_as_in_the_built_workbook(written, tmp_path):
    names = ["previous-year values 2021", "2019 format with previous-year values", "zequ_2022 sample"]
    tasks, outputs = [], []
    for i, name in enumerate(names):
        _, built, fill = written[name]
        for kind, path in (("built", built), ("filled", fill)):
            out = tmp_path / f"{i}-{kind}-recalculated.xlsx"
            tasks.append({"op": "recalc", "in": str(path), "out": str(out)})
            outputs.append((name, kind, out))
    run_libreoffice(tasks)
    totals = {}
    for name, kind, out in outputs:
        report = written[name][0]
        values = read_workbook(out).report.values
        totals[name, kind] = {cid: values.get(cid) for cid in get_format(report.format).total_cells}
    for name in names:
        report = written[name][0]
        assert totals[name, "filled"] == totals[name, "built"]
        assert totals[name, "filled"] == computed_totals(report)
