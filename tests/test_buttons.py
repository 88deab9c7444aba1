"""The functions behind the Excel buttons, run against xlwings' real Book/Range implementation through
its remote engine (the engine of xlwings Lite and Server): the payload an Office.js client sends is
built from real filled workbooks that LibreOffice recalculated; each classic entry point runs on
`xw.Book.caller()` (set with `set_mock_caller`), each Lite entry point through xlwings' own
script-call path (`custom_scripts_call`); the assertions read `book.json()["actions"]`."""
import asyncio
import copy
import importlib.util
import subprocess
import sys

import pytest
import xlwings as xw

import button_workbooks
import toolkit.excel as excel
from button_workbooks import LAST_YEAR, T3
from remote_book import Actions, apply_actions, payload
from toolkit.ui.buttons import carried_cells, template_fill
from toolkit.core.formats import common, get_format
from toolkit.core.formulas import total_formulas
from toolkit.core.layout import PREVIOUS_PREFIX, a1, workbook_layout
from toolkit.core.model import ERROR, HINT, show_number
from toolkit.core.rules import Values, check
from toolkit.io.workbook.reader import read_workbook

INFO = common().sheets["info"]
FINDINGS = common().sheets["findings"]
COLOURS = common().severity_colors
ERROR_FILL, HINT_FILL = "#" + COLOURS[ERROR]["fill"], "#" + COLOURS[HINT]["fill"]


@pytest.fixture(scope="module")
def files(tmp_path_factory, macro_templates, templates):
    """Workbooks filled as a user would (from the .xlsm), recalculated and saved by LibreOffice."""
    return button_workbooks.session_files(tmp_path_factory, macro_templates, templates)


@pytest.fixture(autouse=True)
def no_mock_caller():
    yield
    if hasattr(xw.Book, "_mock_caller"):
        del xw.Book._mock_caller


def run_classic(path, function, name="泽曲镇 2025年报 (1).xlsm", data=None):
    book = xw.Book(json=data or payload(path, name))
    book.set_mock_caller()
    function()
    return book


@pytest.fixture(scope="module")
def lite():
    """toolkit.excel as xlwings Lite loads it: its @script functions wrapped by xlwings' script."""
    spec = importlib.util.spec_from_file_location("toolkit_excel_as_on_lite", excel.__file__)
    module = importlib.util.module_from_spec(spec)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLWINGS_ON_SERVER", "true")
        spec.loader.exec_module(module)
    assert module.LITE
    return module


def run_lite(module, path, script_name, data=None):
    from xlwings.server import custom_scripts_call

    book = xw.Book(json=data or payload(path, "Book1"))
    returned = asyncio.run(custom_scripts_call(module, script_name, typehint_to_value={xw.Book: book}))
    assert returned is book
    return book


def status_cell():
    _, row, col = workbook_layout("2021").where("info.status")
    return INFO, a1(row, col)


def colourable(version):
    layout = workbook_layout(version)
    ids = list(layout.fmt.cells) + list(layout.info) + list(layout.previous)
    return {layout.address(cid): cid for cid in ids}


def expected_findings(path):
    result = read_workbook(path)
    return result, result.findings + check(result.report)


# --- 校验 -----------------------------------------------------------------------------------------

def test_check_colours_exactly_the_cells_of_each_finding(files):
    book = run_classic(files["zequ"], excel.check)
    actions = Actions(book)
    result, findings = expected_findings(files["zequ"])
    layout = workbook_layout("2019")
    error_cells = {layout.address(c) for f in findings if f.severity == ERROR for c in f.cells}
    hint_cells = {layout.address(c) for f in findings if f.severity == HINT for c in f.cells} - error_cells
    assert error_cells == {(T3, f"{col}{row}") for col in "GIJ" for row in (5, 6, 26, 27)}
    assert actions.coloured(ERROR_FILL) == actions.font_coloured("#" + COLOURS[ERROR]["font"]) == error_cells
    assert actions.coloured(HINT_FILL) == hint_cells
    # every other cell the check may colour is painted back to its template colour, once
    cells = colourable("2019")
    painted = [cell for a in actions.of("setRangeColor") for cell in actions.cells(a)]
    assert sorted(painted) == sorted(cells)
    for cell, cid in cells.items():
        if cell not in error_cells | hint_cells:
            fill = next(a["args"][0] for a in actions.of("setRangeColor") if cell in actions.cells(a))
            assert fill == template_fill(layout, cid)


