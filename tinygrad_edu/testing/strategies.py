"""Hypothesis strategies for gradient tests: inputs, random graphs and nets (the ``test`` extra).

Everything is read from the primitive catalogue (`tinygrad_edu.primitives.CATALOGUE`): which
primitives exist, where each operand may lie (``domain.operands`` and ``where``), and the box
property tests draw from (``domain.sample``). A primitive added to the catalogue is drawn too.

- `floats_in(primitive, operand)`: floats in one operand's sample box, away from its kinks.
- `expressions(...)`: random DAGs over Values with shared subexpressions; `tensor_expressions`
  the same over Tensors with broadcasting shapes. Each draw has ``f`` and ``inputs``, so that
  ``gradcheck(e.f, *e.inputs)`` checks it.
- `mlps(...)`, `nets222()`: models with inputs and targets; `tensors`, `broadcastable_shapes`.

A random graph is built by *replaying a drawn recipe*: a list of steps (which primitive, which
earlier nodes, which constants). A step that would leave its primitive's domain, grow a value
past `VALUE_BOUND` or a derivative past `GRADIENT_BOUND`, or sit so near a kink (relu at 0, a
tie of maximum) that gradcheck's finite differences could cross it, is skipped. So every draw
is in-domain and finite, and shrinking (dropping steps, picking the latest node) lands on small
graphs.

>>> from hypothesis import find
>>> e = find(expressions(), lambda e: e.size >= 2)      # the smallest graph of two operations
>>> e.size
2
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np

try:
    from hypothesis import assume
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as error:  # pragma: no cover - exercised without the extra installed
    raise ImportError(
        'tinygrad_edu.testing.strategies needs Hypothesis: pip install "tinygrad-edu[test]"'
    ) from error

from tinygrad_edu import primitives as prim
from tinygrad_edu import tensor as tensor_engine
from tinygrad_edu import value as value_engine
from tinygrad_edu.graph import topological_order
from tinygrad_edu.nn import ACTIVATIONS, MLP, TensorMLP
from tinygrad_edu.primitives import Primitive, Sample
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.testing import GRADCHECK_STEP, check_module_grads, gradcheck
from tinygrad_edu.value import Value

__all__ = [
    "GRADIENT_BOUND",
    "KINK_SAFETY",
    "MUTATIONS",
    "VALUE_BOUND",
    "Expression",
    "MLPCase",
    "Net222Case",
    "TensorExpression",
    "apply_primitive",
    "broadcastable_shapes",
    "check_expression",
    "elementwise_primitives",
    "expressions",
    "floats_in",
    "mlps",
    "nets222",
    "tensor_expressions",
    "tensors",
    "wrong_derivative",
]

# --- the bounds every generated graph keeps -------------------------------------------------
#: No value of a generated graph exceeds this in magnitude (so nothing overflows downstream).
VALUE_BOUND = 1e4
#: No derivative of a node with respect to an input exceeds this (gradients stay finite).
GRADIENT_BOUND = 1e4
#: A node's operands must move less than 1/KINK_SAFETY of the way to a kink (or a change of its
#: local derivative) when gradcheck perturbs any input by its largest step.
KINK_SAFETY = 4.0
#: How much the local derivative of a piecewise primitive (one with a `convention`) may change
#: over that perturbation: crossing a kink changes it by ½ or more (relu 1 → 0, maximum 1 → ½).
SMOOTH_CHANGE = 0.1


# --- floats from the catalogue ------------------------------------------------------------------


def _reals(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def _from_sample(sample: Sample, bound: float | None = None) -> st.SearchStrategy[float]:
    """Floats in [low, high] (∩ [−bound, bound]) keeping `gap` away from each `avoid` point."""
    low, high = sample.low, sample.high
    if bound is not None:
        low, high = max(low, -bound), min(high, bound)
    if low > high:
        raise ValueError(f"floats_in: the sample box [{sample.low}, {sample.high}] misses ±{bound}")
    pieces = [(low, high)]
    for point in sorted(sample.avoid):
        pieces = [
            part
            for a, b in pieces
            for part in ((a, min(b, point - sample.gap)), (max(a, point + sample.gap), b))
            if part[0] <= part[1]
        ]
    return st.one_of(*(_reals(a, b) for a, b in pieces))


def floats_in(
    primitive: Primitive, operand: int = 0, *, bound: float | None = None
) -> st.SearchStrategy[float]:
    """Floats in the catalogue's safe box for `operand` of `primitive` (within ±bound if given).

    >>> from tinygrad_edu.primitives import LOG
    >>> from hypothesis import find
    >>> find(floats_in(LOG), lambda x: True) > 0             # log's operand is positive
    True
    """
    samples = primitive.domain.sample
    if not 0 <= operand < len(samples):
        raise ValueError(
            f"floats_in: {primitive.name} has {len(samples)} operand(s), got operand={operand}"
        )
    return _from_sample(samples[operand], bound)


# --- which primitives a graph can use --------------------------------------------------------


def elementwise_primitives(engine: str = "value") -> tuple[Primitive, ...]:
    """The catalogue's primitives a random graph can use: one or two operands, a scalar rule
    (and an array rule, for ``engine="tensor"``)."""
    return tuple(
        p
        for p in prim.CATALOGUE
        if p.scalar is not None
        and p.arity in (1, 2)
        and (engine == "value" or p.array is not None)
        and _kernel(p, engine) is not None
    )


def _kernel(p: Primitive, engine: str) -> Any:
    """The engine's kernel object for `p` (value.SIGMOID, tensor.SIGMOID, …), found by reading
    the engine module, or None."""
    module: Any = value_engine if engine == "value" else tensor_engine
    for candidate in vars(module).values():
        if getattr(candidate, "primitive", None) is p and hasattr(candidate, "forward"):
            return candidate
    return None


def _constants(p: Primitive) -> tuple[bool, ...]:
    """Which operands are constants (no gradient taken: the c of x ** c, of leaky_relu)."""
    return tuple(flow.startswith("none") for flow in p.vjp)


def _resolve(ops: Iterable[Primitive | str] | None, engine: str) -> tuple[Primitive, ...]:
    usable = elementwise_primitives(engine)
    if ops is None:
        return usable
    chosen: list[Primitive] = []
    for op in ops:
        found = [p for p in usable if p is op or (isinstance(op, str) and op in (p.name, p.symbol))]
        if not found:
            names = ", ".join(sorted({p.name for p in usable}))
            raise ValueError(f"expressions: {op!r} is not a primitive graphs can use ({names})")
        chosen.extend(p for p in found if p not in chosen)
    return tuple(chosen)


# --- recipes and their replay -------------------------------------------------------------------


class Step(NamedTuple):
    """One drawn step of a recipe: a primitive (by index), operands (by how far back), and a
    number in [0, 1] per operand that becomes a constant where the primitive needs one."""

    op: int
    picks: tuple[int, int]
    fractions: tuple[float, float]


# A node of a plan: ("input", k), or (primitive, operands) with each operand an earlier node's
# index or a constant float.
Operand = int | float


@dataclass(frozen=True)
class PlanNode:
    """One operation of a built graph: `primitive` applied to earlier nodes and constants."""

    primitive: Primitive
    operands: tuple[tuple[str, Operand], ...]  # ("node", index) or ("const", number)


def _radius(tangent: np.ndarray[Any, Any], steps: np.ndarray[Any, Any]) -> float:
    """How far gradcheck's largest perturbation of any one input moves this node, times safety."""
    return KINK_SAFETY * float(np.max(np.abs(tangent) * steps)) if tangent.size else 0.0


