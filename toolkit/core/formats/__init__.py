"""The report formats, loaded from their declarative descriptions (one TOML file per version).

The files' structure is declared in schema/*.json (JSON Schema, checked by tests/test_format_schema.py);
what this module checks as it loads is what refers across entries: a rule's or a headline's cells
exist, a severity is one of common.toml's, a pattern compiles.

Everything that knows a label, a cell or a rule asks this module: `get_format("2021")` gives the
tables, their cells by id, the rules expanded into relations, and `common()` the shared parts (value
kinds, unit levels, workbook sheets); `codes()` every finding code, `say(code, ...)` its message
(codes.py, codes.toml).  Pure Python: no spreadsheet library is imported here.
"""
from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from functools import cache, cached_property

from toolkit.core.formats.codes import Code, CodeError, codes, say, severity, stages, words  # noqa: F401 (the API)
from toolkit.core.formats.parsed import FOLDER, load


def _versions() -> tuple[str, ...]:
    """Every version file present (<digits>.toml beside this module), the default one (common.toml's
    `default_version`) first, then the newest first: adding a format version is adding its file."""
    found = sorted((name.removesuffix(".toml") for name in os.listdir(FOLDER) if re.fullmatch(r"\d+\.toml", name)),
                   reverse=True)
    default = common_toml()["default_version"]
    if default not in found:
        raise FormatError(f"common.toml: default_version {default} has no {default}.toml")
    return (default, *(v for v in found if v != default))


@dataclass(frozen=True)
class Header:
    """A row or a column of a table block: its id and its label path, outermost first."""

    id: str
    labels: tuple[str, ...]
    kind: str | None = None

    @property
    def name(self) -> str:
        """How messages name it: the label path without the outer group, e.g. （三）不予公开 1.属于国家秘密."""
        shown = self.labels[1:] if len(self.labels) > 2 else self.labels[-1:]
        return " ".join(shown)


@dataclass(frozen=True)
class Block:
    heading: str | None
    corner: str | None
    columns: tuple[Header, ...]
    rows: tuple[Header, ...]


@dataclass(frozen=True)
class Table:
    id: str
    short: str
    sheet: str
    title: str
    kind: str
    note: str | None
    blocks: tuple[Block, ...]

    @property
    def columns(self) -> tuple[Header, ...]:
        return tuple(c for b in self.blocks for c in b.columns)

    @property
    def rows(self) -> tuple[Header, ...]:
        return tuple(r for b in self.blocks for r in b.rows)


@dataclass(frozen=True)
class Cell:
    id: str
    table: str
    block: int
    row: Header
    column: Header
    kind: str
    label: str  # e.g. 表三“（三）不予公开 1.属于国家秘密”行“自然人”列
    total: bool = False  # computed by a formula from other cells


@dataclass(frozen=True)
class Term:
    cell: str
    sign: int = 1
    previous: bool = False  # last year's value


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    relation: str
    message: str
    formula: bool = False
    mark: str = "all"
    levels: tuple[str, ...] = ()
    zero: tuple[str, ...] = ()


@dataclass(frozen=True)
class Relation:
    """One instance of an equation rule: sum(reported) must equal sum(computed)."""

    rule: Rule
    reported: tuple[Term, ...]
    computed: tuple[Term, ...]
    names: dict = field(default_factory=dict, hash=False, compare=False)

    @cached_property
    def uses_previous(self) -> bool:
        return any(t.previous for t in self.reported + self.computed)

    @cached_property
    def marked(self) -> tuple[str, ...]:
        """The current-year cells a finding of this relation flags."""
        terms = self.reported if self.rule.mark == "reported" else self.computed + self.reported
        return tuple(dict.fromkeys(t.cell for t in terms if not t.previous))


@dataclass(frozen=True)
class TextRule:
    """A figure a text part quotes (e.g. 共受理政府信息公开申请21件) against the tables.

    Each pattern is searched sentence by sentence; its group (?P<n>...) is the quoted number, or
    `value` stands for it (a pattern like 未收到…申请 means 0).  `cells` lists the sums of cells the
    quote may mean; a quote equal to none of them is a finding."""

    code: str
    severity: str
    part: str
    patterns: tuple[re.Pattern, ...]
    cells: tuple[tuple[str, ...], ...]
    message: str
    value: int | None = None


