"""Neural-network building blocks for both engines.

On `Value` (one number per node): Neuron, Layer and MLP. A neuron computes
``activation(w1·x1 + w2·x2 + … + b)`` with nothing but the generic Value operations, so its
graph is exactly the one written in a derivation: two inputs give ``h = w1·x1 + w2·x2`` as two
products and one sum, then ``a_h = σ(h)``.

On `Tensor` (a batch at a time): Linear, Sequential, the activation modules, and
``MLP(..., engine="tensor")``. One `Module` base serves both.

>>> net = MLP(2, [2, 2], activation="sigmoid", seed=0)
>>> [p.label for p in net.parameters()][:3]
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
from typing import Any

import numpy as np

from tinygrad_edu.tensor import Tensor, _input
from tinygrad_edu.value import Value, _real

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "Activation",
    "Layer",
    "Linear",
    "Module",
    "Neuron",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
]

#: A parameter of either engine.
Parameter = Value | Tensor

#: An activation: one of the names in `ACTIVATIONS`, or any function of one node.
Activation = str | Callable[[Any], Any]

# Each works on a Value and on a Tensor alike.
ACTIVATIONS: dict[str, Callable[[Any], Any]] = {
    "sigmoid": lambda z: z.sigmoid(),
    "tanh": lambda z: z.tanh(),
    "relu": lambda z: z.relu(),
    "linear": lambda z: z,  # the identity: no non-linearity
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


def _as_inputs(x: Sequence[Value | float], nin: int, where: str) -> list[Value]:
    """The inputs as Values (numbers become leaves once, not once per neuron)."""
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(f"{where}: inputs must be a sequence of numbers or Values, got {x!r}")
    if len(x) != nin:
        raise ValueError(f"{where}: expected {nin} inputs, got {len(x)}")
    return [xi if isinstance(xi, Value) else Value(xi) for xi in x]


def _flag(value: object, what: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what} must be True or False, got {value!r}")
    return bool(value)


def _positive_int(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return n


class Module:
    """Base of every model: its parameters, zeroing their gradients, saving and loading them."""

    def parameters(self) -> list[Any]:
        """The learnable Values or Tensors, in a fixed documented order."""
        return []

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
        if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
            raise TypeError(f"{name}.set_parameters: expected a list of numbers, got {values!r}")
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
        if isinstance(state, (str, os.PathLike)):
            with np.load(state, allow_pickle=False) as archive:
                state = {key: archive[key] for key in archive.files}
        params = {p.label: p for p in self.parameters()}
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

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the parameters to `path` with ``np.savez`` (load them with `load_state_dict`)."""
        np.savez(path, **self.state_dict())  # type: ignore[arg-type]  # numpy's stub is too narrow


def _checked(p: Parameter, value: Any, where: str) -> Any:
    """`value` as new data for `p`: a float for a Value, an array of p's shape for a Tensor."""
    if isinstance(p, Value):
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value[()]
        return _real(value, where)
    array = np.asarray(value)
    if array.shape != p.data.shape:
        raise ValueError(f"{where}: expected shape {p.data.shape}, got {array.shape}")
    return Tensor(array, dtype=p.dtype).data


