"""The worked example: the 2-2-2 sigmoid network of the backpropagation derivation.

Everything about this one network lives here: its names, the seeds' numbers, the hand-derived
gradients, the network on each engine, its figure, its spreadsheet, report and learning-rate
sweep, and what the command line shows of it. The rest of the library is generic.

The derivation (inputs i1, i2; hidden h1, h2; outputs o1, o2; weights w1..w8)::

    h1 = w1·i1 + w2·i2          a_h1 = σ(h1)
    h2 = w3·i1 + w4·i2          a_h2 = σ(h2)
    o1 = w5·a_h1 + w6·a_h2      a_o1 = σ(o1)
    o2 = w7·a_h1 + w8·a_h2      a_o2 = σ(o2)
    E1 = ½(t1 − a_o1)²   E2 = ½(t2 − a_o2)²   E_total = E1 + E2

`Net222` builds exactly this graph out of the generic `MLP(2, [2, 2])`, and names its nodes as
the derivation does; `TensorNet222` is the same network on a batch. `closed_form` is the
derivation's answer, the formulas for ∂E_total/∂w1 … ∂E_total/∂w8 typed out by hand; the tests
prove that autograd agrees with it.

>>> net = Net222()                         # the seeds' example weights
>>> E_total = net(i=SEED.i, t=SEED.t)
>>> E_total.backward()
>>> round(net.weights[4].grad, 12)         # ∂E_total/∂w5, by autograd
0.072157072912
>>> round(closed_form(SEED.i, SEED.t, SEED.w)["dw5"], 12)
0.072157072912
"""

from __future__ import annotations

import math
import os
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from tinygrad_edu._checks import learning_rate, positive, reals, whole
from tinygrad_edu._format import table
from tinygrad_edu.nn import (
    MLP,
    LayerLayout,
    Layout,
    LossLayout,
    Module,
    NeuronLayout,
    TensorMLP,
    Weight,
)
from tinygrad_edu.optim import SGD
from tinygrad_edu.primitives import sigmoid, sigmoid_array
from tinygrad_edu.tensor import Tensor, as_input
from tinygrad_edu.train import RECORD_ALL, History, Sweep, sweep_model, train, write_table
from tinygrad_edu.value import Value

if TYPE_CHECKING:
    import graphviz

__all__ = [
    "BIAS_NAMES",
    "EXAMPLE",
    "FORMULAS",
    "NODE_NAMES",
    "SEED",
    "SEED_LRS",
    "SEED_THRESHOLDS",
    "SPREADSHEET_COLUMNS",
    "WEIGHT_NAMES",
    "CommandLineExample",
    "Example",
    "Net222",
    "TensorNet222",
    "closed_form",
    "demo",
    "demo_files",
    "demo_pictures",
    "net222_graph",
    "net222_network",
    "report_net222",
    "sheet_net222",
    "spreadsheet_rows",
    "sweep",
    "train_net222",
]

WEIGHT_NAMES = ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8")
BIAS_NAMES = ("b_h1", "b_h2", "b_o1", "b_o2")
NODE_NAMES = (
    "i1", "i2", "t1", "t2",
    "h1", "a_h1", "h2", "a_h2",
    "o1", "a_o1", "o2", "a_o2",
    "E1", "E2", "E_total",
)  # fmt: skip

#: The forward pass as the derivation writes it, shown beside each node's value by the demo.
FORMULAS = {
    "h1": "w1·i1 + w2·i2",
    "a_h1": "σ(h1)",
    "h2": "w3·i1 + w4·i2",
    "a_h2": "σ(h2)",
    "o1": "w5·a_h1 + w6·a_h2",
    "a_o1": "σ(o1)",
    "o2": "w7·a_h1 + w8·a_h2",
    "a_o2": "σ(o2)",
    "E1": "½(t1 − a_o1)²",
    "E2": "½(t2 − a_o2)²",
    "E_total": "E1 + E2",
}


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

_W, _B = "w (w1..w8)", "b (b_h1, b_h2, b_o1, b_o2)"
_ACTIVATIONS = ("a_h1", "a_h2", "a_o1", "a_o2")
_I, _T = "i (i1, i2)", "t (t1, t2)"


# --- the network, on each engine ----------------------------------------------------------------


class _OnMLP(Module):
    """A 2-2-2 network built on a generic MLP: its parameters are the MLP's, in the MLP's order
    ([w1, w2, (b_h1), w3, w4, (b_h2), w5, …] on Values; [W_h, (b_h), W_o, (b_o)] on Tensors),
    named under "mlp." ("mlp.L1.N1.w1", "mlp.L1.weight")."""

    mlp: Any  # an MLP or a TensorMLP

    def parameters(self) -> list[Any]:
        """The MLP's parameters, in its order."""
        return list(self.mlp.parameters())

    def named_parameters(self) -> list[tuple[str, Any]]:
        """The MLP's, under "mlp.": ("mlp.L1.N1.w1", w1), …"""
        return [(f"mlp.{path}", p) for path, p in self.mlp.named_parameters()]


