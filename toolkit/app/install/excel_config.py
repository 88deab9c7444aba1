"""Pointing the Excel buttons at the installed Python: xlwings' user configuration.

The buttons' VBA (macros/xlwings.bas) takes each setting from the workbook's xlwings.conf sheet, else
from an xlwings.conf beside the workbook, else from the user's file (%USERPROFILE%\\.xlwings\\
xlwings.conf on Windows).  Our workbooks' sheet names no interpreter, so the user's file decides, and
every distributed workbook finds the Python the installer made, wherever the workbook is.

The file holds lines `"KEY","VALUE"`, read by VBA's `Input #` in the ANSI code page (GBK on Chinese
Windows): the interpreter is written as %LOCALAPPDATA%\\... when it is there (plain ASCII, expanded
by the VBA), else in that code page.  Lines of other keys are kept byte for byte; an interpreter
another program had set is kept aside and put back by `--remove`.
"""
from __future__ import annotations

import os
import platform
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from toolkit.io.files import OutputError, atomic_write

KEYS = {"Windows": "INTERPRETER_WIN", "Darwin": "INTERPRETER_MAC"}
SAVED_NAME = "xlwings.conf.before-xxgk"  # the line we replaced, in the folder holding the environment
# (%LOCALAPPDATA%\\xxgk-toolkit: a reinstall remakes the environment, the folder stays until uninstall)
LINE = re.compile(rb'^\s*"([^"]*)"\s*,')


class ConfigError(RuntimeError):
    """The setting cannot be written; the message (Chinese) says why."""


@dataclass(frozen=True)
class Change:
    path: Path
    value: str
    previous: str | None  # the interpreter another program had set, kept aside


def config_path(system: str | None = None) -> Path:
    """Where xlwings' VBA looks for the user's settings on this system."""
    system = system or platform.system()
    if system == "Darwin":
        return Path.home() / "Library/Containers/com.microsoft.Excel/Data/xlwings.conf"
    return Path(os.environ.get("USERPROFILE") or Path.home()) / ".xlwings" / "xlwings.conf"


def encoding(system: str | None = None) -> str:
    """The code page VBA reads the file in: the ANSI one on Windows."""
    return "mbcs" if (system or platform.system()) == "Windows" and sys.platform == "win32" else "utf-8"


def interpreter_value(interpreter: Path, environ: dict[str, str] | None = None) -> str:
    """The interpreter as the file should name it: under %LOCALAPPDATA% with the variable (ASCII)."""
    environ = os.environ if environ is None else environ
    local = environ.get("LOCALAPPDATA")
    text = str(interpreter)
    local = (local or "").rstrip("\\/")
    if local and text.lower().startswith(local.lower()) and text[len(local):][:1] in ("\\", "/"):
        return "%LOCALAPPDATA%" + text[len(local):]
    return text


def _key_of(line: bytes) -> str | None:
    match = LINE.match(line)
    return match[1].decode("ascii", "replace").upper() if match else None


def with_interpreter(old: bytes, key: str, value: bytes) -> tuple[bytes, bytes | None]:
    """The file's bytes with `key` set to `value`, and the line it replaced (None if there was none)."""
    lines = old.splitlines(keepends=True)
    replaced = next((ln for ln in lines if _key_of(ln) == key), None)
    kept = [ln if ln.endswith(b"\n") else ln + b"\r\n" for ln in lines if _key_of(ln) != key]
    return b"".join(kept) + b'"' + key.encode() + b'","' + value + b'"\r\n', replaced


def without_interpreter(old: bytes, key: str, value: bytes, saved: bytes | None) -> bytes:
    """The file's bytes with our `key` line removed (the saved line of another program put back);
    a line another program wrote since is left alone."""
    lines = old.splitlines(keepends=True)
    ours = b'"' + key.encode() + b'","' + value + b'"'
    out = []
    for line in lines:
        if _key_of(line) == key and line.strip() == ours:
            if saved:
                out.append(saved if saved.endswith(b"\n") else saved + b"\r\n")
            continue
        out.append(line)
    return b"".join(out)


def configure(remove: bool = False, system: str | None = None, interpreter: Path | None = None) -> Change | None:
    """Write (or with `remove`, take back) the interpreter -- by default this environment's python.exe
    (xlwings' DLL, installed at the environment's root, hides its console) -- in the user's xlwings
    settings; None on a system where Excel's buttons do not run (Linux)."""
    system = system or platform.system()
    key = KEYS.get(system)
    if key is None:
        return None
    interpreter = Path(interpreter or sys.executable)
    path, code = config_path(system), encoding(system)
    value = interpreter_value(interpreter)
    try:
        raw = value.encode(code)
    except UnicodeEncodeError:
        raise ConfigError(f"Python 的路径“{value}”含有系统代码页无法表示的字符，Excel 按钮无法使用；"
                          "请把本工具安装在只含中英文字符的路径下") from None
    saved_at = interpreter.parents[2] / SAVED_NAME  # ...\\xxgk-toolkit\\venv\\Scripts\\python.exe
    old = path.read_bytes() if path.is_file() else b""
    try:
        if remove:
            saved = saved_at.read_bytes() if saved_at.is_file() else None
            if path.is_file():
                atomic_write(path, without_interpreter(old, key, raw, saved), force=True)
            return Change(path, value, saved.decode(code, "replace") if saved else None)
        new, replaced = with_interpreter(old, key, raw)
        ours = b'"' + key.encode() + b'","' + raw + b'"'
        previous = replaced if replaced is not None and replaced.strip() != ours else None
        path.parent.mkdir(parents=True, exist_ok=True)
        if previous is not None:
            atomic_write(saved_at, previous, force=True)
        atomic_write(path, new, force=True)
    except (OSError, OutputError) as exc:
        raise ConfigError(f"无法写入 xlwings 的设置文件“{path}”：{getattr(exc, 'strerror', None) or exc}") from exc
    return Change(path, value, previous.decode(code, "replace").strip() if previous else None)
