"""`xxgk import DIR`: a folder of reports as county staff save them from government sites — pages in
GBK or UTF-8 inside a CMS wrapper, with the `_files/` folder a browser writes beside each, among
other files — one workbook per report, every path of the folder in the run's summary once."""
from __future__ import annotations

import hashlib
import shutil

import pytest

from published_files import FIXTURES, word_tables_merged_cells_2019
from saved_pages import WRAPPER_WORDS, figures, report_for, save_page
from test_cli import run
from text_reports import consistent_report, published_text
from toolkit.core.model import ERROR
from toolkit.app.publishing import import_to_workbook
from toolkit.io.published.folder import reports_in
from toolkit.io.published.importer import import_file
from toolkit.io.published.text import html_lines
from toolkit.core.rules import computed_totals
from toolkit.io.workbook.reader import read_workbook

# (file stem: what the page carries, unit, declaration, charset declared, bytes written in, page style)
PAGES = [
    ("gbk-meta-charset-cms-divs", "青山镇", "meta-charset", "gbk", "gbk", "div"),
    ("gbk-declared-gb2312-http-equiv-cms-tables", "喆山镇", "http-equiv", "gb2312", "gbk", "table"),  # 喆: GBK, not GB2312
    ("gbk-undeclared-cms-tables", "河西街道", "none", "", "gbk", "table"),
    ("utf8-undeclared-cms-divs", "东河镇", "none", "", "utf-8", "div"),
    ("utf8-undeclared-cms-tables", "西山乡", "none", "", "utf-8", "table"),
    ("gbk-declared-utf8-wrongly-cms-divs", "北关镇", "meta-charset", "utf-8", "gbk", "div"),
    ("utf8-declared-gb2312-resaved-cms-divs", "南坪镇", "http-equiv", "gb2312", "utf-8", "div"),
]


