"""Neural-network building blocks for both engines.

On `Value` (one number per node): Neuron, Layer and MLP. A neuron computes
``activation(w1·x1 + w2·x2 + … + b)`` with nothing but the generic Value operations, so its
graph is exactly the one written in a derivation: two inputs give ``h = w1·x1 + w2·x2`` as two
products and one sum, then ``a_h = σ(h)``.

On `Tensor` (a batch at a time): Linear, Sequential, the activation modules, and TensorMLP.
The engine is the class: ``MLP`` builds Values, ``TensorMLP`` builds Tensors. One `Module` base
serves both; it names its parameters (`Module.named_parameters`) and says what its layers and
neurons are (`Module.layout`), which is all the pictures need to know about a model.

>>> net = MLP(2, [2, 2], activation="sigmoid", seed=0)
>>> [name for name, _ in net.named_parameters()][:3]
['L1.N1.w1', 'L1.N1.w2', 'L1.N1.b']
>>> outputs = net([0.05, 0.1])
>>> len(outputs)
2
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu._checkpoint import load_state, save_state
from tinygrad_edu._checks import flag, real, reals, sequence_of, whole
from tinygrad_edu.tensor import Tensor, as_input
from tinygrad_edu.value import Value

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "Activation",
    "Layer",
    "LayerLayout",
    "Layout",
    "Linear",
    "LossLayout",
    "Module",
    "Neuron",
    "NeuronLayout",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "TensorMLP",
    "Weight",
    "activation_name",
]

#: A parameter of either engine.
Parameter = Value | Tensor

#: An activation: one of the names in `ACTIVATIONS`, or any function of one node.
Activation = str | Callable[[Any], Any]


# Each works on a Value and on a Tensor alike.
def sigmoid(z: Any) -> Any:
    """σ(z) = 1 / (1 + e^−z), of a Value or a Tensor."""
    return z.sigmoid()


def tanh(z: Any) -> Any:
    """tanh(z), of a Value or a Tensor."""
    return z.tanh()


def relu(z: Any) -> Any:
    """max(0, z), of a Value or a Tensor."""
    return z.relu()


def linear(z: Any) -> Any:
    """z itself: the identity, no non-linearity."""
    return z


# Named functions, not lambdas, so that a model holding one can be pickled and copied.
ACTIVATIONS: dict[str, Callable[[Any], Any]] = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "linear": linear,
}


def _activation(activation: Activation, where: str) -> Callable[[Any], Any]:
    """Resolve an activation name (or callable) to a function, with a clear error otherwise."""
    if isinstance(activation, str):
        try:
            return ACTIVATIONS[activation]
        except KeyError:
            names = ", ".join(repr(name) for name in ACTIVATIONS)
            raise ValueError(
                f"{where}: unknown activation {activation!r}; use one of {names} or a callable"
            ) from None
    if callable(activation):
        return activation
    raise TypeError(
        f"{where}: activation must be a name or a callable, got {type(activation).__name__}"
    )


def activation_name(function: Callable[[Any], Any]) -> str:
    """The name an activation function is shown by: its key in `ACTIVATIONS`, else its __name__.

    >>> activation_name(ACTIVATIONS["tanh"]), activation_name(abs)
    ('tanh', 'abs')
    """
    for name, known in ACTIVATIONS.items():
        if known is function:
            return name
    return getattr(function, "__name__", "activation")


def _as_inputs(
    x: Sequence[Value | float], nin: int, where: str, names: Sequence[str]
) -> list[Value]:
    """The inputs as Values named by `names` (x1, x2, …): numbers become named leaves once, not
    once per neuron, so explanations show the symbol x1, never the number it held."""
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(f"{where}: inputs must be a sequence of numbers or Values, got {x!r}")
    if len(x) != nin:
        raise ValueError(f"{where}: expected {nin} inputs, got {len(x)}")
    xs = [xi if isinstance(xi, Value) else Value(xi) for xi in x]
    for xi, name in zip(xs, names):
        if not xi.label:  # a user's own label wins
            xi.label = name
    return xs


def _input_names(names: Sequence[str] | None, nin: int, where: str) -> tuple[str, ...]:
    """The names of a module's inputs: `names` checked, or x1, x2, …"""
    if names is None:
        return _names("x", nin)
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise TypeError(f"{where}: input_names must be a list of {nin} strings, got {names!r}")
    if len(names) != nin:
        raise ValueError(f"{where}: input_names needs {nin} names, got {len(names)}")
    return tuple(names)


