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


def test_bench_tensor_quick_run_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_tensor.py"), "--quick"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(re.findall(r"^  ratio\s+[\d.]+x", done.stdout, re.MULTILINE)) == 2
    for n in ("1", "64", "100,000"):
        assert re.search(rf"^  N = {n}\s+[\d.]+ ms", done.stdout, re.MULTILINE), n
