"""Showing results on the terminal (rich) and as JSON; no logic beyond presentation.

rich reads [..] in printed text as markup: whatever comes from the user (file and unit names, what
was typed into a cell, messages quoting it) goes through `escape`, or "[/b]" in a cell would stop
the command and "[a]" in a file name would vanish."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from toolkit.app.checking import CheckedFile
from toolkit.core.formats import common, info_label
from toolkit.core.input_text import readable_data
from toolkit.core.model import ERROR, HINT
from toolkit.core.shown import json_visible, quoted

if TYPE_CHECKING:  # rich.table is loaded only where a table is printed: a clean check prints none
    from rich.table import Table

STYLE = {ERROR: "bold red", HINT: "yellow"}


def findings_table(checked: CheckedFile, width: int = 80) -> Table:
    """The findings in three columns, each message wrapped whole to the room left at `width`
    (toolkit.ui.terminal.wrap: Chinese text broken between characters, codes and names kept whole)."""
    from rich.cells import cell_len
    from rich.table import Table

    from toolkit.ui.terminal import wrap

    rows = []
    for f in sorted(checked.findings, key=lambda f: f.severity != ERROR):
        where = f"{quoted(f.sheet, 40)}!{f.address}" if f.sheet and f.address else quoted(f.sheet or "", 40)
        rows.append((f, f"{f.code}\n{where}".strip()))
    columns = common().findings_columns  # 代码, 严重程度, …, 说明, as on the findings sheet
    heads = (columns[1], f"{columns[0]} / 位置", columns[4])
    first = cell_len(heads[0])
    second = max([cell_len(heads[1])] + [cell_len(line) for _, c in rows for line in c.split("\n")])
    third = width - first - second - 10  # 4 rules and a space either side of each column
    if third < 16:  # too narrow for three columns: the code and place over the message
        second, third = min(second, max(width - first - 7, 8)), 0
    table = Table(show_lines=True, expand=False)
    table.add_column(heads[0], no_wrap=True, width=first)
    table.add_column(heads[1], width=second, overflow="fold")
    if third:
        table.add_column(heads[2], width=third, no_wrap=True)  # wrapped here, not by rich
    for f, code in rows:
        severity = f"[{STYLE[f.severity]}]{f.severity}[/]"
        if third:
            table.add_row(severity, escape(code), escape("\n".join(wrap(f.message, third))))
        else:
            table.add_row(severity, escape(code + "\n" + "\n".join(wrap(f.message, second))))
    return table


def title(checked: CheckedFile) -> str:
    r = checked.report
    unit = quoted(r.unit) if r.unit else f"（未填{info_label('unit')}）"
    return f"{quoted(checked.path.name)}：{unit} {r.year or ''}年度（{r.format}年版格式）"


def print_checked(console: Console, checked: CheckedFile) -> None:
    if checked.unreadable:
        console.print(f"[bold red]无法读取[/] {escape(checked.unreadable)}")
        return
    errors = sum(f.severity == ERROR for f in checked.findings)
    hints = len(checked.findings) - errors
    console.print(f"[bold]{escape(title(checked))}[/]")
    if checked.findings:
        console.print(findings_table(checked, console.width))
    verdict = "[bold red]有错误[/]" if errors else "[bold green]未发现错误[/]"
    console.print(f"{verdict}：错误 {errors} 个，提示 {hints} 个\n")


def counts(findings) -> dict:
    errors = sum(f.severity == ERROR for f in findings)
    return {"errors": errors, "hints": len(findings) - errors}


def checked_item(c: CheckedFile) -> dict:
    """One file of a --json answer: where, whose, its findings and their counts."""
    item = {"file": str(c.path), "unreadable": c.unreadable}
    if c.report:
        item.update(unit=c.report.unit, level=c.report.level, year=c.report.year, format=c.report.format)
    item["findings"] = [f.to_dict() for f in c.findings]
    item.update(counts(c.findings))
    return item


def totals(items: list[dict]) -> dict:
    """The overall counts of a --json answer's files."""
    return {"files": len(items), "unreadable": sum(bool(i.get("unreadable")) for i in items),
            "errors": sum(i.get("errors", 0) for i in items), "hints": sum(i.get("hints", 0) for i in items)}


def as_json(data: dict) -> str:
    return json_visible(json.dumps(readable_data(data), ensure_ascii=False, indent=1))  # non-UTF-8 names shown


