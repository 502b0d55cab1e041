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
import zlib
from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from tinygrad_edu import _checks, _fast
from tinygrad_edu import primitives as prim
from tinygrad_edu.graph import NodeBase, backward, grad_enabled
from tinygrad_edu.primitives import Primitive, unbroadcast

__all__ = ["Tensor", "as_input", "concatenate", "one_hot", "stack", "unbroadcast", "where"]

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
        if out._stamps is not None:
            _check_unchanged(out)
        # Tensor.backward runs the whole pass in np.errstate(**FLOAT_ERRORS): numpy raises
        # instead of returning inf or nan, in the VJP and in the accumulation (two paths of
        # 1.5e308 each would otherwise add up to inf without a word).
        try:
            if len(parents) == 2:  # most primitives: spelled out, this loop runs per node
                a, b = parents
                needs: tuple[bool, ...] = (a.requires_grad, b.requires_grad)
                grads = self.vjp(g, out, needs, a.data, b.data)
            else:
                needs = tuple(p.requires_grad for p in parents)
                grads = self.vjp(g, out, needs, *(p.data for p in parents))
            for p, need, gp in zip(parents, needs, grads):
                if need and gp is not None:
                    if type(gp) is not np.ndarray:
                        gp = np.asarray(gp)
                    if gp.shape != p.data.shape:
                        gp = unbroadcast(gp, p.data.shape)
                    _accumulate(p, gp)
        except prim.DomainError as domain:
            raise domain.error from None
        except FloatingPointError as error:
            raise ArithmeticError(
                f"{self.symbol}: the gradient is not finite ({error}) for operands of shapes "
                f"{', '.join(str(p.shape) for p in parents)}; scale the inputs or the "
                "loss down"
            ) from None


# CRC-32 reads any contiguous buffer (an ndarray's bytes, uncopied) at several GB/s.
_crc32: Callable[[Any], int] = zlib.crc32
# Above this many entries a CRC would cost a large layer's step several percent (0.25 ms per
# 200,000 float64s, twice per step); a sum of the entries' bits costs a tenth of that.
_CRC_ENTRIES = 1024
_BITS = {4: np.uint32, 8: np.uint64}


def _stamp(data: Array) -> int:
    """A checksum of `data`'s values: it changes when any entry does.

    Up to 1,024 entries, the CRC-32 of their bytes. Above, the sum of their bit patterns as
    unsigned integers (mod 2⁶⁴): any change of one entry changes it, as does any change of
    several short of exchanging values between entries, which a sum cannot see.
    """
    if data.size <= _CRC_ENTRIES:
        try:
            return _crc32(data)
        except (BufferError, ValueError):  # not one block of memory (a strided view): copy it
            return _crc32(data.tobytes())
    flat = np.ascontiguousarray(data).reshape(-1)
    # Read as 8-byte words where the size allows (two float32s a word: the sum runs 3x faster).
    bits = flat.view(np.uint64) if flat.nbytes % 8 == 0 else flat.view(_BITS[flat.itemsize])
    return int(bits.sum(dtype=np.uint64))


def _stamps(parents: tuple[Tensor, ...]) -> tuple[int | None, ...] | None:
    """The stamp of each leaf operand's data (None for computed ones), or None if no leaf.

    Leaves are where data changes in place: ``x.data[0] = 100``, an optimiser's step,
    ``load_state_dict``. A computed node's data is only ever written by its primitive.
    """
    # Written out for one and two operands, the common cases: this runs for every node, and
    # the general line below takes 0.56 µs for two leaves where these take 0.35.
    if len(parents) == 1:
        a = parents[0]
        return None if a._op is not None else (_stamp(a.data),)
    if len(parents) == 2:
        a, b = parents
        if a._op is not None:
            return None if b._op is not None else (None, _stamp(b.data))
        return (_stamp(a.data), None if b._op is not None else _stamp(b.data))
    stamps = tuple(None if p._op is not None else _stamp(p.data) for p in parents)
    return None if stamps.count(None) == len(stamps) else stamps


