"""The built-in demonstration: sample workbooks written to a folder, ready to be checked."""
from __future__ import annotations

from pathlib import Path

from toolkit.files import atomic_write
from toolkit.model import Report
from toolkit.samples import plausible_report, zequ_2022
from toolkit.workbook.template import template_bytes

# Made-up units with consistent figures, beside the real sample township.
MADE_UP_UNITS = (("东河镇", "乡镇"), ("北关街道", "街道"), ("县民政局", "县级部门"))


def demo_reports() -> list[Report]:
    year = zequ_2022().year
    return [zequ_2022()] + [plausible_report(unit, level, year, "2021", seed=i)
                            for i, (unit, level) in enumerate(MADE_UP_UNITS)]


def workbook_name(report: Report) -> str:
    return f"{report.unit} {report.year}年报.xlsx"


def write_demo(folder: Path, force: bool = False) -> list[Path]:
    return [atomic_write(folder / workbook_name(r), template_bytes(report=r), force) for r in demo_reports()]
