"""Whether a workbook's defined names point where the cells can be.

A name follows its cell when rows or columns are inserted (or deleted) or the sheet is renamed, so
the names of one standard sheet stay together on one sheet, every cell of a standard row on one row,
every cell of a standard column in one column, rows and columns in their order.  A name that breaks
this — pointed at another sheet, at a cell far away, at another name's cell — was redirected, and
what it points at is not the figure of its cell.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import Counter

Place = tuple[str, int, int]  # (sheet, row, column)


def misplaced(found: dict[str, Place], standard: dict[str, Place]) -> dict[str, Place]:
    """The cell ids whose names (`found`: where each name points) are not where their cells are,
    each with where its cell is: the position the names of its row and column agree on, or, where
    they do not tell, its standard position (`standard`, from the layout) on that sheet."""
    out: dict[str, Place] = {}
    if found.items() <= standard.items():
        return out  # the usual case: every name where the layout puts its cell
    by_sheet: dict[str, list[str]] = {}
    for cid in found:
        by_sheet.setdefault(standard[cid][0], []).append(cid)
    for name, cids in by_sheet.items():
        sheets = Counter(found[c][0] for c in cids)
        sheet = max(sheets, key=lambda s: (sheets[s], s == name))  # a tie: the sheet of the standard name
        here = [c for c in cids if found[c][0] == sheet]
        rows = _order_kept(_agreed(_votes(here, found, standard, 1)))
        cols = _order_kept(_agreed(_votes(here, found, standard, 2)))
        for cid in cids:
            _, row, col = standard[cid]
            expected = (sheet, rows.get(row, row), cols.get(col, col))
            if found[cid] != expected or row not in rows or col not in cols:
                out[cid] = expected
    return out


def _votes(cids, found, standard, axis: int) -> dict[int, Counter]:
    """For each standard row (axis 1) or column (axis 2): how many names put it where."""
    votes: dict[int, Counter] = {}
    for cid in cids:
        votes.setdefault(standard[cid][axis], Counter())[found[cid][axis]] += 1
    return votes


def _agreed(votes: dict[int, Counter]) -> dict[int, int]:
    """Each standard row or column where most of its names put it (a tie: where it is in the layout)."""
    return {std: max(count, key=lambda at: (count[at], at == std)) for std, count in votes.items()}


def _order_kept(mapping: dict[int, int]) -> dict[int, int]:
    """The largest set of rows (or columns) still in their order: inserting and deleting keep it, so
    a row moved above or below others was not moved by an insertion (longest increasing run)."""
    keys = sorted(mapping)
    tails: list[int] = []  # tails[k]: index into keys of the smallest end of an increasing run of length k+1
    ends: list[int] = []  # mapping of those ends, for the search
    before = [-1] * len(keys)
    for i, key in enumerate(keys):
        k = bisect_left(ends, mapping[key])
        before[i] = tails[k - 1] if k else -1
        if k == len(tails):
            tails.append(i)
            ends.append(mapping[key])
        else:
            tails[k], ends[k] = i, mapping[key]
    kept, i = {}, tails[-1] if tails else -1
    while i >= 0:
        kept[keys[i]] = mapping[keys[i]]
        i = before[i]
    return kept
