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

from toolkit.core.formats import common, info_label

# The roster names its columns as the workbook's 单位信息 names those fields, and its own two as
# common.toml's [roster] does.
NAME, LEVEL = info_label("unit"), info_label("level")
CODE, CONTACT = common().roster["code"], common().roster["contact"]
COLUMNS = (NAME, LEVEL, CODE, CONTACT)
REQUIRED = (NAME, LEVEL)
SHEET = common().roster["sheet"]
MESSAGES = common().roster["messages"]
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
        raise RosterError(MESSAGES["no_header"].format(sheet=SHEET, file=path.name, rows=HEADER_SEARCH_ROWS,
                                                       name=NAME, columns="、".join(COLUMNS)))
    header_row, names = header
    columns = {unit_key(text): i for i, text in enumerate(names) if unit_key(text) in COLUMNS}
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise RosterError(MESSAGES["missing"].format(sheet=SHEET, file=path.name, row=header_row,
                                                     columns="、".join(missing)))
    levels = common().all_levels
    problems, units, seen = [], [], {}
    for number, cells in rows:
        if number <= header_row or not any(c.strip() for c in cells):
            continue
        value = {c: (cells[i].strip() if i < len(cells) else "") for c, i in columns.items()}
        name, level = value[NAME], value[LEVEL]
        if not name:
            problems.append(MESSAGES["empty"].format(row=number, column=NAME))
            continue
        if level not in levels:
            problems.append(MESSAGES["level"].format(row=number, column=LEVEL, level=level, levels="、".join(levels))
                            if level else MESSAGES["no_level"].format(row=number, column=LEVEL, name=name))
        if unit_key(name) in seen:
            problems.append(MESSAGES["repeated"].format(row=number, column=NAME, name=name, first=seen[unit_key(name)]))
            continue
        seen[unit_key(name)] = number
        units.append(RosterUnit(name, level, value.get(CODE, ""), value.get(CONTACT, ""), number))
    if problems:
        raise RosterError(MESSAGES["problems"].format(sheet=SHEET, file=path.name, count=len(problems)) + "\n"
                          + "\n".join(f"  {p}" for p in problems))
    if not units:
        raise RosterError(MESSAGES["no_units"].format(sheet=SHEET, file=path.name))
    return Roster(path, tuple(units))