def _check_unchanged(out: Tensor) -> None:
    """RuntimeError naming the leaf whose data changed since `out` was computed from it.

    Its gradient would be computed from the new values while ``out.data`` holds what the
    old ones gave: a wrong answer without a word. PyTorch refuses this with a version counter
    bumped by its in-place operations; a numpy array can be written without telling anyone,
    so each node keeps a checksum of its leaf operands' values instead.
    """
    for p, stamp in zip(out.parents, out._stamps or ()):
        if stamp is not None and _stamp(p.data) != stamp:
            name = repr(p.label) if p.label else "a tensor"
            raise RuntimeError(
                f"backward: {name} of shape {p.shape} was changed in place after `{out.op}` "
                "used it, so this graph no longer matches its data; run the forward pass "
                "again after changing a tensor (e.g. after optimizer.step()), then backward"
            )


def _accumulate(p: Tensor, gp: Array) -> None:
    """p.grad += gp, as a new array: a gradient array may be shared by several nodes (x + x)."""
    if p.grad is None and _fast.reuse_gradient_buffer(p, gp):
        return
    if gp.dtype != p.data.dtype:
        gp = gp.astype(p.data.dtype)
    if p.grad is None:
        p.grad = gp
        return
    try:
        p.grad = p.grad + gp
    except FloatingPointError:
        name = repr(p.label) if p.label else f"a tensor of shape {p.shape}"
        raise ArithmeticError(
            f"backward: the gradient of {name} overflowed {p.dtype} where its paths add up; "
            "scale the inputs or the loss down"
        ) from None


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
MAXIMUM, MINIMUM, ERF = _Op(prim.MAXIMUM), _Op(prim.MINIMUM), _Op(prim.ERF)
LEAKY_RELU, EXPAND, WHERE = _Op(prim.LEAKY_RELU), _Op(prim.EXPAND), _Op(prim.WHERE)


# --- checking operands ----------------------------------------------------------------------------


def _as_array(data: Any, dtype: Any, what: str) -> Array:
    """`data` as a float64 (or float32) array, or an error naming what was wrong."""
    if isinstance(data, Tensor):
        data = data.data
    elif isinstance(data, numbers.Real) and not isinstance(data, (bool, np.bool_, np.generic)):
        data = float(data)  # Fraction(1, 3) and friends, as Value accepts them
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
    # The dtype rule, as numpy's and PyTorch's: a float32 array stays float32; everything else
    # (Python numbers and lists, ints, float64) becomes float64, unless `dtype` says otherwise.
    # Operations between float32 and float64 give float64 (numpy's promotion).
    if dtype is None:
        dtype = np.float32 if array.dtype == np.float32 else np.float64
    target = np.dtype(dtype)
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
    return _leaf(view)


def _leaf(data: Array) -> Tensor:
    """A constant leaf holding `data` itself (no copy, no checks, requires_grad False)."""
    out = Tensor.__new__(Tensor)
    out.data, out.grad, out.label, out.parents = data, None, "", ()
    out.requires_grad, out._op, out._ctx, out._spare = False, None, None, None
    out._stamps = None
    return out


