"""Limits on the published reports `xxgk import` reads, as toolkit.io.intake has for workbooks: a size
for each kind of file, what a PDF's compressed streams may inflate to (each stream's ratio and all
of them together, measured before any PDF library sees the file), a number of pages, and a time.

A published annual report is a few dozen pages: about 50 KB of text, a .docx or PDF of a few MB.
A file far beyond that is refused at once with the limit it broke, before it can take the
machine's memory or minutes of its time.  Standard library only.
"""
from __future__ import annotations

import os
import re
import signal
import threading
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

from toolkit.io.intake import LIMITS, MIB, Limits, RefusedFile, kind_of, read_limited


@dataclass(frozen=True)
class ReportLimits:
    text_bytes: int = 4 * MIB  # a .txt file (a report is about 50 KB of text)
    html_bytes: int = 8 * MIB  # a saved web page, scripts and styles included
    characters: int = 500_000  # the text read from any kind of file (a report has 20,000-50,000)
    pdf_bytes: int = 64 * MIB
    docx_bytes: int = 64 * MIB
    docx: Limits = Limits(total_bytes=128 * MIB)  # the .docx package, unpacked (pictures included)
    docx_xml_bytes: int = 16 * MIB  # its XML parts, unpacked: what python-docx parses
    inflated: int = 64 * MIB  # a PDF's streams other than pictures, inflated, together
    ratio: int = LIMITS.ratio  # a PDF stream's inflated / compressed size, checked above ratio_from
    ratio_from: int = LIMITS.ratio_from
    pages: int = 300
    seconds: float = 30.0  # reading one report, from its bytes to the imported figures


REPORT_LIMITS = ReportLimits()

_KIND_NAMES = {"pdf": "PDF 文件", "docx": "Word 文件", "html": "网页文件", "text": "文本文件"}
_SUSPECT = "可能是恶意构造的文件，已拒绝读取；请核实来源"


def report_kind(head: bytes, suffix: str) -> str:
    """Which limit a report file comes under: "pdf", "docx", "html" or "text"."""
    kind = kind_of(head)
    if suffix == ".pdf" or kind == "pdf":
        return "pdf"
    if suffix == ".docx" or kind == "zip":
        return "docx"
    if suffix in (".html", ".htm", ".shtml", ".xhtml") or kind == "html":
        return "html"
    return "text"


def read_report(path, limits: ReportLimits = REPORT_LIMITS) -> bytes:
    """A report file's bytes, refused (RefusedFile) above its kind's size: by its name before it is
    opened, by its first bytes once read (toolkit.io.intake.read_limited bounds the read itself)."""
    suffix = os.path.splitext(str(path))[1].lower()
    if suffix in _NAMED:
        try:
            _check_size(_NAMED[suffix], os.path.getsize(path), limits)
        except OSError:
            pass  # read_limited says what is wrong with it
    data = read_limited(path, Limits(file_bytes=max(_limit(k, limits) for k in _KIND_NAMES)))
    _check_size(report_kind(data[:4096], suffix), len(data), limits)
    return data


_NAMED = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".txt": "text"}


def _limit(kind: str, limits: ReportLimits) -> int:
    return {"pdf": limits.pdf_bytes, "docx": limits.docx_bytes, "html": limits.html_bytes,
            "text": limits.text_bytes}[kind]


def _check_size(kind: str, size: int, limits: ReportLimits) -> None:
    if size > _limit(kind, limits):
        raise RefusedFile(f"{_KIND_NAMES[kind]}过大（{_mb(size)} MB，上限 {_mb(_limit(kind, limits))} MB），"
                          "不像是一份年度报告，已拒绝读取；如确是年报，请另存为纯文本（.txt）或删去图片后再导入")


def _mb(size: int) -> str:
    return f"{size / MIB:.0f}" if size >= 10 * MIB else f"{size / MIB:.1f}"


def check_characters(count: int, limits: ReportLimits = REPORT_LIMITS) -> None:
    if count > limits.characters:
        raise RefusedFile(f"文件中的文字有 {count:,} 字，超过 {limits.characters:,} 字的上限"
                          "（一份年报通常二三万字），不像是一份年度报告，已拒绝读取")


# --- a PDF's streams ------------------------------------------------------------------------------

_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_DICT_BACK = 4096  # how far before "stream" its dictionary is looked for
_CHUNK = 256 * 1024
# Filters that inflate: Flate is measured by inflating it here; the rare old ones (LZW, RunLength) are
# counted at the most they can inflate to.
_FLATE = re.compile(rb"/(FlateDecode|Fl)\b")
_OLD_FILTERS = {rb"/LZWDecode": 2730, rb"/LZW": 2730, rb"/RunLengthDecode": 128, rb"/RL": 128}
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")


