"""Reading the reviewer's decisions back from an earlier summary (for `xxgk consolidate --review`).

The 校验结果 sheet is read with the project's own reader (xlsx.py), its columns found by their
header names (common.toml findings_columns and [review]), never by position: a reviewer may have
moved, hidden or deleted columns, sorted or deleted rows, renamed the sheet or typed a decision
outside the list.  Whatever can be read is read; each problem is named (file, sheet, cell) in
`OldReview.problems`.  The 已解决 sheet, if there is one, is read the same way: decisions on
findings that had gone away, kept for the day they come back.  The carrying-over itself is the
pure `toolkit.core.review.carry`.
"""
from __future__ import annotations

from pathlib import Path

from toolkit.io.files import same_file
from toolkit.core.formats import common, info_id
from toolkit.core.layout import a1
from toolkit.core.review import OldReview, OldRow
from toolkit.core.roster import unit_key
from toolkit.io.workbook import details
from toolkit.io.workbook.reader import UnreadableWorkbook, read_workbook
from toolkit.io.workbook.xlsx import XlsxBook, XlsxError

HEADER_ROWS = 5  # the header is looked for in the first rows (a reviewer may insert a title above)


def _fields() -> dict[str, str]:
    """OldRow field -> the header of its column."""
    c, r = common().findings_columns, common().review
    return {"unit": details.header(info_id("unit")), "file": details.header(details.FILE), "code": c[0],
            "severity": c[1], "sheet": c[2], "address": c[3], "message": c[4], "reported": c[5], "computed": c[6],
            "decision": r["decision"], "note": r["note"], "number": r["number"], "cells": r["cells"]}


def read_review(path) -> OldReview:
    """The decisions on an earlier summary.  Raises UnreadableWorkbook (naming the file) when it
    cannot be opened at all; everything else is a problem named in the result."""
    path = Path(path)
    r, m = common().review, common().review["messages"]
    findings = common().sheets["findings"]
    out = OldReview(path.name)
    try:
        with XlsxBook(path) as book:
            names = list(book.sheet_paths)
            headers = {}
            # 校验结果 and 已解决 first; the other sheets (but the big 分单位明细) only when 校验结果 is not there
            first = [n for n in (findings, common().summary_sheets["resolved"]) if n in names]
            for name in first + [n for n in names if n not in first and n != details.sheet_name()]:
                if name not in first and findings in headers and r["decision"] in headers[findings][1]:
                    break
                found = _header(book.cells(name))
                if found is not None:
                    headers[name] = found
            sheet = findings if findings in headers else None
            if sheet is None:
                others = [n for n in headers if n != common().summary_sheets["resolved"] and r["decision"] in headers[n][1]]
                if findings in names and not others:
                    out.problems.append(m["no_decisions"].format(file=path.name, sheet=findings, decision=r["decision"]))
                elif others:
                    sheet = others[0]
                    out.problems.append(m["renamed"].format(file=path.name, sheet=findings, found=sheet))
                else:
                    out.problems.append(m["no_sheet"].format(file=path.name, sheet=findings, decision=r["decision"]))
            elif r["decision"] not in headers[sheet][1]:
                out.problems.append(m["no_decisions"].format(file=path.name, sheet=findings, decision=r["decision"]))
                sheet = None
            if sheet is not None:
                out.rows += _rows(path.name, sheet, book.cells(sheet), headers[sheet], out.problems, earlier=False)
            resolved = common().summary_sheets["resolved"]
            if resolved in headers and r["decision"] in headers[resolved][1]:
                out.rows += _rows(path.name, resolved, book.cells(resolved), headers[resolved], out.problems,
                                  earlier=True)
    except XlsxError as exc:
        raise UnreadableWorkbook(f"“{path.name}”：{exc}") from exc
    return out


def _header(cells) -> tuple[int, dict[str, int]] | None:
    """(row, {header: column}) of a findings list: the first row naming the 代码 column."""
    code = common().findings_columns[0]
    by_row: dict[int, dict[str, int]] = {}
    for (row, col), raw in cells.items():
        if row <= HEADER_ROWS and isinstance(raw.value, str):
            by_row.setdefault(row, {}).setdefault(raw.value.strip(), col)
    for row in sorted(by_row):
        if code in by_row[row]:
            return row, by_row[row]
    return None


