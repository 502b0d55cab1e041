"""`Tensor`: a numpy array and its gradient, on the same autodiff core as `Value`.

A Tensor is a node of the same kind of graph as a Value: ``parents``, ``op``, ``grad``, and
one shared ``backward`` (tinygrad_edu.graph). Each primitive below states its forward (a numpy
expression) and its vector-Jacobian product (VJP): given ∂E/∂out, the gradient for each
operand. The VJP is the tensor form of "local derivative × incoming gradient".

Broadcasting: numpy stretches size-1 and missing axes in forward; the backward pass must sum
the gradient over exactly those axes. Every primitive's gradients pass through one helper,
`unbroadcast`, so a gradient always has the shape of its tensor.

>>> W = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, label="W")
>>> x = Tensor([1.0, -1.0], label="x")
>>> y = (W @ x).sum()                # y = Σ_i Σ_j W_ij x_j
>>> y.backward()
>>> W.grad                           # ∂y/∂W_ij = x_j
array([[ 1., -1.],
       [ 1., -1.]])
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from tinygrad_edu.graph import GradMode, backward

__all__ = ["Tensor", "concatenate", "stack", "unbroadcast"]

Array = npt.NDArray[Any]
Axis = int | tuple[int, ...] | None
_FLOAT_DTYPES = {np.dtype(np.float64), np.dtype(np.float32)}


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


# --- the primitives -----------------------------------------------------------------------------


class _Op:
    """A primitive: symbol, forward on arrays, and VJP (gradient for each operand)."""

    __slots__ = ("forward", "symbol", "vjp")

    def __init__(self, symbol: str, forward: Callable[..., Array], vjp: Callable[..., Any]):
        self.symbol = symbol
        self.forward = forward
        # vjp(g, out, needs, *operand_data) -> one gradient (or None) per operand, where g is
        # ∂E/∂out and needs[k] says whether operand k wants a gradient at all (skip the work).
        self.vjp = vjp

    def __repr__(self) -> str:
        return f"<tensor primitive {self.symbol}>"

    def backward(self, out: Tensor) -> None:
        """Give each operand that requires it its share of out.grad (unbroadcast to its shape)."""
        g = out.grad
        if g is None:
            return
        parents = out.parents
        needs = tuple(p.requires_grad for p in parents)
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            try:
                grads = self.vjp(g, out, needs, *(p.data for p in parents))
            except FloatingPointError as error:
                raise ArithmeticError(
                    f"{self.symbol}: the gradient is not finite ({error}) for operands of shapes "
                    f"{', '.join(str(p.shape) for p in parents)}"
                ) from None
        for p, need, gp in zip(parents, needs, grads):
            if need and gp is not None:
                gp = unbroadcast(np.asarray(gp), p.data.shape)
                if p.grad is None and p._spare is not None and _reusable(p):
                    p.grad, p._spare = p._spare, None
                    np.copyto(p.grad, gp, casting="same_kind")
                    continue
                if gp.dtype != p.data.dtype:
                    gp = gp.astype(p.data.dtype)
                # Not `+=`: a gradient array may be shared by several nodes (x + x).
                p.grad = gp if p.grad is None else p.grad + gp


def _spare_refs(t: Tensor) -> int:
    """How many references `t._spare` has, counted the way `_reusable` counts them."""
    return sys.getrefcount(t._spare)


def _reusable(p: Tensor) -> bool:
    """May backward write p's new gradient into ``p._spare``, the array of its last one?

    Only when nothing but `p` holds that array: a user's ``g = w.grad`` (or a view of it) from
    an earlier step must keep its numbers. Reference counts tell, calibrated below.
    """
    if _spare_refs(p) > _SOLE_OWNER_REFS:  # counted before any local name refers to it
        return False
    spare = p._spare
    return (
        spare is not None
        and spare.shape == p.data.shape
        and spare.dtype == p.data.dtype
        and spare.flags.writeable
    )


class _DomainError(Exception):
    """Carries the finished, user-facing error out of a forward function."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _first_bad(mask: Array, a: Array) -> str:
    """'N entries break it, the first is V at index I', for the error messages."""
    index = tuple(int(k) for k in np.argwhere(mask)[0])
    count = int(mask.sum())
    entries = "1 entry breaks it" if count == 1 else f"{count} entries break it"
    return f"{entries}, the first is {float(a[index])!r} at index {index}"