def consolidation_json(c, output, long=None) -> str:
    """`xxgk consolidate --json`: every input file (summed or not, why not, its findings and their
    counts), the units on the roster that sent nothing, and the totals."""
    from toolkit.core.consolidation import REJECTED

    items = []
    for f in c.files:
        s = f.submission
        items.append({"file": s.path, "unit": s.unit, "level": s.level, "year": s.year, "format": s.format,
                      "summed": f.status != REJECTED, "reason": f.reason or None, "unreadable": s.unreadable,
                      "findings": [x.to_dict() for x in s.findings], **counts(s.findings)})
    missing = [u.name for u in c.missing]
    return as_json({"output": str(output), "long": str(long) if long else None, "unit": c.unit, "year": c.year,
                    "files": items, "missing": missing,
                    "totals": {**totals(items), "summed": sum(i["summed"] for i in items),
                               "not_summed": sum(not i["summed"] for i in items), "missing": len(missing)}})


def comparison_json(c, this, last, output=None) -> str:
    """`xxgk compare --json`: the two reports, every compared figure, the findings and their counts
    (one comparison: the counts are the comparison's, and the totals repeat them)."""
    rows = [{"label": r.label, "this": r.this, "last": r.last, "change": r.change, "ratio": r.ratio,
             "code": r.code or None} for r in c.rows]
    found = counts(c.findings)
    files = [{"file": str(path), "unit": r.unit, "year": r.year, "format": r.format}
             for path, r in ((this, c.this), (last, c.last))]
    return as_json({"files": files, "output": str(output) if output else None, "rows": rows,
                    "findings": [f.to_dict() for f in c.findings], **found, "notes": list(c.notes),
                    "totals": {"files": 2, "compared": len(rows), **found}})


def feedback_json(fb, written, everyone: bool) -> str:
    """`xxgk feedback --json`: every file written (a unit's notice with its errors and hints, or the
    reminders with the units missing and not summed), and the totals as the last line says them."""
    items = []
    for done in written:
        what = done.what
        if done.kind == "reminders":
            items.append({"file": str(done.path), "kind": done.kind, "missing": len(fb.missing or []),
                          "rejected": len(fb.rejected), "errors": 0, "hints": 0})
        else:
            items.append({"file": str(done.path), "kind": done.kind, "unit": what.unit,
                          "errors": len(what.errors), "hints": len(what.hints)})
    return as_json({"files": items, "totals": {
        "files": len(items), "findings": fb.findings, "errors": fb.errors, "ignored": fb.ignored, "hints": fb.hints,
        "notices": len(fb.notices), "passed": len(fb.passed) if everyone else 0, "reminders": int(fb.has_reminders)}})


def checked_json(files: list[CheckedFile]) -> str:
    out = [checked_item(c) for c in files]
    return as_json({"files": out, "totals": totals(out)})



def print_consolidation(console: Console, c, output, long=None) -> None:
    """The end of `xxgk consolidate`: where the summary is, the accounts, what was not summed and
    why, who is missing, who has errors, and the headline figures."""
    from rich.table import Table

    from toolkit.core.consolidation import REJECTED, UNSAFE_CONTENT_CODES, headline, summary_lines
    from toolkit.core.model import show_number

    console.print(f"[bold]已写入汇总工作簿：[/]{escape(str(output))}" + (f"；长表：{escape(str(long))}" if long else ""))
    lines = summary_lines(c)
    console.print(f"[bold]{escape(lines[1])}[/]")
    for line in lines[2:]:
        console.print(escape(line))
    rejected = [f for f in c.files if f.status == REJECTED]
    if rejected:
        table = Table(common().lists["file"], "单位", "未汇总原因", title="未汇总的文件", expand=True, show_lines=True)
        table.columns[2].overflow = "fold"
        for f in rejected:
            table.add_row(escape(quoted(f.submission.name)), escape(quoted(f.submission.unit)), escape(f.reason))
        console.print(table)
    unsafe = [(f.submission, m) for f in c.files for m in f.submission.findings if m.code in UNSAFE_CONTENT_CODES]
    if unsafe:
        console.print("[bold yellow]宏或嵌入对象与本工具模板不同的文件[/]（请勿在 Excel 中启用宏，详见汇总工作簿"
                      f"“{common().sheets['findings']}”表）：")
        for s, f in unsafe:
            console.print(escape(f"  {quoted(s.name)}（{quoted(s.unit) if s.unit else '未填' + info_label('unit')}）：{f.message}"))
    if c.missing:
        console.print(f"[yellow]未报送（{len(c.missing)} 个）：[/]{escape('、'.join(quoted(u.name) for u in c.missing))}")
    with_errors = [s for s in c.accepted if c.open_errors(s)]  # less those the reviewer marked 可以忽略
    if with_errors:
        console.print(f"[bold red]已汇总但有错误的单位[/]（详见汇总工作簿“{common().sheets['findings']}”表）：")
        for s in with_errors:
            skip = c.ignored.get(s.path, ())
            errors = [f for i, f in enumerate(s.findings) if f.severity == ERROR and i not in skip]
            codes = sorted({f.code for f in errors})
            count = f"错误 {s.errors} 个" if not skip else common().review["messages"]["unit_errors"].format(
                errors=s.errors, open=len(errors))
            console.print(f"  {escape(quoted(s.unit))}：{escape(count)}（{'、'.join(codes)}）")
            for f in errors[:3]:
                console.print(escape(f"    {f.code} {f.sheet or ''}!{f.address or ''} {f.message}"))
    from toolkit.io.workbook.rollup_book import lines_of  # 问题汇总: the units with most open errors, the late ones
    for line in lines_of(c):
        console.print(f"[yellow]{escape(line)}[/]")
    table = Table("主要数字", "汇总", title=escape(f"{quoted(c.unit)} {c.year}年度汇总（{len(c.accepted)}个单位）"))
    for label, value in headline(c):
        table.add_row(label, show_number(value))
    console.print(table)
    print_against(console, c.against)


