"""The county's review of the findings (issue 13, part 1): decisions typed into 校验结果 last.

Real files throughout: units' workbooks, `xxgk consolidate`, decisions typed with openpyxl as a
reviewer types them in Excel (and once in LibreOffice, through its drop-down's validation), a unit's
corrected workbook, and a second run: every decision is still on its finding, the fixed findings are
listed as resolved, the new ones are 待核实, and a finding marked 可以忽略 no longer counts as an open
error.  A summary the reviewer edited wrongly is read as far as it can be, every problem named."""
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from conftest import run_libreoffice
from ooxml_validator import errors as ooxml_errors
from toolkit.core.consolidation import ACCEPTED, FileOutcome, Submission
from toolkit.core.formats import common
from toolkit.core.model import ERROR, Finding
from toolkit.core.review import OldReview, OldRow, carry
from toolkit.app.samples import plausible_report
from toolkit.io.workbook.filled import filled_bytes
from toolkit.io.workbook.review_book import read_review

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
YEAR = 2022
FINDINGS = common().sheets["findings"]
REVIEW = common().review
DECISION, NOTE = REVIEW["decision"], REVIEW["note"]
RESOLVED = common().summary_sheets["resolved"]
UNITS = {"东河镇": ("乡镇", 1), "北关街道": ("街道", 2), "西山乡": ("乡镇", 3), "南湖镇": ("乡镇", 4)}
# 表三 unbalanced: one column and 总计 each break T3-BALANCE (two errors a unit)
BROKEN = {"北关街道": "t3.forward.natural", "西山乡": "t3.forward.commercial", "南湖镇": "t3.forward.natural"}


def run(*args):
    env = {**os.environ, "COLUMNS": "1000", "NO_COLOR": "1"}  # no line wrapped
    return subprocess.run([XXGK, *map(str, args)], capture_output=True, text=True, env=env, timeout=300)


def unit_workbook(folder: Path, unit: str, broken: str | None, name: str | None = None, year: int = YEAR) -> Path:
    level, seed = UNITS[unit]
    report = plausible_report(unit, level, year, seed=seed)
    if broken:
        report.values[broken] += 1
    path = folder / (name or f"{unit} {YEAR}年报.xlsx")
    path.write_bytes(filled_bytes(report))
    return path


def consolidate(folder: Path, summary: Path, *extra, year: int = YEAR):
    return run("consolidate", folder, "--year", year, "--unit", "某县", "-o", summary, "--jobs", 1, *extra)


def rows(path: Path, sheet: str = FINDINGS) -> list[dict]:
    """The sheet's rows as {header: value}, read with openpyxl."""
    values = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    return [dict(zip(values[0], r)) for r in values[1:]]


def by_place(path: Path, sheet: str = FINDINGS) -> dict:
    """(unit, address) -> (code, decision, note) of every finding listed."""
    return {(r["单位名称"], r["单元格"]): (r["代码"], r[DECISION], r[NOTE]) for r in rows(path, sheet)}


def decide(path: Path, decisions: dict, change=None) -> None:
    """Type decisions into 校验结果 as a reviewer does: {(unit, address): (decision, note)}; columns
    found by their headers.  `change(ws)` then does whatever else the reviewer did."""
    wb = openpyxl.load_workbook(path)
    ws = wb[FINDINGS]
    header = {c.value: c.column for c in ws[1]}
    for row in range(2, ws.max_row + 1):
        key = (ws.cell(row, header["单位名称"]).value, ws.cell(row, header["单元格"]).value)
        if key in decisions:
            decision, note = decisions.pop(key)
            ws.cell(row, header[DECISION]).value = decision
            ws.cell(row, header[NOTE]).value = note
    assert not decisions, f"no such findings: {decisions}"
    if change is not None:
        change(ws)
    wb.save(path)


def submissions(path: Path) -> dict:
    """报送情况's file rows: file name -> {header: value}."""
    values = list(openpyxl.load_workbook(path)["报送情况"].iter_rows(values_only=True))
    header = next(r for r in values if r[0] == "序号")
    return {r[1]: dict(zip(header, r)) for r in values if isinstance(r[0], int) and r[1] and ".xlsx" in r[1]}


