"""Feedback to each unit after a consolidation (`xxgk feedback`): which findings make which notice.

The summary workbook's 校验结果 and 报送情况 sheets, as read by `toolkit.io.workbook.feedback_reader`
(a `SummaryFindings`), become a `Feedback`: one 退回修改通知 per unit with open errors (错误 not marked
可以忽略 in the reviewer's 审核意见 column; its hints listed too), a 审核通过 note for every summed unit
without one (written with `--all`), and the 催报 list (roster units that sent nothing, and those whose
files could not be summed).  Each finding's cell is named by its table, row and column labels, from the
format of the unit's own file (`toolkit.core.formats`, `toolkit.core.layout`).  The documents themselves are
`toolkit.io.feedback_documents`; every word is in `toolkit/core/formats/feedback.toml`.

Pure Python: no spreadsheet or Word library, no file access.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from toolkit.core.consolidation import ACCEPTED, MISSING, SUBMITTED_NOT_ACCEPTED
from toolkit.core.formats import VERSIONS, common, get_format, load_toml
from toolkit.core.layout import PREVIOUS_PREFIX, a1, workbook_layout
from toolkit.core.model import ERROR, HINT, show_number
from toolkit.core.roster import unit_key

# Findings that say a sheet's rows or columns were moved in the unit's workbook: the addresses it
# gives on that sheet are not the standard ones, so they are not named by the standard labels.
MOVED_CODES = ("R-MOVED",)


@cache
def wording() -> dict:
    """toolkit/core/formats/feedback.toml."""
    return load_toml("feedback.toml")


def review_settings() -> dict:
    """The reviewer's columns: common.toml [review] where it has one, else feedback.toml's."""
    return {**wording()["review"], **(getattr(common(), "review", None) or {})}


def say(section: str, key: str, **values) -> str:
    return wording()[section][key].format(**values)


# --- what the summary says (filled by the reader) ----------------------------------------------------

@dataclass(frozen=True)
class FindingRow:
    """One row of 校验结果: `row` is its row on the sheet, `review_cell` the A1 address of its
    审核意见 ("" when the sheet has no such column)."""

    row: int
    unit: str
    file: str
    code: str
    severity: str
    sheet: str
    address: str
    message: str
    reported: object = None
    computed: object = None
    review: str = ""
    note: str = ""
    review_cell: str = ""
    severity_cell: str = ""
    cells: tuple[str, ...] = ()  # cell ids, where the sheet has a 单元格编号 column


@dataclass(frozen=True)
class FileRow:
    """One file of 报送情况 “一、收到的文件”."""

    file: str
    unit: str
    level: str
    format: str
    status: str
    reason: str = ""


@dataclass(frozen=True)
class RosterRow:
    """One unit of 报送情况 “二、单位名单核对”."""

    unit: str
    level: str
    code: str
    contact: str
    status: str
    files: str = ""


@dataclass
class SummaryFindings:
    name: str  # the summary's file name, as messages quote it
    unit: str  # the summary's own unit (--unit of xxgk consolidate)
    year: int | None
    version: str
    findings: list[FindingRow]
    files: list[FileRow]
    roster: list[RosterRow] | None  # None: the summary was made without --roster
    reviewed: bool = False  # 校验结果 has a 审核意见 column
    findings_sheet: str = ""
    submissions_sheet: str = ""
    warnings: list[str] = field(default_factory=list)  # rows the reader did not take, with their reason


# --- what goes out ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """Where a finding is, in words: table, row and column labels, and the cell (sheet!A1)."""

    table: str
    row: str
    column: str
    cell: str


@dataclass(frozen=True)
class Item:
    finding: FindingRow
    place: Place

    @property
    def reported(self) -> str:
        return _shown(self.finding.reported)

    @property
    def computed(self) -> str:
        return _shown(self.finding.computed)


@dataclass
class Notice:
    """A unit's 退回修改通知 (errors) or 审核通过 note (no errors)."""

    unit: str  # as the notice names it
    files: tuple[str, ...]
    errors: list[Item] = field(default_factory=list)
    hints: list[Item] = field(default_factory=list)
    level: str = ""


