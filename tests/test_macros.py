"""macros/: the VBA sources of the macro-enabled workbook.  xlwings' module and class are the ones
the pinned xlwings ships; our module's macros each run one existing function of toolkit.excel; every
button runs one of them; nothing looks like an auto-run macro."""
import re
import zipfile
from io import BytesIO
from pathlib import Path

import olefile
import xlwings
from oletools.mraptor import re_autoexec
from oletools.olevba import VBA_Project

import toolkit.excel
from toolkit.core.formats import common
from toolkit.io.workbook.macro_workbook import MACRO_FILES, MACROS_DIR

XLWINGS_DIR = Path(xlwings.__file__).parent
BUTTONS_MODULE = MACROS_DIR / "XxgkButtons.bas"


def _sources() -> dict[str, str]:
    return {name: (MACROS_DIR / name).read_bytes().decode("ascii") for name, _ in MACRO_FILES}


def test_xlwings_module_is_the_one_the_pinned_xlwings_ships():
    assert xlwings.__version__ == "0.37.8"
    assert (MACROS_DIR / "xlwings.bas").read_bytes() == (XLWINGS_DIR / "xlwings.bas").read_bytes()


def test_dictionary_class_is_the_one_in_xlwings_standalone_workbook():
    with zipfile.ZipFile(XLWINGS_DIR / "quickstart_standalone.xlsm") as z:
        ole = olefile.OleFileIO(BytesIO(z.read("xl/vbaProject.bin")))
    project = VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False)
    code = {path: source for path, _, source in project.parse_modules()}["VBA/Dictionary"]
    assert (MACROS_DIR / "Dictionary.cls").read_bytes() == code.encode("cp1252")


def test_sources_are_ascii_with_crlf_lines_and_name_their_module():
    for name, text in _sources().items():  # decode("ascii") above fails on anything else
        assert "\n" not in text.replace("\r\n", ""), name
        assert text.startswith(f'Attribute VB_Name = "{name.rsplit(".", 1)[0]}"\r\n')


def _subs(text: str) -> list[str]:
    return re.findall(r"^\s*(?:Public\s+|Private\s+)?Sub\s+(\w+)", text, re.M | re.I)


def test_every_runpython_call_names_a_function_of_toolkit_excel():
    text = BUTTONS_MODULE.read_text(encoding="ascii")
    calls = re.findall(r'RunPython\s+"([^"]*)"', text)
    assert len(calls) == len(_subs(text)) >= 4  # one RunPython per macro
    for call in calls:
        match = re.fullmatch(r"import toolkit\.excel as xx; xx\.(\w+)\(\)", call)
        assert match, f"unexpected RunPython command {call!r}"
        function = getattr(toolkit.excel, match.group(1), None)
        assert callable(function), f"{call!r}: toolkit.excel has no function {match.group(1)}"
        assert function.__code__.co_argcount == 0  # RunPython passes no arguments


def test_every_button_runs_a_macro_that_exists():
    subs = set(_subs(BUTTONS_MODULE.read_text(encoding="ascii")))
    buttons = common().buttons
    assert [b.caption for b in buttons] == ["重新计算", "校验", "清除标记", "导入上年数据", "导出年报"]
    for button in buttons:
        assert button.macro in subs, f"button {button.caption}: no Sub {button.macro} in {BUTTONS_MODULE.name}"
        assert button.macro.isascii()


def test_our_macros_do_not_look_like_auto_run_macros():
    text = BUTTONS_MODULE.read_text(encoding="ascii")
    for sub in _subs(text):
        assert not sub.lower().endswith("_click")
        assert not re_autoexec.search(sub), sub
    assert not re_autoexec.search("\n".join(_sources().values()))