def _rows(file: str, sheet: str, cells, header: tuple[int, dict[str, int]], problems: list[str],
          earlier: bool) -> list[OldRow]:
    r, m = common().review, common().review["messages"]
    head, columns = header
    fields = _fields()
    at = {f: columns.get(title) for f, title in fields.items()}
    needed = {"unit": m["effect_key"], "code": m["effect_key"], "note": m["effect_note"]}
    if not earlier:
        needed.update(number=m["effect_number"], cells=m["effect_key"])
    for f, effect in needed.items():
        if at[f] is None:
            problems.append(m["no_column"].format(file=file, sheet=sheet, column=fields[f], effect=effect))
    by_row: dict[int, dict[int, object]] = {}
    for (row, col), raw in cells.items():
        if row > head:
            by_row.setdefault(row, {})[col] = raw.value
    rows, numbers = [], []
    choices = r["choices"]
    for row in sorted(by_row):
        values = by_row[row]

        def get(f):
            col = at[f]
            value = values.get(col) if col is not None else None
            return value.strip() if isinstance(value, str) else value

        def text(f):
            value = get(f)
            if value is None:
                return ""
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return str(value)

        if not any(v not in (None, "") for v in values.values()):
            continue
        decision, note = text("decision"), text("note")
        where = f"{sheet}!{a1(row, at['decision'])}" if at["decision"] else f"{sheet}!{row}"
        if decision and decision not in choices:
            problems.append(m["not_choice"].format(file=file, sheet=sheet, cell=a1(row, at["decision"]),
                                                   found=decision, choices="、".join(choices), default=r["default"]))
            kept = m["not_choice_note"].format(found=decision)
            note = f"{kept}；{note}" if note else kept
            decision = r["default"]
        code = text("code")
        cells_value = None if at["cells"] is None else text("cells")
        found = OldRow(unit=text("unit"), file=text("file"), code=code, severity=text("severity"),
                       sheet=text("sheet"), address=text("address"), message=text("message"),
                       reported=get("reported"), computed=get("computed"), decision=decision, note=note,
                       cells=cells_value, where=where, earlier=earlier)
        if not code and found.decided:
            problems.append(m["no_code"].format(file=file, sheet=sheet, cell=a1(row, at["code"] or 1),
                                                resolved=common().summary_sheets["resolved"]))
        elif not code:
            continue
        rows.append(found)
        number = get("number")
        if not earlier and isinstance(number, (int, float)) and not isinstance(number, bool):
            numbers.append((row, int(number)))
    if numbers:
        _order(file, sheet, numbers, problems)
    return rows


def _order(file: str, sheet: str, numbers: list[tuple[int, int]], problems: list[str]) -> None:
    """Rows sorted (the 序号 out of order) or deleted (序号 missing), each named once."""
    m = common().review["messages"]
    for (_, before), (row, number) in zip(numbers, numbers[1:]):
        if number < before:
            problems.append(m["sorted"].format(file=file, sheet=sheet, row=row, number=number, before=before))
            break
    seen = {n for _, n in numbers}
    gone = [n for n in range(1, max(seen) + 1) if n not in seen]
    if gone:
        shown = "、".join(map(str, gone[:20])) + ("等" if len(gone) > 20 else "")
        problems.append(m["deleted"].format(file=file, sheet=sheet, numbers=shown, count=len(gone)))


def earlier_review(review, output, force: bool, year: int | None = None) -> tuple[OldReview | None, str]:
    """The decisions to carry over: from `--review` (which must be readable and, when its 单位信息
    says, of `year`: raises UnreadableWorkbook), else, with --force, from the summary about to be
    replaced (when that cannot be read or is another year's, the warning says so and nothing is
    carried).  Returns (decisions or None, a warning or "")."""
    m = common().review["messages"]
    if review is not None:
        try:
            old = read_review(review)
        except UnreadableWorkbook as exc:
            raise UnreadableWorkbook(m["unreadable"].format(file=Path(review).name, why=exc)) from exc
        other = _other_year(review, year)
        if other:
            raise UnreadableWorkbook(m["other_year"].format(file=Path(review).name, found=other, year=year))
        if force and output is not None and Path(output).is_file() and not same_file(review, output):
            _also_replaced(old, Path(output), year)
        return old, ""
    if force and output is not None and Path(output).is_file():
        try:
            old = read_review(output)
        except UnreadableWorkbook as exc:
            return None, m["overwritten"].format(file=Path(output).name, why=exc)
        other = _other_year(output, year)
        if other:
            return None, m["overwritten_other_year"].format(file=Path(output).name, found=other, year=year)
        return old, ""
    return None, ""


def _also_replaced(old: OldReview, output: Path, year: int | None) -> None:
    """--review OLD and --force over another summary: the decisions of the one replaced are kept too
    where OLD has none for the finding (OLD's win where both decided), and that is said."""
    try:
        replaced = read_review(output)
    except UnreadableWorkbook:
        return
    if _other_year(output, year):
        return
    decided = {_row_key(r) for r in old.rows if r.decided}
    undecided: dict[tuple, list[int]] = {}
    for i, r in enumerate(old.rows):
        if not r.decided:
            undecided.setdefault(_row_key(r), []).append(i)
    kept = 0
    for r in replaced.rows:
        key = _row_key(r)
        if not r.decided or key in decided:
            continue
        kept += 1
        if undecided.get(key):  # OLD lists the finding undecided: the decision takes its row
            old.rows[undecided[key].pop(0)] = r
        else:
            old.rows.append(r)
    if kept:
        old.problems.append(common().review["messages"]["merged"].format(file=output.name, count=kept,
                                                                          review=old.source))


def _row_key(r: OldRow) -> tuple:
    return unit_key(r.unit) or r.file, r.code, r.cells or f"{r.sheet}!{r.address}"


def _other_year(path, year: int | None) -> int | None:
    """The summary's year (单位信息) where it is known and not `year`: last year's decisions are
    not this year's."""
    if year is None:
        return None
    try:
        found = read_workbook(path).report.year
    except UnreadableWorkbook:  # no 单位信息 to say: the findings sheet is what counts
        return None
    return found if found is not None and found != year else None
