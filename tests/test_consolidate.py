"""The county's job end to end, as the county office and the units do it: a roster, `xxgk distribute`,
workbooks filled by the units and saved in a spreadsheet program (LibreOffice here), `xxgk consolidate`.

The summary is checked against sums computed here independently, with pandas, from the files the
units sent; every kind of trouble lands on 报送情况 with its reason; summaries roll up."""
import datetime
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import fill_workbook, run_libreoffice
from toolkit.core.formats import get_format
from toolkit.core.rules import computed_totals
from toolkit.app.samples import plausible_report, zequ_2022
from toolkit.io.workbook.reader import read_workbook
from toolkit.io.workbook.roster_book import roster_bytes
from toolkit.core.roster import RosterUnit
from workbooks import entries

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
YEAR = 2022
ROSTER = [("东河镇", "乡镇"), ("西山乡", "乡镇"), ("北关街道", "街道"), ("县民政局", "县级部门"), ("县教育局", "县级部门"),
          ("泽曲镇", "乡镇"), ("南湖镇", "乡镇")]
ACCEPTED = ["东河镇 2022年报.xlsx", "西山乡 2022年报（修改后）.xlsx", "北关街道 2022年报.xlsx", "泽曲镇 2022年报.xlsx"]
DECISIONS = {"t2.licensing.decisions", "t2.penalty.decisions", "t2.enforcement.decisions"}