def _normalize_axis(axis: Axis, ndim: int, op: str) -> Axis:
    """`axis` with negative entries resolved, or a ValueError naming the op and the shape."""
    if axis is None:
        return None
    if not isinstance(axis, (int, np.integer, tuple, list)) or isinstance(axis, bool):
        raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
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

    As in PyTorch, ``==``, ``<`` and the other comparisons compare entries and return a mask
    Tensor of 0.0 and 1.0, so a Tensor is not hashable by value: it hashes by identity (sets
    and dict keys hold *that* tensor), and ``bool()`` of a tensor with several entries raises
    (so ``t in [a, b]`` raises instead of answering by accident).

    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()          # ∂(Σ x²)/∂x = 2x
    >>> x.grad
    array([2., 4., 6.])
    """

    # _spare: the array of a parameter's last gradient, kept by zero_grad() for reuse.
    # _stamps: checksums of the leaf operands' data when this node was computed (see
    # _check_unchanged); None for leaves and for nodes without leaf operands.
    __slots__ = (
        "_ctx",
        "_op",
        "_spare",
        "_stamps",
        "data",
        "grad",
        "label",
        "parents",
        "requires_grad",
    )

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
    _stamps: tuple[int | None, ...] | None

    def __init__(
        self, data: Any, requires_grad: bool = False, label: str = "", dtype: Any = None
    ) -> None:
        """A leaf holding a copy of `data`: float32 if it is a float32 array, else float64
        (``dtype=`` chooses); float32 with float64 in one operation gives float64, as numpy."""
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
        self._stamps = None

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

    def __bool__(self) -> bool:
        """The truth of a one-entry tensor; ValueError for more entries (which one is meant?)."""
        if self.data.size != 1:
            raise ValueError(
                f"bool: the truth value of a tensor of shape {self.shape} is ambiguous; use "
                "(x > 0).sum(), x.max() or .item() to say which number you mean"
            )
        return bool(self.data.reshape(()))

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
        if (type(other) is float or type(other) is int) and self.data.dtype == np.float64:
            # A constant such as the ½ in ½(t − a)²: the fast path of the checks below.
            try:
                constant = float(other)
            except OverflowError:  # an int past 1.8e308
                constant = math.inf
            if not math.isfinite(constant):
                raise ValueError(f"Tensor: a constant operand must be finite, got {other!r}")
            return _leaf(np.array(constant))
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

    def maximum(self, other: Any) -> Tensor:
        """max(self, other) entry by entry, broadcasting; ties share the gradient, ½ each.

        >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> x.maximum(2.0).sum().backward()
        >>> x.grad.tolist()                # 0 below, ½ at the tie, 1 above
        [0.0, 0.5, 1.0]
        """
        return _or_type_error(self._binary(MAXIMUM, other), "maximum", other)

    def minimum(self, other: Any) -> Tensor:
        """min(self, other) entry by entry, broadcasting; ties share the gradient, ½ each."""
        return _or_type_error(self._binary(MINIMUM, other), "minimum", other)

    def erf(self) -> Tensor:
        """erf(x) = 2/√π ∫₀ˣ e^−t² dt, entry by entry; its derivative is 2/√π · e^−x²."""
        return _apply(ERF, (self,), None, self.data)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """x where x > 0, negative_slope·x elsewhere; gradient `negative_slope` at 0 (PyTorch)."""
        return self._binary(LEAKY_RELU, _checks.real(negative_slope, "leaky_relu: negative_slope"))

    def square(self) -> Tensor:
        """x², entry by entry (a composition: x ** 2)."""
        return self**2

    def silu(self) -> Tensor:
        """SiLU (swish): x·σ(x), entry by entry (a composition of * and sigmoid)."""
        return self * self.sigmoid()

    def gelu(self, approximate: str = "none") -> Tensor:
        """GELU: x·Φ(x) = ½x·(1 + erf(x/√2)), or ``approximate="tanh"``, composed as PyTorch."""
        result: Tensor = prim.gelu(self, approximate)
        return result

    def clip(self, lo: float | None = None, hi: float | None = None) -> Tensor:
        """Entries limited to [lo, hi] (None: no bound); gradient [lo ≤ x ≤ hi], as PyTorch's
        clamp: a composition, where(lo ≤ x ≤ hi, x, the bound x crossed).

        >>> x = Tensor([-2.0, 0.5, 1.0, 3.0], requires_grad=True)
        >>> y = x.clip(-1.0, 1.0)
        >>> y.sum().backward()
        >>> y.data.tolist(), x.grad.tolist()
        ([-1.0, 0.5, 1.0, 1.0], [0.0, 1.0, 1.0, 0.0])
        """
        low, high = prim.clip_bounds(lo, hi, "clip")
        a = self.data
        crossed = np.where(a < low, low, np.where(a > high, high, 0.0)).astype(self.dtype)
        return where((a >= low) & (a <= high), self, _leaf(crossed))

    # --- comparisons: masks with no gradient -------------------------------------------------
    #
    # A comparison's derivative is 0 wherever it exists, so its result is a constant leaf of
    # 0.0 and 1.0 (this tensor's dtype) with requires_grad=False, as in PyTorch.

    def _compare(self, other: Any, test: Any, symbol: str, method: bool = False) -> Tensor:
        lifted = self._lift(other)
        if lifted is None:
            if method:
                raise TypeError(f"{symbol}: other must be a Tensor or numbers, got {other!r:.60}")
            return NotImplemented  # type: ignore[no-any-return]
        try:
            mask = test(self.data, lifted.data)
        except ValueError:
            raise ValueError(
                f"{symbol}: operands of shapes {self.shape} and {lifted.shape} do not broadcast"
            ) from None
        return _leaf(np.asarray(mask, dtype=self.dtype))

    def __lt__(self, other: Any) -> Tensor:
        """[self < other] entry by entry: a mask of 0.0 and 1.0 with no gradient.

        >>> (Tensor([1.0, 2.0, 3.0]) < 2.5).data.tolist()
        [1.0, 1.0, 0.0]
        """
        return self._compare(other, np.less, "<")

    def __le__(self, other: Any) -> Tensor:
        """[self ≤ other] entry by entry, as a 0/1 mask with no gradient."""
        return self._compare(other, np.less_equal, "<=")

    def __gt__(self, other: Any) -> Tensor:
        """[self > other] entry by entry, as a 0/1 mask with no gradient."""
        return self._compare(other, np.greater, ">")

    def __ge__(self, other: Any) -> Tensor:
        """[self ≥ other] entry by entry, as a 0/1 mask with no gradient."""
        return self._compare(other, np.greater_equal, ">=")

    def __eq__(self, other: object) -> Tensor:  # type: ignore[override]
        """[self = other] entry by entry, as a 0/1 mask Tensor (not a bool), as PyTorch."""
        return self._compare(other, np.equal, "==")

    def __ne__(self, other: object) -> Tensor:  # type: ignore[override]
        """[self ≠ other] entry by entry, as a 0/1 mask Tensor (not a bool)."""
        return self._compare(other, np.not_equal, "!=")

    # == compares entries, so Python would make Tensors unhashable; hash by identity instead,
    # as PyTorch does: sets and dicts of tensors hold those very tensors.
    __hash__ = object.__hash__

    def lt(self, other: Any) -> Tensor:
        """self < other (the method form, as PyTorch's and Value's)."""
        return self._compare(other, np.less, "lt", method=True)

    def le(self, other: Any) -> Tensor:
        """self <= other (the method form)."""
        return self._compare(other, np.less_equal, "le", method=True)

    def gt(self, other: Any) -> Tensor:
        """self > other (the method form)."""
        return self._compare(other, np.greater, "gt", method=True)

    def ge(self, other: Any) -> Tensor:
        """self >= other (the method form)."""
        return self._compare(other, np.greater_equal, "ge", method=True)

    def eq(self, other: Any) -> Tensor:
        """self == other (the method form)."""
        return self._compare(other, np.equal, "eq", method=True)

    def ne(self, other: Any) -> Tensor:
        """self != other (the method form)."""
        return self._compare(other, np.not_equal, "ne", method=True)

    # --- reductions --------------------------------------------------------------------------

    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Σ over `axis` (all axes by default)."""
        axis = _normalize_axis(axis, self.ndim, "sum")
        return _apply(SUM, (self,), (axis, keepdims), self.data, axis, keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """The average over `axis`: Σ x / n (a composition of sum and a product)."""
        axis = _normalize_axis(axis, self.ndim, "mean")
        count = self._count(axis)
        if count == 0:
            raise ValueError(f"mean: no elements to average over axis {axis} of shape {self.shape}")
        return self.sum(axis, keepdims) * (1.0 / count)

    def _count(self, axis: Axis) -> int:
        """How many entries each result of a reduction over (normalized) `axis` gathers."""
        axes = range(self.ndim) if axis is None else (axis,) if isinstance(axis, int) else axis
        return math.prod(self.shape[k] for k in axes)

    def var(self, axis: Axis = None, keepdims: bool = False, correction: float = 1) -> Tensor:
        """Variance Σ (x − x̄)² / (n − correction) over `axis`; correction=1 (the default, as
        PyTorch's) is the unbiased estimate, numpy's ``ddof=1``; correction=0 divides by n.

        A composition: d = x − mean(x), then sum(d²) / (n − correction).

        >>> x = Tensor([1.0, 2.0, 3.0, 4.0])
        >>> round(x.var().item(), 6), x.var(correction=0).item()     # 5/3 and 5/4
        (1.666667, 1.25)
        """
        axis = _normalize_axis(axis, self.ndim, "var")
        correction = _checks.non_negative(correction, "var: correction")
        count = self._count(axis)
        if count - correction <= 0:
            raise ValueError(
                f"var: {count} entries per result over axis {axis} of shape {self.shape} leave "
                f"no degrees of freedom with correction={correction:g}; need n > correction"
            )
        d = self - self.mean(axis, keepdims=True)
        return d.square().sum(axis, keepdims) * (1.0 / (count - correction))

    def std(self, axis: Axis = None, keepdims: bool = False, correction: float = 1) -> Tensor:
        """Standard deviation √var over `axis` (correction=1 by default, as PyTorch's; see
        `var`). Its gradient is infinite where all entries are equal, and backward says so."""
        return self.var(axis, keepdims, correction).sqrt()

    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """log Σ exp(x) over `axis` (all axes by default), stable for any x.

        A composition: m + log Σ exp(x − m) with m = max x held constant, so no exp()
        overflows; the gradient, softmax(x), is unchanged because the m's cancel.

        >>> Tensor([1000.0, 1000.0]).logsumexp().item() == 1000.0 + math.log(2.0)
        True
        """
        axis = _normalize_axis(axis, self.ndim, "logsumexp")
        if self.data.size == 0:
            raise ValueError(f"logsumexp: the tensor of shape {self.shape} is empty")
        m = _leaf(self.data.max(axis=axis, keepdims=True))
        out = (self - m).exp().sum(axis, keepdims=True).log() + m
        return out if keepdims else out.squeeze(axis)

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Any:
        """The index of the largest entry along `axis` (the first, at ties), with no gradient:
        an int for axis=None (an index into the flattened tensor), else an int array.

        PyTorch returns a tensor of int64; this Tensor holds floats only, so the indices come
        as numpy integers, ready for indexing.

        >>> Tensor([[1.0, 5.0], [7.0, 2.0]]).argmax(axis=1).tolist()
        [1, 0]
        """
        return self._arg(np.argmax, "argmax", axis, keepdims)

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Any:
        """The index of the smallest entry along `axis` (the first, at ties); see `argmax`."""
        return self._arg(np.argmin, "argmin", axis, keepdims)

    def _arg(self, pick: Any, name: str, axis: int | None, keepdims: bool) -> Any:
        if axis is not None and not isinstance(axis, (int, np.integer)):
            raise TypeError(f"{name}: axis must be an int or None, got {axis!r}")
        axis = _normalize_axis(axis, self.ndim, name)  # type: ignore[assignment]
        if self.data.size == 0:
            raise ValueError(f"{name}: the tensor of shape {self.shape} is empty")
        index = pick(self.data, axis=axis, keepdims=keepdims)
        return int(index) if axis is None and not keepdims else np.asarray(index)

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
        for n in target:
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
                raise TypeError(f"reshape: sizes must be whole numbers, got {target!r}")
        return _apply(RESHAPE, (self,), target, self.data, target)

    def squeeze(self, axis: Axis = None) -> Tensor:
        """Size-1 axes removed: all of them, or those of `axis` (a reshape).

        As PyTorch, an axis of `axis` whose size is not 1 is kept (numpy raises instead).

        >>> Tensor(np.zeros((2, 1, 3, 1))).squeeze().shape
        (2, 3)
        >>> Tensor(np.zeros((2, 1))).squeeze(0).shape      # axis 0 has size 2: kept
        (2, 1)
        """
        axis = _normalize_axis(axis, self.ndim, "squeeze")
        axes = range(self.ndim) if axis is None else (axis,) if isinstance(axis, int) else axis
        drop = {k for k in axes if self.shape[k] == 1}
        return self.reshape(tuple(n for k, n in enumerate(self.shape) if k not in drop))

    def unsqueeze(self, axis: int) -> Tensor:
        """A new size-1 axis at position `axis` (−1: last), a reshape: (3,) → (1, 3) at 0.

        >>> Tensor([1.0, 2.0, 3.0]).unsqueeze(-1).shape
        (3, 1)
        """
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"unsqueeze: axis must be an int, got {axis!r}")
        k = cast(int, _normalize_axis(axis, self.ndim + 1, "unsqueeze"))
        return self.reshape((*self.shape[:k], 1, *self.shape[k:]))

    def flatten(self, start_axis: int = 0, end_axis: int = -1) -> Tensor:
        """Axes start_axis..end_axis (inclusive) merged into one, a reshape; PyTorch calls them
        start_dim and end_dim. (2, 3, 4).flatten(1) has shape (2, 12).

        >>> Tensor(np.zeros((2, 3, 4))).flatten(1).shape
        (2, 12)
        """
        if self.ndim == 0:
            return self.reshape(1)
        start = cast(int, _normalize_axis(start_axis, self.ndim, "flatten"))
        end = cast(int, _normalize_axis(end_axis, self.ndim, "flatten"))
        if start > end:
            raise ValueError(
                f"flatten: start_axis {start_axis} comes after end_axis {end_axis} "
                f"for a tensor of {self.ndim} dims"
            )
        merged = math.prod(self.shape[start : end + 1])
        return self.reshape((*self.shape[:start], merged, *self.shape[end + 1 :]))

    def expand(self, *shape: int) -> Tensor:
        """The tensor broadcast to `shape` (−1: keep that axis's size), as PyTorch's expand:
        size-1 axes are repeated and new axes may be added in front; the gradient is summed
        back over the copies.

        >>> Tensor([[1.0], [2.0]]).expand(2, 3).data.tolist()
        [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]
        """
        sizes = (
            tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        )
        extra = len(sizes) - self.ndim
        target = []
        for k, n in enumerate(sizes):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
                raise TypeError(f"expand: sizes must be ints, got {sizes!r}")
            own = self.shape[k - extra] if k >= extra else None
            size = own if n == -1 and own is not None else int(n)
            if size < 0 or (own is not None and own not in (1, size)):
                raise ValueError(f"expand: cannot expand shape {self.shape} to {sizes}")
            target.append(size)
        if extra < 0:
            raise ValueError(f"expand: shape {sizes} has fewer axes than the tensor's {self.shape}")
        return _apply(EXPAND, (self,), tuple(target), self.data, tuple(target))

    def transpose(self, *axes: int) -> Tensor:
        """Axes reversed, or permuted as given: ``x.transpose(1, 0, 2)``."""
        if not axes:  # all axes reversed (x.T): always a permutation, nothing to check
            order = tuple(range(self.ndim - 1, -1, -1))
            return _apply(TRANSPOSE, (self,), order, self.data, order)
        order = tuple(axes[0]) if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        if any(
            isinstance(k, bool)
            or not isinstance(k, (int, np.integer))
            or not -self.ndim <= k < self.ndim
            for k in order
        ) or sorted(int(k) % max(self.ndim, 1) for k in order) != list(range(self.ndim)):
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

        A large parameter's old array (4,096 entries or more) is kept and, if nothing else
        refers to it by then, the next backward writes the new gradient into it: one gradient
        buffer for a whole training run instead of a new one (and its page faults) every step.
        For a small one, a fresh array is cheaper than the copy.

        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> (w * w).sum().backward()
        >>> w.zero_grad()
        >>> print(w.grad)
        None
        """
        if self._op is None and self.grad is not None and self.grad.size >= _REUSE_ENTRIES:
            self._spare = self.grad
        self.grad = None

    def backward(self, gradient: Any = None) -> None:
        """Fill ``.grad`` of every tensor below that requires it with ∂self/∂tensor.

        A scalar (one-element) tensor seeds itself with 1; any other needs `gradient`, an array
        of its shape (the vector in the vector-Jacobian product). Leaves accumulate across calls.

        The graph must still match its data: if a leaf it was computed from has changed in
        place since (``x.data[0] = 100``, ``optimizer.step()``), backward raises RuntimeError
        naming it instead of mixing new values into old results; run the forward pass again.

        >>> x = Tensor([1.0, 2.0], requires_grad=True, label="x")
        >>> y = (x * x).sum()
        >>> x.data[0] = 100.0
        >>> y.backward()
        Traceback (most recent call last):
        ...
        RuntimeError: backward: 'x' of shape (2,) was changed in place after `*` used it, ...
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
            if seed.dtype.kind not in "iuf":
                raise TypeError(
                    f"backward: gradient must hold real numbers, got dtype {seed.dtype}"
                    + (" (booleans: use 0.0 and 1.0)" if seed.dtype.kind == "b" else "")
                )
            if seed.shape != self.shape:
                raise ValueError(
                    f"backward: gradient has shape {seed.shape}, the tensor has shape {self.shape}"
                )
            seed = seed.astype(self.dtype)
            _check_finite(seed, "backward: gradient")
        if not self.requires_grad:
            raise ValueError(
                "backward: this tensor does not depend on any tensor with requires_grad=True"
            )
        # One floating-point context for the whole pass, not one per node (each costs ~1 µs).
        with np.errstate(**prim.FLOAT_ERRORS):
            backward(self, seed, None)


