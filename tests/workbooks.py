"""Real workbook files for the tests, each named after the defect it carries.

Each is made from a freshly built standard workbook and then filled as a user would (openpyxl
writing only the cells a user types into), or broken the way users break them.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl

from conftest import fill_workbook
from toolkit.formats import get_format
from toolkit.layout import workbook_layout
from toolkit.rules import computed_totals
from toolkit.samples import plausible_report, zequ_2022


def entries(report) -> dict:
    """The report's entry cells only: totals are the workbook's formulas."""
    fmt = get_format(report.format)
    return {k: v for k, v in report.values.items() if not fmt.cells[k].total}


def info_of(report) -> dict:
    return {"info.unit": report.unit, "info.level": report.level, "info.year": report.year,
            "info.filler": "李四", "info.phone": "0971-1234567"}


CONSISTENT_2021 = plausible_report("东河镇", "乡镇", 2025, "2021", seed=1)
CONSISTENT_2019 = plausible_report("北关街道", "街道", 2020, "2019", seed=2)


def _without_names(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    wb.save(path)


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def sheet_parts(data: bytes) -> dict[str, str]:
    """Worksheet part (xl/worksheets/sheetN.xml) -> sheet name, from a package's own relationships."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    targets = {r.get("Id"): "xl/" + r.get("Target").lstrip("/").removeprefix("xl/") for r in rels}
    return {targets[s.get(R_ID)]: s.get("name") for s in book.iter(f"{{{MAIN_NS}}}sheet")}


_INLINE = re.compile(rb'<c ([^>]*?) t="inlineStr"><is>(.*?)</is></c>', re.S)
_FORMULA = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f><v></v></c>')


def as_excel_saves(data: bytes, report) -> bytes:
    """A standard workbook filled with `report`, as Excel saves it: its text in a shared-strings
    table (openpyxl writes it inline) and every total formula with its calculated value."""
    strings: list[bytes] = []
    index: dict[bytes, int] = {}
    layout = workbook_layout(report.format)
    totals = {layout.address(cid): value for cid, value in computed_totals(report).items()}
    sheets = sheet_parts(data)

    def shared(m):
        if m.group(2) not in index:
            index[m.group(2)] = len(strings)
            strings.append(m.group(2))
        return b'<c %s t="s"><v>%d</v></c>' % (m.group(1), index[m.group(2)])

    def calculated(sheet):
        def fill(m):
            value = totals.get((sheet, m.group(1).decode()))
            return m.group(0) if value is None else b'<c r="%s"%s><f>%s</f><v>%s</v></c>' % (
                m.group(1), m.group(2), m.group(3), str(value).encode())
        return fill

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename in sheets:
                body = _FORMULA.sub(calculated(sheets[info.filename]), _INLINE.sub(shared, body))
            elif info.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                    b'Target="sharedStrings.xml"/></Relationships>')
            elif info.filename == "[Content_Types].xml":
                body = body.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
                                    b'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings'
                                    b'+xml"/></Types>')
            dst.writestr(info, body)
        dst.writestr(info.__class__("xl/sharedStrings.xml", info.date_time), (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="%s" count="%d" uniqueCount="%d">'
            b'%s</sst>' % (MAIN_NS.encode(), len(strings), len(strings), b"".join(b"<si>%s</si>" % s for s in strings))),
            zipfile.ZIP_DEFLATED)
    return out.getvalue()


