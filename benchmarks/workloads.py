"""The workloads of `python -m benchmarks`, written once for every engine that runs them.

A workload is a function ``setup(engine, size, dtype)`` that builds its model and data and
returns a `Step`: the callable that one timed call runs, and how to count its graph. Each
engine's code is imported inside its own branch, so a worker process loads only the engine it
times (``python -m benchmarks.worker ENGINE WORKLOAD``): never two engines in one process.

Every engine starts from the same weights and data, made here with Python's `random` or
numpy's generator, so their first losses agree; the parent checks that they do.

Engines:
- ``ours``: tinygrad_edu (`Value`, `MLP`, `Net222`; `Tensor`, `TensorMLP`, `TensorNet222`);
- ``micrograd``: micrograd 0.1.0 from PyPI (`micrograd.engine.Value`, `micrograd.nn.MLP`);
- ``closed_form``: the seeds' notebook's 2-2-2 step in plain Python, as it writes it;
- ``numpy``: the Tensor workloads with every derivative written out by hand in numpy;
- ``torch``: PyTorch on the CPU, with as many threads as numpy's BLAS (set by the worker).
"""

from __future__ import annotations

import itertools
import math
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

#: The scalar MLP: MLP(2, [16, 16, 1]) as micrograd builds it (relu, relu, then linear).
SCALAR_SIZES = (2, 16, 16, 1)
#: The Tensor MLP: 784-256-10, relu then linear, cross-entropy, at this batch size.
TENSOR_SIZES = (784, 256, 10)
TENSOR_BATCH = 256
#: The derivation's worked example (tinygrad_edu.SEED), repeated here so that workers of other
#: engines need not import ours.
SEED_I = (0.05, 0.1)
SEED_T = (0.01, 0.99)
SEED_W = (0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55)
LR_222 = 0.5


@dataclass
class Step:
    """One engine's step: ``run()`` is what is timed, and returns the loss as a float."""

    run: Callable[[], float]
    #: Builds one step's graph (zero_grad, forward, backward; no update) and returns its root.
    graph: Callable[[], Any] | None = None
    #: The number of nodes in a graph that `graph` returned.
    count: Callable[[Any], int] | None = None
    #: What the engine computed in, read back after a step ("float64", "float32").
    dtype: Callable[[], str] = lambda: "float64"


# --- data and initial weights, shared by every engine ---------------------------------------------


def scalar_data(points: int, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    """`points` inputs in [-1, 1]², target 1 in the first and third quadrants, else 0."""
    rng = random.Random(seed)
    xs = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(points)]
    return xs, [1.0 if x[0] * x[1] > 0 else 0.0 for x in xs]


def scalar_weights(seed: int = 0) -> list[list[tuple[list[float], float]]]:
    """Layer by layer, neuron by neuron: (weights uniform in [-1, 1], bias 0)."""
    rng = random.Random(seed)
    return [
        [([rng.uniform(-1, 1) for _ in range(nin)], 0.0) for _ in range(nout)]
        for nin, nout in itertools.pairwise(SCALAR_SIZES)
    ]


def flat_scalar_weights(seed: int = 0) -> list[float]:
    """The weights in parameter order (neuron by neuron: w1..wn, b), as both MLPs list them."""
    return [p for layer in scalar_weights(seed) for w, b in layer for p in (*w, b)]


