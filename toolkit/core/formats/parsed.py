"""The format files (the TOML beside this module) as parsed, kept from one run to the next.

The TOML files stay the one source of truth.  Parsing them (tomllib is pure Python) cost every
start-up some 15 ms, the Excel buttons' included; so the parsed data of each file is kept in this
folder's __pycache__, beside the bytecode, as marshal data (the format of .pyc files, trusted as far
as they are) under the BLAKE2b digest of the TOML's bytes: a file that changed in any way is parsed
again, whatever its time stamp.  Reading the copy back takes a fraction of a millisecond.

The copy is written atomically (a whole file or none; concurrent runs each write the same bytes),
and only where Python writes bytecode too (not under PYTHONDONTWRITEBYTECODE or -B).  Where it
cannot be written (a read-only install, a folder of another user's) or read (damaged, another
Python's), nothing is said and the file is parsed as before: the copy only ever saves time.
Standard library only, so that Pyodide (xlwings Lite) runs it as it is.
"""
from __future__ import annotations

import marshal
import os
import sys

try:  # hashlib's own BLAKE2b: `import hashlib` would load OpenSSL too, a few ms of every start-up
    from _blake2 import blake2b
except ImportError:  # an interpreter built without it
    from hashlib import blake2b

FOLDER = os.path.dirname(os.path.abspath(__file__))
_DIGEST = 16  # bytes of BLAKE2b at the head of a kept copy


def load(name: str, folder: str = FOLDER) -> dict:
    """The TOML file `name` of `folder`, parsed: a new dict each call (callers may change theirs)."""
    with open(os.path.join(folder, name), "rb") as f:
        data = f.read()
    tag = sys.implementation.cache_tag  # e.g. cpython-311: marshal's format is the interpreter's own
    if tag is None:
        return _parse(data)
    kept = os.path.join(folder, "__pycache__", f"{name}.{tag}.marshal")
    digest = blake2b(data, digest_size=_DIGEST).digest()
    parsed = _read(kept, digest)
    if parsed is None:
        parsed = _parse(data)
        if not sys.dont_write_bytecode:
            try:
                blob = digest + marshal.dumps(parsed)
            except ValueError:  # a TOML date or time: marshal has none, so this file is not kept
                return parsed
            _write(kept, blob)
    return parsed


def _parse(data: bytes) -> dict:
    import tomllib  # only when a file is parsed: a kept copy needs no TOML parser

    return tomllib.loads(data.decode("utf-8"))


def _read(path: str, digest: bytes) -> dict | None:
    """The kept copy of the file whose digest is `digest`, or None: none kept, another file's, damaged."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError:
        return None
    if blob[:_DIGEST] != digest:
        return None
    try:
        parsed = marshal.loads(memoryview(blob)[_DIGEST:])
    except (EOFError, ValueError, TypeError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _write(path: str, blob: bytes) -> None:
    """`blob` into `path` atomically (a temporary file renamed over it), or nothing if that fails."""
    temporary = f"{path}.{os.getpid()}.{id(blob)}.tmp"  # its own name for each writer, even threads
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as f:
            f.write(blob)
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
