"""Shared test helpers: filling a standard workbook as a user would, and driving LibreOffice."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

# xlwings' remote engine, which runs the Excel buttons' functions in the tests, needs a license key
# before xlwings is first imported; its PolyForm Noncommercial terms cover government institutions,
# our users (.ci/run sets the same).
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))  # lets tests import the helper modules beside them

LO_PYTHON = "/usr/bin/python3"
LO_DRIVER = TESTS / "lo_driver.py"


def fill_workbook(source: Path, target: Path, values: dict | None = None, info: dict | None = None,
                  texts: dict | None = None, raw: dict | None = None, change=None) -> Path:
    """Copy a standard workbook and type into its entry cells, found by their defined names, as a
    user would: `values` by cell id, `info` by info field id (info.unit, ...), `texts` by part id,
    `raw` by (sheet, A1) for anything else.  Only those cells are written; nothing is calculated.
    `change(wb)`, if given, then does to the openpyxl workbook whatever else the user did.
    A macro-enabled workbook (.xlsm) keeps its VBA project (its buttons are not kept by openpyxl)."""
    wb = openpyxl.load_workbook(source, keep_vba=Path(source).suffix == ".xlsm")
    for cid, value in {**(values or {}), **(info or {}),
                       **{f"text.{k}": v for k, v in (texts or {}).items()}}.items():
        (sheet, ref), = wb.defined_names[cid].destinations
        wb[sheet][ref.replace("$", "")].value = value
    for (sheet, ref), value in (raw or {}).items():
        wb[sheet][ref].value = value
    if change is not None:
        change(wb)
    wb.save(target)
    return target


def run_libreoffice(tasks: list[dict], timeout: int = 300) -> list:
    """Run tasks in headless LibreOffice (tests/lo_driver.py under Debian's python3) and return
    each task's result; a failed task fails the test."""
    missing = [what for what, ok in (("soffice", shutil.which("soffice")), (LO_PYTHON, Path(LO_PYTHON).exists()))
               if not ok]
    if missing:
        pytest.fail(f"LibreOffice is needed for this test but {missing} is missing; run .ci/run to install it")
    job = Path(tasks[0].get("in", "/tmp")).parent / f"lo-job-{id(tasks)}.json"
    job.write_text(json.dumps({"tasks": tasks}, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([LO_PYTHON, str(LO_DRIVER), str(job)], capture_output=True, text=True, timeout=timeout)
    job.unlink()
    assert proc.returncode == 0, f"lo_driver failed: {proc.stderr[-2000:]}"
    results = json.loads(proc.stdout)
    for task, result in zip(tasks, results):
        assert result["ok"], f"LibreOffice task {task['op']} failed: {result['error']}"
    return [r["result"] for r in results]


def _built(folder: Path, build, suffix: str) -> dict[str, Path]:
    from toolkit.core.formats import VERSIONS

    out = {}
    for version in VERSIONS:
        out[version] = folder / f"template-{version}{suffix}"
        out[version].write_bytes(build(version))
    return out


@pytest.fixture(scope="session")
def macro_templates(tmp_path_factory) -> dict[str, Path]:
    """The macro-enabled workbook (.xlsm) of each format version, freshly built."""
    from toolkit.io.workbook.macro_workbook import macro_workbook_bytes

    return _built(tmp_path_factory.mktemp("macro-templates"), macro_workbook_bytes, ".xlsm")


@pytest.fixture(scope="session")
def defect_files(tmp_path_factory, templates) -> dict[str, Path]:
    """Every workbook of tests/workbooks.py, each named after the defect it carries: built once."""
    from workbooks import make_all

    return make_all(tmp_path_factory.mktemp("defects"), templates)


@pytest.fixture(scope="session")
def templates(tmp_path_factory) -> dict[str, Path]:
    """The standard workbook of each format version, freshly built."""
    from toolkit.io.workbook.template import template_bytes

    return _built(tmp_path_factory.mktemp("templates"), template_bytes, ".xlsx")


# --- the toolkit as users install it (tests/installed.py) -------------------------------------------

@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory) -> Path:
    """The wheel `pip wheel . --no-deps` builds from a clean copy of this checkout."""
    from installed import build_wheel
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="session")
def installed_env(tmp_path_factory, built_wheel) -> Path:
    """A fresh virtualenv outside the repository with the built wheel installed (its dependencies
    from the package index), as a user installs it."""
    from installed import bin_of, make_venv, run
    folder = tmp_path_factory.mktemp("installed")
    env_dir = make_venv(folder / "venv")
    run([bin_of(env_dir, "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", built_wheel],
        cwd=folder)
    return env_dir
