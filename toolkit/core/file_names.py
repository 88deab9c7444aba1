"""File names made from a unit's name: accepted by Windows, macOS and Linux alike (the workbooks we
distribute, the reports we export, the notices we send back)."""
from __future__ import annotations

import re

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
NAME_LIMIT = 80  # characters of the unit name kept in a file name


def safe_file_name(text: str) -> str:
    """A file name part that Windows, macOS and Linux all accept: no <>:"/\\|?*, no control
    characters, no trailing dots or spaces, no reserved device name (CON, NUL, COM1...)."""
    name = _FORBIDDEN.sub("_", text).strip().rstrip(". ")[:NAME_LIMIT].rstrip(". ")
    if not name:
        name = "未命名单位"
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    return name
