"""Writing outputs safely: never over an existing file unless asked, never half-written."""
from __future__ import annotations

import os
import tempfile
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
    path = Path(path)
    check_writable(path, force)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if not force and path.exists():  # appeared meanwhile
            raise OutputExists(path)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
