"""Files that are not workbooks (or reports), or are built to hurt the reader: each is refused with
its own Chinese message naming it, by check, consolidate and import, and none is modified.

The files are in tests/bad_files.py, each named after its defect."""
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from test_consolidate import digests
from bad_files import REPORTS, WORKBOOKS, make_bad_reports, make_bad_workbooks, with_doctype, BILLION_LAUGHS, XXE
from toolkit.io.intake import Limits, RefusedFile, file_kind, open_package
from toolkit.io.published.export import export_bytes
from toolkit.io.published.importer import import_file
from toolkit.app.samples import plausible_report, zequ_2022
from toolkit.io.workbook.template import template_bytes

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
GOOD = plausible_report("东河镇", "乡镇", 2022, "2021", seed=1)


def run(*args):
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}
    return subprocess.run([XXGK, *map(str, args)], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    good, docx = template_bytes(report=GOOD), export_bytes(zequ_2022(), "docx")
    workbooks = make_bad_workbooks(root / "回收", good, docx)
    (root / "回收" / "东河镇 2022年报.xlsx").write_bytes(good)
    reports = make_bad_reports(root / "年报", docx, good)
    return {"root": root, "workbooks": workbooks, "reports": reports}


@pytest.mark.parametrize("name", sorted(WORKBOOKS))
def test_check_refuses_each_bad_file_naming_it_and_saying_why(bad, name):
    path = bad["workbooks"][name]
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    done = run("check", path)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert name in output and WORKBOOKS[name] in output, output
    assert "Traceback" not in output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_consolidation_lists_every_bad_file_as_not_summed_with_its_reason(bad):
    sent = bad["root"] / "回收"
    before = digests(sent)
    out = bad["root"] / "汇总" / "某县2022年汇总.xlsx"
    done = run("consolidate", sent, "--year", 2022, "--unit", "某县", "-o", out, "--jobs", 1)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert digests(sent) == before
    sheet = pd.read_excel(out, sheet_name="报送情况", header=None, engine="openpyxl").astype(object).fillna("")
    text = "\n".join(" | ".join(str(v) for v in row) for row in sheet.itertuples(index=False))
    files = len(before)
    assert f"共 {files} 个文件 = 汇总 1 个 + 未汇总 {files - 1} 个" in text
    rows = {row[1]: (row[6], str(row[7])) for row in sheet.itertuples(index=False) if str(row[1]) in before}
    assert rows["东河镇 2022年报.xlsx"][0] == "已汇总"
    for name, words in WORKBOOKS.items():
        status, reason = rows[name]
        assert status == "未汇总" and words in reason, (name, reason)
    assert rows["saved-as-excel-97-2003.xls"][0] == "未汇总" and "另存为" in rows["saved-as-excel-97-2003.xls"][1]


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_import_refuses_each_bad_report_naming_it_and_saying_why(bad, name, tmp_path):
    path = bad["reports"][name]
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    done = run("import", path, "-o", tmp_path / "导入")
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert name in output and REPORTS[name] in output, output
    assert "Traceback" not in output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not any((tmp_path / "导入").glob("*.xls*"))


@pytest.mark.parametrize("doctype,reference,leak", [(BILLION_LAUGHS, "&lol9;", "lollol"),
                                                     (XXE, "&xxe;", "root:")])
def test_entities_in_a_web_page_are_never_expanded(tmp_path, doctype, reference, leak):
    page = export_bytes(zequ_2022(), "html").decode("utf-8")
    body = page.index("<body")
    page = doctype + page[page.index("<html"):body] + page[body:].replace("</h1>", reference + "</h1>", 1)
    path = tmp_path / "entities.html"
    path.write_text(page, encoding="utf-8")
    imported = import_file(path)
    assert imported.report.values == import_file(_plain(tmp_path, zequ_2022())).report.values
    assert leak not in repr(imported.report.texts) and leak not in repr(imported.findings)


def _plain(folder: Path, report) -> Path:
    path = folder / "plain.html"
    path.write_bytes(export_bytes(report, "html"))
    return path


def test_every_bad_file_is_told_by_its_bytes_not_its_name(bad):
    kinds = {name: file_kind(path) for name, path in bad["workbooks"].items()}
    assert kinds["empty-file.xlsx"] == "empty" and kinds["csv-renamed.xlsx"] == "text"
    assert kinds["excel-97-2003-renamed.xlsx"] == "xls" and kinds["password-to-open.xlsx"] == "encrypted"
    assert kinds["pdf-renamed.xlsx"] == "pdf" and kinds["docx-renamed.xlsx"] == "zip"
    assert file_kind(bad["reports"]["word-97-2003-renamed.docx"]) == "doc"


def test_limits_are_checked_on_declared_sizes_before_anything_is_inflated(bad):
    """The refusals come from the zip's directory: with a limit just above the bomb it opens, so the
    sizes the limits saw are the sizes the directory declares."""
    bomb = bad["workbooks"]["zip-bomb-overlapping-entries.xlsx"]
    with pytest.raises(RefusedFile, match="超过 512 MB"):
        open_package(bomb)
    with zipfile.ZipFile(bomb) as z:
        declared = sum(i.file_size for i in z.infolist())
    open_package(bomb, limits=Limits(total_bytes=declared)).close()
    with pytest.raises(RefusedFile, match="超过"):
        open_package(bomb, limits=Limits(total_bytes=declared - 1))
    many = bad["workbooks"]["ten-thousand-and-one-parts.xlsx"]
    with zipfile.ZipFile(many) as z:
        parts = len(z.infolist())
    open_package(many, limits=Limits(parts=parts)).close()
    with pytest.raises(RefusedFile, match=f"{parts} 个，上限 {parts - 1} 个"):
        open_package(many, limits=Limits(parts=parts - 1))


def test_a_dtd_is_refused_in_any_part_the_reader_reads(tmp_path):
    good = template_bytes(report=GOOD)
    for part in ("xl/workbook.xml", "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet4.xml"):
        path = tmp_path / (part.replace("/", "_") + ".xlsx")
        path.write_bytes(with_doctype(good, part, XXE, ""))
        done = run("check", path)
        output = done.stdout + done.stderr
        assert done.returncode == 2 and part in output and "含有 DTD 声明" in output, (part, output)