def _names(prefix: str, count: int) -> tuple[str, ...]:
    """(prefix1, prefix2, …): node names, made once when a module is built (not per call)."""
    return tuple(f"{prefix}{k + 1}" for k in range(count))


# --- what a model is made of, for pictures ------------------------------------------------------


@dataclass(frozen=True)
class Weight:
    """One weight (or bias) of a neuron: the name it is shown by, and where its number lives:
    a Value, or entry `index` of a Tensor (row n, column j of a Linear's matrix)."""

    name: str
    parameter: Any
    index: tuple[int, ...] | None = None

    @property
    def data(self) -> float:
        """The weight's value."""
        data = self.parameter.data
        return float(data if self.index is None else data[self.index])

    @property
    def grad(self) -> float | None:
        """∂loss/∂weight after backward (None: a Tensor that has received no gradient yet)."""
        grad = self.parameter.grad
        if grad is None:
            return None
        return float(grad if self.index is None else grad[self.index])


@dataclass(frozen=True)
class NeuronLayout:
    """One neuron: activation(Σ weights·inputs + bias).

    `weights` are in the order of the layer's inputs. `output` names the activation's node
    when the model names its nodes, as a derivation does (neuron "h1" computes "a_h1").
    """

    name: str
    activation: str
    weights: tuple[Weight, ...]
    bias: Weight | None = None
    output: str | None = None


@dataclass(frozen=True)
class LayerLayout:
    """One layer of neurons reading the same inputs.

    `title` names its box ("layer L1"; "" for none). `bias_node`, when given, draws the biases
    as weights on a constant input 1 of that name, as derivations do; otherwise each bias is
    drawn inside its neuron. `is_output` marks the layer that gives the model's outputs.
    """

    title: str
    neurons: tuple[NeuronLayout, ...]
    bias_node: str | None = None
    is_output: bool = False


@dataclass(frozen=True)
class LossLayout:
    """What follows the outputs in a figure: a titled column of boxes (the errors E1, E2), more
    boxes (targets, the total), and arrows (tail, head, dashed) between them and the outputs."""

    title: str
    column: tuple[str, ...]
    boxes: tuple[tuple[str, str], ...]  # (name, role): role "input", "intermediate" or "loss"
    arrows: tuple[tuple[str, str, bool], ...]


@dataclass(frozen=True)
class Layout:
    """A model's structure, as its figure shows it: inputs → layers of neurons → (loss).

    `values` are {name: (data, grad)} of named nodes (inputs, neurons, errors) to print in
    their boxes; `loss_name` is what the gradients are of ("E_total", or "loss").

    >>> layout = MLP(2, [3, 1], seed=0).layout()
    >>> layout.inputs, [len(layer.neurons) for layer in layout.layers]
    (('x1', 'x2'), [3, 1])
    >>> layout.layers[0].neurons[0].weights[0].name
    'L1.N1.w1'
    """

    inputs: tuple[str, ...] = ()
    layers: tuple[LayerLayout, ...] = ()
    values: Mapping[str, tuple[float, float | None]] = field(default_factory=dict)
    loss: LossLayout | None = None
    loss_name: str = "loss"

    def add_layer(self, layer: LayerLayout, nin: int) -> Layout:
        """This layout with `layer` after the last one (the first names the inputs x1..x_nin)."""
        if self.layers and len(self.layers[-1].neurons) != nin:
            raise ValueError(
                f"layout: {layer.title or 'a layer'} reads {nin} inputs but the layer before "
                f"it has {len(self.layers[-1].neurons)} neurons"
            )
        inputs = self.inputs or tuple(f"x{j + 1}" for j in range(nin))
        return replace(self, inputs=inputs, layers=(*self.layers, layer))

    def add_activation(self, name: str) -> Layout:
        """This layout with activation `name` applied after the last layer's neurons."""
        if not self.layers:
            raise NotImplementedError(f"an activation ({name}) before any layer cannot be drawn")
        if name == "linear":  # the identity changes nothing
            return self
        last = self.layers[-1]
        # A layer without activation is "linear"; a second activation composes with the first.
        neurons = tuple(
            replace(n, activation=name if n.activation == "linear" else f"{name}∘{n.activation}")
            for n in last.neurons
        )
        return replace(self, layers=(*self.layers[:-1], replace(last, neurons=neurons)))

    def with_output_layer(self) -> Layout:
        """This layout with its last layer marked as the one that gives the outputs."""
        if not self.layers:
            return self
        return replace(self, layers=(*self.layers[:-1], replace(self.layers[-1], is_output=True)))


