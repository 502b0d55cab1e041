"""The primitive catalogue: every primitive has every part, and its parts agree with each other.

The references for the derivatives themselves are elsewhere (finite differences and mpmath in
test_ops.py and test_tensor.py); here the formula a learner reads, the scalar rule the Value
engine runs and the VJP the Tensor engine runs are checked against one another, so none of
them can drift from the others.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.catalogue import CASES, drawn_from
from tinygrad_edu import Tensor, Value
from tinygrad_edu.explain import SymbolicMath
from tinygrad_edu.primitives import CATALOGUE, Primitive
from tinygrad_edu.testing import CLOSED_FORM_ATOL, CLOSED_FORM_RTOL, close

ELEMENTWISE = [p for p in CATALOGUE if p.scalar is not None]


def _id(p: Primitive) -> str:
    return f"{p.name} ({p.symbol})"


@pytest.mark.parametrize("p", CATALOGUE, ids=_id)
def test_every_primitive_has_every_part(p: Primitive) -> None:
    assert p.symbol and p.name and p.shown
    assert p.array is not None, "every primitive runs on Tensors"
    operands = p.arity if p.arity is not None else 1
    assert len(p.domain.operands) == operands
    assert len(p.domain.sample) == operands
    assert len(p.vjp) == operands and all(p.vjp)
    for sample in p.domain.sample:
        assert sample.low < sample.high
        assert math.isfinite(sample.low) and math.isfinite(sample.high)
    if p.scalar is not None:  # acts entry by entry: a scalar rule and both formulas too
        assert p.derivative is not None and p.formula is not None
        assert p.arity in (1, 2)


def test_every_entry_by_entry_primitive_is_in_the_test_catalogue() -> None:
    tested = {id(case.primitive) for case in CASES}
    missing = [p.name for p in ELEMENTWISE if id(p) not in tested]
    assert not missing


def test_each_primitive_is_declared_once() -> None:
    assert len({id(p) for p in CATALOGUE}) == len(CATALOGUE)
    names = [(p.name, p.derivative is None) for p in CATALOGUE]
    # Three powers share a name: x ** y, x ** c and c ** y are told apart by their rules.
    assert len({p.name for p in CATALOGUE}) == len(CATALOGUE) - 2, names


def _exactly(expr: sympy.Expr, symbols: tuple[sympy.Symbol, ...], xs: tuple[float, ...]) -> float:
    """expr at the floats xs, in 1,200-digit arithmetic: enough that log(1 + e^−1000) and
    x − x keep every digit float64 can hold (sympy's evalf(subs=) loses both)."""
    function = sympy.lambdify(symbols, expr, "mpmath")
    with mpmath.workdps(1200):
        return float(function(*(mpmath.mpf(x) for x in xs)))


def _inputs(p: Primitive, data: st.DataObject) -> list[float]:
    xs = [data.draw(drawn_from(s), label=f"x{k + 1}") for k, s in enumerate(p.domain.sample)]
    if p.domain.where is not None:
        assert p.domain.where(*xs), "the sample box lies inside the domain"
    return xs


@pytest.mark.parametrize("p", ELEMENTWISE, ids=_id)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_formula_and_derivative_formula_agree_with_the_scalar_rule(
    p: Primitive, data: st.DataObject
) -> None:
    assert p.scalar is not None and p.formula is not None and p.derivative is not None
    xs = _inputs(p, data)
    out = p.scalar.forward(*xs)
    local = p.scalar.local(*xs, out)
    local = (local,) if len(xs) == 1 else local
    symbols = sympy.symbols(f"x1:{len(xs) + 1}")
    o = sympy.Symbol("o")
    formula = sympy.sympify(p.formula(SymbolicMath, *symbols))
    assert close(_exactly(formula, (*symbols, o), (*xs, out)), out, 1e-12, 1e-300)
    for d_formula, d_rule in zip(p.derivative(SymbolicMath, o, *symbols), local):
        expr = sympy.sympify(d_formula)
        value = _exactly(expr, (*symbols, o), (*xs, out))
        assert close(value, float(d_rule), CLOSED_FORM_RTOL, CLOSED_FORM_ATOL), (expr, d_rule)


@pytest.mark.parametrize("p", ELEMENTWISE, ids=_id)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_array_vjp_is_the_scalar_local_derivative_times_g(
    p: Primitive, data: st.DataObject
) -> None:
    assert p.scalar is not None and p.array is not None
    xs = _inputs(p, data)
    g = data.draw(st.floats(-2, 2, allow_nan=False), label="g")
    out = p.scalar.forward(*xs)
    local = p.scalar.local(*xs, out)
    local = (local,) if len(xs) == 1 else local
    arrays = [np.array([x]) for x in xs]
    node = Tensor(p.array.forward(*arrays))
    assert close(float(node.data[0]), out, 1e-12, 1e-300)
    grads = p.array.vjp(np.array([g]), node, (True,) * len(xs), *arrays)
    for k, (grad, d) in enumerate(zip(grads, local)):
        if grad is None:  # the rule takes no gradient for a constant operand
            assert d == 0.0, f"operand {k}"
            continue
        assert close(float(np.asarray(grad).ravel()[0]), g * d, CLOSED_FORM_RTOL, 1e-300)


def test_nodes_know_their_primitive() -> None:
    from tinygrad_edu import primitives as prim

    x = Value(0.5, "x")
    assert (x.sigmoid()).primitive is prim.SIGMOID
    assert (x**2).primitive is prim.POW_CONST
    assert (2**x).primitive is prim.POW_CONST_BASE
    assert (x**x).primitive is prim.POW
    assert x.primitive is None
    t = Tensor([1.0, 2.0], requires_grad=True)
    assert (t @ t).primitive is prim.MATMUL
    assert (t**2).primitive is prim.POW_CONST
