"""Files from strangers: what a file really is, and opening its zip package without harm.

Workbooks come back by e-mail and USB stick from dozens of offices; some are broken, some are not
workbooks at all, and one could be built to hurt the machine that reads it.  Before any part of a
package is read:

- the kind of the file is told from its first bytes, not its name, so a CSV, an old .xls, an
  encrypted workbook or a Word file renamed .xlsx gets its own message saying what to do;
- the zip's central directory is measured before it is loaded (a directory of millions of entries
  would take the memory itself), then every entry's declared sizes are checked against the limits
  below.  Python's zipfile never inflates more than an entry's declared size, so a "zip bomb" is
  refused without inflating a byte, and one that lies about its sizes fails its CRC check instead;
- an XML part with a DTD (`<!DOCTYPE`) is refused: Office never writes one (ECMA-376 Part 2 forbids
  it), and a DTD is how "billion laughs" and external-entity (XXE) attacks start.

Nothing here runs code from a file: macros are bytes to compare (toolkit.io.vba.inspect), never run.
Standard library only: this is part of the core.
"""
from __future__ import annotations

import errno
import io
import os
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What a package may hold.  A filled report workbook is about 25 parts and 1 MB unpacked; a
    county summary of 10,000 units about 120 MB; these leave room for both and nothing near a bomb."""

    parts: int = 10_000
    total_bytes: int = 512 * MIB
    # Compression ratio of a single part, checked above `ratio_from` bytes (a small part compresses as
    # it likes).  Office XML compresses 5-30 times; a bomb's zeros over 1,000 times.
    ratio: int = 200
    ratio_from: int = 1 * MIB
    directory_bytes: int = 16 * MIB  # the central directory: about 100 bytes an entry
    read_whole: int = 64 * MIB  # a package up to this size is read in one go (opened once, no seeks)
    file_bytes: int = 256 * MIB  # a file read whole (a published report, a roster)


LIMITS = Limits()


class RefusedFile(Exception):
    """The file is not what it claims, or not safe to read; the message (Chinese) says why and what
    to do.  It does not name the file: the caller knows it and says it."""


# --- what a file really is ------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_TEXT_BYTES = bytes(range(32, 256)) + b"\t\n\r\f"


def kind_of(head: bytes) -> str:
    """The kind of a file from its first bytes: "empty", "zip", "ole" (an Office 97-2003 file or an
    encrypted Office file), "pdf", "rtf", "html", "text" or "unknown"."""
    if not head:
        return "empty"
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"%PDF"):
        return "pdf"
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    lowered = stripped[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered:
        return "html"
    sample = head[:4096]
    if b"\0" not in sample and not sample.translate(None, _TEXT_BYTES):
        return "text"
    try:
        sample.decode("utf-8")
        return "text"
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the end of the sample is still text
        if exc.start >= len(sample) - 3 and b"\0" not in sample:
            return "text"
    return "unknown"


OLE_KINDS = ("encrypted", "xls", "doc", "ole")  # what file_kind tells an OLE compound file to be


def _ole_kind(source) -> str:
    """What an OLE compound file holds: "encrypted" (a password-protected .xlsx/.docx), "xls", "doc",
    or "ole"; told from its streams' names."""
    import olefile

    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    at = source.tell() if hasattr(source, "read") else None
    try:  # olefile reads only the sectors it needs, from a path or a file object
        with olefile.OleFileIO(source) as ole:
            names = {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
    except Exception:  # olefile raises several kinds for a damaged file; the names are then unknown
        return "ole"
    finally:
        if at is not None:
            source.seek(at)
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        return "encrypted"
    if "Workbook" in names or "Book" in names:
        return "xls"
    if "WordDocument" in names:
        return "doc"
    return "ole"


WORKBOOK_KINDS = {
    "empty": "文件是空的（0 字节），可能复制或下载时中断；请让报送单位重新发送",
    "text": "这是文本文件（如 CSV），不是 Excel 工作簿，只是扩展名为表格；请用标准模板填报后报送",
    "html": "这是网页文件，不是 Excel 工作簿，只是扩展名为表格；请用标准模板填报后报送",
    "pdf": "这是 PDF 文件，不是 Excel 工作簿；请报送填好的标准模板（.xlsx/.xlsm）",
    "rtf": "这是 RTF 文档，不是 Excel 工作簿；请报送填好的标准模板（.xlsx/.xlsm）",
    "encrypted": "工作簿设置了打开密码（已加密），无法读取；请在 Excel 中“文件 → 信息 → 保护工作簿 → "
                 "用密码进行加密”清空密码并保存后重新报送",
    "xls": "这是旧版 Excel 97-2003 工作簿（.xls），无法读取；请用标准模板（.xlsx/.xlsm）填报，"
           "或在 Excel 中“另存为”Excel 工作簿（.xlsx）后重新报送",
    "doc": "这是 Word 文档（.doc），不是 Excel 工作簿；请报送填好的标准模板（.xlsx/.xlsm）",
    "ole": "这是旧版 Office 文件，不是 Excel 工作簿（.xlsx/.xlsm）；请用标准模板填报后报送",
    "unknown": "不是 Excel 工作簿（.xlsx/.xlsm），文件内容无法识别；请报送填好的标准模板",
    "docx": "这是 Word 文档（.docx），不是 Excel 工作簿；请报送填好的标准模板（.xlsx/.xlsm）",
    "pptx": "这是 PowerPoint 演示文稿，不是 Excel 工作簿；请报送填好的标准模板（.xlsx/.xlsm）",
    "ods": "这是 OpenDocument 表格（.ods），无法读取；请在 WPS 或 LibreOffice 中“另存为”Excel 工作簿（.xlsx）后重新报送",
    "zip": "这是压缩包，不是 Excel 工作簿；请解压后报送其中填好的工作簿",
}

DOCUMENT_KINDS = {
    "empty": "文件是空的（0 字节），可能复制或下载时中断；请重新获取",
    "encrypted": "文件设置了打开密码（已加密），无法读取；请在 Word 中清除密码并保存后再导入",
    "xls": "这是 Excel 工作簿（.xls），不是年报文档；请导入发布的年报（.docx、网页、PDF 或纯文本）",
    "doc": "这是旧版 Word 文档（.doc），无法读取；请在 Word 或 WPS 中“另存为”.docx 后再导入",
    "ole": "这是旧版 Office 文件，无法读取；请另存为 .docx、网页（.html）、PDF 或纯文本（.txt）后再导入",
    "xlsx": "这是 Excel 工作簿，不是发布的年报；要检查工作簿请用 xxgk check",
    "pptx": "这是 PowerPoint 演示文稿，不是年报文档；请另存为 .docx、PDF 或纯文本后再导入",
    "ods": "这是 OpenDocument 文件，无法读取；请另存为 .docx、PDF 或纯文本后再导入",
    "zip": "这是压缩包，不是年报文档；请解压后导入其中的年报",
    # a file named .docx that is something else
    "text": "Word 文件已损坏或不是 .docx（内容是纯文本）；如是文本，请把扩展名改为 .txt 后再导入",
    "html": "Word 文件已损坏或不是 .docx（内容是网页）；请把扩展名改为 .html 后再导入",
    "pdf": "Word 文件已损坏或不是 .docx（内容是 PDF）；请把扩展名改为 .pdf 后再导入",
    "rtf": "Word 文件已损坏或不是 .docx（内容是 RTF）；请在 Word 或 WPS 中另存为 .docx 后再导入",
    "unknown": "Word 文件已损坏或不是 .docx（内容无法识别）；请重新获取文件",
}

_BROKEN_ZIP = "文件不完整或已损坏（可能下载或复制时中断），无法打开；请让报送单位重新发送"


def _head(source, n: int) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source[:n])
    if hasattr(source, "read"):
        at = source.tell()
        try:
            return source.read(n)
        finally:
            source.seek(at)
    with open_input(source) as fh:
        return fh.read(n)


