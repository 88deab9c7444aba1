"""Exporting the report to publish, and the round trip: a filled workbook exported to .docx and to
HTML (and to the text of each, and the .docx to PDF), then imported, gives the same numbers and texts.
The PDF is rendered by LibreOffice and checked for A4 pages, the title and every table label."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import lxml.html
import pytest

from conftest import fill_workbook
from toolkit.core.formats import get_format
from toolkit.core.layout import workbook_layout
from toolkit.app.publishing import export_report
from toolkit.io.published.export import export_bytes, report_title
from toolkit.io.published.importer import import_file
from toolkit.io.published.text import read_lines
from toolkit.core.rules import computed_totals
from toolkit.io.workbook.reader import read_workbook
from workbooks import CONSISTENT_2019, CONSISTENT_2021, entries, info_of

TEXTS = {
    "overview": "2025年，本单位认真贯彻落实《中华人民共和国政府信息公开条例》。\n（一）主动公开情况\n"
                "全年主动公开政府信息236条，其中政策文件12件。",
    "problems": "一是公开内容不够全面；二是解读形式较为单一。\n下一步将加强培训。",
    "other": "本年度未收取信息处理费。",
}
REPORTS = {"2021": CONSISTENT_2021, "2019": CONSISTENT_2019}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def filled(templates, tmp_path_factory) -> dict[str, Path]:
    """A filled workbook of each format version, with texts of several lines."""
    folder = tmp_path_factory.mktemp("filled")
    return {v: fill_workbook(templates[v], folder / f"{v}-filled.xlsx", entries(r), info_of(r), TEXTS)
            for v, r in REPORTS.items()}


@pytest.fixture(scope="module")
def exported(filled, tmp_path_factory) -> dict[tuple[str, str], Path]:
    folder = tmp_path_factory.mktemp("exported")
    return {(v, to): export_report(path, folder, to).output for v, path in filled.items() for to in ("docx", "html")}


def _expected(workbook: Path):
    report = read_workbook(workbook).report
    return report, {**report.values, **computed_totals(report)}


def _same_report(imported, workbook: Path) -> None:
    report, values = _expected(workbook)
    back = imported.report
    assert (back.unit, back.year, back.format) == (report.unit, report.year, report.format)
    assert back.values == values
    assert back.texts == report.texts == TEXTS
    assert not [f for f in imported.findings if f.code not in ("P-LEVEL",)], imported.findings


@pytest.mark.parametrize("version", ["2021", "2019"])
@pytest.mark.parametrize("to", ["docx", "html"])
def test_round_trip_export_then_import(filled, exported, version, to):
    path = exported[(version, to)]
    report, _ = _expected(filled[version])
    assert path.name == f"{report.unit}{report.year}年政府信息公开工作年度报告.{to}"
    _same_report(import_file(path), filled[version])


def test_export_is_the_same_bytes_each_time(filled):
    report = read_workbook(filled["2021"]).report
    for to in ("docx", "html"):
        assert export_bytes(report, to) == export_bytes(report, to)


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_docx_layout_fonts_and_page(exported, version):
    path = exported[(version, "docx")]
    import docx

    doc = docx.Document(str(path))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    paragraphs = [p.text for p in doc.paragraphs if p.text]
    fmt = get_format(version)
    assert paragraphs[0] == report_title(REPORTS[version])
    headings = [p for p in paragraphs if p in {part.heading for part in fmt.parts}]
    assert headings == [part.heading for part in fmt.parts]  # all six, in order
    with zipfile.ZipFile(path) as z:
        styles = z.read("word/styles.xml").decode()
        document = z.read("word/document.xml").decode()
        fonts = z.read("word/fontTable.xml").decode()
    for east_asian in ("仿宋", "宋体", "黑体"):
        assert f'w:eastAsia="{east_asian}"' in styles
    assert 'w:name="仿宋"' in fonts and 'w:altName w:val="FangSong"' in fonts
    # merged cells: one horizontal or vertical merge per merged label or spanned value of the layout
    layout = workbook_layout(version)
    merged = sum(1 for s in layout.tables for lab in s.labels if lab.merged and lab.role != "title")
    merged += sum(len(s.spans) for s in layout.tables)
    starts = len(re.findall(r'<w:vMerge w:val="restart"/>', document))
    spans_only = sum(1 for tc in _cells(path) if _span(tc) > 1 and _vmerge(tc) is None)
    assert starts + spans_only == merged
    assert len(doc.tables) == 3


def _cells(path):
    from lxml import etree

    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    return list(root.iter(f"{W}tc"))


def _span(tc) -> int:
    el = tc.find(f"{W}tcPr/{W}gridSpan")
    return int(el.get(f"{W}val")) if el is not None else 1


def _vmerge(tc):
    el = tc.find(f"{W}tcPr/{W}vMerge")
    return None if el is None else el.get(f"{W}val", "continue")


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_html_tables_are_the_workbook_tables(exported, version):
    page = exported[(version, "html")].read_text(encoding="utf-8")
    assert "size: A4" in page
    assert '"仿宋", "FangSong"' in page and '"宋体", "SimSun"' in page and "serif" in page
    root = lxml.html.document_fromstring(page)
    tables = root.findall(".//table")
    layout = workbook_layout(version)
    assert len(tables) == len(layout.tables)
    for table, sheet in zip(tables, layout.tables):
        cells = [(td.text_content(), int(td.get("rowspan", 1)), int(td.get("colspan", 1))) for td in table.iter("td")]
        labels = [(lab.text, lab.last_row - lab.row + 1, lab.last_col - lab.col + 1)
                  for lab in sheet.labels if lab.role != "title"]
        assert sorted(c for c in cells if c in labels) == sorted(labels)  # every label, merged as in the workbook
        assert len(cells) == len(labels) + len(sheet.cells)
    assert root.findtext(".//h1") == report_title(REPORTS[version])
    assert [h.text for h in root.iter("h2")] == [p.heading for p in get_format(version).parts]


def test_export_refuses_to_overwrite_and_names_unreadable_workbooks(filled, tmp_path):
    first = export_report(filled["2021"], tmp_path, "html")
    before = first.output.read_bytes()
    refused = export_report(filled["2021"], tmp_path, "html")
    assert refused.output is None and "已存在" in refused.refused and first.output.read_bytes() == before
    assert export_report(filled["2021"], tmp_path, "html", force=True).output == first.output
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    assert "broken.xlsx" in export_report(broken, tmp_path, "docx").unreadable


# --- through LibreOffice: the text of each export, and the PDF ---------------------------------

def _soffice(target: str, sources: list[Path], folder: Path) -> None:
    if not shutil.which("soffice"):
        pytest.fail("LibreOffice (soffice) is needed for this test; run .ci/run to install it")
    profile = folder / "lo-profile"
    proc = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                           "--convert-to", target, "--outdir", str(folder), *map(str, sources)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def rendered(exported, tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Each export as LibreOffice saves it as text, and each .docx as PDF."""
    out = {}
    for (version, to), path in exported.items():
        folder = tmp_path_factory.mktemp(f"lo-{version}-{to}")
        copy = folder / f"{version}-{to}.{to}"
        shutil.copy(path, copy)
        _soffice("txt:Text (encoded):UTF8", [copy], folder)
        out[(version, f"{to}.txt")] = folder / f"{version}-{to}.txt"
        if to == "docx":
            _soffice("pdf", [copy], folder)
            out[(version, "pdf")] = folder / f"{version}-{to}.pdf"
    return out


@pytest.mark.parametrize("version", ["2021", "2019"])
@pytest.mark.parametrize("kind", ["docx.txt", "html.txt", "pdf"])
def test_round_trip_through_text_and_pdf(filled, rendered, version, kind):
    _same_report(import_file(rendered[(version, kind)]), filled[version])


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_docx_renders_to_a4_pages_with_the_title_and_every_table_label(rendered, version):
    pdf = rendered[(version, "pdf")]
    info = subprocess.run(["pdfinfo", "-l", "99", str(pdf)], capture_output=True, text=True, check=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    assert sizes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in sizes)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert report_title(REPORTS[version]) in flat
    for part in get_format(version).parts:
        assert part.heading in flat
    # every label of the three tables is one cell of a table in the PDF (merged cells included)
    cells = {re.sub(r"\s+", "", c) for line in read_lines(pdf) if line.row for c in line.cells}
    labels = [lab.text for s in workbook_layout(version).tables for lab in s.labels if lab.role != "title"]
    assert [lab for lab in labels if re.sub(r"\s+", "", lab) not in cells] == []
