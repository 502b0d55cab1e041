"""How fast and how small is the scalar engine? A script, not a test.

    python benchmarks/bench_value.py            # full run (~30 s)
    python benchmarks/bench_value.py --quick    # smoke run (a few seconds)

Prints, for one training step of MLP(2, [16, 16, 1]) on 100 points: nodes, microseconds per
node, bytes per node; and the 2-2-2 step time divided by the plain-Python closed-form step.
Everything runs with the default garbage-collector settings, since that is what users get.

Baselines are measured in the same run, so the ratios hold on any machine:
- the closed-form step: the derivation's formulas in plain Python (``closed_form`` on floats);
- a closure-per-node engine: the classic teaching design (each node keeps a ``_backward``
  closure that refers back to the node, and the graph is sorted recursively), written below
  only to be measured against.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import math
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tinygrad_edu import MLP, SEED, SGD, Net222, Value, closed_form, topological_order
from tinygrad_edu.net222 import WEIGHT_NAMES

TARGET_US_PER_NODE = 3.0
TARGET_BYTES_PER_NODE = 250.0
TARGET_RATIO_222 = 30.0


# --- the workload -----------------------------------------------------------------------------


def make_data(n: int, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    """`n` points in [-1, 1]² labelled 1 in the first and third quadrants, else 0."""
    rng = random.Random(seed)
    xs = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(n)]
    ys = [1.0 if x[0] * x[1] > 0 else 0.0 for x in xs]
    return xs, ys


def mlp_step(net: MLP, opt: SGD, xs: list[list[float]], ys: list[float]) -> Value:
    """One step: E = Σ ½(y − t)² over the points, backward, SGD update; returns E."""
    opt.zero_grad()
    loss: Value | float = 0.0
    for x, t in zip(xs, ys):
        (y,) = net(x)
        loss = loss + 0.5 * (y - t) ** 2
    assert isinstance(loss, Value)
    loss.backward()
    opt.step()
    return loss


def median_seconds(fn: Callable[[], Any], repeats: int, number: int = 1) -> float:
    """Median over `repeats` of the mean time of `number` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


# --- a closure-per-node engine, the baseline design -------------------------------------------


class ClosureValue:
    """The classic teaching node: a closure per node and a recursive topological sort."""

    def __init__(self, data: float, children: tuple[ClosureValue, ...] = ()) -> None:
        self.data = data
        self.grad = 0.0
        self._backward: Callable[[], None] = lambda: None
        self._prev = set(children)

    def __add__(self, other: ClosureValue | float) -> ClosureValue:
        other = other if isinstance(other, ClosureValue) else ClosureValue(other)
        out = ClosureValue(self.data + other.data, (self, other))

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __radd__(self, other: float) -> ClosureValue:
        return self + other

    def __mul__(self, other: ClosureValue | float) -> ClosureValue:
        other = other if isinstance(other, ClosureValue) else ClosureValue(other)
        out = ClosureValue(self.data * other.data, (self, other))

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __rmul__(self, other: float) -> ClosureValue:
        return self * other

    def __neg__(self) -> ClosureValue:
        return self * -1.0

    def __sub__(self, other: ClosureValue | float) -> ClosureValue:
        return self + (-other)

    def __pow__(self, k: float) -> ClosureValue:
        out = ClosureValue(self.data**k, (self,))

        def _backward() -> None:
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self) -> ClosureValue:
        s = 1.0 / (1.0 + math.exp(-self.data))
        out = ClosureValue(s, (self,))

        def _backward() -> None:
            self.grad += s * (1.0 - s) * out.grad

        out._backward = _backward
        return out

    def backward(self) -> None:
        order: list[ClosureValue] = []
        seen: set[ClosureValue] = set()

        def visit(v: ClosureValue) -> None:
            if v not in seen:
                seen.add(v)
                for child in v._prev:
                    visit(child)
                order.append(v)

        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()


def closure_mlp(sizes: list[int], seed: int) -> list[list[tuple[list[ClosureValue], ClosureValue]]]:
    rng = random.Random(seed)
    return [
        [
            ([ClosureValue(rng.uniform(-1, 1)) for _ in range(nin)], ClosureValue(0.0))
            for _ in range(nout)
        ]
        for nin, nout in itertools.pairwise(sizes)
    ]


def closure_step(layers: list[Any], xs: list[list[float]], ys: list[float], lr: float) -> float:
    params = [p for layer in layers for w, b in layer for p in (*w, b)]
    for p in params:
        p.grad = 0.0
    loss: ClosureValue | float = 0.0
    for x, t in zip(xs, ys):
        out: list[Any] = [ClosureValue(v) for v in x]
        for layer in layers:
            new = []
            for w, b in layer:
                z = w[0] * out[0]
                for wk, xk in zip(w[1:], out[1:]):
                    z = z + wk * xk
                new.append((z + b).sigmoid())
            out = new
        loss = loss + 0.5 * (out[0] - t) ** 2
    assert isinstance(loss, ClosureValue)
    loss.backward()
    for p in params:
        p.data -= lr * p.grad
    return loss.data


# --- measurements -----------------------------------------------------------------------------


def bytes_per_node(net: MLP, xs: list[list[float]], ys: list[float]) -> tuple[int, float]:
    """Memory held by one step's graph (after backward, while alive) per node."""
    opt = SGD(net.parameters(), lr=0.1)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss = mlp_step(net, opt, xs, ys)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    nodes = len(topological_order(loss))
    return nodes, held / nodes


def closed_form_step(w: list[float], lr: float) -> list[float]:
    """The derivation done by hand: formulas for dw1..dw8, then w ← w − lr · dw."""
    grads = closed_form(SEED.i, SEED.t, w)
    return [wk - lr * grads[f"d{name}"] for wk, name in zip(w, WEIGHT_NAMES)]


