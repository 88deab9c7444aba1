"""Consolidation: from the workbooks the units sent back (each read and checked) to one summary.

It decides which files are summed and why the others are not, reconciles them with the roster, adds
up the accepted units' figures in the summary's format (converting mixed formats through the maps of
the format files) and makes the summary a Report of the level above, so that a summary is itself a
valid input one level up.  Pure Python: no spreadsheet library, no pandas, no file access.
"""
from __future__ import annotations

import datetime
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from toolkit.core.figures import Figures
from toolkit.core.formats import cell_id, cell_map, common, get_format
from toolkit.core.model import ERROR, Finding, Number, Report
from toolkit.core.roster import Roster, RosterUnit, unit_key
from toolkit.core.rules import Values
from toolkit.core.shown import quoted
from toolkit.core.values import parse_date

ACCEPTED, REJECTED, MISSING = "已汇总", "未汇总", "未报送"
SUBMITTED_NOT_ACCEPTED = "已报送未汇总"

# Reader findings that leave a figure of the tables unknown (not a number, a date, an error value,
# a number no unit can have, a formula never calculated, a table that cannot be found): such a file
# is not summed, since summing it would count the unknown figure as 0 without anyone noticing.  Rule
# findings (a relation that does not hold) do not stop a file from being summed; they are listed on
# the 校验结果 sheet.
UNKNOWN_FIGURE_CODES = ("R-NOT-NUMBER", "R-DATE", "R-FORMULA-ERROR", "R-TOO-LARGE", "R-UNCALCULATED", "R-LAYOUT",
                        "R-SHEET-MISSING",
                        *(code for code, rule in common().read_rules.items() if not rule.summed))
REASONS_SHOWN = 3  # at most this many findings are quoted in a reason
# Reader findings about what a workbook carries that could run in Excel (macros that differ from the
# toolkit's, a VBA project that cannot be read, Excel 4.0 macro sheets, embedded objects): the file
# is summed as usual, and the message is quoted on 报送情况 too, so that nobody opens it unwarned.
UNSAFE_CONTENT_CODES = ("R-VBA-CHANGED", "R-VBA-UNREADABLE", "R-VBA-IN-XLSX", "R-MACRO-SHEET", "R-EMBEDDED")


@dataclass(slots=True)
class Submission:
    """One input file as read and checked, in the summary's format: made in a worker process and
    sent back, so it is kept small (figures packed, in the order of the summary's cells: figures.py)."""

    path: str
    modified: float = 0.0  # the file's modification time: breaks ties between same-day duplicates
    unreadable: str | None = None  # why the file could not be read at all
    unit: str = ""
    level: str = ""
    year: int | None = None
    format: str = ""
    date: str = ""  # 填报日期 as written (ISO when it was a date)
    findings: tuple[Finding, ...] = ()
    values: Figures | None = None  # by the summary format's cells; None where this unit has no figure (packed: figures.py)
    unmapped: tuple[tuple[str, Number], ...] = ()  # (own cell id, value) with no place in the summary
    previous: dict = field(default_factory=dict)  # last year's figures (上年数据), by summary cell id
    unknown: tuple[str, ...] = ()  # messages of the findings that leave a figure unknown
    content: str = ""  # digest of everything the unit filled in (单位信息, texts, figures, 上年数据)

    def __post_init__(self):
        if self.values is not None and not isinstance(self.values, Figures):
            self.values = Figures(self.values)

    @property
    def name(self) -> str:
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def hints(self) -> int:
        return len(self.findings) - self.errors


@cache
def summary_cells(version: str) -> tuple[str, ...]:
    """The summary's cells in order: every cell of the format, totals included."""
    return tuple(get_format(version).cells)


