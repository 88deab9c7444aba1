"""Built-in sample data: the real 泽曲镇 2022 report as published, and plausible made-up reports.

The made-up reports satisfy every relation of their format, so a demo or a benchmark shows only the
problems put there on purpose.
"""
from __future__ import annotations

import random
from importlib import resources

from toolkit.core.formats import get_format
from toolkit.core.model import Report
from toolkit.core.rules import Values, signed_sum

# Plausible shares of requests by how they were answered (the rest of table 三's result rows get 0..1).
_RESULT_WEIGHTS = {"result.open": 6, "result.partial": 2, "result.unable.not_held": 2, "result.denied.third_party": 1}


def zequ_2022() -> Report:
    """泽曲镇's 2022 report as published (2019 format): table 三 says 17 new and 8 carried-over
    requests, yet 0 handled and 0 carried forward."""
    text = resources.files(__package__).joinpath("zequ_2022.json").read_text(encoding="utf-8")
    return Report.from_json(text)


def plausible_report(unit: str, level: str, year: int, version: str = "2021", seed: int = 0,
                     previous: Report | None = None) -> Report:
    """A consistent report with made-up figures, the same for the same arguments.

    Given last year's report, it also agrees with it: 上年结转 is last year's 结转下年度继续办理,
    and the running counts (2021 现行有效件数, 2019 上一年项目数量) follow on from last year's."""
    rng = random.Random(f"{unit}|{year}|{version}|{seed}")
    fmt = get_format(version)
    last = Values(get_format(previous.format), previous.values) if previous else None
    values: dict[str, int | float] = {}
    for cid, cell in fmt.cells.items():
        if cell.total or cell.table != "t2":
            continue
        if cell.row.id == "rules":
            values[cid] = 0  # units below a city government make no 规章
        elif cell.kind == "money":
            values[cid] = round(rng.uniform(0, 80), 2)
        elif cell.kind == "signed":  # 本年增/减: never below the row's 上一年项目数量
            floor = values.get(f"t2.{cell.row.id}.previous", 3)
            values[cid] = rng.randint(-min(3, floor), 3)
        else:
            values[cid] = rng.randint(0, 40)
    t3 = fmt.table("t3")
    result_rows = [r.id for r in t3.rows if r.id.startswith("result.") and r.id != "result.total"]
    for col in (c.id for c in t3.columns if c.id != "total"):
        new = rng.randint(0, 12) if col == "natural" else rng.choice((0, 0, 0, 1, 2, 3))
        carry = last[f"t3.forward.{col}"] if last else rng.choice((0, 0, 1))
        forward = rng.randint(0, min(2, new + carry))
        handled = new + carry - forward
        counts = dict.fromkeys(result_rows, 0)
        weights = [_RESULT_WEIGHTS.get(r, 0.15) for r in result_rows]
        for row in rng.choices(result_rows, weights, k=handled):
            counts[row] += 1
        values[f"t3.new.{col}"] = new
        values[f"t3.carried.{col}"] = carry
        values[f"t3.forward.{col}"] = forward
        for row, n in counts.items():
            values[f"t3.{row}.{col}"] = n
    for cid, cell in fmt.cells.items():
        if cell.table == "t4" and not cell.total:
            values[cid] = rng.choice((0, 0, 0, 0, 1, 2))
    if last:
        _follow_on(fmt, values, last)
    return Report(unit=unit, level=level, year=year, format=version, values=values,
                  texts={"overview": f"{year}年，{unit}认真贯彻落实《中华人民共和国政府信息公开条例》，"
                         "扎实推进政府信息公开工作。（示例数据）",
                         # a model text: 五 says what is to improve, 六 reports the 信息处理费 (2021 format),
                         # so the text checks give a made-up report no hint of their own
                         "problems": "公开内容的全面性和及时性仍需提高，下一步将加强业务培训、完善工作制度，"
                                     "推动政府信息公开工作规范化。（示例数据）",
                         "other": "本年度依照《政府信息公开信息处理费管理办法》办理信息处理费事宜，情况与表三一致。（示例数据）"},
                  info={"filler": "张三", "phone": "0000-0000000", "date": f"{year + 1}-01-15"})


def _follow_on(fmt, values: dict, last: Values) -> None:
    """Make the running counts continue from last year's report, through the cross-year rules."""
    for rel in fmt.relations:
        if rel.rule.code == "Y-CARRIED" or not rel.uses_previous or len(rel.reported) != 1:
            continue
        if any(t.previous and t.cell not in last.fmt.cells for t in rel.computed):
            continue
        if signed_sum(Values(fmt, values), rel.computed, last) < 0:  # more repealed than there were: repeal none
            for t in rel.computed:
                if t.sign < 0 and not t.previous:
                    values[t.cell] = 0
        values[rel.reported[0].cell] = signed_sum(Values(fmt, values), rel.computed, last)
