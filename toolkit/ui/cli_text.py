"""Chinese for the parts of the command line that Typer would print itself, and help that reads well.

Help is rendered here (`HelpCommand`, `HelpGroup`: Typer's public `cls=` extension point, overriding
click's `format_help`): every description whole and wrapped (CJK text folded at the width, never cut
with "…"), choices shown as given by each option's `metavar` (`--format [2021|2019]`), flags shown
as flags (no `<bool>`), an example under each command (formats/common.toml [help]).  `-h` comes
from click's context setting `help_option_names` (cli.py).

Errors are rendered here too, through the public `main(standalone_mode=False)`: the group runs the
command, takes the exception it raises (a typer.TyperException: a usage error carries its context and
exit code 2) and prints it in Chinese (`show_error`); no private part of typer or click is touched."""
from __future__ import annotations

import functools
import re
import sys

import typer
import typer.core
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

USAGE_ERRORS = [
    (re.compile(r"Missing argument '(.+)'\."), "缺少参数 {0}"),
    (re.compile(r"Missing option '(.+)'\."), "缺少选项 {0}"),
    (re.compile(r"No such option: (\S+)"), "没有这个选项：{0}"),
    (re.compile(r"No such command '(.+)'\."), "没有这个命令：{0}"),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)"), "多余的参数：{0}"),
    (re.compile(r"Invalid value for '(.+?)': (.+)"), "参数 {0} 的值无效：{1}"),
    (re.compile(r"Option '(.+)' requires an argument\."), "选项 {0} 需要一个值"),
    (re.compile(r"'(.+)' is not a valid integer\.?"), "“{0}”不是整数"),
    # click's checks of a path (the toolkit reads its inputs itself and says why; these are left over)
    (re.compile(r"(?:[Ff]ile|[Dd]irectory|[Pp]ath) '(.+)' is not readable\."), "“{0}”没有读取权限"),
    (re.compile(r"(?:[Ff]ile|[Dd]irectory|[Pp]ath) '(.+)' is not writable\."), "“{0}”没有写入权限"),
    (re.compile(r"(?:[Ff]ile|[Dd]irectory|[Pp]ath) '(.+)' is a directory\."), "“{0}”是一个文件夹，不是文件"),
    (re.compile(r"(?:[Ff]ile|[Dd]irectory|[Pp]ath) '(.+)' does not exist\."), "“{0}”不存在"),
]

WIDEST = 120  # help lines are never wider than this, however wide the terminal


@functools.lru_cache(maxsize=None)
def texts() -> dict:
    """formats/common.toml [help], read once."""
    from toolkit.core.formats import common_toml

    return common_toml()["help"]


def show_error(exc: typer.TyperException) -> None:
    """A usage error as help writes it: the usage line, where to find help, the message in Chinese.
    (A command given no arguments has printed its help already, and its message is empty.)"""
    message = exc.format_message()
    if not message.strip():
        return
    console = _console(stderr=True)
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        console.print(Text(ctx.get_usage()), soft_wrap=True)
        console.print(Text(texts()["see_help"].format(command=f"{ctx.command_path} {ctx.help_option_names[0]}")),
                      soft_wrap=True)
    console.print(Panel(Text(usage_error(message)), title=texts()["error"], title_align="left",
                        border_style="red"))


def usage_error(message: str) -> str:
    for pattern, chinese in USAGE_ERRORS:
        m = pattern.search(message)
        if m:  # a group may be a message of its own ("Invalid value for 'x': path 'y' is not readable.")
            return chinese.format(*(usage_error(g) if g != message else g for g in m.groups()))
    return message


def _console(stderr: bool = False) -> Console:
    from toolkit.ui.terminal import Terminal

    console = Terminal(highlight=False, stderr=stderr)
    if console.width > WIDEST:
        console.width = WIDEST
    return console


def _paragraphs(text: str) -> list[str]:
    import inspect

    text = inspect.cleandoc(text or "").partition("\f")[0]
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _metavar(param, ctx) -> str:
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return ""  # a flag takes no value
    if param.metavar:
        return param.metavar
    types = texts()["types"]
    shown = str(getattr(param, "display_type", lambda ctx: "")(ctx) or "").lower()  # typer's "<path>", "<int>", "<list[Path]>"
    shown = types["path"] if "path" in shown else types["int"] if "int" in shown else types["text"]
    return shown + ("..." if param.nargs != 1 else "")