@dataclass(frozen=True)
class Kind:
    id: str
    name: str
    integer: bool
    minimum: float | None
    units: tuple[str, ...]
    prompt: str
    maximum: float | None = None  # the largest value that can be meant (beyond it, a slip or junk)
    conversions: dict = field(default_factory=dict, hash=False, compare=False)  # other unit -> divisor (元: 10000)


@dataclass(frozen=True)
class NamedTestRule:
    """A rule whose test is code the checker knows by name (value kinds, report-level rules)."""

    code: str
    severity: str
    test: str
    message: str


@dataclass(frozen=True)
class ReadRule:
    """A finding of the workbook reader: its code, severity and message template; `summed`: whether
    a file with it is still summed; `shared`: an extra template (see common.toml)."""

    code: str
    severity: str
    message: str
    summed: bool = True
    shared: str = ""


@dataclass(frozen=True)
class Part:
    heading: str
    text: str | None = None  # id of a text part (overview, problems, other)
    table: str | None = None
    hint: str | None = None


@dataclass(frozen=True)
class InfoField:
    id: str
    label: str
    fixed: bool = False

    @property
    def key(self) -> str:
        """What the code calls the field (unit, level, year...): its id after "info."; a Report's
        `info` is keyed by it."""
        return self.id.split(".", 1)[1]


@dataclass(frozen=True)
class Button:
    """A button of the macro-enabled workbook: its caption and the VBA macro it runs."""

    caption: str
    macro: str


@dataclass(frozen=True)
class Common:
    default_version: str
    severities: dict  # error, hint -> the word a finding shows
    levels: tuple[str, ...]
    summary_levels: tuple[str, ...]
    kinds: dict
    value_rules: tuple[NamedTestRule, ...]
    report_rules: tuple[NamedTestRule, ...]
    sheets: dict
    info_fields: tuple[InfoField, ...]
    findings_columns: tuple[str, ...]
    severity_colors: dict
    previous_heading: str
    previous_label: str
    fills: dict  # entry, total, label -> RRGGBB
    buttons: tuple[Button, ...]
    xlwings_conf: dict  # sheet, note, settings [[key, value], ...]
    summary_of: dict = field(default_factory=dict)  # unit level -> the level of a summary of such units
    summary_sheets: dict = field(default_factory=dict)  # submissions, details, charts
    review: dict = field(default_factory=dict)  # [review]: the reviewer's columns of 校验结果, carried over
    read_rules: dict = field(default_factory=dict)  # code -> ReadRule
    published_total_note: str = ""  # the note on a printed total kept by import ({reported} {computed} {formula})
    published_total_author: str = ""
    reading: dict = field(default_factory=dict)  # [import]: placeholders, messages of reading published reports
    compare: dict = field(default_factory=dict)  # [compare]: thresholds, rules, labels of `xxgk compare`
    against: dict = field(default_factory=dict)  # [against]: `xxgk consolidate --against`, toolkit/core/against.py
    charts: dict = field(default_factory=dict)  # [charts]: the summary's charts sheet
    last_year: dict = field(default_factory=dict)  # [last_year]: last year's file of another year
    other_year_words: tuple[str, ...] = ()  # a sentence with one speaks of another year
    roster: dict = field(default_factory=dict)  # [roster]: the list of units, its columns and messages
    lists: dict = field(default_factory=dict)  # [lists]: the summary's lists' own columns, by id
    submissions: dict = field(default_factory=dict)  # [submissions]: the summary's submissions sheet, its reasons
    button_messages: dict = field(default_factory=dict)  # [button_messages]: what the Excel buttons say
    guide: dict = field(default_factory=dict)  # [guide]: the text of the 填报说明 sheet
    info_input: dict = field(default_factory=dict)  # [info_input]: what the workbook's data validation says
    unknown_version: str = ""  # the message of a format version asked for that has no file

    @property
    def all_levels(self) -> tuple[str, ...]:
        return self.levels + self.summary_levels


