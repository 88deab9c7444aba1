"""The terminal the command line prints to: a rich Console that shows no input's text raw.

Every string it renders -- printed lines, table cells, titles -- passes `toolkit.core.shown.visible`
first, so a file name or a cell holding ESC [ 2 J shows \\x1b[2J instead of clearing the screen,
and a string longer than the terminal could ever need is cut (`LONGEST_SHOWN`; the messages cut the
inputs' text they quote much shorter, see toolkit.core.shown.quoted)."""
from __future__ import annotations

from rich.console import Console

from toolkit.core.shown import clip, visible

LONGEST_SHOWN = 20_000  # characters of one printed string or table cell


class Terminal(Console):
    def __init__(self, *args, **kwargs):
        # No emoji codes: a file name or a unit's name holding :smile: is shown as written, not as 😄
        # (escape() guards only the markup's brackets); and rich's table of codes is not even loaded.
        kwargs.setdefault("emoji", False)
        super().__init__(*args, **kwargs)

    def render_str(self, text: str, **kwargs):
        return super().render_str(visible(clip(text, LONGEST_SHOWN)), **kwargs)


# Lines of Chinese text break between any two characters, except before closing and after opening
# punctuation; a run of Latin letters, digits and the like (a code, an option, a file name) is a word
# and is kept whole unless longer than a line.  rich breaks only at spaces: CJK text without any would
# be one word, cut with "…" or folded mid-word.
NO_LINE_START = set("，。、；：？！）》」』”’】〕…—")
NO_LINE_END = set("（《「『“‘【〔")


def wide(ch: str) -> bool:
    from rich.cells import cell_len

    return cell_len(ch) == 2 or ch in NO_LINE_START or ch in NO_LINE_END


def _tokens(text: str, words: bool = False) -> list[str]:
    tokens, word = [], ""
    for ch in text:
        if ch == " " or (wide(ch) and not words):
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
    if word:
        tokens.append(word)
    # glue closing punctuation to what comes before it and opening punctuation to what follows
    glued: list[str] = []
    for t in tokens:
        if glued and (t in NO_LINE_START or glued[-1][-1] in NO_LINE_END) and t != " " and glued[-1] != " ":
            glued[-1] += t
        else:
            glued.append(t)
    return glued


def wrap(text: str, width: int, words: bool = False) -> list[str]:
    """`text` as lines of at most `width` cells, broken as the comment above says; its own line
    breaks are kept.  `words`: break at spaces only (a command line)."""
    from rich.cells import cell_len

    width = max(width, 4)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _tokens(paragraph, words):
            if cell_len(line + token) <= width:
                line += token
                continue
            if token == " ":
                lines.append(line)
                line = ""
                continue
            if line.strip():
                lines.append(line.rstrip())
                line = ""
            while cell_len(token) > width:  # longer than a line: cut where the line ends
                cut = 1
                while cell_len(token[:cut + 1]) <= width:
                    cut += 1
                lines.append(token[:cut])
                token = token[cut:]
            line = token
        lines.append(line.rstrip())
    return lines