# --- modules ------------------------------------------------------------------------------------


class Module:
    """Base of every model: its parameters by name, `zero_grad`, `save`/`load`, its `layout`.

    A model of your own lists its parameters (``parameters()``); the rest follows from that.

    >>> from tinygrad_edu import Value
    >>> class Scale(Module):
    ...     def __init__(self):
    ...         self.k = Value(2.0, "k", requires_grad=True)
    ...     def __call__(self, x):
    ...         return self.k * x
    ...     def parameters(self):
    ...         return [self.k]
    >>> model = Scale()
    >>> model(3.0).backward()            # ∂(k·x)/∂k = x
    >>> model.named_parameters()[0][0], model.k.grad
    ('k', 3.0)
    >>> model.zero_grad()
    >>> model.k.grad
    0.0
    """

    def parameters(self) -> list[Any]:
        """The learnable Values or Tensors, in a fixed documented order."""
        return []

    def named_parameters(self) -> list[tuple[str, Any]]:
        """[(path, parameter)] in ``parameters()`` order; a path names the modules that hold the
        parameter, as in PyTorch: "L1.N2.w1" is weight 1 of neuron N2 of layer L1.

        The library's modules give their paths; a module that only lists ``parameters()``
        names each by its label, or by its position when it has none.
        """
        return [(p.label or str(k), p) for k, p in enumerate(self.parameters())]

    def layout(self) -> Layout:
        """The model's inputs, layers and neurons, as pictures draw them (`viz.draw_network`).

        Built from `add_to_layout`, so a model made of layers needs nothing more; a model
        that cannot say raises NotImplementedError.
        """
        return self.add_to_layout(Layout(), getattr(self, "label", "")).with_output_layer()

    def add_to_layout(self, layout: Layout, name: str) -> Layout:
        """`layout` with this module added after it; `name` is the module's path in the model.

        A layer adds its column of neurons, an activation sets the last layer's activation, a
        container adds its children in order. The base class cannot: NotImplementedError.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not say what its layers and neurons are: give it a "
            "layout() method (or add_to_layout(), to be one part of a Sequential)"
        )

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (gradients accumulate across backward calls)."""
        for p in self.parameters():
            p.zero_grad()

    def set_parameters(self, values: Sequence[Any]) -> None:
        """Overwrite the parameters' data, in ``parameters()`` order: numbers for Values,
        arrays of the right shape for Tensors.

        >>> neuron = Neuron(2, label="h1")
        >>> neuron.set_parameters([0.15, 0.2, 0.35])
        >>> [p.data for p in neuron.parameters()]
        [0.15, 0.2, 0.35]
        """
        params = self.parameters()
        name = type(self).__name__
        values = sequence_of(values, f"{name}.set_parameters")
        if len(values) != len(params):
            labels = ", ".join(p.label for p in params)
            raise ValueError(
                f"{name}.set_parameters: expected {len(params)} numbers ({labels}), "
                f"got {len(values)}"
            )
        checked = [
            _checked(p, v, f"{name}.set_parameters ({p.label})") for p, v in zip(params, values)
        ]
        for p, v in zip(params, checked):
            p.data = v

    def state_dict(self) -> dict[str, np.ndarray[Any, Any]]:
        """{label: array} of every parameter, ready for ``np.savez(path, **state)``."""
        state: dict[str, np.ndarray[Any, Any]] = {}
        for p in self.parameters():
            if not p.label or p.label in state:
                raise ValueError(
                    f"{type(self).__name__}.state_dict: parameter labels must be unique and "
                    f"non-empty to name the saved arrays; {p.label!r} is not"
                )
            state[p.label] = np.array(p.data)
        return state

    def load_state_dict(self, state: Mapping[str, Any] | str | os.PathLike[str]) -> None:
        """Set every parameter from `state` (a mapping, or a path saved by `save`).

        Files are read with ``allow_pickle=False``: a saved model holds numbers, never code.
        """
        name = type(self).__name__
        params = {p.label: p for p in self.parameters()}
        if isinstance(state, (str, os.PathLike)):
            shapes = {label: np.shape(p.data) for label, p in params.items()}
            state = load_state(state, shapes, f"{name}.load_state_dict")
        missing = sorted(set(params) - set(state))
        unexpected = sorted(set(state) - set(params))
        if missing or unexpected:
            raise ValueError(
                f"{name}.load_state_dict: missing {missing or 'nothing'}, "
                f"unexpected {unexpected or 'nothing'}"
            )
        checked = {
            label: _checked(p, state[label], f"{name}.load_state_dict ({label})")
            for label, p in params.items()
        }
        for label, p in params.items():
            p.data = checked[label]

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the parameters to `path` as .npz (load them with `load_state_dict`); returns
        the path written. Written whole or not at all: an interrupted save keeps the old file."""
        return save_state(path, self.state_dict())


def _checked(p: Parameter, value: Any, where: str) -> Any:
    """`value` as new data for `p`: a float for a Value, an array of p's shape for a Tensor."""
    if isinstance(p, Value):
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value[()]
        return real(value, where)
    array = np.asarray(value)
    if array.shape != p.data.shape:
        raise ValueError(f"{where}: expected shape {p.data.shape}, got {array.shape}")
    return Tensor(array, dtype=p.dtype).data


