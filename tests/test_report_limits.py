"""Published reports under limits, as workbooks are (issue 11, part 9): each worst input made for real
here, run through `xxgk import`, refused early with the limit it broke — exit code, message, the input
byte-identical, no workbook written.  Figures of time and memory: benchmarks/big_inputs.py."""
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from big_inputs import MIB, long_text_workbook, pdf_bomb, pdf_of, pdf_with_content
from toolkit.io.intake import RefusedFile
from toolkit.io.published.export import export_bytes
from toolkit.io.published.limits import REPORT_LIMITS, ReportLimits, check_pdf, time_limit
from toolkit.io.published.text import read_lines
from toolkit.app.samples import plausible_report, zequ_2022
from toolkit.io.workbook.template import template_bytes
from toolkit.io.workbook.xlsx import CELL_CHARACTERS

XXGK = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
TITLE = "泽曲镇2022年政府信息公开工作年度报告\n一、总体情况\n"


def imported(tmp_path, path: Path):
    """`xxgk import path`: (exit code, what it said); the input unchanged, no workbook written."""
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    out = tmp_path / "导入"
    started = time.monotonic()
    done = subprocess.run([XXGK, "import", str(path), "-o", str(out)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "COLUMNS": "400", "NO_COLOR": "1"})
    output = done.stdout + done.stderr
    assert time.monotonic() - started < 30, output  # a refusal, not a run to the end
    assert "Traceback" not in output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not out.exists() or not any(out.iterdir())
    return done.returncode, output


def test_pdf_bomb_whose_content_inflates_to_2_gib_is_refused_by_its_ratio(tmp_path):
    path = tmp_path / "年报.pdf"
    path.write_bytes(pdf_bomb(2048 * MIB))  # 2 MB: a valid zlib stream of 2 GiB of spaces
    assert path.stat().st_size < 3 * MIB
    code, output = imported(tmp_path, path)
    assert code == 2, output
    assert "年报.pdf" in output and "压缩比异常" in output and "压缩炸弹" in output, output


def test_pdf_streams_beyond_the_total_inflated_size_are_refused(tmp_path):
    # each stream at an ordinary ratio, together beyond the limit: random digits deflate about 2:1
    digits = b"".join(b"%d " % n for n in range(400_000))
    limits = ReportLimits(inflated=len(digits) * 2)
    packed = zlib.compress(digits, 9)
    data = pdf_with_content(packed)
    check_pdf(data, limits)  # one such stream is under the limit
    another = b"5 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream\nendobj\n" % (len(packed), packed)
    with pytest.raises(RefusedFile, match="PDF 解压后的内容超过"):
        check_pdf(data + another * 2, limits)


def test_pdf_of_more_pages_than_a_report_has_is_refused(tmp_path):
    pages = REPORT_LIMITS.pages + 1
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages)]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>"] * pages
    out = pdf_of(objects)
    path = tmp_path / "很多页.pdf"
    path.write_bytes(bytes(out))
    code, output = imported(tmp_path, path)
    assert code == 2 and f"PDF 有 {pages} 页，超过 {REPORT_LIMITS.pages} 页的上限" in output, output


def test_200_mb_one_line_text_file_is_refused_by_its_size_before_it_is_read(tmp_path):
    path = tmp_path / "年报.txt"
    with open(path, "wb") as fh:  # a title, then 200 MB of one line (sparse: nothing to write)
        fh.write(TITLE.splitlines()[0].encode())
        fh.truncate(200 * MIB)
    code, output = imported(tmp_path, path)
    assert code == 2, output
    assert f"文本文件过大（200 MB，上限 {REPORT_LIMITS.text_bytes // MIB}.0 MB）" in output, output


