"""Text from the inputs, as the toolkit shows it: cut to a readable length and with control
characters made visible.

Whatever a file brings -- its name, a unit name, what was typed into a cell -- may be 50 MB long or
hold terminal escape sequences (ESC [ 2 J clears the screen; a carriage return overwrites the line).
Messages quote it through `quoted`; the terminal shows everything through `visible` (the console's
`render_str`, see toolkit.ui.console), so no byte of an input reaches the terminal as a control code.
Standard library only.
"""
from __future__ import annotations

import re

LONGEST = 200  # characters of an input's text a message quotes; the rest is said as a length

# C0 and C1 control characters, DEL, and the bidirectional and invisible formatting characters a
# name can use to show itself as another (U+202E writes the rest right to left).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_NEWLINES = re.compile("[\n\t]")


def clip(text, longest: int = LONGEST) -> str:
    """`text` cut to `longest` characters, with an ellipsis and its full length after the cut."""
    text = str(text)
    if len(text) <= longest:
        return text
    return f"{text[:longest]}…（共 {len(text):,} 个字符）"


def _escaped(m: re.Match) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, keep_lines: bool = True) -> str:
    """`text` with every control character written out as \\x1b, \\u202e...  Line breaks and tabs
    stay (the toolkit's own messages have them) unless `keep_lines` is false (a single name)."""
    text = _CONTROL.sub(_escaped, str(text))
    return text if keep_lines else _NEWLINES.sub(_escaped, text)


def quoted(text, longest: int = LONGEST) -> str:
    """An input's text as a message quotes it: one line, control characters visible, cut."""
    return visible(clip(text, longest), keep_lines=False)


def json_visible(text: str) -> str:
    """JSON text with the control characters json.dumps leaves raw (C1, DEL, the bidirectional
    ones: it escapes only those below U+0020) written as \\uXXXX, which JSON reads back as they were."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