def _in_domain(p: Primitive, xs: Sequence[float]) -> bool:
    try:
        return tuple(xs) in p.domain
    except (ArithmeticError, ValueError, TypeError):
        return False


def _in_box(p: Primitive, xs: Sequence[float], radii: Sequence[float]) -> bool:
    """Each operand inside its sample box, and further than gap + radius from avoided points."""
    for x, r, sample in zip(xs, radii, p.domain.sample):
        if not sample.low <= x <= sample.high:
            return False
        if any(abs(x - a) < sample.gap + r for a in sample.avoid):
            return False
    # Kinks are points of the first operand (relu, abs, leaky_relu at 0).
    return all(abs(xs[0] - k) > radii[0] for k in p.domain.kinks)


def _locals(p: Primitive, xs: Sequence[float], out: float) -> tuple[float, ...]:
    assert p.scalar is not None
    local = p.scalar.local(*xs, out)
    return (float(local),) if len(xs) == 1 else tuple(float(d) for d in local)


def _smooth(p: Primitive, xs: Sequence[float], radii: Sequence[float]) -> bool:
    """Inside the domain at every corner of the box the operands may move in, and — for a
    primitive with a convention where its derivative does not exist (relu at 0, a tie of
    maximum) — the same local derivative there: no kink, tie or domain edge within reach."""
    assert p.scalar is not None
    out = p.scalar.forward(*xs)
    base = _locals(p, xs, out)
    piecewise = bool(p.convention or p.domain.kinks)
    for signs in np.ndindex(*(2,) * len(xs)):
        moved = [x + (r if s else -r) for x, r, s in zip(xs, radii, signs)]
        if not _in_domain(p, moved):
            return False
        if not piecewise:
            continue
        try:
            there = _locals(p, moved, p.scalar.forward(*moved))
        except (ArithmeticError, ValueError):
            return False
        if any(
            abs(a - b) > SMOOTH_CHANGE * max(abs(a), abs(b), 1e-300) and abs(a - b) > 0.0
            for a, b in zip(base, there)
        ):
            return False
    return True