@pytest.fixture()
def county(tmp_path):
    """Four units, three of them with an unbalanced 表三, and the first summary of them."""
    sent = tmp_path / "回收"
    sent.mkdir()
    for unit in UNITS:
        unit_workbook(sent, unit, BROKEN.get(unit))
    summary = tmp_path / "某县2022年汇总.xlsx"
    done = consolidate(sent, summary)
    assert done.returncode == 1, done.stdout + done.stderr
    return sent, summary


def test_the_findings_sheet_has_the_reviewers_columns_with_a_drop_down(county):
    _, summary = county
    listed = rows(summary)
    assert len(listed) == 6
    assert all(r[DECISION] == REVIEW["default"] and r[NOTE] is None for r in listed)
    assert [r[REVIEW["number"]] for r in listed] == [1, 2, 3, 4, 5, 6]
    assert all(r[REVIEW["cells"]].startswith("t3.") for r in listed)
    ws = openpyxl.load_workbook(summary)[FINDINGS]
    (valid,) = ws.data_validations.dataValidation
    assert valid.type == "list" and valid.formula1 == '"待核实,确认有误,可以忽略"'
    column = next(c.column_letter for c in ws[1] if c.value == DECISION)
    assert str(valid.sqref) == f"{column}2:{column}7"
    assert RESOLVED not in openpyxl.load_workbook(summary).sheetnames  # nothing resolved yet


def test_decisions_last_a_corrected_unit_is_resolved_new_findings_wait_and_ignored_errors_do_not_count(county):
    sent, summary = county
    decide(summary, {("北关街道", "D5"): ("确认有误", "已电话通知北关街道"), ("北关街道", "J5"): ("确认有误", None),
                     ("西山乡", "E5"): ("可以忽略", "经核实数字无误，系口径差异"), ("西山乡", "J5"): ("可以忽略", None)})
    # 北关街道 sends a corrected workbook under another name; 东河镇's new one is unbalanced
    (sent / f"北关街道 {YEAR}年报.xlsx").unlink()
    unit_workbook(sent, "北关街道", None, name=f"北关街道 {YEAR}年报（修改后）.xlsx")
    unit_workbook(sent, "东河镇", "t3.forward.natural")
    done = consolidate(sent, summary, "--force")
    out = done.stdout
    assert done.returncode == 1, out + done.stderr  # 东河镇's new errors and 南湖镇's undecided ones are open
    assert "审核意见：沿用 2 条；新出现的问题 2 条（待核实）；已解决 2 条" in out
    assert "已解决：北关街道 T3-BALANCE t3.new.natural、t3.carried.natural" in out and "已电话通知北关街道" in out
    assert "审核为“可以忽略”的错误 2 个" in out
    assert "已汇总的单位共有错误 6 个（其中审核为“可以忽略”的 2 个，未处理 4 个）" in out
    assert "西山乡" not in out.split("已汇总但有错误的单位")[1].split("主要数字")[0]  # not among the units with errors
    listed = by_place(summary)
    assert listed == {
        ("东河镇", "D5"): ("T3-BALANCE", "待核实", None), ("东河镇", "J5"): ("T3-BALANCE", "待核实", None),
        ("西山乡", "E5"): ("T3-BALANCE", "可以忽略", "经核实数字无误，系口径差异"),
        ("西山乡", "J5"): ("T3-BALANCE", "可以忽略", None),
        ("南湖镇", "D5"): ("T3-BALANCE", "待核实", None), ("南湖镇", "J5"): ("T3-BALANCE", "待核实", None)}
    assert by_place(summary, RESOLVED) == {("北关街道", "D5"): ("T3-BALANCE", "确认有误", "已电话通知北关街道"),
                                           ("北关街道", "J5"): ("T3-BALANCE", "确认有误", None)}
    files = submissions(summary)
    assert (files[f"西山乡 {YEAR}年报.xlsx"]["错误"], files[f"西山乡 {YEAR}年报.xlsx"][REVIEW["open_errors"]]) == (2, 0)
    assert (files[f"南湖镇 {YEAR}年报.xlsx"]["错误"], files[f"南湖镇 {YEAR}年报.xlsx"][REVIEW["open_errors"]]) == (2, 2)
    assert not ooxml_errors(summary)
    checked = run("check", summary)  # 已解决 is a sheet of the summary: no unknown sheet to the reader
    assert checked.returncode == 1 and "R-EXTRA-SHEETS" not in checked.stdout, checked.stdout

    # a third run: nothing changed; what was resolved stays listed, read back from 已解决
    again = consolidate(sent, summary, "--force")
    assert "审核意见：沿用 2 条；新出现的问题 0 条（待核实）；已解决 2 条" in again.stdout
    assert "其中 2 条在上次汇总中已列为已解决" in again.stdout
    assert by_place(summary, RESOLVED)[("北关街道", "D5")] == ("T3-BALANCE", "确认有误", "已电话通知北关街道")
    assert by_place(summary) == listed

    # 北关街道's old workbook comes back: its decisions come back with it
    (sent / f"北关街道 {YEAR}年报（修改后）.xlsx").unlink()
    unit_workbook(sent, "北关街道", BROKEN["北关街道"])
    back = consolidate(sent, summary, "--force")
    assert "审核意见：沿用 4 条；新出现的问题 0 条（待核实）；已解决 0 条" in back.stdout
    assert by_place(summary)[("北关街道", "D5")] == ("T3-BALANCE", "确认有误", "已电话通知北关街道")
    assert RESOLVED not in openpyxl.load_workbook(summary).sheetnames


