"""The files of an offline bundle besides the wheels: the install, uninstall, verify and command
scripts and the Chinese instructions, rendered from the templates in scripts/.

Windows batch files are read by cmd.exe in the console's code page: they are written in GBK (code
page 936, that of Chinese Windows) with CRLF line ends, and each sets `chcp 936` first, so their
Chinese reads right on a PC whatever its code page.  The instructions are UTF-8 with a byte-order
mark and CRLF, which Notepad opens as such.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from importlib import resources

from toolkit.app.install.targets import Target

BATCH_ENCODING = "gbk"


@dataclass(frozen=True)
class Script:
    template: str  # file in scripts/
    name: str  # its name in the bundle
    kind: str  # "batch", "shell" or "text"


WINDOWS_FILES = (Script("install.bat", "安装.bat", "batch"), Script("uninstall.bat", "卸载.bat", "batch"),
                 Script("verify.bat", "验证安装.bat", "batch"), Script("xxgk.bat", "xxgk.bat", "batch"),
                 Script("readme-windows.txt", "安装说明.txt", "text"))
POSIX_FILES = (Script("install.sh", "install.sh", "shell"), Script("uninstall.sh", "uninstall.sh", "shell"),
               Script("verify.sh", "verify.sh", "shell"), Script("xxgk.sh", "xxgk.sh", "shell"),
               Script("readme-posix.txt", "安装说明.txt", "text"))
TEMPLATES_FOLDER = "空白模板"
WHEELS_FOLDER = "wheels"


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    if "@@" in text:
        raise ValueError(f"unfilled placeholder in {text[text.index('@@'):][:30]!r}")
    return text


def _encode(text: str, kind: str) -> bytes:
    if kind == "batch":
        return text.replace("\r\n", "\n").replace("\n", "\r\n").encode(BATCH_ENCODING)
    if kind == "text":
        return "\ufeff".encode() + text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    return text.encode("utf-8")


def scripts(target: Target, version: str, wheel_count: int) -> dict[str, tuple[bytes, bool]]:
    """Bundle file name -> (bytes, executable)."""
    major, minor = target.python
    values = {"VERSION": version, "PYTHON": target.python_text, "PYTHON_DIGITS": f"{major}{minor}",
              "PYTHON_TUPLE": f"{major}, {minor}", "TARGET": target.name, "WHEEL_COUNT": str(wheel_count),
              "DATE": datetime.date.today().isoformat()}
    folder = resources.files(__package__).joinpath("scripts")
    out = {}
    for script in WINDOWS_FILES if target.windows else POSIX_FILES:
        text = folder.joinpath(script.template).read_text(encoding="utf-8")
        out[script.name] = (_encode(_fill(text, values), script.kind), script.kind == "shell")
    return out