def test_check_marks_findings_on_the_info_sheet_too(files):
    data = payload(files["consistent-2019"])
    layout = workbook_layout("2019")
    _, year_row, year_col = layout.where("info.year")
    _, prev_row, prev_col = layout.where("prev.t3.forward.natural")
    info = next(s for s in data["sheets"] if s["name"] == INFO)
    info["values"][year_row - 1][year_col - 1] = "二〇二〇"
    info["values"][prev_row - 1][prev_col - 1] = "很多"
    actions = Actions(run_classic(None, excel.check, data=data))
    assert actions.coloured(ERROR_FILL) == {(INFO, a1(year_row, year_col)), (INFO, a1(prev_row, prev_col))}
    codes = [v for (sheet, cell), v in actions.written().items() if sheet == FINDINGS and cell[0] == "A"][1:]
    assert codes == ["R-YEAR", "R-NOT-NUMBER", "I-YEAR"]


def test_check_lists_every_finding_on_the_findings_sheet_with_a_link(files):
    book = run_classic(files["zequ"], excel.check)
    actions = Actions(book)
    result, findings = expected_findings(files["zequ"])
    values, formulas = actions.written(), actions.written("setFormula")
    assert [values[(FINDINGS, f"{c}1")] for c in "ABCDEFG"] == list(common().findings_columns)
    rows = [[values[(FINDINGS, f"{c}{r}")] for c in "ABCEFG"] for r in range(2, len(findings) + 2)]
    expected = [[f.code, f.severity, result.locate(f)[0], f.message,
                 "" if f.reported is None else show_number(f.reported),
                 "" if f.computed is None else show_number(f.computed)] for f in findings]
    assert rows == expected
    assert (FINDINGS, f"A{len(findings) + 2}") not in values
    balance = [i for i, f in enumerate(findings) if f.code == "T3-BALANCE"]
    for i in balance:
        sheet, address = result.locate(findings[i])
        assert formulas[(FINDINGS, f"D{i + 2}")].startswith(f'=HYPERLINK("#\'{sheet}\'!{address}","{address}、')
    assert values[status_cell()].startswith(f"校验完成：错误 {sum(f.severity == ERROR for f in findings)} 个")


def test_a_second_check_after_the_fix_clears_the_old_marks_and_rows(files):
    first = run_classic(files["zequ"], excel.check)
    after_first = apply_actions(payload(files["zequ"]), first)
    fixed = payload(files["consistent-2019"])  # the clerk corrected the figures; 校验结果 still lists the old rows
    fixed["sheets"] = [next(s for s in after_first["sheets"] if s["name"] == FINDINGS) if s["name"] == FINDINGS else s
                       for s in fixed["sheets"]]
    old_rows = len(Actions(first).written().keys() & {(FINDINGS, f"A{r}") for r in range(2, 100)})
    second = run_classic(None, excel.check, data=fixed)
    actions = Actions(second)
    _, findings = expected_findings(files["consistent-2019"])
    assert not [f for f in findings if f.severity == ERROR]
    assert actions.coloured(ERROR_FILL) == set()
    assert actions.coloured(HINT_FILL) == {workbook_layout("2019").address(c) for f in findings for c in f.cells}
    values = actions.written()
    assert all(values[(FINDINGS, f"{c}{r}")] in (None, "") for r in range(len(findings) + 2, old_rows + 2)
               for c in "ABCDEFG")


def test_a_workbook_without_problems_gets_no_marks_and_says_so(files):
    _, findings = expected_findings(files["consistent-2019"])
    assert findings == []
    actions = Actions(run_classic(files["consistent-2019"], excel.check))
    assert actions.coloured(ERROR_FILL) == actions.coloured(HINT_FILL) == set()
    assert actions.written()[status_cell()] == "校验完成：未发现错误和提示"
    assert not [cell for cell in actions.written() if cell[0] == FINDINGS and cell[1][1:] != "1"]


def test_the_findings_sheet_is_added_when_it_was_deleted(files):
    data = payload(files["zequ"])
    data["sheets"] = [s for s in data["sheets"] if s["name"] != FINDINGS]
    book = run_classic(None, excel.check, data=data)
    actions = Actions(book)
    assert [a["args"][1] for a in actions.of("addSheet")] == [FINDINGS]
    assert actions.written()[(FINDINGS, "A1")] == "代码"


def test_template_colours_the_buttons_restore_are_the_templates(macro_templates):
    import openpyxl

    for version, path in macro_templates.items():
        wb = openpyxl.load_workbook(path)
        layout = workbook_layout(version)
        for (sheet, address), cid in colourable(version).items():
            fill = wb[sheet][address].fill
            actual = "#" + fill.fgColor.rgb[-6:] if fill.fill_type == "solid" else None
            assert actual == template_fill(layout, cid), (sheet, address, cid)


# --- 清除标记 --------------------------------------------------------------------------------------