def tensor_data(batch: int, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """`batch` standard-normal rows of 784 and their class indices in [0, 10)."""
    rng = np.random.default_rng(0)
    return rng.standard_normal((batch, TENSOR_SIZES[0])).astype(dtype), rng.integers(0, 10, batch)


def tensor_weights(dtype: Any) -> list[np.ndarray]:
    """[W1 (256, 784), b1, W2 (10, 256), b2], He-scaled normal weights and zero biases."""
    rng = np.random.default_rng(1)
    out = []
    for nin, nout in itertools.pairwise(TENSOR_SIZES):
        out.append((rng.standard_normal((nout, nin)) * math.sqrt(2.0 / nin)).astype(dtype))
        out.append(np.zeros(nout, dtype=dtype))
    return out


def batch_222(n: int) -> tuple[np.ndarray, np.ndarray]:
    """n input pairs and n target pairs; a batch of one is the derivation's example."""
    if n == 1:
        return np.array([SEED_I]), np.array([SEED_T])
    rng = np.random.default_rng(n)
    return rng.uniform(-1, 1, (n, 2)), rng.uniform(0, 1, (n, 2))


def _count(root: Any, parents: Callable[[Any], Any]) -> int:
    """Nodes reachable from `root` (iteratively: graphs here have millions of nodes)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for p in parents(stack.pop()):
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return len(seen)


# --- 1. the scalar MLP(2, [16, 16, 1]) step on N points -----------------------------------------


def scalar_mlp(engine: str, size: int, dtype: str = "float64") -> Step:
    """One step on `size` points: E = Σ ½(y − t)², backward, SGD (lr 0.01 / N)."""
    xs, ts = scalar_data(size)
    weights = flat_scalar_weights()
    lr = 0.01 / size
    if engine == "ours":
        from tinygrad_edu import MLP, SGD, topological_order

        net = MLP(2, list(SCALAR_SIZES[1:]), activation=["relu", "relu", "linear"], seed=0)
        params = net.parameters()
        for p, value in zip(params, weights, strict=True):
            p.data = value
        opt = SGD(params, lr=lr)

        def graph() -> Any:
            opt.zero_grad()
            loss: Any = 0.0
            for x, t in zip(xs, ts):
                (y,) = net(x)
                loss = loss + 0.5 * (y - t) ** 2
            loss.backward()
            return loss

        def run() -> float:
            loss = graph()
            opt.step()
            return float(loss.data)

        return Step(run, graph, lambda root: len(topological_order(root)))
    if engine == "micrograd":
        import micrograd.nn

        # micrograd sorts the graph recursively, one level per point of the loss's sum: past
        # about 250 points that exceeds Python's default limit of 1,000 frames. Raised here,
        # in micrograd's own worker only (Python 3.11 recursion between Python functions
        # does not grow the C stack).
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * size + 10_000))

        mnet = micrograd.nn.MLP(2, list(SCALAR_SIZES[1:]))
        mparams = mnet.parameters()
        for p, value in zip(mparams, weights, strict=True):
            p.data = value

        def micro_graph() -> Any:
            mnet.zero_grad()
            loss: Any = 0.0
            for x, t in zip(xs, ts):
                y = mnet(x)
                loss = loss + 0.5 * (y - t) ** 2
            loss.backward()
            return loss

        def micro_run() -> float:
            loss = micro_graph()
            for p in mparams:
                p.data -= lr * p.grad
            return float(loss.data)

        return Step(micro_run, micro_graph, lambda root: _count(root, lambda v: v._prev))
    raise KeyError(engine)


# --- 2. the 2-2-2 network at SEED: one training step ---------------------------------------------


def notebook_222_step(w: list[float], i1: float, i2: float, t1: float, t2: float) -> float:
    """The seeds' notebook's loop body, as it writes it: forward, dw1..dw8, w ← w − lr·dw."""
    learning_rate = LR_222
    w1, w2, w3, w4, w5, w6, w7, w8 = w
    # fmt: off
    h1 = i1*w1 + i2*w2
    a_h1 = 1/(1+math.exp(-1*h1))
    h2 = i1*w3 + i2*w4
    a_h2 = 1/(1+math.exp(-1*h2))
    o1 = w5*a_h1 + w6*a_h2
    a_o1 = 1/(1+math.exp(-1*o1))
    o2 = w7*a_h1 + w8*a_h2
    a_o2 = 1/(1+math.exp(-1*o2))
    E1 = 0.5 * (t1 - a_o1)**2
    E2 = 0.5 * (t2 - a_o2)**2
    E_tot = E1 + E2
    dw1 = ((a_o1 - t1) * a_o1 * (1 - a_o1) * w5 +  (a_o2 - t2) * a_o2 * (1 - a_o2) * w7) * a_h1 * (1 - a_h1) * i1  # noqa: E501
    dw2 = ((a_o1 - t1) * a_o1 * (1 - a_o1) * w5 +  (a_o2 - t2) * a_o2 * (1 - a_o2) * w7) * a_h1 * (1 - a_h1) * i2  # noqa: E501
    dw3 = ((a_o1 - t1) * a_o1 * (1 - a_o1) * w6 +  (a_o2 - t2) * a_o2 * (1 - a_o2) * w8) * a_h2 * (1 - a_h2) * i1  # noqa: E501
    dw4 = ((a_o1 - t1) * a_o1 * (1 - a_o1) * w6 +  (a_o2 - t2) * a_o2 * (1 - a_o2) * w8) * a_h2 * (1 - a_h2) * i2  # noqa: E501
    dw5 = (a_o1 - t1) * a_o1 * (1 - a_o1) *  a_h1
    dw6 = (a_o1 - t1) * a_o1 * (1 - a_o1) *  a_h2
    dw7 = (a_o2 - t2) * a_o2 * (1 - a_o2) *  a_h1
    dw8 = (a_o2 - t2) * a_o2 * (1 - a_o2) *  a_h2
    w1 = w1 - (learning_rate*dw1)
    w2 = w2 - (learning_rate*dw2)
    w3 = w3 - (learning_rate*dw3)
    w4 = w4 - (learning_rate*dw4)
    w5 = w5 - (learning_rate*dw5)
    w6 = w6 - (learning_rate*dw6)
    w7 = w7 - (learning_rate*dw7)
    w8 = w8 - (learning_rate*dw8)
    # fmt: on
    w[:] = w1, w2, w3, w4, w5, w6, w7, w8
    return E_tot


def net222(engine: str, size: int = 1, dtype: str = "float64") -> Step:
    """One step of the 2-2-2 net at SEED: zero_grad, forward, backward, SGD (lr 0.5).

    Calls go on training from where the last one left off, as the notebook's loop does."""
    i1, i2 = SEED_I
    t1, t2 = SEED_T
    if engine == "ours":
        from tinygrad_edu import SGD, Net222, topological_order

        net = Net222(SEED_W)
        opt = SGD(net.parameters(), lr=LR_222)

        def graph() -> Any:
            opt.zero_grad()
            E_total = net(i=SEED_I, t=SEED_T)
            E_total.backward()
            return E_total

        def run() -> float:
            E_total = graph()
            opt.step()
            return float(E_total.data)

        return Step(run, graph, lambda root: len(topological_order(root)))
    if engine == "closed_form":
        w = list(SEED_W)

        return Step(lambda: notebook_222_step(w, i1, i2, t1, t2))
    raise KeyError(engine)


# --- 3. the Tensor MLP 784-256-10, batch 256 ----------------------------------------------------


def _hand_written_mlp(batch: int, dtype: Any) -> Step:
    """The step with every derivative written out in numpy: the floor."""
    x, y = tensor_data(batch, dtype)
    params = tensor_weights(dtype)
    w1, b1, w2, b2 = params
    n = x.shape[0]
    rows = np.arange(n)
    lr = 0.01

    def run() -> float:
        h = x @ w1.T + b1
        a = np.maximum(h, 0.0)
        z = a @ w2.T + b2
        shifted = z - z.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_p[rows, y].mean()
        dz = np.exp(log_p)  # ∂loss/∂z = (softmax − one-hot) / n
        dz[rows, y] -= 1.0
        dz /= n
        dw2, db2 = dz.T @ a, dz.sum(axis=0)
        dh = (dz @ w2) * (h > 0)
        dw1, db1 = dh.T @ x, dh.sum(axis=0)
        for p, g in zip(params, (dw1, db1, dw2, db2)):
            p -= lr * g  # in place
        return float(loss)

    return Step(run, dtype=lambda: str(w1.dtype))


def tensor_mlp(engine: str, size: int = TENSOR_BATCH, dtype: str = "float64") -> Step:
    """One step: relu(x W1ᵀ + b1) W2ᵀ + b2, cross-entropy (mean), backward, SGD (lr 0.01)."""
    np_dtype = np.dtype(dtype)
    if engine == "numpy":
        return _hand_written_mlp(size, np_dtype)
    x, y = tensor_data(size, np_dtype)
    weights = tensor_weights(np_dtype)
    if engine == "ours":
        from tinygrad_edu import SGD, TensorMLP
        from tinygrad_edu.losses import cross_entropy

        net = TensorMLP(*TENSOR_SIZES[:1], list(TENSOR_SIZES[1:]), activation=["relu", "linear"])
        params = net.parameters()  # [W1, b1, W2, b2]
        for p, value in zip(params, weights, strict=True):
            p.data = value.copy()
        opt = SGD(params, lr=0.01)

        def run() -> float:
            opt.zero_grad()
            loss = cross_entropy(net(x), y)
            loss.backward()
            opt.step()
            return float(loss.item())

        def dtypes() -> str:
            return "/".join(sorted({str(p.data.dtype) for p in params}))

        return Step(run, dtype=dtypes)
    if engine == "torch":
        import torch

        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
        tparams = [torch.tensor(w, requires_grad=True) for w in weights]
        topt = torch.optim.SGD(tparams, lr=0.01)
        tw1, tb1, tw2, tb2 = tparams

        def torch_run() -> float:
            topt.zero_grad()
            z = torch.relu(tx @ tw1.T + tb1) @ tw2.T + tb2
            loss = torch.nn.functional.cross_entropy(z, ty)
            loss.backward()
            topt.step()
            return float(loss.item())

        return Step(torch_run, dtype=lambda: str(tw1.dtype).removeprefix("torch."))
    raise KeyError(engine)


# --- 4. the 2-2-2 network on a batch of N, as Tensors --------------------------------------------


def tensor_222(engine: str, size: int = 1, dtype: str = "float64") -> Step:
    """One step of the batched 2-2-2 net: E_total = Σ ½(t − a_o)², backward, SGD (lr 0.5)."""
    i, t = batch_222(size)
    w_h = np.array(SEED_W[:4]).reshape(2, 2)
    w_o = np.array(SEED_W[4:]).reshape(2, 2)
    if engine == "ours":
        from tinygrad_edu import SGD, TensorNet222

        net = TensorNet222(SEED_W)
        opt = SGD(net.parameters(), lr=LR_222)

        def run() -> float:
            opt.zero_grad()
            E_total = net(i=i, t=t)
            E_total.backward()
            opt.step()
            return float(E_total.item())

        return Step(run)
    if engine == "torch":
        import torch

        ti, tt = torch.from_numpy(i), torch.from_numpy(t)
        tw_h = torch.tensor(w_h, requires_grad=True)
        tw_o = torch.tensor(w_o, requires_grad=True)
        topt = torch.optim.SGD([tw_h, tw_o], lr=LR_222)

        def torch_run() -> float:
            topt.zero_grad()
            a_h = torch.sigmoid(ti @ tw_h.T)
            a_o = torch.sigmoid(a_h @ tw_o.T)
            E_total = (0.5 * (tt - a_o) ** 2).sum()
            E_total.backward()
            topt.step()
            return float(E_total.item())

        return Step(torch_run)
    raise KeyError(engine)


WORKLOADS: dict[str, Callable[..., Step]] = {
    "scalar_mlp": scalar_mlp,
    "net222": net222,
    "tensor_mlp": tensor_mlp,
    "tensor_222": tensor_222,
}
