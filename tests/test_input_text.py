"""Nothing a unit sends can become a formula or stop the run, through `xxgk roster`, `distribute`,
`check`, `consolidate`, `import` and `export`, on real files made here.

Two defects, one test each (named after it), each run through the command line in a subprocess:

- formula-like texts: unit names typed as text (in 单位信息 and in the roster) that begin like a
  formula — `=HYPERLINK(...)`, a DDE call `=cmd|' /C calc'!A0`, `=1+1镇`, `+…`, `-…`, `@…` — and a
  `--unit` of the same kind.  Every workbook written (roster, distributed, summary with its streamed
  sheets and charts, imported) holds them as text (no <f>, openpyxl data_type "s", the text as
  typed) and passes the Open XML SDK validator; the --long CSV puts a single quote in front (OWASP),
  the Parquet table keeps them as typed; the Word and HTML reports hold them as plain text.
- non-UTF-8 file names: files whose names are GBK bytes (a zip made on Chinese Windows, unpacked on
  Linux), one of them not even GBK, in a GBK-named folder, one of them broken.  Every file is
  accounted for and the good ones summed; the names are shown decoded as GBK (else \\xNN) on
  报送情况 with a note, in the long tables, on the terminal and in `check --json`.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import ooxml_validator
from conftest import fill_workbook
from toolkit.app.samples import plausible_report
from workbooks import entries

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
PUBLISHED = Path(__file__).resolve().parent / "fixtures" / "published"
YEAR = 2025
FORMULA_NAMES = ('=HYPERLINK("http://example.com/x","点击")', "=cmd|' /C calc'!A0", "=1+1镇", "+86东河镇", "-西山乡",
                 "@SUM(1,2)街道")
SUMMARY_UNIT = '=HYPERLINK("http://example.com/y","某县")'
TABLE_SHEETS = ("表二 主动公开", "表三 依申请公开", "表四 复议诉讼")


def run(*args, cwd=None):
    """The command line; its output must be UTF-8 (a name it cannot encode would be a traceback)."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    done = subprocess.run([XXGK, *map(str, args)], capture_output=True, cwd=cwd, env=env, timeout=300)
    done.stdout, done.stderr = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    return done


def digests(folder: Path) -> dict:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_valid(*paths: Path) -> None:
    found = ooxml_validator.errors_of_all(paths)
    bad = {p: e for p, e in found.items() if e}
    assert not bad, "\n".join(ooxml_validator.described(p, e) for p, e in bad.items())


def formulas_in(path: Path) -> list[str]:
    """The text of every <f> element of every sheet of a workbook."""
    with zipfile.ZipFile(path) as z:
        return [f.decode() for name in z.namelist() if name.startswith("xl/worksheets/")
                for f in re.findall(rb"<f[^>]*>(.*?)</f>", z.read(name), re.S)]


def cells_holding(path: Path, texts) -> list[tuple[str, str, str, object]]:
    """(sheet, cell, data type, value) of every cell whose value contains one of `texts`."""
    wb = openpyxl.load_workbook(path)
    return [(ws.title, c.coordinate, c.data_type, c.value) for ws in wb for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and any(t in c.value for t in texts)]


def assert_text_only(path: Path, texts, expected_cells: int = 1) -> list:
    """No formula anywhere in the workbook carries `texts`, every cell holding them is a text cell,
    and at least `expected_cells` of them hold one exactly as typed."""
    leaked = [f for f in formulas_in(path) if any(t in f or t.lstrip("=") in f for t in texts)]
    assert not leaked, f"{path.name}: formulas made of input text: {leaked}"
    found = cells_holding(path, texts)
    assert all(kind == "s" for _, _, kind, _ in found), [c for c in found if c[2] != "s"]
    exact = [c for c in found if c[3] in texts]
    assert len(exact) >= expected_cells, (path.name, found)
    return found


def typed_as_text(path: Path, sheet: str, ref: str, value: str) -> None:
    """A clerk typing '=1+1镇 in Excel: a text cell (openpyxl would make "=…" a formula)."""
    wb = openpyxl.load_workbook(path)
    cell = wb[sheet][ref]
    cell.value = value
    cell.data_type = "s"
    wb.save(path)


# --- formula-like texts ----------------------------------------------------------------------------

