"""What users install is what we test: the wheel built from this checkout, installed into a fresh
virtualenv in a temporary folder outside the repository, every command run from a working folder of
its own (tests/installed.py, the fixtures in conftest.py)."""
from __future__ import annotations

import re
import shutil
import tomllib
import zipfile
from pathlib import Path

import pytest

from installed import REPO, bin_of, clean_env, run
from toolkit.app.install.own_wheel import build_wheel as own_wheel

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
PUBLISHED = REPO / "tests" / "fixtures" / "published" / "zequ-town-2022-published.txt"


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("用户的文件夹 (1)")


def xxgk(installed_env, work, *args, check=True):
    return run([bin_of(installed_env, "xxgk"), *args], cwd=work, env=clean_env(work), check=check)


def _non_metadata(wheel: zipfile.ZipFile) -> dict[str, bytes]:
    return {n: wheel.read(n) for n in wheel.namelist() if ".dist-info/" not in n}


def test_the_wheel_carries_the_macros_templates_and_formats(built_wheel):
    names = set(zipfile.ZipFile(built_wheel).namelist())
    for folder, pattern in (("macros", "*.ba[s]"), ("macros", "*.cls"), ("workbook_templates", "*.xls[xm]")):
        for source in (REPO / folder).glob(pattern):
            assert f"toolkit/{folder}/{source.name}" in names
    for source in (REPO / "toolkit").rglob("*"):
        if source.is_file() and "__pycache__" not in source.parts:
            assert source.relative_to(REPO).as_posix() in names, source
    assert "cli.py" in names


def test_the_wheel_made_from_a_checkout_is_the_wheel_pip_builds(built_wheel):
    """The bundle's own wheel, made from this (editable) checkout, has the files pip's build has."""
    _, data = own_wheel()
    import io
    ours = _non_metadata(zipfile.ZipFile(io.BytesIO(data)))
    pips = _non_metadata(zipfile.ZipFile(built_wheel))
    assert sorted(ours) == sorted(pips)
    assert ours == pips


def test_the_installed_toolkit_runs_from_site_packages_not_the_checkout(installed_env, work):
    done = run([bin_of(installed_env, "python"), "-c",
                "import cli, toolkit, toolkit.io.resources as r; print(cli.__file__); print(toolkit.__file__); "
                "print(r.MACROS_DIR); print(r.TEMPLATES_DIR)"], cwd=work, env=clean_env(work))
    for line in done.stdout.splitlines():
        assert Path(line).is_relative_to(installed_env) and "site-packages" in line, line
        assert not Path(line).is_relative_to(REPO)


def test_version(installed_env, work):
    assert xxgk(installed_env, work, "--version").stdout.strip() == f"xxgk-toolkit {PROJECT['version']}"


def test_requires_python_is_what_the_code_needs_and_the_readme_says():
    """tomllib (3.11) parses the format files (toolkit.core.formats.parsed); the README names the same minimum."""
    assert PROJECT["requires-python"] == ">=3.11"
    assert "import tomllib" in (REPO / "toolkit" / "core" / "formats" / "parsed.py").read_text(encoding="utf-8")
    assert "Python 3.11 or newer" in (REPO / "README.md").read_text(encoding="utf-8")


def test_demo_distributes_macro_workbooks(installed_env, work):
    done = xxgk(installed_env, work, "demo", "-o", "示例", check=False)
    assert done.returncode == 0, done.stderr
    given = sorted((work / "示例" / "分发").glob("*"))
    assert given and all(p.suffix == ".xlsm" for p in given)
    for path in given:
        assert "xl/vbaProject.bin" in zipfile.ZipFile(path).namelist()
    assert (work / "示例" / "示例县2022年汇总.xlsx").is_file()


def test_template_writes_the_macro_workbook(installed_env, work):
    xxgk(installed_env, work, "template", "-o", "空白.xlsm", "--format", "2021")
    ours = zipfile.ZipFile(work / "空白.xlsm").read("xl/vbaProject.bin")
    assert ours == zipfile.ZipFile(REPO / "workbook_templates" / "xxgk-template-2021.xlsm").read("xl/vbaProject.bin")


