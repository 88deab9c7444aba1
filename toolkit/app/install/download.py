"""Every dependency of the toolkit as a binary wheel for the target platform and Python, downloaded
with pip into one folder.

pip download --platform evaluates markers for the machine it runs on, so a Linux PC making a Windows
bundle would leave out pywin32 (`platform_system == "Windows"`) and colorama.  Here the closure is
walked by hand: each round downloads, with --no-deps, the requirements not yet met; their metadata
gives the next round's requirements, their markers evaluated for the target.  At the end every
requirement seen is met by the wheel chosen for it.
"""
from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from email.parser import Parser
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

from toolkit.app.install.targets import Target

MAX_ROUNDS = 20  # a dependency tree deeper than this is a resolution gone wrong
NETWORK_SIGNS = ("Failed to establish a new connection", "NewConnectionError", "Temporary failure in name resolution",
                 "Name or service not known", "Connection refused", "ConnectTimeout", "Read timed out",
                 "Could not fetch URL", "ProxyError", "Network is unreachable")


class DownloadError(RuntimeError):
    """A dependency cannot be had for the target; the message (Chinese) names it."""


@dataclass
class Closure:
    target: Target
    wheels: dict[str, Path] = field(default_factory=dict)  # canonical name -> wheel file
    wanted: dict[str, list[Requirement]] = field(default_factory=dict)  # canonical name -> requirements seen

    def version(self, name: str) -> Version:
        return parse_wheel_filename(self.wheels[name].name)[1]

    def unmet(self) -> list[str]:
        """Names wanted with no wheel, or whose wheel no longer meets every requirement seen."""
        out = []
        for name, reqs in self.wanted.items():
            if name not in self.wheels:
                out.append(name)
            elif not all(r.specifier.contains(self.version(name), prereleases=True) for r in reqs):
                self.wheels.pop(name).unlink()  # met a narrower requirement later: fetched again
                out.append(name)
        return out

    def specifier(self, name: str) -> str:
        specs = SpecifierSet()
        for r in self.wanted[name]:
            specs &= r.specifier
        return f"{self.wanted[name][0].name}{specs}"

    def add(self, requirement: Requirement, extras: set[str] | None = None) -> None:
        """Take `requirement` if its marker holds on the target (for the extras asked of its parent)."""
        if requirement.marker is not None:
            environments = [{**self.target.environment, "extra": e} for e in sorted(extras or {""} | {""})]
            if not any(requirement.marker.evaluate(env) for env in environments):
                return
        self.wanted.setdefault(canonicalize_name(requirement.name), []).append(requirement)

    def extras_of(self, name: str) -> set[str]:
        return {e for r in self.wanted.get(name, []) for e in r.extras}


def requires(wheel: Path) -> list[Requirement]:
    """The Requires-Dist of a wheel, from its METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
        message = Parser().parsestr(archive.read(name).decode("utf-8"))
    out = []
    for line in message.get_all("Requires-Dist") or []:
        try:
            out.append(Requirement(line))
        except InvalidRequirement:
            continue
    return out


def _pip(requirements: list[str], target: Target, folder: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
               "--progress-bar", "off", "--dest", str(folder), *target.pip_options(), *requirements]
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="replace")


def _pip_download(requirements: list[str], target: Target, folder: Path) -> None:
    """Download the wheels of `requirements`; on failure, say which have none for the target (pip
    stops at the first: each is then tried alone, to name them all)."""
    done = _pip(requirements, target, folder)
    if done.returncode == 0:
        return
    output = done.stdout + done.stderr
    unreachable = DownloadError("无法连接软件包索引（PyPI）下载依赖包：制作离线安装包需要一台能访问 PyPI 的电脑"
                                "（或配置好 pip 的镜像源），请检查网络后重试")
    if any(sign in output for sign in NETWORK_SIGNS):
        raise unreachable
    failed = [r for r in requirements if _pip([r], target, folder).returncode != 0] if len(requirements) > 1 \
        else requirements
    if len(failed) == len(requirements) > 1:  # pure-Python packages among them too: the index is not there
        raise unreachable
    if not failed:  # each went through alone: nothing for this message to name
        raise DownloadError(f"pip 下载依赖包失败：{output.strip().splitlines()[-1] if output.strip() else '无输出'}")
    names = "、".join(_shown(r) for r in failed)
    raise DownloadError(f"依赖包 {names} 没有适用于 {target.name} 的安装包（wheel），无法制作离线安装包："
                        "请换一个这些包支持的平台或 Python 版本后重试（64 位 Windows 为 --platform win_amd64）")


def _shown(requirement: str) -> str:
    """pandas>=2.0 -> pandas（要求 >=2.0）"""
    parsed = Requirement(requirement)
    return f"{parsed.name}（要求 {parsed.specifier}）" if parsed.specifier else parsed.name


def download_closure(requirements: list[Requirement], target: Target, folder: Path) -> dict[str, Path]:
    """Download the wheels of `requirements` and of everything they need on `target` into `folder`;
    the wheels by canonical name."""
    closure = Closure(target)
    for requirement in requirements:
        closure.add(requirement)
    for _ in range(MAX_ROUNDS):
        unmet = closure.unmet()
        if not unmet:
            return closure.wheels
        before = set(folder.glob("*.whl"))
        _pip_download([closure.specifier(name) for name in unmet], target, folder)
        for wheel in sorted(set(folder.glob("*.whl")) - before):
            name = canonicalize_name(parse_wheel_filename(wheel.name)[0])
            closure.wheels[name] = wheel
            for requirement in requires(wheel):
                closure.add(requirement, closure.extras_of(name))
        still = [n for n in unmet if n not in closure.wheels]
        if still:
            raise DownloadError(f"依赖包 {still[0]} 没有适用于 {target.name} 的安装包（wheel），无法制作离线安装包")
    raise DownloadError("依赖关系过深，无法确定需要下载的安装包")