def _pair(values: Sequence[float], what: str) -> tuple[float, float]:
    """Two finite floats, as `reals` checks them; a pair of floats passes without the checks'
    general path, which would be 1.3 µs of the 2-2-2 step's 30 (measured)."""
    if (type(values) is tuple or type(values) is list) and len(values) == 2:
        x, y = values
        if type(x) is float and type(y) is float and math.isfinite(x + y):
            return x, y
    x, y = reals(values, f"Net222: {what}", 2)
    return x, y


class Net222(_OnMLP):
    """The derivation's 2-2-2 sigmoid network on Values, built on
    ``MLP(2, [2, 2], activation="sigmoid")``: one sample, one Value per node.

    ``w`` are w1..w8 (default: the seeds' example); ``b`` is None for the derivation's net
    without biases, or (b_h1, b_h2, b_o1, b_o2). ``net(i=(i1, i2), t=(t1, t2))`` returns
    E_total; afterwards ``net.nodes["a_h1"]`` etc. are that call's nodes, labelled by name,
    and ``net.weights`` are the Values w1..w8. For a batch, use `TensorNet222`.

    >>> net = Net222()                   # w1..w8 = 0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55
    >>> E_total = net(i=SEED.i, t=SEED.t)
    >>> E_total.backward()
    >>> round(E_total.data, 9), round(net.nodes["a_h1"].data, 9)
    (0.242519857, 0.506874567)
    >>> w5 = net.weights[4]
    >>> w5.label, round(w5.grad, 9)      # (a_o1 − t1)·a_o1·(1 − a_o1)·a_h1
    ('w5', 0.072157073)
    """

    def __init__(self, w: Sequence[float] = SEED.w, b: Sequence[float] | None = None) -> None:
        weights = reals(w, f"Net222: {_W}", 8)
        biases = None if b is None else reals(b, f"Net222: {_B}", 4)
        self.mlp = MLP(2, [2, 2], activation="sigmoid", bias=biases is not None)
        self.nodes: dict[str, Value] = {}
        hidden, output = self.mlp.layers
        # h1 = w1·i1 + w2·i2, h2 = w3·i1 + w4·i2, o1 = w5·a_h1 + w6·a_h2, o2 = w7·a_h1 + w8·a_h2:
        # neuron k of a layer holds the k-th pair of weights, in input order.
        self.weights = [w for layer in (hidden, output) for n in layer.neurons for w in n.w]
        self.biases = [n.b for layer in (hidden, output) for n in layer.neurons if n.b is not None]
        for param, name, value in zip(self.weights, WEIGHT_NAMES, weights):
            param.label, param.data = name, value
        for param, name, value in zip(self.biases, BIAS_NAMES, biases or ()):
            param.label, param.data = name, value
        # The generic neurons name their nodes as the derivation does: h1 and a_h1, …
        neurons = (*hidden.neurons, *output.neurons)
        for neuron, z_name, a_name in zip(neurons, ("h1", "h2", "o1", "o2"), _ACTIVATIONS):
            neuron.z_label, neuron.a_label = z_name, a_name

    def __call__(self, i: Sequence[float], t: Sequence[float]) -> Value:
        """E_total = ½(t1 − a_o1)² + ½(t2 − a_o2)² for inputs `i` and targets `t`."""
        (i1_, i2_), (t1_, t2_) = _pair(i, _I), _pair(t, _T)
        i1, i2, t1, t2 = Value(i1_, "i1"), Value(i2_, "i2"), Value(t1_, "t1"), Value(t2_, "t2")
        hidden, output = self.mlp.layers
        (n_h1, n_h2), (n_o1, n_o2) = hidden.neurons, output.neurons
        # Each generic neuron computes its sum, then its activation, and names both as the
        # derivation does (see __init__): h1 = w1·i1 + w2·i2, a_h1 = σ(h1). The inputs are
        # Values already, so the sums skip the neurons' input checks (as a Layer's do).
        h1, h2 = n_h1._weighted_sum([i1, i2]), n_h2._weighted_sum([i1, i2])
        a_h1, a_h2 = n_h1.activate(h1), n_h2.activate(h2)
        o1, o2 = n_o1._weighted_sum([a_h1, a_h2]), n_o2._weighted_sum([a_h1, a_h2])
        a_o1, a_o2 = n_o1.activate(o1), n_o2.activate(o2)
        E1 = 0.5 * (t1 - a_o1) ** 2
        E2 = 0.5 * (t2 - a_o2) ** 2
        E_total: Value = E1 + E2
        E1.label, E2.label, E_total.label = "E1", "E2", "E_total"
        nodes = (i1, i2, t1, t2, h1, a_h1, h2, a_h2, o1, a_o1, o2, a_o2, E1, E2, E_total)
        self.nodes = dict(zip(NODE_NAMES, nodes))
        return E_total

    def weight_grads(self) -> list[float]:
        """[∂E_total/∂w1, …, ∂E_total/∂w8] after ``backward()``."""
        return [w.grad for w in self.weights]

    def layout(self) -> Layout:
        """The derivation's figure: i1, i2 → h1 | a_h1, h2 | a_h2 → o1 | a_o1, o2 | a_o2 →
        E1, E2 (with t1, t2) → E_total, the weights w1..w8 on the connections."""
        values = {name: (float(v.data), float(v.grad)) for name, v in self.nodes.items()}
        return _figure(
            [Weight(name, w) for name, w in zip(WEIGHT_NAMES, self.weights)],
            [Weight(name, b) for name, b in zip(BIAS_NAMES, self.biases)],
            values,
        )

    def __repr__(self) -> str:
        return f"Net222({_weights_text([w.data for w in self.weights])}{_biases_text(self)})"


