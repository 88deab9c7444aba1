"""The MS-OVBA writer: compression against oletools' decompressor, the compound file against
olefile's strict parser, and the project's streams against the vbaProject.bin inside xlwings' own
quickstart_standalone.xlsm (a file Excel opens), stream by stream and record by record."""
import os
import random
import re
import struct
import zipfile
from io import BytesIO
from pathlib import Path

import olefile
import pytest
import xlwings
from oletools.olevba import VBA_Project, decompress_stream

from toolkit.io.vba.cfb import NOSTREAM, Storage, write_compound_file
from toolkit.io.vba.compression import CHUNK, DecompressionError, compress, decompress
from toolkit.io.vba.project import (CLASS, DOCUMENT, MODULE, VBA_PROJECT_STREAM, WORKBOOK_BASE, WORKSHEET_BASE,
                                 Module, dir_stream, document_module, vba_project)
from toolkit.io.workbook.macro_workbook import MACROS_DIR

XLWINGS_DIR = Path(xlwings.__file__).parent
QUICKSTART = XLWINGS_DIR / "quickstart_standalone.xlsm"


def _quickstart_ole() -> olefile.OleFileIO:
    with zipfile.ZipFile(QUICKSTART) as z:
        return olefile.OleFileIO(z.read("xl/vbaProject.bin"))


def _oletools_decompress(data: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(data)))


# --- compression ---------------------------------------------------------------------------------

def _samples():
    rng = random.Random(7)
    noise = bytes(rng.randrange(256) for _ in range(3 * CHUNK + 17))
    return {
        "empty": b"",
        "one byte": b"x",
        "xlwings.bas (46 KB, 12 chunks)": (MACROS_DIR / "xlwings.bas").read_bytes(),
        "Dictionary.cls": (MACROS_DIR / "Dictionary.cls").read_bytes(),
        "exactly one chunk": (b"Sub A()\r\n    x = 1\r\nEnd Sub\r\n" * 200)[:CHUNK],
        "one chunk and a byte": (b"abcdefgh" * 600)[:CHUNK + 1],
        "one long run": b"a" * 20000,
        "incompressible (raw chunks)": noise,
        "text then noise": b"Attribute VB_Name = \"M\"\r\n" * 300 + noise[:5000],
    }


@pytest.mark.parametrize("name", list(_samples()))
def test_compression_round_trips_and_oletools_reads_it(name):
    data = _samples()[name]
    packed = compress(data)
    assert decompress(packed) == data
    assert _oletools_decompress(packed) == data


def test_long_modules_compress_and_chunks_stay_in_bounds():
    data = (MACROS_DIR / "xlwings.bas").read_bytes()
    packed = compress(data)
    assert len(packed) < len(data) / 2
    position, chunks = 1, 0
    while position < len(packed):
        header = int.from_bytes(packed[position:position + 2], "little")
        assert (header >> 12) & 0b111 == 0b011
        position += (header & 0x0FFF) + 3
        chunks += 1
    assert position == len(packed) and chunks == -(-len(data) // CHUNK)


def test_decompression_of_xlwings_own_module_streams():
    ole = _quickstart_ole()
    source = _oletools_decompress(ole.openstream("VBA/xlwings").read())
    assert decompress(ole.openstream("VBA/xlwings").read()) == source
    assert decompress(ole.openstream("VBA/dir").read()) == _oletools_decompress(ole.openstream("VBA/dir").read())


def test_decompression_refuses_garbage():
    with pytest.raises(DecompressionError):
        decompress(b"\x02abc")
    with pytest.raises(DecompressionError):
        decompress(b"\x01\x00\x00")


# --- compound file -------------------------------------------------------------------------------

def _red_black_ok(ole: olefile.OleFileIO, root_sid: int) -> bool:
    """Every path from a storage's child tree root to a leaf has the same number of black nodes,
    no red node has a red child, the root is black, and siblings are ordered as MS-CFB requires."""
    entries = ole.direntries

    def key(sid):
        name = entries[sid].name
        return len(name), name.upper()

    def walk(sid, low, high):
        if sid == NOSTREAM:
            return 1
        e = entries[sid]
        assert (low is None or key(low) < key(sid)) and (high is None or key(sid) < key(high))
        if e.color == 0:  # red
            for child in (e.sid_left, e.sid_right):
                assert child == NOSTREAM or entries[child].color == 1
        left, right = walk(e.sid_left, low, sid), walk(e.sid_right, sid, high)
        assert left == right
        return left + (e.color == 1)

    child = entries[root_sid].sid_child
    assert child == NOSTREAM or entries[child].color == 1
    walk(child, None, None)
    return True


@pytest.mark.parametrize("count", [1, 2, 3, 6, 12, 40])
def test_compound_file_parses_strictly_with_a_valid_sibling_tree(count):
    rng = random.Random(count)
    inner = Storage({f"Stream{i}": os.urandom(rng.choice([0, 5, 63, 64, 65, 4095, 4096, 9000])) for i in range(count)})
    root = Storage({"PROJECT": b"p" * 600, "VBA": inner, "PROJECTwm": b"w" * 100})
    data = write_compound_file(root)
    ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT)
    for name, content in inner.entries.items():
        assert ole.openstream(f"VBA/{name}").read() == content
    assert ole.openstream("PROJECT").read() == b"p" * 600
    for sid, entry in enumerate(ole.direntries):
        if entry is not None and entry.entry_type in (olefile.STGTY_ROOT, olefile.STGTY_STORAGE):
            assert _red_black_ok(ole, sid)
    assert write_compound_file(root) == data


