"""How fast, and in how little memory, the worst inputs are refused or finished.

    python benchmarks/worst_inputs.py

Builds, in a temporary folder: workbooks whose unit name, a figure cell and the 文字部分 hold long
text (Excel's most, 32,767 characters, and a hostile 5,000,000), run through `xxgk check` and
`xxgk consolidate --jobs 1` (with one good workbook); a 2 MB PDF whose page content inflates to
2 GiB (tests/big_inputs.py), a 200 MB one-line text file, a one-line text of more characters than a
report has, and the 泽曲镇 report repeated to just under that limit, run through `xxgk import`.
The inputs are built by a child process (a child's peak memory as the system counts it includes its
parent's at fork), then each command runs in its own process; printed: the wall time (start-up
included), the process's peak memory, and the outcome.  Targets: each refused or finished in under 5 s and under 300 MB.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from big_inputs import MIB, long_text_workbook, pdf_bomb  # noqa: E402
from toolkit.io.published.limits import REPORT_LIMITS  # noqa: E402
from toolkit.app.samples import plausible_report  # noqa: E402
from toolkit.io.workbook.template import template_bytes  # noqa: E402

TITLE = "泽曲镇2022年政府信息公开工作年度报告\n"
SAMPLE = ROOT / "tests" / "fixtures" / "published" / "zequ-town-2022-published.txt"


def measured(args: list[str]) -> tuple[float, float, str]:
    """(seconds, peak MB, outcome) of one command in a fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "COLUMNS": "300", "NO_COLOR": "1"})
    output = proc.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    lines = [x.strip() for x in output.splitlines() if x.strip()]
    said = next((x for x in lines if "拒绝" in x or "上限" in x or "共 " in x), lines[-1] if lines else "")
    return seconds, usage.ru_maxrss / 1024, f"exit {code}: {said[:150]}"


def build(tmp: Path) -> list[tuple[str, list[str], str]]:
    """The inputs, written into `tmp`, and the commands to run on them: (name, arguments, input)."""
    xxgk = shutil.which("xxgk") or str(Path(sys.executable).with_name("xxgk"))
    good = tmp / "西山乡.xlsx"
    good.write_bytes(template_bytes(report=plausible_report("西山乡", "乡镇", 2022, "2021", seed=2)))
    cases = []
    for length in (32_767, 5_000_000):
        path = tmp / f"长文字{length}.xlsx"
        path.write_bytes(long_text_workbook(length))
        name = f"{length:,}-character cells"
        cases.append((f"{name}: check", [xxgk, "check", str(path)], str(path)))
        cases.append((f"{name}: consolidate", [xxgk, "consolidate", str(path), str(good), "--year", "2022",
                                               "--unit", "某县", "-o", str(tmp / f"汇总{length}.xlsx"),
                                               "--jobs", "1"], str(path)))
    bomb = tmp / "炸弹.pdf"
    bomb.write_bytes(pdf_bomb(2048 * MIB))
    cases.append(("PDF bomb (2 GiB inflated): import", [xxgk, "import", str(bomb), "-o", str(tmp / "i1")], str(bomb)))
    big = tmp / "一行.txt"
    with open(big, "wb") as fh:
        fh.write(TITLE.encode())
        for _ in range(200):
            fh.write(b"x" * MIB)
    cases.append(("200 MB one-line text: import", [xxgk, "import", str(big), "-o", str(tmp / "i2")], str(big)))
    many = tmp / "字多.txt"
    many.write_text(TITLE + "公开" * (REPORT_LIMITS.characters // 2 + 1), encoding="utf-8")
    cases.append((f"{REPORT_LIMITS.characters:,}+ characters, one line: import",
                  [xxgk, "import", str(many), "-o", str(tmp / "i3")], str(many)))
    sample = SAMPLE.read_text(encoding="utf-8")
    repeated = tmp / "重复.txt"
    repeated.write_text(sample * (REPORT_LIMITS.characters // len(sample)), encoding="utf-8")
    cases.append(("the 泽曲镇 report repeated, just under the limit: import",
                  [xxgk, "import", str(repeated), "-o", str(tmp / "i4")], str(repeated)))
    return cases


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--build":
        print(json.dumps(build(Path(sys.argv[2]))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        built = subprocess.run([sys.executable, __file__, "--build", tmp], capture_output=True, text=True, check=True)
        cases = json.loads(built.stdout)
        print(f"built in {time.perf_counter() - started:.1f} s")
        print(f"{'input':<58}{'file':>10}{'time':>9}{'peak':>9}")
        for name, args, path in cases:
            seconds, peak, outcome = measured(args)
            print(f"{name:<58}{os.path.getsize(path) / MIB:>8.1f}MB{seconds:>7.2f} s{peak:>7.0f}MB")
            print(f"    {outcome}")


if __name__ == "__main__":
    main()
