"""Installing the toolkit as a user does, for the tests of what users install: the wheel built from a
copy of this checkout (so no stale build/ folder leaks into it), installed into a fresh virtualenv in
a temporary folder outside the repository, and commands run from there with an environment that
points nowhere near the checkout."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# What a user's copy of the source has: not the build's leftovers, the test tools or the virtualenv.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "node_modules", "build", "dist", "*.egg-info",
                                    "__pycache__", ".pytest_cache", "xxgk-demo", "out")


def build_wheel(folder: Path) -> Path:
    """The toolkit's wheel, as `pip wheel . --no-deps` builds it from a clean copy of the source."""
    source = folder / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE)
    out = folder / "dist"
    run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(out)], cwd=folder)
    wheel, = out.glob("xxgk_toolkit-*.whl")
    return wheel


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment like a fresh login's: this Python's folder first on PATH (the bundle is for it),
    HOME in a temporary folder, nothing on PYTHONPATH; pip's own settings kept (they say where the
    index and its cache are) unless `extra` changes them."""
    env = {"PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
           "HOME": str(home), "LANG": "C.UTF-8", "XLWINGS_LICENSE_KEY": "noncommercial"}
    for key in ("PIP_CONFIG_FILE", "PIP_FIND_LINKS", "PIP_DEFAULT_TIMEOUT", "PIP_CERT", "PIP_DISABLE_PIP_VERSION_CHECK",
                "SSL_CERT_FILE", "TMPDIR"):
        if key in os.environ:
            env[key] = os.environ[key]
    env.update(extra)
    return env


def make_venv(folder: Path) -> Path:
    venv.create(folder, with_pip=True, clear=True)
    return folder


def bin_of(env_dir: Path, name: str) -> Path:
    return env_dir / ("Scripts" if os.name == "nt" else "bin") / name


def run(command, cwd: Path, env: dict | None = None, check: bool = True, timeout: int = 900) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"{command} exited {done.returncode}\nstdout:\n{done.stdout[-4000:]}\n"
                             f"stderr:\n{done.stderr[-4000:]}")
    return done