def _prefixed(prefix: str, named: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """A child module's named parameters, their paths under the child's name."""
    return [(f"{prefix}.{path}", p) for path, p in named]


def _path(outer: str, name: str) -> str:
    """A module's path inside the model: "L1" at the top, "0.L1" inside module "0"."""
    return f"{outer}.{name}" if outer else name


# --- the Value engine ---------------------------------------------------------------------------


class Neuron(Module):
    """activation(w·x + b): `nin` weights, an optional bias, one output Value.

    Parameters are labelled ``{label}.w1 … {label}.w{nin}`` and ``{label}.b``. Weights start
    uniform in [−1, 1] (from `rng`), or from `weights` when given; the bias starts at 0.

    Each call names the nodes a derivation names: the sum before the activation is labelled
    `label` and the activation ``a_{label}`` (``Neuron(2, label="h1")`` computes h1 and a_h1),
    or ``names=(sum, activation)``; inputs given as numbers become leaves x1, x2, …

    >>> n = Neuron(2, "sigmoid", label="h1", weights=[0.15, 0.2])
    >>> a_h1 = n([0.05, 0.1])            # σ(w1·i1 + w2·i2 + b), b = 0
    >>> a_h1.label, round(a_h1.data, 9), [p.label for p in n.parameters()]
    ('a_h1', 0.506874567, ['h1.w1', 'h1.w2', 'h1.b'])
    """

    def __init__(
        self,
        nin: int,
        activation: Activation = "sigmoid",
        bias: bool = True,
        *,
        label: str = "neuron",
        weights: Sequence[float] | None = None,
        rng: random.Random | None = None,
        names: tuple[str, str] | None = None,
    ) -> None:
        self.nin = whole(nin, "Neuron: nin")
        self.label = label
        # The labels of the nodes each call makes, prepared once: no formatting per call.
        self.z_label, self.a_label = (label, f"a_{label}") if names is None else names
        self.input_names = _names("x", self.nin)
        self.activation = _activation(activation, f"Neuron {label!r}")
        bias = flag(bias, f"Neuron {label!r}: bias")
        rng = rng or random.Random()
        # Parameters by identity: pictures and tests know them as learnable, whatever the label.
        self.w = [
            Value(rng.uniform(-1.0, 1.0), f"{label}.w{k + 1}", requires_grad=True)
            for k in range(nin)
        ]
        self.b = Value(0.0, f"{label}.b", requires_grad=True) if bias else None
        if weights is not None:
            for w, value in zip(self.w, reals(weights, f"Neuron {label!r}: weights", nin)):
                w.data = value

    def __call__(self, x: Sequence[Value | float]) -> Value:
        """activation(w1·x1 + … + w_n·x_n + b), built from generic + and * nodes."""
        return self.activate(self.pre_activation(x))

    def activate(self, z: Value) -> Value:
        """activation(z), checked to be a Value, and labelled as this neuron's activation."""
        out = self.activation(z)
        if not isinstance(out, Value):
            raise TypeError(
                f"Neuron {self.label!r}: the activation returned a {type(out).__name__}, not a "
                "Value; build it from Value operations so gradients can flow through it"
            )
        if out is not z:  # the identity ("linear") leaves the sum as the neuron's output
            out.label = self.a_label
        return out

    def pre_activation(self, x: Sequence[Value | float]) -> Value:
        """z = w1·x1 + … + w_n·x_n + b, the sum before the activation (h1 in the derivation)."""
        return self._weighted_sum(
            _as_inputs(x, self.nin, f"Neuron {self.label!r}", self.input_names)
        )

    def _weighted_sum(self, xs: list[Value]) -> Value:
        """w1·x1 + … + w_n·x_n + b for inputs already checked and made Values."""
        w = self.w
        z = w[0] * xs[0]
        for k in range(1, self.nin):
            z = z + w[k] * xs[k]
        if self.b is not None:
            z = z + self.b
        z.label = self.z_label
        return z

    def parameters(self) -> list[Value]:
        """[w1, …, w_nin, b]: weights then bias."""
        return [*self.w, self.b] if self.b is not None else list(self.w)

    def named_parameters(self) -> list[tuple[str, Any]]:
        """[("w1", w1), …, ("b", b)]."""
        named: list[tuple[str, Any]] = [(f"w{k + 1}", w) for k, w in enumerate(self.w)]
        return named + ([("b", self.b)] if self.b is not None else [])

    def neuron_layout(self, name: str) -> NeuronLayout:
        """This neuron as its figure shows it, called `name`; weights by their labels."""
        return NeuronLayout(
            name,
            activation_name(self.activation),
            tuple(Weight(w.label, w) for w in self.w),
            None if self.b is None else Weight(self.b.label, self.b),
        )

    def add_to_layout(self, layout: Layout, name: str) -> Layout:
        """A neuron alone: a column of one neuron, in no titled layer."""
        return layout.add_layer(LayerLayout("", (self.neuron_layout(name),)), self.nin)

    def __repr__(self) -> str:
        return f"Neuron({self.label}: {self.nin} inputs, bias={self.b is not None})"


class Layer(Module):
    """`nout` neurons reading the same `nin` inputs; returns a list, even for one neuron.

    Layer `number` n names its neurons' nodes as derivations of deep nets do: neuron k sums to
    ``z{n}_{k}`` and activates to ``a{n}_{k}``; inputs given as numbers become x1, x2, …

    >>> layer = Layer(2, 3, "tanh", label="L1")
    >>> outputs = layer([1.0, -1.0])
    >>> len(outputs), outputs[0].label, [p.label for p in layer.parameters()][:3]
    (3, 'a1_1', ['L1.N1.w1', 'L1.N1.w2', 'L1.N1.b'])
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: Activation = "sigmoid",
        bias: bool = True,
        *,
        label: str = "L1",
        rng: random.Random | None = None,
        number: int = 1,
        input_names: Sequence[str] | None = None,
    ) -> None:
        whole(nout, f"Layer {label}: nout")
        rng = rng or random.Random()
        self.nin, self.nout, self.label = nin, nout, label
        self.neurons = [
            Neuron(
                nin, activation, bias, label=f"{label}.N{k + 1}", rng=rng,
                names=(f"z{number}_{k + 1}", f"a{number}_{k + 1}"),
            )
            for k in range(nout)
        ]  # fmt: skip
        self.input_names = _input_names(input_names, nin, f"Layer {label}")

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        """[neuron(x) for each neuron]."""
        # Checked and made Values once for the layer, not once per neuron (the hot path).
        xs = _as_inputs(x, self.nin, f"Layer {self.label}", self.input_names)
        return [neuron.activate(neuron._weighted_sum(xs)) for neuron in self.neurons]

    def parameters(self) -> list[Value]:
        """Neuron by neuron, each neuron's weights then its bias."""
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def named_parameters(self) -> list[tuple[str, Any]]:
        """[("N1.w1", …), …]: neuron by neuron."""
        return [
            named
            for k, neuron in enumerate(self.neurons)
            for named in _prefixed(f"N{k + 1}", neuron.named_parameters())
        ]

    def add_to_layout(self, layout: Layout, name: str) -> Layout:
        """A column "layer {name}" of neurons "{name}.N1", "{name}.N2", …"""
        neurons = tuple(n.neuron_layout(f"{name}.N{k + 1}") for k, n in enumerate(self.neurons))
        return layout.add_layer(LayerLayout(f"layer {name}", neurons), self.nin)

    def __repr__(self) -> str:
        return f"Layer({self.label}: {self.nin} -> {self.nout})"


def _plan(
    nin: int, nouts: Sequence[int], activation: Activation | Sequence[Activation], name: str
) -> tuple[list[int], list[Activation]]:
    """The layer sizes [nin, *nouts] and one activation per layer, checked."""
    whole(nin, f"{name}: nin")
    if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
        raise ValueError(f"{name}: nouts must be a non-empty list of layer sizes, got {nouts!r}")
    if isinstance(activation, str) or callable(activation):
        return [nin, *nouts], [activation] * len(nouts)
    if not isinstance(activation, Sequence):
        raise TypeError(
            f"{name}: activation must be a name, a callable, or a list with one per layer; "
            f"got {type(activation).__name__}"
        )
    if len(activation) != len(nouts):
        raise ValueError(
            f"{name}: got {len(activation)} activations for {len(nouts)} layers; "
            "give one activation, or one per layer"
        )
    return [nin, *nouts], list(activation)


class _Layers(Module):
    """A model that is its `layers`, one after another: their parameters, layer by layer, under
    each layer's label ("L1.N1.w1" for a Value MLP, "L1.weight" for a TensorMLP)."""

    layers: Sequence[Any]

    def parameters(self) -> list[Any]:
        """Layer by layer, each layer's in its own order (a neuron's weights, then its bias)."""
        return [p for layer in self.layers for p in layer.parameters()]

    def named_parameters(self) -> list[tuple[str, Any]]:
        """[("L1.N1.w1", …), …] or [("L1.weight", …), …]: the same as the labels."""
        return [
            named
            for layer in self.layers
            for named in _prefixed(layer.label, layer.named_parameters())
        ]


class MLP(_Layers):
    """A multi-layer perceptron on Values: ``MLP(2, [2, 2])`` is 2 inputs, a hidden layer of 2,
    2 outputs. ``net([x1, x2])`` returns the list of output Values.

    `activation` is one name or callable for every layer, or a list with one per layer; `seed`
    makes the random initial weights reproducible. Parameters are labelled
    ``L{layer}.N{neuron}.w{input}`` and ``L{layer}.N{neuron}.b``, counting from 1. For a batch
    at a time on Tensors, use `TensorMLP`.

    Each call names its nodes, so explanations read like a derivation: inputs x1, x2, … (or
    `input_names`; a Value you pass keeps its own label), and neuron k of layer n sums to
    z{n}_{k} and activates to a{n}_{k} — the outputs are the last layer's a's.

    >>> net = MLP(2, [3, 1], activation=["tanh", "sigmoid"], seed=0)
    >>> (y,) = net([1.0, 0.0])
    >>> z = y.parents[0]
    >>> y.label, z.label, y.op
    ('a2_1', 'z2_1', 'sigmoid')
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: Activation | Sequence[Activation] = "sigmoid",
        bias: bool = True,
        *,
        seed: int | None = None,
        input_names: Sequence[str] | None = None,
    ) -> None:
        self.sizes, activations = _plan(nin, nouts, activation, "MLP")
        rng = random.Random(seed)
        self.layers = [
            Layer(
                self.sizes[k], self.sizes[k + 1], activations[k], bias, label=f"L{k + 1}",
                rng=rng, number=k + 1, input_names=input_names if k == 0 else None,
            )
            for k in range(len(nouts))
        ]  # fmt: skip

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        """The list of output Values."""
        out: Any = x
        for layer in self.layers:
            out = layer(out)
        return list(out)

    def add_to_layout(self, layout: Layout, name: str) -> Layout:
        """Its layers, one after another."""
        for layer in self.layers:
            layout = layer.add_to_layout(layout, _path(name, layer.label))
        return layout

    def __repr__(self) -> str:
        return f"MLP({' -> '.join(map(str, self.sizes))})"


# --- the Tensor engine --------------------------------------------------------------------------


class Linear(Module):
    """y = x @ Wᵀ + b for a batch of rows x (Tensor engine): `nin` features in, `nout` out.

    W has shape (nout, nin), so row k holds the weights of output k, just as neuron k of a
    Layer does. Weights and biases start uniform in ±1/√nin (from `seed`, an int or Generator).

    >>> import numpy as np
    >>> layer = Linear(3, 2, seed=0)
    >>> layer.weight.shape, layer(np.ones((4, 3))).shape      # 4 rows of 3 features in
    ((2, 3), (4, 2))
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        bias: bool = True,
        *,
        label: str = "linear",
        seed: int | np.random.Generator | None = None,
    ) -> None:
        self.nin = whole(nin, f"Linear {label}: nin")
        self.nout = whole(nout, f"Linear {label}: nout")
        self.label = label
        bias = flag(bias, f"Linear {label}: bias")
        rng = np.random.default_rng(seed)
        bound = 1.0 / math.sqrt(nin)
        self.weight = Tensor(
            rng.uniform(-bound, bound, (nout, nin)), requires_grad=True, label=f"{label}.weight"
        )
        self.bias = (
            Tensor(rng.uniform(-bound, bound, nout), requires_grad=True, label=f"{label}.bias")
            if bias
            else None
        )

    def __call__(self, x: Any) -> Tensor:
        """x @ Wᵀ + b, for x of shape (..., nin)."""
        # Inputs take the layer's dtype, so a float32 model stays float32 end to end.
        x = as_input(x, self.weight.dtype, f"Linear {self.label} input")
        y: Tensor
        if x.ndim == 0 or x.shape[-1] != self.nin:
            raise ValueError(
                f"Linear {self.label}: expected inputs with {self.nin} features on the last "
                f"axis, got shape {x.shape}"
            )
        y = x @ self.weight.T
        return y + self.bias if self.bias is not None else y

    def parameters(self) -> list[Any]:
        """[weight, bias]."""
        return [self.weight] if self.bias is None else [self.weight, self.bias]

    def named_parameters(self) -> list[tuple[str, Any]]:
        """[("weight", W), ("bias", b)]."""
        return list(zip(("weight", "bias"), self.parameters()))

    def add_to_layout(self, layout: Layout, name: str) -> Layout:
        """A column "layer {name}": neuron n is output n, its weights row n of W (no activation).

        Each weight is shown as its entry of the matrix: "{name}.weight[n, j]".
        """
        neurons = tuple(
            NeuronLayout(
                f"{name}.N{n + 1}",
                "linear",
                tuple(
                    Weight(f"{name}.weight[{n}, {j}]", self.weight, (n, j)) for j in range(self.nin)
                ),
                None if self.bias is None else Weight(f"{name}.bias[{n}]", self.bias, (n,)),
            )
            for n in range(self.nout)
        )
        return layout.add_layer(LayerLayout(f"layer {name}", neurons), self.nin)

    def __repr__(self) -> str:
        return f"Linear({self.label}: {self.nin} -> {self.nout}, bias={self.bias is not None})"