def test_clear_marks_paints_every_cell_back_and_empties_the_list(files):
    first = run_classic(files["zequ"], excel.check)
    data = apply_actions(payload(files["zequ"]), first)
    book = run_classic(None, excel.clear_marks, data=data)
    actions = Actions(book)
    layout = workbook_layout("2019")
    cells = colourable("2019")
    assert actions.coloured(ERROR_FILL) == actions.coloured(HINT_FILL) == set()
    painted = {cell for a in actions.of("setRangeColor") for cell in actions.cells(a)}
    assert painted == set(cells)  # every cell a check may colour is painted back (none left marked)
    for a in actions.of("setRangeColor"):
        assert {a["args"][0]} == {template_fill(layout, cells[c]) for c in actions.cells(a)}
    values = actions.written()
    assert all(values[(FINDINGS, f"A{r}")] in (None, "") for r in range(2, 6))
    assert values[status_cell()] == "已清除校验标记"


# --- 重新计算 --------------------------------------------------------------------------------------

def test_recompute_puts_back_only_the_formula_that_was_typed_over(files):
    book = run_classic(files["total-typed-over"], excel.recompute)
    actions = Actions(book)
    assert actions.written("setFormula") == {(T3, "J5"): total_formulas(workbook_layout("2021"))["t3.new.total"]}
    assert actions.written("setFormula")[(T3, "J5")] == "=SUM(D5:I5)"
    assert "表三 依申请公开 J5" in actions.written()[status_cell()]


@pytest.mark.parametrize("key", ["this-year", "text-number"])
def test_recompute_leaves_intact_totals_alone(files, key):
    """A number typed as text ("１７件") is left out by SUM as by the formula: no total is rewritten."""
    actions = Actions(run_classic(files[key], excel.recompute))
    assert actions.of("setFormula") == [] and actions.of("setRangeColor") == []
    assert actions.written() == {status_cell(): "重新计算完成：全部合计公式完好"}


# --- 导入上年数据 -----------------------------------------------------------------------------------

def test_carry_over_reads_last_years_workbook_named_in_the_workbook(files):
    book = run_classic(files["this-year"], excel.carry_over)
    values = Actions(book).written()
    layout = workbook_layout("2021")
    fmt = get_format("2021")
    last = Values(fmt, LAST_YEAR.values)
    carried = carried_cells(fmt)
    assert set(carried) == {f"t3.carried.{c.id}" for c in fmt.table("t3").columns if c.id != "total"}
    for cid, last_cid in carried.items():
        assert values[layout.address(cid)] == last[last_cid]
    for name in layout.previous:
        assert values[layout.address(name)] == last[name.removeprefix(PREVIOUS_PREFIX)]
    assert layout.address("t3.carried.total") not in values  # a formula
    assert values[status_cell()].startswith("已从上年工作簿“东河镇 2024年报 (1).xlsx”导入")
    written_cells = {cell for cell in values if cell != status_cell()}
    assert written_cells == {layout.address(c) for c in carried} | {layout.address(n) for n in layout.previous}


def test_carry_over_refuses_a_workbook_of_the_wrong_year(files, capsys):
    with pytest.raises(SystemExit) as stop:
        run_classic(files["wrong-year"], excel.carry_over)
    assert stop.value.code == 1
    assert "2024 年度" in capsys.readouterr().err


def test_carry_over_asks_for_a_full_path(files, capsys):
    with pytest.raises(SystemExit):
        run_classic(files["relative-path"], excel.carry_over)
    assert "完整路径" in capsys.readouterr().err


def test_carry_over_without_a_file_uses_the_figures_kept_on_the_info_sheet(files, lite):
    book = run_lite(lite, files["last-year-figures-kept"], "carry_over_book")
    values = Actions(book).written()
    layout = workbook_layout("2021")
    assert values[layout.address("t3.carried.natural")] == 5 and values[layout.address("t3.carried.legal")] == 3
    assert len(values) == 3 and values[status_cell()].startswith("已按“单位信息”表的上年数据填入")


# --- both entry points, any file name, failures --------------------------------------------------

@pytest.mark.parametrize("classic, script", [("check", "check_book"), ("clear_marks", "clear_marks_book"),
                                             ("recompute", "recompute_book"), ("carry_over", "carry_over_book")])
def test_lite_scripts_make_the_same_writes_as_the_classic_macros(files, lite, classic, script):
    key = "total-typed-over" if classic != "carry_over" else "last-year-figures-kept"
    from xlwings.server import custom_scripts_meta

    assert {m["function_name"]: m["name"] for m in custom_scripts_meta(lite)} == {
        "recompute_book": "重新计算", "check_book": "校验", "clear_marks_book": "清除标记", "carry_over_book": "导入上年数据"}
    classic_book = run_classic(files[key], getattr(excel, classic))
    lite_book = run_lite(lite, files[key], script)
    assert lite_book.json() == classic_book.json() and lite_book.json()["actions"]


