"""The ops tiny nets need: masks, ties, statistics, shapes, one_hot, nll_loss and AdamW.

Forward values and gradients of the entry-by-entry ops are checked by the shared catalogue
(test_ops.py, test_tensor.py); here are the conventions, the reductions and shape ops, and the
error messages. References come from numpy, math and mpmath, never from the engine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests import test_ops, test_tensor
from tests.catalogue import COMPOSITES, OpCase, reals
from tests.test_tensor import arrays_in, check_tensor_grads
from tinygrad_edu import SGD, Adam, AdamW, Tensor, Value, one_hot, topological_order, where
from tinygrad_edu.losses import cross_entropy, nll_loss
from tinygrad_edu.primitives import CATALOGUE

small = reals(-3, 3)


# --- the compositions of the catalogue, through the same property tests as the primitives ---


def _made_of_catalogue_primitives(root: Any) -> bool:
    """A composite has no backward code of its own: every node is a catalogue primitive's."""
    return all(
        node.primitive is None or node.primitive in CATALOGUE for node in topological_order(root)
    )


@pytest.mark.parametrize("case", COMPOSITES, ids=lambda case: case.name)
def test_composite_forward_and_gradient_on_values(case: OpCase) -> None:
    # Both property tests assert inside (forward against the reference, gradients against
    # finite differences); the composite itself must be built from catalogue primitives only.
    test_ops.test_forward_matches_reference(case)
    test_ops.test_gradient_matches_finite_difference(case)
    point = [0.37 if k not in case.constants else 2.0 for k in range(len(case.domain))]
    args = [Value(x) if k not in case.constants else x for k, x in enumerate(point)]
    assert _made_of_catalogue_primitives(case.apply(*args))


@pytest.mark.parametrize("case", COMPOSITES, ids=lambda case: case.name)
def test_composite_forward_and_gradient_on_tensors_with_broadcasting(case: OpCase) -> None:
    test_tensor.test_catalogue_op_gradients_with_broadcasting(case)  # asserts inside
    point = [0.37 if k not in case.constants else 2.0 for k in range(len(case.domain))]
    args = [
        Tensor([x, -x], requires_grad=True) if k not in case.constants else x
        for k, x in enumerate(point)
    ]
    assert _made_of_catalogue_primitives(case.apply(*args))


# --- comparisons: masks with no gradient ----------------------------------------------------

COMPARISONS = [
    ("<", np.less, "lt"),
    ("<=", np.less_equal, "le"),
    (">", np.greater, "gt"),
    (">=", np.greater_equal, "ge"),
    ("==", np.equal, "eq"),
    ("!=", np.not_equal, "ne"),
]


@pytest.mark.parametrize(("symbol", "reference", "method"), COMPARISONS)
def test_tensor_comparisons_are_float_masks_without_gradient(
    symbol: str, reference: Any, method: str
) -> None:
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = np.array([2.0, 2.0, 2.0])
    x = Tensor(a, requires_grad=True)
    expected = reference(a, b).astype(float)
    for mask in (eval(f"x {symbol} Tensor(b)"), getattr(x, method)(b), eval(f"x {symbol} 2.0")):
        assert isinstance(mask, Tensor)
        assert mask.data.dtype == np.float64
        assert mask.data.tolist() == expected.tolist()
        assert not mask.requires_grad and mask.parents == () and mask.op == ""


def test_a_number_on_the_left_of_a_comparison_is_reflected() -> None:
    x = Tensor([1.0, 2.0, 3.0])
    assert (2.0 < x).data.tolist() == [0.0, 0.0, 1.0]  # noqa: SIM300 (the reflection under test)
    assert (np.array([3.0, 3.0, 3.0]) >= x).data.tolist() == [1.0, 1.0, 1.0]


def test_a_mask_passes_gradient_only_through_the_other_factor() -> None:
    x = Tensor([-1.0, 0.5, 2.0], requires_grad=True)
    ((x > 0) * x * x).sum().backward()  # Σ [x > 0]·x²: ∂/∂x = [x > 0]·2x
    assert x.grad is not None
    assert x.grad.tolist() == [0.0, 1.0, 4.0]


