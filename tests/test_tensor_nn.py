"""Tensor modules, optimisers on both engines, saving and loading, and the batched 2-2-2 net."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.catalogue import reals
from tests.test_tensor import check_tensor_grads
from tinygrad_edu import MLP, SEED, Net222, TensorMLP, TensorNet222, Value, closed_form, no_grad
from tinygrad_edu.losses import cross_entropy, mse
from tinygrad_edu.net222 import WEIGHT_NAMES
from tinygrad_edu.nn import Linear, ReLU, Sequential, Sigmoid, Tanh
from tinygrad_edu.optim import SGD, Adam
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.testing import CLOSED_FORM_ATOL, CLOSED_FORM_RTOL, close

# --- modules ----------------------------------------------------------------------------------


def test_linear_shapes_labels_and_gradients() -> None:
    layer = Linear(3, 2, label="L1", seed=0)
    assert layer.weight.shape == (2, 3)
    assert layer.bias is not None
    assert [p.label for p in layer.parameters()] == ["L1.weight", "L1.bias"]
    x = np.random.default_rng(1).uniform(-1, 1, (4, 3))
    assert layer(x).shape == (4, 2)
    assert np.allclose(layer(x).data, x @ layer.weight.data.T + layer.bias.data)
    w = layer.weight.data.copy()
    check_tensor_grads(lambda weight, inputs: inputs @ weight.T, w, x)
    with pytest.raises(
        ValueError,
        match=r"Linear L1: expected inputs with 3 features on the last axis, got shape \(4, 2\)",
    ):
        layer(np.ones((4, 2)))


def test_sequential_and_activation_modules_work_on_both_engines() -> None:
    model = Sequential(Linear(2, 3, seed=0), Tanh(), Linear(3, 1, seed=1), Sigmoid())
    assert len(model) == 4
    assert len(model.parameters()) == 4
    assert model(np.ones((5, 2))).shape == (5, 1)
    assert isinstance(model[1], Tanh)
    for module, op in [(Sigmoid(), "sigmoid"), (Tanh(), "tanh"), (ReLU(), "relu")]:
        assert module(Value(0.3) * 1.0).op == op
        assert module(Tensor([0.3], requires_grad=True)).op == op
    with pytest.raises(TypeError, match="Sequential: item 1 is a function, not a Module"):
        Sequential(Tanh(), lambda x: x)  # type: ignore[arg-type]


def test_mlp_on_tensors() -> None:
    net = TensorMLP(2, [16, 16, 3], activation=["tanh", "tanh", "linear"], seed=0)
    assert [p.label for p in net.parameters()] == [
        "L1.weight", "L1.bias", "L2.weight", "L2.bias", "L3.weight", "L3.bias",
    ]  # fmt: skip
    out = net(np.zeros((7, 2)))
    assert isinstance(out, Tensor)
    assert out.shape == (7, 3)
    # The engine is the class, not a flag.
    with pytest.raises(TypeError, match="unexpected keyword argument 'engine'"):
        MLP(2, [2], engine="tensor")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="TensorMLP: got 1 activations for 2 layers"):
        TensorMLP(2, [2, 2], activation=["tanh"])


@settings(max_examples=25)
@given(
    x=hnp.arrays(np.float64, (3, 2), elements=reals(-2, 2)),
    seed=st.integers(0, 1000),
)
def test_tensor_mlp_matches_value_mlp(x: np.ndarray, seed: int) -> None:
    # The same weights in both engines give the same outputs and the same gradients.
    scalar = MLP(2, [3, 2], activation="tanh", seed=seed)
    batched = TensorMLP(2, [3, 2], activation="tanh", seed=seed)
    for layer_v, layer_t in zip(scalar.layers, batched.layers):
        layer_t.weight.data = np.array([[w.data for w in n.w] for n in layer_v.neurons])
        layer_t.bias.data = np.array([n.b.data for n in layer_v.neurons])
    loss_t = mse(batched(x), np.zeros((3, 2)), reduction="sum")
    loss_t.backward()
    loss_v = sum((y * y for row in x for y in scalar(list(row))), Value(0.0))
    loss_v.backward()
    assert close(loss_t.item(), loss_v.data, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)
    for layer_v, layer_t in zip(scalar.layers, batched.layers):
        expected = np.array([[w.grad for w in n.w] for n in layer_v.neurons])
        assert np.allclose(layer_t.weight.grad, expected, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)


def test_state_dict_round_trip_through_a_file(tmp_path: Path) -> None:
    for engine in (MLP, TensorMLP):
        source = engine(2, [4, 1], seed=1)
        target = engine(2, [4, 1], seed=2)
        path = tmp_path / f"{engine.__name__}.npz"
        source.save(path)
        target.load_state_dict(path)
        for a, b in zip(source.parameters(), target.parameters()):
            assert np.array_equal(np.asarray(a.data), np.asarray(b.data))
    net = TensorMLP(2, [4, 1], seed=1)
    state = net.state_dict()
    state["L1.weight"] = np.ones((3, 3))
    with pytest.raises(
        ValueError, match=r"load_state_dict \(L1.weight\): expected shape \(4, 2\), got \(3, 3\)"
    ):
        net.load_state_dict(state)
    del state["L1.weight"]
    state["extra"] = np.ones(1)
    with pytest.raises(ValueError, match=r"missing \['L1.weight'\], unexpected \['extra'\]"):
        net.load_state_dict(state)


def test_loading_refuses_pickles(tmp_path: Path) -> None:
    path = tmp_path / "evil.npz"
    np.savez(path, **{"L1.weight": np.array([object()], dtype=object), "L1.bias": np.zeros(1)})
    with pytest.raises(ValueError, match=r"L1.weight holds object, not real numbers"):
        TensorMLP(2, [1]).load_state_dict(path)


# --- optimisers on both engines ---------------------------------------------------------------


def _quadratic_descent(make: Any, engine: str, steps: int = 200) -> float:
    """Minimise Σ (w − 3)² from w = 0 and return the final loss."""
    if engine == "value":
        params = [Value(0.0, "a"), Value(0.0, "b")]
    else:
        params = [Tensor([0.0, 0.0], requires_grad=True, label="w")]
    opt = make(params)
    loss: Any = None
    for _ in range(steps):
        opt.zero_grad()
        if engine == "value":
            loss = sum(((p - 3.0) ** 2 for p in params), Value(0.0))
        else:
            loss = ((params[0] - 3.0) ** 2).sum()
        loss.backward()
        opt.step()
    return float(loss.data)


@pytest.mark.parametrize("engine", ["value", "tensor"])
@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, lr=0.1),
        lambda ps: SGD(ps, lr=0.05, momentum=0.9),
        lambda ps: SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
        lambda ps: SGD(ps, lr=0.1, weight_decay=1e-3),
        lambda ps: Adam(ps, lr=0.1),
    ],
    ids=["sgd", "momentum", "nesterov", "weight-decay", "adam"],
)
def test_optimisers_converge_on_both_engines(make: Any, engine: str) -> None:
    assert _quadratic_descent(make, engine) < 1e-3


def test_momentum_and_adam_follow_their_formulas() -> None:
    w = Value(1.0)
    opt = SGD([w], lr=0.1, momentum=0.9, weight_decay=0.5)
    w.grad = 2.0
    opt.step()  # g = 2 + 0.5·1 = 2.5; v = 2.5; w = 1 − 0.25
    assert w.data == 1.0 - 0.1 * 2.5
    w.grad = 2.0
    opt.step()  # g = 2 + 0.5·0.75 = 2.375; v = 0.9·2.5 + 2.375 = 4.625
    assert close(w.data, 0.75 - 0.1 * 4.625, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)
    x = Tensor([1.0], requires_grad=True)
    adam = Adam([x], lr=0.1)
    x.grad = np.array([4.0])
    adam.step()  # m̂ = g, v̂ = g²: the first step is lr · sign(g)
    assert close(float(x.data[0]), 0.9, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)


def test_optimiser_argument_errors() -> None:
    with pytest.raises(ValueError, match="nesterov=True needs a momentum > 0"):
        SGD([Value(1.0)], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="SGD: invalid momentum -1"):
        SGD([Value(1.0)], lr=0.1, momentum=-1)
    with pytest.raises(ValueError, match=r"Adam: invalid beta 1\.0"):
        Adam([Value(1.0)], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="Adam: invalid eps 0"):
        Adam([Value(1.0)], eps=0)
    with pytest.raises(ValueError, match="has requires_grad=False"):
        SGD([Tensor([1.0])], lr=0.1)


# --- the batched 2-2-2 network --------------------------------------------------------------------


def _batched_reference(i: np.ndarray, t: np.ndarray, w: tuple[float, ...]) -> dict[str, Any]:
    return closed_form((i[:, 0], i[:, 1]), (t[:, 0], t[:, 1]), w)


@pytest.mark.parametrize("n", [1, 2, 64, 1000, 100_000])
def test_batched_net222_equals_the_summed_closed_form(n: int) -> None:
    rng = np.random.default_rng(n)
    i = rng.uniform(-3, 3, (n, 2))
    t = rng.uniform(0, 1, (n, 2))
    w = tuple(rng.uniform(-10, 10, 8))
    net = TensorNet222(w)
    E_total = net(i=i, t=t)
    E_total.backward()
    assert E_total.shape == ()
    reference = _batched_reference(i, t, w)
    assert close(
        E_total.item(), float(reference["E_total"].sum()), CLOSED_FORM_RTOL, CLOSED_FORM_ATOL
    )
    for grad, name in zip(net.weight_grads(), WEIGHT_NAMES):
        expected = float(reference["d" + name].sum())
        assert close(grad, expected, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL * n), (name, grad, expected)


@settings(max_examples=50)
@given(
    i=hnp.arrays(np.float64, (3, 2), elements=reals(-3, 3)),
    t=hnp.arrays(np.float64, (3, 2), elements=reals(-3, 3)),
    w=st.tuples(*[reals(-10, 10)] * 8),
)
def test_both_engines_give_the_same_weight_gradients(
    i: np.ndarray, t: np.ndarray, w: tuple[float, ...]
) -> None:
    batched = TensorNet222(w)
    batched(i=i, t=t).backward()
    scalar = Net222(w)
    for row_i, row_t in zip(i, t):
        scalar(i=tuple(row_i), t=tuple(row_t)).backward()  # gradients accumulate over the batch
    for a, b in zip(batched.weight_grads(), scalar.weight_grads()):
        assert close(a, b, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)


def test_batched_net222_names_its_tensors_and_takes_biases() -> None:
    net = TensorNet222(SEED.w, b=(0.35, 0.35, 0.6, 0.6))
    E_total = net(i=[SEED.i], t=[SEED.t])
    assert set(net.nodes) == {"i", "t", "h", "a_h", "o", "a_o", "E", "E_total"}
    assert all(node.label == name for name, node in net.nodes.items())
    assert net.nodes["a_h"].shape == (1, 2)
    assert [p.label for p in net.parameters()] == ["w1..w4", "b_h", "w5..w8", "b_o"]
    reference = closed_form(SEED.i, SEED.t, SEED.w, (0.35, 0.35, 0.6, 0.6))
    assert close(E_total.item(), reference["E_total"], CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)
    with no_grad():
        assert net(i=SEED.i, t=SEED.t).parents == ()
    with pytest.raises(ValueError, match=r"i must have shape \(N, 2\), got \(3,\)"):
        net(i=[1.0, 2.0, 3.0], t=SEED.t)
    with pytest.raises(ValueError, match=r"i has shape \(2, 2\) but t has shape \(1, 2\)"):
        net(i=[SEED.i, SEED.i], t=[SEED.t])
    with pytest.raises(TypeError, match="unexpected keyword argument 'engine'"):
        Net222(engine="tensor")  # type: ignore[call-arg]


def test_tensor_training_step_with_cross_entropy() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 4))
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0).astype(int)
    net = TensorMLP(4, [16, 3], activation=["relu", "linear"], seed=0)
    opt = Adam(net.parameters(), lr=0.05)
    losses = []
    for _ in range(60):
        opt.zero_grad()
        loss = cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


# --- names and layouts ------------------------------------------------------------------------


def test_tensor_modules_name_their_parameters_by_path() -> None:
    net = TensorMLP(2, [3, 1], seed=0)
    assert [path for path, _ in net.named_parameters()] == [
        "L1.weight", "L1.bias", "L2.weight", "L2.bias",
    ]  # fmt: skip
    assert [p for _, p in net.named_parameters()] == net.parameters()
    model = Sequential(Linear(2, 3, seed=0), Tanh(), Linear(3, 1, seed=1))
    assert [path for path, _ in model.named_parameters()] == [
        "0.weight", "0.bias", "2.weight", "2.bias",
    ]  # fmt: skip
    assert [p for _, p in model.named_parameters()] == model.parameters()


def test_the_layout_of_linear_layers_reads_entries_of_their_matrices() -> None:
    net = TensorMLP(2, [3, 1], activation=["tanh", "linear"], seed=0)
    layout = net.layout()
    assert layout.inputs == ("x1", "x2")
    assert [layer.title for layer in layout.layers] == ["layer L1", "layer L2"]
    neuron = layout.layers[0].neurons[2]
    assert (neuron.name, neuron.activation) == ("L1.N3", "tanh")
    W = net.layers[0].weight
    # Neuron n reads row n of W: its weight from input j is W[n, j].
    assert [(w.name, w.index) for w in neuron.weights] == [("L1.weight[2, 0]", (2, 0)),
                                                           ("L1.weight[2, 1]", (2, 1))]  # fmt: skip
    assert all(w.parameter is W and w.data == W.data[w.index] for w in neuron.weights)
    assert neuron.bias is not None and neuron.bias.name == "L1.bias[2]"
    assert layout.layers[1].neurons[0].activation == "linear"
    # A Sequential is laid out by its children: each Linear a layer, each activation its σ.
    model = Sequential(Linear(2, 3, seed=0), Tanh(), Linear(3, 1, seed=1), Sigmoid())
    layers = model.layout().layers
    assert [layer.title for layer in layers] == ["layer 0", "layer 2"]
    assert [n.activation for layer in layers for n in layer.neurons] == ["tanh"] * 3 + ["sigmoid"]
    assert layers[1].is_output
    with pytest.raises(NotImplementedError, match="before any layer"):
        Sequential(Tanh(), Linear(2, 1)).layout()


def test_float32_stays_float32_through_forward_backward_and_the_optimiser() -> None:
    from tinygrad_edu import SGD, Adam, Tensor

    # The dtype rule: a float32 array keeps float32; lists, ints and float64 become float64.
    assert Tensor(np.ones(2, np.float32)).dtype == np.float32
    assert Tensor([1, 2]).dtype == np.float64 and Tensor(np.ones(2)).dtype == np.float64
    x = Tensor(np.ones((4, 3), np.float32))
    w = Tensor(np.full((3, 2), 0.5, np.float32), requires_grad=True)
    loss = mse((x @ w).tanh(), np.zeros((4, 2), np.float32))
    assert loss.dtype == np.float32
    loss.backward()
    assert w.grad is not None and w.grad.dtype == np.float32
    for optimizer in (SGD([w], lr=0.1), Adam([w], lr=0.1)):
        optimizer.step()
        assert w.data.dtype == np.float32
    # Mixing follows numpy's promotion: float32 with float64 gives float64.
    assert (x + Tensor(np.ones(3))).dtype == np.float64
