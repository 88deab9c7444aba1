"""The text parts themselves, always 提示 (the data: `[text_checks]` of toolkit/core/formats/*.toml).

- `heading_findings`: where a report is imported as published, the six parts' headings as printed —
  numbering and wording against the format's, their order, a part missing, and sub-headings of one
  part numbered in two ways (（一） then （2）);
- `content_findings`: 五 empty, "无" or too short; 六 without the 信息处理费 statement, or saying none
  was charged while table 三 counts requests dropped for an unpaid 收费通知 (2021 format);
- `repetition`: the share of this year's text in sentences last year's report has too (重复率).

Pure: works on a Report, the format, and (for headings) the importer's `Line`s.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from toolkit.core.formats import Format, load_toml, get_format
from toolkit.core.model import Finding, Report
from toolkit.core.labels import heading_score, width_normal

_CN = "一二三四五六"
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")  # a sentence with its end mark, as printed
_SUB = re.compile(r"^[(（]\s*([一二三四五六七八九十]+|\d+)\s*[)）]")


@cache
def settings(version: str) -> dict:
    return load_toml(f"{version}.toml").get("text_checks", {})


def _plain(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text or ""))


# --- headings, at import -------------------------------------------------------------------------

def heading_findings(fmt: Format, lines, start: int = 0) -> list[Finding]:
    """The parts' headings as printed in the lines after `start` (the title)."""
    s = settings(fmt.version).get("headings")
    if not s:
        return []
    sev = s["severity"]
    order = "、".join(p.heading for p in fmt.parts)
    found: dict[int, tuple[int, str]] = {}  # part -> (line index, heading as printed)
    for k, part in enumerate(fmt.parts):
        best, best_score = None, 0.0
        for i in range(start, len(lines)):
            line = lines[i]
            score = None if line.row else heading_score(width_normal(line.text), part.heading, k + 1)
            if score is None:
                continue
            if score > best_score:
                best, best_score = i, score
        if best is not None:
            found[k] = (best, lines[best].text.strip())
    out = []
    for k, part in enumerate(fmt.parts):
        if k not in found:
            out.append(Finding(s["code_missing"], sev, s["missing"].format(official=part.heading, order=order),
                               reported=part.heading))
            continue
        printed = found[k][1]
        names = dict(part=_CN[k], heading=printed, official=part.heading)
        if width_normal(printed) == width_normal(part.heading):
            continue
        if not width_normal(printed).startswith(part.heading[:2]):
            out.append(Finding(s["code_heading"], sev, s["numbering"].format(**names), reported=printed))
        else:
            out.append(Finding(s["code_heading"], sev, s["wording"].format(**names), reported=printed))
    placed = sorted(found.items(), key=lambda kv: kv[1][0])  # in the order printed
    for a, (k, (_, printed)) in enumerate(placed):
        later_official = [j for j, _ in placed[a + 1:] if j < k]
        if later_official:
            before = found[min(later_official)][1]
            out.append(Finding(s["code_order"], sev, s["order"].format(heading=printed, before=before, order=order),
                               reported=printed))
    out += _subheadings(fmt, lines, found, s)
    return out


def _subheadings(fmt: Format, lines, found: dict, s: dict) -> list[Finding]:
    """Sub-headings （一） （2） of one text part written in two styles: the later style is named."""
    out = []
    bounds = sorted(i for i, _ in found.values()) + [len(lines)]
    for k, (at, _) in found.items():
        if not fmt.parts[k].text:
            continue
        end = next(b for b in bounds if b > at)
        first = None
        for line in lines[at + 1:end]:
            text = line.text.strip()
            m = None if line.row else _SUB.match(unicodedata.normalize("NFKC", text))
            if not m or len(text) > 40:
                continue
            style = m.group(1).isdigit()
            if first is None:
                first = (style, text)
            elif style != first[0]:
                out.append(Finding(s["code_subheading"], s["severity"], s["subheading"].format(
                    official=fmt.parts[k].heading, heading=text, first=first[1]), reported=text))
    return out