def test_comparisons_keep_float32() -> None:
    x = Tensor([1.0, 2.0], dtype=np.float32)
    assert (x > 1.5).dtype == np.float32


def test_tensor_equality_is_entrywise_and_hashing_is_by_identity() -> None:
    a, b = Tensor([1.0, 2.0]), Tensor([1.0, 2.0])
    assert (a == b).data.tolist() == [1.0, 1.0]
    assert len({a, b}) == 2  # equal entries, two tensors
    assert {a: "a"}[a] == "a"
    assert a in [a]  # identity is checked first
    with pytest.raises(ValueError, match=r"bool: the truth value of a tensor of shape \(2,\)"):
        _ = a in [b]
    with pytest.raises(ValueError, match="ambiguous"):
        bool(a > 0)
    assert bool(Tensor([3.0]) > 2) is True
    assert (a == "text") is False  # not a number: Python's identity comparison
    assert a != None  # noqa: E711 (the comparison under test)


def test_value_comparisons_are_methods_returning_constant_masks() -> None:
    x, y = Value(1.0, "x"), Value(2.0, "y")
    masks = [x.lt(y), x.le(1.0), x.gt(y), x.ge(y), x.eq(1.0), x.ne(y)]
    assert [m.data for m in masks] == [1.0, 1.0, 0.0, 0.0, 1.0, 1.0]
    assert all(m.parents == () and m.op == "" for m in masks)
    out = x * x.lt(y)  # the mask is a constant factor
    out.backward()
    assert x.grad == 1.0 and masks[0].grad == 0.0


def test_value_equality_stays_identity_so_values_are_keys() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a == a and a != b
    assert [b, a].index(a) == 1
    assert len({a, b}) == 2


@pytest.mark.parametrize("symbol", ["<", "<=", ">", ">="])
def test_ordering_values_says_which_method_to_use(symbol: str) -> None:
    with pytest.raises(TypeError, match=f"'{symbol}' is not defined between Values: use x\\."):
        eval(f"Value(1.0) {symbol} Value(2.0)")
    with pytest.raises(TypeError, match="is not defined between Values"):
        eval(f"2.0 {symbol} Value(1.0)")


# --- maximum, minimum, clip, where: conventions -----------------------------------------------


def test_maximum_and_minimum_split_the_gradient_equally_at_ties() -> None:
    for method in ("maximum", "minimum"):
        x, y = Value(2.0), Value(2.0)
        getattr(x, method)(y).backward()
        assert (x.grad, y.grad) == (0.5, 0.5)
        a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = Tensor([2.0], requires_grad=True)  # broadcast: its gradient is summed
        getattr(a, method)(b).sum().backward()
        assert a.grad is not None and b.grad is not None
        expected = [0.0, 0.5, 1.0] if method == "maximum" else [1.0, 0.5, 0.0]
        assert a.grad.tolist() == expected
        assert b.grad.tolist() == [3.0 - sum(expected)]


def test_clip_passes_the_gradient_at_its_bounds_as_pytorch() -> None:
    xs = [-2.0, -1.0, 0.0, 1.0, 2.0]
    t = Tensor(xs, requires_grad=True)
    out = t.clip(-1.0, 1.0)
    out.sum().backward()
    assert out.data.tolist() == [-1.0, -1.0, 0.0, 1.0, 1.0]
    assert t.grad is not None and t.grad.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]
    for x, grad in zip(xs, [0.0, 1.0, 1.0, 1.0, 0.0]):
        v = Value(x)
        clipped = v.clip(-1.0, 1.0)
        clipped.backward()
        assert (clipped.data, v.grad) == (min(max(x, -1.0), 1.0), grad)
    assert Tensor([5.0, -5.0]).clip(lo=0.0).data.tolist() == [5.0, 0.0]
    assert Value(5.0).clip(hi=2.0).data == 2.0


