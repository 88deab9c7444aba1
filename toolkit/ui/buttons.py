"""What the Excel buttons do, as pure functions: from what was read from the open workbook (each
sheet's values as 2-D lists from A1, by sheet name) to the writes to make (`Plan`).

toolkit.excel is the thin xlwings adapter around this module: one batched read, one batched write.
The writes use only what xlwings' classic (COM), remote and Lite engines share: values, formulas,
fill and font colours, number formats, adding a sheet.  Formats are never read back: a cell's
template colour is known from the layout (`template_fill`).

The table sheets are protected (no password, formatting allowed), so colouring always works and
values go only into unlocked cells (entry cells, 上年数据, 校验状态) -- except the formulas that
recompute puts back into total cells that were typed over, which Excel accepts only once the sheet's
protection is lifted (the README says how).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core.formats import Format, VERSIONS, common, get_format, info_id, info_label
from toolkit.core.last_year import not_last_year
from toolkit.core.formulas import total_formulas
from toolkit.core.layout import PREVIOUS_PREFIX, WorkbookLayout, a1, info_place, parse_a1, rectangles, workbook_layout
from toolkit.core.model import ERROR, Finding, Report, show_number
from toolkit.core.rules import TOLERANCE, Values, check as check_rules
from toolkit.io.workbook.reader import GridBook, ReadResult, UnreadableWorkbook, read_cells, wrong_label

FONT_COLOR = "#000000"  # the template's cells use the automatic (black) font colour
TEXT_FORMAT = "@"
# A finding's row on 校验结果 follows common.toml's findings_columns (代码, 严重程度, 工作表, 单元格, 说明,
# 填报值, 计算值); the fourth, 单元格, holds a link to the cell.
LINK_COLUMN = 4


class ButtonError(Exception):
    """The button cannot do its job on this workbook; the message (Chinese) says why and what to do."""


@dataclass(frozen=True)
class Write:
    """One write to a rectangle of a sheet (1-based, inclusive).  kind: "values" or "formulas" (data:
    2-D list), "fill" or "font" (data: "#RRGGBB", or None for no fill), "number_format" (data: str)."""

    sheet: str
    top: int
    left: int
    bottom: int
    right: int
    kind: str
    data: object

    @property
    def address(self) -> str:
        first, last = a1(self.top, self.left), a1(self.bottom, self.right)
        return first if first == last else f"{first}:{last}"


@dataclass
class Plan:
    """The writes a button makes, in order, after adding the sheets in `add_sheets` (at the end)."""

    writes: list[Write] = field(default_factory=list)
    add_sheets: list[str] = field(default_factory=list)
    status: str = ""

    def cell(self, sheet: str, row: int, col: int, kind: str, value) -> None:
        data = value if kind in ("fill", "font", "number_format") else [[value]]
        self.writes.append(Write(sheet, row, col, row, col, kind, data))


# --- reading -------------------------------------------------------------------------------------

def info_extent() -> tuple[int, int]:
    """Rows and columns of 单位信息 to read: every field and the 上年数据 block, in any version."""
    places = [p for v in VERSIONS for lay in [workbook_layout(v)] for p in [*lay.info.values(), *lay.previous.values()]]
    return max(r for r, _ in places), max(c for _, c in places)


def table_extents(version: str) -> dict[str, tuple[int, int]]:
    """Rows and columns of each table sheet to read (labels included, to check the table is intact)."""
    return {sheet.name: (sheet.last_row, sheet.width) for sheet in workbook_layout(version).tables}


def version_of(info_values: list[list] | None) -> str | None:
    """The format version written on 单位信息 (报告格式), or None."""
    _, row, col = info_place("format")
    try:
        raw = info_values[row - 1][col - 1]
    except (TypeError, IndexError):
        return None
    text = "" if raw is None else str(raw).strip().removesuffix(".0")
    return text if text in VERSIONS else None


def findings_rows_used(values: list[list] | None) -> int:
    """How many rows below the header of 校验结果 hold something (the last non-empty row - 1)."""
    used = 0
    for i, row in enumerate(values or [], start=1):
        if i > 1 and any(v not in (None, "") for v in (row or [])):
            used = i - 1
    return used


@dataclass
class Workbook:
    """The open workbook as read: its sheets' values (None for a sheet not read), its layout."""

    sheets: dict[str, list[list] | None]
    result: ReadResult
    layout: WorkbookLayout

    @property
    def fmt(self) -> Format:
        return self.layout.fmt

    @property
    def report(self) -> Report:
        return self.result.report

    def raw(self, sheet: str, row: int, col: int):
        try:
            return (self.sheets.get(sheet) or [])[row - 1][col - 1]
        except (IndexError, TypeError):
            return None


