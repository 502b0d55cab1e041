"""Watch backpropagation happen: one self-contained HTML page that steps through a graph.

`stepper(root)` lays the graph out with `viz.draw_graph` (Graphviz), and writes one page with
the SVG, the numbers and a little inline JavaScript — no network, no CDN, one file — that
replays the two passes:

- **forward**, one step per operation in topological order (operands left to right): the node's
  value appears, with its formula from the catalogue and the numbers it was computed from. The
  leaves (inputs, targets, parameters) hold their values from the start;
- **backward**, one step per *edge* in the order ``backward()`` itself visits them (reverse
  topological order, each node's operands in order): the edge parent → child adds
  ∂root/∂child · ∂child/∂parent to ∂root/∂parent. So the backward phase has exactly as many
  steps as the graph has edges, and a node reached along several edges shows its running sum
  growing until its last contribution completes it: the multivariable chain rule.

Every number on the page comes from the engine — ``data``, ``grad``, `Value.local_grads` (for a
Tensor, its primitive's VJP) — and every local derivative formula from the catalogue through
`explain.formula_labeller`; the script only chooses which of them to show. The contributions are
added up here, in the engine's order, so each running sum ends exactly at the node's ``.grad``
(checked: a leaf whose gradient holds earlier backward passes is refused, with the fix).

>>> from tinygrad_edu import Value
>>> x, y = Value(2.0, "x"), Value(3.0, "y")
>>> z = x * y + x
>>> z.label = "z"
>>> z.backward()
>>> page = stepper(z)
>>> len(page.forward), len(page.backward)      # 2 operations; 4 edges: x·y→z, x→z, x→×, y→×
(2, 4)
>>> for step in page.backward:
...     print(step.text)
∂z/∂(x·y) += ∂z/∂z · ∂z/∂(x·y) = 1 × 1 = 1
∂z/∂x += ∂z/∂z · ∂z/∂x = 1 × 1 = 1
∂z/∂x += ∂z/∂(x·y) · ∂(x·y)/∂x = 1 × 3 = 3
∂z/∂y += ∂z/∂(x·y) · ∂(x·y)/∂y = 1 × 2 = 2
>>> [step.total for step in page.backward if step.parent_name == "x"], x.grad   # 1, then 1 + y
([1.0, 4.0], 4.0)
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu import _format
from tinygrad_edu._checks import whole
from tinygrad_edu._files import write_atomically
from tinygrad_edu.graph import topological_order
from tinygrad_edu.nn import Module
from tinygrad_edu.tensor import Tensor, unbroadcast
from tinygrad_edu.value import Value

__all__ = [
    "MAX_NODES",
    "MAX_STEPS",
    "BackwardStep",
    "ForwardStep",
    "StepNode",
    "Stepper",
    "stepper",
]

#: Past this many nodes the picture is collapsed to one box per module (with ``model=``), as
#: `draw_graph` does; without modules the page is refused. A 400-node graph laid out box by box
#: is already wider than a dozen screens, and Graphviz takes seconds over it.
MAX_NODES = 400

#: A page never holds more steps than this (nodes plus edges), whatever max_nodes says: each
#: step carries its explanation (~400 bytes), so 10,000 steps is a 4 MB page, which a browser
#: opens in about a second. Nobody clicks through more.
MAX_STEPS = 10_000

# A display name longer than this (a spelled-out helper, w1·x1 + w2·x2 + … + b) is replaced by
# its generated name (n12): the panel must stay one readable line.
_LONGEST_NAME = 40
# A name that needs parentheses after ∂: anything but a plain identifier (a_h1, L1.N1.w1, n12).
_PLAIN = re.compile(r"[^\W\d][\w.#]*")


@dataclass(frozen=True)
class StepNode:
    """One node as the page shows it: its name, where it is drawn, and the engine's numbers."""

    name: str  # its label, a helper's formula (w5·a_h1) or a generated name (n7)
    svg: str | None  # the SVG node standing for it: n{k}, or a module box m{k} when collapsed
    operation: str | None  # its operation's oval (n{k}_op), None for a leaf or when collapsed
    role: str  # "parameter", "input", "intermediate" or "loss"
    parents: tuple[int, ...]  # its operands, as indices into Stepper.nodes
    data: str  # its value as shown (4 significant digits; a Tensor: shape and summary)
    grad: str  # its .grad as shown
    grad_value: float | None  # its .grad exactly (a Value), else None
    uses: int  # how many edges leave it: how many contributions its gradient sums


@dataclass(frozen=True)
class ForwardStep:
    """Computing one node's value from its operands."""

    node: int
    text: str  # "h1 = w1·i1 + w2·i2 = 0.0075 + 0.02 = 0.0275"
    operation: str  # the primitive's name and sign: "addition (+)"
    derivatives: tuple[str, ...]  # the local derivatives backward will use: "∂h1/∂(w1·i1) = 1"


@dataclass(frozen=True)
class BackwardStep:
    """One edge of the chain rule: ∂root/∂parent += ∂root/∂child · ∂child/∂parent."""

    child: int
    parent: int
    operand: int  # which operand of the child the parent is
    child_name: str
    parent_name: str
    formula: str  # ∂child/∂parent from the catalogue: "a_o1·(1 − a_o1)" (a Tensor: the VJP)
    local: float | None  # ∂child/∂parent as a number (Value.local_grads); None for a Tensor
    contribution: float | None  # ∂root/∂child · local (a Value)
    total: float | None  # the running sum ∂root/∂parent after this step (a Value)
    total_text: str  # the running sum as its box shows it (a Tensor: its summary)
    count: int  # this is the parent's count-th contribution ...
    uses: int  # ... of this many
    text: str  # "∂E_total/∂a_h1 += ∂E_total/∂(w5·a_h1) · ∂(w5·a_h1)/∂a_h1 = 0.1424 × 0.4 = …"


