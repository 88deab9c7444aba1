"""Real workbook files for the tests, each named after the defect it carries.

Each is made from a freshly built standard workbook and then filled as a user would (openpyxl
writing only the cells a user types into), or broken the way users break them.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl

from conftest import fill_workbook
from toolkit.formats import get_format
from toolkit.samples import plausible_report, zequ_2022


def entries(report) -> dict:
    """The report's entry cells only: totals are the workbook's formulas."""
    fmt = get_format(report.format)
    return {k: v for k, v in report.values.items() if not fmt.cells[k].total}


def info_of(report) -> dict:
    return {"info.unit": report.unit, "info.level": report.level, "info.year": report.year,
            "info.filler": "李四", "info.phone": "0971-1234567"}


CONSISTENT_2021 = plausible_report("东河镇", "乡镇", 2025, "2021", seed=1)
CONSISTENT_2019 = plausible_report("北关街道", "街道", 2020, "2019", seed=2)


def _without_names(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    wb.save(path)


def make_all(folder: Path, templates: dict) -> dict[str, Path]:
    files = {}

    def fill(name, version, report=None, values=None, info=None, texts=None, raw=None):
        values = {**(entries(report) if report else {}), **(values or {})}
        info = {**(info_of(report) if report else {}), **(info or {})}
        files[name] = fill_workbook(templates[version], folder / name, values, info,
                                    texts if texts is not None else (report.texts if report else None), raw)
        return files[name]

    zequ = zequ_2022()
    fill("2019-zequ-sample-unbalanced.xlsx", "2019", zequ)
    fill("2021-consistent.xlsx", "2021", CONSISTENT_2021)
    fill("2019-consistent.xlsx", "2019", CONSISTENT_2019)
    fill("fullwidth-digits-text-and-units.xlsx", "2021", CONSISTENT_2021, values={
        "t3.new.natural": "１２", "t3.new.research": "3件", "t2.normative.made": " 5 ", "t2.penalty.decisions": "1,136",
        "t2.fees.amount": "12.5万元"})
    fill("blank-entry-cells.xlsx", "2021", values={"t3.new.natural": 2, "t3.result.open.natural": 2},
         info=info_of(CONSISTENT_2021))
    fill("words-for-zero.xlsx", "2021", CONSISTENT_2021, values={"t4.review.upheld": "无", "t4.review.corrected": "—"})
    fill("not-a-number.xlsx", "2021", CONSISTENT_2021, values={"t3.new.natural": "十七", "t2.fees.amount": "125000元"})
    fill("negative-and-fractional-counts.xlsx", "2021", CONSISTENT_2021,
         values={"t4.direct.upheld": -2, "t2.licensing.decisions": 2.5})
    fill("total-typed-over.xlsx", "2021", CONSISTENT_2021, raw={("表三 依申请公开", "J5"): 99})
    fill("formula-never-calculated-in-entry-cell.xlsx", "2021", CONSISTENT_2021, values={"t3.new.natural": "=10+7"})
    fill("year-not-a-year.xlsx", "2021", CONSISTENT_2021, info={"info.year": "二〇二五"})
    _without_names(fill("defined-names-lost.xlsx", "2021", CONSISTENT_2021))
    broken = fill("defined-names-lost-row-inserted.xlsx", "2021", CONSISTENT_2021)
    wb = openpyxl.load_workbook(broken)
    wb["表三 依申请公开"].insert_rows(7)
    wb.save(broken)
    _without_names(broken)
    deleted = fill("table-sheet-deleted.xlsx", "2021", CONSISTENT_2021)
    wb = openpyxl.load_workbook(deleted)
    del wb["表四 复议诉讼"]
    wb.save(deleted)
    # openpyxl writes text as inline strings (<is>), as some other writers do; LibreOffice and Excel
    # write shared strings, which the LibreOffice tests cover.
    fill("inline-strings-text-numbers.xlsx", "2019", CONSISTENT_2019,
         values={"t3.new.natural": "7件", "t2.normative.new_made": "４"})
    files["not-a-workbook.xlsx"] = folder / "not-a-workbook.xlsx"
    files["not-a-workbook.xlsx"].write_text("这不是工作簿", encoding="utf-8")
    whole = files["2021-consistent.xlsx"].read_bytes()
    files["truncated-download.xlsx"] = folder / "truncated-download.xlsx"
    files["truncated-download.xlsx"].write_bytes(whole[: len(whole) // 2])
    files["zip-without-workbook.xlsx"] = folder / "zip-without-workbook.xlsx"
    with zipfile.ZipFile(files["zip-without-workbook.xlsx"], "w") as z:
        z.writestr("readme.txt", "hello")
    fill("last-year-figures-disagree-with-carried-over.xlsx", "2021", CONSISTENT_2021, info={
        "prev.t3.forward.natural": CONSISTENT_2021.values["t3.carried.natural"] + 4, "prev.t3.forward.legal": "２件",
        "prev.t2.rules.in_force": "很多"})
    _without_names(fill("format-cell-overwritten-names-lost.xlsx", "2019", CONSISTENT_2019,
                        info={"info.format": "2020年"}))
    files["someone-elses-spreadsheet.xlsx"] = folder / "someone-elses-spreadsheet.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["单位", "申请数"])
    wb.active.append(["某镇", 3])
    wb.save(files["someone-elses-spreadsheet.xlsx"])
    return files
