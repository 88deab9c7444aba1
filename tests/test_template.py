"""The standard workbook as built: sheets, names, formulas, validation, protection, printing."""
import openpyxl
import pytest

from toolkit.core.formats import VERSIONS, common, get_format
from toolkit.core.formulas import total_formulas
from toolkit.core.layout import a1, workbook_layout
from toolkit.core.model import Report
from toolkit.io.workbook.build_templates import template_files
from toolkit.io.workbook.template import template_bytes


def test_committed_templates_are_what_the_generator_builds_now():
    for path, data in template_files().items():
        assert path.exists(), f"{path.name} is missing: run python -m toolkit.io.workbook.build_templates"
        assert path.read_bytes() == data, f"{path.name} is stale: run python -m toolkit.io.workbook.build_templates"


def test_the_same_content_builds_the_same_bytes():
    report = Report(unit="泽曲镇", level="乡镇", year=2025)
    assert template_bytes(report=report) == template_bytes(report=report)


@pytest.fixture(scope="module", params=VERSIONS)
def workbook(request, templates):
    return request.param, openpyxl.load_workbook(templates[request.param])


def test_sheets_in_order(workbook):
    version, wb = workbook
    fmt = get_format(version)
    s = common().sheets
    assert wb.sheetnames == [s["guide"], s["info"], *[t.sheet for t in fmt.tables], s["texts"], s["findings"]]
    assert wb[s["findings"]]["A1"].value == "代码" and wb[s["findings"]]["E1"].value == "说明"


def test_every_cell_has_a_defined_name_at_its_layout_place(workbook):
    version, wb = workbook
    layout = workbook_layout(version)
    fmt = layout.fmt
    assert layout.previous  # 上年数据: one named cell per last-year figure the cross-year rules read
    for cid in list(fmt.cells) + list(layout.info) + list(layout.previous) + [f"text.{t}" for t in layout.texts]:
        (sheet, ref), = wb.defined_names[cid].destinations
        expected_sheet, row, col = layout.where(cid)
        assert (sheet, ref) == (expected_sheet, a1(row, col, absolute=True))


def test_totals_are_formulas_and_entries_are_open(workbook):
    version, wb = workbook
    layout = workbook_layout(version)
    formulas = total_formulas(layout)
    for cid, cell in layout.fmt.cells.items():
        sheet, row, col = layout.where(cid)
        c = wb[sheet].cell(row, col)
        if cell.total:
            assert c.value == formulas[cid] and c.protection.locked
        else:
            assert c.value is None and not c.protection.locked
    t3 = wb["表三 依申请公开"]
    assert t3["J5"].value == "=SUM(D5:I5)"
    assert t3["D5"].value is None


def test_labels_are_exact_and_merged_like_the_official_table(workbook):
    version, wb = workbook
    t3 = wb["表三 依申请公开"]
    assert t3["A1"].value == "三、收到和处理政府信息公开申请情况"
    assert t3["A2"].value == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    merged = {str(r) for r in t3.merged_cells.ranges}
    assert {"A2:C4", "D2:J2", "D3:D4", "E3:I3", "J3:J4", "A5:C5", "B9:B16"} <= merged
    assert t3["A7"].value == "三、本年度办理结果" and t3["C9"].value == "1.属于国家秘密"
    t4 = wb["表四 复议诉讼"]
    assert {"A2:E2", "F2:O2", "F3:J3", "K3:O3", "A3:A4"} <= {str(r) for r in t4.merged_cells.ranges}
    t2 = wb["表二 主动公开"]
    assert t2["A2"].value == "第二十条第（一）项" and t2["A3"].value == "信息内容"


def test_protection_without_password_and_validation(workbook):
    version, wb = workbook
    for name in wb.sheetnames:
        ws = wb[name]
        if name == common().sheets["findings"]:
            assert not ws.protection.sheet
            continue
        assert ws.protection.sheet and not ws.protection.password
        assert ws.protection.formatCells is False  # colouring findings stays possible
    t3 = wb["表三 依申请公开"]
    rules = t3.data_validations.dataValidation
    whole = [dv for dv in rules if dv.type == "whole"]
    assert whole and whole[0].operator == "greaterThanOrEqual" and whole[0].formula1 == "0"
    assert whole[0].showErrorMessage and "整数" in whole[0].error
    assert "D5" in str(whole[0].sqref)
    if version == "2019":
        signed = [dv for dv in wb["表二 主动公开"].data_validations.dataValidation if dv.operator == "between"]
        assert signed and "负数" in signed[0].error


def test_conditional_formats_cover_every_in_sheet_relation(workbook):
    version, wb = workbook
    fmt = get_format(version)
    expected = sum(1 for rel in fmt.relations if not rel.uses_previous and rel.reported[0].cell.startswith("t3"))
    t3 = wb["表三 依申请公开"]
    formulas = [rule.formula[0] for cf in t3.conditional_formatting for rule in cf.rules]
    assert sum(f.startswith("ROUND(") for f in formulas) == expected
    level = [f for cf in wb["表二 主动公开"].conditional_formatting for r in cf.rules for f in r.formula
             if "info.level" in f]
    assert len(level) == 3 and '"乡镇"' in level[0]


def test_prints_on_a4(workbook):
    version, wb = workbook
    for name in wb.sheetnames:
        ws = wb[name]
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert wb["表三 依申请公开"].page_setup.orientation == "landscape"


def test_unit_information_is_prefilled(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(template_bytes(report=Report(unit="泽曲镇", level="乡镇", year=2025, format="2019")))
    wb = openpyxl.load_workbook(path)
    info = wb["单位信息"]
    assert [info[f"B{r}"].value for r in (3, 4, 5, 9)] == ["泽曲镇", "乡镇", 2025, "2019"]
    assert info["A3"].value == "单位名称" and not info["B3"].protection.locked and info["B9"].protection.locked
