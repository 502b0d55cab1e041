"""One catalogue of ops for the property tests: how to apply each, an independent reference
function on plain floats, and a domain where it is differentiable and finite differences are
accurate (see the tolerances in tinygrad_edu.testing).

The `apply` functions use only operator syntax and method names, so the same catalogue can
drive tests of any engine whose objects support them (Value now, Tensor later).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath
from hypothesis import strategies as st


def reals(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Floats in [lo, hi], no nan or inf."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(limit: float, gap: float) -> st.SearchStrategy[float]:
    """Floats with gap <= |x| <= limit (divisors, relu away from its kink)."""
    return reals(gap, limit) | reals(-limit, -gap)


@dataclass(frozen=True)
class OpCase:
    """An op under test: `apply` on engine objects, `reference` on floats, a domain per input."""

    name: str
    apply: Callable[..., Any]
    reference: Callable[..., float]
    domain: tuple[st.SearchStrategy[float], ...]
    # Some inputs are plain numbers in the expression (constants, like the 2 in x ** 2): their
    # positions, so that no gradient is asked of them.
    constants: tuple[int, ...] = ()


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


CASES = [
    OpCase("add", lambda x, y: x + y, lambda x, y: x + y, (reals(-1e3, 1e3), reals(-1e3, 1e3))),
    OpCase("sub", lambda x, y: x - y, lambda x, y: x - y, (reals(-1e3, 1e3), reals(-1e3, 1e3))),
    OpCase("mul", lambda x, y: x * y, lambda x, y: x * y, (reals(-1e3, 1e3), reals(-1e3, 1e3))),
    OpCase(
        "div", lambda x, y: x / y, lambda x, y: x / y, (reals(-100, 100), away_from_zero(100, 0.1))
    ),
    OpCase("neg", lambda x: -x, lambda x: -x, (reals(-1e3, 1e3),)),
    # Number on the left: the reflected operators.
    OpCase("radd", lambda x: 2.5 + x, lambda x: 2.5 + x, (reals(-1e3, 1e3),)),
    OpCase("rsub", lambda x: 2.5 - x, lambda x: 2.5 - x, (reals(-1e3, 1e3),)),
    OpCase("rmul", lambda x: 2.5 * x, lambda x: 2.5 * x, (reals(-1e3, 1e3),)),
    OpCase("rdiv", lambda x: 2.5 / x, lambda x: 2.5 / x, (away_from_zero(100, 0.1),)),
    # x ** c with a number exponent: any real c for a positive base ...
    OpCase(
        "pow_const",
        lambda x, c: x**c,
        lambda x, c: x**c,
        (reals(0.1, 10), reals(-3, 3)),
        constants=(1,),
    ),
    # ... and integer c for any base.
    OpCase(
        "pow_int",
        lambda x, c: x**c,
        lambda x, c: x**c,
        (away_from_zero(10, 0.1), st.integers(-3, 4).map(float)),
        constants=(1,),
    ),
    OpCase("pow_value", lambda x, y: x**y, lambda x, y: x**y, (reals(0.1, 10), reals(-3, 3))),
    OpCase("rpow", lambda x: 2.0**x, lambda x: 2.0**x, (reals(-50, 50),)),
    OpCase("exp", lambda x: x.exp(), math.exp, (reals(-700, 700),)),
    OpCase("log", lambda x: x.log(), math.log, (reals(0.05, 1e6),)),
    OpCase("tanh", lambda x: x.tanh(), reference_tanh, (reals(-1000, 1000),)),
    OpCase("sigmoid", lambda x: x.sigmoid(), reference_sigmoid, (reals(-1000, 1000),)),
    OpCase("relu", lambda x: x.relu(), lambda x: max(x, 0.0), (away_from_zero(1e3, 1e-3),)),
    OpCase("abs", lambda x: x.abs(), abs, (away_from_zero(1e3, 1e-3),)),
    OpCase("softplus", lambda x: x.softplus(), reference_softplus, (reals(-1000, 1000),)),
]

BY_NAME = {case.name: case for case in CASES}
