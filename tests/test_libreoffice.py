"""The standard workbook in a real spreadsheet application: headless LibreOffice (Debian's, driven
through UNO in a subprocess).  Totals recalculate to what the checker computes, a broken relation
carries its conditional format and is drawn red, entry cells are validated and the rest locked."""
import re
import shutil
import subprocess

import pytest

from conftest import fill_workbook, run_libreoffice
from toolkit.core.formats import get_format
from toolkit.core.layout import workbook_layout
from toolkit.core.rules import check, computed_totals
from toolkit.app.samples import plausible_report, zequ_2022
from toolkit.io.workbook.reader import read_workbook
from workbooks import entries, info_of

T3 = "表三 依申请公开"
ERROR_FILL = "FFC7CE"


@pytest.fixture(scope="module")
def filled(tmp_path_factory, templates, macro_templates):
    """Workbooks filled as a user would, then recalculated and saved by LibreOffice; keys ending in
    -xlsm were filled from the macro-enabled workbook."""
    folder = tmp_path_factory.mktemp("lo")
    reports = {
        "2021": plausible_report("东河镇", "乡镇", 2025, "2021", seed=11),
        "2019": plausible_report("北关街道", "街道", 2020, "2019", seed=12),
        "zequ": zequ_2022(),
    }
    typed = {k: fill_workbook(templates[r.format], folder / f"{k}-typed.xlsx", entries(r), info_of(r), r.texts)
             for k, r in reports.items()}
    typed.update({f"{k}-xlsm": fill_workbook(macro_templates[r.format], folder / f"{k}-typed.xlsm", entries(r),
                                              info_of(r), r.texts) for k, r in reports.items()})
    typed["formula"] = fill_workbook(templates["2021"], folder / "formula-in-entry-cell.xlsx",
                                     {**entries(reports["2021"]), "t3.new.natural": "=10+7"}, info_of(reports["2021"]))
    typed["text"] = fill_workbook(templates["2021"], folder / "text-number-in-entry-cell.xlsx",
                                  {**entries(reports["2021"]), "t3.new.natural": "１７件"}, info_of(reports["2021"]))
    saved = {k: folder / f"{k}-saved-by-libreoffice.xlsx" for k in typed}
    tasks = [{"op": "recalc", "in": str(typed[k]), "out": str(saved[k])} for k in typed]
    tasks.append({"op": "insert_rows", "in": str(saved["2021"]), "out": str(folder / "row-inserted-by-libreoffice.xlsx"),
                  "sheet": T3, "before": 7, "count": 2})
    run_libreoffice(tasks)
    saved["row-inserted"] = folder / "row-inserted-by-libreoffice.xlsx"
    return reports, typed, saved


@pytest.mark.parametrize("key", ["2021", "2019", "2021-xlsm", "2019-xlsm"])
def test_libreoffice_totals_equal_the_checkers_computed_totals(filled, key):
    reports, _, saved = filled
    result = read_workbook(saved[key])
    report = reports[key.removesuffix("-xlsm")]
    expected = computed_totals(report)
    fmt = get_format(report.format)
    assert set(expected) == set(fmt.total_cells)
    assert {cid: result.report.values[cid] for cid in expected} == expected
    assert result.findings == [] and check(result.report) == []