def _log(a: Array) -> Array:
    if (bad := a <= 0).any():
        raise _DomainError(ValueError(f"log: every entry must be > 0; {_first_bad(bad, a)}"))
    return np.log(a)


def _sqrt(a: Array) -> Array:
    if (bad := a < 0).any():
        raise _DomainError(ValueError(f"sqrt: every entry must be >= 0; {_first_bad(bad, a)}"))
    return np.sqrt(a)


def _div(a: Array, b: Array) -> Array:
    if (bad := b == 0).any():
        raise _DomainError(ZeroDivisionError(f"/: no divisor may be 0; {_first_bad(bad, b)}"))
    return np.divide(a, b)


def _pow(a: Array, b: Array) -> Array:
    a_, b_ = np.broadcast_arrays(a, b)
    if (bad := (a_ == 0) & (b_ < 0)).any():
        raise _DomainError(
            ZeroDivisionError(f"**: 0 to a negative power is undefined; {_first_bad(bad, b_)}")
        )
    if (bad := (a_ < 0) & (b_ != np.round(b_))).any():
        raise _DomainError(
            ValueError(
                "**: a negative base needs an integer exponent to have a real value; "
                f"{_first_bad(bad, a_)}"
            )
        )
    return np.power(a, b)


def _swap(a: Array) -> Array:
    """The matrix transpose of the last two axes."""
    return np.swapaxes(a, -1, -2)


def _matmul_vjp(g: Array, out: Tensor, needs: tuple[bool, bool], a: Array, b: Array) -> Any:
    # Treat vectors as matrices (a row on the left, a column on the right), as matmul does.
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = g
    if b.ndim == 1:  # out lost the column axis of b: put it back (last)
        g2 = g2[..., None]
    if a.ndim == 1:  # out lost the row axis of a: put it back (second to last)
        g2 = g2[..., None, :]
    ga = gb = None
    if needs[0]:  # ∂E/∂A = ∂E/∂C · Bᵀ
        ga = unbroadcast(_product_like(a2, g2, _swap(b2)), a2.shape).reshape(a.shape)
    if needs[1]:  # ∂E/∂B = Aᵀ · ∂E/∂C
        gb = unbroadcast(_product_like(b2, _swap(a2), g2), b2.shape).reshape(b.shape)
    return ga, gb


def _product_like(operand: Array, left: Array, right: Array) -> Array:
    """left @ right, laid out in memory like `operand` (the same numbers either way).

    In ``x @ W.T`` the operand W.T is a transposed view, so its gradient left @ right would
    land in transposed (column-major) order too; the optimiser's in-place update of W then
    walks memory with a stride and runs ~6x slower. Computing (rightᵀ @ leftᵀ)ᵀ instead costs
    the same multiplications and gives the gradient W's own row-major layout.
    """
    if operand.ndim == 2 and operand.flags.f_contiguous and not operand.flags.c_contiguous:
        result: Array = (_swap(right) @ _swap(left)).T
        return result
    product: Array = left @ right
    return product


def _sum_vjp(g: Array, out: Tensor, needs: Any, a: Array) -> Any:
    axis, keepdims = out._ctx
    if not keepdims and axis is not None:
        g = np.expand_dims(g, axis)
    return (np.broadcast_to(g, a.shape),)


def _max_vjp(g: Array, out: Tensor, needs: Any, a: Array) -> Any:
    # Convention: where several entries tie for the maximum, they share the gradient equally.
    axis, keepdims = out._ctx
    m = out.data if keepdims or axis is None else np.expand_dims(out.data, axis)
    if not keepdims and axis is not None:
        g = np.expand_dims(g, axis)
    mask = a == m
    return (mask * (g / mask.sum(axis=axis, keepdims=True)),)


def _getitem_vjp(g: Array, out: Tensor, needs: Any, a: Array) -> Any:
    grad = np.zeros(a.shape, dtype=g.dtype)
    # add.at, not assignment: an index array may pick the same entry twice.
    np.add.at(grad, out._ctx, g)
    return (grad,)


def _concatenate_vjp(g: Array, out: Tensor, needs: Any, *xs: Array) -> Any:
    axis = out._ctx
    bounds = np.cumsum([x.shape[axis] for x in xs])[:-1]
    return tuple(np.split(g, bounds, axis=axis))


