"""The benchmark scripts keep running (a smoke run; no timing is asserted: machines are noisy)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def quick_run(script: str) -> str:
    """The output of ``python benchmarks/<script> --quick``, which must exit 0."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_bench_value_quick_run_prints_its_figures() -> None:
    out = quick_run("bench_value.py")
    for figure in ("nodes per step", "microseconds per node", "bytes per node", "ratio"):
        assert re.search(rf"^  {figure}\s+[\d,.]+", out, re.MULTILINE), figure


def test_bench_tensor_quick_run_prints_its_figures() -> None:
    out = quick_run("bench_tensor.py")
    assert len(re.findall(r"^  ratio\s+[\d.]+x", out, re.MULTILINE)) == 2
    for n in ("1", "64", "100,000"):
        assert re.search(rf"^  N = {n}\s+[\d.]+ ms", out, re.MULTILINE), n


def test_bench_viz_quick_run_prints_its_figures() -> None:
    out = quick_run("bench_viz.py")
    assert re.search(r"build DOT, [\d,]+ nodes\s+[\d.]+ ms", out), out
    assert re.search(r"render SVG, graph\s+[\d.]+ s", out), out


def test_bench_explain_quick_run_prints_its_figures() -> None:
    out = quick_run("bench_explain.py")
    assert "trace_table" in out and "derive" in out
    assert re.search(r"µs per node", out), out
