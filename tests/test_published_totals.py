"""A published report whose printed 总计 disagrees with the sum of its parts: `xxgk import` keeps the
printed figure in the workbook, so `xxgk check` of the workbook and `xxgk consolidate` of it give
the same finding as the import did (issue 12, part 2)."""
from __future__ import annotations

import json

from openpyxl import load_workbook

import ooxml_validator
from conftest import run_libreoffice
from test_cli import run
from toolkit.core.formats import common, get_format
from toolkit.core.layout import workbook_layout
from toolkit.core.model import Report
from toolkit.app.publishing import import_to_workbook
from toolkit.io.published.export import export_bytes
from toolkit.io.published.totals import disagreeing_totals
from toolkit.core.rules import check
from toolkit.app.samples import plausible_report
from toolkit.io.workbook.reader import read_workbook

UNIT, YEAR = "青山镇", 2025
REVIEW = ("t4.review.upheld", "t4.review.corrected", "t4.review.other", "t4.review.pending")


def _published(tmp_path, printed_total: int | None) -> tuple:
    """An HTML report as a county's web page prints it: 行政复议 10 + 1 + 0 + 0, with the printed
    总计 `printed_total` (None: the true sum)."""
    report = plausible_report(UNIT, "乡镇", YEAR, "2021")
    report.values.update(dict(zip(REVIEW, (10, 1, 0, 0))))
    if printed_total is not None:
        report.values["t4.review.total"] = printed_total
    name = "行政复议总计印错" if printed_total is not None else "合计无误"
    path = tmp_path / f"{UNIT}{YEAR}年{name}.html"
    path.write_bytes(export_bytes(report, "html"))
    return path, report


def _key(f: dict) -> tuple:
    return f["code"], tuple(f["cells"]), f["reported"], f["computed"], f["sheet"], f["address"]


RELATION_CODES = {rel.rule.code for rel in get_format("2021").relations}


def _relation_findings(findings) -> list[tuple]:
    """The findings of the format's relations (T3-…, T4-…, Y-…), as comparable tuples."""
    return sorted(_key(f) for f in findings if f["code"] in RELATION_CODES)


def test_a_printed_total_that_disagrees_is_kept_through_import_check_and_consolidate(tmp_path):
    source, printed = _published(tmp_path, printed_total=0)
    assert check(printed) and disagreeing_totals(printed) == {"t4.review.total": (0, 11)}

    # import: the finding, located in the workbook written
    imported = import_to_workbook(source, tmp_path / "导入")
    at_import = _relation_findings([f.to_dict() for f in imported.checked.findings])
    layout = workbook_layout("2021")
    sheet, address = layout.address("t4.review.total")
    assert at_import == [("T4-TOTAL", ("t4.review.total",), 0, 11, sheet, address)]
    done = run("import", source, "-o", tmp_path / "命令行导入")
    assert done.returncode == 1 and "T4-TOTAL" in done.stdout, done.stdout

    # the workbook: the printed figure in the total cell, a number with a note giving the sum and the formula
    workbook = imported.workbook
    ws = load_workbook(workbook)[sheet]
    assert ws[address].value == 0 and ws[address].data_type == "n"
    note = ws[address].comment.text
    assert "0" in note and "11" in note and "=SUM(" in note
    other = layout.address("t4.direct.total")[1]
    assert str(ws[other].value).startswith("=SUM(")  # a total that agrees stays a formula
    assert read_workbook(workbook).report.values["t4.review.total"] == 0

    # xxgk check of the written workbook: the same finding
    checked = run("check", workbook, "--json")
    assert checked.returncode == 1, checked.stderr
    (entry,) = json.loads(checked.stdout)["files"]
    assert _relation_findings(entry["findings"]) == at_import

    # xxgk consolidate of it: the same finding on 校验结果, with unit and file
    summary = tmp_path / "某县汇总.xlsx"
    done = run("consolidate", workbook, "--unit", "某县", "--year", YEAR, "-o", summary)
    assert done.returncode == 1 and summary.exists(), done.stdout + done.stderr
    def r_unit(row):  # the first column: the unit's name
        return row[header[0]]

    rows = list(load_workbook(summary)[common().sheets["findings"]].iter_rows(values_only=True))
    header = rows[0]
    found = [dict(zip(header, r)) for r in rows[1:] if r[header.index("代码")] == "T4-TOTAL"]
    assert len(found) == 1
    (f,) = found
    assert (r_unit(f), f["工作表"], f["单元格"], f["填报值"], f["计算值"]) == (UNIT, sheet, address, 0, 11)
    # and the county's own total is the sum of the parts it adds up
    summed = read_workbook(summary).report
    assert all(summed.values[c] == v for c, v in zip(REVIEW, (10, 1, 0, 0)))


def test_a_consistent_imported_report_keeps_formulas_and_checks_clean(tmp_path):
    source, report = _published(tmp_path, printed_total=None)
    assert not [f for f in check(report) if f.is_error] and not disagreeing_totals(report)
    imported = import_to_workbook(source, tmp_path / "导入")
    assert not [f for f in imported.checked.findings if f.code in RELATION_CODES]
    wb = load_workbook(imported.workbook)
    layout = workbook_layout("2021")
    for sheet in layout.tables:
        for cid in sheet.cells:
            if cid in layout.fmt.formulas:
                cell = wb[sheet.name].cell(*sheet.cells[cid])
                assert str(cell.value).startswith("=") and cell.comment is None, cid
    checked = run("check", imported.workbook, "--json")
    (entry,) = json.loads(checked.stdout)["files"]
    assert not [f for f in entry["findings"] if f["severity"] == "错误"], entry["findings"]
    assert checked.returncode == 0, checked.stdout


def test_an_unfilled_report_never_keeps_a_total(tmp_path):
    assert disagreeing_totals(Report(format="2021")) == {}


def test_the_kept_total_is_marked_red_in_libreoffice_and_the_file_is_valid_open_xml(tmp_path):
    """The county opening the imported workbook sees the printed 0 marked like any broken relation,
    and LibreOffice recalculating it keeps the printed figure (a number, not a formula)."""
    source, _ = _published(tmp_path, printed_total=0)
    workbook = import_to_workbook(source, tmp_path / "导入").workbook
    assert ooxml_validator.errors(workbook) == []
    sheet, address = workbook_layout("2021").address("t4.review.total")
    recalculated = tmp_path / "青山镇导入后LibreOffice重新计算.xlsx"
    cf, _, (read,) = run_libreoffice([{"op": "cf", "in": str(workbook), "sheet": sheet},
                                      {"op": "recalc", "in": str(workbook), "out": str(recalculated)},
                                      {"op": "read", "in": str(recalculated), "cells": [[sheet, address]]}])
    marked = {c for item in cf if item["true"] and "ROUND(" in item["formula"] for c in item["cells"]}
    assert address in marked
    assert all(item["fill"] == common().severity_colors["错误"]["fill"] for item in cf if item["true"])
    assert read["value"] == 0 and not read["formula"].startswith("=")  # LibreOffice gives a constant's text
    findings = [f for f in check(read_workbook(recalculated).report) if f.code in RELATION_CODES]
    assert [(f.code, f.cells, f.reported, f.computed) for f in findings] == [("T4-TOTAL", ("t4.review.total",), 0, 11)]