def _or_type_error(out: Tensor, name: str, other: object) -> Tensor:
    """`out`, unless the method's operand was not numeric (NotImplemented): then TypeError."""
    if out is NotImplemented:
        raise TypeError(f"{name}: other must be a Tensor or numbers, got {type(other).__name__}")
    return out


def _is_number(x: Any) -> bool:
    """A plain number (not a bool, not an array): a constant operand."""
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def _index(index: Any) -> Any:
    """Indices as numpy takes them (Tensors of indices become integer arrays)."""
    if isinstance(index, tuple):
        return tuple(_index(k) for k in index)
    if isinstance(index, Tensor):
        data = index.data
        if data.size and not np.array_equal(data, np.round(data)):
            bad = data[data != np.round(data)].ravel()[0]
            raise IndexError(
                f"[]: indices must be whole numbers, got {float(bad)!r} (a float index would be "
                "truncated, silently picking another entry)"
            )
        if data.size and np.abs(data).max() >= 2**62:  # the cast would wrap 1e20 to −2⁶³
            raise IndexError(f"[]: index {float(np.abs(data).max()):g} is out of range")
        return data.astype(np.intp)
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
# exp overflows above log(the dtype's largest number): 709.78 for float64, 88.72 for float32.
_EXP_LIMITS = {np.dtype(np.float64): 709.78, np.dtype(np.float32): 88.72}
_HINTS = {"**": " (scale the base or the exponent down)"}


