"""Run the `xxgk` command line and end it abruptly at one exact point, as a killed process or a
power cut would, for the tests of interrupted writes:

    python tests/interrupted.py WHEN PATTERN -- xxgk-arguments...

WHEN says where the process dies; PATTERN (fnmatch) is matched against the base name of the file
concerned:
  open:N    SIGKILL once the N-th file matching PATTERN is opened (an input being read, a
            temporary output just created by mkstemp -- there, and empty)
  chmod     SIGKILL when a file matching PATTERN gets its permissions set: the temporary file is
            written and synced but not yet moved onto the output's name
  replace   SIGKILL just before a file matching PATTERN is moved onto the output's name
  write:N   when a file matching PATTERN is opened, the process may write files of N bytes at most
            (RLIMIT_FSIZE) and the system kills it (SIGXFSZ) at the write that goes past: a death in
            the middle of writing that file
  import    SIGKILL when a module whose name matches PATTERN is imported (cli.py importing typer:
            the first moments of a run)
  ctrl-c:WHEN  as WHEN, but the signal is SIGINT, as Ctrl+C in the terminal sends (once)

The points are found with Python's audit hooks (`open`, `os.chmod`, `os.rename` -- os.replace raises
the latter), so each run dies at the same place; nothing of the toolkit is replaced.  A hook runs
before the operation it audits: `open:N` kills at the next audited operation, when the file is
open.  A run that never reaches its point ends normally, which the tests notice (exit code 0/1,
not -9/-25).
"""
from __future__ import annotations

import fnmatch
import os
import resource
import signal
import sys


def _name(path) -> str:
    if isinstance(path, int):  # a file descriptor: no name
        return ""
    try:
        return os.path.basename(os.fsdecode(path))
    except TypeError:
        return ""


def install(when: str, pattern: str) -> None:
    sig = signal.SIGKILL
    if when.startswith("ctrl-c:"):
        sig, when = signal.SIGINT, when.removeprefix("ctrl-c:")
    kind, _, arg = when.partition(":")
    event = {"open": "open", "chmod": "os.chmod", "replace": "os.rename", "write": "open", "import": "import"}[kind]
    seen, armed, sent = 0, False, False

    def send():
        nonlocal sent
        if not sent:
            sent = True
            os.kill(os.getpid(), sig)

    def hook(name, args):
        nonlocal seen, armed
        if armed:  # the file opened by the operation audited before this one is there now
            armed = False  # os.kill is audited too: no second round
            send()
        if name != event or not args or not fnmatch.fnmatch(_name(args[0]), pattern):
            return
        if kind == "open":
            seen += 1
            armed = seen == int(arg)
        elif kind == "write":
            signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # Python ignores it: the write would only fail
            resource.setrlimit(resource.RLIMIT_FSIZE, (int(arg), resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
        else:
            send()

    sys.addaudithook(hook)


def main() -> None:
    when, pattern, dashes, *args = sys.argv[1:]
    assert dashes == "--", __doc__
    install(when, pattern)
    sys.argv = ["xxgk", *args]
    from cli import main as xxgk

    xxgk()


if __name__ == "__main__":
    main()
