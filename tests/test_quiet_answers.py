"""Wrong answers given quietly (issue 11, part 8): each defect as it was met, on real files made here,
through the command line — exit code, message, inputs byte-identical, no summary where none is due."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_consolidate import digests
from toolkit.app.samples import plausible_report
from toolkit.core.values import FIRST_YEAR, LAST_YEAR
from toolkit.io.workbook.details import read_last_year
from toolkit.io.workbook.template import template_bytes

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))


def run(*args):
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}
    return subprocess.run([XXGK, *map(str, args)], capture_output=True, text=True, env=env, timeout=120)


def sent(folder: Path, *reports, names=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, report in enumerate(reports):
        name = names[i] if names else f"{report.unit} {report.year}年报.xlsx"
        (folder / name).write_bytes(template_bytes(report=report))
    return folder


def report(unit, year=2022, seed=1, date="2023-01-10"):
    r = plausible_report(unit, "乡镇", year, "2021", seed=seed)
    r.info["date"] = date
    return r


def test_consolidate_of_another_year_is_a_loud_error_and_writes_no_summary(tmp_path):
    folder = sent(tmp_path / "回收", report("东河镇"), report("西山乡", seed=2), report("泽曲镇", 2021, seed=3))
    before = digests(folder)
    out = tmp_path / "某县2023年汇总.xlsx"
    done = run("consolidate", folder, "--year", 2023, "--unit", "某县", "-o", out, "--jobs", 1)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "没有可汇总的工作簿" in output and "都不是本次汇总的2023年度" in output, output
    assert "2021年度 1 个" in output and "2022年度 2 个" in output and "--year" in output, output
    assert "Traceback" not in output
    assert not out.exists() and digests(folder) == before


def test_nothing_summed_for_other_reasons_is_also_exit_2_and_says_which_years(tmp_path):
    bare = report("")  # no unit name: cannot be told apart
    folder = sent(tmp_path / "回收", bare, report("东河镇", 2021), names=["无名.xlsx", "东河镇.xlsx"])
    out = tmp_path / "汇总.xlsx"
    done = run("consolidate", folder, "--year", 2022, "--unit", "某县", "-o", out, "--jobs", 1)
    output = done.stdout + done.stderr
    assert done.returncode == 2 and not out.exists(), output
    assert "一个也不能汇总" in output and "未填单位名称" in output and "2021年度 1 个" in output, output


def test_consolidate_without_unit_does_not_take_the_output_file_name(tmp_path):
    folder = sent(tmp_path / "回收", report("东河镇"))
    before = digests(folder)
    out = tmp_path / "某县2022年汇总c.xlsx"
    done = run("consolidate", folder, "--year", 2022, "-o", out, "--jobs", 1)
    output = done.stdout + done.stderr
    assert done.returncode == 2 and not out.exists(), output
    assert "请用 --unit 写明汇总单位的名称" in output and "不取自输出文件名" in output, output
    assert digests(folder) == before
    # given, it is the summary's unit; next year, --previous carries it on without --unit
    assert run("consolidate", folder, "--year", 2022, "--unit", "某县", "-o", out, "--jobs", 1).returncode in (0, 1)
    assert read_last_year(out).unit == "某县"
    later = sent(tmp_path / "回收2023", report("东河镇", 2023, date="2024-01-10"))
    summary = tmp_path / "下年.xlsx"
    done = run("consolidate", later, "--year", 2023, "--previous", out, "-o", summary, "--jobs", 1)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "沿用上年汇总" in done.stderr and read_last_year(summary).unit == "某县"


@pytest.mark.parametrize("command", ["template", "distribute", "consolidate"])
@pytest.mark.parametrize("year", [25, 0, -2025, 20250, FIRST_YEAR - 1, LAST_YEAR + 1])
def test_implausible_year_is_refused_at_the_command_line(tmp_path, command, year):
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,单位层级\n东河镇,乡镇\n", encoding="utf-8")
    folder = sent(tmp_path / "回收", report("东河镇"))
    before = digests(folder)
    out = tmp_path / "out"
    args = {"template": ["template", "-o", out.with_suffix(".xlsx")],
            "distribute": ["distribute", "--roster", roster, "-o", out],
            "consolidate": ["consolidate", folder, "--unit", "某县", "-o", out.with_suffix(".xlsx")]}[command]
    done = run(*args, "--year", year)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert f"--year {year} 不是报告年度" in output and f"{FIRST_YEAR}—{LAST_YEAR}" in output, output
    assert not out.exists() and not out.with_suffix(".xlsx").exists()
    assert digests(folder) == before


def test_template_year_at_the_edges_is_accepted_and_checks_clean_of_year_findings(tmp_path):
    for year in (FIRST_YEAR, 2025, LAST_YEAR):
        out = tmp_path / f"{year}.xlsx"
        assert run("template", "-o", out, "--year", year, "--unit", "东河镇").returncode == 0
        output = run("check", out).stdout
        assert "不是年度" not in output and "年度未填写" not in output, output


def _reasons(summary: Path) -> dict:
    import openpyxl

    ws = openpyxl.load_workbook(summary, read_only=True)["报送情况"]
    rows = [[c for c in r] for r in ws.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r and "原因或说明" in r)
    name_col = next(i for i, v in enumerate(rows[header]) if v and "文件" in str(v))
    reason_col = rows[header].index("原因或说明")
    return {r[name_col]: r[reason_col] for r in rows[header + 1:] if r and r[name_col]}


def test_two_identical_copies_say_they_are_identical_not_which_date_is_later(tmp_path):
    folder = tmp_path / "回收"
    one = report("东河镇")
    sent(folder, one, names=["东河镇.xlsx"])
    shutil.copy2(folder / "东河镇.xlsx", folder / "东河镇 - 副本.xlsx")
    before = digests(folder)
    out = tmp_path / "汇总.xlsx"
    done = run("consolidate", folder, "--year", 2022, "--unit", "某县", "-o", out, "--jobs", 1)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output  # summed once; the copy is listed, not summed
    assert "较晚" not in output and "内容（单位信息、文字和全部数字）完全相同，只汇总一份" in output, output
    reasons = _reasons(out)
    copy = next(n for n in reasons if reasons[n])
    assert "重复报送" in reasons[copy] and "完全相同" in reasons[copy] and "较晚" not in reasons[copy]
    assert "共 2 个文件 = 汇总 1 个 + 未汇总 1 个" in output
    assert digests(folder) == before


def test_equal_dates_different_content_say_the_later_modified_file_decided(tmp_path):
    folder = tmp_path / "回收"
    sent(folder, report("东河镇", seed=1), report("东河镇", seed=2), names=["早.xlsx", "晚.xlsx"])
    os.utime(folder / "早.xlsx", (1_700_000_000, 1_700_000_000))
    os.utime(folder / "晚.xlsx", (1_700_100_000, 1_700_100_000))
    out = tmp_path / "汇总.xlsx"
    done = run("consolidate", folder, "--year", 2022, "--unit", "某县", "-o", out, "--jobs", 1)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    reasons = _reasons(out)
    assert "填报日期相同（2023-01-10）" in reasons["早.xlsx"] and "修改时间较晚的“晚.xlsx”" in reasons["早.xlsx"]
    assert "以填报日期较晚者为准" not in reasons["早.xlsx"] and "核实" in reasons["早.xlsx"]
    # same date and same modification time: the name decided, and it says so
    os.utime(folder / "晚.xlsx", (1_700_000_000, 1_700_000_000))
    done = run("consolidate", folder, "--year", 2022, "--unit", "某县", "-o", out, "--force", "--jobs", 1)
    assert "修改时间也相同，按文件名顺序" in _reasons(out)["早.xlsx"], done.stdout
