"""xxgk: the command line of xxgk-toolkit (政府信息公开工作年度报告工具).

One thin function per command: gather the arguments, call the toolkit, show the result.
"""
from __future__ import annotations

from toolkit.ui import interrupt

interrupt.install()  # before the libraries load: Ctrl+C is a Chinese line and exit 130 from here on

import functools  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import List, Optional  # noqa: E402

import typer  # noqa: E402
from rich.markup import escape  # noqa: E402

from toolkit.ui.cli_text import HelpCommand, HelpGroup  # noqa: E402
from toolkit.core.formats import VERSIONS, common, common_toml, info_label, load_toml  # noqa: E402
from toolkit.core.last_year import not_last_year  # noqa: E402
from toolkit.ui.terminal import Terminal  # noqa: E402

# The names the help and the messages use, as the format files spell them (common.toml [[info_fields]],
# [sheets], [roster]).
FORMAT, UNIT, LEVEL = info_label("format"), info_label("unit"), info_label("level")
INFO = common().sheets["info"]
OPTIONS = common_toml()["help"]["option_help"]  # whole help texts of some options
ROSTER, CODE, CONTACT = common().roster["sheet"], common().roster["code"], common().roster["contact"]

DESCRIPTION = ("政府信息公开工作年度报告工具：生成标准填报工作簿（template）、校验勾稽关系（check）、演示（demo）、"
               f"{ROSTER}（roster）、分发（distribute）、汇总（consolidate）、导入已发布的年报（import）、"
               "导出待发布的年报（export）、退回修改通知（feedback）、同比（compare）、离线安装包（bundle）、"
               "Excel 按钮的设置（excel-config）、安装自检（selftest）。")
app = typer.Typer(
    cls=HelpGroup,  # help rendered whole, with choices and an example (toolkit.ui.cli_text)
    help=DESCRIPTION,
    add_completion=True,
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
)
console = Terminal()  # shows the control characters of file names and cells as \x1b..., see toolkit.ui.terminal
err = Terminal(stderr=True)

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2
FORMAT_CHOICES = f"[{'|'.join(VERSIONS)}]"  # the choices of --format, as help shows them


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        console.print(f"xxgk-toolkit {version('xxgk-toolkit')}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                      help="显示本工具的版本并退出"),
) -> None:
    import sys

    from toolkit.core.input_text import readable_streams

    readable_streams(sys.stdout, sys.stderr)  # a non-UTF-8 file name is shown, not a UnicodeEncodeError


def _fail(message: str, code: int = EXIT_UNREADABLE) -> None:
    err.print(f"[bold red]错误：[/]{escape(message)}")
    raise typer.Exit(code)


def _without_lock_files(paths: List[Path]) -> List[Path]:
    """The files given, less Office's lock files (~$name.xlsx, there while the file is open in Excel,
    Word or WPS; a wildcard such as 各单位/*.xlsx picks them up), each skipped with a line saying so."""
    from toolkit.io.inputs import is_lock_file  # not through toolkit.app.submissions: that loads consolidation

    kept = [p for p in paths if not is_lock_file(p)]
    for path in paths:
        if is_lock_file(path):
            err.print(escape(f"跳过 {path.name}：这是 Office 或 WPS 打开文件时生成的临时锁定文件，不是工作簿或年报"))
    if not kept:
        _fail("没有要处理的文件（给出的都是 Office 或 WPS 的临时锁定文件 ~$…）")
    return kept


def _workbooks(paths: List[Path]):
    """The files given to check or export, folders replaced by their workbooks (toolkit.io.inputs); a
    folder without any is said, and nothing to do at all is exit 2."""
    from toolkit.io.inputs import no_workbook, workbooks_in

    found = workbooks_in(paths)
    for folder in found.empty:
        err.print(f"[bold red]错误：[/]{escape(no_workbook(folder))}")
    if not found.files:
        raise typer.Exit(EXIT_UNREADABLE)
    return found


def _version(value: Optional[str]) -> str:
    value = value or common().default_version
    if value not in VERSIONS:
        _fail(f"{FORMAT}只能是 {' 或 '.join(VERSIONS)}，收到“{value}”")
    return value


def _year(value: Optional[int]) -> Optional[int]:
    """A report year the reader would take for one (toolkit.core.values), else an error at once."""
    from toolkit.core.values import FIRST_YEAR, LAST_YEAR, plausible_year

    if value is not None and not plausible_year(value):
        _fail(f"--year {value} 不是报告年度：请写四位数年度（{FIRST_YEAR}—{LAST_YEAR}），例如 --year 2025")
    return value


