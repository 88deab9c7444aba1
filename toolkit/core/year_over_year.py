"""Year over year for a whole consolidation (`xxgk consolidate … --previous LAST_SUMMARY`), pure.

Every unit summed this year that last year's summary has (matched by `unit_key`) is compared with
its row of last year's 分单位明细 by `toolkit.core.compare.figures`, the comparison of `xxgk compare`:
the main figures of the formats' `[compare] figures` side by side, and the changes beyond the
thresholds of common.toml `[compare]` as 提示 findings (Y-JUMP, Y-DROP, Y-DROP-TO-ZERO,
Y-FROM-ZERO), which `attach` adds to the unit's findings (so they are on 校验结果, counted as hints,
carried by the review like any other, and never in the exit code).  The cross-year rules (上年结转,
现行有效件数) are not repeated: the workers already checked them against last year's summary.  The
summary's own totals are compared with last year's summary's the same way.

A summary keeps each unit's figures in the summary's format, and the unit's own format beside them
(info.format).  Where that differs and the map into the summary's format is one-to-one (2019 into
2021), the unit's own figures are recovered, so that the comparison pairs cells across formats
exactly as `xxgk compare` does (2021's three （六）其他处理 rows against 2019's one); otherwise the
figures are compared in the summary's format.  Neither reads nor writes files:
toolkit.io.workbook.year_over_year_sheet writes the sheet.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from toolkit.core.compare import Row, figures
from toolkit.core.formats import cell_map, common
from toolkit.core.layout import workbook_layout
from toolkit.core.model import Finding, Report
from toolkit.core.roster import unit_key


def texts() -> dict:
    """The sheet's labels and lines (common.toml [compare.consolidate])."""
    return common().compare["consolidate"]


@dataclass(frozen=True)
class Pair:
    """One unit (or the summary itself) this year against last year."""

    unit: str
    this_format: str
    last_format: str
    rows: tuple[Row, ...]
    findings: tuple[Finding, ...]


@dataclass
class YearOverYear:
    last_unit: str
    last_year: int | None
    last_version: str
    last_file: str
    totals: Pair  # the summary's totals against last year's summary's
    units: list[Pair] = field(default_factory=list)  # in the order of the summed units
    new: list[str] = field(default_factory=list)  # summed this year, not in last year's summary
    gone: list[str] = field(default_factory=list)  # in last year's summary, not summed this year
    notes: list[str] = field(default_factory=list)  # the main figures not compared, per pair of formats

    @property
    def findings(self) -> int:
        return sum(len(p.findings) for p in self.units)

    @property
    def line(self) -> str:
        """The line of the consolidation's accounts."""
        return texts()["line"].format(paired=len(self.units), count=self.findings, new=len(self.new),
                                      gone=len(self.gone), sheet=common().summary_sheets["year_over_year"])


def attach(c, last) -> YearOverYear:
    """Compare every summed unit of the consolidation `c` that last year's summary `last` (a
    toolkit.io.workbook.details.LastYear) has, add the changes beyond the thresholds to the unit's
    findings, and keep the result as `c.year_over_year` (the summary's 同比 sheet)."""
    yoy = compare_units(c, last)
    paired = {unit_key(p.unit): p for p in yoy.units}
    for s in c.accepted:
        pair = paired.get(unit_key(s.unit))
        if pair is not None and pair.findings:
            s.findings = s.findings + tuple(_located(f, pair.this_format, s.path) for f in pair.findings)
    c.year_over_year = yoy
    return yoy


def compare_units(c, last) -> YearOverYear:
    """The comparison, without changing `c`."""
    t = texts()
    index = {cid: i for i, cid in enumerate(c.cells)}
    last_totals = Report(unit=last.unit, year=last.year, format=last.version,
                         values={k: v for k, v in last.totals.items() if v is not None})
    rows, found, _ = figures(c.report, last_totals)
    out = YearOverYear(last.unit, last.year, last.version, last.path.name if last.path else "",
                       Pair(t["totals"].format(unit=c.unit), c.version, last.version, tuple(rows), tuple(found)))
    summed = set()
    by_pair: dict[tuple[str, str], list[str]] = {}
    for s in c.accepted:
        key = unit_key(s.unit)
        summed.add(key)
        figures_last = last.units.get(key)
        if figures_last is None:
            out.new.append(s.unit)
            continue
        this_version, this_values = _own(c.version, s.format, {cid: s.values[i] for cid, i in index.items()
                                                               if s.values[i] is not None})
        last_version, last_values = _own(last.version, last.formats.get(key, last.version), figures_last)
        rows, found, notes = figures(Report(unit=s.unit, format=this_version, values=this_values),
                                     Report(unit=s.unit, format=last_version, values=last_values))
        out.units.append(Pair(s.unit, this_version, last_version, tuple(rows), tuple(found)))
        if notes:
            by_pair.setdefault((this_version, last_version), []).append(s.unit)
    out.gone = [last.names.get(key, key) for key in last.units if key not in summed]
    shown = t["units_shown"]
    for (this_version, last_version), units in by_pair.items():
        names = "、".join(units[:shown]) + (t["more_units"] if len(units) > shown else "")
        for note in figures_notes(this_version, last_version):
            out.notes.append(t["formats"].format(this=this_version, last=last_version, count=len(units),
                                                 units=names, note=note))
    return out


def figures_notes(this_version: str, last_version: str) -> list[str]:
    """What `figures` names as not compared between these formats (the same for every pair of reports)."""
    return figures(Report(format=this_version), Report(format=last_version))[2]


def _own(summary_version: str, own_version: str, values: dict) -> tuple[str, dict]:
    """A unit's figures, kept in the summary's format, in its own format where the map between them
    is one-to-one; else as they are."""
    if not own_version or own_version == summary_version:
        return summary_version, values
    inverse = _inverse(own_version, summary_version)
    if inverse is None:
        return summary_version, values
    return own_version, {inverse[cid]: v for cid, v in values.items() if cid in inverse}


@cache
def _inverse(own_version: str, summary_version: str) -> dict | None:
    """The summary's cell -> the own format's cell that alone goes into it; None where some cell of
    the summary takes several (2021's three （六）其他处理 rows in a 2019 summary)."""
    try:
        cells = cell_map(own_version, summary_version).cells
    except Exception:  # a format with no map to the summary's: compared as it is
        return None
    out: dict = {}
    for own, summary in cells.items():
        if summary in out:
            return None
        out[summary] = own
    return out


def _located(f: Finding, version: str, path: str) -> Finding:
    """The finding at its first cell in the standard layout of the unit's format."""
    sheet = address = None
    if f.cells:
        sheet, address = workbook_layout(version).address(f.cells[0])
    return Finding(f.code, f.severity, f.message, f.cells, f.reported, f.computed, sheet, address, path)