class TensorNet222(_OnMLP):
    """The same network on Tensors, a batch at a time: two `Linear` layers whose weight
    matrices are [[w1, w2], [w3, w4]] and [[w5, w6], [w7, w8]].

    ``net(i=I, t=T)`` takes arrays of shape (N, 2) and returns E_total summed over the batch
    as a 0-d Tensor. ``net.nodes`` holds the batch's tensors "i", "t", "h", "a_h", "o", "a_o",
    "E", "E_total"; ``net.weight_grads()`` is [∂E_total/∂w1, …, ∂E_total/∂w8] after backward.

    >>> import numpy as np
    >>> net = TensorNet222()
    >>> E_total = net(i=np.array([SEED.i]), t=np.array([SEED.t]))   # a batch of one
    >>> E_total.backward()
    >>> round(E_total.item(), 9), round(float(net.weight_grads()[4]), 9)
    (0.242519857, 0.072157073)
    """

    def __init__(self, w: Sequence[float] = SEED.w, b: Sequence[float] | None = None) -> None:
        weights = reals(w, f"TensorNet222: {_W}", 8)
        biases = None if b is None else reals(b, f"TensorNet222: {_B}", 4)
        self.mlp = TensorMLP(2, [2, 2], activation="sigmoid", bias=biases is not None)
        self.nodes: dict[str, Tensor] = {}
        self.hidden, self.output = self.mlp.layers
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
        self.weights = [self.hidden.weight, self.output.weight]
        self.biases = [layer.bias for layer in (self.hidden, self.output) if layer.bias is not None]

    def __call__(self, i: Any, t: Any) -> Tensor:
        """E_total = Σ over the batch of ½(t1 − a_o1)² + ½(t2 − a_o2)²; I and T of shape (N, 2)."""
        # Read-only views of the batch, not copies: the net reads them and never writes.
        inputs = as_input(_batch_array(i, "i"), None, "TensorNet222: i")
        targets = as_input(_batch_array(t, "t"), None, "TensorNet222: t")
        if inputs.shape != targets.shape:
            raise ValueError(
                f"TensorNet222: i has shape {inputs.shape} but t has shape {targets.shape}; "
                "give one target pair per input pair"
            )
        h = self.hidden(inputs)
        a_h = h.sigmoid()
        o = self.output(a_h)
        a_o = o.sigmoid()
        E = 0.5 * (targets - a_o) ** 2  # E[n, k] = ½(t_k − a_o_k)² for sample n
        E_total: Tensor = E.sum()
        nodes = {"i": inputs, "t": targets, "h": h, "a_h": a_h, "o": o, "a_o": a_o, "E": E,
                 "E_total": E_total}  # fmt: skip
        for name, node in nodes.items():
            node.label = name
        self.nodes = nodes
        return E_total

    def weight_grads(self) -> list[float]:
        """[∂E_total/∂w1, …, ∂E_total/∂w8] after ``backward()``, read from the two matrices."""
        grads = [np.zeros(4) if w.grad is None else w.grad.ravel() for w in self.weights]
        return [float(g) for g in np.concatenate(grads)]

    def layout(self) -> Layout:
        """The derivation's figure, as `Net222.layout`; each weight is an entry of a matrix:
        row n of a layer's matrix holds neuron n's weights, [[w1, w2], [w3, w4]]."""
        weights = [
            Weight(WEIGHT_NAMES[4 * k + 2 * n + j], layer.weight, (n, j))
            for k, layer in enumerate((self.hidden, self.output))
            for n in range(2)
            for j in range(2)
        ]
        biases = [
            Weight(BIAS_NAMES[2 * k + n], layer.bias, (n,))
            for k, layer in enumerate((self.hidden, self.output))
            if layer.bias is not None
            for n in range(2)
        ]
        return _figure(weights, biases, self._values())

    def _values(self) -> dict[str, tuple[float, float | None]]:
        """{name: (data, grad)} of the last call's nodes, when it was a batch of one."""
        nodes = self.nodes
        if not nodes or nodes["i"].shape[0] != 1:  # a batch: no single number per neuron
            return {}
        values: dict[str, tuple[float, float | None]] = {}
        for prefix in ("i", "t", "h", "a_h", "o", "a_o", "E"):
            tensor = nodes[prefix]
            for k in range(2):
                grad = None if tensor.grad is None else float(tensor.grad[0, k])
                values[f"{prefix}{k + 1}"] = (float(tensor.data[0, k]), grad)
        total = nodes["E_total"]
        values["E_total"] = (total.item(), None if total.grad is None else float(total.grad))
        return values

    def __repr__(self) -> str:
        values = [float(v) for w in self.weights for v in w.data.ravel()]
        return f"TensorNet222({_weights_text(values)}{_biases_text(self)})"


