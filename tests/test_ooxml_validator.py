"""Every kind of file the toolkit writes passes Microsoft's Open XML SDK validator with no error.

The files are made here through the paths a user takes — the `xxgk` command line in a subprocess
(template, demo, distribute, import, consolidate, roster --template, export), and the 导出年报
button through xlwings' engine (`toolkit.excel.export` on a workbook LibreOffice calculated) — plus
the committed templates in workbook_templates/.  Then each is validated (tests/ooxml_validator.py).
Counter-checks show the validator does catch what it should: openpyxl's own order of <font>
children, a broken button part of an .xlsm, a broken Word document.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font

import ooxml_validator
from conftest import run_libreoffice
from toolkit.io.resources import TEMPLATES_DIR
from toolkit.io.workbook.package import reproducible

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
PUBLISHED = Path(__file__).resolve().parent / "fixtures" / "published"
YEAR = 2022


def xxgk(*args, cwd: Path) -> None:
    """Run the command line; exit code 1 means "written, and the check found errors" (the 泽曲镇
    sample does not balance), which is what some of these files are meant to carry."""
    env = {**os.environ, "COLUMNS": "160", "NO_COLOR": "1"}
    done = subprocess.run([XXGK, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    assert done.returncode in (0, 1), f"xxgk {' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}"


def button_export(workbook: Path, opened_as: Path) -> None:
    """导出年报 as the button runs it: toolkit.excel.export on the open workbook (xlwings' remote
    engine, fed the cells of `workbook`), the workbook saved as `opened_as`."""
    import xlwings as xw

    import toolkit.excel as excel
    from remote_book import payload

    book = xw.Book(json=payload(workbook, str(opened_as)))
    book.set_mock_caller()
    try:
        excel.export()
    finally:
        del xw.Book._mock_caller


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern))


# Each kind of file we write, and how the fixture below makes it.
KINDS = {
    "template-blank": "blank templates, 2021 and 2019, .xlsx and .xlsm (xxgk template)",
    "template-unit-info": "templates with 单位信息 prefilled, 2021 and 2019, .xlsx and .xlsm (xxgk template --unit)",
    "template-committed": "the committed templates in workbook_templates/",
    "unit-distributed": "unit workbooks as distributed, unit information prefilled (xxgk demo: 分发)",
    "unit-filled": "unit workbooks as the units filled them, 2021 and 2019 (xxgk demo: 报送)",
    "unit-last-year-xlsm": "unit workbooks with last year's figures (xxgk distribute --previous)",
    "unit-last-year-xlsx": "the same as .xlsx, no macros (xxgk distribute --previous --no-macros)",
    "imported": "workbooks of published reports (xxgk import of tests/fixtures/published)",
    "summary-county": "the county summary with its charts and lists (xxgk demo: 示例县2022年汇总.xlsx)",
    "summary-2019": "a summary in the 2019 format, with a roster (xxgk consolidate --format 2019 --roster)",
    "summary-of-summaries": "a summary of county summaries (xxgk consolidate --level 市级汇总)",
    "roster-filled": "the roster the demo writes (xxgk demo: 单位名单.xlsx)",
    "roster-blank": "the blank roster (xxgk roster --template)",
    "docx-export": "published reports in Word (xxgk export)",
    "docx-button": "the published report the 导出年报 button writes (toolkit.excel.export)",
}


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, list[Path]]:
    """Every kind of file we write, by kind, each made as a user makes it."""
    root = tmp_path_factory.mktemp("ooxml")
    kinds: dict[str, list[Path]] = {}

    blank = root / "模板"
    blank.mkdir()
    for version in ("2021", "2019"):
        for suffix in (".xlsx", ".xlsm"):
            xxgk("template", "-o", blank / f"空白{version}{suffix}", "--format", version, cwd=root)
            xxgk("template", "-o", blank / f"泽曲镇{version}{suffix}", "--format", version, "--unit", "泽曲镇",
                 "--level", "乡镇", "--year", 2025, cwd=root)
    kinds["template-blank"] = _files(blank, "空白*")
    kinds["template-unit-info"] = _files(blank, "泽曲镇*")
    kinds["template-committed"] = _files(TEMPLATES_DIR, "xxgk-template-*.xls[xm]")

    demo = root / "xxgk-demo"
    xxgk("demo", "-o", demo, cwd=root)
    roster, summary = demo / "单位名单.xlsx", demo / f"示例县{YEAR}年汇总.xlsx"
    kinds["unit-distributed"] = _files(demo / "分发", "*.xlsm")
    kinds["unit-filled"] = _files(demo / "报送", "*.xlsm")
    kinds["summary-county"] = [summary]
    kinds["roster-filled"] = [roster]

    given = root / f"分发{YEAR + 1}"
    for options in ((), ("--no-macros",)):
        xxgk("distribute", "--roster", roster, "--year", YEAR + 1, "--previous", summary, "-o", given, *options,
             cwd=root)
    kinds["unit-last-year-xlsm"] = _files(given, "*.xlsm")
    kinds["unit-last-year-xlsx"] = _files(given, "*.xlsx")

    imported = root / "导入"
    xxgk("import", *_files(PUBLISHED, "*.txt"), *_files(PUBLISHED, "*.html"), "-o", imported, cwd=root)
    kinds["imported"] = _files(imported, "*.xlsx")

    county_2019, city = root / f"示例县{YEAR}年汇总（2019年版）.xlsx", root / f"示例市{YEAR}年汇总.xlsx"
    xxgk("consolidate", demo / "报送", "--year", YEAR, "--roster", roster, "--format", "2019", "--unit", "示例县",
         "-o", county_2019, cwd=root)
    xxgk("consolidate", summary, county_2019, "--year", YEAR, "--unit", "示例市", "--level", "市级汇总", "-o", city,
         cwd=root)
    kinds["summary-2019"] = [county_2019]
    kinds["summary-of-summaries"] = [city]

    xxgk("roster", "--template", "-o", root / "空白单位名单.xlsx", cwd=root)
    kinds["roster-blank"] = [root / "空白单位名单.xlsx"]

    exported = root / "导出"
    xxgk("export", *kinds["unit-filled"], "-o", exported, cwd=root)
    kinds["docx-export"] = _files(exported, "*.docx")

    # The button works on the workbook open in Excel, calculated: LibreOffice calculates it here.
    opened = root / "已打开"
    opened.mkdir()
    calculated = root / "东河镇-calculated.xlsx"
    run_libreoffice([{"op": "recalc", "in": str(demo / "报送" / f"东河镇 {YEAR}年报.xlsm"), "out": str(calculated)}])
    button_export(calculated, opened / f"东河镇 {YEAR}年报.xlsm")
    kinds["docx-button"] = _files(opened, "*.docx")

    for kind, paths in kinds.items():  # a kind that made no file would pass unnoticed
        assert paths and all(p.is_file() for p in paths), f"{kind}: no file written ({paths})"
    return kinds


@pytest.fixture(scope="module")
def verdicts(written) -> dict[Path, list[dict]]:
    """The validator's errors in every file written."""
    return ooxml_validator.errors_of_all(p for paths in written.values() for p in paths)


