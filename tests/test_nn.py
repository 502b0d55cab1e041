"""Modules and the optimiser: structure, labels, activations, gradients and clear errors."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import MLP, SGD, Layer, Module, Neuron, Value, no_grad, topological_order
from tinygrad_edu.testing import FD_ATOL, FD_RTOL, close, finite_difference


def test_mlp_parameter_order_and_labels() -> None:
    net = MLP(2, [2, 2])
    labels = [p.label for p in net.parameters()]
    assert labels == [
        "L1.N1.w1", "L1.N1.w2", "L1.N1.b", "L1.N2.w1", "L1.N2.w2", "L1.N2.b",
        "L2.N1.w1", "L2.N1.w2", "L2.N1.b", "L2.N2.w1", "L2.N2.w2", "L2.N2.b",
    ]  # fmt: skip
    assert len(MLP(2, [2, 2], bias=False).parameters()) == 8
    assert len(MLP(3, [4, 4, 1]).parameters()) == (3 + 1) * 4 + (4 + 1) * 4 + (4 + 1) * 1


def test_a_layer_of_one_neuron_still_returns_a_list() -> None:
    out = MLP(2, [3, 1])([0.5, -0.5])
    assert isinstance(out, list)
    assert len(out) == 1
    assert isinstance(Layer(2, 1)([1.0, 2.0]), list)


def test_neuron_graph_is_the_derivations_sum_of_products() -> None:
    neuron = Neuron(2, "sigmoid", bias=False, label="h1", weights=[0.15, 0.2])
    a_h1 = neuron([0.05, 0.1])
    h1 = a_h1.parents[0]
    assert a_h1.op == "sigmoid"
    assert h1.op == "+"
    assert [p.op for p in h1.parents] == ["*", "*"]
    assert h1.data == 0.15 * 0.05 + 0.2 * 0.1


@pytest.mark.parametrize(
    ("activation", "op"), [("sigmoid", "sigmoid"), ("tanh", "tanh"), ("relu", "relu")]
)
def test_named_activations(activation: str, op: str) -> None:
    (out,) = MLP(2, [1], activation=activation, seed=1)([0.3, 0.4])
    assert out.op == op


def test_linear_activation_leaves_the_sum() -> None:
    (out,) = MLP(2, [1], activation="linear", seed=1)([0.3, 0.4])
    assert out.op == "+"


def test_one_activation_per_layer_and_callables() -> None:
    net = MLP(2, [3, 1], activation=["tanh", lambda z: z.exp()], seed=0)
    (out,) = net([0.1, 0.2])
    assert out.op == "exp"
    ops = [node.op for node in topological_order(out)]
    assert ops.count("tanh") == 3
    assert ops.count("exp") == 1


def test_seed_makes_initial_weights_reproducible() -> None:
    a = [p.data for p in MLP(2, [4, 1], seed=7).parameters()]
    b = [p.data for p in MLP(2, [4, 1], seed=7).parameters()]
    c = [p.data for p in MLP(2, [4, 1], seed=8).parameters()]
    assert a == b
    assert a != c
    assert all(-1.0 <= w <= 1.0 for w in a)


def test_set_parameters_from_a_list_and_zero_grad() -> None:
    net = MLP(2, [2, 2], bias=False)
    weights = [0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55]
    net.set_parameters(weights)
    assert [p.data for p in net.parameters()] == weights
    out = net([0.05, 0.1])
    (out[0] + out[1]).backward()
    assert any(p.grad != 0.0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())


def test_module_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match=r"unknown activation 'softplus'; use one of 'sigmoid'"):
        MLP(2, [2], activation="softplus")
    with pytest.raises(ValueError, match="got 1 activations for 2 layers"):
        MLP(2, [2, 2], activation=["tanh"])
    with pytest.raises(ValueError, match="MLP: nin: must be a whole number >= 1, got 0"):
        MLP(0, [2])
    with pytest.raises(ValueError, match="nouts must be a non-empty list"):
        MLP(2, [])
    with pytest.raises(ValueError, match="Layer L2: nout: must be a whole number >= 1, got 0"):
        MLP(2, [2, 0])
    with pytest.raises(ValueError, match=r"Layer L1: expected 2 inputs, got 3"):
        MLP(2, [2])([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="inputs must be a sequence"):
        MLP(2, [2])(1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"expected 8 numbers \(L1.N1.w1, .*got 7"):
        MLP(2, [2, 2], bias=False).set_parameters([0.1] * 7)
    with pytest.raises(TypeError, match=r"set_parameters \(L1.N1.w1\) takes a real number"):
        MLP(2, [1], bias=False).set_parameters(["a", 1.0])
    with pytest.raises(ValueError, match=r"Neuron 'neuron': weights: needs 2 numbers, got 3"):
        Neuron(2, weights=[1.0, 2.0, 3.0])


@given(
    x=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
    seed=st.integers(0, 2**16),
    activation=st.sampled_from(["sigmoid", "tanh", "linear"]),
)
def test_mlp_parameter_gradients_match_finite_differences(
    x: list[float], seed: int, activation: str
) -> None:
    net = MLP(3, [4, 2], activation=activation, seed=seed)
    params = net.parameters()

    def loss() -> Value:
        y1, y2 = net(x)
        return (y1 - 0.5) ** 2 + y1 * y2

    loss().backward()
    start = [p.data for p in params]

    def forward(values: list[float]) -> float:
        for p, v in zip(params, values):
            p.data = v
        with no_grad():
            return loss().data

    for k, p in enumerate(params):
        numeric, rounding = finite_difference(forward, start, k)
        assert close(p.grad, numeric, FD_RTOL, FD_ATOL + rounding), (p.label, p.grad, numeric)


# --- SGD --------------------------------------------------------------------------------------


def test_sgd_step_and_zero_grad() -> None:
    w = Value(0.4, "w5")
    w.grad = 0.08
    opt = SGD([w], lr=0.5)
    opt.step()
    assert w.data == 0.4 - 0.5 * 0.08  # the same float operations: exact
    opt.zero_grad()
    assert w.grad == 0.0


@pytest.mark.parametrize("lr", [0, -0.1, math.nan, math.inf, "0.1", None, True])
def test_sgd_rejects_a_bad_learning_rate(lr: object) -> None:
    with pytest.raises(ValueError, match="SGD: invalid learning rate"):
        SGD([Value(1.0)], lr=lr)  # type: ignore[arg-type]


def test_sgd_rejects_empty_and_non_value_parameters() -> None:
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="parameters must be Values or Tensors, got float"):
        SGD([1.0], lr=0.1)  # type: ignore[list-item]


def test_activation_and_bias_are_checked() -> None:
    with pytest.raises(TypeError, match="MLP: activation must be a name, a callable, or a list"):
        MLP(2, [1], activation=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="activation must be a name or a callable, got int"):
        MLP(2, [1], activation=[3])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"the activation returned a float, not a Value"):
        MLP(2, [1], activation=lambda z: 3.0)([1.0, 2.0])
    with pytest.raises(TypeError, match="bias must be True or False, got 'no'"):
        MLP(2, [1], bias="no")  # type: ignore[arg-type]


def test_parameters_can_be_set_from_a_numpy_array() -> None:
    import numpy as np

    net = MLP(2, [1], bias=False)
    net.set_parameters(np.array([0.25, -0.5]))
    assert [p.data for p in net.parameters()] == [0.25, -0.5]
    assert [w.data for w in Neuron(2, weights=np.array([1.0, 2.0])).w] == [1.0, 2.0]


# --- names and layouts: what a model says about its own structure ---------------------------


def test_named_parameters_follow_the_modules_and_the_parameters_order() -> None:
    net = MLP(2, [2, 1])
    named = net.named_parameters()
    assert [p for _, p in named] == net.parameters()
    # The paths of the library's modules are its labels: layer, neuron, weight.
    assert [path for path, _ in named] == [p.label for p in net.parameters()]
    assert Layer(2, 1).named_parameters()[0][0] == "N1.w1"
    assert [path for path, _ in Neuron(2, bias=True).named_parameters()] == ["w1", "w2", "b"]

    class Pair(Module):  # a module that only lists its parameters
        def __init__(self) -> None:
            self.a, self.b = Value(1.0, "a"), Value(2.0)

        def parameters(self) -> list[Value]:
            return [self.a, self.b]

    assert [path for path, _ in Pair().named_parameters()] == ["a", "1"]


def test_the_layout_of_a_value_mlp_lists_its_neurons_and_their_weights() -> None:
    net = MLP(3, [2, 1], activation=["tanh", "sigmoid"], seed=0)
    layout = net.layout()
    assert layout.inputs == ("x1", "x2", "x3")
    assert [layer.title for layer in layout.layers] == ["layer L1", "layer L2"]
    assert [layer.is_output for layer in layout.layers] == [False, True]
    first = layout.layers[0].neurons[1]
    assert (first.name, first.activation) == ("L1.N2", "tanh")
    neuron = net.layers[0].neurons[1]
    assert [(w.name, w.parameter, w.index) for w in first.weights] == [
        (w.label, w, None) for w in neuron.w
    ]
    assert first.bias is not None and first.bias.parameter is neuron.b
    assert layout.layers[1].neurons[0].activation == "sigmoid"
    lone = Neuron(2, "relu", label="h1").layout()
    assert lone.layers[0].title == "" and lone.layers[0].neurons[0].name == "h1"


def test_a_module_that_does_not_say_its_layers_raises_not_implemented() -> None:
    class Custom(Module):
        pass

    with pytest.raises(NotImplementedError, match="Custom does not say what its layers"):
        Custom().layout()
