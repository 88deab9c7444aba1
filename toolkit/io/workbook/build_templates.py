"""Rebuild the templates in workbook_templates/ from the format descriptions:

    python -m toolkit.io.workbook.build_templates

A test fails when the committed templates differ from what this builds now.
"""
from __future__ import annotations

from pathlib import Path

from toolkit.io.files import atomic_write
from toolkit.core.formats import VERSIONS
from toolkit.io.resources import TEMPLATES_DIR
from toolkit.io.workbook.macro_workbook import macro_workbook_bytes
from toolkit.io.workbook.template import template_bytes


def template_files() -> dict[Path, bytes]:
    """Every template file and the bytes it should hold: the plain workbook (.xlsx) and the
    macro-enabled one with buttons (.xlsm), for each format version."""
    files = {}
    for v in VERSIONS:
        files[TEMPLATES_DIR / f"xxgk-template-{v}.xlsx"] = template_bytes(v)
        files[TEMPLATES_DIR / f"xxgk-template-{v}.xlsm"] = macro_workbook_bytes(v)
    return files


def main() -> None:
    for path, data in template_files().items():
        atomic_write(path, data, force=True)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