def _plan(
    recipe: Sequence[Step], ops: Sequence[Primitive], columns: Sequence[Sequence[float]]
) -> list[PlanNode]:
    """The steps of `recipe` that stay in-domain, finite and smooth at every column of inputs
    (one column for Values; one per broadcast entry for Tensors)."""
    n = len(columns[0])
    steps = np.array([[GRADCHECK_STEP * max(abs(x), 1.0) for x in col] for col in columns])
    # Per column: each node's value and its derivatives with respect to the inputs.
    values = [list(col) for col in columns]
    tangents = [[np.eye(n)[k] for k in range(n)] for _ in columns]
    plan: list[PlanNode] = []
    for step in recipe:
        p = ops[step.op % len(ops)]
        constant = _constants(p)
        count = len(values[0])
        operands: list[tuple[str, Operand]] = []
        for k in range(len(constant)):
            if constant[k]:
                sample = p.domain.sample[k]
                c = sample.low + step.fractions[k] * (sample.high - sample.low)
                operands.append(("const", float(c)))
            else:
                operands.append(("node", count - 1 - step.picks[k] % count))
        if all(kind == "const" for kind, _ in operands):
            continue
        results = []
        for col in range(len(columns)):
            result = _try_step(p, operands, values[col], tangents[col], steps[col])
            if result is None:
                break
            results.append(result)
        else:
            for col, (out, tangent) in enumerate(results):
                values[col].append(out)
                tangents[col].append(tangent)
            plan.append(PlanNode(p, tuple(operands)))
    return plan


