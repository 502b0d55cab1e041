"""Every Value op: forward against a reference formula, gradient against finite differences."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.catalogue import (
    CASES,
    OpCase,
    reference_d_sigmoid,
    reference_d_tanh,
    reference_sigmoid,
    reference_tanh,
)
from tinygrad_edu import Value
from tinygrad_edu.testing import FORWARD_ATOL, FORWARD_RTOL, check_grads, close


def _split(case: OpCase, xs: list[float]) -> tuple[list[int], object]:
    """The positions of the differentiable inputs, and f(*Values) with constants filled in."""
    variables = [k for k in range(len(xs)) if k not in case.constants]

    def f(*values: Value) -> Value:
        args: list[object] = list(xs)
        for k, v in zip(variables, values):
            args[k] = v
        return case.apply(*args)

    return variables, f


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@given(data=st.data())
def test_forward_matches_reference(case: OpCase, data: st.DataObject) -> None:
    xs = [data.draw(domain, label=f"x{k + 1}") for k, domain in enumerate(case.domain)]
    variables, f = _split(case, xs)
    out = f(*(Value(xs[k]) for k in variables))
    expected = case.reference(*xs)
    assert close(out.data, expected, FORWARD_RTOL, FORWARD_ATOL), (out.data, expected)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@given(data=st.data())
def test_gradient_matches_finite_difference(case: OpCase, data: st.DataObject) -> None:
    xs = [data.draw(domain, label=f"x{k + 1}") for k, domain in enumerate(case.domain)]
    variables, f = _split(case, xs)
    grads = check_grads(f, *(xs[k] for k in variables))
    assert len(grads) == len(variables)


@pytest.mark.parametrize("x", [-1000.0, -710.0, -40.0, -1e-300, 0.0, 40.0, 710.0, 1000.0])
@pytest.mark.parametrize("op", ["sigmoid", "tanh"])
def test_squashing_functions_are_finite_at_the_edges(op: str, x: float) -> None:
    v = Value(x)
    out = getattr(v, op)()
    out.backward()
    assert math.isfinite(out.data) and math.isfinite(v.grad)
    lo = 0.0 if op == "sigmoid" else -1.0
    assert lo <= out.data <= 1.0
    assert 0.0 <= v.grad <= (0.25 if op == "sigmoid" else 1.0)


def test_sigmoid_saturates_exactly() -> None:
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(0.0).sigmoid().data == 0.5


@pytest.mark.parametrize(
    "x", [-745.0, -700.0, -40.0, -30.0, -15.0, -5.0, 0.0, 5.0, 15.0, 30.0, 40.0, 700.0, 745.0]
)
def test_sigmoid_and_tanh_are_exact_in_the_tails(x: float) -> None:
    # Finite differences cannot see a gradient of 1e-18; a 50-digit reference can. Judged
    # relatively: a derivative that cancels to 0.0 where the truth is 4e-18 fails.
    for method, value, derivative in [
        ("sigmoid", reference_sigmoid, reference_d_sigmoid),
        ("tanh", reference_tanh, reference_d_tanh),
    ]:
        v = Value(x if method == "sigmoid" else x / 2)
        out = getattr(v, method)()
        out.backward()
        assert close(out.data, value(v.data), FORWARD_RTOL, FORWARD_ATOL), (method, x)
        assert close(v.grad, derivative(v.data), FORWARD_RTOL, FORWARD_ATOL), (method, x, v.grad)


def test_relu_gradient_at_zero_is_zero_by_convention() -> None:
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0


def test_check_grads_catches_a_wrong_derivative(monkeypatch: pytest.MonkeyPatch) -> None:
    from tinygrad_edu import value

    # Break tanh's local derivative (forget the square): the checker must notice.
    monkeypatch.setattr(value.TANH, "local", lambda x, out: 1.0 - out)
    with pytest.raises(AssertionError, match=r"disagree(.|\n)*suspect: tanh"):
        check_grads(lambda v: v.tanh(), 0.7)