def _weights_text(values: Sequence[float]) -> str:
    return ", ".join(f"{name}={v:.6g}" for name, v in zip(WEIGHT_NAMES, values))


def _biases_text(net: Net222 | TensorNet222) -> str:
    return ", with biases" if net.biases else ""


def _batch_array(x: Any, what: str) -> np.ndarray[Any, Any]:
    """A batch as an (N, 2) array; one pair (2,) counts as a batch of one."""
    array = np.asarray(x.data if isinstance(x, Tensor) else x, dtype=float)
    if array.shape == (2,):
        array = array[None, :]
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"TensorNet222: {what} must have shape (N, 2), got {array.shape}")
    return array


def _figure(
    weights: list[Weight], biases: list[Weight], values: Mapping[str, tuple[float, float | None]]
) -> Layout:
    """The derivation's figure from w1..w8 and the biases (if any), for either engine."""
    layers = []
    # Weight 4k + 2n + j of the derivation connects input j of layer k to its neuron n.
    for k, (title, names, bias_node) in enumerate(
        (("hidden layer", ("h1", "h2"), "bias_h"), ("output layer", ("o1", "o2"), "bias_o"))
    ):
        neurons = tuple(
            NeuronLayout(
                name,
                "sigmoid",
                tuple(weights[4 * k + 2 * n : 4 * k + 2 * n + 2]),
                biases[2 * k + n] if biases else None,
                output=f"a_{name}",
            )
            for n, name in enumerate(names)
        )
        layers.append(LayerLayout(title, neurons, bias_node if biases else None))
    # After the outputs: E_k = ½(t_k − a_o_k)² reads o_k's neuron and the target t_k (dashed:
    # data, not a connection that learns); E_total = E1 + E2.
    arrows = tuple(
        arrow
        for k in ("1", "2")
        for arrow in (
            ("o" + k, "E" + k, False),
            ("t" + k, "E" + k, True),
            ("E" + k, "E_total", False),
        )
    )
    loss = LossLayout(
        "errors", ("E1", "E2"), (("t1", "input"), ("t2", "input"), ("E_total", "loss")), arrows
    )
    return Layout(("i1", "i2"), tuple(layers), dict(values), loss, "E_total")


def _sigmoid(x: Any) -> Any:
    """σ(x) = 1 / (1 + e^−x) for a float or, element by element, for a numpy array."""
    return sigmoid_array(x) if isinstance(x, np.ndarray) else sigmoid(x)


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


# --- training: the seeds' spreadsheet, report and learning-rate sweep ---------------------------

#: The learning rates of the seeds' experiment.
SEED_LRS = (0.1, 0.2, 0.5, 0.8, 1.0, 2.0)
#: Default thresholds of a sweep's summary: the first iteration with E_total below each.
SEED_THRESHOLDS = (0.01, 0.001)

_FORWARD_NAMES = ("h1", "a_h1", "h2", "a_h2", "o1", "a_o1", "o2", "a_o2", "E1", "E2", "E_total")
#: The spreadsheet's columns, as in the derivation (with biases, b_h1..b_o2 follow w8 and
#: db_h1..db_o2 follow dw8).
SPREADSHEET_COLUMNS = (
    "iteration",
    "t1", "t2", "i1", "i2",
    *WEIGHT_NAMES,
    *_FORWARD_NAMES,
    *(f"d{name}" for name in WEIGHT_NAMES),
)  # fmt: skip


def train_net222(
    w: Sequence[float] = SEED.w,
    i: Sequence[float] = SEED.i,
    t: Sequence[float] = SEED.t,
    b: Sequence[float] | None = None,
    lr: float = 0.5,
    steps: int = 1000,
    until: float | None = None,
    *,
    record: str | Collection[str] = RECORD_ALL,
    progress: bool | None = None,
) -> History:
    """Train the derivation's 2-2-2 network by SGD on E_total, w ← w − lr·∂E_total/∂w.

    w = (w1..w8), i = (i1, i2), t = (t1, t2), b = None or (b_h1, b_h2, b_o1, b_o2); the
    defaults are the seeds' example. Records everything `spreadsheet_rows` needs.

    >>> history = train_net222(lr=2.0, steps=1000, until=1e-3)
    >>> history.stopped_by, history.iterations, history.updates, round(history.final_loss, 6)
    ('until', 363, 362, 0.000996)
    """
    w = reals(w, f"train_net222: {_W}", 8)
    i = reals(i, f"train_net222: {_I}", 2)
    t = reals(t, f"train_net222: {_T}", 2)
    b = None if b is None else reals(b, f"train_net222: {_B}", 4)
    lr = learning_rate(lr, "train_net222: lr")
    net = Net222(w, b)
    return train(
        net,
        lambda net: net(i=i, t=t),
        SGD(net.parameters(), lr=lr),
        whole(steps, "train_net222: steps"),
        None if until is None else positive(until, "train_net222: until"),
        record=record,
        progress=progress,
        desc=f"2-2-2 net, lr={lr:g}",
    )


