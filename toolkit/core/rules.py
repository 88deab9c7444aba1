"""The checker: applies a format's rules to a Report and returns every finding at once.

The rules themselves are data (toolkit/core/formats/*.toml); this module only knows how to evaluate
their kinds: equations between sums of cells (within the year or against last year's report),
zero-for-these-levels plausibility rules, value-kind rules, report-level rules, and figures the
text quotes against the tables.
"""
from __future__ import annotations

import re
import unicodedata

from toolkit.core.formats import VERSIONS, Format, Relation, TextRule, common, get_format
from toolkit.core.model import Finding, Number, Report, show_number
from toolkit.core.values import beyond_maximum

# Money is summed in floating point; differences below this are rounding, not a broken relation.
TOLERANCE = 1e-6


class Values:
    """A report's values as the rules read them: a reported cell as reported, a total that was not
    reported (its formula never calculated) as the sum of its parts, any other missing cell as 0."""

    def __init__(self, fmt: Format, values: dict[str, Number]):
        self.fmt = fmt
        self.reported = values
        self._formulas = _formulas(fmt)
        self._computed: dict[str, Number] = {}

    def has(self, cid: str) -> bool:
        """Whether the report gives the cell's value: reported, or a total whose parts it all gives.
        A cell the reader could not read (十七) is left out of the report, and no rule may take it
        for 0; a cell of another format (2019 → 2021) is not given either."""
        if self.reported.get(cid) is not None:
            return True
        return cid in self._formulas and self.has_parts(cid)

    @property
    def totals(self) -> dict:
        """Every total cell of the format -> the relation its formula computes."""
        return self._formulas

    def has_parts(self, total_id: str) -> bool:
        """Whether the report gives every part a total's formula adds up."""
        return all(self.has(t.cell) for t in self._formulas[total_id].computed)

    def __getitem__(self, cid: str) -> Number:
        value = self.reported.get(cid)
        if value is not None:
            return value
        if cid in self._formulas:
            return self.computed(cid)
        return 0

    def computed(self, total_id: str) -> Number:
        """What a total cell's formula gives."""
        value = self._computed.get(total_id)
        if value is None:
            value = self._computed[total_id] = signed_sum(self, self._formulas[total_id].computed)
        return value


class Baseline:
    """Last year's figures as kept in this year's workbook (上年数据): only the cells present count."""

    def __init__(self, values: dict[str, Number]):
        self.values = values

    def has(self, cid: str) -> bool:
        return cid in self.values

    def __getitem__(self, cid: str) -> Number:
        return self.values[cid]


_FORMULAS: dict[int, tuple[Format, dict]] = {}  # id(format) -> (the format, its formulas)


def _formulas(fmt: Format) -> dict:
    """fmt.formulas, worked out once per format (the formats themselves are loaded once)."""
    known = _FORMULAS.get(id(fmt))
    if known is None or known[0] is not fmt:
        if len(_FORMULAS) >= 64:
            _FORMULAS.clear()
        known = _FORMULAS[id(fmt)] = (fmt, fmt.formulas)
    return known[1]


# Terms by the tuple that holds them: (the tuple, its cells when every term is this year's and
# added, else None).  The relations' tuples live as long as their format.
_PLUS_ONLY: dict[int, tuple[tuple, tuple | None]] = {}


def _plus_only(terms) -> tuple | None:
    known = _PLUS_ONLY.get(id(terms))
    if known is None or known[0] is not terms:
        if len(_PLUS_ONLY) >= 8192:
            _PLUS_ONLY.clear()
        cells = tuple(t.cell for t in terms) if all(t.sign == 1 and not t.previous for t in terms) else None
        known = _PLUS_ONLY[id(terms)] = (terms, cells)
    return known[1]


def signed_sum(values: Values, terms, last_year: Values | Baseline | None = None) -> Number:
    """The signed sum of terms: this year's cells from `values`, last year's (prev:) from `last_year`."""
    if type(values) is Values and isinstance(terms, tuple):
        cells = _plus_only(terms)
        if cells is not None:  # the usual sum of this year's cells, all reported: added in one go
            try:
                out = sum(map(values.reported.__getitem__, cells))
            except (KeyError, TypeError):  # a cell not reported (a total to compute, a missing cell: 0)
                pass
            else:
                if type(out) is int:  # floats are added term by term below, in the same order as ever
                    return out
    out = 0
    for t in terms:
        out += t.sign * (last_year if t.previous else values)[t.cell]
    return _tidy(out)


