"""How close is the Tensor engine to hand-written numpy? A script, not a test.

    python benchmarks/bench_tensor.py            # full run (~1 minute)
    python benchmarks/bench_tensor.py --quick    # smoke run

1. One training step (forward, cross-entropy, backward, SGD update) of an MLP 784-256-10 with
   relu at batch 256, in float64 and float32, next to the same step written by hand in plain
   numpy: the floor, measured in the same run. Target: within 1.25x of it.
2. The batched 2-2-2 network, one step at N = 1, 64 and 100,000, next to the derivation's
   closed form vectorised over the batch in numpy.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tinygrad_edu import SEED, SGD, TensorMLP, TensorNet222, closed_form
from tinygrad_edu.losses import cross_entropy
from tinygrad_edu.net222 import WEIGHT_NAMES

TARGET_RATIO = 1.25


def paired_seconds(
    ours: Callable[[], Any], floor: Callable[[], Any], repeats: int
) -> tuple[float, float]:
    """Median wall times of `ours` and `floor`, measured alternately (one call each, in turn).

    The machine is shared: its speed drifts over seconds. Interleaving the two makes both
    see the same drift, so their ratio stays honest even when the absolute times wander.
    """
    ours()
    floor()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for fn, bucket in ((ours, times[0]), (floor, times[1])):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def row(name: str, value: str, note: str = "") -> None:
    """One aligned line of the report."""
    print(f"  {name:<34}{value:>12}  {note}".rstrip())


# --- 1. MLP 784-256-10 -------------------------------------------------------------------------


def data(batch: int, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((batch, 784)).astype(dtype), rng.integers(0, 10, batch)


def autograd_step(net: TensorMLP, opt: SGD, x: np.ndarray, y: np.ndarray) -> float:
    opt.zero_grad()
    loss = cross_entropy(net(x), y)
    loss.backward()
    opt.step()
    return loss.item()


class HandWritten:
    """The same step with every derivative written out in numpy: the floor."""

    def __init__(self, net: TensorMLP) -> None:
        first, second = net.layers
        self.w1, self.b1 = first.weight.data.copy(), first.bias.data.copy()
        self.w2, self.b2 = second.weight.data.copy(), second.bias.data.copy()

    def step(self, x: np.ndarray, y: np.ndarray, lr: float) -> float:
        n = x.shape[0]
        h = x @ self.w1.T + self.b1
        a = np.maximum(h, 0.0)
        z = a @ self.w2.T + self.b2
        shifted = z - z.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_p[np.arange(n), y].mean()
        dz = np.exp(log_p)  # ∂loss/∂z = (softmax − one-hot) / n
        dz[np.arange(n), y] -= 1.0
        dz /= n
        dw2, db2 = dz.T @ a, dz.sum(axis=0)
        dh = (dz @ self.w2) * (h > 0)
        dw1, db1 = dh.T @ x, dh.sum(axis=0)
        self.w1 -= lr * dw1
        self.b1 -= lr * db1
        self.w2 -= lr * dw2
        self.b2 -= lr * db2
        return float(loss)


def check_same_step(dtype: Any) -> None:
    """The two steps compute the same thing: same loss and same updated weights."""
    x, y = data(32, dtype)
    net = TensorMLP(784, [256, 10], activation=["relu", "linear"], seed=0)
    for p in net.parameters():
        p.data = p.data.astype(dtype)
    hand = HandWritten(net)
    loss_a = autograd_step(net, SGD(net.parameters(), lr=0.1), x, y)
    loss_b = hand.step(x, y, 0.1)
    tol = 1e-9 if dtype == np.float64 else 1e-3
    assert abs(loss_a - loss_b) <= tol * abs(loss_b), (loss_a, loss_b)
    assert np.allclose(net.layers[0].weight.data, hand.w1, rtol=tol, atol=tol)


def bench_mlp(dtype: Any, repeats: int) -> float:
    check_same_step(dtype)
    x, y = data(256, dtype)
    net = TensorMLP(784, [256, 10], activation=["relu", "linear"], seed=0)
    for p in net.parameters():
        p.data = p.data.astype(dtype)
    opt = SGD(net.parameters(), lr=0.01)
    hand = HandWritten(net)
    ours, floor = paired_seconds(
        lambda: autograd_step(net, opt, x, y), lambda: hand.step(x, y, 0.01), repeats
    )
    ratio = ours / floor
    name = np.dtype(dtype).name
    print(f"\nMLP 784-256-10, batch 256, {name}: forward, cross-entropy, backward, SGD step")
    row("tinygrad_edu Tensor", f"{ours * 1e3:.2f} ms")
    row("hand-written numpy (floor)", f"{floor * 1e3:.2f} ms")
    ok = "ok" if ratio <= TARGET_RATIO else "MISSED"
    row("ratio", f"{ratio:.2f}x", f"target <= {TARGET_RATIO}x  {ok}")
    return ratio


# --- 2. the batched 2-2-2 network ---------------------------------------------------------


def bench_222(n: int, repeats: int) -> None:
    rng = np.random.default_rng(n)
    i = rng.uniform(-1, 1, (n, 2))
    t = rng.uniform(0, 1, (n, 2))
    net = TensorNet222(SEED.w)
    opt = SGD(net.parameters(), lr=0.5)

    def autograd() -> None:
        opt.zero_grad()
        net(i=i, t=t).backward()
        opt.step()

    w = list(SEED.w)

    def by_hand() -> None:
        grads = closed_form((i[:, 0], i[:, 1]), (t[:, 0], t[:, 1]), w)
        for k, name in enumerate(WEIGHT_NAMES):
            w[k] -= 0.5 * float(grads["d" + name].sum())

    ours, floor = paired_seconds(autograd, by_hand, repeats)
    row(
        f"N = {n:,}",
        f"{ours * 1e3:.3f} ms",
        f"closed form {floor * 1e3:.3f} ms, ratio {ours / floor:.1f}x",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tensor engine benchmark")
    parser.add_argument("--quick", action="store_true", help="few repeats: a smoke run")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 41
    versions = f"Python {platform.python_version()}, numpy {np.__version__}"
    print(f"tinygrad_edu tensor-engine benchmark: {versions}")
    bench_mlp(np.float64, repeats)
    bench_mlp(np.float32, repeats)
    print(
        "\nBatched 2-2-2 network, one step (forward, backward, SGD), vs the vectorised closed form"
    )
    for n in (1, 64, 100_000):
        bench_222(n, repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
