"""`xxgk bundle`, run from the toolkit as installed (tests/installed.py): the bundle for this machine
installs with no package index into a fresh environment and works; the Windows bundle has every
wheel it needs and well-formed batch files; bad input is a clear Chinese error and leaves no folder."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from installed import REPO, bin_of, clean_env, run
from toolkit.app.install.scripts import TEMPLATES_FOLDER, WINDOWS_FILES
from toolkit.app.install.targets import target

WINDOWS_PYTHON = "3.12"
XLWINGS_DLL = re.search(r'XLPyDLLName As String = "(xlwings64-[\d.]+\.dll)"',
                        (REPO / "macros" / "xlwings.bas").read_text(encoding="cp1252"))[1]


def bundle(installed_env, cwd: Path, *args, check=True, **env):
    return run([bin_of(installed_env, "xxgk"), "bundle", *args], cwd=cwd, env=clean_env(cwd, **env), check=check)


@pytest.fixture(scope="module")
def here_bundle(installed_env, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bundle-here")
    bundle(installed_env, folder, "-o", "离线安装包")
    return folder / "离线安装包"


@pytest.fixture(scope="module")
def windows_bundle(installed_env, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bundle-windows")
    bundle(installed_env, folder, "-o", "安装包", "--platform", "win_amd64", "--python", WINDOWS_PYTHON)
    return folder / "安装包"


def _wheels(folder: Path) -> dict[str, Path]:
    return {canonicalize_name(parse_wheel_filename(p.name)[0]): p for p in (folder / "wheels").iterdir()}


def _requires(wheel: Path) -> list[Requirement]:
    from toolkit.app.install.download import requires
    return requires(wheel)


def unmet_requirements(folder: Path, environment: dict) -> list[str]:
    """Every requirement reached from the toolkit's wheel on the target, not met by a wheel there."""
    wheels = _wheels(folder)
    unmet, queue, seen = [], [("xxgk-toolkit", set())], set()
    while queue:
        name, extras = queue.pop()
        if (name, frozenset(extras)) in seen:
            continue
        seen.add((name, frozenset(extras)))
        for req in _requires(wheels[name]):
            envs = [{**environment, "extra": e} for e in {"", *extras}]
            if req.marker is not None and not any(req.marker.evaluate(e) for e in envs):
                continue
            dep = canonicalize_name(req.name)
            if dep not in wheels or not req.specifier.contains(parse_wheel_filename(wheels[dep].name)[1], prereleases=True):
                unmet.append(str(req))
                continue
            queue.append((dep, set(req.extras)))
    return unmet


# --- the bundle for this machine ---------------------------------------------------------------------

def test_the_bundle_for_this_machine_has_its_wheels_scripts_and_templates(here_bundle):
    assert all(p.suffix == ".whl" for p in (here_bundle / "wheels").iterdir())
    assert unmet_requirements(here_bundle, target().environment) == []
    for name in ("install.sh", "uninstall.sh", "verify.sh", "xxgk.sh"):
        assert (here_bundle / name).stat().st_mode & 0o111
    for template in (REPO / "workbook_templates").glob("*.xls[xm]"):
        assert (here_bundle / TEMPLATES_FOLDER / template.name).read_bytes() == template.read_bytes()
    assert (here_bundle / "安装说明.txt").read_bytes().startswith("\ufeff".encode())


def test_the_bundle_s_own_wheel_is_the_installed_toolkit(here_bundle, built_wheel):
    """Made from the installed files (RECORD), it has what pip's build of the checkout has."""
    ours, = (here_bundle / "wheels").glob("xxgk_toolkit-*.whl")
    names = lambda w: sorted(n for n in zipfile.ZipFile(w).namelist() if ".dist-info/" not in n)
    assert names(ours) == names(built_wheel)
    for name in names(ours):
        assert zipfile.ZipFile(ours).read(name) == zipfile.ZipFile(built_wheel).read(name), name


