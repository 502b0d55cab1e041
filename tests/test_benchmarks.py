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


def test_the_entry_point_runs_every_benchmark_once_and_writes_its_results(tmp_path: Path) -> None:
    # Tiny sizes, one round, no peers (CI installs neither micrograd nor torch), the scripts
    # left to the tests above; --jobs 4 runs comparisons side by side, fine when nothing counts.
    out = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--no-peers", "--no-scripts",
         "--jobs", "4", "--out", str(out)],
        cwd=BENCHMARKS.parent, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    table = text.split("## Issue 13's table", 1)[1].split("\n\n", 2)[1]
    assert table.startswith("| measure | now | target | met? |")
    assert len(table.splitlines()) == 2 + 8, table  # header, rule, the eight rows
    assert "skipped (--no-peers)" in text and "failed" not in text
    for section in ("## The machine", "## Scalar MLP", "## Bytes per node", "## Checks"):
        assert section in text, section
    assert "**no** (tolerance" not in text  # every engine's first loss agreed


def test_bench_gradcheck_quick_run_counts_false_failures_and_catches() -> None:
    out = quick_run("bench_gradcheck.py")
    for family in ("catalogue", "expressions", "mlps", "total"):
        assert re.search(rf"^  {family}\s+[\d,]+\s+[\d,]+\s+[\d.e+-]+", out, re.MULTILINE), family
    assert re.search(r"^  false failures  0  \(target 0\)  ok", out, re.MULTILINE), out
    assert re.search(r"^  catch rate      100\.00%", out, re.MULTILINE), out