@given(data=st.data())
@settings(max_examples=30)
def test_where_picks_entries_and_sends_each_gradient_to_its_source(data: st.DataObject) -> None:
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    mask_shape, a_shape, b_shape = shapes.input_shapes
    mask = data.draw(hnp.arrays(np.bool_, mask_shape))
    a = data.draw(arrays_in(small, a_shape))
    b = data.draw(arrays_in(small, b_shape))
    out = where(mask, Tensor(a), Tensor(b))
    assert np.array_equal(out.data, np.where(mask, a, b))
    check_tensor_grads(lambda x, y: where(mask, x, y), a, b)


def test_where_takes_a_comparison_mask_and_numbers() -> None:
    x = Tensor([-1.0, 2.0], requires_grad=True)
    y = where(x > 0, x, 0.0)
    y.sum().backward()
    assert y.data.tolist() == [0.0, 2.0]
    assert x.grad is not None and x.grad.tolist() == [0.0, 1.0]
    assert where([1, 0], 1.0, 2.0).data.tolist() == [1.0, 2.0]


def test_leaky_relu_has_the_negative_slope_as_gradient_at_zero() -> None:
    v = Value(0.0)
    v.leaky_relu(0.2).backward()
    assert v.grad == 0.2
    t = Tensor([-1.0, 0.0, 1.0], requires_grad=True)
    out = t.leaky_relu()
    out.sum().backward()
    assert out.data.tolist() == [-0.01, 0.0, 1.0]
    assert t.grad is not None and t.grad.tolist() == [0.01, 0.01, 1.0]


def test_gelu_matches_both_of_pytorchs_formulas() -> None:
    # x·Φ(x) and PyTorch's tanh formula at x = −1, 0, 1, 2, evaluated with 50-digit mpmath.
    exact = [-0.15865525393145705, 0.0, 0.8413447460685429, 1.9544997361036416]
    tanh = [-0.1588080093917233, 0.0, 0.8411919906082767, 1.954597694087775]
    x = Tensor([-1.0, 0.0, 1.0, 2.0])
    assert np.allclose(x.gelu().data, exact, rtol=1e-12, atol=0)
    assert np.allclose(x.gelu(approximate="tanh").data, tanh, rtol=1e-12, atol=0)
    assert [round(Value(v).gelu().data, 12) for v in (-1.0, 1.0)] == [
        -0.158655253931,
        0.841344746069,
    ]


def test_gelu_and_erf_stay_finite_far_out_and_keep_float32() -> None:
    x = Tensor([-1000.0, -40.0, 40.0, 1000.0], requires_grad=True)
    out = x.gelu()
    out.sum().backward()
    assert out.data.tolist() == [-0.0, -0.0, 40.0, 1000.0]
    assert x.grad is not None and np.isfinite(x.grad).all()
    assert Tensor([0.5], dtype=np.float32).erf().dtype == np.float32


# --- mean, var, std, logsumexp ---------------------------------------------------------------


def axes_of(shape: tuple[int, ...]) -> st.SearchStrategy[Any]:
    return (
        st.none()
        | st.integers(-len(shape), len(shape) - 1)
        | st.sets(st.integers(0, len(shape) - 1), min_size=1).map(tuple)
    )


@given(data=st.data(), keepdims=st.booleans(), correction=st.sampled_from([0, 1]))
@settings(max_examples=60)
def test_var_and_std_match_numpy_with_ddof(
    data: st.DataObject, keepdims: bool, correction: int
) -> None:
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=3))
    a = data.draw(arrays_in(small, shape))
    axis = data.draw(axes_of(shape))
    for op in ("var", "std"):
        out = getattr(Tensor(a), op)(axis=axis, keepdims=keepdims, correction=correction)
        expected = getattr(np, op)(a, axis=axis, keepdims=keepdims, ddof=correction)
        assert out.shape == np.shape(expected)
        assert np.allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    check_tensor_grads(lambda x: x.var(axis, keepdims, correction), a)


def test_var_defaults_to_the_unbiased_estimate_as_pytorch() -> None:
    a = np.array([[1.0, 2.0, 4.0], [0.0, 0.0, 3.0]])
    assert np.allclose(Tensor(a).var(axis=1).data, np.var(a, axis=1, ddof=1))
    assert np.allclose(Tensor(a).std().data, np.std(a, ddof=1))


