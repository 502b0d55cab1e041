"""The 2-2-2 sigmoid network of the backpropagation derivation, and its closed-form gradients.

The derivation (inputs i1, i2; hidden h1, h2; outputs o1, o2; weights w1..w8)::

    h1 = w1·i1 + w2·i2          a_h1 = σ(h1)
    h2 = w3·i1 + w4·i2          a_h2 = σ(h2)
    o1 = w5·a_h1 + w6·a_h2      a_o1 = σ(o1)
    o2 = w7·a_h1 + w8·a_h2      a_o2 = σ(o2)
    E1 = ½(t1 − a_o1)²   E2 = ½(t2 − a_o2)²   E_total = E1 + E2

`Net222` builds exactly this graph out of the generic `MLP(2, [2, 2])`, and names its nodes as
the derivation does. `closed_form` is the derivation's answer, the formulas for ∂E_total/∂w1 …
∂E_total/∂w8 typed out by hand; the tests prove that autograd agrees with it.

>>> net = Net222()                         # the seeds' example weights
>>> E_total = net(i=SEED.i, t=SEED.t)
>>> E_total.backward()
>>> round(net.weights[4].grad, 12)         # ∂E_total/∂w5, by autograd
0.072157072912
>>> round(closed_form(SEED.i, SEED.t, SEED.w)["dw5"], 12)
0.072157072912
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from tinygrad_edu.nn import MLP, Linear, Module
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.tensor import _sigmoid as _array_sigmoid
from tinygrad_edu.value import Value, _real
from tinygrad_edu.value import _sigmoid as _scalar_sigmoid

__all__ = [
    "BIAS_NAMES",
    "NODE_NAMES",
    "SEED",
    "WEIGHT_NAMES",
    "Example",
    "Net222",
    "closed_form",
]

WEIGHT_NAMES = ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8")
BIAS_NAMES = ("b_h1", "b_h2", "b_o1", "b_o2")
NODE_NAMES = (
    "i1", "i2", "t1", "t2",
    "h1", "a_h1", "h2", "a_h2",
    "o1", "a_o1", "o2", "a_o2",
    "E1", "E2", "E_total",
)  # fmt: skip


class Example(NamedTuple):
    """One worked example: inputs i = (i1, i2), targets t = (t1, t2), weights w = (w1..w8)."""

    i: tuple[float, float]
    t: tuple[float, float]
    w: tuple[float, float, float, float, float, float, float, float]


#: The derivation's worked example (the seeds' spreadsheet); there E_total = 0.24251985734837728.
SEED = Example(
    i=(0.05, 0.1),
    t=(0.01, 0.99),
    w=(0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55),
)


def _numbers(values: Any, count: int, what: str) -> list[float]:
    """`values` as `count` floats, or an error that says what was expected."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence | np.ndarray):
        raise TypeError(f"Net222: {what} must be a sequence of {count} numbers, got {values!r}")
    if len(values) != count:
        raise ValueError(f"Net222: {what} needs {count} numbers, got {len(values)}")
    return [_real(v, f"Net222 {what}") for v in values]


