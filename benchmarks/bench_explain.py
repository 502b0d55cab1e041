"""How fast are the explanations? A script, not a test.

    python benchmarks/bench_explain.py            # full run (~5 s)
    python benchmarks/bench_explain.py --quick    # smoke run (a couple of seconds)

Three costs, measured apart:
1. The trace table (``trace_table(root).text()``) of the loss of an MLP(2, [4, 4, 1]) summed
   over more and more points: about 1,000, 4,000 and 16,000 nodes. Target: linear in the
   number of nodes, the microseconds per node of the slowest size within 2x of the fastest.
2. ``explain`` on a "ladder": y ← a + b with a = ½y and b = ½y, 1,500 times (7,501 nodes,
   labelled a{k}, b{k}, y{k}), so 2^1500 paths from the top to x. They are counted and summed
   level by level, and only the first MAX_PATHS are listed. Target: under 2 s.
3. ``derive`` for each of w1..w8 of the 2-2-2 network at SEED: milliseconds per formula.
"""

from __future__ import annotations

import argparse
import functools
import math
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _shared import (  # benchmarks/, this script's own folder
    loss_graph,
    median_seconds,
    row,
    verdict,
)

from tinygrad_edu import SEED, Net222, Value, topological_order
from tinygrad_edu.explain import MAX_PATHS, derive, explain, trace_table
from tinygrad_edu.testing import CLOSED_FORM_RTOL

TARGET_SPREAD = 2.0
TARGET_LADDER_S = 2.0
SIZES = (1_000, 4_000, 16_000)
QUICK_SIZES = (250, 500, 1_000)
LEVELS = 1_500
QUICK_LEVELS = 150


def ladder(levels: int) -> tuple[Value, Value]:
    """(x, y): y ← a + b with a = ½y, b = ½y, `levels` times; 2^levels paths, ∂y/∂x = 1."""
    x = Value(1.0, "x")
    y = x
    for k in range(levels):
        a, b = 0.5 * y, 0.5 * y
        a.label, b.label = f"a{k}", f"b{k}"
        y = a + b
        y.label = f"y{k}"
    y.backward()
    return x, y


def digits(n: int) -> int:
    """Decimal digits of n > 0, without str(n) (limited to 4,300 digits since Python 3.11)."""
    d = int((n.bit_length() - 1) * math.log10(2)) + 1
    return d + 1 if 10**d <= n else d


def table_text(root: Value) -> str:
    """The trace table of the graph below `root`, as aligned text."""
    return trace_table(root).text()


def trace_tables(sizes: tuple[int, ...], repeats: int) -> None:
    """Part 1: the trace table's time per node, for graphs of each size."""
    print("\nThe trace table of larger graphs (trace_table(root).text())")
    per_node = []
    for size in sizes:
        root = loss_graph(size)
        n = len(topological_order(root))
        seconds = median_seconds(functools.partial(table_text, root), repeats)
        per_node.append(seconds / n * 1e6)
        row(f"{n:,} nodes", f"{seconds * 1e3:.1f} ms", f"{seconds / n * 1e6:.2f} µs per node")
    spread = max(per_node) / min(per_node)
    row(
        "µs per node, largest/smallest",
        f"{spread:.2f}x",
        verdict(spread, TARGET_SPREAD, "<=") + " (about 1 when linear)",
    )


def ladder_explained(levels: int, repeats: int) -> None:
    """Part 2: explain on a ladder with 2^levels paths."""
    x, y = ladder(levels)
    n = len(topological_order(y))
    print(f"\nexplain on a ladder of {levels:,} levels ({n:,} nodes), y{levels - 1} down to x")
    seconds = median_seconds(functools.partial(explain, y, x), repeats)
    e = explain(y, x)
    row("explain(y, x)", f"{seconds:.3f} s", verdict(seconds, TARGET_LADDER_S))
    row("paths", f"2^{e.path_count.bit_length() - 1}", f"{digits(e.path_count)} digits")
    row("paths listed", f"{len(e.paths)}", f"MAX_PATHS = {MAX_PATHS}")
    row("sum over paths, x.grad", f"{e.total:g}, {x.grad:g}")
    start = time.perf_counter()
    text = e.text()
    row(".text()", f"{time.perf_counter() - start:.3f} s", f"{len(text.splitlines()):,} lines")
    counted = median_seconds(functools.partial(explain, y, x, max_paths=0), repeats)
    row("explain(y, x, max_paths=0)", f"{counted:.3f} s", "counting and summing only")


def derivations(repeats: int) -> None:
    """Part 3: derive for each weight of the 2-2-2 network."""
    print("\nderive(E_total, w) for w1..w8 of the 2-2-2 network at SEED")
    net = Net222(SEED.w)
    E_total = net(i=SEED.i, t=SEED.t)
    E_total.backward()
    start = time.perf_counter()
    derive(E_total, net.weights[0])
    first = time.perf_counter() - start
    row("first call, w1", f"{first * 1e3:.2f} ms", "cold: sympy's caches empty")
    times = []
    agree = 0
    for w in net.weights:
        seconds = median_seconds(functools.partial(derive, E_total, w), repeats)
        times.append(seconds)
        d = derive(E_total, w)
        agree += abs(d.evaluate() - w.grad) <= CLOSED_FORM_RTOL * abs(w.grad)
        row(f"derive {w.label}", f"{seconds * 1e3:.2f} ms", f"{len(d.text())} characters")
    row("mean per formula", f"{statistics.mean(times) * 1e3:.2f} ms")
    row("formulas equal to .grad", f"{agree}/{len(times)}", "at the graph's numbers")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small graphs, few repeats")
    args = parser.parse_args(argv)
    print(f"tinygrad_edu explanations benchmark: Python {platform.python_version()}")
    trace_tables(QUICK_SIZES if args.quick else SIZES, 2 if args.quick else 7)
    ladder_explained(QUICK_LEVELS if args.quick else LEVELS, 1 if args.quick else 3)
    derivations(3 if args.quick else 15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
