"""Explanations: the chain rule written out, for any graph.

What a student of backpropagation does by hand, done from the live graph:

- `explain(root, wrt)`: every path from `root` down to `wrt`; on each edge the local derivative
  as a formula in the nodes' own labels and as a number; each path's product; their sum,
  checked against ``wrt.grad``.
- `derive(root, wrt)`: the closed-form expression of ∂root/∂wrt, sums over paths factored
  where they share a tail, as the derivation writes it; as text, LaTeX and a sympy expression.
- `trace_table(root)`: every node in topological order with its op, value and gradient — the
  spreadsheet view of one forward and one backward pass — as text, Markdown and CSV.

Labelled nodes are the vocabulary. When some interior node of the graph carries a label (as
in the worked 2-2-2 network, where h1, a_h1, …, E1 are named), unlabelled helper nodes such as
the product w1·i1 or the square in ½(t1 − a_o1)² are *folded* into the edge between the
labelled nodes around them, and that edge's derivative is simplified: ∂E1/∂a_o1 = a_o1 − t1.
A graph with no labelled interior node is shown primitive by primitive, its nodes named n1,
n2, … in topological order (stable for the same graph). ``fold=True``/``False`` chooses
explicitly. Each edge's formula is its primitive's own `derivative`, from the catalogue in
`tinygrad_edu.primitives`.

>>> x, w, t = Value(0.5, "x"), Value(0.8, "w"), Value(1.0, "t")
>>> z = w * x
>>> z.label = "z"
>>> a = z.sigmoid()
>>> a.label = "a"
>>> E = 0.5 * (t - a) ** 2
>>> E.label = "E"
>>> E.backward()
>>> print(derive(E, w))
∂E/∂w = (a − t)·a·(1 − a)·x
"""

from __future__ import annotations

import csv
import heapq
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import sympy

from tinygrad_edu._checks import flag
from tinygrad_edu._format import count as _count
from tinygrad_edu._format import number as _num
from tinygrad_edu._format import table
from tinygrad_edu.graph import topological_order
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.testing import CLOSED_FORM_ATOL, CLOSED_FORM_RTOL
from tinygrad_edu.value import Value

__all__ = [
    "Derivation",
    "Edge",
    "Explanation",
    "PathError",
    "SymbolicMath",
    "derive",
    "explain",
    "expression",
    "formula_labeller",
    "latex_symbol",
    "local_formula",
    "node_names",
    "trace_table",
]

#: How many paths `explain` lists before it only counts them (their sum is always exact).
MAX_PATHS = 50

#: An unlabelled node is folded into its neighbours' edge only while the expression it stands
#: for has at most this many operations; a bigger one gets a generated name of its own, so no
#: edge formula grows without bound.
MAX_FOLDED_OPS = 12

#: `derive` refuses to print an expression longer than this (it would not be read anyway).
MAX_FORMULA_CHARS = 200_000

#: explain and derive read graphs of at most this many nodes. Each node costs about 0.5 ms
#: (its formulas are built with sympy), so this bounds an explanation at ~10 s; a million-node
#: chain would take many minutes, and nobody reads the answer. They say so before working.
MAX_NODES = 20_000

Node = Any  # a Value or a Tensor


class PathError(ArithmeticError):
    """The sum over chain-rule paths disagrees with the gradient backward computed."""


# --- names --------------------------------------------------------------------------------------


def node_names(root: Node) -> dict[int, str]:
    """{id(node): name} for every node below `root`: its label, else n1, n2, … in
    topological order; a label used twice gets #2, #3, … so every name is unique.

    >>> a = Value(2.0, "a")
    >>> b = a * a + 1
    >>> sorted(node_names(b).values())
    ['a', 'n2', 'n3', 'n4']
    """
    return _names(forward_order(_checked_node(root, "node_names", "root")))


def forward_order(root: Node) -> list[Node]:
    """Every node below `root`, parents first, operands visited left to right — the order a
    derivation writes its steps in."""
    return topological_order(root, left_to_right=True)


def _names(order: Sequence[Node]) -> dict[int, str]:
    names: dict[int, str] = {}
    used: dict[str, int] = {}
    for k, node in enumerate(order, start=1):
        name = node.label or f"n{k}"
        count = used.get(name, 0) + 1
        used[name] = count
        names[id(node)] = name if count == 1 else f"{name}#{count}"
    return names


def _checked_node(node: Any, where: str, what: str) -> Node:
    if not isinstance(node, (Value, Tensor)):
        raise TypeError(f"{where}: {what} must be a Value or a Tensor, got {type(node).__name__}")
    return node


# --- local derivatives as formulas --------------------------------------------------------------


def _number(x: float) -> sympy.Expr:
    """A constant as the derivation would write it: 2, 0.5 → 1/2, 0.1 → 1/10, else a float."""
    if float(x).is_integer():
        return sympy.Integer(int(x))
    exact = sympy.Rational(x)  # the float's exact binary value
    if exact.q <= 1024:
        return exact
    decimal = sympy.Rational(repr(x))  # the shortest decimal that reads back as x
    if decimal.q <= 10**6:
        return decimal
    return sympy.Float(x, 17)


