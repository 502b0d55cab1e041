"""The 2-2-2 network: the derivation's graph, and autograd proven equal to the closed form."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given

from tinygrad_edu import SEED, SGD, Net222, TensorNet222, closed_form
from tinygrad_edu.net222 import BIAS_NAMES, NODE_NAMES, WEIGHT_NAMES
from tinygrad_edu.testing import (
    CLOSED_FORM_ATOL,
    CLOSED_FORM_RTOL,
    FD_ATOL,
    FD_RTOL,
    FORWARD_ATOL,
    ULP_RTOL,
    close,
    finite_difference,
)
from tinygrad_edu.testing.strategies import Net222Case, nets222

FORWARD_NAMES = ("h1", "a_h1", "h2", "a_h2", "o1", "a_o1", "o2", "a_o2", "E1", "E2", "E_total")


def test_seed_example_total_error() -> None:
    E_total = Net222(SEED.w)(i=SEED.i, t=SEED.t)
    assert close(E_total.data, 0.24251985734837728, ULP_RTOL, 0.0)
    assert close(closed_form(SEED.i, SEED.t, SEED.w)["E_total"], 0.24251985734837728, ULP_RTOL, 0.0)


def test_nodes_are_named_and_wired_as_in_the_derivation() -> None:
    net = Net222()
    E_total = net(i=SEED.i, t=SEED.t)
    n = net.nodes
    assert tuple(n) == NODE_NAMES
    assert all(node.label == name for name, node in n.items())
    assert n["E_total"] is E_total
    w1, w2, w3, w4, w5, w6, w7, w8 = net.weights
    # h1 = w1·i1 + w2·i2, and so on: each sum is of two products, in the derivation's order.
    for s, (wa, xa), (wb, xb) in [
        ("h1", (w1, "i1"), (w2, "i2")), ("h2", (w3, "i1"), (w4, "i2")),
        ("o1", (w5, "a_h1"), (w6, "a_h2")), ("o2", (w7, "a_h1"), (w8, "a_h2")),
    ]:  # fmt: skip
        assert n[s].op == "+"
        left, right = n[s].parents
        assert left.parents == (wa, n[xa])
        assert right.parents == (wb, n[xb])
    for a, z in [("a_h1", "h1"), ("a_h2", "h2"), ("a_o1", "o1"), ("a_o2", "o2")]:
        assert n[a].op == "sigmoid"
        assert n[a].parents == (n[z],)
    assert n["E_total"].parents == (n["E1"], n["E2"])


def test_weights_and_biases_are_labelled() -> None:
    net = Net222()
    assert [w.label for w in net.weights] == list(WEIGHT_NAMES)
    assert [w.data for w in net.weights] == list(SEED.w)
    assert net.biases == []
    assert net.parameters() == net.weights
    biased = Net222(SEED.w, b=(0.35, 0.35, 0.6, 0.6))
    assert [b.label for b in biased.biases] == list(BIAS_NAMES)
    assert [p.label for p in biased.parameters()] == [
        "w1", "w2", "b_h1", "w3", "w4", "b_h2", "w5", "w6", "b_o1", "w7", "w8", "b_o2",
    ]  # fmt: skip


def _check_against_closed_form(
    i: tuple[float, float],
    t: tuple[float, float],
    w: tuple[float, ...],
    b: tuple[float, ...] | None,
) -> None:
    net = Net222(w, b)
    E_total = net(i=i, t=t)
    E_total.backward()
    reference = closed_form(i, t, w, b)
    for name in FORWARD_NAMES:
        assert close(net.nodes[name].data, reference[name], CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)
    for weight, name in zip(net.weights, WEIGHT_NAMES):
        expected = reference["d" + name]
        assert close(weight.grad, expected, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL), (name, weight.grad)
    for bias, name in zip(net.biases, BIAS_NAMES):
        expected = reference["d" + name]
        assert close(bias.grad, expected, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL), (name, bias.grad)
    for node in ("a_h1", "a_h2"):
        expected = reference[f"dE_total/d{node}"]
        assert close(net.nodes[node].grad, expected, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)


@given(nets222(bias=False))
def test_autograd_equals_closed_form(net: Net222Case) -> None:
    _check_against_closed_form(*net)


@given(nets222(bias=True))
def test_autograd_equals_closed_form_with_biases(net: Net222Case) -> None:
    _check_against_closed_form(*net)


def test_closed_form_at_seed_matches_autograd() -> None:
    _check_against_closed_form(SEED.i, SEED.t, SEED.w, None)


@given(nets222(bias=False, weight_bound=3.0))
def test_closed_form_itself_matches_finite_differences(net: Net222Case) -> None:
    i, t, w, _ = net
    # The reference is only as good as its formulas: check them independently of autograd.
    reference = closed_form(i, t, w)

    def E_total(weights: list[float]) -> float:
        return float(closed_form(i, t, weights)["E_total"])

    for k, name in enumerate(WEIGHT_NAMES):
        numeric, rounding = finite_difference(E_total, list(w), k)
        assert close(reference["d" + name], numeric, FD_RTOL, FD_ATOL + rounding), name


def test_closed_form_is_vectorised() -> None:
    rng = np.random.default_rng(0)
    shape = (4, 3)
    i = (rng.uniform(-3, 3, shape), rng.uniform(-3, 3, shape))
    t = (rng.uniform(0, 1, shape), rng.uniform(0, 1, shape))
    w = tuple(rng.uniform(-10, 10, shape) for _ in range(8))
    batch = closed_form(i, t, w)
    for name in ("E_total", "dE_total/da_h1", *("d" + n for n in WEIGHT_NAMES)):
        assert batch[name].shape == shape
    for index in np.ndindex(*shape):
        one = closed_form(
            tuple(x[index] for x in i), tuple(x[index] for x in t), tuple(x[index] for x in w)
        )
        for name in ("E_total", "dw1", "dw8"):
            assert close(float(batch[name][index]), float(one[name]), ULP_RTOL, FORWARD_ATOL)
    # Broadcasting: a batch of inputs against one set of scalar weights.
    broadcast = closed_form((np.array([0.05, 1.0]), np.array([0.1, 2.0])), SEED.t, SEED.w)
    assert broadcast["dw1"].shape == (2,)
    assert close(
        float(broadcast["dw1"][0]), closed_form(SEED.i, SEED.t, SEED.w)["dw1"], ULP_RTOL, 0
    )


def test_closed_form_sigmoid_does_not_overflow_on_arrays() -> None:
    with np.errstate(all="raise"):
        out = closed_form((np.array([1000.0]), np.array([-1000.0])), (0.0, 1.0), SEED.w)
    assert np.isfinite(out["E_total"]).all()


def test_sgd_lowers_E_total_on_each_of_the_first_100_steps() -> None:
    net = Net222(SEED.w)
    opt = SGD(net.parameters(), lr=0.5)
    losses = []
    for _ in range(101):
        opt.zero_grad()
        E_total = net(i=SEED.i, t=SEED.t)
        E_total.backward()
        opt.step()
        losses.append(E_total.data)
    assert close(losses[0], 0.24251985734837728, ULP_RTOL, 0.0)
    assert all(after < before for before, after in itertools.pairwise(losses))


def test_sgd_step_equals_the_update_rule_on_the_closed_form() -> None:
    net = Net222(SEED.w)
    net(i=SEED.i, t=SEED.t).backward()
    SGD(net.parameters(), lr=0.5).step()
    reference = closed_form(SEED.i, SEED.t, SEED.w)
    expected = [w - 0.5 * reference["d" + name] for w, name in zip(SEED.w, WEIGHT_NAMES)]
    for w, after in zip(net.weights, expected):
        assert close(w.data, after, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)


def test_net222_errors_name_what_is_wrong() -> None:
    with pytest.raises(ValueError, match=r"Net222: w \(w1..w8\): needs 8 numbers, got 7"):
        Net222(SEED.w[:7])
    with pytest.raises(ValueError, match=r"b \(b_h1, b_h2, b_o1, b_o2\): needs 4 numbers, got 2"):
        Net222(SEED.w, b=(0.1, 0.2))
    with pytest.raises(ValueError, match=r"i \(i1, i2\): needs 2 numbers, got 3"):
        Net222()(i=(1.0, 2.0, 3.0), t=SEED.t)
    with pytest.raises(TypeError, match="takes a real number"):
        Net222()(i=SEED.i, t=("a", 1.0))
    with pytest.raises(TypeError, match=r"w \(w1..w8\): needs a list of 8 numbers, got 0.5"):
        Net222(w=0.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"TensorNet222: w \(w1..w8\): needs 8 numbers, got 7"):
        TensorNet222(SEED.w[:7])
    with pytest.raises(ValueError, match=r"closed_form: needs i = .* got 2, 2, 7 and None"):
        closed_form(SEED.i, SEED.t, SEED.w[:7])


def test_net222_evaluates_inside_no_grad() -> None:
    from tinygrad_edu import no_grad

    net = Net222()
    with no_grad():
        E_total = net(i=SEED.i, t=SEED.t)
    assert close(E_total.data, 0.24251985734837728, ULP_RTOL, 0.0)
    assert E_total.parents == ()
    assert close(net.nodes["h1"].data, 0.15 * 0.05 + 0.2 * 0.1, ULP_RTOL, 0.0)


# --- the network's structure, as the pictures read it ------------------------------------------


def test_parameters_are_named_by_their_modules() -> None:
    net = Net222(SEED.w, b=(0.35, 0.35, 0.6, 0.6))
    named = net.named_parameters()
    assert [p for _, p in named] == net.parameters()
    assert [path for path, _ in named][:3] == ["mlp.L1.N1.w1", "mlp.L1.N1.w2", "mlp.L1.N1.b"]
    batched = TensorNet222(SEED.w)
    assert batched.named_parameters() == [
        ("mlp.L1.weight", batched.weights[0]), ("mlp.L2.weight", batched.weights[1]),
    ]  # fmt: skip


def test_the_layout_is_the_derivations_figure_on_both_engines() -> None:
    for net in (
        Net222(SEED.w, b=(0.35, 0.35, 0.6, 0.6)),
        TensorNet222(SEED.w, b=(0.35, 0.35, 0.6, 0.6)),
    ):
        layout = net.layout()
        assert layout.inputs == ("i1", "i2")
        assert [layer.title for layer in layout.layers] == ["hidden layer", "output layer"]
        assert [layer.bias_node for layer in layout.layers] == ["bias_h", "bias_o"]
        neurons = [n for layer in layout.layers for n in layer.neurons]
        assert [(n.name, n.output) for n in neurons] == [
            ("h1", "a_h1"), ("h2", "a_h2"), ("o1", "a_o1"), ("o2", "a_o2"),
        ]  # fmt: skip
        # Weight 2n + j of a layer is input j's weight into neuron n, in the derivation's order.
        weights = [w for n in neurons for w in n.weights]
        assert [w.name for w in weights] == list(WEIGHT_NAMES)
        assert [w.data for w in weights] == list(SEED.w)
        assert [n.bias.name for n in neurons if n.bias is not None] == list(BIAS_NAMES)
        assert layout.loss is not None and layout.loss.column == ("E1", "E2")
        assert layout.loss_name == "E_total"
    # After a call on one sample, the figure knows every named node's value and gradient.
    net = Net222()
    net(i=SEED.i, t=SEED.t).backward()
    values = net.layout().values
    assert values["a_h1"] == (net.nodes["a_h1"].data, net.nodes["a_h1"].grad)
    assert set(values) == set(NODE_NAMES)
