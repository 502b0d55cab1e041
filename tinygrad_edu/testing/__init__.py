"""Check gradients against numbers: the testing kit for your own nets, and behind ours.

- `gradcheck(f, *inputs)`: autograd's gradient of f against a numeric one, for functions of
  Values and Tensors (any mix, any shapes); `check_module_grads(model, loss_fn)` for every
  parameter of a model. Both return the gradients, and raise `GradcheckError` (an
  AssertionError) with a readable report when they disagree.
- `tinygrad_edu.testing.strategies`: Hypothesis strategies for inputs, random graphs and nets
  (needs the ``test`` extra).

Every tolerance the project uses is stated here, once, with the reason for its size.

>>> grads = check_grads(lambda x, y: (x * y).sigmoid() + x.log(), 0.5, -2.0)   # no error: agree
>>> [round(g, 6) for g in grads]           # [−2σ'(−1) + 1/0.5, 0.5σ'(−1)]
[1.606776, 0.098306]
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tinygrad_edu.graph import no_grad, topological_order
from tinygrad_edu.tensor import Tensor
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
    "GRADCHECK_SAFETY",
    "GRADCHECK_STEP",
    "ULP_RTOL",
    "GradcheckError",
    "Mismatch",
    "NumericDerivative",
    "check_grads",
    "check_module_grads",
    "close",
    "finite_difference",
    "gradcheck",
    "numeric_derivative",
    "richardson",
    "suspects",
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


# --- gradcheck: the numeric reference must be trustworthy before it accuses autograd -----------
# One derivative, three central differences: D(h), D(h/2), D(h/4) with h = GRADCHECK_STEP ·
# max(|x|, 1). Richardson's table combines them twice: R1 = (4·D(h/2) − D(h))/3 removes the
# h² term, R2 = (16·R1(h/2) − R1(h))/15 the h⁴ term. The error of R2 is then estimated from
# the table itself — |R2 − R1(h/2)|, which is at least the truncation left in R1(h/2) and
# holds the rounding noise of all three differences — plus an explicit rounding bound. With
# the truncation cancelled to O(h⁶), the step can be large (1e-3 relative), which keeps the
# rounding of f, amplified by 1/h, small even for graphs of many operations.
#
# Autograd is accused only when it is further from the numeric value than
#     atol + rtol·|numeric| + GRADCHECK_SAFETY · (estimated error)
# at this step AND at a second step 8 times smaller (a kink or a domain edge within h, or
# unlucky rounding, makes one table unreliable, rarely both). A wrong derivative — a lost
# factor, a sign, ×1.001 — is off by 1e-3 relative or more, far beyond either margin.
#: Relative step of gradcheck's finite differences (truncation is cancelled to O(h⁶)).
GRADCHECK_STEP = 1e-3
#: How many times its own estimated error the numeric value may be off.
GRADCHECK_SAFETY = 8.0


class GradcheckError(AssertionError):
    """Autograd's gradient and the numeric one disagree beyond what either can be off by."""

    def __init__(self, message: str, mismatches: Sequence[Mismatch]) -> None:
        super().__init__(message)
        self.mismatches = tuple(mismatches)


@dataclass(frozen=True)
class NumericDerivative:
    """A finite-difference derivative and a bound on its own error (see the notes above)."""

    value: float
    error: float


@dataclass(frozen=True)
class Mismatch:
    """One gradient entry where autograd and the numeric derivative disagree."""

    name: str
    autograd: float
    numeric: float
    tolerance: float

    @property
    def difference(self) -> float:
        """|autograd − numeric|."""
        return abs(self.autograd - self.numeric)

    @property
    def ratio(self) -> float:
        """difference / tolerance: how many times over the allowed difference (> 1 fails)."""
        return self.difference / self.tolerance if self.tolerance else math.inf


