#!/usr/bin/python3
"""Drive headless LibreOffice through UNO for the tests.

Run with Debian's /usr/bin/python3 (UNO's bindings belong to it, not to the project's virtualenv):

    /usr/bin/python3 tests/lo_driver.py JOB.json

JOB.json holds {"tasks": [...]}; the results (one per task) are printed as JSON on stdout.  Tasks:

  {"op": "recalc", "in": F, "out": G}            load F, recalculate everything, save G as .xlsx
  {"op": "read", "in": F, "cells": [[sheet, "A1"], ...]}
        -> [{"value": number, "string": text, "formula": text, "error": code}, ...]
  {"op": "cf", "in": F, "sheet": S}
        -> [{"cells": ["D5", "D6:D7"], "formula": text, "fill": "FFC7CE", "true": bool}, ...]
           one item per conditional-format condition; "true" is its formula evaluated by
           LibreOffice in a spare cell of the sheet (for the first cell of its range)
  {"op": "sheet_info", "in": F}
        -> {sheet: {"protected": bool, "code_name": str}}
  {"op": "cell_info", "in": F, "sheet": S, "cells": ["A1", ...]}
        -> {"A1": {"locked": bool, "validation_type": int, "validation_error": text}}
  {"op": "resave", "in": F, "out": G}            load F and save it as G in the format of its suffix
        (.xlsm: "Calc MS Excel 2007 VBA XML", which keeps the VBA project; .xlsx: without macros)
  {"op": "insert_rows", "in": F, "out": G, "sheet": S, "before": ROW, "count": N}
        unprotect the sheet, insert N rows before ROW (1-based), save G as .xlsx
  {"op": "pdf", "in": F, "out": P, "sheets": [S, ...]}   export only these sheets to PDF
  {"op": "print_each", "in": F, "out": D}
        -> {"all": PDF, "sheets": {sheet: PDF}}: the workbook printed to PDF as it is (D/all.pdf, what
           printing the whole workbook gives), then each sheet it prints on its own (D/N.pdf)
  {"op": "controls", "in": F}
        -> {sheet: [{"name", "label", "events": ["Listener.method -> [type] code", ...]}]}
  {"op": "basic", "in": F}
        -> {"vba_mode": bool, "modules": {"lib.module": source}}
  {"op": "validation", "in": F, "sheet": S, "cells": ["J2", ...], "strings": {"J2": text, ...}, "out": G}
        -> {"cells": {"J2": {"kind", "formula", "show_list", "show_error", "error_style"}},
            "invalid": ["J3", ...]}: the cells' data validation; then `strings` typed in (as text,
           past the validation, as pasting does) and the cells LibreOffice's "mark invalid data"
           (detective) circles; saved as G (.xlsx) if "out" is given

Starts its own soffice on a private pipe and profile; kills only that process.
"""
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue

PIPE = "xxgk_tests_%d" % os.getpid()


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def start_office():
    profile = tempfile.mkdtemp(prefix="xxgk_lo_profile_")
    proc = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
         "-env:UserInstallation=file://" + profile,
         "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % PIPE],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % PIPE)
            return proc, ctx, profile
        except Exception:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("LibreOffice (soffice) did not start")


class Office:
    def __init__(self, ctx):
        self.ctx = ctx
        self.desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

    def load(self, path, macros=False):
        url = uno.systemPathToFileUrl(os.path.abspath(path))
        # MacroExecutionMode 4 loads and binds macros (nothing is run here); 0 never executes.
        return self.desktop.loadComponentFromURL(url, "_blank", 0, (
            prop("Hidden", True), prop("MacroExecutionMode", 4 if macros else 0)))

    @contextlib.contextmanager
    def opened(self, path, macros=False):
        """A loaded document, closed (without saving) whatever happens."""
        doc = self.load(path, macros)
        try:
            yield doc
        finally:
            doc.close(True)


def cell(doc, sheet, address):
    return doc.Sheets.getByName(sheet).getCellRangeByName(address)


def op_recalc(office, task):
    with office.opened(task["in"]) as doc:
        doc.calculateAll()
        url = uno.systemPathToFileUrl(os.path.abspath(task["out"]))
        doc.storeToURL(url, (prop("FilterName", "Calc MS Excel 2007 XML"),))
    return "ok"