def test_every_error_ignored_is_a_clean_run_and_review_reads_another_file_left_unchanged(tmp_path):
    sent = tmp_path / "回收"
    sent.mkdir()
    unit_workbook(sent, "东河镇", None)
    unit_workbook(sent, "西山乡", BROKEN["西山乡"])
    first = tmp_path / "第一次.xlsx"
    assert consolidate(sent, first).returncode == 1
    decide(first, {("西山乡", "E5"): ("可以忽略", None), ("西山乡", "J5"): ("可以忽略", "同上")})
    digest = hashlib.sha256(first.read_bytes()).hexdigest()
    shutil.copy(first, sent / first.name)  # left among the inputs: not read as a unit's workbook
    second = tmp_path / "第二次.xlsx"
    done = consolidate(sent, second, "--review", sent / first.name)
    assert done.returncode == 0, done.stdout + done.stderr  # the only errors are ignored
    assert "共 2 个文件" in done.stdout and "已汇总但有错误的单位" not in done.stdout
    assert "审核意见：沿用 2 条；新出现的问题 0 条（待核实）；已解决 0 条" in done.stdout
    assert hashlib.sha256((sent / first.name).read_bytes()).hexdigest() == digest
    assert by_place(second)[("西山乡", "J5")] == ("T3-BALANCE", "可以忽略", "同上")
    assert submissions(second)[f"西山乡 {YEAR}年报.xlsx"][REVIEW["open_errors"]] == 0
    # without --review or --force nothing is carried: a fresh summary
    (sent / first.name).unlink()
    fresh = tmp_path / "第三次.xlsx"
    assert consolidate(sent, fresh).returncode == 1
    assert {d for _, d, _ in by_place(fresh).values()} == {"待核实"}


def test_a_summary_edited_wrongly_is_read_as_far_as_it_can_be_and_every_problem_named(county, tmp_path):
    sent, summary = county

    def edit(ws):
        header = {c.value: c.column for c in ws[1]}
        body = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
        # 南湖镇's first finding deleted; the rest sorted by unit name, descending
        body = [r for r in body if not (r[0] == "南湖镇" and r[5] == "D5")]
        body.sort(key=lambda r: r[0], reverse=True)
        ws.delete_rows(2, ws.max_row)
        for n, values in enumerate(body, start=2):
            for col, value in enumerate(values, start=1):
                ws.cell(n, col).value = value
        ws.move_range(f"H1:H{len(body) + 1}", cols=20)  # 填报值 moved far right
        ws.title = "校验结果（已审核）"
        assert header[DECISION] == 10

    decide(summary, {("北关街道", "D5"): ("忽略", "看过了"), ("北关街道", "J5"): ("确认有误", None),
                     ("西山乡", "E5"): ("可以忽略", None), ("南湖镇", "J5"): ("确认有误", "待回复")}, change=edit)
    old = read_review(summary)
    problems = "\n".join(old.problems)
    name = summary.name
    assert f"“{name}”没有“校验结果”表；“校验结果（已审核）”表有相同的表头" in problems
    assert "审核意见“忽略”不是可选项（待核实、确认有误、可以忽略）" in problems
    assert "表的行顺序被改动（如排序）：第4行序号为4，在序号6之后" in problems
    assert "序号为 3 的1行被删除" in problems  # 北关街道 1-2, 南湖镇 3-4, 西山乡 5-6: files in name order
    assert len(old.problems) == 4, problems
    wrong = next(p for p in old.problems if "不是可选项" in p)
    row = next(r for r in old.rows if r.unit == "北关街道" and r.address == "D5")
    assert wrong.startswith(f"“{name}”校验结果（已审核）!J") and row.where == wrong.split("：")[0][len(name) + 2:]
    assert (row.decision, row.note) == ("待核实", "原审核意见：忽略；看过了")

    out = tmp_path / "再次汇总.xlsx"
    done = consolidate(sent, out, "--review", summary)
    assert done.returncode == 1
    for problem in old.problems:  # named in the terminal too
        assert problem in done.stderr.replace("\n", "")
    listed = by_place(out)
    assert listed[("北关街道", "D5")] == ("T3-BALANCE", "待核实", "原审核意见：忽略；看过了")  # nothing lost
    assert listed[("北关街道", "J5")][1:] == ("确认有误", None)
    assert listed[("西山乡", "E5")][1] == "可以忽略" and listed[("南湖镇", "J5")][1:] == ("确认有误", "待回复")
    assert listed[("南湖镇", "D5")][1] == "待核实"  # its row was deleted: new again
    assert "审核意见：沿用 4 条；新出现的问题 1 条（待核实）；已解决 0 条" in done.stdout