def numeric_derivative(phi: Callable[[float], float], x: float, step: float) -> NumericDerivative:
    """dphi/dx at x from Richardson's table of central differences, with its error bound.

    >>> d = numeric_derivative(math.exp, 1.0, 1e-3)
    >>> abs(d.value - math.e) < 1e-12, d.error < 1e-9
    (True, True)
    """

    def central(h: float) -> tuple[float, float]:
        up, down = x + h, x - h
        f_up, f_down = phi(up), phi(down)
        taken = up - down  # x ± h is rounded: divide by the step actually taken
        return (f_up - f_down) / taken, 4.0 * EPS * max(abs(f_up), abs(f_down)) / taken

    (d1, e1), (d2, e2), (d4, e4) = central(step), central(step / 2), central(step / 4)
    r1_coarse, r1_fine = (4.0 * d2 - d1) / 3.0, (4.0 * d4 - d2) / 3.0
    r2 = (16.0 * r1_fine - r1_coarse) / 15.0
    # The rounding bounds pass through the same weights as the differences (|16·4 + 16 + …|).
    rounding = (64.0 * e4 + 20.0 * e2 + e1) / 45.0
    return NumericDerivative(r2, abs(r2 - r1_fine) + rounding)


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
    """`gradcheck` for a function of plain numbers: ∂f/∂x_k for each k, checked; returns them.

    `f` takes Values and returns a Value (e.g. ``lambda x, y: (x * y).tanh()``).
    """
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in xs):
        raise TypeError("check_grads: inputs must be numbers; use gradcheck for Values/Tensors")
    return [float(g) for g in gradcheck(f, *xs, rtol=rtol, atol=atol)]


# --- gradcheck ---------------------------------------------------------------------------------


def gradcheck(
    f: Callable[..., Any],
    *inputs: Any,
    rtol: float = FD_RTOL,
    atol: float = FD_ATOL,
) -> list[Any]:
    """Assert that autograd's ∂f/∂input equals a numeric derivative, entry by entry.

    `inputs` are Values, Tensors, numbers or arrays, in any mix; `f` takes as many Values (for
    numbers and Values) or Tensors (for arrays and Tensors) and returns a Value or a
    one-element Tensor. The inputs themselves are not touched: f runs on fresh copies, named
    by the inputs' labels (x1, x2, … for the unlabelled). Returns the gradients (a float per
    Value, an array per Tensor); raises `GradcheckError` with a report otherwise.

    >>> grads = gradcheck(lambda x, y: (x * y).sigmoid() + x.log(), 0.5, -2.0)  # no error
    >>> [round(g, 6) for g in grads]     # [−2σ'(−1) + 1/0.5, 0.5σ'(−1)]
    [1.606776, 0.098306]
    """
    names = [_name(x, k) for k, x in enumerate(inputs)]
    start = [_data(x, name) for x, name in zip(inputs, names)]
    leaves = [_leaf(v, name, grad=True) for v, name in zip(start, names)]
    out = _scalar_output(f(*leaves), "gradcheck")
    out.backward()
    grads = [_grad(leaf) for leaf in leaves]

    def evaluate(values: list[Any]) -> float:
        with no_grad():
            fresh = [_leaf(v, name, grad=False) for v, name in zip(values, names)]
            return _as_float(f(*fresh))

    mismatches: list[Mismatch] = []
    for k, (value, grad) in enumerate(zip(start, grads)):
        for index in _entries(value):
            entry_name = names[k] if index is None else f"{names[k]}[{', '.join(map(str, index))}]"

            def phi(v: float, k: int = k, index: tuple[int, ...] | None = index) -> float:
                values = [x.copy() if isinstance(x, np.ndarray) else x for x in start]
                if index is None:
                    values[k] = v
                else:
                    values[k][index] = v
                return evaluate(values)

            x = float(value if index is None else value[index])
            auto = float(grad if index is None else grad[index])
            mismatch = _compare(phi, x, auto, entry_name, rtol, atol)
            if mismatch is not None:
                mismatches.append(mismatch)
    if mismatches:
        raise GradcheckError(_report("gradcheck", mismatches, out), mismatches)
    return grads


def check_module_grads(
    model: Any,
    loss_fn: Callable[..., Any],
    batch: Any = None,
    *,
    rtol: float = FD_RTOL,
    atol: float = FD_ATOL,
) -> list[Any]:
    """Assert autograd's ∂loss/∂p equals a numeric derivative for every entry of every
    parameter p of `model`.

    ``loss_fn(model, batch)`` (or ``loss_fn(model)`` without a batch) builds the loss.
    Parameters are named by ``model.named_parameters()`` in the report. Returns the
    gradients, in ``model.parameters()`` order; the parameters' data are restored.
    """
    named = model.named_parameters()
    if not named:
        raise ValueError(f"check_module_grads: {type(model).__name__} has no parameters")

    def loss() -> Any:
        return loss_fn(model) if batch is None else loss_fn(model, batch)

    model.zero_grad()
    out = _scalar_output(loss(), "check_module_grads")
    out.backward()
    grads = [_grad(p) for _, p in named]
    mismatches: list[Mismatch] = []
    for (name, p), grad in zip(named, grads):
        for index in _entries(p.data):
            entry_name = name if index is None else f"{name}[{', '.join(map(str, index))}]"
            original = float(p.data if index is None else p.data[index])

            def phi(v: float, p: Any = p, index: tuple[int, ...] | None = index) -> float:
                saved = p.data if index is None else float(p.data[index])
                if index is None:
                    p.data = v
                else:
                    p.data[index] = v
                try:
                    with no_grad():
                        return _as_float(loss())
                finally:
                    if index is None:
                        p.data = saved
                    else:
                        p.data[index] = saved

            auto = float(grad if index is None else grad[index])
            mismatch = _compare(phi, original, auto, entry_name, rtol, atol)
            if mismatch is not None:
                mismatches.append(mismatch)
    if mismatches:
        raise GradcheckError(_report("check_module_grads", mismatches, out), mismatches)
    return grads


