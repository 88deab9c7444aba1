"""Checking workbook files: read each one, apply the rules, keep every finding with its location.

The `xxgk check` command and the demo call this; it neither prints nor exits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core.model import Finding, Report
from toolkit.core.rules import check, has_errors
from toolkit.core.text_checks import text_findings
from toolkit.io.workbook.reader import ReadResult, UnreadableWorkbook, read_workbook


@dataclass
class CheckedFile:
    path: Path
    report: Report | None = None
    findings: list[Finding] = field(default_factory=list)
    unreadable: str | None = None  # why the file could not be read at all

    @property
    def has_errors(self) -> bool:
        return self.unreadable is not None or has_errors(self.findings)


def located(result: ReadResult, findings: list[Finding]) -> list[Finding]:
    """Findings with the sheet and address where their first cell was found in this workbook."""
    out = []
    for f in findings:
        sheet, address = result.locate(f)
        out.append(Finding(f.code, f.severity, f.message, f.cells, f.reported, f.computed,
                           sheet or None, address or None, str(result.path)))
    return out


def check_file(path, previous: Report | None = None) -> CheckedFile:
    path = Path(path)
    try:
        result = read_workbook(path)
    except UnreadableWorkbook as exc:
        return CheckedFile(path, unreadable=str(exc))
    findings = result.findings + check(result.report, previous) + text_findings(result.report)
    return CheckedFile(path, result.report, located(result, findings))


def check_files(paths, previous: Report | None = None, refused: dict | None = None) -> list[CheckedFile]:
    """Each file checked; those in `refused` (str(path) -> why, as toolkit.io.inputs finds them) not read."""
    refused = refused or {}
    return [CheckedFile(Path(p), unreadable=f"“{Path(p).name}”：{refused[str(p)]}") if str(p) in refused
            else check_file(p, previous) for p in paths]
