"""Tensor: every op's gradient against finite differences over broadcasting shapes, float32,
agreement with Value, and clear errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.catalogue import CASES, OpCase, reals
from tinygrad_edu import Value, no_grad
from tinygrad_edu import primitives as prim
from tinygrad_edu.tensor import Tensor, concatenate, stack, unbroadcast
from tinygrad_edu.testing import (
    FLOAT32_ATOL,
    FLOAT32_RTOL,
    FORWARD_ATOL,
    FORWARD_RTOL,
    close,
    gradcheck,
)
from tinygrad_edu.testing.strategies import TensorExpression, tensor_expressions, tensors


def check_tensor_grads(f: Callable[..., Tensor], *arrays: np.ndarray, seed: int = 0) -> None:
    """`gradcheck` of E = Σ f(x) · G, G fixed and random in [0.5, 1.5] (so that no two output
    entries weigh the same and a gradient sent to the wrong entry shows), for every entry of
    every input array."""
    with no_grad():
        shape = f(*(Tensor(a) for a in arrays)).shape
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, shape)
    grads = gradcheck(lambda *xs: (f(*xs) * weights).sum(), *arrays)
    assert [g.shape for g in grads] == [a.shape for a in arrays]


def arrays_in(domain: st.SearchStrategy[float], shape: tuple[int, ...]) -> Any:
    """Arrays of `shape` with entries from `domain` (the kit's `tensors`, as plain arrays)."""
    return tensors(shape, elements=domain).map(lambda t: t.data)


# --- the shared catalogue, element by element with broadcasting -----------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@settings(max_examples=40)
@given(data=st.data())
def test_catalogue_op_gradients_with_broadcasting(case: OpCase, data: st.DataObject) -> None:
    variables = [k for k in range(len(case.domain)) if k not in case.constants]
    shapes = data.draw(
        hnp.mutually_broadcastable_shapes(num_shapes=len(variables), max_dims=3, max_side=3),
        label="shapes",
    ).input_shapes
    arrays = [
        data.draw(arrays_in(case.domain[k], s), label=f"x{k}") for k, s in zip(variables, shapes)
    ]
    constants = {k: data.draw(case.domain[k], label=f"c{k}") for k in case.constants}

    def f(*tensors: Tensor) -> Tensor:
        args: list[Any] = [None] * len(case.domain)
        for k, t in zip(variables, tensors):
            args[k] = t
        for k, c in constants.items():
            args[k] = c
        return case.apply(*args)

    # Forward, element by element against the reference formula.
    out = f(*(Tensor(a) for a in arrays))
    broadcast = np.broadcast_arrays(*arrays)
    for index in np.ndindex(out.shape):
        args = [None] * len(case.domain)
        for k, b in zip(variables, broadcast):
            args[k] = float(b[index])
        for k, c in constants.items():
            args[k] = c
        assert close(float(out.data[index]), case.reference(*args), FORWARD_RTOL, FORWARD_ATOL)
    check_tensor_grads(f, *arrays)


# --- tensor-only ops ----------------------------------------------------------------------------

small = reals(-3, 3)


@given(data=st.data())
def test_matmul_gradients(data: st.DataObject) -> None:
    n, k, m = (data.draw(st.integers(1, 3)) for _ in range(3))
    batch = data.draw(st.sampled_from([(), (2,), (1,)]))
    kind = data.draw(st.sampled_from(["mm", "vec-mat", "mat-vec", "vec-vec", "batched"]))
    shape_a = {"mm": (n, k), "vec-mat": (k,), "mat-vec": (n, k), "vec-vec": (k,),
               "batched": (*batch, n, k)}[kind]  # fmt: skip
    shape_b = {"mm": (k, m), "vec-mat": (k, m), "mat-vec": (k,), "vec-vec": (k,),
               "batched": (2, k, m)}[kind]  # fmt: skip
    a = data.draw(arrays_in(small, shape_a))
    b = data.draw(arrays_in(small, shape_b))
    assert np.allclose((Tensor(a) @ Tensor(b)).data, a @ b)
    check_tensor_grads(lambda x, y: x @ y, a, b)


@given(
    data=st.data(),
    op=st.sampled_from(["sum", "mean", "max"]),
    keepdims=st.booleans(),
)
def test_reduction_gradients(data: st.DataObject, op: str, keepdims: bool) -> None:
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
    # Entries on a 0.1 grid and distinct: max has a unique argmax, and no finite-difference
    # step (~1e-5) can cross a tie.
    grid = st.integers(-30, 30).map(lambda k: k / 10)
    a = data.draw(hnp.arrays(np.float64, shape, elements=grid, unique=True))
    axis = data.draw(
        st.none() | st.integers(-len(shape), len(shape) - 1)
        | st.sets(st.integers(0, len(shape) - 1), min_size=1).map(tuple)
    )  # fmt: skip
    out = getattr(Tensor(a), op)(axis=axis, keepdims=keepdims)
    expected = getattr(np, {"sum": "sum", "mean": "mean", "max": "max"}[op])(
        a, axis=axis, keepdims=keepdims
    )
    assert out.shape == np.shape(expected)
    assert np.allclose(out.data, expected)
    check_tensor_grads(lambda x: getattr(x, op)(axis=axis, keepdims=keepdims), a)


def test_max_splits_the_gradient_between_ties() -> None:
    x = Tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    assert x.grad is not None
    assert x.grad.tolist() == [0.0, 0.5, 0.5]


@given(data=st.data())
def test_shape_op_gradients(data: st.DataObject) -> None:
    a = data.draw(arrays_in(small, (2, 3, 2)))
    check_tensor_grads(lambda x: x.reshape(3, 4) * x.reshape(3, 4), a)
    check_tensor_grads(lambda x: x.transpose(2, 0, 1).sigmoid(), a)
    check_tensor_grads(lambda x: x.T.tanh(), a)
    check_tensor_grads(lambda x: x[1, :, 0] * 2.0, a)
    check_tensor_grads(lambda x: x[np.array([0, 1, 0])] ** 2, a)  # repeated index: add.at
    check_tensor_grads(lambda x: x[:, np.array([2, 0]), 1:], a)
    b = data.draw(arrays_in(small, (2, 1, 2)))
    check_tensor_grads(lambda x, y: concatenate([x, y, x], axis=1), a, b)
    check_tensor_grads(lambda x, y: stack([x[:, 0], y[:, 0]], axis=-1), a, b)


@given(data=st.data(), axis=st.sampled_from([0, 1, -1]))
def test_softmax_and_log_softmax(data: st.DataObject, axis: int) -> None:
    a = data.draw(arrays_in(reals(-30, 30), (3, 4)))
    s = Tensor(a).softmax(axis).data
    assert np.allclose(s.sum(axis=axis), 1.0)
    reference = np.exp(a - a.max(axis=axis, keepdims=True))
    assert np.allclose(s, reference / reference.sum(axis=axis, keepdims=True))
    check_tensor_grads(lambda x: x.log_softmax(axis), a)
    check_tensor_grads(lambda x: x.softmax(axis), a)


@given(data=st.data())
def test_sqrt_and_abs(data: st.DataObject) -> None:
    check_tensor_grads(lambda x: x.sqrt(), data.draw(arrays_in(reals(0.05, 100), (3,))))
    a = data.draw(arrays_in(reals(-5, 5).filter(lambda v: abs(v) > 1e-3), (3,)))
    check_tensor_grads(lambda x: x.abs(), a)


def test_softmax_is_stable_at_extreme_logits() -> None:
    z = Tensor([[1000.0, -1000.0, 0.0]], requires_grad=True)
    out = z.log_softmax(1)
    out[0, 1].backward()
    assert np.isfinite(out.data).all()
    assert z.grad is not None
    assert np.isfinite(z.grad).all()
    assert out.data[0, 0] == 0.0


# --- float32 ------------------------------------------------------------------------------------


@given(data=st.data())
def test_float32_gradients_match_float64(data: st.DataObject) -> None:
    a = data.draw(arrays_in(small, (4, 3)))
    w = data.draw(arrays_in(small, (3, 2)))

    def grads(dtype: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x = Tensor(a, requires_grad=True, dtype=dtype)
        y = Tensor(w, requires_grad=True, dtype=dtype)
        out = ((x @ y).tanh() * 2.0 - x.sum(1, keepdims=True).sigmoid()).log_softmax(1).mean()
        out.backward()
        assert out.dtype == dtype
        assert x.grad is not None and y.grad is not None
        assert x.grad.dtype == dtype
        return out.data, x.grad, y.grad

    for low, high in zip(grads(np.float32), grads(np.float64)):
        assert np.allclose(low, high, rtol=FLOAT32_RTOL, atol=FLOAT32_ATOL)


# --- Value and Tensor agree ---------------------------------------------------------------------

AGREEMENT_OPS = [prim.TANH, prim.SIGMOID, prim.NEG, prim.ADD, prim.SUB, prim.MUL]


@given(e=tensor_expressions(max_nodes=12, ops=AGREEMENT_OPS, n_inputs=3, bound=3.0))
def test_value_and_tensor_agree(e: TensorExpression) -> None:
    tensors_ = [Tensor(x, requires_grad=True) for x in e.inputs]
    e.f(*tensors_).backward()
    out = e.apply(*tensors_)
    columns = np.broadcast_arrays(*e.inputs)
    for index in np.ndindex(columns[0].shape):
        leaves = [Value(float(c[index])) for c in columns]
        value = e.apply(*leaves)
        value.backward()
        # The same float64 operations, one element at a time: equal up to libm's last bits.
        assert close(value.data, float(np.broadcast_to(out.data, columns[0].shape)[index]),
                     FORWARD_RTOL, FORWARD_ATOL)  # fmt: skip
        for leaf, tensor, x in zip(leaves, tensors_, e.inputs):
            # A broadcast input's gradient sums over its copies: compare where it has one copy.
            if x.shape == columns[0].shape:
                grad = 0.0 if tensor.grad is None else float(tensor.grad[index])
                assert close(leaf.grad, grad, FORWARD_RTOL, FORWARD_ATOL)


# --- construction, shapes and errors ------------------------------------------------------------


def test_construction_and_attributes() -> None:
    t = Tensor([[1, 2], [3, 4]], label="W")
    assert t.dtype == np.float64
    assert (t.shape, t.ndim, t.label, t.op, t.parents, t.grad) == ((2, 2), 2, "W", "", (), None)
    assert Tensor([1.0], dtype=np.float32).dtype == np.float32
    assert Tensor(3.0).item() == 3.0
    assert np.array(t).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert t.numpy() is t.data
    source = np.array([1.0, 2.0])
    Tensor(source, requires_grad=True).data[0] = 9.0
    assert source[0] == 1.0  # the tensor holds a copy


def test_factories_are_reproducible() -> None:
    assert np.array_equal(Tensor.randn((2, 3), seed=1).data, Tensor.randn((2, 3), seed=1).data)
    rng = np.random.default_rng(5)
    u = Tensor.uniform((1000,), -2.0, 2.0, seed=rng)
    assert u.data.min() >= -2.0
    assert u.data.max() < 2.0
    assert Tensor.zeros(3).data.tolist() == [0.0] * 3
    assert Tensor.ones((2, 1), dtype=np.float32).dtype == np.float32


def test_numbers_and_arrays_on_either_side() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    for out, expected in [
        (2 + x, [3, 4]), (x - 1, [0, 1]), (1 - x, [0, -1]), (3 * x, [3, 6]), (x / 2, [0.5, 1]),
        (2 / x, [2, 1]), (x**2, [1, 4]), (2**x, [2, 4]), (np.array([1.0, 1.0]) * x, [1, 2]),
        (-x, [-1, -2]),
    ]:  # fmt: skip
        assert isinstance(out, Tensor)
        assert out.data.tolist() == expected


def test_unbroadcast() -> None:
    assert unbroadcast(np.ones((2, 3)), (2, 3)).shape == (2, 3)
    assert unbroadcast(np.ones((4, 2, 3)), (3,)).tolist() == [8.0, 8.0, 8.0]
    assert unbroadcast(np.ones((4, 2, 3)), (2, 1)).tolist() == [[12.0], [12.0]]
    assert unbroadcast(np.ones((2, 3)), ()).tolist() == 6.0


def test_shared_operand_gradients_are_not_aliased() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x + x  # both parents receive the same gradient array
    (y * y).sum().backward()
    assert x.grad is not None
    assert x.grad.tolist() == [8.0, 16.0]


LARGE = 5_000  # entries: zero_grad keeps gradient arrays from 4,096 on for reuse


def test_zero_grad_reuses_a_large_gradient_array_when_nobody_holds_it() -> None:
    w = Tensor(np.arange(LARGE, dtype=float), requires_grad=True)
    (w * w).sum().backward()
    buffer = id(w.grad)
    w.zero_grad()
    assert w.grad is None
    (w * 3).sum().backward()
    assert w.grad is not None
    assert id(w.grad) == buffer  # the same array, rewritten
    assert w.grad.tolist() == [3.0] * LARGE
    small = Tensor([1.0, 2.0], requires_grad=True)
    (small * small).sum().backward()
    small.zero_grad()
    assert small._spare is None  # a fresh array is cheaper than copying into the old one


def test_zero_grad_never_overwrites_a_gradient_the_user_kept() -> None:
    w = Tensor(np.arange(LARGE, dtype=float), requires_grad=True)
    (w * w).sum().backward()
    kept = w.grad
    assert kept is not None
    part = kept[1:2]  # a view holds the array too
    del kept
    w.zero_grad()
    (w * 3).sum().backward()
    assert part.tolist() == [2.0]
    assert w.grad is not None and w.grad.tolist() == [3.0] * LARGE


def test_reused_gradient_of_a_shared_operand_and_of_float32() -> None:
    x = Tensor(np.ones(LARGE), requires_grad=True, dtype=np.float32)
    for scale in (1.0, 2.0):
        x.zero_grad()
        (x * scale + x).sum().backward()  # two contributions: one reuses the array, one adds
        assert x.grad is not None and x.grad.dtype == np.float32
        assert x.grad.tolist() == [scale + 1.0] * LARGE


def test_inputs_without_requires_grad_get_no_gradient() -> None:
    x = Tensor([1.0, 2.0])
    w = Tensor([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward()
    assert x.grad is None
    assert w.grad is not None
    with pytest.raises(ValueError, match="does not depend on any tensor with requires_grad"):
        (x * 2).sum().backward()


def test_no_grad_builds_no_graph() -> None:
    w = Tensor([1.0], requires_grad=True)
    with no_grad():
        y = w * 2
    assert y.parents == ()
    assert not y.requires_grad


def test_backward_accumulates_in_leaves_and_takes_a_gradient() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    y = w * 3
    y.backward(np.array([1.0, 0.5]))
    y.backward(np.array([1.0, 0.5]))
    assert w.grad is not None
    assert w.grad.tolist() == [6.0, 3.0]


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: Tensor([1.0, 2.0]) + Tensor([1.0, 2.0, 3.0]), ValueError, r"\+: operands of shapes \(2,\) and \(3,\)"),
        (lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3))), ValueError, r"@: operands of shapes \(2, 3\) and \(2, 3\)"),
        (lambda: Tensor([1.0, 0.0]).log(), ValueError, r"log: every entry must be > 0; 1 entry breaks it, the first is 0.0 at index \(1,\)"),
        (lambda: Tensor([-1.0]).sqrt(), ValueError, "sqrt: every entry must be >= 0"),
        (lambda: Tensor([1.0]) / Tensor([0.0]), ZeroDivisionError, "/: no divisor may be 0"),
        (lambda: Tensor([0.0]) ** -1, ZeroDivisionError, r"\*\*: 0 to a negative power"),
        (lambda: Tensor([-8.0]) ** 0.5, ValueError, "negative base needs an integer exponent"),
        (lambda: Tensor([1000.0]).exp(), OverflowError, r"exp: the result overflows float64 .*709.78"),
        (lambda: Tensor([[1.0, 2.0]], requires_grad=True).sum(0).backward(), ValueError, r"shape \(2,\), not a single number"),
        (lambda: Tensor([1.0], requires_grad=True).backward(np.ones(2)), ValueError, r"gradient has shape \(2,\), the tensor has shape \(1,\)"),
        (lambda: Tensor([1.0, 2.0])[5], IndexError, r"\[\]: index 5 is out of bounds .*shape \(2,\)"),
        (lambda: Tensor([1.0, 2.0]).reshape(3), ValueError, r"reshape: operands of shapes \(2,\)"),
        (lambda: Tensor([1.0, 2.0]).sum(axis=1), ValueError, "sum: axis 1 is out of range"),
        (lambda: Tensor(np.ones((2, 2))).transpose(0, 0), ValueError, "not a permutation"),
        (lambda: Tensor(["a"]), TypeError, "needs real numbers"),
        (lambda: Tensor([True]), TypeError, "booleans"),
        (lambda: Tensor([1.0, np.nan]), ValueError, "finite"),
        (lambda: Tensor([1.0], dtype=np.int32), ValueError, "dtype must be float64 or float32"),
        (lambda: Tensor([1.0, 2.0]).item(), ValueError, r"item: needs a tensor with one element, got shape \(2,\)"),
        (lambda: Tensor([1.0]) + "a", TypeError, "unsupported operand"),
    ],
)  # fmt: skip
def test_errors_name_op_and_shapes(build: Callable[[], Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build()
