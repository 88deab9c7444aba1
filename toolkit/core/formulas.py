"""The spreadsheet formulas of the standard workbook, built from the format's rules and the layout.

Pure text: the template builder writes these, the Excel buttons put them back into total cells that
were typed over, and the tests read them; one place makes them all.
"""
from __future__ import annotations

from toolkit.core.formats import Kind, Relation, info_id
from toolkit.core.layout import WorkbookLayout, a1


def _ranges(positions: list[tuple[int, int]], absolute: bool) -> list[str]:
    """Compact cell positions into ranges along a row or a column where they are contiguous."""
    if not positions:
        return []
    rows = {r for r, _ in positions}
    cols = {c for _, c in positions}
    if len(rows) == 1 or len(cols) == 1:
        along_row = len(rows) == 1
        ordered = sorted(positions, key=lambda p: p[1] if along_row else p[0])
        runs: list[list[tuple[int, int]]] = []
        for p in ordered:
            step = (p[1] - runs[-1][-1][1]) if along_row and runs else (p[0] - runs[-1][-1][0]) if runs else None
            if runs and step == 1:
                runs[-1].append(p)
            else:
                runs.append([p])
        return [a1(*run[0], absolute) if len(run) == 1 else f"{a1(*run[0], absolute)}:{a1(*run[-1], absolute)}"
                for run in runs]
    return [a1(r, c, absolute) for r, c in positions]


def _sum(terms, layout: WorkbookLayout, absolute: bool) -> str:
    sheet = layout.sheet_of(terms[0].cell)
    plus = [sheet.cells[t.cell] for t in terms if t.sign > 0]
    minus = [sheet.cells[t.cell] for t in terms if t.sign < 0]
    text = f"SUM({','.join(_ranges(plus, absolute))})" if plus else "0"
    if minus:
        text += f"-SUM({','.join(_ranges(minus, absolute))})"
    return text


def total_formula(relation: Relation, layout: WorkbookLayout) -> str:
    """The formula of a total cell, e.g. =SUM(D5:I5)."""
    return "=" + _sum(relation.computed, layout, absolute=False)


def total_formulas(layout: WorkbookLayout) -> dict[str, str]:
    """Every total cell's formula, by cell id."""
    return {cid: total_formula(rel, layout) for cid, rel in layout.fmt.formulas.items()}


def broken_relation_test(relation: Relation, layout: WorkbookLayout) -> str:
    """A conditional-format test, true when the relation does not hold (absolute references, so
    one rule can cover every cell it marks)."""
    reported = _sum(relation.reported, layout, absolute=True)
    computed = _sum(relation.computed, layout, absolute=True)
    return f"ROUND(({reported})-({computed}),6)<>0"


def level_rule_test(levels, cell_ref: str) -> str:
    """True when a unit of one of `levels` reports a non-zero value in the cell."""
    options = ",".join(f'{info_id("level")}="{lv}"' for lv in levels)  # the defined name of 单位层级
    return f"AND(OR({options}),N({cell_ref})>0)"


def bad_entry_test(kind: Kind, cell_ref: str) -> str:
    """True when an entry cell holds text (which the sums skip) or a number its kind refuses.

    The number tests sit behind IF(ISNUMBER(..)): spreadsheet AND/OR evaluate every argument, and
    INT() of a text is an error that would hide the mark."""
    number_checks = []
    if kind.minimum is not None:
        number_checks.append(f"{cell_ref}<{kind.minimum}")
    if kind.integer:
        number_checks.append(f"{cell_ref}<>INT({cell_ref})")
    if not number_checks:
        return f"ISTEXT({cell_ref})"
    return f"OR(ISTEXT({cell_ref}),IF(ISNUMBER({cell_ref}),OR({','.join(number_checks)}),FALSE))"