class Neuron(Module):
    """activation(w·x + b): `nin` weights, an optional bias, one output Value.

    Parameters are labelled ``{label}.w1 … {label}.w{nin}`` and ``{label}.b``. Weights start
    uniform in [−1, 1] (from `rng`), or from `weights` when given; the bias starts at 0.
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
    ) -> None:
        self.nin = _positive_int(nin, "Neuron: nin")
        self.label = label
        self.activation = _activation(activation, f"Neuron {label!r}")
        bias = _flag(bias, f"Neuron {label!r}: bias")
        rng = rng or random.Random()
        self.w = [Value(rng.uniform(-1.0, 1.0), f"{label}.w{k + 1}") for k in range(nin)]
        self.b = Value(0.0, f"{label}.b") if bias else None
        if weights is not None:
            if isinstance(weights, (str, bytes)) or not isinstance(weights, (Sequence, np.ndarray)):
                raise TypeError(f"Neuron {label!r}: weights must be a list of {nin} numbers")
            if len(weights) != nin:
                raise ValueError(f"Neuron {label!r}: expected {nin} weights, got {len(weights)}")
            for w, value in zip(self.w, weights):
                w.data = _real(value, f"Neuron {label!r} weight {w.label}")

    def __call__(self, x: Sequence[Value | float]) -> Value:
        """activation(w1·x1 + … + w_n·x_n + b), built from generic + and * nodes."""
        return self._activate(self.pre_activation(x))

    def _activate(self, z: Value) -> Value:
        """activation(z), checked to be a Value."""
        out = self.activation(z)
        if not isinstance(out, Value):
            raise TypeError(
                f"Neuron {self.label!r}: the activation returned a {type(out).__name__}, not a "
                "Value; build it from Value operations so gradients can flow through it"
            )
        return out

    def pre_activation(self, x: Sequence[Value | float]) -> Value:
        """z = w1·x1 + … + w_n·x_n + b, the sum before the activation (h1 in the derivation)."""
        return self._weighted_sum(_as_inputs(x, self.nin, f"Neuron {self.label!r}"))

    def _weighted_sum(self, xs: list[Value]) -> Value:
        """w1·x1 + … + w_n·x_n + b for inputs already checked and made Values."""
        w = self.w
        z = w[0] * xs[0]
        for k in range(1, self.nin):
            z = z + w[k] * xs[k]
        if self.b is not None:
            z = z + self.b
        return z

    def parameters(self) -> list[Value]:
        """[w1, …, w_nin, b]: weights then bias."""
        return [*self.w, self.b] if self.b is not None else list(self.w)

    def __repr__(self) -> str:
        return f"Neuron({self.label}: {self.nin} inputs, bias={self.b is not None})"


class Layer(Module):
    """`nout` neurons reading the same `nin` inputs; returns a list, even for one neuron."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: Activation = "sigmoid",
        bias: bool = True,
        *,
        label: str = "L1",
        rng: random.Random | None = None,
    ) -> None:
        _positive_int(nout, f"Layer {label}: nout")
        rng = rng or random.Random()
        self.nin, self.nout, self.label = nin, nout, label
        self.neurons = [
            Neuron(nin, activation, bias, label=f"{label}.N{k + 1}", rng=rng) for k in range(nout)
        ]

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        """[neuron(x) for each neuron]."""
        # Checked and made Values once for the layer, not once per neuron (the hot path).
        xs = _as_inputs(x, self.nin, f"Layer {self.label}")
        return [neuron._activate(neuron._weighted_sum(xs)) for neuron in self.neurons]

    def parameters(self) -> list[Value]:
        """Neuron by neuron, each neuron's weights then its bias."""
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self) -> str:
        return f"Layer({self.label}: {self.nin} -> {self.nout})"


