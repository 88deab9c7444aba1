"""Printouts that fit: every sheet we write, printed to PDF by headless LibreOffice, is on A4 (either
orientation), loses no text beyond the printed area, and takes no more pages than stated below; the
macro-enabled workbook's helper sheet (xlwings.conf) is not printed.

Rendered: both templates (2021, 2019), the macro-enabled workbook of each, a filled workbook (long
texts in parts 一/五/六, long unit name) and a county summary — one LibreOffice run for all of them,
each workbook loaded once (tests/lo_driver.py, op print_each).  "No text lost" compares the printed
text (pdftotext) with the cells' text: every non-empty cell's text appears whole once whitespace and
line breaks are taken out (a cut cell loses characters at its edge, so its text is not found)."""
from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from conftest import run_libreoffice
from toolkit.core.formats import common
from toolkit.core.roster import RosterUnit
from toolkit.app.samples import plausible_report, zequ_2022
from toolkit.io.workbook.macro_workbook import macro_workbook_bytes
from toolkit.io.workbook.roster_book import roster_bytes
from toolkit.io.workbook.template import template_bytes
from test_consolidate import run

A4 = (595, 842)  # points, portrait; landscape the other way round
LONG_TEXT = "".join(  # the clerk's own text, long and not repeating itself (so a lost piece is not found elsewhere)
    f"第{n}条：{topic}方面，本机关{how}，全年共发布相关信息{n * 37 % 400 + 12}条，办理群众咨询{n * 53 % 300 + 5}件。"
    for n, (topic, how) in enumerate([("规章和规范性文件", "坚持以公开为常态、不公开为例外"), ("行政许可", "及时回应社会关切"),
                                      ("行政处罚和行政强制", "按照统一标准逐项核对后上网"), ("财政预决算", "细化到功能分类项级科目"),
                                      ("重大建设项目", "围绕批准、实施、结果三个环节"), ("公共资源配置", "推行全流程电子化交易"),
                                      ("乡村振兴和民生保障", "利用村务公开栏和微信群"), ("政策解读", "采用图表、视频和问答等形式"),
                                      ("依申请公开", "规范受理、登记、答复各个环节"), ("平台建设", "整合政府网站和政务新媒体")], start=1))
SHEETS, SUMMARY = common().sheets, common().summary_sheets


def page_bound(book: str, sheet: str) -> int:
    """The most pages a sheet may take.  Templates and a filled workbook: 填报说明 and 单位信息 one page,
    each table one page (the widest, 表二, is fitted to one landscape page's width), 文字部分 a page per
    part at most, 校验结果 one page.  The summary: 分单位明细 fits no page's width (a column per cell),
    so it is printed
    at 75 %, its unit columns and header rows repeated on every page: about 190 columns, 7 to 10 to a
    landscape page, at most 30 pages for the sample county (five units, one page down); every other
    summary sheet at most 3."""
    if book == "summary":
        return 30 if sheet == SUMMARY["details"] else 3
    if sheet == SHEETS["texts"]:
        return 6
    return 1


def normalised(text: str) -> str:
    return re.sub(r"\s+", "", text)


def cell_texts(path: Path, sheet: str) -> list[str]:
    """The text of every non-empty cell as LibreOffice shows it (values, not formulas; numbers as
    integers where they are whole)."""
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    out = []
    for row in ws.iter_rows():
        for c in row:
            v = c.value
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            if isinstance(v, str) and v.startswith("="):
                continue  # a formula: its value is LibreOffice's, not ours to compare
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            if hasattr(v, "strftime"):
                v = v.strftime("%Y-%m-%d")
            out.append(normalised(str(v)))
    return out


def pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+\s+size:\s+([\d.]+) x ([\d.]+)", info)]


def printed_whole(text: str, whole: str, lines: list[str]) -> bool:
    """Whether a cell's `text` was printed whole: found in the printed text, or, where pdftotext has
    interleaved the lines of cells side by side (a wrapped label beside another, cell ids in a row),
    made of pieces of printed lines in order, each a whole line or at least 3 characters long.  A cut
    cell loses its characters beyond the page's edge: they are printed nowhere, so neither holds."""
    if text in whole:
        return True
    pos = 0
    while pos < len(text):
        rest = text[pos:]
        step = 0
        for line in lines:
            if rest.startswith(line):
                step = max(step, len(line))
            k = len(rest)
            while k > step and rest[:k] not in line:
                k -= 1
            if k >= 3 or k == len(rest):
                step = max(step, k)
        if not step:
            return False
        pos += step
    return True