def test_text_of_more_characters_than_a_report_has_is_refused(tmp_path):
    path = tmp_path / "年报.txt"
    path.write_text(TITLE + "公开" * (REPORT_LIMITS.characters // 2 + 1), encoding="utf-8")  # under 4 MB
    code, output = imported(tmp_path, path)
    assert code == 2 and f"超过 {REPORT_LIMITS.characters:,} 字的上限" in output and "不像是一份年度报告" in output, output


def test_web_page_beyond_its_size_is_refused(tmp_path):
    path = tmp_path / "年报.html"
    path.write_bytes(b"<html><body><p>" + TITLE.encode() + b"</p>" + b"<p>x</p>" * (REPORT_LIMITS.html_bytes // 8)
                     + b"</body></html>")
    code, output = imported(tmp_path, path)
    assert code == 2 and "网页文件过大" in output, output


def test_word_file_whose_text_parts_unpack_beyond_the_limit_is_refused(tmp_path):
    docx = export_bytes(zequ_2022(), "docx")
    padding = b"".join(b"<w:p><w:r><w:t>%d</w:t></w:r></w:p>" % n for n in range(600_000))  # about 20 MB
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + padding, 1)
            target.writestr(info, data)
    path = tmp_path / "年报.docx"
    path.write_bytes(out.getvalue())
    code, output = imported(tmp_path, path)
    assert code == 2 and f"超过 {REPORT_LIMITS.docx_xml_bytes // MIB} MB 的上限" in output, output


def test_reading_beyond_the_time_limit_is_stopped_and_an_outer_timer_is_kept():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 5.0)  # an outer timer due later (as the fuzz test's)
        with pytest.raises(RefusedFile, match="读取用时超过 0.2 秒的上限"):
            with time_limit(ReportLimits(seconds=0.2)):
                time.sleep(3)
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 3.5 < remaining <= 5.0 and not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_an_ordinary_pdf_and_text_are_read_within_the_limits(tmp_path):
    page = b"BT /F1 12 Tf 72 720 Td (Annual report 2022) Tj ET\n" * 2000  # 100 KB of ordinary content
    data = pdf_with_content(zlib.compress(page))
    check_pdf(data)
    path = tmp_path / "zequ.txt"
    shutil.copy(Path(__file__).parent / "fixtures" / "published" / "zequ-town-2022-published.txt", path)
    assert read_lines(path)


def test_workbook_cells_beyond_excels_32767_characters_are_refused_by_check_and_consolidate(tmp_path):
    sent = tmp_path / "回收"
    sent.mkdir()
    (sent / "长文字.xlsx").write_bytes(long_text_workbook(CELL_CHARACTERS + 1))
    (sent / "最长.xlsx").write_bytes(long_text_workbook(CELL_CHARACTERS))  # as long as Excel allows: read
    (sent / "西山乡.xlsx").write_bytes(template_bytes(report=plausible_report("西山乡", "乡镇", 2022, "2021", seed=2)))
    before = {p.name: p.read_bytes() for p in sent.iterdir()}
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}
    check = subprocess.run([XXGK, "check", str(sent / "长文字.xlsx")], capture_output=True, text=True, env=env)
    said = check.stdout + check.stderr
    assert check.returncode == 2 and "长文字.xlsx" in said and f"超过 Excel 单元格最多 {CELL_CHARACTERS:,} 个字符" in said
    longest = subprocess.run([XXGK, "check", str(sent / "最长.xlsx")], capture_output=True, text=True, env=env)
    assert longest.returncode == 1 and "Traceback" not in longest.stderr  # its figure cell holds text
    out = tmp_path / "汇总.xlsx"
    done = subprocess.run([XXGK, "consolidate", str(sent), "--year", "2022", "--unit", "某县", "-o", str(out),
                           "--jobs", "1"], capture_output=True, text=True, env=env)
    said = done.stdout + done.stderr
    assert done.returncode == 1 and "共 3 个文件 = 汇总 1 个 + 未汇总 2 个" in said, said
    assert f"超过 Excel 单元格最多 {CELL_CHARACTERS:,} 个字符" in said and "Traceback" not in said
    assert {p.name: p.read_bytes() for p in sent.iterdir()} == before