@dataclass
class Rejected:
    """A roster unit that sent files none of which could be summed."""

    unit: RosterRow
    reasons: list[tuple[str, str]]  # (file, reason)
    noticed: bool  # it also gets a 退回修改通知


@dataclass
class Feedback:
    year: int | None
    summary_unit: str
    summary: str
    notices: list[Notice]
    passed: list[Notice]
    missing: list[RosterRow] | None  # None: no roster in the summary
    rejected: list[Rejected]
    warnings: list[str]
    findings: int = 0
    errors: int = 0
    hints: int = 0
    ignored: int = 0
    superseded: dict = field(default_factory=dict)  # file -> findings of it left out
    submissions_sheet: str = ""

    @property
    def has_reminders(self) -> bool:
        return bool(self.missing or self.rejected)


def _shown(value) -> str:
    if value is None or value == "":
        return say("notice", "no_value")
    return show_number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def group_key(unit: str, file: str) -> str:
    """Findings and files are grouped by unit (names compared as the roster compares them); a file
    whose unit is not known is a group of its own."""
    key = unit_key(unit or "")
    return key if key else "\0" + file


def feedback(summary: SummaryFindings) -> Feedback:
    """Decide what each unit gets.  Never drops a row without counting it: ignored findings, those of
    duplicate files that were not used, and odd cells are in the counts or the warnings."""
    review = review_settings()
    choices, ignored_word = review["choices"], review["ignore"]
    out = Feedback(summary.year, summary.unit, summary.name, [], [], None, [], list(summary.warnings),
                   submissions_sheet=summary.submissions_sheet)

    # the files of each unit, and which of them was summed
    formats: dict[tuple[str, str], str] = {}
    accepted: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    levels: dict[str, str] = {}
    order: list[str] = []
    for f in summary.files:
        key = group_key(f.unit, f.file)
        formats[(key, f.file)] = f.format
        names.setdefault(key, f.unit or say("files", "unnamed", file=f.file))
        levels.setdefault(key, f.level)
        if key not in order:
            order.append(key)
        if f.status == ACCEPTED:
            accepted.setdefault(key, set()).add(f.file)

    groups: dict[str, list[FindingRow]] = {}
    moved: set[tuple[str, str]] = set()  # (file, sheet) whose rows or columns were moved
    for f in summary.findings:
        if f.code in MOVED_CODES and f.sheet:
            moved.add((f.file, f.sheet))
    for f in summary.findings:
        key = group_key(f.unit, f.file)
        if not unit_key(f.unit or "") and key not in groups:
            out.warnings.append(say("lines", "no_unit", summary=summary.name, sheet=summary.findings_sheet,
                                    row=f.row, file=f.file))
        names.setdefault(key, f.unit or say("files", "unnamed", file=f.file))
        if key not in order:
            order.append(key)
        groups.setdefault(key, []).append(f)

    for key in order:
        rows = groups.get(key, [])
        used = accepted.get(key)
        notice = Notice(names[key], (), level=levels.get(key, ""))
        files: list[str] = list(sorted(used)) if used else []
        for f in rows:
            out.findings += 1
            severity = f.severity
            if severity not in (ERROR, HINT):
                out.warnings.append(say("lines", "bad_severity", summary=summary.name, sheet=summary.findings_sheet,
                                        cell=f.severity_cell, found=f.severity))
                severity = ERROR
            out.errors += severity == ERROR
            out.hints += severity == HINT
            decision = f.review.strip() if summary.reviewed else ""
            if decision and decision not in choices:
                out.warnings.append(say("lines", "bad_choice", summary=summary.name, sheet=summary.findings_sheet,
                                        cell=f.review_cell, found=f.review, choices="、".join(choices),
                                        default=review["default"]))
            if decision == ignored_word:
                out.ignored += severity == ERROR
                continue
            if used and f.file not in used:  # a duplicate the consolidation did not use
                out.superseded[f.file] = out.superseded.get(f.file, 0) + 1
                continue
            if f.file not in files:
                files.append(f.file)
            version = formats.get((key, f.file)) or summary.version
            item = Item(f, place(f, version, (f.file, f.sheet) in moved))
            (notice.errors if severity == ERROR else notice.hints).append(item)
        notice.files = tuple(files)
        if notice.errors:
            out.notices.append(notice)
        elif used:
            out.passed.append(notice)

    if summary.roster is not None:
        noticed = {unit_key(n.unit) for n in out.notices}
        out.missing = [u for u in summary.roster if u.status == MISSING]
        for u in summary.roster:
            if u.status != SUBMITTED_NOT_ACCEPTED:
                continue
            reasons = [(f.file, f.reason) for f in summary.files
                       if unit_key(f.unit or "") == unit_key(u.unit) and f.status != ACCEPTED]
            out.rejected.append(Rejected(u, reasons, unit_key(u.unit) in noticed))
    return out