@dataclass(frozen=True)
class Headline:
    """The summary's main figures ([headline] of a version file): cell ids, and the outcome groups as
    (name, the cells summed), in order."""

    before: tuple[str, ...]
    groups: tuple[tuple[str, tuple[str, ...]], ...]
    after: tuple[str, ...]
    by_unit: str
    by_unit_title: str
    results: str


@dataclass(frozen=True)
class Format:
    version: str
    title: str
    basis: str
    years: tuple[int, int | None]  # first and last report year the format is meant for
    parts: tuple[Part, ...]
    tables: tuple[Table, ...]
    cells: dict  # id -> Cell, in table order
    relations: tuple[Relation, ...]
    level_rules: tuple[Rule, ...]
    text_rules: tuple[TextRule, ...] = ()
    maps: dict = field(default_factory=dict, hash=False, compare=False)  # target version -> raw [maps.*]
    collapsed: tuple = ()  # (table, group labels, the row its figures go into, why): [[import_collapsed]]
    compared: tuple[str, ...] = ()  # the main figures `xxgk compare` puts side by side ([compare] figures)
    headline: Headline | None = None  # the summary's main figures and charts ([headline])

    def table(self, table_id: str) -> Table:
        return next(t for t in self.tables if t.id == table_id)

    @property
    def entry_cells(self) -> list[str]:
        return [c.id for c in self.cells.values() if not c.total]

    @property
    def total_cells(self) -> list[str]:
        return [c.id for c in self.cells.values() if c.total]

    @property
    def formulas(self) -> dict:
        """Total cell id -> the relation whose computed side is its formula."""
        out = {}
        for rel in self.relations:
            if rel.rule.formula:
                out.setdefault(rel.reported[0].cell, rel)
        return out

    def suits_year(self, year: int) -> bool:
        first, last = self.years
        return year >= first and (last is None or year <= last)

    @property
    def previous_cells(self) -> list[str]:
        """Last year's cells the cross-year rules read (t3.forward.natural, ...), in rule order.  The
        workbook keeps these figures as "上年数据" so it can be checked without last year's file."""
        return list(dict.fromkeys(t.cell for rel in self.relations for t in rel.reported + rel.computed
                                  if t.previous))

    @property
    def text_parts(self) -> tuple[Part, ...]:
        return tuple(p for p in self.parts if p.text)


def load_toml(name: str) -> dict:
    """The format file `name` (beside this module) as parsed: a new dict each call.  Read through the
    parsed copy kept between runs (parsed.py): TOML is parsed only when the file changed."""
    return load(name)


@cache
def common_toml() -> dict:
    """common.toml as parsed, once per process (every command's start-up reads it; parsing it is
    milliseconds each time).  Shared: callers read it and never change it."""
    return load_toml("common.toml")


@cache
def info_id(key: str) -> str:
    """The id (the workbook's defined name) of the 单位信息 field `key`: info_id("unit") is info.unit."""
    return next(f.id for f in common().info_fields if f.key == key)


@cache
def info_label(key: str) -> str:
    """The label of the 单位信息 field `key`: info_label("unit") is 单位名称."""
    return next(f.label for f in common().info_fields if f.key == key)


class FormatError(ValueError):
    """The format description itself is wrong (a developer's error, found when it loads)."""


VERSIONS = _versions()
DEFAULT_VERSION = VERSIONS[0]


def cell_id(table: str, row: str, column: str) -> str:
    return ".".join(p for p in (table, row, column) if p)


