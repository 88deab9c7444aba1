"""Chinese for the parts of the command line that Typer would print itself, and help that reads well.

Help is rendered here (`HelpCommand`, `HelpGroup`: Typer's public `cls=` extension point, overriding
click's `format_help`): every description whole and wrapped (CJK text folded at the width, never cut
with "…"), choices shown as given by each option's `metavar` (`--format [2021|2019]`), flags shown
as flags (no `<bool>`), an example under each command (formats/common.toml [help]).  `-h` comes
from click's context setting `help_option_names` (cli.py).

What the public API cannot do, and so stays a patch of `typer.rich_utils` (typer is pinned to the
tested range in pyproject.toml for it): usage errors in Chinese (`rich_format_error`) and the
titles of the error panel.  Best effort: should a Typer release move these, errors fall back to
English; nothing breaks."""
from __future__ import annotations

import functools
import re

import typer.core
from rich.console import Console
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
    from toolkit.formats import load_toml

    return load_toml("common.toml")["help"]


def localize_help() -> None:
    """Usage errors in Chinese: the one patch left (see the module's docstring)."""
    try:
        from typer import rich_utils
    except ImportError:  # pragma: no cover - a Typer without rich
        return
    rich_utils.ERRORS_PANEL_TITLE = "错误"
    rich_utils.ABORTED_TEXT = "已中止。"
    rich_utils.RICH_HELP = "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"
    format_error = getattr(rich_utils, "rich_format_error", None)
    if format_error is None or getattr(format_error, "_localized", False):
        return

    def rich_format_error(exc):
        message = usage_error(exc.format_message())
        exc.format_message = lambda: message
        format_error(exc)

    rich_format_error._localized = True
    rich_utils.rich_format_error = rich_format_error


def usage_error(message: str) -> str:
    for pattern, chinese in USAGE_ERRORS:
        m = pattern.search(message)
        if m:  # a group may be a message of its own ("Invalid value for 'x': path 'y' is not readable.")
            return chinese.format(*(usage_error(g) if g != message else g for g in m.groups()))
    return message


def _console() -> Console:
    from toolkit.terminal import Terminal

    console = Terminal(highlight=False)
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
    from toolkit.terminal import wide

    out = ""
    for line in (part.strip() for part in text.splitlines()):
        if out and line and not (wide(out[-1]) or wide(line[0])):
            out += " "
        out += line
    return out


def _rows(rows: list[tuple[str, str]], width: int, indent: int = 2) -> list[str]:
    """Two columns, the left as wide as its widest entry, the right wrapped (toolkit.terminal.wrap)."""
    from rich.cells import cell_len

    from toolkit.terminal import wrap

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
    from toolkit.terminal import wrap

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

    def get_usage(self, ctx) -> str:
        return f"{texts()['usage']}：{_usage(self, ctx)}"
