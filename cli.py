"""xxgk: the command line of xxgk-toolkit (政府信息公开工作年度报告工具).

One thin function per command: gather the arguments, call the toolkit, show the result.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from toolkit.cli_text import localize_help
from toolkit.formats import VERSIONS, common

localize_help()
app = typer.Typer(
    help="政府信息公开工作年度报告工具：生成标准填报工作簿、校验勾稽关系。",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
)
console = Console()
err = Console(stderr=True)

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


def _fail(message: str, code: int = EXIT_UNREADABLE) -> None:
    err.print(f"[bold red]错误：[/]{message}")
    raise typer.Exit(code)


def _version(value: Optional[str]) -> str:
    value = value or common().default_version
    if value not in VERSIONS:
        _fail(f"报告格式只能是 {' 或 '.join(VERSIONS)}，收到“{value}”")
    return value


@app.command("template")
def template_command(
    output: Path = typer.Option(..., "-o", "--output",
                                help="输出的工作簿文件：.xlsx 为普通工作簿，.xlsm 为带按钮（宏）的工作簿"),
    format: Optional[str] = typer.Option(None, "--format", help="报告格式：2021（默认）或 2019"),
    unit: str = typer.Option("", "--unit", help="单位名称"),
    level: str = typer.Option("", "--level", help=f"单位层级：{'、'.join(common().all_levels)}"),
    year: Optional[int] = typer.Option(None, "--year", help="报告年度，例如 2025"),
    force: bool = typer.Option(False, "--force", help="输出文件已存在时覆盖"),
):
    """生成标准填报工作簿（可预填单位名称、层级和年度）。"""
    from toolkit.files import OutputExists, atomic_write
    from toolkit.model import Report
    from toolkit.workbook.template import template_bytes

    version = _version(format)
    if level and level not in common().all_levels:
        _fail(f"单位层级“{level}”不在可选项中：{'、'.join(common().all_levels)}")
    suffix = output.suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        _fail(f"输出文件“{output.name}”的扩展名应为 .xlsx（普通工作簿）或 .xlsm（带按钮的工作簿）")
    report = Report(unit=unit, level=level, year=year, format=version)
    if suffix == ".xlsm":
        from toolkit.workbook.macro_workbook import MacroSourcesMissing, macro_workbook_bytes
        try:
            data = macro_workbook_bytes(report=report)
        except MacroSourcesMissing as exc:
            _fail(str(exc))
    else:
        data = template_bytes(report=report)
    try:
        atomic_write(output, data, force)
    except OutputExists as exc:
        _fail(str(exc))
    kind = "带按钮的（启用宏）" if suffix == ".xlsm" else ""
    console.print(f"已生成 {version} 年版格式的{kind}填报工作簿：{output}")


@app.command("check")
def check_command(
    files: List[Path] = typer.Argument(..., help="要校验的工作簿（.xlsx/.xlsm），可多个"),
    previous: Optional[Path] = typer.Option(None, "--previous", help="上年的工作簿，用于校验上年结转等跨年关系"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出校验结果"),
):
    """校验工作簿：列出全部错误和提示。无错误时退出码为0，有错误为1，文件无法读取为2。"""
    from toolkit.checking import check_files
    from toolkit.console import checked_json, print_checked
    from toolkit.workbook.reader import UnreadableWorkbook, read_workbook

    last_year = None
    if previous is not None:
        try:
            last_year = read_workbook(previous).report
        except UnreadableWorkbook as exc:
            _fail(f"上年工作簿无法读取：{exc}")
    results = check_files(files, last_year)
    if as_json:
        print(checked_json(results))
    else:
        for checked in results:
            print_checked(console, checked)
    if any(c.unreadable for c in results):
        raise typer.Exit(EXIT_UNREADABLE)
    raise typer.Exit(EXIT_ERRORS if any(c.has_errors for c in results) else EXIT_OK)


@app.command("demo")
def demo_command(
    output: Path = typer.Option(Path("xxgk-demo"), "-o", "--output", help="示例文件夹"),
    force: bool = typer.Option(False, "--force", help="覆盖文件夹中已有的示例文件"),
):
    """演示：用内置示例数据（泽曲镇2022年报及几个虚构单位）生成工作簿并校验。"""
    from toolkit.checking import check_files
    from toolkit.console import print_checked
    from toolkit.demo import write_demo
    from toolkit.files import OutputExists

    try:
        paths = write_demo(output, force)
    except OutputExists as exc:
        _fail(str(exc))
    console.print(f"已在 {output}/ 写入 {len(paths)} 个示例工作簿，校验如下：\n")
    for checked in check_files(paths):
        print_checked(console, checked)


@app.command("import")
def import_command(
    reports: List[Path] = typer.Argument(..., help="已发布的年报：纯文本（.txt）、网页（.html）、Word（.docx）或文字版 PDF，可多个"),
    output: Path = typer.Option(Path("."), "-o", "--output", help="写出工作簿的文件夹（默认当前文件夹）"),
    force: bool = typer.Option(False, "--force", help="工作簿已存在时覆盖"),
):
    """导入已发布的年报：识别格式、单位、年度、文字和表格数字，每份写出一个标准工作簿并校验。
    退出码：0 = 没有错误；1 = 有错误（含未能读入的数字或单元格）；2 = 有文件无法读取或工作簿已存在。"""
    from toolkit.console import print_checked
    from toolkit.published.commands import import_to_workbook

    code, taken = EXIT_OK, set()
    for source in reports:
        done = import_to_workbook(source, output, force, taken)
        if done.refused:
            err.print(f"[bold red]错误：[/]“{source.name}”：{done.refused}")
            code = EXIT_UNREADABLE
            continue
        print_checked(console, done.checked)
        if done.workbook:
            console.print(f"已写出工作簿：{done.workbook}\n")
        if done.checked.unreadable:
            code = EXIT_UNREADABLE
        elif done.checked.has_errors and code == EXIT_OK:
            code = EXIT_ERRORS
    raise typer.Exit(code)


@app.command("export")
def export_command(
    workbooks: List[Path] = typer.Argument(..., help="填好的工作簿（.xlsx/.xlsm），可多个"),
    output: Path = typer.Option(Path("."), "-o", "--output", help="写出年报的文件夹（默认当前文件夹）"),
    to: str = typer.Option("docx", "--to", help="导出格式：docx（Word，默认）或 html（网页）"),
    force: bool = typer.Option(False, "--force", help="年报文件已存在时覆盖"),
):
    """导出待发布的年报（Word 或网页）：标题、六个部分、三张官方格式的表格。
    退出码：0 = 已导出；2 = 有工作簿无法读取或年报文件已存在。"""
    from toolkit.published.commands import export_report
    from toolkit.published.export import FORMATS

    if to not in FORMATS:
        _fail(f"导出格式只能是 {' 或 '.join(FORMATS)}，收到“{to}”")
    code = EXIT_OK
    for workbook in workbooks:
        done = export_report(workbook, output, to, force)
        if done.unreadable or done.refused:
            err.print(f"[bold red]无法读取[/] {done.unreadable}" if done.unreadable
                      else f"[bold red]错误：[/]“{workbook.name}”：{done.refused}")
            code = EXIT_UNREADABLE
            continue
        console.print(f"已导出：{done.output}")
        if done.errors:
            console.print(f"  [yellow]注意：[/]该工作簿校验有 {done.errors} 个错误（用 xxgk check 查看），年报照录工作簿中的数字")
        for heading in done.empty_parts:
            console.print(f"  [yellow]注意：[/]“{heading}”没有填写文字")
    raise typer.Exit(code)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
