"""`xxgk distribute`: one workbook per roster unit, named after it, its 单位信息 filled; with last
year's county summary, each unit's 上年结转 and 上年数据 — so next year's check works without last
year's file."""
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import fill_workbook
from toolkit.core.file_names import safe_file_name
from toolkit.app.distribute import workbook_name
from toolkit.app.samples import plausible_report
from toolkit.io.workbook.reader import read_workbook
from workbooks import entries

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
UNITS = [("东河镇", "乡镇"), ("北关街道", "街道"), ("县民政局", "县级部门")]


def run(*args):
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([XXGK, *map(str, args)], capture_output=True, text=True, env=env, timeout=300)


def write_roster(path: Path, units, encoding="gbk") -> Path:
    path.write_bytes(("单位名称,单位层级\n" + "".join(f"{n},{lv}\n" for n, lv in units)).encode(encoding))
    return path


def test_one_workbook_per_unit_with_its_information(tmp_path):
    roster = write_roster(tmp_path / "名单.csv", UNITS)
    done = run("distribute", "--roster", roster, "--year", 2025, "-o", tmp_path / "out", "--no-macros")
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == sorted(f"{n} 2025年报.xlsx" for n, _ in UNITS)
    for name, level in UNITS:
        result = read_workbook(tmp_path / "out" / f"{name} 2025年报.xlsx")
        r = result.report
        assert (r.unit, r.level, r.year, r.format, r.previous) == (name, level, 2025, "2021", {})
        assert not any(k.startswith("t3.carried") for k in r.values if r.values[k])
    old = run("distribute", "--roster", roster, "--year", 2020, "--format", "2019", "-o", tmp_path / "old")
    macro = tmp_path / "old" / "东河镇 2020年报.xlsm"  # by default with the Excel buttons
    assert old.returncode == 0 and read_workbook(macro).report.format == "2019"
    with zipfile.ZipFile(macro) as z:
        assert "xl/vbaProject.bin" in z.namelist()


def test_file_names_are_safe_on_windows():
    assert safe_file_name('县委/县政府:办公室?') == "县委_县政府_办公室_"
    assert safe_file_name("CON") == "_CON" and safe_file_name(" 镇. ") == "镇"
    assert workbook_name("东河镇", 2025, copy=2) == "东河镇（2） 2025年报.xlsx"


def test_units_whose_names_make_the_same_file_name(tmp_path):
    roster = write_roster(tmp_path / "名单.csv", [("县委/办公室", "县级部门"), ("县委_办公室", "县级部门")])
    assert run("distribute", "--roster", roster, "--year", 2025, "-o", tmp_path / "out").returncode == 0
    made = {read_workbook(p).report.unit: p.name for p in (tmp_path / "out").iterdir()}
    assert made == {"县委/办公室": "县委_办公室 2025年报.xlsm", "县委_办公室": "县委_办公室（2） 2025年报.xlsm"}


def test_nothing_is_overwritten_without_force(tmp_path):
    roster = write_roster(tmp_path / "名单.csv", UNITS)
    out = tmp_path / "out"
    out.mkdir()
    (out / "北关街道 2025年报.xlsm").write_bytes(b"already filled in by the unit")
    refused = run("distribute", "--roster", roster, "--year", 2025, "-o", out)
    assert refused.returncode == 2 and "已存在" in refused.stderr
    assert [p.name for p in out.iterdir()] == ["北关街道 2025年报.xlsm"]  # none of the others either
    assert run("distribute", "--roster", roster, "--year", 2025, "-o", out, "--force").returncode == 0
    assert len(list(out.iterdir())) == 3


