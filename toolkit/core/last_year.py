"""Last year's file must be of the year before this year's: the one check and its one message
(common.toml [last_year]), for `xxgk check --previous`, `xxgk compare`, `xxgk consolidate --previous`
and the 导入上年数据 button."""
from __future__ import annotations

from toolkit.core.formats import common


def not_last_year(this_year: int | None, last_year: int | None, this_name: str, last_name: str,
                  what: str, message: str = "wrong_year", **more) -> str | None:
    """Why last year's file (`what`: report, workbook or summary) is not of the year before, or None.
    A year not known on this side cannot be judged (None); on last year's side it is named.
    `message`: the template of [last_year] (the button's says more, `more`)."""
    if this_year is None or last_year == this_year - 1:
        return None
    t = common().last_year
    return t[message].format(what=t["what"][what], kind=t["kind"][what], last_name=last_name,
                             last_year=t["no_year"] if last_year is None else last_year,
                             this_name=this_name, this_year=this_year, expected=this_year - 1, **more)