# --- only regular files -------------------------------------------------------------------------------

# What a path that is not a regular file is: opening a named pipe (FIFO) waits for a writer for
# ever, a device never ends, a folder is no file.
NOT_REGULAR = {
    stat.S_IFDIR: "这是一个文件夹，不是文件",
    stat.S_IFIFO: "这是命名管道（FIFO），不是普通文件，已拒绝读取（读取它会一直等待）",
    stat.S_IFCHR: "这是设备文件，不是普通文件，已拒绝读取",
    stat.S_IFBLK: "这是设备文件（磁盘等），不是普通文件，已拒绝读取",
    stat.S_IFSOCK: "这是套接字（socket），不是普通文件，已拒绝读取",
}
# The system's refusals, in words for a user.
OPEN_ERRORS = {
    errno.EACCES: "没有读取权限，无法打开；请检查文件的权限（或以有权限的用户运行）",
    errno.EPERM: "没有读取权限，无法打开；请检查文件的权限（或以有权限的用户运行）",
    errno.ENOENT: "文件不存在（或是指向不存在的文件的符号链接）",
    errno.ELOOP: "符号链接形成循环（链接指向自己或互相指向），指不到文件",
    errno.ENXIO: "这是套接字（socket）或未连接的设备，不是普通文件，已拒绝读取",
    errno.ENAMETOOLONG: "路径过长，无法打开",
    errno.EIO: "无法打开：读取时出错（磁盘、U 盘或网络盘故障），请复制到本机后重试",
    errno.EISDIR: NOT_REGULAR[stat.S_IFDIR],
}


