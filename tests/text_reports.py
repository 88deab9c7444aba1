"""Published reports for the text checks (test_text_checks): a consistent 2021 report exported as
a county's web page shows it, turned into plain text, so that tests can edit its parts."""
from __future__ import annotations

from pathlib import Path

from toolkit.core.model import Report
from toolkit.io.published.export import export_bytes
from toolkit.io.published.text import read_lines
from toolkit.app.samples import plausible_report

UNIT, YEAR = "青山镇", 2025

OVERVIEW = ("{year}年，{unit}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》。\n"
            "（一）主动公开。围绕群众关切，及时公开政策文件、财政预决算和重点项目信息。\n"
            "（二）依申请公开。规范受理、办理、答复流程，做到依法按时答复。\n"
            "（三）政府信息管理。严格执行公开前保密审查制度，确保信息安全。\n"
            "（四）平台建设。持续优化政府网站信息公开专栏，栏目设置更加清晰。")
PROBLEMS = ("{year}年工作中还存在一些不足：一是公开内容不够全面，部分领域信息更新不及时；二是工作人员业务能力有待提升。"
            "下一步，我镇将加强业务培训，完善信息发布审核机制，推动公开工作提质增效。")
OTHER = "本年度未收取信息处理费。"


def consistent_report(year: int = YEAR, previous: Report | None = None, **texts) -> Report:
    """A report whose tables agree, with texts that say enough; `texts` replaces parts' texts.
    No request is dropped for an unpaid fee (table 三 三（六）2 is 0): 六 says no fee was charged."""
    report = plausible_report(UNIT, "乡镇", year, "2021", previous=previous)
    for cid in [c for c in report.values if c.startswith("t3.result.other.overdue_fee.")]:
        col = cid.rsplit(".", 1)[1]
        report.values[f"t3.result.open.{col}"] += report.values.pop(cid)
        report.values[cid] = 0
    report.texts = {"overview": OVERVIEW.format(year=year, unit=UNIT), "problems": PROBLEMS.format(year=year),
                    "other": OTHER}
    report.texts.update(texts)
    return report


def published_text(report: Report, folder: Path) -> str:
    """The report as its web page reads, as plain text: paragraphs, and table rows as |a|b|."""
    page = folder / "页面.html"
    page.write_bytes(export_bytes(report, "html"))
    out = []
    for line in read_lines(page):
        cells = [c.replace("\n", "").replace("|", "") for c in line.cells]
        out.append("|" + "|".join(cells) + "|" if line.row else cells[0])
    page.unlink()
    return "\n".join(out) + "\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{UNIT}{YEAR}年政府信息公开工作年度报告（{name}）.txt"
    path.write_text(text, encoding="utf-8")
    return path


def move_part(text: str, heading: str, before: str) -> str:
    """The part under `heading` (up to the next part heading) moved in front of the `before` heading."""
    lines = text.split("\n")
    heads = [i for i, t in enumerate(lines) if t.strip()[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")]
    start = lines.index(heading)
    end = next((i for i in heads if i > start), len(lines))
    block = lines[start:end]
    rest = lines[:start] + lines[end:]
    at = rest.index(before)
    return "\n".join(rest[:at] + block + rest[at:])


def drop_part(text: str, heading: str) -> str:
    lines = text.split("\n")
    heads = [i for i, t in enumerate(lines) if t.strip()[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")]
    start = lines.index(heading)
    end = next((i for i in heads if i > start), len(lines))
    return "\n".join(lines[:start] + lines[end:])
