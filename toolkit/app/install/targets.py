"""The platform and Python a bundle is for: its wheel tags for pip, and its environment markers.

pip evaluates a requirement's markers (`pywin32; platform_system == "Windows"`) against the machine
it runs on, even with --platform; the bundle evaluates them itself for the target, with the
environment made here.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from packaging.markers import default_environment
from packaging.tags import sys_tags

# Windows, the users' platform: tag -> platform_machine as Python reports it there.
WINDOWS = {"win_amd64": "AMD64", "win32": "x86", "win_arm64": "ARM64"}
# Other platforms a tag can name (a county's IT on a Linux or Mac PC): tag pattern -> system, machine group.
OTHERS = (
    (re.compile(r"^(?:manylinux_\d+_\d+|manylinux2014|linux)_(x86_64|aarch64)$"), "Linux"),
    (re.compile(r"^macosx_\d+_\d+_(x86_64|arm64)$"), "Darwin"),
)
MIN_PYTHON = (3, 11)  # requires-python of pyproject.toml
EXAMPLES = "win_amd64（64 位 Windows）、win32、win_arm64、manylinux_2_28_x86_64、macosx_11_0_arm64"


class TargetError(ValueError):
    """An unknown platform or Python; the message (Chinese) says what is accepted."""


@dataclass(frozen=True)
class Target:
    platform: str | None  # a wheel platform tag, or None for this machine's own
    python: tuple[int, int]
    environment: dict[str, str]  # the marker environment of the target

    @property
    def windows(self) -> bool:
        return self.environment["sys_platform"] == "win32"

    @property
    def python_text(self) -> str:
        return f"{self.python[0]}.{self.python[1]}"

    @property
    def name(self) -> str:
        """How messages name the target: 'win_amd64、Python 3.12'."""
        return f"{self.platform or this_platform()}、Python {self.python_text}"

    def pip_options(self) -> list[str]:
        """pip download's options for binary wheels of this target only."""
        options = ["--only-binary=:all:"]
        if self.platform is not None or self.python != sys.version_info[:2]:
            abi = f"cp{self.python[0]}{self.python[1]}"
            options += ["--python-version", self.python_text, "--implementation", "cp", "--abi", abi,
                        "--abi", "abi3", "--abi", "none"]
            for tag in self.platform_tags():
                options += ["--platform", tag]
        return options

    def platform_tags(self) -> list[str]:
        if self.platform is not None:
            return [self.platform]
        # this machine's platform tags (manylinux_2_36_x86_64 ... linux_x86_64), most specific first
        seen: list[str] = []
        for tag in sys_tags():
            if tag.platform != "any" and tag.platform not in seen:
                seen.append(tag.platform)
        return seen


def this_platform() -> str:
    return next(t.platform for t in sys_tags())


def parse_python(text: str | None) -> tuple[int, int]:
    if text is None:
        return sys.version_info[:2]
    match = re.fullmatch(r"\s*(\d+)\.(\d+)\s*", text)
    if not match:
        raise TargetError(f"Python 版本应写成“主版本.次版本”，例如 3.12，收到“{text}”")
    version = (int(match[1]), int(match[2]))
    if version < MIN_PYTHON or version[0] != 3:
        raise TargetError(f"本工具需要 Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} 或更新的 3.x 版本，收到 {text.strip()}")
    return version


def target(platform_tag: str | None = None, python: str | None = None) -> Target:
    """The target named by `xxgk bundle --platform --python`; neither: this machine and its Python."""
    version = parse_python(python)
    full = f"{version[0]}.{version[1]}.0"
    if platform_tag is None:
        environment = dict(default_environment())
        if version != sys.version_info[:2]:
            environment.update(python_version=f"{version[0]}.{version[1]}", python_full_version=full,
                               implementation_version=full)
        return Target(None, version, environment)
    tag = platform_tag.strip().lower()
    common = {"implementation_name": "cpython", "platform_python_implementation": "CPython",
              "python_version": f"{version[0]}.{version[1]}", "python_full_version": full,
              "implementation_version": full, "platform_release": "", "platform_version": ""}
    if tag in WINDOWS:
        return Target(tag, version, {**common, "os_name": "nt", "sys_platform": "win32",
                                     "platform_system": "Windows", "platform_machine": WINDOWS[tag]})
    for pattern, system in OTHERS:
        match = pattern.match(tag)
        if match:
            return Target(tag, version, {**common, "os_name": "posix", "sys_platform": system.lower(),
                                         "platform_system": system, "platform_machine": match[1]})
    raise TargetError(f"不认识的平台“{platform_tag}”：请写 wheel 的平台标记，例如 {EXAMPLES}"
                      f"（本机为 {this_platform()}，不写 --platform 即为本机）")