def test_a_summary_without_its_findings_sheet_or_not_readable(county, tmp_path):
    sent, summary = county
    wb = openpyxl.load_workbook(summary)
    del wb[FINDINGS]
    wb.save(summary)
    done = consolidate(sent, summary, "--force")
    assert done.returncode == 1  # the run goes on: there is nothing to carry
    assert f"“{summary.name}”没有“校验结果”表，也没有其他表有“审核意见”列" in done.stderr.replace("\n", "")
    assert "审核意见：沿用 0 条；新出现的问题 6 条" in done.stdout
    broken = tmp_path / "坏的.xlsx"
    broken.write_bytes(b"not a workbook")
    refused = consolidate(sent, tmp_path / "新.xlsx", "--review", broken)
    assert refused.returncode == 2 and "“坏的.xlsx”无法读取，审核意见未能沿用" in refused.stderr.replace("\n", "")
    assert not (tmp_path / "新.xlsx").exists()
    over = consolidate(sent, broken, "--force")  # replacing a file that is no summary: said, and done
    assert over.returncode == 1 and "“坏的.xlsx”将被覆盖，但无法读取" in over.stderr.replace("\n", "")


def test_review_and_force_over_another_summary_keep_the_decisions_of_both(county, tmp_path):
    sent, summary = county
    older = tmp_path / "上次.xlsx"
    shutil.copy(summary, older)
    decide(older, {("北关街道", "D5"): ("确认有误", "旧"), ("西山乡", "E5"): ("可以忽略", None)})
    decide(summary, {("北关街道", "D5"): ("可以忽略", "新"), ("南湖镇", "J5"): ("确认有误", "只在被覆盖的汇总中")})
    done = consolidate(sent, summary, "--force", "--review", older)
    assert f"“{summary.name}”将被覆盖，其中有1条审核意见是“{older.name}”中没有的，一并沿用" in done.stderr.replace("\n", "")
    assert "审核意见：沿用 3 条；新出现的问题 0 条（待核实）；已解决 0 条" in done.stdout
    listed = by_place(summary)
    assert listed[("北关街道", "D5")][1:] == ("确认有误", "旧")  # --review's decision where both have one
    assert listed[("西山乡", "E5")][1] == "可以忽略"
    assert listed[("南湖镇", "J5")][1:] == ("确认有误", "只在被覆盖的汇总中")


def test_last_years_decisions_are_not_this_years(tmp_path):
    last, sent = tmp_path / "上年", tmp_path / "回收"
    for folder, year in ((last, YEAR - 1), (sent, YEAR)):
        folder.mkdir()
        unit_workbook(folder, "西山乡", BROKEN["西山乡"], year=year)
    old = tmp_path / "某县2021年汇总.xlsx"
    assert consolidate(last, old, year=YEAR - 1).returncode == 1
    decide(old, {("西山乡", "E5"): ("可以忽略", None), ("西山乡", "J5"): ("可以忽略", None)})
    refused = consolidate(sent, tmp_path / "新.xlsx", "--review", old)
    assert refused.returncode == 2 and not (tmp_path / "新.xlsx").exists()
    assert f"“{old.name}”是{YEAR - 1}年度的汇总，本次汇总{YEAR}年度" in refused.stderr.replace("\n", "")
    over = consolidate(sent, old, "--force")  # replaced, as asked; its decisions are not carried
    assert over.returncode == 1 and "其中的审核意见不沿用" in over.stderr.replace("\n", "")
    assert {d for _, d, _ in by_place(old).values()} == {"待核实"}