def test_compound_file_with_more_fat_sectors_than_the_header_holds():
    streams = {f"s{i}": bytes([i % 251]) * 5000 for i in range(1500)}  # > 109 FAT sectors: DIFAT needed
    data = write_compound_file(Storage(streams))
    assert struct.unpack("<I", data[0x48:0x4C])[0] >= 1  # DIFAT sectors
    ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT)
    assert all(ole.openstream(f"s{i}").read() == streams[f"s{i}"] for i in range(0, 1500, 97))


# --- the project, compared with xlwings' quickstart_standalone.xlsm ---------------------------------

def _records(dir_data: bytes) -> list[tuple[int, bytes]]:
    out, position = [], 0
    while position < len(dir_data):
        record_id, size = struct.unpack("<HI", dir_data[position:position + 6])
        if record_id == 0x0009:  # PROJECTVERSION: its size field is a reserved 4, then 6 bytes
            size = 6
        out.append((record_id, dir_data[position + 6:position + 6 + size]))
        position += 6 + size
    return out


REFERENCE_RECORDS = {0x0016, 0x003E, 0x0033, 0x002F, 0x0030, 0x000D, 0x000E}


@pytest.fixture(scope="module")
def rebuilt():
    """xlwings' own modules written by our writer, beside xlwings' file."""
    ole = _quickstart_ole()
    modules = [m for m in _ole_modules(ole)]
    ours = olefile.OleFileIO(vba_project(modules), raise_defects=olefile.DEFECT_INCORRECT)
    return ole, ours, modules


def _ole_modules(ole):
    project = ole.openstream("PROJECT").read().decode("cp1252")
    kinds = dict((name, kind) for kind, name in re.findall(r"^(Document|Module|Class)=([^/\r\n]+)", project, re.M))
    records = _records(_oletools_decompress(ole.openstream("VBA/dir").read()))
    modules, name = [], None
    for record_id, data in records:
        if record_id == 0x0019:
            name = data.decode("cp1252")
        elif record_id == 0x0031:
            offset = struct.unpack("<I", data)[0]
            source = _oletools_decompress(ole.openstream(f"VBA/{name}").read()[offset:]).decode("cp1252")
            kind = {"Document": DOCUMENT, "Module": MODULE, "Class": CLASS}[kinds[name]]
            modules.append(Module(name, kind, source))
    return modules


def test_same_streams_as_xlwings_file(rebuilt):
    theirs, ours, _ = rebuilt
    assert sorted(ours.listdir()) == sorted(theirs.listdir())


def test_vba_project_stream_is_xlwings_source_only_header(rebuilt):
    theirs, ours, _ = rebuilt
    assert ours.openstream("VBA/_VBA_PROJECT").read() == theirs.openstream("VBA/_VBA_PROJECT").read() == VBA_PROJECT_STREAM
    assert VBA_PROJECT_STREAM[2:4] == b"\xff\xff"  # version 0xFFFF: no p-code, Office compiles from source


def test_projectwm_is_byte_for_byte_xlwings(rebuilt):
    theirs, ours, _ = rebuilt
    assert ours.openstream("PROJECTwm").read() == theirs.openstream("PROJECTwm").read()