class SymbolicMath:
    """The functions a primitive's formulas use (``f.exp``, ``f.sigmoid``, …), on sympy:
    pass it as ``f`` to `Primitive.derivative` or `Primitive.formula` to get sympy expressions."""

    exp = staticmethod(sympy.exp)
    log = staticmethod(sympy.log)
    tanh = staticmethod(sympy.tanh)
    sqrt = staticmethod(sympy.sqrt)
    abs = staticmethod(sympy.Abs)
    sign = staticmethod(sympy.sign)

    @staticmethod
    def product(x: Any, y: Any) -> sympy.Expr:
        """x·y left unevaluated, so 2·(t − y) keeps its 2 outside: not 2·t − 2·y."""
        return sympy.Mul(x, y, evaluate=False)

    @staticmethod
    def sigmoid(x: Any) -> sympy.Expr:
        """σ(x) = 1 / (1 + e^−x)."""
        return 1 / (1 + sympy.exp(-x))

    @staticmethod
    def softplus(x: Any) -> sympy.Expr:
        """log(1 + e^x)."""
        return sympy.log(1 + sympy.exp(x))

    @staticmethod
    def relu(x: Any) -> sympy.Expr:
        """max(x, 0), written as the cases a derivation would."""
        return sympy.Piecewise((x, x > 0), (0, True))

    @staticmethod
    def step(x: Any) -> sympy.Expr:
        """[x > 0]: 1 where x > 0, else 0 (relu's derivative, 0 at 0 by convention)."""
        return sympy.Piecewise((1, x > 0), (0, True))

    erf = staticmethod(sympy.erf)
    maximum = staticmethod(sympy.Max)
    minimum = staticmethod(sympy.Min)
    pi = sympy.pi


def _local_exprs(node: Value, exprs: Callable[[Node], sympy.Expr]) -> tuple[sympy.Expr, ...]:
    """∂node/∂parent for each parent, as sympy expressions of the operands' expressions:
    the primitive's own `derivative` formula, evaluated on symbols."""
    derivative = _rule(node).derivative
    operands = [exprs(p) for p in node.parents]
    local = derivative(SymbolicMath, exprs(node), *operands)
    return tuple(sympy.sympify(d) for d in local)


def _forward_expr(node: Value, operands: list[sympy.Expr]) -> sympy.Expr:
    """The node's value as a formula of its operands' formulas (a folded node, rebuilt)."""
    return sympy.sympify(_rule(node).formula(SymbolicMath, *operands))


class _Formulas(NamedTuple):
    derivative: Callable[..., tuple[Any, ...]]
    formula: Callable[..., Any]


def _rule(node: Value) -> _Formulas:
    """The formulas of the primitive that made `node` (every scalar primitive has them)."""
    primitive = node.primitive
    if primitive is None or primitive.derivative is None or primitive.formula is None:
        raise ValueError(f"explain: {primitive!r} has no formulas in the catalogue")
    return _Formulas(primitive.derivative, primitive.formula)


# id(primitive) -> whether its derivative is written with its output (σ' = σ·(1 − σ)).
_USES_OUTPUT: dict[int, bool] = {}


def _keeps_a_name(node: Node) -> bool:
    """Whether an unlabelled node keeps a generated name (n7) instead of being folded into
    its neighbours' edges: when its derivative is written with its own output, as σ's
    a·(1 − a), tanh's 1 − a² or exp's e^x are. Folded, the output would be spelled out inside
    its own derivative: (1 − 1/(1 + exp(−z)))/(1 + exp(−z)) instead of n7·(1 − n7)."""
    primitive = node.primitive
    if primitive is None or primitive.derivative is None:
        return False
    key = id(primitive)
    if key not in _USES_OUTPUT:
        out = sympy.Symbol("out")
        operands = sympy.symbols(f"x1:{(primitive.arity or 1) + 1}")
        locals_ = primitive.derivative(SymbolicMath, out, *operands)
        _USES_OUTPUT[key] = any(out in sympy.sympify(d).free_symbols for d in locals_)
    return _USES_OUTPUT[key]


def expression(root: Value) -> str:
    """`root` as one formula of the leaves below it, in their labels (numbers for unlabelled
    ones), as a failing test or a learner would want to read the graph.

    >>> x, y = Value(2.0, "x"), Value(3.0, "y")
    >>> expression((x * y).log() + x)
    'x + log(x·y)'
    """
    order = forward_order(_checked_node(root, "expression", "root"))
    too_big = _too_big_to_fold(order)
    exprs = _Exprs(_names(order), lambda n: n._op is None or id(n) in too_big)
    return _text(exprs(root))


def latex_symbol(name: str) -> str:
    """A node's name in LaTeX, as explanations print it: "a_h1" → "a_{h1}".

    >>> latex_symbol("E_total")
    'E_{total}'
    """
    return _latex(sympy.Symbol(name))


def local_formula(node: Node, k: int = 0) -> str:
    """∂node/∂(its k-th operand) as a formula in the labels, e.g. "a_o1·(1 − a_o1)" for σ.

    >>> x, y = Value(3.0, "x"), Value(4.0, "y")
    >>> local_formula(x * y, 1)
    'x'
    >>> a = (x * y).sigmoid()
    >>> a.label = "a"
    >>> local_formula(a, 0)
    'a·(1 − a)'
    """
    node = _checked_node(node, "local_formula", "node")
    if node._op is None:
        raise ValueError(f"local_formula: {node.label or 'the node'} is a leaf; it has no operands")
    if not 0 <= k < len(node.parents):
        raise ValueError(f"local_formula: k must be in 0..{len(node.parents) - 1}, got {k}")
    if isinstance(node, Tensor):
        return _tensor_edge(node, node.parents[k])
    names = _names(forward_order(node))
    exprs = _Exprs(names, visible=lambda n: True)
    return _text(_local_exprs(node, exprs)[k])