def refusal(exc: OSError) -> str:
    """What a system error on opening or reading an input means, in Chinese (its own words last)."""
    return OPEN_ERRORS.get(exc.errno) or f"无法打开（{exc.strerror or exc}）"


def check_regular(path) -> None:
    """RefusedFile unless `path` is a regular file (or a symbolic link to one), saying what it is."""
    try:
        kind = stat.S_IFMT(os.stat(path).st_mode)
    except OSError as exc:
        raise RefusedFile(refusal(exc)) from exc
    if kind != stat.S_IFREG:
        raise RefusedFile(NOT_REGULAR.get(kind, "不是普通文件，已拒绝读取"))


def open_input(path):
    """A binary file object on `path`, opened only if it is a regular file (a symbolic link to one
    is fine); RefusedFile saying what it is otherwise.  Opened without waiting (O_NONBLOCK), so a
    named pipe is refused at once instead of hanging the run."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise RefusedFile(refusal(exc)) from exc
    try:
        kind = stat.S_IFMT(os.fstat(fd).st_mode)
        if kind != stat.S_IFREG:
            raise RefusedFile(NOT_REGULAR.get(kind, "不是普通文件，已拒绝读取"))
        if flags & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def file_kind(source) -> str:
    """kind_of, with an OLE file told apart by what it holds."""
    kind = kind_of(_head(source, 4096))
    return _ole_kind(source) if kind == "ole" else kind


# --- zip packages -----------------------------------------------------------------------------------

_MAIN_PARTS = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml", "pptx": "ppt/presentation.xml"}


def _package_kind(package: zipfile.ZipFile, names: set[str], expect: str) -> str:
    """What an Office-style zip holds: "xlsx", "docx", "pptx", "ods" or "zip"."""
    if _MAIN_PARTS.get(expect) in names:
        return expect
    if "mimetype" in names and "content.xml" in names:
        return "ods"
    for kind, main in _MAIN_PARTS.items():
        if main in names:
            return kind
    # the main part somewhere else: the content types say what the package is
    types = read_part(package, "[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if b"spreadsheetml.sheet.main" in types or b"ms-excel.sheet.macroEnabled.main" in types:
        return "xlsx"
    if b"wordprocessingml.document.main" in types:
        return "docx"
    return "zip"


def _directory_size(fp) -> tuple[int, int] | None:
    """(entries, central directory bytes) from the end-of-central-directory record, read without
    loading the directory; None when there is no such record (not a zip, or cut short)."""
    fp.seek(0, os.SEEK_END)
    size = fp.tell()
    tail_len = min(size, 22 + 65535)
    fp.seek(size - tail_len)
    tail = fp.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    _, _, _, _, entries, dir_bytes, _, _ = struct.unpack("<4sHHHHIIH", tail[at:at + 22])
    if entries == 0xFFFF or dir_bytes == 0xFFFFFFFF:  # Zip64: the real figures are in the Zip64 record
        z64 = tail.rfind(b"PK\x06\x06", 0, at)
        if z64 >= 0 and len(tail) - z64 >= 56:
            entries, dir_bytes = struct.unpack("<QQ", tail[z64 + 32:z64 + 48])
    return entries, dir_bytes


def open_package(source, expect: str = "xlsx", limits: Limits = LIMITS) -> zipfile.ZipFile:
    """The zip package of an Office file (`expect` "xlsx" or "docx"), opened after the checks the
    module describes; RefusedFile with a Chinese reason and what to do otherwise.

    `source` is a path, bytes or a binary file object.  The caller closes the ZipFile."""
    messages = WORKBOOK_KINDS if expect == "xlsx" else DOCUMENT_KINDS
    if not isinstance(source, (bytes, bytearray)) and not hasattr(source, "read"):
        # a path: opened once, and a file of the usual size read whole in one go; its kind, its
        # directory's size and the zip are then all taken from those bytes (the file is not reopened)
        with open_input(source) as fh:
            try:
                whole = os.fstat(fh.fileno()).st_size <= limits.read_whole
                data = fh.read() if whole else None
            except OSError as exc:
                raise RefusedFile(f"无法打开（{exc.strerror or exc}）") from exc
            if not whole:  # a large file: its kind and directory from the open file, the zip from the path
                kind = file_kind(fh)
                if kind != "zip":
                    raise RefusedFile(messages.get(kind) or messages["unknown"])
                return _open_measured(source, _measure(fh), expect, limits)
        source = data
    kind = file_kind(source)
    if kind != "zip":
        raise RefusedFile(messages.get(kind) or messages["unknown"])
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    measured = _measure(source)
    source.seek(0)
    return _open_measured(source, measured, expect, limits)


def _measure(fp) -> tuple[int, int] | None:
    """_directory_size, its failures as RefusedFile."""
    try:
        return _directory_size(fp)
    except (ValueError, EOFError, struct.error) as exc:
        raise RefusedFile(_BROKEN_ZIP) from exc
    except OSError as exc:
        raise RefusedFile(f"无法打开（{exc.strerror or exc}）") from exc


def _open_measured(source, measured: tuple[int, int] | None, expect: str, limits: Limits) -> zipfile.ZipFile:
    """The ZipFile of `source` (a path or a file object), its directory measured (`measured`) and
    found within the limits first, then every entry checked (check_package)."""
    try:
        if measured is None:
            raise RefusedFile(_BROKEN_ZIP)
        entries, dir_bytes = measured
        if entries > limits.parts or dir_bytes > limits.directory_bytes:
            raise RefusedFile(_TOO_MANY_PARTS.format(entries, limits.parts))
        package = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, ValueError, EOFError, struct.error, NotImplementedError) as exc:
        raise RefusedFile(_BROKEN_ZIP) from exc
    except OSError as exc:
        raise RefusedFile(f"无法打开（{exc.strerror or exc}）") from exc
    try:
        check_package(package, expect, limits)
    except BaseException:
        package.close()
        raise
    return package


_TOO_MANY_PARTS = "文件包含的部件过多（{} 个，上限 {} 个），可能是恶意构造的文件，已拒绝读取；请核实来源"


def check_package(package: zipfile.ZipFile, expect: str, limits: Limits = LIMITS) -> None:
    infos = package.infolist()
    if len(infos) > limits.parts:
        raise RefusedFile(_TOO_MANY_PARTS.format(len(infos), limits.parts))
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise RefusedFile(WORKBOOK_KINDS["encrypted"] if expect == "xlsx" else DOCUMENT_KINDS["encrypted"])
        total += info.file_size
        if total > limits.total_bytes:
            raise RefusedFile(f"文件解压后超过 {limits.total_bytes // MIB} MB，可能是恶意构造的“压缩炸弹”，"
                              "已拒绝读取；请核实来源")
        if info.file_size > limits.ratio_from and info.file_size > limits.ratio * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise RefusedFile(f"文件中的部件 {info.filename} 压缩比异常（{ratio}:1），可能是恶意构造的“压缩炸弹”，"
                              "已拒绝读取；请核实来源")
    kind = _package_kind(package, set(package.namelist()), expect)
    if kind != expect:
        messages = WORKBOOK_KINDS if expect == "xlsx" else DOCUMENT_KINDS
        raise RefusedFile(messages.get(kind) or messages["zip"])


# Binary parts: a VBA project, pictures, embedded objects.  Only XML is parsed; a binary part may hold
# "<!DOCTYPE" in its data (a macro's string literal) and means nothing by it.
_BINARY_PARTS = (".bin", ".png", ".jpeg", ".jpg", ".gif", ".emf", ".wmf", ".tif", ".tiff", ".bmp")


def read_part(package: zipfile.ZipFile, name: str, label: str = "", shared: bool = False) -> bytes:
    """A part's bytes; RefusedFile if the part is damaged, or is XML with a DTD.  `label` says what
    the part is to a user (工作表“表三 依申请公开”); by default its name in the package.

    `shared`: a part that workbooks made from one template have byte for byte (workbook.xml, the
    relationships, the styles).  Such a part whose compressed bytes, CRC-32 and size equal those of
    one already inflated and checked in this process is not inflated again: the same bytes object
    is given, so the caches keyed by a part's bytes find it at once."""
    label = label or f"文件中的部件 {name}"
    try:
        data = _inflate(package, package.getinfo(name), shared)
    except KeyError:
        raise
    except Exception as exc:  # zlib.error, BadZipFile (CRC), EOFError, NotImplementedError (compression)
        raise RefusedFile(f"{label}已损坏（解压时出错），无法读取；"
                          "请让报送单位重新发送") from exc
    if not name.endswith(_BINARY_PARTS) and b"<!" in data and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
        raise RefusedFile(f"{label}含有 DTD 声明（Office 文件不应有），可能是恶意构造的文件，"
                          "已拒绝读取；请核实来源")
    return data


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader: 30 bytes
_NOT_PLAIN = 0x1 | 0x20 | 0x40  # encrypted, compressed patched data, strong encryption: zipfile decides