def load(sheets: dict[str, list[list] | None]) -> Workbook:
    """Read the workbook for a button; ButtonError when it is not a standard workbook whose tables
    are intact (the buttons write by position)."""
    names = common().sheets
    version = version_of(sheets.get(names["info"]))
    if version is None:
        raise ButtonError(common().button_messages["not_standard"].format(info=names["info"]))
    layout = workbook_layout(version)
    for table in layout.tables:
        if sheets.get(table.name) is None:
            raise ButtonError(f"工作簿中没有“{table.name}”表，按钮无法使用。请使用本工具生成的标准工作簿。")
    try:
        result = read_cells(sheets)
    except UnreadableWorkbook as exc:
        raise ButtonError(str(exc)) from exc
    grid = GridBook(sheets)
    for table in layout.tables:
        wrong = wrong_label(grid.cells(table.name), table)
        if wrong:
            address, expected, found = wrong
            raise ButtonError(f"“{table.name}”表的结构被改动（{address} 应为“{expected}”，实为“{found or ''}”），"
                              "按钮无法按位置读写。请用“xxgk check”检查，或把数据转填到新的标准工作簿。")
    return Workbook(sheets, result, layout)


# --- colours ------------------------------------------------------------------------------------

def template_fill(layout: WorkbookLayout, cid: str) -> str | None:
    """The fill colour ("#RRGGBB", None = none) the template gives the value cell of a cell id."""
    fills = common().fills
    if cid in layout.fmt.cells:
        return "#" + (fills["total"] if layout.fmt.cells[cid].total else fills["entry"])
    if cid in layout.info:
        field_ = next(f for f in common().info_fields if f.id == cid)
        return None if field_.fixed else "#" + fills["entry"]
    return None  # 上年数据 cells have no fill


def _colourable(layout: WorkbookLayout) -> dict[tuple[str, int, int], str]:
    """Every cell a check may colour -> its cell id: table cells, 单位信息 fields and 上年数据."""
    ids = list(layout.fmt.cells) + list(layout.info) + list(layout.previous)
    return {layout.where(cid): cid for cid in ids}


def _marks(book: Workbook, findings: list[Finding]) -> dict[tuple[str, int, int], str]:
    """The cells findings point at -> severity (an error wins over a hint on the same cell)."""
    colourable = _colourable(book.layout)
    marks: dict[tuple[str, int, int], str] = {}
    for f in findings:
        places = [book.layout.where(cid) for cid in f.cells if cid in book.fmt.cells or cid in book.layout.info]
        if f.sheet and f.address:
            places.append((f.sheet, *parse_a1(f.address)))
        for place in places:
            if place in colourable and marks.get(place) != ERROR:
                marks[place] = f.severity
    return marks


def _colour_writes(book: Workbook, marks: dict[tuple[str, int, int], str]) -> list[Write]:
    """Fill and font of every colourable cell: its mark's colours, else its template colours."""
    severity = common().severity_colors
    by_sheet: dict[str, dict[tuple[int, int], tuple]] = {}
    for place, cid in _colourable(book.layout).items():
        sheet, row, col = place
        if place in marks:
            colours = ("#" + severity[marks[place]]["fill"], "#" + severity[marks[place]]["font"])
        else:
            colours = (template_fill(book.layout, cid), FONT_COLOR)
        by_sheet.setdefault(sheet, {})[(row, col)] = colours
    writes = []
    for sheet, cells in by_sheet.items():
        for (fill, font), rects in rectangles(cells).items():
            for top, left, bottom, right in rects:
                writes.append(Write(sheet, top, left, bottom, right, "fill", fill))
                writes.append(Write(sheet, top, left, bottom, right, "font", font))
    return writes


# --- the findings sheet ---------------------------------------------------------------------------

def _link(sheet: str, address: str, text: str) -> str:
    target = f"#'{sheet}'!{address}".replace('"', '""')
    return f'=HYPERLINK("{target}","{text}")'


def _finding_row(book: Workbook, f: Finding) -> tuple[list, str]:
    """(the values of a 校验结果 row, with None in the cell column; the formula of its cell column)."""
    sheet, address = book.result.locate(f)
    if f.cells and not f.address:
        addresses = [book.result.positions[c][1] for c in f.cells if c in book.result.positions]
        shown = "、".join(addresses) if len(addresses) <= 4 else f"{addresses[0]} 等{len(addresses)}格"
    else:
        shown = address
    cell = _link(sheet, address, shown) if sheet and address else shown or ""

    def text(v):
        return "" if v is None else show_number(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)
    return [f.code, f.severity, sheet or "", None, f.message, text(f.reported), text(f.computed)], cell


