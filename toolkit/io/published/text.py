"""Published reports as lines: each kind of input (plain text, an HTML page, a Word .docx, a text-based
PDF) turned into one sequence of `Line`s — a paragraph, or a table row whose cells are known.

This is the adapter layer of the importer: it knows file formats, nothing about the report format.
A merged table cell appears once, at its first position (as a browser copies a table); a cell's
line breaks are kept inside the cell.
"""
from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import cached_property
from functools import lru_cache
from pathlib import Path

from toolkit.io.intake import DOCUMENT_KINDS, OLE_KINDS, RefusedFile, file_kind, open_package, read_part
from toolkit.io.intake import check_regular, refusal
from toolkit.io.published.limits import REPORT_LIMITS, Deadline, check_characters, check_pdf, read_report

TEXT_SUFFIXES = {".txt", ".text", ""}
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}


@dataclass(frozen=True)
class Line:
    """A paragraph (one cell, row=False) or a table row (row=True) with its cells in order."""

    cells: tuple[str, ...]
    row: bool = False
    furniture: bool = False  # a PDF's running header, footer or page number (toolkit.io.published.furniture)

    @cached_property  # asked for again and again by the importer; a frozen Line never changes
    def text(self) -> str:
        return " ".join(c.strip() for c in self.cells if c.strip())


class UnreadableReport(Exception):
    """The file cannot be read as a report at all; the message (Chinese) names the file and why."""


def read_lines(path, deadline: Deadline | None = None) -> list[Line]:
    """The lines of a published report file, whatever its kind, within toolkit.io.published.limits
    (`deadline`, if given, is checked between a PDF's pages)."""
    path = Path(path)
    if not os.path.lexists(path):  # a symbolic link that leads nowhere is refused below, saying so
        raise UnreadableReport(f"“{path}”：文件不存在")
    if path.is_dir():
        raise UnreadableReport(f"“{path}”：这是一个文件夹，不是年报文件")
    try:
        check_regular(path)  # a named pipe would keep the run waiting for ever
        data = read_report(path)
    except RefusedFile as exc:
        raise UnreadableReport(f"“{path.name}”：{exc}") from exc
    except OSError as exc:  # no permission, a file another program holds, a failing disk
        raise UnreadableReport(f"“{path.name}”：{refusal(exc)}") from exc
    suffix = path.suffix.lower()
    kind = file_kind(data)
    try:
        if kind == "empty" or kind in OLE_KINDS:  # whatever the name says: refused with what it really is
            raise UnreadableReport(DOCUMENT_KINDS[kind])
        if suffix == ".docx" or kind == "zip":
            lines = docx_lines(data)
        elif suffix == ".pdf" or kind == "pdf":
            lines = pdf_lines(data, deadline)
        elif suffix in HTML_SUFFIXES or _looks_like_html(data):
            lines = html_lines(decode(data, html=True))
        elif suffix in (".doc", ".wps", ".rtf", ".xls", ".xlsx", ".xlsm") or kind in ("rtf", "unknown"):
            raise UnreadableReport(f"不支持 {suffix or '这种'} 文件，请另存为 .docx、网页（.html）、PDF 或纯文本（.txt）后再导入")
        else:
            lines = text_lines(decode(data))
    except UnreadableReport as exc:
        if str(exc).startswith("“"):
            raise
        raise UnreadableReport(f"“{path.name}”：{exc}") from exc
    try:
        check_characters(sum(len(c) for line in lines for c in line.cells))
    except RefusedFile as exc:
        raise UnreadableReport(f"“{path.name}”：{exc}") from exc
    lines = [Line(tuple(_without_controls(c) for c in line.cells), line.row, line.furniture) for line in lines]
    if not any(line.text for line in lines):
        raise UnreadableReport(f"“{path.name}”：文件中没有文字（如是扫描件或图片，请先转为文字）")
    return lines


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _without_controls(text: str) -> str:
    """Text without the control characters a workbook cannot hold (openpyxl refuses them): Word's
    manual line break (vertical tab) becomes a line break; page breaks (form feed) and the rest go."""
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub(lambda m: "\n" if m.group() == "\x0b" else "", text)


# --- plain text ---------------------------------------------------------------------------------