@app.command("template", cls=HelpCommand)
def template_command(
    output: Path = typer.Option(..., "-o", "--output",
                                help="输出的工作簿文件：.xlsx 为普通工作簿，.xlsm 为带按钮（宏）的工作簿"),
    format: Optional[str] = typer.Option(None, "--format", metavar=FORMAT_CHOICES, help=f"{FORMAT}：2021（默认）或 2019"),
    unit: str = typer.Option("", "--unit", help=UNIT),
    level: str = typer.Option("", "--level", metavar=f"[{'|'.join(common().all_levels)}]", help=f"{LEVEL}：{'、'.join(common().all_levels)}"),
    year: Optional[int] = typer.Option(None, "--year", help="报告年度，例如 2025"),
    force: bool = typer.Option(False, "--force", help="输出文件已存在时覆盖"),
):
    """生成标准填报工作簿（可预填单位名称、层级和年度）。"""
    from toolkit.io.files import OutputError, atomic_write
    from toolkit.core.model import Report
    from toolkit.io.workbook.template import template_bytes

    version, year = _version(format), _year(year)
    if level and level not in common().all_levels:
        _fail(f"{LEVEL}“{level}”不在可选项中：{'、'.join(common().all_levels)}")
    suffix = output.suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        _fail(f"输出文件“{output.name}”的扩展名应为 .xlsx（普通工作簿）或 .xlsm（带按钮的工作簿）")
    report = Report(unit=unit, level=level, year=year, format=version)
    if suffix == ".xlsm":
        from toolkit.io.workbook.macro_workbook import MacroSourcesMissing, macro_workbook_bytes
        try:
            data = macro_workbook_bytes(report=report)
        except MacroSourcesMissing as exc:
            _fail(str(exc))
    else:
        data = template_bytes(report=report)
    try:
        atomic_write(output, data, force)
    except OutputError as exc:
        _fail(str(exc))
    kind = "带按钮的（启用宏）" if suffix == ".xlsm" else ""
    console.print(escape(f"已生成 {version} 年版格式的{kind}填报工作簿：{output}"))


@app.command("check", cls=HelpCommand)
def check_command(
    files: List[Path] = typer.Argument(..., readable=False, help="要校验的工作簿（.xlsx/.xlsm），可多个"),
    previous: Optional[Path] = typer.Option(None, "--previous", readable=False, help="上年的工作簿，用于校验上年结转等跨年关系"),
    as_json: bool = typer.Option(False, "--json", help=OPTIONS["check_json"]),
):
    """校验工作簿：列出全部错误和提示。无错误时退出码为0，有错误为1，文件无法读取为2。"""
    from toolkit.app.checking import check_files
    from toolkit.ui.console import checked_json, print_checked
    from toolkit.io.workbook.reader import UnreadableWorkbook, read_workbook

    found = _workbooks(_without_lock_files(files))
    last_year = None
    if previous is not None:
        try:
            last_year = read_workbook(previous).report
        except UnreadableWorkbook as exc:
            _fail(f"上年工作簿无法读取：{exc}")
    results = check_files(found.files, last_year, found.refused)
    if last_year is not None and last_year.year is not None:  # as the button and `consolidate --previous` do
        for c in results:
            wrong = not_last_year(c.report.year, last_year.year, c.path.name, previous.name, "workbook") \
                if c.report is not None else None
            if wrong:
                _fail(wrong)
    rates = {}
    if last_year is not None:  # 重复率 of the texts against last year's, a 提示 above the format's threshold
        import dataclasses

        from toolkit.core.text_checks import repetition
        for c in results:
            if c.report is not None:
                rates[c.path] = repeated = repetition(c.report, last_year, previous.name)
                if repeated.finding:
                    c.findings.append(dataclasses.replace(repeated.finding, source=str(c.path)))
    if as_json:
        print(checked_json(results))
    else:
        for checked in results:
            print_checked(console, checked)
            if checked.path in rates:
                console.print(escape(rates[checked.path].line))
    if found.empty or any(c.unreadable for c in results):
        raise typer.Exit(EXIT_UNREADABLE)
    raise typer.Exit(EXIT_ERRORS if any(c.has_errors for c in results) else EXIT_OK)


@app.command("demo", cls=HelpCommand)
def demo_command(
    output: Path = typer.Option(Path("xxgk-demo"), "-o", "--output", help="示例文件夹"),
    force: bool = typer.Option(False, "--force", help="覆盖文件夹中已有的示例文件"),
):
    """演示：一个示例县的全过程——单位名单、分发工作簿、各单位报送（含泽曲镇2022年报）、汇总。"""
    from toolkit.ui.console import print_consolidation
    from toolkit.app.demo import GIVEN, SENT, write_demo
    from toolkit.io.files import OutputError

    try:
        demo = write_demo(output, force)
    except OutputError as exc:
        _fail(str(exc))
    console.print(escape(f"示例县的{ROSTER}：{demo.roster}"))
    console.print(escape(f"分发给各单位的工作簿：{output / GIVEN}/（{len(demo.given)} 个）"))
    console.print(escape(f"各单位报送回来的工作簿：{output / SENT}/（{len(demo.sent)} 个）\n"))
    print_consolidation(console, demo.result, demo.summary)