class _Run:
    """What `carry` needs of a Consolidation: the files and their findings."""

    def __init__(self, *submissions):
        self.files = [FileOutcome(s, ACCEPTED) for s in submissions]


def _finding(address, message="不平衡", cells=("t3.forward.natural",)):
    return Finding("T3-BALANCE", ERROR, message, cells=cells, sheet="表三", address=address)


def test_carry_matches_the_same_finding_through_a_new_file_name_and_new_figures():
    old = OldReview("旧.xlsx", [
        OldRow("东河镇", "东河镇.xlsx", "T3-BALANCE", sheet="表三", address="D5", message="7 ≠ 8", decision="可以忽略",
               cells="t3.forward.natural"),
        OldRow("东河镇", "东河镇.xlsx", "T3-BALANCE", sheet="表三", address="J5", message="16 ≠ 17",
               decision="确认有误", cells="t3.forward.total"),
        OldRow("西山乡", "西山乡.xlsx", "T3-BALANCE", sheet="表三", address="D5", message="x", decision="待核实",
               cells="t3.forward.natural"),
    ])
    new = _Run(Submission("in/东河镇（改）.xlsx", unit=" 东河镇", findings=(
        _finding("D5", "7 ≠ 9"), _finding("K5", cells=("t3.forward.other",)))))
    review = carry(old, new)
    assert list(review.decisions) == [("in/东河镇（改）.xlsx", 0)]
    assert review.decision("in/东河镇（改）.xlsx", 0).decision == "可以忽略"
    assert review.decision("in/东河镇（改）.xlsx", 1).decision == "待核实"
    assert (review.carried, review.new, review.gone) == (1, 1, 1)
    assert [r.address for r in review.resolved] == ["J5"]
    assert review.ignored() == {"in/东河镇（改）.xlsx": frozenset({0})}
    # an old summary without the 单元格编号 column: matched by sheet and address
    by_address = OldReview("旧.xlsx", [OldRow("东河镇", "", "T3-BALANCE", sheet="表三", address="D5", decision="确认有误")])
    assert carry(by_address, new).carried == 1


def test_the_drop_down_works_in_libreoffice_and_its_choices_carry(county, tmp_path):
    sent, summary = county
    ws = openpyxl.load_workbook(summary)[FINDINGS]
    header = {c.value: c.column_letter for c in ws[1]}
    column = header[DECISION]
    places = {(ws[f"A{n}"].value, ws[f"F{n}"].value): n for n in range(2, ws.max_row + 1)}
    wrong, right = f"{column}{places[('北关街道', 'D5')]}", f"{column}{places[('西山乡', 'E5')]}"
    typed = tmp_path / "在LibreOffice中审核.xlsx"
    (result,) = run_libreoffice([{"op": "validation", "in": str(summary), "sheet": FINDINGS,
                                  "cells": [wrong, right, "A2"], "strings": {wrong: "随便写的", right: "可以忽略"},
                                  "out": str(typed)}])
    for cell in (wrong, right):
        assert result["cells"][cell] == {"kind": "LIST", "formula": '"待核实";"确认有误";"可以忽略"', "show_list": 1,
                                         "show_error": True, "error_style": "STOP"}
    assert result["cells"]["A2"]["kind"] == "ANY"
    assert result["invalid"] == [wrong]  # LibreOffice's own check marks the value outside the list, only it
    # what was typed in LibreOffice and saved carries over; the wrong value is named and kept as a note
    again = tmp_path / "再次汇总.xlsx"
    done = consolidate(sent, again, "--review", typed)
    assert f"“{typed.name}”{FINDINGS}!{wrong}：审核意见“随便写的”不是可选项" in done.stderr.replace("\n", "")
    listed = by_place(again)
    assert listed[("西山乡", "E5")][1] == "可以忽略"
    assert listed[("北关街道", "D5")][1:] == ("待核实", "原审核意见：随便写的")
    assert openpyxl.load_workbook(typed)[FINDINGS].data_validations.dataValidation  # LibreOffice kept it
    assert not ooxml_errors(summary) and not ooxml_errors(again)
