"""The roll-up of findings (问题汇总): per unit and per rule code, the worst first.

Per unit: its errors, hints, the errors the reviewer marked 可以忽略 and the open ones (the rest), and
whether it sent in time — its 填报日期 (info.date) against its level's deadline (common.toml
[publication.deadlines], as `toolkit.core.signature.deadline` gives it: a summary's level, not in
the table, has the latest of them) — and the roster's units that sent nothing.  Per code: how many
units have it, how many findings and open errors there are, its severity and what it is about (the
format's relation, else an example message).

A summary consolidated one level up (a county's summary in the prefecture's) carries its own 问题汇总
up: the county's row counts the findings of the county's units (`Carried`, read from its sheet by
toolkit/io/workbook/rollup_book.py), not only the findings of the county summary itself, and its codes
are added to the prefecture's.  An older summary without the sheet is named, and counts its own
findings.

Pure Python: no spreadsheet library, no file access.  Every word a user reads is common.toml [rollup].
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cache

from toolkit.core.consolidation import ACCEPTED, MISSING, REJECTED, Consolidation
from toolkit.core.formats import VERSIONS, common, common_toml, get_format
from toolkit.core.model import ERROR
from toolkit.core.signature import deadline, publication
from toolkit.core.roster import unit_key
from toolkit.core.values import parse_date

WORST_SHOWN = 5  # units named on the terminal


@cache
def settings() -> dict:
    return common_toml()["rollup"]


def text(key: str, **fields) -> str:
    return settings()["messages"][key].format(**fields)


@dataclass
class CodeRow:
    code: str
    severity: str
    title: str  # the rule's relation, or an example of its message
    units: int = 0  # units with at least one finding of the code
    findings: int = 0
    open: int = 0  # errors of the code not marked 可以忽略


@dataclass(frozen=True)
class Carried:
    """What a summary's own 问题汇总 says of the units below it (totals of its unit rows)."""

    source: str  # the file's name
    errors: int = 0
    hints: int = 0
    ignored: int = 0
    open: int = 0
    sent: int = 0  # its rows of units summed
    missing: int = 0  # its rows of roster units that sent nothing
    codes: tuple[CodeRow, ...] = ()


@dataclass
class UnitRow:
    unit: str
    level: str = ""
    file: str = ""
    status: str = ACCEPTED  # ACCEPTED, REJECTED or MISSING (consolidate's words)
    date: str = ""  # 填报日期 as written
    deadline: datetime.date | None = None
    late: int | None = None  # days after the deadline (0: in time); None: no date that can be read
    errors: int | None = None  # None for a unit that sent nothing
    hints: int | None = None
    ignored: int | None = None
    open: int | None = None
    below_sent: int | None = None  # a summary with its 问题汇总: the units it summed
    below_missing: int | None = None  # ... and its roster's units that sent nothing
    note: str = ""

    @property
    def timing(self) -> str:
        """按时 / 逾期N天 / 未填填报日期 / 填报日期无法识别; "" for a unit that sent nothing."""
        if self.status == MISSING:
            return ""
        if self.late is None:
            return text("bad_date") if self.date else text("no_date")
        return text("late", days=self.late) if self.late else text("on_time")


@dataclass
class Rollup:
    units: list[UnitRow]  # worst first
    codes: list[CodeRow]  # worst first
    problems: list[str] = field(default_factory=list)  # summaries whose 问题汇总 could not be used

    @property
    def worst(self) -> list[UnitRow]:
        return [u for u in self.units if u.open][:WORST_SHOWN]

    @property
    def late(self) -> list[UnitRow]:
        return [u for u in self.units if u.late]


def is_summary(level: str) -> bool:
    return level in common().summary_levels