def overlapping_lines(pdf: Path) -> list[tuple[int, str, str]]:
    """Printed lines drawn over one another (text of a row too low for it), per page: pdftotext's
    bounding boxes of two lines that overlap by more than a third of the lower one's height."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    out = []
    for number, page in enumerate(xml.split("<page ")[1:], start=1):
        lines = []
        for m in re.finditer(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', page, re.S):
            x0, y0, x1, y1 = map(float, m.groups()[:4])
            lines.append((x0, y0, x1, y1, "".join(re.findall(r">([^<]*)</word>", m.group(5)))))
        for i, a in enumerate(lines):
            for b in lines[i + 1:]:
                dx = min(a[2], b[2]) - max(a[0], b[0])
                dy = min(a[3], b[3]) - max(a[1], b[1])
                if dx > 1 and dy > min(a[3] - a[1], b[3] - b[1]) / 3:
                    out.append((number, a[4], b[4]))
    return out


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    for tool in ("pdfinfo", "pdftotext"):
        if not shutil.which(tool):
            pytest.fail(f"poppler's {tool} is needed for this test")
    folder = tmp_path_factory.mktemp("printouts")
    books = {}
    for version in ("2021", "2019"):
        books[f"template-{version}"] = folder / f"template-{version}.xlsx"
        books[f"template-{version}"].write_bytes(template_bytes(version))
        books[f"macros-{version}"] = folder / f"macros-{version}.xlsm"
        books[f"macros-{version}"].write_bytes(macro_workbook_bytes(version))
    report = plausible_report("某某县某某乡镇人民政府（县政务服务和大数据管理局联合报送）", "乡镇", 2025, seed=3)
    filled = dataclasses.replace(report, texts={part: LONG_TEXT for part in report.texts})
    books["filled"] = folder / "filled.xlsx"
    books["filled"].write_bytes(template_bytes(report=filled))
    books["summary"] = _county_summary(folder)
    tasks = [{"op": "print_each", "in": str(path), "out": str(folder / f"{key}-pdf")} for key, path in books.items()]
    results = run_libreoffice(tasks, timeout=600)
    return {key: (books[key], result) for key, result in zip(books, results)}


def _county_summary(folder: Path) -> Path:
    """A county summary: five units' workbooks (one on the 2019 template) consolidated with a roster."""
    sent = folder / "回收"
    sent.mkdir()
    units = [("东河镇", "乡镇"), ("西山乡", "乡镇"), ("北关街道", "街道"), ("县民政局", "县级部门"), ("南湖镇", "乡镇")]
    for seed, (unit, level) in enumerate(units[:4], start=1):
        (sent / f"{unit} 2022年报.xlsx").write_bytes(template_bytes(report=plausible_report(unit, level, 2022, seed=seed)))
    (sent / "泽曲镇 2022年报.xlsx").write_bytes(template_bytes(report=zequ_2022()))
    roster = folder / "单位名单.xlsx"
    roster.write_bytes(roster_bytes(tuple(RosterUnit(n, lv) for n, lv in units + [("泽曲镇", "乡镇")])))
    out = folder / "某县2022年汇总.xlsx"
    done = run("consolidate", sent, "--year", 2022, "--roster", roster, "-o", out, "--unit", "某县")
    assert out.exists(), done.stderr
    return out


BOOKS = ["template-2021", "template-2019", "macros-2021", "macros-2019", "filled", "summary"]


@pytest.mark.parametrize("book", BOOKS)
def test_every_page_is_a4(printed, book):
    _, result = printed[book]
    for sheet, pdf in result["sheets"].items():
        sizes = pdf_pages(Path(pdf))
        assert sizes, sheet
        for w, h in sizes:
            assert sorted((round(w), round(h))) == sorted(A4), (sheet, w, h)


@pytest.mark.parametrize("book", BOOKS)
def test_page_counts_within_their_bound(printed, book):
    _, result = printed[book]
    counts = {sheet: len(pdf_pages(Path(pdf))) for sheet, pdf in result["sheets"].items()}
    assert {s: n for s, n in counts.items() if n > page_bound(book, s)} == {}, counts


@pytest.mark.parametrize("book", BOOKS)
def test_no_text_beyond_the_printed_area(printed, book):
    path, result = printed[book]
    lost = {}
    for sheet, pdf in result["sheets"].items():
        printed = pdf_text(Path(pdf))
        text, lines = normalised(printed), [normalised(line) for line in printed.splitlines() if line.strip()]
        missing = [t for t in cell_texts(path, sheet) if not printed_whole(t, text, lines)]
        if missing:
            lost[sheet] = missing
    assert lost == {}


@pytest.mark.parametrize("book", BOOKS)
def test_no_printed_lines_overlap(printed, book):
    _, result = printed[book]
    drawn_over = {sheet: found for sheet, pdf in result["sheets"].items() if (found := overlapping_lines(Path(pdf)))}
    assert drawn_over == {}


@pytest.mark.parametrize("book", ["macros-2021", "macros-2019"])
def test_the_xlwings_conf_sheet_is_not_printed(printed, book):
    _, result = printed[book]
    conf = common().xlwings_conf
    assert conf["sheet"] not in result["sheets"]
    whole = normalised(pdf_text(Path(result["all"])))
    assert normalised(conf["note"]) not in whole and conf["settings"][0][0] not in whole
    assert normalised(common().sheets["guide"]) in whole  # the workbook itself is printed
