"""The benchmark scripts keep running (a smoke run; no timing is asserted: machines are noisy)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_bench_value_quick_run_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_value.py"), "--quick"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for figure in ("nodes per step", "microseconds per node", "bytes per node", "ratio"):
        assert re.search(rf"^  {figure}\s+[\d,.]+", done.stdout, re.MULTILINE), figure
