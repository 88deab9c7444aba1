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
HEAD = f"""# 问题代码一览

检查、汇总、导入和比较年报时发现的每一个问题都有一个代码（校验结果表的“代码”列）。下表按发现问题的环节分组，列出每个代码的严重程度、标题、提示的内容和处理建议。

- **错误**：必须改正；有错误的报告不应发布，汇总时计入未处理的错误。
- **提示**：请核实；确实无误的可以不改。

消息中的 {{…}} 是发现问题时填入的内容（单元格、数字、名称等）。

<!-- 本文件由 `{COMMAND}` 根据 toolkit/core/formats/codes.toml 生成，请勿手工修改。 -->
"""
COLUMNS = ("代码", "严重程度", "标题", "消息", "处理建议")


def render() -> str:
    registry = codes()
    out = [HEAD]
    for stage, what in stages().items():
        members = [c for c in registry.values() if c.stage == stage]
        if not members:
            continue
        out.append(f"## {stage}（{len(members)}个）\n\n{what}\n")
        out.append("| " + " | ".join(COLUMNS) + " |")
        out.append("|" + "---|" * len(COLUMNS))
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