def spreadsheet_rows(history: History) -> list[dict[str, float]]:
    """One row per iteration of a `train_net222` run, with the derivation's columns
    (`SPREADSHEET_COLUMNS`): iteration, t1, t2, i1, i2, w1..w8, h1 … E_total, dw1..dw8.

    Row k holds the weights at iteration k, the forward pass there, and ∂E_total/∂w there;
    row k + 1's weights are w − lr·dw.
    """
    if not (history.params and history.grads and history.nodes):
        raise ValueError(
            "spreadsheet_rows: the history has no recorded parameters, gradients and nodes; "
            "train with record='all' (train_net222 does by default)"
        )
    if "w1" not in history.params[0] or "E_total" not in history.nodes[0]:
        raise ValueError(
            "spreadsheet_rows: this history is not of a Net222 (it has no parameter 'w1' or no "
            "node 'E_total')"
        )
    biases = tuple(name for name in BIAS_NAMES if name in history.params[0])
    rows = []
    for k, (params, grads, nodes) in enumerate(zip(history.params, history.grads, history.nodes)):
        row: dict[str, float] = {"iteration": k}
        row.update({name: nodes[name] for name in ("t1", "t2", "i1", "i2")})
        row.update({name: params[name] for name in (*WEIGHT_NAMES, *biases)})
        row.update({name: nodes[name] for name in _FORWARD_NAMES})
        row.update({f"d{name}": grads[name] for name in (*WEIGHT_NAMES, *biases)})
        rows.append(row)
    return rows


def sheet_net222(
    path: str | os.PathLike[str],
    *,
    lr: float = 0.5,
    iterations: int = 100,
    w: Sequence[float] = SEED.w,
    i: Sequence[float] = SEED.i,
    t: Sequence[float] = SEED.t,
    b: Sequence[float] | None = None,
    every_node: bool = False,
) -> Path:
    """The seeds' spreadsheet as live formulas (`tinygrad_edu.sheet.to_spreadsheet`): columns
    t1, t2, i1, i2, w1..w8 (then b_h1..b_o2), h1 … E_total, dw1..dw8 (then db_h1..db_o2),
    one row per iteration, η in the cell named eta. Needs ``pip install "tinygrad-edu[xlsx]"``.

    `every_node` adds ∂E_total/∂node for the inputs, targets and every node h1 … E2.
    """
    from tinygrad_edu.sheet import to_spreadsheet  # writing .xlsx needs openpyxl

    w = reals(w, f"sheet_net222: {_W}", 8)
    i = reals(i, f"sheet_net222: {_I}", 2)
    t = reals(t, f"sheet_net222: {_T}", 2)
    b = None if b is None else reals(b, f"sheet_net222: {_B}", 4)
    net = Net222(w, b)
    E_total = net(i=i, t=t)
    return to_spreadsheet(
        E_total,
        path,
        iterations=iterations,
        lr=lr,
        params=[*net.weights, *net.biases],
        inputs=[net.nodes[name] for name in ("t1", "t2", "i1", "i2")],  # the seeds' order
        every_node=every_node,
    )


def report_net222(history: History) -> str:
    """A short text report of a `train_net222` run: E_total before and after, and the weights."""
    if not history.loss:
        raise ValueError("report_net222: the history is empty")
    lr = "?" if history.lr is None else f"{history.lr:g}"
    if history.stopped_by == "until":
        how = f"stopped at iteration {history.iterations - 1}, where E_total < {history.until:g}"
    else:
        how = f"{history.updates} iterations"
    lines = [
        f"2-2-2 network trained by SGD with lr = {lr}: {how}",
        f"  E_total: {history.loss[0]:.12f} at iteration 0 → {history.final_loss:.12f} "
        f"after {history.updates} updates",
        "",
    ]
    names = [name for name in (*WEIGHT_NAMES, *BIAS_NAMES) if name in history.final_params]
    start = history.initial_params
    lines.append(
        table(
            ["parameter", "start", "final"],
            [
                [name, f"{start[name]:.12f}" if name in start else "", f"{final:.12f}"]
                for name in names
                for final in [float(history.final_params[name])]
            ],
        )
    )
    return "\n".join(lines)


def sweep(
    lrs: Sequence[float] = SEED_LRS,
    steps: int = 100,
    thresholds: Sequence[float] = SEED_THRESHOLDS,
    *,
    w: Sequence[float] = SEED.w,
    i: Sequence[float] = SEED.i,
    t: Sequence[float] = SEED.t,
    b: Sequence[float] | None = None,
    progress: bool | None = None,
) -> Sweep:
    """The seeds' experiment: train the 2-2-2 network from the same start once per learning
    rate, and compare the E_total curves.

    >>> result = sweep(steps=100)
    >>> result.curves[0.5][0]                   # every curve starts at the seeds' E_total
    0.24251985734837728
    >>> result.first_below(2.0, 0.01)           # lr 2.0 needs this many updates
    59
    """
    w = reals(w, f"sweep: {_W}", 8)
    i = reals(i, f"sweep: {_I}", 2)
    t = reals(t, f"sweep: {_T}", 2)
    b = None if b is None else reals(b, f"sweep: {_B}", 4)
    return sweep_model(
        Net222(w, b),
        lambda net: net(i=i, t=t),
        lrs,
        steps,
        thresholds,
        loss_name="E_total",
        progress=progress,
    )