def _state(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


def _summary(stdout: str) -> list[str]:
    """The summary's lines, one per path (after the 导入汇总 heading, before the totals)."""
    lines = stdout.splitlines()
    start = next(i for i, t in enumerate(lines) if t.startswith("导入汇总"))
    return [t.strip() for t in lines[start + 1:] if t.startswith("  ")]


@pytest.mark.parametrize("name, unit, declaration, charset, encoding, style", PAGES, ids=[p[0] for p in PAGES])
def test_a_saved_page_in_its_cms_wrapper_gives_every_cell_unit_year_and_texts(tmp_path, name, unit, declaration,
                                                                             charset, encoding, style):
    report = report_for(unit, 2023, "2021", seed=len(name))
    folder = tmp_path / "往年年报"
    page = save_page(folder, name, report, declaration, charset or "utf-8", encoding, style=style)
    assert (folder / f"{name}_files" / "counter.html").exists()  # the iframe's page beside the report
    if declaration == "none":
        assert b"charset" not in page.read_bytes()
    before = _state(folder)

    imported = import_file(page)
    got = imported.report
    assert (got.unit, got.year, got.level, got.format) == (unit, 2023, report.level, "2021")
    assert got.info["date"] == "2024-01-20"  # the signature, not a date of the site's page
    expected = figures(report)
    assert len(expected) == 200
    for cid, value in expected.items():
        assert got.values.get(cid) == value, cid
    assert got.values == expected
    assert got.texts == report.texts  # parts 一, 五, 六 as written, nothing of the wrapper
    for text in got.texts.values():
        assert not [w for w in WRAPPER_WORDS if w in text]
    codes = sorted(f.code for f in imported.findings)
    assert codes == ["P-LEVEL"], [(f.code, f.message) for f in imported.findings]

    done = run("import", folder, "-o", tmp_path / "导入")
    assert done.returncode == 0, done.stdout + done.stderr
    written = sorted((tmp_path / "导入").iterdir())
    assert [p.name for p in written] == [f"{unit} 2023年报.xlsx"]  # one workbook: the _files/ page is not a report
    book = read_workbook(written[0]).report
    assert {**book.values, **computed_totals(book)} == expected
    assert book.texts == report.texts and (book.unit, book.year) == (unit, 2023)
    assert _state(folder) == before


def _mixed_folder(tmp_path):
    """A folder of what a clerk collects: a saved page (with its _files/), a text copied from a
    page, a photo, Word's lock file and a subfolder with a Word report."""
    folder = tmp_path / "往年年报"
    page = save_page(folder, "html-report-青山镇", report_for("青山镇", 2023, "2021", seed=3))
    text = folder / "txt-report-青山镇2025.txt"
    text.write_text(published_text(consistent_report(), tmp_path), encoding="utf-8")
    photo = folder / "jpg-photo-not-a-report.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    lock = folder / "~$lock-file-of-an-open-report.docx"
    lock.write_bytes(b"\x04" + "张三".encode("utf-16-le") + b"\x20" * 160)
    (folder / "补报").mkdir()
    word = word_tables_merged_cells_2019(folder / "补报" / "docx-report-城关镇2020.docx")
    return folder, {"page": page, "assets": folder / "html-report-青山镇_files", "text": text, "photo": photo,
                    "lock": lock, "word": word}


def test_every_path_of_a_folder_is_accounted_for_exactly_once(tmp_path):
    folder, paths = _mixed_folder(tmp_path)
    found = reports_in([folder, paths["text"]])  # the text also named: still once
    by_path = {e.path: e for e in found.entries}
    assert len(found.entries) == len(by_path) == 6
    assert set(by_path) == set(paths.values())
    assert found.reports == [paths["page"], paths["text"], paths["word"]]
    assert "保存时附带的文件夹" in by_path[paths["assets"]].skipped and "4 个文件" in by_path[paths["assets"]].skipped
    assert by_path[paths["photo"]].skipped == "不是年报文件（.jpg），未导入"
    assert "临时锁定文件" in by_path[paths["lock"]].skipped
    assert not found.empty


def test_the_summary_lists_each_path_once_with_what_became_of_it(tmp_path):
    folder, paths = _mixed_folder(tmp_path)
    before = _state(folder)
    out = tmp_path / "导入"
    done = run("import", folder, "-o", out)
    assert done.returncode == 0, done.stdout + done.stderr  # three consistent reports, the rest skipped
    lines = _summary(done.stdout)
    assert len(lines) == 6
    for path in paths.values():
        assert sum(line.startswith(f"{path}：") or line.startswith(f"{path} → ") for line in lines) == 1, path
    said = {path: next(t for t in lines if t.startswith(str(path))) for path in paths.values()}
    assert said[paths["page"]] == f"{paths['page']} → 已写出“青山镇 2023年报.xlsx”（错误 0 个，提示 1 个）"
    assert said[paths["text"]].startswith(f"{paths['text']} → 已写出“青山镇 2025年报.xlsx”（错误 0 个")
    assert said[paths["word"]] == f"{paths['word']} → 已写出“城关镇人民政府 2020年报.xlsx”（错误 0 个，提示 3 个）"
    assert said[paths["photo"]] == f"{paths['photo']}：不是年报文件（.jpg），未导入"
    assert "临时锁定文件，未导入" in said[paths["lock"]]
    assert "网页“html-report-青山镇.html”保存时附带的文件夹" in said[paths["assets"]]
    assert ("共 6 个文件：写出工作簿 3 个（其中有错误的 0 个），无法读取 0 个，未写出 0 个，跳过 3 个"
            in done.stdout.splitlines())
    assert sorted(p.name for p in out.iterdir()) == ["城关镇人民政府 2020年报.xlsx", "青山镇 2023年报.xlsx",
                                                     "青山镇 2025年报.xlsx"]
    assert _state(folder) == before

    again = run("import", folder, "-o", out)  # the workbooks exist: not written, exit 2
    assert again.returncode == 2
    assert "共 6 个文件：写出工作簿 0 个（其中有错误的 0 个），无法读取 0 个，未写出 3 个，跳过 3 个" in again.stdout
    assert f"{paths['page']}：未写出工作簿，" in again.stdout and "已存在" in again.stdout
    assert _state(folder) == before


def test_an_unreadable_report_in_a_folder_is_exit_2_and_a_folder_without_reports_is_said(tmp_path):
    folder = tmp_path / "往年年报"
    folder.mkdir()
    shutil.copy(FIXTURES / "zequ-town-2022-published.txt", folder / "zequ-town-2022.txt")
    (folder / "broken-report.docx").write_bytes(b"not a docx")
    (folder / "old-word-report.doc").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    (folder / "ie-web-archive.mht").write_text("MIME-Version: 1.0", encoding="ascii")
    done = run("import", folder, "-o", tmp_path / "导入")
    assert done.returncode == 2, done.stdout + done.stderr
    lines = _summary(done.stdout)
    assert len(lines) == 4
    assert any(t.startswith(f"{folder / 'broken-report.docx'}：无法读取，Word 文件已损坏") for t in lines), lines
    assert f"{folder / 'old-word-report.doc'}：Word 97-2003 文件（.doc），未导入：请在 Word 或 WPS 中另存为 .docx 后再导入" in lines
    assert any(t.startswith(f"{folder / 'ie-web-archive.mht'}：单个文件网页（.mht），未导入") for t in lines)
    assert "共 4 个文件：写出工作簿 1 个（其中有错误的 1 个），无法读取 1 个，未写出 0 个，跳过 2 个" in done.stdout

    photos = tmp_path / "照片"
    photos.mkdir()
    (photos / "合影.jpg").write_bytes(b"\xff\xd8\xff")
    empty = run("import", photos, "-o", tmp_path / "导入2")
    assert empty.returncode == 2
    assert f"文件夹“{photos}”中没有年报文件" in empty.stderr
    assert f"{photos / '合影.jpg'}：不是年报文件（.jpg），未导入" in _summary(empty.stdout)
    assert not (tmp_path / "导入2").exists() or not any((tmp_path / "导入2").iterdir())


# --- the site's page around the report, piece by piece --------------------------------------------

def _texts(body: str) -> list[str]:
    return [line.text for line in html_lines(f"<html><body>{body}</body></html>")]


def test_a_breadcrumb_ending_in_the_title_is_not_taken_for_the_title():
    lines = _texts("<div>当前位置：首页 &gt; 政务公开 &gt; 青山镇2023年政府信息公开工作年度报告</div>"
                   "<h1>青山镇2023年政府信息公开工作年度报告</h1><p>一、总体情况</p>")
    assert lines == ["青山镇2023年政府信息公开工作年度报告", "一、总体情况"]


def test_a_row_of_links_is_navigation_and_one_cell_tables_are_read_as_paragraphs():
    lines = html_lines("<table><tr><td><a>首页</a></td><td><a>政务公开</a></td></tr></table>"
                       "<table><tr><td>青山镇2023年政府信息公开工作年度报告</td></tr><tr><td>发布日期：2024-01-20</td></tr></table>"
                       "<table><tr><td>规章</td><td>0</td></tr></table>")
    assert [(line.row, line.cells) for line in lines] == [
        (False, ("青山镇2023年政府信息公开工作年度报告",)), (False, ("发布日期：2024-01-20",)), (True, ("规章", "0"))]


def test_the_footer_goes_from_its_first_line_to_the_end_but_the_report_keeps_its_words():
    lines = _texts("<p>六、其他需要报告的事项</p><p>县大数据中心提供技术支持：平台运行平稳。</p>"
                   "<p>青山镇人民政府</p><p>2024年1月20日</p>"
                   "<p>网站地图 | 联系我们</p><p>主办单位：某某县人民政府办公室</p><p>地址：人民路1号</p>"
                   "<p>蜀ICP备12345678号</p>")
    assert lines == ["六、其他需要报告的事项", "县大数据中心提供技术支持：平台运行平稳。", "青山镇人民政府", "2024年1月20日"]


def test_an_element_named_like_the_sites_is_read_when_it_holds_a_table_of_figures():
    lines = html_lines('<div class="footer-wrap"><table><tr><td>规章</td><td>3</td></tr></table></div>'
                       '<div class="footer"><p>版权所有</p></div>')
    assert [line.cells for line in lines] == [("规章", "3")]


def test_no_wrapper_line_is_an_error_in_a_folder_of_pages(tmp_path):
    """Through import_to_workbook (the function the command calls per file): no finding of the
    pages is an error, and every page's workbook is written."""
    folder = tmp_path / "pages"
    for i, (unit, style) in enumerate((("青山镇", "div"), ("河西街道", "table"))):
        save_page(folder, f"page-{i}", report_for(unit, 2022, "2019", seed=i), style=style)
    taken: set = set()
    for page in reports_in([folder]).reports:
        done = import_to_workbook(page, tmp_path / "导入", taken=taken)
        assert done.workbook is not None and not [f for f in done.checked.findings if f.severity == ERROR]


def test_a_style_class_that_only_sounds_like_the_sites_keeps_its_text():
    lines = _texts('<div class="position-relative"><p class="border-bottom">一、总体情况</p></div>'
                   '<div class="bottom">版权所有 某某县人民政府</div><div id="dqwz">首页 政务公开</div>')
    assert lines == ["一、总体情况"]


def test_chinese_browsers_files_folder_and_an_output_folder_inside_the_input_folder(tmp_path):
    """IE and Chinese browsers save a page's assets in 报告.files/ (and the page as .htm); the
    workbooks written into the folder itself are skipped as workbooks when it is imported again."""
    folder = tmp_path / "往年年报"
    page = save_page(folder, "青山镇2023年报", report_for("青山镇", 2023, "2021", seed=9))
    page = page.rename(folder / "青山镇2023年报.htm")
    (folder / "青山镇2023年报_files").rename(folder / "青山镇2023年报.files")
    before = _state(folder)
    done = run("import", folder, "-o", folder / "导入")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = _summary(done.stdout)
    assert lines == [f"{folder / '青山镇2023年报.files'}：网页“青山镇2023年报.htm”保存时附带的文件夹（图片、样式、脚本等，4 个文件），未导入",
                     f"{page} → 已写出“青山镇 2023年报.xlsx”（错误 0 个，提示 1 个）"]
    again = run("import", folder, "-o", tmp_path / "再次导入")
    assert again.returncode == 0, again.stdout + again.stderr
    assert (f"{folder / '导入' / '青山镇 2023年报.xlsx'}：这是工作簿，不是已发布的年报，未导入"
            f"（工作簿请用 xxgk check 校验、xxgk export 导出年报）") in _summary(again.stdout)
    assert {k: v for k, v in _state(folder).items() if not k.startswith("导入")} == before


def test_a_link_looping_back_in_a_folder_is_listed_as_not_readable(tmp_path):
    import os

    folder = tmp_path / "往年年报"
    save_page(folder, "page", report_for("青山镇", 2023, "2021"), assets=False)
    os.symlink(".", folder / "loop")  # the folder itself
    found = reports_in([folder])
    assert [e.path.name for e in found.entries] == ["loop", "page.html"]
    assert "形成循环" in found.entries[0].unreadable
    done = run("import", folder, "-o", tmp_path / "导入")
    assert done.returncode == 2 and "形成循环" in done.stdout and "Traceback" not in done.stderr
    assert "共 2 个文件：写出工作簿 1 个（其中有错误的 0 个），无法读取 1 个，未写出 0 个，跳过 0 个" in done.stdout


def test_lists_and_columns_of_links_are_the_sites_even_when_they_hold_another_reports_title():
    other = "某某县人民政府2022年政府信息公开工作年度报告"  # above the article: it would be taken for the title
    lines = _texts(f'<ul><li><a href="#">机构职能</a></li><li><a href="#">{other}</a></li></ul>'
                   f'<table><tr><td><a href="#">{other}</a></td></tr><tr><td><a href="#">政策文件</a></td></tr></table>'
                   "<h1>青山镇2023年政府信息公开工作年度报告</h1>"
                   '<ul><li>（一）主动公开，见<a href="#">专栏</a>。</li></ul>')
    assert lines == ["青山镇2023年政府信息公开工作年度报告", "（一）主动公开，见专栏。"]


def test_the_sites_header_goes_but_a_header_holding_the_reports_title_stays():
    lines = _texts("<header><h1>某某县人民政府</h1><p>无障碍</p></header>"
                   "<div class='content'><header><h1>青山镇2023年政府信息公开工作年度报告</h1></header>"
                   "<p>一、总体情况</p></div><footer><p>地址：人民路1号</p></footer>")
    assert lines == ["青山镇2023年政府信息公开工作年度报告", "一、总体情况"]


def test_the_pages_date_and_hits_below_the_article_are_not_part_six():
    lines = _texts("<p>六、其他需要报告的事项</p><p>本年度未收取信息处理费。</p><p>青山镇人民政府</p><p>2024年1月20日</p>"
                   "<div>发布日期：2024-01-25　浏览次数：128</div><div>【打印本页】</div>")
    assert lines == ["六、其他需要报告的事项", "本年度未收取信息处理费。", "青山镇人民政府", "2024年1月20日"]
    top = _texts("<div>今天是2024年1月1日 星期一</div><h1>2023年政府信息公开工作年度报告</h1>")
    assert top == ["2023年政府信息公开工作年度报告"]  # no statistics period read off the site's date