# Tensor.zero_grad keeps a gradient array this large for the next backward to write into.
_REUSE_ENTRIES = 4096
_new_tensor = object.__new__  # a node without __init__'s checks: _apply sets every slot


def _apply(op: _Op, parents: tuple[Tensor, ...], ctx: Any, *args: Any) -> Tensor:
    """Run op's forward on arrays and make the node, or raise an error naming op and shapes."""
    try:
        with np.errstate(**prim.FLOAT_ERRORS):
            data = op.forward(*args)
    except prim.DomainError as domain:
        raise domain.error from None
    except FloatingPointError as error:
        kind = next((k for k in _ERRORS if k in str(error)), "invalid")
        error_type, what = _ERRORS[kind]
        if parents:  # the limit is the operands' dtype's: float32 overflows far sooner
            what = what.replace("float64", str(parents[0].dtype))
        shapes = " and ".join(str(p.shape) for p in parents)
        hint = _HINTS.get(op.symbol, "")
        if op is EXP:
            limit = _EXP_LIMITS.get(parents[0].dtype, 709.78)
            hint = f" (inputs above {limit} overflow {parents[0].dtype})"
        raise error_type(f"{op.symbol}: {what} for operands of shape {shapes}{hint}") from None
    except ValueError as error:
        shapes = " and ".join(str(p.shape) for p in parents)
        raise ValueError(f"{op.symbol}: operands of shapes {shapes} do not fit: {error}") from None
    except IndexError as error:
        raise IndexError(f"{op.symbol}: {error} (tensor of shape {parents[0].shape})") from None
    out = _new_tensor(Tensor)
    out.data = data if type(data) is np.ndarray else np.asarray(data)  # reductions give scalars
    out.grad = None
    out.label = ""
    out._ctx = ctx
    out._spare = None
    # Spelled out for one and two operands (most primitives): this runs for every node.
    if len(parents) == 2:
        records = parents[0].requires_grad or parents[1].requires_grad
    elif len(parents) == 1:
        records = parents[0].requires_grad
    else:
        records = any(p.requires_grad for p in parents)
    if records and grad_enabled():
        out.parents = parents
        out._op = op
        out.requires_grad = True
        out._stamps = _stamps(parents)
    else:
        out.parents = ()
        out._op = None
        out.requires_grad = False
        out._stamps = None
    return out


