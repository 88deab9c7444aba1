"""Parts of a saved package put in the order Excel's schema requires, where openpyxl's differs.

Every file we write is checked with Microsoft's Open XML SDK validator (tests/test_ooxml_validator.py),
which holds each element's children to the sequence of the schema, the order Excel itself writes.
openpyxl 3.1.5 (pinned) writes the children of a <font> in its own order (name, charset, family, b,
i, ..., color, extend, sz, ...), in the cell fonts and in the fonts of conditional formats (<dxf>)
alike.  Rather than patch openpyxl's Font class for the whole process, the saved xl/styles.xml is
rewritten here, once, in `toolkit.io.workbook.package.reproducible` (every package we write passes
through it): the same input always gives the same bytes, and the fix does not depend on which
openpyxl objects made the fonts.
"""
from __future__ import annotations

import re

STYLES_PART = "xl/styles.xml"

# CT_Font's children in the schema's sequence (as Excel writes them).
FONT_CHILDREN = ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color",
                 "name", "family", "charset", "scheme")
_RANK = {name.encode(): rank for rank, name in enumerate(FONT_CHILDREN)}
_FONT = re.compile(rb"<font>(.*?)</font>", re.S)
# A font's children are all empty elements with attributes only (<b val="1"/>, <color rgb="..."/>);
# attribute values never hold a raw "<" or ">" (openpyxl escapes them).
_CHILD = re.compile(rb"<([A-Za-z]+)(?:\s[^<>]*)?/>")


def in_schema_order(name: str, body: bytes) -> bytes:
    """The member `name` of a package with its elements in the schema's order (only xl/styles.xml
    needs it; anything else is returned as it is)."""
    if name != STYLES_PART:
        return body
    return _FONT.sub(_ordered_font, body)


def _ordered_font(match: re.Match) -> bytes:
    content = match.group(1)
    children = list(_CHILD.finditer(content))
    if b"".join(c.group(0) for c in children) != content or any(c.group(1) not in _RANK for c in children):
        # openpyxl wrote a font we do not know how to order: stop, rather than write a file Excel may refuse
        raise ValueError(f"{STYLES_PART}: unexpected font element {match.group(0)[:200]!r}")
    children.sort(key=lambda c: _RANK[c.group(1)])
    return b"<font>" + b"".join(c.group(0) for c in children) + b"</font>"