def _findings_writes(book: Workbook, findings: list[Finding], plan: Plan) -> None:
    """Header and one row per finding on 校验结果 (added if missing), old rows cleared."""
    name = common().sheets["findings"]
    columns = list(common().findings_columns)
    width = len(columns)
    old = findings_rows_used(book.sheets.get(name)) if name in book.sheets else 0
    if name not in book.sheets:
        plan.add_sheets.append(name)
    plan.writes.append(Write(name, 1, 1, 1, width, "values", [columns]))
    rows = [_finding_row(book, f) for f in findings]
    if rows:
        last = 1 + len(rows)
        plan.writes.append(Write(name, 2, 1, last, width, "number_format", TEXT_FORMAT))
        plan.writes.append(Write(name, 2, 1, last, width, "values", [values for values, _ in rows]))
        plan.writes.append(Write(name, 2, LINK_COLUMN, last, LINK_COLUMN, "number_format", "General"))
        plan.writes.append(Write(name, 2, LINK_COLUMN, last, LINK_COLUMN, "formulas", [[cell] for _, cell in rows]))
    if old > len(rows):
        blank = [[None] * width for _ in range(old - len(rows))]
        plan.writes.append(Write(name, 2 + len(rows), 1, 1 + old, width, "values", blank))


def _status(book: Workbook, plan: Plan, text: str) -> None:
    _, row, col = book.layout.where(info_id("status"))
    plan.cell(common().sheets["info"], row, col, "values", text)
    plan.status = text


# --- the buttons ----------------------------------------------------------------------------------

def check(sheets: dict[str, list[list] | None]) -> Plan:
    """校验: every finding of the reader and the rules (cross-year rules by 上年数据), its cells
    coloured (错误/提示), one row each on 校验结果, a one-line status; marks of a previous check go."""
    book = load(sheets)
    findings = book.result.findings + check_rules(book.report)
    plan = Plan()
    plan.writes += _colour_writes(book, _marks(book, findings))
    _findings_writes(book, findings, plan)
    errors = sum(1 for f in findings if f.severity == ERROR)
    hints = len(findings) - errors
    if findings:
        _status(book, plan, f"校验完成：错误 {errors} 个，提示 {hints} 个，已在表中标出（红色为错误，黄色为提示），"
                            f"详见“{common().sheets['findings']}”表")
    else:
        _status(book, plan, "校验完成：未发现错误和提示")
    return plan


def clear_marks(sheets: dict[str, list[list] | None]) -> Plan:
    """清除标记: every cell back to its template colours, 校验结果 emptied, status cleared."""
    book = load(sheets)
    plan = Plan()
    plan.writes += _colour_writes(book, {})
    _findings_writes(book, [], plan)
    _status(book, plan, "已清除校验标记")
    return plan


def _formula_value(book: Workbook, relation) -> float:
    """What a total's formula shows now: SUM() of its terms as they stand (text counts as 0)."""
    total = 0
    for term in relation.computed:
        value = book.raw(*book.layout.where(term.cell))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            total += term.sign * value
    return total


def recompute(sheets: dict[str, list[list] | None]) -> Plan:
    """重新计算: the formula goes back into every total cell that does not show what its formula
    would (typed or pasted over, deleted, text); other cells are left alone."""
    book = load(sheets)
    formulas = total_formulas(book.layout)
    plan = Plan()
    restored = []
    for cid, relation in book.fmt.formulas.items():
        sheet, row, col = book.layout.where(cid)
        value = book.raw(sheet, row, col)
        intact = (isinstance(value, (int, float)) and not isinstance(value, bool)
                  and abs(value - _formula_value(book, relation)) <= TOLERANCE)
        if not intact:
            plan.cell(sheet, row, col, "formulas", formulas[cid])
            restored.append(f"{sheet} {a1(row, col)}")
    if restored:
        shown = "、".join(restored[:5]) + (f" 等 {len(restored)} 处" if len(restored) > 5 else "")
        _status(book, plan, f"重新计算完成：{len(restored)} 个合计单元格的公式被改写过，已恢复（{shown}）")
    else:
        _status(book, plan, "重新计算完成：全部合计公式完好")
    return plan


def previous_file(sheets: dict[str, list[list] | None]) -> str:
    """The path written in 上年年报工作簿 on 单位信息 (quotes and spaces around it removed), or ""."""
    _, row, col = info_place("previous_file")
    try:
        raw = sheets[common().sheets["info"]][row - 1][col - 1]
    except (KeyError, TypeError, IndexError):
        return ""
    return "" if raw is None else str(raw).strip().strip('"“”').strip()


