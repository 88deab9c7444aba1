"""Nothing lost: every command leaves its inputs byte-identical (hashed before and after, broken
inputs among them); an output that is one of the inputs -- by the same path, a symbolic link, a
hard link or another spelling -- is refused and the input kept; a run killed while it writes
leaves the old output or the new one whole, never a partial one.

Commands run as a user runs them: the installed `xxgk` script in a subprocess (the Excel buttons
through xlwings' remote engine); interrupted runs through tests/interrupted.py, which kills the
same command line at exact points."""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import xlwings as xw

import toolkit.excel as excel
from conftest import TESTS, fill_workbook
from published_files import FIXTURES
from remote_book import payload
from test_cli import run
from toolkit.io.files import OutputExists, atomic_stream, same_file
from toolkit.io.published.export import export_bytes
from toolkit.core.roster import RosterUnit
from toolkit.app.samples import plausible_report, zequ_2022
from toolkit.io.workbook.reader import read_workbook
from toolkit.io.workbook.roster_book import roster_bytes
from workbooks import entries, info_of

YEAR = 2025
UNITS = [("东河镇", "乡镇"), ("西山乡", "乡镇"), ("北关街道", "街道"), ("县民政局", "县级部门"), ("南湖镇", "乡镇")]
REFUSED = "是本次要读取的输入文件"


def tree_digests(*roots) -> dict[str, str]:
    """Every file below the roots (or the root itself, a file) and its sha256; a symbolic link as
    where it points.  Equal before and after = not one byte changed, no file added or removed."""
    out = {}
    for root in map(Path, roots):
        paths = [root] if not root.is_dir() else sorted(p for p in root.rglob("*") if not p.is_dir() or p.is_symlink())
        for p in paths:
            out[str(p)] = f"link to {os.readlink(p)}" if p.is_symlink() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def said(done) -> str:
    """What a run wrote to stderr, without the line breaks of the terminal's width."""
    return "".join(done.stderr.split())


def temporary_files(folder: Path) -> list[str]:
    return sorted(p.name for p in Path(folder).rglob(".*.tmp"))


