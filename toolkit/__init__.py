"""xxgk-toolkit: China's 政府信息公开工作年度报告 as data.

For analysts, `toolkit.read_reports(paths)` gives the reports as a pandas DataFrame, one row per
unit × cell (toolkit/app/frames.py).  `import toolkit` stays cheap: toolkit.app.frames is imported when
read_reports is first asked for, and pandas when it is called.
"""

_LAZY = {"read_reports": "toolkit.app.frames", "UnreadableFilesWarning": "toolkit.app.frames"}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_LAZY])
