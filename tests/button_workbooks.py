"""The workbooks the Excel buttons are tested on: filled as a user would (from the macro-enabled
template), then recalculated and saved by LibreOffice, as Excel would show them to a button.

One set for tests/test_buttons.py (xlwings' remote engine in CPython) and tests/test_pyodide.py
(the same payloads in Pyodide), built once per test session (`session_files`).
"""
from __future__ import annotations

from pathlib import Path

from conftest import fill_workbook, run_libreoffice
from toolkit.app.samples import plausible_report, zequ_2022
from workbooks import entries, info_of

T3 = "表三 依申请公开"
LAST_YEAR = plausible_report("东河镇", "乡镇", 2024, "2021", seed=21)
THIS_YEAR = plausible_report("东河镇", "乡镇", 2025, "2021", seed=22)


_BUILT: dict[tuple, dict[str, Path]] = {}


def session_files(tmp_path_factory, macro_templates: dict[str, Path], templates: dict[str, Path]) -> dict[str, Path]:
    """The workbooks, built on the first call of the session and the same files after (LibreOffice
    takes seconds; both test modules read the same files)."""
    key = (tuple(sorted(macro_templates.items())), tuple(sorted(templates.items())))
    if key not in _BUILT:
        _BUILT[key] = build(tmp_path_factory.mktemp("buttons"), macro_templates, templates)
    return _BUILT[key]


def build(folder: Path, macro_templates: dict[str, Path], templates: dict[str, Path]) -> dict[str, Path]:
    """Every button workbook by key, saved by LibreOffice into `folder` (`last-year` is a plain
    .xlsx in a folder whose name has spaces and brackets, as clerks' folders have)."""
    last_year_dir = folder / "上年 (备份)"
    last_year_dir.mkdir()
    last_year = fill_workbook(templates["2021"], last_year_dir / "东河镇 2024年报 (1).xlsx", entries(LAST_YEAR),
                              info_of(LAST_YEAR))
    zequ = zequ_2022()
    consistent = plausible_report("北关街道", "街道", 2020, "2019", seed=12)
    m2019, m2021 = macro_templates["2019"], macro_templates["2021"]
    typed = {
        "zequ": fill_workbook(m2019, folder / "zequ.xlsm", entries(zequ), info_of(zequ)),
        "consistent-2019": fill_workbook(m2019, folder / "consistent-2019.xlsm", entries(consistent),
                                         info_of(consistent)),
        "total-typed-over": fill_workbook(m2021, folder / "total-typed-over.xlsm", entries(THIS_YEAR),
                                          info_of(THIS_YEAR), raw={(T3, "J5"): 99}),
        "text-number": fill_workbook(m2021, folder / "text-number.xlsm",
                                     {**entries(THIS_YEAR), "t3.new.natural": "１７件"}, info_of(THIS_YEAR)),
        "this-year": fill_workbook(m2021, folder / "this-year.xlsm", entries(THIS_YEAR),
                                   {**info_of(THIS_YEAR), "info.previous_file": f"  “{last_year}”  "}),
        "last-year-figures-kept": fill_workbook(
            m2021, folder / "kept.xlsm", entries(THIS_YEAR),
            {**info_of(THIS_YEAR), "prev.t3.forward.natural": 5, "prev.t3.forward.legal": 3}),
        "wrong-year": fill_workbook(m2021, folder / "wrong-year.xlsm", entries(THIS_YEAR),
                                    {**info_of(THIS_YEAR), "info.year": 2027, "info.previous_file": str(last_year)}),
        "relative-path": fill_workbook(m2021, folder / "relative.xlsm", entries(THIS_YEAR),
                                       {**info_of(THIS_YEAR), "info.previous_file": "东河镇 2024年报 (1).xlsx"}),
    }
    saved = {k: folder / f"{k}-saved.xlsx" for k in typed}
    run_libreoffice([{"op": "recalc", "in": str(typed[k]), "out": str(saved[k])} for k in typed])
    saved["last-year"] = last_year
    return saved