@cache
def common() -> Common:
    raw = common_toml()
    kinds = {
        k: Kind(k, v["name"], v["integer"], v.get("minimum"), tuple(v.get("units", ())), v["prompt"],
                v.get("maximum"), dict(v.get("conversions", {})))
        for k, v in raw["kinds"].items()
    }
    return Common(
        default_version=raw["default_version"],
        severities=dict(raw["severities"]),
        levels=tuple(raw["levels"]),
        summary_levels=tuple(raw["summary_levels"]),
        kinds=kinds,
        value_rules=tuple(NamedTestRule(**r) for r in raw["value_rules"]),
        report_rules=tuple(NamedTestRule(**r) for r in raw["report_rules"]),
        sheets=dict(raw["sheets"]),
        info_fields=tuple(InfoField(**f) for f in raw["info_fields"]),
        findings_columns=tuple(raw["findings_columns"]),
        previous_heading=raw["previous_heading"],
        previous_label=raw["previous_label"],
        severity_colors=dict(raw["severity_colors"]),
        fills=dict(raw["fills"]),
        buttons=tuple(Button(**b) for b in raw["buttons"]),
        xlwings_conf=dict(raw["xlwings_conf"]),
        summary_of=dict(raw["summary_of"]),
        summary_sheets=dict(raw["summary_sheets"]),
        review=dict(raw["review"]),
        read_rules={r["code"]: ReadRule(**r) for r in raw.get("read_rules", ())},
        published_total_note=raw["published_total_note"],
        published_total_author=raw["published_total_author"],
        reading=dict(raw["import"]),
        compare=dict(raw["compare"]),
        against=dict(raw["against"]),
        charts=dict(raw["charts"]),
        last_year=dict(raw["last_year"]),
        other_year_words=tuple(raw["other_year_words"]),
        roster=dict(raw["roster"]),
        lists=dict(raw["lists"]),
        submissions=dict(raw["submissions"]),
        button_messages=dict(raw["button_messages"]),
        guide=dict(raw["guide"]),
        info_input=dict(raw["info_input"]),
        unknown_version=raw["unknown_version"],
    )


@cache
def get_format(version: str | None = None) -> Format:
    version = version or common().default_version
    if version not in VERSIONS:
        raise FormatError(common().unknown_version.format(version=version, versions="、".join(VERSIONS)))
    raw = load_toml(f"{version}.toml")
    headings = {p["table"]: p["heading"] for p in raw["parts"] if "table" in p}
    parts = tuple(
        Part(heading=p["heading"], text=p.get("id"), table=p.get("table"), hint=p.get("hint"))
        for p in raw["parts"]
    )
    tables = tuple(_table(t, headings[t["id"]]) for t in raw["tables"])
    cells = {}
    for table in tables:
        for b, block in enumerate(table.blocks):
            for row in block.rows:
                for col in block.columns:
                    cid = cell_id(table.id, row.id, col.id)
                    if cid in cells:
                        raise FormatError(f"{version}: duplicate cell id {cid}")
                    cells[cid] = Cell(
                        id=cid, table=table.id, block=b, row=row, column=col,
                        kind=col.kind or row.kind or table.kind,
                        label=_cell_label(table, row, col),
                    )
    relations, level_rules = _rules(raw["rules"], tables, cells, version)
    totals = {rel.reported[0].cell for rel in relations if rel.rule.formula}
    cells = {cid: (_replace_total(c) if cid in totals else c) for cid, c in cells.items()}
    years = (raw["first_year"], raw.get("last_year"))
    text_rules = tuple(_text_rule(r, cells, parts, version) for r in raw.get("text_rules", ()))
    collapsed = tuple(_collapsed(c, tables, version) for c in raw.get("import_collapsed", ()))
    compared = _compared(raw.get("compare", {}).get("figures", ()), cells, version)
    return Format(version, raw["title"], raw["basis"], years, parts, tables, cells, relations, level_rules,
                  text_rules, maps=raw.get("maps", {}), collapsed=collapsed, compared=compared,
                  headline=_headline(raw["headline"], cells, version))


