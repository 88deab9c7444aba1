"""`toolkit.read_reports(paths)`: the reports as one pandas DataFrame, one row per unit × cell, for
the analysts — and `xxgk consolidate --long`, written through the same rows, unchanged.

Each figure is compared with the report the workbook was made of (not with what the reader read);
the --long file with one written here independently (csv module, the format's labels)."""
import csv
import io
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import toolkit
from toolkit.core.formats import cell_map, get_format
from toolkit.io.published.export import export_bytes
from toolkit.core.rules import computed_totals
from toolkit.app.samples import plausible_report, zequ_2022
from toolkit.io.workbook.template import template_bytes

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
YEAR = 2022
UNITS = [("东河镇", "乡镇", 1), ("西山乡", "乡镇", 2), ("北关街道", "街道", 3), ("县民政局", "县级部门", 4)]
COLUMNS = ["单位名称", "单位层级", "年度", "报告格式", "文件", "路径", "编号", "表", "行", "列", "数值"]


def figures(report) -> dict:
    """Every cell's figure: the entries reported, the totals as their formulas give them."""
    return {**report.values, **computed_totals(report)}


def labels(version: str, cid: str) -> tuple[str, str, str]:
    """(表, 行, 列) of a cell, from the format file directly."""
    fmt = get_format(version)
    cell = fmt.cells[cid]
    if cell.row.labels:
        return fmt.table(cell.table).short, cell.row.name, cell.column.name
    return fmt.table(cell.table).short, " ".join(cell.column.labels[:-1]), cell.column.labels[-1]


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """A folder of four units' 2021 workbooks (with a subfolder) and a note that is no workbook."""
    root = tmp_path_factory.mktemp("read_reports")
    folder = root / "回收"
    (folder / "街道").mkdir(parents=True)
    reports = {}
    for unit, level, seed in UNITS:
        report = plausible_report(unit, level, YEAR, "2021", seed=seed)
        where = folder / "街道" if level == "街道" else folder
        (where / f"{unit} {YEAR}年报.xlsx").write_bytes(template_bytes("2021", report))
        reports[unit] = report
    (folder / "说明.txt").write_text("各单位报送材料", encoding="utf-8")
    return {"root": root, "folder": folder, "reports": reports}


def test_a_folder_of_workbooks_is_one_row_per_unit_and_cell_with_every_figure(county):
    frame = toolkit.read_reports(county["folder"])
    fmt = get_format("2021")
    assert list(frame.columns) == COLUMNS
    assert len(frame) == len(UNITS) * len(fmt.cells)
    assert set(frame["单位名称"]) == {u for u, _, _ in UNITS}
    for unit, report in county["reports"].items():
        mine = frame[frame["单位名称"] == unit]
        assert len(mine) == len(fmt.cells) and list(mine["编号"]) == list(fmt.cells)
        assert dict(zip(mine["编号"], mine["数值"])) == pytest.approx(figures(report))
        assert set(mine["单位层级"]) == {report.level} and set(mine["年度"]) == {YEAR}
        assert set(mine["报告格式"]) == {"2021"} and set(mine["文件"]) == {f"{unit} {YEAR}年报.xlsx"}
        assert all(Path(p).name == f"{unit} {YEAR}年报.xlsx" and Path(p).exists() for p in mine["路径"])
    assert frame["数值"].dtype == "float64" and frame["年度"].dtype == "Int64"
    assert all(pd.api.types.is_string_dtype(frame[c]) for c in COLUMNS if c not in ("年度", "数值"))
    assert not frame["数值"].isna().any()
    for cid in ("t2.rules.made", "t3.new.natural", "t3.result.other.other.natural", "t2.fees.amount",
                next(c for c in fmt.cells if c.startswith("t4."))):
        row = frame[(frame["单位名称"] == "东河镇") & (frame["编号"] == cid)].iloc[0]
        assert (row["表"], row["行"], row["列"]) == labels("2021", cid), cid
    assert frame.attrs["unreadable"] == {}
    assert list(frame.attrs["skipped"]) == [str(county["folder"] / "说明.txt")]
    # what an analyst does next: a pivot by unit
    wide = frame.pivot(index="单位名称", columns="编号", values="数值")
    assert wide.loc["西山乡", "t3.new.natural"] == county["reports"]["西山乡"].values["t3.new.natural"]