# Shared parts already inflated and checked: (compression, CRC-32, size, compressed bytes) -> bytes.
# Equal compressed bytes inflate to equal bytes, so the key decides the outcome (CRC check included)
# as inflating would; it is never what the package merely declares.
_INFLATED: dict[tuple, bytes] = {}
_INFLATED_LIMIT = 256  # entries; a shared part is some kilobytes compressed
_INFLATED_LARGEST = 1 << 20  # bytes inflated: larger parts are not kept
_INFLATED_BUDGET = 16 << 20  # bytes kept in all (compressed and inflated): the cache is emptied beyond
_inflated_bytes = 0


def _inflate(package: zipfile.ZipFile, info: zipfile.ZipInfo, shared: bool = False) -> bytes:
    """An entry's bytes, as `package.read` gives them, straight from the package's bytes when it was
    read whole (open_package): the same checks (the local header's signature and name, the data
    there in full), never more inflated than the entry declares, and its CRC-32 checked — without
    zipfile's file-like machinery, which costs more than the inflating of a small part."""
    fp = package.fp
    if type(fp) is not io.BytesIO or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) \
            or info.flag_bits & _NOT_PLAIN:
        return package.read(info)
    with fp.getbuffer() as whole:
        at = info.header_offset
        if at < 0 or at + 30 > len(whole):
            raise zipfile.BadZipFile("Truncated file header")
        header = _LOCAL_HEADER.unpack(whole[at:at + 30])
        if header[0] != b"PK\x03\x04":
            raise zipfile.BadZipFile("Bad magic number for file header")
        name_end = at + 30 + header[10]
        name = bytes(whole[at + 30:name_end])
        name = name.decode("utf-8") if header[3] & 0x800 else name.decode(package.metadata_encoding or "cp437")
        if name != info.orig_filename:
            raise zipfile.BadZipFile(f"File name in directory {info.orig_filename!r} and header {name!r} differ.")
        start = name_end + header[11]
        end_offset = getattr(info, "_end_offset", None)  # Python 3.12+: entries that overlap (a zip bomb)
        if end_offset is not None and start + info.compress_size > end_offset:
            raise zipfile.BadZipFile(f"Overlapped entries: {info.orig_filename!r} (possible zip bomb)")
        if start + info.compress_size > len(whole):
            raise EOFError("Compressed file ended before the end-of-stream marker was reached")
        with whole[start:start + info.compress_size] as raw:
            key = None
            if shared and info.file_size <= _INFLATED_LARGEST:
                key = (info.compress_type, info.CRC, info.file_size, bytes(raw))
                known = _INFLATED.get(key)
                if known is not None:
                    return known
            if info.file_size == 0:  # zlib's max_length 0 means no limit: a bomb declared empty inflates for ever
                data = b""
            elif info.compress_type == zipfile.ZIP_STORED:
                data = bytes(raw[:info.file_size])
            else:
                inflater = zlib.decompressobj(-15)
                data = inflater.decompress(raw, info.file_size)  # never more than the entry declares
                if len(data) < info.file_size and not inflater.unconsumed_tail:
                    data = (data + inflater.flush())[:info.file_size]
    if zlib.crc32(data) != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.orig_filename!r}")
    if key is not None:
        global _inflated_bytes
        if len(_INFLATED) >= _INFLATED_LIMIT or _inflated_bytes > _INFLATED_BUDGET:
            _INFLATED.clear()
            _inflated_bytes = 0
        _INFLATED[key] = data
        _inflated_bytes += len(key[3]) + len(data)
    return data


def read_limited(path, limits: Limits = LIMITS) -> bytes:
    """A whole file's bytes (a published report, a roster), refused above limits.file_bytes."""
    with open_input(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limits.file_bytes:
            raise RefusedFile(f"文件过大（{size // MIB} MB，上限 {limits.file_bytes // MIB} MB），已拒绝读取")
        return fh.read()
