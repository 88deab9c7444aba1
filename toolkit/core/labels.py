"""Comparing labels loosely, as published reports write them.

Published reports write the format's labels with line breaks and spaces inside, full- or half-width
punctuation and digits, other numbering (1、 (1) （一） 一、), and small variants (规范性文件 for
行政规范性文件, 钩稽 for 勾稽, 结转下年继续办理 for 结转下年度继续办理).  `loose` reduces a label to what
matters; `similarity` compares two such forms.  Pure Python.

The same labels come back in every report (and a report's lines are compared with every row of
the format), so the comparisons are cached: they are pure functions of their texts.
"""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

from toolkit.core.formats import common

# Variants that mean the same label, written the way the format does not (common.toml [import]).
SYNONYMS = tuple(tuple(pair) for pair in common().reading["synonyms"])
_CN_DIGITS = "〇一二三四五六七八九"
_NUMERAL = r"[一二三四五六七八九十〇零\d]+"
# A leading number: 一、 1、 1. 1．(1) （一） 第一、 ① ...
_NUMBERING = re.compile(rf"^(?:第?{_NUMERAL}[、.．:：]|[(（]{_NUMERAL}[)）]、?|[①-⑳])")
_BRACKETS = re.compile(r"[()（）\[\]【】〔〕<>《》“”\"'‘’「」]")
_SPACE = re.compile(r"\s+")


_KANGXI = re.compile("[\u2f00-\u2fd5\u2e80-\u2ef3]")


def unified_radicals(text: str, supplement: dict[str, str]) -> str:
    """Radicals standing for characters (⼀ ⾏ ⺠, as PDF text extraction gives) as the characters:
    Kangxi radicals by NFKC, those of the radicals supplement by `supplement` (the format files)."""
    if not _KANGXI.search(text):
        return text
    return _KANGXI.sub(lambda m: supplement.get(m.group(), unicodedata.normalize("NFKC", m.group())), text)


@lru_cache(maxsize=1 << 14)
def width_normal(text: str) -> str:
    """Full-width digits, letters and punctuation as half-width (NFKC), spaces of any kind removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def numbering(text: str) -> int | None:
    """The number a heading starts with: 一、 → 1, 2、 → 2, （三） → 3, (4) → 4; None if it has none."""
    m = _NUMBERING.match(width_normal(text))
    if not m:
        return None
    digits = re.search(_NUMERAL, m.group(0))
    return chinese_number(digits.group(0)) if digits else None


def chinese_number(text: str) -> int | None:
    """1..99 written in digits or in Chinese numerals (三, 十二, 二十)."""
    if text.isdigit():
        return int(text)
    text = text.replace("零", "〇")
    try:
        if "十" in text:
            tens, _, ones = text.partition("十")
            return (_CN_DIGITS.index(tens) if tens else 1) * 10 + (_CN_DIGITS.index(ones) if ones else 0)
        return _CN_DIGITS.index(text) if len(text) == 1 else None
    except ValueError:
        return None


def strip_numbering(text: str) -> str:
    text = width_normal(text)
    return _NUMBERING.sub("", text, count=1)


@lru_cache(maxsize=1 << 14)
def loose(text: str) -> str:
    """A label as compared: no numbering, spaces, brackets or quotes; half-width; variants unified."""
    text = strip_numbering(text)
    for variant, canonical in SYNONYMS:
        text = text.replace(variant, canonical)
    text = _BRACKETS.sub("", text)
    return text.strip(",.;:、，。；：")


@lru_cache(maxsize=1 << 17)
def similarity(a: str, b: str) -> float:
    """How alike two loose labels are, 0..1."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


# A line is a part's heading when at least this alike to the official heading (see heading_score).
HEADING_MATCH = 0.8


@lru_cache(maxsize=1 << 15)
def heading_score(text: str, heading: str, number: int) -> float | None:
    """How well a line's text (width-normalised) stands for the official `heading` of part `number`
    (1..6), or None when it cannot be that heading: a line much longer than the heading, numbered as
    another part, or too unlike it.  A top-level heading scores above a sub-heading of the same words."""
    want = loose(heading)
    if not text or len(text) > len(want) + 16 or numbering(text) not in (None, number):
        return None
    score = similarity(loose(text), want)
    if score < HEADING_MATCH:
        return None
    return score + (0.0 if text.startswith(("(", "（")) else 0.1)