def decode(data: bytes, html: bool = False) -> str:
    """Text in UTF-8 (with or without BOM) or, as Chinese Windows saves it, GB18030."""
    if html:
        return _decode_page(data)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableReport("文字编码无法识别（应为 UTF-8 或 GBK）")


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_MARKDOWN_RULE = re.compile(r"^\s*:?-{3,}:?\s*$")  # a cell of a Markdown table's rule line (|---|:--:|)


def text_lines(text: str) -> list[Line]:
    """Plain text as people copy it from web pages and Word:

    - a table copied from a browser: each cell starts a line with a tab, its text may go on over the
      next lines, and an empty line ends the row (as the 泽曲镇 sample);
    - a table row on one line, cells separated by tabs (copied from Word or Excel) or by "|" (with or
      without bars at both ends: `|a|b|c|`, `a | b | c`); blank cells keep their places, trailing
      ones too (the importer drops what the table has no column for);
    - anything else is a paragraph (the importer splits table paragraphs at spaces).
    """
    out: list[Line] = []
    row: list[str] | None = None
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if "\f" in raw and row is None:  # a page break (pdftotext writes a form feed): kept as a mark
            before, _, raw = raw.rpartition("\f")
            out.extend(Line((part,)) for part in before.split("\f") if part.strip())
            out.append(Line(("",), furniture=True))
        if raw.startswith("\t"):
            row = (row or []) + raw.split("\t")[1:]
            continue
        if row is not None:
            if raw == "":
                out.append(Line(tuple(row), row=True))
                row = None
            else:
                row[-1] += "\n" + raw  # the cell's text goes on
            continue
        if "\t" in raw.strip():
            out.append(Line(tuple(raw.strip(" \u3000").split("\t")), row=True))
        elif _PIPE_ROW.match(raw) or raw.count("|") >= 2:
            cells = _bar_cells(raw)
            if not all(_MARKDOWN_RULE.match(c) for c in cells):
                out.append(Line(tuple(cells), row=True))
        else:
            out.append(Line((raw,)))
    if row is not None:
        out.append(Line(tuple(row), row=True))
    return out


def _bar_cells(raw: str) -> list[str]:
    """`|a|b||` and `a | b | ` as cells: one bar at each end is the row's border, not a cell."""
    text = raw.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|"):
        text = text[:-1]
    return [c.strip() for c in text.split("|")]


# --- HTML ---------------------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "center",
               "blockquote", "pre", "header", "footer", "main", "dd", "dt", "dl", "form", "caption", "hr",
               "table", "tr", "td", "th", "tbody", "thead", "tfoot", "body", "html"}


@dataclass(frozen=True)
class _Web:
    """The site's page around a report (toolkit/core/formats/page_furniture.toml, [web])."""

    chrome: re.Pattern  # class or id of an element of the site's (chrome_words, chrome_names)
    skip_tags: frozenset
    outside_article_tags: frozenset
    lines: re.Pattern  # a paragraph of the site's
    footer_starts: re.Pattern
    footer_line_length: int
    gb_charsets: frozenset


@lru_cache(maxsize=1)
def _web() -> _Web:
    from toolkit.core.formats import load_toml

    raw = load_toml("page_furniture.toml")["web"]
    words = "|".join(re.escape(w) for w in raw["chrome_words"])
    names = "|".join(re.escape(w) for w in raw["chrome_names"])
    return _Web(re.compile(rf"(^|[\s_-])({words})($|[\s_-])|(^|\s)({names})($|\s)", re.I), frozenset(raw["skip_tags"]),
                frozenset(raw["outside_article_tags"]), re.compile("|".join(f"(?:{p})" for p in raw["lines"])),
                re.compile("|".join(f"(?:{p})" for p in raw["footer_starts"])), int(raw["footer_line_length"]),
                frozenset(raw["gb_charsets"]))


_DECLARED = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w:.-]+)", re.I)


