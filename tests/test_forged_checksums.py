"""One file must not change how another is read: a styles part forged to the CRC-32 and size of
another file's (tests/workbooks.py: checksum-of-styles-forged-to-anothers.xlsx, whose font names were
changed so) is read first, in the same process, and the other file's date in a count cell
(date-read-after-a-forged-styles-checksum.xlsx, R-DATE when checked alone) must still be a date,
and nothing of that file summed.  In-process and through the command line, with one job, so both
files go through the same reader."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl

from test_catalogue import submissions
from toolkit.core.consolidation import ACCEPTED, REJECTED, consolidate
from toolkit.app.submissions import read_submissions
from toolkit.io.workbook.reader import read_workbook
from toolkit.io.workbook.xlsx import XlsxBook
from workbooks import CONSISTENT_2021, T3, entries

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
FORGER, VICTIM = "checksum-of-styles-forged-to-anothers.xlsx", "date-read-after-a-forged-styles-checksum.xlsx"
DATE_WORDS = ("表三 依申请公开!D5", "填的是日期“2025-01-05”")


def _pair(defect_files):
    return defect_files[FORGER], defect_files[VICTIM]


def _digests(paths) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_the_forged_styles_part_declares_the_same_checksum_and_size(defect_files):
    forger, victim = _pair(defect_files)
    infos = [zipfile.ZipFile(p).getinfo("xl/styles.xml") for p in (forger, victim)]
    assert infos[0].CRC == infos[1].CRC and infos[0].file_size == infos[1].file_size
    parts = [zipfile.ZipFile(p).read("xl/styles.xml") for p in (forger, victim)]
    assert parts[0] != parts[1]
    with XlsxBook(forger) as a, XlsxBook(victim) as b:
        assert a.date_styles() != b.date_styles()  # the victim's last style is a date, the forger's not


def _victim_is_rejected_for_its_date(subs, victim):
    by_name = {Path(s.path).name: s for s in subs}
    assert set(by_name) == {FORGER, VICTIM}
    date = [f for f in by_name[VICTIM].findings if f.code == "R-DATE"]
    assert date and all(w in date[0].message for w in DATE_WORDS)
    assert by_name[VICTIM].unknown  # its figures are not known: not summed
    assert not by_name[FORGER].unknown


def test_in_process_forger_first_then_victim(defect_files):
    forger, victim = _pair(defect_files)
    before = _digests((forger, victim))
    subs = read_submissions([forger, victim], "2021", jobs=1)
    _victim_is_rejected_for_its_date(subs, victim)
    result = consolidate(subs, 2025, "2021", unit="示例县")
    statuses = {Path(o.submission.path).name: o.status for o in result.files}
    assert statuses == {FORGER: ACCEPTED, VICTIM: REJECTED}
    # the summary holds the forger's figures only: the victim's 45662 is nowhere in 本年新收
    assert result.report.values["t3.new.natural"] == entries(CONSISTENT_2021)["t3.new.natural"]
    assert _digests((forger, victim)) == before


def test_through_the_command_line_with_one_job(defect_files, tmp_path):
    forger, victim = _pair(defect_files)
    before = _digests((forger, victim))
    out = tmp_path / "汇总.xlsx"
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    done = subprocess.run([XXGK, "consolidate", str(forger), str(victim), "--year", "2025", "--unit", "示例县", "--jobs", "1",
                           "-o", str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stdout + done.stderr
    accounts = "共 2 个文件 = 汇总 1 个 + 未汇总 1 个"
    files, lines = submissions(out)
    assert accounts in done.stdout and accounts in lines
    assert files[FORGER][0] == ACCEPTED
    assert files[VICTIM][0] == REJECTED and "日期" in files[VICTIM][1]
    summary = read_workbook(out).report
    assert summary.values["t3.new.natural"] == entries(CONSISTENT_2021)["t3.new.natural"]
    rows = [r for r in openpyxl.load_workbook(out, read_only=True)["校验结果"].iter_rows(values_only=True)
            if r[1] == VICTIM and r[2] == "R-DATE"]
    assert rows and rows[0][4] == T3 and rows[0][5] == "D5"
    assert _digests((forger, victim)) == before


def test_check_of_both_in_one_run_gives_the_victim_its_date(defect_files):
    from typer.testing import CliRunner

    from cli import app
    forger, victim = _pair(defect_files)
    done = CliRunner().invoke(app, ["check", "--json", str(forger), str(victim)])
    assert done.exit_code == 1, done.stdout
    results = {Path(r["file"]).name: r for r in json.loads(done.stdout)["files"]}
    assert not results[FORGER]["findings"]
    dates = [f["message"] for f in results[VICTIM]["findings"] if f["code"] == "R-DATE"]
    assert dates and all(w in dates[0] for w in DATE_WORDS)
