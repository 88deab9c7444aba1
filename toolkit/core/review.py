"""The county's review of the findings: decisions on 校验结果 that last from one run to the next.

A summary's 校验结果 sheet has two columns for the reviewer, 审核意见 (待核实 / 确认有误 / 可以忽略)
and 审核说明 (common.toml [review]).  When `xxgk consolidate` is run again (`--review OLD.xlsx`, or
`--force` over the summary itself), `carry` gives each finding of the new run the decision written
beside the same finding in the old summary.  "The same finding" is, in this order of trust:

1. the same unit, file, code, place and message;
2. the same unit, code, place and message (the unit sent a corrected file under another name);
3. the same unit, code and place (the figures in the message changed, the relation still fails).

The unit is its name as `roster.unit_key` normalises it (the file name where no unit could be
read); the place is the finding's cell ids (`t3.forward.natural`, written on the sheet's 单元格编号
column, stable when rows are inserted into a table), or, for findings without cells (or an old
sheet without that column), its sheet and address.  Within a step, findings with equal keys are
paired in the order they are listed.  A decided old finding (not 待核实, or with a note) that finds
no partner is resolved: listed on the new summary's 已解决 sheet, and read back from there on the next
run, so a decision is never lost; a resolved finding that comes back gets its decision back.

Pure Python: the old summary is read by toolkit/io/workbook/review_book.py into `OldRow`s.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from toolkit.core.formats import common
from toolkit.core.model import ERROR, Finding
from toolkit.core.roster import unit_key

RESOLVED_SHOWN = 30  # resolved findings printed one by one; the rest are counted (all are on 已解决)


@dataclass(frozen=True)
class OldRow:
    """One finding as an earlier summary lists it, with the reviewer's decision."""

    unit: str = ""
    file: str = ""
    code: str = ""
    severity: str = ""
    sheet: str = ""
    address: str = ""
    message: str = ""
    reported: object = None
    computed: object = None
    decision: str = ""  # one of the choices (a decision outside them is read as the default)
    note: str = ""
    cells: str | None = None  # the 单元格编号 column; None where the sheet has no such column
    where: str = ""  # the row on the old summary, for messages: 校验结果!J5
    earlier: bool = False  # read from the old summary's 已解决 sheet

    @property
    def decided(self) -> bool:
        return self.decision not in ("", settings()["default"]) or bool(self.note.strip())