def carried_cells(fmt: Format) -> dict[str, str]:
    """This year's entry cells that take a figure of last year as it stands, by the cross-year rules
    (Y-CARRIED: 二、上年结转 = last year's 四、结转下年度继续办理): cell id -> last year's cell id."""
    out = {}
    for rel in fmt.relations:
        if (len(rel.reported) == len(rel.computed) == 1 and rel.computed[0].previous
                and not rel.reported[0].previous and rel.reported[0].sign == rel.computed[0].sign == 1
                and not fmt.cells[rel.reported[0].cell].total):
            out[rel.reported[0].cell] = rel.computed[0].cell
    return out


def carry_over(sheets: dict[str, list[list] | None], last_year: Report | None = None,
               source: str = "", chosen: str = "") -> Plan:
    """导入上年数据: last year's figures into the 上年数据 block (from last year's workbook, read by the
    adapter, when one is given) and into this year's 二、上年结转 cells (from last year's workbook, else
    from the 上年数据 block).  `source` names last year's file in the status; `chosen` is a path the
    user picked, written into 上年年报工作簿 so the next import finds it."""
    book = load(sheets)
    plan = Plan()
    info = common().sheets["info"]
    said = common().button_messages
    this_year = book.report.year
    wrong = (not_last_year(this_year, last_year.year, "", source, "workbook", "button", info=info,
                           field=info_label("previous_file"))
             if last_year is not None and this_year and last_year.year else None)
    if wrong:
        raise ButtonError(wrong)
    if last_year is not None:
        last_fmt = Values(get_format(last_year.format), last_year.values)
        figures = {cid: last_fmt[cid] for cid in last_fmt.fmt.cells if last_fmt.has(cid)}
    else:
        figures = dict(book.report.previous)
    imported_previous = 0
    if last_year is not None:
        for name, (row, col) in book.layout.previous.items():
            cid = name.removeprefix(PREVIOUS_PREFIX)
            if cid in figures:
                plan.cell(info, row, col, "values", figures[cid])
                imported_previous += 1
    carried = 0
    cells = {}
    for cid, last_cid in carried_cells(book.fmt).items():
        if last_cid in figures:
            cells[book.layout.where(cid)] = figures[last_cid]
    by_sheet: dict[str, dict[tuple[int, int], object]] = {}
    for (sheet, row, col), value in cells.items():
        by_sheet.setdefault(sheet, {})[(row, col)] = value
    for sheet, values in by_sheet.items():
        for (top, left, bottom, right) in rectangles({pos: 0 for pos in values})[0]:
            block = [[values[(r, c)] for c in range(left, right + 1)] for r in range(top, bottom + 1)]
            plan.writes.append(Write(sheet, top, left, bottom, right, "values", block))
            carried += len(block) * len(block[0])
    if chosen:
        _, row, col = book.layout.where(info_id("previous_file"))
        plan.cell(info, row, col, "values", chosen)
    if last_year is not None:
        text = said["carried"].format(source=source, previous=imported_previous, carried=carried)
        if last_year.unit and book.report.unit and last_year.unit != book.report.unit:
            text += said["other_unit"].format(unit=last_year.unit)
    elif carried:
        text = f"已按“{info}”表的上年数据填入二、上年结转 {carried} 项"
    else:
        text = said["nothing_to_carry"].format(info=info)
    _status(book, plan, text)
    return plan


# --- 导出年报 ---------------------------------------------------------------------------------------

def export(sheets: dict[str, list[list] | None], folder: Path | None) -> tuple[Plan, Path, bytes]:
    """导出年报: the publishable report (.docx) of the workbook as it stands, to be written into
    `folder` (the workbook's own folder) under a name no earlier export has: an export is never
    overwritten.  The figures are exported as they are; the status says how many errors a check finds."""
    from toolkit.io.published.export import export_bytes, export_name

    book = load(sheets)
    report = book.report
    if not report.unit or report.year is None:
        raise ButtonError(common().button_messages["export_info"].format(info=common().sheets["info"]))
    if folder is None:
        raise ButtonError("请先保存工作簿（年报导出到工作簿所在的文件夹），再点“导出年报”。")
    target = _unused(Path(folder) / export_name(report, "docx"))
    errors = sum(1 for f in book.result.findings + check_rules(report) if f.severity == ERROR)
    plan = Plan()
    note = f"；注意：校验有 {errors} 个错误，年报照录表中数字，请先点“校验”核对" if errors else ""
    _status(book, plan, f"已导出年报：{target}{note}")
    return plan, target, export_bytes(report, "docx")


def _unused(path: Path) -> Path:
    """path, or path with （2）, （3） ... before the suffix: the first that does not exist."""
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}（{n}）{path.suffix}")
        n += 1
    return candidate
