"""Ctrl+C on the command line: one Chinese line and exit code 130, never a traceback, and no output
left half-written.

`install` is called first thing in cli.py, before the libraries load (typer, rich, lxml take a
moment, and Ctrl+C then would print Python's KeyboardInterrupt traceback).  Until `ready` is called
nothing has been written, so the process just says so and ends; afterwards Ctrl+C raises
`Interrupted`, which no `except Exception` catches: it unwinds through toolkit.io.files.atomic_stream
(which deletes its temporary file) to cli.main, which says so and exits 130.  Standard library only.
"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a run ended by Ctrl+C
MESSAGE = "已中断（Ctrl+C）：未完成的输出文件没有留下（已完成的照常保留）。"

_ready = False


class Interrupted(BaseException):
    """Ctrl+C once the command is running (not a KeyboardInterrupt: click turns those into exit 1)."""


def _on_ctrl_c(signum, frame):
    if not _ready:
        sys.stderr.write(MESSAGE + "\n")
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)
    raise Interrupted


def install(commands=("xxgk", "cli")) -> None:
    """For a process started as one of `commands` (the `xxgk` script, `python cli.py`): a program that
    imports cli.py (a test, an embedding program) keeps its own Ctrl+C."""
    if Path(sys.argv[0] if sys.argv else "").stem not in commands:
        return
    try:
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # ignored (nohup, a background job): stays so
            signal.signal(signal.SIGINT, _on_ctrl_c)
    except ValueError:  # not the main thread (an embedding program): leave Ctrl+C to it
        pass


def ready() -> None:
    global _ready
    _ready = True