def _headline(raw: dict, cells: dict, version: str) -> Headline:
    """[headline]; a cell that does not exist, or a group's pattern matching none, is an error."""
    named = [*raw["before"], *raw["after"], raw["by_unit"], raw["results"]]
    unknown = [c for c in named if c not in cells]
    if unknown:
        raise FormatError(f"{version}: [headline]: unknown cells {unknown}")
    groups = []
    for g in raw["groups"]:
        members = tuple(c for c in cells if fnmatch.fnmatchcase(c, g["cells"]))
        if not members:
            raise FormatError(f"{version}: [headline] groups: {g['cells']} matches no cell")
        groups.append((g["name"], members))
    return Headline(tuple(raw["before"]), tuple(groups), tuple(raw["after"]), raw["by_unit"],
                    raw["by_unit_title"], raw["results"])


def _compared(patterns, cells: dict, version: str) -> tuple[str, ...]:
    """The cells of [compare] figures, in the format's cell order; a pattern matching none is an error."""
    for pattern in patterns:
        if not any(fnmatch.fnmatchcase(c, pattern) for c in cells):
            raise FormatError(f"{version}: [compare] figures: {pattern} matches no cell")
    return tuple(c for c in cells if any(fnmatch.fnmatchcase(c, p) for p in patterns))


def _collapsed(raw: dict, tables, version: str) -> tuple:
    table = next((t for t in tables if t.id == raw["table"]), None)
    group = tuple(raw["group"])
    rows = [r for r in table.rows if r.labels[:len(group)] == group] if table else []
    if not rows or raw["into"] not in {r.id for r in rows}:
        raise FormatError(f"{version}: [[import_collapsed]] {raw['table']} {group}: no such group or row {raw['into']}")
    return (table.id, group, raw["into"], raw["why"])


def _text_rule(r: dict, cells: dict, parts, version: str) -> TextRule:
    if r["severity"] not in common().severities.values():
        raise FormatError(f"{version}: text rule {r['code']} has severity {r['severity']!r}")
    if r["part"] not in {p.text for p in parts if p.text}:
        raise FormatError(f"{version}: text rule {r['code']}: unknown part {r['part']}")
    unknown = [c for alternative in r["cells"] for c in alternative if c not in cells]
    if unknown:
        raise FormatError(f"{version}: text rule {r['code']}: unknown cells {unknown}")
    try:
        patterns = tuple(re.compile(p) for p in r["patterns"])
    except re.error as exc:
        raise FormatError(f"{version}: text rule {r['code']}: bad pattern ({exc})") from exc
    for p in patterns:
        if "n" not in p.groupindex and r.get("value") is None:
            raise FormatError(f"{version}: text rule {r['code']}: pattern {p.pattern} has no (?P<n>...) and no value")
    return TextRule(r["code"], r["severity"], r["part"], patterns,
                    tuple(tuple(a) for a in r["cells"]), r["message"], r.get("value"))


def _replace_total(c: Cell) -> Cell:
    return Cell(c.id, c.table, c.block, c.row, c.column, c.kind, c.label, total=True)


def _header(h: dict) -> Header:
    return Header(h["id"], tuple(h["labels"]), h.get("kind"))


def _table(t: dict, title: str) -> Table:
    blocks = tuple(
        Block(b.get("heading"), b.get("corner"),
              tuple(_header(c) for c in b["columns"]), tuple(_header(r) for r in b["rows"]))
        for b in t["blocks"]
    )
    return Table(t["id"], t["short"], t["sheet"], title, t["kind"], t.get("note"), blocks)


def _cell_label(table: Table, row: Header, col: Header) -> str:
    if row.labels:
        return f"{table.short}“{row.name}”行“{col.name}”列"
    return f"{table.short}“{'·'.join(col.labels)}”"


def _loop(spec: dict, tables: tuple[Table, ...]) -> list[dict]:
    """Expand a rule's for_each into one dict of template variables per instance."""
    if not spec:
        return [{}]
    (var, source), = spec.items()
    if isinstance(source, list):
        return [{var: v} for v in source]
    table_id, what = source.split(".")
    table = next(t for t in tables if t.id == table_id)
    headers = table.columns if what == "columns" else table.rows
    return [{var: h.id, f"{var}_label": h.name} for h in headers]


