"""The package's folders show its layers, and the imports keep to them.

toolkit/core (the formats, the report, the rules, consolidation), toolkit/io (adapters of files,
workbooks, published reports, VBA), toolkit/app (one service per user's job), toolkit/ui (the command
line's and the buttons' faces), in that order: a module may import its own layer and those below it,
never one above (imports inside functions included).  toolkit/__init__.py and toolkit/excel.py (the
buttons' RunPython entry point) stand above them all and nothing inside the layers imports them.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "toolkit"
LAYERS = ("core", "io", "app", "ui")
ENTRY = len(LAYERS)  # toolkit itself and toolkit.excel
MOST_TOP_LEVEL_MODULES = 6
# what the core may not import: every library that reads or writes a medium, or draws a face
MEDIA_LIBRARIES = {"openpyxl", "xlwings", "docx", "pdfplumber", "pandas", "pyarrow", "lxml", "olefile", "typer",
                   "rich", "defusedxml", "zipfile"}


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(name: str) -> int:
    """The layer of a toolkit module by its dotted name."""
    parts = name.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else ENTRY


def imported(path: Path, name: str) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, at any depth; `from X import y` gives X.y (which
    stands for X unless y is a submodule)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            out += [(node.lineno, f"{base}.{a.name}") for a in node.names]
    return out


def violations(package: Path) -> list[str]:
    """Every import that reaches a higher layer, or an entry module, or (from the core) a medium's
    library, as `module:line imports target`."""
    modules = {module_name(p, package): p for p in package.rglob("*.py")}
    root = package.name
    found = []
    for name, path in sorted(modules.items()):
        own = layer(name)
        for line, target in imported(path, name):
            top = target.split(".")[0]
            if own == 0 and top in MEDIA_LIBRARIES:
                found.append(f"{name}:{line} imports {target} (the core reads and writes no medium)")
            if top != root:
                continue
            target = target if target in modules else target.rpartition(".")[0]
            if target not in modules:
                continue
            if own < ENTRY and target in (root, f"{root}.excel") and target != name:
                found.append(f"{name}:{line} imports the entry module {target}")
            elif layer(target) > own:
                found.append(f"{name}:{line} imports {target}, a higher layer "
                             f"({LAYERS[layer(target)] if layer(target) < ENTRY else 'entry'})")
    return found


def test_no_module_imports_a_higher_layer():
    assert violations(PACKAGE) == []


def test_the_package_top_level_holds_at_most_six_modules_beside_the_layers():
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(modules) <= MOST_TOP_LEVEL_MODULES, modules
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert set(LAYERS) <= folders and folders <= set(LAYERS), folders


def test_every_module_is_in_a_layer():
    loose = [module_name(p, PACKAGE) for p in PACKAGE.rglob("*.py") if layer(module_name(p, PACKAGE)) == ENTRY]
    assert sorted(loose) == ["toolkit", "toolkit.excel"]


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "toolkit"
    for rel, text in files.items():
        path = package / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for folder in [package, *[p for p in package.rglob("*") if p.is_dir()]]:
        (folder / "__init__.py").touch()
    return package


@pytest.mark.parametrize("files, expected", [
    ({"core/rules.py": "def f():\n    from toolkit.io.reader import read\n", "io/reader.py": "read = 1\n"},
     ["toolkit.core.rules:2 imports toolkit.io.reader, a higher layer (io)"]),
    ({"io/reader.py": "from toolkit.app import checking\n", "app/checking.py": ""},
     ["toolkit.io.reader:1 imports toolkit.app.checking, a higher layer (app)"]),
    ({"app/checking.py": "from toolkit import excel\n", "excel.py": ""},
     ["toolkit.app.checking:1 imports the entry module toolkit.excel"]),
    ({"core/model.py": "import openpyxl\n"},
     ["toolkit.core.model:1 imports openpyxl (the core reads and writes no medium)"]),
    ({"ui/console.py": "from toolkit.core.model import Report\nfrom toolkit.app import checking\n",
      "core/model.py": "Report = 1\n", "app/checking.py": ""}, []),
], ids=["core-module-importing-io-in-a-function", "io-module-importing-app", "app-module-importing-the-entry",
        "core-module-importing-openpyxl", "ui-importing-below-is-fine"])
def test_the_layer_check_finds_what_is_planted(tmp_path, files, expected):
    assert violations(_tree(tmp_path, files)) == expected


PRIVATE_TYPER_PARTS = re.compile(r"\btyper\.(?:_\w+|rich_utils)")


def test_no_private_part_of_typer_or_click_is_used():
    """Typer's public API only (it vendors click as typer._click): no private module or name, none of
    rich_utils, no click of its own."""
    sources = [ROOT / "cli.py", *PACKAGE.rglob("*.py")]
    used = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in sources
            for m in PRIVATE_TYPER_PARTS.finditer(p.read_text(encoding="utf-8"))]
    used += [f"{p.relative_to(ROOT)}:{line} imports {target}" for p in sources
             for line, target in imported(p, module_name(p, PACKAGE) if p.is_relative_to(PACKAGE) else "cli")
             if target.split(".")[0] == "click" or target.startswith("typer") and re.search(r"\._|rich_utils", target)]
    assert used == []