class Linear(Module):
    """y = x @ Wᵀ + b for a batch of rows x (Tensor engine): `nin` features in, `nout` out.

    W has shape (nout, nin), so row k holds the weights of output k, just as neuron k of a
    Layer does. Weights and biases start uniform in ±1/√nin (from `seed`, an int or Generator).
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
        self.nin = _positive_int(nin, f"Linear {label}: nin")
        self.nout = _positive_int(nout, f"Linear {label}: nout")
        self.label = label
        bias = _flag(bias, f"Linear {label}: bias")
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
        x = _input(x, self.weight.dtype, f"Linear {self.label} input")
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

    def __repr__(self) -> str:
        return f"Linear({self.label}: {self.nin} -> {self.nout}, bias={self.bias is not None})"


class Sigmoid(Module):
    """σ(x) = 1 / (1 + e^−x), element by element (Value or Tensor)."""

    def __call__(self, x: Any) -> Any:
        """σ(x)."""
        return x.sigmoid()


class Tanh(Module):
    """tanh(x), element by element (Value or Tensor)."""

    def __call__(self, x: Any) -> Any:
        """tanh(x)."""
        return x.tanh()


class ReLU(Module):
    """max(0, x), element by element (Value or Tensor)."""

    def __call__(self, x: Any) -> Any:
        """max(0, x)."""
        return x.relu()


class Sequential(Module):
    """Modules applied one after another: ``Sequential(Linear(2, 4), Tanh(), Linear(4, 1))``."""

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

    def __getitem__(self, k: int) -> Module:
        module: Module = self.modules[k]
        return module

    def __len__(self) -> int:
        return len(self.modules)


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [2, 2])`` is 2 inputs, a hidden layer of 2, 2 outputs.

    `activation` is one name or callable for every layer, or a list with one per layer; `seed`
    makes the random initial weights reproducible.

    - ``engine="value"`` (default): layers of Neurons on Values. ``net([x1, x2])`` returns the
      list of output Values. Parameters are labelled ``L{layer}.N{neuron}.w{input}`` and
      ``L{layer}.N{neuron}.b``, counting from 1.
    - ``engine="tensor"``: `Linear` layers on Tensors. ``net(X)`` takes a batch X of shape
      (N, nin) and returns a Tensor of shape (N, nout). Parameters are ``L{layer}.weight`` and
      ``L{layer}.bias``.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: Activation | Sequence[Activation] = "sigmoid",
        bias: bool = True,
        *,
        seed: int | None = None,
        engine: str = "value",
    ) -> None:
        _positive_int(nin, "MLP: nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"MLP: nouts must be a non-empty list of layer sizes, got {nouts!r}")
        if engine not in ("value", "tensor"):
            raise ValueError(f"MLP: engine must be 'value' or 'tensor', got {engine!r}")
        if isinstance(activation, str) or callable(activation):
            activations: list[Activation] = [activation] * len(nouts)
        elif not isinstance(activation, Sequence):
            raise TypeError(
                "MLP: activation must be a name, a callable, or a list with one per layer; "
                f"got {type(activation).__name__}"
            )
        else:
            activations = list(activation)
            if len(activations) != len(nouts):
                raise ValueError(
                    f"MLP: got {len(activations)} activations for {len(nouts)} layers; "
                    "give one activation, or one per layer"
                )
        self.engine = engine
        self.sizes = [nin, *nouts]
        n = len(nouts)
        if engine == "value":
            rng = random.Random(seed)
            self.layers: list[Any] = [
                Layer(
                    self.sizes[k],
                    self.sizes[k + 1],
                    activations[k],
                    bias,
                    label=f"L{k + 1}",
                    rng=rng,
                )
                for k in range(n)
            ]
            self.activations = []
        else:
            generator = np.random.default_rng(seed)
            self.layers = [
                Linear(self.sizes[k], self.sizes[k + 1], bias, label=f"L{k + 1}", seed=generator)
                for k in range(n)
            ]
            self.activations = [
                _activation(a, f"MLP layer {k + 1}") for k, a in enumerate(activations)
            ]

    def __call__(self, x: Any) -> Any:
        """Value engine: the list of output Values; tensor engine: a Tensor (N, nout)."""
        if self.engine == "value":
            out: Any = x
            for layer in self.layers:
                out = layer(out)
            return list(out)
        for k, (layer, activation) in enumerate(zip(self.layers, self.activations)):
            x = activation(layer(x))
            if not isinstance(x, Tensor):
                raise TypeError(
                    f"MLP layer {k + 1}: the activation returned a {type(x).__name__}, not a "
                    "Tensor; build it from Tensor operations so gradients can flow through it"
                )
        return x

    def parameters(self) -> list[Any]:
        """Layer by layer; within a layer, neuron by neuron (value) or weight then bias."""
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        engine = ", engine='tensor'" if self.engine == "tensor" else ""
        return f"MLP({' -> '.join(map(str, self.sizes))}{engine})"
