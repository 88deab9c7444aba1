"""Where the toolkit's files that are not Python are: the VBA sources of the buttons and the built
blank templates.

Their source of truth is the repository's top-level folders macros/ and workbook_templates/ (the
design card).  A wheel carries copies of them inside the package, as toolkit/macros and
toolkit/workbook_templates (pyproject.toml maps the folders there), so an installed toolkit has
everything its commands need; a source checkout (an editable install) reads the folders themselves.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # toolkit/, where a wheel puts macros/ and workbook_templates/
CHECKOUT_DIR = PACKAGE_DIR.parent


def data_dir(name: str) -> Path:
    """The folder `name` (macros, workbook_templates): inside the installed package, else the checkout's."""
    installed = PACKAGE_DIR / name
    return installed if installed.is_dir() else CHECKOUT_DIR / name


MACROS_DIR = data_dir("macros")
TEMPLATES_DIR = data_dir("workbook_templates")