def _tidy(total: Number) -> Number:
    return round(total, 6) if isinstance(total, float) else total


def computed_totals(report: Report) -> dict[str, Number]:
    """Every total cell's value as its formula computes it from the report's other cells."""
    fmt = get_format(report.format)
    entries = {k: v for k, v in report.values.items() if k in fmt.cells and not fmt.cells[k].total}
    values = Values(fmt, entries)
    return {cid: values.computed(cid) for cid in fmt.formulas}


def check(report: Report, previous: Report | None = None, values: Values | None = None) -> list[Finding]:
    """Every finding of the report's format rules.  The cross-year rules use last year's report if
    given, else the figures of last year kept with the report (report.previous), where present.
    `values`, if given, is the report's Values, whose computed totals the caller uses next too."""
    fmt = get_format(report.format)
    if values is None or values.reported is not report.values:
        values = Values(fmt, report.values)
    if previous is not None:
        last_year = Values(get_format(previous.format), previous.values)
    else:
        last_year = Baseline(report.previous) if report.previous else None
    findings = _report_rules(report, fmt)
    findings += _value_rules(report, fmt, values)
    # the totals not reported (a formula never calculated) as the rules compute them, so that the
    # relations through them are added in one go too
    given = report.values
    missing = [cid for cid in values.totals if given.get(cid) is None]
    reported = ({**given, **{cid: values[cid] for cid in missing}} if missing else given).__getitem__
    for rel, left, right in _plain_relations(fmt):
        if left is not None and right is not None:  # this year's cells added on both sides
            try:
                a, b = sum(map(reported, left)), sum(map(reported, right))
            except (KeyError, TypeError):  # a total to compute, a cell not given: as _relation does
                pass
            else:
                if type(a) is int and type(b) is int and a == b:
                    continue  # the usual case: the relation holds
        finding = _relation(rel, fmt, values, last_year)
        if finding:
            findings.append(finding)
    findings += _level_rules(report, fmt, values)
    findings += _text_rules(report, fmt, values)
    return findings


_PLAIN: dict[int, tuple[Format, tuple]] = {}  # id(format) -> (the format, its relations as below)


def _plain_relations(fmt: Format) -> tuple:
    """(relation, left cells, right cells) of each of the format's relations, each side's cells
    given where all its terms are this year's and added (else None), worked out once per format."""
    known = _PLAIN.get(id(fmt))
    if known is None or known[0] is not fmt:
        if len(_PLAIN) >= 64:
            _PLAIN.clear()
        known = _PLAIN[id(fmt)] = (fmt, tuple((rel, _plus_only(rel.reported), _plus_only(rel.computed))
                                              for rel in fmt.relations))
    return known[1]


def _relation(rel: Relation, fmt: Format, values: Values, last_year: Values | Baseline | None) -> Finding | None:
    if rel.uses_previous:
        if last_year is None:
            return None
        if any(t.previous and not last_year.has(t.cell) for t in rel.reported + rel.computed):
            return None  # last year's format has no such cell (2019 → 2021), it was not kept or not readable

    reported, computed = signed_sum(values, rel.reported, last_year), signed_sum(values, rel.computed, last_year)
    if abs(reported - computed) <= TOLERANCE:
        return None
    rule = rel.rule
    message = rule.message.format(
        reported=show_number(reported), computed=show_number(computed),
        reported_label=fmt.cells[rel.reported[0].cell].label, **rel.names,
    )
    return Finding(rule.code, rule.severity, message, rel.marked, reported, computed)


def _level_rules(report: Report, fmt: Format, values: Values) -> list[Finding]:
    out = []
    for rule in fmt.level_rules:
        if report.level not in rule.levels:
            continue
        for cid in rule.zero:
            v = values[cid]
            if v > 0:
                message = rule.message.format(level=report.level, reported_label=fmt.cells[cid].label,
                                              reported=show_number(v))
                out.append(Finding(rule.code, rule.severity, message, (cid,), v, 0))
    return out


_SENTENCE_END = re.compile(r"[。;!?\n]")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_OTHER_YEAR_WORDS = tuple(common().other_year_words)


