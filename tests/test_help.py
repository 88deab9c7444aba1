"""Help that reads well (issue 14, part 4), through the installed `xxgk` as a user runs it: every
command's help, by -h and --help, at 80 and 120 columns and piped, shows the choices, no `<bool>`,
nothing cut with "…", an example; completion is offered; --json answers carry the counts; a long
finding message of `xxgk check`, piped, is printed whole."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.core.formats import VERSIONS, common, load_toml
from toolkit.core.model import Report
from toolkit.app.samples import plausible_report
from toolkit.io.workbook.template import template_bytes

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
COMMANDS = ["template", "check", "demo", "roster", "distribute", "consolidate", "import", "export", "feedback",
            "compare", "bundle", "excel-config", "selftest"]


def run(*args, columns: int | None = 120, cwd=None):
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["NO_COLOR"] = "1"
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run([XXGK, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def width(line: str) -> int:
    from rich.cells import cell_len

    return cell_len(line)


@pytest.mark.parametrize("columns", [80, 120, None])  # None: piped, no COLUMNS (rich's 80)
@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_help_shows_choices_flags_whole_texts_and_an_example(command, columns):
    args = [command] if command else []
    short, long = run(*args, "-h", columns=columns), run(*args, "--help", columns=columns)
    assert short.returncode == long.returncode == 0, short.stderr + long.stderr
    assert short.stdout == long.stdout
    text = long.stdout
    assert not text.startswith("\n") and "用法：" in text
    assert "<bool>" not in text and "<str>" not in text and "…" not in text
    assert all(width(line) <= (columns or 80) for line in text.splitlines()), text
    assert "-h, --help" in text
    if command is None:
        description = text.split("选项：")[0]
        for name in COMMANDS:  # the description names every command
            assert f"（{name}）" in description
        assert "--install-completion" in text and "--show-completion" in text
        return
    assert "例如：" in text and "xxgk " + command in text.split("例如：")[1]
    assert re.search(r"--force\s{2,}\S", text) or "--force" not in text  # a flag: its text follows, no value
    if command in ("template", "distribute", "consolidate"):
        assert f"--format [{'|'.join(VERSIONS)}]" in text
    if command == "consolidate":
        assert f"--level [{'|'.join(common().summary_levels)}]" in text
    if command == "template":
        assert "--level [" + "|".join(common().all_levels[:3]) in text
    if command == "export":
        assert "--to [docx|html]" in text
    if command == "feedback":
        assert "--to [docx|xlsx]" in text
    if command in ("check", "import", "consolidate", "compare", "feedback"):
        assert "--json" in text


def test_each_help_text_is_shown_whole():
    """Every option's description, its lines joined, is in the help as written (wrapped, never cut)."""
    import cli
    import typer.main

    group = typer.main.get_command(cli.app)
    for name in COMMANDS:
        helped = re.sub(r"\s+", "", run(name, "--help", columns=80).stdout)
        for param in group.commands[name].params:
            if getattr(param, "help", None):
                assert re.sub(r"\s+", "", param.help) in helped, (name, param.name)


def test_the_examples_are_real_command_lines():
    examples = load_toml("common.toml")["help"]["examples"]
    assert sorted(examples) == sorted(COMMANDS)
    for name, line in examples.items():
        assert line.split()[:2] == ["xxgk", name]


def test_a_long_message_of_check_piped_is_whole_and_the_output_starts_with_its_title(tmp_path):
    workbook = tmp_path / "泽曲镇2022年报.xlsx"  # the 2019 format for 2022: F-FORMAT-YEAR, a long message
    workbook.write_bytes(template_bytes(report=plausible_report("泽曲镇", "乡镇", 2022, "2019", seed=1)))
    answer = json.loads(run("check", "--json", workbook).stdout)
    messages = [f["message"] for f in answer["files"][0]["findings"]]
    assert any(len(m) > 60 for m in messages)
    for columns in (None, 80, 120):
        shown = run("check", workbook, columns=columns)
        assert shown.stdout.startswith(workbook.name) and "…" not in shown.stdout
        flat = re.sub(r"[\s│┃]", "", shown.stdout)
        for message in messages:
            assert re.sub(r"\s", "", message) in flat
        for message in messages:  # no Latin word, code or figure broken across lines
            for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9.\-]+", message):
                assert word in shown.stdout, (word, shown.stdout)
        assert all(width(line) <= (columns or 80) for line in shown.stdout.splitlines())