# --- pictures -----------------------------------------------------------------------------------


def _at_seed() -> tuple[Net222, Value]:
    """Net222 at the derivation's example (SEED), after one forward and backward pass."""
    net = Net222(SEED.w)
    E_total = net(i=SEED.i, t=SEED.t)
    E_total.backward()
    return net, E_total


def net222_graph(highlight: str | None = None) -> graphviz.Digraph:
    """The computation graph of the 2-2-2 net at SEED after backward, optionally with the paths
    from E_total to the node labelled `highlight` (e.g. "w1") drawn in red.

    >>> "neuron h1" in net222_graph("w5").source
    True
    """
    from tinygrad_edu.viz import draw_graph  # pictures need graphviz; the network does not

    if highlight is not None and not isinstance(highlight, str):
        raise TypeError(
            f"net222_graph: highlight must be a node label such as 'w1', got {highlight!r}"
        )
    net, E_total = _at_seed()
    return draw_graph(E_total, highlight=highlight, model=net)


def net222_network() -> graphviz.Digraph:
    """The network figure of the 2-2-2 net at SEED after backward: weights, values, gradients.

    >>> "w8" in net222_network().source
    True
    """
    from tinygrad_edu.viz import draw_network

    net, _ = _at_seed()
    return draw_network(net)


def demo_pictures(folder: str | os.PathLike[str], format: str = "svg") -> list[Path]:
    """Write the 2-2-2 net's pictures into `folder`: graph, network, and graph_w1 (highlighted).

    Returns the paths written; with format "dot", no Graphviz is needed.
    """
    from tinygrad_edu.viz import FORMATS, render

    if format not in FORMATS:
        raise ValueError(
            f"demo_pictures: format must be one of {', '.join(FORMATS)}; got {format!r}"
        )
    out = Path(folder)
    pictures = (
        ("graph", net222_graph()),
        ("network", net222_network()),
        ("graph_w1", net222_graph("w1")),
    )
    return [render(graph, out / f"{name}.{format}", format) for name, graph in pictures]


# --- the demo and the command line --------------------------------------------------------------


def demo(lr: float = 0.5, sweep_steps: int = 100) -> str:
    """The demo's report: forward table, autograd vs closed-form gradients, the chain rule for
    w1 and w5, one SGD step, and the seeds' learning-rate sweep."""
    from tinygrad_edu.explain import explain  # explanations need sympy; the network does not

    net, E_total = _at_seed()
    reference = closed_form(SEED.i, SEED.t, SEED.w)
    i1, i2 = SEED.i
    t1, t2 = SEED.t
    out = [
        "tinygrad_edu demo: the 2-2-2 sigmoid network of the derivation, at its worked example",
        f"  inputs i1 = {i1}, i2 = {i2};  targets t1 = {t1}, t2 = {t2}",
        "",
        "Forward pass",
        table(
            ["node", "formula", "value"],
            [[name, formula, f"{net.nodes[name].data:.12f}"] for name, formula in FORMULAS.items()],
        ),
        "",
        "Backward pass: ∂E_total/∂w by autograd and by the derivation's closed form",
        table(
            ["weight", "value", "autograd", "closed form", "|difference|"],
            [
                [
                    w.label,
                    f"{w.data:g}",
                    f"{w.grad:.15e}",
                    f"{reference['d' + name]:.15e}",
                    f"{abs(w.grad - reference['d' + name]):.1e}",
                ]
                for w, name in zip(net.weights, WEIGHT_NAMES)
            ],
        ),
        "",
        "The chain rule, path by path, for one weight of each layer (tinygrad-edu explain w1)",
        "",
        explain(E_total, net.weights[4]).text(),
        "",
        explain(E_total, net.weights[0]).text(),
        "",
        f"One SGD step with lr = {lr:g}:  w ← w − lr · ∂E_total/∂w",
    ]
    before = [w.data for w in net.weights]
    SGD(net.parameters(), lr=lr).step()
    out.append(
        table(
            ["weight", "before", "gradient", "after"],
            [
                [w.label, f"{old:.12f}", f"{w.grad:.12f}", f"{w.data:.12f}"]
                for w, old in zip(net.weights, before)
            ],
        )
    )
    E_after = net(i=SEED.i, t=SEED.t).data
    out.append(f"  E_total: {E_total.data:.12f} → {E_after:.12f}")
    result = sweep(steps=sweep_steps, progress=False)
    out += [
        "",
        f"The seeds' learning-rate sweep: {sweep_steps} SGD steps from the same start",
        result.summary_table(),
    ]
    return "\n".join(out)