AGAINST_SHOWN = 50  # differences printed one by one; the rest are counted (all are on the sheet)


def print_against(console: Console, a) -> None:
    """`xxgk consolidate --against`: the county's report against the sum of its units -- every
    difference with both figures (up to AGAINST_SHOWN), what was not compared, and the verdict."""
    if a is None:
        return
    from rich.table import Table

    from toolkit.core.against import texts
    from toolkit.core.model import show_number

    t = texts()
    sheet = common().summary_sheets["against"]
    console.print(f"[bold]{escape(t['heading'].format(name=quoted(a.name)))}[/]")
    r = a.report
    console.print(escape(t["source"].format(name=quoted(a.name), unit=quoted(r.unit), year=r.year, format=r.format)))
    if a.differences:
        columns = t["columns"]
        table = Table(columns[1], columns[3], columns[4], columns[5], columns[6], expand=True)
        table.columns[0].overflow = "fold"
        table.columns[0].ratio = 1
        for column in table.columns[2:]:
            column.justify = "right"
            column.no_wrap = True
        for d, f in list(zip(a.differences, a.findings))[:AGAINST_SHOWN]:
            difference = show_number(d.difference)
            table.add_row(escape(d.label), escape(f"{f.sheet}!{f.address}"), show_number(d.county),
                          show_number(d.units), f"[{STYLE[ERROR]}]{'+' if d.difference > 0 else ''}{difference}[/]")
        console.print(table)
        if len(a.differences) > AGAINST_SHOWN:
            console.print(escape(t["more"].format(count=len(a.differences) - AGAINST_SHOWN, sheet=sheet)))
        console.print(f"[{STYLE[ERROR]}]{escape(t['differs'].format(count=len(a.differences), compared=a.compared, sheet=sheet))}[/]")
    else:
        console.print(f"[bold green]{escape(t['agrees'].format(compared=a.compared))}[/]")
    for note in a.notes:
        console.print(escape(f"  {note}"))


def print_comparison(console: Console, c, this_name: str, last_name: str) -> None:
    """`xxgk compare`: the two reports, every compared figure side by side, the findings, and what
    was not compared."""
    from rich.table import Table

    from toolkit.core.compare import texts
    from toolkit.core.model import show_number

    t = texts()
    console.print(f"[bold]{escape(t['title'].format(unit=quoted(c.this.unit), year=c.this.year, last_year=c.last.year))}[/]")
    for which, report, name in ((t["this"], c.this, this_name), (t["last"], c.last, last_name)):
        console.print(escape(t["source"].format(which=which, name=quoted(name), unit=quoted(report.unit),
                                                year=report.year, format=report.format)))
    table = Table(*t["columns"], show_lines=False, expand=True)
    table.columns[0].overflow = "fold"
    table.columns[0].ratio = 1
    for column in table.columns[1:]:
        column.justify = "right"
        column.no_wrap = True
    for r in c.rows:
        this, last = (t["not_given"] if v is None else show_number(v) for v in (r.this, r.last))
        change = "" if r.change is None else (f"+{show_number(r.change)}" if r.change > 0 else show_number(r.change))
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}"
        code = f"[{STYLE[HINT]}]{escape(r.code)}[/]" if r.code else ""
        table.add_row(escape(r.label), this, last, change, ratio, code)
    console.print(table)
    if c.findings:
        console.print(f"[bold]{escape(t['findings_heading'])}[/]")
        for f in c.findings:
            console.print(f"  [{STYLE[f.severity]}]{f.severity}[/] {escape(f.code)}  {escape(f.message)}")
    else:
        console.print(escape(t["no_findings"]))
    if c.notes:
        console.print(f"[bold]{escape(t['notes_heading'])}[/]")
        for note in c.notes:
            console.print(escape(f"  {note}"))
