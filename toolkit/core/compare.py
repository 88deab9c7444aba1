"""Year-over-year comparison of one unit's two reports (`xxgk compare THIS LAST`), pure.

Every main figure (`[compare] figures` of the format files) side by side with last year's, its change
and ratio; changes beyond the thresholds of common.toml `[compare]` as 提示 (Y-JUMP, Y-DROP,
Y-DROP-TO-ZERO, Y-FROM-ZERO); and the cross-year rules (上年结转, 现行有效件数, ...) exactly as
`xxgk check --previous` applies them (`rules.check(report, previous)`).

Across the 2019 and 2021 formats the formats' `[maps.*]` decide what is compared: the cells the two
maps pair (either way) form groups, a group's figures are added on each side (2021's three （六）其他处理
rows against 2019's one), and a main figure of a group with nothing on the other side is named as not
compared.  Neither reads nor writes files: the CLI reads the reports, toolkit.io.workbook.comparison
writes the workbook.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from toolkit.core.consolidation import by_row
from toolkit.core.last_year import not_last_year
from toolkit.core.formats import cell_map, common, get_format
from toolkit.core.model import ERROR, Finding, Number, Report, show_number
from toolkit.core.roster import unit_key
from toolkit.core.rules import Values, check


def texts() -> dict:
    """The labels, thresholds and messages of the comparison (common.toml [compare])."""
    return common().compare


@dataclass(frozen=True)
class Row:
    """One compared figure: this year's cells (this year's format) and last year's (last year's
    format), each side's figure their sum, None where the report does not give it."""

    label: str
    cells: tuple[str, ...]
    last_cells: tuple[str, ...]
    kind: str
    this: Number | None
    last: Number | None
    code: str = ""  # the code of the finding on this change, if it is beyond a threshold

    @property
    def change(self) -> Number | None:
        if self.this is None or self.last is None:
            return None
        return _tidy(self.this - self.last)

    @property
    def ratio(self) -> float | None:
        """This year's figure over last year's, where both are given and last year's is above 0."""
        if self.this is None or self.last is None or self.last <= 0 or self.this < 0:
            return None
        return round(self.this / self.last, 4)


@dataclass
class Comparison:
    this: Report
    last: Report
    rows: list[Row] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # the changes flagged, then the cross-year rules'
    notes: list[str] = field(default_factory=list)  # what was not compared or not checked, and why

    @property
    def has_errors(self) -> bool:
        return any(f.severity == ERROR for f in self.findings)


def wrong_years(this: Report, last: Report, this_name: str, last_name: str) -> str | None:
    """Why the two reports are not this year's and last year's (THIS must be LAST + 1), or None."""
    t = texts()
    for report, name in ((this, this_name), (last, last_name)):
        if report.year is None:
            return t["no_year"].format(name=name)
    wrong = not_last_year(this.year, last.year, this_name, last_name, "report")
    if wrong:
        return wrong + (t["swapped"] if last.year == this.year + 1 else "")
    return None


def compare(this: Report, last: Report) -> Comparison:
    """The comparison of this year's report with last year's (their years are not checked here:
    see `wrong_years`)."""
    t = texts()
    out = Comparison(this, last)
    if unit_key(this.unit) != unit_key(last.unit):
        out.notes.append(t["unit_differs"].format(this=this.unit, last=last.unit))
    rows, findings, notes = figures(this, last)
    out.rows, out.findings, out.notes = rows, findings, out.notes + notes
    out.findings += cross_year(this, last)
    out.notes += _unchecked(this, last)
    for which, report in ((t["this"], this), (t["last"], last)):
        errors = own_errors(report)
        if errors:
            out.notes.append(t["own_errors"].format(which=which, count=len(errors),
                                                    codes="、".join(dict.fromkeys(f.code for f in errors))))
    return out


def figures(this: Report, last: Report) -> tuple[list[Row], list[Finding], list[str]]:
    """The main figures side by side (the rows), the changes beyond the thresholds (提示 findings on
    this year's cells), and the notes naming the main figures with no counterpart in the other
    format -- the comparison without the cross-year rules and the reports' own errors, which
    `xxgk consolidate --previous` has already (toolkit/core/year_over_year.py calls this per unit)."""
    plan, notes = _plan(this.format, last.format)
    this_values = Values(get_format(this.format), this.values)
    last_values = Values(get_format(last.format), last.values)
    rows, findings = [], []
    for label, this_cells, last_cells, kind in plan:
        row = Row(label, this_cells, last_cells, kind, _figure(this_values, this_cells),
                  _figure(last_values, last_cells))
        finding = _change_finding(row)
        if finding is not None:
            row = Row(row.label, row.cells, row.last_cells, row.kind, row.this, row.last, finding.code)
            findings.append(finding)
        rows.append(row)
    return rows, findings, list(notes)


