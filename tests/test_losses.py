"""Losses on Values and Tensors: formulas, gradients, stability at extreme logits, errors."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.catalogue import reals, reference_softplus
from tests.test_tensor import check_tensor_grads
from tinygrad_edu import Value
from tinygrad_edu.losses import binary_cross_entropy, cross_entropy, mse
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.testing import (
    CLOSED_FORM_ATOL,
    CLOSED_FORM_RTOL,
    FORWARD_ATOL,
    FORWARD_RTOL,
    check_grads,
    close,
)

small = reals(-3, 3)
unit = reals(0.0, 1.0)


def arrays(shape: tuple[int, ...], elements: st.SearchStrategy[float] = small) -> Any:
    return hnp.arrays(np.float64, shape, elements=elements)


@given(y=arrays((5,)), t=arrays((5,)))
def test_mse_reductions_on_tensors_and_values(y: np.ndarray, t: np.ndarray) -> None:
    expected = {"mean": np.mean((y - t) ** 2), "sum": np.sum((y - t) ** 2),
                "half_sum": np.sum(0.5 * (t - y) ** 2)}  # fmt: skip
    for reduction, value in expected.items():
        on_tensor = mse(Tensor(y), t, reduction=reduction)
        on_values = mse([Value(v) for v in y], list(t), reduction=reduction)
        assert on_tensor.shape == ()
        assert close(on_tensor.item(), value, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)
        assert close(on_values.data, value, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)
        check_tensor_grads(lambda p, r=reduction: mse(p, t, reduction=r), y)


def test_half_sum_is_the_derivations_E_total() -> None:
    from tinygrad_edu import SEED, Net222

    net = Net222(SEED.w)
    E_total = net(i=SEED.i, t=SEED.t)
    half_sum = mse([net.nodes["a_o1"], net.nodes["a_o2"]], list(SEED.t), reduction="half_sum")
    assert half_sum.data == E_total.data


@given(z=arrays((6,), reals(-30, 30)), t=arrays((6,), unit))
def test_bce_with_logits_equals_bce_on_sigmoid(z: np.ndarray, t: np.ndarray) -> None:
    p = 1.0 / (1.0 + np.exp(-z))
    # −log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z), in 50-digit arithmetic: the
    # float formula −log(1 − p) would cancel as p → 1 and be the less accurate of the two.
    reference = [
        tk * reference_softplus(-zk) + (1 - tk) * reference_softplus(zk) for zk, tk in zip(z, t)
    ]
    per_entry = binary_cross_entropy(Tensor(z), t, with_logits=True, reduction="none")
    assert np.allclose(per_entry.data, reference, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)
    check_tensor_grads(lambda x: binary_cross_entropy(x, t, with_logits=True), z)
    # ∂/∂z = σ(z) − t, including at z = 0 exactly (where a relu/abs composite gets it wrong).
    x = Tensor(z, requires_grad=True)
    binary_cross_entropy(x, t, with_logits=True, reduction="sum").backward()
    assert x.grad is not None
    assert np.allclose(x.grad, p - t, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)


def test_bce_with_logits_gradient_at_exactly_zero() -> None:
    z = Value(0.0)
    binary_cross_entropy(z, 0.0, with_logits=True).backward()
    assert z.grad == 0.5  # σ(0) − t


@given(p=arrays((5,), reals(0.01, 0.99)), t=arrays((5,), unit))
def test_bce_on_probabilities(p: np.ndarray, t: np.ndarray) -> None:
    reference = -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean()
    on_tensor = binary_cross_entropy(Tensor(p), t)
    assert close(on_tensor.item(), reference, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)
    values = binary_cross_entropy([Value(v) for v in p], list(t))
    assert close(values.data, reference, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)
    check_tensor_grads(lambda q: binary_cross_entropy(q, t), p)


@given(
    logits=arrays((4, 3), reals(-20, 20)),
    labels=st.lists(st.integers(0, 2), min_size=4, max_size=4),
)
def test_cross_entropy_on_tensors_and_values(logits: np.ndarray, labels: list[int]) -> None:
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    reference = -log_p[np.arange(4), labels].mean()
    on_tensor = cross_entropy(Tensor(logits), labels)
    on_values = cross_entropy([[Value(v) for v in row] for row in logits], labels)
    assert close(on_tensor.item(), reference, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)
    assert close(on_values.data, reference, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)
    check_tensor_grads(lambda z: cross_entropy(z, np.array(labels)), logits)
    check_grads(lambda a, b, c: cross_entropy([a, b, c], labels[0]), *logits[0])


@pytest.mark.parametrize("z", [1000.0, -1000.0])
def test_losses_are_finite_at_extreme_logits(z: float) -> None:
    for t in (0.0, 1.0):
        x = Tensor([z], requires_grad=True)
        loss = binary_cross_entropy(x, [t], with_logits=True)
        loss.backward()
        assert x.grad is not None
        assert math.isfinite(loss.item())
        assert np.isfinite(x.grad).all()
        v = Value(z)
        value_loss = binary_cross_entropy(v, t, with_logits=True)
        value_loss.backward()
        assert math.isfinite(value_loss.data)
        assert math.isfinite(v.grad)
        # Far on the wrong side the loss is |z|, and on the right side 0.
        wrong = (z > 0) != (t > 0.5)
        assert close(loss.item(), abs(z) if wrong else 0.0, FORWARD_RTOL, FORWARD_ATOL)
    logits = Tensor([[z, -z, 0.0]], requires_grad=True)
    ce = cross_entropy(logits, [1])
    ce.backward()
    assert logits.grad is not None
    assert math.isfinite(ce.item())
    assert np.isfinite(logits.grad).all()
    values = [Value(z), Value(-z), Value(0.0)]
    ce_values = cross_entropy(values, 1)
    ce_values.backward()
    assert math.isfinite(ce_values.data)
    assert all(math.isfinite(v.grad) for v in values)


def test_cross_entropy_accepts_a_tensor_of_labels_and_one_sample() -> None:
    logits = Tensor([[1.0, 2.0, 3.0], [1.0, 0.0, 0.0]])
    assert close(
        cross_entropy(logits, Tensor([2, 0])).item(), cross_entropy(logits, [2, 0]).item(), 0, 0
    )
    single = cross_entropy(Tensor([1.0, 2.0, 3.0]), 2)
    assert close(single.item(), cross_entropy(logits[0:1], [2]).item(), 0, 0)


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: mse(Tensor(np.ones((3, 1))), np.ones(3)), ValueError, r"prediction has shape \(3, 1\) but target has shape \(3,\)"),
        (lambda: mse(Tensor([1.0]), [1.0], reduction="avg"), ValueError, "reduction must be one of 'mean', 'sum', 'none', 'half_sum', got 'avg'"),
        (lambda: mse([Value(1.0)], [1.0, 2.0]), ValueError, "1 predictions but 2 targets"),
        (lambda: mse(1.0, 1.0), TypeError, "predictions must be a Tensor, a Value or a list of Values"),
        (lambda: binary_cross_entropy(Tensor([0.5, 1.0]), [1.0, 1.0]), ValueError, "strictly between 0 and 1, got 1.0 .*with_logits=True"),
        (lambda: cross_entropy(Tensor(np.zeros((2, 3))), [0, 3]), ValueError, r"class index 3 is outside \[0, 3\)"),
        (lambda: cross_entropy(Tensor(np.zeros((2, 3))), [0]), ValueError, r"expected 2 class indices, got shape \(1,\)"),
        (lambda: cross_entropy(Tensor(np.zeros((2, 3))), [0.5, 1.0]), TypeError, "class indices must be whole numbers"),
        (lambda: cross_entropy(Tensor(np.zeros((2, 3, 4))), [0, 1]), ValueError, r"logits must have shape \(N, C\) or \(C,\)"),
        (lambda: cross_entropy("abc", 0), TypeError, "logits must be a Tensor"),
    ],
)  # fmt: skip
def test_loss_errors(build: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build()
