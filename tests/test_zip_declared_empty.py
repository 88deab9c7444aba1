"""A part whose zip entry declares 0 bytes but holds a deflate bomb: zlib's max_length of 0 means
"no limit", so inflating "at most the declared size" would fill the memory (the fuzz test's OOM)."""
from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile

import pytest

from toolkit.io.intake import RefusedFile, open_package, read_part
from toolkit.io.workbook.template import template_bytes

PART = "xl/worksheets/sheet2.xml"


def _declared_empty_bomb() -> bytes:
    """The blank template with PART's content replaced by 200 MB of zeros, deflated (about 200 KB),
    its local header and central directory entry then made to declare 0 bytes."""
    source = zipfile.ZipFile(io.BytesIO(template_bytes("2021")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            body = b"\0" * (200 * 1024 * 1024) if info.filename == PART else source.read(info)
            z.writestr(info.filename, body)
    data = bytearray(out.getvalue())
    name = PART.encode()
    at = 0
    while True:
        at = data.index(b"PK\x03\x04", at)
        if data[at + 30:at + 30 + len(name)] == name:
            struct.pack_into("<I", data, at + 22, 0)  # uncompressed size
            break
        at += 4
    at = 0
    while True:
        at = data.index(b"PK\x01\x02", at)
        if data[at + 46:at + 46 + len(name)] == name:
            struct.pack_into("<I", data, at + 24, 0)
            break
        at += 4
    return bytes(data)


def test_a_part_declared_empty_is_not_inflated_without_limit():
    data = _declared_empty_bomb()
    assert len(data) < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises((RefusedFile, zipfile.BadZipFile)):
            with open_package(data, "xlsx") as package:
                read_part(package, PART)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024  # the 200 MB are never made