class _Activation(Module):
    """An activation applied entry by entry, to a Value or a Tensor; each subclass names it.

    Named rather than holding a function, so a model can be pickled and copied."""

    name = "linear"

    def __call__(self, x: Any) -> Any:
        """activation(x), entry by entry."""
        return ACTIVATIONS[self.name](x)

    def add_to_layout(self, layout: Layout, name: str) -> Layout:
        """The last layer's neurons apply this activation."""
        return layout.add_activation(self.name)


class Sigmoid(_Activation):
    """σ(x) = 1 / (1 + e^−x), element by element (Value or Tensor).

    >>> from tinygrad_edu import Tensor
    >>> Sigmoid()(Tensor([0.0, 1000.0])).data.tolist()
    [0.5, 1.0]
    """

    name = "sigmoid"


class Tanh(_Activation):
    """tanh(x), element by element (Value or Tensor).

    >>> from tinygrad_edu import Value
    >>> Tanh()(Value(0.0)).data
    0.0
    """

    name = "tanh"


class ReLU(_Activation):
    """max(0, x), element by element (Value or Tensor).

    >>> from tinygrad_edu import Tensor
    >>> ReLU()(Tensor([-1.0, 2.0])).data.tolist()
    [0.0, 2.0]
    """

    name = "relu"


