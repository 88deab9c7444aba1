"""Files that are not what their names say, or are built to hurt the machine that reads them, each
named after its defect, with the words its refusal must contain.

Made from a real filled workbook and a real exported report; the two LibreOffice-saved files (old
.xls, .ods) are committed under tests/fixtures/bad.  The zip bombs are built here rather than
committed: `zip_bomb` and `overlapping_bomb` also serve benchmarks/zip_bomb.py.
"""
from __future__ import annotations

import io
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

MIB = 1024 * 1024
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bad"



def _billion_laughs() -> str:
    """Ten levels of entities, each ten of the one below: 10**9 "lol"s if a parser expanded them."""
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return f"<!DOCTYPE lolz [{''.join(entities)}]>"


BILLION_LAUGHS = _billion_laughs()
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def with_parts(package: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None,
               drop: tuple[str, ...] = ()) -> bytes:
    """The zip `package` with parts replaced, added or dropped."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            if name not in drop:
                dst.writestr(name, (replace or {}).get(name, src.read(name)))
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


def with_doctype(package: bytes, part: str, doctype: str, reference: str) -> bytes:
    """`part` (XML) with a DTD before its root element and an entity reference inside its first text."""
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        xml = z.read(part)
    root = xml.index(b"<", xml.index(b"?>") + 2) if xml.startswith(b"<?xml") else 0
    xml = xml[:root] + doctype.encode() + xml[root:]
    xml = xml.replace(b"</t>", reference.encode() + b"</t>", 1)
    return with_parts(package, replace={part: xml})


def zip_bomb(package: bytes, size: int) -> bytes:
    """`package` plus one part of `size` zero bytes, deflated (about 1,000:1), written in 1 MiB steps
    so that building a 1 GB bomb takes little memory."""
    out = io.BytesIO(with_parts(package))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("xl/media/image1.png")
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as part:
            chunk = bytes(MIB)
            for done in range(0, size, MIB):
                part.write(chunk[:min(MIB, size - done)])
    return out.getvalue()


def overlapping_bomb(package: bytes, entries: int, size: int) -> bytes:
    """`package` plus `entries` directory entries that all point at one stored body of `size` bytes
    (after D. Fifield's "non-recursive zip bomb"): no part has a suspicious compression ratio, but
    together they unpack to entries * size bytes."""
    body = (b"0123456789abcdef" * (size // 16 + 1))[:size]
    base = io.BytesIO(package)
    with zipfile.ZipFile(base) as z:
        infos = [(i, z.read(i.filename)) for i in z.infolist()]
    out = io.BytesIO()
    central = []

    def local(name: bytes, data: bytes, method: int, compressed: bytes) -> int:
        offset = out.tell()
        crc = zlib.crc32(data)
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(compressed),
                              len(data), len(name), 0) + name + compressed)
        return offset, crc

    for info, data in infos:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        compressed = compressor.compress(data) + compressor.flush()
        name = info.filename.encode()
        offset, crc = local(name, data, 8, compressed)
        central.append((name, 8, crc, len(compressed), len(data), offset))
    offset, crc = local(b"xl/media/image1.bin", body, 0, body)
    for n in range(entries):
        central.append((f"xl/media/image{n + 1}.bin".encode(), 0, crc, size, size, offset))
    start = out.tell()
    for name, method, crc, csize, usize, offset in central:
        out.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, csize,
                              usize, len(name), 0, 0, 0, 0, 0, offset) + name)
    end = out.tell()
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), end - start, start, 0))
    return out.getvalue()


def encrypted(package: bytes, password: str = "1234") -> bytes:
    """`package` protected with a password to open, as Excel and Word encrypt (agile encryption)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(package)).encrypt(password, out)
    return out.getvalue()


