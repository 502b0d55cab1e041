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
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from tinygrad_edu import _fast
from tinygrad_edu import primitives as prim
from tinygrad_edu.graph import GradMode, NodeBase, backward
from tinygrad_edu.primitives import Primitive, unbroadcast

__all__ = ["Tensor", "as_input", "concatenate", "stack", "unbroadcast"]

Array = npt.NDArray[Any]
Axis = int | tuple[int, ...] | None
_FLOAT_DTYPES = {np.dtype(np.float64), np.dtype(np.float32)}


# --- the primitives, as the Tensor engine runs them ----------------------------------------------


class _Op:
    """A primitive's array rule (forward and VJP), and the backward step every one shares."""

    __slots__ = ("forward", "primitive", "symbol", "vjp")

    def __init__(self, primitive: Primitive) -> None:
        if primitive.array is None:
            raise ValueError(f"{primitive!r} has no array rule for the Tensor engine")
        self.primitive = primitive  # everything else known about it: formulas, domain, ...
        self.symbol = primitive.symbol
        self.forward, self.vjp = primitive.array

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
            except prim.DomainError as domain:
                raise domain.error from None
            except FloatingPointError as error:
                raise ArithmeticError(
                    f"{self.symbol}: the gradient is not finite ({error}) for operands of shapes "
                    f"{', '.join(str(p.shape) for p in parents)}"
                ) from None
        for p, need, gp in zip(parents, needs, grads):
            if need and gp is not None:
                gp = unbroadcast(np.asarray(gp), p.data.shape)
                if p.grad is None and _fast.reuse_gradient_buffer(p, gp):
                    continue
                if gp.dtype != p.data.dtype:
                    gp = gp.astype(p.data.dtype)
                # Not `+=`: a gradient array may be shared by several nodes (x + x).
                p.grad = gp if p.grad is None else p.grad + gp


ADD, SUB, MUL, DIV = _Op(prim.ADD), _Op(prim.SUB), _Op(prim.MUL), _Op(prim.DIV)
POW, POW_CONST, POW_CONST_BASE = _Op(prim.POW), _Op(prim.POW_CONST), _Op(prim.POW_CONST_BASE)
MATMUL, NEG, EXP, LOG, SQRT = (
    _Op(prim.MATMUL),
    _Op(prim.NEG),
    _Op(prim.EXP),
    _Op(prim.LOG),
    _Op(prim.SQRT),
)
TANH, SIGMOID, RELU, ABS = _Op(prim.TANH), _Op(prim.SIGMOID), _Op(prim.RELU), _Op(prim.ABS)
SOFTPLUS, SUM, MAX, RESHAPE = _Op(prim.SOFTPLUS), _Op(prim.SUM), _Op(prim.MAX), _Op(prim.RESHAPE)
TRANSPOSE, GETITEM, CONCATENATE = _Op(prim.TRANSPOSE), _Op(prim.GETITEM), _Op(prim.CONCATENATE)
LOG_SOFTMAX = _Op(prim.LOG_SOFTMAX)


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


def as_input(data: Any, dtype: Any, what: str) -> Tensor:
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


class Tensor(NodeBase):
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
        """self ** other, element by element; a plain-number exponent is a constant."""
        return self._binary(POW_CONST if _is_number(other) else POW, other)

    def __rpow__(self, other: Any) -> Tensor:
        """other ** self, e.g. ``2 ** x``; ∂/∂x = other**x · log(other)."""
        return self._binary(POW_CONST_BASE if _is_number(other) else POW, other, reflected=True)

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


def _is_number(x: Any) -> bool:
    """A plain number (not a bool, not an array): a constant operand."""
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


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
        except prim.DomainError as domain:
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