def _try_step(
    p: Primitive,
    operands: Sequence[tuple[str, Operand]],
    values: Sequence[float],
    tangents: Sequence[np.ndarray[Any, Any]],
    steps: np.ndarray[Any, Any],
) -> tuple[float, np.ndarray[Any, Any]] | None:
    """(the output, its derivatives by the inputs), or None if the step is not safe here."""
    assert p.scalar is not None
    xs = [values[int(ref)] if kind == "node" else float(ref) for kind, ref in operands]
    zero = np.zeros_like(steps)
    ts = [tangents[int(ref)] if kind == "node" else zero for kind, ref in operands]
    radii = [_radius(t, steps) for t in ts]
    if not (_in_domain(p, xs) and _in_box(p, xs, radii)):
        return None
    try:
        out = float(p.scalar.forward(*xs))
        if not (math.isfinite(out) and abs(out) <= VALUE_BOUND) or not _smooth(p, xs, radii):
            return None
        local = _locals(p, xs, out)
    except (ArithmeticError, ValueError):
        return None
    tangent = sum((d * t for d, t in zip(local, ts)), zero)
    if not (np.isfinite(tangent).all() and np.abs(tangent).max(initial=0.0) <= GRADIENT_BOUND):
        return None
    return out, tangent


def _replay(plan: Sequence[PlanNode], leaves: Sequence[Any], engine: str) -> list[Any]:
    """Every node of the plan, built with the engine's own kernels on `leaves`."""
    nodes = list(leaves)
    for node in plan:
        kernel = _kernel(node.primitive, engine)
        args = [nodes[int(ref)] if kind == "node" else float(ref) for kind, ref in node.operands]
        apply = _apply_value if engine == "value" else _apply_tensor
        nodes.append(apply(kernel, args))
    return nodes


def _apply_value(kernel: Any, args: list[Any]) -> Value:
    if len(args) == 1:
        out: Value = args[0]._unary(kernel)
    elif isinstance(args[0], Value):
        out = args[0]._binary(kernel, args[1])
    else:  # a constant first operand (c ** y): the Value is the reflected, right operand
        out = args[1]._binary(kernel, args[0], reflected=True)
    return out


def _apply_tensor(kernel: Any, args: list[Any]) -> Tensor:
    dtype = next(a.dtype for a in args if isinstance(a, Tensor))
    tensors = tuple(a if isinstance(a, Tensor) else Tensor(a, dtype=dtype) for a in args)
    return tensor_engine._apply(kernel, tensors, None, *(t.data for t in tensors))


def _consumers(plan: Sequence[PlanNode], n_inputs: int) -> list[int]:
    uses = [0] * (n_inputs + len(plan))
    for node in plan:
        for kind, ref in node.operands:
            if kind == "node":
                uses[int(ref)] += 1
    return uses


# --- expressions over Values ----------------------------------------------------------------


class _Recipe:
    """What a drawn graph says about itself, from its plan (for Values and Tensors alike)."""

    inputs: tuple[Any, ...]
    plan: tuple[PlanNode, ...]

    @property
    def size(self) -> int:
        """The number of operations (a TensorExpression's final sum aside)."""
        return len(self.plan)

    @property
    def primitives(self) -> frozenset[Primitive]:
        """The primitives the graph uses."""
        return frozenset(node.primitive for node in self.plan)

    @property
    def shared(self) -> bool:
        """Whether some node (an input or an operation) feeds two or more operations."""
        return max(_consumers(self.plan, len(self.inputs)), default=0) >= 2

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis prints a failing draw so: as a formula


@dataclass(frozen=True)
class Expression(_Recipe):
    """A random graph over Values: ``f(*Values) -> Value`` and the inputs to check it at.

    ``gradcheck(e.f, *e.inputs)`` checks it; ``e.root()`` builds it on Values labelled x1, x2, …
    """

    inputs: tuple[float, ...]
    plan: tuple[PlanNode, ...]
    labels: tuple[str, ...] = field(default=())

    def f(self, *leaves: Value) -> Value:
        """The graph's output, built on `leaves` (one per input)."""
        if len(leaves) != len(self.inputs):
            raise TypeError(f"Expression.f: takes {len(self.inputs)} Values, got {len(leaves)}")
        out: Value = _replay(self.plan, leaves, "value")[-1]
        return out

    def root(self) -> Value:
        """The output on fresh Values labelled x1, x2, … (gradients not yet computed)."""
        return self.f(*(Value(x, name) for x, name in zip(self.inputs, self.labels)))

    def __repr__(self) -> str:
        from tinygrad_edu.explain import expression

        at = ", ".join(f"{name} = {x!r}" for name, x in zip(self.labels, self.inputs))
        return f"Expression(f = {expression(self.root())}  at  {at})"