class Stepper:
    """The step-by-step page of one graph: `html`, `save`, and inline display in Jupyter."""

    def __init__(
        self,
        root_name: str,
        nodes: list[StepNode],
        forward: list[ForwardStep],
        backward: list[BackwardStep],
        dot: str,
        collapsed: bool,
        focus: list[int],
    ) -> None:
        self.root_name = root_name
        self.nodes = nodes
        self.forward = forward
        self.backward = backward
        self.collapsed = collapsed
        self.focus = focus
        self.dot = dot  # the graph's DOT source, from draw_graph
        self._html: str | None = None

    @property
    def html(self) -> str:
        """The whole page: one HTML file with its SVG, styles, data and script inline.

        Made on first use: laying the graph out needs Graphviz's ``dot`` (without it,
        `GraphvizNotFoundError` says how to install it).
        """
        if self._html is None:
            self._html = _page(self, _svg(self.dot))
        return self._html

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to `path` (whole or not at all); returns the path written."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(
                f"Stepper.save: path must be a str or a Path, got {type(path).__name__}"
            )
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        page = self.html
        write_atomically(target, lambda temporary: temporary.write_text(page, encoding="utf-8"))
        return target

    def _repr_html_(self) -> str:
        """Jupyter's inline display: the page in a frame of its own, so that its styles and
        script touch nothing else in the notebook."""
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
            'style="width:100%;height:760px;border:1px solid #d0d7de;border-radius:6px" '
            f'title="backpropagation step by step: {html.escape(self.root_name)}"></iframe>'
        )

    def __repr__(self) -> str:
        return (
            f"<Stepper of {self.root_name}: {len(self.nodes)} nodes, {len(self.forward)} forward "
            f"and {len(self.backward)} backward steps>"
        )


def stepper(
    root: Any,
    *,
    highlight: Any = None,
    model: Module | None = None,
    max_nodes: int | None = MAX_NODES,
) -> Stepper:
    """The page that replays the forward and the backward pass below `root`, step by step.

    `root` is a Value or a Tensor after ``backward()``. One forward step per operation, one
    backward step per edge (see the module). ``highlight`` (a node, a label, or a list) sets the
    page's initial focus: everything not on a path from the root down to it is dimmed (the page
    can change it). ``model`` groups nodes into its layers and neurons, as in `draw_graph`;
    past `max_nodes` nodes the picture is collapsed to one box per module, or refused when
    there are none. The page (`Stepper.html`, `Stepper.save`) needs Graphviz's ``dot``, which
    lays the graph out.

    >>> from tinygrad_edu import Value
    >>> a = Value(0.5, "a")
    >>> y = (a * a).sigmoid()
    >>> y.label = "y"
    >>> y.backward()
    >>> page = stepper(y, highlight="a")
    >>> page.backward[0].formula, len(page.backward)       # σ's rule, from the catalogue
    ('y·(1 − y)', 3)
    >>> last = page.backward[-1]                             # a·a uses a twice: two edges
    >>> last.text, last.count, last.uses, last.total == a.grad
    ('∂y/∂a += ∂y/∂(a·a) · ∂(a·a)/∂a = 0.2461 × 0.5 = 0.1231', 2, 2, True)
    """
    from tinygrad_edu.viz import _check_root, _targets, draw_graph  # graphviz, only when used

    _check_root(root, "stepper")
    limit = None if max_nodes is None else whole(max_nodes, "stepper: max_nodes")
    if model is not None and not isinstance(model, Module):
        raise TypeError(
            f"stepper: model must be a tinygrad_edu Module (MLP, Sequential, ...), got "
            f"{type(model).__name__}"
        )
    tensor = isinstance(root, Tensor)
    if (root.grad is None) if tensor else (root.grad == 0.0):
        raise ValueError(
            "stepper: the graph has no gradients yet; call root.backward() first (the page shows "
            "what backward computed)"
        )
    order = topological_order(root)  # the engine's order: node k is n{k} in draw_graph's SVG
    edges = sum(len(n.parents) for n in order)
    operations = sum(1 for n in order if n.parents)
    if operations + edges > MAX_STEPS:
        raise ValueError(
            f"stepper: the graph has {len(order):,} nodes and {edges:,} edges, "
            f"{operations + edges:,} steps, more than a page holds ({MAX_STEPS:,}); step through "
            "a smaller graph: fewer inputs, or a part of it (label a node and pass it as the root)"
        )
    index = {id(n): k for k, n in enumerate(order)}
    names = _display_names(order)
    try:
        focus = [index[id(t)] for t in _targets(highlight, order, index)]
        # The boxes of unlabelled operations show the names the panel gives them (w5·a_h1):
        # labelled for the drawing only, and given back their empty labels at once.
        helpers = [n for n in order if n.parents and not n.label]
        try:
            for n in helpers:
                n.label = names[id(n)]
            graph = draw_graph(root, model=model, max_nodes=limit)
        finally:
            for n in helpers:
                n.label = ""
    except (ValueError, TypeError) as error:
        raise type(error)(str(error).replace("draw_graph:", "stepper:", 1)) from None
    collapsed = limit is not None and len(order) > limit

    shown = _svg_ids(order, model, collapsed)
    uses = [0] * len(order)
    for node in order:
        for p in node.parents:
            uses[index[id(p)]] += 1

    nodes = []
    for k, node in enumerate(order):
        role = (
            "loss"
            if node is root
            else "intermediate"
            if node.parents
            else "parameter"
            if id(node) in shown.parameters
            else "input"
        )
        nodes.append(
            StepNode(
                name=names[id(node)],
                svg=shown.node[k],
                operation=None if collapsed or not node.parents else f"n{k}_op",
                role=role,
                parents=tuple(index[id(p)] for p in node.parents),
                data=_data_text(node),
                grad=_grad_text(node.grad),
                grad_value=None if tensor else float(node.grad),
                uses=uses[k],
            )
        )
    from tinygrad_edu.explain import formula_labeller  # sympy, only when a page is made

    formula = formula_labeller(root)
    forward = [
        _forward_step(node, index[id(node)], names, formula)
        for node in topological_order(root, left_to_right=True)
        if node.parents
    ]
    if tensor:
        backward = _tensor_backward(order, index, names, nodes, root)
    else:
        backward = _value_backward(order, index, names, nodes, root, formula)
    return Stepper(names[id(root)], nodes, forward, backward, graph.source, collapsed, focus)


# --- names and numbers ----------------------------------------------------------------------------