def _decode_page(data: bytes) -> str:
    """A saved page's text: UTF-8 when its bytes are UTF-8 (a page of Chinese in GBK never is, whatever
    its declaration says: pages edited and saved again keep their old <meta>); else the charset its
    <meta charset> or <meta http-equiv … charset=…> declares, GB2312 and GBK read as GB18030 (which
    holds them: pages declared gb2312 use GBK's characters too); else GB18030."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _DECLARED.search(data[:32768])
    if declared:
        name = declared.group(1).decode("ascii", "replace").lower()
        try:
            return data.decode("gb18030" if name in _web().gb_charsets else name)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise UnreadableReport("文字编码无法识别（应为 UTF-8 或 GBK）") from None


def _looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head or b"<body" in head


def html_lines(text: str) -> list[Line]:
    """An HTML page: paragraphs and tables in document order, without the site's page around the
    report (page_furniture.toml [web]).  A table that holds other tables, or whose rows have one cell
    each, is a page-layout table and is read as paragraphs; a table or a list of links is navigation
    (a menu, the site's directory, related articles: other reports' titles among them); a table of
    cells becomes rows."""
    import lxml.html

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml raises several kinds for hopeless input
        raise UnreadableReport(f"网页无法解析（{exc}）") from exc
    out: list[Line] = []
    buffer: list[str] = []
    _walk_html(root, out, buffer)
    _flush(out, buffer)
    return _without_site(out)


def _flush(out: list[Line], buffer: list[str]) -> None:
    text = "".join(buffer)
    buffer.clear()
    for part in text.split("\n"):
        if part.strip():
            out.append(Line((part.strip(),)))


def _tag(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _walk_html(el, out: list[Line], buffer: list[str], in_article: bool = False) -> None:
    tag = _tag(el)
    web = _web()
    if not tag or tag in web.skip_tags:
        return
    if tag in web.outside_article_tags and not in_article and not _holds_title(el):
        return  # the site's header or footer (an article's own <header> holds its title)
    if (el.get("class") or el.get("id")) and web.chrome.search(f"{el.get('class', '')} {el.get('id', '')}") \
            and not _holds_figures(el):
        return
    in_article = in_article or tag in ("article", "main")
    if tag in ("ul", "ol"):
        items = [li for li in el if _tag(li) == "li"]
        if items and all(_only_links(li) for li in items):
            return  # a list of links: a menu, the site's directory, related articles
    if tag == "table" and not any(_tag(t) == "table" for t in el.iterdescendants()):
        rows = [[td for td in tr if _tag(td) in ("td", "th")] for tr in el.iter() if _tag(tr) == "tr"]
        if all(_only_links(td) for cells in rows for td in cells):
            return  # a row or a column of links: the site's navigation
        if any(len(cells) > 1 for cells in rows):
            _flush(out, buffer)
            for cells in rows:
                if cells:
                    out.append(Line(tuple(_cell_text(td) for td in cells), row=True))
            return
        # a table of one cell a row lays out the page (the title, a footer): read as paragraphs
    block = tag in _BLOCK_TAGS
    if block:
        _flush(out, buffer)
    if tag == "br":
        buffer.append("\n")
    if el.text:
        buffer.append(_squash(el.text))
    for child in el:
        _walk_html(child, out, buffer, in_article)
        if child.tail:
            buffer.append(_squash(child.tail))
    if block:
        _flush(out, buffer)


_FIGURE = re.compile(r"^\s*[-+]?\d[\d.,]*\s*$")


def _holds_figures(el) -> bool:
    """Whether an element holds a table row with figures (a report table inside an element whose
    class names it like the site's page: it is read)."""
    return any(_tag(td) in ("td", "th") and _FIGURE.match(unicodedata.normalize("NFKC", td.text_content()))
               for td in el.iter("td", "th", "TD", "TH"))


def _holds_title(el) -> bool:
    """Whether an element's text holds a report's title (信息公开工作年度报告: page_furniture.toml)."""
    from toolkit.io.published.furniture import rules

    return bool(rules().title.search(re.sub(r"\s", "", el.text_content())))


def _only_links(td) -> bool:
    """A cell (or list item) whose text is all inside links (or empty)."""
    text = _squash(td.text_content()).strip()
    if not text:
        return True
    linked = "".join(_squash(a.text_content()) for a in td.iter("a", "A")).strip()
    return re.sub(r"\s", "", linked) == re.sub(r"\s", "", text)


_SENTENCE_END = ("。", "!", "?", ";")  # NFKC: ！？； are half-width


def _without_site(lines: list[Line]) -> list[Line]:
    """The page's lines less the site's paragraphs (breadcrumb, buttons) and its footer: from the
    first footer line after which no table row has figures to the end, all lines short."""
    web = _web()
    normal = [unicodedata.normalize("NFKC", line.text) if not line.row else "" for line in lines]
    last_figures = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].row
                         and any(_FIGURE.match(unicodedata.normalize("NFKC", c)) for c in lines[i].cells)), -1)
    end = len(lines)
    for i in range(len(lines) - 1, last_figures, -1):
        if lines[i].row:
            normal[i] = unicodedata.normalize("NFKC", lines[i].text)
        if len(normal[i]) > web.footer_line_length or normal[i].rstrip().endswith(_SENTENCE_END):
            break
        if not lines[i].row and web.footer_starts.search(normal[i]):
            end = i
    return [line for i, line in enumerate(lines[:end]) if line.row or not web.lines.search(normal[i])]


