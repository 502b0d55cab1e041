"""One catalogue of ops for the property tests: how to apply each, an independent reference
function on plain floats, and the primitive it exercises. The domain each input is drawn from
is the primitive's own (`Primitive.domain.sample` in tinygrad_edu.primitives): where it is
defined and differentiable and finite differences are accurate (see the tolerances in
tinygrad_edu.testing).

The `apply` functions use only operator syntax and method names, so the same catalogue drives
the tests of Value and of Tensor.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath
from hypothesis import strategies as st

from tinygrad_edu import primitives as prim
from tinygrad_edu.primitives import Primitive, Sample


def reals(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Floats in [lo, hi], no nan or inf."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(limit: float, gap: float) -> st.SearchStrategy[float]:
    """Floats with gap <= |x| <= limit (divisors, relu away from its kink)."""
    return reals(gap, limit) | reals(-limit, -gap)


def drawn_from(sample: Sample) -> st.SearchStrategy[float]:
    """Floats in [low, high] that keep `gap` away from each point of `avoid`."""
    strategy = reals(sample.low, sample.high)
    if sample.avoid:
        strategy = strategy.filter(lambda x: all(abs(x - p) >= sample.gap for p in sample.avoid))
    return strategy


@dataclass(frozen=True)
class OpCase:
    """An op under test: `apply` on engine objects, `reference` on floats, the primitive it
    exercises, and which of the primitive's operands each input is (the domain comes from it)."""

    name: str
    apply: Callable[..., Any]
    reference: Callable[..., float]
    primitive: Primitive
    operands: tuple[int, ...] = (0,)
    # Some inputs are plain numbers in the expression (constants, like the 2 in x ** 2): their
    # positions, so that no gradient is asked of them.
    constants: tuple[int, ...] = ()
    # Where the primitive's sample box is too wide for this use (integer exponents of a
    # negative base), the inputs' own strategies.
    custom: tuple[st.SearchStrategy[float], ...] | None = None

    @property
    def domain(self) -> tuple[st.SearchStrategy[float], ...]:
        """One strategy per input, from the primitive's sample box."""
        if self.custom is not None:
            return self.custom
        return tuple(drawn_from(self.primitive.domain.sample[k]) for k in self.operands)


# High-precision references, independent of the engine's formulas and of libm (mpmath comes
# with sympy, the test oracle). 50 digits make them exact to the last bit of float64.
mpmath.mp.dps = 50


def reference_sigmoid(x: float) -> float:
    """σ(x) = 1 / (1 + e^−x) in 50-digit arithmetic."""
    return float(1 / (1 + mpmath.exp(-mpmath.mpf(x))))


def reference_tanh(x: float) -> float:
    """tanh(x) in 50-digit arithmetic."""
    return float(mpmath.tanh(mpmath.mpf(x)))


def reference_softplus(x: float) -> float:
    """log(1 + e^x) in 50-digit arithmetic."""
    return float(mpmath.log1p(mpmath.exp(mpmath.mpf(x))))  # log1p: 1 + 1e-40 keeps its digits


def reference_d_sigmoid(x: float) -> float:
    """σ'(x) = σ(x)·(1 − σ(x)) in 50-digit arithmetic (no cancellation at that precision)."""
    s = 1 / (1 + mpmath.exp(-mpmath.mpf(x)))
    return float(s * (1 - s))


def reference_d_tanh(x: float) -> float:
    """tanh'(x) = 1 / cosh²(x) in 50-digit arithmetic."""
    return float(1 / mpmath.cosh(mpmath.mpf(x)) ** 2)


def reference_erf(x: float) -> float:
    """erf(x) in 50-digit arithmetic."""
    return float(mpmath.erf(mpmath.mpf(x)))


def reference_gelu(x: float) -> float:
    """x·Φ(x), Φ the standard normal CDF, in 50-digit arithmetic."""
    return float(mpmath.mpf(x) * mpmath.ncdf(mpmath.mpf(x)))


def reference_gelu_tanh(x: float) -> float:
    """½x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), PyTorch's approximation, in 50 digits."""
    v = mpmath.mpf(x)
    return float(v / 2 * (1 + mpmath.tanh(mpmath.sqrt(2 / mpmath.pi) * (v + 0.044715 * v**3))))


def reference_silu(x: float) -> float:
    """x / (1 + e^−x) in 50-digit arithmetic."""
    v = mpmath.mpf(x)
    return float(v / (1 + mpmath.exp(-v)))


def quarters(limit: int) -> st.SearchStrategy[float]:
    """Multiples of 0.25 in [−limit/4, limit/4]: two draws are equal (a tie) or 0.25 apart, so
    no finite-difference step (~1e-5) crosses a tie, and ties themselves are tested. Quarters
    are exact in binary, so a tie stays a tie when a constant is printed as a fraction."""
    return st.integers(-limit, limit).map(lambda k: k / 4)


def reference_clip(x: float) -> float:
    """x limited to [−1, 1.5]."""
    return min(max(x, -1.0), 1.5)


BOTH = (0, 1)