@dataclass
class OldReview:
    """What could be read from an earlier summary, and every problem met reading it (in words)."""

    source: str  # the file's name
    rows: list[OldRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    decision: str
    note: str = ""


@dataclass
class Review:
    """The decisions carried over to a run's findings, and the accounts of it."""

    source: str = ""
    decisions: dict = field(default_factory=dict)  # (file path, finding index) -> Decision
    carried: int = 0  # findings given an earlier decision
    new: int = 0  # findings the earlier summary did not list
    resolved: list[OldRow] = field(default_factory=list)  # decided findings that went away
    gone: int = 0  # undecided findings that went away (nothing to keep)
    problems: list[str] = field(default_factory=list)

    def decision(self, path: str, index: int) -> Decision:
        return self.decisions.get((path, index)) or Decision(settings()["default"])

    def ignored(self) -> dict[str, frozenset[int]]:
        """file path -> the indices of its findings marked 可以忽略."""
        out: dict[str, set] = defaultdict(set)
        for (path, index), d in self.decisions.items():
            if d.decision == settings()["ignore"]:
                out[path].add(index)
        return {path: frozenset(i) for path, i in out.items()}


def settings() -> dict:
    return common().review


def listed(consolidation) -> list[tuple[object, int, Finding]]:
    """The findings in the order 校验结果 lists them: (submission, index in its findings, finding)."""
    return [(f.submission, i, finding) for f in consolidation.files
            for i, finding in enumerate(f.submission.findings)]


def cells_of(finding: Finding) -> str:
    """The 单元格编号 column: the finding's cell ids."""
    return "、".join(finding.cells)


def _unit(unit: str, file: str) -> str:
    key = unit_key(unit or "")
    return key if key else f"\0{file}"


def _address(sheet, address) -> str:
    return f"{sheet or ''}!{address or ''}"


def carry(old: OldReview | None, consolidation) -> Review:
    """Each finding of the run given its decision on the old summary; see the module's docstring."""
    review = Review(source=old.source if old else "", problems=list(old.problems) if old else [])
    items = listed(consolidation)
    rows = list(old.rows) if old else []
    by_cells = not rows or any(r.cells is not None for r in rows)

    def new_place(s, f: Finding) -> str:
        return cells_of(f) if by_cells and f.cells else _address(f.sheet, f.address)

    def old_place(r: OldRow) -> str:
        return r.cells if by_cells and r.cells else _address(r.sheet, r.address)

    steps = (
        (lambda s, f: (_unit(s.unit, s.name), s.name, f.code, new_place(s, f), f.message),
         lambda r: (_unit(r.unit, r.file), r.file, r.code, old_place(r), r.message)),
        (lambda s, f: (_unit(s.unit, s.name), f.code, new_place(s, f), f.message),
         lambda r: (_unit(r.unit, r.file), r.code, old_place(r), r.message)),
        (lambda s, f: (_unit(s.unit, s.name), f.code, new_place(s, f)),
         lambda r: (_unit(r.unit, r.file), r.code, old_place(r))),
    )
    open_items = list(range(len(items)))
    open_rows = [i for i, r in enumerate(rows) if r.code]  # a row without a code matches nothing
    partner: dict[int, int] = {}
    for new_key, old_key in steps:
        waiting: dict[tuple, list[int]] = defaultdict(list)
        for i in open_rows:
            waiting[old_key(rows[i])].append(i)
        left = []
        for j in open_items:
            s, _, f = items[j]
            queue = waiting.get(new_key(s, f))
            if queue:
                partner[j] = queue.pop(0)
            else:
                left.append(j)
        open_items = left
        taken = set(partner.values())
        open_rows = [i for i in open_rows if i not in taken]
    taken = set(partner.values())
    for j, (s, index, _) in enumerate(items):
        if j not in partner:
            review.new += 1
            continue
        r = rows[partner[j]]
        if r.decided:
            review.decisions[(s.path, index)] = Decision(r.decision or settings()["default"], r.note)
            review.carried += 1
    for i, r in enumerate(rows):
        if i in taken:
            continue
        if r.decided:
            review.resolved.append(r)
        elif not r.earlier:
            review.gone += 1
    return review


def lines(review: Review, consolidation) -> list[str]:
    """What the command prints about the review: the accounts, the resolved findings, what was ignored."""
    c = settings()
    m = c["messages"]
    out = [m["read"].format(source=review.source)] if review.source else []
    out.append(m["accounts"].format(carried=review.carried, new=review.new, resolved=len(review.resolved),
                                    sheet=common().summary_sheets["resolved"]))
    earlier = sum(r.earlier for r in review.resolved)
    if earlier:
        out.append(m["still_resolved"].format(count=earlier))
    for r in review.resolved[:RESOLVED_SHOWN]:
        place = r.cells or (f"{r.sheet}!{r.address}" if r.sheet or r.address else "")
        out.append(m["resolved"].format(unit=r.unit or r.file, code=r.code or "", place=place,
                                        decision=r.decision or c["default"], note=f"；{r.note}" if r.note else ""))
    if len(review.resolved) > RESOLVED_SHOWN:
        out.append(m["more_resolved"].format(count=len(review.resolved) - RESOLVED_SHOWN,
                                             sheet=common().summary_sheets["resolved"]))
    findings = {f.submission.path: f.submission.findings for f in consolidation.files}
    ignored = sum(1 for (path, index), d in review.decisions.items() if d.decision == c["ignore"]
                  and findings[path][index].severity == ERROR)
    if ignored:
        out.append(m["ignored"].format(ignore=c["ignore"], count=ignored, findings=common().sheets["findings"]))
    return out