def _compare(
    phi: Callable[[float], float], x: float, auto: float, name: str, rtol: float, atol: float
) -> Mismatch | None:
    """None when autograd agrees with the numeric derivative at one of two steps (see the
    notes above GRADCHECK_STEP), else the mismatch at the first step that could judge."""
    if not math.isfinite(auto):
        return Mismatch(name, auto, math.nan, 0.0)
    first: Mismatch | None = None
    for step in (GRADCHECK_STEP, GRADCHECK_STEP / 8):
        try:
            numeric = numeric_derivative(phi, x, step * max(abs(x), 1.0))
        except (ArithmeticError, ValueError):
            continue  # x ± h left the function's domain: this step cannot judge
        if not (math.isfinite(numeric.value) and math.isfinite(numeric.error)):
            continue
        tolerance = atol + rtol * abs(numeric.value) + GRADCHECK_SAFETY * numeric.error
        if abs(auto - numeric.value) <= tolerance:
            return None
        first = first or Mismatch(name, auto, numeric.value, tolerance)
    return first


def _name(x: Any, k: int) -> str:
    label = getattr(x, "label", "")
    return label if isinstance(label, str) and label else f"x{k + 1}"


def _data(x: Any, name: str) -> Any:
    """An input's numbers: a float, or a float64 array copy."""
    if isinstance(x, Value):
        return x.data
    if isinstance(x, Tensor):
        return np.array(x.data, dtype=np.float64)
    if isinstance(x, (int, float, np.floating, np.integer)) and not isinstance(x, bool):
        return float(x)
    try:
        array = np.array(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"gradcheck: input {name} must be a Value, a Tensor, a number or an array, "
            f"got {type(x).__name__}"
        ) from None
    return array


def _leaf(value: Any, name: str, grad: bool) -> Any:
    if isinstance(value, np.ndarray):
        return Tensor(value, requires_grad=grad, label=name)
    return Value(value, name)


def _grad(p: Any) -> Any:
    if isinstance(p, Tensor):
        return np.zeros_like(p.data) if p.grad is None else np.array(p.grad)
    return float(p.grad)


def _entries(value: Any) -> list[tuple[int, ...] | None]:
    if isinstance(value, np.ndarray):
        return [tuple(int(i) for i in index) for index in np.ndindex(value.shape)]
    return [None]


def _scalar_output(out: Any, where: str) -> Any:
    if isinstance(out, Value):
        return out
    if isinstance(out, Tensor) and out.data.size == 1:
        return out
    shape = f"a Tensor of shape {out.shape}" if isinstance(out, Tensor) else type(out).__name__
    raise TypeError(
        f"{where}: the function must return a Value or a one-element Tensor (reduce it, e.g. "
        f"with .sum()), got {shape}"
    )


def _as_float(out: Any) -> float:
    if isinstance(out, Value):
        return out.data
    if isinstance(out, Tensor):
        return float(out.data.reshape(-1)[0])
    raise TypeError(f"gradcheck: the function returned {type(out).__name__}")


def _report(where: str, mismatches: Sequence[Mismatch], out: Any) -> str:
    """The failure as a learner reads it: a table of the entries, the graph as a formula, and
    the primitives whose local derivative disagrees with their own forward."""
    from tinygrad_edu._format import number, table  # no cycle at import: explain needs us

    rows = [
        [m.name, number(m.autograd), number(m.numeric), number(m.difference),
         number(m.tolerance, 3), number(m.ratio, 3)]
        for m in mismatches
    ]  # fmt: skip
    lines = [
        f"{where}: autograd and the numeric derivative disagree for {len(mismatches)} "
        f"{'entry' if len(mismatches) == 1 else 'entries'}",
        table(["input", "autograd", "numeric", "difference", "tolerance", "ratio"], rows),
    ]
    formula = _formula(out)
    if formula:
        lines.append(f"  f = {formula}")
    lines.extend(f"  suspect: {s}" for s in suspects(out))
    return "\n".join(lines)