def test_std_of_spread_entries_has_finite_gradients() -> None:
    a = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    check_tensor_grads(lambda x: x.std(axis=0), a)


@given(data=st.data(), keepdims=st.booleans())
@settings(max_examples=40)
def test_logsumexp_matches_a_reference_and_its_gradient_is_softmax(
    data: st.DataObject, keepdims: bool
) -> None:
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
    a = data.draw(arrays_in(reals(-30, 30), shape))
    axis = data.draw(axes_of(shape))
    m = np.max(a, axis=axis, keepdims=True)
    expected = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    if not keepdims:
        expected = np.squeeze(expected, axis=axis)
    out = Tensor(a).logsumexp(axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    assert np.allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    check_tensor_grads(lambda x: x.logsumexp(axis, keepdims), a)


def test_logsumexp_is_finite_at_plus_and_minus_1000() -> None:
    z = Tensor([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]], requires_grad=True)
    out = z.logsumexp(axis=1)
    out.sum().backward()
    with mpmath.workdps(50):
        row = [float(mpmath.log(sum(mpmath.exp(mpmath.mpf(v)) for v in r))) for r in z.data]
    assert out.data.tolist() == row == [1000.0, -1000.0 + math.log(3.0)]
    assert z.grad is not None and np.isfinite(z.grad).all()
    assert np.allclose(z.grad, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])


# --- argmax, argmin --------------------------------------------------------------------------


@given(data=st.data(), keepdims=st.booleans())
def test_argmax_and_argmin_match_numpy(data: st.DataObject, keepdims: bool) -> None:
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
    a = data.draw(arrays_in(st.integers(-2, 2).map(float), shape))  # many ties: first wins
    axis = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    for op in ("argmax", "argmin"):
        out = getattr(Tensor(a), op)(axis=axis, keepdims=keepdims)
        expected = getattr(np, op)(a, axis=axis, keepdims=keepdims)
        assert np.array_equal(out, expected)
        assert np.asarray(out).dtype.kind == "i"


def test_argmax_gives_an_int_over_all_entries_and_index_arrays_along_an_axis() -> None:
    x = Tensor([[1.0, 9.0], [9.0, 2.0]], requires_grad=True)
    flat = x.argmax()
    assert type(flat) is int and flat == 1  # the first of the tied maxima, flattened
    rows = x.argmax(axis=1)
    assert isinstance(rows, np.ndarray) and rows.tolist() == [1, 0]
    assert x[np.arange(2), rows].data.tolist() == [9.0, 9.0]  # ready for indexing
    assert x.argmin(axis=0, keepdims=True).shape == (1, 2)


# --- shapes ----------------------------------------------------------------------------------


def test_squeeze_unsqueeze_and_flatten_shapes_match_numpy() -> None:
    a = np.arange(12.0).reshape(2, 1, 3, 2)
    x = Tensor(a)
    assert x.squeeze().shape == np.squeeze(a).shape == (2, 3, 2)
    assert x.squeeze(1).shape == np.squeeze(a, 1).shape
    assert x.squeeze((1, 0)).shape == (2, 3, 2)  # axis 0 has size 2: kept, as PyTorch
    assert x.squeeze(-3).data.tolist() == np.squeeze(a, -3).tolist()
    for k in (0, 2, 4, -1, -5):
        assert x.unsqueeze(k).shape == np.expand_dims(a, k).shape
    assert x.flatten().shape == (12,)
    assert x.flatten(1).shape == (2, 6)
    assert x.flatten(1, 2).data.tolist() == a.reshape(2, 3, 2).tolist()
    assert x.flatten(-2).shape == (2, 1, 6)
    assert Tensor(3.0).flatten().shape == (1,)
    assert Tensor([[5.0]]).squeeze().shape == ()