def _display_names(order: list[Any]) -> dict[int, str]:
    """{id(node): how the page names it}: its label; an unlabelled constant, its value; an
    unlabelled helper, the formula it stands for, written from its operands' names (w5·a_h1),
    unless explanations give it a generated name (n7: a σ whose derivative is written with its
    output, or a long expression) or the formula is longer than a line."""
    from tinygrad_edu.explain import _keeps_a_name, _names, _too_big_to_fold  # sympy: lazily

    forward = topological_order(order[-1], left_to_right=True)
    generated = _names(forward)  # the names explanations use: label, else n1, n2, … (forward)
    too_big = _too_big_to_fold(forward)
    names: dict[int, str] = {}
    for node in forward:
        key = id(node)
        if node.label or id(node) in too_big or (node.parents and _keeps_a_name(node)):
            names[key] = generated[key]
        elif not node.parents:
            names[key] = _number(node.data)
        else:
            text = _formula(node.primitive.shown, [names[id(p)] for p in node.parents])
            names[key] = text if len(text) <= _LONGEST_NAME else generated[key]
    return names


_SUPERSCRIPTS = dict(zip("23456789", "²³⁴⁵⁶⁷⁸⁹"))


def _formula(shown: str, operands: list[str]) -> str:
    """An operation on named operands as the derivation writes it: w1·i1, t1 − a_o1,
    (t1 − a_o1)², σ(h1); an operand that is itself a sum or a negative number in parentheses
    where the operation binds tighter."""

    def grouped(name: str, tight: bool = False) -> str:
        compound = " " in name or name.startswith("−") or (tight and not _PLAIN.fullmatch(name))
        return f"({name})" if compound else name

    if len(operands) == 2 and shown in ("+", "−", "×", "÷", "^", "@"):
        a, b = operands
        if shown == "+":
            return f"{a} + {b}"
        if shown == "−":
            return f"{a} − {grouped(b)}"
        if shown == "×":
            return f"{grouped(a)}·{grouped(b)}"
        if shown == "^":
            power = _SUPERSCRIPTS.get(b, "^" + grouped(b, tight=True))
            return grouped(a, tight=True) + power
        return f"{grouped(a)} {'/' if shown == '÷' else shown} {grouped(b)}"
    if shown == "−x":
        return "−" + grouped(operands[0], tight=True)
    return f"{shown}({', '.join(operands)})"


def _d(name: str) -> str:
    """∂ before a name: ∂a_h1, ∂(w5·a_h1)."""
    return f"∂{name}" if _PLAIN.fullmatch(name) else f"∂({name})"


def _number(x: float) -> str:
    """A number as the page shows it: 4 significant digits, a true minus sign."""
    return _format.number(x, 4).replace("-", "−")


def _minus(text: str) -> str:
    """Numbers as the panel prints them, with a true minus sign: −0.5."""
    return text.replace("-", "−")


def _summary(a: Any, shape: bool = True) -> str:
    """A Tensor's array as the page shows it: its shape (in a box, the shape has a cell of its
    own), then its entries or their mean and range."""
    from tinygrad_edu.viz import _shape
    from tinygrad_edu.viz import _summary as summary

    array = np.asarray(a)
    return f"{_shape(array.shape)} {summary(array)}" if shape else summary(array)


def _data_text(node: Any) -> str:
    """A node's value as its box shows it (ASCII minus: the box was laid out for it)."""
    if isinstance(node, Tensor):
        return _summary(node.data, shape=False)
    return _format.number(node.data, 4)


def _grad_text(grad: Any) -> str:
    """A gradient as its box shows it (ASCII minus: the box was laid out for it)."""
    if grad is None:
        return "none"
    return _format.number(grad, 4) if isinstance(grad, float) else _summary(grad, shape=False)


def _operand(text: str) -> str:
    """A number written as an operand: a negative one in parentheses, 2 × (−0.5)."""
    return f"({text})" if text.startswith("−") else text


_INFIX = {"+", "−", "×", "÷", "^"}


def _forward_step(
    node: Any, k: int, names: dict[int, str], local: Callable[[Any, int], str]
) -> ForwardStep:
    """`node`'s value from its operands: its formula, then their numbers, then its own; and
    the local derivatives (from the catalogue) that the backward pass will multiply by."""
    primitive = node.primitive
    name = names[id(node)]
    formula = _formula(primitive.shown, [names[id(p)] for p in node.parents])
    operation = f"{primitive.name} ({primitive.shown})"
    if isinstance(node, Tensor):
        text = f"{name}{'' if formula == name else ' = ' + formula}: {_minus(_summary(node.data))}"
        return ForwardStep(k, text, operation, ())
    derivatives = tuple(
        f"{_d(name)}/{_d(names[id(p)])} = {local(node, j)}" for j, p in enumerate(node.parents)
    )
    values = [_number(p.data) for p in node.parents]
    shown = primitive.shown
    if shown in _INFIX and len(values) == 2:
        numbers = f"{_operand(values[0])} {shown} {_operand(values[1])}"
    elif shown == "−x":
        numbers = f"−{_operand(values[0])}"
    else:  # a function: its own parentheses are enough, tanh(−0.42)
        numbers = f"{shown}({', '.join(values)})"
    parts = [name] + ([formula] if formula != name else []) + [numbers, _number(node.data)]
    return ForwardStep(k, " = ".join(parts), operation, derivatives)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _value_backward(
    order: list[Value],
    index: dict[int, int],
    names: dict[int, str],
    nodes: list[StepNode],
    root: Value,
    formula: Callable[[Any, int], str],
) -> list[BackwardStep]:
    """The chain rule edge by edge, in backward()'s order, with running sums from 0."""
    sums: dict[int, float] = {}
    counts: dict[int, int] = {}
    steps: list[BackwardStep] = []
    R = _d(names[id(root)])
    for node in reversed(order):
        if not node.parents:
            continue
        g = node.grad
        c = index[id(node)]
        child = names[id(node)]
        for j, (parent, local) in enumerate(zip(node.parents, node.local_grads())):
            p = index[id(parent)]
            contribution = local * g  # what the engine adds: x.grad += dx · out.grad
            before = sums.get(p)
            total = contribution if before is None else before + contribution
            sums[p] = total
            count = counts[p] = counts.get(p, 0) + 1
            uses = nodes[p].uses
            if count == uses:
                # The sum is complete: it must be what backward() left in .grad.
                _check_total(parent, names[id(parent)], total)
                total = parent.grad
            name = names[id(parent)]
            text = (
                f"{R}/{_d(name)} += {R}/{_d(child)} · {_d(child)}/{_d(name)} = "
                f"{_operand(_number(g))} × {_operand(_number(local))} = {_number(contribution)}"
            )
            steps.append(
                BackwardStep(
                    child=c,
                    parent=p,
                    operand=j,
                    child_name=child,
                    parent_name=name,
                    formula=formula(node, j),
                    local=local,
                    contribution=contribution,
                    total=total,
                    total_text=_grad_text(total),
                    count=count,
                    uses=uses,
                    text=text,
                )
            )
    return steps


