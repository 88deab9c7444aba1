"""The fast workbook reader: its scanner and its tree parser read every part alike, on workbooks
written by openpyxl, saved by LibreOffice, and written by hand the ways other tools write them."""
import zipfile

import pytest

from conftest import fill_workbook, run_libreoffice
from toolkit.app.samples import plausible_report
from toolkit.io.workbook import xlsx
from toolkit.io.workbook.reader import read_workbook
from workbooks import entries, info_of

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def both_parsers(path):
    """{sheet: (scanned cells, tree-parsed cells)} for every sheet of a workbook."""
    out = {}
    with xlsx.XlsxBook(path) as book:
        for sheet, part in book.sheet_paths.items():
            data = book._read(part)
            scanned = xlsx._scan_sheet(data, book._shared_strings, book.date_styles())
            tree = xlsx._parse_sheet_tree(data, book._shared_strings, book.date_styles())
            out[sheet] = (None if scanned is None else comparable(scanned), comparable(tree))
    return out


def comparable(cells) -> dict:
    """Cells as comparable values: NaN (which a file's XML can hold) is not equal to itself."""
    return {k: cell._replace(value="NaN") if cell.value != cell.value else cell for k, cell in cells.items()}


@pytest.fixture(scope="module")
def saved_by_libreoffice(tmp_path_factory, templates):
    folder = tmp_path_factory.mktemp("xlsx-lo")
    report = plausible_report("东河镇", "乡镇", 2025, "2021", seed=21)
    typed = fill_workbook(templates["2021"], folder / "typed.xlsx", {**entries(report), "t3.new.legal": "３件"},
                          info_of(report), {"overview": "甲 & 乙 <丙>\n第二行", "problems": "  前后空格  "})
    saved = folder / "saved-by-libreoffice.xlsx"
    run_libreoffice([{"op": "recalc", "in": str(typed), "out": str(saved)}])
    return report, typed, saved


def test_scanner_and_tree_parser_agree_on_every_test_workbook(defect_files):
    compared = 0
    for name, path in defect_files.items():
        try:
            sheets = both_parsers(path)
        except (xlsx.XlsxError, ValueError, SyntaxError):
            continue  # the unreadable ones (below XlsxBook.cells a damaged cell is a ValueError, or a ParseError)
        for sheet, (scanned, tree) in sheets.items():
            assert scanned is not None, f"{name}: {sheet} was not scanned"
            assert scanned == tree, f"{name}: {sheet}"
            compared += 1
    assert compared > 50


def test_scanner_reads_libreoffice_shared_strings_and_cached_formula_values(saved_by_libreoffice):
    report, typed, saved = saved_by_libreoffice
    for sheet, (scanned, tree) in both_parsers(saved).items():
        assert scanned == tree, sheet
    with zipfile.ZipFile(saved) as z:
        assert "xl/sharedStrings.xml" in z.namelist()  # LibreOffice writes shared strings, not inline ones
    result = read_workbook(saved)
    assert result.report.texts["overview"] == "甲 & 乙 <丙>\n第二行"
    assert result.report.values["t3.new.legal"] == 3
    # a cached formula value, as LibreOffice computed it: SUM leaves the text "３件" out
    assert result.report.values["t3.new.total"] == sum(
        v for k, v in entries(report).items() if k.startswith("t3.new.") and k != "t3.new.legal")
    assert read_workbook(typed).report.texts == result.report.texts


def write_package(path, sheet_xml: str, shared: str | None = None, workbook_extra: str = "") -> None:
    """A minimal workbook package around one hand-written sheet part."""
    rels = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/>'
            + ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
               'sharedStrings" Target="sharedStrings.xml"/>' if shared else "") + "</Relationships>")
    root = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>')
    workbook = (f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
                f'<sheet name="表" sheetId="1" r:id="rId1"/></sheets>{workbook_extra}</workbook>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("_rels/.rels", root)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared:
            z.writestr("xl/sharedStrings.xml", shared)


SHARED = (f'<sst xmlns="{MAIN}" count="3" uniqueCount="3"><si><t>纯文本</t></si>'
          '<si><r><rPr><b/></rPr><t>富</t></r><r><t xml:space="preserve">文本 </t></r>'
          '<rPh sb="0" eb="1"><t>ふりがな</t></rPh></si><si><t/></si></sst>')
EXPECTED = {
    (1, 1): xlsx.RawCell("纯文本"), (1, 2): xlsx.RawCell("富文本 "), (1, 3): xlsx.RawCell(17),
    (1, 4): xlsx.RawCell(2.5), (2, 1): xlsx.RawCell("#VALUE!", True), (2, 2): xlsx.RawCell(True),
    (2, 3): xlsx.RawCell("a<b & 'c'\n", True), (2, 4): xlsx.RawCell(None, True), (2, 5): xlsx.RawCell("１７件"),
    (3, 1): xlsx.RawCell(""),
}
CELLS = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="3" t="s"><v>1</v></c><c r="C1"><v>17</v></c>'
         '<c r="D1" t="n"><v>2.5</v></c><c r="E1" s="2"/></row>'
         '<row r="2"><c r="A2" t="e"><f>1/0</f><v>#VALUE!</v></c><c r="B2" t="b"><v>1</v></c>'
         '<c r="C2" t="str"><f>"x"</f><v>a&lt;b &amp; &apos;c&apos;&#10;</v></c><c r="D2"><f>SUM(A1:C1)</f><v></v></c>'
         '<c r="E2" t="inlineStr"><is><t>&#65297;&#65303;件</t></is></c></row>'
         '<row r="3"><c r="A3" t="s"><v>2</v></c></row>')


