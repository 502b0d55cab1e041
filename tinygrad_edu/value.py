"""`Value`: one real number and its gradient, a node of the computation graph.

Where to start reading: the primitive table at the bottom of `tinygrad_edu/primitives.py`
(each operation's forward next to its local derivative ∂out/∂operand), then `Value` below,
whose operators make new nodes from those primitives, then `backward` in
`tinygrad_edu/graph.py`, which multiplies local derivatives along every path (chain rule) and
adds the paths (multivariable chain rule).

Every operation on Values makes a new Value that remembers its operands (``parents``) and the
primitive that made it (``op``).

Design notes for the curious:

- A node is small: six slots, no ``__dict__``, its (at most two) operands in two of them and a
  reference to a shared primitive object. There is no closure per node (as in micrograd), so a
  graph has no reference cycles and is freed by reference counting the moment it is dropped.
- Numbers mixed into an expression (``x + 1``) become constant leaves, so the graph shows them.
- ``==`` on Values is *identity*, as for any Python object, and Values hash by identity: they
  are dict keys and set members (parameter lists, ``x in params``, ``params.index(w)``). So
  comparisons are methods that return masks — ``x.lt(y)``, ``x.eq(y)``, … give a Value 1.0 or
  0.0 — and ``<``/``>`` raise a TypeError that says so: an overloaded ``<`` returning a Value
  would make ``if a < b:`` always true and ``sorted(values)`` silently wrong.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable
from typing import Any, NoReturn

from tinygrad_edu import primitives as prim
from tinygrad_edu._checks import real
from tinygrad_edu.graph import TwoSlotNode, backward, grad_enabled
from tinygrad_edu.primitives import Primitive

__all__ = ["Parameter", "Value"]

_isfinite = math.isfinite  # bound once: it is called for every new node


# --- the node -----------------------------------------------------------------------------------


class Value(TwoSlotNode):
    """A scalar node: ``data``, ``grad`` (∂root/∂self after ``backward()``), ``label``, ``op``.

    >>> a, b = Value(2.0, "a"), Value(-3.0, "b")
    >>> c = a * b + a
    >>> c.backward()
    >>> c.data, a.grad, b.grad          # ∂c/∂a = b + 1, ∂c/∂b = a
    (-4.0, -2.0, 2.0)
    """

    # With the operands' slots `_x` and `_y` from TwoSlotNode (None where there is none), six
    # slots and no tuple of parents: a tuple per node would be one more object, 56 bytes for
    # the allocator and one more for the garbage collector to track. `parents` builds the
    # tuple when someone asks.
    __slots__ = ("_op", "data", "grad", "label")

    # Make numpy hand `np.float64(2) * value` over to Value.__rmul__ instead of building an
    # object array.
    __array_ufunc__ = None

    data: float
    grad: float
    label: str
    _x: Value | None  # the first operand; None for a leaf
    _y: Value | None  # the second operand; None for a leaf or a one-operand primitive
    _op: _Kernel | None

    #: Whether this leaf is a parameter, something that learns: False for a Value, True for
    #: the `Parameter`s that modules make or ``Value(x, requires_grad=True)`` asks for. A
    #: class attribute, so it costs a node nothing.
    requires_grad = False

    def __new__(cls, data: float = 0.0, label: str = "", requires_grad: bool = False) -> Value:
        """A Value, or a `Parameter` when `requires_grad` is True (PyTorch's spelling)."""
        return object.__new__(Parameter if requires_grad else cls)

    def __init__(self, data: float, label: str = "", requires_grad: bool = False) -> None:
        """A leaf holding `data` (int, float or numpy scalar, stored as float); with
        ``requires_grad=True`` a `Parameter`, which pictures and tests treat as learnable."""
        self.data = data if type(data) is float and _isfinite(data) else real(data, "Value")
        self.grad = 0.0
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.label = label
        self._x = self._y = self._op = None

    @property
    def parents(self) -> tuple[Value, ...]:
        """The operands this node was computed from, in operand order; () for a leaf.

        >>> a = Value(2.0)
        >>> (a * 3).parents[0] is a, a.exp().parents == (a,), a.parents
        (True, True, ())
        """
        x = self._x
        if x is None:
            return ()
        y = self._y
        return (x,) if y is None else (x, y)

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
        local = op.local(*(p.data for p in self.parents), self.data)
        return (float(local),) if len(self.parents) == 1 else tuple(float(d) for d in local)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self.op!r}" if self._op is not None else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label}{op})"

    def __float__(self) -> float:
        return self.data

    def __bool__(self) -> bool:
        """Truth as a float's: False for 0.0 (so ``if loss:`` means what it says)."""
        return self.data != 0.0

    # --- building nodes (the hot path) --------------------------------------------------------
    #
    # Every operator below is one line calling _unary or _binary, which make the node in place:
    # a helper function for it would be one more Python call per node. Each reads the
    # primitive's rule into a local before calling it: written ``op.forward(...)``, the call
    # would take the interpreter's slow path, made for methods, not for a rule held in a slot
    # (measured: 25 ns of the 210 ns that ``a * b`` takes).

    def _unary(self, op: _Unary) -> Value:
        """op(self), a new node."""
        forward = op.forward
        try:
            data = forward(self.data)
        except (ArithmeticError, ValueError) as error:
            raise _with_operands(error, self) from None
        out = _new_value(Value)  # no Value.__init__: its checks are for numbers from users
        out.data = data
        out.grad = 0.0
        out.label = ""
        if grad_enabled():
            out._x, out._y, out._op = self, None, op
        else:  # under no_grad: a leaf, with no operands and no primitive
            out._x = out._y = out._op = None
        return out

    def _binary(self, op: _Binary, other: Any, reflected: bool = False) -> Value:
        """self op other (other op self if `reflected`: ``2 - x`` calls x.__rsub__(2)), a new
        node; NotImplemented if `other` is not a number."""
        if other.__class__ is not Value and not isinstance(other, Value):
            other = _const(other, op)
            if other is None:
                # Not a number: let Python try the other operand, then raise its TypeError.
                return NotImplemented  # type: ignore[no-any-return]
        x, y = self, other
        if reflected:
            x, y = other, self
        forward = op.forward
        try:
            data = forward(x.data, y.data)
        except (ArithmeticError, ValueError) as error:
            raise _with_operands(error, x, y) from None
        if not _isfinite(data):  # inf or nan from finite operands: float64 overflowed
            raise _with_operands(
                OverflowError(f"{op.name}: {x.data!r} {op.symbol} {y.data!r} overflows float64"),
                x,
                y,
            )
        out = _new_value(Value)  # no Value.__init__: its checks are for numbers from users
        out.data = data
        out.grad = 0.0
        out.label = ""
        if grad_enabled():
            out._x, out._y, out._op = x, y, op
        else:  # under no_grad: a leaf, with no operands and no primitive
            out._x = out._y = out._op = None
        return out

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

    def sqrt(self) -> Value:
        """√self; ValueError when self < 0 (and for the gradient at exactly 0, where it is ∞)."""
        return self._unary(SQRT)

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

    def maximum(self, other: Value | float) -> Value:
        """max(self, other); at a tie each gets half the gradient (PyTorch's torch.maximum).

        >>> x, y = Value(2.0), Value(2.0)
        >>> x.maximum(y).backward()
        >>> x.grad, y.grad
        (0.5, 0.5)
        """
        return _or_type_error(self._binary(MAXIMUM, other), "maximum", other)

    def minimum(self, other: Value | float) -> Value:
        """min(self, other); at a tie each gets half the gradient (PyTorch's torch.minimum)."""
        return _or_type_error(self._binary(MINIMUM, other), "minimum", other)

    def erf(self) -> Value:
        """erf(self) = 2/√π ∫₀ˣ e^−t² dt; its derivative is 2/√π · e^−x²."""
        return self._unary(ERF)

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """self if self > 0 else negative_slope·self; gradient `negative_slope` at 0 (PyTorch).

        >>> Value(-2.0).leaky_relu(0.1).data
        -0.2
        """
        return self._binary(LEAKY_RELU, real(negative_slope, "leaky_relu: negative_slope"))

    def square(self) -> Value:
        """self² (a composition: self ** 2, whose derivative reads 2·self)."""
        return self**2

    def silu(self) -> Value:
        """SiLU (swish): self·σ(self), a composition of * and sigmoid."""
        return self * self.sigmoid()

    def gelu(self, approximate: str = "none") -> Value:
        """GELU: x·Φ(x) = ½x·(1 + erf(x/√2)), or ``approximate="tanh"``, composed as PyTorch.

        >>> round(Value(1.0).gelu().data, 6)
        0.841345
        """
        result: Value = prim.gelu(self, approximate)
        return result

    def clip(self, lo: float | None = None, hi: float | None = None) -> Value:
        """self limited to [lo, hi] (None: no bound); gradient [lo ≤ self ≤ hi] (PyTorch's clamp).

        A composition: clip(x) = x·m + c with the mask m = [lo ≤ x ≤ hi] and c the bound that
        x crossed (0 inside): m and c are constants, so ∂clip/∂x = m, 1 at the bounds too.

        >>> x = Value(3.0)
        >>> y = x.clip(-1.0, 1.0)
        >>> y.backward()
        >>> y.data, x.grad
        (1.0, 0.0)
        """
        low, high = prim.clip_bounds(lo, hi, "clip")
        x = self.data
        crossed = low if x < low else high if x > high else 0.0
        return self * float(low <= x <= high) + crossed

    # --- comparisons: masks, not graph nodes --------------------------------------------------
    #
    # A comparison's derivative is 0 wherever it exists, so its result is a constant leaf (1.0
    # or 0.0) outside the graph, as PyTorch's comparisons have requires_grad=False.

    def lt(self, other: Value | float) -> Value:
        """[self < other] as a mask: Value(1.0) or Value(0.0), a constant with no gradient.

        >>> Value(1.0).lt(2.0), Value(1.0).ge(2.0)
        (Value(data=1.0, grad=0.0), Value(data=0.0, grad=0.0))
        """
        return _mask(self, other, operator.lt, "lt")

    def le(self, other: Value | float) -> Value:
        """[self ≤ other] as a mask Value (1.0 or 0.0), with no gradient."""
        return _mask(self, other, operator.le, "le")

    def gt(self, other: Value | float) -> Value:
        """[self > other] as a mask Value (1.0 or 0.0), with no gradient."""
        return _mask(self, other, operator.gt, "gt")

    def ge(self, other: Value | float) -> Value:
        """[self ≥ other] as a mask Value (1.0 or 0.0), with no gradient."""
        return _mask(self, other, operator.ge, "ge")

    def eq(self, other: Value | float) -> Value:
        """[self = other] (their data) as a mask Value; ``==`` itself stays identity."""
        return _mask(self, other, operator.eq, "eq")

    def ne(self, other: Value | float) -> Value:
        """[self ≠ other] (their data) as a mask Value; ``!=`` itself stays identity."""
        return _mask(self, other, operator.ne, "ne")

    def __lt__(self, other: object) -> NoReturn:
        _no_ordering("<", "lt")

    def __le__(self, other: object) -> NoReturn:
        _no_ordering("<=", "le")

    def __gt__(self, other: object) -> NoReturn:
        _no_ordering(">", "gt")

    def __ge__(self, other: object) -> NoReturn:
        _no_ordering(">=", "ge")

    # --- backpropagation ------------------------------------------------------------------------

    def backward(self) -> None:
        """Fill ``.grad`` of every node below with ∂self/∂node (self.grad becomes 1.0).

        Leaves *accumulate*: calling ``backward()`` twice adds their gradients twice, as in
        PyTorch, so that several losses can be summed. Reset them between steps with
        ``model.zero_grad()`` / ``optimizer.zero_grad()``, or for any graph with
        ``for node in topological_order(root): node.grad = 0.0``. A pass that fails part-way
        (a domain error, an overflow) changes no gradient.
        """
        backward(self, 1.0, 0.0, _finite_gradients)