def test_the_bundle_installs_with_no_index_and_works(here_bundle, tmp_path):
    """install.sh in a fresh HOME, pip told to use no index and no configuration (so nothing but
    wheels/ can be installed from); then the demo and a consolidation from the installed toolkit,
    verify.sh, and uninstall.sh."""
    home = tmp_path / "家"
    home.mkdir()
    offline = clean_env(home, PIP_NO_INDEX="1", PIP_CONFIG_FILE="/dev/null", PIP_FIND_LINKS="")
    done = run(["sh", here_bundle / "install.sh"], cwd=home, env=offline)
    assert "安装正常" in done.stdout and "安装完成" in done.stdout
    env_dir = home / ".local" / "share" / "xxgk-toolkit" / "venv"
    run([bin_of(env_dir, "xxgk"), "demo", "-o", "示例"], cwd=home, env=offline)
    done = run(["sh", here_bundle / "xxgk.sh", "consolidate", home / "示例" / "报送", "--year", "2022",
                "--unit", "示例县", "-o", home / "汇总.xlsx"], cwd=home, env=offline, check=False)
    assert done.returncode == 1 and (home / "汇总.xlsx").is_file(), done.stderr  # 泽曲镇's errors
    assert "安装正常，可以使用" in run(["sh", here_bundle / "verify.sh"], cwd=home, env=offline).stdout
    run(["sh", here_bundle / "uninstall.sh"], cwd=home, env=offline)
    assert not env_dir.exists()
    assert "没有安装" in run(["sh", here_bundle / "verify.sh"], cwd=home, env=offline, check=False).stdout


# --- the Windows bundle ------------------------------------------------------------------------------

def _compatible(wheel: Path) -> bool:
    """A wheel that installs on 64-bit Windows with CPython 3.12: some tag of it is for that
    interpreter (cp312, or any Python 3 through abi3 or none) and that platform (or any)."""
    return any((t.interpreter == "cp312" or t.abi in ("abi3", "none")) and t.platform in ("win_amd64", "any")
               for t in parse_wheel_filename(wheel.name)[3])


def test_every_dependency_of_the_windows_bundle_is_there_for_windows(windows_bundle):
    wheels = _wheels(windows_bundle)
    environment = target("win_amd64", WINDOWS_PYTHON).environment
    assert unmet_requirements(windows_bundle, environment) == []
    # what pip would leave out when run on Linux: its markers hold only on Windows
    assert {"pywin32", "colorama", "tzdata"} <= set(wheels)
    for name, wheel in wheels.items():
        assert _compatible(wheel), wheel.name
        platforms = {t.platform for t in parse_wheel_filename(wheel.name)[3]}
        compiled = any(n.endswith((".pyd", ".dll")) for n in zipfile.ZipFile(wheel).namelist())
        if compiled:
            assert platforms == {"win_amd64"}, wheel.name
            interpreters = {t.interpreter for t in parse_wheel_filename(wheel.name)[3]}
            abis = {t.abi for t in parse_wheel_filename(wheel.name)[3]}
            assert "cp312" in interpreters or "abi3" in abis or "none" in abis, wheel.name
    for expected in ("lxml", "numpy", "pandas", "pyarrow", "xlwings", "pywin32"):
        assert {t.platform for t in parse_wheel_filename(wheels[expected].name)[3]} == {"win_amd64"}, expected
    # typer below 0.29 (pyproject.toml): no pydantic, and so no compiled pydantic-core, to carry
    assert not {"pydantic", "pydantic-core"} & set(wheels)


def test_the_windows_xlwings_wheel_puts_the_dll_where_the_buttons_look(windows_bundle):
    """The VBA loads the DLL from the folder above python.exe (a virtualenv's root): the wheel's data
    files land there, and its version is the one macros/xlwings.bas declares."""
    wheel = _wheels(windows_bundle)["xlwings"]
    names = zipfile.ZipFile(wheel).namelist()
    assert any(re.fullmatch(rf"xlwings-[\d.]+\.data/data/{re.escape(XLWINGS_DLL)}", n) for n in names), XLWINGS_DLL


def _batch_text(path: Path) -> str:
    data = path.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b""), f"{path.name}: a line ends without CR"
    assert not data.startswith(b"\xef\xbb\xbf"), f"{path.name}: a byte-order mark breaks the first command"
    return data.decode("gbk")


