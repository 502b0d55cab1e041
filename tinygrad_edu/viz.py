"""Pictures: the computation graph and the network, drawn from the live graph with Graphviz.

Two pictures, because the derivation uses two:

- `draw_graph(root)`: the dependency graph that backpropagation walks. Every node (a `Value`
  or a `Tensor`) is a box with its label, data and grad; every operation is a small oval between
  its operands and its result, as in micrograd's picture. ``highlight=w1`` draws every path from
  the root down to w1 in red and writes on each of its edges the local derivative
  ∂child/∂parent: multiply along a path, add the paths, and you have ∂E_total/∂w1, which is the
  chain rule made visible.
- `draw_network(model)`: the neuron-level figure of a textbook, inputs → hidden neurons →
  outputs → errors, neurons in order, each weight's name (and value and gradient) beside its
  own connection, or, for a layer too dense to label (more than `EDGE_LABELS` connections),
  the layer's weights as a matrix beside it.

Both return a `graphviz.Digraph`, which Jupyter displays inline as SVG (``png(graph)`` shows
it as PNG); `render` writes it as SVG, PNG or PDF through Graphviz's ``dot`` program, or as
DOT source, which needs no Graphviz.

>>> from tinygrad_edu import MLP
>>> net = MLP(2, [2, 2], seed=0)                # 2 inputs, 2 hidden neurons, 2 outputs
>>> y1, y2 = net([0.05, 0.1])
>>> loss = (y1 - 0.01) ** 2 + (y2 - 0.99) ** 2
>>> loss.backward()
>>> w1 = net.layers[0].neurons[0].w[0]          # L1.N1.w1 reaches both outputs
>>> count_paths(loss, w1), count_paths(loss, net.layers[1].neurons[0].w[0])
(2, 1)
>>> graph = draw_graph(loss, highlight="L1.N1.w1", model=net)
>>> graph.source.count('class="highlight"')     # edges on the two paths from the loss to w1
35

Labels are written as Graphviz HTML-like labels, escaped here once (`_html`), so any label
renders: quotes, backslashes, ``< > { } |``, newlines, ∂, σ, ½. The DOT text is assembled
directly rather than through ``Digraph.node()`` and ``.edge()`` (their quoting costs about
3 µs a call, and a node takes three or four calls): a 5,000-node graph is written in ~20 ms.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

import graphviz
import numpy as np

from tinygrad_edu import _format
from tinygrad_edu._checks import flag, one_of, whole
from tinygrad_edu._files import write_atomically
from tinygrad_edu.graph import topological_order
from tinygrad_edu.nn import Layout, Module, NeuronLayout
from tinygrad_edu.tensor import Tensor, unbroadcast
from tinygrad_edu.value import Value

__all__ = [
    "EDGE_LABELS",
    "FORMATS",
    "PNG",
    "RANKDIRS",
    "Diagram",
    "GraphvizNotFoundError",
    "count_paths",
    "draw_graph",
    "draw_network",
    "png",
    "render",
]

#: Output formats of `render`: three rendered by Graphviz, and the DOT source itself.
FORMATS = ("svg", "png", "pdf", "dot")
#: Graphviz's layout directions: left to right, right to left, top to bottom, bottom to top.
RANKDIRS = ("LR", "RL", "TB", "BT")

INSTALL_HINT = (
    "install Graphviz: `sudo apt-get install graphviz` (Debian, Ubuntu), "
    "`brew install graphviz` (macOS), or see https://graphviz.org/download/"
)

# --- styles ---------------------------------------------------------------------------------

# Fill and border of each role. Parameters warm (they change when we learn), inputs cool, the
# loss red; the SVG also carries the role as a CSS class (class="parameter", ...).
ROLE_COLOURS = {
    "parameter": ("#fde2a8", "#b7791f"),
    "input": ("#dbeafe", "#3b6ea8"),
    "intermediate": ("#ffffff", "#6b7280"),
    "loss": ("#fbc4c4", "#b42318"),
}
OPERATION_COLOURS = ("#eeeeee", "#9ca3af")
HIGHLIGHT = "#d62728"
CLUSTER_COLOUR = "#9aa5b1"

# A long label is cut into lines of this many characters, so a box stays readable.
WRAP = 48

_GRAPH_ATTR = {
    "fontname": "Helvetica",
    "fontsize": "11",
    "nodesep": "0.2",
    "ranksep": "0.3",
    "labelloc": "t",
}
_NODE_ATTR = {"shape": "none", "margin": "0", "fontname": "Helvetica", "fontsize": "10"}
_EDGE_ATTR = {"color": "#4b5563", "arrowsize": "0.6", "fontname": "Helvetica", "fontsize": "9"}


class GraphvizNotFoundError(graphviz.ExecutableNotFound):  # type: ignore[misc]
    """Graphviz's ``dot`` program is not installed (or not on PATH): the message says how to."""

    def __init__(self, what: str) -> None:
        RuntimeError.__init__(
            self,
            f"{what}: Graphviz's `dot` program was not found on PATH, so the picture cannot be "
            f"rendered; {INSTALL_HINT}. The DOT source needs no Graphviz: "
            "render(graph, 'graph.dot') or graph.source.",
        )


class Diagram(graphviz.Digraph):  # type: ignore[misc]
    """A `graphviz.Digraph` whose rendering (also Jupyter's inline display) says how to install
    Graphviz when ``dot`` is missing."""

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        """The rendered bytes (or text, given an encoding), as `graphviz.Digraph.pipe`."""
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError("pipe") from None

    def render(self, *args: Any, **kwargs: Any) -> Any:
        """Graphviz's own `render` (writes the DOT file and the picture next to it)."""
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError("render") from None


#: How long `dot` may lay out one picture before we give up on it (seconds). A few hundred
#: densely connected nodes can keep dot busy for many minutes; the message says what to do.
DOT_TIMEOUT = 60.0


