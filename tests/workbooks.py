"""Real workbook files for the tests, each named after the defect it carries.

Each is made from a freshly built standard workbook and then filled as a user would (openpyxl
writing only the cells a user types into), or broken the way users break them.  Where Excel would
write something openpyxl cannot (a formula's cached error value, a built-in Chinese date format,
names that follow an inserted row or a renamed sheet), the file is made as Excel would have saved it.
Every file but the consistent ones and the 泽曲镇 sample has a unit of its own name (the file's stem),
so that all of them can be consolidated together, each with its own outcome.
"""
from __future__ import annotations

import datetime
import io
import re
import zipfile
import zlib
from pathlib import Path

import openpyxl

from conftest import fill_workbook
from toolkit.core.formats import get_format
from toolkit.core.layout import a1, parse_a1, workbook_layout
from toolkit.core.rules import computed_totals
from toolkit.app.samples import plausible_report, zequ_2022
from toolkit.io.workbook.package import reproducible
from toolkit.io.workbook.xlsx import XlsxBook


def entries(report) -> dict:
    """The report's entry cells only: totals are the workbook's formulas."""
    fmt = get_format(report.format)
    return {k: v for k, v in report.values.items() if not fmt.cells[k].total}


def info_of(report) -> dict:
    return {"info.unit": report.unit, "info.level": report.level, "info.year": report.year,
            "info.filler": "李四", "info.phone": "0971-1234567"}


CONSISTENT_2021 = plausible_report("东河镇", "乡镇", 2025, "2021", seed=1)
CONSISTENT_2019 = plausible_report("北关街道", "街道", 2020, "2019", seed=2)
T2, T3, T4 = (t.sheet for t in get_format("2021").tables)
INFO = "单位信息"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
EXTRA_SHEETS = 993  # the template's 7 sheets and these make 1,000


def _without_names(prefix: str = ""):
    """The defined names deleted (those starting with `prefix`; all of them by default)."""
    def change(wb):
        for name in list(wb.defined_names):
            if name.startswith(prefix):
                del wb.defined_names[name]
    return change


def _shift_names(wb, sheet: str, rows: int = 0, cols: int = 0, first: tuple[int, int] = (1, 1)) -> None:
    """Move the defined names on a sheet as Excel does when rows or columns are inserted: every name
    at or below row first[0] (right of column first[1]) moves with its cell."""
    for dn in wb.defined_names.values():
        (where, ref), = dn.destinations
        if where != sheet:
            continue
        row, col = parse_a1(ref)
        if rows and row >= first[0]:
            row += rows
        if cols and col >= first[1]:
            col += cols
        dn.attr_text = f"'{sheet}'!{a1(row, col, absolute=True)}"


def _insert(sheet: str, *, row: int | None = None, col: int | None = None, names_follow=True,
            typed: dict | None = None):
    """A row (or column) inserted into a table sheet, and something typed into it; the defined
    names follow, as in Excel, or are lost (as when the table is copied into another workbook)."""
    def change(wb):
        ws = wb[sheet]
        if row:
            ws.insert_rows(row)
            _shift_names(wb, sheet, rows=1, first=(row, 1))
        else:
            ws.insert_cols(col)
            _shift_names(wb, sheet, cols=1, first=(1, col))
        for ref, value in (typed or {}).items():
            ws[ref] = value
        if not names_follow:
            _without_names()(wb)
    return change


def _rename(old: str, new: str, names_follow=True):
    """A sheet renamed; Excel makes the defined names follow it (openpyxl does not: names lost)."""
    def change(wb):
        wb[old].title = new
        if names_follow:
            for dn in wb.defined_names.values():
                dn.attr_text = dn.attr_text.replace(f"'{old}'!", f"'{new}'!")
    return change