class Sequential(Module):
    """Modules applied one after another: ``Sequential(Linear(2, 4), Tanh(), Linear(4, 1))``.

    Module k is named "k" in parameter paths and pictures ("0.weight"), as in PyTorch.

    >>> import numpy as np
    >>> model = Sequential(Linear(2, 4, seed=0), Tanh(), Linear(4, 1, seed=1))
    >>> model(np.zeros((3, 2))).shape, len(model)
    ((3, 1), 3)
    >>> [name for name, _ in model.named_parameters()]
    ['0.weight', '0.bias', '2.weight', '2.bias']
    """

    def __init__(self, *modules: Module) -> None:
        for k, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: item {k} is a {type(module).__name__}, not a Module")
        self.modules: list[Any] = list(modules)

    def __call__(self, x: Any) -> Any:
        """The last module's output, feeding each module's output to the next."""
        for module in self.modules:
            x = module(x)
        return x

    def parameters(self) -> list[Any]:
        """Every module's parameters, in order."""
        return [p for module in self.modules for p in module.parameters()]

    def named_parameters(self) -> list[tuple[str, Any]]:
        """[("0.weight", …), ("0.bias", …), ("2.weight", …), …]."""
        return [
            named
            for k, module in enumerate(self.modules)
            for named in _prefixed(str(k), module.named_parameters())
        ]

    def add_to_layout(self, layout: Layout, name: str) -> Layout:
        """Each module in turn adds itself: a Linear a layer, an activation its function."""
        for k, module in enumerate(self.modules):
            layout = module.add_to_layout(layout, _path(name, str(k)))
        return layout

    def __getitem__(self, k: int) -> Module:
        module: Module = self.modules[k]
        return module

    def __len__(self) -> int:
        return len(self.modules)