@given(data=st.data())
@settings(max_examples=30)
def test_shape_ops_pass_gradients_back(data: st.DataObject) -> None:
    a = data.draw(arrays_in(small, (2, 1, 3)))
    check_tensor_grads(lambda x: x.squeeze(1) * x.squeeze(), a)
    check_tensor_grads(lambda x: x.unsqueeze(0).flatten(0, 2).tanh(), a)
    check_tensor_grads(lambda x: x.expand(4, 2, 3, 3).sigmoid(), a)
    check_tensor_grads(lambda x: x.expand(-1, 2, -1) * x, a)


def test_expand_repeats_size_one_axes_and_sums_the_gradient_back() -> None:
    b = Tensor([[1.0], [2.0]], requires_grad=True)
    out = b.expand(3, 2, 4)
    assert np.array_equal(out.data, np.broadcast_to(b.data, (3, 2, 4)))
    assert b.expand(-1, 5).shape == (2, 5)
    out.sum().backward()
    assert b.grad is not None and b.grad.tolist() == [[12.0], [12.0]]


# --- one_hot ---------------------------------------------------------------------------------


def test_one_hot_rows_of_the_identity() -> None:
    out = one_hot([[0, 2], [1, 1]], 3)
    assert out.shape == (2, 2, 3)
    assert np.array_equal(out.data, np.eye(3)[[[0, 2], [1, 1]]])
    assert not out.requires_grad
    assert one_hot(np.array([3, 0])).shape == (2, 4)  # num_classes = max + 1
    assert one_hot(Tensor([1.0, 0.0]), 2).data.tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert one_hot(2, 4).data.tolist() == [0.0, 0.0, 1.0, 0.0]
    assert one_hot([0], 2, dtype=np.float32).dtype == np.float32


def test_one_hot_embeds_by_matmul_as_indexing_does() -> None:
    table = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    picked = one_hot([2, 0, 2], 3) @ table
    assert picked.data.tolist() == table[np.array([2, 0, 2])].data.tolist()
    picked.sum().backward()
    assert table.grad is not None and table.grad.tolist() == [[1.0, 1.0], [0.0, 0.0], [2.0, 2.0]]


# --- nll_loss ----------------------------------------------------------------------------------


def numpy_nll(log_probs: np.ndarray, targets: np.ndarray, reduction: str) -> Any:
    """PyTorch's nll_loss without weights: −log_probs[n, t_n], then mean/sum/none."""
    terms = -log_probs[np.arange(len(targets)), targets]
    return {"mean": terms.mean(), "sum": terms.sum(), "none": terms}[reduction]


@given(data=st.data(), reduction=st.sampled_from(["mean", "sum", "none"]))
@settings(max_examples=40)
def test_nll_loss_matches_numpy(data: st.DataObject, reduction: str) -> None:
    n, c = data.draw(st.integers(1, 4)), data.draw(st.integers(2, 4))
    z = data.draw(arrays_in(reals(-5, 5), (n, c)))
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    targets = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    out = nll_loss(Tensor(log_p), targets, reduction)
    assert np.allclose(out.data, numpy_nll(log_p, targets, reduction), rtol=1e-12, atol=1e-14)
    assert np.allclose(
        nll_loss(Tensor(z).log_softmax(1), targets, reduction).data,
        cross_entropy(Tensor(z), targets, reduction).data,
    )
    values = [[Value(float(v)) for v in row] for row in log_p]
    by_value = nll_loss(values, targets.tolist(), reduction)
    by_value = by_value if isinstance(by_value, list) else [by_value]
    assert np.allclose([v.data for v in by_value], np.ravel(numpy_nll(log_p, targets, reduction)))


def test_nll_loss_gradient_is_minus_one_over_n_at_each_target() -> None:
    log_p = Tensor(np.log(np.full((2, 3), 1 / 3)), requires_grad=True)
    nll_loss(log_p, [2, 0]).backward()
    assert log_p.grad is not None
    assert log_p.grad.tolist() == [[0.0, 0.0, -0.5], [-0.5, 0.0, 0.0]]
    single = [Value(-0.1), Value(-2.5)]
    loss = nll_loss(single, 1)
    loss.backward()
    assert (loss.data, single[1].grad) == (2.5, -1.0)
    assert nll_loss(Tensor([-0.2, -1.7]), 1).item() == 1.7  # (C,) with one index


