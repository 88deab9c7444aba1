"""What starting the toolkit costs (issue 15): the modules `xxgk check` and `import toolkit.excel`
load, and the parsed copies of the format files that spare them the TOML parser.

Not a timing test (the machines are shared and noisy; benchmarks/check_speed.py measures): these
check what the time was cut by, so that an import added back at the top of a module shows here.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.core.formats import parsed
from toolkit.io.workbook.template import template_bytes
from workbooks import CONSISTENT_2021

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
FORMATS = Path(parsed.FOLDER)


# --- the parsed copies of the format files -----------------------------------------------------------

@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """A folder holding a copy of the real common.toml, where copies are kept (as where bytecode is)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    shutil.copy(FORMATS / "common.toml", tmp_path / "common.toml")
    return tmp_path


def kept(folder: Path, name: str = "common.toml") -> Path:
    return folder / "__pycache__" / f"{name}.{sys.implementation.cache_tag}.marshal"


def not_parsed(monkeypatch):
    def refuse(data):
        raise AssertionError("parsed the TOML although its copy was kept")
    monkeypatch.setattr(parsed, "_parse", refuse)


def test_a_format_file_is_parsed_once_and_then_read_from_its_kept_copy(folder, monkeypatch):
    first = parsed.load("common.toml", str(folder))
    assert kept(folder).is_file()
    assert first["default_version"] == "2021" and first["help"]["usage"]
    not_parsed(monkeypatch)
    again = parsed.load("common.toml", str(folder))
    assert again == first and again is not first  # each caller its own dict


def test_an_edited_format_file_is_parsed_again_even_with_its_old_time_stamp(folder):
    toml = folder / "common.toml"
    parsed.load("common.toml", str(folder))
    stamp = toml.stat()
    toml.write_text(toml.read_text(encoding="utf-8").replace('default_version = "2021"', 'default_version = "2019"'),
                    encoding="utf-8")
    os.utime(toml, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert parsed.load("common.toml", str(folder))["default_version"] == "2019"


@pytest.mark.parametrize("damage", [lambda b: b[:len(b) // 2], lambda b: b[:16] + b"\x00not marshal", lambda b: b""],
                         ids=["cut-short", "not-marshal", "empty"])
def test_a_damaged_copy_is_parsed_again_and_replaced(folder, damage):
    expected = parsed.load("common.toml", str(folder))
    kept(folder).write_bytes(damage(kept(folder).read_bytes()))
    assert parsed.load("common.toml", str(folder)) == expected
    assert parsed._read(str(kept(folder)), kept(folder).read_bytes()[:16]) == expected


def test_where_no_copy_can_be_written_the_file_is_parsed_as_before(folder):
    (folder / "__pycache__").write_text("a file where the folder would be", encoding="utf-8")
    assert parsed.load("common.toml", str(folder))["default_version"] == "2021"
    assert sorted(p.name for p in folder.iterdir()) == ["__pycache__", "common.toml"]  # no temporary file left
    assert (folder / "__pycache__").is_file()


def test_no_copy_is_written_where_python_writes_no_bytecode(folder, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert parsed.load("common.toml", str(folder))["default_version"] == "2021"
    assert not kept(folder).exists()


def test_a_file_marshal_cannot_hold_is_parsed_each_time(folder):
    (folder / "dated.toml").write_text("day = 2025-01-31\n", encoding="utf-8")
    assert str(parsed.load("dated.toml", str(folder))["day"]) == "2025-01-31"
    assert not kept(folder, "dated.toml").exists()


# --- what starting loads ---------------------------------------------------------------------------

def imported(command: list[str]) -> set[str]:
    """The modules `command` (a Python program and its arguments) imports, by -X importtime; run
    once before, with bytecode and the format files' copies written, as an installed toolkit runs."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, *command], capture_output=True, env=env, timeout=120)
    done = subprocess.run([sys.executable, "-X", "importtime", *command], capture_output=True, text=True, env=env,
                          timeout=120)
    names = {line.rpartition("|")[2].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "toolkit.core.formats" in names, done.stderr[-2000:]
    return names


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("start-up") / "东河镇 2025年报.xlsx"
    path.write_bytes(template_bytes(report=CONSISTENT_2021))
    return path


def test_checking_a_workbook_loads_no_pydantic_no_toml_parser_no_vba_reader_no_consolidation(workbook):
    names = imported([XXGK, "check", str(workbook)])
    assert "toolkit.io.workbook.reader" in names and "typer" in names  # it did check
    unwanted = {"pydantic", "pydantic_core", "tomllib", "importlib.metadata", "toolkit.io.vba.inspect",
                "toolkit.core.consolidation", "toolkit.app.submissions", "multiprocessing", "rich._emoji_codes",
                "pandas", "openpyxl", "numpy"}
    assert names & unwanted == set()


def test_the_excel_buttons_module_loads_no_toml_parser_no_vba_reader_no_xml_parser_no_command_line():
    names = imported(["-c", "import toolkit.excel"])
    assert "toolkit.ui.buttons" in names
    unwanted = {"tomllib", "importlib.resources", "toolkit.io.vba.inspect", "toolkit.io.vba.project", "typer", "rich",
                "pydantic", "xlwings", "pandas", "numpy", "openpyxl", "lxml",
                "defusedxml", "_hashlib"}  # the tree parser and OpenSSL: only when a package is read
    assert names & unwanted == set()
