"""The built-in demonstration: a sample county's whole job, from the roster to the summary.

    xxgk-demo/
      单位名单.xlsx                the county's roster (six units)
      分发/                        the workbooks `xxgk distribute` makes, one per unit
      报送/                        what came back: filled by five units (西山乡 sent nothing); 泽曲镇 used
                                   the old 2019 template (its real 2022 report as published, table 三 not
                                   balancing); 县教育局 typed “十七” for a number
      示例县2022年汇总.xlsx        the county summary (`xxgk consolidate`)
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from toolkit.core.consolidation import Consolidation, consolidate
from toolkit.core.formats import get_format
from toolkit.app.distribute import distribute, unit_workbook, workbook_name
from toolkit.io.files import atomic_write, check_writable
from toolkit.core.roster import SHEET, Roster, RosterUnit
from toolkit.app.samples import plausible_report, zequ_2022
from toolkit.app.submissions import read_submissions

YEAR = 2022
COUNTY = "示例县"
UNITS = (RosterUnit("泽曲镇", "乡镇"), RosterUnit("东河镇", "乡镇"), RosterUnit("北关街道", "街道"),
         RosterUnit("县民政局", "县级部门"), RosterUnit("县教育局", "县级部门"), RosterUnit("西山乡", "乡镇"))
MISSING = "西山乡"  # sends nothing
# a number written in words: not summed, and said why; in the first figure of the headline's row
MISTYPED = ("县教育局", next(c.id for c in get_format().cells.values() if not c.total
                             and c.row == get_format().cells[get_format().headline.by_unit].row), "十七")
ROSTER_FILE, GIVEN, SENT = f"{SHEET}.xlsx", "分发", "报送"
SUMMARY_FILE = f"{COUNTY}{YEAR}年汇总.xlsx"


@dataclass
class Demo:
    folder: Path
    roster: Path
    given: list[Path]
    sent: list[Path]
    summary: Path
    result: Consolidation


def sent_reports():
    """The reports as the units filled them in."""
    out = []
    for i, unit in enumerate(UNITS):
        if unit.name == MISSING:
            continue
        if unit.name == "泽曲镇":
            report = zequ_2022()
        else:
            report = plausible_report(unit.name, unit.level, YEAR, "2021", seed=i)
        if unit.name == MISTYPED[0]:
            report.values[MISTYPED[1]] = MISTYPED[2]
        report.info["date"] = f"{YEAR + 1}-01-{10 + i:02d}"
        out.append(report)
    return out


def write_demo(folder: Path, force: bool = False) -> Demo:
    from toolkit.io.workbook.roster_book import roster_bytes
    from toolkit.io.workbook.summary import summary_bytes

    folder = Path(folder)
    roster = Roster(folder / ROSTER_FILE, UNITS)
    sent = []
    for report in sent_reports():
        suffix, data = unit_workbook(report)
        sent.append((folder / SENT / workbook_name(report.unit, report.year, suffix), data))
    for path in [roster.path, folder / SUMMARY_FILE] + [p for p, _ in sent]:
        check_writable(path, force)
    atomic_write(roster.path, roster_bytes(UNITS), force)
    given = distribute(roster, YEAR, "2021", folder / GIVEN, force=force).files
    for path, data in sent:
        atomic_write(path, data, force)
    files = [p for p, _ in sent]
    result = consolidate(read_submissions(files, "2021", jobs=1), YEAR, "2021", unit=COUNTY, roster=roster,
                         date=datetime.date.today().isoformat())
    summary = atomic_write(folder / SUMMARY_FILE, summary_bytes(result), force)
    return Demo(folder, roster.path, given, files, summary, result)
