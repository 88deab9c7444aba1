"""What `xxgk import` and `xxgk export` do for one file each: read, convert, write atomically, check.

Neither prints nor exits (the CLI does); an Excel button can call `export_report` the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.app.checking import CheckedFile
from toolkit.app.distribute import workbook_name
from toolkit.io.files import OutputError, atomic_write, check_outputs
from toolkit.core.formats import get_format
from toolkit.core.layout import workbook_layout
from toolkit.core.model import Finding, Report
from toolkit.io.published.export import export_bytes, export_name
from toolkit.io.published.importer import import_file
from toolkit.io.published.text import UnreadableReport
from toolkit.core.rules import check
from toolkit.core.text_checks import Repetition, heading_findings, repetition, settings, text_findings
from toolkit.io.workbook.filled import filled_bytes
from toolkit.io.workbook.reader import UnreadableWorkbook, read_workbook


@dataclass
class ImportedFile:
    checked: CheckedFile  # path = the published report; findings of the import and of the check
    workbook: Path | None = None  # the workbook written
    refused: str | None = None  # why nothing was written: the workbook exists (and not --force), or cannot be written
    repetition: Repetition | None = None  # 重复率 against last year's report (--previous)


def read_previous(path) -> Report:
    """Last year's report for --previous: a workbook, or a report as published; raises
    UnreadableReport (a workbook's UnreadableWorkbook too, as one)."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            return read_workbook(path).report
        except UnreadableWorkbook as exc:
            raise UnreadableReport(str(exc)) from exc
    return import_file(path).report


def import_to_workbook(source, folder, force: bool = False, taken: set | None = None, inputs=(),
                       previous: Report | None = None, previous_name: str = "") -> ImportedFile:
    """Import one published report, write its standard workbook into `folder` (named after unit
    and year), and check it.  An existing workbook is overwritten only with `force`, and never when
    it is `source` or one of `inputs` (the other reports of the run)."""
    source = Path(source)
    try:
        imported = import_file(source)
    except UnreadableReport as exc:
        return ImportedFile(CheckedFile(source, unreadable=str(exc)))
    report = imported.report
    target = Path(folder) / _free_name(_workbook_name(report, source), source, taken)
    try:
        check_outputs([target], [source, *inputs])
        atomic_write(target, filled_bytes(report), force)
    except OutputError as exc:
        return ImportedFile(CheckedFile(source, report), refused=str(exc))
    text = heading_findings(get_format(report.format), imported.lines) + text_findings(report)
    repeated = repetition(report, previous, previous_name) if previous is not None else None
    if repeated and repeated.finding:
        text.append(repeated.finding)
    # a part not found is said once: by the text checks (the report lacks it), not by the importer too
    missing = {f.reported for f in text if f.code == settings(report.format).get("headings", {}).get("code_missing")}
    own = [f for f in imported.findings if not (f.code == "P-HEADING" and f.reported in missing)]
    findings = located(report, own + check(report) + text, target)
    return ImportedFile(CheckedFile(source, report, findings), target, repetition=repeated)


def _workbook_name(report: Report, source: Path) -> str:
    return workbook_name(report.unit, report.year) if report.unit and report.year else f"{source.stem}.xlsx"


def _free_name(name: str, source: Path, taken: set | None) -> str:
    """Two reports of one run never write the same file: the second takes its source's name too."""
    if taken is None:
        return name
    if name in taken:
        name = f"{Path(name).stem}（{source.stem}）.xlsx"
    taken.add(name)
    return name


def located(report: Report, findings: list[Finding], workbook: Path) -> list[Finding]:
    """Findings with the sheet and cell of their first cell in the written workbook."""
    layout = workbook_layout(report.format)
    out = []
    for f in findings:
        sheet, address = layout.address(f.cells[0]) if f.cells and not f.sheet else (f.sheet, f.address)
        out.append(Finding(f.code, f.severity, f.message, f.cells, f.reported, f.computed, sheet, address,
                           str(workbook)))
    return out


@dataclass
class ExportedFile:
    workbook: Path
    output: Path | None = None
    unreadable: str | None = None
    refused: str | None = None  # why nothing was written: the file exists (and not --force), or cannot be written
    errors: int = 0  # the workbook's check errors: the export shows its figures as they are
    empty_parts: list[str] = field(default_factory=list)  # headings of text parts left empty


def export_report(workbook, folder, to: str = "docx", force: bool = False, inputs=()) -> ExportedFile:
    """Read a filled workbook and write its publishable report (.docx or .html) into `folder`;
    never over `workbook` or one of `inputs` (the other workbooks of the run), even with `force`."""
    workbook = Path(workbook)
    try:
        result = read_workbook(workbook)
    except UnreadableWorkbook as exc:
        return ExportedFile(workbook, unreadable=str(exc))
    report = result.report
    if not report.unit or report.year is None:
        name = f"{workbook.stem}.{to}"
    else:
        name = export_name(report, to)
    target = Path(folder) / name
    try:
        check_outputs([target], [workbook, *inputs])
        atomic_write(target, export_bytes(report, to), force)
    except OutputError as exc:
        return ExportedFile(workbook, refused=str(exc))
    empty = [p.heading for p in get_format(report.format).text_parts if not report.texts.get(p.text, "").strip()]
    # the reader's errors too: a figure it could not read (十七) is exported as 0
    errors = sum(f.is_error for f in result.findings + check(report))
    return ExportedFile(workbook, target, errors=errors, empty_parts=empty)
