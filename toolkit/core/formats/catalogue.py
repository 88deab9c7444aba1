"""The catalogue of finding codes (docs/codes.md), written from the registry (codes.toml):

    python -m toolkit.core.formats.catalogue > docs/codes.md

One table a stage, one row a code: its severity, title, the messages users see (the registry's own,
or those of the rules its `message_in` points to) and the advice.  tests/test_codes_registry.py
keeps docs/codes.md equal to `render()`.
"""
from __future__ import annotations

import sys

from toolkit.core.formats import load_toml
from toolkit.core.formats.codes import Code, CodeError, codes, stages

COMMAND = "python -m toolkit.core.formats.catalogue > docs/codes.md"


def render() -> str:
    registry = codes()
    words = load_toml("codes.toml")["catalogue"]  # the catalogue's own headings and introduction
    columns = words["columns"]
    out = [words["head"].format(command=COMMAND)]
    for stage, what in stages().items():
        members = [c for c in registry.values() if c.stage == stage]
        if not members:
            continue
        out.append(f"## {words['stage'].format(stage=stage, count=len(members))}\n\n{what}\n")
        out.append("| " + " | ".join(columns) + " |")
        out.append("|" + "---|" * len(columns))
        for c in members:
            shown = "<br>".join(_cell(m) for m in messages(c))
            out.append(f"| {c.code} | {c.severity} | {_cell(c.title)} | {shown} | {_cell(c.advice)} |")
        out.append("")
    return "\n".join(out)


def messages(c: Code) -> list[str]:
    """The messages of a code as users may see them: the registry's, then its rules'."""
    own = ([c.message] if c.message else []) + list(c.messages.values())
    return list(dict.fromkeys(own + (_pointed(c) if c.message_in else [])))


def _pointed(c: Code) -> list[str]:
    """The messages `message_in` points to: "2021.toml、2019.toml [[rules]]" (the `message` of each
    entry with this code), or "common.toml [publication.messages] late、early" (those keys)."""
    where, _, rest = c.message_in.partition("[")
    section, _, keys = rest.partition("]")
    section, keys = section.strip("[]"), [k for k in keys.strip("] ").split("、") if k]
    found = []
    for name in where.strip().split("、"):
        node = load_toml(name)
        for part in filter(None, section.split(".")):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        if any(k not in node for k in keys):
            raise CodeError(f"codes.toml: [{c.code}] message_in {c.message_in!r}: no such key in {name}")
        found += [node[k] for k in keys] if keys else _entries(node, c.code)
    if not found:
        raise CodeError(f"codes.toml: [{c.code}] message_in {c.message_in!r} points to no message")
    return found


def _entries(node, code: str) -> list[str]:
    if isinstance(node, list):
        return [m for item in node for m in _entries(item, code)]
    if isinstance(node, dict):
        if node.get("code") == code and isinstance(node.get("message"), str):
            return [node["message"]]
        return [m for item in node.values() if isinstance(item, (dict, list)) for m in _entries(item, code)]
    return []


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":
    sys.stdout.buffer.write(render().encode("utf-8"))