def _log_softmax(z: Array, axis: int) -> Array:
    # log softmax(z) = z − m − log Σ exp(z − m) with m = max z: no exp() can overflow.
    shifted: Array = z - z.max(axis=axis, keepdims=True)
    result: Array = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return result


def _log_softmax_vjp(g: Array, out: Tensor, needs: Any, z: Array) -> Any:
    # ∂E/∂z = g − softmax(z) · Σ g  (the softmax is exp of the output)
    return (g - np.exp(out.data) * g.sum(axis=out._ctx, keepdims=True),)


def _sigmoid(x: Array) -> Array:
    # The two forms of σ, each where its exp() cannot overflow (as Value.sigmoid).
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


def _d_tanh(x: Array) -> Array:
    e = np.exp(-2.0 * np.abs(x))
    result: Array = 4.0 * e / ((1.0 + e) * (1.0 + e))
    return result


# Forward and VJP side by side. g is ∂E/∂out; a, b are the operands' data; out.data the result.
#        symbol         forward                       VJP: gradient for each operand
ADD = _Op("+", np.add, lambda g, out, n, a, b: (g, g))
SUB = _Op("-", np.subtract, lambda g, out, n, a, b: (g, -g))
MUL = _Op("*", np.multiply, lambda g, out, n, a, b: (g * b, g * a))
DIV = _Op("/", _div, lambda g, out, n, a, b: (g / b, -g * out.data / b))
POW = _Op(
    "**",
    _pow,
    lambda g, out, n, a, b: (
        g * b * a ** (b - 1) if n[0] else None,
        g * out.data * np.log(a) if n[1] else None,
    ),
)
MATMUL = _Op("@", np.matmul, _matmul_vjp)
NEG = _Op("neg", np.negative, lambda g, out, n, a: (-g,))
EXP = _Op("exp", np.exp, lambda g, out, n, a: (g * out.data,))
LOG = _Op("log", _log, lambda g, out, n, a: (g / a,))
SQRT = _Op("sqrt", _sqrt, lambda g, out, n, a: (g * 0.5 / out.data,))
# σ' = σ(x)·σ(−x) and tanh' = 4e/(1 + e)² with e = e^−2|x|: exact in both tails, where
# σ(1 − σ) and 1 − tanh² cancel to 0 (see Value's _d_sigmoid and _d_tanh).
TANH = _Op("tanh", np.tanh, lambda g, out, n, a: (g * _d_tanh(a),))
SIGMOID = _Op("sigmoid", _sigmoid, lambda g, out, n, a: (g * out.data * _sigmoid(-a),))
# Conventions at the kinks: relu'(0) = 0 (as PyTorch); abs'(0) = sign(0) = 0.
RELU = _Op("relu", lambda a: np.maximum(a, 0.0), lambda g, out, n, a: (g * (a > 0),))
ABS = _Op("abs", np.abs, lambda g, out, n, a: (g * np.sign(a),))
# softplus(x) = log(1 + e^x) = max(x, 0) + log(1 + e^−|x|), never overflowing; derivative σ(x).
SOFTPLUS = _Op(
    "softplus",
    lambda a: np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a))),
    lambda g, out, n, a: (g * _sigmoid(a),),
)
SUM = _Op("sum", lambda a, axis, keepdims: a.sum(axis=axis, keepdims=keepdims), _sum_vjp)
MAX = _Op("max", lambda a, axis, keepdims: a.max(axis=axis, keepdims=keepdims), _max_vjp)
RESHAPE = _Op("reshape", np.reshape, lambda g, out, n, a: (g.reshape(a.shape),))
TRANSPOSE = _Op(
    "transpose", np.transpose, lambda g, out, n, a: (np.transpose(g, np.argsort(out._ctx)),)
)
GETITEM = _Op("[]", lambda a, index: a[index], _getitem_vjp)
CONCATENATE = _Op("concatenate", lambda axis, *xs: np.concatenate(xs, axis=axis), _concatenate_vjp)
LOG_SOFTMAX = _Op("log_softmax", _log_softmax, _log_softmax_vjp)


# --- checking operands ----------------------------------------------------------------------------