def _finite_gradients(leaves: list[Value]) -> None:
    """Refuse a pass whose gradients overflowed float64 (inf or nan), naming the first node.

    Checking the leaves is enough, and names the node a check of every node would: a node's
    non-finite gradient g reaches each of its operands as ∂node/∂operand · g, which is inf or
    nan whatever the local derivative (0 · inf is nan), and a sum with an inf or a nan in it
    stays non-finite. So the operands of such a node have non-finite gradients too, down to
    the leaves, and the first such node in topological order (parents first) is a leaf.
    """
    for node in leaves:
        if not _isfinite(node.grad):
            name = node.label or "a leaf"
            raise OverflowError(
                f"backward: the gradient of {name} (data {node.data!r}) is {node.grad!r}: it "
                "overflowed float64; scale the inputs or the loss down"
            )


class Parameter(Value):
    """A Value that learns: a weight or a bias. It computes exactly as a Value does; being a
    Parameter is what tells pictures and explanations that it is one, by identity, whatever
    its label. ``Value(0.5, "w", requires_grad=True)`` makes one; modules make theirs.

    >>> w = Value(0.5, "w", requires_grad=True)
    >>> type(w).__name__, w.requires_grad, (w * 2).requires_grad
    ('Parameter', True, False)
    """

    __slots__ = ()
    requires_grad = True


