"""The primitive catalogue: every operation the engines differentiate, each declared once.

A `Primitive` carries everything tinygrad_edu knows about one operation, side by side:

- ``symbol`` and ``name``: what the graph shows ("sigmoid", "*") and what errors say;
- ``scalar``: the forward on floats and the *local derivative* ∂out/∂operand — the `Value`
  engine runs these;
- ``array``: the forward on numpy arrays and the *vector-Jacobian product* (VJP): given
  ∂E/∂out, the gradient for each operand — the `Tensor` engine runs these;
- ``derivative`` and ``formula``: the same local derivative and forward written as formulas,
  with arithmetic and the functions of a namespace ``f`` (``f.exp``, ``f.log``, ``f.sigmoid``,
  …). Evaluated on sympy symbols they give explain's and derive's formulas and viz's edge
  labels; on spreadsheet cells (``sheet.SpreadsheetMath``) each primitive's spreadsheet
  formula; on Values (a later step) they would give gradients of gradients;
- ``vjp``: how the gradient flows, in words, for the catalogue's documentation and for
  Tensor edges, where one number per edge does not exist;
- ``domain``: where each operand may lie, and a box of safe inputs for property tests.

Read a line of the table at the bottom (``SIGMOID = Primitive(...)``) to see one primitive
whole; the numerically careful helpers it names are defined above the table.

>>> SIGMOID.scalar.local(0.0, 0.5)               # σ'(0) = σ(0)·(1 − σ(0))
0.25
>>> [p.name for p in CATALOGUE][:4]
['addition', 'subtraction', 'multiplication', 'division']
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from tinygrad_edu._checks import real

__all__ = [
    "ABS",
    "ADD",
    "CATALOGUE",
    "CONCATENATE",
    "DIV",
    "ERF",
    "EXP",
    "EXPAND",
    "FLOAT_ERRORS",
    "GETITEM",
    "LEAKY_RELU",
    "LOG",
    "LOG_SOFTMAX",
    "MATMUL",
    "MAX",
    "MAXIMUM",
    "MINIMUM",
    "MUL",
    "NEG",
    "POW",
    "POW_CONST",
    "POW_CONST_BASE",
    "RELU",
    "RESHAPE",
    "SIGMOID",
    "SOFTPLUS",
    "SQRT",
    "SUB",
    "SUM",
    "TANH",
    "TRANSPOSE",
    "WHERE",
    "ArrayRule",
    "Domain",
    "DomainError",
    "Interval",
    "Primitive",
    "Sample",
    "ScalarRule",
    "clip_bounds",
    "gelu",
    "sigmoid",
    "sigmoid_array",
    "unbroadcast",
]

Array = npt.NDArray[Any]


# --- what a primitive is --------------------------------------------------------------------


class ScalarRule(NamedTuple):
    """The Value engine's part: ``forward(x[, y])`` and ``local(x, [y,] out)`` = ∂out/∂operand.

    `local` receives the operands' data and the output's data, and returns one derivative per
    operand (a bare float for a unary primitive). Where the derivative is cheapest in terms of
    the output (exp, tanh, sigmoid, division), it reuses the output.
    """

    forward: Callable[..., float]
    local: Callable[..., Any]


class ArrayRule(NamedTuple):
    """The Tensor engine's part: ``forward(*arrays)`` and ``vjp(g, out, needs, *arrays)``.

    `vjp` gets g = ∂E/∂out, the output node (its ``data`` and ``_ctx``), `needs` (whether
    each operand wants a gradient at all, so work can be skipped) and the operands' data; it
    returns one gradient (or None) per operand, before unbroadcasting.
    """

    forward: Callable[..., Array]
    vjp: Callable[..., Any]


@dataclass(frozen=True)
class Interval:
    """The reals from `low` to `high`; an end that is open is excluded: (0, ∞) for log."""

    low: float = -math.inf
    high: float = math.inf
    low_open: bool = True
    high_open: bool = True

    def __contains__(self, x: float) -> bool:
        above = x > self.low if self.low_open else x >= self.low
        below = x < self.high if self.high_open else x <= self.high
        return above and below

    def __str__(self) -> str:
        def end(x: float) -> str:
            return "∞" if x == math.inf else "−∞" if x == -math.inf else f"{x:g}"

        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{left}{end(self.low)}, {end(self.high)}{right}"


REALS = Interval()


class Sample(NamedTuple):
    """Where property tests draw one operand: [low, high], keeping `gap` away from `avoid`
    (points where the derivative is infinite or a convention, such as 0 for 1/y or relu)."""

    low: float
    high: float
    avoid: tuple[float, ...] = ()
    gap: float = 0.0


@dataclass(frozen=True)
class Domain:
    """Where a primitive is defined and differentiable, operand by operand.

    - ``operands``: the interval each operand may lie in;
    - ``where``: a condition on all operands together, when intervals cannot say it (a
      negative base needs a whole exponent), in words in ``condition``;
    - ``kinks``: points where the derivative does not exist and the engine uses a convention
      (relu'(0) = 0); finite differences must keep away from them;
    - ``sample``: a box inside the domain where outputs stay finite and finite differences are
      accurate — what property tests draw from.
    """

    operands: tuple[Interval, ...]
    sample: tuple[Sample, ...]
    where: Callable[..., bool] | None = None
    condition: str = ""
    kinks: tuple[float, ...] = ()

    def __contains__(self, xs: tuple[float, ...]) -> bool:
        inside = all(x in interval for x, interval in zip(xs, self.operands))
        return inside and (self.where is None or bool(self.where(*xs)))


@dataclass(frozen=True, eq=False)
class Primitive:
    """One differentiable operation: everything the library knows about it (see the module)."""

    symbol: str
    name: str
    arity: int | None  # None: any number of operands (concatenate)
    domain: Domain
    vjp: tuple[str, ...]  # how the gradient flows to each operand, in words
    scalar: ScalarRule | None = None
    array: ArrayRule | None = None
    # Formulas in the namespace f: derivative(f, out, *operands) -> one ∂out/∂operand each,
    # formula(f, *operands) -> the output. Only for primitives that act entry by entry.
    derivative: Callable[..., tuple[Any, ...]] | None = None
    formula: Callable[..., Any] | None = None
    convention: str = field(default="")  # a choice made where the derivative does not exist
    glyph: str = ""  # how a picture of the graph writes it, when not as the symbol: × for *

    @property
    def shown(self) -> str:
        """The op as pictures show it: "×" for *, "σ" for sigmoid, else the symbol."""
        return self.glyph or self.symbol

    def __repr__(self) -> str:
        return f"<primitive {self.name} ({self.symbol})>"


# --- errors --------------------------------------------------------------------------------

# numpy's error state for array work (``np.errstate(**FLOAT_ERRORS)``): overflow, division by
# zero and invalid results raise FloatingPointError instead of giving inf or nan, so the
# engine can name the op or the parameter; underflow to 0 is harmless.
FLOAT_ERRORS: dict[str, Any] = {
    "over": "raise",
    "divide": "raise",
    "invalid": "raise",
    "under": "ignore",
}


class DomainError(Exception):
    """Carries the finished, user-facing error out of an array forward or VJP."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _first_bad(mask: Array, a: Array) -> str:
    """'N entries break it, the first is V at index I', for the error messages."""
    index = tuple(int(k) for k in np.argwhere(mask)[0])
    count = int(mask.sum())
    entries = "1 entry breaks it" if count == 1 else f"{count} entries break it"
    return f"{entries}, the first is {float(a[index])!r} at index {index}"


# --- broadcasting ----------------------------------------------------------------------------


def unbroadcast(grad: Array, shape: tuple[int, ...]) -> Array:
    """Sum `grad` over the axes that broadcasting added or stretched, so it has `shape`.

    >>> unbroadcast(np.ones((4, 2, 3)), (2, 1)).tolist()     # 4 and 3 were broadcast
    [[12.0], [12.0]]
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(k for k, n in enumerate(shape) if n == 1 and grad.shape[k] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


# --- scalar numerics ---------------------------------------------------------------------------


def _div(x: float, y: float) -> float:
    if y == 0.0:
        raise ZeroDivisionError(f"division: divisor is zero in {x!r} / {y!r}")
    return x / y


def _pow(x: float, y: float) -> float:
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError(f"power: 0.0 ** {y!r} is undefined (zero to a negative power)")
    if x < 0.0 and not y.is_integer():
        raise ValueError(
            f"power: {x!r} ** {y!r} has no real value (a negative base needs an integer exponent)"
        )
    try:
        result: float = x**y
    except OverflowError:
        raise OverflowError(f"power: {x!r} ** {y!r} overflows float64 (max ≈ 1.8e308)") from None
    return result


def _d_pow_dx(x: float, y: float) -> float:
    """∂(x**y)/∂x = y · x**(y − 1); infinite at x = 0 when y < 1, which we refuse to hide."""
    if y == 0.0:
        return 0.0  # x ** 0 = 1 is constant in x
    if x == 0.0 and y < 1.0:
        raise ValueError(f"power: the derivative of x ** {y!r} is infinite at x = 0.0")
    try:
        result: float = y * x ** (y - 1.0)
    except OverflowError:
        raise OverflowError(
            f"power: the derivative of x ** {y!r} at x = {x!r} overflows float64"
        ) from None
    return result


def _d_pow_dy(x: float, out: float) -> float:
    """∂(x**y)/∂y = x**y · log(x) for x > 0; its limit 0 at x = 0; undefined for x < 0."""
    if x > 0.0:
        return out * math.log(x)
    if x == 0.0:
        return 0.0
    raise ValueError(
        f"power: the derivative of {x!r} ** y with respect to the exponent y is undefined "
        "(a negative base is only real at integer exponents); give the exponent as a number"
    )


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(
            f"exp: exp({x!r}) overflows float64 (inputs above 709.78 do); scale the input down"
        ) from None


def _log(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log: operand must be > 0, got {x!r}")
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise ValueError(f"sqrt: operand must be >= 0, got {x!r}")
    return math.sqrt(x)


def _d_sqrt(x: float, out: float) -> float:
    """√x' = 1 / (2√x); infinite at 0, which we refuse to hide."""
    if out == 0.0:
        raise ValueError("sqrt: the derivative of √x is infinite at x = 0.0")
    return 0.5 / out


def sigmoid(x: float) -> float:
    """σ(x) = 1 / (1 + e^−x) for a float, never overflowing.

    Two algebraically equal forms, each used where its exp() cannot overflow:
    1 / (1 + e^−x) for x ≥ 0, and e^x / (1 + e^x) for x < 0.
    """
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _d_sigmoid(x: float, out: float) -> float:
    """σ'(x) = σ(x)·(1 − σ(x)) = σ(x)·σ(−x).

    For x ≥ 0, 1 − σ(x) loses its digits as σ(x) rounds to 1 (σ'(40) would come out 0.0, not
    4.2e-18), so there the mirror σ(−x) = e^−x / (1 + e^−x) supplies them exactly.
    """
    if x < 0.0:
        return out * (1.0 - out)
    e = math.exp(-x)
    return out * (e / (1.0 + e))


def _d_tanh(x: float, out: float) -> float:
    """tanh'(x) = 1 − tanh²(x) = 4e / (1 + e)² with e = e^−2|x|.

    1 − tanh² cancels to 0.0 once tanh rounds to ±1 (from |x| ≈ 19); the exponential form keeps
    every digit for all x, and never overflows.
    """
    e = math.exp(-2.0 * abs(x))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


def _softplus(x: float) -> float:
    """log(1 + e^x) as max(x, 0) + log(1 + e^−|x|), so that e^… <= 1 never overflows."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _d_maximum(x: float, y: float, out: float) -> tuple[float, float]:
    """(∂max/∂x, ∂max/∂y): the larger operand gets 1; a tie shares it, ½ each (see MAXIMUM)."""
    if x > y:
        return 1.0, 0.0
    if x < y:
        return 0.0, 1.0
    return 0.5, 0.5


def _d_minimum(x: float, y: float, out: float) -> tuple[float, float]:
    """(∂min/∂x, ∂min/∂y): the smaller operand gets 1; a tie shares it, ½ each."""
    if x < y:
        return 1.0, 0.0
    if x > y:
        return 0.0, 1.0
    return 0.5, 0.5


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _d_erf(x: float, out: float) -> float:
    """erf'(x) = 2/√π · e^−x² (x·x may reach inf; e^−inf is 0.0, the true limit)."""
    return _TWO_OVER_SQRT_PI * math.exp(-(x * x))


# --- array numerics (the same mathematics, entry by entry) -------------------------------------


def _log_array(a: Array) -> Array:
    if (bad := a <= 0).any():
        raise DomainError(ValueError(f"log: every entry must be > 0; {_first_bad(bad, a)}"))
    return np.log(a)


def _sqrt_array(a: Array) -> Array:
    if (bad := a < 0).any():
        raise DomainError(ValueError(f"sqrt: every entry must be >= 0; {_first_bad(bad, a)}"))
    return np.sqrt(a)


def _div_array(a: Array, b: Array) -> Array:
    if (bad := b == 0).any():
        raise DomainError(ZeroDivisionError(f"/: no divisor may be 0; {_first_bad(bad, b)}"))
    return np.divide(a, b)


def _pow_array(a: Array, b: Array) -> Array:
    if b.ndim == 0 and b >= 0 and float(b).is_integer():
        # x², x³, x⁰: a whole, non-negative constant exponent is defined for every base, and
        # skipping the checks' broadcast copies makes a squared error several times cheaper.
        return np.power(a, b)
    a_, b_ = np.broadcast_arrays(a, b)
    if (bad := (a_ == 0) & (b_ < 0)).any():
        raise DomainError(
            ZeroDivisionError(f"**: 0 to a negative power is undefined; {_first_bad(bad, b_)}")
        )
    if (bad := (a_ < 0) & (b_ != np.round(b_))).any():
        raise DomainError(
            ValueError(
                "**: a negative base needs an integer exponent to have a real value; "
                f"{_first_bad(bad, a_)}"
            )
        )
    return np.power(a, b)


def _d_pow_dx_array(a: Array, b: Array) -> Array:
    """∂(a**b)/∂a = b · a**(b − 1) entry by entry, 0 where b = 0 (a**0 = 1 is constant).

    Where a = 0 and 0 < b < 1 the derivative is infinite, and we say so (as the scalar rule).
    """
    if b.ndim == 0 and b >= 1:  # one exponent c ≥ 1: c·x^(c−1) is finite wherever x^c is
        fast: Array = b * np.power(a, b - 1)
        return fast
    a_, b_ = np.broadcast_arrays(a, b)
    if (bad := (a_ == 0) & (b_ != 0) & (b_ < 1)).any():
        raise DomainError(
            ValueError(f"**: the derivative of x ** y is infinite at x = 0; {_first_bad(bad, b_)}")
        )
    live = b_ != 0
    # a**(b − 1) only where b ≠ 0: at a = 0, b = 0 it would be 0**−1.
    powered = np.power(a_, b_ - 1, out=np.zeros(a_.shape, dtype=np.result_type(a_, b_)), where=live)
    result: Array = b_ * powered
    return result


def _d_pow_dy_array(a: Array, out: Array) -> Array:
    """∂(a**b)/∂b = a**b · log(a) for a > 0; its limit 0 at a = 0; undefined for a < 0."""
    a_, out_ = np.broadcast_arrays(a, out)
    if (bad := a_ < 0).any():
        raise DomainError(
            ValueError(
                "**: the derivative with respect to the exponent is undefined for a negative "
                f"base; {_first_bad(bad, a_)}"
            )
        )
    positive = a_ > 0
    logs = np.log(a_, out=np.zeros(a_.shape, dtype=a_.dtype), where=positive)
    result: Array = out_ * logs
    return result


def sigmoid_array(x: Array) -> Array:
    """σ entry by entry, with the two forms of `sigmoid`, each where its exp() cannot overflow."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


def _d_tanh_array(x: Array) -> Array:
    """tanh' = 4e / (1 + e)² with e = e^−2|x|, entry by entry (see `_d_tanh`). |x| is capped
    at 400 first: e^−800 is already 0 in float64, and −2|x| itself would overflow past 9e307."""
    e = np.exp(-2.0 * np.minimum(np.abs(x), 400.0))
    result: Array = 4.0 * e / ((1.0 + e) * (1.0 + e))
    return result


def _share(first: Array, second: Array) -> Array:
    """1 where `first` holds, ½ where `second` fails too (a tie), else 0: the first operand's
    share of the gradient of maximum (first = a > b, second = a >= b) or minimum."""
    result: Array = np.where(first, 1.0, np.where(second, 0.5, 0.0))
    return result


def _maximum_vjp(g: Array, out: Any, needs: Any, a: Array, b: Array) -> Any:
    share = _share(a > b, a >= b)  # the first operand's part: 1, ½ at a tie, 0
    return g * share, g * (1.0 - share)


def _minimum_vjp(g: Array, out: Any, needs: Any, a: Array, b: Array) -> Any:
    share = _share(a < b, a <= b)
    return g * share, g * (1.0 - share)


_erf_entries = np.vectorize(math.erf, otypes=[np.float64])


def _erf_array(a: Array) -> Array:
    """erf entry by entry: math.erf, vectorised (numpy has no erf; tiny nets need no more)."""
    result: Array = _erf_entries(a).astype(a.dtype, copy=False)
    return result


def _leaky_relu_array(a: Array, c: Array) -> Array:
    result: Array = np.where(a > 0, a, c * a)
    return result


def _where(a: Array, b: Array, mask: Array) -> Array:
    result: Array = np.where(mask, a, b)
    return result


def _where_vjp(g: Array, out: Any, needs: Any, a: Array, b: Array) -> Any:
    mask = out._ctx  # the condition, as booleans: g goes to a where it holds, to b elsewhere
    return (
        np.where(mask, g, 0.0) if needs[0] else None,
        np.where(mask, 0.0, g) if needs[1] else None,
    )


def _swap(a: Array) -> Array:
    """The matrix transpose of the last two axes."""
    return np.swapaxes(a, -1, -2)


def _matmul_vjp(g: Array, out: Any, needs: tuple[bool, bool], a: Array, b: Array) -> Any:
    # Treat vectors as matrices (a row on the left, a column on the right), as matmul does.
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = g
    if b.ndim == 1:  # out lost the column axis of b: put it back (last)
        g2 = g2[..., None]
    if a.ndim == 1:  # out lost the row axis of a: put it back (second to last)
        g2 = g2[..., None, :]
    from tinygrad_edu import _fast  # the performance seam (imports this module)

    ga = gb = None
    if needs[0]:  # ∂E/∂A = ∂E/∂C · Bᵀ, summed over the batch axes A was broadcast along
        ga = _fast.matmul_sum(g2, _swap(b2), a2).reshape(a.shape)
    if needs[1]:  # ∂E/∂B = Aᵀ · ∂E/∂C, likewise
        gb = _fast.matmul_sum(_swap(a2), g2, b2).reshape(b.shape)
    return ga, gb


def _sum_vjp(g: Array, out: Any, needs: Any, a: Array) -> Any:
    axis, keepdims = out._ctx
    if not keepdims and axis is not None:
        g = np.expand_dims(g, axis)
    # A fresh array, not a broadcast view: a leaf's .grad must be an ordinary writable array
    # (and np.full is the faster of the two for the small arrays of teaching nets).
    return (np.full(a.shape, g),)


def _max_vjp(g: Array, out: Any, needs: Any, a: Array) -> Any:
    axis, keepdims = out._ctx
    m = out.data if keepdims or axis is None else np.expand_dims(out.data, axis)
    if not keepdims and axis is not None:
        g = np.expand_dims(g, axis)
    mask = a == m
    return (mask * (g / mask.sum(axis=axis, keepdims=True)),)


def _getitem_vjp(g: Array, out: Any, needs: Any, a: Array) -> Any:
    grad = np.zeros(a.shape, dtype=g.dtype)
    # add.at, not assignment: an index array may pick the same entry twice.
    np.add.at(grad, out._ctx, g)
    return (grad,)


def _concatenate_vjp(g: Array, out: Any, needs: Any, *xs: Array) -> Any:
    axis = out._ctx
    bounds = np.cumsum([x.shape[axis] for x in xs])[:-1]
    return tuple(np.split(g, bounds, axis=axis))


def _log_softmax(z: Array, axis: int) -> Array:
    # log softmax(z) = z − m − log Σ exp(z − m) with m = max z: no exp() can overflow.
    shifted: Array = z - z.max(axis=axis, keepdims=True)
    result: Array = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return result


def _log_softmax_vjp(g: Array, out: Any, needs: Any, z: Array) -> Any:
    # ∂E/∂z = g − softmax(z) · Σ g  (the softmax is exp of the output)
    return (g - np.exp(out.data) * g.sum(axis=out._ctx, keepdims=True),)


# --- domains -----------------------------------------------------------------------------------


def _box(*samples: Sample) -> tuple[Sample, ...]:
    return samples


POSITIVE = Interval(0.0, math.inf, low_open=True)
NON_NEGATIVE = Interval(0.0, math.inf, low_open=False)
EVERYWHERE = Domain((REALS,), _box(Sample(-1e3, 1e3)))
EVERYWHERE_2 = Domain((REALS, REALS), _box(*(Sample(-1e3, 1e3),) * 2))
ANY_ARRAY = Domain((REALS,), _box(Sample(-10.0, 10.0)))


def _real_power(x: float, y: float) -> bool:
    """x ** y is a real number: a positive base, or a whole exponent (0 only to a power ≥ 0)."""
    return x > 0.0 or (x == 0.0 and y >= 0.0) or (x < 0.0 and float(y).is_integer())


_POWER_CONDITION = "x > 0, or y a whole number (and y >= 0 when x = 0)"
POWER_DOMAIN = Domain(
    (REALS, REALS), _box(Sample(0.1, 10), Sample(-3, 3)), _real_power, _POWER_CONDITION
)


# --- the catalogue ----------------------------------------------------------------------------
#
# One entry per primitive. The scalar forward and local derivative (Value) sit next to the
# array forward and VJP (Tensor), and next to the derivative as a formula. In `derivative`,
# `o` is the output and x, y the operands, so σ' reads o·(1 − o) as a derivation writes it.

ADD = Primitive(
    "+", "addition", 2, EVERYWHERE_2, ("g", "g"),
    scalar=ScalarRule(operator.add, lambda x, y, out: (1.0, 1.0)),
    array=ArrayRule(np.add, lambda g, out, n, a, b: (g, g)),
    derivative=lambda f, o, x, y: (1, 1),
    formula=lambda f, x, y: x + y,
)  # fmt: skip
SUB = Primitive(
    "-", "subtraction", 2, EVERYWHERE_2, ("g", "−g"),
    scalar=ScalarRule(operator.sub, lambda x, y, out: (1.0, -1.0)),
    array=ArrayRule(np.subtract, lambda g, out, n, a, b: (g, -g)),
    derivative=lambda f, o, x, y: (1, -1),
    formula=lambda f, x, y: x - y, glyph="−",
)  # fmt: skip
MUL = Primitive(
    "*", "multiplication", 2, EVERYWHERE_2, ("g·y", "g·x"),
    scalar=ScalarRule(operator.mul, lambda x, y, out: (y, x)),
    array=ArrayRule(np.multiply, lambda g, out, n, a, b: (g * b, g * a)),
    derivative=lambda f, o, x, y: (y, x),
    formula=lambda f, x, y: x * y, glyph="×",
)  # fmt: skip
DIV = Primitive(
    "/", "division", 2,
    Domain((REALS, REALS), _box(Sample(-100, 100), Sample(-100, 100, (0.0,), 0.1)),
           where=lambda x, y: y != 0.0, condition="y ≠ 0"),
    ("g / y", "−g·x / y²"),
    scalar=ScalarRule(_div, lambda x, y, out: (1.0 / y, -out / y)),
    array=ArrayRule(_div_array, lambda g, out, n, a, b: (g / b, -g * out.data / b)),
    derivative=lambda f, o, x, y: (1 / y, -x / y**2),
    formula=lambda f, x, y: x / y, glyph="÷",
)  # fmt: skip
# x ** y with y a variable: both derivatives. x ** c with c a plain number: c is a constant,
# so no derivative is taken with respect to it (it may not even exist, for a negative base).
# c ** y with c a plain number: the base is the constant.
POW = Primitive(
    "**", "power", 2,
    POWER_DOMAIN,
    ("g·y·x^(y−1)", "g·x^y·log x"),
    scalar=ScalarRule(_pow, lambda x, y, out: (_d_pow_dx(x, y), _d_pow_dy(x, out))),
    array=ArrayRule(_pow_array, lambda g, out, n, a, b: (
        g * _d_pow_dx_array(a, b) if n[0] else None,
        g * _d_pow_dy_array(a, out.data) if n[1] else None,
    )),
    # The product stays unevaluated, so the 2 of (t − y)² stays outside: 2·(t − y).
    derivative=lambda f, o, x, y: (f.product(y, x ** (y - 1)), o * f.log(x)),
    formula=lambda f, x, y: x**y, glyph="^",
)  # fmt: skip
POW_CONST = Primitive(
    "**", "power", 2,
    POWER_DOMAIN,
    ("g·c·x^(c−1)", "none: c is a constant"),
    scalar=ScalarRule(_pow, lambda x, y, out: (_d_pow_dx(x, y), 0.0)),
    array=ArrayRule(_pow_array, lambda g, out, n, a, b: (
        g * _d_pow_dx_array(a, b) if n[0] else None, None,
    )),
    derivative=lambda f, o, x, y: (f.product(y, x ** (y - 1)), 0),
    formula=lambda f, x, y: x**y, glyph="^",
)  # fmt: skip
POW_CONST_BASE = Primitive(
    "**", "power", 2,
    Domain((POSITIVE, REALS), _box(Sample(0.1, 10), Sample(-50, 50)),
           where=_real_power, condition=_POWER_CONDITION),
    ("none: c is a constant", "g·c^y·log c"),
    scalar=ScalarRule(_pow, lambda x, y, out: (0.0, _d_pow_dy(x, out))),
    array=ArrayRule(_pow_array, lambda g, out, n, a, b: (
        None, g * _d_pow_dy_array(a, out.data) if n[1] else None,
    )),
    derivative=lambda f, o, x, y: (0, o * f.log(x)),
    formula=lambda f, x, y: x**y, glyph="^",
)  # fmt: skip
NEG = Primitive(
    "neg", "negation", 1, EVERYWHERE, ("−g",),
    scalar=ScalarRule(operator.neg, lambda x, out: -1.0),
    array=ArrayRule(np.negative, lambda g, out, n, a: (-g,)),
    derivative=lambda f, o, x: (-1,),
    formula=lambda f, x: -x, glyph="−x",
)  # fmt: skip
EXP = Primitive(
    "exp", "exp", 1,
    Domain((REALS,), _box(Sample(-700, 700)),
           where=lambda x: x <= 709.78, condition="x ≤ 709.78 (e^x overflows float64 above)"),
    ("g·e^x",),
    scalar=ScalarRule(_exp, lambda x, out: out),  # (e^x)' = e^x
    array=ArrayRule(np.exp, lambda g, out, n, a: (g * out.data,)),
    derivative=lambda f, o, x: (o,),
    formula=lambda f, x: f.exp(x),
)  # fmt: skip
LOG = Primitive(
    "log", "log", 1,
    Domain((POSITIVE,), _box(Sample(0.05, 1e6))), ("g / x",),
    scalar=ScalarRule(_log, lambda x, out: 1.0 / x),
    array=ArrayRule(_log_array, lambda g, out, n, a: (g / a,)),
    derivative=lambda f, o, x: (1 / x,),
    formula=lambda f, x: f.log(x),
)  # fmt: skip
SQRT = Primitive(
    "sqrt", "square root", 1,
    Domain((NON_NEGATIVE,), _box(Sample(0.01, 1e6)),
           condition="x ≥ 0; the derivative needs x > 0"),
    ("g / (2√x)",),
    scalar=ScalarRule(_sqrt, _d_sqrt),
    array=ArrayRule(_sqrt_array, lambda g, out, n, a: (g * 0.5 / out.data,)),
    derivative=lambda f, o, x: (1 / (2 * o),),
    formula=lambda f, x: f.sqrt(x),
)  # fmt: skip
# σ' = σ(x)·σ(−x) and tanh' = 4e/(1 + e)² with e = e^−2|x|: exact in both tails, where
# σ(1 − σ) and 1 − tanh² cancel to 0 (see _d_sigmoid and _d_tanh).
TANH = Primitive(
    "tanh", "tanh", 1, EVERYWHERE, ("g·(1 − tanh²x)",),
    scalar=ScalarRule(math.tanh, _d_tanh),
    array=ArrayRule(np.tanh, lambda g, out, n, a: (g * _d_tanh_array(a),)),
    derivative=lambda f, o, x: (1 - o**2,),
    formula=lambda f, x: f.tanh(x),
)  # fmt: skip
SIGMOID = Primitive(
    "sigmoid", "sigmoid", 1, EVERYWHERE, ("g·σ(x)·(1 − σ(x))",),
    scalar=ScalarRule(sigmoid, _d_sigmoid),
    array=ArrayRule(sigmoid_array, lambda g, out, n, a: (g * out.data * sigmoid_array(-a),)),
    derivative=lambda f, o, x: (o * (1 - o),),
    formula=lambda f, x: f.sigmoid(x), glyph="σ",
)  # fmt: skip
# Gradient convention: relu'(0) = 0, as in PyTorch (relu is not differentiable at 0; any value
# in [0, 1] is a valid subgradient, and 0 keeps dead units dead).
RELU = Primitive(
    "relu", "relu", 1, Domain((REALS,), _box(Sample(-1e3, 1e3, (0.0,), 1e-3)), kinks=(0.0,)),
    ("g·[x > 0]",),
    scalar=ScalarRule(lambda x: x if x > 0.0 else 0.0, lambda x, out: float(x > 0.0)),
    array=ArrayRule(lambda a: np.maximum(a, 0.0), lambda g, out, n, a: (g * (a > 0),)),
    derivative=lambda f, o, x: (f.step(x),),
    formula=lambda f, x: f.relu(x),
    convention="relu'(0) = 0, as PyTorch",
)  # fmt: skip
# Convention: abs'(0) = sign(0) = 0, as numpy's sign and PyTorch.
ABS = Primitive(
    "abs", "abs", 1, Domain((REALS,), _box(Sample(-1e3, 1e3, (0.0,), 1e-3)), kinks=(0.0,)),
    ("g·sign(x)",),
    scalar=ScalarRule(abs, lambda x, out: (x > 0.0) - (x < 0.0)),
    array=ArrayRule(np.abs, lambda g, out, n, a: (g * np.sign(a),)),
    derivative=lambda f, o, x: (f.sign(x),),
    formula=lambda f, x: f.abs(x),
    convention="abs'(0) = sign(0) = 0, as numpy and PyTorch",
)  # fmt: skip
# softplus(x) = log(1 + e^x), computed as max(x, 0) + log(1 + e^−|x|); its derivative is σ(x),
# smooth everywhere (no kink at 0, unlike relu and abs).
SOFTPLUS = Primitive(
    "softplus", "softplus", 1, EVERYWHERE, ("g·σ(x)",),
    scalar=ScalarRule(_softplus, lambda x, out: sigmoid(x)),
    array=ArrayRule(
        lambda a: np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a))),
        lambda g, out, n, a: (g * sigmoid_array(a),),
    ),
    derivative=lambda f, o, x: (f.sigmoid(x),),
    formula=lambda f, x: f.softplus(x),
)  # fmt: skip
# Convention: at a tie (x = y) maximum and minimum split the gradient equally, ½ to each
# operand, as the reduction `max` shares it among tied entries. (PyTorch does the same for
# torch.maximum/minimum.) A central difference at a tie measures exactly ½ too. As a formula:
# ½(1 + sign(x − y)), which is 1, ½ or 0 (the Heaviside step with H(0) = ½).
MAXIMUM = Primitive(
    "maximum", "element-wise maximum", 2, EVERYWHERE_2,
    ("g·[x > y] (½g at a tie)", "g·[y > x] (½g at a tie)"),
    scalar=ScalarRule(lambda x, y: x if x >= y else y, _d_maximum),
    array=ArrayRule(np.maximum, _maximum_vjp),
    derivative=lambda f, o, x, y: ((1 + f.sign(x - y)) / 2, (1 + f.sign(y - x)) / 2),
    formula=lambda f, x, y: f.maximum(x, y),
    convention="at a tie x = y each operand gets half the gradient",
)  # fmt: skip
MINIMUM = Primitive(
    "minimum", "element-wise minimum", 2, EVERYWHERE_2,
    ("g·[x < y] (½g at a tie)", "g·[y < x] (½g at a tie)"),
    scalar=ScalarRule(lambda x, y: x if x <= y else y, _d_minimum),
    array=ArrayRule(np.minimum, _minimum_vjp),
    derivative=lambda f, o, x, y: ((1 + f.sign(y - x)) / 2, (1 + f.sign(x - y)) / 2),
    formula=lambda f, x, y: f.minimum(x, y),
    convention="at a tie x = y each operand gets half the gradient",
)  # fmt: skip
# erf(x) = 2/√π ∫₀ˣ e^−t² dt, the error function: GELU's Φ(x) = ½(1 + erf(x/√2)) needs it.
ERF = Primitive(
    "erf", "error function", 1, Domain((REALS,), _box(Sample(-10.0, 10.0))), ("g·2/√π·e^−x²",),
    scalar=ScalarRule(math.erf, _d_erf),
    array=ArrayRule(_erf_array, lambda g, out, n, a: (g * _TWO_OVER_SQRT_PI * np.exp(-(a * a)),)),
    derivative=lambda f, o, x: (2 * f.exp(-(x**2)) / f.sqrt(f.pi),),
    formula=lambda f, x: f.erf(x),
)  # fmt: skip
# leaky_relu(x, c) = x for x > 0, c·x otherwise; the slope c is a constant (like the c of
# x ** c), so no gradient is taken for it. Convention: leaky_relu'(0) = c, as PyTorch (which
# passes g where x > 0 and c·g elsewhere).
LEAKY_RELU = Primitive(
    "leaky_relu", "leaky relu", 2,
    Domain((REALS, REALS), _box(Sample(-1e3, 1e3, (0.0,), 1e-3), Sample(0.0, 0.5)), kinks=(0.0,)),
    ("g·[x > 0] + c·g·[x ≤ 0]", "none: c is a constant"),
    scalar=ScalarRule(
        lambda x, c: x if x > 0.0 else c * x, lambda x, c, out: (1.0 if x > 0.0 else c, 0.0)
    ),
    array=ArrayRule(_leaky_relu_array, lambda g, out, n, a, c: (g * np.where(a > 0, 1.0, c), None)),
    derivative=lambda f, o, x, c: (f.step(x) + c * (1 - f.step(x)), 0),
    formula=lambda f, x, c: f.relu(x) - c * f.relu(-x),
    convention="leaky_relu'(0) = c (the negative slope), as PyTorch",
)  # fmt: skip

# Tensor-only primitives: they move, sum or pick entries, so their derivative is a rule for
# the whole array (a VJP), not one number per entry.
MATMUL = Primitive(
    "@", "matrix product", 2, Domain((REALS, REALS), _box(*(ANY_ARRAY.sample * 2))),
    ("∂E/∂A = ∂E/∂C · Bᵀ", "∂E/∂B = Aᵀ · ∂E/∂C"),
    array=ArrayRule(np.matmul, _matmul_vjp),
)  # fmt: skip
SUM = Primitive(
    "sum", "sum", 1, ANY_ARRAY, ("g copied to every entry that was summed",),
    array=ArrayRule(lambda a, axis, keepdims: a.sum(axis=axis, keepdims=keepdims), _sum_vjp),
)  # fmt: skip
# Convention: where several entries tie for the maximum, they share the gradient equally.
MAX = Primitive(
    "max", "maximum", 1, ANY_ARRAY, ("g to the largest entry (shared equally by ties)",),
    array=ArrayRule(lambda a, axis, keepdims: a.max(axis=axis, keepdims=keepdims), _max_vjp),
    convention="tied maxima share the gradient equally",
)  # fmt: skip
RESHAPE = Primitive(
    "reshape", "reshape", 1, ANY_ARRAY, ("g reshaped back",),
    array=ArrayRule(np.reshape, lambda g, out, n, a: (g.reshape(a.shape),)),
)  # fmt: skip
TRANSPOSE = Primitive(
    "transpose", "transpose", 1, ANY_ARRAY, ("g with the axes permuted back",),
    array=ArrayRule(
        np.transpose, lambda g, out, n, a: (np.transpose(g, np.argsort(out._ctx)),)
    ),
)  # fmt: skip
GETITEM = Primitive(
    "[]", "indexing", 1, ANY_ARRAY, ("g added back at the picked entries",),
    array=ArrayRule(lambda a, index: a[index], _getitem_vjp),
)  # fmt: skip
CONCATENATE = Primitive(
    "concatenate", "concatenate", None, ANY_ARRAY, ("g split back into the pieces",),
    array=ArrayRule(lambda axis, *xs: np.concatenate(xs, axis=axis), _concatenate_vjp),
)  # fmt: skip
LOG_SOFTMAX = Primitive(
    "log_softmax", "log softmax", 1, ANY_ARRAY, ("g − softmax(x)·Σ g",),
    array=ArrayRule(_log_softmax, _log_softmax_vjp),
)  # fmt: skip
# The copies broadcasting makes: the VJP is g itself, which `unbroadcast` sums back over the
# stretched axes, as for every binary op.
EXPAND = Primitive(
    "expand", "expand", 1, ANY_ARRAY, ("g summed over the copies (unbroadcast)",),
    array=ArrayRule(np.broadcast_to, lambda g, out, n, a: (g,)),
)  # fmt: skip
# where(mask, a, b): a where the mask holds, b elsewhere. The mask is not an operand (it has no
# gradient: it rides along in the node's context), so the primitive has two operands.
WHERE = Primitive(
    "where", "where", 2, Domain((REALS, REALS), _box(*(ANY_ARRAY.sample * 2))),
    ("g where the mask holds, else 0", "g where the mask does not hold, else 0"),
    array=ArrayRule(_where, _where_vjp),
)  # fmt: skip

# --- compositions, written once for both engines ----------------------------------------------
#
# Not primitives: these are built from the primitives above with operators and methods that
# Value and Tensor share, so they need no derivative of their own (the chain rule through their
# parts gives it).

_SQRT_HALF = math.sqrt(0.5)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def gelu(x: Any, approximate: str = "none") -> Any:
    """GELU(x) = x·Φ(x) = ½x·(1 + erf(x/√2)), or ``approximate="tanh"``:
    ½x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), both as PyTorch computes them.

    `x` is a Value or a Tensor. (Far in the negative tail, where Φ(x) < 1e-10, 1 + erf
    cancels: the result is then accurate to ~1e-16 absolutely, not relatively — as PyTorch's.)
    """
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (x + 0.044715 * x**3)
        return 0.5 * x * (1.0 + inner.tanh())
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r:.40}")
    return 0.5 * x * (1.0 + (x * _SQRT_HALF).erf())


def clip_bounds(lo: Any, hi: Any, what: str) -> tuple[float, float]:
    """`lo` and `hi` of clip as floats (None: no bound, ±∞), or a TypeError/ValueError."""
    low = -math.inf if lo is None else real(lo, f"{what}: lo")
    high = math.inf if hi is None else real(hi, f"{what}: hi")
    if lo is None and hi is None:
        raise ValueError(f"{what}: give lo, hi or both (with neither, clip does nothing)")
    if low > high:
        raise ValueError(f"{what}: lo ({low!r}) must not exceed hi ({high!r})")
    return low, high


#: Every primitive, in the order the documentation lists them.
CATALOGUE: tuple[Primitive, ...] = (
    ADD, SUB, MUL, DIV, POW, POW_CONST, POW_CONST_BASE, NEG, EXP, LOG, SQRT, TANH, SIGMOID,
    RELU, ABS, SOFTPLUS, MAXIMUM, MINIMUM, ERF, LEAKY_RELU, MATMUL, SUM, MAX, RESHAPE, TRANSPOSE,
    GETITEM, CONCATENATE, LOG_SOFTMAX, EXPAND, WHERE,
)  # fmt: skip