def _as_array(data: Any, dtype: Any, what: str) -> Array:
    """`data` as a float64 (or float32) array, or an error naming what was wrong."""
    if isinstance(data, Tensor):
        data = data.data
    try:
        array = np.array(data)  # a copy: the caller's array is never modified through us
    except (ValueError, TypeError) as error:
        raise TypeError(
            f"{what}: cannot make an array from {type(data).__name__} ({error})"
        ) from None
    if array.dtype.kind == "b":
        raise TypeError(f"{what}: got booleans; convert them to 0.0 and 1.0 first")
    if array.dtype.kind not in "iuf":
        raise TypeError(
            f"{what}: needs real numbers (int or float), got an array of dtype {array.dtype}"
        )
    target = np.dtype(np.float64 if dtype is None else dtype)
    if target not in _FLOAT_DTYPES:
        raise ValueError(f"{what}: dtype must be float64 or float32, got {target}")
    array = array.astype(target, copy=False)
    _check_finite(array, what)
    return array


def _check_finite(array: Array, what: str) -> None:
    """ValueError if `array` holds nan or inf (min and max see both, and allocate nothing)."""
    if array.size and not (np.isfinite(array.min()) and np.isfinite(array.max())):
        raise ValueError(f"{what}: data must be finite; it holds nan or inf")


def _input(data: Any, dtype: Any, what: str) -> Tensor:
    """Data that a module only reads (a batch of inputs, targets) as a Tensor.

    An ndarray that already has the right dtype is wrapped as a read-only view instead of
    copied: a batch is read, never written, and copying a large one on every step costs as
    much as a layer's arithmetic. Anything else goes through the copying constructor.
    """
    if isinstance(data, Tensor):
        return data
    target = np.dtype(np.float64 if dtype is None else dtype)
    if not (isinstance(data, np.ndarray) and data.dtype == target):
        return Tensor(data, dtype=target)
    _check_finite(data, what)
    view = data.view()
    view.flags.writeable = False
    out = Tensor.__new__(Tensor)
    out.data, out.grad, out.label, out.parents = view, None, "", ()
    out.requires_grad, out._op, out._ctx, out._spare = False, None, None, None
    return out


