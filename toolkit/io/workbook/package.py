"""Making a saved workbook reproducible: the same content always gives the same bytes.

openpyxl stamps the save time into docProps/core.xml and the zip entries; the templates in
workbook_templates/ are compared with a fresh build, so both are fixed here.  Members can be added
or replaced, a big one as a stream of chunks (written without ever holding it whole).  Every package
we write passes through here, so this is also where openpyxl's XML is put in the order Excel's
schema requires (toolkit.io.workbook.schema_order).
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable

from toolkit.io.workbook.schema_order import in_schema_order

FIXED_TIME = (2021, 1, 1, 0, 0, 0)
STREAM_LEVEL = 1
_FIXED_W3CDTF = b"2021-01-01T00:00:00Z"
_TIMESTAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def reproducible(data: bytes, extra: dict[str, bytes | Iterable] | None = None, into=None) -> bytes | None:
    """Rewrite a zip package with fixed timestamps (and optional extra or replaced members: bytes or
    str, or an iterable of str/bytes chunks for a big one).  Given `into` (a binary file, seekable),
    the package is written there and not also held in memory; else its bytes are returned."""
    extra = dict(extra or {})
    out = io.BytesIO() if into is None else into
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            body = extra.pop(name, None)
            if body is None:
                body = src.read(name)
            if name == "docProps/core.xml":
                body = _TIMESTAMP.sub(rb"\g<1>" + _FIXED_W3CDTF + rb"\g<2>", body)
            _write(dst, name, body)
        for name, body in extra.items():
            _write(dst, name, body)
    return out.getvalue() if into is None else None


def package_bytes(members: Iterable[tuple[str, bytes]]) -> bytes:
    """A package of these members (name, bytes), in this order, each written as `reproducible`
    writes it: for a package made from parts of one of ours (toolkit.io.workbook.filled)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, body in members:
            _write(dst, name, body)
    return out.getvalue()


def _write(dst: zipfile.ZipFile, name: str, body) -> None:
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    if isinstance(body, str):  # a whole member given as text
        body = body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        dst.writestr(info, in_schema_order(name, bytes(body)))
        return
    # A streamed member is a big sheet: compressed fast (level 1: a third larger, three times faster).
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", STREAM_LEVEL)
    with dst.open(info, "w", force_zip64=True) as stream:
        for chunk in body:
            stream.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