def where(mask: Any, a: Any, b: Any) -> Tensor:
    """a where `mask` holds, b elsewhere, entry by entry with broadcasting (torch.where).

    `mask` is a comparison's 0/1 Tensor, a boolean array, or numbers (nonzero holds); it gets
    no gradient. a and b are Tensors or numbers; each receives the gradient where it was
    chosen.

    >>> x = Tensor([-1.0, 2.0], requires_grad=True)
    >>> y = where(x > 0, x, 0.0)             # relu, as a where
    >>> y.sum().backward()
    >>> y.data.tolist(), x.grad.tolist()
    ([0.0, 2.0], [0.0, 1.0])
    """
    condition = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
    if condition.dtype.kind not in "biuf":
        raise TypeError(
            f"where: mask must be booleans or numbers (e.g. x > 0), got dtype {condition.dtype}"
        )
    like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else None
    dtype = None if like is None else like.dtype
    operands = []
    for name, x in (("a", a), ("b", b)):
        if isinstance(x, Tensor):
            operands.append(x)
        elif _is_number(x) or isinstance(x, (np.ndarray, list, tuple)):
            operands.append(Tensor(x, dtype=dtype if _is_number(x) else None))
        else:
            raise TypeError(f"where: {name} must be a Tensor or numbers, got {type(x).__name__}")
    ta, tb = operands
    try:
        np.broadcast_shapes(condition.shape, ta.shape, tb.shape)
    except ValueError:
        raise ValueError(
            f"where: mask of shape {condition.shape}, a of shape {ta.shape} and b of shape "
            f"{tb.shape} do not broadcast together"
        ) from None
    condition = condition != 0
    return _apply(WHERE, (ta, tb), condition, ta.data, tb.data, condition)


