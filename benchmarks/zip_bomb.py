"""How fast, and in how little memory, zip bombs are refused.

    python benchmarks/zip_bomb.py [--gib 1]

Builds three workbooks from a filled standard workbook: one with a part of `--gib` GiB of zeros
deflated (about 1,000:1), one whose directory points 2,000 entries at one stored 1 MiB body (no
suspicious ratio, 2 GiB in all), and one with 10,001 extra parts; then runs `xxgk check` on each
in its own process and prints the wall time (start-up included) and the process's peak memory.
Targets: refused in under a second, under 100 MB peak.  Also prints how long the refusal itself
takes inside a running process (toolkit.io.intake.open_package).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bad_files import MIB, overlapping_bomb, with_parts, zip_bomb  # noqa: E402
from toolkit.io.intake import RefusedFile, open_package  # noqa: E402
from toolkit.app.samples import plausible_report  # noqa: E402
from toolkit.io.workbook.template import template_bytes  # noqa: E402


def refuse(xxgk: str, path: Path) -> tuple[float, float, str]:
    """(seconds, peak MB, last line of output) of `xxgk check path` in a fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen([xxgk, "check", str(path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "COLUMNS": "300", "NO_COLOR": "1"})
    output = proc.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    line = next((x for x in output.splitlines() if "拒绝" in x), output.strip().splitlines()[-1])
    return seconds, usage.ru_maxrss / 1024, f"exit {proc.returncode}: {line.strip()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=1.0, help="size of the zeros bomb, GiB (default 1)")
    args = parser.parse_args()
    xxgk = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
    good = template_bytes(report=plausible_report("东河镇", "乡镇", 2022, "2021", seed=1))
    with tempfile.TemporaryDirectory() as tmp:
        bombs = {}
        started = time.perf_counter()
        size = int(args.gib * 1024) * MIB
        bombs[f"{args.gib:g} GiB of zeros"] = zip_bomb(good, size)
        bombs["2,000 overlapping entries"] = overlapping_bomb(good, 2000, MIB)
        bombs["10,001 extra parts"] = with_parts(good, add={f"customXml/item{n}.xml": b"<a/>" for n in range(10_001)})
        print(f"built in {time.perf_counter() - started:.1f} s")
        print(f"{'bomb':<28}{'file':>10}{'unpacks to':>14}{'refused in':>12}{'peak':>10}  in-process")
        for name, data in bombs.items():
            path = Path(tmp) / f"{name}.xlsx"
            path.write_bytes(data)
            with zipfile.ZipFile(path) as z:
                unpacked = sum(i.file_size for i in z.infolist())
            start = time.perf_counter()
            try:
                open_package(path).close()
                inside = "NOT REFUSED"
            except RefusedFile:
                inside = f"{(time.perf_counter() - start) * 1000:.1f} ms"
            seconds, peak, line = refuse(xxgk, path)
            print(f"{name:<28}{len(data) / MIB:>8.1f}MB{unpacked / MIB:>12,.0f}MB{seconds:>10.2f} s{peak:>8.0f}MB  {inside}")
            print(f"    {line}")


if __name__ == "__main__":
    main()