def test_formula_like_texts_are_written_as_text_everywhere(tmp_path, templates):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    roster = inputs / "单位名单.csv"
    with roster.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["单位名称", "单位层级", "单位代码", "联系人"])
        for name in FORMULA_NAMES:
            writer.writerow([name, "乡镇", "=1+2", "@张三"])
    checked = run("roster", roster)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert all(name in checked.stdout for name in ("=1+1镇", "@SUM(1,2)街道", "-西山乡"))

    # distribute: each unit's name is written into its workbook as text
    given = tmp_path / "分发"
    done = run("distribute", "--roster", roster, "--year", YEAR, "-o", given, "--no-macros")
    assert done.returncode == 0, done.stdout + done.stderr
    distributed = sorted(given.glob("*.xlsx"))
    assert len(distributed) == len(FORMULA_NAMES)
    for path in distributed:
        assert_text_only(path, FORMULA_NAMES)

    # the units fill in their figures (the name stays as distributed); one more unit types its own
    # name as text into a blank workbook: it is not on the roster
    sent = inputs / "回收"
    sent.mkdir()
    for i, path in enumerate(distributed, start=1):
        wb = openpyxl.load_workbook(path)
        (sheet, ref), = wb.defined_names["info.unit"].destinations
        name = wb[sheet][ref.replace("$", "")].value
        fill_workbook(path, sent / path.name, entries(plausible_report(name, "乡镇", YEAR, seed=i)))
    stranger = fill_workbook(templates["2021"], sent / "stranger.xlsx",
                             entries(plausible_report("x", "乡镇", YEAR, seed=9)),
                             {"info.level": "乡镇", "info.year": YEAR})
    typed_as_text(stranger, "单位信息", "B3", "=2+2镇")
    before = digests(inputs)

    check = run("check", "--json", *sorted(sent.iterdir()))
    assert check.returncode == 0, check.stdout + check.stderr
    units = {Path(item["file"]).name: item["unit"] for item in json.loads(check.stdout)["files"]}
    assert set(units.values()) == {*FORMULA_NAMES, "=2+2镇"}

    summary, long_csv, long_parquet = tmp_path / "汇总.xlsx", tmp_path / "长表.csv", tmp_path / "长表.parquet"
    done = run("consolidate", sent, "--year", YEAR, "--roster", roster, "--unit", SUMMARY_UNIT, "-o", summary,
               "--long", long_csv)
    assert done.returncode == 1, done.stdout + done.stderr  # the stranger is not on the roster
    assert f"共 {len(FORMULA_NAMES) + 1} 个文件 = 汇总 {len(FORMULA_NAMES)} 个 + 未汇总 1 个" in done.stdout
    again = run("consolidate", sent, "--year", YEAR, "--roster", roster, "--unit", SUMMARY_UNIT,
                "-o", tmp_path / "again.xlsx", "--long", long_parquet)
    assert again.returncode == 1, again.stdout + again.stderr
    assert digests(inputs) == before

    # the summary: 单位信息 (--unit), 报送情况, 分单位明细, 校验结果 (streamed), 统计图 (and its chart)
    found = assert_text_only(summary, (*FORMULA_NAMES, SUMMARY_UNIT, "=2+2镇"), len(FORMULA_NAMES) * 3 + 1)
    sheets = {sheet for sheet, _, _, _ in found}
    assert {"单位信息", "报送情况", "问题汇总", "分单位明细", "统计图"} <= sheets
    wb = openpyxl.load_workbook(summary)
    assert wb["单位信息"]["B3"].value == SUMMARY_UNIT and wb["单位信息"]["B3"].quotePrefix
    assert {wb["统计图"].cell(r, 1).value for r in range(3, 3 + len(FORMULA_NAMES))} == set(FORMULA_NAMES)
    assert all(sheet in TABLE_SHEETS for sheet in
               {ws.title for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"})
    with zipfile.ZipFile(summary) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3 and all(re.search(r"<(c:)?cat><(c:)?strRef><(c:)?f>", c) for c in charts)  # text labels (统计图, 问题汇总)
    assert_valid(summary, *distributed)

    # the long tables: a quote in front of formula-like text in the CSV, the Parquet as typed
    with long_csv.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["单位名称"] for r in rows} == {"'" + n for n in FORMULA_NAMES}
    assert not [v for r in rows for k, v in r.items() if k != "数值" and v[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert all(isinstance(float(r["数值"]), float) for r in rows)  # the figures stay numbers
    table = pd.read_parquet(long_parquet)
    assert set(table["单位名称"]) == set(FORMULA_NAMES)
    assert table["数值"].dtype == "float64"

    # import: a published report of a unit named like a formula; export to Word and HTML
    report = tmp_path / "published.txt"
    report.write_text((PUBLISHED / "zequ-town-2022-published.txt").read_text(encoding="utf-8")
                      .replace("泽曲镇", "=1+1镇"), encoding="utf-8")
    imported = run("import", report, "-o", tmp_path / "导入")
    assert imported.returncode == 1, imported.stdout + imported.stderr  # the sample's table 三 does not balance
    workbook, = (tmp_path / "导入").glob("*.xlsx")
    texts = assert_text_only(workbook, ("=1+1镇",), 0)
    assert any(sheet == "文字部分" and value.startswith("=1+1镇") for sheet, _, _, value in texts)
    assert_valid(workbook)
    for to in ("docx", "html"):
        exported = run("export", sent / distributed[2].name, "--to", to, "-o", tmp_path / "导出")
        assert exported.returncode == 0, exported.stdout + exported.stderr
    docx, = (tmp_path / "导出").glob("*.docx")
    with zipfile.ZipFile(docx) as z:
        document = z.read("word/document.xml").decode()
    assert "=1+1镇" in document and "instrText" not in document and "fldSimple" not in document
    html, = (tmp_path / "导出").glob("*.html")
    assert "=1+1镇" in html.read_text(encoding="utf-8")
    assert_valid(docx)


def test_roster_workbook_keeps_formula_like_names_as_text(tmp_path):
    from toolkit.core.roster import RosterUnit
    from toolkit.io.roster_file import read_roster
    from toolkit.io.workbook.roster_book import roster_bytes

    path = tmp_path / "单位名单.xlsx"
    path.write_bytes(roster_bytes(tuple(RosterUnit(n, "乡镇", "=1+2", "@张三") for n in FORMULA_NAMES)))
    assert_text_only(path, (*FORMULA_NAMES, "=1+2", "@张三"), len(FORMULA_NAMES))
    assert [u.name for u in read_roster(path).units] == list(FORMULA_NAMES)
    done = run("roster", path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert_valid(path)


# --- non-UTF-8 file names --------------------------------------------------------------------------

def gbk(name: str) -> str:
    """A file name as Linux gives Python the GBK bytes of a zip made on Chinese Windows."""
    return os.fsdecode(name.encode("gbk"))


def test_non_utf8_file_names_are_consolidated_and_named_readably(tmp_path, templates):
    inputs = tmp_path / "inputs"
    folder = inputs / gbk("回收")
    folder.mkdir(parents=True)
    units = {"东河镇": gbk("东河镇 2025年报.xlsx"), "西山乡": gbk("西山乡") + os.fsdecode(b"\xff") + ".xlsx",
             "北关街道": "北关街道 2025年报.xlsx"}
    for i, (unit, name) in enumerate(units.items(), start=1):
        report = plausible_report(unit, "乡镇", YEAR, seed=i)
        fill_workbook(templates["2021"], folder / name, entries(report),
                      {"info.unit": unit, "info.level": "乡镇", "info.year": YEAR})
    broken = folder / gbk("南湖镇.xlsx")
    broken.write_bytes(b"not a workbook")
    published = inputs / gbk("泽曲镇年报.txt")
    shutil.copy(PUBLISHED / "zequ-town-2022-published.txt", published)
    before = digests(inputs)
    shown = {"东河镇 2025年报.xlsx", "西山乡\\xff.xlsx", "北关街道 2025年报.xlsx", "南湖镇.xlsx"}

    summary, long_csv, long_parquet = tmp_path / "汇总.xlsx", tmp_path / "长表.csv", tmp_path / "长表.parquet"
    done = run("consolidate", inputs, "--year", YEAR, "--unit", "某县", "-o", summary, "--long", long_csv)
    assert done.returncode == 1, done.stdout + done.stderr  # 南湖镇.xlsx is not a workbook
    assert "共 4 个文件 = 汇总 3 个 + 未汇总 1 个" in done.stdout
    assert "南湖镇.xlsx" in done.stdout and "\udcc4" not in done.stdout
    again = run("consolidate", inputs, "--year", YEAR, "--unit", "某县", "-o", tmp_path / "again.xlsx",
                "--long", long_parquet)
    assert again.returncode == 1, again.stdout + again.stderr

    wb = openpyxl.load_workbook(summary)
    files = {row[1]: row for row in wb["报送情况"].iter_rows(values_only=True) if row[1] in shown}
    assert set(files) == shown
    assert files["南湖镇.xlsx"][6] == "未汇总" and "南湖镇.xlsx" in files["南湖镇.xlsx"][7]
    for name in shown - {"北关街道 2025年报.xlsx"}:
        assert "文件名不是 UTF-8 编码" in files[name][7], files[name]
    assert "文件名不是 UTF-8" not in (files["北关街道 2025年报.xlsx"][7] or "")
    details = {row[5] for row in wb["分单位明细"].iter_rows(min_row=5, values_only=True)}
    assert shown - {"南湖镇.xlsx"} <= details
    with long_csv.open(encoding="utf-8-sig", newline="") as fh:
        assert {r["文件"] for r in csv.DictReader(fh)} == shown - {"南湖镇.xlsx"}
    assert set(pd.read_parquet(long_parquet)["文件"]) == shown - {"南湖镇.xlsx"}
    assert_valid(summary, tmp_path / "again.xlsx")

    # check: the terminal and the JSON name the files readably
    check = run("check", *sorted(folder.iterdir()))
    assert check.returncode == 2, check.stdout + check.stderr  # the broken one
    assert all(name in check.stdout for name in shown), check.stdout
    as_json = run("check", "--json", *sorted(folder.iterdir()))
    assert as_json.returncode == 2
    listed = json.loads(as_json.stdout)["files"]
    assert {Path(item["file"]).name for item in listed} == shown
    assert all(Path(item["file"]).parent.name == "回收" for item in listed)

    # import: a published report named in GBK; the workbook is named after its unit and year
    imported = run("import", published, "-o", tmp_path / "导入")
    assert imported.returncode == 1, imported.stdout + imported.stderr  # the sample's table 三 does not balance
    assert "泽曲镇年报.txt" in imported.stdout
    workbook, = (tmp_path / "导入").glob("*.xlsx")
    assert_valid(workbook)
    assert digests(inputs) == before