def formula_labeller(root: Node) -> Callable[[Node, int], str]:
    """A function (node, k) ↦ ∂node/∂(its k-th operand) as a formula, for many edges of one
    graph: labelled nodes appear by name, unlabelled helpers spelled out, as in 2·(t1 − a_o1).

    >>> x = Value(3.0, "x")
    >>> y = (x * x).sigmoid()
    >>> y.label = "y"
    >>> formula = formula_labeller(y)
    >>> formula(y, 0), formula(y.parents[0], 0)
    ('y·(1 − y)', 'x')
    """
    order = forward_order(_checked_node(root, "formula_labeller", "root"))
    names = _names(order)
    too_big = _too_big_to_fold(order)
    exprs = _Exprs(
        names,
        lambda n: n._op is None or bool(n.label) or id(n) in too_big or _keeps_a_name(n),
    )

    def formula(node: Node, k: int) -> str:
        if isinstance(node, Tensor):
            return _tensor_edge(node, node.parents[k])
        return _text(_local_exprs(node, exprs)[k])

    return formula


def _too_big_to_fold(order: Sequence[Node]) -> set[int]:
    """Unlabelled nodes whose spelled-out expression would pass `MAX_FOLDED_OPS` operations
    *and* would be printed: they keep a generated name instead (visible nodes count as one
    symbol). An expression is printed when some derivative is written with it — the y in
    ∂(x·y)/∂x = y — never for an operand of + or −, whose derivative is 1: so the partial sums
    inside w1·x1 + … + w8·x8 + b fold away, however many inputs a neuron has."""
    needed: set[int] = set()
    for node in order:
        primitive = node.primitive
        if primitive is not None and primitive.derivative is not None:
            for parent, used in zip(node.parents, _operands_used(primitive)):
                if used:
                    needed.add(id(parent))
    too_big: set[int] = set()
    ops: dict[int, int] = {}
    for node in order:
        if node._op is None or node.label:
            ops[id(node)] = 0
            continue
        count = 1 + sum(ops[id(p)] for p in node.parents)
        if count > MAX_FOLDED_OPS and id(node) in needed:
            too_big.add(id(node))
            count = 0
        ops[id(node)] = count
    return too_big


# id(primitive) -> for each operand, whether its derivatives are written with it.
_USES_OPERAND: dict[int, tuple[bool, ...]] = {}


def _operands_used(primitive: Any) -> tuple[bool, ...]:
    """Whether any of `primitive`'s local derivatives mentions each operand (y in ∂(x·y)/∂x)."""
    key = id(primitive)
    if key not in _USES_OPERAND:
        out = sympy.Symbol("out")
        operands = sympy.symbols(f"x1:{(primitive.arity or 1) + 1}")
        free: set[Any] = set()
        for d in primitive.derivative(SymbolicMath, out, *operands):
            free |= sympy.sympify(d).free_symbols
        _USES_OPERAND[key] = tuple(x in free for x in operands)
    return _USES_OPERAND[key]


def _tensor_edge(child: Tensor, parent: Tensor, ops: Sequence[str] = ()) -> str:
    """What a Tensor edge carries: the operations it passes through, outermost first (a folded
    edge may pass several: × ∘ ^ ∘ −), and the shapes (a Jacobian is not one number)."""
    through = " ∘ ".join(ops) or child.primitive.shown if child.primitive else child.op
    return f"∂({through})/∂operand: {_shape(parent)} ← {_shape(child)}"


def _shape(t: Tensor) -> str:
    return "×".join(str(n) for n in t.shape) or "scalar"


class _Exprs:
    """The sympy expression of each node: a symbol for a visible node, else its forward
    rebuilt from its parents (computed on demand, iteratively, and memoised)."""

    def __init__(self, names: dict[int, str], visible: Callable[[Node], bool]) -> None:
        self.names = names
        self.visible = visible
        self.memo: dict[int, sympy.Expr] = {}

    def _own(self, node: Node) -> sympy.Expr | None:
        """The expression of a node that needs no parents' expressions, else None."""
        if node._op is None and not node.label:
            return _number(node.data)  # an unlabelled leaf is a constant
        if node._op is None or self.visible(node):
            return sympy.Symbol(self.names[id(node)])
        return None

    def __call__(self, node: Node) -> sympy.Expr:
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        own = self._own(node)
        if own is not None:
            self.memo[key] = own
            return own
        # Post-order over the folded region below `node`, without recursion.
        stack: list[tuple[Node, bool]] = [(node, False)]
        while stack:
            current, ready = stack.pop()
            ckey = id(current)
            if ckey in self.memo:
                continue
            own = self._own(current)
            if own is not None:
                self.memo[ckey] = own
                continue
            if ready:
                args = [self.memo[id(p)] for p in current.parents]
                self.memo[ckey] = _forward_expr(current, args)
                continue
            stack.append((current, True))
            stack.extend((p, False) for p in current.parents if id(p) not in self.memo)
        return self.memo[key]


def _text(expr: sympy.Expr) -> str:
    """A sympy expression as the derivation writes it: a·(1 − a), 1 − a², x^(y − 1), −y."""
    text = str(sympy.sstr(expr, order="none"))
    text = _SMALL_POWER.sub(lambda m: _SUPERSCRIPT[m.group(1)], text.replace("**", "^"))
    return text.replace("*", "·").replace(" - ", " − ").replace("-", "−")


# x^2 → x², up to x^9: the textbook form of a small whole power (x^12 and x^(y − 1) stay).
_SMALL_POWER = re.compile(r"\^([2-9])(?![\d.])")
_SUPERSCRIPT = dict(zip("23456789", "²³⁴⁵⁶⁷⁸⁹"))


