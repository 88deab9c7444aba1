"""The county's own report against the sum of its units (`xxgk consolidate … --against REPORT`), pure.

Every cell of the summary's format is compared with the county's report: the units' side is the
consolidation's summed report (`Consolidation.report`, its totals as their formulas compute them,
`rules.computed_totals`), the county's side what its report gives (a total as printed, else as its
parts add up).  A cell where the two differ is a finding (common.toml [against] `code`); a cell the
county's report does not give is named, never taken for 0.  Across the 2019 and 2021 formats the
cells are grouped as `xxgk compare` groups them (`compare._groups`, from the formats' [maps.*]): a
group's cells are added on each side, and a cell with nothing on the other side is named.  Neither
reads nor writes files: the CLI reads the report, toolkit.io.workbook.against_sheet writes the sheet.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.core.compare import own_errors, paired_groups, paired_label
from toolkit.core.consolidation import Consolidation, by_row
from toolkit.core.formats import common, get_format
from toolkit.core.layout import workbook_layout
from toolkit.core.model import Finding, Number, Report, show_number
from toolkit.core.roster import unit_key
from toolkit.core.rules import TOLERANCE, Values, computed_totals

NAMED_ONE_BY_ONE = 5  # at most this many cells not compared are named by their labels, more row by row
BLANK = "R-BLANK"  # the workbook reader's finding on cells left blank (read as 0)


def texts() -> dict:
    """The labels and messages of the check (common.toml [against])."""
    return common().against


@dataclass(frozen=True)
class Difference:
    """One figure where the county's report and the sum of its units differ: the summary's cells
    (the summary's format) and the report's cells (the report's format), each side their sum."""

    label: str
    cells: tuple[str, ...]
    report_cells: tuple[str, ...]
    kind: str
    county: Number
    units: Number

    @property
    def difference(self) -> Number:
        return _tidy(self.county - self.units)


@dataclass
class Against:
    name: str  # the report's file name
    report: Report
    version: str  # the summary's format
    units: int  # how many units were summed
    compared: int = 0  # how many figures were compared
    differences: list[Difference] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # one a difference, in the same order
    not_given: tuple[str, ...] = ()  # the report's cells it does not give (not reported, not read)
    notes: list[str] = field(default_factory=list)  # what was not compared, and why; other remarks


def wrong_year(report: Report, name: str, year: int) -> str | None:
    """Why the report cannot be compared with the summary of `year` (no year, another year), or None."""
    t = texts()
    if report.year is None:
        return t["no_year"].format(name=name, year=year)
    if report.year != year:
        return t["wrong_year"].format(name=name, found=report.year, year=year)
    return None


def against(c: Consolidation, report: Report, name: str, read: list[Finding] | tuple = ()) -> Against:
    """The county's report `report` (its file named `name`, `read` the reader's findings on it)
    against the sum of the units of `c`.  The cells a workbook left blank (R-BLANK: the reader reads
    them as 0) are not given, as the cells a reader could not read (十七) are not."""
    t = texts()
    fmt, report_fmt = get_format(c.version), get_format(report.format)
    out = Against(name, report, c.version, len(c.accepted))
    summed = _summed(c)
    blank = {cid for f in read if f.code == BLANK for cid in f.cells}
    county = Values(report_fmt, {cid: v for cid, v in report.values.items() if cid not in blank})
    layout = workbook_layout(c.version)
    not_given, not_summed, unmapped, unmapped_report = [], [], [], []
    for cells, report_cells in paired_groups(c.version, report.format):
        if not report_cells:
            unmapped += cells
            continue
        if not cells:
            unmapped_report += report_cells
            continue
        missing = [cid for cid in report_cells if not county.has(cid)]
        if missing:
            not_given += missing
            continue
        given = [cid for cid in cells if summed.get(cid) is not None]
        if not given:
            not_summed += cells
            continue
        out.compared += 1
        county_figure = _tidy(sum(county[cid] for cid in report_cells))
        units_figure = _tidy(sum(summed[cid] for cid in given))
        if abs(county_figure - units_figure) <= TOLERANCE:
            continue
        d = Difference(_label(cells, report_cells, fmt, report_fmt), cells, report_cells, fmt.cells[cells[0]].kind,
                       county_figure, units_figure)
        out.differences.append(d)
        sheet, address = layout.address(cells[0])
        difference = show_number(d.difference)
        out.findings.append(Finding(t["code"], t["severity"], t["message"].format(
            label=d.label, county=show_number(d.county), units=show_number(d.units),
            difference=f"+{difference}" if d.difference > 0 else difference), cells, d.county, d.units, sheet, address,
            name))
    out.not_given = tuple(dict.fromkeys(not_given))
    if unit_key(report.unit) != unit_key(c.unit):
        out.notes.append(t["unit_differs"].format(found=report.unit, unit=c.unit))
    if out.not_given:
        out.notes.append(t["not_given"].format(count=len(out.not_given), cells=_named(report.format, out.not_given)))
    if not_summed:
        out.notes.append(t["not_summed"].format(count=len(not_summed), cells=_named(c.version, not_summed)))
    for version, cells, other in ((c.version, unmapped, report.format), (report.format, unmapped_report, c.version)):
        if cells:
            out.notes.append(t["unmapped"].format(version=version, count=len(cells), other=other,
                                                  cells=by_row(version, cells)))
    errors = own_errors(report)
    if errors:
        out.notes.append(t["own_errors"].format(count=len(errors), codes="、".join(dict.fromkeys(f.code for f in errors))))
    return out


def _named(version: str, cells) -> str:
    """A few cells by their labels, more row by row (as 报送情况 names them)."""
    if len(cells) <= NAMED_ONE_BY_ONE:
        return "、".join(get_format(version).cells[cid].label for cid in cells)
    return by_row(version, cells)


def _summed(c: Consolidation) -> dict[str, Number | None]:
    """The sum of the units by the summary's cell: an entry as summed (None where no summed unit's
    format has the cell), a total as its formula computes it from the summed entries."""
    fmt = get_format(c.version)
    totals = computed_totals(c.report)
    covered = dict(zip(c.cells, c.totals))
    out: dict = {}
    for cid in fmt.cells:
        if covered.get(cid) is None:
            out[cid] = None
        elif fmt.cells[cid].total:
            out[cid] = totals[cid]
        else:
            out[cid] = c.report.values.get(cid, 0)
    return out


def _label(cells, report_cells, fmt, report_fmt) -> str:
    t = texts()
    return paired_label(cells, report_cells, fmt, report_fmt, t["summed_label"], t["units"], t["county"])


def _tidy(value: Number) -> Number:
    return round(value, 6) if isinstance(value, float) else value
