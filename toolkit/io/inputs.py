"""Finding the workbooks among the paths a command is given: files, and folders searched with
their subfolders.

Every path given is accounted for.  A workbook found is read; a path that cannot be one is listed
with its reason (`Inputs.refused`) among the files, so that the consolidation's accounts ("N 个文件 =
汇总 X + 未汇总 Y") still cover it: a subfolder that cannot be opened, a folder (or a symbolic link
to one) named like a workbook, a symbolic link that loops back to a folder above it or to itself.
Symbolic links to folders are followed, each folder entered once.  Standard library only.
"""
from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.io.intake import refusal

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# Formats a unit may send by mistake: they are inputs (listed as not readable, with what to do).
OLD_SUFFIXES = (".xls", ".et", ".ods")

FOLDER_NAMED_LIKE_A_WORKBOOK = "这是一个文件夹，不是工作簿（名称像工作簿）；其中的文件已逐个查找"
FOLDER_UNREADABLE = "文件夹无法打开，其中的文件都未能读取：{}"
LINK_LOOP = "符号链接指回它所在的文件夹或其上层文件夹（“{}”），形成循环，不再进入"
FOLDER_AGAIN = "与“{}”是同一个文件夹（符号链接），其中的文件已读取，不再重复读取"
NO_WORKBOOK = "文件夹“{}”中没有工作簿（.xlsx/.xlsm）"
MISSING = "找不到这个文件或文件夹：路径可能写错了，或已被移走、删除"


def no_workbook(folder) -> str:
    return NO_WORKBOOK.format(folder)


@dataclass
class Inputs:
    files: list[Path] = field(default_factory=list)  # what will be read, in order (refused ones too)
    skipped: list[Path] = field(default_factory=list)  # in the folders, but not workbooks (or lock files)
    missing: list[Path] = field(default_factory=list)  # named, but not there (also among `files`, refused)
    refused: dict[str, str] = field(default_factory=dict)  # str(path) of files -> why it cannot be read
    empty: list[Path] = field(default_factory=list)  # folders given with nothing in `files` from them


def is_lock_file(path: Path) -> bool:
    """Office's and WPS's owner file of an open document (~$name.xlsx): no workbook, no report."""
    return Path(path).name.startswith("~$")


def _is_lock_or_temporary(path: Path) -> bool:
    # Office's owner files (~$name.xlsx), hidden files, and our own files being written (.name.tmp)
    return is_lock_file(path) or path.name.startswith(".")


def input_files(inputs, exclude=()) -> Inputs:
    """The workbooks among `inputs` (files, or folders searched with their subfolders), each once,
    leaving out `exclude` (last year's summary, the roster: inputs of another kind)."""
    out = Inputs()
    excluded = {same_file(Path(p)) for p in exclude}
    seen = set()

    def add(path: Path, reason: str | None = None):
        key = same_file(path)
        if key in seen or key in excluded:
            return
        seen.add(key)
        out.files.append(path)
        if reason:
            out.refused[str(path)] = reason

    def found(path: Path):
        if _is_lock_or_temporary(path) or path.suffix.lower() not in WORKBOOK_SUFFIXES + OLD_SUFFIXES:
            if _loops(path):  # a link to itself: whatever it was meant to be, it is listed
                add(path, refusal(OSError(errno.ELOOP, "")))
            else:
                out.skipped.append(path)
        else:
            add(path)

    folders: dict[tuple, Path] = {}  # (device, inode) of each folder entered -> its path
    for item in map(Path, inputs):
        if item.is_dir():
            me = file_identity(item)
            if me is not None and me in folders:  # given twice, or inside a folder given: read once
                continue
            if me is not None:
                folders[me] = item
            before = len(out.files)
            _walk(item, [me], folders, found, add)
            if len(out.files) == before:
                out.empty.append(item)
        elif os.path.lexists(item):  # a file, or what claims to be one: reading it says what it is
            if is_lock_file(item):
                out.skipped.append(item)
            else:
                add(item)
        else:  # named but not there: listed too, so the accounts still cover every path given
            out.missing.append(item)
            add(item, MISSING)
    return out


def workbooks_in(paths) -> Inputs:
    """The paths given to `check` or `export`, each folder among them replaced by the workbooks in it
    (as `input_files` finds them); files (and missing ones: reading says so) kept in place."""
    out, seen = Inputs(), set()
    for path in map(Path, paths):
        if not path.is_dir():
            found = Inputs(files=[path])
        else:
            found = input_files([path])
        out.files += [p for p in found.files if same_file(p) not in seen]
        seen.update(same_file(p) for p in found.files)
        out.refused.update(found.refused)
        out.empty += found.empty
    return out


def same_file(path: Path) -> str:
    """A file's identity for leaving out repeats: its absolute path (folders given twice, a file
    given and also found in its folder)."""
    return os.path.normcase(os.path.abspath(path))


def _loops(path: Path) -> bool:
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def file_identity(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if st.st_ino else None  # no inode (some Windows shares): no check


def walk(folder: Path, above: list, folders: dict, descend=None):
    """Every entry below `folder`, sorted by name, as events: ("file", path, None) for each file,
    ("folder", path, None) before a folder is entered (symbolic links to folders too, each folder
    once), and ("unreadable" | "loop" | "again", path, reason) for what cannot be entered.
    `descend(path, names)`, if given, may keep a folder out (it says why itself); `names` are its
    siblings'.  `above`: the identities of the folders above; `folders`: identity -> path entered."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield "unreadable", folder, FOLDER_UNREADABLE.format(refusal(exc))
        return
    names = [e.name for e in entries]
    for entry in entries:
        path = Path(folder, entry.name)
        try:
            is_dir = entry.is_dir()  # follows a symbolic link
        except OSError:
            is_dir = False
        if not is_dir:
            yield "file", path, None
            continue
        if descend is not None and not descend(path, names):
            continue
        me = file_identity(path)
        if me is not None and me in above:
            yield "loop", path, LINK_LOOP.format(folders[me])
            continue
        if me is not None and me in folders:
            yield "again", path, FOLDER_AGAIN.format(folders[me])
            continue
        if me is not None:
            folders[me] = path
        yield "folder", path, None
        yield from walk(path, above + [me], folders, descend)


def _walk(folder: Path, above: list, folders: dict, found, add) -> None:
    """Files to `found`; what cannot be entered to `add` with its reason."""
    for event, path, reason in walk(folder, above, folders):
        if event == "file":
            found(path)
        elif event == "folder":
            if path.suffix.lower() in WORKBOOK_SUFFIXES + OLD_SUFFIXES and not _is_lock_or_temporary(path):
                add(path, FOLDER_NAMED_LIKE_A_WORKBOOK)  # listed, and searched like any folder
        else:
            add(path, reason)