def _rename_name(old: str, new: str):
    """A defined name renamed in the Name Manager (公式 → 名称管理器)."""
    def change(wb):
        from openpyxl.workbook.defined_name import DefinedName

        text = wb.defined_names[old].attr_text
        del wb.defined_names[old]
        wb.defined_names[new] = DefinedName(new, attr_text=text)
    return change


def _point_name(name: str, sheet: str, ref: str, value=None, hide: bool = False):
    """A defined name pointed elsewhere in the Name Manager, and `value` typed there (its column
    hidden if `hide`): what is read for the name is then no longer what the table shows."""
    def change(wb):
        wb.defined_names[name].attr_text = f"'{sheet}'!{a1(*parse_a1(ref), absolute=True)}"
        if value is not None:
            wb[sheet][ref] = value
        if hide:
            wb[sheet].column_dimensions[re.match(r"[A-Z]+", ref).group()].hidden = True
    return change


def _delete(sheet: str):
    def change(wb):
        del wb[sheet]
    return change


def _merges(sheet: str, undo=(), do=(), unmerge_header_above: int = 0):
    """Merged ranges undone and made (Excel keeps the top left cell's value only, as openpyxl)."""
    def change(wb):
        ws = wb[sheet]
        for merged in list(ws.merged_cells.ranges):
            if merged.min_row <= unmerge_header_above:
                ws.unmerge_cells(str(merged))
        for ref in undo:
            ws.unmerge_cells(ref)
        for ref in do:
            ws.merge_cells(ref)
    return change


def _both(*changes):
    def change(wb):
        for c in changes:
            c(wb)
    return change


def _edit_parts(path: Path, edits: dict) -> None:
    """Parts of the package rewritten: {part name: function(bytes) -> bytes}."""
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        new = {name: edit(z.read(name)) for name, edit in edits.items()}
    path.write_bytes(reproducible(data, new))


def _sheet_part(path: Path, sheet: str) -> str:
    with XlsxBook(path) as book:
        return book.sheet_paths[sheet]


def _set_cells(path: Path, sheet: str, cells: dict) -> None:
    """Cells written as Excel saves them, by A1: {ref: (t attribute or None, inner XML)}; the cell
    keeps its style."""
    def edit(xml: bytes) -> bytes:
        for ref, (kind, inner) in cells.items():
            pattern = re.compile(rb'<c r="' + ref.encode() + rb'"([^>]*?)(?:/>|>.*?</c>)', re.S)
            m = pattern.search(xml)
            attrs = re.sub(rb'\s+t="[^"]*"', b"", m.group(1).rstrip(b"/"))
            typed = f' t="{kind}"'.encode() if kind else b""
            xml = xml[:m.start()] + b'<c r="' + ref.encode() + b'"' + attrs + typed + b">" + inner.encode() \
                + b"</c>" + xml[m.end():]
        return xml
    _edit_parts(path, {_sheet_part(path, sheet): edit})


def _restyle(path: Path, sheet: str, ref: str, number_format_id: int) -> None:
    """A cell given a new style with a built-in number format, as Excel gives one to what it takes
    for a date (formats 27-36 and 50-58 are Chinese Excel's own, which openpyxl cannot write)."""
    styles = zipfile.ZipFile(path).read("xl/styles.xml")
    count = int(re.search(rb'<cellXfs count="(\d+)"', styles).group(1))

    def new_style(xml: bytes) -> bytes:
        xml = xml.replace(f'<cellXfs count="{count}"'.encode(), f'<cellXfs count="{count + 1}"'.encode())
        return xml.replace(b"</cellXfs>", f'<xf numFmtId="{number_format_id}" fontId="0" fillId="0" '
                                          f'borderId="0" applyNumberFormat="1"/></cellXfs>'.encode())

    def restyled(xml: bytes) -> bytes:
        return re.sub(rb'(<c r="' + ref.encode() + rb'"[^>]*?) s="\d+"', rb'\g<1> s="%d"' % count, xml)
    _edit_parts(path, {"xl/styles.xml": new_style, _sheet_part(path, sheet): restyled})