def _recipes(max_nodes: int) -> st.SearchStrategy[list[Step]]:
    unit = st.floats(0.0, 1.0)
    step = st.builds(
        Step,
        st.integers(0, 255),
        st.tuples(st.integers(0, 7), st.integers(0, 7)),
        st.tuples(unit, unit),
    )
    return st.lists(step, max_size=max_nodes)


def _input_floats(ops: Sequence[Primitive], bound: float) -> st.SearchStrategy[float]:
    """An input from one of the ops' sample boxes (within ±bound), so ops apply to inputs."""
    boxes = {
        (s.low, s.high, s.avoid, s.gap)
        for p in ops
        for s, constant in zip(p.domain.sample, _constants(p))
        if not constant and max(s.low, -bound) <= min(s.high, bound)
    }
    if not boxes:
        return _reals(-bound, bound)
    return st.one_of(*(_from_sample(Sample(*box), bound) for box in sorted(boxes)))


def _n_inputs(n_inputs: int | tuple[int, int]) -> st.SearchStrategy[int]:
    low, high = (n_inputs, n_inputs) if isinstance(n_inputs, int) else n_inputs
    if not 1 <= low <= high:
        raise ValueError(f"expressions: n_inputs must be >= 1 (or a range), got {n_inputs!r}")
    return st.integers(low, high)


@st.composite
def expressions(
    draw: st.DrawFn,
    max_nodes: int = 8,
    ops: Iterable[Primitive | str] | None = None,
    n_inputs: int | tuple[int, int] = (1, 3),
    bound: float = 10.0,
) -> Expression:
    """Random DAGs over Values of up to `max_nodes` operations from `ops` (default: every
    primitive of the catalogue with a scalar rule), on `n_inputs` inputs in ±`bound`."""
    chosen = _resolve(ops, "value")
    n = draw(_n_inputs(n_inputs))
    inputs = tuple(draw(_input_floats(chosen, bound), label=f"x{k + 1}") for k in range(n))
    recipe = draw(_recipes(max_nodes), label="recipe")
    plan = _plan(recipe, chosen, [inputs])
    return Expression(inputs, tuple(plan), tuple(f"x{k + 1}" for k in range(n)))


# --- tensors and expressions over Tensors -------------------------------------------------