def with_part(data: bytes, part: str, edit) -> bytes:
    """A package whose member `part` is replaced by `edit(its bytes)`, the others as they were."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info, edit(body) if info.filename == part else body)
    return out.getvalue()


def with_cell_xml(source: Path, target: Path, cid: str, cell_xml: str) -> Path:
    """A copy of a standard workbook whose cell `cid` is written as `cell_xml` (its XML as a damaged
    file or another program has it; "{ref}" stands for the cell's address)."""
    data = source.read_bytes()
    sheet, ref = workbook_layout(get_format_of(data)).address(cid)
    part = next(p for p, name in sheet_parts(data).items() if name == sheet)

    def edit(body: bytes) -> bytes:
        body, n = re.subn(rb'<c r="%s"[^>]*?(?:/>|>.*?</c>)' % ref.encode(), cell_xml.format(ref=ref).encode(),
                          body, count=1, flags=re.S)
        assert n == 1, (part, ref)
        return body

    target.write_bytes(with_part(data, part, edit))
    return target


def get_format_of(data: bytes) -> str:
    """The format version a standard workbook says it is in (单位信息's 报告格式 cell)."""
    from toolkit.workbook.xlsx import XlsxBook

    with XlsxBook(io.BytesIO(data)) as book:
        sheet, row, col = book.defined_names["info.format"]
        return str(book.cells(sheet)[(row, col)].value)


def make_all(folder: Path, templates: dict) -> dict[str, Path]:
    files = {}

    def fill(name, version, report=None, values=None, info=None, texts=None, raw=None):
        values = {**(entries(report) if report else {}), **(values or {})}
        info = {**(info_of(report) if report else {}), **(info or {})}
        files[name] = fill_workbook(templates[version], folder / name, values, info,
                                    texts if texts is not None else (report.texts if report else None), raw)
        return files[name]

    zequ = zequ_2022()
    fill("2019-zequ-sample-unbalanced.xlsx", "2019", zequ)
    fill("2021-consistent.xlsx", "2021", CONSISTENT_2021)
    fill("2019-consistent.xlsx", "2019", CONSISTENT_2019)
    fill("fullwidth-digits-text-and-units.xlsx", "2021", CONSISTENT_2021, values={
        "t3.new.natural": "１２", "t3.new.research": "3件", "t2.normative.made": " 5 ", "t2.penalty.decisions": "1,136",
        "t2.fees.amount": "12.5万元"})
    fill("blank-entry-cells.xlsx", "2021", values={"t3.new.natural": 2, "t3.result.open.natural": 2},
         info=info_of(CONSISTENT_2021))
    fill("words-for-zero.xlsx", "2021", CONSISTENT_2021, values={"t4.review.upheld": "无", "t4.review.corrected": "—"})
    fill("not-a-number.xlsx", "2021", CONSISTENT_2021, values={"t3.new.natural": "十七", "t2.fees.amount": "125000元"})
    fill("negative-and-fractional-counts.xlsx", "2021", CONSISTENT_2021,
         values={"t4.direct.upheld": -2, "t2.licensing.decisions": 2.5})
    fill("total-typed-over.xlsx", "2021", CONSISTENT_2021, raw={("表三 依申请公开", "J5"): 99})
    fill("formula-never-calculated-in-entry-cell.xlsx", "2021", CONSISTENT_2021, values={"t3.new.natural": "=10+7"})
    fill("year-not-a-year.xlsx", "2021", CONSISTENT_2021, info={"info.year": "二〇二五"})
    _without_names(fill("defined-names-lost.xlsx", "2021", CONSISTENT_2021))
    broken = fill("defined-names-lost-row-inserted.xlsx", "2021", CONSISTENT_2021)
    wb = openpyxl.load_workbook(broken)
    wb["表三 依申请公开"].insert_rows(7)
    wb.save(broken)
    _without_names(broken)
    deleted = fill("table-sheet-deleted.xlsx", "2021", CONSISTENT_2021)
    wb = openpyxl.load_workbook(deleted)
    del wb["表四 复议诉讼"]
    wb.save(deleted)
    # openpyxl writes text as inline strings (<is>), as some other writers do; LibreOffice and Excel
    # write shared strings, which the LibreOffice tests cover.
    fill("inline-strings-text-numbers.xlsx", "2019", CONSISTENT_2019,
         values={"t3.new.natural": "7件", "t2.normative.new_made": "４"})
    files["not-a-workbook.xlsx"] = folder / "not-a-workbook.xlsx"
    files["not-a-workbook.xlsx"].write_text("这不是工作簿", encoding="utf-8")
    whole = files["2021-consistent.xlsx"].read_bytes()
    files["truncated-download.xlsx"] = folder / "truncated-download.xlsx"
    files["truncated-download.xlsx"].write_bytes(whole[: len(whole) // 2])
    files["zip-without-workbook.xlsx"] = folder / "zip-without-workbook.xlsx"
    with zipfile.ZipFile(files["zip-without-workbook.xlsx"], "w") as z:
        z.writestr("readme.txt", "hello")
    fill("last-year-figures-disagree-with-carried-over.xlsx", "2021", CONSISTENT_2021, info={
        "prev.t3.forward.natural": CONSISTENT_2021.values["t3.carried.natural"] + 4, "prev.t3.forward.legal": "２件",
        "prev.t2.rules.in_force": "很多"})
    _without_names(fill("format-cell-overwritten-names-lost.xlsx", "2019", CONSISTENT_2019,
                        info={"info.format": "2020年"}))
    files["someone-elses-spreadsheet.xlsx"] = folder / "someone-elses-spreadsheet.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["单位", "申请数"])
    wb.active.append(["某镇", 3])
    wb.save(files["someone-elses-spreadsheet.xlsx"])
    # Cells as a damaged file has them (found by the fuzz test): no program writes these, and the
    # reader must say which cell is damaged rather than stop with a traceback or read another value.
    newer = bytearray(whole)
    at = newer.index(b"PK\x01\x02")  # the first central directory entry: version needed to extract = 16.2
    newer[at + 6:at + 8] = b"\xa2\x00"
    files["zip-needing-a-newer-unzip-version.xlsx"] = folder / "zip-needing-a-newer-unzip-version.xlsx"
    files["zip-needing-a-newer-unzip-version.xlsx"].write_bytes(bytes(newer))
    saved = files["2021-as-excel-saves.xlsx"] = folder / "2021-as-excel-saves.xlsx"
    saved.write_bytes(as_excel_saves(files["2021-consistent.xlsx"].read_bytes(), CONSISTENT_2021))
    for name, cell in (("number-cell-holding-text.xlsx", '<c r="{ref}" s="17" t="n"><v>abc</v></c>'),
                       ("number-cell-beyond-a-double.xlsx", '<c r="{ref}" s="17"><v>1e309</v></c>'),
                       ("string-cell-past-the-shared-strings.xlsx", '<c r="{ref}" s="17" t="s"><v>9999</v></c>'),
                       ("string-cell-negative-shared-string-index.xlsx", '<c r="{ref}" s="17" t="s"><v>-1</v></c>')):
        files[name] = with_cell_xml(saved, folder / name, "t3.new.natural", cell)
    # 40,000 string items that lost their closing tags: the scanner's pattern ran to the end of the part
    # for each one (minutes), before the tree parser found the part damaged
    name = "shared-strings-without-closing-tags.xlsx"
    files[name] = folder / name
    files[name].write_bytes(with_part(saved.read_bytes(), "xl/sharedStrings.xml", lambda body: body.replace(
        b"</si>", b"").replace(b"</sst>", b"<si><t>x</t>" * 40_000 + b"</sst>")))
    name = "unit-name-with-a-character-xml-forbids.xlsx"  # &#1; decoded, the summary could not be written
    files[name] = with_cell_xml(saved, folder / name, "info.unit", '<c r="{ref}" t="inlineStr"><is><t>东河&#1;镇</t></is></c>')
    return files
