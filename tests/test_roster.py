"""The roster (单位名单): CSV in the encodings Chinese Excel writes, the .xlsx the toolkit hands out
and a user fills, and a clear message naming file, row and column for every bad row."""
import openpyxl
import pytest

from toolkit.core.roster import Roster, RosterError, RosterUnit, unit_key

from toolkit.io.roster_file import read_roster
from toolkit.io.workbook.roster_book import roster_bytes

ROWS = "单位名称,单位层级,单位代码,联系人\n泽曲镇,乡镇,632323100,张三\n县委(县政府)办公室,县级部门,,\n北关街道,街道,,李四\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_each_encoding(tmp_path, encoding):
    path = tmp_path / f"单位名单-{encoding}.csv"
    path.write_bytes(ROWS.encode(encoding))
    roster = read_roster(path)
    assert [(u.name, u.level, u.code, u.contact) for u in roster.units] == [
        ("泽曲镇", "乡镇", "632323100", "张三"), ("县委(县政府)办公室", "县级部门", "", ""), ("北关街道", "街道", "", "李四")]
    assert roster.find(" 县委（县政府）办公室 ").name == "县委(县政府)办公室"  # spaces, bracket widths ignored


def test_the_template_filled_as_a_user_would(tmp_path):
    blank = tmp_path / "单位名单.xlsx"
    blank.write_bytes(roster_bytes())
    wb = openpyxl.load_workbook(blank)
    ws = wb["单位名单"]
    assert [c.value for c in ws[1]] == ["单位名称", "单位层级", "单位代码", "联系人"]
    assert any("乡镇" in dv.formula1 and "B2" in str(dv.sqref) for dv in ws.data_validations.dataValidation)
    ws.append(["东河镇", "乡镇", 1101, None])  # a code typed as a number
    ws.append([None, None, None, None])  # a blank row in between is no unit
    ws.append(["县民政局", "县级部门", None, "王五"])
    wb.save(tmp_path / "filled.xlsx")
    roster = read_roster(tmp_path / "filled.xlsx")
    assert roster.units == (RosterUnit("东河镇", "乡镇", "1101", "", 2), RosterUnit("县民政局", "县级部门", "", "王五", 4))


def test_every_bad_row_is_named_with_file_row_and_column(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text("单位名称,单位层级\n东河镇,乡镇\n,街道\n西山乡,村\n东河镇,乡镇\n南湖镇,\n", encoding="utf-8")
    with pytest.raises(RosterError) as info:
        read_roster(path)
    message = str(info.value)
    assert "名单.csv" in message and "4处问题" in message
    assert "第3行“单位名称”列为空" in message
    assert "第4行“单位层级”列：“村”不是可选的单位层级" in message
    assert "第5行“单位名称”列：“东河镇”与第2行重复" in message
    assert "第6行“单位层级”列为空（南湖镇）" in message


def test_missing_columns_and_other_files_are_refused(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text("单位名称,联系人\n东河镇,张三\n", encoding="utf-8")
    with pytest.raises(RosterError, match="缺少列“单位层级”"):
        read_roster(path)
    path.write_text("名称,层级\n东河镇,乡镇\n", encoding="utf-8")
    with pytest.raises(RosterError, match="找不到列名“单位名称”"):
        read_roster(path)
    other = tmp_path / "名单.txt"
    other.write_text("x")
    with pytest.raises(RosterError, match=".xlsx 或 .csv"):
        read_roster(other)
    with pytest.raises(RosterError, match="不存在"):
        read_roster(tmp_path / "nowhere.csv")
    for folder in (tmp_path / "名单文件夹.csv", tmp_path / "名单文件夹.xlsx"):  # not a traceback
        folder.mkdir()
        with pytest.raises(RosterError, match="是一个文件夹"):
            read_roster(folder)


def test_unit_key():
    assert unit_key("县委 (县政府)\u3000办公室") == unit_key("县委（县政府）办公室")
    assert Roster(None, (RosterUnit("东河镇", "乡镇"),)).find("东 河 镇").name == "东河镇"


def test_the_template_command_refuses_to_overwrite(tmp_path):
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    xxgk = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
    out = tmp_path / "单位名单.xlsx"
    env = {**os.environ, "NO_COLOR": "1"}
    assert subprocess.run([xxgk, "roster", "--template", "-o", str(out)], env=env).returncode == 0
    first = out.read_bytes()
    again = subprocess.run([xxgk, "roster", "--template", "-o", str(out)], capture_output=True, text=True, env=env)
    assert again.returncode == 2 and "已存在" in again.stderr and out.read_bytes() == first
    empty = subprocess.run([xxgk, "roster", str(out)], capture_output=True, text=True, env=env)
    assert empty.returncode == 2 and "没有单位" in empty.stderr


def test_a_roster_whose_cells_lost_their_closing_tags_is_answered_at_once(tmp_path):
    """Found by a probe of the fuzz test: 20,000 cells without </c> made the scanner's cell pattern run
    to the end of the sheet for each one (minutes).  Now the pattern stops at the next cell; the
    cells that can be read are read.  (A hang guard, not a speed test.)"""
    from fuzz import time_limit
    from workbooks import with_part

    path = tmp_path / "roster-with-cells-without-closing-tags.xlsx"
    path.write_bytes(with_part(roster_bytes(), "xl/worksheets/sheet1.xml", lambda body: body.replace(
        b"</row></sheetData>", b"</row>" + b'<row r="2">' + b'<c r="A2"><v>1</v>' * 20_000 + b"</row></sheetData>")))
    with time_limit(10):
        with pytest.raises(RosterError) as info:
            read_roster(path)
    assert path.name in str(info.value)
