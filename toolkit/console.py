"""Showing results on the terminal (rich) and as JSON; no logic beyond presentation."""
from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from toolkit.checking import CheckedFile
from toolkit.model import ERROR, HINT

STYLE = {ERROR: "bold red", HINT: "yellow"}


def findings_table(checked: CheckedFile) -> Table:
    table = Table(show_lines=True, expand=True)
    table.add_column("严重程度", no_wrap=True)
    table.add_column("代码 / 位置", no_wrap=True)
    table.add_column("说明", ratio=1)
    for f in sorted(checked.findings, key=lambda f: f.severity != ERROR):
        where = f"{f.sheet}!{f.address}" if f.sheet and f.address else (f.sheet or "")
        table.add_row(f"[{STYLE[f.severity]}]{f.severity}[/]", f"{f.code}\n{where}".strip(), f.message)
    return table


def title(checked: CheckedFile) -> str:
    r = checked.report
    unit = r.unit or "（未填单位名称）"
    return f"{checked.path.name}：{unit} {r.year or ''}年度（{r.format}年版格式）"


def print_checked(console: Console, checked: CheckedFile) -> None:
    if checked.unreadable:
        console.print(f"[bold red]无法读取[/] {checked.unreadable}")
        return
    errors = sum(f.severity == ERROR for f in checked.findings)
    hints = len(checked.findings) - errors
    console.print(f"[bold]{title(checked)}[/]")
    if checked.findings:
        console.print(findings_table(checked))
    verdict = "[bold red]有错误[/]" if errors else "[bold green]未发现错误[/]"
    console.print(f"{verdict}：错误 {errors} 个，提示 {hints} 个\n")


def checked_json(files: list[CheckedFile]) -> str:
    out = []
    for c in files:
        item = {"file": str(c.path), "unreadable": c.unreadable}
        if c.report:
            item.update(unit=c.report.unit, level=c.report.level, year=c.report.year, format=c.report.format)
        item["findings"] = [f.to_dict() for f in c.findings]
        out.append(item)
    return json.dumps({"files": out}, ensure_ascii=False, indent=1)