#: Makes a Value without calling Value.__new__ and __init__ (the hot path sets every slot).
_new_value: Callable[[type[Value]], Value] = object.__new__


def _mask(
    x: Value, other: Value | float, compare: Callable[[float, float], bool], name: str
) -> Value:
    """compare(x, other) on the data, as a constant leaf 1.0 or 0.0."""
    y = other.data if isinstance(other, Value) else real(other, f"{name}: other")
    return Value(1.0 if compare(x.data, y) else 0.0)


def _or_type_error(out: Value, name: str, other: object) -> Value:
    """`out`, unless the method's operand was not a number (NotImplemented): then TypeError."""
    if out is NotImplemented:
        raise TypeError(f"{name}: other must be a Value or a number, got {type(other).__name__}")
    return out


def _no_ordering(symbol: str, method: str) -> NoReturn:
    raise TypeError(
        f"'{symbol}' is not defined between Values: use x.{method}(y) for a mask Value "
        f"(1.0 or 0.0), or x.data {symbol} y.data for a bool (== on Values is identity, so "
        "they can be dict keys)"
    )


def _with_operands(error: BaseException, *operands: Value) -> BaseException:
    """The same kind of error, its message followed by the labels of the operands, if any."""
    names = ", ".join(f"{v.label} = {v.data!r}" for v in operands if v.label)
    message = f"{error} [operands: {names}]" if names else str(error)
    return type(error)(message)


