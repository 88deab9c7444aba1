"""No Python file spells what the format files name.

"The report format is data": every label, sheet name, column name and cell id a user reads lives in
toolkit/core/formats/*.toml.  This guard collects the string constants of toolkit/**/*.py and cli.py
(with ast, docstrings left out) and fails on any that equals one of those names or contains one.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from toolkit.core.formats import VERSIONS, common, get_format, load_toml

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "toolkit").rglob("*.py")) + [ROOT / "cli.py"]

# A name this short is a common word of Chinese prose (年度, 说明, 合计, 错误): a message may contain
# it without naming the registry's entry.  Such names are still caught when a constant *is* one.
SHORTEST_CONTAINED = 4

# xlwings' own settings file is called xlwings.conf, as is the workbook's sheet of its settings: the
# installer names the file, not the sheet.
NOT_NAMES = {"toolkit/app/install/excel_config.py": {"xlwings.conf"}}


def _text_and_columns(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _text_and_columns(v)]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _text_and_columns(v)]
    return []


def registry_names() -> set[str]:
    """Labels, sheet names, column names and cell ids of the format files, as they are loaded."""
    c = common()
    names: set[str] = set()
    for version in VERSIONS:
        fmt = get_format(version)
        names |= set(fmt.cells)
        names |= {p.heading for p in fmt.parts}
        for table in fmt.tables:
            names.add(table.sheet)
            names |= {label for h in (*table.rows, *table.columns) for label in h.labels}
    names |= {f.id for f in c.info_fields} | {f.label for f in c.info_fields}
    names |= set(c.sheets.values()) | set(c.summary_sheets.values()) | {c.xlwings_conf["sheet"]}
    names |= set(c.findings_columns)
    names |= {c.review[k] for k in ("decision", "note", "number", "cells", "open_errors")}
    names |= set(_text_and_columns(load_toml("common.toml")["rollup"]["columns"]))
    names |= {c.roster[k] for k in ("sheet", "code", "contact")}
    names |= set(c.lists.values()) | set(c.submissions["columns"].values())
    return {n for n in names if n}


def constants(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string constant of a module, its docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant) and isinstance(node.body[0].value.value, str)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def spelled(text: str, names: set[str]) -> str | None:
    """The registry's name this constant spells, if any."""
    if text in names:
        return text
    return next((n for n in names if len(n) >= SHORTEST_CONTAINED and n in text), None)


def offences(paths, names: set[str]) -> list[str]:
    out = []
    for path in paths:
        relative = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
        allowed = NOT_NAMES.get(relative, set())
        for line, text in constants(path):
            name = spelled(text, names - allowed)
            if name is not None:
                out.append(f"{relative}:{line}: {text!r} spells {name!r}")
    return out


def test_no_python_file_spells_a_registry_name():
    found = offences(SOURCES, registry_names())
    assert not found, "names that belong in toolkit/core/formats/*.toml:\n" + "\n".join(found)


def test_the_guard_catches_a_label_spelled_in_python(tmp_path):
    names = registry_names()
    label = get_format().table("t3").rows[0].labels[0]
    planted = tmp_path / "planted.py"
    planted.write_text(f'"""A docstring may say {label}."""\nTITLE = "{label}"\nCELL = "t3.new.total"\n'
                       f'MESSAGE = f"{{unit}}的{label}为{{n}}"\n', encoding="utf-8")
    found = offences([planted], names)
    assert [f.split(":")[1] for f in found] == ["2", "3", "4"]
    assert label in found[0]


@pytest.mark.parametrize("text", ["", "t3", "是", "合计为"])
def test_short_words_are_not_names_when_contained(text):
    assert spelled("本行" + text, registry_names()) is None or len(text) >= SHORTEST_CONTAINED