def demo_files(folder: str, lr: float = 0.5, sweep_steps: int = 100) -> list[str]:
    """Write the demo's files into `folder` (pictures, the step-by-step page backprop.html,
    sweep plot, spreadsheets); returns one line per file, or per skipped file (no Graphviz: no
    pictures and no page; no matplotlib: no plot; no openpyxl: no workbook)."""
    from tinygrad_edu.stepper import stepper
    from tinygrad_edu.viz import GraphvizNotFoundError

    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out: {folder!r} is a file, not a folder")
    if not out.parent.is_dir():
        raise ValueError(f"--out: cannot create {folder!r}: folder {str(out.parent)!r} is missing")
    out.mkdir(exist_ok=True)
    lines = []
    try:
        lines += [f"  {p}" for p in demo_pictures(out)]
    except GraphvizNotFoundError as error:
        lines.append(f"  (pictures skipped: {error})")
    try:  # the step-by-step page of the backward pass
        net, E_total = _at_seed()
        lines.append(f"  {stepper(E_total, highlight='w1', model=net).save(out / 'backprop.html')}")
    except GraphvizNotFoundError as error:
        lines.append(f"  (backprop.html skipped: {error})")
    try:
        lines.append(f"  {sweep(steps=sweep_steps, progress=False).plot(out / 'sweep.png')}")
    except ImportError as error:  # the base install has no matplotlib: the rest still runs
        lines.append(f"  (sweep.png skipped: {error})")
    history = train_net222(lr=lr, steps=sweep_steps, progress=False)
    lines.append(f"  {write_table(spreadsheet_rows(history), out / 'training.csv')}")
    try:  # the same run as live formulas
        lines.append(f"  {sheet_net222(out / 'net222.xlsx', lr=lr, iterations=sweep_steps)}")
    except ImportError as error:
        lines.append(f"  (net222.xlsx skipped: {error})")
    return lines