@pytest.mark.parametrize("key", ["2021", "2019", "zequ", "2021-xlsm", "zequ-xlsm"])
def test_libreoffice_saved_workbook_reads_exactly_as_our_own(filled, key):
    """The same workbook as the toolkit writes it filled and as LibreOffice saves it (Calc's xlsx
    filter: shared strings, its own styles and workbook.xml, cached totals) reads the same: every
    field, text, figure and 上年数据, the same reader findings and the same rule findings.  (Our own
    totals have no cached value: the reader leaves them to the checker, which computes them.  A text
    number in an entry cell is left out of LibreOffice's SUM, so that workbook is not among these.)"""
    _, typed, saved = filled
    ours, theirs = read_workbook(typed[key]), read_workbook(saved[key])
    a, b = ours.report, theirs.report
    assert (a.format, a.unit, a.level, a.year, a.info, a.texts, a.previous) == \
        (b.format, b.unit, b.level, b.year, b.info, b.texts, b.previous)
    totals = set(get_format(a.format).total_cells)
    assert {k: v for k, v in a.values.items() if k not in totals} == {k: v for k, v in b.values.items() if k not in totals}
    assert {k: v for k, v in b.values.items() if k in totals} == {**computed_totals(a), **{
        k: v for k, v in a.values.items() if k in totals}}
    assert ours.findings == theirs.findings
    assert check(a) == check(b)
    assert ours.positions == theirs.positions


@pytest.mark.parametrize("key", ["zequ", "zequ-xlsm"])
def test_sample_totals_and_balance_after_libreoffice(filled, key):
    _, _, saved = filled
    report = read_workbook(saved[key]).report
    assert (report.values["t3.new.total"], report.values["t3.carried.total"], report.values["t3.result.total.total"]) \
        == (17, 8, 0)
    assert {f.cells[0] for f in check(report) if f.code == "T3-BALANCE"} == {
        "t3.new.nonprofit", "t3.new.other", "t3.new.total"}


def _true_relation_cells(cf_items):
    return {cell for item in cf_items if item["true"] and "ROUND(" in item["formula"] for cell in item["cells"]}


@pytest.mark.parametrize("suffix", ["", "-xlsm"])
def test_broken_relation_carries_the_conditional_format(filled, suffix):
    reports, typed, _ = filled
    cf, cf_ok = run_libreoffice([{"op": "cf", "in": str(typed["zequ" + suffix]), "sheet": T3},
                                 {"op": "cf", "in": str(typed["2021" + suffix]), "sheet": T3}])
    layout = workbook_layout("2019")
    marked = {layout.address(c)[1] for f in check(reports["zequ"]) if f.code.startswith("T3-") for c in f.cells}
    assert _true_relation_cells(cf) == marked == {f"{col}{row}" for col in "GIJ" for row in (5, 6, 26, 27)}
    assert all(item["fill"] == ERROR_FILL for item in cf if item["true"])
    assert _true_relation_cells(cf_ok) == set()


def test_text_in_an_entry_cell_is_marked(filled):
    _, typed, _ = filled
    cf, = run_libreoffice([{"op": "cf", "in": str(typed["text"]), "sheet": T3}])
    entry_rule = next(item for item in cf if item["cells"][0].startswith("D5:"))
    assert entry_rule["true"] is True and "ISTEXT" in entry_rule["formula"]


def _red_pixels(pdf, tmp_path) -> int:
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed; run .ci/run to install it"
    subprocess.run(["pdftoppm", "-r", "30", str(pdf), str(tmp_path / "page")], check=True)
    red = 0
    for ppm in tmp_path.glob("page*.ppm"):
        data = ppm.read_bytes()
        header = re.match(rb"P6\s+\d+\s+\d+\s+255\s", data)  # then width × height RGB triples
        pixels = data[header.end():]
        red += sum(1 for i in range(0, len(pixels) - 2, 3)
                   if abs(pixels[i] - 0xFF) < 8 and abs(pixels[i + 1] - 0xC7) < 8 and abs(pixels[i + 2] - 0xCE) < 8)
    return red


def test_broken_relation_is_drawn_red_when_printed(filled, tmp_path):
    _, typed, _ = filled
    bad, good = tmp_path / "bad.pdf", tmp_path / "good.pdf"
    run_libreoffice([{"op": "pdf", "in": str(typed["zequ"]), "out": str(bad), "sheets": [T3]},
                     {"op": "pdf", "in": str(typed["2021"]), "out": str(good), "sheets": [T3]}])
    (tmp_path / "bad").mkdir(), (tmp_path / "good").mkdir()
    assert _red_pixels(bad, tmp_path / "bad") > 100
    assert _red_pixels(good, tmp_path / "good") == 0