def roll_up(c: Consolidation, carried: dict | None = None) -> Rollup:
    """The roll-up of a consolidation.  `carried`: file path -> `Carried` (a summary's own 问题汇总)
    or a str saying why it cannot be used; summaries not in it count their own findings."""
    carried = carried or {}
    problems = [why for why in carried.values() if isinstance(why, str)]
    codes: dict[str, CodeRow] = {}
    rows: list[UnitRow] = []
    for s in c.accepted:
        below = carried.get(s.path)
        rows.append(_unit_row(c, s, ACCEPTED, below))
        if isinstance(below, Carried):
            for code in below.codes:
                _add_code(codes, code)
        else:
            _add_findings(codes, c, s)
    summed = {unit_key(s.unit) for s in c.accepted}
    others: dict[str, object] = {}
    for f in c.rejected:  # a unit that sent only files not summed: one row, its last file's findings
        s = f.submission
        if s.unreadable or unit_key(s.unit) in summed:
            continue
        others[unit_key(s.unit) or f"\0{s.path}"] = s
    for s in others.values():
        rows.append(_unit_row(c, s, REJECTED, None))
        _add_findings(codes, c, s)
    rows += [UnitRow(u.name, u.level, status=MISSING) for u in c.missing]
    order = {id(r): i for i, r in enumerate(rows)}
    rows.sort(key=lambda r: (-(r.open or 0), -((r.status == MISSING) + (r.below_missing or 0)), -(r.errors or 0),
                             -(r.hints or 0), -(r.late or 0), order[id(r)]))
    ranked = sorted(codes.values(), key=lambda k: (-k.open, k.severity != ERROR, -k.findings, -k.units, k.code))
    return Rollup(rows, ranked, problems)


def _unit_row(c: Consolidation, s, status: str, below) -> UnitRow:
    when = parse_date(s.date)
    last = deadline(s.level, c.year)
    late = None if when is None else max(0, (when - last).days)
    errors, hints, opened = s.errors, s.hints, c.open_errors(s)
    row = UnitRow(s.unit, s.level, s.name, status, s.date, last, late, errors, hints, errors - opened, opened)
    if isinstance(below, Carried):
        row.errors, row.hints, row.ignored, row.open = below.errors, below.hints, below.ignored, below.open
        row.below_sent, row.below_missing = below.sent, below.missing
        row.note = text("carried", sheet=common().summary_sheets["rollup"], errors=errors, hints=hints)
    elif isinstance(below, str):
        row.note = below
    return row


def _add_code(codes: dict, row: CodeRow) -> None:
    have = codes.get(row.code)
    if have is None:
        codes[row.code] = CodeRow(row.code, row.severity, row.title, row.units, row.findings, row.open)
    else:
        have.units += row.units
        have.findings += row.findings
        have.open += row.open


def _add_findings(codes: dict, c: Consolidation, s) -> None:
    skip = c.ignored.get(s.path, ())
    mine: dict[str, CodeRow] = {}
    for i, f in enumerate(s.findings):
        row = mine.get(f.code)
        if row is None:
            row = mine[f.code] = CodeRow(f.code, f.severity, title(f.code, f.message), units=1)
        row.findings += 1
        row.open += f.severity == ERROR and i not in skip
    for row in mine.values():
        _add_code(codes, row)


def title(code: str, example: str) -> str:
    """What a code is about: the relation of a format's rule, else an example of its message."""
    return _relations().get(code) or text("example", message=example)


@cache
def _relations() -> dict[str, str]:
    """code -> the relation its rule states, from the format files (the first format's where both)."""
    out: dict[str, str] = {}
    for version in VERSIONS:
        fmt = get_format(version)
        for rule in (*(r.rule for r in fmt.relations), *fmt.level_rules):
            out.setdefault(rule.code, rule.relation)
    return out


def lines(r: Rollup) -> list[str]:
    """What `xxgk consolidate` prints: the summaries whose 问题汇总 could not be used, the units with
    most open errors, the late ones."""
    sheet = common().summary_sheets["rollup"]
    out = list(r.problems)
    if r.worst:
        units = "、".join(text("worst_unit", unit=u.unit, open=u.open) for u in r.worst)
        out.append(text("worst", units=units, sheet=sheet))
    late = r.late
    if late:
        shown = "、".join(u.unit for u in late[:WORST_SHOWN]) + (text("more") if len(late) > WORST_SHOWN else "")
        out.append(text("late_units", count=len(late), units=shown))
    return out


def head_lines(c: Consolidation, r: Rollup) -> list[str]:
    """The lines above the sheet's tables: the order, the accounts."""
    sent = [u for u in r.units if u.status != MISSING]
    return [text("order", basis=publication()["basis"]),
            text("accounts", units=len(sent), open=sum(u.open or 0 for u in sent),
                 with_open=sum(bool(u.open) for u in sent), late=len(r.late),
                 missing=sum(u.status == MISSING for u in r.units)), *r.problems]