def broadcastable_shapes(
    n: int, *, max_dims: int = 3, max_side: int = 3
) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """`n` shapes that broadcast together (e.g. (3, 1), (2, 1, 4), ())."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, max_dims=max_dims, max_side=max_side
    ).map(lambda shapes: tuple(shapes.input_shapes))


def tensors(
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] = (3,),
    dtype: Any = np.float64,
    elements: st.SearchStrategy[float] | None = None,
    *,
    bound: float = 10.0,
    requires_grad: bool = True,
) -> st.SearchStrategy[Tensor]:
    """Tensors of `shape` (a tuple or a strategy of shapes) with finite entries in ±bound, or
    drawn from `elements`."""
    if elements is None:
        width: Literal[32, 64] = 32 if np.dtype(dtype) == np.float32 else 64
        elements = st.floats(-bound, bound, allow_nan=False, allow_infinity=False, width=width)
    return hnp.arrays(dtype, shape, elements=elements).map(
        lambda a: Tensor(a, requires_grad=requires_grad, dtype=dtype)
    )


@dataclass(frozen=True)
class TensorExpression(_Recipe):
    """A random graph over Tensors, entry by entry with broadcasting, summed to one number.

    ``gradcheck(e.f, *e.inputs)`` checks it; ``e.apply`` is the graph before the sum, on
    Tensors or, entry by entry, on Values.
    """

    inputs: tuple[np.ndarray[Any, Any], ...]
    plan: tuple[PlanNode, ...]
    labels: tuple[str, ...] = field(default=())

    def apply(self, *leaves: Any) -> Any:
        """The graph's output (not summed), on Tensors or on Values."""
        engine = "value" if all(isinstance(x, Value) for x in leaves) else "tensor"
        return _replay(self.plan, leaves, engine)[-1]

    def f(self, *leaves: Tensor) -> Tensor:
        """The sum of the graph's output entries."""
        out: Tensor = self.apply(*leaves)
        if not isinstance(out, Tensor):
            raise TypeError("TensorExpression.f: takes Tensors")
        return out.sum()

    def __repr__(self) -> str:
        shapes = ", ".join(f"{n}: {a.shape}" for n, a in zip(self.labels, self.inputs))
        ops = " → ".join(node.primitive.name for node in self.plan) or "(none)"
        return f"TensorExpression({ops}; {shapes})"


@st.composite
def tensor_expressions(
    draw: st.DrawFn,
    max_nodes: int = 6,
    ops: Iterable[Primitive | str] | None = None,
    n_inputs: int | tuple[int, int] = (1, 3),
    bound: float = 10.0,
    max_dims: int = 3,
    max_side: int = 3,
) -> TensorExpression:
    """Random DAGs over Tensors of broadcasting shapes, as `expressions` over Values: every
    entry of every node in-domain, finite and away from kinks."""
    chosen = _resolve(ops, "tensor")
    n = draw(_n_inputs(n_inputs))
    shapes = draw(broadcastable_shapes(n, max_dims=max_dims, max_side=max_side), label="shapes")
    entries = _input_floats(chosen, bound)
    inputs = tuple(
        draw(hnp.arrays(np.float64, shape, elements=entries), label=f"x{k + 1}")
        for k, shape in enumerate(shapes)
    )
    recipe = draw(_recipes(max_nodes), label="recipe")
    together = np.broadcast_arrays(*inputs)
    columns = [[float(a[index]) for a in together] for index in np.ndindex(together[0].shape)]
    plan = _plan(recipe, chosen, columns) if columns else []
    return TensorExpression(inputs, tuple(plan), tuple(f"x{k + 1}" for k in range(n)))


# --- models -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MLPCase:
    """A model with a batch of inputs and targets; ``check()`` runs `check_module_grads`."""

    model: Any
    batch: tuple[Any, Any]
    loss_fn: Callable[[Any, tuple[Any, Any]], Any]

    def loss(self) -> Any:
        """The loss of the model on its batch."""
        return self.loss_fn(self.model, self.batch)

    def check(self) -> list[Any]:
        """Every parameter's gradient against a numeric one (raises GradcheckError if not)."""
        return check_module_grads(self.model, self.loss_fn, self.batch)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def __repr__(self) -> str:
        return f"MLPCase({self.model!r}, batch of {len(self.batch[0])})"


def squared_error_values(model: Any, batch: tuple[Any, Any]) -> Value:
    """E = Σ ½(y − t)² over the batch and the outputs, for a Value MLP."""
    xs, ts = batch
    total: Value | float = 0.0
    for x, t in zip(xs, ts):
        for y, target in zip(model(list(x)), t):
            total = total + 0.5 * (y - float(target)) ** 2
    assert isinstance(total, Value)
    return total


def squared_error_tensors(model: Any, batch: tuple[Any, Any]) -> Tensor:
    """E = Σ ½(Y − T)² for a TensorMLP on a batch X (N, nin), T (N, nout)."""
    X, T = batch
    out: Tensor = (0.5 * (model(X) - T) ** 2).sum()
    return out