def _check_total(node: Value, name: str, total: float) -> None:
    """The contributions add up to the engine's .grad, unless earlier passes are in it too."""
    if not math.isclose(total, node.grad, rel_tol=1e-12, abs_tol=1e-300):
        raise ValueError(
            f"stepper: {name}.grad is {node.grad!r}, but this backward pass gives it {total!r}: "
            "it also holds gradients from earlier backward() calls; zero them (zero_grad() or "
            "the optimiser's) and call backward() once before making the page"
        )


def _tensor_backward(
    order: list[Tensor],
    index: dict[int, int],
    names: dict[int, str],
    nodes: list[StepNode],
    root: Tensor,
) -> list[BackwardStep]:
    """The chain rule edge by edge for Tensors: each edge carries the operand's share of the
    child's gradient (the primitive's VJP, unbroadcast), described by its shape and summary."""
    sums: dict[int, Any] = {}
    counts: dict[int, int] = {}
    steps: list[BackwardStep] = []
    R = _d(names[id(root)])
    for node in reversed(order):
        if not node.parents:
            continue
        c = index[id(node)]
        child = names[id(node)]
        primitive: Any = node.primitive  # an operation's: never None here
        needs = tuple(p.requires_grad for p in node.parents)
        shares: tuple[Any, ...] = (None,) * len(node.parents)
        if node.grad is not None:
            with np.errstate(all="ignore"):
                shares = tuple(
                    primitive.array.vjp(node.grad, node, needs, *(p.data for p in node.parents))
                )
        for j, parent in enumerate(node.parents):
            p = index[id(parent)]
            name = names[id(parent)]
            share = shares[j] if needs[j] else None
            count = counts[p] = counts.get(p, 0) + 1
            if share is None:
                total_text = _grad_text(sums.get(p))
                flow = f"nothing flows: {name} needs no gradient"
            else:
                share = unbroadcast(np.asarray(share), parent.shape)
                before = sums.get(p)
                sums[p] = share if before is None else before + share
                # The last contribution completes the sum: show the engine's .grad.
                done = count == nodes[p].uses and parent.grad is not None
                total_text = _grad_text(parent.grad if done else sums[p])
                flow = _minus(_summary(share))
            rule = primitive.vjp[j] if j < len(primitive.vjp) else primitive.vjp[-1]
            steps.append(
                BackwardStep(
                    child=c,
                    parent=p,
                    operand=j,
                    child_name=child,
                    parent_name=name,
                    formula=rule,
                    local=None,
                    contribution=None,
                    total=None,
                    total_text=total_text,
                    count=count,
                    uses=nodes[p].uses,
                    text=f"{R}/{_d(name)} += the share of {R}/{_d(child)} through "
                    f"{primitive.shown} = {flow}",
                )
            )
    return steps


# --- where each node is drawn ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Shown:
    node: list[str | None]  # the SVG node standing for node k
    parameters: set[int]  # id() of the leaves that learn


def _svg_ids(order: list[Any], model: Module | None, collapsed: bool) -> _Shown:
    """Which SVG element stands for each node, as draw_graph names them: node k is n{k}; when
    collapsed, a module's members are its box m{number} (numbered in order of appearance), and
    unlabelled leaves outside the modules are not drawn."""
    from tinygrad_edu.viz import _assign_modules, _parameters

    parameters, of_parameter = _parameters(order, None, model)
    if not collapsed:
        return _Shown([f"n{k}" for k in range(len(order))], parameters)
    modules = _assign_modules(order, of_parameter)
    boxes: dict[tuple[str, ...], int] = {}
    ids: list[str | None] = []
    root = order[-1]
    for k, node in enumerate(order):
        path = modules.get(id(node))
        if path is not None:
            ids.append(f"m{boxes.setdefault(path, len(boxes))}")
        elif not node.parents and not node.label and node is not root:
            ids.append(None)
        else:
            ids.append(f"n{k}")
    return _Shown(ids, parameters)


def _svg(source: str) -> str:
    """The graph laid out by Graphviz, as an inline <svg> element (no XML prolog)."""
    import graphviz

    from tinygrad_edu.viz import GraphvizNotFoundError

    try:
        text = graphviz.Source(source).pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError("stepper") from None
    start = text.find("<svg")
    return str(text[start:])


# --- the page -------------------------------------------------------------------------------------


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _rows(*rows: tuple[str, str]) -> str:
    return "".join(f'<div class="row"><span class="key">{k}</span>{v}</div>' for k, v in rows)


def _forward_html(step: ForwardStep, number: int, total: int) -> str:
    return (
        f'<div class="kind forward">forward pass · operation {number} of {total}</div>'
        f'<div class="eq">{_esc(step.text)}</div>'
        + _rows(
            ("operation", _esc(step.operation)),
            *(
                [("local derivatives", _esc(";  ".join(step.derivatives)))]
                if step.derivatives
                else []
            ),
        )
    )