@pytest.mark.parametrize("name,sheet_xml,scanned", [
    ("as-excel-writes-it", f'<worksheet xmlns="{MAIN}"><sheetData>{CELLS}</sheetData></worksheet>', True),
    ("namespace-prefix", f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData>'
     + CELLS.replace("<", "<x:").replace("<x:/", "</x:") + "</x:sheetData></x:worksheet>", False),
    ("cells-without-r", f'<worksheet xmlns="{MAIN}"><sheetData>'
     + CELLS.replace(' r="A1"', "").replace(' r="B1"', "").replace(' r="C1"', "").replace(' r="D1"', "")
     .replace(' r="E1"', "") + "</sheetData></worksheet>", False),
    ("single-quoted-attributes", f"<worksheet xmlns='{MAIN}'><sheetData>"
     + CELLS.replace('r="A2" t="e"', "r='A2' t='e'") + "</sheetData></worksheet>", False),
])
def test_hand_written_sheets_read_alike(tmp_path, name, sheet_xml, scanned):
    path = tmp_path / f"{name}.xlsx"
    write_package(path, sheet_xml, SHARED)
    with xlsx.XlsxBook(path) as book:
        data = book._read("xl/worksheets/sheet1.xml")
        assert (xlsx._scan_sheet(data, book._shared_strings) is not None) == scanned
        cells = dict(book.cells("表"))
    assert cells == EXPECTED


def test_defined_names_read_alike_whatever_the_attribute_order(tmp_path):
    names = ('<definedNames><definedName name="t3.new.natural">\'表三 依申请公开\'!$D$5</definedName>'
             '<definedName hidden="false" name="info.unit" function="false">单位信息!$B$3</definedName>'
             '<definedName name="_xlnm.Print_Area" localSheetId="0">表!$A$1:$J$31</definedName>'
             '<definedName name="a&amp;b">\'It\'\'s\'!$A$1</definedName></definedNames>')
    path = tmp_path / "names.xlsx"
    write_package(path, f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>', workbook_extra=names)
    with xlsx.XlsxBook(path) as book:
        assert book.defined_names == {"t3.new.natural": ("表三 依申请公开", 5, 4), "info.unit": ("单位信息", 3, 2),
                                      "a&b": ("It's", 1, 1)}
        assert dict(book.cells("表")) == {}
        data = book._read("xl/workbook.xml")
    assert list(xlsx._scan_workbook(data)[2]) == xlsx._parse_workbook_tree(data)[2]


@pytest.mark.parametrize("format_id,code,is_date", [
    (14, None, True), (22, None, True), (27, None, True), (36, None, True), (45, None, True), (58, None, True),
    (0, None, False), (1, None, False), (23, None, False), (49, None, False),
    (164, "yyyy-mm-dd", True), (164, 'yyyy"年"m"月"d"日"', True), (164, "[$-804]yyyy/m/d", True),
    (164, '[DBNum1][$-804]m"月"d"日"', True), (164, "[h]:mm", True), (164, "mm:ss", True),
    (164, "General", False), (164, "G/通用格式", False), (164, "0", False), (164, "+0;-0;0", False),
    (164, "0.00##", False), (164, "0.00E+00", False), (164, '0"件"', False), (164, "#,##0_);[Red](#,##0)", False),
    (164, "\\d0", False), (164, "@", False),
    (14, "0", False),  # a writer may give a built-in id its own code: the code decides
])
def test_date_formats_are_told_by_id_or_by_their_code(format_id, code, is_date):
    assert xlsx.is_date_format(format_id, code) is is_date


def test_a_number_with_a_date_style_is_marked_a_date_by_both_parsers(defect_files):
    sheets = both_parsers(defect_files["dates-typed-in-count-cells.xlsx"])
    scanned, tree = sheets["表三 依申请公开"]
    assert scanned[(5, 4)].date and scanned[(5, 5)].date and not scanned[(5, 6)].date
    assert scanned[(5, 5)].value == 45658 and scanned == tree
    assert sheets["表二 主动公开"][0][(8, 2)] == xlsx.RawCell(45662, False, True)  # Chinese Excel's format 58