def _as_values(model: Any, sizes: Sequence[int], activations: Sequence[str]) -> MLP:
    """A Value MLP with the same weights as `model` (a TensorMLP), to inspect its graph."""
    twin = MLP(sizes[0], list(sizes[1:]), activation=list(activations))
    numbers: list[float] = []
    for layer in model.layers:
        for n in range(layer.nout):
            numbers.extend(float(w) for w in layer.weight.data[n])
            if layer.bias is not None:
                numbers.append(float(layer.bias.data[n]))
    twin.set_parameters(numbers)
    return twin


def _safe_graph(root: Value, leaves: Sequence[Value]) -> bool:
    """Every node of the graph smooth within gradcheck's perturbation of any parameter."""
    index = {id(leaf): k for k, leaf in enumerate(leaves)}
    steps = np.array([GRADCHECK_STEP * max(abs(leaf.data), 1.0) for leaf in leaves])
    tangent: dict[int, np.ndarray[Any, Any]] = {}
    zero = np.zeros(len(leaves))
    for node in topological_order(root):
        if node._op is None:
            k = index.get(id(node))
            tangent[id(node)] = zero if k is None else np.eye(len(leaves))[k]
            continue
        p = node._op.primitive
        xs = [parent.data for parent in node.parents]
        ts = [tangent[id(parent)] for parent in node.parents]
        radii = [_radius(t, steps) for t in ts]
        if p.domain.kinks and not _in_box(p, xs, radii):
            return False
        if not _smooth(p, xs, radii):
            return False
        local = node.local_grads()
        tangent[id(node)] = sum((d * t for d, t in zip(local, ts)), zero)
    return True


@st.composite
def mlps(
    draw: st.DrawFn,
    max_layers: int = 2,
    max_width: int = 3,
    activations: Sequence[str] | None = None,
    engines: Sequence[str] = ("value", "tensor"),
    max_batch: int = 3,
) -> MLPCase:
    """MLPs (Value `MLP` or `TensorMLP`) of 1..max_layers layers of 1..max_width neurons, one
    activation per layer from `activations` (default: all of nn.ACTIVATIONS), with weights in
    ±1.5, a batch of inputs in ±2 and targets in ±1; kinks (relu at 0) kept out of reach."""
    names = list(ACTIVATIONS) if activations is None else list(activations)
    for name in names:
        if name not in ACTIVATIONS:
            raise ValueError(f"mlps: unknown activation {name!r}; use some of {list(ACTIVATIONS)}")
    engine = draw(st.sampled_from(list(engines)), label="engine")
    layers = draw(st.integers(1, max_layers), label="layers")
    sizes = [draw(st.integers(1, max_width)) for _ in range(layers + 1)]
    acts = [draw(st.sampled_from(names)) for _ in range(layers)]
    count = sum((sizes[k] + 1) * sizes[k + 1] for k in range(layers))
    weights = draw(st.lists(_reals(-1.5, 1.5), min_size=count, max_size=count), label="weights")
    n = draw(st.integers(1, max_batch), label="batch")
    xs = draw(hnp.arrays(np.float64, (n, sizes[0]), elements=_reals(-2, 2)), label="inputs")
    ts = draw(hnp.arrays(np.float64, (n, sizes[-1]), elements=_reals(-1, 1)), label="targets")
    twin = MLP(sizes[0], sizes[1:], activation=acts)
    twin.set_parameters(weights)
    root = squared_error_values(twin, (xs, ts))
    assume(_safe_graph(root, twin.parameters()))
    if engine == "value":
        return MLPCase(twin, (xs, ts), squared_error_values)
    model = TensorMLP(sizes[0], sizes[1:], activation=acts)
    arrays, k = [], 0
    for layer in model.layers:
        size = layer.nout * (layer.nin + 1)
        block = np.array(weights[k : k + size]).reshape(layer.nout, layer.nin + 1)
        arrays.extend([block[:, :-1].copy(), block[:, -1].copy()])
        k += size
    model.set_parameters(arrays)
    return MLPCase(model, (xs, ts), squared_error_tensors)


