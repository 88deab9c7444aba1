"""Inputs that are not what a command expects, each made for real by the test and named after its
defect: named pipes, devices and sockets named like workbooks, folders named like workbooks, link
loops, folders and files that cannot be opened, texts of hundreds of thousands of characters, file
names with terminal escape sequences; and runs cut short (Ctrl+C, a full temporary folder).

Every one is run through the installed `xxgk` in a subprocess with a timeout (a regression fails
instead of hanging): the exit code, the Chinese message naming the path, no traceback, the inputs
as they were, and for `consolidate` the accounting line of 报送情况 covering every path.

Unreadable files are made unreadable for real: the tests run as root, so the command runs under
`setpriv` with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped from its bounding set (root without
the right to read what its permissions forbid), and the files are chmod 000."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import resource
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import TESTS
from toolkit.core.layout import workbook_layout
from toolkit.io.published.export import export_bytes
from toolkit.app.samples import plausible_report, zequ_2022
from toolkit.io.workbook.template import template_bytes
from workbooks import T3, _set_cells

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
YEAR = 2025
WITHOUT_READ_RIGHTS = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
LONG_UNIT = 200_000
BIG_CELL = 50 * 1024 * 1024
EXCEL_LONGEST = 32_767  # characters a cell can hold


def run(*args, timeout: float = 90, prefix=(), **kwargs):
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([*prefix, XXGK, *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=timeout, errors="backslashreplace", **kwargs)


def said(done) -> str:
    return done.stdout + done.stderr


def flat(text: str) -> str:
    """Text without spaces, line breaks and table borders: what a table cell says, however wrapped."""
    return "".join(c for c in text if not c.isspace() and not "\u2500" <= c <= "\u257f")


def no_traceback(done) -> None:
    text = said(done)
    assert "Traceback" not in text and "Error:" not in text and "Errno" not in text, text[-3000:]
    assert "not readable" not in text and "Aborted" not in text, text[-3000:]


def state(root: Path) -> dict:
    """Every entry below `root`, links not followed: a regular file by its sha256, a link by where it
    points, anything else by its kind.  Equal before and after: nothing read was changed."""
    out = {}
    for top, dirs, names in os.walk(root):
        for name in dirs + names:
            path = os.path.join(top, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                out[path] = "link " + os.readlink(path)
            elif stat.S_ISREG(mode):
                with open(path, "rb") as fh:
                    out[path] = hashlib.sha256(fh.read()).hexdigest()
            else:
                out[path] = stat.S_IFMT(mode)
    return out


def submissions_sheet(summary: Path) -> tuple[str, dict]:
    """报送情况 as text, and {file name: (status, reason)} of its rows."""
    sheet = pd.read_excel(summary, sheet_name="报送情况", header=None, engine="openpyxl").astype(object).fillna("")
    text = "\n".join(" | ".join(str(v) for v in row) for row in sheet.itertuples(index=False))
    rows = {str(row[1]): (row[6], str(row[7])) for row in sheet.itertuples(index=False)}
    return text, rows


def workbook(unit: str, seed: int) -> bytes:
    return template_bytes(report=plausible_report(unit, "乡镇", YEAR, "2021", seed=seed))


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    return {"东河镇": workbook("东河镇", 1), "西山乡": workbook("西山乡", 2)}


def consolidate(folder: Path, out: Path, *more, prefix=(), timeout: float = 120):
    return run("consolidate", folder, *more, "--year", YEAR, "--unit", "某县", "-o", out, "--jobs", 1,
               prefix=prefix, timeout=timeout)


# --- 3. hangs: only regular files are read ---------------------------------------------------------

@pytest.fixture()
def not_regular(tmp_path, good):
    """A folder of units' files among which a named pipe, a link to a device that never ends and a
    socket, each named like a workbook, and a named pipe named like a report."""
    sent = tmp_path / "回收"
    sent.mkdir()
    (sent / "东河镇.xlsx").write_bytes(good["东河镇"])
    os.mkfifo(sent / "named-pipe.xlsx")
    os.symlink("/dev/zero", sent / "device-dev-zero.xlsx")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sent / "unix-socket.xlsx"))
    os.mkfifo(tmp_path / "named-pipe.docx")
    yield sent
    server.close()


NOT_REGULAR = {"named-pipe.xlsx": "命名管道", "device-dev-zero.xlsx": "设备文件", "unix-socket.xlsx": "套接字"}


@pytest.mark.parametrize("name", sorted(NOT_REGULAR))
def test_check_refuses_a_named_pipe_device_or_socket_at_once(not_regular, name):
    done = run("check", not_regular / name, timeout=30)
    assert done.returncode == 2 and name in said(done) and NOT_REGULAR[name] in said(done), said(done)
    no_traceback(done)


def test_consolidate_lists_named_pipes_devices_and_sockets_as_not_summed(not_regular, tmp_path):
    before = state(not_regular)
    out = tmp_path / "汇总.xlsx"
    # the pipe given by name too: it is the same input, counted once
    done = consolidate(not_regular, out, not_regular / "named-pipe.xlsx", timeout=60)
    assert done.returncode == 1, said(done)
    no_traceback(done)
    assert state(not_regular) == before
    text, rows = submissions_sheet(out)
    assert "共 4 个文件 = 汇总 1 个 + 未汇总 3 个" in text
    for name, words in NOT_REGULAR.items():
        assert rows[name][0] == "未汇总" and words in rows[name][1], (name, rows[name])


def test_import_refuses_a_named_pipe_at_once(not_regular, tmp_path):
    done = run("import", not_regular.parent / "named-pipe.docx", "-o", tmp_path / "导入", timeout=30)
    assert done.returncode == 2 and "named-pipe.docx" in said(done) and "命名管道" in said(done), said(done)
    no_traceback(done)


# --- 3. hangs: long texts are cut where they are shown ----------------------------------------------

@pytest.fixture(scope="module")
def long_texts(tmp_path_factory, good):
    """Workbooks with a unit name of 200,000 characters, 50 MB of text in a count cell (base64 of
    random bytes: it compresses as little as a real file's text), and the longest texts Excel lets
    a cell hold (32,767 characters) as a unit name and in a count cell."""
    sent = tmp_path_factory.mktemp("long") / "回收"
    sent.mkdir()
    (sent / "东河镇.xlsx").write_bytes(good["东河镇"])
    sheet, ref = workbook_layout("2021").address("info.unit")
    for length in (LONG_UNIT, EXCEL_LONGEST):
        path = sent / f"unit-name-{length}-characters.xlsx"
        path.write_bytes(workbook(f"单位{length}", 4))
        _set_cells(path, sheet, {ref: ("inlineStr", f"<is><t>{'南' * length}</t></is>")})
    for name, length in (("count-cell-50-mb-of-text.xlsx", BIG_CELL), (f"count-cell-{EXCEL_LONGEST}-characters.xlsx",
                                                                       EXCEL_LONGEST)):
        path = sent / name
        path.write_bytes(workbook(name.removesuffix(".xlsx"), 3))
        text = base64.b64encode(os.urandom(length * 3 // 4 + 3)).decode()[:length]
        _set_cells(path, T3, {"D5": ("inlineStr", f"<is><t>{text}</t></is>")})
    return sent


CUT = flat(f"…（共 {EXCEL_LONGEST:,} 个字符）")


def test_check_cuts_a_long_unit_name_and_a_huge_cell_and_says_their_length(long_texts):
    done = run("check", long_texts, timeout=120)
    assert done.returncode == 2, said(done)[-2000:]  # the texts longer than a cell can hold: not read
    no_traceback(done)
    assert flat(said(done)).count(CUT) == 2 and "R-NOT-NUMBER" in said(done)
    for name in (f"unit-name-{LONG_UNIT}-characters.xlsx", "count-cell-50-mb-of-text.xlsx"):
        assert name in said(done)
    assert len(said(done)) < 20_000


def test_consolidate_ends_with_a_long_unit_name_and_a_huge_cell_and_accounts_for_both(long_texts, tmp_path):
    before = state(long_texts)
    out = tmp_path / "汇总.xlsx"
    done = consolidate(long_texts, out, timeout=180)
    assert done.returncode == 1, said(done)[-2000:]
    no_traceback(done)
    assert len(said(done)) < 20_000 and CUT in flat(said(done))
    assert state(long_texts) == before
    text, rows = submissions_sheet(out)
    assert "共 5 个文件 = 汇总 2 个 + 未汇总 3 个" in text
    assert rows[f"unit-name-{EXCEL_LONGEST}-characters.xlsx"][0] == "已汇总"
    status, reason = rows[f"count-cell-{EXCEL_LONGEST}-characters.xlsx"]
    assert status == "未汇总" and CUT in flat(reason) and len(reason) < 2_000
    for name in (f"unit-name-{LONG_UNIT}-characters.xlsx", "count-cell-50-mb-of-text.xlsx"):
        assert rows[name][0] == "未汇总" and len(rows[name][1]) < 2_000


# --- 6. inputs that vanished from the accounting ------------------------------------------------------

@pytest.fixture()
def odd_folders(tmp_path, good):
    """A folder holding a workbook, a folder named like a workbook (with a workbook inside), a link
    to that folder named like a workbook, a link in a subfolder back to the folder, a link to itself, and a
    subfolder nobody may open."""
    sent = tmp_path / "回收"
    (sent / "folder-named.xlsx").mkdir(parents=True)
    (sent / "东河镇.xlsx").write_bytes(good["东河镇"])
    (sent / "folder-named.xlsx" / "西山乡.xlsx").write_bytes(good["西山乡"])
    os.symlink("folder-named.xlsx", sent / "link-to-folder.xlsx")
    (sent / "补报").mkdir()
    os.symlink("..", sent / "补报" / "link-loop-to-parent")
    os.symlink("self-loop.xlsx", sent / "self-loop.xlsx")
    (sent / "unreadable-subfolder").mkdir()
    (sent / "unreadable-subfolder" / "北关镇.xlsx").write_bytes(workbook("北关镇", 3))
    os.chmod(sent / "unreadable-subfolder", 0)
    yield sent
    os.chmod(sent / "unreadable-subfolder", 0o755)


ODD_FOLDERS = {
    "folder-named.xlsx": "这是一个文件夹",
    "link-to-folder.xlsx": "同一个文件夹",
    "link-loop-to-parent": "形成循环",
    "self-loop.xlsx": "符号链接形成循环",
    "unreadable-subfolder": "没有读取权限",
}


def test_consolidate_lists_odd_folders_and_link_loops_so_the_accounts_cover_every_path(odd_folders, tmp_path):
    before = state(odd_folders)
    out = tmp_path / "汇总.xlsx"
    done = consolidate(odd_folders, out, prefix=WITHOUT_READ_RIGHTS, timeout=60)
    assert done.returncode == 1, said(done)
    no_traceback(done)
    assert state(odd_folders) == before
    text, rows = submissions_sheet(out)
    assert "共 7 个文件 = 汇总 2 个 + 未汇总 5 个" in text, text
    assert rows["西山乡.xlsx"][0] == rows["东河镇.xlsx"][0] == "已汇总"
    for name, words in ODD_FOLDERS.items():
        assert rows[name][0] == "未汇总" and words in rows[name][1], (name, rows[name])


def test_consolidate_lists_a_path_that_is_not_there_so_the_accounts_cover_it(tmp_path, good):
    """A mistyped path among the inputs is counted and listed with its reason, not only warned about."""
    folder = tmp_path / "报送"
    folder.mkdir()
    (folder / "东河镇.xlsx").write_bytes(good["东河镇"])
    before = state(folder)
    out = tmp_path / "汇总.xlsx"
    done = consolidate(folder, out, tmp_path / "西山乡（写错的路径）.xlsx")
    assert done.returncode == 1, said(done)
    no_traceback(done)
    assert state(folder) == before
    text, rows = submissions_sheet(out)
    assert "共 2 个文件 = 汇总 1 个 + 未汇总 1 个" in text, text
    status, reason = rows["西山乡（写错的路径）.xlsx"]
    assert status == "未汇总" and "找不到这个文件或文件夹" in reason


def test_check_lists_odd_folders_and_link_loops_in_a_folder(odd_folders):
    done = run("check", odd_folders, prefix=WITHOUT_READ_RIGHTS, timeout=60)
    assert done.returncode == 2, said(done)
    no_traceback(done)
    for name, words in ODD_FOLDERS.items():
        assert name in said(done) and words in said(done), name
    assert said(done).count("未发现错误") == 2  # 东河镇 and 西山乡 (inside folder-named.xlsx)


# --- 7. tracebacks and English ---------------------------------------------------------------------

def test_a_folder_given_to_check_or_export_is_read_like_consolidate_reads_one(tmp_path, good):
    folder = tmp_path / "各单位"
    (folder / "补报").mkdir(parents=True)
    (folder / "东河镇.xlsx").write_bytes(good["东河镇"])
    (folder / "补报" / "西山乡.xlsx").write_bytes(good["西山乡"])
    done = run("check", folder)
    assert done.returncode == 0 and said(done).count("未发现错误") == 2, said(done)
    done = run("export", folder, "-o", tmp_path / "年报")
    assert done.returncode == 0, said(done)
    assert sorted(p.name for p in (tmp_path / "年报").iterdir()) == [
        f"东河镇{YEAR}年政府信息公开工作年度报告.docx", f"西山乡{YEAR}年政府信息公开工作年度报告.docx"]


@pytest.mark.parametrize("command", ["check", "export"])
def test_a_folder_without_workbooks_given_to_check_or_export_is_exit_2(tmp_path, command):
    empty, named = tmp_path / "空文件夹", tmp_path / "folder-named.xlsx"
    empty.mkdir()
    named.mkdir()
    (empty / "说明.txt").write_text("没有工作簿", encoding="utf-8")
    for folder in (empty, named):
        done = run(command, folder, *(["-o", tmp_path / "年报"] if command == "export" else []))
        assert done.returncode == 2 and "中没有工作簿" in said(done) and folder.name in said(done), said(done)
        no_traceback(done)


@pytest.mark.parametrize("command", ["check", "consolidate", "distribute"])
def test_a_folder_given_as_previous_is_a_chinese_error(tmp_path, good, command):
    (tmp_path / "上年").mkdir()
    unit = tmp_path / "东河镇.xlsx"
    unit.write_bytes(good["东河镇"])
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,单位层级\n东河镇,乡镇\n", encoding="utf-8")
    args = {"check": ["check", unit],
            "consolidate": ["consolidate", unit, "--year", YEAR, "--unit", "某县", "-o", tmp_path / "汇总.xlsx"],
            "distribute": ["distribute", "--roster", roster, "--year", YEAR, "-o", tmp_path / "分发"]}[command]
    done = run(*args, "--previous", tmp_path / "上年")
    assert done.returncode == 2 and "上年" in said(done) and "文件夹" in said(done), said(done)
    no_traceback(done)
    assert not (tmp_path / "汇总.xlsx").exists() and not (tmp_path / "分发").exists()


@pytest.fixture()
def unreadable(tmp_path, good):
    folder = tmp_path / "回收"
    folder.mkdir()
    (folder / "东河镇.xlsx").write_bytes(good["东河镇"])
    for name, data in {"no-read-permission.xlsx": good["西山乡"],
                       "no-read-permission.html": export_bytes(zequ_2022(), "html")}.items():
        (folder / name).write_bytes(data)
        os.chmod(folder / name, 0)
    return folder


@pytest.mark.parametrize("command", ["check", "import", "export", "check --previous", "consolidate --previous"])
def test_a_file_without_read_permission_is_a_chinese_error_naming_it(unreadable, tmp_path, command):
    name = "no-read-permission.html" if command == "import" else "no-read-permission.xlsx"
    path, other = unreadable / name, unreadable / "东河镇.xlsx"
    args = {"check": ["check", path], "import": ["import", path, "-o", tmp_path / "导入"],
            "export": ["export", path, "-o", tmp_path / "年报"],
            "check --previous": ["check", other, "--previous", path],
            "consolidate --previous": ["consolidate", other, "--year", YEAR, "--unit", "某县",
                                       "-o", tmp_path / "汇总.xlsx", "--previous", path]}[command]
    done = run(*args, prefix=WITHOUT_READ_RIGHTS)
    assert done.returncode == 2 and name in said(done) and "没有读取权限" in said(done), said(done)
    no_traceback(done)


def test_consolidate_lists_a_file_without_read_permission_as_not_summed(unreadable, tmp_path):
    out = tmp_path / "汇总.xlsx"
    done = consolidate(unreadable, out, prefix=WITHOUT_READ_RIGHTS)
    assert done.returncode == 1, said(done)
    no_traceback(done)
    text, rows = submissions_sheet(out)
    assert "共 2 个文件 = 汇总 1 个 + 未汇总 1 个" in text  # the .html is no workbook: skipped, and said
    assert rows["no-read-permission.xlsx"][0] == "未汇总" and "没有读取权限" in rows["no-read-permission.xlsx"][1]


def test_a_file_size_limit_while_writing_the_summary_is_a_chinese_error_and_leaves_nothing(tmp_path, good):
    sent = tmp_path / "回收"
    sent.mkdir()
    for unit, data in good.items():
        (sent / f"{unit}.xlsx").write_bytes(data)
    before = state(sent)
    out = tmp_path / "汇总" / "汇总.xlsx"
    out.parent.mkdir()
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    for size in (5_000, 30_000):  # in openpyxl's temporary sheet files; then at the summary's own write
        done = run("consolidate", sent, "--year", YEAR, "--unit", "某县", "-o", out, "--jobs", 1,
                   preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, limit)))
        assert done.returncode == 2 and "汇总.xlsx" in said(done), said(done)
        assert "文件大小" in said(done), said(done)
        no_traceback(done)
        assert "Exception ignored" not in said(done)
        assert list(out.parent.iterdir()) == [] and state(sent) == before


INTERRUPTED = TESTS / "interrupted.py"
CTRL_C_POINTS = {
    "while the libraries load": ("ctrl-c:import", "typer"),
    "while reading the second workbook": ("ctrl-c:open:2", "*.xlsx"),
    "summary written to its temporary file, not yet in place": ("ctrl-c:chmod", ".汇总.xlsx.*.tmp"),
}


@pytest.mark.parametrize("point", CTRL_C_POINTS)
def test_ctrl_c_is_exit_130_with_a_chinese_line_and_leaves_no_partial_output(tmp_path, good, point):
    sent = tmp_path / "回收"
    sent.mkdir()
    for unit, data in good.items():
        (sent / f"{unit}.xlsx").write_bytes(data)
    before = state(sent)
    out = tmp_path / "汇总"
    out.mkdir()
    when, pattern = CTRL_C_POINTS[point]
    done = subprocess.run([sys.executable, str(INTERRUPTED), when, pattern, "--", "consolidate", str(sent),
                           "--year", str(YEAR), "--unit", "某县", "-o", str(out / "汇总.xlsx"), "--jobs", "2"],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 130, said(done)
    assert "已中断（Ctrl+C）" in done.stderr and "Traceback" not in said(done) and "KeyboardInterrupt" not in said(done)
    assert list(out.iterdir()) == [] and state(sent) == before


# --- 10. the terminal ---------------------------------------------------------------------------------

ESCAPES = "\x1b[2J\x1b[31m\r\x07\x9b"  # clear the screen, red, back to the line's start, bell, CSI
SHOWN = r"\x1b[2J\x1b[31m\x0d\x07\x9b"


def test_control_characters_in_file_names_are_shown_escaped(tmp_path, good):
    sent = tmp_path / "回收"
    sent.mkdir()
    (sent / "东河镇.xlsx").write_bytes(good["东河镇"])
    odd = sent / f"西山乡{ESCAPES}.xlsx"
    odd.write_bytes(good["西山乡"])
    report = tmp_path / f"泽曲镇{ESCAPES}.html"
    report.write_bytes(export_bytes(zequ_2022(), "html"))
    os.mkfifo(sent / f"管道{ESCAPES}.xlsx")
    runs = {"check": run("check", sent),
            "consolidate": consolidate(sent, tmp_path / "汇总.xlsx"),
            "import": run("import", report, "-o", tmp_path / "导入")}
    for command, done in runs.items():
        text = said(done)
        assert not any(c in text for c in "\x1b\r\x07\x9b"), (command, text)
        assert SHOWN in text, (command, text)
        no_traceback(done)
    done = run("check", sent, "--json")  # JSON escapes them its own way, and reads them back
    assert not any(c in done.stdout for c in "\x1b\r\x07\x9b"), done.stdout
    assert {Path(f["file"]).name for f in json.loads(done.stdout)["files"]} >= {odd.name, "东河镇.xlsx"}


def test_emoji_codes_in_file_names_are_shown_as_written(tmp_path, good):
    """rich would show :smile: as 😄 (escape() guards only its markup's brackets): the terminal does not."""
    path = tmp_path / "东河镇:smile::thumbs_up:.xlsx"
    path.write_bytes(good["东河镇"])
    done = run("check", path)
    assert done.returncode == 0, said(done)
    assert path.name in done.stdout and "\N{SMILING FACE WITH OPEN MOUTH}" not in done.stdout, done.stdout
