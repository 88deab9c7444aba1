"""`xxgk selftest`: does this installation work?  Each step says in Chinese what it checked; the
run passes when every step does.

The sample is the real 泽曲镇 2022 report (toolkit.app.samples): written as the macro-enabled workbook a
unit receives, read back, and checked.  Its figures must come back exactly and its known errors be
found (table 三 does not balance), so the reader, the rules, the templates and the VBA project are
all exercised.  On Windows the buttons' setting must name this Python (`xxgk excel-config`).
"""
from __future__ import annotations

import os
import platform
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

KNOWN_ERROR = "T3-BALANCE"  # what the 泽曲镇 sample's table 三 breaks


@dataclass(frozen=True)
class Step:
    name: str
    ok: bool
    detail: str


def _files() -> str:
    from toolkit.core.formats import VERSIONS
    from toolkit.io.resources import MACROS_DIR, TEMPLATES_DIR
    from toolkit.io.vba.own_project import MACRO_FILES

    missing = [MACROS_DIR / n for n, _ in MACRO_FILES if not (MACROS_DIR / n).is_file()]
    missing += [TEMPLATES_DIR / f"xxgk-template-{v}{s}" for v in VERSIONS for s in (".xlsx", ".xlsm")
                if not (TEMPLATES_DIR / f"xxgk-template-{v}{s}").is_file()]
    if missing:
        raise AssertionError(f"缺少 {missing[0]} 等 {len(missing)} 个文件")
    return f"宏源文件和空白模板齐全（{TEMPLATES_DIR}）"


def _sample() -> str:
    from toolkit.app.checking import check_file
    from toolkit.app.distribute import unit_workbook
    from toolkit.core.formats import get_format
    from toolkit.core.model import ERROR
    from toolkit.app.samples import zequ_2022

    report = zequ_2022()
    suffix, data = unit_workbook(report)
    with tempfile.TemporaryDirectory(prefix="xxgk-selftest-") as folder:
        path = Path(folder) / f"示例工作簿{suffix}"
        path.write_bytes(data)
        checked = check_file(path)
    if checked.unreadable:
        raise AssertionError(f"示例工作簿无法读取：{checked.unreadable}")
    cells = get_format(report.format).cells  # totals are formulas, computed when Excel opens the file
    wrong = [cid for cid, v in report.values.items() if not cells[cid].total and checked.report.values.get(cid) != v]
    if wrong:
        raise AssertionError(f"示例工作簿读回的数字与写入的不同（如 {wrong[0]}）")
    codes = {f.code for f in checked.findings}
    if KNOWN_ERROR not in codes:
        raise AssertionError(f"示例工作簿的已知错误 {KNOWN_ERROR} 没有查出")
    errors = sum(1 for f in checked.findings if f.severity == ERROR)
    return f"示例工作簿（泽曲镇2022年报，带按钮的 .xlsm）写出、读回、校验正常：查出已知的 {errors} 个错误"


def _xlwings() -> str:
    import xlwings

    return f"Excel 按钮所需的 xlwings {xlwings.__version__} 可以加载"


def _excel_setting() -> str:
    from toolkit.app.install.excel_config import KEYS, config_path

    key = KEYS.get(platform.system())
    if key is None:
        return "本机不是 Windows 或 macOS，不使用 Excel 按钮，不检查按钮设置"
    path = config_path()
    lines = path.read_text(encoding="mbcs" if sys.platform == "win32" else "utf-8", errors="replace") \
        .splitlines() if path.is_file() else []
    value = next((ln.split(",", 1)[1].strip().strip('"') for ln in lines
                  if ln.strip().upper().startswith(f'"{key}"') and "," in ln), None)
    if value is None:
        raise AssertionError(f"xlwings 设置文件“{path}”中没有 {key}：请运行 xxgk excel-config（安装.bat 会运行它）")
    expanded = os.path.expandvars(value)  # %LOCALAPPDATA%, as the VBA expands it
    if os.path.normcase(os.path.abspath(expanded)) != os.path.normcase(os.path.abspath(sys.executable)):
        raise AssertionError(f"Excel 按钮会使用 {expanded}，而不是本工具的 {sys.executable}："
                             "请运行 xxgk excel-config（安装.bat 会运行它）")
    return f"Excel 按钮使用本工具的 Python（{path} 中的 {key}）"


# Each step by its id; the name it is shown by is common.toml [selftest] steps.
STEPS: list[tuple[str, Callable[[], str]]] = [
    ("files", _files), ("sample", _sample), ("xlwings", _xlwings), ("excel_setting", _excel_setting)]


def _names() -> dict:
    """The steps' names (common.toml [selftest] steps); their ids if the format files cannot be read
    (the files step then says what is wrong)."""
    try:
        from toolkit.core.formats import common_toml

        return dict(common_toml()["selftest"]["steps"])
    except Exception:  # a broken installation: the steps still run and say so
        return {}


def run() -> list[Step]:
    """Every step, each caught: one failing step does not hide the others."""
    out, names = [], _names()
    for key, step in STEPS:
        name = names.get(key, key)
        try:
            out.append(Step(name, True, step()))
        except Exception as exc:  # the step's own message, or what broke
            out.append(Step(name, False, str(exc) or type(exc).__name__))
    return out