# --- the primitives, as the Value engine runs them ------------------------------------------------


class _Kernel:
    """A primitive's scalar rule, held in slots so the hot path reads it without indirection
    (into a local first: see "building nodes" in `Value`)."""

    __slots__ = ("forward", "local", "name", "primitive", "symbol")

    def __init__(self, primitive: Primitive) -> None:
        if primitive.scalar is None:
            raise ValueError(f"{primitive!r} has no scalar rule for the Value engine")
        self.primitive = primitive  # everything else known about it: formulas, domain, ...
        self.symbol = primitive.symbol  # what the graph shows: "+", "*", "sigmoid", ...
        self.name = primitive.name  # what error messages say: "addition", "sigmoid", ...
        self.forward, self.local = primitive.scalar

    def __repr__(self) -> str:
        return f"<primitive {self.symbol}>"


class _Unary(_Kernel):
    __slots__ = ()

    def backward(self, out: Value) -> None:
        """x.grad += ∂out/∂x · out.grad."""
        local = self.local
        x: Any = out._x
        x.grad += local(x.data, out.data) * out.grad


class _Binary(_Kernel):
    __slots__ = ()

    def backward(self, out: Value) -> None:
        """x.grad += ∂out/∂x · out.grad and y.grad += ∂out/∂y · out.grad."""
        local = self.local
        x: Any = out._x
        y: Any = out._y
        dx, dy = local(x.data, y.data, out.data)
        g = out.grad
        x.grad += dx * g
        y.grad += dy * g


ADD, SUB, MUL, DIV = _Binary(prim.ADD), _Binary(prim.SUB), _Binary(prim.MUL), _Binary(prim.DIV)
# x ** y (both Values), x ** c (a number exponent), c ** y (a number base): see primitives.
POW, POW_CONST, POW_CONST_BASE = (
    _Binary(prim.POW),
    _Binary(prim.POW_CONST),
    _Binary(prim.POW_CONST_BASE),
)
NEG, EXP, LOG, SQRT = _Unary(prim.NEG), _Unary(prim.EXP), _Unary(prim.LOG), _Unary(prim.SQRT)
TANH, SIGMOID, RELU = _Unary(prim.TANH), _Unary(prim.SIGMOID), _Unary(prim.RELU)
SOFTPLUS, ABS, ERF = _Unary(prim.SOFTPLUS), _Unary(prim.ABS), _Unary(prim.ERF)
MAXIMUM, MINIMUM = _Binary(prim.MAXIMUM), _Binary(prim.MINIMUM)
LEAKY_RELU = _Binary(prim.LEAKY_RELU)  # leaky_relu(x, c): the slope c is a constant operand


def _const(x: object, op: _Kernel) -> Value | None:
    """A plain number as a constant leaf; None if it is not a number (the op then defers)."""
    if type(x) is int and x.bit_length() <= 53:  # x ** 2, 1 - x: an int a float holds exactly
        x = float(x)
    if type(x) is float and _isfinite(x):  # the common case: no checks left to run
        leaf = _new_value(Value)  # Value(x) without its two calls (__new__, __init__)
        leaf.data, leaf.grad, leaf.label = x, 0.0, ""
        leaf._x = leaf._y = leaf._op = None
        return leaf
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    return Value(real(x, f"{op.name} ({op.symbol})"))
