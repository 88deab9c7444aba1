"""Writing outputs safely: never over an existing file unless asked, never over an input, never
half-written.

Every file the toolkit writes goes through `atomic_stream` (or `atomic_write`, its one-piece form):
a temporary file `.NAME.XXXX.tmp` in the output's folder, fsync, then `os.replace` onto the name.
A run killed at any point leaves the old file (or none) or the new one whole; at worst the
temporary file stays behind, and it can be deleted.  Commands with inputs call `check_outputs`
before writing, so an output that is one of the inputs (by any spelling or link) is refused.
"""
from __future__ import annotations

import errno
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path


class OutputError(Exception):
    """An output cannot be written; the message (Chinese) names the file and says why."""


class OutputExists(OutputError, FileExistsError):
    def __init__(self, path: Path):
        super().__init__(f"输出文件“{path}”已存在；如需覆盖，请加 --force")
        self.path = path


# What the operating system's refusals mean for a user (the rest keep the system's own words).
_REASONS = {
    errno.EACCES: "没有写入权限（文件夹只读，或同名文件正被 Excel 等程序打开）",
    errno.EPERM: "没有写入权限（文件夹只读，或同名文件正被 Excel 等程序打开）",
    errno.EROFS: "所在磁盘是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.EEXIST: "路径中有一部分不是文件夹",
    errno.EISDIR: "已有同名的文件夹",
    errno.EFBIG: "超过了允许的文件大小（如 ulimit -f 的限制，或磁盘格式的单个文件上限）",
}


class OutputUnwritable(OutputError):
    def __init__(self, path: Path, exc: OSError):
        reason = _REASONS.get(exc.errno) or exc.strerror or str(exc)
        super().__init__(f"无法写入输出文件“{path}”：{reason}")
        self.path = path


class ScratchUnwritable(OutputError):
    """A temporary file in the system's temporary folder could not be written: openpyxl writes each
    sheet of a workbook there before zipping it, and lxml reports a full disk or a file-size limit
    as SerialisationError('IO_ENOSPC' / 'IO_EFBIG'), without an errno."""

    def __init__(self, path: Path, exc: Exception, ending: bool = False):
        """`ending`: the process ends on this error.  The sheet writers the failure left behind raise
        again when they are finalised ("Exception ignored in ... get_stream"); that noise is dropped."""
        if ending:
            sys.unraisablehook = lambda unraisable: None
        code = getattr(exc, "errno", None) or next((n for n in (errno.EFBIG, errno.ENOSPC)
                                                    if errno.errorcode[n] in str(exc)), None)
        reason = _REASONS.get(code) or getattr(exc, "strerror", None) or str(exc)
        super().__init__(f"无法生成“{path}”：写临时文件（在 {tempfile.gettempdir()}）时出错，{reason}；"
                         "没有写出任何文件，请腾出磁盘空间（或设置 TMPDIR 为其他文件夹）后重试")
        self.path = path


class OutputIsInput(OutputError):
    def __init__(self, path: Path, source: Path):
        same = os.path.abspath(path) == os.path.abspath(source)
        also = "" if same else f"（与“{source}”是同一个文件）"
        super().__init__(f"输出文件“{path}”{also}是本次要读取的输入文件，不能覆盖输入文件；请换一个输出文件名或文件夹")
        self.path, self.source = path, source


def same_file(a, b) -> bool:
    """Whether two paths name one file: one path however spelt (./a/../a/x.xlsx, a symbolic link,
    letter case on a disk that ignores it), or one file under two names (a hard link).  Compared by
    the file system's own identity, not by the strings; paths that do not exist (yet) by their
    resolved spelling."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # one of them does not exist (yet)
        return _spelling(a) == _spelling(b)


def _spelling(path) -> str:
    return os.path.normcase(os.path.realpath(path))


def check_outputs(outputs, inputs) -> None:
    """Raise OutputIsInput for the first output that is one of the inputs: called by every command
    that reads files and writes files, before it writes any (--force does not change this).  None
    entries (an option not given) are left out."""
    inputs = [p for p in inputs if p is not None]
    for path in outputs:
        if path is None or not os.path.lexists(path):  # nothing there yet: nothing to overwrite
            continue
        for source in inputs:
            if same_file(path, source):
                raise OutputIsInput(Path(path), Path(source))


def check_writable(path: Path, force: bool = False) -> None:
    if path.exists() and not force:
        raise OutputExists(path)


def atomic_write(path, data: bytes, force: bool = False) -> Path:
    """Write `data` to `path` through a temporary file in the same folder and a rename, so a reader
    never sees a partial file and a crash leaves the old file (if any) as it was."""
    with atomic_stream(path, force) as fh:
        fh.write(data)
    return Path(path)


def _new_file_mode() -> int:
    """The permissions an ordinary new file gets (0o666 less the umask); mkstemp's are owner-only."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (a power cut right after it keeps the new file); where a
    folder cannot be opened (Windows) the system does this itself."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_stream(path, force: bool = False):
    """A binary file to write `path` through, piece by piece, with atomic_write's guarantees: the
    file appears whole when the block ends, and not at all if it fails.  A refusal of the system
    (read-only folder, full disk, a file open in Excel) is an OutputUnwritable naming the file."""
    path = Path(path)
    check_writable(path, force)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputUnwritable(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if not force and path.exists():  # appeared meanwhile
            raise OutputExists(path)
        os.chmod(tmp, _new_file_mode())
        os.replace(tmp, path)
        _sync_folder(path.parent)
    except OutputError:
        Path(tmp).unlink(missing_ok=True)
        raise
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputUnwritable(path, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
