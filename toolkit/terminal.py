"""The terminal the command line prints to: a rich Console that shows no input's text raw.

Every string it renders -- printed lines, table cells, titles -- passes `toolkit.shown.visible`
first, so a file name or a cell holding ESC [ 2 J shows \\x1b[2J instead of clearing the screen,
and a string longer than the terminal could ever need is cut (`LONGEST_SHOWN`; the messages cut the
inputs' text they quote much shorter, see toolkit.shown.quoted)."""
from __future__ import annotations

from rich.console import Console

from toolkit.shown import clip, visible

LONGEST_SHOWN = 20_000  # characters of one printed string or table cell


class Terminal(Console):
    def render_str(self, text: str, **kwargs):
        return super().render_str(visible(clip(text, LONGEST_SHOWN)), **kwargs)