def check_pdf(data: bytes, limits: ReportLimits = REPORT_LIMITS) -> None:
    """Every compressed stream of a PDF measured by inflating it here, in chunks, up to the limits:
    RefusedFile at the first stream whose ratio or the total breaks them.  Pictures are not counted
    (text extraction never inflates them); everything else (page contents, forms, fonts, object
    streams) is.  Inflating stops at the limit, so a bomb costs at most `limits.inflated` of work
    and a chunk of memory."""
    total = 0
    for number, match in enumerate(_STREAM.finditer(data), start=1):
        start = match.end()
        head = data[max(0, match.start() - _DICT_BACK):match.start()]
        head = head[head.rfind(b"obj") + 3:] if b"obj" in head else head
        if _IMAGE.search(head):
            continue
        if _FLATE.search(head):
            inflated, used = _inflate(data, start, limits, total)
        else:
            worst = next((r for f, r in _OLD_FILTERS.items() if re.search(re.escape(f) + rb"\b", head)), 0)
            if not worst:
                continue
            end = data.find(b"endstream", start)
            used = (end if end > 0 else len(data)) - start
            inflated = used * worst
        total += inflated
        if inflated > limits.ratio_from and inflated > limits.ratio * max(used, 1):
            raise RefusedFile(f"PDF 中的第 {number} 个数据流压缩比异常（超过 {limits.ratio}:1），"
                              f"可能是恶意构造的“压缩炸弹”，已拒绝读取；请核实来源")
        if total > limits.inflated:
            raise RefusedFile(f"PDF 解压后的内容超过 {_mb(limits.inflated)} MB 的上限（一份年报通常不到 10 MB），"
                              f"不像是一份年度报告，{_SUSPECT}")


def _inflate(data: bytes, start: int, limits: ReportLimits, before: int) -> tuple[int, int]:
    """(bytes inflated, compressed bytes used) of the zlib stream at `start`, inflating no more than
    the limits allow: it stops once the ratio or the total is broken.  A stream zlib cannot read
    counts what it gave so far (the PDF library will say it is damaged)."""
    inflater = zlib.decompressobj()
    out, at, pending = 0, start, b""
    try:
        while pending or at < len(data):
            if not pending:
                pending = data[at:at + _CHUNK]
                at += len(pending)
            out += len(inflater.decompress(pending, _CHUNK))
            pending = inflater.unconsumed_tail
            used = at - start - len(pending) - len(inflater.unused_data)
            if inflater.eof or _broken(out, used, before, limits):
                return out, max(used, 1)
    except zlib.error:
        pass
    return out, max(at - start - len(pending), 1)


def _broken(out: int, used: int, before: int, limits: ReportLimits) -> bool:
    return (out > limits.ratio_from and out > limits.ratio * max(used, 1)) or before + out > limits.inflated


# --- time -----------------------------------------------------------------------------------------

class _Alarm(BaseException):
    """Raised by the timer inside whatever library is reading (a BaseException, so that their
    `except Exception` does not take it for a damaged file)."""


def too_long(limits: ReportLimits = REPORT_LIMITS) -> str:
    return (f"读取用时超过 {limits.seconds:g} 秒的上限，已停止：文件过于复杂，不像是一份年度报告，或是恶意构造的；"
            "请核实来源，或另存为纯文本（.txt）后再导入")


@contextmanager
def time_limit(limits: ReportLimits = REPORT_LIMITS):
    """Reading within `limits.seconds`, else RefusedFile.  A timer interrupts where the platform has
    one (SIGALRM, in the main thread); elsewhere `Deadline.check` between pages is the limit.  An
    outer timer that is due sooner (the fuzz test's) is left alone, and restored afterwards."""
    deadline = Deadline(time.monotonic() + limits.seconds, limits)
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    outer = signal.getitimer(signal.ITIMER_REAL) if usable else (0.0, 0.0)
    if not usable or (outer[0] and outer[0] <= limits.seconds):
        yield deadline
        return

    def alarm(signum, frame):
        raise _Alarm()

    previous = signal.signal(signal.SIGALRM, alarm)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, limits.seconds)
    try:
        yield deadline
    except _Alarm:
        raise RefusedFile(too_long(limits)) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer[0]:
            signal.setitimer(signal.ITIMER_REAL, max(outer[0] - (time.monotonic() - started), 0.001), outer[1])


@dataclass(frozen=True)
class Deadline:
    at: float
    limits: ReportLimits

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise RefusedFile(too_long(self.limits))