class Net222(Module):
    """The derivation's 2-2-2 sigmoid network, built on ``MLP(2, [2, 2], activation="sigmoid")``.

    ``w`` are w1..w8 (default: the seeds' example); ``b`` is None for the derivation's net
    without biases, or (b_h1, b_h2, b_o1, b_o2).

    - ``engine="value"``: one sample, one Value per node. ``net(i=(i1, i2), t=(t1, t2))``
      returns E_total; afterwards ``net.nodes["a_h1"]`` etc. are that call's nodes, labelled by
      name, and ``net.weights`` are the Values w1..w8.
    - ``engine="tensor"``: a batch. Two `Linear` layers whose weight matrices are
      [[w1, w2], [w3, w4]] and [[w5, w6], [w7, w8]]; ``net(i=I, t=T)`` takes arrays of shape
      (N, 2) and returns E_total summed over the batch as a 0-d Tensor. ``net.nodes`` holds the
      batch's tensors "i", "t", "h", "a_h", "o", "a_o", "E", "E_total".

    Either way, ``net.weight_grads()`` is [∂E_total/∂w1, …, ∂E_total/∂w8] after backward.
    """

    def __init__(
        self, w: Sequence[float] = SEED.w, b: Sequence[float] | None = None, engine: str = "value"
    ) -> None:
        weights = _numbers(w, 8, "w (w1..w8)")
        biases = None if b is None else _numbers(b, 4, "b (b_h1, b_h2, b_o1, b_o2)")
        if engine not in ("value", "tensor"):
            raise ValueError(f"Net222: engine must be 'value' or 'tensor', got {engine!r}")
        self.engine = engine
        self.mlp = MLP(2, [2, 2], activation="sigmoid", bias=biases is not None, engine=engine)
        self.nodes: dict[str, Any] = {}
        if engine == "tensor":
            self.hidden: Linear = self.mlp.layers[0]
            self.output: Linear = self.mlp.layers[1]
            # Row k of a weight matrix feeds output k: h1 = w1·i1 + w2·i2 is row 0 of W_h.
            for layer, names, values, bias_names, bias_values in (
                (self.hidden, "w1..w4", weights[:4], "b_h", biases and biases[:2]),
                (self.output, "w5..w8", weights[4:], "b_o", biases and biases[2:]),
            ):
                layer.weight.data = np.array(values).reshape(2, 2)
                layer.weight.label = names
                if layer.bias is not None:
                    layer.bias.data = np.array(bias_values)
                    layer.bias.label = bias_names
            self.weights: list[Any] = [self.hidden.weight, self.output.weight]
            self.biases: list[Any] = [
                layer.bias for layer in (self.hidden, self.output) if layer.bias is not None
            ]
            return
        hidden, output = self.mlp.layers
        # h1 = w1·i1 + w2·i2, h2 = w3·i1 + w4·i2, o1 = w5·a_h1 + w6·a_h2, o2 = w7·a_h1 + w8·a_h2:
        # neuron k of a layer holds the k-th pair of weights, in input order.
        self.weights = [w for layer in (hidden, output) for n in layer.neurons for w in n.w]
        self.biases = [n.b for layer in (hidden, output) for n in layer.neurons if n.b is not None]
        for param, name, value in zip(self.weights, WEIGHT_NAMES, weights):
            param.label, param.data = name, value
        for param, name, value in zip(self.biases, BIAS_NAMES, biases or ()):
            param.label, param.data = name, value

    def __call__(self, i: Any, t: Any) -> Any:
        """E_total = Σ ½(t_k − a_o_k)² for inputs `i` and targets `t` (summed over a batch)."""
        if self.engine == "tensor":
            return self._batch(i, t)
        i1, i2 = (Value(v, name) for v, name in zip(_numbers(i, 2, "i (i1, i2)"), ("i1", "i2")))
        t1, t2 = (Value(v, name) for v, name in zip(_numbers(t, 2, "t (t1, t2)"), ("t1", "t2")))
        hidden, output = self.mlp.layers
        # Each generic neuron computes its sum, then its activation: h1 = w1·i1 + w2·i2, σ(h1).
        h1, h2 = (neuron.pre_activation([i1, i2]) for neuron in hidden.neurons)
        a_h1, a_h2 = (neuron.activation(z) for neuron, z in zip(hidden.neurons, (h1, h2)))
        o1, o2 = (neuron.pre_activation([a_h1, a_h2]) for neuron in output.neurons)
        a_o1, a_o2 = (neuron.activation(z) for neuron, z in zip(output.neurons, (o1, o2)))
        E1 = 0.5 * (t1 - a_o1) ** 2
        E2 = 0.5 * (t2 - a_o2) ** 2
        E_total: Value = E1 + E2
        nodes = (i1, i2, t1, t2, h1, a_h1, h2, a_h2, o1, a_o1, o2, a_o2, E1, E2, E_total)
        for node, name in zip(nodes, NODE_NAMES):
            node.label = name
        self.nodes = dict(zip(NODE_NAMES, nodes))
        return E_total

    def _batch(self, i: Any, t: Any) -> Tensor:
        """The same network on a batch: I and T of shape (N, 2); E_total summed over the batch."""
        inputs = Tensor(_batch_array(i, "i"), label="i")
        targets = Tensor(_batch_array(t, "t"), label="t")
        if inputs.shape != targets.shape:
            raise ValueError(
                f"Net222: i has shape {inputs.shape} but t has shape {targets.shape}; "
                "give one target pair per input pair"
            )
        h = self.hidden(inputs)
        a_h = h.sigmoid()
        o = self.output(a_h)
        a_o = o.sigmoid()
        E = 0.5 * (targets - a_o) ** 2  # E[n, k] = ½(t_k − a_o_k)² for sample n
        E_total = E.sum()
        nodes = {"i": inputs, "t": targets, "h": h, "a_h": a_h, "o": o, "a_o": a_o, "E": E,
                 "E_total": E_total}  # fmt: skip
        for name, node in nodes.items():
            node.label = name
        self.nodes = nodes
        return E_total

    def parameters(self) -> list[Any]:
        """[w1, w2, (b_h1), w3, w4, (b_h2), w5, w6, (b_o1), w7, w8, (b_o2)]: the MLP's order
        (tensor engine: [W_h, (b_h), W_o, (b_o)])."""
        return self.mlp.parameters()

    def weight_grads(self) -> list[float]:
        """[∂E_total/∂w1, …, ∂E_total/∂w8] after ``backward()``, for either engine."""
        if self.engine == "value":
            return [w.grad for w in self.weights]
        grads = [np.zeros(4) if w.grad is None else w.grad.ravel() for w in self.weights]
        return [float(g) for g in np.concatenate(grads)]

    def __repr__(self) -> str:
        values = [w.data for w in self.weights] if self.engine == "value" else [
            float(v) for w in self.weights for v in w.data.ravel()
        ]  # fmt: skip
        weights = ", ".join(f"{name}={v:.6g}" for name, v in zip(WEIGHT_NAMES, values))
        engine = ", engine='tensor'" if self.engine == "tensor" else ""
        return f"Net222({weights}{', with biases' if self.biases else ''}{engine})"