def submission(path: str, modified: float, report: Report, findings: list[Finding], target: str,
               values: Values | None = None) -> Submission:
    """A read and checked report as a Submission in the `target` format (`values`: the report's
    Values as the checker used them, its totals computed once)."""
    source = get_format(report.format)
    mapping = cell_map(report.format, target)
    if values is None or values.reported is not report.values:
        values = Values(source, report.values)
    if report.format == target:  # each cell to itself, in the summary's order: no adding up
        cells = summary_cells(target)
        figures = [v if type(v) is int else _tidy(values[cid]) for cid, v in zip(cells, map(report.values.get, cells))]
    else:
        index = _summary_index(target)
        figures = [None] * len(index)
        for cid, to in mapping.cells.items():
            i = index[to]
            figures[i] = _tidy(values[cid] + (figures[i] or 0))
    previous: dict = {}
    for cid, value in report.previous.items():
        to = mapping.cells.get(cid)
        if to is not None:
            previous[to] = _tidy(previous.get(to, 0) + value)
    unknown = ()
    if findings:
        sheets = {t.sheet for t in source.tables}
        unknown = tuple(f.message for f in findings if f.code in UNKNOWN_FIGURE_CODES
                        and (f.cells or f.sheet in sheets))
    return Submission(
        path=path, modified=modified, unit=report.unit, level=report.level, year=report.year,
        format=report.format, date=report.info.get("date", ""), findings=tuple(findings),
        values=Figures(figures), unmapped=tuple((cid, values[cid]) for cid in mapping.unmapped),
        previous=previous, unknown=unknown, content=content_digest(report, findings))


@cache
def _summary_index(version: str) -> dict[str, int]:
    return {cid: i for i, cid in enumerate(summary_cells(version))}


def content_digest(report: Report, findings=()) -> str:
    """Two files of one unit with equal digests say the same thing, whatever their bytes.  The
    text digested is the repr of plain data (str, int, float, None), which is the same in every
    process (unlike hash()): files are read in worker processes.

    The totals are what their formulas make of the entries, cached or not: the same workbook saved
    by Excel (totals calculated) and as the toolkit writes it (formulas not calculated) says the
    same thing.  A total typed over says something else, and the checker's findings say what: so
    the findings (code, cells, values) are digested instead of the totals."""
    totals = _total_ids(report.format)
    figures = sorted((cid, v) for cid, v in report.values.items() if cid not in totals)
    found = sorted((f.code, f.cells, repr(f.reported), repr(f.computed)) for f in findings)
    data = (report.unit, report.level, report.year, report.format, figures, found,
            sorted(report.texts.items()), sorted(report.info.items()), sorted(report.previous.items()))
    return hashlib.sha1(repr(data).encode()).hexdigest()


@cache
def _total_ids(version: str) -> frozenset[str]:
    return frozenset(get_format(version).formulas)


def _tidy(value):
    return round(value, 6) if isinstance(value, float) else value


@dataclass
class FileOutcome:
    """What became of one input file."""

    submission: Submission
    status: str  # ACCEPTED or REJECTED
    reason: str = ""  # why it was not summed
    remarks: tuple[str, ...] = ()  # worth knowing even when it was summed
    roster_unit: RosterUnit | None = None


@dataclass
class Consolidation:
    year: int
    version: str
    unit: str
    level: str
    files: list[FileOutcome]  # every input file, in input order
    accepted: list[Submission]  # in roster order, then input order
    roster: Roster | None
    missing: tuple[RosterUnit, ...]  # on the roster, nothing received
    report: Report  # the summary itself, a report of `level`
    cells: tuple[str, ...]  # the summary's cells, in order
    totals: tuple  # per cell, the sum over the accepted units (None where none had a figure)
    conversions: list[str]  # how other formats' figures were converted, in words
    # file path -> indices of its findings the reviewer marked 可以忽略 (toolkit/core/review.py): listed, not open
    ignored: dict = field(default_factory=dict)
    # with --against: the county's own report against the sum of its units (toolkit.core.against.Against)
    against: object = None
    # with --previous: each unit's main figures against last year's summary (toolkit.core.year_over_year)
    year_over_year: object = None

    @property
    def rejected(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == REJECTED]

    @property
    def accounting(self) -> str:
        """The line that accounts for every input file."""
        return f"共 {len(self.files)} 个文件 = 汇总 {len(self.accepted)} 个 + 未汇总 {len(self.rejected)} 个"

    def roster_status(self) -> list[tuple[RosterUnit, str, list[FileOutcome]]]:
        """Each roster unit with its status (已汇总, 已报送未汇总, 未报送) and its files."""
        if self.roster is None:
            return []
        files: dict[str, list[FileOutcome]] = {}
        for f in self.files:
            if f.roster_unit is not None:
                files.setdefault(f.roster_unit.key, []).append(f)
        out = []
        for u in self.roster.units:
            mine = files.get(u.key, [])
            status = ACCEPTED if any(f.status == ACCEPTED for f in mine) else (
                SUBMITTED_NOT_ACCEPTED if mine else MISSING)
            out.append((u, status, mine))
        return out

    def open_errors(self, s: Submission) -> int:
        """The file's errors, less those the reviewer marked 可以忽略."""
        skip = self.ignored.get(s.path, ())
        return sum(f.severity == ERROR and i not in skip for i, f in enumerate(s.findings))

    @property
    def complete(self) -> bool:
        """Every file summed, every roster unit in, no open error anywhere."""
        return not self.rejected and not self.missing and not any(self.open_errors(s) for s in self.accepted)