def _latex(expr: sympy.Expr) -> str:
    return str(sympy.latex(expr, order="none", mul_symbol="dot"))


# --- the graph as the explanation sees it -------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    """One chain-rule edge: ∂child/∂parent, as a formula and (for Values) a number."""

    child: str
    parent: str
    formula: str
    latex: str
    value: float | None
    expr: sympy.Expr | None


class _View:
    """The graph between `root` and `wrt` as explanations see it: visible nodes and the edges
    between them (helper nodes folded in), restricted to nodes on some path to `wrt`."""

    def __init__(self, root: Node, wrt: Node, fold: bool | None, where: str) -> None:
        root = _checked_node(root, where, "root")
        wrt = _checked_node(wrt, where, "wrt")
        if isinstance(root, Value) != isinstance(wrt, Value):
            raise TypeError(f"{where}: root and wrt must both be Values or both be Tensors")
        self.root, self.wrt = root, wrt
        # Value edges carry one number each; Tensor edges a Jacobian.
        self.is_value = isinstance(root, Value)
        self.order = forward_order(root)
        if len(self.order) > MAX_NODES:
            raise ValueError(
                f"{where}: the graph below {root.label or 'the root'} has "
                f"{len(self.order):,} nodes, more than explanations read ({MAX_NODES:,}); "
                "explain a part of it: label an intermediate node and pass it as the root "
                f"(e.g. {where}(node, wrt)), or build the graph on fewer inputs"
            )
        self.names = _names(self.order)
        if id(wrt) not in self.names:
            self.names[id(wrt)] = wrt.label or "wrt"
        if fold is None:  # fold when the user named the structure (not just the root)
            fold = any(n._op is not None and n.label and n is not root for n in self.order)
        self.fold = fold
        self.index = {id(n): k for k, n in enumerate(self.order)}
        self.too_big = _too_big_to_fold(self.order)
        # On a path to wrt: wrt itself, or any node with a parent on a path.
        on_path: set[int] = set()
        for node in self.order:
            if node is wrt or any(id(p) in on_path for p in node.parents):
                on_path.add(id(node))
        self.on_path = on_path
        self.exprs = _Exprs(self.names, self.visible)
        self._edges: dict[int, list[tuple[Node, Edge]]] = {}

    def visible(self, node: Node) -> bool:
        return (
            not self.fold
            or node._op is None
            or bool(node.label)
            or node is self.root
            or node is self.wrt
            or id(node) in self.too_big
            or _keeps_a_name(node)
        )

    def name(self, node: Node) -> str:
        return self.names[id(node)]

    def edges(self, node: Node) -> list[tuple[Node, Edge]]:
        """(parent, edge) for each visible parent of visible `node` that is on a path to wrt."""
        key = id(node)
        if key not in self._edges:
            self._edges[key] = self._compute_edges(node)
        return self._edges[key]

    def _compute_edges(self, node: Node) -> list[tuple[Node, Edge]]:
        # ∂node/∂x for the folded nodes x below `node`, accumulated in reverse topological
        # order (a heap keyed by position), until visible parents are reached.
        value_of: dict[int, float] = {id(node): 1.0}
        formula_of: dict[int, sympy.Expr] = {id(node): sympy.Integer(1)}
        heap: list[tuple[int, int]] = [(-self.index[id(node)], id(node))]
        nodes = {id(node): node}
        # Where each node was first met: operand positions along the way down, so edges come
        # out in the order their operands were written (w1, i1, then w2, i2 for h1).
        position: dict[int, tuple[int, ...]] = {id(node): ()}
        # The operations met on the way down (×, ^, −), for Tensor edges, which show them.
        via: dict[int, tuple[str, ...]] = {id(node): ()}
        found: dict[int, Node] = {}
        while heap:
            _, key = heapq.heappop(heap)
            current = nodes[key]
            if current is not node and self.visible(current):
                found[key] = current
                continue
            if self.is_value:
                locals_ = current.local_grads()
                formulas = _local_exprs(current, self.exprs)
            else:
                locals_ = (math.nan,) * len(current.parents)
                formulas = (sympy.Integer(1),) * len(current.parents)
            for k, (parent, local, formula) in enumerate(zip(current.parents, locals_, formulas)):
                pkey = id(parent)
                if pkey not in self.on_path:
                    continue
                if pkey not in nodes:
                    nodes[pkey] = parent
                    position[pkey] = (*position[key], k)
                    via[pkey] = (*via[key], current.primitive.shown)
                    value_of[pkey] = 0.0
                    formula_of[pkey] = sympy.Integer(0)
                    heapq.heappush(heap, (-self.index[pkey], pkey))
                value_of[pkey] += value_of[key] * local
                formula_of[pkey] += formula_of[key] * formula
        result = []
        for key, parent in sorted(found.items(), key=lambda item: position[item[0]]):
            if self.is_value:
                # sympy's automatic rules already turn ½·2·(t1 − a_o1)·(−1) into a_o1 − t1;
                # expand() or simplify() would cost time exponential in a folded chain.
                expr = formula_of[key]
                edge = Edge(
                    self.name(node), self.name(parent), _text(expr), _latex(expr),
                    value_of[key], expr,
                )  # fmt: skip
            else:
                text = _tensor_edge(node, parent, via[key])
                edge = Edge(self.name(node), self.name(parent), text, text, None, None)
            result.append((parent, edge))
        return result

    def reachable(self) -> list[Node]:
        """The visible nodes on a path from root to wrt, root first (reverse topological)."""
        seen = {id(self.root)}
        out = []
        # Reverse of the right-to-left order: siblings come left to right, so sums list the
        # derivation's first path first.
        for node in reversed(topological_order(self.root)):
            if id(node) in seen and id(node) in self.on_path:
                out.append(node)
                if node is not self.wrt:
                    for parent, _ in self.edges(node):
                        seen.add(id(parent))
        return out