CASES = [
    OpCase("add", lambda x, y: x + y, lambda x, y: x + y, prim.ADD, BOTH),
    OpCase("sub", lambda x, y: x - y, lambda x, y: x - y, prim.SUB, BOTH),
    OpCase("mul", lambda x, y: x * y, lambda x, y: x * y, prim.MUL, BOTH),
    OpCase("div", lambda x, y: x / y, lambda x, y: x / y, prim.DIV, BOTH),
    OpCase("neg", lambda x: -x, lambda x: -x, prim.NEG),
    # Number on the left: the reflected operators; the input is the primitive's right operand.
    OpCase("radd", lambda x: 2.5 + x, lambda x: 2.5 + x, prim.ADD, (1,)),
    OpCase("rsub", lambda x: 2.5 - x, lambda x: 2.5 - x, prim.SUB, (1,)),
    OpCase("rmul", lambda x: 2.5 * x, lambda x: 2.5 * x, prim.MUL, (1,)),
    OpCase("rdiv", lambda x: 2.5 / x, lambda x: 2.5 / x, prim.DIV, (1,)),
    # x ** c with a number exponent: any real c for a positive base ...
    OpCase("pow_const", lambda x, c: x**c, lambda x, c: x**c, prim.POW_CONST, BOTH, (1,)),
    # ... and integer c for any base.
    OpCase(
        "pow_int",
        lambda x, c: x**c,
        lambda x, c: x**c,
        prim.POW_CONST,
        BOTH,
        constants=(1,),
        custom=(away_from_zero(10, 0.1), st.integers(-3, 4).map(float)),
    ),
    OpCase("pow_value", lambda x, y: x**y, lambda x, y: x**y, prim.POW, BOTH),
    OpCase("rpow", lambda x: 2.0**x, lambda x: 2.0**x, prim.POW_CONST_BASE, (1,)),
    OpCase("exp", lambda x: x.exp(), math.exp, prim.EXP),
    OpCase("log", lambda x: x.log(), math.log, prim.LOG),
    OpCase("sqrt", lambda x: x.sqrt(), math.sqrt, prim.SQRT),
    OpCase("tanh", lambda x: x.tanh(), reference_tanh, prim.TANH),
    OpCase("sigmoid", lambda x: x.sigmoid(), reference_sigmoid, prim.SIGMOID),
    OpCase("relu", lambda x: x.relu(), lambda x: max(x, 0.0), prim.RELU),
    OpCase("abs", lambda x: x.abs(), abs, prim.ABS),
    OpCase("softplus", lambda x: x.softplus(), reference_softplus, prim.SOFTPLUS),
    # Ties (x = y) are drawn on purpose: the gradient is split ½ each, and so is the central
    # difference there.
    OpCase(
        "maximum",
        lambda x, y: x.maximum(y),
        max,
        prim.MAXIMUM,
        BOTH,
        custom=(quarters(12), quarters(12)),
    ),
    OpCase(
        "minimum",
        lambda x, y: x.minimum(y),
        min,
        prim.MINIMUM,
        BOTH,
        custom=(quarters(12), quarters(12)),
    ),
    OpCase(
        "maximum_const",
        lambda x, c: x.maximum(c),
        max,
        prim.MAXIMUM,
        BOTH,
        (1,),
        custom=(quarters(12), quarters(12)),
    ),
    OpCase("erf", lambda x: x.erf(), reference_erf, prim.ERF),
    OpCase(
        "leaky_relu",
        lambda x, c: x.leaky_relu(c),
        lambda x, c: x if x > 0 else c * x,
        prim.LEAKY_RELU,
        BOTH,
        (1,),
    ),
    OpCase(
        "leaky_relu_default",
        lambda x: x.leaky_relu(),
        lambda x: x if x > 0 else 0.01 * x,
        prim.LEAKY_RELU,
    ),
]

# Compositions of primitives (each names the primitive it mainly exercises): the same property
# tests run on them, from test_new_ops.py. They are kept apart from CASES, whose entries apply
# one primitive to the inputs, so that a test of one primitive's formula (test_explain) meets
# no intermediate node.
COMPOSITES = [
    OpCase(
        "square", lambda x: x.square(), lambda x: x * x, prim.POW_CONST, custom=(reals(-100, 100),)
    ),
    OpCase("silu", lambda x: x.silu(), reference_silu, prim.SIGMOID, custom=(reals(-50, 50),)),
    # Below −3, 1 + erf(x/√2) cancels (as in PyTorch): accurate absolutely, not relatively.
    OpCase("gelu", lambda x: x.gelu(), reference_gelu, prim.ERF, custom=(reals(-3, 10),)),
    OpCase(
        "gelu_tanh",
        lambda x: x.gelu(approximate="tanh"),
        reference_gelu_tanh,
        prim.TANH,
        custom=(reals(-3, 10),),
    ),
    OpCase(
        "clip",
        lambda x: x.clip(-1.0, 1.5),
        reference_clip,
        prim.MUL,
        custom=(reals(-5, 5).filter(lambda x: min(abs(x + 1.0), abs(x - 1.5)) > 1e-3),),
    ),
]

BY_NAME = {case.name: case for case in [*CASES, *COMPOSITES]}