def step_times_with_and_without_gc(
    net: MLP, opt: SGD, xs: list[list[float]], ys: list[float]
) -> tuple[float, float]:
    """Median step time with the garbage collector on (default), then off."""
    with_gc = median_seconds(lambda: mlp_step(net, opt, xs, ys), 5)
    gc.disable()
    try:
        without_gc = median_seconds(lambda: mlp_step(net, opt, xs, ys), 5)
    finally:
        gc.enable()
    return with_gc, without_gc


def labelling_cost(
    net: MLP, xs: list[list[float]], ys: list[float], repeats: int
) -> tuple[int, float]:
    """(labels a step writes, seconds they cost): the MLP names its inputs and each neuron's
    sum and activation (x1, z1_1, a1_1, …) on every call. The cost is counted as that many
    label stores on fresh nodes, timed alone, so it is measured, not guessed."""
    opt = SGD(net.parameters(), lr=0.1)
    root = mlp_step(net, opt, xs, ys)
    labelled = sum(1 for n in topological_order(root) if n.label and n._op is not None)
    labelled += sum(1 for n in topological_order(root) if n.label.startswith("x"))
    fresh = [Value(0.0) for _ in range(labelled)]
    names = ["z1_1"] * labelled

    def store() -> None:
        for node, name in zip(fresh, names):
            node.label = name

    def loop_only() -> None:
        for _node, _name in zip(fresh, names):
            pass

    cost = median_seconds(store, repeats) - median_seconds(loop_only, repeats)
    return labelled, max(cost, 0.0)


def row(name: str, value: str, note: str = "") -> None:
    """One aligned line of the report."""
    print(f"  {name:<27}{value:>12}  {note}".rstrip())


def verdict(measured: float, target: float) -> str:
    """'target <= X  ok' or 'target <= X  MISSED'."""
    return f"target <= {target:g}  {'ok' if measured <= target else 'MISSED'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="few repeats: a smoke run")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 9
    inner_222 = 200 if args.quick else 2000
    points = 10 if args.quick else 100

    print(f"tinygrad_edu scalar-engine benchmark: Python {platform.python_version()}, ", end="")
    print(f"gc thresholds {gc.get_threshold()} (default settings, gc enabled)")

    xs, ys = make_data(points)
    net = MLP(2, [16, 16, 1], activation="sigmoid", seed=0)
    opt = SGD(net.parameters(), lr=0.1)
    nodes = len(topological_order(mlp_step(net, opt, xs, ys)))
    step = median_seconds(lambda: mlp_step(net, opt, xs, ys), repeats)
    _, per_node_bytes = bytes_per_node(MLP(2, [16, 16, 1], seed=0), xs, ys)
    us_per_node = step / nodes * 1e6

    layers = closure_mlp([2, 16, 16, 1], seed=0)
    closure = median_seconds(lambda: closure_step(layers, xs, ys, 0.1), repeats)

    print(f"\nMLP(2, [16, 16, 1]), one training step on {points} points (forward, backward, SGD)")
    row("nodes per step", f"{nodes:,}")
    row("step time", f"{step * 1e3:.1f} ms", f"median of {repeats}")
    row("microseconds per node", f"{us_per_node:.2f}", verdict(us_per_node, TARGET_US_PER_NODE))
    row("bytes per node", f"{per_node_bytes:.0f}", verdict(per_node_bytes, TARGET_BYTES_PER_NODE))
    row(
        "closure-per-node baseline",
        f"{closure * 1e3:.1f} ms",
        f"{closure / nodes * 1e6:.2f} µs/node",
    )
    row("speed-up over baseline", f"{closure / step:.1f}x")
    labelled, label_cost = labelling_cost(net, xs, ys, repeats)
    share = label_cost / step
    row("labels written per step", f"{labelled:,}", "x1, z1_1, a1_1, …: names for explanations")
    row("their share of the step", f"{share * 100:.2f} %", verdict(share * 100, 5.0))

    if not args.quick:
        print("\nScaling: microseconds per node as the graph grows (gc on / gc off)")
        for n_points in (30, 100, 300):
            xs_n, ys_n = make_data(n_points)
            net_n = MLP(2, [16, 16, 1], seed=0)
            opt_n = SGD(net_n.parameters(), lr=0.1)
            nodes_n = len(topological_order(mlp_step(net_n, opt_n, xs_n, ys_n)))
            with_gc, without_gc = step_times_with_and_without_gc(net_n, opt_n, xs_n, ys_n)
            row(
                f"{n_points} points ({nodes_n:,} nodes)",
                f"{with_gc / nodes_n * 1e6:.2f} / {without_gc / nodes_n * 1e6:.2f}",
                f"collector's share {1 - without_gc / with_gc:.0%}",
            )

    net222 = Net222(SEED.w)
    opt222 = SGD(net222.parameters(), lr=0.5)

    def autograd_222() -> None:
        opt222.zero_grad()
        net222(i=SEED.i, t=SEED.t).backward()
        opt222.step()

    w = list(SEED.w)
    autograd = median_seconds(autograd_222, repeats, inner_222)
    by_hand = median_seconds(lambda: closed_form_step(w, 0.5), repeats, inner_222)
    ratio = autograd / by_hand
    print("\n2-2-2 network at SEED, one step (forward, gradients, SGD update)")
    row("autograd step", f"{autograd * 1e6:.1f} µs")
    row("closed-form step", f"{by_hand * 1e6:.1f} µs", "plain Python")
    row("ratio", f"{ratio:.1f}", verdict(ratio, TARGET_RATIO_222))
    return 0


if __name__ == "__main__":
    sys.exit(main())