# --- explain ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Path:
    """One path from root to wrt: its edges, and the product of their local derivatives."""

    edges: tuple[Edge, ...]
    value: float | None

    def nodes(self) -> list[str]:
        """The names along the path, root first."""
        return [self.edges[0].child, *(e.parent for e in self.edges)] if self.edges else []

    def factors(self) -> list[Edge]:
        """The edges whose derivative is not the constant 1 (those are what the product shows)."""
        return [e for e in self.edges if e.formula != "1"]


@dataclass(frozen=True, repr=False)  # the REPL shows the text, not a dump of the fields
class Explanation:
    """Every chain-rule path from `root` to `wrt`, and their sum (see `explain`)."""

    root: str
    wrt: str
    paths: tuple[Path, ...]
    path_count: int
    total: float | None
    grad: float | None
    shapes: dict[str, tuple[int, ...]] | None = None

    def __str__(self) -> str:
        return self.text()

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        """Jupyter shows an explanation as its Markdown tables (the last expression of a cell)."""
        return self.markdown()

    def _title(self) -> str:
        return f"∂{self.root}/∂{self.wrt}"

    def _summary(self) -> list[str]:
        lines = []
        if self.path_count == 0:
            lines.append(
                f"There is no path from {self.root} to {self.wrt}: {self.root} does not depend "
                f"on it, so {self._title()} = 0."
            )
        else:
            plural = "path" if self.path_count == 1 else "paths"
            lines.append(f"{_count(self.path_count)} {plural} from {self.root} to {self.wrt}.")
        if len(self.paths) < self.path_count:
            listed = "first path is" if len(self.paths) == 1 else f"first {len(self.paths)} are"
            lines.append(
                f"Only the {listed} listed (explain(..., max_paths=N) lists more); the sum "
                "below is over all of them."
            )
        return lines

    def _check(self) -> str:
        if self.total is None:
            return ""
        if self.grad is None:  # explain(..., check=False): nothing to compare with
            return f"Sum over paths: {self._title()} = {self.total:.12g}."
        return (
            f"Sum over paths: {self._title()} = {self.total:.12g}; "
            f"backward gave {self.wrt}.grad = {self.grad:.12g}. They agree."
        )

    def text(self) -> str:
        """Plain text for the terminal."""
        out = [self._title(), "", *self._summary()]
        for k, path in enumerate(self.paths, start=1):
            out += ["", f"Path {k}: {' → '.join(path.nodes())}"]
            rows = [[f"∂{e.child}/∂{e.parent}", e.formula, _num(e.value)] for e in path.edges]
            out.append(table(["edge", "local derivative", "value"], rows))
            if path.value is not None:
                product = " × ".join(_paren(e.formula) for e in path.factors()) or "1"
                out.append(f"  product: {product} = {path.value:.12g}")
        check = self._check()
        if check:
            out += ["", check]
        return "\n".join(out)

    def markdown(self) -> str:
        """Markdown: one table row per path (its factors and product), then every edge."""
        out = [f"### {self._title()}", "", *self._summary(), ""]
        if self.paths:
            out += ["| path | factors | product |", "|---|---|---|"]
            for path in self.paths:
                factors = " × ".join(_paren(e.formula) for e in path.factors()) or "1"
                out.append(f"| {' → '.join(path.nodes())} | {factors} | {_num(path.value)} |")
            out += ["", "| edge | local derivative | value |", "|---|---|---|"]
            seen: set[tuple[str, str]] = set()
            for path in self.paths:
                for e in path.edges:
                    if (e.child, e.parent) not in seen:
                        seen.add((e.child, e.parent))
                        out.append(f"| ∂{e.child}/∂{e.parent} | {e.formula} | {_num(e.value)} |")
        check = self._check()
        if check:
            out += ["", check]
        return "\n".join(out).rstrip() + "\n"

    def latex(self) -> str:
        """LaTeX: one aligned line per path, then the sum."""
        root, wrt = _latex(sympy.Symbol(self.root)), _latex(sympy.Symbol(self.wrt))
        lhs = rf"\frac{{\partial {root}}}{{\partial {wrt}}}"
        if not self.paths:
            return rf"{lhs} = 0"
        terms = []
        for path in self.paths:
            factors = [
                rf"\left({e.latex}\right)" if isinstance(e.expr, sympy.Add) else e.latex
                for e in path.edges
                if e.latex != "1"
            ]
            terms.append(r" \cdot ".join(factors) or "1")
        lines = [rf"{lhs} &= {terms[0]}"] + [rf"&\quad + {t}" for t in terms[1:]]
        if self.total is not None:
            lines.append(rf"&= {self.total:.12g}")
        return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def _paren(formula: str) -> str:
    """Parentheses around a sum, so a product of factors reads right."""
    depth = 0
    for k, char in enumerate(formula):
        depth += char == "("
        depth -= char == ")"
        if depth == 0 and k > 0 and char in "+−" and formula[k - 1] == " ":
            return f"({formula})"
    return formula