# --- contents of 五 and 六 ------------------------------------------------------------------------

def text_findings(report: Report) -> list[Finding]:
    """What `xxgk check` and `xxgk import` add to the rules' findings: the contents of 五 and 六."""
    from toolkit.core.rules import Values

    fmt = get_format(report.format)
    return content_findings(report, fmt, Values(fmt, report.values))


def content_findings(report: Report, fmt: Format, values) -> list[Finding]:
    """五 and 六, once any text part is filled (an unfilled template is not judged here)."""
    s = settings(fmt.version)
    if not any((report.texts.get(p.text) or "").strip() for p in fmt.text_parts):
        return []
    out = []
    p = s.get("problems")
    if p:
        text = (report.texts.get(p["part"]) or "").strip()
        plain = _plain(text)
        if not plain:
            out.append(Finding(p["code"], p["severity"], p["empty"]))
        elif plain in {_plain(w) for w in p["nothing"]}:
            out.append(Finding(p["code"], p["severity"], p["says_nothing"].format(text=text), reported=text))
        elif len(plain) < p["minimum"]:
            out.append(Finding(p["code"], p["severity"], p["too_short"].format(
                text=text, length=len(plain), minimum=p["minimum"]), reported=text))
    f = s.get("fees")
    if f:
        text = unicodedata.normalize("NFKC", report.texts.get(f["part"]) or "")
        if not any(w in text for w in f["mentions"]):
            out.append(Finding(f["code"], f["severity"], f["missing"]))
        else:
            quote = next((m.group(0) for pat in f["none"] for m in [re.search(pat, text)] if m), None)
            for cells in f["charged"]:
                charged = sum(values[c] for c in cells)
                if quote and charged > 0:
                    label = "、".join(fmt.cells[c].label for c in cells)
                    out.append(Finding(f["code"], f["severity"], f["contradicted"].format(
                        quote=quote, cells_label=label, computed=charged), tuple(cells), quote, charged))
    return out


# --- 重复率 ---------------------------------------------------------------------------------------

@dataclass
class Repetition:
    rate: float  # 0..1
    passages: list[str]  # the repeated passages, cut
    line: str  # the run's output line: the rate as a percentage
    finding: Finding | None  # 提示 above the threshold


def percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def _sentences(report: Report, fmt: Format) -> list[str]:
    out = []
    for part in fmt.text_parts:
        out += [t.strip() for t in _SENTENCE.findall(report.texts.get(part.text) or "")]
    return [t for t in out if t]


def _key(sentence: str) -> str:
    return re.sub(r"\d+", "#", _plain(sentence))


def repetition(report: Report, previous: Report, previous_name: str = "") -> Repetition:
    fmt = get_format(report.format)
    s = settings(fmt.version)["repeat"]
    last = {_key(t) for t in _sentences(previous, get_format(previous.format))}
    total = repeated = 0
    runs: list[list[str]] = []
    carry = False
    for sentence in _sentences(report, fmt):
        key = _key(sentence)
        if len(key) < s["sentence_minimum"]:
            carry = False
            continue
        total += len(key)
        if key in last:
            repeated += len(key)
            if carry:
                runs[-1].append(sentence)
            else:
                runs.append([sentence])
            carry = True
        else:
            carry = False
    rate = repeated / total if total else 0.0
    passages = [_cut("".join(r), s["passage_length"]) for r in runs]
    line = s["rate"].format(previous=previous_name or previous.unit, rate=percent(rate))
    finding = None
    if rate > s["threshold"]:
        shown = passages[: s["passages"]]
        listed = "；".join(f"“{p}”" for p in shown) + (f"等{len(passages)}段" if len(passages) > len(shown) else "")
        finding = Finding(s["code"], s["severity"], s["message"].format(
            rate=percent(rate), threshold=percent(s["threshold"]), passages=listed), reported=percent(rate))
    return Repetition(rate, passages, line, finding)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