def one_hot(indices: Any, num_classes: int = -1, dtype: Any = None) -> Tensor:
    """Rows of the identity: out[..., k] = 1.0 where k = indices[...], else 0.0 (no gradient).

    `indices` are whole numbers in [0, num_classes) (a list, an int array, or a Tensor of
    whole floats); num_classes=-1 takes max(indices) + 1, as PyTorch. The result has shape
    (*indices.shape, num_classes) and holds floats (PyTorch's holds int64): this Tensor holds
    float64 or float32 only, ready to multiply.

    >>> one_hot([0, 2], 3).data.tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    raw = indices.data if isinstance(indices, Tensor) else indices
    try:
        array = np.asarray(raw)
    except ValueError as error:
        raise TypeError(
            f"one_hot: cannot make an array of indices from {raw!r:.60} ({error})"
        ) from None
    whole = array.dtype.kind == "f" and bool(np.all(np.isfinite(array)))
    if whole and np.all(array == np.round(array)):
        array = array.astype(np.intp)  # a Tensor of labels holds floats: whole ones are fine
    if array.dtype.kind not in "iu":
        raise TypeError(f"one_hot: indices must be whole numbers, got {raw!r:.60}")
    if isinstance(num_classes, (int, np.integer)) and num_classes == -1:
        if array.size == 0:
            raise ValueError("one_hot: no indices to infer num_classes from; pass num_classes")
        classes = int(array.max()) + 1
    else:
        classes = _checks.whole(num_classes, "one_hot: num_classes")
    if array.size and (array.min() < 0 or array.max() >= classes):
        bad = array[(array < 0) | (array >= classes)].ravel()[0]
        raise ValueError(f"one_hot: index {int(bad)} is outside [0, {classes})")
    target = np.dtype(np.float64 if dtype is None else dtype)
    if target not in _FLOAT_DTYPES:
        raise ValueError(f"one_hot: dtype must be float64 or float32, got {target}")
    return _leaf(np.eye(classes, dtype=target)[array])


def concatenate(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis; the gradient is split back into the pieces.

    >>> a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    >>> c = concatenate([a, b])
    >>> c.data.tolist()
    [1.0, 2.0, 3.0]
    >>> (c * Tensor([1.0, 2.0, 3.0])).sum().backward()
    >>> a.grad.tolist(), b.grad.tolist()
    ([1.0, 2.0], [3.0])
    """
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor")
    axis = _normalize_axis(axis, tensors[0].ndim, "concatenate")  # type: ignore[assignment]
    return _apply(CONCATENATE, tuple(tensors), axis, axis, *(t.data for t in tensors))


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along a new axis (each gets a size-1 axis, then they are concatenated).

    >>> x, y = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])
    >>> s = stack([x, y])
    >>> s.shape
    (2, 2)
    >>> s.sum().backward()
    >>> x.grad.tolist()
    [1.0, 1.0]
    """
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    ndim = tensors[0].ndim + 1
    axis = _normalize_axis(axis, ndim, "stack")  # type: ignore[assignment]
    expanded = [t.reshape((*t.shape[:axis], 1, *t.shape[axis:])) for t in tensors]
    return concatenate(expanded, axis)
