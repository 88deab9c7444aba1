"""Writing outputs safely: never over an existing file unless asked, never half-written."""
from __future__ import annotations

import errno
import os
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
}


class OutputUnwritable(OutputError):
    def __init__(self, path: Path, exc: OSError):
        reason = _REASONS.get(exc.errno) or exc.strerror or str(exc)
        super().__init__(f"无法写入输出文件“{path}”：{reason}")
        self.path = path


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
    except OutputError:
        Path(tmp).unlink(missing_ok=True)
        raise
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputUnwritable(path, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