@app.command("roster", cls=HelpCommand)
def roster_command(
    file: Optional[Path] = typer.Argument(None, readable=False, help=f"要核对的{ROSTER}（.xlsx 或 .csv）"),
    template: bool = typer.Option(False, "--template", help=f"生成空白{ROSTER}（带层级下拉框）"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="--template 的输出文件（.xlsx）"),
    force: bool = typer.Option(False, "--force", help="输出文件已存在时覆盖"),
):
    """单位名单：--template -o 单位名单.xlsx 生成空白名单；给出名单文件则核对并列出其中的单位。"""
    from toolkit.io.files import OutputError, atomic_write, check_outputs
    from toolkit.core.roster import RosterError
    from toolkit.io.roster_file import read_roster

    if template:
        if output is None:
            _fail(f"请用 -o 指定空白{ROSTER}的输出文件，例如 -o {ROSTER}.xlsx")
        from toolkit.io.workbook.roster_book import roster_bytes
        try:
            check_outputs([output], [file])  # a filled roster given too is never overwritten by a blank one
            atomic_write(output, roster_bytes(), force)
        except OutputError as exc:
            _fail(str(exc))
        console.print(escape(f"已生成空白{ROSTER}：{output}（填写{UNIT}、{LEVEL}，{CODE}和{CONTACT}可不填）"))
        return
    if file is None:
        _fail(f"请给出要核对的{ROSTER}文件，或用 --template -o {ROSTER}.xlsx 生成空白名单")
    try:
        roster = read_roster(file)
    except RosterError as exc:
        _fail(str(exc))
    from rich.table import Table

    from toolkit.core.roster import COLUMNS
    from toolkit.io.workbook.details import NUMBER, header
    table = Table(header(NUMBER), *COLUMNS)
    for i, u in enumerate(roster.units, start=1):
        table.add_row(str(i), *map(escape, (u.name, u.level, u.code, u.contact)))
    console.print(table)
    console.print(escape(f"{ROSTER}“{file.name}”共 {len(roster.units)} 个单位，未发现问题。"))


def _read_roster(path: Optional[Path]):
    from toolkit.core.roster import RosterError
    from toolkit.io.roster_file import read_roster

    if path is None:
        return None
    try:
        return read_roster(path)
    except RosterError as exc:
        _fail(str(exc))


def _read_last_year(path: Optional[Path], year: int):
    """Last year's county summary, checked to be last year's."""
    from toolkit.io.workbook.details import read_last_year
    from toolkit.io.workbook.reader import UnreadableWorkbook

    if path is None:
        return None
    try:
        last_year = read_last_year(path)
    except UnreadableWorkbook as exc:
        _fail(f"上年汇总工作簿无法使用：{exc}")
    wrong = not_last_year(year, last_year.year, common().last_year["this_summary"], path.name, "summary")
    if wrong:
        _fail(wrong)
    return last_year


@app.command("distribute", cls=HelpCommand)
def distribute_command(
    roster: Path = typer.Option(..., "--roster", readable=False, help=f"{ROSTER}（.xlsx 或 .csv）"),
    year: int = typer.Option(..., "--year", help="报告年度，例如 2025"),
    format: Optional[str] = typer.Option(None, "--format", metavar=FORMAT_CHOICES, help=f"{FORMAT}：2021（默认）或 2019"),
    previous: Optional[Path] = typer.Option(None, "--previous", readable=False, help="上年的汇总工作簿：预填各单位的上年结转和上年数据"),
    output: Path = typer.Option(..., "-o", "--output", help="输出文件夹，每个单位一个工作簿"),
    no_macros: bool = typer.Option(False, "--no-macros", help="生成不含宏（无按钮）的 .xlsx 工作簿；默认生成带按钮的 .xlsm"),
    force: bool = typer.Option(False, "--force", help="文件夹中已有同名工作簿时覆盖"),
):
    """分发：按单位名单为每个单位生成一个已填好单位信息的填报工作簿（默认为带按钮的 .xlsm）。"""
    from toolkit.app.distribute import distribute
    from toolkit.io.files import OutputError
    from toolkit.io.workbook.macro_workbook import MacroSourcesMissing

    version, year = _version(format), _year(year)
    units = _read_roster(roster)
    last_year = _read_last_year(previous, year)
    try:
        done = distribute(units, year, version, output, last_year, macros=not no_macros, force=force,
                          inputs=(roster, previous))
    except (OutputError, MacroSourcesMissing) as exc:
        _fail(str(exc))
    console.print(escape(f"已在 {output}/ 生成 {len(done.files)} 个 {version} 年版格式的 {year} 年度填报工作簿。"))
    if last_year is not None:
        console.print(escape(f"已按上年汇总“{previous.name}”预填 {len(done.carried_over)} 个单位的上年结转和上年数据。"))
        if done.not_last_year:
            console.print(f"[yellow]上年汇总中没有以下单位，未预填：[/]{escape('、'.join(done.not_last_year))}")


