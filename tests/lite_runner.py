"""Runs xlwings Lite's scripts as the add-in does, in whatever Python runs this file: CPython (a
subprocess of tests/test_pyodide.py) or Pyodide (tests/pyodide_run.mjs).

The job (JSON) holds the text of main.py as a clerk pastes it into xlwings Lite's editor and the
cases: a script of main.py and the payload an Office.js client sends (tests/remote_book.py).  main.py
becomes the module `main`; each case builds xlwings' remote-engine Book from its payload, calls the
script through xlwings' own `custom_scripts_call` (as xlwings' Wasm runtime does, which returns
`book.json()` to Excel, or only the error when the script raises) and keeps `book.json()["actions"]`,
what the script printed (Lite's output pane) and the error it raised, if any, and also runs
the button's pure function (toolkit.ui.buttons) on the sheet values toolkit.excel reads from that Book,
keeping its Plan.  Besides the results: the scripts main.py offers (`custom_scripts_meta`) and the
modules that importing main.py and running the cases added to `sys.modules`.

Only the standard library is imported before main.py, so every installed module in that list came
from main.py and the buttons.  Installed means loaded from site-packages or from the job's
`sys_path` (the unpacked wheels of an isolated CPython): not the interpreter's own library, whose
extension modules (_json, pyexpat ...) come with every Python, Pyodide's included.

    python tests/lite_runner.py JOB.json OUT.json
"""
from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import io
import importlib.machinery
import json
import os
import site
import sys
import types

# The button behind each Lite script of toolkit.excel (toolkit.ui.buttons' function names).
BUTTONS = {"recompute_book": "recompute", "check_book": "check", "clear_marks_book": "clear_marks",
           "carry_over_book": "carry_over"}


async def run(job: dict) -> dict:
    sys.path[:0] = job.get("sys_path", [])
    roots = [os.path.join(os.path.abspath(p), "") for p in [*site.getsitepackages(), *job.get("sys_path", [])]]
    before = set(sys.modules)
    main = load_main(job["main_py"])
    import xlwings as xw
    from xlwings.server import custom_scripts_call, custom_scripts_meta

    results = []
    for case in job["cases"]:
        book = xw.Book(json=copy.deepcopy(case["payload"]))  # xlwings may change the dict it is given
        error, printed = None, io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                returned = await custom_scripts_call(main, case["script"], typehint_to_value={xw.Book: book})
            assert returned is book, f"{case['script']} returned {returned!r}, not the book"
        except Exception as exc:  # Lite would drop the writes and show this: an outcome to compare
            error = f"{type(exc).__name__}: {exc}"
        results.append({"id": case["id"], "actions": book.json()["actions"], "printed": printed.getvalue(),
                        "error": error, "plan": plan_of(case)})
    return {"python": sys.version.split()[0], "platform": sys.platform,
            "scripts": custom_scripts_meta(main), "results": results, "modules": modules_since(before, roots)}


def load_main(text: str) -> types.ModuleType:
    """main.py as xlwings Lite loads it: the module `main`."""
    main = types.ModuleType("main")
    main.__file__ = "main.py"
    sys.modules["main"] = main
    exec(compile(text, "main.py", "exec"), main.__dict__)
    return main


def plan_of(case: dict) -> dict:
    """The Plan of the case's button (toolkit.ui.buttons) on the values toolkit.excel reads from a fresh
    Book of the same payload; or the ButtonError's message."""
    import xlwings as xw
    from toolkit.ui import buttons
    from toolkit import excel

    sheets = excel.read(xw.Book(json=copy.deepcopy(case["payload"])))
    try:
        return {"plan": dataclasses.asdict(getattr(buttons, BUTTONS[case["script"]])(sheets))}
    except buttons.ButtonError as exc:
        return {"error": str(exc)}


def modules_since(before: set[str], roots: list[str]) -> dict:
    """The modules added since `before` that were loaded from under `roots`: their top-level names,
    and those that are compiled extensions (a file with an extension suffix); and every name added."""
    added = sorted(set(sys.modules) - before)
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    installed = [name for name in added
                 if os.path.abspath(getattr(sys.modules.get(name), "__file__", None) or "/").startswith(tuple(roots))]
    return {"installed": sorted({name.split(".")[0] for name in installed}),
            "compiled": [name for name in installed if sys.modules[name].__file__.endswith(suffixes)],
            "added": added}


def main_cli(job_path: str, out_path: str) -> None:
    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    out = asyncio.run(run(job))
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)


if __name__ == "__main__":
    main_cli(*sys.argv[1:3])