class Net222Case(NamedTuple):
    """The 2-2-2 network's inputs i, targets t, weights w (w1..w8) and biases b (or None)."""

    i: tuple[float, float]
    t: tuple[float, float]
    w: tuple[float, ...]
    b: tuple[float, ...] | None


def nets222(
    bias: bool | None = None,
    *,
    input_bound: float = 3.0,
    weight_bound: float = 10.0,
    bias_bound: float = 3.0,
) -> st.SearchStrategy[Net222Case]:
    """(i, t, w, b) for `Net222`: i and t in ±input_bound, w in ±weight_bound, b in ±bias_bound
    or None (`bias`: True always, False never, None either)."""
    pair = st.tuples(_reals(-input_bound, input_bound), _reals(-input_bound, input_bound))
    w = st.tuples(*[_reals(-weight_bound, weight_bound)] * 8)
    b4 = st.tuples(*[_reals(-bias_bound, bias_bound)] * 4)
    b = st.none() if bias is False else b4 if bias else st.none() | b4
    return st.builds(Net222Case, pair, pair, w, b)


# --- applying and breaking primitives ---------------------------------------------------------


def apply_primitive(primitive: Primitive, *operands: Any) -> Any:
    """`primitive` applied to Values (and numbers) or Tensors (and numbers) by the engine's own
    kernel, e.g. ``apply_primitive(SIGMOID, x)`` is ``x.sigmoid()``."""
    engine = "tensor" if any(isinstance(x, Tensor) for x in operands) else "value"
    kernel = _kernel(primitive, engine)
    if kernel is None or len(operands) != primitive.arity:
        raise ValueError(
            f"apply_primitive: {primitive.name} takes {primitive.arity} operand(s) on the "
            f"{engine} engine, got {len(operands)}"
        )
    args = [x if isinstance(x, (Value, Tensor)) else float(x) for x in operands]
    return _apply_value(kernel, args) if engine == "value" else _apply_tensor(kernel, args)


#: Wrong derivatives to inject, each a function of the right one: a sign, ×1.001, a lost factor 2.
MUTATIONS: dict[str, Callable[[float], float]] = {
    "sign": lambda d: -d,
    "x1.001": lambda d: 1.001 * d,
    "lost factor": lambda d: 0.5 * d,  # the forgotten 2 of (x²)' = 2x
}


@contextmanager
def wrong_derivative(
    primitive: Primitive, mutation: str = "sign", engine: str = "value"
) -> Iterator[None]:
    """Within the block, the engine's derivative of `primitive` is wrong by `mutation` (a key of
    `MUTATIONS`): its local derivative (Value) or its VJP (Tensor). For testing the tests."""
    wrong = MUTATIONS[mutation]
    kernel = _kernel(primitive, engine)
    if kernel is None:
        raise ValueError(f"wrong_derivative: {primitive.name} has no {engine} kernel")
    if engine == "value":
        right = kernel.local

        def local(*args: float) -> Any:
            d = right(*args)
            return tuple(wrong(x) for x in d) if isinstance(d, tuple) else wrong(d)

        kernel.local = local
    else:
        right = kernel.vjp

        def vjp(*args: Any) -> Any:
            return tuple(None if g is None else wrong(g) for g in right(*args))

        kernel.vjp = vjp
    try:
        yield
    finally:
        if engine == "value":
            kernel.local = right
        else:
            kernel.vjp = right


def check_expression(e: Expression | TensorExpression) -> list[Any]:
    """``gradcheck(e.f, *e.inputs)``: a drawn expression's gradients, checked."""
    return gradcheck(e.f, *e.inputs)