def _summary_unit(unit: Optional[str], last_year, previous: Optional[Path]) -> str:
    """The summary's own unit: --unit, else the one of last year's summary; never the output's file
    name (it carries the year, and the level above and next year's --previous match by unit)."""
    from toolkit.core.roster import unit_key

    if unit_key(unit or ""):
        return unit.strip()
    if last_year is not None and unit_key(last_year.unit):
        err.print(escape(f"汇总{UNIT}沿用上年汇总“{previous.name}”的：{last_year.unit}（如需更改，用 --unit）"))
        return last_year.unit
    _fail(f"请用 --unit 写明汇总单位的名称，例如 --unit 某县。它写入汇总工作簿的“{INFO}”表，上一级汇总时按它与"
          f"{ROSTER}核对，明年用 --previous 时也按它查找，所以不取自输出文件名（文件名每年不同）；"
          f"给了 --previous 时默认沿用上年汇总的{UNIT}")


def _read_against(path: Optional[Path], year: int):
    """The county's own report for --against (a workbook, or a report as published), of the summary's year."""
    from toolkit.core.against import texts, wrong_year
    from toolkit.io.published.importer import import_file
    from toolkit.io.published.text import UnreadableReport
    from toolkit.io.workbook.reader import UnreadableWorkbook, read_workbook

    if path is None:
        return None
    try:  # as published/commands.py read_previous, with the reader's findings (cells left blank)
        read = read_workbook(path) if path.suffix.lower() in (".xlsx", ".xlsm") else import_file(path)
    except (UnreadableReport, UnreadableWorkbook) as exc:
        _fail(texts()["unreadable"].format(why=exc if path.name in str(exc) else f"“{path.name}”：{exc}"))
    wrong = wrong_year(read.report, path.name, year)
    if wrong:
        _fail(wrong)
    return read