def test_distribute_consolidate_import_export_from_the_installed_toolkit(installed_env, work):
    demo = work / "示例"
    if not demo.is_dir():
        xxgk(installed_env, work, "demo", "-o", "示例")
    xxgk(installed_env, work, "distribute", "--roster", demo / "单位名单.xlsx", "--year", "2025", "-o", "分发2025")
    assert len(list((work / "分发2025").glob("*.xlsm"))) == 6
    done = xxgk(installed_env, work, "consolidate", demo / "报送", "--year", "2022", "-o", "汇总.xlsx",
                "--roster", demo / "单位名单.xlsx", "--unit", "示例县", check=False)
    assert done.returncode == 1 and (work / "汇总.xlsx").is_file()  # 泽曲镇 does not balance; 西山乡 missing
    assert "T3-BALANCE" in done.stdout or "泽曲镇" in done.stdout
    shutil.copyfile(PUBLISHED, work / "泽曲镇2022年报.txt")
    done = xxgk(installed_env, work, "import", "泽曲镇2022年报.txt", "-o", "导入", check=False)
    assert done.returncode == 1, done.stderr  # imported, with the report's own errors
    imported, = (work / "导入").glob("*.xlsx")
    xxgk(installed_env, work, "export", imported, "-o", "年报")
    exported, = (work / "年报").glob("*.docx")
    assert "word/document.xml" in zipfile.ZipFile(exported).namelist()


def test_the_county_review_commands_from_the_installed_toolkit(installed_env, work):
    """feedback, compare and consolidate --review read their wording from format files the wheel
    must carry (feedback.toml, common.toml's [review] and [compare])."""
    demo = work / "示例"
    if not demo.is_dir():
        xxgk(installed_env, work, "demo", "-o", "示例")
    summary = work / "复核汇总.xlsx"
    xxgk(installed_env, work, "consolidate", demo / "报送", "--year", "2022", "-o", summary.name,
         "--roster", demo / "单位名单.xlsx", "--unit", "示例县", check=False)
    again = xxgk(installed_env, work, "consolidate", demo / "报送", "--year", "2022", "-o", "复核汇总2.xlsx",
                 "--roster", demo / "单位名单.xlsx", "--unit", "示例县", "--review", summary.name, check=False)
    assert again.returncode == 1 and (work / "复核汇总2.xlsx").is_file(), again.stderr
    done = xxgk(installed_env, work, "feedback", summary.name, "-o", "通知")
    assert "退回修改通知" in done.stdout and list((work / "通知").glob("*泽曲镇*.docx"))
    book, = [p for p in (demo / "报送").iterdir() if "东河镇" in p.name]
    done = xxgk(installed_env, work, "compare", book, book, check=False)
    assert done.returncode == 2 and "同一个文件" in done.stderr  # its messages come from common.toml [compare]


def test_the_installed_toolkit_has_the_registry_of_finding_codes(installed_env, work):
    """codes.toml goes with the wheel: the installed toolkit writes the catalogue docs/codes.md is."""
    done = run([bin_of(installed_env, "python"), "-m", "toolkit.core.formats.catalogue"], cwd=work,
               env=clean_env(work))
    assert done.stdout == (REPO / "docs" / "codes.md").read_text(encoding="utf-8")


def test_selftest_passes_in_the_installed_toolkit(installed_env, work):
    done = xxgk(installed_env, work, "selftest")
    assert "安装正常" in done.stdout and "有问题" not in done.stdout


def test_selftest_fails_when_a_macro_source_is_missing(tmp_path, built_wheel, installed_env):
    """A damaged installation (a VBA source deleted) is said, and exits 1."""
    from installed import make_venv
    env_dir = make_venv(tmp_path / "venv")
    run([bin_of(env_dir, "python"), "-m", "pip", "install", "-q", "--no-deps", built_wheel], cwd=tmp_path)
    site, = env_dir.glob("lib/python*/site-packages")
    deps, = installed_env.glob("lib/python*/site-packages")
    (site / "dependencies.pth").write_text(f"{deps}\n")  # after this site-packages: its toolkit comes first
    (site / "toolkit" / "macros" / "XxgkButtons.bas").unlink()
    done = run([bin_of(env_dir, "xxgk"), "selftest"], cwd=tmp_path, env=clean_env(tmp_path), check=False)
    assert done.returncode == 1 and "安装有问题" in done.stdout
    done = run([bin_of(env_dir, "python"), "-c", "from toolkit.app.install.selftest import run; "
                "[print(s.ok, s.name, s.detail) for s in run()[:2]]"], cwd=tmp_path, env=clean_env(tmp_path))
    first, second = done.stdout.splitlines()
    assert first.startswith("False 文件") and "XxgkButtons.bas" in first
    assert second.startswith("False 示例工作簿") and "本工具安装不完整" in second


def test_every_toolkit_package_is_listed_in_pyproject():
    """pyproject.toml lists the packages by hand (two of them are mapped folders): a new one must be added."""
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "toolkit").rglob("__init__.py")}
    assert found | {"toolkit.macros", "toolkit.workbook_templates"} == listed
    assert re.fullmatch(r"\d+\.\d+\.\d+", PROJECT["version"])