def consolidate(submissions: list[Submission], year: int, version: str, *, unit: str, level: str | None = None,
                roster: Roster | None = None, date: str = "", previous_file: str = "") -> Consolidation:
    """Decide, reconcile and sum.  `level` defaults to the summary level of the highest unit level."""
    outcomes = {id(s): _first_look(s, year, roster) for s in submissions}
    _resolve_duplicates([s for s in submissions if outcomes[id(s)].status == ACCEPTED], outcomes)
    for s in submissions:
        outcome = outcomes[id(s)]
        if outcome.status != ACCEPTED:
            continue
        if roster is not None and outcome.roster_unit is None:
            outcome.status, outcome.reason = REJECTED, _reason("not_listed")
        elif s.unknown:
            shown = "；".join(s.unknown[:REASONS_SHOWN])
            more = _reason("unknown_more", count=len(s.unknown)) if len(s.unknown) > REASONS_SHOWN else ""
            outcome.status, outcome.reason = REJECTED, _reason("unknown", shown=shown, more=more)
    files = [outcomes[id(s)] for s in submissions]
    accepted_outcomes = [f for f in files if f.status == ACCEPTED]
    if roster is not None:
        order = {u.key: i for i, u in enumerate(roster.units)}
        accepted_outcomes.sort(key=lambda f: order[f.roster_unit.key])
    accepted = [f.submission for f in accepted_outcomes]
    received = {f.roster_unit.key for f in files if f.roster_unit is not None}
    missing = tuple(u for u in roster.units if u.key not in received) if roster else ()
    cells = summary_cells(version)
    totals = _column_sums(accepted, len(cells))
    level = level or summary_level([s.level for s in accepted])
    report = _summary_report(version, cells, totals, accepted, unit, level, year, date, previous_file)
    return Consolidation(year, version, unit, level, files, accepted, roster, missing, report, cells, totals,
                         _conversions(accepted, version))


def _reason(key: str, **fields) -> str:
    """A reason of the 原因或说明 column ([submissions.reasons] of common.toml)."""
    return common().submissions["reasons"][key].format(**fields)


def _first_look(s: Submission, year: int, roster: Roster | None) -> FileOutcome:
    def rejected(reason):
        return FileOutcome(s, REJECTED, reason, roster_unit=roster_unit)

    roster_unit = roster.find(s.unit) if roster is not None and s.unit else None
    if s.unreadable:
        return rejected(_reason("unreadable", why=s.unreadable))
    if not unit_key(s.unit):
        info = common().sheets["info"]
        gone = next((f.message for f in s.findings if f.code == "R-SHEET-MISSING" and f.sheet == info), None)
        return rejected(_reason("no_unit_sheet", why=gone) if gone else _reason("no_unit", info=info))
    if s.year is None:
        return rejected(_reason("no_year", year=year))
    if s.year != year:
        return rejected(_reason("other_year", found=s.year, year=year))
    remarks = [f.message for f in s.findings if f.code in UNSAFE_CONTENT_CODES]
    if roster_unit is not None and roster_unit.level and s.level and s.level != roster_unit.level:
        remarks.append(_reason("level_differs", level=quoted(s.level), listed=roster_unit.level))
    return FileOutcome(s, ACCEPTED, remarks=tuple(remarks), roster_unit=roster_unit)