def op_read(office, task):
    with office.opened(task["in"]) as doc:
        doc.calculateAll()
        out = []
        for sheet, address in task["cells"]:
            c = cell(doc, sheet, address)
            out.append({"value": c.getValue(), "string": c.getString(), "formula": c.getFormula(),
                        "error": c.getError()})
        return out


def op_cf(office, task):
    with office.opened(task["in"]) as doc:
        sheet = doc.Sheets.getByName(task["sheet"])
        sheet.unprotect("")
        styles = doc.StyleFamilies.getByName("CellStyles")
        scratch = sheet.getCellRangeByName(task.get("scratch", "ZZ1000"))
        out = []
        for fmt in sheet.getPropertyValue("ConditionalFormats").getConditionalFormats():
            ranges = fmt.getPropertyValue("Range").getRangeAddressesAsString()
            for i in range(fmt.getCount()):
                entry = fmt.getByIndex(i)
                formula = entry.getPropertyValue("Formula1")
                # the API grammar separates arguments with ";" (our formulas hold no quoted commas)
                scratch.setFormula("=" + formula.replace(",", ";"))
                doc.calculateAll()
                style = entry.getPropertyValue("StyleName")
                out.append({
                    "cells": [r.split(".")[-1].replace("$", "") for r in ranges.split(",")],
                    "formula": formula,
                    "fill": "%06X" % styles.getByName(style).CellBackColor,
                    # the test's result, for the range's first cell (relative references as written)
                    "true": bool(scratch.getValue()) if scratch.getError() == 0 else None,
                })
        return out


def op_sheet_info(office, task):
    with office.opened(task["in"], macros=True) as doc:
        out = {}
        for i in range(doc.Sheets.Count):
            sh = doc.Sheets.getByIndex(i)
            code_name = ""
            try:
                code_name = sh.CodeName
            except Exception:
                pass
            out[sh.Name] = {"protected": bool(sh.isProtected()), "code_name": code_name}
        return out


def op_cell_info(office, task):
    with office.opened(task["in"]) as doc:
        sheet = doc.Sheets.getByName(task["sheet"])
        out = {}
        for address in task["cells"]:
            c = sheet.getCellRangeByName(address)
            validation = c.getPropertyValue("Validation")
            out[address] = {
                "locked": bool(c.getPropertyValue("CellProtection").IsLocked),
                "validation_type": int(validation.Type.value != "ANY") if hasattr(validation.Type, "value") else int(validation.Type),
                "validation_kind": str(validation.Type.value) if hasattr(validation.Type, "value") else str(validation.Type),
                "validation_error": validation.ErrorMessage,
                "show_error": bool(validation.ShowErrorMessage),
            }
        return out


SAVE_FILTERS = {".xlsx": "Calc MS Excel 2007 XML", ".xlsm": "Calc MS Excel 2007 VBA XML"}


def op_resave(office, task):
    with office.opened(task["in"]) as doc:
        url = uno.systemPathToFileUrl(os.path.abspath(task["out"]))
        doc.storeToURL(url, (prop("FilterName", SAVE_FILTERS[os.path.splitext(task["out"])[1].lower()]),))
    return "ok"


def op_insert_rows(office, task):
    with office.opened(task["in"]) as doc:
        sheet = doc.Sheets.getByName(task["sheet"])
        sheet.unprotect("")
        sheet.Rows.insertByIndex(task["before"] - 1, task.get("count", 1))
        url = uno.systemPathToFileUrl(os.path.abspath(task["out"]))
        doc.storeToURL(url, (prop("FilterName", "Calc MS Excel 2007 XML"),))
    return "ok"


def op_pdf(office, task):
    with office.opened(task["in"]) as doc:
        keep = set(task["sheets"])
        for name in list(doc.Sheets.ElementNames):
            if name not in keep:
                doc.Sheets.removeByName(name)
        doc.calculateAll()
        url = uno.systemPathToFileUrl(os.path.abspath(task["out"]))
        doc.storeToURL(url, (prop("FilterName", "calc_pdf_Export"),))
    return "ok"


