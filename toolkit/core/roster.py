"""The county's list of units (单位名单): who gets a workbook and who must send one back.

The roster as the rows of a file give it (toolkit.io.roster_file reads CSV and .xlsx files): a header
row naming the columns 单位名称, 单位层级 and, optionally, 单位代码 and 联系人.  Every bad row is
reported at once, naming the file, the row and the column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from toolkit.core.formats import common

# The roster names its columns as the workbook's 单位信息 names those fields (common.toml).
NAME, LEVEL = (next(f.label for f in common().info_fields if f.id == fid) for fid in ("info.unit", "info.level"))
CODE, CONTACT = "单位代码", "联系人"
COLUMNS = (NAME, LEVEL, CODE, CONTACT)
REQUIRED = (NAME, LEVEL)
SHEET = "单位名单"
HEADER_SEARCH_ROWS = 10  # a title may stand above the header row


@dataclass(frozen=True)
class RosterUnit:
    name: str
    level: str
    code: str = ""
    contact: str = ""
    row: int = 0  # where it stands in the roster file

    @property
    def key(self) -> str:
        return unit_key(self.name)


@dataclass
class Roster:
    path: Path | None
    units: tuple[RosterUnit, ...]

    def find(self, name: str) -> RosterUnit | None:
        return self._by_key.get(unit_key(name))

    @cached_property
    def _by_key(self) -> dict:
        return {u.key: u for u in self.units}


class RosterError(ValueError):
    """The roster cannot be used; the message (Chinese) lists every problem with file, row and column."""


_SPACES = re.compile(r"[\s\u3000\u00a0]+")


def unit_key(name: str) -> str:
    """How unit names are matched: spaces ignored, half-width brackets taken as full-width
    (“县委(县政府)办公室” is “县委（县政府）办公室”)."""
    return _SPACES.sub("", str(name or "")).replace("(", "（").replace(")", "）")


def roster_from_rows(path: Path, rows: list[tuple[int, list[str]]]) -> Roster:
    header = next(((n, cells) for n, cells in rows[:HEADER_SEARCH_ROWS]
                   if NAME in [unit_key(c) for c in cells]), None)
    if header is None:
        raise RosterError(f"单位名单“{path.name}”：前{HEADER_SEARCH_ROWS}行中找不到列名“{NAME}”。"
                          f"第一行应为列名：{'、'.join(COLUMNS)}（后两列可不填）")
    header_row, names = header
    columns = {unit_key(text): i for i, text in enumerate(names) if unit_key(text) in COLUMNS}
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise RosterError(f"单位名单“{path.name}”第{header_row}行：缺少列“{'、'.join(missing)}”")
    levels = common().all_levels
    problems, units, seen = [], [], {}
    for number, cells in rows:
        if number <= header_row or not any(c.strip() for c in cells):
            continue
        value = {c: (cells[i].strip() if i < len(cells) else "") for c, i in columns.items()}
        where = f"第{number}行"
        name, level = value[NAME], value[LEVEL]
        if not name:
            problems.append(f"{where}“{NAME}”列为空")
            continue
        if level not in levels:
            problems.append(f"{where}“{LEVEL}”列：“{level}”不是可选的单位层级（可选：{'、'.join(levels)}）"
                            if level else f"{where}“{LEVEL}”列为空（{name}）")
        if unit_key(name) in seen:
            problems.append(f"{where}“{NAME}”列：“{name}”与第{seen[unit_key(name)]}行重复")
            continue
        seen[unit_key(name)] = number
        units.append(RosterUnit(name, level, value.get(CODE, ""), value.get(CONTACT, ""), number))
    if problems:
        raise RosterError(f"单位名单“{path.name}”有{len(problems)}处问题：\n" + "\n".join(f"  {p}" for p in problems))
    if not units:
        raise RosterError(f"单位名单“{path.name}”中没有单位")
    return Roster(path, tuple(units))
