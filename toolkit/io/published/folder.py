"""The reports among the paths `xxgk import` is given: files, and folders of reports as county staff
save them from government sites (searched with their subfolders), and the run's summary.

Every path is accounted for, as toolkit.io.inputs does for the workbooks of `consolidate`: a report file
found is imported; anything else in a folder is listed with its reason — the folder a browser saves
beside a page (`报告_files/` next to `报告.html`, `报告.files/` from Chinese browsers) once, as a
whole; Office's lock files (~$…), hidden and temporary files; workbooks, old Word files and other
files by their kind.  A subfolder that cannot be opened and a link looping back are listed as not
readable.  A file named on the command line is always read (reading it says what it is), but for a
lock file.  Standard library only; nothing is modified.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.io.inputs import file_identity, is_lock_file, same_file, walk

REPORT_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".txt", ".docx", ".pdf")
PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".mht", ".mhtml")
# The folder a browser saves a page's images, styles and scripts in: 报告_files (Chrome, Edge,
# Firefox), 报告.files (IE and Chinese browsers), 报告_文件 (some localised ones).
ASSET_FOLDER = re.compile(r"^(?P<stem>.+?)(?:_files|\.files|_文件)$", re.I)

SHOWN_SUFFIXES = "/".join(REPORT_SUFFIXES[:3] + REPORT_SUFFIXES[4:])
LOCK = "Office 或 WPS 打开文件时生成的临时锁定文件，未导入"
HIDDEN = "隐藏文件或正在写入的临时文件，未导入"
ASSETS = "网页“{page}”保存时附带的文件夹（图片、样式、脚本等{count}），未导入"
WORKBOOK = "这是工作簿，不是已发布的年报，未导入（工作簿请用 xxgk check 校验、xxgk export 导出年报）"
OLD_WORD = "{kind}文件（{suffix}），未导入：请在 Word 或 WPS 中另存为 .docx 后再导入"
WEB_ARCHIVE = "单个文件网页（{suffix}），未导入：请在浏览器中打开，另存为“网页，全部”（.html）后再导入"
NOT_A_REPORT = "不是年报文件（{suffix}），未导入"
NO_REPORT = "文件夹“{}”中没有年报文件（" + SHOWN_SUFFIXES + "）"

_WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".csv")
_OLD_WORD = {".doc": "Word 97-2003 ", ".wps": "WPS ", ".rtf": "RTF ", ".dot": "Word 97-2003 模板", ".docm": "Word 启用宏的"}


@dataclass
class Entry:
    """One path of the run: a report to import (neither `skipped` nor `unreadable`), or why not."""

    path: Path
    skipped: str | None = None  # in a folder, not a report (or a lock file): listed, not an error
    unreadable: str | None = None  # a subfolder that cannot be opened, a link looping back: exit 2


@dataclass
class Found:
    entries: list[Entry] = field(default_factory=list)
    empty: list[Path] = field(default_factory=list)  # folders given with no report in them

    @property
    def reports(self) -> list[Path]:
        return [e.path for e in self.entries if not e.skipped and not e.unreadable]


def reports_in(paths) -> Found:
    """The entries of a run of `xxgk import` over `paths` (files and folders), each path once, in
    the order given, a folder's entries sorted by name."""
    out = Found()
    seen: set[str] = set()
    folders: dict[tuple, Path] = {}

    def add(entry: Entry) -> None:
        key = same_file(entry.path)
        if key not in seen:
            seen.add(key)
            out.entries.append(entry)

    for path in map(Path, paths):
        if path.is_dir():
            me = file_identity(path)
            if me is not None and me in folders:
                continue
            if me is not None:
                folders[me] = path
            before = len(out.reports)
            _walk(path, [me], folders, add)
            if len(out.reports) == before:
                out.empty.append(path)
        elif is_lock_file(path):
            add(Entry(path, skipped=LOCK))
        else:
            add(Entry(path))
    return out


def why_not(path: Path) -> str | None:
    """Why a file found in a folder is not imported, or None for a report file."""
    name, suffix = path.name, path.suffix.lower()
    if is_lock_file(path):
        return LOCK
    if name.startswith("."):
        return HIDDEN
    if suffix in REPORT_SUFFIXES:
        return None
    if suffix in _WORKBOOKS:
        return WORKBOOK
    if suffix in _OLD_WORD:
        return OLD_WORD.format(kind=_OLD_WORD[suffix], suffix=suffix)
    if suffix in (".mht", ".mhtml"):
        return WEB_ARCHIVE.format(suffix=suffix)
    return NOT_A_REPORT.format(suffix=suffix or "没有扩展名")


def _walk(folder: Path, above: list, folders: dict, add) -> None:
    def descend(path: Path, names: list[str]) -> bool:
        """A browser's assets folder beside its page is listed as one entry, not searched."""
        assets = ASSET_FOLDER.match(path.name)
        stem = assets.group("stem").lower() if assets else None
        page = next((n for n in names if Path(n).stem.lower() == stem and Path(n).suffix.lower() in PAGE_SUFFIXES),
                    None)
        if page is None:
            return True
        count = _count_files(path)
        add(Entry(path, skipped=ASSETS.format(page=page, count=f"，{count} 个文件" if count is not None else "")))
        return False

    for event, path, reason in walk(folder, above, folders, descend):
        if event == "file":
            add(Entry(path, skipped=why_not(path)))
        elif event in ("unreadable", "loop"):
            add(Entry(path, unreadable=reason))
        elif event == "again":
            add(Entry(path, skipped=reason))


def _count_files(folder: Path, limit: int = 100_000) -> int | None:
    count = 0
    try:
        for _, _, files in os.walk(folder):
            count += len(files)
            if count >= limit:
                break
    except OSError:
        return None
    return count


# --- the run's summary --------------------------------------------------------------------------

@dataclass
class Outcome:
    """What became of one path of the run, for its line in the summary."""

    path: Path
    workbook: Path | None = None  # written
    errors: int = 0
    hints: int = 0
    unreadable: str | None = None
    refused: str | None = None  # the workbook was not written (exists, or cannot be)
    skipped: str | None = None


def _reason(path: Path, text: str) -> str:
    return text.removeprefix(f"“{path.name}”：")


def summary_lines(outcomes: list[Outcome]) -> list[str]:
    """A line per path, then the totals."""
    lines = [f"导入汇总（{len(outcomes)} 个文件）："]
    for o in outcomes:
        if o.workbook is not None:
            lines.append(f"  {o.path} → 已写出“{o.workbook.name}”（错误 {o.errors} 个，提示 {o.hints} 个）")
        elif o.unreadable:
            lines.append(f"  {o.path}：无法读取，{_reason(o.path, o.unreadable)}")
        elif o.refused:
            lines.append(f"  {o.path}：未写出工作簿，{_reason(o.path, o.refused)}")
        else:
            lines.append(f"  {o.path}：{o.skipped}")
    written = [o for o in outcomes if o.workbook is not None]
    lines.append(f"共 {len(outcomes)} 个文件：写出工作簿 {len(written)} 个（其中有错误的 {sum(1 for o in written if o.errors)} 个），"
                 f"无法读取 {sum(1 for o in outcomes if o.unreadable)} 个，"
                 f"未写出 {sum(1 for o in outcomes if o.refused and o.workbook is None)} 个，"
                 f"跳过 {sum(1 for o in outcomes if o.skipped)} 个")
    return lines