def op_print_each(office, task):
    with office.opened(task["in"]) as doc:
        doc.calculateAll()
        os.makedirs(task["out"], exist_ok=True)

        def export(name):
            path = os.path.join(os.path.abspath(task["out"]), name)
            doc.storeToURL(uno.systemPathToFileUrl(path), (prop("FilterName", "calc_pdf_Export"),))
            return path

        out = {"all": export("all.pdf"), "sheets": {}}
        sheets = [doc.Sheets.getByIndex(i) for i in range(doc.Sheets.Count)]
        shown = [sh for sh in sheets if sh.IsVisible]
        for n, sh in enumerate(shown):
            for other in shown:  # the sheet itself shown first: one sheet stays visible throughout
                if other is not sh:
                    other.IsVisible = False
            out["sheets"][sh.Name] = export("%d.pdf" % n)
            for other in shown:
                other.IsVisible = True
        return out


def op_controls(office, task):
    with office.opened(task["in"], macros=True) as doc:
        out = {}
        for i in range(doc.Sheets.Count):
            sh = doc.Sheets.getByIndex(i)
            found = []
            forms = sh.DrawPage.Forms
            for f_i in range(forms.Count):
                form = forms.getByIndex(f_i)
                for c_i in range(form.Count):
                    control = form.getByIndex(c_i)
                    events = ["%s.%s -> [%s] %s" % (ev.ListenerType, ev.EventMethod, ev.ScriptType, ev.ScriptCode)
                              for ev in form.getScriptEvents(c_i)]
                    label = ""
                    try:
                        label = control.Label
                    except Exception:
                        pass
                    found.append({"name": control.Name, "label": label, "events": events})
            out[sh.Name] = found
        return out


def op_basic(office, task):
    with office.opened(task["in"], macros=True) as doc:
        libs = doc.BasicLibraries
        modules = {}
        for lname in libs.ElementNames:
            libs.loadLibrary(lname)
            lib = libs.getByName(lname)
            for mname in lib.ElementNames:
                modules["%s.%s" % (lname, mname)] = lib.getByName(mname)
        mode = False
        try:
            mode = bool(libs.VBACompatibilityMode)
        except Exception:
            pass
        return {"vba_mode": mode, "modules": modules}


def op_validation(office, task):
    with office.opened(task["in"]) as doc:
        sheet = doc.Sheets.getByName(task["sheet"])
        out = {"cells": {}, "invalid": []}
        for address in task["cells"]:
            v = sheet.getCellRangeByName(address).getPropertyValue("Validation")
            out["cells"][address] = {"kind": str(v.Type.value), "formula": v.getFormula1(), "show_list": int(v.ShowList),
                                     "show_error": bool(v.ShowErrorMessage), "error_style": str(v.ErrorAlertStyle.value)}
        typed = task.get("strings", {})
        for address, text in typed.items():
            sheet.getCellRangeByName(address).setString(text)
        page = sheet.DrawPage
        before = page.Count
        sheet.showInvalid()
        for i in range(before, page.Count):  # the detective's circles, each around one cell
            shape = page.getByIndex(i)
            middle_x = shape.Position.X + shape.Size.Width // 2
            middle_y = shape.Position.Y + shape.Size.Height // 2
            for address in typed:
                c = sheet.getCellRangeByName(address)
                if (c.Position.X <= middle_x <= c.Position.X + c.Size.Width
                        and c.Position.Y <= middle_y <= c.Position.Y + c.Size.Height):
                    out["invalid"].append(address)
        sheet.clearArrows()
        if task.get("out"):
            url = uno.systemPathToFileUrl(os.path.abspath(task["out"]))
            doc.storeToURL(url, (prop("FilterName", "Calc MS Excel 2007 XML"),))
        return out


OPS = {name[3:]: fn for name, fn in globals().items() if name.startswith("op_")}


def main():
    with open(sys.argv[1], encoding="utf-8") as fh:
        job = json.load(fh)
    proc, ctx, profile = start_office()
    office = Office(ctx)
    results = []
    try:
        for task in job["tasks"]:
            try:
                results.append({"ok": True, "result": OPS[task["op"]](office, task)})
            except Exception as exc:  # reported to the test, which fails with it
                results.append({"ok": False, "error": "%s: %s" % (type(exc).__name__, exc)})
    finally:
        try:
            office.desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
