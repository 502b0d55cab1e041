"""Check gradients against numbers: the testing kit behind tinygrad_edu's own property tests.

Every tolerance the project uses is stated here, once, with the reason for its size.

>>> grads = check_grads(lambda x, y: (x * y).sigmoid() + x.log(), 0.5, -2.0)   # no error: agree
>>> [round(g, 6) for g in grads]           # [−2σ'(−1) + 1/0.5, 0.5σ'(−1)]
[1.606776, 0.098306]
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence

from tinygrad_edu.graph import no_grad
from tinygrad_edu.value import Value

__all__ = [
    "CLOSED_FORM_ATOL",
    "CLOSED_FORM_RTOL",
    "EPS",
    "FD_ATOL",
    "FD_RTOL",
    "FD_STEP",
    "FLOAT32_ATOL",
    "FLOAT32_RTOL",
    "FORWARD_ATOL",
    "FORWARD_RTOL",
    "ULP_RTOL",
    "check_grads",
    "close",
    "finite_difference",
    "richardson",
]

#: Machine epsilon of float64, the unit of every rounding error below.
EPS = sys.float_info.epsilon

# --- Finite differences ---------------------------------------------------------------------
# The central difference D(h) = (f(x + h) − f(x − h)) / 2h has two errors: truncation
# ≈ h²/6 · |f'''| and rounding ≈ EPS · |f| / h. Richardson extrapolation, (4·D(h/2) − D(h)) / 3,
# cancels the h² term, so truncation falls to O(h⁴) and stays negligible even where curvature
# is large compared with the step (exp at 400, where h²/6 alone would be 1e-6 relative). The
# step h = EPS^(1/3) · max(|x|, 1) ≈ 6e-6 · max(|x|, 1) keeps rounding near EPS^(2/3) ≈ 4e-11
# relative, and the comparison adds that rounding bound explicitly, so that a flat stretch of a
# big function (σ near 700, exp near 700) is judged fairly too.
#: Relative step of the central difference.
FD_STEP = EPS ** (1.0 / 3.0)
#: Relative tolerance: 1e-6 is ~25,000x the expected error, yet a wrong derivative (a lost
#: factor, a sign, an off-by-one exponent) is off by far more than one part in a million.
FD_RTOL = 1e-6
#: Absolute tolerance for gradients that are (almost) zero, e.g. σ'(±700) ≈ 1e-304.
FD_ATOL = 1e-9

# --- Forward values against an independent reference -----------------------------------------
# References are computed with mpmath at 50 digits where libm's own function would be the thing
# under test (σ, tanh), so they are exact to the last bit of float64. The engine's results may
# differ from them by a few roundings: 1e-12 relative. The absolute floor is near the smallest
# float, so that a tail value (σ(−40) ≈ 4e-18) is judged relatively too and a result flushed to
# 0.0 fails.
FORWARD_RTOL = 1e-12
FORWARD_ATOL = 1e-300

# --- Values published or computed elsewhere in float64 ------------------------------------------
# E_total = 0.24251985734837728 at the seeds' example, or one computation done two ways (scalar
# and vectorised): the same float64 operations, where only libm's last bit may differ. Four
# units in the last place.
ULP_RTOL = 4 * EPS

# --- float32 against float64 -----------------------------------------------------------------
# float32 carries 24 bits (EPS32 ≈ 1.2e-7). A gradient through a handful of ops accumulates a
# few dozen roundings, so it stays within ~1e-5 relative of the float64 result; sums over many
# entries (matmul, sum) add a factor ~√n. 1e-3 relative and 1e-4 absolute leave room for that
# while a wrong derivative is still off by far more.
FLOAT32_RTOL = 1e-3
FLOAT32_ATOL = 1e-4

# --- Autograd against the hand-derived closed form ------------------------------------------
# Both compute the same products in float64, in slightly different orders, so they agree to a
# few rounding errors of the largest term: 1e-9 relative is generous; 1e-12 absolute covers
# sums that cancel to nearly zero (∂E_total/∂a_h1 when its two paths cancel).
CLOSED_FORM_RTOL = 1e-9
CLOSED_FORM_ATOL = 1e-12


def close(actual: float, expected: float, rtol: float, atol: float) -> bool:
    """|actual − expected| <= atol + rtol · |expected|, the comparison every test uses."""
    return abs(actual - expected) <= atol + rtol * abs(expected)


def finite_difference(
    f: Callable[[Sequence[float]], float], xs: Sequence[float], k: int
) -> tuple[float, float]:
    """(∂f/∂x_k by central differences with Richardson extrapolation, a bound on its rounding).

    >>> slope, _ = finite_difference(lambda v: v[0] ** 3, [2.0], 0)   # d(x³)/dx = 3x² = 12
    >>> round(slope, 6)
    12.0
    """
    return richardson(lambda h: _central(f, xs, k, h), FD_STEP * max(abs(xs[k]), 1.0))


def richardson(central: Callable[[float], tuple[float, float]], h: float) -> tuple[float, float]:
    """(4·D(h/2) − D(h)) / 3 and its rounding bound, from central(h) = (D(h), rounding).

    D(h) = f' + c·h² + O(h⁴), so the combination cancels the h² term: f' + O(h⁴).
    """
    coarse, coarse_rounding = central(h)
    fine, fine_rounding = central(h / 2)
    return (4.0 * fine - coarse) / 3.0, (4.0 * fine_rounding + coarse_rounding) / 3.0


def _central(
    f: Callable[[Sequence[float]], float], xs: Sequence[float], k: int, h: float
) -> tuple[float, float]:
    """(f(x + h) − f(x − h)) / 2h in coordinate k, and a bound on its rounding error."""
    up, down = list(xs), list(xs)
    up[k] += h
    down[k] -= h
    # Divide by the step actually taken: x ± h is rounded, so h itself is not exact.
    step = up[k] - down[k]
    f_up, f_down = f(up), f(down)
    return (f_up - f_down) / step, 4.0 * EPS * max(abs(f_up), abs(f_down)) / step


def check_grads(
    f: Callable[..., Value],
    *xs: float,
    rtol: float = FD_RTOL,
    atol: float = FD_ATOL,
) -> list[float]:
    """Assert that autograd's ∂f/∂x_k equals a central finite difference, for every input x_k.

    `f` takes Values and returns a Value (e.g. ``lambda x, y: (x * y).tanh()``). Returns the
    autograd gradients; raises AssertionError with a table of every mismatch.
    """
    leaves = [Value(x, f"x{k + 1}") for k, x in enumerate(xs)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"check_grads: f must return a Value, got {type(out).__name__}")
    out.backward()

    def forward(values: Sequence[float]) -> float:
        with no_grad():
            return f(*(Value(v) for v in values)).data

    failures = []
    for k, leaf in enumerate(leaves):
        numeric, rounding = finite_difference(forward, xs, k)
        if not (math.isfinite(leaf.grad) and close(leaf.grad, numeric, rtol, atol + rounding)):
            failures.append(f"  ∂f/∂x{k + 1} at {xs}: autograd {leaf.grad!r}, numeric {numeric!r}")
    if failures:
        raise AssertionError("gradient check failed:\n" + "\n".join(failures))
    return [leaf.grad for leaf in leaves]