class TensorMLP(_Layers):
    """A multi-layer perceptron on Tensors: `Linear` layers, each followed by its activation.

    ``net(X)`` takes a batch X of shape (N, nin) and returns a Tensor of shape (N, nout).
    Arguments as for `MLP`; parameters are ``L{layer}.weight`` and ``L{layer}.bias``. Each call
    names its tensors as `MLP` names its nodes: the batch x (if given as an array), then
    z{n} = x @ Wᵀ + b and a{n} = activation(z{n}) for layer n.

    >>> net = TensorMLP(2, [3, 1], activation=["tanh", "linear"], seed=0)
    >>> net([[0.5, -1.0], [1.0, 2.0]]).shape
    (2, 1)
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: Activation | Sequence[Activation] = "sigmoid",
        bias: bool = True,
        *,
        seed: int | None = None,
    ) -> None:
        self.sizes, activations = _plan(nin, nouts, activation, "TensorMLP")
        generator = np.random.default_rng(seed)
        self.layers = [
            Linear(self.sizes[k], self.sizes[k + 1], bias, label=f"L{k + 1}", seed=generator)
            for k in range(len(nouts))
        ]
        self.activations = [
            _activation(a, f"TensorMLP layer {k + 1}") for k, a in enumerate(activations)
        ]
        self.node_names = [(f"z{k + 1}", f"a{k + 1}") for k in range(len(nouts))]

    def __call__(self, x: Any) -> Tensor:
        """activation(layer(x)), layer after layer: a Tensor (N, nout)."""
        given = x
        x = as_input(x, self.layers[0].weight.dtype, "TensorMLP input")
        if x is not given and not x.label:
            x.label = "x"
        for k, (layer, activation) in enumerate(zip(self.layers, self.activations)):
            z = layer(x)
            x = activation(z)
            z.label, a_name = self.node_names[k]
            if x is not z and isinstance(x, Tensor):
                x.label = a_name
            if not isinstance(x, Tensor):
                raise TypeError(
                    f"TensorMLP layer {k + 1}: the activation returned a {type(x).__name__}, "
                    "not a Tensor; build it from Tensor operations so gradients can flow through it"
                )
        out: Tensor = x
        return out

    def add_to_layout(self, layout: Layout, name: str) -> Layout:
        """Its layers, each with its activation."""
        for layer, activation in zip(self.layers, self.activations):
            layout = layer.add_to_layout(layout, _path(name, layer.label))
            layout = layout.add_activation(activation_name(activation))
        return layout

    def __repr__(self) -> str:
        return f"TensorMLP({' -> '.join(map(str, self.sizes))})"