def _backward_html(step: BackwardStep, number: int, total: int, root: str, seed: str) -> str:
    R = _d(root)
    local = _d(step.child_name) + "/" + _d(step.parent_name)
    if step.local is None:  # a Tensor edge: the VJP in words
        derivative = f"{_esc(step.formula)}"
    elif step.formula == _number(step.local):  # "1 = 1" says nothing
        derivative = f"{_esc(local)} = {_esc(_number(step.local))}"
    else:
        derivative = f"{_esc(local)} = {_esc(step.formula)} = {_esc(_number(step.local))}"
    parent = f"{R}/{_d(step.parent_name)}"
    if step.contribution is None or step.count == 1:
        running = f"{_esc(parent)} = {_esc(_minus(step.total_text))}"
    else:
        before = step.total - step.contribution if step.total is not None else 0.0
        sign = "−" if step.contribution < 0 else "+"
        running = (
            f"{_esc(parent)} = {_esc(_number(before))} {sign} "
            f"{_esc(_number(abs(step.contribution)))} = {_esc(_minus(step.total_text))}"
        )
    complete = step.count == step.uses
    ordinal = "" if step.uses == 1 else f"{_ordinal(step.count)} of {step.uses} contributions"
    if step.uses == 1:
        badge = "its only contribution: complete"
    elif complete:
        badge = f"{ordinal}: the paths meet, the sum is complete"
    else:
        badge = f"{ordinal}, more to come"
    state = "done" if complete else "partial"
    head = f'<div class="kind backward">backward pass · edge {number} of {total}</div>'
    if number == 1:
        head += f'<div class="seed">backward starts at the root: {_esc(R)}/{_esc(R)} = {seed}</div>'
    return (
        head
        + f'<div class="eq">{_esc(step.text)}</div>'
        + _rows(
            ("local derivative", derivative),
            ("running sum", f'{running} <span class="badge {state}">{_esc(badge)}</span>'),
        )
    )


def _page(page: Stepper, svg: str) -> str:
    forward_total, backward_total = len(page.forward), len(page.backward)
    root = page.root_name
    root_node = page.nodes[-1]
    data = {
        "root": root,
        "collapsed": page.collapsed,
        "focus": page.focus[0] if page.focus else -1,
        "nodes": [
            {
                "name": n.name,
                "svg": n.svg,
                "op": n.operation,
                "role": n.role,
                "parents": n.parents,
                "data": n.data,
                "grad": n.grad,
                "exact": "" if n.grad_value is None else repr(n.grad_value),
                "uses": n.uses,
                "leaf": not n.parents,
            }
            for n in page.nodes
        ],
        "forward": [
            {"node": s.node, "html": _forward_html(s, k + 1, forward_total)}
            for k, s in enumerate(page.forward)
        ],
        "backward": [
            {
                "child": s.child,
                "parent": s.parent,
                "operand": s.operand,
                "sum": s.total_text,
                "exact": "" if s.total is None else repr(s.total),
                "done": s.count == s.uses,
                "html": _backward_html(s, k + 1, backward_total, root, root_node.grad),
            }
            for k, s in enumerate(page.backward)
        ],
        "start": (
            '<div class="kind">start</div><div class="eq">The leaves hold their values; '
            "nothing is computed yet.</div>"
            + _rows(
                (
                    "next",
                    "→ runs the forward pass, one operation at a time, then the backward "
                    "pass, one edge at a time",
                ),
            )
        ),
        "end": (
            f'<div class="end">Done: every node shows ∂{_esc(root)}/∂node, exactly the '
            ".grad that backward() computed.</div>"
        ),
    }
    # "</" inside a script would end it: JSON allows "<\/" for "</".
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    options = "".join(
        f'<option value="{k}">{_esc(n.name)}</option>'
        for k, n in sorted(enumerate(page.nodes), key=lambda item: item[1].name)
        if n.svg is not None
        and (n.role in ("parameter", "input", "loss") or _PLAIN.fullmatch(n.name))
    )
    rows = "".join(
        f'<tr data-node="{k}"><td>{_esc(n.name)}</td><td class="num">{_esc(n.data)}</td>'
        '<td class="num grad"></td></tr>'
        for k, n in enumerate(page.nodes)
    )
    edges = sum(len(n.parents) for n in page.nodes)
    collapsed = (
        '<p class="note">The graph is large: the picture shows one box per module; the steps '
        "still visit every node and edge.</p>"
        if page.collapsed
        else ""
    )
    return _TEMPLATE.format(
        title=_esc(f"Backpropagation step by step: ∂{root}/∂node"),
        root=_esc(root),
        summary=_esc(
            f"{len(page.nodes)} nodes, {edges} edges: {forward_total} forward steps (one per "
            f"operation), {backward_total} backward steps (one per edge)"
        ),
        options=options,
        svg=svg,
        rows=rows,
        collapsed=collapsed,
        css=_CSS,
        js=_JS.replace("PLAY_ICON", _ICONS["play"]).replace("PAUSE_ICON", _ICONS["pause"]),
        **{f"icon_{name}": icon for name, icon in _ICONS.items()},
        data=payload,
    )


# Buttons draw their symbols (no font on the machine need have ⏮ or ⏭).
_ICONS = {
    name: f'<svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d="{path}"/></svg>'
    for name, path in {
        "start": "M3 3h2v10H3zM13 3v10L6 8z",
        "prev": "M11 3v10L4 8z",
        "play": "M5 3v10l8-5z",
        "pause": "M4 3h3v10H4zM9 3h3v10H9z",
        "next": "M5 3v10l7-5z",
        "end": "M3 3v10l7-5zM11 3h2v10h-2z",
    }.items()
}

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<header>
  <div class="top">
    <h1>Backpropagation, step by step <span class="root">∂{root}/∂node</span></h1>
    <div class="summary">{summary}</div>
  </div>
  <div class="controls" role="toolbar" aria-label="stepping">
    <button id="start" title="back to the start (Home)" aria-label="start">{icon_start}</button>
    <button id="prev" title="previous step (←)">{icon_prev} prev</button>
    <button id="play" class="primary" title="play or pause (space)">{icon_play} play</button>
    <button id="next" title="next step (→)">next {icon_next}</button>
    <button id="end" title="jump to the end (End)" aria-label="end">{icon_end}</button>
    <label class="speed">speed <input id="speed" type="range" min="1" max="20" value="3">
      <output id="speed-out">3 steps/s</output></label>
    <label>focus <select id="focus"><option value="-1">none</option>{options}</select></label>
    <label>zoom <select id="zoom"><option value="fit">fit</option><option value="0.5">50%</option>
      <option value="0.75">75%</option><option value="1" selected>100%</option>
      <option value="1.5">150%</option></select></label>
    <span class="keys">keys: ← → step · space play · Home/End</span>
  </div>
  <div class="timeline">
    <span id="phase" class="phase">start</span>
    <input id="scrub" type="range" min="0" value="0" aria-label="step">
    <span id="counter" class="counter"></span>
  </div>