def _resolve_duplicates(candidates: list[Submission], outcomes: dict) -> None:
    """The same unit twice: the later 填报日期 counts (then the later-modified file, then the name);
    the others are not summed, and each says which file counts and what decided it.  A copy with the
    same content says so.  Dates are compared as dates, whatever way they were written; a date that
    cannot be read counts as none."""
    groups: dict[str, list[Submission]] = {}
    for s in candidates:
        groups.setdefault(unit_key(s.unit), []).append(s)
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda s: (parse_date(s.date) or datetime.date.min, s.modified, s.path))
        kept = group[-1]
        for s in group[:-1]:
            outcome = outcomes[id(s)]
            outcome.status = REJECTED
            outcome.reason = _reason("duplicate", unit=quoted(kept.unit), kept=kept.name, why=_why_kept(kept, s))


def _why_kept(kept: Submission, other: Submission) -> str:
    """What decided between two files of one unit, in words."""
    if kept.content and kept.content == other.content:
        return _reason("why_same")
    mine, theirs = parse_date(other.date), parse_date(kept.date)
    if mine != theirs:
        if mine is None:
            date = _reason("date_unreadable", date=other.date) if other.date else _reason("date_blank")
            return _reason("why_undated", date=date, kept_date=kept.date)
        return _reason("why_later", date=quoted(other.date), kept=kept.name, kept_date=quoted(kept.date))
    dates = _reason("same_date", date=kept.date) if theirs else _reason("no_dates")
    if kept.modified != other.modified:
        return _reason("why_modified", dates=dates, kept=kept.name)
    return _reason("why_name", dates=dates, kept=kept.name)


def nothing_summed(c: Consolidation) -> str:
    """Why no file could be summed, in words (the command then writes no summary)."""
    readable = [f.submission for f in c.files if not f.submission.unreadable]
    other = Counter(s.year for s in readable if s.year is not None and s.year != c.year)
    years = "、".join(f"{y}年度 {n} 个" for y, n in sorted(other.items()))
    head = f"没有可汇总的工作簿，未写出汇总工作簿：收到 {len(c.files)} 个文件，"
    if other and sum(other.values()) == len(c.files):
        return f"{head}都不是本次汇总的{c.year}年度（{years}）；请核对 --year 是否写错"
    tail = f"；其中不是{c.year}年度的：{years}，请核对 --year 是否写错" if other else ""
    return f"{head}一个也不能汇总（各文件的原因见上）{tail}"


def _column_sums(accepted: list[Submission], width: int) -> tuple:
    sums: list = [None] * width
    for s in accepted:
        for i, v in enumerate(s.values):
            if v is not None:
                sums[i] = v if sums[i] is None else sums[i] + v
    return tuple(_tidy(v) for v in sums)


def summary_level(levels) -> str:
    """The level of a summary of units of these levels: the highest summary level they lead to."""
    c = common()
    reached = [c.summary_levels.index(c.summary_of[lv]) for lv in levels if lv in c.summary_of]
    return c.summary_levels[max(reached, default=0)]


def _summary_report(version, cells, totals, accepted, unit, level, year, date, previous_file) -> Report:
    fmt = get_format(version)
    values = {cid: v for cid, v in zip(cells, totals) if v is not None and not fmt.cells[cid].total}
    previous = {}
    for cid in fmt.previous_cells:  # only where every unit kept it: a partial sum would be wrong
        if accepted and all(cid in s.previous for s in accepted):
            previous[cid] = _tidy(sum(s.previous[cid] for s in accepted))
    info = {k: v for k, v in (("date", date), ("previous_file", previous_file)) if v}
    return Report(unit=unit, level=level, year=year, format=version, values=values, info=info, previous=previous)


