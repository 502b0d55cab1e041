"""Neural-network building blocks on `Value`: Module, Neuron, Layer, MLP.

A neuron computes ``activation(w1·x1 + w2·x2 + … + b)`` with nothing but the generic Value
operations, so its graph is exactly the one written in a derivation: two inputs give
``h = w1·x1 + w2·x2`` as two products and one sum, then ``a_h = σ(h)``.

>>> net = MLP(2, [2, 2], activation="sigmoid", seed=0)
>>> [p.label for p in net.parameters()][:3]
['L1.N1.w1', 'L1.N1.w2', 'L1.N1.b']
>>> outputs = net([0.05, 0.1])
>>> len(outputs)
2
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from tinygrad_edu.value import Value, _real

__all__ = ["ACTIVATIONS", "MLP", "Activation", "Layer", "Module", "Neuron"]

#: An activation: one of the names in `ACTIVATIONS`, or any function from Value to Value.
Activation = str | Callable[[Value], Value]


def _linear(z: Value) -> Value:
    """The identity: a neuron with no non-linearity."""
    return z


ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "linear": _linear,
}


def _activation(activation: Activation, where: str) -> Callable[[Value], Value]:
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


class Module:
    """Base of every model: parameters, zeroing their gradients, setting their values."""

    def parameters(self) -> list[Value]:
        """The learnable Values, in a fixed documented order."""
        return []

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (gradients accumulate across backward calls)."""
        for p in self.parameters():
            p.grad = 0.0

    def set_parameters(self, values: Sequence[float]) -> None:
        """Overwrite the parameters' data, in ``parameters()`` order, from a list of numbers.

        >>> neuron = Neuron(2, label="h1")
        >>> neuron.set_parameters([0.15, 0.2, 0.35])
        >>> [p.data for p in neuron.parameters()]
        [0.15, 0.2, 0.35]
        """
        params = self.parameters()
        name = type(self).__name__
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise TypeError(f"{name}.set_parameters: expected a list of numbers, got {values!r}")
        if len(values) != len(params):
            labels = ", ".join(p.label for p in params)
            raise ValueError(
                f"{name}.set_parameters: expected {len(params)} numbers ({labels}), "
                f"got {len(values)}"
            )
        checked = [_real(v, f"{name}.set_parameters ({p.label})") for p, v in zip(params, values)]
        for p, v in zip(params, checked):
            p.data = v


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
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(f"Neuron: nin must be a positive int, got {nin!r}")
        self.nin = nin
        self.label = label
        self.activation = _activation(activation, f"Neuron {label}")
        rng = rng or random.Random()
        self.w = [Value(rng.uniform(-1.0, 1.0), f"{label}.w{k + 1}") for k in range(nin)]
        self.b = Value(0.0, f"{label}.b") if bias else None
        if weights is not None:
            if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence):
                raise TypeError(f"Neuron {label}: weights must be a list of {nin} numbers")
            if len(weights) != nin:
                raise ValueError(f"Neuron {label}: expected {nin} weights, got {len(weights)}")
            for w, value in zip(self.w, weights):
                w.data = _real(value, f"Neuron {label} weight {w.label}")

    def __call__(self, x: Sequence[Value | float]) -> Value:
        """activation(w1·x1 + … + w_n·x_n + b), built from generic + and * nodes."""
        xs = _as_inputs(x, self.nin, f"Neuron {self.label}")
        w = self.w
        z = w[0] * xs[0]
        for k in range(1, self.nin):
            z = z + w[k] * xs[k]
        if self.b is not None:
            z = z + self.b
        return self.activation(z)

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
        if isinstance(nout, bool) or not isinstance(nout, int) or nout < 1:
            raise ValueError(f"Layer {label}: nout must be a positive int, got {nout!r}")
        rng = rng or random.Random()
        self.nin, self.nout, self.label = nin, nout, label
        self.neurons = [
            Neuron(nin, activation, bias, label=f"{label}.N{k + 1}", rng=rng) for k in range(nout)
        ]

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        """[neuron(x) for each neuron]."""
        xs = _as_inputs(x, self.nin, f"Layer {self.label}")
        return [neuron(xs) for neuron in self.neurons]

    def parameters(self) -> list[Value]:
        """Neuron by neuron, each neuron's weights then its bias."""
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self) -> str:
        return f"Layer({self.label}: {self.nin} -> {self.nout})"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [2, 2])`` is 2 inputs, a hidden layer of 2, 2 outputs.

    `activation` is one name or callable for every layer, or a list with one per layer.
    Parameters are labelled ``L{layer}.N{neuron}.w{input}`` and ``L{layer}.N{neuron}.b``,
    counting from 1; `seed` makes the random initial weights reproducible.
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
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(f"MLP: nin must be a positive int, got {nin!r}")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"MLP: nouts must be a non-empty list of layer sizes, got {nouts!r}")
        if isinstance(activation, str) or callable(activation):
            activations: list[Activation] = [activation] * len(nouts)
        else:
            activations = list(activation)
            if len(activations) != len(nouts):
                raise ValueError(
                    f"MLP: got {len(activations)} activations for {len(nouts)} layers; "
                    "give one activation, or one per layer"
                )
        rng = random.Random(seed)
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[k], sizes[k + 1], activations[k], bias, label=f"L{k + 1}", rng=rng)
            for k in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        """The outputs of the last layer (a list), feeding each layer's outputs to the next."""
        out: Sequence[Value | float] = x
        for layer in self.layers:
            out = layer(out)
        return list(out)  # type: ignore[arg-type]

    def parameters(self) -> list[Value]:
        """Layer by layer, neuron by neuron, weights then bias."""
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        sizes = [self.layers[0].nin, *(layer.nout for layer in self.layers)]
        return f"MLP({' -> '.join(map(str, sizes))})"
