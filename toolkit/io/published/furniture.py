"""Page furniture of reports taken from a PDF: page numbers ("- 3 -", "第3页/共8页", a bare "3") and
running headers and footers (the title or the unit's name at the top of each page), found and
dropped wherever they fall — on a line of their own, at the end of a table row, or between a row's
label and its numbers where a page break cut the row.

Text copied out of a PDF has only the patterns to go by; a PDF itself also says where each line
sits on its page (`mark_pdf_margins`, used by toolkit.io.published.text): the lines it marks as
furniture are dropped here too.  The patterns, the code and the message are in
toolkit/core/formats/page_furniture.toml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from toolkit.core.formats import load_toml
from toolkit.core.model import Finding
from toolkit.io.published.text import Line

# Full-width digits and the dashes page numbers are written with, one character for one (so a
# match in the normalised text is at the same place in the original).
_NORMAL = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                         **{c: "-" for c in "—–－―‒−"}, "\u3000": " ", "～": "~"})


@dataclass(frozen=True)
class _Rules:
    page_numbers: tuple
    page_number_parts: tuple
    gap: int
    unit_name: re.Pattern
    title: re.Pattern
    bare_number: re.Pattern
    date: re.Pattern
    pdf_margin: float
    code: str
    severity: str
    message: str


@lru_cache(maxsize=1)
def rules() -> _Rules:
    raw = load_toml("page_furniture.toml")
    return _Rules(tuple(re.compile(p) for p in raw["page_numbers"]),
                  tuple(re.compile(p) for p in raw["page_number_parts"]), int(raw["running_header_gap"]),
                  re.compile(raw["unit_name"]), re.compile(raw["title"]), re.compile(raw["bare_number"]), re.compile(raw["date"]),
                  float(raw["pdf_margin"]), raw["code"], raw["severity"], raw["message"])


def _norm(text: str) -> str:
    return text.translate(_NORMAL).strip()


def page_number(text: str) -> int | None:
    """The page number a text is, if it is nothing but one ("- 3 -", "第 3 页 共 8 页")."""
    text = _norm(text)
    for pattern in rules().page_numbers:
        m = pattern.match(text)
        if m:
            return int(m.group("n"))
    return None


def _number_part(text: str, last: int) -> tuple[str, str] | None:
    """(text without it, the page number's text) for a page number inside a line of other text,
    when its number goes on the page sequence (`last` the page number seen before)."""
    normal = text.translate(_NORMAL)
    for pattern in rules().page_number_parts:
        for m in pattern.finditer(normal):
            n = int(m.group("n") or m.group("n2")) if "n2" in pattern.groupindex else int(m.group("n"))
            if last < n <= last + 2:
                a, b = m.span("all")
                rest = (text[:a].rstrip() + " " + text[b:].lstrip()).strip()
                return rest, text[a:b]
    return None


def _only_numbers(text: str) -> bool:
    tokens = text.split()
    return bool(tokens) and all(re.fullmatch(r"[-+]?[\d.,，]+%?|[-—/无]", _norm(t)) for t in tokens)


def drop_furniture(lines: list[Line]) -> tuple[list[Line], list[str]]:
    """The lines without page furniture, and the furniture dropped (its texts, in order)."""
    dropped: list[str] = []
    out: list[Line | None] = []
    breaks: set[int] = set()  # where a page broke (a page number stood): before out[i]
    last = 0
    for line in lines:
        if line.furniture or page_number(line.text) is not None and len(line.text) < 20:
            breaks.add(len(out))
            if line.text:  # a PDF's margin line or a page number; empty: a mark where a page broke
                dropped.append(line.text)
            n = page_number(line.text)
            last = n if n is not None else last
            continue
        cells = []
        for cell in line.cells:
            parts = []
            for part in cell.split("\n"):
                n = page_number(part) if part.strip() else None
                if n is not None:
                    dropped.append(part.strip())
                    last = n
                    continue
                found = _number_part(part, last) if part.strip() else None
                if found:
                    part, what = found
                    dropped.append(what.strip())
                    breaks.add(len(out) + 1)
                    last = int(re.search(r"\d+", _norm(what)).group())
                parts.append(part)
            if len(parts) == len(cell.split("\n")) or any(p.strip() for p in parts):
                cells.append("\n".join(parts))
            elif not line.row:
                cells.append("")
        if line.row and not any(c.strip() for c in cells):
            continue
        if not line.row and line.text and not "".join(cells).strip():
            continue
        out.append(replace(line, cells=tuple(cells)))
    lines = [l for l in out if l is not None]
    headers = _running_headers(lines, breaks)
    bare = _bare_numbers(lines, headers, breaks)
    gone = headers | bare
    return [l for i, l in enumerate(lines) if i not in gone], dropped + [lines[i].text for i in sorted(gone)]


def _ends_with_number(text: str) -> bool:
    tokens = text.split()
    return bool(tokens) and _only_numbers(tokens[-1])


def _trailing_numbers(text: str) -> int:
    count = 0
    for token in reversed(text.split()):
        if not _only_numbers(token):
            break
        count += 1
    return count


def _complete(texts: list[tuple[int, str]], k: int, j: int) -> bool:
    """Whether the table row texts[j] before the bare number at texts[k] is complete without it: it
    has as many numbers as the rows around it (the one before it, the one after the bare number)."""
    have = _trailing_numbers(texts[j][1])
    around = [_trailing_numbers(texts[m][1]) for m in (j - 1, k + 1) if 0 <= m < len(texts)]
    around = [n for n in around if n]
    return bool(around) and all(n == have for n in around)


def _bare_numbers(lines: list[Line], headers: set[int], breaks: set[int]) -> set[int]:
    """Bare numbers alone on a line (indexes): between lines that are not numbers, after a line
    that does not end with a number or is a table row complete without it (never the figure that
    completes a row: its row has fewer numbers than the rows around it), and either next to a
    running header dropped or a page break (a form feed, a page number) or in a run 1, 2, 3 … (k, k+1, …) of at least two far
    enough apart to be pages."""
    r = rules()
    texts = [(i, line.text) for i, line in enumerate(lines) if not line.row and line.text]
    candidates, at_break = [], set()
    for k, (i, text) in enumerate(texts):
        if not r.bare_number.match(_norm(text)) or i in headers:
            continue
        j = next((j for j in range(k - 1, -1, -1) if texts[j][0] not in headers), -1)
        before = texts[j] if j >= 0 else (-1, "")  # the text before it, running headers aside
        after = texts[k + 1] if k + 1 < len(texts) else (-1, "")
        if _only_numbers(before[1]) or _only_numbers(after[1]) or int(_norm(text)) < 1:
            continue  # figures one a line (a table copied cell by cell)
        if _ends_with_number(before[1]) and not _complete(texts, k, j):
            continue  # it may be the figure that completes the row before it
        if j < k - 1 or after[0] in headers or {i, i + 1} & breaks:
            at_break.add(i)
        else:
            candidates.append((i, int(_norm(text))))
    best: list = []
    for start in range(len(candidates)):
        chain = [candidates[start]]
        for c in candidates[start + 1:]:
            if c[1] == chain[-1][1] + 1 and c[0] - chain[-1][0] >= r.gap:
                chain.append(c)
        if len(chain) > len(best):
            best = chain
    runs = len(best) >= 3 or len(best) == 2 and best[0][1] <= 2  # 1, 2 … or any three pages on
    return at_break | ({i for i, _ in best} if runs else set())


def _running_headers(lines: list[Line], breaks: set[int]) -> set[int]:
    """Lines (indexes) that are the report's title or a unit's name, repeated: the first time is
    kept, each later time is dropped.  A unit's name (which the report also signs with) only where
    a page number stands next to it (the first time too when it is in the title, heads the title or
    stands by page numbers twice), or when it comes three times or more, `gap` lines apart; never
    the signature (a unit's name followed by a date)."""
    r = rules()
    keys = [re.sub(r"\s+", "", _norm(line.text)) if not line.row else "" for line in lines]
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    titles = [k for k in keys if r.title.search(k)]
    at_breaks: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key and {i - 1, i, i + 1, i + 2} & breaks:
            at_breaks[key] = at_breaks.get(key, 0) + 1
    seen: dict[str, int] = {}
    gone: set[int] = set()
    for i, key in enumerate(keys):
        if not key or not (r.title.search(key) or r.unit_name.match(key)):
            continue
        at_break = bool({i - 1, i, i + 1, i + 2} & breaks)
        following = next((k for k in keys[i + 1:] if k), "")
        if at_break and key not in seen and r.unit_name.match(key) and (
                any(key in t for t in titles) or r.title.search(following) or at_breaks[key] >= 2):
            seen[key] = i  # the unit's name over the title, where a page begins
            if not r.date.search(following):
                gone.add(i)
            continue
        if key in seen and (r.title.search(key) or at_break or i - seen[key] >= r.gap):
            following = next((k for k in keys[i + 1:] if k), "")
            if not r.title.search(key):
                if r.date.search(following):
                    continue
                if counts[key] < 3 and not at_break:
                    continue
            gone.add(i)
        seen[key] = i
    return gone


def furniture_finding(dropped: list[str], source: str = "") -> Finding:
    r = rules()
    distinct = list(dict.fromkeys(t.strip() for t in dropped if t.strip()))
    shown = "、".join(f"“{t}”" for t in distinct[:5]) + ("等" if len(distinct) > 5 else "")
    return Finding(r.code, r.severity, r.message.format(count=len(dropped), shown=shown), (), None, None,
                   source=source or None)


# --- from a PDF: where a line sits on its page --------------------------------------------------

def margin_key(text: str) -> str:
    """A margin line compared across pages: without spaces, its digits as one sign (page numbers differ)."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", _norm(text)))


def mark_pdf_margins(pages: list[list[tuple[str, bool]]]) -> list[list[bool]]:
    """For each page's text lines (text, in the top or bottom band): which are furniture — a page
    number in the band, or a band line that comes back on another page."""
    counts: dict[str, int] = {}
    for page in pages:
        for key in {margin_key(t) for t, band in page if band and t.strip()}:
            counts[key] = counts.get(key, 0) + 1
    out = []
    for page in pages:
        marked, seen = [], set()
        for t, band in page:
            key = margin_key(t)
            # once a page: the running header is the first, a title printed under it (page 1) stays
            flag = band and bool(t.strip()) and key not in seen and (
                page_number(t) is not None or counts.get(key, 0) >= 2)
            if flag:
                seen.add(key)
            marked.append(flag)
        out.append(marked)
    return out
