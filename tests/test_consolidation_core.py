"""The consolidation's decisions on their own (pure core, Submissions made by hand), and the atomic
writing every output goes through."""
import os

import pytest

from toolkit.core.consolidation import ACCEPTED, REJECTED, Submission, consolidate, summary_cells, summary_level
from toolkit.io.files import OutputExists, OutputUnwritable, atomic_stream, atomic_write
from toolkit.core.roster import Roster, RosterUnit


def unit(name, path, date="", modified=0.0, level="乡镇", year=2025, value=1):
    values = tuple(value for _ in summary_cells("2021"))
    return Submission(path, modified, unit=name, level=level, year=year, format="2021", date=date, values=values)


def test_the_later_date_counts_then_the_later_file():
    subs = [unit("东河镇", "a.xlsx", "2026-01-10", modified=5, value=1),
            unit("东河镇", "b.xlsx", "2026-01-12", modified=1, value=2),
            unit("东 河镇", "c.xlsx", "2026-01-12", modified=3, value=3),  # same unit, same date, saved later
            unit("西山乡", "d.xlsx", value=4)]
    c = consolidate(subs, 2025, "2021", unit="某县")
    status = {f.submission.path: (f.status, f.reason) for f in c.files}
    assert status["c.xlsx"] == (ACCEPTED, "") and status["d.xlsx"][0] == ACCEPTED
    assert status["a.xlsx"][0] == status["b.xlsx"][0] == REJECTED and "c.xlsx" in status["a.xlsx"][1]
    assert c.report.values["t3.new.natural"] == 3 + 4
    assert c.accounting == "共 4 个文件 = 汇总 2 个 + 未汇总 2 个"


def test_dates_typed_as_text_are_compared_as_dates():
    # 填报日期 typed as text (2025.2.1 stays text in Excel): compared as text, February came after October
    subs = [unit("东河镇", "february.xlsx", "2026.2.1", modified=9, value=1),
            unit("东河镇", "october.xlsx", "2025.10.15", modified=1, value=2),
            unit("西山乡", "iso.xlsx", "2026-01-05", modified=1, value=3),
            unit("西山乡", "words.xlsx", "2026年1月20日", modified=0, value=4),
            unit("北关街道", "unreadable-date.xlsx", "年初", modified=9, value=5),
            unit("北关街道", "dated.xlsx", "2026/1/3", modified=1, value=6)]
    c = consolidate(subs, 2025, "2021", unit="某县")
    kept = {f.submission.path for f in c.files if f.status == ACCEPTED}
    assert kept == {"february.xlsx", "words.xlsx", "dated.xlsx"}


def test_the_roster_decides_the_order_and_who_is_missing():
    roster = Roster(None, (RosterUnit("西山乡", "乡镇"), RosterUnit("东河镇", "乡镇"), RosterUnit("南湖镇", "乡镇")))
    c = consolidate([unit("东河镇", "a.xlsx", level="街道"), unit("西山乡", "b.xlsx"), unit("外县", "x.xlsx")],
                    2025, "2021", unit="某县", roster=roster)
    assert [s.unit for s in c.accepted] == ["西山乡", "东河镇"]
    assert [u.name for u in c.missing] == ["南湖镇"]
    outcome = {f.submission.path: f for f in c.files}
    assert outcome["x.xlsx"].status == REJECTED and "不在单位名单上" in outcome["x.xlsx"].reason
    assert outcome["a.xlsx"].remarks == ("单位层级填为“街道”，名单中为“乡镇”",)
    assert not c.complete


def test_summary_levels():
    assert summary_level(["乡镇", "县级部门"]) == "县级汇总"
    assert summary_level(["县级汇总", "市级部门"]) == "市级汇总"
    assert summary_level(["市级汇总"]) == "省级汇总"
    assert summary_level([]) == "县级汇总"


def test_an_output_is_whole_or_not_there(tmp_path):
    out = tmp_path / "汇总.xlsx"
    with pytest.raises(RuntimeError):
        with atomic_stream(out) as fh:
            fh.write(b"half of it")
            raise RuntimeError("the disk is full")
    assert list(tmp_path.iterdir()) == []
    out.write_bytes(b"last year's")
    with pytest.raises(OutputExists):
        with atomic_stream(out) as fh:
            fh.write(b"new")
    with pytest.raises(RuntimeError):
        with atomic_stream(out, force=True) as fh:
            fh.write(b"new, half")
            raise RuntimeError("interrupted")
    assert out.read_bytes() == b"last year's" and list(tmp_path.iterdir()) == [out]
    with atomic_stream(out, force=True) as fh:
        fh.write(b"new")
    assert out.read_bytes() == b"new"


def test_an_output_gets_the_permissions_of_an_ordinary_new_file(tmp_path):
    mask = os.umask(0)
    os.umask(mask)
    out = atomic_write(tmp_path / "汇总.xlsx", b"data")
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask  # not the temporary file's owner-only 0o600


def test_an_output_that_cannot_be_written_is_said_in_chinese_and_leaves_nothing(tmp_path):
    not_a_folder = tmp_path / "名单.csv"
    not_a_folder.write_text("x")
    with pytest.raises(OutputUnwritable, match="无法写入输出文件.*汇总.xlsx"):
        atomic_write(not_a_folder / "汇总.xlsx", b"data")
    with pytest.raises(OutputUnwritable, match="已有同名的文件夹"):
        atomic_write(tmp_path, b"data", force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["名单.csv"]


def test_figures_are_kept_packed_and_read_back_exactly():
    """20,000 units' figures are kept until the summary is written: packed, each unit's take a tenth
    of a tuple's memory, and read back (also after the trip from a worker process) exactly."""
    import pickle
    import sys

    from toolkit.core.figures import Figures

    values = tuple([0] * 150 + [1, 17, 2_000_000_000, 12.5, 0.1 + 0.2, None, -3] + [0] * 43)
    figures = Figures(values)
    assert tuple(figures) == values and figures == values and len(figures) == len(values)
    assert [figures[i] for i in range(len(values))] == list(values) and figures[-1] == 0
    back = pickle.loads(pickle.dumps(figures))
    assert back == values and type(back[153]) is float and type(back[152]) is int
    packed = sys.getsizeof(figures._packed) + sys.getsizeof(figures)
    assert packed * 5 < sys.getsizeof(values) + sum(sys.getsizeof(v) for v in values if isinstance(v, float))
    sub = Submission("a.xlsx", values=values)
    assert isinstance(sub.values, Figures) and sub.values == values
    assert not hasattr(sub, "__dict__")  # slots: no per-object dictionary either