def test_nothing_depends_on_the_workbooks_file_name(files):
    plain = run_classic(files["zequ"], excel.check, name="Book1.xlsm")
    chinese = run_classic(files["zequ"], excel.check, name="泽曲镇 2022年报 (最终版) [1].xlsm")
    assert plain.json() == chinese.json()


def test_a_workbook_that_is_not_the_standard_one_is_refused_with_a_message(files, capsys):
    data = payload(files["zequ"])
    for sheet in data["sheets"]:
        if sheet["name"] == INFO:
            sheet["values"] = [["随便一张表"]]
    with pytest.raises(SystemExit):
        run_classic(None, excel.check, data=data)
    assert "无法识别本工作簿" in capsys.readouterr().err


def test_a_lite_script_says_why_it_refuses_a_workbook_on_the_status_line_and_raises_nothing(files, lite, capsys):
    """xlwings Lite drops the writes of a script that raises and shows its traceback: a refusal is
    the status line and the same words printed (Lite's output pane)."""
    data = copy.deepcopy(payload(files["zequ"], "Book1"))
    t3 = next(s for s in data["sheets"] if s["name"] == T3)
    t3["values"].insert(6, [""] * len(t3["values"][0]))  # a row inserted in the table
    book = run_lite(lite, None, "check_book", data=data)
    assert [a["func"] for a in book.json()["actions"]] == ["setValues"]
    status = Actions(book).written()[status_cell()]
    assert "结构被改动" in status
    assert capsys.readouterr().out == status + "\n"


def test_a_changed_table_is_refused_rather_than_written_by_position(files, capsys):
    data = copy.deepcopy(payload(files["zequ"]))
    t3 = next(s for s in data["sheets"] if s["name"] == T3)
    t3["values"].insert(6, [""] * len(t3["values"][0]))  # a row inserted in the table
    book = xw.Book(json=data)
    book.set_mock_caller()
    with pytest.raises(SystemExit):
        excel.check()
    assert "结构被改动" in capsys.readouterr().err
    assert [a["func"] for a in book.json()["actions"]] == ["setValues"]  # only the status line


@pytest.mark.parametrize("module", ["toolkit", "toolkit.excel", "toolkit.ui.buttons"])
def test_the_button_path_imports_no_pandas_and_no_spreadsheet_engine(module):
    code = (f"import sys, {module}; bad = [m for m in ('pandas', 'numpy', 'openpyxl', 'xlwings') if m in sys.modules];"
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


# --- 导出年报 ---------------------------------------------------------------------------------------

def test_export_writes_the_report_into_the_workbooks_folder_and_never_over_an_earlier_one(files, tmp_path, capsys):
    from toolkit.io.published.importer import import_file

    folder = tmp_path / "年报 (定稿)"
    folder.mkdir()
    book = run_classic(files["zequ"], excel.export, name=str(folder / "随便什么名字 (1).xlsm"))
    target = folder / "泽曲镇2022年政府信息公开工作年度报告.docx"
    assert sorted(p.name for p in folder.iterdir()) == [target.name]
    imported = import_file(target).report  # the document holds the workbook's figures and texts
    expected = read_workbook(files["zequ"]).report
    assert {k: v for k, v in imported.values.items() if not get_format("2019").cells[k].total} == \
        {k: v for k, v in expected.values.items() if not get_format("2019").cells[k].total}
    assert imported.texts == expected.texts
    status = Actions(book).written()[status_cell()]
    assert str(target) in status and "3 个错误" in status
    first = target.read_bytes()
    run_classic(files["zequ"], excel.export, name=str(folder / "另一个名字.xlsm"))
    assert target.read_bytes() == first
    assert (folder / "泽曲镇2022年政府信息公开工作年度报告（2）.docx").exists()


def test_export_of_a_workbook_never_saved_asks_to_save_it_first(files, capsys):
    with pytest.raises(SystemExit):
        run_classic(files["zequ"], excel.export, name="工作簿1")
    assert "请先保存工作簿" in capsys.readouterr().err


def test_export_into_a_folder_that_refuses_writing_says_so_in_chinese(files, capsys):
    # /proc takes no new files, even from root (a read-only folder would not stop root)
    with pytest.raises(SystemExit):
        run_classic(files["zequ"], excel.export, name="/proc/年报.xlsm")
    err = capsys.readouterr().err
    assert "无法写入输出文件" in err and "Traceback" not in err