def test_wrap_breaks_chinese_between_characters_and_keeps_words_whole():
    from toolkit.ui.terminal import wrap

    text = "政府信息公开工作年度报告工具：生成标准填报工作簿（template）、校验勾稽关系（check）、汇总（consolidate）。"
    for w in range(20, 60):
        lines = wrap(text, w)
        assert "".join(lines) == text and all(width(line) <= w for line in lines)
        for word in ("template", "check", "consolidate"):
            assert any(word in line for line in lines)
        assert not any(line.startswith(("，", "。", "、", "）")) for line in lines)


def counted(answer: dict, files: int):
    assert answer["totals"]["files"] == files
    for item in answer["files"]:
        if "findings" in item:
            errors = sum(f["severity"] == "错误" for f in item["findings"])
            assert (item["errors"], item["hints"]) == (errors, len(item["findings"]) - errors)
    assert answer["totals"]["errors"] == sum(i.get("errors", 0) for i in answer["files"])
    assert answer["totals"]["hints"] == sum(i.get("hints", 0) for i in answer["files"])


def test_json_of_check_import_consolidate_and_compare_parses_and_counts(tmp_path):
    last = plausible_report("泽曲镇", "乡镇", 2024, "2021", seed=3)
    this = plausible_report("泽曲镇", "乡镇", 2025, "2021", seed=3, previous=last)
    other = plausible_report("东河镇", "乡镇", 2025, "2021", seed=4)
    sent = tmp_path / "报送"
    sent.mkdir()
    paths = {}
    for name, report in (("泽曲镇2025.xlsx", this), ("东河镇2025.xlsx", other)):
        paths[name] = sent / name
        paths[name].write_bytes(template_bytes(report=report))
    before = tmp_path / "泽曲镇2024.xlsx"
    before.write_bytes(template_bytes(report=last))

    checked = run("check", "--json", *paths.values())
    counted(json.loads(checked.stdout), 2)

    done = run("consolidate", sent, "--year", 2025, "--unit", "某县", "-o", tmp_path / "汇总.xlsx", "--json")
    answer = json.loads(done.stdout)
    counted(answer, 2)
    assert answer["totals"]["summed"] == 2 and (tmp_path / "汇总.xlsx").exists()

    compared = run("compare", paths["泽曲镇2025.xlsx"], before, "--json")
    answer = json.loads(compared.stdout)
    assert answer["totals"]["files"] == 2 and answer["rows"]
    errors = sum(f["severity"] == "错误" for f in answer["findings"])
    assert (answer["errors"], answer["hints"]) == (errors, len(answer["findings"]) - errors)
    assert compared.returncode == (1 if errors else 0)

    text = tmp_path / "东河镇.txt"
    from text_reports import consistent_report, published_text
    text.write_text(published_text(consistent_report(), tmp_path), encoding="utf-8")
    imported = run("import", text, "-o", tmp_path / "工作簿", "--json")
    answer = json.loads(imported.stdout)
    counted(answer, 1)
    assert answer["files"][0]["workbook"]


def test_json_of_feedback_parses_and_counts(tmp_path):
    assert run("demo", "-o", tmp_path / "示例").returncode == 0
    done = run("feedback", tmp_path / "示例" / "示例县2022年汇总.xlsx", "-o", tmp_path / "通知", "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    totals = answer["totals"]
    assert totals["files"] == len(answer["files"]) and totals["notices"] >= 1
    notices = [f for f in answer["files"] if f["kind"] != "reminders"]
    assert sum(f["errors"] for f in notices) == totals["errors"] - totals["ignored"]
    assert all(Path(f["file"]).exists() for f in answer["files"])


def test_a_usage_error_shows_the_usage_in_chinese():
    missing = run("check")
    assert missing.returncode == 2 and "用法：xxgk check" in missing.stderr and "Usage" not in missing.stderr
    assert "xxgk check -h" in missing.stderr and "缺少参数" in missing.stderr