def test_dir_records_follow_xlwings_record_by_record(rebuilt):
    theirs, ours, _ = rebuilt
    their_records = [r for r in _records(_oletools_decompress(theirs.openstream("VBA/dir").read()))
                     if r[0] not in REFERENCE_RECORDS]
    our_records = _records(_oletools_decompress(ours.openstream("VBA/dir").read()))
    assert [r for r, _ in our_records] == [r for r, _ in their_records]
    differing = {}
    for (record_id, ours_data), (_, their_data) in zip(our_records, their_records):
        if ours_data != their_data:
            differing.setdefault(record_id, 0)
            differing[record_id] += 1
    # What differs, and why: the project cookie and module cookies (ignored by readers; we write
    # 0xFFFF as EPPlus and vbamc do), the module offsets (no p-code before the source: 0), and the
    # Dictionary class's description (we keep none).
    assert set(differing) <= {0x0013, 0x002C, 0x0031, 0x001C, 0x0048}


def test_project_stream_matches_xlwings_line_by_line(rebuilt):
    theirs, ours, _ = rebuilt
    their_lines = theirs.openstream("PROJECT").read().decode("cp1252").split("\r\n")
    our_lines = ours.openstream("PROJECT").read().decode("cp1252").split("\r\n")
    assert len(our_lines) == len(their_lines)
    for mine, theirs_line in zip(our_lines, their_lines):
        key = mine.split("=", 1)[0]
        assert key == theirs_line.split("=", 1)[0]
        if key not in ("ID", "CMG", "DPB", "GC") and not theirs_line.startswith(("Module1=", "xlwings=")):
            assert mine == theirs_line  # their workspace keeps window positions of two modules


def test_module_streams_hold_exactly_the_sources(rebuilt):
    _, ours, modules = rebuilt
    for module in modules:
        assert _oletools_decompress(ours.openstream(f"VBA/{module.name}").read()) == module.source.encode("cp1252")


def test_oletools_parses_the_rebuilt_project_strictly(rebuilt):
    _, ours, modules = rebuilt
    project = VBA_Project(ours, "", "PROJECT", "VBA/dir", relaxed=False)
    parsed = list(project.parse_modules())  # (stream path, file name, source) per module
    assert [path for path, _, _ in parsed] == [f"VBA/{m.name}" for m in modules]
    assert [code for _, _, code in parsed] == [m.source for m in modules]


def test_the_same_sources_give_the_same_bytes():
    modules = [document_module("ThisWorkbook", WORKBOOK_BASE), document_module("Sheet1", WORKSHEET_BASE),
               Module("XxgkButtons", MODULE, (MACROS_DIR / "XxgkButtons.bas").read_bytes().decode("cp1252"))]
    first = vba_project(modules)
    assert vba_project(list(modules)) == first
    changed = modules[:2] + [Module("XxgkButtons", MODULE, modules[2].source + "' changed\r\n")]
    assert vba_project(changed) != first


def test_document_modules_are_written_as_excel_writes_them(rebuilt):
    _, _, modules = rebuilt
    theirs = {m.name: m.source for m in modules}
    assert document_module("ThisWorkbook", WORKBOOK_BASE).source == theirs["ThisWorkbook"]
    assert document_module("Sheet1", WORKSHEET_BASE).source == theirs["Sheet1"]


def test_dir_stream_declares_a_source_only_project():
    modules = [document_module("ThisWorkbook", WORKBOOK_BASE),
               Module("M", MODULE, 'Attribute VB_Name = "M"\r\n')]
    records = dict(_records(dir_stream(modules)))
    assert struct.unpack("<H", records[0x0003])[0] == 1252
    assert struct.unpack("<I", records[0x0031])[0] == 0
    with pytest.raises(ValueError):
        vba_project([Module("M", MODULE, "Sub A()\r\nEnd Sub\r\n")])


def test_workbook_project_parses_and_decodes(tmp_path):
    """The built workbook's project, parsed strictly by oletools (also in tests/test_xlsm.py)."""
    from toolkit.io.workbook.macro_workbook import vba_project_bin

    ole = olefile.OleFileIO(BytesIO(vba_project_bin(8)), raise_defects=olefile.DEFECT_INCORRECT)
    names = [path.split("/")[-1] for path, _, _ in VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False).parse_modules()]
    assert names == ["ThisWorkbook", *[f"Sheet{i}" for i in range(1, 9)], "XxgkButtons", "xlwings", "Dictionary"]