# --- AdamW -------------------------------------------------------------------------------------


def pytorch_adamw(w: np.ndarray, grads: list[np.ndarray], lr: float, wd: float) -> np.ndarray:
    """torch.optim.AdamW's algorithm (amsgrad off), as its documentation writes it."""
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    w = w.copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        w = w - lr * wd * w  # θ_t ← θ_{t−1} − γλθ_{t−1}
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w


@pytest.mark.parametrize("weight_decay", [None, 0.0, 0.5])
def test_adamw_follows_pytorchs_algorithm_on_tensors_and_values(weight_decay: float | None) -> None:
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(3)
    grads = [rng.standard_normal(3) for _ in range(5)]
    decay = 0.01 if weight_decay is None else weight_decay  # PyTorch's default λ = 0.01
    expected = pytorch_adamw(w0, grads, lr=0.1, wd=decay)
    extra = {} if weight_decay is None else {"weight_decay": weight_decay}
    t = Tensor(w0, requires_grad=True)
    values = [Value(float(x)) for x in w0]
    by_tensor, by_value = AdamW([t], lr=0.1, **extra), AdamW(values, lr=0.1, **extra)
    for g in grads:
        t.grad = g.copy()
        for v, gk in zip(values, g):
            v.grad = float(gk)
        by_tensor.step()
        by_value.step()
    assert np.allclose(t.data, expected, rtol=1e-13, atol=1e-15)
    assert np.allclose([v.data for v in values], expected, rtol=1e-13, atol=1e-15)


