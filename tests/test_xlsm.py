"""The macro-enabled workbook (.xlsm) as built: a VBA project that oletools parses strictly and olevba
decodes, rated "Macro OK" by mraptor; code names matching the document modules; buttons right of
each table bound to existing macros; the xlwings.conf sheet; readable by the toolkit like the .xlsx."""
import re
import subprocess
import sys
import zipfile
from io import BytesIO

import olefile
import openpyxl
import pytest
from oletools.mraptor import MacroRaptor
from oletools.olevba import VBA_Parser, VBA_Project

from toolkit.core.formats import VERSIONS, common, get_format
from toolkit.core.layout import workbook_layout
from toolkit.core.model import Report
from toolkit.core.rules import check
from toolkit.io.workbook.macro_workbook import BUTTON_COLUMN_WIDTH, button_column, macro_workbook_bytes
from toolkit.io.workbook.reader import read_workbook


@pytest.fixture(scope="module", params=VERSIONS)
def xlsm(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsm") / f"模板 {request.param} (1).xlsm"
    path.write_bytes(macro_workbook_bytes(request.param))
    return request.param, path


def _modules(path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    assert parser.detect_vba_macros()
    return {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}


def test_oletools_parses_the_project_strictly(xlsm):
    version, path = xlsm
    with zipfile.ZipFile(path) as z:
        ole = olefile.OleFileIO(BytesIO(z.read("xl/vbaProject.bin")), raise_defects=olefile.DEFECT_INCORRECT)
    project = VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False)
    assert len(list(project.parse_modules())) == project.modules_count == 1 + len(openpyxl.load_workbook(path).sheetnames) + 3


def test_olevba_decodes_every_module_with_its_macros(xlsm):
    _, path = xlsm
    modules = _modules(path)
    sheets = openpyxl.load_workbook(path).sheetnames
    assert set(modules) == {"ThisWorkbook", *[f"Sheet{i}" for i in range(1, len(sheets) + 1)],
                            "XxgkButtons", "xlwings", "Dictionary"}
    assert re.findall(r"^Sub (\w+)\(\)", modules["XxgkButtons"], re.M) == [b.macro for b in common().buttons]
    assert "Public Function RunPython(PythonCommand As String)" in modules["xlwings"]
    assert "Public Sub Add(Key As Variant, Item As Variant)" in modules["Dictionary"]


def test_mraptor_rates_it_macro_ok(xlsm):
    _, path = xlsm
    raptor = MacroRaptor("\n".join(_modules(path).values()))
    raptor.scan()
    assert not raptor.autoexec and not raptor.suspicious
    done = subprocess.run([sys.executable, "-m", "oletools.mraptor", str(path)], capture_output=True, text=True)
    assert done.returncode == 2 and "Macro OK" in done.stdout, done.stdout + done.stderr


def test_package_declares_a_macro_enabled_workbook(xlsm):
    _, path = xlsm
    with zipfile.ZipFile(path) as z:
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        workbook = z.read("xl/workbook.xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert "spreadsheetml.sheet.main+xml" not in types
    assert 'PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"' in types
    assert 'relationships/vbaProject" Target="vbaProject.bin"' in rels
    assert '<workbookPr codeName="ThisWorkbook"/>' in workbook


def test_code_names_match_the_document_modules(xlsm):
    _, path = xlsm
    wb = openpyxl.load_workbook(path)
    assert wb.code_name == "ThisWorkbook"
    code_names = [ws.sheet_properties.codeName for ws in wb.worksheets]
    assert code_names == [f"Sheet{i}" for i in range(1, len(wb.worksheets) + 1)]
    modules = _modules(path)
    for name in ["ThisWorkbook", *code_names]:
        assert f'Attribute VB_Name = "{name}"' in modules[name]


def test_buttons_stand_right_of_each_table_and_run_existing_macros(xlsm):
    version, path = xlsm
    layout = workbook_layout(version)
    subs = set(re.findall(r"^Sub (\w+)\(\)", _modules(path)["XxgkButtons"], re.M))
    wb = openpyxl.load_workbook(path)
    with zipfile.ZipFile(path) as z:
        sheet_parts = {ws.title: f"xl/worksheets/sheet{i}.xml" for i, ws in enumerate(wb.worksheets, start=1)}
        for sheet in layout.tables:
            part = sheet_parts[sheet.name]
            xml = z.read(part).decode()
            rid = re.search(r'<legacyDrawing r:id="(\w+)"/>', xml).group(1)
            rels = z.read(part.replace("worksheets/", "worksheets/_rels/") + ".rels").decode()
            vml_path = "xl/" + re.search(rf'Id="{rid}"[^>]*Target="\.\./([^"]+)"', rels).group(1)
            vml = z.read(vml_path).decode()
            macros = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
            captions = re.findall(r'<font face="[^"]*" size="\d+" color="#000000">([^<]+)</font>', vml)
            assert macros == [b.macro for b in common().buttons] and set(macros) <= subs
            assert captions == [b.caption for b in common().buttons]
            anchors = [[int(n) for n in a.split(",")] for a in re.findall(r"<x:Anchor>([^<]+)</x:Anchor>", vml)]
            # 0-based columns: the table ends at column `width`; one empty column; then the buttons
            assert all(a[0] == a[4] == button_column(sheet.width) - 1 for a in anchors)
            assert all(a[0] + 1 > sheet.width + 1 for a in anchors)
            assert re.findall(r'macro="\[0\]!(\w+)"', xml) == macros  # the <controls> of Excel 2010+
            ctrl_targets = re.findall(r'relationships/ctrlProp" Target="\.\./([^"]+)"', rels)
            assert len(ctrl_targets) == len(macros)
            for target in ctrl_targets:
                assert 'objectType="Button"' in z.read("xl/" + target).decode()
            assert wb[sheet.name].column_dimensions[openpyxl.utils.get_column_letter(
                button_column(sheet.width))].width == BUTTON_COLUMN_WIDTH


def test_xlwings_conf_sheet_holds_the_settings_xlwings_reads(xlsm):
    _, path = xlsm
    wb = openpyxl.load_workbook(path)
    conf = common().xlwings_conf
    ws = wb[conf["sheet"]]
    assert wb.sheetnames[-1] == "xlwings.conf"
    rows = [[ws.cell(r, 1).value, ws.cell(r, 2).value] for r in range(1, len(conf["settings"]) + 2)]
    assert rows[:-1] == conf["settings"] and rows[-1] == [None, None]  # xlwings reads A1 down to a gap
    # no interpreter here: it would override the one the installer writes into the user's xlwings.conf
    assert not any(key.startswith("INTERPRETER") for key, _ in conf["settings"])
    assert dict(conf["settings"])["ADD_WORKBOOK_TO_PYTHONPATH"] is False


def test_the_reader_reads_the_xlsm_like_the_xlsx(xlsm, tmp_path):
    version, _ = xlsm
    path = tmp_path / "泽曲镇 2025年报 (1).xlsm"
    path.write_bytes(macro_workbook_bytes(report=Report(unit="泽曲镇", level="乡镇", year=2025, format=version)))
    result = read_workbook(path)
    assert (result.report.unit, result.report.year, result.report.format) == ("泽曲镇", 2025, version)
    assert not [f for f in result.findings if f.code in ("R-NAMES-LOST", "R-LAYOUT", "R-SHEET-MISSING")]
    assert {f.code for f in check(result.report)} <= {"F-FORMAT-YEAR"}
    assert set(result.report.values) == set(get_format(version).entry_cells)  # blanks read as 0


def test_the_same_content_builds_the_same_xlsm():
    report = Report(unit="东河镇", level="乡镇", year=2025)
    assert macro_workbook_bytes(report=report) == macro_workbook_bytes(report=report)


def test_the_template_command_builds_the_macro_enabled_workbook_by_extension(tmp_path):
    from test_cli import run

    out = tmp_path / "泽曲镇 2025年报 (1).xlsm"
    done = run("template", "--unit", "泽曲镇", "--level", "乡镇", "--year", "2025", "-o", out)
    assert done.returncode == 0 and "带按钮" in done.stdout, done.stderr
    assert out.read_bytes() == macro_workbook_bytes(report=Report(unit="泽曲镇", level="乡镇", year=2025))
    plain = tmp_path / "泽曲镇.xlsx"
    assert run("template", "-o", plain).returncode == 0 and "vbaProject" not in str(zipfile.ZipFile(plain).namelist())
    wrong = run("template", "-o", tmp_path / "泽曲镇.xls")
    assert wrong.returncode == 2 and ".xlsm" in wrong.stderr and not (tmp_path / "泽曲镇.xls").exists()
