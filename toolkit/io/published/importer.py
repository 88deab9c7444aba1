"""Importing a report as published (web page, Word, PDF, text) into a `Report`, with a finding for
everything that could not be read with certainty.

Pure: works on the `Line`s of `toolkit.io.published.text` and on the format description.  It finds
- the title, and in it the unit and the year (else in the opening sentence, else the file name);
- the format version (2019 or 2021) from the labels only one of them has;
- the six parts by their headings (一、 1、 （一） numbering and small wording variants allowed), the
  texts of parts 一, 五 and 六;
- every number of tables 二, 三 and 四, placed into its cell by the row labels (compared loosely)
  and, where a row has lost its label, by its position in the official table.

Nothing is guessed silently: a number found but not placed, a cell not filled, a row read by
position, a unit taken from the opening sentence — each is a finding (codes P-…).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from toolkit.core.formats import VERSIONS, Format, Table, cell_id, common, get_format, say, severity, words
from toolkit.core.model import Finding, Report
from toolkit.core.labels import (heading_score, loose, similarity, strip_numbering, unified_radicals,
                                      width_normal)
from toolkit.io.intake import RefusedFile
from toolkit.io.published.limits import time_limit
from toolkit.core.signature import date_text, find_signature, lateness, message, same_unit
from toolkit.io.published.text import Line, UnreadableReport, read_lines
from toolkit.core.values import parse_value

# A label matches a row when at least this alike (see labels.similarity); 本年新收政府信息数量 against
# 本年新收政府信息公开申请数量 is 0.83, 行政处罚 against 行政强制 is 0.5.
MATCH = 0.72
TITLE = re.compile(r"(?P<pre>.*?)(?P<year>(?:19|20)\d{2})\s*年度?(?P<mid>.*?)(?:政府)?信息公开(?:工作)?年度?报告")
UNIT_SUFFIX = r"(?:人民政府|政府|办事处|街道|镇|乡|县|区|市|局|委员会|委|办公室|办|中心|院|署|厅|所|站|队)"
UNIT_LINE = re.compile(rf"^[\u4e00-\u9fff（）()]{{2,30}}{UNIT_SUFFIX}$")
UNIT_IN_QUOTE = re.compile(r"《(?P<unit>[^《》]{2,30}?)(?:19|20)\d{2}\s*年度?(?:政府)?信息公开(?:工作)?年度?报告》")
UNIT_AS_SUBJECT = re.compile(rf"^(?:本报告由)?(?P<unit>[\u4e00-\u9fff]{{2,20}}?{UNIT_SUFFIX})"
                             r"(?:根据|按照|依据|依照|严格|认真|坚持|全面|始终|紧紧|深入|以|在|高度|积极|编制)")
STATISTICS_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
PAGE_CHROME = re.compile(r"(发布时间|发布日期|浏览次数|字号|字体|来源)[:：]")
# a unit's level from the end of its name (common.toml [import] level_by_name)
LEVEL_BY_SUFFIX = tuple((re.compile(e["ending"]), e["level"]) for e in common().reading["level_by_name"])


@dataclass
class Imported:
    """A report read from a published file, and what the reading found."""

    report: Report
    findings: list[Finding]
    source: str = ""
    lines: list = field(default_factory=list, repr=False)  # as read: the text checks see the headings


@dataclass
class _Unit:
    """A table row as found: its label texts and its value cells (numbers or blanks), in order.
    `row` is True when the row's cells were known (a real table row), False when it was put
    together from a stream of text (labels followed by numbers)."""

    labels: list[str]
    values: list[str]
    row: bool

    @property
    def label(self) -> str:
        return " ".join(self.labels)


@dataclass
class _Target:
    index: int  # the table row it stands for (the group's first row, for a group label)
    text: str  # the loose label
    leaf: bool
    group: tuple = ()


@dataclass
class _TableState:
    table: Table
    rows: list  # (block index, Header)
    values: dict = field(default_factory=dict)
    positional: list = field(default_factory=list)  # row indexes read by position
    label_numbers: list = field(default_factory=list)  # (row index, numbers in label columns)
    not_reported: list = field(default_factory=list)  # (cell id, placeholder as written, "" for blank)
    collapsed: list = field(default_factory=list)  # (group labels, row index read, other row indexes)
    numbers_found: int = 0


def import_file(path) -> Imported:
    """Read a published report file (text, HTML, .docx or PDF); raises UnreadableReport."""
    path = Path(path)
    try:
        with time_limit() as deadline:  # reading and importing, within the limits' time
            lines = read_lines(path, deadline)
            return import_lines(lines, path.name)
    except (UnreadableReport, RefusedFile) as exc:
        if str(exc).startswith("“"):  # it names the file already
            raise
        raise UnreadableReport(f"“{path.name}”：{exc}") from exc


def import_lines(lines: list[Line], source: str = "") -> Imported:
    """Raises UnreadableReport when nothing in the lines looks like a report: no part heading and
    no number in any table.  Page furniture (page numbers, running headers) is dropped first."""
    from toolkit.io.published.furniture import drop_furniture, furniture_finding

    supplement = common().reading["radicals"]
    lines = [Line(tuple(unified_radicals(c, supplement) for c in line.cells), line.row, line.furniture)
             for line in lines]
    lines, dropped = drop_furniture(lines)
    imported = _Importer(lines, source).run()
    if dropped:
        imported.findings.insert(0, furniture_finding(dropped, source))
    return imported


class _Importer:
    def __init__(self, lines: list[Line], source: str):
        self.lines = lines
        self.source = source
        self.findings: list[Finding] = []

    def add(self, code: str, message: str, cells=(), reported=None) -> None:
        self.findings.append(Finding(code, severity(code), message, tuple(cells), reported, None,
                                     source=self.source or None))

    def run(self) -> Imported:
        self.signature = find_signature([line.text if not line.row else "" for line in self.lines], UNIT_LINE)
        title_at, unit, year = self._title()
        if self.signature and self.signature.unit and unit and not same_unit(unit, self.signature.unit):
            self.add("P-UNIT", message("unit_differs", unit=unit, signature=self.signature.unit))
        version = self._version(year)
        fmt = self.fmt = get_format(version)
        headings = self._headings(fmt, title_at + 1)
        texts = self._texts(fmt, headings, title_at)
        values: dict = {}
        for table in fmt.tables:
            self._table(fmt, table, self._region(fmt, table, headings, title_at), values)
        if not headings and not values:
            raise UnreadableReport(_reading_message("not_a_report"))
        level = self._level(unit)
        info = {"source": self.source} if self.source else {}
        if self.signature:
            info["date"] = self.signature.date.isoformat()
            late = lateness(level, year, self.signature.date)
            if late:
                self.add(*late)
        report = Report(unit=unit, level=level, year=year, format=version, values=values, texts=texts, info=info)
        return Imported(report, self.findings, self.source, self.lines)

    # --- title, unit, year, level --------------------------------------------------------------

    def _title(self) -> tuple[int, str, int | None]:
        """(line index of the title, unit, year)."""
        title_at, unit, year = -1, "", None
        for i, line in enumerate(self.lines[:80]):
            if line.row:
                continue
            text = width_normal(line.text)
            if len(text) > 80:  # no title is longer; and TITLE's search takes minutes on a long line of years
                continue
            m = TITLE.search(text)
            if m and len(m.group("pre")) <= 40:
                title_at, year = i, int(m.group("year"))
                unit = _clean_unit(m.group("pre")) or _clean_unit(m.group("mid"))
                break
        if title_at < 0:
            self.add("P-UNIT", say("P-UNIT", "no_title"))
        if not unit:
            unit = self._unit_elsewhere(title_at)
        if year is None:
            year = self._year_elsewhere()
        return max(title_at, -1), unit, year

    def _unit_elsewhere(self, title_at: int) -> str:
        near = [self.lines[j] for j in range(max(0, title_at - 2), min(len(self.lines), title_at + 3))
                if j != title_at and not self.lines[j].row] if title_at >= 0 else []
        for line in near:
            text = width_normal(line.text)
            if UNIT_LINE.match(text):
                self.add("P-UNIT", say("P-UNIT", "beside_title", unit=text))
                return text
        opening = [width_normal(l.text) for l in self.lines[max(title_at, 0): max(title_at, 0) + 40] if not l.row]
        for text in opening:
            m = UNIT_IN_QUOTE.search(text)
            if m and _clean_unit(m.group("unit")):
                unit = _clean_unit(m.group("unit"))
                self.add("P-UNIT", say("P-UNIT", "quoted", quote=m.group(0).strip("《》"), unit=unit))
                return unit
        for text in opening:
            m = UNIT_AS_SUBJECT.match(text)
            if m:
                unit = m.group("unit")
                self.add("P-UNIT", say("P-UNIT", "opening", opening=text[:len(unit) + 6], unit=unit))
                return unit
        if self.signature and self.signature.unit:
            self.add("P-UNIT", message("unit", signature=self.signature.text, unit=self.signature.unit))
            return self.signature.unit
        stem = re.split(r"(?:19|20)\d{2}", Path(self.source).stem)[0] if self.source else ""
        stem = _clean_unit(stem)
        if stem and UNIT_LINE.match(stem):
            self.add("P-UNIT", say("P-UNIT", "file_name", unit=stem))
            return stem
        self.add("P-UNIT", say("P-UNIT", "not_found"))
        return ""

    def _year_elsewhere(self) -> int | None:
        for line in self.lines[:200]:
            m = STATISTICS_YEAR.search(width_normal(line.text))
            if m:
                self.add("P-YEAR", say("P-YEAR", "statistics", period=m.group(0), year=m.group(1)))
                return int(m.group(1))
        if self.signature:
            year = self.signature.date.year - 1
            self.add("P-YEAR", message("year_from_date", date=date_text(self.signature.date), year=year))
            return year
        m = re.search(r"(?:19|20)\d{2}", self.source or "")
        if m:
            self.add("P-YEAR", message("year_from_file", name=self.source, year=m.group(0)))
            return int(m.group(0))
        self.add("P-YEAR", say("P-YEAR", "not_found"))
        return None

    def _level(self, unit: str) -> str:
        for pattern, level in LEVEL_BY_SUFFIX:
            if unit and pattern.search(unit):
                self.add("P-LEVEL", say("P-LEVEL", unit=unit, level=level))
                return level
        self.add("P-LEVEL", say("P-LEVEL", "not_found"))
        return ""

    # --- format version ------------------------------------------------------------------------

    def _version(self, year: int | None) -> str:
        found = "|".join(loose(c) for line in self.lines for c in line.cells)
        scores = {version: sum(1 for lab in _own_labels(version) if lab in found) for version in VERSIONS}
        best = max(VERSIONS, key=lambda v: scores[v])
        if scores[best] and list(scores.values()).count(scores[best]) == 1:
            return best
        by_year = next((v for v in VERSIONS if year is not None and get_format(v).suits_year(year)), None)
        version = by_year or common().default_version
        why = words("P-FORMAT", "by_year" if by_year else "default", year=year, version=version)
        self.add("P-FORMAT", say("P-FORMAT", why=why))
        return version

    # --- parts and texts -----------------------------------------------------------------------

    def _headings(self, fmt: Format, start: int) -> dict[int, int]:
        """Part index (0..5) -> line index of its heading, for the headings found, in order."""
        found: dict[int, int] = {}
        after = start
        for k, part in enumerate(fmt.parts):
            best, best_score = None, 0.0
            for i in range(after, len(self.lines)):
                line = self.lines[i]
                score = None if line.row else heading_score(width_normal(line.text), part.heading, k + 1)
                if score is None:
                    continue
                if score > best_score:
                    best, best_score = i, score
            if best is None:
                self.add("P-HEADING", say("P-HEADING", "" if part.text else "table", heading=part.heading),
                         reported=part.heading)
            else:
                found[k] = best
                after = best + 1
        return found

    def _texts(self, fmt: Format, headings: dict[int, int], title_at: int) -> dict[str, str]:
        texts = {}
        for k, part in enumerate(fmt.parts):
            if not part.text:
                continue
            if k == 0:
                begin = title_at + 1
            elif k in headings:
                begin = headings[k] + 1
            else:
                continue
            end = min([i for j, i in headings.items() if j > k] + [self._end()])
            skip = {headings.get(0)}
            lines = [self.lines[i].text.strip() for i in range(begin, end) if i not in skip]
            lines = [t for t in lines if t and not (k == 0 and PAGE_CHROME.search(t))]
            if lines:
                texts[part.text] = "\n".join(lines)
        return texts

    def _end(self) -> int:
        """Where the report's text ends: before the signature, if it has one."""
        return self.signature.at if self.signature else len(self.lines)

    def _region(self, fmt: Format, table: Table, headings: dict[int, int], title_at: int) -> list[Line]:
        """The lines between the table's part heading and the next heading found; where the
        heading is missing, between the headings found around it."""
        k = next(i for i, p in enumerate(fmt.parts) if p.table == table.id)
        begin = headings.get(k)
        if begin is None:
            begin = max([i for j, i in headings.items() if j < k] + [title_at])
        end = min([i for j, i in headings.items() if j > k] + [len(self.lines)])
        return self.lines[begin + 1:end]

    # --- tables --------------------------------------------------------------------------------

    def _table(self, fmt: Format, table: Table, region: list[Line], values: dict) -> None:
        state = _TableState(table, [(b, r) for b, block in enumerate(table.blocks) for r in block.rows])
        targets = _targets(state.rows)
        units = _units(region)
        pointer = 0
        for u, unit in enumerate(units):
            numbers = [v for v in unit.values if v.strip()]
            state.numbers_found += len(numbers)
            if not numbers:
                pointer = self._blank_row(state, unit, targets, pointer)
                continue
            if pointer >= len(state.rows):
                self._unplaced(table, unit, numbers, words("P-UNPLACED", "all_rows_read"))
                continue
            index, by_label, group = self._match(unit, targets, pointer) if targets else (pointer, True, None)
            if group is not None:
                collapsed = self._collapsed(state, group, unit, units[u + 1:], targets, pointer)
                if collapsed is not None:
                    into, others = collapsed
                    state.collapsed.append((group, into, others))
                    self._place(state, into, unit)
                    pointer = max([into, *others]) + 1
                    continue
            if index is None:
                self._unplaced(table, unit, numbers, words("P-UNPLACED", "repeated_label"))
                continue
            if not by_label:
                state.positional.append((index, unit.label))
            pointer = self._place(state, index, unit)
        self._report_table(fmt, state)
        values.update(state.values)

    def _match(self, unit: _Unit, targets: list[_Target], pointer: int) -> tuple[int | None, bool, tuple | None]:
        """(row index, matched by label, the group when the label named a group of rows rather than
        a row) for a unit, looking at rows from `pointer` on."""
        candidates = _suffixes(unit.labels)
        best, best_score = None, 0.0
        for target in targets:
            if target.index < pointer and not target.leaf:
                continue
            score = max((similarity(c, target.text) for c in candidates), default=0.0)
            if score >= MATCH and score > best_score + 1e-9:
                best, best_score = target, score
        if best is not None and not best.leaf:
            first = next((t.index for t in targets if t.leaf and t.group[:len(best.group)] == best.group
                          and t.index >= pointer), None)
            return first, True, best.group
        if best is not None and best.index >= pointer:
            return best.index, True, None
        if best is not None:  # the label names a row already read
            return None, True, None
        return pointer, False, None

    def _collapsed(self, state: _TableState, group: tuple, unit: _Unit, after: list[_Unit],
                   targets: list[_Target], pointer: int) -> tuple[int, list[int]] | None:
        """(row index read, the group's other rows) when a unit labelled with a group's name holds
        one row of figures and the next row found lies beyond the group: the group published as one
        row (the format's [[import_collapsed]]); else None."""
        into = next((c[2] for c in self.fmt.collapsed if c[0] == state.table.id and c[1] == group), None)
        if into is None:
            return None
        rows = [i for i, (_, row) in enumerate(state.rows) if row.labels[:len(group)] == group and i >= pointer]
        index = next((i for i in rows if state.rows[i][1].id == into), None)
        width = len(state.table.blocks[state.rows[index][0]].columns) if index is not None else 0
        if index is None or len([v for v in unit.values if v.strip()]) > width:
            return None
        following = next((u for u in after if any(v.strip() for v in u.values)), None)
        if following is not None:
            at, by_label, _ = self._match(following, targets, pointer)
            if not by_label or at is None or at in rows:
                return None
        return index, [i for i in rows if i != index]

    def _blank_row(self, state: _TableState, unit: _Unit, targets: list[_Target], pointer: int) -> int:
        """A real table row with its label and every cell blank: its cells are not reported (rather
        than missing).  Returns the next row index."""
        if not (unit.row and unit.labels and unit.values and targets) or pointer >= len(state.rows):
            return pointer
        index, by_label, group = self._match(unit, targets, pointer)
        if index is None or not by_label or (group is not None and self._is_group_only(state, group)):
            return pointer
        width = len(state.table.blocks[state.rows[index][0]].columns)
        if len(unit.values) < width:
            return pointer
        return self._place(state, index, unit)

    def _is_group_only(self, state: _TableState, group: tuple) -> bool:
        """Whether a group's label stands alone in its row (a heading row above the group's rows)."""
        return sum(1 for _, row in state.rows if row.labels[:len(group)] == group) > 1

    def _place(self, state: _TableState, index: int, unit: _Unit) -> int:
        """Put a unit's values into row `index` (and the rows after it when a stream of numbers
        covers several rows); returns the next row index."""
        block_index, _ = state.rows[index]
        columns = state.table.blocks[block_index].columns
        k = len(columns)
        cells = list(unit.values)
        while len(cells) > k and not cells[-1].strip():  # a row typed with a tab or bar too many
            cells.pop()
        n = len(cells)
        if n == k:
            self._fill(state, index, cells)
            return index + 1
        if n > k and unit.row:
            extra = [c.strip() for c in cells[: n - k] if c.strip()]
            if extra:
                state.label_numbers.append((index, extra))
            self._fill(state, index, cells[n - k:])
            return index + 1
        numbers = [c for c in cells if c.strip()]
        same_block = [i for i in range(index, len(state.rows)) if state.rows[i][0] == block_index]
        if n > k and n % k == 0 and len(same_block) >= n // k:
            for step in range(n // k):
                if step:
                    state.positional.append((index + step, ""))
                self._fill(state, index + step, cells[step * k:(step + 1) * k])
            return index + n // k
        row_name = _row_name(state.table, state.rows[index][1])
        self._unplaced(state.table, unit, numbers,
                       words("P-UNPLACED", "columns", row=row_name, count=len(numbers), columns=k))
        return index + 1

    def _fill(self, state: _TableState, index: int, cells: list[str]) -> None:
        block_index, row = state.rows[index]
        kinds = common().kinds
        fmt_cells = self.fmt.cells
        for column, raw in zip(state.table.blocks[block_index].columns, cells):
            cid = cell_id(state.table.id, row.id, column.id)
            written = raw.strip()
            if not written or _is_placeholder(written):
                state.not_reported.append((cid, written))
                continue
            parsed = parse_value(raw, kinds[fmt_cells[cid].kind], convert=True)
            if not parsed.ok:
                self.add("P-UNPLACED", say("P-UNPLACED", "not_number", label=fmt_cells[cid].label, found=written),
                         (cid,), written)
                continue
            if parsed.how == "zero_word":
                state.not_reported.append((cid, written))
                continue
            if parsed.how == "converted":
                kind = kinds[fmt_cells[cid].kind]
                self.add("P-CONVERTED", _reading_message("converted", label=fmt_cells[cid].label, found=written,
                                                         value=parsed.value, unit=kind.units[0] if kind.units else ""),
                         (cid,), written)
            state.values[cid] = parsed.value

    def _unplaced(self, table: Table, unit: _Unit, numbers: list[str], why: str) -> None:
        shown = "、".join(n.strip() for n in numbers[:20]) + ("…" if len(numbers) > 20 else "")
        where = words("P-UNPLACED", "after", label=_short(unit.label)) if unit.label else ""
        self.add("P-UNPLACED", say("P-UNPLACED", table=table.short, where=where, count=len(numbers), shown=shown,
                                   why=why), reported=shown)

    def _report_table(self, fmt: Format, state: _TableState) -> None:
        table = state.table
        cells = [c for c in fmt.cells.values() if c.table == table.id]
        if not state.numbers_found:
            self.add("P-EMPTY-TABLE", say("P-EMPTY-TABLE", table=table.short, title=table.title, count=len(cells)),
                     [c.id for c in cells])
            return
        for run in _runs(state.positional):
            names = _span_names(table, [state.rows[i][1] for i, _ in run])
            found = [lab for _, lab in run if lab]
            said = words("P-POSITION", "label", label=_short(found[0])) if found else words("P-POSITION", "no_label")
            self.add("P-POSITION", say("P-POSITION", table=table.short, count=len(run), said=said, names=names),
                     [cell_id(table.id, state.rows[i][1].id, c.id)
                      for i, _ in run for c in table.blocks[state.rows[i][0]].columns])
        for run in _runs(state.label_numbers):
            first_row = state.rows[run[0][0]][1]
            leaf = _span_names(table, [state.rows[i][1] for i, _ in run])
            numbers = [n for _, ns in run for n in ns]
            # 表四's one data row has no row name
            names_expected = (words("P-LABEL-NUMBER", "row_names", label=first_row.labels[-1]) if first_row.labels
                              else words("P-LABEL-NUMBER", "no_row_names"))
            self.add("P-LABEL-NUMBER",
                     say("P-LABEL-NUMBER", table=table.short, rows=len(run), extra=len(numbers) // len(run),
                         numbers="、".join(numbers[:10]) + ("…" if len(numbers) > 10 else ""),
                         expected=names_expected, columns=len(table.blocks[state.rows[run[0][0]][0]].columns),
                         names=leaf),
                     reported="、".join(numbers))
        for group, into, others in state.collapsed:
            names = "、".join(f"“{state.rows[i][1].labels[-1]}”" for i in others)
            why = next(c[3] for c in fmt.collapsed if c[0] == table.id and c[1] == group)
            self.add("P-COLLAPSED", _reading_message("collapsed", table=table.short, group=group[-1], why=why,
                                                     into=state.rows[into][1].labels[-1], others=names),
                     [cell_id(table.id, state.rows[i][1].id, c.id) for i in [into, *others]
                      for c in table.blocks[state.rows[i][0]].columns])
        absent = {cell_id(table.id, state.rows[i][1].id, c.id)
                  for _, _, others in state.collapsed for i in others for c in table.blocks[state.rows[i][0]].columns}
        if state.not_reported:
            blank = common().reading["blank"]
            written = "、".join(f"“{w or blank}”" for w in dict.fromkeys(w for _, w in state.not_reported))
            cids = [cid for cid, _ in state.not_reported]
            self.add("P-NOT-REPORTED", _reading_message("not_reported", table=table.short, count=len(cids),
                                                        written=written, cells=_cells_named(fmt, cids)),
                     cids, written)
            absent.update(cids)
        missing_rows = {}
        for c in cells:
            if c.id not in state.values and c.id not in absent:
                missing_rows.setdefault(c.row.id, []).append(c)
        for row_cells in missing_rows.values():
            row = row_cells[0].row
            columns = "、".join(c.column.name for c in row_cells)
            name = _row_name(table, row)
            self.add("P-MISSING", say("P-MISSING", table=table.short, row=name, count=len(row_cells), columns=columns),
                     [c.id for c in row_cells])


# --- helpers ------------------------------------------------------------------------------------

def _labels(fmt: Format) -> set[str]:
    out = set()
    for table in fmt.tables:
        for block in table.blocks:
            out.update(loose(h) for h in (block.heading, block.corner) if h)
            for header in block.rows + block.columns:
                out.update(loose(lab) for lab in header.labels)
    return {lab for lab in out if len(lab) >= 2}


@lru_cache(maxsize=None)
def _own_labels(version: str) -> frozenset:
    """The labels only this version's tables have (not even inside another version's label)."""
    others = set().union(*(_labels(get_format(o)) for o in VERSIONS if o != version))
    return frozenset(lab for lab in _labels(get_format(version)) if not any(lab in o for o in others))


def _clean_unit(text: str) -> str:
    text = re.split(r"[:：>|»/\\]", text)[-1]
    text = text.strip(" 　《》“”\"'关于的、，,.。").removeprefix("关于")
    return text if 2 <= len(text) <= 40 else ""


def _targets(rows) -> list[_Target]:
    """What a found label is compared with: each row's own label (leaf), and the group labels
    above it (a group label stands for the group's first row not yet read)."""
    targets, seen = [], set()
    for i, (_, row) in enumerate(rows):
        if not row.labels:
            continue
        targets.append(_Target(i, loose(row.labels[-1]), True, tuple(row.labels[:-1])))
        for level in range(len(row.labels) - 1):
            group = tuple(row.labels[: level + 1])
            if group not in seen:
                seen.add(group)
                targets.append(_Target(i, loose(group[-1]), False, group))
    return targets


def _suffixes(labels: list[str]) -> list[str]:
    """A unit's last label, and its last two and three joined (labels split over cells)."""
    kept = [lab for lab in labels if loose(lab)]
    out = []
    for n in (1, 2, 3):
        if len(kept) >= n:
            out.append(loose("".join(kept[-n:])))
    # a label split after its numbering ("（三）" "不予公开") leaves the number alone in a cell
    return [c for c in out if c]


NUMBER_LENGTH = 40  # no figure, with its unit and separators, is longer; a long text is not read as one


@lru_cache(maxsize=65536)  # the same tokens (0, 1, —) come back in every row of every report
def _is_number(text: str) -> bool:
    text = text.strip()
    if not text or len(text) > NUMBER_LENGTH:
        return False
    if _is_placeholder(text):
        return True
    return any(parse_value(text, kind, convert=True).how in ("text", "zero_word", "converted")
               for kind in common().kinds.values())


# An odd figure is digits with at most this many other characters: 约5, 5件左右, 25.1万.
ODD_FIGURE_WORDS = 3
ODD_FIGURE_LETTERS = re.compile(r"[\d.,，．、%+-]")


def _is_placeholder(text: str) -> bool:
    return text.strip() in common().reading["placeholders"]


def _is_label(text: str) -> bool:
    """Whether a cell (or a token of a stream) is a row's label rather than a figure.  A short text
    with a digit that is no number (约5, 3件左右, 25.1万) stands where a figure belongs: it is a value
    cell that cannot be read (P-UNPLACED names it), so the figures beside it keep their columns."""
    text = text.strip()
    if not text or _is_number(text):
        return False
    rest = strip_numbering(text)  # 1.属于国家秘密, (四)无法提供1.本 (a label broken at a line) are labels
    return not re.search(r"\d", rest) or len(ODD_FIGURE_LETTERS.sub("", rest)) > ODD_FIGURE_WORDS


def _reading_message(key: str, **fields) -> str:
    return common().reading["messages"][key].format(**fields)


def _cells_named(fmt: Format, cids: list[str], rows_shown: int = 8) -> str:
    """Cells named by their rows: “（二）部分公开”行3个单元格、表四数据行2个单元格…"""
    by_row: dict = {}
    for cid in cids:
        cell = fmt.cells[cid]
        by_row.setdefault((cell.table, cell.row.id), []).append(cell)
    named = [words("", "cells_in_row", row=_row_name(fmt.table(table), cells[0].row), count=len(cells))
             for (table, _), cells in by_row.items()]
    return "、".join(named[:rows_shown]) + (words("", "more") if len(named) > rows_shown else "")


def _units(region: list[Line]) -> list[_Unit]:
    """The table rows of a region: real rows as they are, and streams of text (one cell a line, or
    cells separated by spaces) cut into rows where a label follows a number."""
    units: list[_Unit] = []
    labels: list[str] = []
    numbers: list[str] = []

    def flush():
        if labels or numbers:
            units.append(_Unit(list(labels), list(numbers), row=False))
        labels.clear()
        numbers.clear()

    for line in region:
        if line.row:
            flush()
            cells = list(line.cells)
            last_label = max((i for i, c in enumerate(cells) if _is_label(c)), default=-1)
            units.append(_Unit([c.strip() for c in cells[: last_label + 1] if c.strip()],
                               [c.strip() for c in cells[last_label + 1:]], row=True))
            continue
        for token in line.text.split():
            if not _is_label(token):
                numbers.append(token)
            else:
                if numbers:
                    flush()
                labels.append(token)
    flush()
    return units


def _runs(items: list) -> list[list]:
    """Consecutive row indexes grouped: [(3, x), (4, y), (9, z)] -> [[(3, x), (4, y)], [(9, z)]]."""
    runs: list[list] = []
    for item in items:
        if runs and item[0] == runs[-1][-1][0] + 1:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _span_names(table: Table, rows: list) -> str:
    if len(rows) == 1:
        return _row_name(table, rows[0])
    return words("", "span", first=_row_name(table, rows[0]), last=_row_name(table, rows[-1]))


def _row_name(table: Table, row) -> str:
    return words("", "row", name=row.name) if row.labels else words("", "data_row")


def _short(text: str, limit: int = 24) -> str:
    text = re.sub(r"\s+", "", text)
    return text if len(text) <= limit else text[:limit] + "…"