@app.command("consolidate", cls=HelpCommand)
def consolidate_command(
    inputs: List[Path] = typer.Argument(..., readable=False, help="各单位报送的工作簿或所在文件夹（.xlsx/.xlsm），可多个"),
    year: int = typer.Option(..., "--year", help="汇总年度，例如 2025"),
    output: Path = typer.Option(..., "-o", "--output", help="汇总工作簿（.xlsx）"),
    roster: Optional[Path] = typer.Option(None, "--roster", readable=False, help=f"{ROSTER}：核对已报送、未报送"),
    previous: Optional[Path] = typer.Option(None, "--previous", readable=False, help="上年的汇总工作簿：按各单位上年数字校验上年结转等"),
    format: Optional[str] = typer.Option(None, "--format", metavar=FORMAT_CHOICES, help="汇总格式：2021（默认）或 2019"),
    unit: Optional[str] = typer.Option(None, "--unit", help=f"汇总{UNIT}，如“某某县”（给了 --previous 时默认沿用上年汇总的，否则必填）"),
    level: Optional[str] = typer.Option(None, "--level", metavar=f"[{'|'.join(common().summary_levels)}]", help=f"汇总层级：{'、'.join(common().summary_levels)}（默认按各{LEVEL}确定）"),
    long: Optional[Path] = typer.Option(None, "--long", help="另存各单位数字的长表（.csv 或 .parquet）"),
    jobs: Optional[int] = typer.Option(None, "--jobs", help="并行读取的进程数（默认：CPU 核数）"),
    force: bool = typer.Option(False, "--force", help="输出文件已存在时覆盖"),
    review: Optional[Path] = typer.Option(None, "--review", readable=False, help=common().review["help"]),
    against: Optional[Path] = typer.Option(None, "--against", readable=False, help=common().against["help"]),
    as_json: bool = typer.Option(False, "--json", help=OPTIONS["consolidate_json"]),
):
    """汇总：读取各单位报送的工作簿，逐个校验，汇总为一个汇总工作簿（含报送情况、分单位明细、校验结果、统计图）。
    全部汇总且无错误时退出码为0；有未汇总的文件、未报送的单位或错误时为1；无法汇总为2。"""
    import datetime

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from toolkit.core.consolidation import consolidate
    from lxml.etree import SerialisationError

    from toolkit.io.files import OutputError, ScratchUnwritable, atomic_stream, check_outputs, check_writable
    from toolkit.io.long_table import SUFFIXES, write_long
    from toolkit.io.inputs import no_workbook
    from toolkit.app.submissions import input_files, read_submissions

    version, year = _version(format), _year(year)
    if output.suffix.lower() != ".xlsx":
        _fail(f"汇总工作簿应为 .xlsx 文件：{output.name}")
    if long is not None and long.suffix.lower() not in SUFFIXES:
        _fail(f"长表文件应为 .csv 或 .parquet：{long.name}")
    if level is not None and level not in common().summary_levels:
        _fail(f"汇总层级“{level}”不在可选项中：{'、'.join(common().summary_levels)}")
    # Last year's summary and the roster in an input folder are not units' workbooks.  Every file
    # read is an input and never an output -- an earlier summary left in an input folder too.
    found = input_files(inputs, exclude=[p for p in (previous, roster, review, against) if p is not None])
    try:
        check_outputs([output, long], [*found.files, roster, previous, against])
        for path in (output, long):
            if path is not None:
                check_writable(path, force)
    except OutputError as exc:
        _fail(str(exc))
    from toolkit.core.review import carry, lines as review_lines
    from toolkit.io.workbook.reader import UnreadableWorkbook
    from toolkit.io.workbook.review_book import earlier_review
    try:  # the decisions of an earlier summary (with --force, of the one about to be replaced)
        decisions, warning = earlier_review(review, output, force, year)
    except UnreadableWorkbook as exc:
        _fail(str(exc))
    for line in ([warning] if warning else []) + (decisions.problems if decisions else []):
        err.print(f"[yellow]{escape(line)}[/]")
    units = _read_roster(roster)
    last_year = _read_last_year(previous, year)
    county = _read_against(against, year)
    unit = _summary_unit(unit, last_year, previous)
    for path in found.missing:
        err.print(f"[yellow]找不到：[/]{escape(str(path))}")
    if found.skipped:
        err.print(escape(f"跳过 {len(found.skipped)} 个不是工作簿的文件（如 {found.skipped[0].name}）"))
    for folder in found.empty:
        err.print(f"[yellow]{escape(no_workbook(folder))}[/]")
    if not found.files:
        _fail("没有找到要汇总的工作簿（.xlsx/.xlsm）")
    with Progress(TextColumn("读取并校验"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, auto_refresh=False, transient=True) as bar:
        task = bar.add_task("", total=len(found.files))
        submissions = read_submissions(
            found.files, version, last_year.units if last_year else None, jobs,
            progress=lambda done, total: bar.update(task, completed=done, refresh=done == total or done % 50 == 0),
            refused=found.refused, meanwhile=_import_summary_writer)
    from toolkit.io.workbook.summary import prepared_summary  # (imported while the workers read)
    result = consolidate(submissions, year, version, unit=unit, level=level, roster=units,
                         date=datetime.date.today().isoformat(), previous_file=previous.name if previous else "")
    if not result.accepted:  # an empty summary would pass for a real one: none is written
        from toolkit.core.consolidation import nothing_summed
        for f in result.rejected:
            err.print(escape(f"  未汇总 {f.submission.name}：{f.reason}"))
        _fail(nothing_summed(result))
    if last_year is not None:  # each unit against last year's: 提示 findings, the 同比 sheet
        from toolkit.core.year_over_year import attach
        attach(result, last_year)
    reviewed = carry(decisions, result)
    result.ignored = reviewed.ignored()
    if county is not None:  # --against: the county's own report against the sum of its units
        from toolkit.core.against import against as check_against
        result.against = check_against(result, county.report, against.name, county.findings)
    try:
        write_summary = prepared_summary(result, reviewed)
        with atomic_stream(output, force) as fh:  # its big sheets written as made: never held whole
            write_summary(fh)
        if long is not None:
            write_long(long, result, force)
    except OutputError as exc:
        _fail(str(exc))
    except (OSError, SerialisationError) as exc:  # the sheets' temporary files (openpyxl) or pyarrow's
        _fail(str(ScratchUnwritable(output, exc, ending=True)))
    if as_json:
        from toolkit.ui.console import consolidation_json
        print(consolidation_json(result, output, long))
        raise typer.Exit(EXIT_OK if result.complete and not (result.against and result.against.differences) else EXIT_ERRORS)
    from toolkit.ui.console import print_consolidation
    print_consolidation(console, result, output, long)
    if decisions is not None:
        for line in review_lines(reviewed, result):
            console.print(escape(line))
    raise typer.Exit(EXIT_OK if result.complete and not (result.against and result.against.differences) else EXIT_ERRORS)


def _import_summary_writer() -> None:
    """The summary writer (openpyxl and the sheets' modules, a quarter of a second), imported while
    the worker processes read the files, not after."""
    import toolkit.io.workbook.summary  # noqa: F401


@app.command("import", cls=HelpCommand)
def import_command(
    reports: List[Path] = typer.Argument(..., readable=False, help="已发布的年报：纯文本（.txt）、网页（.html/.htm/.shtml）、Word（.docx）或文字版 PDF，可多个；"
                                         "也可以是文件夹（连同子文件夹，如浏览器另存的网页所在的文件夹），其中的年报逐个导入"),
    output: Path = typer.Option(Path("."), "-o", "--output", help="写出工作簿的文件夹（默认当前文件夹）"),
    force: bool = typer.Option(False, "--force", help="工作簿已存在时覆盖"),
    previous: Optional[Path] = typer.Option(None, "--previous", readable=False, help="上年的年报（已发布的文件或工作簿），用于计算文字重复率"),
    as_json: bool = typer.Option(False, "--json", help=OPTIONS["import_json"]),
):
    """导入已发布的年报：识别格式、单位、年度、文字和表格数字，每份写出一个标准工作簿并校验；最后列出每个文件的结果。
    退出码：0 = 没有错误；1 = 有错误（含未能读入的数字或单元格）；2 = 有文件无法读取、工作簿已存在，或文件夹中没有年报。"""
    from toolkit.ui.console import print_checked
    from toolkit.app.publishing import import_to_workbook, read_previous
    from toolkit.io.published.folder import NO_REPORT, Outcome, reports_in, summary_lines
    from toolkit.io.published.text import UnreadableReport

    code, taken = EXIT_OK, set()
    found = reports_in(reports)
    sources = found.reports
    if not sources and not found.empty:
        _fail("没有要处理的文件（给出的都是 Office 或 WPS 的临时锁定文件 ~$…）")
    for folder in found.empty:
        err.print(f"[bold red]错误：[/]{escape(NO_REPORT.format(folder))}")
        code = EXIT_UNREADABLE
    last_year = None
    if previous is not None:
        try:
            last_year = read_previous(previous)
        except UnreadableReport as exc:
            _fail(f"上年报告无法读取：{exc}")
    outcomes, items = [], []
    for entry in found.entries:
        source = entry.path
        if entry.skipped or entry.unreadable:
            outcomes.append(Outcome(source, skipped=entry.skipped, unreadable=entry.unreadable))
            items.append({"file": str(source), "skipped": entry.skipped, "unreadable": entry.unreadable,
                          "findings": [], "errors": 0, "hints": 0})
            if entry.unreadable:
                err.print(f"[bold red]无法读取[/] {escape(f'“{source}”：{entry.unreadable}')}")
                code = EXIT_UNREADABLE
            continue
        done = import_to_workbook(source, output, force, taken, inputs=[*sources, *([previous] if previous else [])],
                                  previous=last_year, previous_name=previous.name if previous else "")
        if done.refused:
            err.print(f"[bold red]错误：[/]{escape(f'“{source.name}”：{done.refused}')}")
            outcomes.append(Outcome(source, refused=done.refused))
            items.append({"file": str(source), "refused": done.refused, "findings": [], "errors": 0, "hints": 0})
            code = EXIT_UNREADABLE
            continue
        if as_json:
            from toolkit.ui.console import checked_item
            items.append({**checked_item(done.checked), "file": str(source),
                          "workbook": str(done.workbook) if done.workbook else None})
        else:
            print_checked(console, done.checked)
            if done.repetition is not None:
                console.print(escape(done.repetition.line))
            if done.workbook:
                console.print(escape(f"已写出工作簿：{done.workbook}\n"))
        findings = done.checked.findings
        errors = sum(f.is_error for f in findings)
        outcomes.append(Outcome(source, done.workbook, errors, len(findings) - errors,
                                unreadable=done.checked.unreadable))
        if done.checked.unreadable:
            code = EXIT_UNREADABLE
        elif done.checked.has_errors and code == EXIT_OK:
            code = EXIT_ERRORS
    if as_json:
        from toolkit.ui.console import as_json as json_text, totals
        print(json_text({"files": items, "totals": totals(items)}))
        raise typer.Exit(code)
    for line in summary_lines(outcomes):
        console.print(escape(line), soft_wrap=True)  # one line per file, however long
    raise typer.Exit(code)


@app.command("export", cls=HelpCommand)
def export_command(
    workbooks: List[Path] = typer.Argument(..., readable=False, help="填好的工作簿（.xlsx/.xlsm），可多个"),
    output: Path = typer.Option(Path("."), "-o", "--output", help="写出年报的文件夹（默认当前文件夹）"),
    to: str = typer.Option("docx", "--to", metavar="[docx|html]", help="导出格式：docx（Word，默认）或 html（网页）"),
    force: bool = typer.Option(False, "--force", help="年报文件已存在时覆盖"),
):
    """导出待发布的年报（Word 或网页）：标题、六个部分、三张官方格式的表格。
    退出码：0 = 已导出；2 = 有工作簿无法读取或年报文件已存在。"""
    from toolkit.app.publishing import export_report
    from toolkit.io.published.export import FORMATS

    if to not in FORMATS:
        _fail(f"导出格式只能是 {' 或 '.join(FORMATS)}，收到“{to}”")
    found = _workbooks(_without_lock_files(workbooks))
    code, sources = (EXIT_UNREADABLE if found.empty else EXIT_OK), found.files
    for workbook in sources:
        if str(workbook) in found.refused:
            err.print(f"[bold red]无法读取[/] {escape(f'“{workbook.name}”：{found.refused[str(workbook)]}')}")
            code = EXIT_UNREADABLE
            continue
        done = export_report(workbook, output, to, force, inputs=sources)
        if done.unreadable or done.refused:
            err.print(f"[bold red]无法读取[/] {escape(done.unreadable)}" if done.unreadable
                      else f"[bold red]错误：[/]{escape(f'“{workbook.name}”：{done.refused}')}")
            code = EXIT_UNREADABLE
            continue
        console.print(escape(f"已导出：{done.output}"))
        if done.errors:
            console.print(f"  [yellow]注意：[/]该工作簿校验有 {done.errors} 个错误（用 xxgk check 查看），年报照录工作簿中的数字")
        for heading in done.empty_parts:
            console.print(f"  [yellow]注意：[/]“{heading}”没有填写文字")
    raise typer.Exit(code)


@functools.cache
def _feedback_helps() -> dict:
    """feedback.toml [help], read here rather than through toolkit.core.feedback: importing that (and
    consolidation behind it) only to show help would slow every command's start-up."""
    return load_toml("feedback.toml")["help"]


def _feedback_help(key: str) -> str:
    return _feedback_helps()[key]


@app.command("feedback", cls=HelpCommand, help=_feedback_help("command"))
def feedback_command(
    summary: Path = typer.Argument(..., readable=False, help=_feedback_help("summary")),
    output: Path = typer.Option(..., "-o", "--output", help=_feedback_help("output")),
    to: str = typer.Option("docx", "--to", metavar="[docx|xlsx]", help=_feedback_help("to")),
    everyone: bool = typer.Option(False, "--all", help=_feedback_help("all")),
    force: bool = typer.Option(False, "--force", help=_feedback_help("force")),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出写出的每个文件及其中错误、提示的个数"),
):
    import datetime

    from toolkit.core.feedback import feedback, say
    from toolkit.io.feedback_documents import FORMATS, write_feedback
    from toolkit.io.files import OutputError
    from toolkit.io.workbook.feedback_reader import FeedbackSourceError, read_summary

    if to not in FORMATS:
        _fail(say("lines", "bad_to", choices=" 或 ".join(FORMATS), found=to))
    try:
        fb = feedback(read_summary(summary))
    except FeedbackSourceError as exc:
        _fail(str(exc))
    for line in fb.warnings:
        err.print(f"[yellow]{escape(line)}[/]")
    date = datetime.date.today()
    try:
        written = write_feedback(fb, output, to, everyone, force, [summary],
                                 say("notice", "day", year=date.year, month=date.month, day=date.day))
    except OutputError as exc:
        _fail(str(exc))
    if as_json:
        from toolkit.ui.console import feedback_json
        print(feedback_json(fb, written, everyone))
        raise typer.Exit(EXIT_OK)
    for done in written:
        what = done.what
        if done.kind == "reminders":
            line = say("lines", "reminders", path=done.path, missing=len(fb.missing or []), rejected=len(fb.rejected))
        else:
            line = say("lines", done.kind, path=done.path, unit=what.unit, errors=len(what.errors), hints=len(what.hints))
        console.print(escape(line), soft_wrap=True)  # one line per file, however long
    if fb.missing is None:
        console.print(escape(say("lines", "no_roster", summary=summary.name, sheet=fb.submissions_sheet)))
    elif not fb.has_reminders:
        console.print(escape(say("lines", "no_reminders")))
    if fb.passed and not everyone:
        console.print(escape(say("lines", "not_noticed", count=len(fb.passed), units="、".join(n.unit for n in fb.passed))),
                      soft_wrap=True)
    if fb.superseded:
        console.print(escape(say("lines", "superseded", count=sum(fb.superseded.values()), files="、".join(fb.superseded))),
                      soft_wrap=True)
    if not written:
        console.print(escape(say("lines", "none_written")))
    console.print(escape(say("lines", "totals", findings=fb.findings, errors=fb.errors, ignored=fb.ignored, hints=fb.hints,
                             notices=len(fb.notices), passed=len(fb.passed) if everyone else 0,
                             reminders=int(fb.has_reminders), files=len(written))), soft_wrap=True)
    raise typer.Exit(EXIT_OK)


@app.command("compare", cls=HelpCommand)
def compare_command(
    this: Path = typer.Argument(..., readable=False, help="本年的报告：工作簿（.xlsx/.xlsm）或已发布的年报（.txt/.html/.docx/.pdf）"),
    last: Path = typer.Argument(..., readable=False, help="同一单位上年的报告（工作簿或已发布的年报），年度应为本年减一"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="另存同比结果的工作簿（.xlsx）"),
    force: bool = typer.Option(False, "--force", help="输出文件已存在时覆盖"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出逐项对照、提示和错误及其个数"),
):
    """同比：一个单位本年与上年的报告逐项对照（本年、上年、增减、倍数），变化异常的列为提示，并校验上年结转、现行有效件数。
    退出码：0 = 没有错误；1 = 有错误（如上年结转不符）；2 = 文件无法读取、年度不相邻或输出文件已存在。"""
    from toolkit.core.compare import compare, texts, wrong_years
    from toolkit.ui.console import print_comparison
    from toolkit.io.files import OutputError, atomic_write, check_outputs, check_writable, same_file
    from toolkit.app.publishing import read_previous
    from toolkit.io.published.text import UnreadableReport

    if output is not None:
        if output.suffix.lower() != ".xlsx":
            _fail(texts()["not_xlsx"].format(name=output.name))
        try:
            check_outputs([output], [this, last])
            check_writable(output, force)
        except OutputError as exc:
            _fail(str(exc))
    if same_file(this, last):
        _fail(texts()["same_file"].format(name=this.name))
    reports = []
    for path in (this, last):
        try:
            reports.append(read_previous(path))
        except UnreadableReport as exc:
            _fail(texts()["unreadable"].format(why=exc if path.name in str(exc) else f"“{path.name}”：{exc}"))
    wrong = wrong_years(reports[0], reports[1], this.name, last.name)
    if wrong:
        _fail(wrong)
    done = compare(*reports)
    if not as_json:
        print_comparison(console, done, this.name, last.name)
    if output is not None:
        from toolkit.io.workbook.comparison import comparison_bytes
        try:
            atomic_write(output, comparison_bytes(done, this.name, last.name), force)
        except OutputError as exc:
            _fail(str(exc))
        if not as_json:
            console.print(escape(texts()["written"].format(path=output)))
    if as_json:
        from toolkit.ui.console import comparison_json
        print(comparison_json(done, this, last, output))
    raise typer.Exit(EXIT_ERRORS if done.has_errors else EXIT_OK)


@app.command("bundle", cls=HelpCommand)
def bundle_command(
    output: Path = typer.Option(..., "-o", "--output", help="输出文件夹（离线安装包）"),
    platform: Optional[str] = typer.Option(None, "--platform",
                                           help="目标平台（wheel 平台标记），如 win_amd64（64 位 Windows）；默认为本机"),
    python: Optional[str] = typer.Option(None, "--python", help="目标电脑的 Python 版本，如 3.12；默认为本机的版本"),
    force: bool = typer.Option(False, "--force", help="输出文件夹已存在时替换"),
):
    """制作离线安装包：本工具及其全部依赖的安装文件（wheel）、安装/卸载/验证脚本、空白模板和安装说明，
    供不能上网的电脑安装。制作时需要能访问 PyPI。例如：xxgk bundle -o 安装包 --platform win_amd64 --python 3.12"""
    from toolkit.io.files import OutputError
    from toolkit.app.install.bundle import make_bundle
    from toolkit.app.install.download import DownloadError
    from toolkit.app.install.own_wheel import WheelError
    from toolkit.app.install.targets import TargetError, target

    try:
        aim = target(platform, python)
    except TargetError as exc:
        _fail(str(exc))
    err.print(escape(f"正在制作 {aim.name} 的离线安装包（下载依赖包，需要一两分钟）……"))
    try:
        done = make_bundle(output, aim, force)
    except (OutputError, DownloadError, WheelError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"写入“{output}”失败：{exc.strerror or exc}")
    console.print(escape(f"已制作 {aim.name} 的离线安装包：{done.folder}"))
    console.print(escape(f"  wheels/ 中 {len(done.wheels)} 个安装文件；{'、'.join(n for n in done.files if '/' not in n)}"))
    first = "安装.bat" if aim.windows else "install.sh"
    console.print(escape(f"  把整个文件夹拷到目标电脑，按其中“安装说明.txt”运行“{first}”。"))


@app.command("excel-config", cls=HelpCommand)
def excel_config_command(
    remove: bool = typer.Option(False, "--remove", help="去掉本工具写入的设置（卸载时用），恢复原来的设置"),
):
    """设置 Excel 按钮使用的 Python：写入本机 xlwings 的用户设置（Windows 上为 %USERPROFILE%\\.xlwings\\xlwings.conf），
    使所有带按钮的工作簿都使用本工具所在的 Python。安装.bat 会自动运行。"""
    from toolkit.app.install.excel_config import ConfigError, configure

    try:
        change = configure(remove)
    except ConfigError as exc:
        _fail(str(exc))
    if change is None:
        console.print("本机不是 Windows 或 macOS，Excel 按钮不在本机使用，无需设置。")
    elif remove:
        restored = f"，已恢复原来的设置：{change.previous}" if change.previous else ""
        console.print(escape(f"已从 {change.path} 去掉本工具的 Python{restored}"))
    else:
        console.print(escape(f"Excel 按钮将使用 {change.value}（已写入 {change.path}）"))
        if change.previous:
            console.print(escape(f"  原来的设置（{change.previous}）已保存，卸载时恢复。"))


@app.command("selftest", cls=HelpCommand)
def selftest_command():
    """检查本工具是否安装好：宏源文件和模板、示例工作簿的写出读回和校验、xlwings、Excel 按钮的设置。
    全部正常时退出码为0，否则为1。"""
    import sys
    from importlib.metadata import version

    from toolkit.app.install.selftest import run

    console.print(escape(f"xxgk-toolkit {version('xxgk-toolkit')}，Python {sys.version.split()[0]}（{sys.executable}）"))
    steps = run()
    for step in steps:
        mark = "[green]正常[/]" if step.ok else "[bold red]有问题[/]"
        console.print(f"  {mark} {escape(step.name)}：{escape(step.detail)}")
    if all(s.ok for s in steps):
        console.print("[green]安装正常。[/]")
        raise typer.Exit(EXIT_OK)
    console.print("[bold red]安装有问题[/]：见上面标为“有问题”的项目。")
    raise typer.Exit(EXIT_ERRORS)


def main() -> None:
    interrupt.ready()
    try:
        app()
    except interrupt.Interrupted:
        err.print(f"[bold red]{escape(interrupt.MESSAGE)}[/]")
        raise SystemExit(interrupt.EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