def test_a_published_report_is_read_like_a_workbook(tmp_path):
    zequ = zequ_2022()
    docx = tmp_path / "泽曲镇2022年政府信息公开工作年度报告.docx"
    docx.write_bytes(export_bytes(zequ, "docx"))
    frame = toolkit.read_reports([docx])
    fmt = get_format(zequ.format)
    assert len(frame) == len(fmt.cells) and set(frame["报告格式"]) == {zequ.format}
    assert (frame["单位名称"].iloc[0], frame["单位层级"].iloc[0], frame["年度"].iloc[0]) == (zequ.unit, zequ.level, zequ.year)
    assert dict(zip(frame["编号"], frame["数值"])) == pytest.approx(figures(zequ))
    cid = "t3.new.natural"
    row = frame[frame["编号"] == cid].iloc[0]
    assert (row["表"], row["行"], row["列"]) == labels(zequ.format, cid)


def test_a_mixed_set_each_in_its_own_format_or_converted(tmp_path):
    zequ, dong = zequ_2022(), plausible_report("东河镇", "乡镇", YEAR, "2021", seed=1)
    (tmp_path / "泽曲镇.xlsx").write_bytes(template_bytes("2019", zequ))
    (tmp_path / "东河镇.xlsx").write_bytes(template_bytes("2021", dong))
    own = toolkit.read_reports(tmp_path)
    assert len(own) == len(get_format("2019").cells) + len(get_format("2021").cells)
    for report in (zequ, dong):
        mine = own[own["单位名称"] == report.unit]
        assert set(mine["报告格式"]) == {report.format} and list(mine["编号"]) == list(get_format(report.format).cells)
        assert dict(zip(mine["编号"], mine["数值"])) == pytest.approx(figures(report))
    cid = next(c for c in get_format("2019").cells if get_format("2019").cells[c].row.labels)
    row = own[(own["单位名称"] == zequ.unit) & (own["编号"] == cid)].iloc[0]
    assert (row["表"], row["行"], row["列"]) == labels("2019", cid)

    converted = toolkit.read_reports(tmp_path, format="2021")
    cells = list(get_format("2021").cells)
    assert len(converted) == 2 * len(cells)
    old = converted[converted["单位名称"] == zequ.unit]
    assert list(old["编号"]) == cells and set(old["报告格式"]) == {"2019"}  # its own format, the summary's cells
    mapping = cell_map("2019", "2021")
    expected: dict = {}
    for source, to in mapping.cells.items():
        expected[to] = expected.get(to, 0) + figures(zequ)[source]
    got = dict(zip(old["编号"], old["数值"]))
    assert {c: v for c, v in got.items() if not pd.isna(v)} == pytest.approx(expected)
    assert {c for c, v in got.items() if pd.isna(v)} == set(cells) - set(expected)  # no place in 2019: NaN


def test_unreadable_files_are_listed_with_their_reason(county, tmp_path):
    good = next(county["folder"].glob("东河镇*.xlsx"))
    broken = tmp_path / "损坏的文件.xlsx"
    broken.write_bytes(good.read_bytes()[:2000])
    old = tmp_path / "旧格式.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 200)
    page = tmp_path / "不是年报.html"
    page.write_text("<html><body><p>通知公告</p></body></html>", encoding="utf-8")
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    missing = tmp_path / "没有这个.xlsx"
    with pytest.warns(toolkit.UnreadableFilesWarning, match="5 个文件未能读取"):
        frame = toolkit.read_reports([good, broken, old, page, empty, missing])
    assert set(frame["单位名称"]) == {"东河镇"} and len(frame) == len(get_format("2021").cells)
    why = frame.attrs["unreadable"]
    assert set(why) == {str(p) for p in (broken, old, page, empty, missing)}
    assert why[str(broken)].startswith("“损坏的文件.xlsx”：")
    assert "另存为" in why[str(old)] and "找不到" in why[str(missing)] and "没有工作簿" in why[str(empty)]
    assert why[str(page)].startswith("“不是年报.html”")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert toolkit.read_reports(good).attrs["unreadable"] == {}  # nothing unreadable: no warning


@pytest.mark.parametrize("module", ["toolkit", "toolkit.excel", "toolkit.ui.buttons", "toolkit.app.frames",
                                    "toolkit.io.long_table", "toolkit.app.checking"])
