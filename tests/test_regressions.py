"""Regression tests for issue 10's two wrong gradients: matmul's VJP with batched operands and
transposed views, and `**` at zero (on both engines).

No reference comes from the engine: matmul is checked against a hand-written numpy VJP (itself
checked against finite differences below), `**` against closed forms written out by hand and
against finite differences of plain numpy/Python arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from tinygrad_edu import Value
from tinygrad_edu.nn import Linear
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.testing import (
    CLOSED_FORM_ATOL,
    CLOSED_FORM_RTOL,
    FD_ATOL,
    FD_RTOL,
    finite_difference,
)

Array = np.ndarray

# --- matmul: a reference VJP by explicit loops ------------------------------------------------


def _batch_index(index: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """The operand's batch index at `index` of the broadcast batch (numpy's rule: align the
    axes on the right; an axis of size 1 repeats its one entry)."""
    index = index[len(index) - len(shape) :]
    return tuple(0 if n == 1 else i for i, n in zip(index, shape))


def reference_matmul_vjp(a: Array, b: Array, g: Array) -> tuple[Array, Array]:
    """∂E/∂A = G·Bᵀ and ∂E/∂B = Aᵀ·G for C = A @ B, one matrix of the batch at a time."""
    a2 = a.reshape(1, -1) if a.ndim == 1 else a  # a vector on the left is a row
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b  # on the right, a column
    batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    g2 = g.reshape((*batch, a2.shape[-2], b2.shape[-1]))  # the vectors' lost axes have size 1
    da, db = np.zeros_like(a2), np.zeros_like(b2)
    for index in np.ndindex(batch):
        ia, ib = _batch_index(index, a2.shape[:-2]), _batch_index(index, b2.shape[:-2])
        da[ia] += g2[index] @ b2[ib].T
        db[ib] += a2[ia].T @ g2[index]
    return da.reshape(a.shape), db.reshape(b.shape)


# C = A @ B with inner size 5, A with 4 rows, B with 6 columns. A batch of 5 (the inner size)
# on the left, or of 4 (A's rows) on the right, is where the old bug was silent, not an error.
LEFT = {"vector": (5,), "matrix": (4, 5), "batch": (3, 4, 5), "batch of 5": (5, 4, 5)}
RIGHT = {"vector": (5,), "matrix": (5, 6), "batch": (3, 5, 6), "batch of 4": (4, 5, 6)}
LEFT["broadcast batch"], RIGHT["broadcast batch"] = (2, 1, 4, 5), (2, 1, 5, 6)


def _batches_broadcast(left: str, right: str) -> bool:
    try:
        np.broadcast_shapes(LEFT[left][:-2], RIGHT[right][:-2])
    except ValueError:  # e.g. a batch of 3 against a batch of 4
        return False
    return True


PAIRS = [(left, right) for left in LEFT for right in RIGHT if _batches_broadcast(left, right)]


def _permutation(layout: str, ndim: int) -> tuple[int, ...]:
    """The axes permutation of the view; each is its own inverse."""
    if layout == "plain":
        return tuple(range(ndim))
    if layout == ".T":
        return tuple(reversed(range(ndim)))
    return (*range(ndim - 2), ndim - 1, ndim - 2)


def _layouts(shape: tuple[int, ...]) -> list[str]:
    """How an operand reaches matmul: a leaf as is, or a transposed (non-contiguous) view of a
    leaf holding its entries in the other order: `.T` (all axes reversed) or the last two swapped."""
    return ["plain", ".T"] + (["swap last two"] if len(shape) > 2 else [])


def _as_operand(data: Array, layout: str) -> tuple[Tensor, Tensor]:
    """(the leaf that collects the gradient, the operand with entries `data` given to matmul)."""
    perm = _permutation(layout, data.ndim)
    leaf = Tensor(np.ascontiguousarray(data.transpose(perm)), requires_grad=True)
    if layout == "plain":
        return leaf, leaf
    return leaf, leaf.T if layout == ".T" else leaf.transpose(*perm)


@pytest.mark.parametrize(
    ("left", "left_layout", "right", "right_layout"),
    [
        pytest.param(left, lay, right, ray, id=f"{left} {lay} @ {right} {ray}")
        for left, right in PAIRS
        for lay in _layouts(LEFT[left])
        for ray in _layouts(RIGHT[right])
    ],
)
def test_matmul_gradient_matches_numpy_vjp_for_batched_and_transposed_operands(
    left: str, left_layout: str, right: str, right_layout: str
) -> None:
    rng = np.random.default_rng(10)
    a, b = rng.uniform(-1, 1, LEFT[left]), rng.uniform(-1, 1, RIGHT[right])
    a_leaf, a_op = _as_operand(a, left_layout)
    b_leaf, b_op = _as_operand(b, right_layout)
    c = a_op @ b_op
    assert c.shape == np.matmul(a, b).shape
    g = rng.standard_normal(c.shape)  # a random upstream gradient: errors cannot cancel
    (c * Tensor(g)).sum().backward()
    da, db = reference_matmul_vjp(a, b, g)
    # The leaf holds the operand's entries permuted; its gradient is permuted the same way.
    for leaf, expected, layout in ((a_leaf, da, left_layout), (b_leaf, db, right_layout)):
        assert leaf.grad is not None and leaf.grad.shape == leaf.shape
        expected = expected.transpose(_permutation(layout, expected.ndim))
        # Same float64 products in another order: agreement to a few roundings (see testing.py).
        np.testing.assert_allclose(
            leaf.grad, expected, rtol=CLOSED_FORM_RTOL, atol=CLOSED_FORM_ATOL
        )


@pytest.mark.parametrize(("left", "right"), PAIRS, ids=[f"{lt} @ {rt}" for lt, rt in PAIRS])
def test_reference_matmul_vjp_agrees_with_finite_differences(left: str, right: str) -> None:
    rng = np.random.default_rng(11)
    a, b = rng.uniform(-1, 1, LEFT[left]), rng.uniform(-1, 1, RIGHT[right])
    g = rng.standard_normal(np.matmul(a, b).shape)
    da, db = reference_matmul_vjp(a, b, g)
    # E = Σ (A @ B)·G is linear in each entry, so a central difference with any step (here 1)
    # has no truncation error, only rounding (~1e-15): FD_RTOL and FD_ATOL are ample.
    for which, expected in ((0, da), (1, db)):
        numeric = np.empty_like(expected)
        for k in range(expected.size):
            up, down = [a.copy(), b.copy()], [a.copy(), b.copy()]
            up[which].flat[k] += 1.0
            down[which].flat[k] -= 1.0
            numeric.flat[k] = ((np.matmul(*up) - np.matmul(*down)) * g).sum() / 2.0
        np.testing.assert_allclose(expected, numeric, rtol=FD_RTOL, atol=FD_ATOL)


@pytest.mark.parametrize("shape", [(2, 7, 5), (5, 7, 5), (7, 5), (5,)], ids=str)
def test_linear_weight_bias_and_input_gradients_match_numpy_for_batched_inputs(
    shape: tuple[int, ...],
) -> None:
    layer = Linear(5, 3, seed=0)
    assert layer.bias is not None
    rng = np.random.default_rng(12)
    x = Tensor(rng.uniform(-1, 1, shape), requires_grad=True)
    y = layer(x)
    assert y.shape == (*shape[:-1], 3)
    g = rng.standard_normal(y.shape)
    (y * Tensor(g)).sum().backward()
    w, rows, g_rows = layer.weight.data, x.data.reshape(-1, 5), g.reshape(-1, 3)
    # y = x·Wᵀ + b row by row: ∂E/∂W = Σ_rows gᵀ·x, ∂E/∂b = Σ_rows g, ∂E/∂x = g·W.
    expected = {
        "weight": (layer.weight.grad, g_rows.T @ rows),
        "bias": (layer.bias.grad, g_rows.sum(axis=0)),
        "input": (x.grad, (g_rows @ w).reshape(shape)),
    }
    for name, (actual, reference) in expected.items():
        assert actual is not None and actual.shape == reference.shape, name
        np.testing.assert_allclose(
            actual, reference, rtol=CLOSED_FORM_RTOL, atol=CLOSED_FORM_ATOL, err_msg=name
        )


# --- ** at zero -------------------------------------------------------------------------------


def _slope(f: Callable[[float], float], at: float) -> float:
    """df/dx at `at` by central differences (testing.finite_difference), from plain arithmetic."""
    return finite_difference(lambda v: f(v[0]), [at], 0)[0]


def _assert_grad(actual: float, closed_form: float, numeric: float) -> None:
    assert math.isfinite(actual)
    np.testing.assert_allclose(actual, closed_form, rtol=CLOSED_FORM_RTOL, atol=CLOSED_FORM_ATOL)
    np.testing.assert_allclose(actual, numeric, rtol=FD_RTOL, atol=FD_ATOL)


@pytest.mark.parametrize("exponent", [0, 0.0])
def test_value_x_to_the_zero_has_derivative_zero_at_zero(exponent: float) -> None:
    x = Value(0.0)
    out = x**exponent
    out.backward()
    assert out.data == 1.0
    _assert_grad(x.grad, 0.0, _slope(lambda v: v**exponent, 0.0))


@pytest.mark.parametrize("t", [2.0, 0.5, 3.0])
def test_value_zero_to_the_t_has_derivative_zero_in_t(t: float) -> None:
    exponent = Value(t)
    out = 0.0**exponent
    out.backward()
    assert out.data == 0.0
    _assert_grad(exponent.grad, 0.0, _slope(lambda s: 0.0**s, t))  # 0^t·log 0 → 0


def test_value_zero_to_the_value_two_has_both_derivatives_zero() -> None:
    x, t = Value(0.0), Value(2.0)
    (x**t).backward()
    _assert_grad(x.grad, 0.0, _slope(lambda v: v**2.0, 0.0))  # 2·0¹
    _assert_grad(t.grad, 0.0, _slope(lambda s: 0.0**s, 2.0))  # 0²·log 0 → 0


# (base, exponent, ∂Σ/∂base, ∂Σ/∂exponent), each by hand. A plain number is a constant; a list
# or array becomes a Tensor, which requires grad when its expected gradient is given.
POW_CASES = {
    "x ** 0 at [0, 1.5, -2]": ([0.0, 1.5, -2.0], 0, [0.0, 0.0, 0.0], None),
    "x ** 0.0 at [0, 1.5, -2]": ([0.0, 1.5, -2.0], 0.0, [0.0, 0.0, 0.0], None),
    "0.0 ** t at [2, 0.5, 3]": (0.0, [2.0, 0.5, 3.0], None, [0.0, 0.0, 0.0]),  # 0^t·log 0 → 0
    "x ** 2 at [0, 3]": ([0.0, 3.0], 2, [0.0, 6.0], None),
    "x ** Tensor(2.0) at [0, 3]": ([0.0, 3.0], np.array(2.0), [0.0, 6.0], None),
    # ∂/∂t Σ x^t = 0²·log 0 (→ 0) + 3²·log 3
    "x ** t, t = 2.0, at [0, 3]": ([0.0, 3.0], np.array(2.0), [0.0, 6.0], 9.0 * math.log(3.0)),
    # ∂/∂x = t·0^(t−1) = [0, 0, 1]; ∂/∂t = 0^t·log 0 → 0
    "zeros ** t at [2, 3, 1]": ([0.0] * 3, [2.0, 3.0, 1.0], [0.0, 0.0, 1.0], [0.0] * 3),
}


@pytest.mark.parametrize("case", list(POW_CASES.values()), ids=list(POW_CASES))
def test_tensor_power_at_zero_base_has_its_finite_gradient(case: tuple[Any, ...]) -> None:
    *operands, base_grad, exponent_grad = case
    data = [np.asarray(operand, float) for operand in operands]
    x, t = (
        Tensor(operand, requires_grad=grad is not None)
        if isinstance(operand, (list, np.ndarray))
        else operand
        for operand, grad in zip(operands, (base_grad, exponent_grad))
    )
    out = x**t
    np.testing.assert_array_equal(out.data, np.power(*data))
    out.sum().backward()
    for which, (leaf, expected) in enumerate(((x, base_grad), (t, exponent_grad))):
        if expected is None:
            continue
        assert isinstance(leaf, Tensor) and leaf.grad is not None
        assert leaf.grad.shape == data[which].shape
        np.testing.assert_allclose(
            leaf.grad, expected, rtol=CLOSED_FORM_RTOL, atol=CLOSED_FORM_ATOL
        )
        numeric = np.empty_like(data[which])
        for k in range(numeric.size):  # Σ base^exponent in numpy, moving one entry

            def total(v: Sequence[float], which: int = which, k: int = k) -> float:
                moved = [d.copy() for d in data]
                moved[which].flat[k] = v[0]
                return float(np.power(*moved).sum())

            numeric.flat[k] = finite_difference(total, [float(data[which].flat[k])], 0)[0]
        np.testing.assert_allclose(leaf.grad, numeric, rtol=FD_RTOL, atol=FD_ATOL)