@cache
def _plan(this_version: str, last_version: str) -> tuple[tuple, tuple[str, ...]]:
    """What to compare between reports of these formats, the same for every pair of reports: the
    rows as (label, this year's cells, last year's cells, kind), and the notes on the main figures
    that have nothing on the other side."""
    t = texts()
    this_fmt, last_fmt = get_format(this_version), get_format(last_version)
    plan, unmapped_this, unmapped_last = [], [], []
    for this_cells, last_cells in paired_groups(this_version, last_version):
        if not last_cells:
            unmapped_this += [c for c in this_cells if c in this_fmt.compared]
            continue
        if not this_cells:
            unmapped_last += [c for c in last_cells if c in last_fmt.compared]
            continue
        if not any(c in this_fmt.compared for c in this_cells) and not any(c in last_fmt.compared for c in last_cells):
            continue
        plan.append((_label(this_cells, last_cells, this_fmt, last_fmt), this_cells, last_cells,
                     this_fmt.cells[this_cells[0]].kind))
    notes = []
    for version, cells, other in ((this_version, unmapped_this, last_version),
                                  (last_version, unmapped_last, this_version)):
        if cells:
            notes.append(t["unmapped"].format(version=version, count=len(cells), other=other,
                                              cells=by_row(version, cells)))
    return tuple(plan), tuple(notes)


def own_errors(report: Report) -> list[Finding]:
    """The report's errors of its own (within its year: tables' relations, values), which `xxgk check`
    shows; the comparison names how many."""
    codes = {rel.rule.code for rel in get_format(report.format).relations if rel.uses_previous}
    return [f for f in check(report) if f.severity == ERROR and f.code not in codes]


def cross_year(this: Report, last: Report) -> list[Finding]:
    """The findings of the format's cross-year rules (those with prev: terms), as `xxgk check
    --previous` gives them."""
    codes = {rel.rule.code for rel in get_format(this.format).relations if rel.uses_previous}
    return [f for f in check(this, last) if f.code in codes]


def _unchecked(this: Report, last: Report) -> list[str]:
    """The cross-year rules that last year's format cannot feed (2021's 现行有效件数 after a 2019 report)."""
    fmt, last_fmt = get_format(this.format), get_format(last.format)
    out = {}
    for rel in fmt.relations:
        if rel.uses_previous and any(t.previous and t.cell not in last_fmt.cells for t in rel.reported + rel.computed):
            out.setdefault(rel.rule.code, texts()["unchecked"].format(
                code=rel.rule.code, relation=rel.rule.relation, version=last.format))
    return list(out.values())


def paired_groups(this_version: str, last_version: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The cells of the two formats that the maps pair (one format's cell goes into the other's, in
    either direction), as groups of this year's and last year's cells, in this format's cell order
    (then last year's cells that pair with nothing)."""
    this_fmt, last_fmt = get_format(this_version), get_format(last_version)
    parent: dict = {}

    def find(node):
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def join(a, b):
        parent[find(a)] = find(b)

    for a, b in cell_map(this_version, last_version).cells.items():
        join(("this", a), ("last", b))
    for a, b in cell_map(last_version, this_version).cells.items():
        join(("last", a), ("this", b))
    members: dict = {}
    for side, fmt in (("this", this_fmt), ("last", last_fmt)):
        for cid in fmt.cells:
            members.setdefault(find((side, cid)), ([], []))[side == "last"].append(cid)
    return [(tuple(a), tuple(b)) for a, b in members.values()]


def _figure(values: Values, cells: tuple[str, ...]) -> Number | None:
    if not all(values.has(c) for c in cells):
        return None
    return _tidy(sum(values[c] for c in cells))


def _label(this_cells, last_cells, this_fmt, last_fmt) -> str:
    t = texts()
    return paired_label(this_cells, last_cells, this_fmt, last_fmt, t["summed_label"], t["this"], t["last"])


def paired_label(cells, other_cells, fmt, other_fmt, summed: str, this_word: str, other_word: str) -> str:
    """What a pair of cell groups is called: the one cell's label; where one side adds several cells
    of its format, `summed` says so ({label} {which} {version} {count})."""
    if len(cells) > 1 and len(other_cells) == 1:
        return summed.format(label=other_fmt.cells[other_cells[0]].label, which=this_word, version=fmt.version,
                             count=len(cells))
    label = fmt.cells[cells[0]].label
    if len(other_cells) > 1:
        return summed.format(label=label, which=other_word, version=other_fmt.version, count=len(other_cells))
    return label


def _test(this: Number | None, last: Number | None) -> str | None:
    """Which threshold the change crosses: jump, drop, to_zero, from_zero, or None."""
    t = texts()
    if this is None or last is None or this < 0 or last < 0 or this == last:
        return None
    if last == 0:
        return "from_zero" if this >= t["large"] else None
    if this == 0:
        return "to_zero" if last >= t["large"] else None
    if max(this, last) < t["smallest"]:
        return None
    if this > t["jump"] * last:
        return "jump"
    if this * t["drop"] < last:
        return "drop"
    return None


def _change_finding(row: Row) -> Finding | None:
    test = _test(row.this, row.last)
    if test is None:
        return None
    t = texts()
    rule = next(r for r in t["rules"] if r["test"] == test)
    message = rule["message"].format(label=row.label, this=show_number(row.this), last=show_number(row.last),
                                     ratio=show_number(round(row.ratio, 2)) if row.ratio is not None else "",
                                     percent=f"{row.ratio:.1%}" if row.ratio is not None else "",
                                     jump=t["jump"], drop=t["drop"])
    return Finding(rule["code"], rule["severity"], message, row.cells, row.this, row.last)


def _tidy(value: Number) -> Number:
    return round(value, 6) if isinstance(value, float) else value