def explain(
    root: Node,
    wrt: Node,
    *,
    fold: bool | None = None,
    max_paths: int = MAX_PATHS,
    check: bool = True,
) -> Explanation:
    """Every path from `root` to `wrt` with its local derivatives; Σ_paths Π_edges = ∂root/∂wrt.

    Call ``root.backward()`` first: the sum over paths is checked against ``wrt.grad``, and a
    mismatch raises `PathError`. ``check=False`` explains a part of a graph whose backward
    started elsewhere (E2 after ``E_total.backward()``): the sum is given, ``grad`` is None.
    On Tensor graphs the paths and shapes are given, not numbers.

    >>> a = Value(2.0, "a")
    >>> b = Value(3.0, "b")
    >>> c = a * b
    >>> c.label = "c"
    >>> d = c + a
    >>> d.label = "d"
    >>> d.backward()
    >>> e = explain(d, a)
    >>> [p.nodes() for p in e.paths]
    [['d', 'c', 'a'], ['d', 'a']]
    >>> e.total, a.grad                  # ∂d/∂a = b + 1
    (4.0, 4.0)
    """
    if isinstance(max_paths, bool) or not isinstance(max_paths, int) or max_paths < 0:
        raise ValueError(f"explain: max_paths must be an int >= 0, got {max_paths!r}")
    check = flag(check, "explain: check")
    view = _View(root, wrt, fold, "explain")
    nodes = view.reachable()
    # Paths from each node down to wrt: counted, and summed as numbers (value and |value|),
    # by dynamic programming in topological order, so huge path counts cost nothing.
    count: dict[int, int] = {id(view.wrt): 1}
    total: dict[int, float] = {id(view.wrt): 1.0}
    magnitude: dict[int, float] = {id(view.wrt): 1.0}
    for node in reversed(nodes):
        if node is view.wrt:
            continue
        key = id(node)
        count[key], total[key], magnitude[key] = 0, 0.0, 0.0
        for parent, edge in view.edges(node):
            pkey = id(parent)
            if pkey in count:
                local = edge.value if edge.value is not None else math.nan
                count[key] += count[pkey]
                total[key] += local * total[pkey]
                magnitude[key] += abs(local) * magnitude[pkey]
    root_key = id(view.root)
    path_count = count.get(root_key, 0)
    paths = _enumerate_paths(view, count, max_paths)
    shapes = None
    if view.is_value:
        grad_sum = total.get(root_key, 0.0)
        grad = float(view.wrt.grad)
        bound = CLOSED_FORM_RTOL * max(magnitude.get(root_key, 0.0), abs(grad))
        # The backward pass adds the same products in another order: they agree to rounding.
        if check and not abs(grad_sum - grad) <= bound + CLOSED_FORM_ATOL:
            raise PathError(
                f"explain: the sum over the {_count(path_count)} "
                f"{'path' if path_count == 1 else 'paths'} from "
                f"{view.name(view.root)} to {view.name(view.wrt)} is {grad_sum!r}, "
                f"but {view.name(view.wrt)}.grad is "
                f"{grad!r}. Leaf gradients accumulate across backward() calls: reset every "
                "leaf's grad to 0 (model.zero_grad() resets only parameters), or build the graph "
                "again, and call backward() once before explaining."
            )
        result_total: float | None = grad_sum
        result_grad: float | None = grad if check else None
    else:
        result_total = result_grad = None
        shapes = {view.name(n): tuple(n.shape) for n in nodes}
    return Explanation(
        view.name(view.root), view.name(view.wrt), tuple(paths), path_count, result_total,
        result_grad, shapes,
    )  # fmt: skip


def _enumerate_paths(view: _View, count: dict[int, int], limit: int) -> list[Path]:
    """The first `limit` paths from root to wrt, depth first, without recursion.

    A path on the stack is a linked list (edge, rest-of-path), shared by every path that
    continues it, so reaching depth L costs L steps, not 1 + 2 + … + L copies; each listed
    path is spelled out once, when it reaches wrt.
    """
    paths: list[Path] = []
    if id(view.root) not in count or count[id(view.root)] == 0:
        return paths
    Chain = tuple[Edge, Any] | None  # (last edge, the chain before it)
    stack: list[tuple[Node, Chain]] = [(view.root, None)]
    while stack and len(paths) < limit:
        node, chain = stack.pop()
        if node is view.wrt:
            edges: list[Edge] = []
            while chain is not None:
                edge, chain = chain
                edges.append(edge)
            edges.reverse()
            value = math.prod(e.value for e in edges) if view.is_value else None  # type: ignore[misc]
            paths.append(Path(tuple(edges), value))
            continue
        successors = [(p, e) for p, e in view.edges(node) if count.get(id(p), 0) > 0]
        stack.extend((p, (e, chain)) for p, e in reversed(successors))
    return paths


# --- derive -------------------------------------------------------------------------------------


class _Sum:
    __slots__ = ("terms",)

    def __init__(self, terms: list[Any]) -> None:
        self.terms = terms


class _Prod:
    __slots__ = ("factors",)

    def __init__(self, factors: list[Any]) -> None:
        self.factors = factors


def _times(adjoint: Any, local: sympy.Expr) -> Any:
    """adjoint · local, keeping the chain's order: the root's side first. Constant factors
    are multiplied together at the front, so ½·2·(−1)·x prints as −x, not as 1/2·2·−1·x."""
    if local == 1:
        return adjoint
    coefficient, local = local.as_coeff_Mul()  # 2·n7 → (2, n7); a_o1 − t1 → (1, a_o1 − t1)
    factors = list(adjoint.factors) if isinstance(adjoint, _Prod) else [adjoint]
    first = factors[0]
    if isinstance(first, sympy.Expr) and first.is_number:
        coefficient *= first
        factors = factors[1:]
    if local != 1:
        factors.append(local)
    if coefficient != 1 or not factors:
        factors.insert(0, coefficient)
    return factors[0] if len(factors) == 1 else _Prod(factors)