def place(f: FindingRow, version: str, moved: bool = False) -> Place:
    """The finding's cell in words, by the layout of the format the unit's file has."""
    w = wording()["notice"]
    cell = f"{f.sheet}!{f.address}" if f.sheet and f.address else (f.sheet or w["no_value"])
    if not f.sheet:
        return Place(w["no_value"], w["no_value"], w["no_value"], cell)
    version = version if version in VERSIONS else common().default_version
    by_id = next((_by_id(v).get(cid) for cid in f.cells for v in (version, *VERSIONS) if cid in _by_id(v)), None)
    if by_id is not None:
        return Place(*by_id, cell)
    if moved:
        return Place(f.sheet, w["moved"], w["moved"], cell)
    found = _cell_at(version, f.sheet, f.address or "")
    if found is None:
        return Place(f.sheet, w["unknown_place"], w["unknown_place"], cell)
    return Place(*found, cell)


def _cell_at(version: str, sheet: str, address: str) -> tuple[str, str, str] | None:
    return _places(version).get((sheet, address.replace("$", "").upper()))


@cache
def _by_id(version: str) -> dict:
    """cell id -> (table, row, column) labels."""
    fmt = get_format(version)
    return {cid: _labels(fmt, cell) for cid, cell in fmt.cells.items()}


def _labels(fmt, cell) -> tuple[str, str, str]:
    table = fmt.table(cell.table)
    if cell.row.labels:
        return table.title, " ".join(cell.row.labels), " ".join(cell.column.labels)
    return table.title, " ".join(cell.column.labels[:-1]), cell.column.labels[-1]  # table 四: grouped columns


@cache
def _places(version: str) -> dict:
    """(sheet, A1) -> (table, row, column) labels of every cell of the standard workbook."""
    fmt, layout = get_format(version), workbook_layout(version)
    out = {}
    for cid, cell in fmt.cells.items():
        out[layout.address(cid)] = _labels(fmt, cell)
    info_sheet = common().sheets["info"]
    labels = {f.id: f.label for f in common().info_fields}
    table = wording()["notice"]["info_table"]
    for fid, (row, col) in layout.info.items():
        out[(info_sheet, a1(row, col))] = (table, labels[fid], "")
    for pid, (row, col) in layout.previous.items():
        label = fmt.cells[pid.removeprefix(PREVIOUS_PREFIX)].label
        out[(info_sheet, a1(row, col))] = (table, common().previous_label + label, "")
    texts = common().sheets["texts"]
    for part in fmt.text_parts:
        heading, text = layout.texts[part.text]
        out[(texts, a1(text, 1))] = (texts, part.heading, "")
    return out


def file_names(feedback: Feedback, suffix: str, everyone: bool) -> list[tuple[str, object]]:
    """(file name, what it holds) of every document to write: the notices, the 审核通过 notes (with
    `everyone`), the 催报 list; names safe for Windows, one unit's name never another's file."""
    from toolkit.core.file_names import safe_file_name

    year = feedback.year if feedback.year is not None else ""
    planned = [("notice", n) for n in feedback.notices]
    if everyone:
        planned += [("passed", n) for n in feedback.passed]
    if feedback.has_reminders:
        planned.append(("reminders", feedback))
    taken: set[str] = set()
    out = []
    for kind, what in planned:
        unit = what.unit if isinstance(what, Notice) else feedback.summary_unit
        stem, n = say("files", kind, unit=safe_file_name(unit), year=year), 2
        name = stem + suffix
        while name.casefold() in taken:
            name = stem + say("files", "copy", n=n) + suffix
            n += 1
        taken.add(name.casefold())
        out.append((name, (kind, what)))
    return out