def _conversions(accepted: list[Submission], version: str) -> list[str]:
    """How figures in other formats were converted, for 报送情况: the moves, what has no place in the
    summary (the units' figures are listed beside), and what the summary lacks for those units."""
    notes = []
    for source in sorted({s.format for s in accepted} - {version}):
        mapping = cell_map(source, version)
        notes += mapping.describe()
        if mapping.unmapped:
            notes.append(f"{source}年版的以下{len(mapping.unmapped)}项在{version}年版中没有对应项，未计入汇总"
                         f"（各单位的数字见下方“格式换算”）：{by_row(source, mapping.unmapped)}")
        uncovered = [c for c in mapping.uncovered if not get_format(version).cells[c].total]
        if uncovered:
            notes.append(f"汇总表中以下各项不含按{source}年版填报的单位的数字：{by_row(version, uncovered)}")
    return notes


def by_row(version: str, cells) -> str:
    """Cells named row by row: 表二“规章”行（本年新制作数量、本年新公开数量）；表三“…”行（各列）."""
    fmt = get_format(version)
    rows: dict[tuple, list] = {}
    for cid in cells:
        cell = fmt.cells[cid]
        rows.setdefault((cell.table, cell.block, cell.row), []).append(cid)
    parts = []
    for (table_id, block, row), ids in rows.items():
        table = fmt.table(table_id)
        every = [cid for cid in (cell_id(table_id, row.id, c.id) for c in table.blocks[block].columns)
                 if not fmt.cells[cid].total]
        shown = "各列" if ids == every and len(ids) > 1 else "、".join(fmt.cells[c].column.name for c in ids)
        parts.append(f"{table.short}“{row.name}”行（{shown}）" if row.labels else f"{table.short}（{shown}）")
    return "；".join(parts)


def converted(c: "Consolidation") -> dict[str, int]:
    """How many summed units used each other format."""
    out: dict[str, int] = {}
    for s in c.accepted:
        if s.format != c.version:
            out[s.format] = out.get(s.format, 0) + 1
    return out


def summary_lines(c: Consolidation) -> list[str]:
    """The lines at the top of 报送情况, also printed by the command: who, what, and the accounts."""
    lines = [f"汇总单位：{c.unit}（{c.level}），{c.year}年度，{get_format(c.version).title}", c.accounting]
    if c.roster is not None:
        status = [s for _, s, _ in c.roster_status()]
        lines.append(common().submissions["roster_accounts"].format(
            count=len(status), accepted=status.count(ACCEPTED), submitted=status.count(SUBMITTED_NOT_ACCEPTED),
            missing=status.count(MISSING)))
    errors, hints = sum(s.errors for s in c.accepted), sum(s.hints for s in c.accepted)
    still = sum(c.open_errors(s) for s in c.accepted)
    if still < errors:  # some marked 可以忽略 by the reviewer
        lines.append(common().review["messages"]["errors"].format(
            errors=errors, ignore=common().review["ignore"], ignored=errors - still, open=still, hints=hints,
            findings=common().sheets["findings"]))
    else:
        lines.append(f"已汇总的单位共有错误 {errors} 个、提示 {hints} 个，详见“{common().sheets['findings']}”表"
                     if errors or hints else "已汇总的单位没有错误和提示")
    for source, count in converted(c).items():
        lines.append(f"{count}个单位按{source}年版格式填报，已换算为{c.version}年版汇总"
                     f"（换算方法和未计入汇总的数字见“{common().summary_sheets['submissions']}”表）")
    if c.year_over_year is not None:  # with --previous (toolkit.core.year_over_year)
        lines.append(c.year_over_year.line)
    return lines


def headline(consolidation: Consolidation) -> list[tuple[str, Number]]:
    """The summary's main figures as the format's [headline] names them: requests received, carried
    over, answered by outcome group, carried forward; reviews and lawsuits."""
    fmt = get_format(consolidation.version)
    values = Values(fmt, consolidation.report.values)
    chosen = fmt.headline
    out = [(headline_label(fmt, cid), values[cid]) for cid in chosen.before]
    for group, members in chosen.groups:
        out.append((f"  {group}", _tidy(sum(values[cid] for cid in members))))
    out += [(headline_label(fmt, cid), values[cid]) for cid in chosen.after]
    return out


def headline_label(fmt, cid: str) -> str:
    """A headline figure's name: its row's outermost label, or (a table of one row) its column's labels."""
    cell = fmt.cells[cid]
    return cell.row.labels[0] if cell.row.labels else " ".join(cell.column.labels)