# name -> (the words the refusal must contain); every message also names the file.
WORKBOOKS = {
    "empty-file.xlsx": "文件是空的",
    "truncated-download.xlsx": "文件不完整或已损坏",
    "bytes-flipped-in-a-sheet.xlsx": "已损坏",
    "csv-renamed.xlsx": "这是文本文件",
    "docx-renamed.xlsx": "这是 Word 文档",
    "pdf-renamed.xlsx": "这是 PDF 文件",
    "excel-97-2003-renamed.xlsx": "旧版 Excel 97-2003 工作簿",
    "opendocument-renamed.xlsx": "OpenDocument",
    "zip-of-workbooks.xlsx": "这是压缩包",
    "password-to-open.xlsx": "设置了打开密码",
    "zip-bomb-64mb-of-zeros.xlsx": "压缩炸弹",
    "zip-bomb-overlapping-entries.xlsx": "压缩炸弹",
    "ten-thousand-and-one-parts.xlsx": "部件过多",
    "billion-laughs-in-workbook-xml.xlsx": "DTD",
    "external-entity-in-a-sheet.xlsx": "DTD",
}
REPORTS = {
    "empty-file.docx": "文件是空的",
    "truncated-download.docx": "文件不完整或已损坏",
    "workbook-renamed.docx": "这是 Excel 工作簿",
    "password-to-open.docx": "设置了打开密码",
    "word-97-2003-renamed.docx": "旧版 Word 文档（.doc）",
    "zip-bomb-64mb-of-zeros.docx": "压缩炸弹",
    "billion-laughs-in-document-xml.docx": "DTD",
    "external-entity-in-document-xml.docx": "DTD",
}


def make_bad_workbooks(folder: Path, good: bytes, docx: bytes) -> dict[str, Path]:
    """Every file of WORKBOOKS, written into `folder`, made from the good workbook `good`."""
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        sheet = "xl/worksheets/sheet4.xml"  # 表三, which the reader reads
        info = z.getinfo(sheet)
    flipped = bytearray(good)
    at = info.header_offset + 30 + len(sheet) + info.compress_size // 2  # the middle of the sheet's body
    flipped[at:at + 8] = bytes(b ^ 0xFF for b in flipped[at:at + 8])
    made = {
        "empty-file.xlsx": b"",
        "truncated-download.xlsx": good[: len(good) // 2],
        "bytes-flipped-in-a-sheet.xlsx": bytes(flipped),
        "csv-renamed.xlsx": "单位,申请数\n东河镇,3\n".encode("gb18030"),
        "docx-renamed.xlsx": docx,
        "pdf-renamed.xlsx": b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n",
        "excel-97-2003-renamed.xlsx": (FIXTURES / "saved-as-excel-97-2003.xls").read_bytes(),
        "opendocument-renamed.xlsx": (FIXTURES / "saved-as-opendocument.ods").read_bytes(),
        "zip-of-workbooks.xlsx": _zip({"东河镇 2022年报.xlsx": good, "西山乡 2022年报.xlsx": good}),
        "password-to-open.xlsx": encrypted(good),
        "zip-bomb-64mb-of-zeros.xlsx": zip_bomb(good, 64 * MIB),
        "zip-bomb-overlapping-entries.xlsx": overlapping_bomb(good, 600, 1 * MIB),
        "ten-thousand-and-one-parts.xlsx": with_parts(good, add={f"customXml/item{n}.xml": b"<a/>"
                                                                  for n in range(10_001)}),
        "billion-laughs-in-workbook-xml.xlsx": with_doctype(good, "xl/workbook.xml", BILLION_LAUGHS, ""),
        "external-entity-in-a-sheet.xlsx": with_doctype(good, "xl/worksheets/sheet2.xml", XXE, "&xxe;"),
    }
    shutil.copy(FIXTURES / "saved-as-excel-97-2003.xls", folder / "saved-as-excel-97-2003.xls")
    return _written(folder, made, WORKBOOKS)


def make_bad_reports(folder: Path, docx: bytes, workbook: bytes) -> dict[str, Path]:
    """Every file of REPORTS, written into `folder`, made from the exported report `docx`."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {
        "empty-file.docx": b"",
        "truncated-download.docx": docx[: len(docx) // 2],
        "workbook-renamed.docx": workbook,
        "password-to-open.docx": encrypted(docx),
        "word-97-2003-renamed.docx": (FIXTURES / "saved-as-word-97-2003.doc").read_bytes(),
        "zip-bomb-64mb-of-zeros.docx": zip_bomb(docx, 64 * MIB),
        "billion-laughs-in-document-xml.docx": with_doctype(docx, "word/document.xml", BILLION_LAUGHS, "&lol9;"),
        "external-entity-in-document-xml.docx": with_doctype(docx, "word/document.xml", XXE, "&xxe;"),
    }
    return _written(folder, made, REPORTS)


def _written(folder: Path, made: dict[str, bytes], expected: dict[str, str]) -> dict[str, Path]:
    """Each file of `made` written into `folder`; `made` must be every file `expected` names."""
    assert set(made) == set(expected)
    out = {}
    for name, data in made.items():
        out[name] = folder / name
        out[name].write_bytes(data)
    return out


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()