# --- the documents, as blocks the writers lay out -----------------------------------------------------

@dataclass(frozen=True)
class Block:
    """One piece of a document: a title, a heading, a paragraph (`kind`, `text`), or a table
    (`kind` "table", `columns` and `rows` of text, `widths` in relative units)."""

    kind: str  # title, heading, para, sign, table
    text: str = ""
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    widths: tuple[float, ...] = ()


FINDING_COLUMNS = ("number", "table", "row", "column", "cell", "reported", "computed", "todo")
FINDING_WIDTHS = (1.2, 4.5, 5.5, 3.5, 3.5, 1.8, 2.2, 9.0)


def finding_table(items: list[Item]) -> Block:
    names = wording()["columns"]
    rows = tuple((str(i), it.place.table, it.place.row, it.place.column, it.place.cell, it.reported, it.computed,
                  it.finding.message) for i, it in enumerate(items, start=1))
    return Block("table", columns=tuple(names[c] for c in FINDING_COLUMNS), rows=rows, widths=FINDING_WIDTHS)


def blocks(kind: str, what, fb: Feedback, date: str) -> list[Block]:
    """The document of a notice ("notice"), a 审核通过 note ("passed") or the 催报 list ("reminders")."""
    year = fb.year if fb.year is not None else ""
    if kind == "reminders":
        return _reminder_blocks(fb, year)
    section = wording()[kind]
    files = "、".join(what.files)
    out = [Block("title", section["title"]), Block("para", say("notice", "greeting", unit=what.unit))]
    if kind == "notice":
        out.append(Block("para", say("notice", "body", year=year, files=files, errors=len(what.errors))))
        out += [Block("heading", say("notice", "errors_heading", count=len(what.errors))), finding_table(what.errors)]
        if what.hints:
            out += [Block("heading", say("notice", "hints_heading", count=len(what.hints))), finding_table(what.hints)]
    else:
        out.append(Block("para", say("passed", "body", year=year, files=files)))
        if what.hints:
            out += [Block("heading", say("passed", "hints_heading", count=len(what.hints))), finding_table(what.hints)]
    out += [Block("sign", say("notice", "sign", summary_unit=fb.summary_unit)),
            Block("sign", say("notice", "date", date=date))]
    return out


def _reminder_blocks(fb: Feedback, year) -> list[Block]:
    w = wording()["reminders"]
    number = wording()["columns"]["number"]
    out = [Block("title", say("reminders", "title", year=year)),
           Block("para", say("reminders", "intro", summary_unit=fb.summary_unit, summary=fb.summary, year=year))]
    missing = fb.missing or []
    out.append(Block("heading", say("reminders", "missing_heading", count=len(missing))))
    if missing:
        out.append(Block("table", columns=(number, w["unit"], w["level"], w["code"], w["contact"]),
                         rows=tuple((str(i), u.unit, u.level, u.code, u.contact) for i, u in enumerate(missing, 1)),
                         widths=(1.2, 8, 3, 3, 4)))
    else:
        out.append(Block("para", w["none"]))
    out.append(Block("heading", say("reminders", "rejected_heading", count=len(fb.rejected))))
    if fb.rejected:
        rows = []
        for i, r in enumerate(fb.rejected, 1):
            reasons = "；".join(f"{file}：{reason}" if reason else file for file, reason in r.reasons) or r.unit.files
            if r.noticed:
                reasons = f"{reasons}（{w['notice_written']}）" if reasons else w["notice_written"]
            rows.append((str(i), r.unit.unit, r.unit.level, reasons))
        out.append(Block("table", columns=(number, w["unit"], w["level"], w["reason"]), rows=tuple(rows),
                         widths=(1.2, 6, 3, 12)))
    else:
        out.append(Block("para", w["none"]))
    return out