@pytest.fixture(scope="module")
def office(tmp_path_factory, templates, macro_templates):
    """A county office's files: the workbooks units sent back -- broken ones among them -- the roster
    (.xlsx and .csv), last year's workbook of a unit and last year's county summary, and published
    reports to import (broken ones among them)."""
    root = tmp_path_factory.mktemp("office")
    sent, last, published = root / "回收", root / "上年", root / "年报"
    for folder in (sent, sent / "子文件夹", last, published):
        folder.mkdir()
    for i, (unit, level) in enumerate(UNITS):
        report = plausible_report(unit, level, YEAR, "2021", seed=40 + i)
        source, suffix = (macro_templates["2021"], ".xlsm") if i == 1 else (templates["2021"], ".xlsx")
        folder = sent / "子文件夹" if i == 2 else sent
        fill_workbook(source, folder / f"{unit} {YEAR}年报{suffix}", entries(report),
                      {**info_of(report), "info.date": datetime.date(YEAR + 1, 1, 10)}, report.texts)
        before = plausible_report(unit, level, YEAR - 1, "2021", seed=60 + i)
        fill_workbook(templates["2021"], last / f"{unit} {YEAR - 1}年报.xlsx", entries(before), info_of(before),
                      before.texts)
    whole = (sent / f"东河镇 {YEAR}年报.xlsx").read_bytes()
    (sent / "损坏的文件.xlsx").write_bytes(whole[: len(whole) // 2])
    (sent / "空文件.xlsx").write_bytes(b"")
    (sent / "改了扩展名的Word文档.xlsx").write_bytes(export_bytes(zequ_2022(), "docx"))
    (sent / "旧格式.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    (sent / f"~$东河镇 {YEAR}年报.xlsx").write_bytes(b"\0" * 165)
    (sent / "说明.txt").write_text("各单位报送材料", encoding="utf-8")
    roster = root / "单位名单.xlsx"
    roster.write_bytes(roster_bytes(tuple(RosterUnit(n, lv) for n, lv in UNITS)))
    roster_csv = root / "单位名单.csv"
    roster_csv.write_text("单位名称,单位层级\n" + "".join(f"{n},{lv}\n" for n, lv in UNITS), encoding="utf-8-sig")
    summary = root / f"某县{YEAR - 1}年汇总.xlsx"
    done = run("consolidate", last, "--year", YEAR - 1, "--unit", "某县", "-o", summary, "--jobs", 1)
    assert summary.exists(), done.stderr
    for fixture in ("zequ-town-2022-published.txt", "html-tables-rowspan-colspan-wrong-total-and-quote-2021.html"):
        shutil.copy(FIXTURES / fixture, published / fixture)
    (published / "泽曲镇年报.docx").write_bytes(export_bytes(zequ_2022(), "docx"))
    docx = (published / "泽曲镇年报.docx").read_bytes()
    (published / "损坏的文件.docx").write_bytes(docx[: len(docx) // 2])
    (published / "空文件.docx").write_bytes(b"")
    (published / "空文件.txt").write_bytes(b"")
    (published / "改了扩展名的工作簿.docx").write_bytes(whole)
    return {"root": root, "sent": sent, "last": last, "published": published, "roster": roster,
            "roster_csv": roster_csv, "summary": summary, "unit": sent / f"东河镇 {YEAR}年报.xlsx",
            "last_workbook": last / f"东河镇 {YEAR - 1}年报.xlsx"}


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


# --- (a) every command leaves its inputs byte-identical --------------------------------------------

COMMANDS = {
    "check": (lambda o, out: ["check", *files_in(o["sent"]), "--previous", o["last_workbook"]], {2}),
    "consolidate": (lambda o, out: ["consolidate", o["sent"], "--year", YEAR, "--roster", o["roster"],
                                    "--previous", o["summary"], "-o", out / "汇总.xlsx", "--long", out / "长表.csv",
                                    "--jobs", 2], {1}),
    "consolidate-csv-roster-parquet": (lambda o, out: ["consolidate", *files_in(o["sent"]), "--year", YEAR,
                                                       "--roster", o["roster_csv"], "--unit", "某县", "-o", out / "汇总.xlsx",
                                                       "--long", out / "长表.parquet", "--jobs", 1], {1}),
    "import": (lambda o, out: ["import", *files_in(o["published"]), "-o", out], {2}),
    "export-docx": (lambda o, out: ["export", *files_in(o["sent"]), "-o", out], {2}),
    "export-html": (lambda o, out: ["export", *files_in(o["sent"]), "-o", out, "--to", "html"], {2}),
    "distribute": (lambda o, out: ["distribute", "--roster", o["roster"], "--previous", o["summary"],
                                   "--year", YEAR, "-o", out], {0}),
    "distribute-csv-roster": (lambda o, out: ["distribute", "--roster", o["roster_csv"], "--year", YEAR,
                                              "-o", out, "--no-macros"], {0}),
    "roster": (lambda o, out: ["roster", o["roster"]], {0}),
    "roster-csv": (lambda o, out: ["roster", o["roster_csv"]], {0}),
}
WRITES_NOTHING = {"check", "roster", "roster-csv"}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_leaves_every_input_byte_identical(office, tmp_path, command):
    args, codes = COMMANDS[command]
    out = tmp_path / "输出"
    before = tree_digests(office["root"])
    done = run(*args(office, out), cwd=tmp_path)
    assert done.returncode in codes, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert tree_digests(office["root"]) == before
    if command in WRITES_NOTHING:
        assert list(tmp_path.iterdir()) == []
    else:  # it did its work, and left no temporary file
        assert files_in(out) and not temporary_files(out)


def test_a_summary_written_into_the_input_folder_is_never_read_back_as_an_input(office, tmp_path):
    """An output inside an input folder is fine while it is not read: the first run writes it; the
    next run would read it as a unit's workbook, so it is refused, even with --force."""
    sent = tmp_path / "回收"
    shutil.copytree(office["sent"], sent)
    summary = sent / "某县汇总.xlsx"
    first = run("consolidate", sent, "--year", YEAR, "--unit", "某县", "-o", summary, "--jobs", 1)
    assert first.returncode == 1, first.stderr
    written = summary.read_bytes()
    before = tree_digests(sent)
    again = run("consolidate", sent, "--year", YEAR, "--unit", "某县", "-o", summary, "--jobs", 1, "--force")
    assert again.returncode == 2 and REFUSED in said(again) and summary.name in said(again)
    assert summary.read_bytes() == written and tree_digests(sent) == before


def run_button(path: Path, function, name: str):
    """A classic Excel button on the workbook file `path`, opened in Excel under the full name `name`."""
    book = xw.Book(json=payload(path, name))
    book.set_mock_caller()
    try:
        function()
    finally:
        del xw.Book._mock_caller
    return book


def test_the_export_and_carry_over_buttons_leave_the_workbooks_byte_identical(office, tmp_path, templates):
    this_year = plausible_report("东河镇", "乡镇", YEAR, "2021", seed=40)
    folder = tmp_path / "填报"
    folder.mkdir()
    workbook = fill_workbook(templates["2021"], folder / f"东河镇 {YEAR}年报.xlsx", entries(this_year),
                             {**info_of(this_year), "info.previous_file": str(office["last_workbook"])},
                             this_year.texts)
    shutil.copy(office["sent"] / "损坏的文件.xlsx", folder)
    before = tree_digests(folder, office["last"])
    carried = run_button(workbook, excel.carry_over, str(workbook))
    assert office["last_workbook"].name in json.dumps(carried.json()["actions"], ensure_ascii=False)  # it was read
    run_button(workbook, excel.export, str(workbook))
    assert {k: v for k, v in tree_digests(folder, office["last"]).items() if not k.endswith(".docx")} == before
    assert [p.suffix for p in files_in(folder) if str(p) not in before] == [".docx"]


# --- (b) an output that is one of the inputs is refused --------------------------------------------

def alias(path: Path, spelling: str, where: Path) -> Path:
    """Another name for the file `path`: the path itself, a symbolic link or a hard link in `where`,
    or the same path spelt with a detour through its parent (a/../a/x.xlsx)."""
    if spelling == "same":
        return path
    if spelling == "dotdot":
        return path.parent / ".." / path.parent.name / path.name
    link = where / f"别名{path.suffix}"
    (link.symlink_to if spelling == "symlink" else link.hardlink_to)(path)
    return link


def _copy(office, tmp_path) -> dict:
    """The office's files copied, so that links and refusals never touch the shared ones."""
    root = tmp_path / "office"
    shutil.copytree(office["root"], root, symlinks=True)
    return {k: root / Path(v).relative_to(office["root"]) if isinstance(v, Path) else v for k, v in office.items()}


def _exported_html(o) -> Path:
    """An earlier export, left among the workbooks: `xxgk export 回收/* -o 回收` picks it up as an input."""
    name = f"东河镇{YEAR}年政府信息公开工作年度报告.html"
    done = run("export", o["unit"], "-o", o["sent"], "--to", "html")
    assert done.returncode == 0 and (o["sent"] / name).exists(), done.stdout + done.stderr
    return o["sent"] / name


def _imported_workbook(o) -> Path:
    done = run("import", o["published"] / "zequ-town-2022-published.txt", "-o", o["published"])
    assert (o["published"] / "泽曲镇 2022年报.xlsx").exists(), done.stdout + done.stderr
    return o["published"] / "泽曲镇 2022年报.xlsx"


# Each case: (the input to protect, the arguments given its other name).  With --force throughout:
# the refusal must not depend on the output already existing.
CASES = {
    "consolidate -o = a unit's workbook given": (
        lambda o: o["unit"], lambda o, a: ["consolidate", o["unit"], "--year", YEAR, "-o", a]),
    "consolidate -o = a workbook in an input folder": (
        lambda o: o["unit"], lambda o, a: ["consolidate", o["sent"], "--year", YEAR, "-o", a]),
    "consolidate -o = the roster": (
        lambda o: o["roster"],
        lambda o, a: ["consolidate", o["sent"], "--year", YEAR, "--roster", o["roster"], "-o", a]),
    "consolidate -o = last year's summary": (
        lambda o: o["summary"],
        lambda o, a: ["consolidate", o["sent"], "--year", YEAR, "--previous", o["summary"], "-o", a]),
    "consolidate --long = the roster": (
        lambda o: o["roster_csv"],
        lambda o, a: ["consolidate", o["sent"], "--year", YEAR, "--roster", o["roster_csv"],
                      "-o", o["root"] / "汇总.xlsx", "--long", a]),
    "distribute --roster = a workbook it writes": (
        lambda o: _move(o["roster"], o["root"] / "分发" / f"东河镇 {YEAR}年报.xlsx"),
        lambda o, a: ["distribute", "--roster", a, "--year", YEAR, "-o", o["root"] / "分发", "--no-macros"]),
    "distribute --previous = a workbook it writes": (
        lambda o: _move(o["summary"], o["root"] / "分发" / f"东河镇 {YEAR}年报.xlsx"),
        lambda o, a: ["distribute", "--roster", o["roster"], "--previous", a, "--year", YEAR,
                      "-o", o["root"] / "分发", "--no-macros"]),
    "import: a workbook it writes is among the reports": (
        _imported_workbook,
        lambda o, a: ["import", o["published"] / "zequ-town-2022-published.txt", a, "-o", o["published"]]),
    "export: a report it writes is among the workbooks": (
        _exported_html, lambda o, a: ["export", o["unit"], a, "-o", o["sent"], "--to", "html"]),
    "roster --template -o = the roster given": (
        lambda o: o["roster"], lambda o, a: ["roster", a, "--template", "-o", o["roster"]]),
}


def _move(source: Path, target: Path) -> Path:
    target.parent.mkdir(exist_ok=True)
    source.rename(target)
    return target


SPELLINGS = ("same", "symlink", "hardlink", "dotdot")
# Every command with every kind of name would be 40 runs of one comparison (toolkit.io.files.same_file,
# tested on its own below): the first two cases take all four, the others one each, in turn.
CASE_SPELLINGS = [(case, spelling) for i, case in enumerate(CASES)
                  for spelling in (SPELLINGS if i < 2 else [SPELLINGS[i % len(SPELLINGS)]])]


@pytest.mark.parametrize("case, spelling", CASE_SPELLINGS)
def test_an_output_that_is_an_input_is_refused_however_it_is_named(office, tmp_path, case, spelling):
    o = _copy(office, tmp_path)
    protect, args = CASES[case]
    target = protect(o)
    other = alias(target, spelling, o["root"])
    before = tree_digests(o["root"])
    done = run(*args(o, other), "--force", cwd=o["root"])
    assert done.returncode == 2, done.stdout + done.stderr
    assert REFUSED in said(done) and "Traceback" not in done.stderr
    assert tree_digests(o["root"]) == before  # the input, the link itself, everything as it was


def test_same_file_sees_one_file_under_every_name_and_two_files_as_two(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    a.write_bytes(b"1")
    b.write_bytes(b"1")  # the same bytes, another file
    (tmp_path / "link.xlsx").symlink_to(a)
    (tmp_path / "hard.xlsx").hardlink_to(a)
    (tmp_path / "sub").mkdir()
    for name in ("a.xlsx", "link.xlsx", "hard.xlsx", "sub/../a.xlsx", "./a.xlsx"):
        assert same_file(tmp_path / name, a), name
    assert not same_file(b, a)
    assert same_file(tmp_path / "sub/../new.xlsx", tmp_path / "new.xlsx")  # not there yet: by spelling
    assert not same_file(tmp_path / "new.xlsx", tmp_path / "other.xlsx")


# --- (c) an interrupted write leaves the old output or the new one, never a partial one ------------

INTERRUPTED = TESTS / "interrupted.py"


def run_interrupted(when: str, pattern: str, *args, cwd=None):
    """`xxgk ARGS` killed at one point (see tests/interrupted.py), in its own process group so
    that nothing it started outlives it."""
    env = {**os.environ, "COLUMNS": "160", "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, str(INTERRUPTED), when, pattern, "--", *map(str, args)], cwd=cwd,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=300)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return proc.returncode, err


def consolidate_args(o, out: Path, unit: str = "某县") -> list:
    return ["consolidate", o["sent"], "--year", YEAR, "--roster", o["roster"], "--unit", unit,
            "-o", out / "汇总.xlsx", "--long", out / "长表.csv", "--jobs", 1]


@pytest.fixture(scope="module")
def finished(office, tmp_path_factory):
    """What uninterrupted runs write: this run's summary and long table ("new"), and an earlier
    run's under another unit name ("old", other bytes) for the runs that overwrite them."""
    out = {}
    for which, unit in (("new", "某县"), ("old", "旧的汇总")):
        folder = tmp_path_factory.mktemp(which)
        done = run(*consolidate_args(office, folder, unit))
        assert done.returncode == 1, done.stderr
        out[which] = {"summary": (folder / "汇总.xlsx").read_bytes(), "long": (folder / "长表.csv").read_bytes()}
    assert out["new"]["summary"] != out["old"]["summary"]
    return out


SUMMARY_TMP, LONG_TMP = ".汇总.xlsx.*.tmp", ".长表.csv.*.tmp"
# Where the run dies (write:half = killed by the system when half the file is written), and which
# outputs are then new and whole; the others must be as they were (the earlier run's, or none).
KILL_POINTS = {
    "reading the third workbook": ("open:3", f"* {YEAR}年报.xls*", set()),
    "temporary summary just created": ("open:1", SUMMARY_TMP, set()),
    "half of the summary written": ("write:half", SUMMARY_TMP, set()),
    "summary written and synced, not yet moved": ("chmod", SUMMARY_TMP, set()),
    "summary about to be moved into place": ("replace", SUMMARY_TMP, set()),
    "temporary long table just created": ("open:1", LONG_TMP, {"summary"}),
    "half of the long table written": ("write:half", LONG_TMP, {"summary"}),
    "long table about to be moved into place": ("replace", LONG_TMP, {"summary"}),
}


@pytest.mark.parametrize("earlier", [False, True], ids=["no earlier output", "earlier output overwritten"])
@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_consolidation_killed_while_writing_leaves_the_old_output_or_the_new_one_whole(
        office, finished, tmp_path, point, earlier):
    when, pattern, new = KILL_POINTS[point]
    which = "summary" if pattern == SUMMARY_TMP else "long"
    if when == "write:half":
        when = f"write:{len(finished['new'][which]) // 2}"
    out = tmp_path / "汇总"
    out.mkdir()
    paths = {"summary": out / "汇总.xlsx", "long": out / "长表.csv"}
    if earlier:
        for name, path in paths.items():
            path.write_bytes(finished["old"][name])
    before = tree_digests(office["root"])
    code, err = run_interrupted(when, pattern, *consolidate_args(office, out), "--force")
    assert code in (-signal.SIGKILL, -signal.SIGXFSZ), f"the run was not killed at {point}: {code} {err}"
    assert tree_digests(office["root"]) == before
    for name, path in paths.items():
        if name in new:
            assert path.read_bytes() == finished["new"][name]
        elif earlier:
            assert path.read_bytes() == finished["old"][name]
        else:
            assert not path.exists()
    if pattern in (SUMMARY_TMP, LONG_TMP):  # the temporary file left shows where the run died
        leftover, = out.glob(pattern)
        size, whole = leftover.stat().st_size, len(finished["new"][which])
        assert size == (0 if when.startswith("open") else whole if when in ("chmod", "replace") else whole // 2)
    if paths["summary"].exists():  # whichever it is, a whole workbook
        assert read_workbook(paths["summary"]).report.unit in ("某县", "旧的汇总")


def test_after_an_interrupted_run_the_next_one_completes_and_the_leftover_can_go(office, finished, tmp_path):
    out = tmp_path / "汇总"
    code, _ = run_interrupted("open:1", SUMMARY_TMP, *consolidate_args(office, out))
    assert code == -signal.SIGKILL
    leftover, = out.glob(SUMMARY_TMP)  # the temporary file, in the output's folder, empty
    assert leftover.stat().st_size == 0 and not (out / "汇总.xlsx").exists()
    again = run(*consolidate_args(office, out))
    assert again.returncode == 1, again.stderr
    assert (out / "汇总.xlsx").read_bytes() == finished["new"]["summary"]


# --- atomic_stream on its own --------------------------------------------------------------------

def test_a_failure_in_the_middle_of_a_stream_leaves_the_old_file_and_no_temporary_file(tmp_path):
    out = tmp_path / "汇总.xlsx"
    out.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_stream(out, force=True) as fh:
            fh.write(b"new, half")
            raise RuntimeError("interrupted")
    assert out.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["汇总.xlsx"]
    with pytest.raises(KeyboardInterrupt):  # Ctrl+C in the middle
        with atomic_stream(tmp_path / "新.xlsx") as fh:
            fh.write(b"half")
            raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总.xlsx"]


def test_a_write_the_disk_refuses_midway_is_a_chinese_message_and_leaves_the_old_file(tmp_path):
    """The system refusing a write halfway (a full disk; here a file size limit, in a subprocess)."""
    out = tmp_path / "汇总.xlsx"
    out.write_bytes(b"old")
    code = ("import resource, sys\n"
            "from toolkit.io.files import OutputUnwritable, atomic_stream\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n"
            "try:\n"
            "    with atomic_stream(sys.argv[1], force=True) as fh:\n"
            "        for _ in range(100):\n"
            "            fh.write(b'x' * 100)\n"
            "            fh.flush()\n"
            "except OutputUnwritable as exc:\n"
            "    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "无法写入输出文件" in done.stdout and "汇总.xlsx" in done.stdout
    assert out.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["汇总.xlsx"]


def test_without_force_an_existing_output_is_kept_and_no_temporary_file_is_made(tmp_path):
    out = tmp_path / "汇总.xlsx"
    out.write_bytes(b"old")
    with pytest.raises(OutputExists):
        with atomic_stream(out) as fh:
            fh.write(b"new")
    assert out.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["汇总.xlsx"]