def _plus(adjoint: Any, term: Any) -> Any:
    if adjoint is None:
        return term
    if isinstance(adjoint, _Sum):
        return _Sum([*adjoint.terms, term])
    return _Sum([adjoint, term])


@dataclass(frozen=True, repr=False)  # the REPL shows the text, not a dump of the fields
class Derivation:
    """∂root/∂wrt in closed form (see `derive`): text, LaTeX, a sympy expression, a value."""

    root: str
    wrt: str
    tree: Any
    values: dict[str, float]

    def __str__(self) -> str:
        return f"∂{self.root}/∂{self.wrt} = {self.text()}"

    __repr__ = __str__

    def _repr_latex_(self) -> str:
        """Jupyter shows a derivation as display math: ∂root/∂wrt = the right-hand side."""
        lhs = rf"\frac{{\partial {latex_symbol(self.root)}}}{{\partial {latex_symbol(self.wrt)}}}"
        return f"$${lhs} = {self.latex()}$$"

    def _repr_markdown_(self) -> str:
        """The same display math for front ends that prefer Markdown (JupyterLab does)."""
        return self._repr_latex_()

    def text(self) -> str:
        """The right-hand side as the derivation writes it: ((a_o1 − t1)·…)·i1."""
        return _render(self.tree, _text, "·", " + ", " − ", "({})")

    def latex(self) -> str:
        """The right-hand side in LaTeX."""
        return _render(self.tree, _latex, r" \cdot ", " + ", " - ", r"\left({}\right)")

    def sympy(self) -> sympy.Expr:
        """The right-hand side as a sympy expression in the nodes' names."""
        return _to_sympy(self.tree)

    def evaluate(self) -> float:
        """Its value at the graph's numbers (equal to ``wrt.grad`` after one backward)."""
        expr = self.sympy()
        symbols = {s: self.values[s.name] for s in expr.free_symbols}
        return float(expr.evalf(subs=symbols, n=30))


def _to_sympy(tree: Any) -> sympy.Expr:
    if isinstance(tree, _Sum):
        return sympy.Add(*(_to_sympy(t) for t in tree.terms))
    if isinstance(tree, _Prod):
        return sympy.Mul(*(_to_sympy(f) for f in tree.factors))
    return tree


def _render(
    tree: Any, atom: Callable[[sympy.Expr], str], times: str, plus: str, minus: str, group: str
) -> str:
    """Print the factored tree: products in chain order, sums in parentheses inside products."""

    def needs_group(item: Any) -> bool:
        return isinstance(item, (_Sum, sympy.Add))

    def show(item: Any) -> str:
        if isinstance(item, _Sum):
            parts = [show(t) for t in item.terms]
            out = parts[0]
            for part in parts[1:]:
                out += minus + part[1:] if part[:1] in ("−", "-") else plus + part
            return out
        if isinstance(item, _Prod):
            factors = list(item.factors)
            sign = ""
            if isinstance(factors[0], sympy.Expr) and factors[0] == -1 and len(factors) > 1:
                sign, factors = "−" if times == "·" else "-", factors[1:]
            parts = [group.format(show(f)) if needs_group(f) else show(f) for f in factors]
            return sign + times.join(parts)
        return atom(item)

    return show(tree)  # its length was bounded by derive() (see _printed_size)


def _printed_size(tree: Any, memo: dict[int, int]) -> int:
    """Roughly how many characters `_render` would print (shared subtrees count each time)."""
    stack: list[tuple[Any, bool]] = [(tree, False)]
    while stack:
        item, ready = stack.pop()
        if id(item) in memo:
            continue
        if isinstance(item, _Sum):
            children = item.terms
        elif isinstance(item, _Prod):
            children = item.factors
        else:
            children = None
        if children is None:
            memo[id(item)] = len(str(item))
        elif ready:
            memo[id(item)] = sum(memo[id(c)] + 3 for c in children)
        else:
            stack.append((item, True))
            stack.extend((c, False) for c in children)
    return memo[id(tree)]


def derive(root: Node, wrt: Node, *, fold: bool | None = None) -> Derivation:
    """The closed form of ∂root/∂wrt in the nodes' labels: Σ over paths of Π local derivatives,
    with shared tails factored out (reverse accumulation, done on symbols).

    >>> x = Value(3.0, "x")
    >>> y = x * x
    >>> y.label = "y"
    >>> z = y.sigmoid()
    >>> z.label = "z"
    >>> print(derive(z, x))
    ∂z/∂x = 2·z·(1 − z)·x
    """
    view = _View(root, wrt, fold, "derive")
    if not view.is_value:
        raise TypeError(
            "derive: closed forms are derived on Value graphs; on Tensors use explain() for "
            "the paths and shapes"
        )
    nodes = view.reachable()
    adjoint: dict[int, Any] = {id(view.root): sympy.Integer(1)}
    for node in nodes:
        if node is view.wrt:
            break
        own = adjoint.get(id(node))
        if own is None:
            continue
        for parent, edge in view.edges(node):
            assert edge.expr is not None  # Value edges always carry a formula
            adjoint[id(parent)] = _plus(adjoint.get(id(parent)), _times(own, edge.expr))
    tree = adjoint.get(id(view.wrt), sympy.Integer(0))
    if _printed_size(tree, {}) > MAX_FORMULA_CHARS:
        raise ValueError(
            f"derive: the closed form of ∂{view.name(view.root)}/∂{view.name(view.wrt)} would "
            f"run past {MAX_FORMULA_CHARS:,} characters; use explain() for its paths"
        )
    values = {view.name(n): float(n.data) for n in view.order}
    return Derivation(view.name(view.root), view.name(view.wrt), _factored(tree), values)