def _term(text: str, variables: dict, cells: dict, code: str) -> Term:
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("-")
    previous = text.startswith("prev:")
    cid = text.removeprefix("prev:").format(**variables)
    if cid not in cells:
        raise FormatError(f"rule {code}: unknown cell {cid}")
    return Term(cid, sign, previous)


def _rules(raw_rules: list, tables, cells: dict, version: str):
    relations, level_rules = [], []
    for r in raw_rules:
        rule = Rule(
            code=r["code"], severity=r["severity"], relation=r["relation"], message=r["message"],
            formula=r.get("formula", False), mark=r.get("mark", "all"),
            levels=tuple(r.get("levels", ())), zero=tuple(r.get("zero", ())),
        )
        if rule.severity not in common().severities.values():
            raise FormatError(f"{version}: rule {rule.code} has severity {rule.severity!r}")
        if rule.zero:
            unknown = [c for c in rule.zero if c not in cells]
            if unknown:
                raise FormatError(f"rule {rule.code}: unknown cells {unknown}")
            level_rules.append(rule)
            continue
        for variables in _loop(r.get("for_each", {}), tables):
            relations.append(Relation(
                rule,
                tuple(_term(t, variables, cells, rule.code) for t in r["reported"]),
                tuple(_term(t, variables, cells, rule.code) for t in r["computed"]),
                {k: v for k, v in variables.items() if k.endswith("_label")},
            ))
    return tuple(relations), tuple(level_rules)


def match_cells(fmt: Format, pattern: str) -> list[str]:
    """Cell ids matching a shell-style pattern, e.g. "t3.result.*.total"."""
    return [c for c in fmt.cells if fnmatch.fnmatchcase(c, pattern)]


@dataclass(frozen=True)
class CellMap:
    """How the figures of one format version enter a report of another (see `[maps]` in the TOML)."""

    source: str
    target: str
    cells: dict  # source cell id -> target cell id; several may go to one
    unmapped: tuple[str, ...]  # source cells that go nowhere
    uncovered: tuple[str, ...]  # target cells that no source cell goes to
    moved: tuple[tuple[str, str], ...]  # (source pattern, target pattern) of the non-identical moves

    def describe(self) -> list[str]:
        """The non-identical moves in words, e.g. 2019年版表三“（六）其他处理”行（各列）计入2021年版表三“…”行."""
        src, dst = get_format(self.source), get_format(self.target)
        return [f"{self.source}年版{_pattern_label(src, a)}计入{self.target}年版{_pattern_label(dst, b)}"
                for a, b in self.moved]


@cache
def cell_map(source: str, target: str) -> CellMap:
    src, dst = get_format(source), get_format(target)
    if source == target:
        return CellMap(source, target, {c: c for c in src.cells}, (), (), ())
    spec = src.maps.get(target)
    if spec is None:
        raise FormatError(f"{source}.toml has no [maps.{target}]")
    cells = {}
    for pattern in spec.get("same", []):
        for cid in match_cells(src, pattern):
            if cid in dst.cells:
                cells[cid] = cid
    columns = [c.id for c in src.table("t3").columns]
    for a, b in spec.get("cells", {}).items():
        pairs = [(a.format(col=col), b.format(col=col)) for col in columns] if "{col}" in a else [(a, b)]
        for from_id, to_id in pairs:
            if from_id not in src.cells or to_id not in dst.cells:
                raise FormatError(f"[maps.{target}] in {source}.toml: unknown cell {from_id} or {to_id}")
            cells[from_id] = to_id
    reached = set(cells.values())
    return CellMap(source, target, cells,
                   tuple(c for c in src.cells if c not in cells),
                   tuple(c for c in dst.cells if c not in reached),
                   tuple(spec.get("cells", {}).items()))


def _pattern_label(fmt: Format, pattern: str) -> str:
    if "{col}" not in pattern:
        return fmt.cells[pattern].label
    table_id, row_id = pattern.split(".", 1)
    row_id = row_id.removesuffix(".{col}")
    table = fmt.table(table_id)
    row = next(r for r in table.rows if r.id == row_id)
    return f"{table.short}“{row.name}”行（各列）"