def _normalize_axis(axis: Axis, ndim: int, op: str) -> Axis:
    """`axis` with negative entries resolved, or a ValueError naming the op and the shape."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    resolved = []
    for k in axes:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not -ndim <= k < ndim:
            raise ValueError(f"{op}: axis {axis!r} is out of range for a tensor of {ndim} dims")
        resolved.append(int(k) % ndim)
    if len(set(resolved)) != len(resolved):
        raise ValueError(f"{op}: axis {axis!r} repeats an axis")
    return resolved[0] if isinstance(axis, (int, np.integer)) else tuple(resolved)


# --- the node -----------------------------------------------------------------------------------


class Tensor:
    """An n-dimensional array node: ``data`` (ndarray), ``grad`` (same shape, None until
    backward), ``requires_grad``, ``label`` and ``op``.

    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()          # ∂(Σ x²)/∂x = 2x
    >>> x.grad
    array([2., 4., 6.])
    """

    # _spare: the array of a parameter's last gradient, kept by zero_grad() for reuse.
    __slots__ = ("_ctx", "_op", "_spare", "data", "grad", "label", "parents", "requires_grad")

    # Make numpy hand `ndarray * tensor` over to Tensor.__rmul__.
    __array_ufunc__ = None

    data: Array
    grad: Array | None
    label: str
    parents: tuple[Tensor, ...]
    requires_grad: bool
    _op: _Op | None
    _ctx: Any
    _spare: Array | None

    def __init__(
        self, data: Any, requires_grad: bool = False, label: str = "", dtype: Any = None
    ) -> None:
        """A leaf holding a copy of `data` as float64 (or float32 with ``dtype=np.float32``)."""
        if not isinstance(label, str):
            raise TypeError(f"Tensor label must be a str, got {type(label).__name__}")
        self.data = _as_array(data, dtype, "Tensor")
        self.grad = None
        self.label = label
        self.parents = ()
        self.requires_grad = bool(requires_grad)
        self._op = None
        self._ctx = None
        self._spare = None

    # --- constructors ----------------------------------------------------------------------------

    @staticmethod
    def zeros(
        shape: int | Sequence[int], requires_grad: bool = False, label: str = "", dtype: Any = None
    ) -> Tensor:
        """A tensor of zeros."""
        return Tensor(np.zeros(shape), requires_grad, label, dtype)

    @staticmethod
    def ones(
        shape: int | Sequence[int], requires_grad: bool = False, label: str = "", dtype: Any = None
    ) -> Tensor:
        """A tensor of ones."""
        return Tensor(np.ones(shape), requires_grad, label, dtype)

    @staticmethod
    def randn(
        shape: int | Sequence[int],
        seed: int | np.random.Generator | None = None,
        requires_grad: bool = False,
        label: str = "",
        dtype: Any = None,
        scale: float = 1.0,
    ) -> Tensor:
        """Normal samples with mean 0 and standard deviation `scale`, from `seed` or a Generator."""
        rng = np.random.default_rng(seed)
        return Tensor(scale * rng.standard_normal(shape), requires_grad, label, dtype)

    @staticmethod
    def uniform(
        shape: int | Sequence[int],
        low: float = -1.0,
        high: float = 1.0,
        seed: int | np.random.Generator | None = None,
        requires_grad: bool = False,
        label: str = "",
        dtype: Any = None,
    ) -> Tensor:
        """Uniform samples in [low, high), from `seed` or a numpy Generator."""
        rng = np.random.default_rng(seed)
        return Tensor(rng.uniform(low, high, shape), requires_grad, label, dtype)

    # --- array-like ------------------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The array's shape."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """The number of axes."""
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype[Any]:
        """float64 or float32."""
        return self.data.dtype

    @property
    def op(self) -> str:
        """The primitive that made this node ("+", "@", "sum", ...), "" for a leaf."""
        return "" if self._op is None else self._op.symbol

    def numpy(self) -> Array:
        """The data as a numpy array (the tensor's own; copy it before changing it)."""
        return self.data

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item: needs a tensor with one element, got shape {self.shape}")
        return float(self.data.reshape(()))

    def __array__(self, dtype: Any = None, copy: Any = None) -> Array:
        return self.data if dtype is None else self.data.astype(dtype)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=6, separator=", ", threshold=20)
        extras = "".join(
            [
                f", label={self.label!r}" if self.label else "",
                f", op={self.op!r}" if self._op is not None else "",
                ", requires_grad=True" if self.requires_grad else "",
                f", dtype={self.dtype}" if self.dtype != np.float64 else "",
            ]
        )
        return f"Tensor({body}{extras})"

    # --- building nodes ---------------------------------------------------------------------------

    def _lift(self, other: Any) -> Tensor | None:
        """`other` as a Tensor of this tensor's dtype; None if it is not numeric."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (bool, np.bool_)) or not isinstance(
            other, (numbers.Real, np.ndarray, list, tuple)
        ):
            return None
        return Tensor(other, dtype=self.dtype if isinstance(other, numbers.Real) else None)

    def _binary(self, op: _Op, other: Any, reflected: bool = False) -> Tensor:
        lifted = self._lift(other)
        if lifted is None:
            return NotImplemented  # type: ignore[no-any-return]
        a, b = (lifted, self) if reflected else (self, lifted)
        return _apply(op, (a, b), None, a.data, b.data)

    def __add__(self, other: Any) -> Tensor:
        """self + other, broadcasting."""
        return self._binary(ADD, other)

    def __radd__(self, other: Any) -> Tensor:
        """other + self."""
        return self._binary(ADD, other, reflected=True)

    def __sub__(self, other: Any) -> Tensor:
        """self − other, broadcasting."""
        return self._binary(SUB, other)

    def __rsub__(self, other: Any) -> Tensor:
        """other − self."""
        return self._binary(SUB, other, reflected=True)

    def __mul__(self, other: Any) -> Tensor:
        """self · other, element by element, broadcasting."""
        return self._binary(MUL, other)

    def __rmul__(self, other: Any) -> Tensor:
        """other · self."""
        return self._binary(MUL, other, reflected=True)

    def __truediv__(self, other: Any) -> Tensor:
        """self / other; ZeroDivisionError if any divisor is 0."""
        return self._binary(DIV, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        """other / self."""
        return self._binary(DIV, other, reflected=True)

    def __pow__(self, other: Any) -> Tensor:
        """self ** other, element by element."""
        return self._binary(POW, other)

    def __rpow__(self, other: Any) -> Tensor:
        """other ** self."""
        return self._binary(POW, other, reflected=True)

    def __matmul__(self, other: Any) -> Tensor:
        """Matrix product self @ other: vectors, matrices, and batches of matrices."""
        return self._binary(MATMUL, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        """other @ self."""
        return self._binary(MATMUL, other, reflected=True)

    def __neg__(self) -> Tensor:
        """−self."""
        return _apply(NEG, (self,), None, self.data)

    def exp(self) -> Tensor:
        """e ** self, element by element; OverflowError above 709.78 instead of inf."""
        return _apply(EXP, (self,), None, self.data)

    def log(self) -> Tensor:
        """Natural logarithm; ValueError if any entry is <= 0."""
        return _apply(LOG, (self,), None, self.data)

    def sqrt(self) -> Tensor:
        """√self; ValueError if any entry is negative."""
        return _apply(SQRT, (self,), None, self.data)

    def tanh(self) -> Tensor:
        """tanh, element by element."""
        return _apply(TANH, (self,), None, self.data)

    def sigmoid(self) -> Tensor:
        """σ(x) = 1 / (1 + e^−x), element by element, without overflow."""
        return _apply(SIGMOID, (self,), None, self.data)

    def relu(self) -> Tensor:
        """max(0, x), element by element; gradient 0 at exactly 0."""
        return _apply(RELU, (self,), None, self.data)

    def softplus(self) -> Tensor:
        """log(1 + e^x), element by element, without overflow; its derivative is σ(x)."""
        return _apply(SOFTPLUS, (self,), None, self.data)

    def abs(self) -> Tensor:
        """|x|, element by element; gradient 0 at exactly 0."""
        return _apply(ABS, (self,), None, self.data)

    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Σ over `axis` (all axes by default)."""
        axis = _normalize_axis(axis, self.ndim, "sum")
        return _apply(SUM, (self,), (axis, keepdims), self.data, axis, keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """The average over `axis`: Σ x / n (a composition of sum and a product)."""
        axis = _normalize_axis(axis, self.ndim, "mean")
        axes = range(self.ndim) if axis is None else (axis,) if isinstance(axis, int) else axis
        count = math.prod(self.shape[k] for k in axes)
        if count == 0:
            raise ValueError(f"mean: no elements to average over axis {axis} of shape {self.shape}")
        return self.sum(axis, keepdims) * (1.0 / count)

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """The maximum over `axis`; tied maxima share the gradient equally."""
        axis = _normalize_axis(axis, self.ndim, "max")
        if self.data.size == 0:
            raise ValueError(f"max: the tensor of shape {self.shape} is empty")
        return _apply(MAX, (self,), (axis, keepdims), self.data, axis, keepdims)

    def reshape(self, *shape: Any) -> Tensor:
        """The same entries in a new shape: ``x.reshape(2, 3)`` or ``x.reshape((2, 3))``."""
        target = (
            tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        )
        return _apply(RESHAPE, (self,), target, self.data, target)

    def transpose(self, *axes: int) -> Tensor:
        """Axes reversed, or permuted as given: ``x.transpose(1, 0, 2)``."""
        order = tuple(axes[0]) if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        order = order or tuple(reversed(range(self.ndim)))
        if sorted(int(k) % max(self.ndim, 1) for k in order) != list(range(self.ndim)):
            raise ValueError(
                f"transpose: axes {order} are not a permutation for shape {self.shape}"
            )
        order = tuple(int(k) % self.ndim for k in order)
        return _apply(TRANSPOSE, (self,), order, self.data, order)

    @property
    def T(self) -> Tensor:  # noqa: N802 (numpy's name)
        """The transpose (all axes reversed)."""
        return self.transpose()

    def __getitem__(self, index: Any) -> Tensor:
        """Indexing with ints, slices and integer arrays, as numpy."""
        index = _index(index)
        return _apply(GETITEM, (self,), index, self.data, index)

    def log_softmax(self, axis: int = -1) -> Tensor:
        """log softmax(x) = x − log Σ exp(x) over `axis`, computed stably."""
        axis = _normalize_axis(axis, self.ndim, "log_softmax")  # type: ignore[assignment]
        return _apply(LOG_SOFTMAX, (self,), axis, self.data, axis)

    def softmax(self, axis: int = -1) -> Tensor:
        """softmax(x) = exp(x) / Σ exp(x) over `axis` (as exp of log_softmax, so stable)."""
        return self.log_softmax(axis).exp()

    # --- backpropagation -------------------------------------------------------------------------

    def zero_grad(self) -> None:
        """Forget the gradient: ``grad = None`` until the next backward.

        The old array is kept and, if nothing else refers to it by then, the next backward
        writes the new gradient into it. A large parameter then keeps one gradient buffer for
        a whole training run instead of allocating (and page-faulting) a new one every step.

        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> (w * w).sum().backward()
        >>> w.zero_grad()
        >>> print(w.grad)
        None
        """
        if self._op is None and self.grad is not None:
            self._spare = self.grad
        self.grad = None

    def backward(self, gradient: Any = None) -> None:
        """Fill ``.grad`` of every tensor below that requires it with ∂self/∂tensor.

        A scalar (one-element) tensor seeds itself with 1; any other needs `gradient`, an array
        of its shape (the vector in the vector-Jacobian product). Leaves accumulate across calls.
        """
        if gradient is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward: the tensor has shape {self.shape}, not a single number; "
                    "pass gradient= an array of that shape, or reduce it first (e.g. .sum())"
                )
            seed = np.ones(self.shape, dtype=self.dtype)
        else:
            seed = np.asarray(gradient.data if isinstance(gradient, Tensor) else gradient)
            if seed.shape != self.shape:
                raise ValueError(
                    f"backward: gradient has shape {seed.shape}, the tensor has shape {self.shape}"
                )
            seed = seed.astype(self.dtype)
        if not self.requires_grad:
            raise ValueError(
                "backward: this tensor does not depend on any tensor with requires_grad=True"
            )
        backward(self, seed, None)