def test_adamw_decay_is_decoupled_unlike_adams_l2() -> None:
    w_adam, w_adamw = Value(2.0), Value(2.0)
    adam, adamw = (
        Adam([w_adam], lr=0.1, weight_decay=0.5),
        AdamW([w_adamw], lr=0.1, weight_decay=0.5),
    )
    for opt, w in ((adam, w_adam), (adamw, w_adamw)):
        w.grad = 0.0
        opt.step()
    assert w_adamw.data == pytest.approx(2.0 - 0.1 * 0.5 * 2.0)  # decay only: 1.9
    assert w_adam.data == pytest.approx(2.0 - 0.1)  # L2 went through Adam's normalisation: −lr


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: Tensor([1.0, 2.0]) < Tensor([1.0, 2.0, 3.0]), ValueError, r"<: operands of shapes \(2,\) and \(3,\) do not broadcast"),
        (lambda: Tensor([1.0]).lt("a"), TypeError, "lt: other must be a Tensor or numbers"),
        (lambda: Value(1.0).lt("a"), TypeError, "lt: other takes a real number"),
        (lambda: Value(1.0).maximum("a"), TypeError, "maximum: other must be a Value or a number, got str"),
        (lambda: Tensor([1.0]).minimum("a"), TypeError, "minimum: other must be a Tensor or numbers, got str"),
        (lambda: Tensor([1.0]).clip(), ValueError, "clip: give lo, hi or both"),
        (lambda: Value(1.0).clip(2.0, 1.0), ValueError, r"clip: lo \(2.0\) must not exceed hi \(1.0\)"),
        (lambda: Tensor([1.0]).clip("a", 1.0), TypeError, "clip: lo takes a real number"),
        (lambda: Value(1.0).leaky_relu("a"), TypeError, "leaky_relu: negative_slope takes a real number"),
        (lambda: Tensor([1.0]).gelu("fast"), ValueError, "gelu: approximate must be 'none' or 'tanh', got 'fast'"),
        (lambda: Value(1.0).gelu("fast"), ValueError, "gelu: approximate"),
        (lambda: where(Tensor([1.0, 0.0]), Tensor([1.0, 2.0, 3.0]), 0.0), ValueError, r"where: mask of shape \(2,\), a of shape \(3,\)"),
        (lambda: where(["x"], 1.0, 0.0), TypeError, "where: mask must be booleans or numbers"),
        (lambda: where([1.0], "a", 0.0), TypeError, "where: a must be a Tensor or numbers, got str"),
        (lambda: Tensor([1.0]).var(), ValueError, r"var: 1 entries per result .* correction=1; need n > correction"),
        (lambda: Tensor([1.0, 2.0]).var(correction=-1), ValueError, "var: correction: must be a finite number >= 0"),
        (lambda: Tensor([1.0, 2.0]).std(axis=2), ValueError, "var: axis 2 is out of range"),
        (lambda: Tensor([1.0, 1.0], requires_grad=True).std().backward(), ArithmeticError, "sqrt: the gradient is not finite"),
        (lambda: Tensor(np.zeros((0,))).logsumexp(), ValueError, r"logsumexp: the tensor of shape \(0,\) is empty"),
        (lambda: Tensor([1.0]).argmax(axis=(0,)), TypeError, "argmax: axis must be an int or None"),
        (lambda: Tensor([1.0]).argmin(axis=1), ValueError, "argmin: axis 1 is out of range"),
        (lambda: Tensor([1.0]).unsqueeze(2), ValueError, "unsqueeze: axis 2 is out of range for a tensor of 2 dims"),
        (lambda: Tensor([1.0]).unsqueeze(0.5), TypeError, "unsqueeze: axis must be an int"),
        (lambda: Tensor(np.zeros((2, 3))).flatten(1, 0), ValueError, "flatten: start_axis 1 comes after end_axis 0"),
        (lambda: Tensor([1.0, 2.0]).expand(3), ValueError, r"expand: cannot expand shape \(2,\) to \(3,\)"),
        (lambda: Tensor([[1.0]]).expand(3), ValueError, r"expand: shape \(3,\) has fewer axes"),
        (lambda: Tensor([1.0]).expand(2.0), TypeError, "expand: sizes must be ints"),
        (lambda: one_hot([0, 3], 3), ValueError, r"one_hot: index 3 is outside \[0, 3\)"),
        (lambda: one_hot([-1], 3), ValueError, r"one_hot: index -1 is outside"),
        (lambda: one_hot([0.5], 3), TypeError, "one_hot: indices must be whole numbers"),
        (lambda: one_hot([], -1), ValueError, "one_hot: no indices to infer num_classes"),
        (lambda: one_hot([0], 0), ValueError, "one_hot: num_classes: must be a whole number >= 1"),
        (lambda: nll_loss(Tensor(np.zeros((2, 3))), [0, 3]), ValueError, r"nll_loss: class index 3 is outside \[0, 3\)"),
        (lambda: nll_loss(Tensor(np.zeros((2, 3))), [0]), ValueError, r"nll_loss: expected 2 class indices"),
        (lambda: nll_loss(Tensor(np.zeros((2, 3, 4))), [0, 1]), ValueError, r"nll_loss: log_probs must have shape \(N, C\) or \(C,\)"),
        (lambda: nll_loss("abc", [0]), TypeError, "nll_loss: log_probs must be a Tensor"),
        (lambda: nll_loss(Tensor([0.0]), [0], reduction="avg"), ValueError, "nll_loss: reduction must be one of"),
        (lambda: AdamW([Value(1.0)], lr=-1.0), ValueError, "AdamW: invalid learning rate -1.0"),
        (lambda: AdamW([Value(1.0)], weight_decay=-0.1), ValueError, "AdamW: invalid weight_decay -0.1"),
        (lambda: AdamW([Value(1.0)], betas=(0.9, 1.0)), ValueError, "AdamW: invalid beta 1.0"),
    ],
)  # fmt: skip
def test_bad_input_names_the_op_and_the_operand(
    build: Callable[[], Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        build()


def test_sgd_still_takes_tensors_compared_by_identity() -> None:
    # Optimisers hold their parameters in lists; == returning a mask must not confuse them.
    a, b = Tensor([1.0], requires_grad=True), Tensor([1.0], requires_grad=True)
    opt = SGD([a, b], lr=0.5)
    (a * 2 + b).sum().backward()
    opt.step()
    assert (a.data.tolist(), b.data.tolist()) == ([0.0], [0.5])
