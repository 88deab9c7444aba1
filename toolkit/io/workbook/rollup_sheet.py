"""The summary's 问题汇总 sheet: the roll-up of findings (toolkit/core/rollup.py) per unit and per code,
the worst first, and a native bar chart of the units with most open errors.

Two tables one below the other, sharing the columns (so the page prints on A4 as wide as the unit
table), their rows streamed as XML (streamed.py: a county may have thousands of units); the chart
(openpyxl) below them refers to the unit table's cells.  The headers are rollup_book's, which reads
the sheet back when this summary is consolidated one level up.
"""
from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef

from toolkit.core.consolidation import MISSING, Consolidation
from toolkit.core.formats import common
from toolkit.core.layout import column_letter
from toolkit.core.model import ERROR, HINT
from toolkit.core.rollup import head_lines, settings
from toolkit.io.workbook import streamed
from toolkit.io.workbook.rollup_book import code_columns, rollup_of, unit_columns
from toolkit.io.workbook.streamed import Stream, place_samples
from toolkit.io.workbook.template import a4_page

WIDTHS = (6, 22, 10, 8, 28, 12, 12, 14, 6, 6, 9, 10, 10, 10, 44)
TITLE_SPAN = (4, 8)  # the code table's 问题 column is merged over these columns
LINE_HEIGHT = 15.0


def add_sheet(wb, c: Consolidation) -> Stream:
    """The sheet, after 报送情况; returns its stream (for streamed.splice)."""
    from toolkit.io.workbook.summary import cell_style  # the summary's cell styles (summary.py imports this module)

    extra = common().summary_sheets
    ws = wb.create_sheet(extra["rollup"], wb.sheetnames.index(extra["submissions"]) + 1)
    r = rollup_of(c)
    s = settings()
    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[column_letter(col)].width = width
    colors = common().severity_colors
    keys = place_samples(ws, 1, {
        "title": cell_style(bold=True, size=14, border=False), "line": cell_style(border=False, wrap=True),
        "heading": cell_style(bold=True, border=False, size=12), "header": cell_style(bold=True, fill="F2F2F2", center=True),
        "text": cell_style(), "wrap": cell_style(wrap=True), "number": cell_style(),
        "open": cell_style(bold=True, fill=colors[ERROR]["fill"], color=colors[ERROR]["font"]),
        "late": cell_style(fill=colors[HINT]["fill"], color=colors[HINT]["font"])})
    width = len(unit_columns())
    body: list[list[tuple]] = [[(1, s["title"].format(year=c.year), "title")]]
    body += [[(1, line, "line")] for line in head_lines(c, r)]
    body += [[], [(1, s["units_heading"], "heading")], [(i, h, "header") for i, (_, h) in enumerate(unit_columns(), 1)]]
    first_unit = len(body) + 1
    body += [streamed.Later(_unit_row, n, u) for n, u in enumerate(r.units, start=1)]  # made as written
    last_unit = len(body)
    body += [[], [(1, s["codes_heading"], "heading")], [(col, h, "header") for col, _, h in code_columns()]]
    merges = []
    for n, k in enumerate(r.codes, start=1):
        values = {"number": n, "code": k.code, "severity": k.severity or None, "title": k.title or None,
                  "units": k.units, "findings": k.findings, "open": k.open}
        row = [(col, values[key], "wrap" if key == "title" else ("open" if key == "open" and k.open else
                                                                   "number" if isinstance(values[key], int) else "text"))
               for col, key, _ in code_columns()]
        row += [(col, None, "wrap") for col in range(TITLE_SPAN[0] + 1, TITLE_SPAN[1] + 1)]
        body.append(sorted(row))
        merges.append(f"{column_letter(TITLE_SPAN[0])}{len(body)}:{column_letter(TITLE_SPAN[1])}{len(body)}")
    code_header = last_unit + 3
    merges = [f"{column_letter(TITLE_SPAN[0])}{code_header}:{column_letter(TITLE_SPAN[1])}{code_header}", *merges]
    body[code_header - 1] += [(col, None, "header") for col in range(TITLE_SPAN[0] + 1, TITLE_SPAN[1] + 1)]
    body[code_header - 1].sort()
    lines = [n for n, cells in enumerate(body, start=1) if isinstance(cells, list) and cells and cells[0][2] == "line"]
    merges += [f"A{n}:{column_letter(width)}{n}" for n in lines]

    def rows(style):
        for n, cells in enumerate(body, start=1):
            cells = streamed.made(cells)
            yield streamed.row(n, [(col, value, style[key]) for col, value, key in cells],
                               _height(cells, n in lines, n > code_header))

    _chart(ws, r, first_unit, last_unit, len(body) + 2)
    a4_page(ws, True)
    return Stream(ws.title, 1, keys, rows, max(1, len(body)), width, merges=tuple(merges))


def _unit_row(n: int, u) -> list[tuple]:
    """A unit's row of the unit table, as (column, value, style key) cells."""
    values = {"number": n, "unit": u.unit or None, "level": u.level or None, "status": u.status,
              "file": u.file or None, "date": u.date or None,
              "deadline": u.deadline.isoformat() if u.deadline else None, "timing": u.timing or None,
              "errors": u.errors, "hints": u.hints, "ignored": u.ignored, "open": u.open,
              "below_sent": u.below_sent, "below_missing": u.below_missing, "note": u.note or None}
    style = {"open": "open" if u.open else "number", "timing": "late" if u.late or u.status == MISSING else "text",
             "note": "wrap", "file": "wrap"}
    return [(i, values[k], style.get(k, "number" if isinstance(values[k], int) else "text"))
            for i, (k, _) in enumerate(unit_columns(), 1)]


def _height(cells, merged: bool, code_row: bool) -> float | None:
    def width(col):
        if merged:
            return sum(WIDTHS)
        if code_row and col == TITLE_SPAN[0]:
            return sum(WIDTHS[TITLE_SPAN[0] - 1:TITLE_SPAN[1]])
        return WIDTHS[col - 1]
    lines = max([streamed.wrapped_lines(value, width(col))
                 for col, value, key in cells if key in ("line", "wrap") and value] or [1])
    return LINE_HEIGHT * lines + 3 if lines > 1 else None


def _chart(ws, r, first: int, last: int, at: int) -> None:
    """Bars of the units with most open errors (the first rows of the unit table, worst first)."""
    s = settings()
    worst = sum(1 for u in r.units if u.open) or len([u for u in r.units if u.open is not None])
    count = min(worst, s["chart_units"], last - first + 1)
    keys = [k for k, _ in unit_columns()]
    unit_col, open_col = keys.index("unit") + 1, keys.index("open") + 1
    chart = BarChart()
    chart.type = "bar"
    chart.title = s["chart_title"]
    chart.legend = None
    chart.y_axis.title = s["chart_axis"]
    chart.x_axis.scaling.orientation = "maxMin"  # the worst on top
    if count:
        chart.add_data(Reference(ws, min_col=open_col, min_row=first - 1, max_row=first - 1 + count),
                       titles_from_data=True)
        labels = Reference(ws, min_col=unit_col, min_row=first, max_row=first - 1 + count)
        for series in chart.series:  # unit names as text, whatever they look like (as summary.py's charts)
            series.cat = AxDataSource(strRef=StrRef(f=str(labels)))
    chart.height, chart.width = max(7.5, 0.55 * max(1, count)), 20
    ws.add_chart(chart, f"A{at}")
