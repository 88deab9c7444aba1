"""The core objects: a `Report` (one unit's annual report as data) and a `Finding` (one problem found).

Pure Python; a Report round-trips through JSON.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from toolkit.core.formats import DEFAULT_VERSION, common

ERROR, HINT = common().severities["error"], common().severities["hint"]

Number = int | float


@dataclass
class Report:
    """One unit's report.  `values` holds what the unit reported, by cell id; a missing id means the
    cell was not reported (a total left to its formula, say), not that it is 0."""

    unit: str = ""
    level: str = ""
    year: int | None = None
    format: str = DEFAULT_VERSION
    values: dict[str, Number] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # overview, problems, other (parts 一, 五, 六)
    info: dict[str, str] = field(default_factory=dict)  # filler, phone, date, ...
    # Last year's figures kept with this report (上年数据: last year's 结转下年度继续办理, 现行有效件数, ...),
    # by last year's cell id; the cross-year rules use them when last year's report itself is not given.
    previous: dict[str, Number] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        known = {k: data[k] for k in ("unit", "level", "year", "format", "values", "texts", "info", "previous")
                 if k in data}
        report = cls(**known)
        report.values = {k: _number(v) for k, v in report.values.items()}
        report.previous = {k: _number(v) for k, v in report.previous.items()}
        return report

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str) -> "Report":
        return cls.from_dict(json.loads(text))


def _number(v) -> Number:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


@dataclass(frozen=True)
class Finding:
    """One problem: a stable code, a severity (错误/提示), the cells it concerns (by cell id), the
    reported and the computed value where there are such, and a message in Chinese.

    Findings about places that have no cell id (a unit-info field, a label, a file) carry the sheet
    and the A1 address instead; `source` names the file a finding came from."""

    code: str
    severity: str
    message: str
    cells: tuple[str, ...] = ()
    reported: Number | str | None = None
    computed: Number | None = None
    sheet: str | None = None
    address: str | None = None
    source: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_dict(self) -> dict:
        d = asdict(self)
        d["cells"] = list(self.cells)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Finding":
        return cls(**{**d, "cells": tuple(d.get("cells", ()))})


def show_number(value) -> str:
    """A number as a person writes it: 17, 12.5, -3 (no trailing .0, no float noise)."""
    if value is None:
        return ""
    if isinstance(value, float):
        value = round(value, 6)
        if value.is_integer():
            return str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)