@pytest.fixture(scope="module")
def last_year(tmp_path_factory):
    """Last year's (2024) county summary of two of the three units, made the real way."""
    root = tmp_path_factory.mktemp("last-year")
    roster = write_roster(root / "名单.csv", UNITS[:2])
    assert run("distribute", "--roster", roster, "--year", 2024, "-o", root / "given").returncode == 0
    reports = {}
    for i, (name, level) in enumerate(UNITS[:2]):
        reports[name] = plausible_report(name, level, 2024, seed=40 + i)
        fill_workbook(root / "given" / f"{name} 2024年报.xlsm", root / f"{name}.xlsm", entries(reports[name]))
    summary = root / "2024汇总.xlsx"
    done = run("consolidate", root / f"{UNITS[0][0]}.xlsm", root / f"{UNITS[1][0]}.xlsm", "--year", 2024,
               "--roster", roster, "-o", summary, "--unit", "某县")
    assert done.returncode == 0, done.stdout + done.stderr
    return summary, reports


def test_last_years_figures_are_carried_over_unit_by_unit(tmp_path, last_year):
    summary, reports = last_year
    roster = write_roster(tmp_path / "名单.csv", UNITS)
    before = hashlib.sha256(summary.read_bytes()).hexdigest()
    done = run("distribute", "--roster", roster, "--year", 2025, "--previous", summary, "-o", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert hashlib.sha256(summary.read_bytes()).hexdigest() == before
    assert "预填 2 个单位" in done.stdout and "县民政局" in done.stdout  # not in last year's summary
    for name, _ in UNITS[:2]:
        report = read_workbook(tmp_path / "out" / f"{name} 2025年报.xlsm").report
        last = reports[name].values
        for col in ("natural", "commercial", "research", "nonprofit", "legal", "other"):
            assert report.values[f"t3.carried.{col}"] == last[f"t3.forward.{col}"]
            assert report.previous[f"t3.forward.{col}"] == last[f"t3.forward.{col}"]
        assert report.previous["t2.normative.in_force"] == last["t2.normative.in_force"]
    assert read_workbook(tmp_path / "out" / "县民政局 2025年报.xlsm").report.previous == {}


def test_next_year_is_checked_against_last_years_summary(tmp_path, last_year):
    summary, reports = last_year
    roster = write_roster(tmp_path / "名单.csv", UNITS[:2])
    assert run("distribute", "--roster", roster, "--year", 2025, "--previous", summary, "-o", tmp_path / "given") \
        .returncode == 0
    sent = tmp_path / "sent"
    sent.mkdir()
    for i, (name, level) in enumerate(UNITS[:2]):
        values = entries(plausible_report(name, level, 2025, seed=50 + i, previous=reports[name]))
        if name == "北关街道":  # carried over one request too many, and handled it
            values["t3.carried.natural"] += 1
            values["t3.result.open.natural"] += 1
        fill_workbook(tmp_path / "given" / f"{name} 2025年报.xlsm", sent / f"{name}.xlsm", values)
    for extra in ([], ["--previous", summary]):
        out = tmp_path / f"2025{len(extra)}.xlsx"
        done = run("consolidate", sent, "--year", 2025, "--roster", roster, "-o", out, "--unit", "某县", *extra)
        assert done.returncode == 1 and "Y-CARRIED" in done.stdout, done.stdout
        findings = pd.read_excel(out, sheet_name="校验结果", engine="openpyxl")
        carried = findings[findings["代码"] == "Y-CARRIED"]
        assert set(carried["单位名称"]) == {"北关街道"} and set(carried["单元格"]) == {"D6", "J6"}
        checked = run("check", out)  # the summary's own 上年数据: the units' kept ones, summed
        assert "Y-CARRIED" in checked.stdout


def test_last_years_summary_must_be_last_years(tmp_path, last_year):
    summary, _ = last_year
    roster = write_roster(tmp_path / "名单.csv", UNITS)
    wrong = run("distribute", "--roster", roster, "--year", 2026, "--previous", summary, "-o", tmp_path / "out")
    assert wrong.returncode == 2 and "2024年度的汇总" in wrong.stderr and "2025" in wrong.stderr
    not_a_summary = tmp_path / "东河镇.xlsm"
    shutil.copy(summary.parent / "东河镇.xlsm", not_a_summary)
    refused = run("distribute", "--roster", roster, "--year", 2025, "--previous", not_a_summary, "-o", tmp_path / "o")
    assert refused.returncode == 2 and "分单位明细" in refused.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "o").exists()
