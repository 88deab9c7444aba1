"""The command line as a user runs it (the installed `xxgk` script, in a subprocess)."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import fill_workbook
from workbooks import CONSISTENT_2021, entries, info_of

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))


def run(*args, cwd=None):
    env = {**os.environ, "COLUMNS": "160", "NO_COLOR": "1"}
    return subprocess.run([XXGK, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def test_template_writes_a_prefilled_workbook_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "泽曲镇 2025年报 (1).xlsx"
    done = run("template", "--format", "2019", "--unit", "泽曲镇", "--level", "乡镇", "--year", "2025", "-o", out)
    assert done.returncode == 0, done.stderr
    first = out.read_bytes()
    again = run("template", "--unit", "别的镇", "-o", out)
    assert again.returncode == 2 and "已存在" in again.stderr and "--force" in again.stderr
    assert out.read_bytes() == first
    assert run("template", "--unit", "别的镇", "-o", out, "--force").returncode == 0
    assert out.read_bytes() != first


def test_an_output_that_cannot_be_written_is_a_chinese_message_not_a_traceback(tmp_path):
    a_file = tmp_path / "不是文件夹"
    a_file.write_text("x")
    for args in (("template", "-o", a_file / "a.xlsx"), ("roster", "--template", "-o", a_file / "名单.xlsx"),
                 ("demo", "-o", a_file / "演示")):
        done = run(*args)
        assert done.returncode == 2 and "无法写入输出文件" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr


def test_template_refuses_unknown_level_and_format(tmp_path):
    bad_level = run("template", "--level", "村", "-o", tmp_path / "a.xlsx")
    assert bad_level.returncode == 2 and "单位层级" in bad_level.stderr
    bad_format = run("template", "--format", "2020", "-o", tmp_path / "a.xlsx")
    assert bad_format.returncode == 2 and "2021" in bad_format.stderr
    assert not (tmp_path / "a.xlsx").exists()


def test_check_exit_codes_and_table(tmp_path, templates):
    good = fill_workbook(templates["2021"], tmp_path / "东河镇.xlsx", entries(CONSISTENT_2021), info_of(CONSISTENT_2021))
    bad = fill_workbook(templates["2021"], tmp_path / "坏表.xlsx", {**entries(CONSISTENT_2021), "t3.forward.natural": 50},
                        info_of(CONSISTENT_2021))
    junk = tmp_path / "乱码.xlsx"
    junk.write_text("not a workbook")
    ok = run("check", good)
    assert ok.returncode == 0 and "未发现错误" in ok.stdout
    broken = run("check", bad)
    assert broken.returncode == 1 and "T3-BALANCE" in broken.stdout and "表三 依申请公开!D5" in broken.stdout
    unreadable = run("check", good, junk)
    assert unreadable.returncode == 2 and "乱码.xlsx" in unreadable.stdout + unreadable.stderr


def test_brackets_in_file_names_and_cells_are_printed_as_they_are(tmp_path, templates):
    # the terminal library reads [..] as markup: "[/b]" typed into a cell stopped the command with a
    # traceback, and "[draft]" in a file name vanished from what was printed
    values = {**entries(CONSISTENT_2021), "t3.new.natural": "[/b]"}
    odd = fill_workbook(templates["2021"], tmp_path / "东河镇 [draft].xlsx", values,
                        {**info_of(CONSISTENT_2021), "info.unit": "东河镇[bold]"})
    done = run("check", odd)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "东河镇 [draft].xlsx" in done.stdout and "东河镇[bold]" in done.stdout and "“[/b]”" in done.stdout
    plain = fill_workbook(templates["2021"], tmp_path / "西山乡.xlsx", entries(CONSISTENT_2021),
                          {**info_of(CONSISTENT_2021), "info.unit": "西山乡"})  # one summed: a summary is written
    summary = run("consolidate", odd, plain, "--year", CONSISTENT_2021.year, "--unit", "某县", "-o", tmp_path / "汇总 [1].xlsx")
    assert summary.returncode == 1 and "Traceback" not in summary.stderr, summary.stderr
    assert "汇总 [1].xlsx" in summary.stdout and "“[/b]”" in summary.stdout
    again = run("template", "-o", tmp_path / "汇总 [1].xlsx")
    assert again.returncode == 2 and "汇总 [1].xlsx" in again.stderr


def test_office_lock_files_picked_up_by_a_wildcard_are_skipped(tmp_path, templates):
    good = fill_workbook(templates["2021"], tmp_path / "东河镇.xlsx", entries(CONSISTENT_2021), info_of(CONSISTENT_2021))
    lock = tmp_path / "~$东河镇.xlsx"  # Excel's owner file while 东河镇.xlsx is open: no workbook
    lock.write_bytes(b"\x04" + "张三".encode("utf-16-le") + b"\x20" * 160)
    done = run("check", good, lock)
    assert done.returncode == 0, done.stdout + done.stderr  # not "2: a file cannot be read"
    assert "跳过 ~$东河镇.xlsx" in done.stderr and "未发现错误" in done.stdout
    only = run("export", lock, "-o", tmp_path)
    assert only.returncode == 2 and "锁定文件" in only.stderr


def test_check_json_and_previous_year(tmp_path, templates):
    from toolkit.app.samples import plausible_report
    previous = plausible_report("东河镇", "乡镇", 2024, "2021", seed=5)
    report = plausible_report("东河镇", "乡镇", 2025, "2021", seed=6, previous=previous)
    prev_file = fill_workbook(templates["2021"], tmp_path / "2024.xlsx", entries(previous), info_of(previous))
    values = entries(report)
    values["t3.carried.natural"] += 1
    values["t3.result.open.natural"] += 1
    this_file = fill_workbook(templates["2021"], tmp_path / "2025.xlsx", values, info_of(report))
    done = run("check", this_file, "--previous", prev_file, "--json")
    assert done.returncode == 1
    data = json.loads(done.stdout)
    findings = data["files"][0]["findings"]
    carried = [f for f in findings if f["code"] == "Y-CARRIED"]
    assert {tuple(f["cells"]) for f in carried} == {("t3.carried.natural",), ("t3.carried.total",)}
    assert carried[0]["severity"] == "错误" and carried[0]["reported"] == carried[0]["computed"] + 1
    assert carried[0]["sheet"] == "表三 依申请公开" and carried[0]["address"] in ("D6", "J6")
    assert run("check", this_file, "--json").returncode == 0  # without last year, no cross-year rule
    wrong_year = run("check", prev_file, "--previous", prev_file)  # its own year given as last year's
    assert wrong_year.returncode == 2 and "上年工作簿应为2023年度" in wrong_year.stderr


def test_demo_runs_the_county_job_on_the_sample(tmp_path):
    done = run("demo", "-o", tmp_path / "demo")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "共 5 个文件 = 汇总 4 个 + 未汇总 1 个" in out
    assert "未报送（1 个）：西山乡" in out and "十七" in out  # 县教育局's mistyped figure: not summed
    assert "泽曲镇" in out and "T3-BALANCE" in out  # the real township's imbalance, summed and named
    assert "一、本年新收政府信息公开申请数量" in out
    demo = tmp_path / "demo"
    assert sorted(p.name for p in demo.iterdir()) == sorted(["单位名单.xlsx", "分发", "报送", "示例县2022年汇总.xlsx"])
    assert len(list((demo / "分发").iterdir())) == 6 and "泽曲镇 2022年报.xlsm" in os.listdir(demo / "报送")
    from toolkit.io.workbook.reader import read_workbook
    summary = read_workbook(demo / "示例县2022年汇总.xlsx").report
    assert (summary.unit, summary.level) == ("示例县", "县级汇总")
    digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in demo.rglob("*") if p.is_file()}
    again = run("demo", "-o", demo)
    assert again.returncode == 2 and "已存在" in again.stderr
    assert digests == {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in demo.rglob("*") if p.is_file()}
    assert run("demo", "-o", demo, "--force").returncode == 0


def test_help_and_usage_errors_are_in_chinese():
    helped = run("--help")
    assert "生成标准填报工作簿" in helped.stdout and "显示本帮助" in helped.stdout
    missing = run("check")
    assert missing.returncode == 2 and "缺少参数" in missing.stderr


@pytest.mark.parametrize("module", ["toolkit.core.rules", "toolkit.app.checking", "toolkit.io.workbook.reader", "toolkit.core.roster",
                                    "toolkit.core.consolidation", "toolkit.app.submissions", "toolkit.io.workbook.details",
                                    "toolkit.core.review", "toolkit.io.workbook.review_book", "toolkit.core.compare",
                                    "toolkit.core.year_over_year", "toolkit.core.rollup", "toolkit.io.workbook.rollup_book",
                                    "toolkit.core.against", "toolkit.core.feedback", "toolkit.io.published.importer", "toolkit",
                                    "toolkit.io.long_table", "toolkit.app.frames"])
def test_the_core_and_the_check_path_import_no_pandas_or_spreadsheet_engine(module):
    code = (f"import sys, {module}; bad = [m for m in ('pandas', 'openpyxl', 'xlwings') if m in sys.modules];"
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
