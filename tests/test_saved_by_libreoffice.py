"""Workbooks as another program saves them read exactly as our own (issue 15).

The workbooks units send back have been saved by Excel or WPS: shared strings, the program's own
styles, cached formula values.  LibreOffice's Calc (its xlsx filter) is the closest that runs here.
Each workbook below is filled as a clerk would, then recalculated and saved by LibreOffice; both
copies must give the same submission to the consolidation (every figure, every finding with its
cells and values, the digest of what was filled in), and the saved copy must take the same fast
path through the reader: no sheet falls back to the tree parser, every plain number is found by
the one-pass index."""
import datetime
import zipfile

import pytest

from conftest import fill_workbook, run_libreoffice
from toolkit.app import submissions
from toolkit.app.samples import plausible_report
from toolkit.core.formats import get_format
from toolkit.io.workbook import xlsx
from workbooks import entries, info_of

YEAR = 2025


def _defects():
    """name -> (version, report, extra values, extra info, texts): one defect (or none) per workbook."""
    clean = plausible_report("东河镇", "乡镇", YEAR, "2021", seed=31)
    old = plausible_report("北关街道", "街道", YEAR, "2019", seed=32)
    forward = plausible_report("西山乡", "乡镇", YEAR, "2021", seed=33)
    fmt = get_format("2021")
    previous = {f"prev.{cid}": 4 for cid in fmt.previous_cells}
    return {
        "clean-2021": ("2021", clean, {}, {}),
        "clean-2019": ("2019", old, {}, {}),
        "balance-broken": ("2021", forward, {"t3.forward.natural": forward.values["t3.forward.natural"] + 1}, {}),
        "chinese-numeral-in-a-count": ("2021", clean, {"t3.new.natural": "十七"}, {}),
        "full-width-digits-in-a-count": ("2021", clean, {"t3.new.legal": "３件"}, {}),
        "negative-count": ("2021", clean, {"t4.review.pending": -1}, {}),
        "fraction-in-a-count": ("2021", clean, {"t3.new.research": 2.5}, {}),
        "blank-entry-cell": ("2021", clean, {"t3.new.commercial": None}, {}),
        "last-year-kept-in-the-workbook": ("2021", forward, previous, {}),
        "wrong-year-and-date-typed-as-text": ("2021", clean, {}, {"info.year": YEAR - 1, "info.date": "2026年1月5日"}),
        "date-typed-as-a-date": ("2021", clean, {}, {"info.date": datetime.date(2026, 1, 12)}),
        "markup-like-texts": ("2021", clean, {}, {}, {
            "overview": "甲 & 乙 <丙>\n第二行", "problems": "  前后空格  ", "other": "+1 -2 @某"}),
    }


@pytest.fixture(scope="module")
def pairs(tmp_path_factory, templates):
    """name -> (our own workbook, LibreOffice's recalculated and saved copy)."""
    folder = tmp_path_factory.mktemp("saved-by-libreoffice")
    out, tasks = {}, []
    for name, (version, report, values, info, *texts) in _defects().items():
        ours = fill_workbook(templates[version], folder / f"{name}.xlsx", {**entries(report), **values},
                             {**info_of(report), **info}, texts[0] if texts else report.texts)
        saved = folder / f"{name}-saved-by-libreoffice.xlsx"
        tasks.append({"op": "recalc", "in": str(ours), "out": str(saved)})
        out[name] = (ours, saved)
    run_libreoffice(tasks)
    return out


def _as_read(path):
    """Everything the consolidation takes from a file, the file's own name and time left out."""
    submissions._start("2021", {})
    got = submissions.read_submission(path)
    assert got.unreadable is None, got.unreadable
    return {"unit": got.unit, "level": got.level, "year": got.year, "format": got.format, "date": got.date,
            "values": None if got.values is None else tuple(got.values), "unmapped": got.unmapped,
            "previous": got.previous, "unknown": got.unknown, "content": got.content,
            "findings": [(f.code, f.severity, f.cells, f.reported, f.computed, f.message) for f in got.findings]}