def run(*args, cwd=None):
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([XXGK, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def digests(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def county(tmp_path_factory, templates):
    """A county: roster, distributed workbooks, the workbooks units sent back (saved by LibreOffice),
    and the summary of them."""
    root = tmp_path_factory.mktemp("county")
    roster = root / "单位名单.xlsx"
    roster.write_bytes(roster_bytes(tuple(RosterUnit(n, lv) for n, lv in ROSTER)))
    # Workbooks without buttons: LibreOffice saves what the units send back as .xlsx (macro-enabled
    # workbooks, as distribute writes them by default, are consolidated in test_distribute).
    done = run("distribute", "--roster", roster, "--year", YEAR, "-o", root / "分发", "--no-macros")
    assert done.returncode == 0, done.stderr
    sent, typed = root / "回收", root / "typed"
    sent.mkdir()
    typed.mkdir()
    reports = {}

    def fill(name, source, report, values=None, info=None):
        reports[name] = report
        fill_workbook(source, typed / name, {**entries(report), **(values or {})},
                      {"info.filler": "李四", "info.date": datetime.date(2023, 1, 10), **(info or {})}, report.texts)

    given = root / "分发"
    fill("东河镇 2022年报.xlsx", given / "东河镇 2022年报.xlsx", plausible_report("东河镇", "乡镇", YEAR, seed=1))
    fill("西山乡 2022年报.xlsx", given / "西山乡 2022年报.xlsx", plausible_report("西山乡", "乡镇", YEAR, seed=2),
         info={"info.date": datetime.date(2023, 1, 8)})
    fill("西山乡 2022年报（修改后）.xlsx", given / "西山乡 2022年报.xlsx", plausible_report("西山乡", "乡镇", YEAR, seed=3),
         info={"info.date": datetime.date(2023, 1, 16)})
    beiguan = plausible_report("北关街道", "街道", YEAR, seed=4)
    fill("北关街道 2022年报.xlsx", given / "北关街道 2022年报.xlsx", beiguan,
         values={"t3.forward.natural": beiguan.values["t3.forward.natural"] + 1})  # T3-BALANCE: still summed
    fill("县民政局 2021年报.xlsx", given / "县民政局 2022年报.xlsx", plausible_report("县民政局", "县级部门", YEAR, seed=5),
         info={"info.year": 2021})
    fill("县教育局 2022年报.xlsx", given / "县教育局 2022年报.xlsx", plausible_report("县教育局", "县级部门", YEAR, seed=6),
         values={"t3.new.natural": "十七"})
    zequ = zequ_2022()  # the real township, on the old 2019 template
    fill("泽曲镇 2022年报.xlsx", templates["2019"], zequ,
         info={"info.unit": zequ.unit, "info.level": zequ.level, "info.year": zequ.year})
    fill("外县某镇 2022年报.xlsm", templates["2021"], plausible_report("外县某镇", "乡镇", YEAR, seed=7),
         info={"info.unit": "外县某镇", "info.level": "乡镇", "info.year": YEAR})
    run_libreoffice([{"op": "recalc", "in": str(p), "out": str(sent / p.name)} for p in sorted(typed.iterdir())])
    whole = (sent / "东河镇 2022年报.xlsx").read_bytes()
    (sent / "损坏的文件.xlsx").write_bytes(whole[: len(whole) // 3])
    (sent / "旧格式.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 200)
    (sent / "~$东河镇 2022年报.xlsx").write_bytes(b"\0" * 165)  # Excel's lock file of an open workbook
    (sent / "说明.txt").write_text("各单位报送材料", encoding="utf-8")
    before = digests(sent)
    roster_digest = hashlib.sha256(roster.read_bytes()).hexdigest()
    out = root / "汇总"
    done = run("consolidate", sent, "--year", YEAR, "--roster", roster, "-o", out / "某县2022年汇总.xlsx",
               "--unit", "某县", "--long", out / "长表.csv", "--jobs", 2)
    assert digests(sent) == before  # inputs byte-identical
    assert hashlib.sha256(roster.read_bytes()).hexdigest() == roster_digest
    return {"root": root, "sent": sent, "summary": out / "某县2022年汇总.xlsx", "long": out / "长表.csv",
            "done": done, "reports": reports, "roster": roster}


def table_cells(path: Path) -> dict[str, tuple[str, int, int]]:
    """cell id -> (sheet, row, col) of a workbook's table cells, from its defined names (openpyxl)."""
    wb = openpyxl.load_workbook(path, read_only=False)
    out = {}
    for name, dn in wb.defined_names.items():
        if name.startswith(("t2.", "t3.", "t4.")):
            (sheet, ref), = dn.destinations
            cell = wb[sheet][ref.replace("$", "")]
            out[name] = (sheet, cell.row, cell.column)
    return out


def pandas_values(path: Path) -> dict[str, object]:
    """Every table cell's value as pandas reads the file (cached formula values included)."""
    frames = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    out = {}
    for cid, (sheet, row, col) in table_cells(path).items():
        frame = frames[sheet]
        value = frame.iat[row - 1, col - 1] if row <= frame.shape[0] and col <= frame.shape[1] else None
        out[cid] = None if pd.isna(value) else value
    return out


def as_2021(cid: str, values_2019: dict):
    """What a 2019-format unit contributes to a 2021 cell, stated here independently of the maps."""
    if cid.startswith("t3.result.other.other."):
        return values_2019["t3.result.other." + cid.rsplit(".", 1)[1]]
    if cid.startswith("t3.result.other."):
        return None  # the 2019 format does not split （六）
    if cid.startswith(("t3.", "t4.")) or cid in DECISIONS:
        return values_2019[cid]
    return None


def expected_sums(files: list[Path]) -> dict[str, float]:
    fmt = get_format("2021")
    sums = {}
    per_unit = []
    for path in files:
        values = pandas_values(path)
        version = "2019" if "t2.procurement.items" in values else "2021"
        unit = {cid: (values[cid] if version == "2021" else as_2021(cid, values)) for cid in fmt.cells}
        per_unit.append(unit)
        for cid, v in unit.items():
            if v is not None:
                sums[cid] = sums.get(cid, 0) + v
    return sums, per_unit


def test_the_summary_equals_sums_computed_independently_from_the_inputs(county):
    assert county["done"].returncode == 1, county["done"].stderr  # written, but not everything is in order
    expected, _ = expected_sums([county["sent"] / name for name in ACCEPTED])
    summary = pandas_values(county["summary"])
    assert set(summary) == set(get_format("2021").cells)
    for cid, value in summary.items():
        assert value == pytest.approx(expected.get(cid)) if cid in expected else value is None, cid
    assert expected["t3.result.other.other.total"] >= zequ_2022().values.get("t3.result.other.total", 0)


def test_each_units_row_in_the_details_sheet(county):
    frame = pd.read_excel(county["summary"], sheet_name="分单位明细", header=None, engine="openpyxl")
    ids = list(frame.iloc[0])
    rows = frame.iloc[4:].reset_index(drop=True)
    rows.columns = ids
    _, per_unit = expected_sums([county["sent"] / name for name in ACCEPTED])
    assert list(rows["info.unit"]) == ["东河镇", "西山乡", "北关街道", "泽曲镇", "4个单位"]  # roster order, total
    assert list(rows["file"][:4]) == ACCEPTED
    assert list(rows["info.format"][:4].astype(str)) == ["2021", "2021", "2021", "2019"]
    for i, unit in enumerate(per_unit):
        for cid, v in unit.items():
            got = rows[cid][i]
            assert (pd.isna(got) if v is None else got == pytest.approx(v)), (i, cid)
    totals = rows.iloc[4]
    assert totals["no"] == "合计"
    for cid in get_format("2021").cells:
        column = [u[cid] for u in per_unit if u[cid] is not None]
        assert (pd.isna(totals[cid]) if not column else totals[cid] == pytest.approx(sum(column))), cid
    long = pd.read_csv(county["long"], encoding="utf-8-sig")
    assert len(long) == sum(v is not None for u in per_unit for v in u.values())
    first = long[(long["单位名称"] == "泽曲镇") & (long["编号"] == "t3.result.other.other.natural")].iloc[0]
    assert (first["表"], first["列"]) == ("表三", "自然人") and first["数值"] == per_unit[3]["t3.result.other.other.natural"]


def submissions_sheet(path) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name="报送情况", header=None, engine="openpyxl").astype(object).fillna("")


def test_every_file_and_every_roster_unit_lands_on_the_submissions_sheet_with_its_reason(county):
    sheet = submissions_sheet(county["summary"])
    text = "\n".join(" | ".join(str(v) for v in row) for row in sheet.itertuples(index=False))
    assert "共 10 个文件 = 汇总 4 个 + 未汇总 6 个" in text
    assert "单位名单共 7 个单位：已汇总 4 个，已报送未汇总 2 个，未报送 1 个" in text
    files = sheet[sheet[1].astype(str).str.contains(r"\.xls")]
    by_file = {row[1]: (row[6], row[7]) for row in files.itertuples(index=False)}
    assert {name for name, (status, _) in by_file.items() if status == "已汇总"} == set(ACCEPTED)
    reasons = {name: reason for name, (status, reason) in by_file.items() if status == "未汇总"}
    assert "重复报送" in reasons["西山乡 2022年报.xlsx"] and "西山乡 2022年报（修改后）.xlsx" in reasons["西山乡 2022年报.xlsx"]
    assert "年度为2021" in reasons["县民政局 2021年报.xlsx"]
    assert "数据无法识别" in reasons["县教育局 2022年报.xlsx"] and "十七" in reasons["县教育局 2022年报.xlsx"]
    assert "不在单位名单上" in reasons["外县某镇 2022年报.xlsm"]
    assert "无法读取" in reasons["损坏的文件.xlsx"]
    assert "另存为" in reasons["旧格式.xls"]
    assert len(reasons) == 6 and "~$东河镇 2022年报.xlsx" not in by_file and "说明.txt" not in by_file
    assert "按2019年版格式填报" in by_file["泽曲镇 2022年报.xlsx"][1]
    roster_rows = {row[1]: row[5] for row in sheet.itertuples(index=False) if row[5] in ("已汇总", "已报送未汇总", "未报送")}
    assert len(roster_rows) == len(ROSTER)
    assert roster_rows["南湖镇"] == "未报送" and roster_rows["县民政局"] == "已报送未汇总" and roster_rows["泽曲镇"] == "已汇总"
    assert "2019年版表三“（六）其他处理”行（各列）计入2021年版表三“（六）其他处理 3.其他”行（各列）" in text
    unmapped = sheet[sheet[1].astype(str).str.startswith("t2.")]
    zequ = zequ_2022()
    assert {(row[2], row[1]) for row in unmapped.itertuples(index=False)} == {
        ("泽曲镇", cid) for cid in get_format("2019").cells if cid.startswith("t2.") and cid not in DECISIONS}
    procurement = unmapped[unmapped[1] == "t2.procurement.items"].iloc[0]
    assert procurement[4] == zequ.values.get("t2.procurement.items", 0)
    assert procurement[7] == "表二“政府集中采购”行“采购项目数量”列"


def test_the_findings_of_every_unit_with_unit_and_file(county):
    findings = pd.read_excel(county["summary"], sheet_name="校验结果", engine="openpyxl").astype(object).fillna("")
    balance = findings[findings["代码"] == "T3-BALANCE"]
    # 县教育局's unreadable “十七” unbalances its table too; its file is listed, though not summed
    assert set(balance["单位名称"]) == {"北关街道", "泽曲镇", "县教育局"}
    assert set(balance["文件"]) == {"北关街道 2022年报.xlsx", "泽曲镇 2022年报.xlsx", "县教育局 2022年报.xlsx"}
    assert "R-NOT-NUMBER" in set(findings[findings["单位名称"] == "县教育局"]["代码"])
    out = county["done"].stdout
    assert "共 10 个文件 = 汇总 4 个 + 未汇总 6 个" in out and "南湖镇" in out and "T3-BALANCE" in out
    assert "一、本年新收政府信息公开申请数量" in out


def test_the_summary_is_a_report_workbook_that_checks_and_recalculates(county, tmp_path):
    result = read_workbook(county["summary"])
    report = result.report
    assert (report.unit, report.level, report.year, report.format) == ("某县", "县级汇总", YEAR, "2021")
    checked = run("check", county["summary"])
    assert checked.returncode == 1 and "T3-BALANCE" in checked.stdout  # the inputs' imbalance, summed
    recalculated = tmp_path / "recalculated.xlsx"
    run_libreoffice([{"op": "recalc", "in": str(county["summary"]), "out": str(recalculated)}])
    assert read_workbook(recalculated).report.values == {
        **report.values, **computed_totals(report)}  # LibreOffice's totals are the cached ones
    wb = openpyxl.load_workbook(county["summary"])
    charts = wb["统计图"]._charts
    assert len(charts) == 2 and wb.active.title == "报送情况"


def test_a_summary_of_consistent_units_passes_the_check(county, tmp_path):
    clean = [county["sent"] / name for name in ACCEPTED[:2]]
    out = tmp_path / "clean.xlsx"
    done = run("consolidate", *clean, "--year", YEAR, "-o", out, "--unit", "某县", "--long", tmp_path / "long.parquet")
    assert done.returncode == 0, done.stdout + done.stderr
    assert run("check", out).returncode == 0
    long = pd.read_parquet(tmp_path / "long.parquet")
    assert len(long) == 2 * len(get_format("2021").cells) and set(long["单位名称"]) == {"东河镇", "西山乡"}
    report = read_workbook(out).report
    natural = long[long["编号"] == "t3.new.natural"]["数值"].sum()
    assert natural == report.values["t3.new.natural"]


def test_summary_of_summaries_equals_all_at_once(county, tmp_path):
    sent = county["sent"]
    a, b = ACCEPTED[:2], ACCEPTED[2:] + ["外县某镇 2022年报.xlsm"]
    for name, files in (("甲县", a), ("乙县", b), ("全部", a + b)):
        done = run("consolidate", *[sent / f for f in files], "--year", YEAR, "-o", tmp_path / f"{name}.xlsx",
                   "--unit", name)
        assert done.returncode in (0, 1) and (tmp_path / f"{name}.xlsx").exists(), done.stderr
    up = run("consolidate", tmp_path / "甲县.xlsx", tmp_path / "乙县.xlsx", "--year", YEAR, "-o", tmp_path / "某市.xlsx",
             "--unit", "某市")
    assert up.returncode in (0, 1), up.stderr
    top = run("consolidate", tmp_path / "某市.xlsx", "--year", YEAR, "-o", tmp_path / "某省.xlsx", "--unit", "某省")
    assert top.returncode in (0, 1), top.stderr

    def tables(path):
        report = read_workbook(path).report
        return report, {**report.values, **computed_totals(report)}

    everything, expected = tables(tmp_path / "全部.xlsx")
    city, rolled = tables(tmp_path / "某市.xlsx")
    province, twice = tables(tmp_path / "某省.xlsx")
    assert rolled == expected and twice == expected
    assert (everything.level, city.level, province.level) == ("县级汇总", "市级汇总", "省级汇总")
    assert city.previous == everything.previous
    details = pd.read_excel(tmp_path / "某市.xlsx", sheet_name="分单位明细", header=None, engine="openpyxl")
    assert list(details.iloc[4:, 1]) == ["甲县", "乙县", "2个单位"]


def test_outputs_are_not_overwritten_without_force_and_never_half_written(county, tmp_path):
    summary = county["summary"]
    first = summary.read_bytes()
    again = run("consolidate", county["sent"], "--year", YEAR, "--unit", "某县", "-o", summary)
    assert again.returncode == 2 and "已存在" in again.stderr and "--force" in again.stderr
    assert summary.read_bytes() == first
    assert not [p for p in summary.parent.iterdir() if p.name.startswith(".")]  # no temporary file left
    forced = run("consolidate", county["sent"], "--year", YEAR, "-o", summary, "--force", "--unit", "某县",
                 "--roster", county["roster"])
    assert forced.returncode == 1 and read_workbook(summary).report.unit == "某县"


def test_the_summary_in_the_2019_format(county, tmp_path):
    out = tmp_path / "2019.xlsx"
    files = [county["sent"] / name for name in ACCEPTED]
    done = run("consolidate", *files, "--year", YEAR, "-o", out, "--format", "2019", "--unit", "某县")
    assert done.returncode == 1, done.stderr
    report = read_workbook(out).report
    assert report.format == "2019"
    expected, per_unit = expected_sums(files)
    for col in [c.id for c in get_format("2019").table("t3").columns if c.id != "total"]:
        assert report.values[f"t3.result.other.{col}"] == sum(
            expected.get(f"t3.result.other.{r}.{col}", 0) for r in ("overdue_correction", "overdue_fee", "other"))
    assert report.values["t2.licensing.decisions"] == expected["t2.licensing.decisions"]
    assert report.values["t2.procurement.items"] == zequ_2022().values.get("t2.procurement.items", 0)
    text = "\n".join(" ".join(map(str, r)) for r in submissions_sheet(out).itertuples(index=False))
    assert "3个单位按2021年版格式填报，已换算为2019年版汇总" in text and "t2.fees.amount" in text