def _param_help(param, ctx) -> str:
    t = texts()
    name = getattr(param, "name", "")
    if name in ("install_completion", "show_completion"):
        words = t[name]
    elif name == "help":
        words = t["help_option"]
    else:
        words = _joined(getattr(param, "help", None) or "")
    return " ".join([words, *([t["required"]] if param.required else [])]).strip()


def _joined(text: str) -> str:
    """The lines of a help text as one, joined by a space only between Latin words."""
    from toolkit.ui.terminal import wide

    out = ""
    for line in (part.strip() for part in text.splitlines()):
        if out and line and not (wide(out[-1]) or wide(line[0])):
            out += " "
        out += line
    return out


def _rows(rows: list[tuple[str, str]], width: int, indent: int = 2) -> list[str]:
    """Two columns, the left as wide as its widest entry, the right wrapped (toolkit.ui.terminal.wrap)."""
    from rich.cells import cell_len

    from toolkit.ui.terminal import wrap

    left = max([cell_len(a) for a, _ in rows if cell_len(a) <= width // 3] or [4]) + 2  # longer: own line
    out = []
    for a, b in rows:
        lines = wrap(b, width - indent - left) or [""]
        if cell_len(a) + 2 > left:
            out += [" " * indent + line for line in wrap(a, width - indent)]
        else:
            first = lines.pop(0)
            out.append((" " * indent + a + " " * (left - cell_len(a)) + first).rstrip())
        out += [" " * (indent + left) + line for line in lines]
    return out


def _usage(command, ctx) -> str:
    t = texts()
    pieces = [ctx.command_path, f"[{t['options']}]"]
    if isinstance(command, typer.core.TyperGroup):
        pieces.append(f"{t['commands']} [{t['arguments']}]...")
    for param in command.get_params(ctx):
        if param.param_type_name == "argument":
            shown = param.name.upper() + ("..." if param.nargs != 1 else "")
            pieces.append(shown if param.required else f"[{shown}]")
    return " ".join(pieces)


def help_lines(command, ctx, width: int) -> list[tuple[str, str]]:
    """The help of `command` as (line, style) pairs, every line at most `width` cells."""
    from toolkit.ui.terminal import wrap

    t = texts()
    out = [(line, "bold") for line in wrap(f"{t['usage']}：{_usage(command, ctx)}", width)]
    for paragraph in _paragraphs(command.help):
        out.append(("", ""))
        out += [(line, "") for line in wrap(paragraph, width)]
    arguments, options = [], []
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        meta = _metavar(param, ctx)
        if param.param_type_name == "argument":
            arguments.append((" ".join(filter(None, [param.name.upper(), meta])), _param_help(param, ctx)))
        else:
            names = ", ".join(sorted(param.opts, key=len) + list(param.secondary_opts))
            options.append((" ".join(filter(None, [names, meta])), _param_help(param, ctx)))
    commands = []
    if isinstance(command, typer.core.TyperGroup):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                first = _joined((_paragraphs(sub.help) or [""])[0])
                commands.append((name, first))
    for title, rows in ((t["arguments"], arguments), (t["options"], options), (t["commands"], commands)):
        if rows:
            out += [("", ""), (f"{title}：", "bold")] + [(line, "") for line in _rows(rows, width)]
    example = t["examples"].get(ctx.info_name) if ctx.parent is not None else None
    if example:
        out += [("", ""), (f"{t['example']}：", "bold")] + [("  " + line, "") for line in wrap(example, width - 2, words=True)]
    return out


def render_help(command, ctx) -> None:
    console = _console()
    for line, style in help_lines(command, ctx, console.width):
        console.print(Text(line, style=style), soft_wrap=True)


class HelpCommand(typer.core.TyperCommand):
    def format_help(self, ctx, formatter) -> None:
        render_help(self, ctx)

    def get_usage(self, ctx) -> str:  # the line above a usage error, as help writes it
        return f"{texts()['usage']}：{_usage(self, ctx)}"


class HelpGroup(typer.core.TyperGroup):
    def format_help(self, ctx, formatter) -> None:
        render_help(self, ctx)

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        """Run as click does, but print its errors in Chinese (show_error)."""
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except typer.Abort:
            _console(stderr=True).print(texts()["aborted"])
            sys.exit(1)
        except typer.TyperException as exc:
            show_error(exc)
            sys.exit(getattr(exc, "exit_code", 1))
        sys.exit(code if isinstance(code, int) else 0)

    def get_usage(self, ctx) -> str:
        return f"{texts()['usage']}：{_usage(self, ctx)}"
