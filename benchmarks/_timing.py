"""What the benchmark scripts share: a median timer, an aligned report line, a verdict."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_seconds(fn: Callable[[], Any], repeats: int) -> float:
    """Median wall time of `repeats` calls of `fn` (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def row(name: str, value: str, note: str = "") -> None:
    """One aligned line of the report."""
    print(f"  {name:<30}{value:>12}  {note}".rstrip())


def verdict(measured: float, target: float, op: str = "<") -> str:
    """'target < X  ok' or 'target < X  MISSED' (or with <=)."""
    ok = measured < target if op == "<" else measured <= target
    return f"target {op} {target:g}  {'ok' if ok else 'MISSED'}"
