"""`Value`: one real number and its gradient, a node of the computation graph.

Every operation on Values makes a new Value that remembers its operands (``parents``) and the
primitive that made it (``op``). Each primitive is declared once, below, as its forward
function next to its *local derivatives* ∂out/∂operand. ``backward()`` multiplies them along
every path (chain rule) and adds the paths (multivariable chain rule).

Design notes for the curious:

- A node is small: five slots, no ``__dict__``, a tuple of parents and a reference to a shared
  primitive object. There is no closure per node (as in micrograd), so a graph has no reference
  cycles and is freed by reference counting the moment it is dropped.
- Numbers mixed into an expression (``x + 1``) become constant leaves, so the graph shows them.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

from tinygrad_edu.graph import GradMode, backward

__all__ = ["Value"]


# --- the primitives -----------------------------------------------------------------------------


class _Op:
    """A primitive: its symbol, its forward function and its local derivatives, side by side."""

    __slots__ = ("forward", "local", "name", "symbol")

    def __init__(self, symbol: str, name: str, forward: Any, local: Any) -> None:
        self.symbol = symbol  # what the graph shows: "+", "*", "sigmoid", ...
        self.name = name  # what error messages say: "addition", "sigmoid", ...
        self.forward = forward
        self.local = local

    def __repr__(self) -> str:
        return f"<primitive {self.symbol}>"


class _Unary(_Op):
    __slots__ = ()

    def backward(self, out: Value) -> None:
        """x.grad += ∂out/∂x · out.grad."""
        (x,) = out.parents
        x.grad += self.local(x.data, out.data) * out.grad


class _Binary(_Op):
    __slots__ = ()

    def backward(self, out: Value) -> None:
        """x.grad += ∂out/∂x · out.grad and y.grad += ∂out/∂y · out.grad."""
        x, y = out.parents
        dx, dy = self.local(x.data, y.data, out.data)
        g = out.grad
        x.grad += dx * g
        y.grad += dy * g


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


def _sigmoid(x: float) -> float:
    # Two algebraically equal forms, each used where its exp() cannot overflow:
    # σ(x) = 1 / (1 + e^−x) for x ≥ 0, and σ(x) = e^x / (1 + e^x) for x < 0.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# Forward and local derivative side by side. `local` receives the operands' data and the
# output's data (x, [y,] out), and returns ∂out/∂x (and ∂out/∂y). Where the derivative is
# cheapest in terms of the output (exp, tanh, sigmoid, division), it reuses the output.
#
#            symbol     name              forward                        local derivatives
ADD = _Binary("+", "addition", lambda x, y: x + y, lambda x, y, out: (1.0, 1.0))
SUB = _Binary("-", "subtraction", lambda x, y: x - y, lambda x, y, out: (1.0, -1.0))
MUL = _Binary("*", "multiplication", lambda x, y: x * y, lambda x, y, out: (y, x))
DIV = _Binary("/", "division", _div, lambda x, y, out: (1.0 / y, -out / y))
# x ** y with y a Value: both derivatives. x ** c with c a plain number: c is a constant, so
# no derivative is taken with respect to it (it may not even exist, for a negative base).
POW = _Binary("**", "power", _pow, lambda x, y, out: (_d_pow_dx(x, y), _d_pow_dy(x, out)))
POW_CONST = _Binary("**", "power", _pow, lambda x, y, out: (_d_pow_dx(x, y), 0.0))
# c ** y with c a plain number: the base is the constant.
POW_CONST_BASE = _Binary("**", "power", _pow, lambda x, y, out: (0.0, _d_pow_dy(x, out)))
NEG = _Unary("neg", "negation", lambda x: -x, lambda x, out: -1.0)
EXP = _Unary("exp", "exp", _exp, lambda x, out: out)  # (e^x)' = e^x
LOG = _Unary("log", "log", _log, lambda x, out: 1.0 / x)
TANH = _Unary("tanh", "tanh", math.tanh, _d_tanh)  # tanh' = 1 − tanh²
SIGMOID = _Unary("sigmoid", "sigmoid", _sigmoid, _d_sigmoid)  # σ' = σ(1 − σ)
# Gradient convention: relu'(0) = 0, as in PyTorch (relu is not differentiable at 0; any value
# in [0, 1] is a valid subgradient, and 0 keeps dead units dead).
RELU = _Unary("relu", "relu", lambda x: x if x > 0.0 else 0.0, lambda x, out: float(x > 0.0))
# softplus(x) = log(1 + e^x), computed as max(x, 0) + log(1 + e^−|x|) so that e^… <= 1; its
# derivative is σ(x), smooth everywhere (no kink at 0, unlike relu and abs).
SOFTPLUS = _Unary(
    "softplus",
    "softplus",
    lambda x: max(x, 0.0) + math.log1p(math.exp(-abs(x))),
    lambda x, out: _sigmoid(x),
)
# Convention: abs'(0) = sign(0) = 0, as numpy's sign and PyTorch.
ABS = _Unary("abs", "abs", abs, lambda x, out: (x > 0.0) - (x < 0.0))


# --- turning numbers into floats ----------------------------------------------------------------


def _real(x: object, what: str) -> float:
    """`x` as a finite float, or a TypeError / ValueError that says what `what` received."""
    if (type(x) is float or type(x) is int) or (
        isinstance(x, numbers.Real) and not isinstance(x, bool)  # numpy scalars, Fraction, ...
    ):
        try:
            data = float(x)
        except OverflowError:
            shown = repr(x) if len(repr(x)) <= 24 else f"{repr(x)[:12]}… ({len(repr(x))} digits)"
            raise ValueError(
                f"{what} takes a finite number; {shown} is too large for float64"
            ) from None
    else:
        raise TypeError(
            f"{what} takes a real number (int, float or numpy scalar), got {type(x).__name__}"
            + (": use 1.0 or 0.0 for a boolean" if isinstance(x, bool) else "")
        )
    if not math.isfinite(data):
        raise ValueError(f"{what} takes a finite number, got {data!r}")
    return data


def _const(x: object, op: _Op) -> Value | None:
    """A plain number as a constant leaf; None if it is not a number (the op then defers)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    return Value(_real(x, f"{op.name} ({op.symbol})"))