def _batch_array(x: Any, what: str) -> np.ndarray[Any, Any]:
    """A batch as an (N, 2) array; one pair (2,) counts as a batch of one."""
    array = np.asarray(x.data if isinstance(x, Tensor) else x, dtype=float)
    if array.shape == (2,):
        array = array[None, :]
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"Net222: {what} must have shape (N, 2), got {array.shape}")
    return array


def _sigmoid(x: Any) -> Any:
    """σ(x) = 1 / (1 + e^−x) for a float or, element by element, for a numpy array."""
    return _array_sigmoid(x) if isinstance(x, np.ndarray) else _scalar_sigmoid(x)


def closed_form(
    i: Sequence[Any], t: Sequence[Any], w: Sequence[Any], b: Sequence[Any] | None = None
) -> dict[str, Any]:
    """The derivation's hand-derived formulas: the forward pass and dw1..dw8 = ∂E_total/∂w.

    Works on floats, and element by element on numpy arrays of any (broadcastable) shape.
    Returns, by name: h1, a_h1, h2, a_h2, o1, a_o1, o2, a_o2, E1, E2, E_total,
    "dE_total/da_h1", "dE_total/da_h2", dw1..dw8, and db_h1, db_h2, db_o1, db_o2 when
    biases `b` are given.

    >>> grads = closed_form(SEED.i, SEED.t, SEED.w)
    >>> round(grads["E_total"], 12), round(grads["dw1"], 12)
    (0.242519857348, 0.000188255667)
    """
    if len(i) != 2 or len(t) != 2 or len(w) != 8 or (b is not None and len(b) != 4):
        raise ValueError(
            "closed_form: needs i = (i1, i2), t = (t1, t2), w = (w1, ..., w8) and "
            f"b = None or 4 biases; got {len(i)}, {len(t)}, {len(w)} and "
            f"{'None' if b is None else len(b)}"
        )
    i1, i2 = i
    t1, t2 = t
    w1, w2, w3, w4, w5, w6, w7, w8 = w
    b_h1, b_h2, b_o1, b_o2 = b if b is not None else (0.0, 0.0, 0.0, 0.0)

    # Forward pass.
    h1 = w1 * i1 + w2 * i2 + b_h1
    h2 = w3 * i1 + w4 * i2 + b_h2
    a_h1 = _sigmoid(h1)
    a_h2 = _sigmoid(h2)
    o1 = w5 * a_h1 + w6 * a_h2 + b_o1
    o2 = w7 * a_h1 + w8 * a_h2 + b_o2
    a_o1 = _sigmoid(o1)
    a_o2 = _sigmoid(o2)
    E1 = 0.5 * (t1 - a_o1) ** 2
    E2 = 0.5 * (t2 - a_o2) ** 2
    E_total = E1 + E2

    # ∂E_total/∂a_h1 = ∂E1/∂a_h1 + ∂E2/∂a_h1: a_h1 reaches E_total through o1 (w5) and o2 (w7).
    dE_total_da_h1 = (a_o1 - t1) * a_o1 * (1 - a_o1) * w5 + (a_o2 - t2) * a_o2 * (1 - a_o2) * w7
    dE_total_da_h2 = (a_o1 - t1) * a_o1 * (1 - a_o1) * w6 + (a_o2 - t2) * a_o2 * (1 - a_o2) * w8

    # Input-layer weights: ∂E_total/∂w1 = ∂E_total/∂a_h1 · ∂a_h1/∂h1 · ∂h1/∂w1, written out.
    # fmt: off
    dw1 = ((a_o1 - t1) * a_o1 * (1 - a_o1) * w5 + (a_o2 - t2) * a_o2 * (1 - a_o2) * w7) * a_h1 * (1 - a_h1) * i1  # noqa: E501
    dw2 = ((a_o1 - t1) * a_o1 * (1 - a_o1) * w5 + (a_o2 - t2) * a_o2 * (1 - a_o2) * w7) * a_h1 * (1 - a_h1) * i2  # noqa: E501
    dw3 = ((a_o1 - t1) * a_o1 * (1 - a_o1) * w6 + (a_o2 - t2) * a_o2 * (1 - a_o2) * w8) * a_h2 * (1 - a_h2) * i1  # noqa: E501
    dw4 = ((a_o1 - t1) * a_o1 * (1 - a_o1) * w6 + (a_o2 - t2) * a_o2 * (1 - a_o2) * w8) * a_h2 * (1 - a_h2) * i2  # noqa: E501
    # fmt: on
    # Output-layer weights: ∂E_total/∂w5 = ∂E1/∂a_o1 · ∂a_o1/∂o1 · ∂o1/∂w5 (w5 never reaches E2).
    dw5 = (a_o1 - t1) * a_o1 * (1 - a_o1) * a_h1
    dw6 = (a_o1 - t1) * a_o1 * (1 - a_o1) * a_h2
    dw7 = (a_o2 - t2) * a_o2 * (1 - a_o2) * a_h1
    dw8 = (a_o2 - t2) * a_o2 * (1 - a_o2) * a_h2

    result: dict[str, Any] = {
        "h1": h1, "a_h1": a_h1, "h2": h2, "a_h2": a_h2,
        "o1": o1, "a_o1": a_o1, "o2": o2, "a_o2": a_o2,
        "E1": E1, "E2": E2, "E_total": E_total,
        "dE_total/da_h1": dE_total_da_h1, "dE_total/da_h2": dE_total_da_h2,
        "dw1": dw1, "dw2": dw2, "dw3": dw3, "dw4": dw4,
        "dw5": dw5, "dw6": dw6, "dw7": dw7, "dw8": dw8,
    }  # fmt: skip
    if b is not None:
        # A bias is a weight whose input is 1: ∂h1/∂b_h1 = 1, ∂o1/∂b_o1 = 1.
        result["db_h1"] = dE_total_da_h1 * a_h1 * (1 - a_h1)
        result["db_h2"] = dE_total_da_h2 * a_h2 * (1 - a_h2)
        result["db_o1"] = (a_o1 - t1) * a_o1 * (1 - a_o1)
        result["db_o2"] = (a_o2 - t2) * a_o2 * (1 - a_o2)
    return result