def test_pandas_is_imported_only_when_read_reports_is_called(module):
    code = (f"import sys, {module}; bad = [m for m in ('pandas', 'numpy') if m in sys.modules];"
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_import_toolkit_loads_nothing_but_itself():
    code = ("import sys; before = set(sys.modules); import toolkit; "
            "print(sorted(m for m in set(sys.modules) - before if m.startswith('toolkit')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "['toolkit']", done.stdout + done.stderr


def expected_long_csv(units: list, version: str) -> bytes:
    """The --long CSV of a consolidation of `units` (reports, all summed, in this order), written here
    from the reports and the format file: UTF-8 with BOM, one row per unit and cell."""
    fmt = get_format(version)
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(["单位名称", "单位层级", "报告格式", "文件", "编号", "表", "行", "列", "数值"])
    for report, name in units:
        values = figures(report)
        for cid in fmt.cells:
            unit = ("'" + report.unit) if report.unit[:1] in "=+-@\t\r" else report.unit
            writer.writerow([unit, report.level, report.format, name, cid, *labels(version, cid), values[cid]])
    return "\ufeff".encode() + text.getvalue().encode("utf-8")


def test_long_is_unchanged(tmp_path):
    """`--long` (CSV and parquet) as it was before it was written through the shared rows."""
    units = [(plausible_report("东河镇", "乡镇", YEAR, "2021", seed=1), "a 东河镇.xlsx"),
             (plausible_report("=西山乡", "乡镇", YEAR, "2021", seed=2), "b 西山乡.xlsx")]
    for report, name in units:
        (tmp_path / name).write_bytes(template_bytes("2021", report))
    csv_path, parquet_path = tmp_path / "out" / "长表.csv", tmp_path / "out" / "长表.parquet"
    for long in (csv_path, parquet_path):
        done = subprocess.run([XXGK, "consolidate", *(tmp_path / n for _, n in units), "--year", str(YEAR),
                               "--unit", "某县", "-o", tmp_path / "out" / f"汇总{long.suffix}.xlsx", "--long", long,
                               "--jobs", "1"], capture_output=True, text=True, timeout=300,
                              env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
        assert done.returncode == 0, done.stdout + done.stderr
    assert csv_path.read_bytes() == expected_long_csv(units, "2021")
    parquet = pd.read_parquet(parquet_path)
    again = pd.read_csv(csv_path, encoding="utf-8-sig", dtype={"报告格式": str})
    again["单位名称"] = again["单位名称"].str.removeprefix("'")
    assert parquet.astype({"数值": float}).equals(again.astype({"数值": float}))
    assert list(parquet.dtypes.astype(str)).count("float64") == 1
    # read_reports gives the same figures, with 年度 and 路径 too
    frame = toolkit.read_reports([tmp_path / n for _, n in units])
    assert frame["数值"].tolist() == parquet["数值"].tolist()
    assert frame.drop(columns=["年度", "路径"]).astype(object).equals(parquet.astype(object))


def test_xxgk_check_does_not_load_pandas(county):
    """`xxgk check` (its start-up and its run) never loads read_reports' module or pandas."""
    workbook = next(county["folder"].glob("东河镇*.xlsx"))
    code = ("import sys; sys.argv = ['xxgk', 'check', sys.argv[1]]; import cli\n"
            "try:\n    cli.main()\nexcept SystemExit as exc:\n    code = exc.code\n"
            "print([m for m in ('pandas', 'numpy', 'toolkit.app.frames') if m in sys.modules], code)")
    done = subprocess.run([sys.executable, "-c", code, str(workbook)], capture_output=True, text=True,
                          cwd=Path(__file__).parent.parent, env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
    assert done.stdout.strip().splitlines()[-1] == "[] 0", done.stdout + done.stderr


def test_worker_processes_read_the_same_frame(county, tmp_path):
    files = sorted(county["folder"].rglob("*.xlsx")) * 3  # given three times: each file read once
    broken = tmp_path / "损坏的文件.xlsx"
    broken.write_bytes(files[0].read_bytes()[:2000])
    with pytest.warns(toolkit.UnreadableFilesWarning):
        one = toolkit.read_reports([*files, broken, county["folder"]])
    with pytest.warns(toolkit.UnreadableFilesWarning):
        two = toolkit.read_reports([*files, broken, county["folder"]], jobs=2)
    assert len(one) == len(UNITS) * len(get_format("2021").cells)
    assert one.equals(two) and one.attrs == two.attrs and list(one.attrs["unreadable"]) == [str(broken)]
