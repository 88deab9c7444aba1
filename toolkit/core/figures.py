"""A unit's figures as a Submission keeps them: packed, so that 20,000 units fit in little memory.

A consolidation keeps every accepted unit's figures until the summary is written (分单位明细 has a
row per unit).  As a tuple of some 200 Python numbers they take 1.6 KB a unit; packed (marshal, then
zlib, both of the standard library) about 150 bytes, most figures being 0 or small.  They are
unpacked when read, which the summary does a few times per unit; the last unpacked is kept, so
that reading one unit's figures one by one unpacks them once.
"""
from __future__ import annotations

import marshal
import zlib
from collections.abc import Sequence

_LAST: list = [None, ()]  # [the Figures last unpacked, its values]


class Figures(Sequence):
    """An immutable sequence of numbers and None, stored packed."""

    __slots__ = ("_packed", "_length")

    def __init__(self, values=()):
        values = tuple(values)
        self._packed = zlib.compress(marshal.dumps(values), 1)
        self._length = len(values)

    def _values(self) -> tuple:
        if _LAST[0] is not self:
            _LAST[1] = marshal.loads(zlib.decompress(self._packed))
            _LAST[0] = self
        return _LAST[1]

    def __getitem__(self, index):
        return self._values()[index]

    def __iter__(self):
        return iter(self._values())

    def __len__(self) -> int:
        return self._length

    def __eq__(self, other) -> bool:
        if isinstance(other, (Figures, tuple, list)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Figures({tuple(self)!r})"

    def __reduce__(self):  # pickled packed, as sent back from a worker process
        return _unpickle, (self._packed, self._length)


def _unpickle(packed: bytes, length: int) -> Figures:
    figures = Figures.__new__(Figures)
    figures._packed, figures._length = packed, length
    return figures