class CommandLineExample:
    """The 2-2-2 network at the seeds' example, as the ``tinygrad-edu`` command shows it:
    what `tinygrad_edu.cli.WorkedExample` asks for (the texts, the nodes, the experiments)."""

    loss_name = "E_total"
    lrs = SEED_LRS
    thresholds = SEED_THRESHOLDS
    #: ``derive --all``: w1..w8, then ∂E_total/∂a_h1 and ∂E_total/∂a_h2.
    derive_all = (*WEIGHT_NAMES, "a_h1", "a_h2")
    #: ``train``'s numbers: (option, how many, metavar, help).
    numbers = (
        ("w", 8, "W", "w1 … w8"),
        ("i", 2, "I", "i1 i2"),
        ("t", 2, "T", "t1 t2"),
        ("bias", 4, "B", "b_h1 b_h2 b_o1 b_o2"),
    )
    examples = (
        "demo",
        "derive --all",
        "explain w1",
        "graph --highlight w1 --out w1.svg",
        "step --highlight w1",
        "train --lr 0.5 --steps 1000 --csv training.csv",
        "sweep --plot sweep.png",
        "sheet --lr 0.5 --iterations 100 --out net.xlsx",
    )
    #: Each command's --help: (one line for the command list, a paragraph, examples).
    help: Mapping[str, tuple[str, str, tuple[str, ...]]] = {
        "demo": (
            "the 2-2-2 network at the seeds' example: forward, gradients, explanations, a sweep",
            "Build the derivation's 2-2-2 sigmoid network at its worked example, print the "
            "forward pass, the autograd gradients next to the hand-derived closed form, the "
            "chain rule for one weight of each layer, one SGD step, and the learning-rate sweep "
            "of the seeds. With --out, also write the pictures, the sweep plot and the training "
            "spreadsheets (CSV, and XLSX with live formulas).",
            ("demo", "demo --lr 1.0", "demo --out demo-output"),
        ),
        "graph": (
            "draw the 2-2-2 network's computation graph (or its network diagram)",
            "Draw the 2-2-2 network at the seeds' example after backward, with Graphviz: the "
            "computation graph (every value, operation and gradient), or with --network the "
            "textbook picture of the network. --highlight draws every chain-rule path from "
            "E_total to a node in red, each edge labelled with its local derivative.",
            (
                "graph --out graph.svg",
                "graph --highlight w1 --formulas --out w1.png",
                "graph --network --format pdf --out network.pdf",
                "graph --format dot",
            ),
        ),
        "step": (
            "watch backpropagation through the 2-2-2 network, step by step, in a browser",
            "Write one self-contained HTML page (no network needed) for the 2-2-2 network at the "
            "seeds' example: the forward pass operation by operation, then the backward pass "
            "edge by edge, each step's chain rule written out (∂E_total/∂a_h1 += ∂E_total/∂o1 · "
            "∂o1/∂a_h1 = …) with autograd's numbers, and the running sum where paths meet. "
            "--highlight dims everything not on a path from E_total to a node.",
            ("step", "step --highlight w1 --out backprop.html"),
        ),
        "explain": (
            "every chain-rule path from E_total to a node, with local derivatives",
            "List every path from E_total down to a node of the 2-2-2 network at the seeds' "
            "example, each edge's local derivative as a formula and a number, each path's "
            "product, and their sum, checked against autograd's gradient.",
            ("explain w1", "explain w5 --format md", "explain a_h1 --format latex"),
        ),
        "derive": (
            "the closed-form gradient formulas of the 2-2-2 network",
            "Derive ∂E_total/∂node in closed form from the graph, in the derivation's notation: "
            "sums over paths, factored where they share a tail.",
            ("derive w1", "derive w1 w5 a_h1", "derive --all", "derive --all --format latex"),
        ),
        "train": (
            "train the 2-2-2 network by SGD and write the spreadsheet",
            "Train the derivation's 2-2-2 network by gradient descent, w ← w − lr·∂E_total/∂w, "
            "from the seeds' example (or the numbers given), and optionally write one row per "
            "iteration with the derivation's columns (CSV, or XLSX for a .xlsx path).",
            (
                "train",
                "train --lr 0.5 --steps 3 --csv training.csv",
                "train --until 1e-3 --lr 2",
                "train --w 0.15 0.2 0.25 0.3 0.4 0.45 0.5 0.55 --i 0.05 0.1 --t 0.01 0.99",
                "train --bias 0.35 0.35 0.6 0.6 --csv with_biases.xlsx",
            ),
        ),
        "sweep": (
            "the seeds' learning-rate experiment: E_total curves, summary, plot",
            "Train the 2-2-2 network from the same start once per learning rate; print the "
            "final E_total and the first iteration below each threshold; optionally plot the "
            "curves (PNG or SVG) and write them as CSV.",
            (
                "sweep",
                "sweep --steps 1000 --thresholds 0.01,0.001",
                "sweep --lrs 0.1,0.5,2.0 --plot sweep.png --csv curves.csv",
            ),
        ),
        "sheet": (
            "write the seeds' spreadsheet as live formulas (XLSX), one row per iteration",
            "Write the 2-2-2 network's training as the spreadsheet students build by hand: "
            "t1, t2, i1, i2, w1..w8, h1 … E_total and dw1..dw8, every cell a formula (the "
            "gradients as derive prints them), the next row's weights w − η·dw with η in the "
            "cell named eta. Change η or a starting weight in the spreadsheet and it re-runs.",
            (
                "sheet",
                "sheet --lr 2.0 --iterations 400 --out fast.xlsx",
                "sheet --every-node --out every_node.xlsx",
            ),
        ),
    }
    #: Help of the options that name the example's nodes and numbers.
    option_help: Mapping[str, str] = {
        "graph --highlight": "a node such as w1, a_h1 or o2",
        "step --highlight": "a node such as w1: dim what is not on a path from E_total to it",
        "explain node": "a node of the network: w1..w8, i1, h1, a_h1, o1, a_o1, …",
        "derive nodes": "nodes such as w1 or a_h1",
        "derive --all": "w1..w8, then ∂E_total/∂a_h1 and ∂E_total/∂a_h2",
        "sweep --lrs": "comma-separated (default: the seeds' 0.1,0.2,0.5,0.8,1.0,2.0)",
    }

    def network(self) -> tuple[Module, Value, dict[str, Value]]:
        """Net222 at SEED after backward, E_total, and its nodes by name (weights first)."""
        net, E_total = _at_seed()
        nodes: dict[str, Value] = {w.label: w for w in net.weights}
        nodes.update(net.nodes)
        return net, E_total, nodes

    def demo(self, lr: float, sweep_steps: int = 100) -> str:
        """The demo's report (`demo`)."""
        return demo(lr, sweep_steps)

    def demo_files(self, folder: str, lr: float, sweep_steps: int = 100) -> list[str]:
        """The demo's files (`demo_files`)."""
        return demo_files(folder, lr, sweep_steps)

    def train(
        self,
        numbers: Mapping[str, Sequence[float] | None],
        lr: float,
        steps: int,
        until: float | None,
        *,
        record: str | Collection[str],
        progress: bool | None,
    ) -> History:
        """`train_net222` from the numbers given (w, i, t, bias), the seeds' for the others."""
        return train_net222(
            w=numbers.get("w") or SEED.w,
            i=numbers.get("i") or SEED.i,
            t=numbers.get("t") or SEED.t,
            b=numbers.get("bias"),
            lr=lr,
            steps=steps,
            until=until,
            record=record,
            progress=progress,
        )

    def training_report(self, history: History) -> str:
        """`report_net222`."""
        return report_net222(history)

    def spreadsheet_rows(self, history: History) -> list[dict[str, float]]:
        """`spreadsheet_rows`."""
        return spreadsheet_rows(history)

    def sweep(
        self, lrs: Sequence[float], steps: int, thresholds: Sequence[float], progress: bool | None
    ) -> Sweep:
        """The seeds' `sweep`."""
        return sweep(lrs, steps, thresholds, progress=progress)

    def sheet(self, path: Path, lr: float, iterations: int, every_node: bool) -> Path:
        """`sheet_net222` at the seeds' example."""
        return sheet_net222(path, lr=lr, iterations=iterations, every_node=every_node)


#: The worked example that ``tinygrad-edu`` (and ``python -m tinygrad_edu``) runs.
EXAMPLE = CommandLineExample()