# --- the node -----------------------------------------------------------------------------------


class Value:
    """A scalar node: ``data``, ``grad`` (∂root/∂self after ``backward()``), ``label``, ``op``.

    >>> a, b = Value(2.0, "a"), Value(-3.0, "b")
    >>> c = a * b + a
    >>> c.backward()
    >>> c.data, a.grad, b.grad          # ∂c/∂a = b + 1, ∂c/∂b = a
    (-4.0, -2.0, 2.0)
    """

    __slots__ = ("_op", "data", "grad", "label", "parents")

    # Make numpy hand `np.float64(2) * value` over to Value.__rmul__ instead of building an
    # object array.
    __array_ufunc__ = None

    data: float
    grad: float
    label: str
    parents: tuple[Value, ...]
    _op: _Op | None

    def __init__(self, data: float, label: str = "") -> None:
        """A leaf holding `data` (int, float or numpy scalar, stored as float)."""
        self.data = data if type(data) is float and math.isfinite(data) else _real(data, "Value")
        self.grad = 0.0
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.label = label
        self.parents = ()
        self._op = None

    @property
    def op(self) -> str:
        """The primitive that made this node ("+", "*", "sigmoid", ...), "" for a leaf."""
        return "" if self._op is None else self._op.symbol

    def zero_grad(self) -> None:
        """Forget the gradient: grad = 0.0 (gradients accumulate across backward calls)."""
        self.grad = 0.0

    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each parent, in operand order: the chain rule's factor on each edge.

        >>> x, y = Value(3.0, "x"), Value(4.0, "y")
        >>> (x * y).local_grads()       # ∂(x·y)/∂x = y, ∂(x·y)/∂y = x
        (4.0, 3.0)
        >>> x.local_grads()             # a leaf has no parents
        ()
        """
        op = self._op
        if op is None:
            return ()
        if isinstance(op, _Unary):
            return (float(op.local(self.parents[0].data, self.data)),)
        x, y = self.parents
        return tuple(float(d) for d in op.local(x.data, y.data, self.data))

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self.op!r}" if self._op is not None else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label}{op})"

    def __float__(self) -> float:
        return self.data

    # --- building nodes (the hot path) --------------------------------------------------------

    def _unary(self, op: _Unary) -> Value:
        try:
            data = op.forward(self.data)
        except (ArithmeticError, ValueError) as error:
            raise _with_operands(error, self) from None
        return _node(data, (self,), op)

    def _binary(self, op: _Binary, other: Any, reflected: bool = False) -> Value:
        if other.__class__ is not Value and not isinstance(other, Value):
            other = _const(other, op)
            if other is None:
                # Not a number: let Python try the other operand, then raise its TypeError.
                return NotImplemented  # type: ignore[no-any-return]
        x, y = (other, self) if reflected else (self, other)
        try:
            data = op.forward(x.data, y.data)
        except (ArithmeticError, ValueError) as error:
            raise _with_operands(error, x, y) from None
        if data - data != 0.0:  # inf or nan from finite operands: float64 overflowed
            raise _with_operands(
                OverflowError(f"{op.name}: {x.data!r} {op.symbol} {y.data!r} overflows float64"),
                x,
                y,
            )
        return _node(data, (x, y), op)

    def __add__(self, other: Value | float) -> Value:
        """self + other."""
        return self._binary(ADD, other)

    def __radd__(self, other: float) -> Value:
        """other + self."""
        return self._binary(ADD, other, reflected=True)

    def __sub__(self, other: Value | float) -> Value:
        """self − other."""
        return self._binary(SUB, other)

    def __rsub__(self, other: float) -> Value:
        """other − self."""
        return self._binary(SUB, other, reflected=True)

    def __mul__(self, other: Value | float) -> Value:
        """self · other."""
        return self._binary(MUL, other)

    def __rmul__(self, other: float) -> Value:
        """other · self."""
        return self._binary(MUL, other, reflected=True)

    def __truediv__(self, other: Value | float) -> Value:
        """self / other; ZeroDivisionError when other is 0."""
        return self._binary(DIV, other)

    def __rtruediv__(self, other: float) -> Value:
        """other / self; ZeroDivisionError when self is 0."""
        return self._binary(DIV, other, reflected=True)

    def __pow__(self, other: Value | float) -> Value:
        """self ** other; a plain-number exponent is a constant (no gradient is taken for it)."""
        if isinstance(other, Value):
            return self._binary(POW, other)
        return self._binary(POW_CONST, other)

    def __rpow__(self, other: float) -> Value:
        """other ** self, e.g. ``2 ** x``; ∂/∂x = other**x · log(other)."""
        return self._binary(POW_CONST_BASE, other, reflected=True)

    def __neg__(self) -> Value:
        """−self."""
        return self._unary(NEG)

    def exp(self) -> Value:
        """e ** self; OverflowError (naming the input) above 709.78 instead of returning inf."""
        return self._unary(EXP)

    def log(self) -> Value:
        """Natural logarithm ln(self); ValueError when self <= 0."""
        return self._unary(LOG)

    def tanh(self) -> Value:
        """tanh(self) = (e^x − e^−x) / (e^x + e^−x); finite for every finite input."""
        return self._unary(TANH)

    def sigmoid(self) -> Value:
        """σ(self) = 1 / (1 + e^−self); exact 0.0 and 1.0 at the extremes, never overflows."""
        return self._unary(SIGMOID)

    def relu(self) -> Value:
        """max(0, self); its gradient at exactly 0 is taken as 0."""
        return self._unary(RELU)

    def softplus(self) -> Value:
        """log(1 + e^self), without overflow; its derivative is σ(self)."""
        return self._unary(SOFTPLUS)

    def abs(self) -> Value:
        """|self|; its gradient at exactly 0 is taken as 0."""
        return self._unary(ABS)

    # --- backpropagation ------------------------------------------------------------------------

    def backward(self) -> None:
        """Fill ``.grad`` of every node below with ∂self/∂node (self.grad becomes 1.0).

        Leaves *accumulate*: calling ``backward()`` twice adds their gradients twice, as in
        PyTorch, so that several losses can be summed. Reset them between steps with
        ``model.zero_grad()`` / ``optimizer.zero_grad()``, or for any graph with
        ``for node in topological_order(root): node.grad = 0.0``.
        """
        order = backward(self, 1.0, 0.0)
        for node in order:
            if node.grad - node.grad != 0.0:  # inf or nan: a gradient overflowed float64
                name = node.label or (f"the output of {node.op}" if node.op else "a leaf")
                raise OverflowError(
                    f"backward: the gradient of {name} (data {node.data!r}) is {node.grad!r}: it "
                    "overflowed float64; scale the inputs or the loss down"
                )


def _node(data: float, parents: tuple[Value, ...], op: _Op) -> Value:
    """A new non-leaf node; bypasses the checks of ``Value.__init__`` (data is a float)."""
    out = _new_value(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    if GradMode.enabled:
        out.parents = parents
        out._op = op
    else:
        out.parents = ()
        out._op = None
    return out


_new_value: Callable[[type[Value]], Value] = object.__new__


def _with_operands(error: BaseException, *operands: Value) -> BaseException:
    """The same kind of error, its message followed by the labels of the operands, if any."""
    names = ", ".join(f"{v.label} = {v.data!r}" for v in operands if v.label)
    message = f"{error} [operands: {names}]" if names else str(error)
    return type(error)(message)