def _factored(tree: Any) -> Any:
    """The tree with each sum's common leading factors taken outside it, as a derivation
    writes ∂E/∂a_h1 = (a_o1 − t1)·a_o1·(1 − a_o1)·(w5·… + w7·…) when every path starts alike.
    Post-order without recursion (derived trees can be deep); subtrees are shared, so memoised."""
    done: dict[int, Any] = {}
    stack: list[tuple[Any, bool]] = [(tree, False)]
    while stack:
        item, ready = stack.pop()
        if id(item) in done:
            continue
        children = item.terms if isinstance(item, _Sum) else (
            item.factors if isinstance(item, _Prod) else None
        )  # fmt: skip
        if children is None:
            done[id(item)] = item
        elif not ready:
            stack.append((item, True))
            stack.extend((c, False) for c in children)
        elif isinstance(item, _Prod):
            done[id(item)] = _Prod([done[id(f)] for f in item.factors])
        else:
            done[id(item)] = _pull_common_prefix([done[id(t)] for t in item.terms])
    return done[id(tree)]


def _pull_common_prefix(terms: list[Any]) -> Any:
    """Σ terms, as prefix·(Σ rests) when every term is a product starting with the same
    factors; else the plain sum."""
    lists = [t.factors if isinstance(t, _Prod) else [t] for t in terms]
    prefix: list[Any] = []
    for column in zip(*lists):
        first = column[0]
        if all(f is first or (isinstance(f, sympy.Expr) and f == first) for f in column):
            prefix.append(first)
        else:
            break
    if not prefix or any(len(factors) == len(prefix) for factors in lists):
        return _Sum(terms)
    rests = [
        factors[len(prefix)] if len(factors) == len(prefix) + 1 else _Prod(factors[len(prefix) :])
        for factors in lists
    ]
    return _Prod([*prefix, _Sum(rests)])


# --- the trace table ----------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)  # the REPL shows the text, not a dump of the fields
class TraceTable:
    """Every node of a graph in topological order: name, op, operands, value and gradient."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def __str__(self) -> str:
        return self.text()

    __repr__ = __str__

    def text(self) -> str:
        """Aligned columns for the terminal."""
        return table(self.headers, self.rows)

    def _repr_markdown_(self) -> str:
        """Jupyter shows a trace table as a Markdown table..."""
        return self.markdown()

    def _repr_html_(self) -> str:
        """... or, where HTML is preferred (JupyterLab, VS Code), as an HTML table."""

        def cell(text: str, tag: str) -> str:
            escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            return f"<{tag}>{escaped}</{tag}>"

        head = "".join(cell(h, "th") for h in self.headers)
        body = "".join("<tr>" + "".join(cell(c, "td") for c in row) + "</tr>" for row in self.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def markdown(self) -> str:
        """A Markdown table."""
        lines = ["| " + " | ".join(self.headers) + " |", "|" + "---|" * len(self.headers)]
        lines += ["| " + " | ".join(c.replace("|", r"\|") for c in r) + " |" for r in self.rows]
        return "\n".join(lines) + "\n"

    def csv(self) -> str:
        """CSV text, one row per node (full precision)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.headers)
        writer.writerows(self.rows)
        return buffer.getvalue()


def _summary(array: Any) -> str:
    """A Tensor's data or grad in one cell: all of it when small, else shape and range."""
    if array is None:
        return ""
    a = np.asarray(array)
    if a.size <= 4:  # on one line, so a table cell stays one line
        text = np.array2string(a.ravel(), precision=6, separator=", ") if a.ndim else repr(float(a))
        return text if a.ndim <= 1 else f"{_shape_of(a)} {text}"
    return f"{_shape_of(a)} in [{a.min():.4g}, {a.max():.4g}]"


def _shape_of(a: Any) -> str:
    return "×".join(str(n) for n in a.shape)


def trace_table(root: Node) -> TraceTable:
    """Every node below `root`, parents first: the spreadsheet of one forward and backward pass.

    >>> a = Value(2.0, "a")
    >>> b = a * a
    >>> b.label = "b"
    >>> b.backward()
    >>> print(trace_table(b))
      node  op  inputs  value  grad
      ----  --  ------  -----  ----
      a                   2.0   4.0
      b     *   a, a      4.0   1.0
    """
    order = forward_order(_checked_node(root, "trace_table", "root"))
    names = _names(order)
    rows = []
    for node in order:
        inputs = ", ".join(names[id(p)] for p in node.parents)
        if isinstance(node, Value):
            value, grad = repr(node.data), repr(node.grad)
        else:
            value, grad = _summary(node.data), _summary(node.grad)
        op = node.op or ("const" if not node.label and node.parents == () and _is_const(node)
                         else "")  # fmt: skip
        rows.append((names[id(node)], op, inputs, value, grad))
    return TraceTable(("node", "op", "inputs", "value", "grad"), tuple(rows))


def _is_const(node: Node) -> bool:
    """An unlabelled leaf that learns nothing: a number mixed into an expression."""
    return isinstance(node, Value) or not node.requires_grad
