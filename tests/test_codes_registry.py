"""The registry of finding codes (toolkit/core/formats/codes.toml) is whole and has nothing dead:

- every code-shaped string of the Python sources (docstrings aside) is a registry code;
- every code the format files' rules use is one, with the registry's severity;
- every registry code is emitted somewhere (Python or a rule), every wording (`messages`) and piece
  (`words`) of it is asked for by the Python, unless the entry says why it is kept (`unused`);
- each of these checks catches a defect planted in small files made here;
- docs/codes.md is the catalogue the registry writes (toolkit/core/formats/catalogue.py).
"""
from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from toolkit.core.formats import codes, say, severity
from toolkit.core.formats.catalogue import COMMAND, messages, render
from toolkit.core.formats.codes import CODE_SHAPE, Code, CodeError, stages
from toolkit.core.model import ERROR, HINT

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ROOT / "toolkit" / "core" / "formats"
SOURCES = sorted((ROOT / "toolkit").rglob("*.py")) + [ROOT / "cli.py"]
RULE_FILES = sorted(p for p in FORMATS.glob("*.toml") if p.name != "codes.toml")
WORDING_CALLS = ("say", "words")  # toolkit.core.formats' functions that take a code and a wording's name


# --- the checkers -----------------------------------------------------------------------------------

def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}


def python_codes(paths) -> dict[str, list[str]]:
    """Code-shaped strings in the string constants (f-strings' parts too, docstrings aside) of the
    sources: code -> ["path:line", ...]."""
    found: dict[str, list[str]] = {}
    for path in paths:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                for code in CODE_SHAPE.findall(node.value):
                    found.setdefault(code, []).append(f"{Path(path).name}:{node.lineno}")
    return found


def toml_codes(paths) -> dict[str, list[tuple[str, str | None]]]:
    """The codes the format files give their rules (`code`, `code_…` keys), each with the severity
    beside it: code -> [(file, severity), ...].  Other code-shaped strings count too (severity None)."""
    found: dict[str, list] = {}

    def walk(value, name):
        if isinstance(value, dict):
            sev = value.get("severity")
            for key, item in value.items():
                if isinstance(item, str) and (key == "code" or key.startswith("code_")) and CODE_SHAPE.fullmatch(item):
                    found.setdefault(item, []).append((name, sev))
                elif isinstance(item, str):
                    for code in CODE_SHAPE.findall(item):
                        found.setdefault(code, []).append((name, None))
                else:
                    walk(item, name)
        elif isinstance(value, list):
            for item in value:
                walk(item, name)

    for path in paths:
        walk(tomllib.loads(Path(path).read_text(encoding="utf-8")), Path(path).name)
    return found


def _constants(tree: ast.AST) -> dict[str, str]:
    """Module-level names bound to strings (VBA_CHANGED, VBA_UNREADABLE = "R-…", "R-…")."""
    out = {}
    for node in getattr(tree, "body", ()):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and isinstance(node.value, ast.Constant):
                out[target.id] = node.value.value
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                for t, v in zip(target.elts, node.value.elts):
                    if isinstance(t, ast.Name) and isinstance(v, ast.Constant):
                        out[t.id] = v.value
    return out


def _strings(node, names: dict) -> list[str] | None:
    """The strings an argument can be: a constant, a name bound to one, either side of an `if`
    expression; None when it cannot be told (a variable)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in names:
        return [names[node.id]]
    if isinstance(node, ast.IfExp):
        a, b = _strings(node.body, names), _strings(node.orelse, names)
        return None if a is None or b is None else a + b
    return None


def wordings_asked(paths) -> dict[str, set[str] | None]:
    """code -> the names of the wordings and pieces the sources ask for with say()/words() ("" is the
    message itself); None when some call's name cannot be told (then every one counts as asked)."""
    asked: dict[str, set[str] | None] = {}
    for path in paths:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        names = _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if func not in WORDING_CALLS:
                continue
            for code in _strings(node.args[0], names) or ():
                if code in asked and asked[code] is None:
                    continue
                which = _strings(node.args[1], names) if len(node.args) > 1 else [""]
                asked[code] = None if which is None else asked.get(code, set()) | set(which)
    return asked


def unknown_codes(found: dict, registry: dict[str, Code]) -> list[str]:
    return sorted(f"{code} ({', '.join(map(str, places))})" for code, places in found.items() if code not in registry)


def wrong_severities(in_tomls: dict, registry: dict[str, Code]) -> list[str]:
    return sorted(f"{code} in {name}: {sev} (codes.toml: {registry[code].severity})"
                  for code, uses in in_tomls.items() if code in registry
                  for name, sev in uses if sev is not None and sev != registry[code].severity)


def dead_entries(registry: dict[str, Code], in_python: dict, in_tomls: dict, asked: dict) -> list[str]:
    """Registry codes nothing emits, and wordings nothing asks for, of entries not marked `unused`."""
    dead = []
    for name, c in registry.items():
        if c.unused:
            continue
        if name not in in_python and not any(sev is not None for _, sev in in_tomls.get(name, ())):
            dead.append(f"{name}: emitted nowhere")
            continue
        wanted = asked.get(name, set())
        if wanted is None:
            continue
        if name == "R-FORMULA-ERROR":
            wanted = wanted | set(c.words)  # the reader takes the error values' meanings as a table
        if c.message and "" not in wanted:
            dead.append(f"{name}: message asked for nowhere")
        dead += [f"{name}: messages.{k} asked for nowhere" for k in c.messages if k not in wanted]
        dead += [f"{name}: words.{k} asked for nowhere" for k in c.words if k not in wanted]
    return dead


# --- the toolkit's own files ----------------------------------------------------------------------