def _dot(source: str, format: str, timeout: float | None = None) -> bytes:
    """`source` laid out and drawn by Graphviz's dot as `format`, within `timeout` seconds."""
    import shutil
    import subprocess

    executable = shutil.which("dot")
    if executable is None:
        raise graphviz.ExecutableNotFound(["dot"])
    limit = DOT_TIMEOUT if timeout is None else timeout
    try:
        done = subprocess.run(
            [executable, f"-T{format}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=limit,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TimeoutError(
            f"dot: laying out this picture took longer than {limit:g} s; draw fewer nodes "
            "(draw_graph(..., max_nodes=200) collapses modules) or highlight a part"
        ) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ValueError(f"dot could not draw the picture: {message[-1] if message else '?'}")
    return done.stdout


# --- escaping ---------------------------------------------------------------------------------

# Inside an HTML-like label, XML's specials need entities, and Graphviz still reads backslash
# escapes (``\N`` is the node's name, ``\\`` one backslash), so a backslash is doubled.
# Control characters other than newline are not allowed in XML: they become U+FFFD.
_HTML_TABLE = {ord(c): f"&#{ord(c)};" for c in "&<>\"'"}
_HTML_TABLE[ord("\\")] = "\\\\"
_HTML_TABLE.update({k: "\ufffd" for k in range(32) if k != 10})
_HTML_TABLE[ord("\t")] = " "
# Characters that dot refuses (the non-characters U+FFFE and U+FFFF) or that cannot be written
# as UTF-8 at all (a lone surrogate, as from a badly decoded file): shown as � instead.
_HTML_TABLE.update({k: "\ufffd" for k in (0xFFFE, 0xFFFF, *range(0xD800, 0xE000))})
_HTML_TABLE[0x7F] = "\ufffd"
_NEWLINES = re.compile(r"\r\n|\r|\n")


def _html(text: str, wrap: int = WRAP) -> str:
    """`text` as the content of a Graphviz HTML-like label: escaped, newlines and lines longer
    than `wrap` turned into <br/>."""
    if len(text) <= wrap and "\n" not in text and "\r" not in text:
        return text.translate(_HTML_TABLE)
    lines: list[str] = []
    for line in _NEWLINES.split(text):
        # Cut, not word-wrapped, so that the pieces put back together are exactly the label.
        lines.extend(line[k : k + wrap] for k in range(0, max(len(line), 1), wrap))
    return "<br/>".join(line.translate(_HTML_TABLE) for line in lines)


def _quote(name: str) -> str:
    """A DOT identifier in double quotes (for the network diagram's node names)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _num(x: float) -> str:
    """A number as the pictures show it: 4 significant digits (0.0001883, 0.5933, 1.5e+04)."""
    return _format.number(x, 4)


def _summary(a: Any) -> str:
    """A short description of an array: its entries when there are at most 4, else mean/range."""
    a = np.asarray(a)
    if a.size == 0:
        return "empty"
    if a.size == 1:
        return _num(float(a.reshape(())))
    if a.size <= 4:
        return "[" + ", ".join(_num(float(v)) for v in a.ravel()) + "]"
    return f"mean {_num(float(a.mean()))}, range [{_num(float(a.min()))}, {_num(float(a.max()))}]"


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


# --- checking arguments ---------------------------------------------------------------------


def _check_limit(limit: object, where: str) -> int | None:
    """A size limit: a whole number >= 1, or None for no limit."""
    return None if limit is None else whole(limit, where)


# --- roles and modules -----------------------------------------------------------------------


def _is_parameter(leaf: Any) -> bool:
    """Without params= or model=: a leaf that learns, by identity, never by its label — a
    Tensor with requires_grad=True, or a Value `Parameter` (what modules make, or
    ``Value(x, requires_grad=True)``)."""
    return bool(leaf.requires_grad)


def _modules_of_model(model: Module) -> dict[int, tuple[str, ...]]:
    """{id(parameter): module path}, read from the model's layout: (layer, neuron) for a
    parameter that is one neuron's weight, the layer alone for a matrix whose entries are its
    neurons' weights (a graph node is the whole matrix) or a parameter neurons share."""
    try:
        layout = model.layout()
    except NotImplementedError:  # a model that does not say: no clusters
        return {}
    found: dict[int, tuple[str, ...]] = {}
    for layer in layout.layers:
        outer = (layer.title,) if layer.title else ()
        for neuron in layer.neurons:
            for weight in _weights_of(neuron):
                path = (*outer, f"neuron {neuron.name}") if weight.index is None else outer
                key = id(weight.parameter)
                known = found.setdefault(key, path)
                if known != path:  # shared by several neurons: their common enclosing modules
                    depth = 0
                    while depth < min(len(known), len(path)) and known[depth] == path[depth]:
                        depth += 1
                    found[key] = path[:depth]
    return {key: path for key, path in found.items() if path}


def _weights_of(neuron: NeuronLayout) -> list[Any]:
    """A neuron's weights, then its bias (if any)."""
    return [*neuron.weights, *([] if neuron.bias is None else [neuron.bias])]


def _parameters(
    order: list[Any], params: Iterable[Any] | None, model: Module | None
) -> tuple[set[int], dict[int, tuple[str, ...]]]:
    """The parameters among the graph's leaves, and the module of each (when the model says)."""
    leaves = [n for n in order if n.primitive is None]
    modules = {} if model is None else _modules_of_model(model)
    if params is not None:
        if isinstance(params, (str, bytes, Value, Tensor)) or not isinstance(params, Iterable):
            raise TypeError(
                f"draw_graph: params must be a list of Values or Tensors, got {params!r:.60}"
            )
        chosen = {id(p) for p in params}
        parameters = {id(n) for n in leaves if id(n) in chosen}
    elif model is not None:
        chosen = {id(p) for p in model.parameters()}
        parameters = {id(n) for n in leaves if id(n) in chosen}
    else:
        parameters = {id(n) for n in leaves if _is_parameter(n)}
    return parameters, {k: v for k, v in modules.items() if k in parameters}


def _assign_modules(
    order: list[Any], of_parameter: dict[int, tuple[str, ...]]
) -> dict[int, tuple[str, ...]]:
    """{id(node): module path} for the parameters and the interior nodes their modules made.

    In topological order, an interior node belongs to module M when one of its parents is a
    parameter of M (or computed from M's parameters alone, like Wᵀ), or when every parent
    belongs to M. So w1·i1, the sum, + b and σ land in neuron h1, while t1 − a_o1 (t1 is an
    input, in no module) and everything after it stay outside: the loss is nobody's neuron.
    """
    module = dict(of_parameter)
    pure = set(of_parameter)  # nodes computed from one module's parameters alone
    for node in order:
        parents = node.parents
        if not parents:
            continue
        found = None
        for p in parents:
            if id(p) in pure:
                found = module[id(p)]
                break
        if found is None:
            first = module.get(id(parents[0]))
            if first is not None and all(module.get(id(p)) == first for p in parents):
                found = first
        if found is not None:
            key = id(node)
            module[key] = found
            if all(id(p) in pure and module[id(p)] == found for p in parents):
                pure.add(key)
    return module


# --- highlighted paths --------------------------------------------------------------------------


def count_paths(root: Any, node: Any) -> int:
    """The number of paths from `node` up to `root`: the terms of the chain-rule sum for
    ∂root/∂node (0 if root does not depend on node).

    >>> from tinygrad_edu import Value
    >>> x = Value(2.0, "x")
    >>> y = x * x + x            # x reaches y along three paths: two through x·x, one direct
    >>> count_paths(y, x)
    3
    """
    _check_root(root, "count_paths")
    counts = {id(node): 1}
    for n in topological_order(root):
        if n is node:
            continue
        total = 0
        for p in n.parents:
            total += counts.get(id(p), 0)
        if total:
            counts[id(n)] = total
    return counts.get(id(root), 0)


def _chain_rule_sum(order: list[Any], target: Any) -> float:
    """Σ over paths of the product of the local derivatives along each: ∂root/∂target.

    Forward mode along the order: d(node) = Σ over its parents p of d(p) · ∂node/∂p.
    """
    derivative = {id(target): 1.0}
    for n in order:
        if n is target or not any(id(p) in derivative for p in n.parents):
            continue
        derivative[id(n)] = sum(
            derivative.get(id(p), 0.0) * local for p, local in zip(n.parents, n.local_grads())
        )
    return derivative.get(id(order[-1]), 0.0)


def _targets(highlight: Any, order: list[Any], index: dict[int, int]) -> list[Any]:
    """The nodes to highlight: nodes of the graph, or labels naming them."""
    if highlight is None:
        return []
    items = list(highlight) if isinstance(highlight, (list, tuple, set, frozenset)) else [highlight]
    targets: list[Any] = []
    for item in items:
        if isinstance(item, str):
            named = [n for n in order if n.label == item]
            if not named:
                labels = sorted({n.label for n in order if n.label})
                shown = ", ".join(labels[:20]) + (", ..." if len(labels) > 20 else "")
                raise ValueError(
                    f"draw_graph: highlight {item!r} names no node of the graph; "
                    f"its labelled nodes are: {shown or 'none'}"
                )
            targets.extend(named)
        elif isinstance(item, (Value, Tensor)):
            if id(item) not in index:
                raise ValueError(
                    f"draw_graph: the highlight node {item!r:.80} is not in the graph of root"
                )
            targets.append(item)
        else:
            raise TypeError(
                "draw_graph: highlight must be a node of the graph, a label, or a list of them; "
                f"got {type(item).__name__}"
            )
    return targets


def _tensor_edge_text(child: Tensor, k: int) -> str:
    """What flows back along the edge from operand k to `child`: the shape and a summary of
    that operand's share of the gradient (the VJP of child.grad, unbroadcast to its shape)."""
    parent = child.parents[k]
    primitive = child.primitive
    if child.grad is None or primitive is None or primitive.array is None:
        # No backward yet: all that is known is the Jacobian's shape.
        return f"∂{_shape(child.shape)}/∂{_shape(parent.shape)}"
    needs = tuple(j == k for j in range(len(child.parents)))
    with np.errstate(all="ignore"):
        grads = primitive.array.vjp(child.grad, child, needs, *(p.data for p in child.parents))
        share = grads[k]
        if share is None:
            return "no gradient"
        share = unbroadcast(np.asarray(share), parent.shape)
    return f"{_shape(parent.shape)} {_summary(share)}"


# --- draw_graph -------------------------------------------------------------------------------


def _check_root(root: object, where: str) -> None:
    """TypeError unless `root` is a Value or a Tensor."""
    if not isinstance(root, (Value, Tensor)):
        raise TypeError(f"{where}: root must be a Value or a Tensor, got {type(root).__name__}")


def _table(cells: list[str], role: str) -> str:
    fill, border = ROLE_COLOURS[role]
    thick = "2" if role == "loss" else "1"
    return (
        f'<table border="0" cellborder="{thick}" cellspacing="0" cellpadding="3" '
        f'bgcolor="{fill}" color="{border}"><tr>{"".join(cells)}</tr></table>'
    )


def _legend(highlighted: bool, root: Value | Tensor) -> str:
    rows = [
        ("parameter", "parameter: a leaf that learns"),
        ("input", "input or constant: a leaf that does not learn"),
        ("intermediate", "intermediate: computed from its parents"),
        ("loss", "loss: the root, where backward() starts"),
    ]
    cells = [
        f'<tr><td bgcolor="{ROLE_COLOURS[role][0]}" color="{ROLE_COLOURS[role][1]}" '
        f'width="18"> </td><td align="left">{text}</td></tr>'
        for role, text in rows
    ]
    cells.append(
        f'<tr><td bgcolor="{OPERATION_COLOURS[0]}" width="18">op</td><td align="left">'
        "operation: makes the next node from its operands</td></tr>"
    )
    tensor = isinstance(root, Tensor)
    what = "shape, data, grad" if tensor else "label, data, grad"
    cells.append(
        f'<tr><td colspan="2" align="left">a box shows {what}; grad is ∂root/∂node'
        " after backward()</td></tr>"
    )
    if highlighted:
        edge = (
            "the gradient flowing back along it"
            if tensor
            else "its local derivative ∂child/∂parent"
        )
        cells.append(
            f'<tr><td bgcolor="{HIGHLIGHT}" width="18"> </td><td align="left">'
            f"a highlighted path from the root; an edge's number is {edge}</td></tr>"
        )
    return (
        'legend [label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="3">'
        '<tr><td colspan="2"><b>legend</b></td></tr>' + "".join(cells) + '</table>> class="legend"]'
    )


def _cluster_lines(grouped: dict[tuple[str, ...], list[str]]) -> list[str]:
    """Nested ``subgraph cluster_k { ... }`` blocks holding each module's node lines."""
    # The module tree: every path and its prefixes (layers hold neurons).
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for path in grouped:
        for depth in range(1, len(path) + 1):
            prefix, parent = path[:depth], path[: depth - 1]
            siblings = children.setdefault(parent, [])
            if prefix not in siblings:
                siblings.append(prefix)
    lines: list[str] = []
    number = 0
    # Depth-first over the module tree (a few levels deep), with an explicit stack.
    stack: list[tuple[tuple[str, ...], bool]] = [(p, False) for p in reversed(children.get((), []))]
    while stack:
        path, done = stack.pop()
        if done:
            lines.append("\t}\n")
            continue
        title = _html(path[-1])
        lines.append(
            f'\tsubgraph cluster_{number} {{\n\t\tlabel=<{title}> style="rounded,dashed" '
            f'color="{CLUSTER_COLOUR}" fontcolor="#52606d" fontsize=10 labeljust=l\n'
        )
        number += 1
        lines.extend(grouped.get(path, ()))
        stack.append((path, True))
        stack.extend((p, False) for p in reversed(children.get(path, [])))
    return lines


def draw_graph(
    root: Any,
    *,
    rankdir: str = "LR",
    show_data: bool = True,
    show_grad: bool = True,
    highlight: Any = None,
    cluster: bool = True,
    max_nodes: int | None = 2000,
    params: Iterable[Any] | None = None,
    model: Module | None = None,
    formulas: bool = False,
) -> graphviz.Digraph:
    """The computation graph below `root` (a Value or a Tensor) as a Graphviz picture.

    - Nodes: a box per Value (label, data, grad) or Tensor (label, shape, data, grad summaries);
      an oval per operation between its operands and its result. Node k of
      ``topological_order(root)`` is ``n{k}`` in the DOT source, its operation ``n{k}_op``.
    - Roles, coloured and explained by a legend: parameters (leaves that learn: `params`, else
      `model`'s parameters, else leaves with requires_grad=True: Tensors so made, and the
      Value `Parameter`s that modules make), inputs and constants (the other leaves),
      intermediates, and the loss (the root).
    - ``cluster=True`` groups nodes by the module (layer, neuron) whose parameters made them.
    - ``highlight`` (a node, a label, or a list of them) draws every path from the root to it in
      red; each edge carries the local derivative ∂child/∂parent (Tensor: the gradient that
      flows along it), so ∂root/∂node = Σ over paths of Π of the numbers along a path.
      ``formulas=True`` writes each as its formula too, in the nodes' labels: "a_h1·(1 − a_h1)
      = 0.25" (see `tinygrad_edu.explain`).
    - A graph of more than `max_nodes` Values/Tensors is collapsed to one box per module when
      ``cluster=True`` (and that is small enough); otherwise ValueError says how to draw it.

    >>> from tinygrad_edu import Value
    >>> x = Value(3.0, "x")
    >>> y = x * x                   # x is used twice: two edges into the × operation
    >>> y.backward()
    >>> graph = draw_graph(y)
    >>> [line.strip() for line in graph.body if "->" in line]
    ['n0 -> n1_op', 'n0 -> n1_op', 'n1_op -> n1']
    """
    _check_root(root, "draw_graph")
    rankdir = one_of(rankdir, RANKDIRS, "draw_graph: rankdir")
    show_data = flag(show_data, "draw_graph: show_data")
    show_grad = flag(show_grad, "draw_graph: show_grad")
    cluster = flag(cluster, "draw_graph: cluster")
    formulas = flag(formulas, "draw_graph: formulas")
    limit = _check_limit(max_nodes, "draw_graph: max_nodes")
    if model is not None and not isinstance(model, Module):
        raise TypeError(
            f"draw_graph: model must be a tinygrad_edu Module (MLP, Sequential, ...), got "
            f"{type(model).__name__}"
        )

    order = topological_order(root)
    index = {id(n): k for k, n in enumerate(order)}
    targets = _targets(highlight, order, index)
    parameters, of_parameter = _parameters(order, params, model)
    modules = _assign_modules(order, of_parameter) if cluster else {}

    graph = Diagram(
        name="computation_graph",
        graph_attr={**_GRAPH_ATTR, "rankdir": rankdir},
        node_attr=_NODE_ATTR,
        edge_attr=_EDGE_ATTR,
    )
    collapsed = limit is not None and len(order) > limit
    if limit is not None and collapsed:
        # Collapsed: a box per module, and every node outside the modules except unlabelled
        # leaves (constants such as the 0.5 and the 2 of ½(t − y)², or unnamed inputs).
        hidden = sum(1 for n in order if not n.parents and not n.label and id(n) not in modules)
        shown = len(set(modules.values())) + len(order) - len(modules) - hidden
        if not modules or shown > limit:
            advice = (
                f"collapsed by module it would still show {shown:,} boxes; "
                if modules
                else "it has no modules to collapse (clusters come from model=, its layers and "
                "neurons); "
                if cluster
                else "pass cluster=True to collapse it by module, or "
            )
            raise ValueError(
                f"draw_graph: the graph has {len(order):,} nodes, more than "
                f"max_nodes={limit}; {advice}pass max_nodes=None (or a larger number) to draw it "
                "anyway (Graphviz may take minutes to lay it out)"
            )

    # Which nodes depend on a highlighted node (so lie on a path from the root down to it):
    # an edge parent → child is on such a path exactly when the parent is in this set.
    on_path = {id(t) for t in targets}
    if on_path:
        for n in order:
            if id(n) not in on_path:
                for p in n.parents:
                    if id(p) in on_path:
                        on_path.add(id(n))
                        break

    if collapsed:
        body = _collapsed_body(order, index, modules, parameters, on_path)
    else:
        labeller = None
        if formulas and on_path and isinstance(root, Value):
            # Imported here: explanations need sympy, which plain drawing does not.
            from tinygrad_edu.explain import formula_labeller

            labeller = formula_labeller(root)
        body = _full_body(
            order, index, modules, parameters, on_path, show_data, show_grad, labeller
        )
    graph.body.extend(body)
    graph.body.append("\t" + _legend(bool(targets), root) + "\n")
    title = _title(order, targets, collapsed, len(order))
    if title:
        graph.body.append(f"\tlabel=<{title}>\n")
    return graph


def _title(order: list[Any], targets: list[Any], collapsed: bool, n: int) -> str:
    """The graph's caption: what is highlighted and what the paths add up to."""
    lines = []
    root = order[-1]
    root_name = root.label or "the root"
    for t in targets:
        name = t.label or "the highlighted node"
        paths = count_paths(root, t)
        plural = "path" if paths == 1 else "paths"
        if isinstance(root, Tensor) or collapsed:  # no one number per edge to add up
            lines.append(f"{_format.count(paths)} {plural} from {root_name} down to {name}")
        else:
            total = _chain_rule_sum(order, t)
            over = (
                "the highlighted path"
                if paths == 1
                else f"the {_format.count(paths)} highlighted paths"
            )
            lines.append(
                f"∂{root_name}/∂{name} = {_num(total)}: the sum over {over} of the product of "
                "the local derivatives along each"
            )
    if collapsed:
        lines.append(f"{n:,} nodes, collapsed: one box per module; unlabelled constants left out")
    return "<br/>".join(_html(line, wrap=200) for line in lines)


def _full_body(
    order: list[Any],
    index: dict[int, int],
    modules: dict[int, tuple[str, ...]],
    parameters: set[int],
    on_path: set[int],
    show_data: bool,
    show_grad: bool,
    labeller: Callable[[Any, int], str] | None = None,
) -> list[str]:
    """Every node, operation and edge, as DOT lines (clusters wrapped around module members)."""
    free: list[str] = []
    grouped: dict[tuple[str, ...], list[str]] = {}
    edges: list[str] = []
    root = order[-1]
    escaped: dict[str, str] = {"": ""}
    op_fill, op_border = OPERATION_COLOURS
    for k, node in enumerate(order):
        key = id(node)
        op = node.primitive
        if node is root:
            role = "loss"
        elif op is not None:
            role = "intermediate"
        else:
            role = "parameter" if key in parameters else "input"

        label = node.label
        text = escaped.get(label)
        if text is None:
            text = escaped[label] = _html(label)
        cells = [f"<td><b>{text}</b></td>"] if text else []
        if isinstance(node, Tensor):
            cells.append(f"<td>{_shape(node.shape)}</td>")
            if show_data:
                cells.append(f"<td>data {_summary(node.data)}</td>")
            if show_grad:
                grad = "none" if node.grad is None else _summary(node.grad)
                cells.append(f"<td>grad {grad}</td>")
        else:
            if show_data:
                cells.append(f"<td>data {node.data:.4g}</td>")
            if show_grad:
                cells.append(f"<td>grad {node.grad:.4g}</td>")
        if not cells:
            cells.append("<td> </td>")

        path = modules.get(key)
        out = free if path is None else grouped.setdefault(path, [])
        out.append(f'\tn{k} [label=<{_table(cells, role)}> class="{role}"]\n')
        if op is None:
            continue
        # The oval shows the primitive's mathematical sign (× for *, σ for sigmoid).
        out.append(
            f"\tn{k}_op [label=<{_html(op.shown)}> shape=ellipse "
            f'style=filled fillcolor="{op_fill}" color="{op_border}" margin="0.03,0.01" '
            'width=0 height=0 class="operation"]\n'
        )
        parents = node.parents
        lit = on_path and any(id(p) in on_path for p in parents)
        if not lit:
            for p in parents:
                edges.append(f"\tn{index[id(p)]} -> n{k}_op\n")
            edges.append(f"\tn{k}_op -> n{k}\n")
            continue
        locals_ = None if isinstance(node, Tensor) else node.local_grads()
        for j, p in enumerate(parents):
            if id(p) not in on_path:
                edges.append(f"\tn{index[id(p)]} -> n{k}_op\n")
                continue
            shown = _tensor_edge_text(node, j) if locals_ is None else _num(locals_[j])
            text = _html(shown)
            if labeller is not None:
                formula = labeller(node, j)
                if not _NUMBER.fullmatch(formula):  # "1 = 1" would say nothing
                    text = _formula_html(f"{formula} = {shown}")
            edges.append(f"\tn{index[id(p)]} -> n{k}_op [label=<{text}> {_HIGHLIGHT_EDGE}]\n")
        edges.append(f"\tn{k}_op -> n{k} [{_HIGHLIGHT_EDGE}]\n")
    return free + _cluster_lines(grouped) + edges


# A formula that is only a number (1, −1, 1/2): its value says it all.
_NUMBER = re.compile(r"[−-]?\d+(/\d+)?")
# A name with a subscript, as the derivation writes them: a_h1, E_total, b_o2.
_SUBSCRIPTED = re.compile(r"\b([A-Za-z][A-Za-z0-9]*)_(\w+)")


def _formula_html(formula: str) -> str:
    """An edge's formula as an HTML-like label: a_h1 as a<sub>h1</sub>, in a padded cell.

    Both for PNG: a bare edge label is clipped to its text's box, which cuts the underscore
    of a_h1 off at the default resolution ("a h1"); subscripts need no underscore, and the
    cell's padding keeps any that remain (and the subscripts' descent) inside the box.

    >>> _formula_html("a_h1·(1 − a_h1) = 0.25").split("<td>")[1]
    'a<sub>h1</sub>·(1 − a<sub>h1</sub>) = 0.25</td></tr></table>'
    """
    text = _SUBSCRIPTED.sub(r"\1<sub>\2</sub>", _html(formula))
    return (
        '<table border="0" cellborder="0" cellspacing="0" cellpadding="2">'
        f"<tr><td>{text}</td></tr></table>"
    )


_HIGHLIGHT_EDGE = (
    f'color="{HIGHLIGHT}" fontcolor="{HIGHLIGHT}" penwidth=2.2 arrowsize=0.8 class="highlight"'
)


def _collapsed_body(
    order: list[Any],
    index: dict[int, int],
    modules: dict[int, tuple[str, ...]],
    parameters: set[int],
    on_path: set[int],
) -> list[str]:
    """One box per module (with its node and parameter counts), every other node as a small
    box (its label and operation) except unlabelled leaves; edges between boxes are drawn once,
    with the number of graph edges they stand for."""
    boxes: dict[tuple[str, ...], int] = {}
    members: dict[tuple[str, ...], list[int]] = {}
    for node in order:
        path = modules.get(id(node))
        if path is not None:
            members.setdefault(path, []).append(id(node))
    grouped: dict[tuple[str, ...], list[str]] = {}
    for number, (path, ids) in enumerate(members.items()):
        boxes[path] = number
        learn = sum(1 for key in ids if key in parameters)
        text = _html(f"{path[-1]}\n{len(ids):,} nodes, {learn} parameters")
        fill, border = ROLE_COLOURS["parameter"]
        grouped.setdefault(path, []).append(
            f'\tm{number} [label=<<table border="0" cellborder="1" cellspacing="0" '
            f'cellpadding="4" bgcolor="{fill}" color="{border}"><tr><td>{text}</td></tr>'
            '</table>> class="module"]\n'
        )
    free: list[str] = []
    root = order[-1]
    # Each graph edge becomes an edge between the boxes (or nodes) standing for its ends.
    counts: dict[tuple[str, str], list[int]] = {}
    for k, node in enumerate(order):
        key = id(node)
        path = modules.get(key)
        if path is None and not node.parents and not node.label and node is not root:
            continue  # an unlabelled leaf outside the modules: a constant, left out
        here = f"m{boxes[path]}" if path is not None else f"n{k}"
        if path is None:
            role = (
                "loss"
                if node is root
                else "intermediate"
                if node.primitive is not None
                else "parameter"
                if key in parameters
                else "input"
            )
            cells = [f"<td><b>{_html(node.label)}</b></td>"] if node.label else []
            primitive = node.primitive
            cells.append(f"<td>{_html(primitive.shown) if primitive else ' '}</td>")
            free.append(f'\tn{k} [label=<{_table(cells, role)}> class="{role}"]\n')
        for p in node.parents:
            ppath = modules.get(id(p))
            if ppath is None and not p.parents and not p.label:
                continue
            there = f"m{boxes[ppath]}" if ppath is not None else f"n{index[id(p)]}"
            if there == here:
                continue
            tally = counts.setdefault((there, here), [0, 0])
            tally[0] += 1
            tally[1] += id(p) in on_path
    edges = []
    for (tail, head), (count, lit) in counts.items():
        attrs = [f"label=<×{count}>"] if count > 1 else []
        if lit:
            attrs.append(_HIGHLIGHT_EDGE)
        edges.append(f"\t{tail} -> {head}" + (f" [{' '.join(attrs)}]" if attrs else "") + "\n")
    return free + _cluster_lines(grouped) + edges


# --- draw_network ------------------------------------------------------------------------------

#: A layer with at most this many connections (weights, and biases drawn as edges) writes each
#: weight beside its own edge; a denser layer shows its weights as a matrix beside it and draws
#: its edges unlabelled. 8 is a 2-input layer of 4 neurons: past it, the column of labels grows
#: taller than the neurons it leads to and the lines between them cross too often to follow.
EDGE_LABELS = 8


class _Unit(NamedTuple):
    """One box of the network figure: its DOT name, table rows (escaped cells) and role."""

    name: str
    rows: list[list[str]]
    role: str
    ports: bool  # a neuron: edges enter its sum (port "in") and leave its activation ("out")


class _Connection(NamedTuple):
    """One arrow of the network figure, with the weight it carries (name "" for none)."""

    tail: str
    head: str
    name: str
    data: float | None
    grad: float | None
    dashed: bool = False  # a target feeding its error: data, not a connection that learns


class _Column(NamedTuple):
    """One titled column of the figure (the inputs, a layer, the errors), top to bottom; a
    layer's column also holds the connections into it."""

    title: str
    units: list[_Unit]
    into: list[_Connection]


def _cells(
    name: str, value: tuple[float, float | None] | None, show_data: bool, show_grad: bool
) -> list[str]:
    """The column of one quantity: its name, then its data and grad when known and wanted."""
    column = [f"<b>{_html(name)}</b>"]
    if value is not None:
        data, grad = value
        if show_data:
            column.append(_num(data))
        if show_grad and grad is not None:
            column.append(f"grad {_num(grad)}")
    return column


def _unit(name: str, columns: list[list[str]], role: str, ports: bool = False) -> _Unit:
    height = max(len(c) for c in columns)
    rows = [[c[r] if r < len(c) else " " for c in columns] for r in range(height)]
    return _Unit(name, rows, role, ports)


def _figure(
    layout: Layout, show_data: bool, show_grad: bool
) -> tuple[list[_Column], list[_Unit], list[_Connection]]:
    """The figure's columns (inputs, one per layer with the connections into it, the loss's),
    its other boxes, and the loss's arrows, from the model's layout."""
    values = layout.values

    def cells(name: str) -> list[str]:
        return _cells(name, values.get(name), show_data, show_grad)

    columns = [_Column("inputs", [_unit(n, [cells(n)], "input") for n in layout.inputs], [])]
    previous = list(layout.inputs)
    for layer in layout.layers:
        units = []
        into: list[_Connection] = []
        for neuron in layer.neurons:
            # A neuron: its name (its sum) and its activation side by side, edges entering the
            # one and leaving the other; the activation shown by its node's name when the model
            # names it (h1 | a_h1), else by its function (L1.N1 | tanh).
            second = [_html(neuron.activation)] if neuron.output is None else cells(neuron.output)
            unit = _unit(neuron.name, [cells(neuron.name), second], "intermediate", ports=True)
            bias = neuron.bias
            if bias is not None and layer.bias_node is None:
                # Below them its bias, a weight on a constant input 1 kept inside the neuron so
                # that a wide layer does not get one more edge per neuron.
                below = [
                    f"<b>{_html(bias.name)}</b>" + (f" = {_num(bias.data)}" if show_data else "")
                ]
                grad = bias.grad
                below.append(f"grad {_num(grad)}" if show_grad and grad is not None else " ")
                unit.rows.append(below)
            units.append(unit)
            # A neuron's connections together, its bias last: the order of their labels.
            for tail, w in zip(previous, neuron.weights):
                into.append(_Connection(tail, neuron.name, w.name, w.data, w.grad))
            if bias is not None and layer.bias_node is not None:
                into.append(
                    _Connection(layer.bias_node, neuron.name, bias.name, bias.data, bias.grad)
                )
        if layer.bias_node is not None and any(n.bias is not None for n in layer.neurons):
            # The constant input 1 of the biases, at the foot of the column before the layer,
            # where a textbook draws its bias unit.
            columns[-1].units.append(_unit(layer.bias_node, [["1"]], "input"))
        title = f"{layer.title} (output)" if layer.is_output else layer.title
        columns.append(_Column(title, units, into))
        previous = [neuron.name for neuron in layer.neurons]
    loss = layout.loss
    free: list[_Unit] = []
    arrows: list[_Connection] = []
    if loss is not None:
        columns.append(
            _Column(loss.title, [_unit(n, [cells(n)], "intermediate") for n in loss.column], [])
        )
        arrows = [_Connection(t, h, "", None, None, dashed) for t, h, dashed in loss.arrows]
        # A box feeding the errors (a target t1) stands below the outputs it is compared
        # with, in their column; the others (E_total) go where their arrows put them.
        errors = set(loss.column)
        feeding = {a.tail for a in arrows if a.head in errors}
        for name, role in loss.boxes:
            unit = _unit(name, [cells(name)], role)
            if name in feeding and len(columns) > 2:
                columns[-2].units.append(unit)
            else:
                free.append(unit)
    return columns, free, arrows


def draw_network(
    model: Module,
    *,
    rankdir: str = "LR",
    show_data: bool = True,
    show_grad: bool = True,
    max_edges: int | None = 2000,
    edge_labels: int = EDGE_LABELS,
) -> graphviz.Digraph:
    """The neuron-level figure of a model, as in a textbook: inputs → one column per layer →
    (the loss), drawn from ``model.layout()``.

    Neurons are drawn in order (N1 above N2 ...), each with its name, its activation and its
    bias. A layer with at most `edge_labels` connections writes each weight's name (with
    `show_data` / `show_grad`, its value / gradient) on its own edge, halfway along it; a
    denser layer draws its edges unlabelled and its weights as a matrix at the foot of its
    column (rows: its neurons, columns: its inputs; the caption names the top-left one). A
    model that names its nodes shows them, with the values of its last call: the 2-2-2 network
    of the derivation is i1, i2 → h1 | a_h1, h2 | a_h2 → o1 | a_o1, o2 | a_o2 → E1, E2 →
    E_total. Works for MLP, TensorMLP, Sequential of Linear and activation modules, and any
    model with a `layout` method.

    >>> from tinygrad_edu import MLP
    >>> figure = draw_network(MLP(2, [2, 1], seed=0), show_grad=False)
    >>> [line.strip()[:22] for line in figure.body if line.strip().startswith('"x1"')]
    ['"x1" [label=<<table bo', '"x1":e -> weight1 [dir', '"x1":e -> weight3 [dir']
    """
    if not isinstance(model, Module):
        raise TypeError(
            f"draw_network: model must be a tinygrad_edu Module (MLP, Sequential, ...), got "
            f"{type(model).__name__}"
        )
    rankdir = one_of(rankdir, RANKDIRS, "draw_network: rankdir")
    show_data = flag(show_data, "draw_network: show_data")
    show_grad = flag(show_grad, "draw_network: show_grad")
    limit = _check_limit(max_edges, "draw_network: max_edges")
    labelled = whole(edge_labels, "draw_network: edge_labels", minimum=0)
    try:
        layout = model.layout()
    except NotImplementedError as error:
        raise TypeError(f"draw_network: {error}") from None
    edges = sum(len(n.weights) for layer in layout.layers for n in layer.neurons)
    if limit is not None and edges > limit:
        raise ValueError(
            f"draw_network: {model!r} has {edges:,} connections, more than "
            f"max_edges={limit}; pass max_edges=None (or a larger number) to draw it anyway"
        )
    columns, free, arrows = _figure(layout, show_data, show_grad)
    # Boxes close together in a column when a dense layer's many edges need the room.
    nodesep = "0.06" if any(len(c.into) > labelled for c in columns) else "0.18"
    graph = Diagram(
        name="network",
        graph_attr={
            **_GRAPH_ATTR,
            "rankdir": rankdir,
            "nodesep": nodesep,
            "ranksep": "0.7",
        },
        node_attr=_NODE_ATTR,
        edge_attr=_EDGE_ATTR,
    )
    neurons = {u.name for column in columns for u in column.units if u.ports}
    # Arrows leave a box on the side facing the next layer and enter on the opposite side.
    leave, enter = {"LR": ("e", "w"), "RL": ("w", "e"), "TB": ("s", "n"), "BT": ("n", "s")}[rankdir]

    def tail(name: str) -> str:
        return _quote(name) + (":out:" if name in neurons else ":") + leave

    def head(name: str) -> str:
        return _quote(name) + (":in:" if name in neurons else ":") + enter

    lines: list[str] = []
    edge_lines: list[str] = []
    dense = False
    weights = 0  # weight k's label is node "weight{k}"
    for number, column in enumerate(columns):
        # Each column is headed by its title ("layer L1"), as in a textbook; no cluster box
        # around it, because dot ignores the order of the nodes inside a cluster.
        title = f"title{number}"
        lines.append(
            f'\t{title} [label=<<font color="#52606d">{_html(column.title)}</font>> '
            'class="title"]\n'
        )
        lines.extend(_unit_line(u) for u in column.units)
        order = [title] + [_quote(u.name) for u in column.units]
        if len(column.into) > labelled:
            dense = True
            # Too many edges to label: they go unlabelled, straight to their neurons (two
            # ranks long, so that the columns stay evenly spaced), and the weights are a
            # matrix at the foot of the column.
            matrix = f"matrix{number}"
            lines.append(_matrix_line(matrix, column, show_data, show_grad))
            order.append(matrix)
            edge_lines.extend(
                f"\t{tail(c.tail)} -> {head(c.head)} [minlen=2]\n" for c in column.into
            )
        else:
            # Each weight is a small node halfway along its edge, so its label cannot drift
            # from its line; the labels of a neuron's edges are stacked together, in order.
            names = []
            for c in column.into:
                weights += 1
                name = f"weight{weights}"
                names.append(name)
                label = _weight_label(c, show_data, show_grad)
                # No minimum size, and a margin: lines end close to the text, yet clear of it.
                size = 'width=0 height=0 margin="0.08,0.06"'
                lines.append(f'\t{name} [label=<{label}> {size} class="weight"]\n')
                edge_lines.append(f"\t{tail(c.tail)} -> {name} [dir=none]\n")
                edge_lines.append(f"\t{name} -> {head(c.head)}\n")
            if len(names) > 1:
                edge_lines.append(_in_order(names))
        # Top to bottom as the layout lists them: N1, N2, ... (dot would reorder them to save
        # crossings, and a figure whose N2 sits above N1 misleads).
        lines.append(_in_order(order))
        if number:
            # The titles on one line: a heavy invisible edge is one dot keeps straight.
            edge_lines.append(f"\ttitle{number - 1} -> {title} [style=invis weight=20]\n")
    lines.extend(_unit_line(u) for u in free)
    for c in arrows:
        style = ' [style=dashed color="#3b6ea8"]' if c.dashed else ""
        edge_lines.append(f"\t{tail(c.tail)} -> {head(c.head)}{style}\n")
    lines.extend(edge_lines)
    caption = []
    if weights and show_data and show_grad:
        which = "each labelled connection" if dense else "each connection"
        caption.append(f"{which}: its weight = value, grad = ∂{layout.loss_name}/∂weight")
    if dense:
        caption.append(
            f"a layer with more than {labelled} connections: its weights as a matrix"
            + (", each cell value over grad" if show_data and show_grad else "")
        )
    if caption:
        lines.append(f"\tlabel=<{_html('; '.join(caption), wrap=200)}>\n")
    graph.body.extend(lines)
    return graph


def _in_order(names: list[str]) -> str:
    """DOT that keeps `names` on one rank, in this order (top to bottom when rankdir=LR)."""
    return "\t{rank=same " + " -> ".join(names) + " [style=invis]}\n"


def _weight_text(
    name: str, data: float | None, grad: float | None, show_data: bool, show_grad: bool
) -> list[str]:
    """A weight as its label shows it: its name (and value), then its gradient."""
    first = f"<b>{_html(name)}</b>" if name else ""
    if show_data and data is not None:
        first += f" = {_num(data)}" if name else _num(data)
    text = [first] if first else []
    if show_grad and grad is not None:
        text.append(f'<font color="#6b7280">grad {_num(grad)}</font>')
    return text


def _weight_label(c: _Connection, show_data: bool, show_grad: bool) -> str:
    """The label node halfway along a connection: its weight's name, value and gradient."""
    rows = "".join(
        f"<tr><td>{t}</td></tr>" for t in _weight_text(c.name, c.data, c.grad, show_data, show_grad)
    )
    # Cell padding keeps underscores and descenders inside the box Graphviz clips text to; the
    # white ground keeps a line that passes close by from running through the text.
    return (
        '<table border="0" cellborder="0" cellspacing="0" cellpadding="1" bgcolor="white">'
        f"{rows}</table>"
    )


def _matrix_line(name: str, column: _Column, show_data: bool, show_grad: bool) -> str:
    """A dense layer's weights as one table: a row per neuron, a column per input, each cell
    its value and gradient (or its name when neither is shown)."""
    heads = [u.name for u in column.units if u.ports]
    tails = list(dict.fromkeys(c.tail for c in column.into))
    cell = {(c.head, c.tail): c for c in column.into}
    fill, border = ROLE_COLOURS["parameter"]
    first = column.into[0].name
    rows = [
        f'<tr><td colspan="{len(tails) + 1}"><b>weights of {_html(column.title)}</b><br/>'
        f"row: neuron, column: input; top left is {_html(first)}</td></tr>",
        "<tr><td> </td>" + "".join(f"<td><b>{_html(t)}</b></td>" for t in tails) + "</tr>",
    ]
    for h in heads:
        cells = [f"<td><b>{_html(h)}</b></td>"]
        for t in tails:
            c = cell.get((h, t))
            if c is None:
                cells.append("<td> </td>")
                continue
            text = _weight_text("", c.data, c.grad, show_data, show_grad) or [_html(c.name)]
            cells.append("<td>" + "<br/>".join(text) + "</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    table = (
        f'<table border="0" cellborder="1" cellspacing="0" cellpadding="3" bgcolor="{fill}" '
        f'color="{border}">' + "".join(rows) + "</table>"
    )
    return f'\t{name} [label=<{table}> class="matrix" fontsize=9]\n'


def _unit_line(unit: _Unit) -> str:
    fill, border = ROLE_COLOURS[unit.role]
    rows = []
    for r, row in enumerate(unit.rows):
        cells = []
        for c, cell in enumerate(row):
            # The first row of a neuron holds the ports: the sum receives, the activation sends.
            port = f' port="{("in", "out")[min(c, 1)]}"' if unit.ports and r == 0 else ""
            cells.append(f"<td{port}>{cell}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    thick = "2" if unit.role == "loss" else "1"
    table = (
        f'<table border="0" cellborder="{thick}" cellspacing="0" cellpadding="4" '
        f'bgcolor="{fill}" color="{border}">' + "".join(rows) + "</table>"
    )
    return f'\t{_quote(unit.name)} [label=<{table}> class="{unit.role}"]\n'


# --- output ---------------------------------------------------------------------------------


class PNG:
    """A picture as PNG bytes (`data`), which Jupyter shows inline (see `png`)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def _repr_png_(self) -> bytes:
        """The bytes Jupyter displays, as an image/png output."""
        return self.data


def png(graph: graphviz.Digraph) -> PNG:
    """`graph` rendered as PNG, for Jupyter, where a picture shows as SVG by default.

    As the last expression of a cell, ``png(draw_network(model))`` displays the PNG (for a
    notebook that must show pictures where SVG is not rendered, or be saved small); its
    `data` are the bytes. Needs Graphviz's ``dot``, as `render` does.
    """
    if not isinstance(graph, (graphviz.Graph, graphviz.Digraph, graphviz.Source)):
        raise TypeError(
            f"png: graph must be a graphviz graph (from draw_graph or draw_network), got "
            f"{type(graph).__name__}"
        )
    try:
        return PNG(_dot(graph.source, "png"))
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError("png") from None


def render(
    graph: graphviz.Digraph, path: str | os.PathLike[str], format: str | None = None
) -> Path:
    """Write `graph` to `path` as svg, png or pdf (rendered by Graphviz's dot) or as DOT source.

    `format` defaults to the path's suffix, else "svg"; a path without a suffix gets one.
    Returns the path written. Without ``dot``, "dot" still works; the others raise
    `GraphvizNotFoundError`, whose message gives the command that installs Graphviz.

    >>> import tempfile
    >>> from tinygrad_edu import Value
    >>> folder = tempfile.mkdtemp()
    >>> render(draw_graph(Value(1.0, "x")), f"{folder}/x", "dot").name
    'x.dot'
    """
    if not isinstance(graph, (graphviz.Graph, graphviz.Digraph, graphviz.Source)):
        raise TypeError(
            f"render: graph must be a graphviz graph (from draw_graph or draw_network), got "
            f"{type(graph).__name__}"
        )
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"render: path must be a str or a Path, got {type(path).__name__}")
    target = Path(path)
    suffix = target.suffix[1:].lower()
    if format is None:
        format = suffix if suffix in FORMATS else "svg"
    if format not in FORMATS:
        raise ValueError(f"render: format must be one of {', '.join(FORMATS)}; got {format!r}")
    if not suffix:
        target = target.with_name(f"{target.name}.{format}")
    elif suffix in FORMATS and suffix != format:
        raise ValueError(
            f"render: the path {str(target)!r} ends in .{suffix} but the format is {format!r}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    if format == "dot":
        data = graph.source.encode("utf-8")
    else:
        try:
            data = _dot(graph.source, format)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError(f"render ({format})") from None
    # Whole or not at all: a picture half-written by an interrupted run would not open.
    write_atomically(target, lambda temporary: temporary.write_bytes(data))
    return target
