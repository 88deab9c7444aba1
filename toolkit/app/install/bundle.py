"""`xxgk bundle`: an offline installation folder for a PC that reaches no package index.

DIR/wheels holds the toolkit's own wheel (made from the installed toolkit) and every dependency as
a binary wheel for the target platform and Python; beside it the install, uninstall, verify and
command scripts, the blank templates and the instructions (toolkit.app.install.scripts).  The folder is
made under a temporary name beside DIR and renamed into place when complete: a failed run leaves no
half-made DIR (and an earlier DIR, replaced with --force, stays until the new one is whole).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from toolkit.io.files import OutputError
from toolkit.app.install.download import download_closure
from toolkit.app.install.own_wheel import DISTRIBUTION, build_wheel, installed
from toolkit.app.install.scripts import TEMPLATES_FOLDER, WHEELS_FOLDER, scripts
from toolkit.app.install.targets import Target
from toolkit.io.resources import TEMPLATES_DIR


@dataclass(frozen=True)
class Bundle:
    folder: Path
    target: Target
    wheels: list[str]  # file names in wheels/
    files: list[str]  # the other files, by name


def runtime_requirements() -> list[Requirement]:
    """The installed toolkit's requirements, without its extras (test)."""
    out = []
    for line in installed().requires or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            out.append(requirement)
    return out


def _fill(folder: Path, target: Target) -> Bundle:
    wheels = folder / WHEELS_FOLDER
    wheels.mkdir()
    name, data = build_wheel()
    (wheels / name).write_bytes(data)
    requirements = [r for r in runtime_requirements() if canonicalize_name(r.name) != DISTRIBUTION]
    downloaded = download_closure(requirements, target, wheels)
    wheel_names = sorted([name, *(p.name for p in downloaded.values())])
    files = []
    for file_name, (content, executable) in scripts(target, installed().version, len(wheel_names)).items():
        path = folder / file_name
        path.write_bytes(content)
        if executable:
            path.chmod(0o755)
        files.append(file_name)
    blank = folder / TEMPLATES_FOLDER
    blank.mkdir()
    for template in sorted(TEMPLATES_DIR.glob("xxgk-template-*.xls[xm]")):
        shutil.copyfile(template, blank / template.name)
        files.append(f"{TEMPLATES_FOLDER}/{template.name}")
    return Bundle(folder, target, wheel_names, files)


def make_bundle(folder: Path, target: Target, force: bool = False) -> Bundle:
    """Make the bundle at `folder`, whole or not at all."""
    folder = Path(folder).absolute()
    if folder.exists() and not (folder.is_dir() and not any(folder.iterdir())) and not force:
        raise OutputError(f"输出文件夹“{folder}”已存在且不是空的；如需替换，请加 --force")
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"“{folder}”是一个文件，不是文件夹")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.part-", dir=folder.parent))
    except OSError as exc:
        raise OutputError(f"无法在“{folder.parent}”中建立文件夹：{exc.strerror or exc}") from exc
    try:
        done = _fill(work, target)
        old = None
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
            os.replace(folder, old / folder.name)
        os.replace(work, folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Bundle(folder, done.target, done.wheels, done.files)
