"""The compression of MS-OVBA §2.4.1, used for the `dir` stream and the module sources of a VBA project.

A CompressedContainer is a signature byte (0x01) followed by chunks, each holding at most 4096
bytes of the input.  A chunk is a 2-byte header (size - 3 in 12 bits, signature 0b011, a flag for
"compressed") and then either token sequences (a flag byte and up to eight tokens: a literal byte,
or a 2-byte CopyToken pointing back into the same chunk) or, when that would not be smaller, the
4096 raw bytes.  The CopyToken's split between offset and length bits depends on how far into the
chunk it stands (§2.4.1.3.19.1).

Matching is greedy and takes the longest match, the nearest one among equally long ones, as the
specification's algorithm does; candidates are found through a table of 3-byte prefixes instead of
scanning the whole window, which gives the same matches much faster.
"""
from __future__ import annotations

CHUNK = 4096
_SIGNATURE = 0x01
_MIN_MATCH = 3


class DecompressionError(ValueError):
    """The bytes are not a valid CompressedContainer."""


def _copy_token_help(position: int) -> tuple[int, int]:
    """(bit count of the offset, maximum length) for a CopyToken at `position` bytes into the chunk."""
    bit_count = max((position - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _match_length(data: bytes, candidate: int, position: int, limit: int) -> int:
    """How many bytes from `candidate` equal those from `position` (at most `limit`)."""
    if data[candidate:candidate + limit] == data[position:position + limit]:
        return limit
    low, high = 0, limit  # equal for `low` bytes, not for `high`
    while high - low > 1:
        middle = (low + high) // 2
        if data[candidate:candidate + middle] == data[position:position + middle]:
            low = middle
        else:
            high = middle
    return low


def _compress_chunk(chunk: bytes) -> bytes:
    size = len(chunk)
    body = bytearray()
    prefixes: dict[bytes, list[int]] = {}
    indexed = 0  # positions below this are in `prefixes`
    position = 0
    while position < size:
        flag_at = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if position >= size:
                break
            while indexed < position:
                prefixes.setdefault(chunk[indexed:indexed + _MIN_MATCH], []).append(indexed)
                indexed += 1
            best_length, best_candidate = 0, 0
            remaining = size - position
            if position and remaining >= _MIN_MATCH:
                for candidate in reversed(prefixes.get(chunk[position:position + _MIN_MATCH], ())):
                    # only a candidate that also matches one byte further can beat the best so far
                    if best_length and (best_length >= remaining
                                        or chunk[candidate + best_length] != chunk[position + best_length]):
                        continue
                    length = _match_length(chunk, candidate, position, remaining)
                    if length > best_length:
                        best_length, best_candidate = length, candidate
                        if length == remaining:
                            break
            if best_length >= _MIN_MATCH:
                bit_count, maximum = _copy_token_help(position)
                length = min(best_length, maximum)
                offset = position - best_candidate
                token = ((offset - 1) << (16 - bit_count)) | (length - _MIN_MATCH)
                body += token.to_bytes(2, "little")
                flags |= 1 << bit
                position += length
            else:
                body.append(chunk[position])
                position += 1
        body[flag_at] = flags
    if len(body) <= CHUNK:
        return (0xB000 | (len(body) + 2 - 3)).to_bytes(2, "little") + bytes(body)
    # stored raw: always 4096 bytes (the specification pads a short last chunk with zeros)
    return (0x3000 | (CHUNK + 2 - 3)).to_bytes(2, "little") + chunk.ljust(CHUNK, b"\x00")


def compress(data: bytes) -> bytes:
    """Compress `data` into an MS-OVBA CompressedContainer."""
    out = bytearray([_SIGNATURE])
    for start in range(0, len(data), CHUNK):
        out += _compress_chunk(data[start:start + CHUNK])
    return bytes(out)


# (length mask, offset shift) of a CopyToken at each position of a decompressed chunk
_TOKEN_SPLIT = [(0xFFFF >> bits, 16 - bits) for bits in (_copy_token_help(p)[0] for p in range(CHUNK + 1))]


def _runs(flags: int) -> tuple[int, ...]:
    """A flag byte as runs: a positive n for n literal bytes, 0 for a CopyToken."""
    runs: list[int] = []
    for bit in range(8):
        if flags & (1 << bit):
            runs.append(0)
        elif runs and runs[-1] > 0:
            runs[-1] += 1
        else:
            runs.append(1)
    return tuple(runs)


_FLAG_RUNS = [_runs(flags) for flags in range(256)]


def _decompress_chunk(container: bytes, position: int, end: int) -> bytearray:
    """The bytes of one compressed chunk's token sequences, container[position:end]."""
    chunk = bytearray()
    while position < end:
        runs = _FLAG_RUNS[container[position]]
        position += 1
        for run in runs:
            if position >= end:
                break
            if run:  # literal bytes
                chunk += container[position:min(position + run, end)]
                position += run
                continue
            if position + 2 > end:
                raise DecompressionError(f"truncated copy token at byte {position}")
            token = container[position] | container[position + 1] << 8
            position += 2
            done = len(chunk)
            mask, shift = _TOKEN_SPLIT[min(done, CHUNK)]
            length = (token & mask) + _MIN_MATCH
            offset = (token >> shift) + 1
            if offset > done:
                raise DecompressionError(f"copy token points before its chunk at byte {position - 2}")
            if done + length > CHUNK:
                raise DecompressionError(f"chunk holds more than {CHUNK} bytes at byte {position - 2}")
            if offset >= length:
                chunk += chunk[done - offset:done - offset + length]
            else:  # the copy overlaps what it writes: the pattern repeats
                chunk += (chunk[done - offset:] * (length // offset + 1))[:length]
    return chunk


def decompress(container: bytes, limit: int | None = None) -> bytes:
    """The bytes an MS-OVBA CompressedContainer holds (§2.4.1.3.1).

    Read as hostile input: a chunk that would hold more than 4096 bytes, a CopyToken pointing before
    its chunk, or (with `limit`) more than `limit` bytes in all raise DecompressionError, so memory
    stays bounded whatever the container claims."""
    if not container or container[0] != _SIGNATURE:
        raise DecompressionError("not a CompressedContainer: the signature byte is not 0x01")
    out = bytearray()
    position = 1
    while position < len(container):
        if position + 2 > len(container):
            raise DecompressionError(f"truncated chunk header at byte {position}")
        header = container[position] | container[position + 1] << 8
        if (header >> 12) & 0b111 != 0b011:
            raise DecompressionError(f"bad chunk signature at byte {position}")
        end = min(position + (header & 0x0FFF) + 3, len(container))
        if header & 0x8000:
            out += _decompress_chunk(container, position + 2, end)
            position = end
        else:  # stored raw: 4096 bytes
            out += container[position + 2:position + 2 + CHUNK]
            position += 2 + CHUNK
        if limit is not None and len(out) > limit:
            raise DecompressionError(f"more than {limit} bytes")
    return bytes(out)