def _squash(text: str) -> str:
    """HTML whitespace: runs of spaces and line breaks in the source are one space."""
    return re.sub(r"[ \t\r\n]+", " ", text)


def _cell_text(td) -> str:
    if not len(td):  # text only, as most cells of a report's tables: one paragraph
        return _squash(td.text).strip() if td.text else ""
    lines: list[Line] = []
    buffer: list[str] = [_squash(td.text)] if td.text else []
    for sub in td:
        _walk_html(sub, lines, buffer, True)
        if sub.tail:
            buffer.append(_squash(sub.tail))
    _flush(lines, buffer)
    return "\n".join(line.text for line in lines)


# --- Word .docx ---------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_lines(data: bytes) -> list[Line]:
    """A Word document's body: paragraphs and tables in order.  A vertically merged cell appears in
    its first row only; a horizontally merged one once."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:  # measured and checked first (toolkit.io.intake): python-docx reads every part of the package
        with open_package(data, "docx", REPORT_LIMITS.docx) as package:
            xml = [i for i in package.infolist() if i.filename.endswith((".xml", ".rels"))]
            unpacked = sum(i.file_size for i in xml)
            if unpacked > REPORT_LIMITS.docx_xml_bytes:
                raise RefusedFile(f"Word 文件的文字和格式部分解压后有 {unpacked // (1024 * 1024)} MB，超过 "
                                  f"{REPORT_LIMITS.docx_xml_bytes // (1024 * 1024)} MB 的上限，不像是一份年度报告，"
                                  "可能是恶意构造的文件，已拒绝读取；请核实来源")
            for info in xml:
                read_part(package, info.filename)
    except RefusedFile as exc:
        raise UnreadableReport(str(exc)) from exc
    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, XMLSyntaxError) as exc:
        raise UnreadableReport(f"Word 文件已损坏或不是 .docx（{exc.__class__.__name__}）") from exc
    except Exception as exc:  # a damaged part: python-docx passes on zlib's and lxml's errors, and its own
        raise UnreadableReport(f"Word 文件已损坏（{exc.__class__.__name__}），请在 Word 或 WPS 中打开并另存为 .docx 后再导入") from exc
    if body is None:
        raise UnreadableReport("Word 文件已损坏（没有正文），请在 Word 或 WPS 中打开并另存为 .docx 后再导入")
    out: list[Line] = []
    _docx_block(body, out)
    return out


def _docx_block(parent, out: list[Line]) -> None:
    for child in parent.iterchildren():
        if child.tag == f"{_W}p":
            for part in _paragraph_text(child).split("\n"):
                out.append(Line((part,)))
        elif child.tag == f"{_W}tbl":
            for tr in child.iterchildren(f"{_W}tr"):
                cells = []
                for tc in tr.iterchildren(f"{_W}tc"):
                    merge = tc.find(f"{_W}tcPr/{_W}vMerge")
                    if merge is not None and merge.get(f"{_W}val", "continue") == "continue":
                        continue  # the lower part of a vertically merged cell
                    cells.append("\n".join(_paragraph_text(p) for p in tc.iter(f"{_W}p")))
                out.append(Line(tuple(cells), row=True))
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                _docx_block(content, out)


def _paragraph_text(p) -> str:
    parts = []
    for el in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if el.tag == f"{_W}t":
            parts.append(el.text or "")
        elif el.tag == f"{_W}tab":
            parts.append(" ")
        else:
            parts.append("\n")
    return "".join(parts)


# --- PDF ----------------------------------------------------------------------------------------

def pdf_lines(data: bytes, deadline: Deadline | None = None) -> list[Line]:
    """A text-based PDF: the tables pdfplumber finds (ruled tables) as rows, the rest as text lines
    joined back into paragraphs, in reading order page by page.  Its streams are measured first
    (limits.check_pdf), its pages counted before any is read."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        check_pdf(data)
    except RefusedFile as exc:
        raise UnreadableReport(str(exc)) from exc
    items: list = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > REPORT_LIMITS.pages:
                raise UnreadableReport(f"PDF 有 {len(pdf.pages)} 页，超过 {REPORT_LIMITS.pages} 页的上限，"
                                       "不像是一份年度报告，已拒绝读取")
            for page in pdf.pages:
                if deadline is not None:
                    deadline.check()
                items.append(_pdf_page(page))
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise UnreadableReport(f"PDF 文件已损坏或无法解析（{exc.__class__.__name__}）") from exc
    except Exception as exc:  # pdfminer/pypdfium2 raise their own kinds for broken files
        if exc.__class__.__module__.startswith(("pdfminer", "pypdfium2", "pdfplumber")):
            raise UnreadableReport(f"PDF 文件已损坏或无法解析（{exc.__class__.__name__}）") from exc
        raise
    return _paragraphs(_margins(items))