</header>
<section id="panel" aria-live="polite"></section>
{collapsed}
<main id="graph">{svg}</main>
<details id="table">
  <summary>Every node's value and gradient</summary>
  <table><thead><tr><th>node</th><th>value</th><th>∂{root}/∂node</th></tr></thead>
  <tbody>{rows}</tbody></table>
</details>
<script type="application/json" id="stepper-data">{data}</script>
<script>{js}</script>
</body>
</html>
"""

_CSS = """
:root { --ink: #1f2937; --muted: #6b7280; --line: #d0d7de; --fwd: #15803d; --bwd: #c2410c;
  --hot: #d62728; --bg: #f8fafc; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  color: var(--ink); background: var(--bg); display: flex; flex-direction: column; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 8px 14px 6px; }
.top { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
h1 { font-size: 17px; margin: 0; font-weight: 650; }
h1 .root { color: var(--bwd); font-weight: 600; margin-left: 6px; }
.summary { color: var(--muted); font-size: 12.5px; }
.controls { display: flex; align-items: center; gap: 6px; flex-wrap: wrap; margin-top: 6px; }
.controls label { display: inline-flex; align-items: center; gap: 5px; color: #374151;
  margin-left: 8px; }
.icon { width: 12px; height: 12px; fill: currentColor; vertical-align: -1px; }
button { font: inherit; padding: 4px 11px; border: 1px solid #c4cbd3; border-radius: 6px;
  background: #fff; cursor: pointer; color: var(--ink); }
button:hover { background: #f1f5f9; }
button:disabled { opacity: .45; cursor: default; }
button.primary { background: #1f2937; color: #fff; border-color: #1f2937; min-width: 84px; }
button.primary:hover { background: #374151; }
select { font: inherit; padding: 2px 4px; }
output { color: var(--muted); min-width: 64px; font-size: 12.5px; }
.keys { margin-left: auto; color: var(--muted); font-size: 12px; }
.timeline { display: flex; align-items: center; gap: 10px; margin-top: 6px; }
.timeline input { flex: 1; accent-color: var(--ink); }
.counter { color: var(--muted); font-variant-numeric: tabular-nums; min-width: 120px;
  text-align: right; font-size: 12.5px; }
.phase { font-size: 11.5px; font-weight: 700; letter-spacing: .04em; text-transform: uppercase;
  padding: 2px 8px; border-radius: 10px; background: #e5e7eb; color: #374151; min-width: 84px;
  text-align: center; }
.phase.forward { background: #dcfce7; color: var(--fwd); }
.phase.backward { background: #ffedd5; color: var(--bwd); }
#panel { background: #fff; border-bottom: 1px solid var(--line); padding: 8px 16px 10px;
  min-height: 118px; }
#panel .kind { font-size: 11.5px; font-weight: 700; letter-spacing: .04em;
  text-transform: uppercase; color: var(--muted); }
#panel .kind.forward { color: var(--fwd); }
#panel .kind.backward { color: var(--bwd); }
#panel .seed { font-size: 12.5px; color: var(--muted); }
#panel .eq { font: 19px/1.45 "STIX Two Math", "Cambria Math", "DejaVu Serif", Georgia, serif;
  margin: 3px 0 4px; overflow-wrap: anywhere; }
#panel .row { font: 15px/1.5 "DejaVu Serif", Georgia, serif; color: #374151; }
#panel .key { display: inline-block; min-width: 150px; font: 600 11.5px/1.5 system-ui,
  sans-serif; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.badge { font: 600 11.5px system-ui, sans-serif; padding: 1px 8px; border-radius: 10px;
  margin-left: 8px; white-space: nowrap; }
.badge.partial { background: #fef3c7; color: #92400e; }
.badge.done { background: #dcfce7; color: #166534; }
#panel .end { margin-top: 6px; font-weight: 600; color: var(--fwd); }
.note { margin: 6px 16px; color: var(--muted); }
main { flex: 1; overflow: auto; padding: 10px; background: #fff; }
main svg { display: block; margin: 0 auto; }
main.fit svg { width: 100%; height: 100%; }
details { background: #fff; border-top: 1px solid var(--line); padding: 6px 16px; }
details[open] { max-height: 40vh; overflow: auto; }
summary { cursor: pointer; color: #374151; }
table { border-collapse: collapse; margin: 6px 0; font-size: 13px; }
th, td { border-bottom: 1px solid #eef0f3; padding: 2px 12px 2px 0; text-align: left; }
td.num { font-variant-numeric: tabular-nums; }
tr.current td { background: #ffedd5; }
tr.target td { background: #fee2e2; }
/* the graph: what is not yet known, what is being done, what is done */
g.node text.unknown { fill: #9ca3af; }
g.node text.partial { fill: #c2410c; }
g.node text.complete { fill: #15803d; }
g.node, g.edge { transition: opacity .2s; }
g.node { cursor: pointer; }
g.node.current polygon, g.node.current ellipse { stroke: #c2410c; stroke-width: 3; }
g.node.current { filter: drop-shadow(0 0 5px rgba(234, 88, 12, .9)); }
g.node.target polygon, g.node.target ellipse { stroke: var(--hot); stroke-width: 3; }
g.node.target { filter: drop-shadow(0 0 5px rgba(214, 39, 40, .9)); }
g.node.computing polygon, g.node.computing ellipse { stroke: var(--fwd); stroke-width: 3; }
g.node.computing { filter: drop-shadow(0 0 5px rgba(21, 128, 61, .8)); }
g.node.operand polygon { stroke: var(--fwd); stroke-width: 2; }
g.edge.active path { stroke: var(--hot); stroke-width: 3.2; }
g.edge.active polygon { stroke: var(--hot); fill: var(--hot); }
g.edge.flow path { stroke: var(--fwd); stroke-width: 2.6; }
g.edge.flow polygon { stroke: var(--fwd); fill: var(--fwd); }
g.dim { opacity: .16; }
g.dim.current, g.dim.target, g.dim.computing, g.dim.operand, g.dim.active,
g.dim.flow { opacity: 1; }
"""

_JS = r"""
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("stepper-data").textContent);
  const N = D.nodes.length, F = D.forward.length, B = D.backward.length, LAST = F + B;
  const $ = (id) => document.getElementById(id);
  const svg = document.querySelector("#graph svg");

  // The SVG elements Graphviz drew, by their DOT names (in <title>); edges can repeat (x·x).
  const groups = {}, edges = {};
  if (svg) {
    for (const g of svg.querySelectorAll("g.node, g.edge")) {
      const t = g.querySelector("title");
      if (!t) continue;
      const key = t.textContent;
      if (g.classList.contains("edge")) (edges[key] = edges[key] || []).push(g);
      else groups[key] = g;
    }
  }
  // Each node's box, its "data …" and "grad …" texts, its oval, its two kinds of edges.
  const view = D.nodes.map((n, k) => {
    const box = n.svg ? groups[n.svg] || null : null;
    const v = { box: box, op: n.op ? groups[n.op] || null : null, data: null, grad: null,
                row: document.querySelector('tr[data-node="' + k + '"]') };
    if (box && !D.collapsed) {
      for (const t of box.querySelectorAll("text")) {
        if (t.textContent.startsWith("data ")) v.data = t;
        else if (t.textContent.startsWith("grad ")) v.grad = t;
      }
      const title = box.querySelector("title");
      if (title) title.textContent = n.name;  // the tooltip names the node as the panel does
      box.setAttribute("data-node", String(k));
    }
    return v;
  });
  const inEdge = (p, k, occurrence) => {
    const n = D.nodes[k];
    if (D.collapsed || !n.op) return null;
    const list = edges["n" + p + "->" + n.op] || [];
    return list[Math.min(occurrence, list.length - 1)] || null;
  };
  const outEdge = (k) => {
    const n = D.nodes[k];
    return !D.collapsed && n.op ? (edges[n.op + "->n" + k] || [null])[0] : null;
  };
  // Which operand occurrence each backward step's edge is (x·x has two edges x → ×).
  const occurrence = D.backward.map((s) => {
    let count = 0;
    const parents = D.nodes[s.child].parents;
    for (let j = 0; j < s.operand; j++) if (parents[j] === s.parent) count++;
    return count;
  });
  const forwardAt = new Array(N).fill(0);  // the position at which each node's value appears
  D.forward.forEach((s, i) => { forwardAt[s.node] = i + 1; });

  const root = N - 1;
  let position = 0, timer = null, lit = [];
  const shownData = new Array(N).fill(null), shownGrad = new Array(N).fill(null);

  function setText(el, text, cls) {
    if (!el) return;
    if (el.textContent !== text) el.textContent = text;
    el.setAttribute("class", cls);
  }

  function light(el, cls) { if (el) { el.classList.add(cls); lit.push([el, cls]); } }

  function render() {
    // Values: leaves from the start, the others once their forward step is passed.
    for (let k = 0; k < N; k++) {
      const known = D.nodes[k].leaf || forwardAt[k] <= position;
      if (shownData[k] !== known) {
        shownData[k] = known;
        setText(view[k].data, "data " + (known ? D.nodes[k].data : "?"), known ? "" : "unknown");
        if (view[k].row) view[k].row.cells[1].textContent = known ? D.nodes[k].data : "?";
      }
    }
    // Gradients: the running sum of the last contribution passed (the root: the seed).
    const last = new Array(N).fill(-1);
    const applied = Math.max(0, position - F);
    for (let i = 0; i < applied; i++) last[D.backward[i].parent] = i;
    for (let k = 0; k < N; k++) {
      let text = "?", exact = "", state = "unknown";
      if (k === root && (applied > 0 || position === LAST)) {
        text = D.nodes[k].grad; exact = D.nodes[k].exact; state = "complete";
      } else if (last[k] >= 0) {
        const s = D.backward[last[k]];
        text = s.sum; exact = s.exact; state = s.done ? "complete" : "partial";
      }
      const key = text + "|" + state;
      if (shownGrad[k] === key) continue;
      shownGrad[k] = key;
      setText(view[k].grad, "grad " + text, state);
      if (view[k].box) view[k].box.setAttribute("data-grad", exact);
      if (view[k].row) {
        const cell = view[k].row.cells[2];
        cell.textContent = text;
        cell.setAttribute("data-grad", exact);
        cell.className = "num grad " + state;
      }
    }
    // What this step does, lit on the graph and told in the panel.
    for (const [el, cls] of lit) el.classList.remove(cls);
    lit = [];
    let html = D.start, phase = "start", shown = [];
    if (position >= 1 && position <= F) {
      const s = D.forward[position - 1];
      html = s.html; phase = "forward";
      shown = [view[s.node].box, ...D.nodes[s.node].parents.map((p) => view[p].box)];
      light(view[s.node].box, "computing"); light(view[s.node].op, "computing");
      light(view[s.node].row, "current");
      D.nodes[s.node].parents.forEach((p, j) => {
        light(view[p].box, "operand");
        light(inEdge(p, s.node, j), "flow");
      });
      light(outEdge(s.node), "flow");
    } else if (position > F) {
      const i = position - F - 1, s = D.backward[i];
      html = s.html; phase = "backward";
      shown = [view[s.parent].box, view[s.child].box, view[s.child].op];
      light(view[s.child].box, "current"); light(view[s.child].op, "current");
      light(view[s.parent].box, "target");
      light(view[s.child].row, "current"); light(view[s.parent].row, "target");
      light(inEdge(s.parent, s.child, occurrence[i]), "active");
      light(outEdge(s.child), "active");
    }
    if (position === LAST) html += D.end;
    $("panel").innerHTML = html;
    const ph = $("phase");
    ph.textContent = phase; ph.className = "phase " + phase;
    $("counter").textContent = "step " + position + " of " + LAST;
    $("scrub").value = String(position);
    $("prev").disabled = $("start").disabled = position === 0;
    $("next").disabled = $("end").disabled = position === LAST;
    reveal(shown);
  }

  // Scroll the graph so that this step's boxes are in view: all of them when they fit,
  // else as many as fit around the first (the node whose value or gradient changes).
  function reveal(els) {
    els = els.filter(Boolean);
    if (!els.length || zoom === "fit") return;
    const main = $("graph"), m = main.getBoundingClientRect(), pad = 30;
    const rects = els.map((el) => el.getBoundingClientRect()), key = rects[0];
    const box = { l: Infinity, t: Infinity, r: -Infinity, b: -Infinity };
    for (const r of rects) {
      box.l = Math.min(box.l, r.left); box.t = Math.min(box.t, r.top);
      box.r = Math.max(box.r, r.right); box.b = Math.max(box.b, r.bottom);
    }
    if (box.l >= m.left && box.r <= m.right && box.t >= m.top && box.b <= m.bottom) return;
    const clamp = (d, low, high) => Math.max(Math.min(d, high), low);
    const dx = clamp((box.l + box.r - m.left - m.right) / 2,
                     key.right + pad - m.right, key.left - pad - m.left);
    const dy = clamp((box.t + box.b - m.top - m.bottom) / 2,
                     key.bottom + pad - m.bottom, key.top - pad - m.top);
    main.scrollBy({ left: dx, top: dy, behavior: timer && speed() > 4 ? "auto" : "smooth" });
  }

  // Zoom: "fit" shows the whole graph; a percentage draws it that large and scrolls along.
  const natural = svg ? { w: svg.width.baseVal.value, h: svg.height.baseVal.value } : null;
  let zoom = "1";
  function setZoom(z) {
    zoom = z;
    if (!svg) return;
    $("graph").classList.toggle("fit", z === "fit");
    if (z === "fit") { svg.style.width = ""; svg.style.height = ""; }
    else {
      svg.style.width = natural.w * Number(z) + "px";
      svg.style.height = natural.h * Number(z) + "px";
    }
    $("zoom").value = z;
    render();
  }

  function go(p) {
    position = Math.max(0, Math.min(LAST, p));
    if (position === LAST) pause();
    render();
  }
  function speed() { return Number($("speed").value); }
  function play() {
    if (position === LAST) position = 0;
    $("play").innerHTML = 'PAUSE_ICON pause';
    clearInterval(timer);
    timer = setInterval(() => go(position + 1), 1000 / speed());
    render();
  }
  function pause() {
    clearInterval(timer); timer = null;
    $("play").innerHTML = 'PLAY_ICON play';
  }

  // Focus: dim everything not on a path from the root down to the chosen node.
  function focus(target) {
    const on = new Array(N).fill(false);
    if (target >= 0) {
      on[target] = true;
      for (let k = 0; k < N; k++)
        if (!on[k] && D.nodes[k].parents.some((p) => on[p])) on[k] = true;
    }
    for (const g of svg ? svg.querySelectorAll("g.node, g.edge") : []) g.classList.remove("dim");
    if (target < 0 || D.collapsed || !svg) return;
    const keep = new Set();
    for (let k = 0; k < N; k++) {
      if (!on[k]) continue;
      keep.add(view[k].box);
      if (k !== target) {
        keep.add(view[k].op); keep.add(outEdge(k));
        D.nodes[k].parents.forEach((p, j) => {
          if (on[p]) for (const e of edges["n" + p + "->" + D.nodes[k].op] || []) keep.add(e);
        });
      }
    }
    for (const g of svg.querySelectorAll("g.node, g.edge")) {
      const t = g.querySelector("title");
      if (g.classList.contains("node") && t && t.textContent === "legend") continue;
      if (!keep.has(g)) g.classList.add("dim");
    }
  }

  $("scrub").max = String(LAST);
  $("start").onclick = () => { pause(); go(0); };
  $("end").onclick = () => { pause(); go(LAST); };
  $("prev").onclick = () => { pause(); go(position - 1); };
  $("next").onclick = () => { pause(); go(position + 1); };
  $("play").onclick = () => (timer ? pause() : play());
  $("scrub").oninput = (e) => { pause(); go(Number(e.target.value)); };
  $("speed").oninput = () => {
    $("speed-out").textContent = speed() + " steps/s";
    if (timer) play();
  };
  $("focus").onchange = (e) => focus(Number(e.target.value));
  $("zoom").onchange = (e) => setZoom(e.target.value);
  view.forEach((v, k) => {
    if (v.box && !D.collapsed) v.box.addEventListener("click", () => {
      const now = Number($("focus").value) === k ? -1 : k;
      const option = $("focus").querySelector('option[value="' + now + '"]');
      if (!option) {
        const o = document.createElement("option");
        o.value = String(k); o.textContent = D.nodes[k].name; $("focus").appendChild(o);
      }
      $("focus").value = String(now); focus(now);
    });
  });
  // A click leaves no button focused, so that space always means play/pause.
  for (const b of document.querySelectorAll("button"))
    b.addEventListener("mousedown", (e) => e.preventDefault());
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.target || {}, tag = t.tagName || "";
    // Form controls keep their own keys, except the step slider.
    if (tag === "SELECT" || (tag === "INPUT" && t.id !== "scrub")) return;
    if (tag === "BUTTON" && (e.key === " " || e.key === "Enter")) return;
    const keys = { ArrowRight: () => { pause(); go(position + 1); },
                   ArrowLeft: () => { pause(); go(position - 1); },
                   Home: () => { pause(); go(0); }, End: () => { pause(); go(LAST); },
                   " ": () => (timer ? pause() : play()) };
    if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
  });
  // A graph that fits the window at 60% or more is shown whole; a bigger one at 100%, scrolled
  // along with the steps.
  if (svg && natural.w && ($("graph").clientWidth - 20) / natural.w >= 0.6) setZoom("fit");
  if (D.focus >= 0) { $("focus").value = String(D.focus); focus(D.focus); }
  render();
})();
"""