def test_formula_typed_into_an_entry_cell_is_read_by_its_value(filled):
    _, _, saved = filled
    result = read_workbook(saved["formula"])
    assert result.report.values["t3.new.natural"] == 17
    assert not [f for f in result.findings if f.code == "R-UNCALCULATED"]


def test_text_number_saved_by_libreoffice_is_read_from_shared_strings(filled):
    _, _, saved = filled
    result = read_workbook(saved["text"])
    assert result.report.values["t3.new.natural"] == 17
    assert [f.cells for f in result.findings if f.code == "R-TEXT-NUMBER"] == [("t3.new.natural",)]
    assert result.report.unit == "东河镇"  # strings LibreOffice keeps in sharedStrings.xml


def test_defined_names_follow_rows_inserted_in_libreoffice(filled):
    reports, _, saved = filled
    result = read_workbook(saved["row-inserted"])
    assert result.positions["t3.result.open.natural"] == (T3, "D9")  # was D7; two rows inserted above
    assert {k: v for k, v in result.report.values.items() if not get_format("2021").cells[k].total} == \
        entries(reports["2021"])


@pytest.mark.parametrize("kind", ["xlsx", "xlsm"])
def test_protection_and_validation_as_libreoffice_sees_them(templates, macro_templates, kind):
    template = (templates if kind == "xlsx" else macro_templates)["2021"]
    sheets, cells = run_libreoffice([
        {"op": "sheet_info", "in": str(template)},
        {"op": "cell_info", "in": str(template), "sheet": T3, "cells": ["D5", "J5", "D28", "A5"]},
    ])
    assert all(sheets[name]["protected"] for name in ("填报说明", "单位信息", T3, "表二 主动公开", "表四 复议诉讼", "文字部分"))
    assert sheets["校验结果"]["protected"] is False
    assert cells["D5"]["locked"] is False and cells["D5"]["validation_kind"] == "WHOLE"
    assert cells["D5"]["show_error"] and "整数" in cells["D5"]["validation_error"]
    assert cells["J5"]["locked"] and cells["D28"]["locked"] and cells["A5"]["locked"]


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_libreoffice_binds_every_button_to_its_macro_in_the_vba_project(macro_templates, version):
    """LibreOffice loads the .xlsm's VBA project (in VBA mode) and binds each form-control button to
    the macro it names; it binds a button only when that macro exists in the project."""
    from toolkit.core.formats import common
    from toolkit.io.workbook.macro_workbook import sheet_code_name

    basic, controls, sheets = run_libreoffice([{"op": op, "in": str(macro_templates[version])}
                                               for op in ("basic", "controls", "sheet_info")])
    assert basic["vba_mode"]
    buttons_module = basic["modules"]["VBAProject.XxgkButtons"]
    assert {"VBAProject.xlwings", "VBAProject.Dictionary", "VBAProject.ThisWorkbook"} <= set(basic["modules"])
    expected = [{"name": f"Button {i}", "label": b.caption,
                 "events": [f"XActionListener.actionPerformed -> [Script] "
                            f"vnd.sun.star.script:VBAProject.XxgkButtons.{b.macro}?language=Basic&location=document"]}
                for i, b in enumerate(common().buttons, start=1)]
    tables = {t.name for t in workbook_layout(version).tables}
    assert tables <= set(controls)  # the loop below looks at every table sheet (it passed on none)
    for sheet, found in controls.items():
        assert found == (expected if sheet in tables else []), sheet
    for b in common().buttons:
        assert f"Sub {b.macro}()" in buttons_module
    assert [info["code_name"] for info in sheets.values()] == [sheet_code_name(i) for i in range(1, len(sheets) + 1)]
    assert all(f"VBAProject.{sheet_code_name(i)}" in basic["modules"] for i in range(1, len(sheets) + 1))