def _formula(out: Any) -> str:
    """The output as a formula of the inputs (Value graphs), shortened when long."""
    if not isinstance(out, Value):
        return ""
    from tinygrad_edu.explain import expression

    text = expression(out)
    return text if len(text) <= 400 else text[:400] + " …"


def suspects(root: Any) -> list[str]:
    """The primitives in `root`'s graph whose local derivative (Value) or VJP (Tensor, for the
    primitives that act entry by entry) disagrees with a numeric derivative of their own
    forward, at the operands they met: where to look first.

    >>> x = Value(0.3, "x")
    >>> suspects(x.sigmoid())
    []
    """
    if isinstance(root, Tensor):
        return _tensor_suspects(root)
    if not isinstance(root, Value):
        return []
    found: list[str] = []
    seen: set[int] = set()
    for node in topological_order(root):
        primitive = node.primitive
        if primitive is None or primitive.scalar is None:
            continue
        forward = primitive.scalar.forward
        xs = [p.data for p in node.parents]
        rule = node.local_grads()  # the local derivatives the engine used on this node
        for k, x in enumerate(xs):

            def phi(v: float, k: int = k, xs: list[float] = xs, forward: Any = forward) -> float:
                args = list(xs)
                args[k] = v
                return float(forward(*args))

            try:
                numeric = numeric_derivative(phi, x, GRADCHECK_STEP * max(abs(x), 1.0))
            except (ArithmeticError, ValueError):
                continue
            tolerance = FD_ATOL + FD_RTOL * abs(numeric.value) + GRADCHECK_SAFETY * numeric.error
            key = id(primitive) * 8 + k
            if abs(float(rule[k]) - numeric.value) > tolerance and key not in seen:
                seen.add(key)
                at = ", ".join(repr(v) for v in xs)
                found.append(
                    f"{primitive.name} ({primitive.symbol}): ∂out/∂operand {k + 1} at ({at}) is "
                    f"{float(rule[k])!r} by its rule but {numeric.value!r} numerically"
                )
    return found


def _tensor_suspects(root: Tensor) -> list[str]:
    """`suspects` on a Tensor graph: each entry-wise primitive's VJP with ∂E/∂out = 1, entry
    by entry, against a numeric derivative of its scalar forward at that entry's operands."""
    found: list[str] = []
    for node in topological_order(root):
        op = node._op
        primitive = getattr(op, "primitive", None)
        if op is None or primitive is None or primitive.scalar is None or node._ctx is not None:
            continue
        datas = [np.asarray(p.data, dtype=np.float64) for p in node.parents]
        ones = np.ones(node.data.shape, dtype=np.float64)
        needs = tuple(True for _ in datas)
        try:
            vjps = op.vjp(ones, node, needs, *datas)
        except (ArithmeticError, ValueError):
            continue
        operands = np.broadcast_arrays(*datas)
        for k, vjp in enumerate(vjps):
            if vjp is None:
                continue
            rule = np.broadcast_to(np.asarray(vjp, dtype=np.float64), node.data.shape)
            bad = _first_disagreement(primitive.scalar.forward, operands, k, rule)
            if bad is not None:
                index, xs, by_rule, numeric = bad
                at = ", ".join(repr(v) for v in xs)
                found.append(
                    f"{primitive.name} ({primitive.symbol}): ∂out/∂operand {k + 1} at entry "
                    f"{index} ({at}) is {by_rule!r} by its VJP but {numeric!r} numerically"
                )
                break
    return list(dict.fromkeys(found))


def _first_disagreement(
    forward: Callable[..., float], operands: Sequence[Any], k: int, rule: Any
) -> tuple[tuple[int, ...], list[float], float, float] | None:
    """The first entry where rule[entry] is not ∂forward/∂operand k numerically, or None."""
    for index in np.ndindex(rule.shape):
        xs = [float(a[index]) for a in operands]

        def phi(v: float, xs: list[float] = xs) -> float:
            args = list(xs)
            args[k] = v
            return float(forward(*args))

        try:
            numeric = numeric_derivative(phi, xs[k], GRADCHECK_STEP * max(abs(xs[k]), 1.0))
        except (ArithmeticError, ValueError):
            continue
        tolerance = FD_ATOL + FD_RTOL * abs(numeric.value) + GRADCHECK_SAFETY * numeric.error
        if abs(float(rule[index]) - numeric.value) > tolerance:
            return tuple(int(i) for i in index), xs, float(rule[index]), numeric.value
    return None
