"""The summary's 同比 sheet (with `xxgk consolidate … --previous`): a few lines on last year's summary
and the counts, then one row per unit × main figure — the summary's own totals first — with last
year's figure, this year's, the change, the ratio and the code of a change beyond the thresholds
(toolkit.core.year_over_year); then the units new this year and those of last year not summed this year.
A4 landscape, the header row repeated on every printed page, an autofilter over the table.  The
rows are streamed (streamed.py): 1,000 units are some 40,000 rows.  Every word is common.toml's
([summary_sheets] year_over_year, [compare], [compare.consolidate])."""
from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill

from toolkit.core.compare import texts as compare_texts
from toolkit.core.formats import common
from toolkit.core.layout import column_letter
from toolkit.core.model import HINT
from toolkit.io.workbook import streamed
from toolkit.io.workbook.cells import put
from toolkit.io.workbook.streamed import Stream, place_samples
from toolkit.io.workbook.template import BORDER, FONT, LABEL_FILL, NUMBER_FORMATS, a4_page
from toolkit.core.year_over_year import YearOverYear, texts

WIDTHS = (24, 60, 12, 12, 12, 12, 16)
RATIO_FORMAT = "0.00"
CHANGE_FORMATS = {"count": "+0;-0;0", "signed": "+0;-0;0", "money": "+0.00##;-0.00##;0"}
LINE_HEIGHT = 15.0
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def sheets(wb, c) -> list[Stream]:
    """The sheet added to the summary `wb` when the consolidation `c` was given last year's summary
    (none otherwise), as the streams for `streamed.splice`."""
    yoy = c.year_over_year
    if yoy is None:
        return []
    return [_sheet(wb.create_sheet(common().summary_sheets["year_over_year"]), c, yoy)]


def _lines(c, yoy: YearOverYear) -> list[str]:
    t = texts()
    units = sum(bool(p.findings) for p in yoy.units)
    lines = [t["source"].format(name=yoy.last_file, unit=yoy.last_unit, year=yoy.last_year, format=yoy.last_version),
             t["counts"].format(summed=len(c.accepted), paired=len(yoy.units), new=len(yoy.new), gone=len(yoy.gone)),
             t["changes"].format(count=yoy.findings, units=units, findings=common().sheets["findings"])
             if yoy.findings else t["no_changes"]]
    return lines + yoy.notes


def _sheet(ws, c, yoy: YearOverYear) -> Stream:
    t, shown = texts(), compare_texts()
    width = len(WIDTHS)
    for col, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[column_letter(col)].width = w
    title = put(ws, 1, 1, t["title"].format(unit=c.unit, year=c.year, last_year=yoy.last_year))
    title.font = Font(name=FONT, bold=True, size=14)
    row = 1
    for line in _lines(c, yoy):
        row += 1
        cell = put(ws, row, 1, line)
        cell.font, cell.alignment = Font(name=FONT), Alignment(wrap_text=True, vertical="center")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        lines = streamed.wrapped_lines(line, sum(WIDTHS))
        if lines > 1:
            ws.row_dimensions[row].height = LINE_HEIGHT * lines + 3
    header = row + 2
    for col, name in enumerate(t["columns"], start=1):
        cell = put(ws, header, col, name)
        cell.font, cell.fill, cell.border, cell.alignment = Font(name=FONT, bold=True), LABEL_FILL, BORDER, CENTER
    hint = common().severity_colors[HINT]
    flag = {"fill": PatternFill("solid", fgColor=hint["fill"]), "font": Font(name=FONT, color=hint["font"])}
    plain = {"font": Font(name=FONT)}
    styles = {}
    for prefix, extra in (("", plain), ("flag_", flag)):
        styles[prefix + "text"] = {**extra, "border": BORDER}
        styles[prefix + "center"] = {**extra, "border": BORDER, "alignment": CENTER}
        for kind, number_format in NUMBER_FORMATS.items():
            styles[f"{prefix}{kind}"] = {**extra, "border": BORDER, "number_format": number_format}
            styles[f"{prefix}change_{kind}"] = {**extra, "border": BORDER, "number_format": CHANGE_FORMATS[kind]}
        styles[prefix + "ratio"] = {**extra, "border": BORDER, "number_format": RATIO_FORMAT}
    styles["heading"] = {"font": Font(name=FONT, bold=True)}
    styles["line"] = plain
    keys = place_samples(ws, header + 1, styles)
    pairs = [yoy.totals, *yoy.units]
    last_data = header + max(1, sum(len(p.rows) for p in pairs))
    ws.auto_filter.ref = f"A{header}:{column_letter(width)}{last_data}"
    ws.freeze_panes = f"A{header + 1}"
    ws.print_title_rows = f"{header}:{header}"
    a4_page(ws, landscape=True)
    lists = ((t["new"], yoy.new), (t["gone"], yoy.gone))
    last = last_data + sum(2 + max(1, len(names)) for _, names in lists)
    not_given = shown["not_given"]

    def rows(style):
        n = header
        for pair in pairs:
            for r in pair.rows:
                n += 1
                p = "flag_" if r.code else ""
                kind = r.kind if r.kind in NUMBER_FORMATS else "count"
                cells = [(1, pair.unit, style[p + "text"]), (2, r.label, style[p + "text"])]
                for col, value in ((3, r.last), (4, r.this)):
                    cells.append((col, not_given, style[p + "center"]) if value is None
                                 else (col, value, style[p + kind]))
                cells += [(5, r.change, style[f"{p}change_{kind}"]), (6, r.ratio, style[p + "ratio"]),
                          (7, r.code or None, style[p + "center"])]
                yield streamed.row(n, cells)
        n = last_data
        for heading, names in lists:
            n += 2
            yield streamed.row(n, [(1, heading.format(count=len(names)), style["heading"])])
            for name in names or [t["none"]]:
                n += 1
                yield streamed.row(n, [(1, name, style["line"])])

    return Stream(ws.title, header + 1, keys, rows, last, width)