def test_the_windows_batch_files_are_well_formed(windows_bundle):
    for script in WINDOWS_FILES:
        path = windows_bundle / script.name
        assert path.is_file(), script.name
        if script.kind != "batch":
            continue
        text = _batch_text(path)
        lines = text.split("\r\n")
        assert lines[0] == "@echo off" and lines[1] == "chcp 936 >nul", script.name  # before any Chinese
        assert all(ord(c) < 128 for c in lines[0] + lines[1])
        assert "@@" not in text
        # no Chinese character whose second GBK byte is one of cmd's special characters (cmd in code
        # page 936 reads double bytes, but nothing should hang on it)
        special = set(b'\\|^<>&%"!()')
        assert not [c for c in set(text) if ord(c) > 127 and set(c.encode("gbk")[1:]) & special], script.name
        labels = {ln[1:].split()[0].lower() for ln in lines if ln.startswith(":") and not ln.startswith("::")}
        for target_label in re.findall(r"(?:goto|call)\s+:(\w+)", text, flags=re.I):
            assert target_label.lower() in labels | {"eof"}, f"{script.name}: no label :{target_label}"
        for n, line in enumerate(lines, 1):
            code = line.split("rem ", 1)[0] if not line.lower().startswith("rem ") else ""
            assert len(line) < 8191
            # no parenthesised blocks: a path like "C:\Program Files (x86)" inside one ends it
            assert code.count("(") == code.count(")") or "echo " in code.lower(), f"{script.name}:{n}: {line}"
            assert code.count('"') % 2 == 0, f"{script.name}:{n}: unbalanced quotes: {line}"
            assert "%~" not in code or re.search(r"%~(?:dp0|1|f1|dpn1|nx1)", code), f"{script.name}:{n}"


def test_the_windows_installer_installs_from_wheels_only_and_sets_up_the_buttons(windows_bundle):
    text = _batch_text(windows_bundle / "安装.bat")
    version = re.search(r'version = "([^"]+)"', (REPO / "pyproject.toml").read_text())[1]
    assert "-m pip install --no-index --find-links \"%BUNDLE%wheels\"" in text
    assert f"xxgk-toolkit=={version}" in text
    assert f"py -{WINDOWS_PYTHON}-64" in text and "Python312" in text and "(3, 12)" in text
    assert '"%VENV%\\Scripts\\xxgk.exe" excel-config' in text and '"%VENV%\\Scripts\\xxgk.exe" selftest' in text
    assert "excel-config --remove" in _batch_text(windows_bundle / "卸载.bat")
    assert '"%XXGK%" consolidate "%INPUT%" --year %YEAR% --unit "%UNIT%" -o "%OUTPUT%"' in _batch_text(
        windows_bundle / "xxgk.bat")  # a dropped folder: the year and the county's name asked for
    assert "selftest" in _batch_text(windows_bundle / "验证安装.bat")
    guide = (windows_bundle / "安装说明.txt").read_bytes()
    assert guide.startswith("\ufeff".encode()) and b"\n" not in guide.replace(b"\r\n", b"")
    guide_text = guide.decode("utf-8-sig")
    for words in ("Python 3.12", "64-bit", "python.org", "Add python.exe to PATH", "解除锁定", "启用内容",
                  "Could not find Interpreter", "WPS", "卸载.bat", "验证安装.bat"):
        assert words in guide_text, words
    assert not list(windows_bundle.glob("*.sh"))


# --- bad input ---------------------------------------------------------------------------------------

def _flat(text: str) -> str:
    """The text without the spaces and line breaks the terminal's wrapping puts in or takes out."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("args, words", [
    (["--platform", "amiga_68k"], "不认识的平台“amiga_68k”"),
    (["--python", "2.7"], "需要 Python 3.11 或更新"),
    (["--python", "three"], "Python 版本应写成"),
    (["--platform", "win32", "--python", "3.12"], "依赖包 pandas（要求 >=2.0）、pyarrow（要求 >=15）没有适用于 win32"),
])
def test_bad_targets_are_refused_in_chinese_and_leave_no_folder(installed_env, tmp_path, args, words):
    done = bundle(installed_env, tmp_path, "-o", "安装包", *args, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert _flat(words) in _flat(done.stderr)
    assert list(tmp_path.iterdir()) == []  # neither the folder nor its temporary part


def test_no_network_is_said_in_chinese(installed_env, tmp_path):
    done = bundle(installed_env, tmp_path, "-o", "安装包", check=False, PIP_CONFIG_FILE="/dev/null",
                  PIP_INDEX_URL="http://127.0.0.1:9/simple", PIP_FIND_LINKS="", PIP_RETRIES="0",
                  PIP_DEFAULT_TIMEOUT="2", PIP_NO_CACHE_DIR="1")
    assert done.returncode == 2 and "无法连接软件包索引" in _flat(done.stderr)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_kept_without_force(installed_env, tmp_path):
    (tmp_path / "安装包").mkdir()
    (tmp_path / "安装包" / "旧文件.txt").write_text("keep")
    done = bundle(installed_env, tmp_path, "-o", "安装包", check=False)
    assert done.returncode == 2 and "已存在" in done.stderr
    assert [p.name for p in (tmp_path / "安装包").iterdir()] == ["旧文件.txt"]
