"""Writing outputs safely: never over an existing file unless asked, never half-written."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


class OutputExists(FileExistsError):
    def __init__(self, path: Path):
        super().__init__(f"输出文件“{path}”已存在；如需覆盖，请加 --force")
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
    file appears whole when the block ends, and not at all if it fails."""
    path = Path(path)
    check_writable(path, force)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if not force and path.exists():  # appeared meanwhile
            raise OutputExists(path)
        os.chmod(tmp, _new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
