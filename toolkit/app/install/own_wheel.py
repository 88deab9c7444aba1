"""The toolkit's own wheel, made from the toolkit that is installed and running.

The toolkit is on no package index, so an offline bundle must carry it; making it from the installed
files (not from a source checkout) lets a county's IT make a bundle from an ordinary installation.
A wheel install lists its files in the distribution's RECORD: they are taken as they are.  An
editable install (a source checkout) has no such list: the package's files are taken by the
package-data patterns of pyproject.toml, and macros/ and workbook_templates/ from the checkout's
top-level folders, into the package as a built wheel has them (tests/test_installed.py compares the
two).
"""
from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import zipfile
from importlib import metadata
from pathlib import Path

from toolkit.io import resources

DISTRIBUTION = "xxgk-toolkit"
TOP_LEVEL_MODULES = ("cli.py",)
# What a source checkout's package holds besides code: pyproject.toml's package-data, per folder.
PACKAGE_DATA = {resources.PACKAGE_DIR: ("*.py", "*.toml", "*.json", "*.txt", "*.bat", "*.sh"),
                resources.MACROS_DIR: ("*.bas", "*.cls"),
                resources.TEMPLATES_DIR: ("*.xlsx", "*.xlsm")}
WHEEL_TAG = "py3-none-any"
FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # the same bytes for the same files


class WheelError(RuntimeError):
    """The installed toolkit cannot be packed (its files are missing); the message is Chinese."""


def installed() -> metadata.Distribution:
    """The installed distribution (a .dist-info with its RECORD): not the .egg-info a build leaves in a
    checkout, which importlib finds first when the checkout is the working directory."""
    for dist in metadata.distributions(name=DISTRIBUTION):
        if dist.read_text("RECORD") is not None:
            return dist
    raise WheelError("找不到本工具的安装信息（xxgk-toolkit 未用 pip 安装），无法打包；请先安装本工具")


def version() -> str:
    return installed().version


def wheel_name() -> str:
    return f"{DISTRIBUTION.replace('-', '_')}-{version()}-{WHEEL_TAG}.whl"


def _editable(dist: metadata.Distribution) -> bool:
    text = dist.read_text("direct_url.json")
    return bool(text) and json.loads(text).get("dir_info", {}).get("editable", False)


def _installed_files(dist: metadata.Distribution) -> dict[str, Path]:
    """Archive name -> file, from the RECORD of a wheel install (compiled caches and scripts left out)."""
    files = {}
    for entry in dist.files or ():
        name = entry.as_posix()
        if ".dist-info/" in name or "__pycache__" in name or name.startswith(".."):
            continue
        files[name] = Path(entry.locate())
    return files


def _checkout_files() -> dict[str, Path]:
    """Archive name -> file, from a source checkout: the package by its data patterns, macros/ and
    workbook_templates/ under the package, and the top-level modules."""
    package = resources.PACKAGE_DIR
    files = {}
    for folder, patterns in PACKAGE_DATA.items():
        inside = folder if folder.is_relative_to(package) else package / folder.name
        for pattern in patterns:
            for path in folder.rglob(pattern):
                if "__pycache__" in path.parts or not path.is_file():
                    continue
                relative = (inside / path.relative_to(folder)).relative_to(package.parent)
                files[relative.as_posix()] = path
    for module in TOP_LEVEL_MODULES:
        files[module] = resources.CHECKOUT_DIR / module
    return files


def _record_line(name: str, data: bytes) -> list[str]:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return [name, f"sha256={digest}", str(len(data))]


def _dist_info(dist: metadata.Distribution) -> dict[str, bytes]:
    info = f"{DISTRIBUTION.replace('-', '_')}-{dist.version}.dist-info"
    wheel = f"Wheel-Version: 1.0\nGenerator: xxgk-toolkit bundle\nRoot-Is-Purelib: true\nTag: {WHEEL_TAG}\n"
    parts = {f"{info}/METADATA": dist.read_text("METADATA"), f"{info}/WHEEL": wheel,
             f"{info}/entry_points.txt": dist.read_text("entry_points.txt"),
             f"{info}/top_level.txt": dist.read_text("top_level.txt")}
    missing = [name for name, text in parts.items() if text is None and not name.endswith("top_level.txt")]
    if missing:
        raise WheelError(f"本工具的安装信息不完整（缺少 {'、'.join(missing)}），无法打包；请重新安装本工具后再试")
    return {name: text.encode("utf-8") for name, text in parts.items() if text is not None}


def wheel_files() -> dict[str, Path]:
    """Every file the wheel carries, by its name in the archive (dist-info aside)."""
    dist = installed()
    files = _checkout_files() if _editable(dist) else _installed_files(dist)
    absent = sorted(name for name, path in files.items() if not path.is_file())
    if absent:
        raise WheelError(f"本工具的安装不完整（缺少 {absent[0]} 等 {len(absent)} 个文件），无法打包；请重新安装本工具后再试")
    data_files = [n for n in files if re.match(r"toolkit/(macros|workbook_templates)/", n)]
    if not data_files:
        raise WheelError("本工具的安装不完整（缺少宏源文件和空白模板），无法打包；请重新安装本工具后再试")
    return files


def build_wheel() -> tuple[str, bytes]:
    """The toolkit's wheel: its file name and bytes."""
    dist = installed()
    contents = {name: path.read_bytes() for name, path in sorted(wheel_files().items())}
    contents.update(_dist_info(dist))
    info = next(n for n in contents if n.endswith(".dist-info/WHEEL")).rsplit("/", 1)[0]
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for name, data in contents.items():
        writer.writerow(_record_line(name, data))
    writer.writerow([f"{info}/RECORD", "", ""])
    contents[f"{info}/RECORD"] = record.getvalue().encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            entry = zipfile.ZipInfo(name, FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    return wheel_name(), buffer.getvalue()