def _margins(pages: list[list]) -> list:
    """The pages' items in one list, the lines in a margin band that are page furniture (a page
    number, or repeated on other pages) made `Line`s marked as such."""
    from toolkit.io.published.furniture import mark_pdf_margins

    texts = [[i for i in page if isinstance(i, _PdfText)] for page in pages]
    marks = mark_pdf_margins([[(t.text, t.band) for t in page] for page in texts])
    furniture = {id(t) for page, flags in zip(texts, marks) for t, flag in zip(page, flags) if flag}
    return [Line((i.text,), furniture=True) if id(i) in furniture else i for page in pages for i in page]


@dataclass
class _PdfText:
    """A printed line of text: where it starts and ends, and its type size."""

    text: str
    x0: float
    x1: float
    size: float
    band: bool = False  # in the page's top or bottom margin band


def _pdf_page(page) -> list:
    tables = page.find_tables()
    items: list[tuple[float, int, object]] = []
    for t in tables:
        for i, (row, cells) in enumerate(zip(t.rows, t.extract())):
            kept = [("" if c is None else c) for c, box in zip(cells, row.cells) if box is not None]
            items.append((row.bbox[1], i, Line(tuple(kept), row=True)))

    def outside(obj) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(t.bbox[0] <= x <= t.bbox[2] and t.bbox[1] <= y <= t.bbox[3] for t in tables)

    rest = page.filter(outside) if tables else page
    margin = page.height * _pdf_margin()
    for line in rest.extract_text_lines(layout=False, strip=True):
        size = line["chars"][0]["size"] if line.get("chars") else 12
        band = line["top"] < margin or line["bottom"] > page.height - margin
        items.append((line["top"], 0, _PdfText(_cjk_spacing(line["text"]), line["x0"], line["x1"], size, band)))
    items.sort(key=lambda item: (round(item[0], 1), item[1]))
    return [item for _, _, item in items]


def _pdf_margin() -> float:
    from toolkit.io.published.furniture import rules

    return rules().pdf_margin


_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"


def _cjk_spacing(text: str) -> str:
    """PDF text puts a space where the layout left room between Chinese and Latin letters or digits."""
    return re.sub(rf"(?<=[{_CJK}]) (?=[0-9A-Za-z])|(?<=[0-9A-Za-z]) (?=[{_CJK}])", "", text)


def _paragraphs(items: list) -> list[Line]:
    """Printed lines joined into paragraphs: a line that fills the measure goes on in the next line
    when that one starts at the left margin (a new paragraph is indented, or follows a short line)."""
    texts = [i for i in items if isinstance(i, _PdfText)]
    if not texts:
        return [i for i in items if isinstance(i, Line)]
    left = min(t.x0 for t in texts)
    right = max(t.x1 for t in texts)
    out: list[Line] = []
    previous: _PdfText | None = None
    for item in items:
        if isinstance(item, Line):
            out.append(item)
            previous = None
            continue
        goes_on = (previous is not None and previous.x1 >= right - 1.5 * previous.size
                   and item.x0 <= left + 0.5 * item.size)
        if goes_on:
            out[-1] = Line((out[-1].cells[0] + item.text,))
        else:
            out.append(Line((item.text,)))
        previous = item
    return out
