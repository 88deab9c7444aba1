"""A writer of Compound File Binary files (MS-CFB, version 3, 512-byte sectors), the container of a
VBA project (`vbaProject.bin`).

Only what a VBA project needs: a root storage holding streams and storages, one level of nesting
or more.  Streams under 4096 bytes live in the mini stream (64-byte mini sectors), larger ones in
sectors of their own.  The file is laid out as: header, big streams, the mini stream, the mini FAT,
the directory, the FAT (and DIFAT sectors if the FAT outgrows the header's 109 slots).  Siblings in
a storage form a binary search tree ordered as MS-CFB §2.6.4 requires (shorter names first, then by
upper-cased UTF-16 code units), balanced and coloured so it is a valid red-black tree.  Timestamps
and CLSIDs are zero, so the same content always gives the same bytes.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
DIFSECT = 0xFFFFFFFC
NOSTREAM = 0xFFFFFFFF
_IDS_PER_SECTOR = SECTOR // 4
_HEADER_DIFAT = 109
_RED, _BLACK = 0, 1
_STORAGE, _STREAM, _ROOT = 1, 2, 5


@dataclass
class Storage:
    """A storage: named streams (bytes) and sub-storages."""

    entries: dict[str, "bytes | Storage"] = field(default_factory=dict)


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list["_Entry"] = field(default_factory=list)
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN
    index: int = 0


def _sort_key(name: str):
    encoded = name.upper().encode("utf-16-le")
    return len(name), [int.from_bytes(encoded[i:i + 2], "little") for i in range(0, len(encoded), 2)]


def _check_name(name: str) -> None:
    if not name or len(name) > 31 or any(c in name for c in "/\\:!"):
        raise ValueError(f"invalid compound file entry name {name!r}")


def _tree(entries: list[_Entry], depth: int, height: int) -> int:
    """Link sorted siblings into a balanced tree; returns the root's index.  Nodes on the deepest
    level of an incomplete tree are red, all others black: every path has the same black count."""
    if not entries:
        return NOSTREAM
    middle = len(entries) // 2
    node = entries[middle]
    node.left = _tree(entries[:middle], depth + 1, height)
    node.right = _tree(entries[middle + 1:], depth + 1, height)
    node.color = _RED if depth == height and depth > 0 else _BLACK
    return node.index


def _height(count: int) -> int:
    """Depth of the deepest node of the median-split tree of `count` nodes (root at 0)."""
    depth = -1
    while count:
        count //= 2
        depth += 1
    return depth


def _complete(count: int) -> bool:
    return (count + 1) & count == 0


def _chain(start: int, count: int, table: list[int]) -> None:
    for i in range(count):
        table[start + i] = start + i + 1 if i < count - 1 else ENDOFCHAIN


def _sectors(size: int, unit: int) -> int:
    return (size + unit - 1) // unit


def write_compound_file(root: Storage) -> bytes:
    """The bytes of a compound file holding `root`'s streams and storages."""
    entries: list[_Entry] = []

    def add(name: str, content) -> _Entry:
        _check_name(name)
        if isinstance(content, Storage):
            entry = _Entry(name, _STORAGE)
            entry.index = len(entries)
            entries.append(entry)
            entry.children = [add(n, c) for n, c in content.entries.items()]
        else:
            entry = _Entry(name, _STREAM, bytes(content))
            entry.index = len(entries)
            entries.append(entry)
        return entry

    root_entry = _Entry("Root Entry", _ROOT)
    entries.append(root_entry)
    root_entry.children = [add(n, c) for n, c in root.entries.items()]
    for entry in entries:
        siblings = sorted(entry.children, key=lambda e: _sort_key(e.name))
        names = [_sort_key(e.name) for e in siblings]
        if len(set(map(str, names))) != len(names):
            raise ValueError(f"duplicate names in storage {entry.name!r}")
        height = _height(len(siblings))
        entry.child = _tree(siblings, 0, height if not _complete(len(siblings)) else -1)

    # mini stream: every small stream, in directory order
    mini = bytearray()
    mini_fat: list[int] = []
    big: list[_Entry] = []
    for entry in entries:
        if entry.kind != _STREAM:
            continue
        if len(entry.data) < MINI_CUTOFF:
            if not entry.data:
                continue  # an empty stream has no sectors
            count = _sectors(len(entry.data), MINI_SECTOR)
            entry.start = len(mini_fat)
            mini_fat.extend([0] * count)
            _chain(entry.start, count, mini_fat)
            mini += entry.data.ljust(count * MINI_SECTOR, b"\x00")
        else:
            big.append(entry)

    # sector plan: big streams, mini stream, mini FAT, directory, then FAT (+ DIFAT)
    plan: list[tuple[str, object, int]] = []  # (what, entry, sector count)
    for entry in big:
        plan.append(("stream", entry, _sectors(len(entry.data), SECTOR)))
    mini_sectors = _sectors(len(mini), SECTOR)
    mini_fat_sectors = _sectors(len(mini_fat) * 4, SECTOR)
    dir_sectors = _sectors(len(entries) * 128, SECTOR)
    data_sectors = sum(n for _, _, n in plan) + mini_sectors + mini_fat_sectors + dir_sectors
    fat_sectors, difat_sectors = 1, 0
    while True:  # the FAT must also map its own sectors and the DIFAT's
        total = data_sectors + fat_sectors + difat_sectors
        need_fat = _sectors(total, _IDS_PER_SECTOR)
        need_difat = _sectors(max(need_fat - _HEADER_DIFAT, 0), _IDS_PER_SECTOR - 1)
        if (need_fat, need_difat) == (fat_sectors, difat_sectors):
            break
        fat_sectors, difat_sectors = need_fat, need_difat
    total = data_sectors + fat_sectors + difat_sectors
    fat = [FREESECT] * (fat_sectors * _IDS_PER_SECTOR)

    body = bytearray()
    sector = 0
    for _, entry, count in plan:
        entry.start = sector
        _chain(sector, count, fat)
        body += entry.data.ljust(count * SECTOR, b"\x00")
        sector += count
    mini_start = sector if mini_sectors else ENDOFCHAIN
    if mini_sectors:
        _chain(sector, mini_sectors, fat)
        body += bytes(mini).ljust(mini_sectors * SECTOR, b"\x00")
        sector += mini_sectors
    mini_fat_start = sector if mini_fat_sectors else ENDOFCHAIN
    if mini_fat_sectors:
        _chain(sector, mini_fat_sectors, fat)
        body += struct.pack(f"<{len(mini_fat)}I", *mini_fat).ljust(mini_fat_sectors * SECTOR, b"\xff")
        sector += mini_fat_sectors
    dir_start = sector
    _chain(sector, dir_sectors, fat)
    root_entry.start = mini_start
    body += b"".join(_directory_entry(e, len(mini)) for e in entries)
    body += _unused_entries(dir_sectors * SECTOR // 128 - len(entries))
    sector += dir_sectors
    fat_start = sector
    fat_locations = list(range(fat_start, fat_start + fat_sectors))
    for location in fat_locations:
        fat[location] = FATSECT
    sector += fat_sectors
    difat_locations = list(range(sector, sector + difat_sectors))
    for location in difat_locations:
        fat[location] = DIFSECT
    assert sector + difat_sectors == total
    body += struct.pack(f"<{len(fat)}I", *fat)
    for i, location in enumerate(difat_locations):
        first = _HEADER_DIFAT + i * (_IDS_PER_SECTOR - 1)
        ids = fat_locations[first:first + _IDS_PER_SECTOR - 1]
        ids += [FREESECT] * (_IDS_PER_SECTOR - 1 - len(ids))
        following = difat_locations[i + 1] if i + 1 < len(difat_locations) else ENDOFCHAIN
        body += struct.pack(f"<{_IDS_PER_SECTOR}I", *ids, following)
    header_difat = fat_locations[:_HEADER_DIFAT] + [FREESECT] * (_HEADER_DIFAT - min(fat_sectors, _HEADER_DIFAT))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("D0CF11E0A1B11AE1"), bytes(16), 0x003E, 0x0003, 0xFFFE, 9, 6, bytes(6),
        0, fat_sectors, dir_start, 0, MINI_CUTOFF, mini_fat_start, mini_fat_sectors,
        difat_locations[0] if difat_locations else ENDOFCHAIN, difat_sectors,
    ) + struct.pack(f"<{_HEADER_DIFAT}I", *header_difat)
    return header + bytes(body)


def _directory_entry(entry: _Entry, mini_size: int) -> bytes:
    name = entry.name.encode("utf-16-le") + b"\x00\x00"
    size = mini_size if entry.kind == _ROOT else len(entry.data)
    start = 0 if entry.kind == _STORAGE else entry.start  # ENDOFCHAIN for an empty stream
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name, len(name), entry.kind, entry.color, entry.left, entry.right, entry.child,
        bytes(16), 0, 0, 0, start, size,
    )


def _unused_entries(count: int) -> bytes:
    unused = struct.pack("<64sHBBIII16sIQQIQ", bytes(64), 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM,
                         bytes(16), 0, 0, 0, 0, 0)
    return unused * count
