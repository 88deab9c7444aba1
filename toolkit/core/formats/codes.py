"""The finding codes: every code the toolkit can emit, with its severity, title, message templates
and advice, loaded from codes.toml (the one registry of them; see its head for the fields).

`codes()` gives them by code, `severity(code)` the severity, `say(code, variant, **fields)` a
message, `words(code, key, **fields)` a piece of one.  Python that emits a finding takes its
severity and words from here, so what users read is data, not code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from toolkit.core.formats.parsed import load


# What a finding code looks like: a prefix (R, P, T3, TX, ...) and upper-case words, e.g. R-NOT-NUMBER.
# The second part starts with a letter, so UTF-8 and CRC-32 are not codes; no \b (a Chinese character
# is a word character, and codes stand next to them); [0-9A-Z], not [A-Z0-9], so that this pattern's
# own text holds nothing code-shaped.
CODE_SHAPE = re.compile(r"(?<![0-9A-Za-z-])[A-Z][0-9A-Z]{0,2}-[A-Z][0-9A-Z]+(?:-[0-9A-Z]+)*(?![0-9A-Za-z-])")
# Tables of codes.toml that are not codes.
SPECIAL = ("stages", "words", "catalogue")


@dataclass(frozen=True)
class Code:
    code: str
    severity: str
    stage: str
    title: str
    advice: str
    message: str = ""
    messages: dict = field(default_factory=dict, hash=False, compare=False)  # other wordings, by name
    words: dict = field(default_factory=dict, hash=False, compare=False)  # pieces of messages, by name
    message_in: str = ""  # where the message is written when not here (the rules' own files)
    unused: str = ""  # why a code nothing emits is kept


class CodeError(ValueError):
    """codes.toml itself is wrong, or a code or wording asked for is not in it (a developer's error)."""


def _raw() -> dict:
    return load("codes.toml")  # parsed once, then read from the copy kept between runs (parsed.py)


@cache
def codes() -> dict[str, Code]:
    raw = _raw()
    stages = raw.get("stages", {})
    from toolkit.core.formats import common  # here: formats imports this module as it loads

    severities = set(common().severities.values())
    out = {}
    for code, entry in raw.items():
        if code in SPECIAL:
            continue
        if not CODE_SHAPE.fullmatch(code):
            raise CodeError(f"codes.toml: [{code}] is not shaped like a code")
        try:
            c = Code(code=code, **entry)
        except TypeError as exc:
            raise CodeError(f"codes.toml: [{code}]: {exc}") from exc
        if c.severity not in severities:
            raise CodeError(f"codes.toml: [{code}] has severity {c.severity!r}")
        if c.stage not in stages:
            raise CodeError(f"codes.toml: [{code}] has stage {c.stage!r}, not one of [stages]")
        if not (c.message or c.message_in):
            raise CodeError(f"codes.toml: [{code}] has neither message nor message_in")
        out[code] = c
    return out


@cache
def stages() -> dict[str, str]:
    """Stage name -> what it is, in the catalogue's order."""
    return dict(_raw()["stages"])


@cache
def shared_words() -> dict[str, str]:
    """The [words] of codes.toml: pieces several codes' messages name rows and cells with."""
    return dict(_raw().get("words", {}))


def code(name: str) -> Code:
    try:
        return codes()[name]
    except KeyError:
        raise CodeError(f"finding code {name} is not in codes.toml") from None


def severity(name: str) -> str:
    return code(name).severity


def say(name: str, variant: str = "", /, **fields) -> str:
    """The message of finding `name`: its `message`, or the wording `variant` of its `messages`."""
    c = code(name)
    template = c.messages.get(variant) if variant else c.message
    if not template:
        raise CodeError(f"codes.toml: [{name}] has no message {variant or '(message)'}")
    return template.format(**fields)


def words(name: str, key: str, /, **fields) -> str:
    """A piece of a message of finding `name` ([name.words]), or of [words] when `name` is empty."""
    table = code(name).words if name else shared_words()
    if key not in table:
        raise CodeError(f"codes.toml: no words {key} for {name or '[words]'}")
    return table[key].format(**fields)