def with_extra_sheets(path: Path, count: int) -> None:
    """`count` sheets of the clerk's own added after the template's (written straight into the
    package: openpyxl takes seconds for a thousand sheets)."""
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        workbook, rels, types = (z.read(n).decode() for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                                              "[Content_Types].xml"))
        first = sum(1 for n in z.namelist() if n.startswith("xl/worksheets/sheet")) + 1
    ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
    content = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    parts, sheets, links, overrides = {}, [], [], []
    for n in range(first, first + count):
        parts[f"xl/worksheets/sheet{n}.xml"] = (
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            f'<row r="1"><c r="A1"><v>{n}</v></c></row></sheetData></worksheet>')
        sheets.append(f'<sheet {ns} name="Sheet{n}" sheetId="{n}" r:id="rIdX{n}"/>')
        links.append(f'<Relationship Type="{kind}" Target="/xl/worksheets/sheet{n}.xml" Id="rIdX{n}"/>')
        overrides.append(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{content}"/>')
    parts["xl/workbook.xml"] = workbook.replace("</sheets>", "".join(sheets) + "</sheets>")
    parts["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", "".join(links) + "</Relationships>")
    parts["[Content_Types].xml"] = types.replace("</Types>", "".join(overrides) + "</Types>")
    path.write_bytes(reproducible(data, parts))


def with_part(data: bytes, part: str, edit) -> bytes:
    """A package whose member `part` is replaced by `edit(its bytes)`."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = z.read(part)
    return reproducible(data, {part: edit(body)})


def forge_crc(data: bytes, target: int, spans) -> bytes:
    """`data` with bits of the bytes in `spans` ([start, end) ranges of ASCII letters) flipped so that its
    CRC-32 is `target`: the CRC is linear, so 32 independent flips reach any value.  Only the low three
    bits of each letter are flipped ('C' becomes one of @ABCDEFG), so the text stays printable ASCII."""
    base = zlib.crc32(data)
    flips = []
    for start, end in spans:
        for at in range(start, end):
            for bit in range(3):
                changed = bytearray(data)
                changed[at] ^= 1 << bit
                flips.append((zlib.crc32(bytes(changed)) ^ base, {(at, bit)}))
    need, basis = base ^ target, []  # Gaussian elimination over GF(2): (pivot bit, delta, flips)
    for delta, used in flips:
        for pivot, other, other_used in basis:
            if delta >> pivot & 1:
                delta, used = delta ^ other, used ^ other_used
        if delta:
            basis.append((delta.bit_length() - 1, delta, used))
    chosen: set = set()
    for pivot, delta, used in sorted(basis, reverse=True):
        if need >> pivot & 1:
            need, chosen = need ^ delta, chosen ^ used
    assert need == 0, "not enough bits to flip"
    out = bytearray(data)
    for at, bit in chosen:
        out[at] ^= 1 << bit
    assert zlib.crc32(bytes(out)) == target
    return bytes(out)


def styles_forged_after(victim: bytes) -> bytes:
    """Another file's styles part (`victim`, whose last cell style shows numbers as dates, format 58),
    forged: that style made a plain number (numFmtId="58" -> "00"), and the CRC-32 and size brought back
    to the victim's by changing font names only (one 宋体 -> SimSun, six bytes each, then letters of
    Calibri and SimSun), as anyone who has the other file can do."""
    last = victim.rindex(b'<xf numFmtId="58"')
    forged = victim[:last] + b'<xf numFmtId="00"' + victim[last + len(b'<xf numFmtId="58"'):]
    forged = forged.replace('<name val="宋体"/>'.encode(), b'<name val="SimSun"/>', 1)
    spans = [(m.start(1), m.end(1)) for m in re.finditer(rb'<name val="(Calibri|SimSun)"/>', forged)]
    forged = forge_crc(forged, zlib.crc32(victim), spans)
    assert len(forged) == len(victim) and forged != victim
    return forged


_INLINE = re.compile(rb'<c ([^>]*?) t="inlineStr"><is>(.*?)</is></c>', re.S)
_FORMULA = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f><v></v></c>')
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SHARED_STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def as_excel_saves(data: bytes, report) -> bytes:
    """A standard workbook filled with `report`, as Excel saves it: its text in a shared-strings
    table (openpyxl writes it inline) and every total formula with its calculated value."""
    strings: list[bytes] = []
    index: dict[bytes, int] = {}
    layout = workbook_layout(report.format)
    totals = {layout.address(cid): value for cid, value in computed_totals(report).items()}

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

    with XlsxBook(io.BytesIO(data)) as book:
        sheets = {part: name for name, part in book.sheet_paths.items()}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {part: _FORMULA.sub(calculated(name), _INLINE.sub(shared, z.read(part))) for part, name in sheets.items()}
        rels, types = z.read("xl/_rels/workbook.xml.rels"), z.read("[Content_Types].xml")
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(b"</Relationships>", (
        f'<Relationship Id="rIdSst" Type="{_SHARED_STRINGS_REL}" Target="sharedStrings.xml"/></Relationships>').encode())
    parts["[Content_Types].xml"] = types.replace(b"</Types>", (
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SHARED_STRINGS_TYPE}"/></Types>').encode())
    parts["xl/sharedStrings.xml"] = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="%s" ' \
        b'count="%d" uniqueCount="%d">%s</sst>' % (MAIN_NS.encode(), len(strings), len(strings),
                                                    b"".join(b"<si>%s</si>" % s for s in strings))
    return reproducible(data, parts)


def make_all(folder: Path, templates: dict) -> dict[str, Path]:
    files = {}
    at = workbook_layout("2021").address  # (sheet, A1) of a cell id in the standard layout

    def fill(name, version, report=None, values=None, info=None, texts=None, raw=None, unit=None, change=None):
        values = {**(entries(report) if report else {}), **(values or {})}
        info = {**(info_of(report) if report else {}), "info.unit": unit or Path(name).stem, **(info or {})}
        files[name] = fill_workbook(templates[version], folder / name, values, info,
                                    texts if texts is not None else (report.texts if report else None), raw, change)
        return files[name]

    def blank(name: str) -> Path:
        files[name] = folder / name
        return files[name]

    zequ = zequ_2022()
    fill("2019-zequ-sample-unbalanced.xlsx", "2019", zequ, unit=zequ.unit)
    fill("2021-consistent.xlsx", "2021", CONSISTENT_2021, unit=CONSISTENT_2021.unit)
    fill("2019-consistent.xlsx", "2019", CONSISTENT_2019, unit=CONSISTENT_2019.unit)
    fill("fullwidth-digits-text-and-units.xlsx", "2021", CONSISTENT_2021, values={
        "t3.new.natural": "１２", "t3.new.research": "3件", "t2.normative.made": " 5 ", "t2.penalty.decisions": "1,136",
        "t2.fees.amount": "12.5万元"})
    fill("blank-entry-cells.xlsx", "2021", values={"t3.new.natural": 2, "t3.result.open.natural": 2},
         info=info_of(CONSISTENT_2021) | {"info.unit": "blank-entry-cells"})
    fill("words-for-zero.xlsx", "2021", CONSISTENT_2021, values={"t4.review.upheld": "无", "t4.review.corrected": "—"})
    fill("not-a-number.xlsx", "2021", CONSISTENT_2021, values={"t3.new.natural": "十七", "t2.fees.amount": "125000元"})
    fill("negative-and-fractional-counts.xlsx", "2021", CONSISTENT_2021,
         values={"t4.direct.upheld": -2, "t2.licensing.decisions": 2.5})
    fill("total-typed-over.xlsx", "2021", CONSISTENT_2021, raw={(T3, "J5"): 99})
    fill("formula-never-calculated-in-entry-cell.xlsx", "2021", CONSISTENT_2021, values={"t3.new.natural": "=10+7"})
    fill("year-not-a-year.xlsx", "2021", CONSISTENT_2021, info={"info.year": "二〇二五"})
    fill("defined-names-lost.xlsx", "2021", CONSISTENT_2021, change=_without_names())
    fill("defined-names-lost-row-inserted.xlsx", "2021", CONSISTENT_2021, change=_insert(T3, row=7, names_follow=False))
    fill("table-sheet-deleted.xlsx", "2021", CONSISTENT_2021, change=_delete(T4))
    # openpyxl writes text as inline strings (<is>), as some other writers do; LibreOffice and Excel
    # write shared strings, which the LibreOffice tests cover.
    fill("inline-strings-text-numbers.xlsx", "2019", CONSISTENT_2019,
         values={"t3.new.natural": "7件", "t2.normative.new_made": "４"})
    blank("not-a-workbook.xlsx").write_text("这不是工作簿", encoding="utf-8")
    whole = files["2021-consistent.xlsx"].read_bytes()
    blank("truncated-download.xlsx").write_bytes(whole[: len(whole) // 2])
    with zipfile.ZipFile(blank("zip-without-workbook.xlsx"), "w") as z:
        z.writestr("readme.txt", "hello")
    fill("last-year-figures-disagree-with-carried-over.xlsx", "2021", CONSISTENT_2021, info={
        "prev.t3.forward.natural": CONSISTENT_2021.values["t3.carried.natural"] + 4, "prev.t3.forward.legal": "２件",
        "prev.t2.rules.in_force": "很多"})
    fill("format-cell-overwritten-names-lost.xlsx", "2019", CONSISTENT_2019, info={"info.format": "2020年"},
         change=_without_names())
    wb = openpyxl.Workbook()
    wb.active.append(["单位", "申请数"])
    wb.active.append(["某镇", 3])
    wb.save(blank("someone-elses-spreadsheet.xlsx"))

    # --- the catalogue of broken workbook contents (tests/test_catalogue.py) ---
    # our template, of the format version meant for other years; its format cell changed
    fill("2019-format-for-2025.xlsx", "2019", CONSISTENT_2019, info={"info.year": 2025})
    fill("2021-format-for-2020.xlsx", "2021", CONSISTENT_2021, info={"info.year": 2020})
    fill("format-cell-changed.xlsx", "2021", CONSISTENT_2021, info={"info.format": "2019"})
    # sheets renamed, deleted, copied, added
    fill("table-sheet-renamed.xlsx", "2021", CONSISTENT_2021, change=_rename(T3, "Sheet3"))
    fill("table-sheet-renamed-names-lost.xlsx", "2021", CONSISTENT_2021,
         change=_rename(T3, "表三", names_follow=False))
    fill("info-sheet-deleted.xlsx", "2021", CONSISTENT_2021, change=_delete(INFO))

    def filled_a_copy(wb):  # 移动或复制 → 建立副本; the copy filled in, the table itself left blank
        wb.copy_worksheet(wb[T3]).title = f"{T3} (2)"
        for cid in entries(CONSISTENT_2021):
            if cid.startswith("t3."):
                wb[T3][at(cid)[1]].value = None
    fill("table-copied-and-the-copy-filled.xlsx", "2021", CONSISTENT_2021, change=filled_a_copy)
    with_extra_sheets(fill("thousand-sheets.xlsx", "2021", CONSISTENT_2021), EXTRA_SHEETS)
    # defined names deleted: some of them (all of them: defined-names-lost.xlsx); one renamed
    fill("some-defined-names-deleted.xlsx", "2021", CONSISTENT_2021, change=_without_names("t3."))
    fill("defined-name-renamed.xlsx", "2021", CONSISTENT_2021, change=_rename_name("t3.new.natural", "自然人新收"))
    # merged cells: a header unmerged, merged otherwise, entry cells merged
    fill("header-unmerged-names-lost.xlsx", "2021", CONSISTENT_2021,
         change=_both(_merges(T3, unmerge_header_above=4), _without_names()))
    # 自然人 merged over 商业企业's column: “法人或其他组织” is gone, as Excel warns it will be
    fill("header-merged-differently.xlsx", "2021", CONSISTENT_2021, change=_merges(T3, undo=["E3:I3"], do=["D3:F3"]))
    # 上年结转's 自然人 and 商业企业 merged: only D6's value is kept
    fill("entry-cells-merged.xlsx", "2021", CONSISTENT_2021, change=_merges(T3, do=["D6:E6"]))
    # rows and columns inserted into a table, something typed into them
    fill("row-inserted-in-table.xlsx", "2021", CONSISTENT_2021,
         change=_insert(T3, row=7, typed={"A7": "（〇）另行统计", "D7": 5}))
    fill("column-inserted-in-table.xlsx", "2021", CONSISTENT_2021,
         change=_insert(T3, col=5, typed={"E4": "个体户", "E5": 2}))
    fill("column-inserted-names-lost.xlsx", "2021", CONSISTENT_2021, change=_insert(T3, col=5, names_follow=False))
    # defined names pointed elsewhere: another sheet, a hidden cell far right, another name's cell
    fill("defined-name-pointed-at-another-sheet.xlsx", "2021", CONSISTENT_2021,
         change=_point_name("t3.new.natural", "填报说明", "Z99", 500))
    fill("defined-name-pointed-at-a-hidden-cell.xlsx", "2021", CONSISTENT_2021,
         change=_point_name("t3.new.natural", T3, "AZ5", 500, hide=True))
    fill("two-defined-names-on-one-cell.xlsx", "2021", CONSISTENT_2021,
         change=_point_name("t3.new.commercial", T3, at("t3.new.natural")[1]))
    # a row inserted (the names follow it: R-MOVED), and then one name pointed at the inserted row
    fill("defined-name-pointed-at-an-inserted-row.xlsx", "2021", CONSISTENT_2021, change=_both(
        _insert(T3, row=7, typed={"A7": "（〇）另行统计", "D7": 5}), _point_name("t3.carried.natural", T3, "D7")))
    # what lands in count cells

    def date_formats(wb):
        wb[T3][at("t3.new.commercial")[1]].number_format = "mm-dd-yy"  # built-in format 14
    dates = fill("dates-typed-in-count-cells.xlsx", "2021", CONSISTENT_2021, values={
        "t3.new.natural": datetime.date(2025, 1, 1),  # openpyxl's own date format, yyyy-mm-dd
        "t3.new.commercial": 45658, "t2.licensing.decisions": 45662}, change=date_formats)
    _restyle(dates, T2, at("t2.licensing.decisions")[1], 58)  # “1-5” typed in Chinese Excel: 1月5日

    def iso_dates(wb):
        wb.iso_dates = True  # t="d" cells, as some writers (and Excel's Strict format) store dates
    fill("iso-dates-in-count-cells.xlsx", "2021", CONSISTENT_2021,
         values={"t3.new.natural": datetime.datetime(2025, 3, 1)}, change=iso_dates)
    fill("boolean-in-count-cell.xlsx", "2021", CONSISTENT_2021, values={"t3.new.research": True})
    fill("huge-numbers.xlsx", "2021", CONSISTENT_2021, values={
        "t3.new.natural": 1e15, "t2.fees.amount": 1e308, "t4.review.upheld": 10**12},
        info={"prev.t3.forward.natural": 123456789012})
    _set_cells(fill("infinity-and-nan-in-the-xml.xlsx", "2021", CONSISTENT_2021), T4, {
        at("t4.review.upheld")[1]: (None, "<v>1e999</v>"), at("t4.review.corrected")[1]: (None, "<v>NaN</v>")})
    errors = fill("formula-errors-in-entry-cells.xlsx", "2021", CONSISTENT_2021,
                  values={"t4.review.other": "#N/A"})  # typed: Excel keeps it as an error value
    _set_cells(errors, T3, {at("t3.new.natural")[1]: ("e", "<f>1/0</f><v>#DIV/0!</v>"),
                            at("t3.new.commercial")[1]: ("e", "<f>#REF!+1</f><v>#REF!</v>")})
    _set_cells(errors, T2, {at("t2.licensing.decisions")[1]: ("e", '<f>"二十"*1</f><v>#VALUE!</v>')})
    _set_cells(fill("formula-error-in-total-cell.xlsx", "2021", CONSISTENT_2021), T3, {
        at("t3.new.total")[1]: ("e", "<f>SUM(#REF!)</f><v>#REF!</v>")})
    new_requests = sum(v for k, v in entries(CONSISTENT_2021).items() if k.startswith("t3.new."))
    _set_cells(fill("total-typed-over-correctly.xlsx", "2021", CONSISTENT_2021), T3, {
        at("t3.new.total")[1]: (None, f"<v>{new_requests}</v>")})
    # --- one file's styles part forged to another's checksum and size (tests/test_forged_checksums.py):
    # read first, it must not change how the other's date is read (the other alone: R-DATE)
    victim = fill("date-read-after-a-forged-styles-checksum.xlsx", "2021", CONSISTENT_2021,
                  values={"t3.new.natural": 45662})
    _restyle(victim, T3, at("t3.new.natural")[1], 58)  # “1-5” typed in Chinese Excel: 1月5日
    victim_styles = zipfile.ZipFile(victim).read("xl/styles.xml")
    forger = fill("checksum-of-styles-forged-to-anothers.xlsx", "2021", CONSISTENT_2021)
    forger.write_bytes(with_part(forger.read_bytes(), "xl/styles.xml", lambda _: styles_forged_after(victim_styles)))
    # --- cells and parts as only a damaged file has them (found by tests/test_fuzz.py) --------------
    saved = fill("2021-as-excel-saves.xlsx", "2021", CONSISTENT_2021)
    saved.write_bytes(as_excel_saves(saved.read_bytes(), CONSISTENT_2021))

    def damaged(name: str, sheet: str, cells: dict) -> None:
        blank(name).write_bytes(saved.read_bytes())
        _set_cells(files[name], sheet, cells)
    damaged("number-cell-holding-text.xlsx", T3, {at("t3.new.natural")[1]: (None, "<v>abc</v>")})
    damaged("string-cell-past-the-shared-strings.xlsx", T3, {at("t3.new.natural")[1]: ("s", "<v>9999</v>")})
    damaged("string-cell-negative-shared-string-index.xlsx", T3, {at("t3.new.natural")[1]: ("s", "<v>-1</v>")})
    damaged("unit-name-with-a-character-xml-forbids.xlsx", INFO,  # &#1; read, the summary could not be written
            {at("info.unit")[1]: ("inlineStr", "<is><t>东河&#1;镇</t></is>")})
    # 40,000 string items that lost their closing tags: the scanner's pattern ran to the end of the part
    # for each one (minutes), before the tree parser found the part damaged
    blank("shared-strings-without-closing-tags.xlsx").write_bytes(with_part(
        saved.read_bytes(), "xl/sharedStrings.xml",
        lambda body: body.replace(b"</si>", b"").replace(b"</sst>", b"<si><t>x</t>" * 40_000 + b"</sst>")))
    newer = bytearray(whole)
    at_entry = newer.index(b"PK\x01\x02")  # the first central directory entry: version needed to extract 16.2
    newer[at_entry + 6:at_entry + 8] = b"\xa2\x00"
    blank("zip-needing-a-newer-unzip-version.xlsx").write_bytes(bytes(newer))
    return files
