"""The worst inputs, made for real and fast: a PDF whose content stream inflates to gigabytes, a
workbook whose cells hold more text than Excel can, and what a benchmark or a test needs around them.  Used by tests/test_report_limits.py and
benchmarks/big_inputs.py."""
from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

MIB = 1024 * 1024
_BASE = 65521


def _adler32_combine(a1: int, a2: int, len2: int) -> int:
    """zlib's adler32_combine: the checksum of A+B from those of A and B and B's length."""
    rem = len2 % _BASE
    s1 = a1 & 0xFFFF
    s2 = (rem * s1) % _BASE
    s1 += (a2 & 0xFFFF) + _BASE - 1
    s2 += (a1 >> 16) + (a2 >> 16) + _BASE - rem
    s1 = s1 - _BASE if s1 >= _BASE else s1
    s1 = s1 - _BASE if s1 >= _BASE else s1
    s2 = s2 - 2 * _BASE if s2 >= 2 * _BASE else s2
    s2 = s2 - _BASE if s2 >= _BASE else s2
    return s1 | (s2 << 16)


def zlib_bomb(inflated: int, fill: bytes = b" ", block: int = 16 * MIB) -> bytes:
    """A valid zlib stream of `inflated` bytes of `fill` (a multiple of `block`), about 1,000:1,
    built without inflating or deflating more than one block: after a full flush, deflate's output
    for the same block is the same bytes, so one block's is repeated; the checksum is combined."""
    chunk = fill * (block // len(fill))
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = deflater.compress(chunk) + deflater.flush(zlib.Z_FULL_FLUSH)
    again = deflater.compress(chunk) + deflater.flush(zlib.Z_FULL_FLUSH)
    assert segment == again, "deflate did not repeat itself"
    count = inflated // len(chunk)
    one, adler = zlib.adler32(chunk), 1
    for _ in range(count):  # count is small (128 for 2 GiB)
        adler = _adler32_combine(adler, one, len(chunk))
    return b"\x78\xda" + segment * count + b"\x03\x00" + struct.pack(">I", adler)


def pdf_with_content(stream: bytes, filters: str = "/FlateDecode") -> bytes:
    """A one-page PDF whose page content is `stream` (already encoded with `filters`)."""
    return pdf_of([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
                   b"<< /Length %d /Filter %s >>\nstream\n" % (len(stream), filters.encode()) + stream + b"\nendstream"])


def pdf_of(objects: list[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1, the first the catalogue), with its cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % at for at in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_bomb(inflated: int = 2048 * MIB) -> bytes:
    """About 2 MB of PDF whose page content inflates to `inflated` bytes of spaces."""
    return pdf_with_content(zlib_bomb(inflated))


MARK = "LONGTEXTMARK"


def long_text_workbook(length: int, unit: str = "东河镇") -> bytes:
    """A filled workbook whose unit name, a figure cell (t3.new.natural) and 一、总体情况 hold `length`
    CJK characters at random (its parts deflate about 2:1: no bomb): written with a marker, replaced
    in the XML afterwards (the toolkit never writes more than Excel's 32,767 into a cell)."""
    from toolkit.app.samples import plausible_report
    from toolkit.io.workbook.template import template_bytes

    report = plausible_report(unit, "乡镇", 2022, "2021", seed=1)
    report.unit = report.values["t3.new.natural"] = report.texts["overview"] = MARK
    rng = random.Random(length)
    text = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(length)).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template_bytes(report=report))) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info).replace(MARK.encode(), text))
    return out.getvalue()
