"""Totals a published report printed that disagree with the sum of their parts.

`xxgk import` writes such a total into the workbook as printed (a number with a note, not the
formula), so that `xxgk check` of the workbook and the county's `xxgk consolidate` find what the
import found; every other total stays a formula.
"""
from __future__ import annotations

from toolkit.core.formats import get_format
from toolkit.core.model import Number, Report
from toolkit.core.rules import TOLERANCE, Values


def disagreeing_totals(report: Report) -> dict[str, tuple[Number, Number]]:
    """Total cells the report gives a value for that their formula would not give: cell id ->
    (reported, computed).  The formula is evaluated on the report's cells as given (a total it sums
    counts as printed), as the workbook holding the report's figures computes it; so a total not
    kept, left a formula, shows what was printed."""
    fmt = get_format(report.format)
    values = Values(fmt, report.values)
    out = {}
    for cid in fmt.formulas:
        reported = report.values.get(cid)
        if reported is None:
            continue
        computed = values.computed(cid)
        if abs(reported - computed) > TOLERANCE:
            out[cid] = (reported, computed)
    return out
