"""What the benchmark scripts share: a median timer, an aligned report line, a verdict, and a
Value loss graph of a chosen size (with its model, which the pictures' clusters come from)."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from tinygrad_edu import MLP, Value, topological_order


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


def loss_graph(nodes: int, seed: int = 0) -> Value:
    """E = Σ ½(y − 1)² of an MLP(2, [4, 4, 1]) over random points: about `nodes` nodes."""
    return model_and_loss_graph(nodes, seed)[1]


def model_and_loss_graph(nodes: int, seed: int = 0) -> tuple[MLP, Value]:
    """The MLP(2, [4, 4, 1]) and the loss graph of `loss_graph`."""
    net = MLP(2, [4, 4, 1], seed=seed)
    rng = random.Random(seed)
    loss = Value(0.0, "E")
    while len(topological_order(loss)) < nodes:  # one point adds about 150 nodes
        (y,) = net([rng.uniform(-1, 1), rng.uniform(-1, 1)])
        loss = loss + 0.5 * (y - 1.0) ** 2
    loss.label = "E"
    loss.backward()
    return net, loss