def test_every_kind_is_written(written):
    assert sorted(written) == sorted(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_the_validator_finds_no_error(written, verdicts, kind):
    failed = [ooxml_validator.described(p, verdicts[p]) for p in written[kind] if verdicts[p]]
    if failed:
        pytest.fail(f"{KINDS[kind]}:\n" + "\n\n".join(failed), pytrace=False)


# --- the validator does catch errors ----------------------------------------------------------------

def _reported(path: Path, part: str) -> list[dict]:
    """The validator's errors in `path`, which must include one in `part`."""
    found = ooxml_validator.errors(path)
    if not any(e.get("path") == part for e in found):
        pytest.fail(f"the validator did not report the error made in {part} of {path}; it reported:\n"
                    + ooxml_validator.described(path, found), pytrace=False)
    return found


def test_the_validator_reports_fonts_in_openpyxls_order_and_our_package_puts_them_right(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "政府信息公开"
    wb.active["A1"].font = Font(name="宋体", size=14, bold=True, color="595959")
    buf = io.BytesIO()
    wb.save(buf)  # straight from openpyxl: its own order, name, ..., b, ..., color, ..., sz
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        assert b'<font><name val="\xe5\xae\x8b\xe4\xbd\x93"/><b val="1"/><color rgb="00595959"/><sz val="14"/></font>' \
            in z.read("xl/styles.xml")
    raw = tmp_path / "openpyxl.xlsx"
    raw.write_bytes(buf.getvalue())
    found = _reported(raw, "/xl/styles.xml")
    assert all("x:font[" in (e.get("xPath") or "") for e in found), ooxml_validator.described(raw, found)
    fixed = tmp_path / "reproducible.xlsx"  # as every writer of ours saves it
    fixed.write_bytes(reproducible(buf.getvalue()))
    left = ooxml_validator.errors(fixed)
    if left:
        pytest.fail(ooxml_validator.described(fixed, left), pytrace=False)


def test_the_validator_reports_a_broken_button_part(written, tmp_path):
    data = next(p for p in written["template-blank"] if p.suffix == ".xlsm").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        part = next(n for n in z.namelist() if n.startswith("xl/ctrlProps/"))
        body = z.read(part)
    assert b'objectType="Button"' in body
    broken = tmp_path / "broken-button.xlsm"
    broken.write_bytes(reproducible(data, {part: body.replace(b'objectType="Button"', b'objectType="Knopf"')}))
    _reported(broken, "/" + part)


def test_the_validator_reports_a_broken_word_document(written, tmp_path):
    data = written["docx-export"][0].read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        document = z.read("word/document.xml")
    assert b"<w:body>" in document
    # a paragraph's properties inside a run, where Word allows only run properties and content
    document = document.replace(b"<w:body>", b"<w:body><w:p><w:r><w:pPr/></w:r></w:p>", 1)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(reproducible(data, {"word/document.xml": document}))
    _reported(broken, "/word/document.xml")


def test_a_missing_validator_fails_the_test_and_says_to_run_npm_ci(tmp_path):
    with pytest.raises(pytest.fail.Exception, match="npm ci"):
        ooxml_validator.errors(tmp_path / "any.xlsx", binary=tmp_path / "no-such-validator")
