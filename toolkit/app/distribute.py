"""Distribution: one standard workbook per unit of the roster, named after the unit, its 单位信息 filled
in (name, level, year) and — given last year's county summary — the unit's 上年结转 (last year's
结转下年度继续办理, column by column) and 上年数据 (what the cross-year rules need, such as the 2021
format's 现行有效件数) from that unit's row of last year's 分单位明细.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core.file_names import safe_file_name
from toolkit.io.files import atomic_write, check_outputs, check_writable
from toolkit.core.formats import get_format
from toolkit.core.model import Report
from toolkit.core.roster import Roster, RosterUnit


def unit_workbook(report: Report, macros: bool = True) -> tuple[str, bytes]:
    """(file suffix, bytes) of a unit's workbook: the one place a distributed workbook is made.
    Macro-enabled (.xlsm, with the Excel buttons) unless `macros` is False (.xlsx)."""
    if macros:
        from toolkit.io.workbook.macro_workbook import macro_workbook_bytes
        return ".xlsm", macro_workbook_bytes(report=report)
    from toolkit.io.workbook.template import template_bytes
    return ".xlsx", template_bytes(report=report)


def workbook_name(unit: str, year: int | None, suffix: str = ".xlsx", copy: int = 1) -> str:
    """泽曲镇 2025年报.xlsx; the n-th unit whose name makes the same file name gets （n）."""
    stem = safe_file_name(unit) + (f"（{copy}）" if copy > 1 else "")
    return f"{stem} {year}年报{suffix}" if year else f"{stem}{suffix}"


def unit_report(unit: RosterUnit, year: int, version: str, last_year: dict | None = None) -> Report:
    """The report a unit starts from: who it is, and last year's figures where they are known."""
    fmt = get_format(version)
    report = Report(unit=unit.name, level=unit.level, year=year, format=version)
    if last_year:
        report.previous = {cid: last_year[cid] for cid in fmt.previous_cells if last_year.get(cid) is not None}
        for col in fmt.table("t3").columns:
            carried, forward = f"t3.carried.{col.id}", f"t3.forward.{col.id}"
            if not fmt.cells[carried].total and last_year.get(forward) is not None:
                report.values[carried] = last_year[forward]
    return report


@dataclass
class Distribution:
    files: list[Path] = field(default_factory=list)
    carried_over: list[str] = field(default_factory=list)  # units given last year's figures
    not_last_year: list[str] = field(default_factory=list)  # units last year's summary does not have


def distribute(roster: Roster, year: int, version: str, folder: Path, last_year=None, macros: bool = True,
               force: bool = False, inputs=()) -> Distribution:
    """Write every unit's workbook into `folder`.  Nothing is written if any of them exists already
    (unless `force`) or is one of the `inputs` (the roster, last year's summary: never, even with
    `force`); each file is written whole or not at all."""
    out = Distribution()
    planned: list[tuple[Path, bytes]] = []
    taken: set[str] = set()
    for unit in roster.units:
        figures = last_year.figures(unit.name) if last_year is not None else None
        if last_year is not None:
            (out.carried_over if figures is not None else out.not_last_year).append(unit.name)
        suffix, data = unit_workbook(unit_report(unit, year, version, figures), macros)
        name, n = workbook_name(unit.name, year, suffix), 2
        while name.casefold() in taken:  # two names that differ only where a file name cannot
            name = workbook_name(unit.name, year, suffix, copy=n)
            n += 1
        taken.add(name.casefold())
        planned.append((folder / name, data))
    check_outputs([path for path, _ in planned], inputs)
    for path, _ in planned:
        check_writable(path, force)
    for path, data in planned:
        out.files.append(atomic_write(path, data, force))
    return out
