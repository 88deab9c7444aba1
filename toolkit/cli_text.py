"""Chinese for the parts of the command line that Typer prints itself: help panel titles, the help
option, and usage errors.  Best effort: should a Typer release move these, help falls back to
English; nothing breaks."""
from __future__ import annotations

import re

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


def localize_help() -> None:
    try:
        from typer import rich_utils
        from typer._click import core
    except ImportError:  # pragma: no cover - a Typer without these modules
        return
    rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
    rich_utils.OPTIONS_PANEL_TITLE = "选项"
    rich_utils.COMMANDS_PANEL_TITLE = "命令"
    rich_utils.ERRORS_PANEL_TITLE = "错误"
    rich_utils.ABORTED_TEXT = "已中止。"
    rich_utils.DEFAULT_STRING = "[默认：{}]"
    rich_utils.REQUIRED_LONG_STRING = "[必填]"
    rich_utils.RICH_HELP = "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"
    format_error = rich_utils.rich_format_error
    if not getattr(format_error, "_localized", False):
        def rich_format_error(exc):
            message = usage_error(exc.format_message())
            exc.format_message = lambda: message
            format_error(exc)

        rich_format_error._localized = True
        rich_utils.rich_format_error = rich_format_error
    original = getattr(core.Command, "get_help_option", None)
    if original is None or getattr(original, "_localized", False):
        return

    def get_help_option(self, ctx):
        option = original(self, ctx)
        if option is not None:
            option.help = "显示本帮助并退出。"
        return option

    get_help_option._localized = True
    core.Command.get_help_option = get_help_option


def usage_error(message: str) -> str:
    for pattern, chinese in USAGE_ERRORS:
        m = pattern.search(message)
        if m:  # a group may be a message of its own ("Invalid value for 'x': path 'y' is not readable.")
            return chinese.format(*(usage_error(g) if g != message else g for g in m.groups()))
    return message