def test_every_code_in_the_python_is_registered():
    assert unknown_codes(python_codes(SOURCES), codes()) == []


def test_every_code_of_the_rules_is_registered_with_its_severity():
    found = toml_codes(RULE_FILES)
    assert unknown_codes(found, codes()) == []
    assert wrong_severities(found, codes()) == []
    assert {"T3-BALANCE", "TX-HEADING", "A-DIFFERS", "V-NEGATIVE", "Y-JUMP", "P-PAGE-FURNITURE"} <= set(found)


def test_every_registered_code_is_emitted():
    asked = wordings_asked(SOURCES)
    assert dead_entries(codes(), python_codes(SOURCES), toml_codes(RULE_FILES), asked) == []


def test_the_registry_is_well_formed():
    registry = codes()
    assert {c.severity for c in registry.values()} == {ERROR, HINT}
    assert set(stages()) == {c.stage for c in registry.values()}
    for name, c in registry.items():
        assert c.title and c.advice, name
        assert CODE_SHAPE.fullmatch(name), name
    # the reader's and the importer's codes all have their words here
    assert all(c.message or c.messages for n, c in registry.items() if n.startswith("R-") and n != "R-NAME-MISPLACED")


def test_say_and_severity():
    assert severity("R-BLANK") == HINT and severity("P-MISSING") == ERROR
    assert say("R-BLANK", sheet="表三 依申请公开", count=2) == (
        "“表三 依申请公开”表有2个应填单元格为空（或填“无”“—”），已按0读取；没有发生的请填0")
    assert say("P-HEADING", "table", heading="二、主动公开政府信息情况") == "未找到“二、主动公开政府信息情况”的标题"
    with pytest.raises(CodeError):
        say("R-NOPE")
    with pytest.raises(CodeError):
        say("R-BLANK", "no-such-wording")


# --- planted defects: each checker reports them -------------------------------------------------------

def test_planted_unknown_code_in_python_is_caught(tmp_path):
    source = tmp_path / "emitter.py"
    source.write_text('"""Mentions R-DOCSTRING only in a docstring."""\n'
                      'from toolkit.core.formats import say\n'
                      'def f(n):\n'
                      '    return say("R-NOPE"), f"{n}个 P-ALSO-NOPE", "UTF-8", "R-BLANK"\n', encoding="utf-8")
    found = python_codes([source])
    assert unknown_codes(found, codes()) == ["P-ALSO-NOPE (emitter.py:4)", "R-NOPE (emitter.py:4)"]


def test_planted_unknown_code_and_wrong_severity_in_a_format_file_are_caught(tmp_path):
    rules = tmp_path / "9999.toml"
    rules.write_text('[[rules]]\ncode = "T9-NOPE"\nseverity = "错误"\n'
                     '[[rules]]\ncode = "T3-BALANCE"\nseverity = "提示"\n'
                     '[text_checks.headings]\ncode_order = "TX-ORDER"\nseverity = "错误"\n'
                     'note = "见 Q-MENTIONED"\n', encoding="utf-8")
    found = toml_codes([rules])
    assert unknown_codes(found, codes()) == ["Q-MENTIONED (('9999.toml', None))",
                                             "T9-NOPE (('9999.toml', '错误'))"]
    assert wrong_severities(found, codes()) == ["T3-BALANCE in 9999.toml: 提示 (codes.toml: 错误)",
                                                "TX-ORDER in 9999.toml: 错误 (codes.toml: 提示)"]


def test_planted_dead_entries_are_caught(tmp_path):
    registry = {
        "R-SPOKEN": Code("R-SPOKEN", HINT, "读取", "t", "a", message="m", messages={"other": "o"},
                         words={"used": "u", "forgotten": "f"}),
        "R-SILENT": Code("R-SILENT", HINT, "读取", "t", "a", message="m"),
        "R-KEPT": Code("R-KEPT", HINT, "读取", "t", "a", message="m", unused="older summaries list it"),
        "T9-RULE": Code("T9-RULE", ERROR, "校验", "t", "a", message_in="9999.toml"),
    }
    source = tmp_path / "emitter.py"
    source.write_text('from toolkit.core.formats import say, words\n'
                      'SPOKEN = "R-SPOKEN"\n'
                      'def f(x):\n'
                      '    return say(SPOKEN, x=words(SPOKEN, "used" if x else "used"))\n', encoding="utf-8")
    rules = tmp_path / "9999.toml"
    rules.write_text('[[rules]]\ncode = "T9-RULE"\nseverity = "错误"\n', encoding="utf-8")
    dead = dead_entries(registry, python_codes([source]), toml_codes([rules]), wordings_asked([source]))
    assert dead == ["R-SPOKEN: messages.other asked for nowhere", "R-SPOKEN: words.forgotten asked for nowhere",
                    "R-SILENT: emitted nowhere"]


# --- the catalogue ------------------------------------------------------------------------------------

def test_docs_codes_md_is_the_catalogue_of_the_registry():
    written = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    assert written == render(), f"docs/codes.md is not the registry's catalogue: write it again with `{COMMAND}`"


def test_the_catalogue_names_every_code_with_its_messages():
    text = render()
    for name, c in codes().items():
        assert f"| {name} | {c.severity} |" in text
        assert messages(c), name  # a message_in that points to no message raises
    assert "本年新收 + 二、上年结转" in text  # T3-BALANCE's message, from 2021.toml's rule
    assert "晚于{level_text}公开期限" in text  # P-LATE's, from common.toml [publication.messages]


def test_a_message_in_pointing_nowhere_is_caught():
    for pointer in ("common.toml [publication.messages] no_such_key", "2021.toml [[rules]]"):
        with pytest.raises(CodeError):
            messages(Code("T9-NOPE", ERROR, "校验", "t", "a", message_in=pointer))