def _text_rules(report: Report, fmt: Format, values: Values) -> list[Finding]:
    """Figures quoted in the text parts (共受理政府信息公开申请21件) against the tables."""
    out, seen = [], set()
    normal: dict[str, str] = {}  # each part's text, NFKC-normalised once (several rules read one part)
    for rule in fmt.text_rules:
        text = report.texts.get(rule.part, "")
        if not text:
            continue
        if rule.part not in normal:
            normal[rule.part] = unicodedata.normalize("NFKC", text)
        text = normal[rule.part]
        for sentence in _SENTENCE_END.split(text):
            for pattern in rule.patterns:
                for m in pattern.finditer(sentence):
                    if _about_another_year(sentence[: m.start()], report.year):
                        continue
                    quoted = int(m.group("n")) if "n" in pattern.groupindex else rule.value
                    sums = [_tidy(sum(values[c] for c in cells)) for cells in rule.cells]
                    key = (rule.code, m.group(0))
                    if quoted in sums or key in seen:
                        continue
                    seen.add(key)
                    out.append(_text_finding(rule, fmt, m.group(0), quoted, sums[0]))
    return out


def _about_another_year(before: str, year: int | None) -> bool:
    """Whether the words before a quote in its sentence say it is about another year."""
    clause = re.split(r"[,，]", before)[-1]
    if any(w in clause for w in _OTHER_YEAR_WORDS):
        return True
    years = _YEAR.findall(before)
    return bool(years) and (year is None or int(years[-1]) != year)  # the nearest year named decides


def _text_finding(rule: TextRule, fmt: Format, quote: str, quoted: Number, computed: Number) -> Finding:
    cells = rule.cells[0]
    labels = [fmt.cells[c].label for c in cells]
    cells_label = labels[0] if len(labels) == 1 else "、".join(labels) + "之和"
    message = rule.message.format(quote=quote, quoted=show_number(quoted), computed=show_number(computed),
                                  cells_label=cells_label)
    return Finding(rule.code, rule.severity, message, cells, quoted, computed)


def _value_rules(report: Report, fmt: Format, values: Values) -> list[Finding]:
    kinds = common().kinds
    tests = {
        "negative": lambda v, k: k.minimum is not None and v < k.minimum,
        "fraction": lambda v, k: k.integer and v != int(v),
        "too_large": beyond_maximum,
    }
    # the smallest maximum of any kind: no value rule can fault a whole number from 0 up to it
    plain = min((k.maximum for k in kinds.values() if k.maximum is not None), default=float("inf"))
    out = []
    # only the values a rule could fault: the usual report has whole numbers and a sum of money or two
    for cid, v in [(cid, v) for cid, v in report.values.items() if type(v) is not int or not 0 <= v <= plain]:
        cell = fmt.cells.get(cid)
        if cell is None:
            continue
        kind = kinds[cell.kind]
        # A total that is the sum of its parts is negative or a fraction only through a part, and the
        # part's finding says so; as a total not calculated (computed here) gives none either.
        derived = cid in values.totals and values.has_parts(cid) and abs(values.computed(cid) - v) <= TOLERANCE
        for rule in common().value_rules:
            if derived and rule.test != "too_large":
                continue
            if tests[rule.test](v, kind):
                message = rule.message.format(cell_label=cell.label, kind_name=kind.name, reported=show_number(v),
                                             prompt=kind.prompt, maximum=show_number(kind.maximum))
                out.append(Finding(rule.code, rule.severity, message, (cid,), v, None))
    return out


def _report_rules(report: Report, fmt: Format) -> list[Finding]:
    c = common()
    tests = {
        "unit_missing": lambda: not report.unit.strip(),
        "year_missing": lambda: report.year is None,
        "level_unknown": lambda: bool(report.level) and report.level not in c.all_levels,
        "format_year": lambda: report.year is not None and not fmt.suits_year(report.year),
    }
    out = []
    for rule in c.report_rules:
        if tests[rule.test]():
            expected = next((get_format(v).title for v in _versions_for(report.year)), "")
            message = rule.message.format(
                reported=report.level, levels="、".join(c.all_levels), year=report.year,
                expected=expected, title=fmt.title)
            out.append(Finding(rule.code, rule.severity, message, (), None, None))
    return out


def _versions_for(year: int | None):
    return [v for v in VERSIONS if year is not None and get_format(v).suits_year(year)]


def has_errors(findings) -> bool:
    return any(f.is_error for f in findings)
