"""The xlwings setting that points every workbook's buttons at the installed Python
(toolkit.app.install.excel_config), on real files in a temporary user profile: written as the buttons'
VBA reads it, other settings kept byte for byte, another program's interpreter kept aside and put
back on removal."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from toolkit.app.install.excel_config import (SAVED_NAME, config_path, configure, interpreter_value, with_interpreter,
                                          without_interpreter)

REPO = Path(__file__).resolve().parents[1]
OTHER_LINE = '"INTERPRETER_WIN","C:\\Anaconda3\\pythonw.exe"\r\n'.encode()
KEPT = '"LICENSE_KEY","noncommercial"\r\n"UDF MODULES","我的模块"\r\n'.encode("gbk")  # another program's, in GBK


@pytest.fixture
def profile(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "张三"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "张三" / "AppData" / "Local"))
    return tmp_path / "张三"


def test_the_file_is_where_the_buttons_vba_looks(profile):
    """macros/xlwings.bas: Environ("USERPROFILE") & "\\.xlwings\\xlwings.conf"."""
    vba = (REPO / "macros" / "xlwings.bas").read_text(encoding="cp1252")
    assert 'Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"' in vba
    assert config_path("Windows") == profile / ".xlwings" / "xlwings.conf"


def test_the_interpreter_under_localappdata_is_written_with_the_variable():
    """Plain ASCII whatever the user's name: the VBA expands %LOCALAPPDATA% itself."""
    env = {"LOCALAPPDATA": "C:\\Users\\张三\\AppData\\Local"}
    value = interpreter_value(Path("C:\\Users\\张三\\AppData\\Local\\xxgk-toolkit\\venv\\Scripts\\python.exe"), env)
    assert value == "%LOCALAPPDATA%\\xxgk-toolkit\\venv\\Scripts\\python.exe"
    assert interpreter_value(Path("D:\\Python312\\python.exe"), env) == "D:\\Python312\\python.exe"


def test_setting_keeps_other_lines_and_returns_the_replaced_one():
    new, replaced = with_interpreter(KEPT + OTHER_LINE, "INTERPRETER_WIN", b"%LOCALAPPDATA%\\x\\python.exe")
    assert new == KEPT + b'"INTERPRETER_WIN","%LOCALAPPDATA%\\x\\python.exe"\r\n' and replaced == OTHER_LINE
    assert re.fullmatch(rb'("[^"]*","[^"]*"\r\n)+', new)  # what VBA's Input # reads: "KEY","VALUE" lines


def test_removing_puts_back_the_saved_line_and_leaves_a_newer_one_alone():
    ours = b"%LOCALAPPDATA%\\x\\python.exe"
    new, _ = with_interpreter(KEPT + OTHER_LINE, "INTERPRETER_WIN", ours)
    assert without_interpreter(new, "INTERPRETER_WIN", ours, OTHER_LINE) == KEPT + OTHER_LINE
    newer = KEPT + b'"INTERPRETER_WIN","E:\\other\\python.exe"\r\n'  # someone changed it after us
    assert without_interpreter(newer, "INTERPRETER_WIN", ours, OTHER_LINE) == newer


def test_configure_writes_and_removes_on_a_windows_profile(profile):
    path = profile / ".xlwings" / "xlwings.conf"
    path.parent.mkdir(parents=True)
    path.write_bytes(KEPT + OTHER_LINE)
    home = profile / "AppData" / "Local" / "xxgk-toolkit"
    python = home / "venv" / "Scripts" / "python.exe"
    python.parent.mkdir(parents=True)
    change = configure(system="Windows", interpreter=python)
    assert change.path == path and change.value.startswith("%LOCALAPPDATA%") and change.value.endswith("python.exe")
    assert change.previous == OTHER_LINE.decode().strip()
    assert path.read_bytes() == KEPT + f'"INTERPRETER_WIN","{change.value}"\r\n'.encode()
    saved = home / SAVED_NAME
    assert saved.read_bytes() == OTHER_LINE
    again = configure(system="Windows", interpreter=python)  # a reinstall: nothing new to keep aside
    assert again.previous is None and saved.read_bytes() == OTHER_LINE
    removed = configure(remove=True, system="Windows", interpreter=python)
    assert removed.previous == OTHER_LINE.decode() and path.read_bytes() == KEPT + OTHER_LINE


def test_nothing_is_written_where_excel_s_buttons_do_not_run(profile):
    assert configure(system="Linux") is None
    assert not (profile / ".xlwings").exists()