@pytest.mark.parametrize("name", [name for name in _defects() if name != "full-width-digits-in-a-count"])
def test_libreoffice_saved_copy_reads_exactly_as_our_own(pairs, name):
    ours, saved = pairs[name]
    with zipfile.ZipFile(saved) as z:
        assert "xl/sharedStrings.xml" in z.namelist()  # it really is LibreOffice's way of writing
    assert _as_read(saved) == _as_read(ours)


def test_a_number_typed_as_text_leaves_the_saved_total_short_as_the_printed_table_shows_it(pairs):
    """The one difference, and a true one: a count typed as text ("３件") is read as 3, but the
    spreadsheet's SUM leaves text out, so the total Excel, WPS or LibreOffice saves (and the
    published table shows) is 3 short.  Our own workbook has no calculated totals: the checker
    computes them from the figures as read.  So the saved copy has the finding more."""
    ours, saved = (_as_read(p) for p in pairs["full-width-digits-in-a-count"])
    more = [f for f in saved["findings"] if f not in ours["findings"]]
    assert [f for f in ours["findings"] if f not in saved["findings"]] == []
    assert [(f[0], f[2], f[3], f[4]) for f in more if f[0] != "T3-BALANCE"] == [
        ("T3-ROW-TOTAL", ("t3.new.total",), ours["values"][_at("t3.new.total")] - 3, ours["values"][_at("t3.new.total")])]
    ours.pop("findings"), saved.pop("findings"), ours.pop("content"), saved.pop("content")
    mine, theirs, total = list(ours.pop("values")), list(saved.pop("values")), _at("t3.new.total")
    assert theirs[total] == mine[total] - 3
    theirs[total] = mine[total]
    assert theirs == mine  # every other figure the same
    assert saved == ours


def _at(cid):
    return list(get_format("2021").cells).index(cid)


def test_the_defects_are_seen_in_both_copies(pairs):
    """The comparison above is not of two empty answers: each defect is found (the same in both)."""
    codes = {name: {f[0] for f in _as_read(pairs[name][1])["findings"]} for name in pairs}
    assert "T3-BALANCE" in codes["balance-broken"]
    for name in ("chinese-numeral-in-a-count", "full-width-digits-in-a-count", "negative-count",
                 "fraction-in-a-count", "blank-entry-cell"):
        assert codes[name] - codes["clean-2021"], name
    assert _as_read(pairs["markup-like-texts"][1])["content"] != _as_read(pairs["clean-2021"][1])["content"]


@pytest.mark.parametrize("name", ["clean-2021", "clean-2019", "chinese-numeral-in-a-count"])
def test_libreoffice_saved_copy_takes_the_fast_path(pairs, name):
    """No slower path for files saved by another program: every sheet is scanned (not tree-parsed),
    and every whole number of a table is in the one-pass index of plain numbers (a negative one,
    which is rare and a finding, is looked up on its own)."""
    for path in pairs[name]:
        with xlsx.XlsxBook(path) as book:
            for sheet, part in book.sheet_paths.items():
                scanned = xlsx._scan_sheet(book._read(part), book._shared_strings, book.date_styles())
                assert scanned is not None, f"{path.name}: {sheet} fell back to the tree parser"
                plain = [key for key in scanned if not scanned[key].formula and not scanned[key].date
                         and type(scanned[key].value) is int and scanned[key].value >= 0]
                assert all(type(got) is int for got in scanned.many(plain)), f"{path.name}: {sheet}"


@pytest.mark.parametrize("jobs", [1, 2])
def test_work_done_meanwhile_runs_once_beside_the_workers_and_changes_no_result(pairs, jobs):
    """`xxgk consolidate` imports the summary writer while the workers read (read_submissions'
    `meanwhile`): called once, in this process, with one job or with several, and what is read
    is the same."""
    import os

    files = [path for pair in pairs.values() for path in pair]
    calls = []
    got = submissions.read_submissions(files, "2021", jobs=jobs, meanwhile=lambda: calls.append(os.getpid()))
    assert calls == [os.getpid()]
    alone = submissions.read_submissions(files, "2021", jobs=1)
    assert [(s.path, s.values, s.findings, s.content) for s in got] == [
        (s.path, s.values, s.findings, s.content) for s in alone]