def _index(index: Any) -> Any:
    """Indices as numpy takes them (Tensors of indices become integer arrays)."""
    if isinstance(index, tuple):
        return tuple(_index(k) for k in index)
    if isinstance(index, Tensor):
        return index.data.astype(np.intp)
    if isinstance(index, list):
        return np.asarray(index)
    return index


# Domain errors are caught by each primitive's own checks; what numpy still flags is overflow
# (exp of a large input, a product past 1.8e308) or, rarely, an invalid result.
_ERRORS = {
    "overflow": (OverflowError, "the result overflows float64"),
    "divide": (ZeroDivisionError, "division by zero"),
    "invalid": (ValueError, "the result is not a real number"),
}
_HINTS = {"exp": " (inputs above 709.78 overflow)", "**": " (scale the base or the exponent down)"}


def _apply(op: _Op, parents: tuple[Tensor, ...], ctx: Any, *args: Any) -> Tensor:
    """Run op's forward on arrays and make the node, or raise an error naming op and shapes."""
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        try:
            data = op.forward(*args)
        except _DomainError as domain:
            raise domain.error from None
        except FloatingPointError as error:
            kind = next((k for k in _ERRORS if k in str(error)), "invalid")
            error_type, what = _ERRORS[kind]
            shapes = " and ".join(str(p.shape) for p in parents)
            hint = _HINTS.get(op.symbol, "")
            raise error_type(f"{op.symbol}: {what} for operands of shape {shapes}{hint}") from None
        except ValueError as error:
            shapes = " and ".join(str(p.shape) for p in parents)
            raise ValueError(
                f"{op.symbol}: operands of shapes {shapes} do not fit: {error}"
            ) from None
        except IndexError as error:
            raise IndexError(f"{op.symbol}: {error} (tensor of shape {parents[0].shape})") from None
    out = Tensor.__new__(Tensor)
    out.data = np.asarray(data)
    out.grad = None
    out.label = ""
    out._ctx = ctx
    out._spare = None
    if GradMode.enabled and any(p.requires_grad for p in parents):
        out.parents = parents
        out._op = op
        out.requires_grad = True
    else:
        out.parents = ()
        out._op = None
        out.requires_grad = False
    return out


def concatenate(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor")
    axis = _normalize_axis(axis, tensors[0].ndim, "concatenate")  # type: ignore[assignment]
    return _apply(CONCATENATE, tuple(tensors), axis, axis, *(t.data for t in tensors))


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along a new axis (each gets a size-1 axis, then they are concatenated)."""
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    ndim = tensors[0].ndim + 1
    axis = _normalize_axis(axis, ndim, "stack")  # type: ignore[assignment]
    expanded = [t.reshape((*t.shape[:axis], 1, *t.shape[axis:])) for t in tensors]
    return concatenate(expanded, axis)


def _calibrate_sole_owner_refs() -> int:
    """The count `_spare_refs` reports for an array that only its tensor holds (interpreters
    differ in how many temporary references a call adds, so measure rather than assume)."""
    probe = Tensor(0.0)
    probe._spare = np.zeros(1)
    return _spare_refs(probe)


_SOLE_OWNER_REFS = _calibrate_sole_owner_refs()
