"""Pictures: what draw_graph and draw_network draw, checked in the SVG that Graphviz renders.

The SVG is parsed as XML and each node and edge is found by its <title> (the DOT name: node k of
``topological_order(root)`` is ``n{k}``, its operation ``n{k}_op``), so every check reads what
the picture really shows. Tests that render need Graphviz's ``dot``: they skip without it,
except under CI=true, where a missing ``dot`` is a failure.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import graphviz
import numpy as np
import pytest

from tinygrad_edu import (
    MLP,
    SEED,
    Linear,
    Module,
    Net222,
    Sequential,
    Tanh,
    Tensor,
    TensorMLP,
    TensorNet222,
    Value,
    topological_order,
)
from tinygrad_edu.net222 import WEIGHT_NAMES, demo_pictures, net222_graph, net222_network
from tinygrad_edu.viz import (
    HIGHLIGHT,
    GraphvizNotFoundError,
    count_paths,
    draw_graph,
    draw_network,
    png,
    render,
)

SVG = "{http://www.w3.org/2000/svg}"
OP_TEXT = {"*": "×", "-": "−", "/": "÷", "**": "^", "neg": "−x", "sigmoid": "σ"}


@pytest.fixture
def dot() -> None:
    """Skip without Graphviz's dot, unless on CI, where the pictures must be tested."""
    if shutil.which("dot") is None:
        message = "Graphviz's dot is not installed (sudo apt-get install graphviz)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must install it to test the pictures")
        pytest.skip(message)


# --- reading the SVG ----------------------------------------------------------------------------


class Drawn:
    """The nodes, edges and cluster titles of a rendered SVG, with where their texts and lines
    are (SVG coordinates: y grows downwards)."""

    def __init__(self, path: Path) -> None:
        root = ET.parse(path).getroot()
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: list[dict[str, Any]] = []
        self.clusters: list[str] = []
        self.title = ""
        for group in root.iter(f"{SVG}g"):
            kind = group.get("class", "").split()
            name = group.findtext(f"{SVG}title", "")
            elements = list(group.iter(f"{SVG}text"))
            texts = [t.text or "" for t in elements]
            if "node" in kind:
                box = polygon_box(group) or text_box(elements)
                self.nodes[name] = {"texts": texts, "classes": kind, "box": box}
            elif "edge" in kind:
                tail, head = (end.split(":")[0].strip('"') for end in name.split("->"))
                line = group.find(f"{SVG}path")
                stroke = line.get("stroke") if line is not None else None
                points = curve_points(line.get("d", "")) if line is not None else []
                self.edges.append(
                    {"tail": tail, "head": head, "texts": texts, "classes": kind, "stroke": stroke,
                     "points": points}
                )  # fmt: skip
            elif "cluster" in kind:
                self.clusters.append(" ".join(texts))
            elif "graph" in kind:
                # The graph's own caption: its <text> children, not those of nodes and edges.
                self.title = " ".join(t.text or "" for t in group.findall(f"{SVG}text"))

    def text(self, name: str) -> str:
        """All text of a node, its pieces joined (Graphviz splits lines and bold runs)."""
        return "".join(self.nodes[name]["texts"])

    def highlighted(self) -> list[tuple[str, str]]:
        return [(e["tail"], e["head"]) for e in self.edges if "highlight" in e["classes"]]

    def of_class(self, kind: str) -> list[str]:
        """The nodes drawn with CSS class `kind` ("weight", "matrix", "title"), in DOT order."""
        return [name for name, node in self.nodes.items() if kind in node["classes"]]

    def weights(self) -> dict[str, dict[str, Any]]:
        """{weight name: the connection its label sits on (tail, head), the label's node and
        text}: a weight's label is a node halfway along its edge, one line in, one line out."""
        found = {}
        for label in self.of_class("weight"):
            into = [e for e in self.edges if e["head"] == label]
            out = [e for e in self.edges if e["tail"] == label]
            assert len(into) == 1 and len(out) == 1, label
            texts = self.nodes[label]["texts"]
            found[texts[0]] = {"tail": into[0]["tail"], "head": out[0]["head"], "node": label,
                               "text": "".join(texts)}  # fmt: skip
        return found

    def top(self, name: str) -> float:
        """How far down the picture node `name` starts (its first text's baseline)."""
        return float(self.nodes[name]["box"][1])


def polygon_box(group: ET.Element) -> tuple[float, float, float, float] | None:
    """(left, top, right, bottom) around a node's filled shapes (its table's background), or
    None when it has none."""
    points = [
        tuple(float(v) for v in pair.split(","))
        for polygon in group.iter(f"{SVG}polygon")
        if polygon.get("fill") not in (None, "none")
        for pair in polygon.get("points", "").split()
    ]
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def text_box(texts: list[ET.Element]) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) around a node's texts, their widths estimated from the font
    size (Helvetica's characters average about 0.6 of it; no SVG attribute gives the width)."""
    if not texts:
        return (0.0, 0.0, 0.0, 0.0)
    boxes = []
    for t in texts:
        x, y, size = float(t.get("x", 0)), float(t.get("y", 0)), float(t.get("font-size", 10))
        width = 0.6 * size * len(t.text or "")
        left = {"start": x, "middle": x - width / 2, "end": x - width}[
            t.get("text-anchor", "start")
        ]
        boxes.append((left, y - size, left + width, y + 0.25 * size))
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes))  # fmt: skip


def curve_points(d: str, steps: int = 16) -> list[tuple[float, float]]:
    """Points along an SVG path of Graphviz's kind: M x,y then cubic Bézier segments C ..."""
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", d)]
    xy = list(zip(numbers[0::2], numbers[1::2]))
    points = [xy[0]]
    for k in range(1, len(xy) - 2, 3):
        p0, p1, p2, p3 = xy[k - 1], xy[k], xy[k + 1], xy[k + 2]
        for step in range(1, steps + 1):
            t = step / steps
            a, b, c, e = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
            points.append((a * p0[0] + b * p1[0] + c * p2[0] + e * p3[0],
                           a * p0[1] + b * p1[1] + c * p2[1] + e * p3[1]))  # fmt: skip
    return points


def distance_to_box(points: list[tuple[float, float]], box: tuple[float, ...]) -> float:
    """The shortest distance from a line (its points) to a rectangle (0 inside it)."""
    left, top, right, bottom = box
    return min(
        float(np.hypot(max(left - x, 0, x - right), max(top - y, 0, y - bottom))) for x, y in points
    )


def drawn(graph: Any, tmp_path: Path, name: str = "graph") -> Drawn:
    return Drawn(render(graph, tmp_path / f"{name}.svg"))


def seed_net() -> tuple[Net222, Value]:
    net = Net222(SEED.w)
    E_total = net(i=SEED.i, t=SEED.t)
    E_total.backward()
    return net, E_total


def role(node: Value, root: Value) -> str:
    """The role each 2-2-2 node must be shown with: weights learn, the other leaves do not."""
    if node is root:
        return "loss"
    if node.parents:
        return "intermediate"
    return "parameter" if node.label in WEIGHT_NAMES else "input"


# --- the computation graph -----------------------------------------------------------------------


def test_every_node_and_edge_of_the_222_graph_is_in_the_svg(dot: None, tmp_path: Path) -> None:
    net, E_total = seed_net()
    picture = drawn(draw_graph(E_total), tmp_path)
    order = topological_order(E_total)
    index = {id(n): k for k, n in enumerate(order)}
    expected_edges: Counter[tuple[str, str]] = Counter()
    for k, node in enumerate(order):
        text = picture.text(f"n{k}")
        assert node.label in text
        assert f"data {node.data:.4g}" in text, (node, text)
        assert f"grad {node.grad:.4g}" in text, (node, text)
        assert role(node, E_total) in picture.nodes[f"n{k}"]["classes"], node
        if node.parents:
            assert picture.text(f"n{k}_op") == OP_TEXT.get(node.op, node.op)
            expected_edges[(f"n{k}_op", f"n{k}")] += 1
            for p in node.parents:
                expected_edges[(f"n{index[id(p)]}", f"n{k}_op")] += 1
    assert Counter((e["tail"], e["head"]) for e in picture.edges) == expected_edges
    ops = sum(1 for n in order if n.parents)
    assert len(picture.nodes) == len(order) + ops + 1  # and the legend
    # Every name of the derivation is drawn, each exactly once.
    names = [picture.nodes[f"n{k}"]["texts"][0] for k, n in enumerate(order) if n.label]
    assert sorted(names) == sorted([*net.nodes, *WEIGHT_NAMES])


def test_the_legend_explains_every_role(dot: None, tmp_path: Path) -> None:
    _, E_total = seed_net()
    legend = drawn(draw_graph(E_total), tmp_path).text("legend")
    for words in ("parameter", "input or constant", "intermediate", "loss", "operation"):
        assert words in legend


def test_nodes_are_grouped_by_neuron_and_layer(dot: None, tmp_path: Path) -> None:
    net, E_total = seed_net()
    graph = draw_graph(E_total, model=net)
    assert sorted(drawn(graph, tmp_path).clusters) == sorted(
        ["hidden layer", "neuron h1", "neuron h2", "output layer", "neuron o1", "neuron o2"]
    )
    members = cluster_members(graph.source)
    order = topological_order(E_total)
    named = {n.label: f"n{k}" for k, n in enumerate(order) if n.label}
    h1 = members["neuron h1"]
    # w1·i1 + w2·i2 and σ: the weights, both products, the sum h1, a_h1 and their operations.
    assert {named["w1"], named["w2"], named["h1"], named["a_h1"], named["a_h1"] + "_op"} <= h1
    assert len({name for name in h1 if not name.endswith("_op")}) == 6
    assert {named["w5"], named["w6"], named["o1"], named["a_o1"]} <= members["neuron o1"]
    # Inputs, targets and the loss belong to no neuron.
    clustered = set().union(*members.values())
    for name in ("i1", "i2", "t1", "t2", "E1", "E2", "E_total"):
        assert named[name] not in clustered, name
    # The layers hold their neurons.
    assert members["neuron h1"] | members["neuron h2"] <= members["hidden layer"]


def cluster_members(source: str) -> dict[str, set[str]]:
    """{cluster title: the node names defined inside it (nested clusters included)}."""
    members: dict[str, set[str]] = {}
    open_titles: list[str] = []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("subgraph cluster_"):
            open_titles.append("")
        elif open_titles and open_titles[-1] == "" and stripped.startswith("label=<"):
            open_titles[-1] = re.match(r"label=<(.*?)>", stripped).group(1)  # type: ignore[union-attr]
            members[open_titles[-1]] = set()
        elif stripped == "}" and open_titles:
            open_titles.pop()
        elif open_titles and (match := re.match(r"(n\d+(?:_op)?) \[", stripped)):
            for title in open_titles:
                members[title].add(match.group(1))
    return members


def paths_up(root: Value, target: Value) -> list[list[Value]]:
    """Every path from target up to root, listed one by one (the reference: no shortcuts)."""
    children: dict[int, list[Value]] = {}
    for node in topological_order(root):
        for p in node.parents:
            children.setdefault(id(p), []).append(node)
    found = []
    stack = [[target]]
    while stack:
        path = stack.pop()
        if path[-1] is root:
            found.append(path)
        for child in children.get(id(path[-1]), []):
            stack.append([*path, child])
    return found


@pytest.mark.parametrize(
    ("weight", "paths", "through"),
    [
        ("w5", 1, {"w5", "o1", "a_o1", "E1", "E_total"}),
        ("w1", 2, {"w1", "h1", "a_h1", "o1", "a_o1", "o2", "a_o2", "E1", "E2", "E_total"}),
    ],
)
def test_highlight_draws_exactly_the_paths_from_the_root(
    dot: None, tmp_path: Path, weight: str, paths: int, through: set[str]
) -> None:
    net, E_total = seed_net()
    w = net.weights[WEIGHT_NAMES.index(weight)]
    picture = drawn(draw_graph(E_total, highlight=w), tmp_path)
    order = topological_order(E_total)
    index = {id(n): k for k, n in enumerate(order)}
    found = paths_up(E_total, w)
    assert len(found) == paths == count_paths(E_total, w)
    expected: set[tuple[str, str]] = set()
    for path in found:
        for parent, child in itertools.pairwise(path):
            expected.add((f"n{index[id(parent)]}", f"n{index[id(child)]}_op"))
            expected.add((f"n{index[id(child)]}_op", f"n{index[id(child)]}"))
    lit = picture.highlighted()
    assert set(lit) == expected
    assert len(lit) == len(set(lit))  # each edge drawn once
    # The named nodes on the paths are the derivation's.
    named = {f"n{index[id(n)]}": n.label for n in order if n.label}
    assert {named[end] for edge in lit for end in edge if end in named} == through
    # Highlighted in colour; every other edge is not.
    for edge in picture.edges:
        is_lit = "highlight" in edge["classes"]
        assert (edge["stroke"] == HIGHLIGHT) == is_lit
    # Each edge into an operation carries the local derivative ∂child/∂parent.
    for edge in picture.edges:
        if "highlight" in edge["classes"] and edge["head"].endswith("_op"):
            child = order[int(edge["head"][1:-3])]
            parent = order[int(edge["tail"][1:])]
            j = next(j for j, p in enumerate(child.parents) if p is parent)
            assert "".join(edge["texts"]) == f"{child.local_grads()[j]:.4g}"
    # The caption adds up the paths: ∂E_total/∂w = Σ over paths of the products.
    by_paths = sum(
        np.prod([c.local_grads()[c.parents.index(p)] for p, c in itertools.pairwise(path)])
        for path in found
    )
    assert by_paths == pytest.approx(w.grad, rel=1e-12)
    assert f"∂E_total/∂{weight} = {w.grad:.4g}" in picture.title
    assert ("the highlighted path" if paths == 1 else f"{paths} highlighted paths") in picture.title


def test_highlight_accepts_labels_and_lists(dot: None, tmp_path: Path) -> None:
    net, E_total = seed_net()
    by_label = set(drawn(draw_graph(E_total, highlight="w5"), tmp_path, "a").highlighted())
    by_node = set(drawn(draw_graph(E_total, highlight=net.weights[4]), tmp_path, "b").highlighted())
    both = set(drawn(draw_graph(E_total, highlight=["w5", "w7"]), tmp_path, "c").highlighted())
    w7 = set(drawn(draw_graph(E_total, highlight="w7"), tmp_path, "d").highlighted())
    assert by_label == by_node
    assert both == by_label | w7


NASTY = [
    'say "hi"',
    "back\\slash \\N \\\\ \\G end\\",
    "<b>{x}|y</b> & <>",
    "two\nlines",
    "∂E/∂σ = ½·x",
    ('αβ<&>"\\{|}' * 60)[:500],
]


def test_any_label_renders_unchanged(dot: None, tmp_path: Path) -> None:
    leaves = [Value(float(k + 1), label) for k, label in enumerate(NASTY)]
    total = leaves[0]
    for leaf in leaves[1:]:
        total = total + leaf
    total.label = "∂ total \\ <root>"
    total.backward()
    graph = draw_graph(total, highlight=leaves[1], params=leaves)
    picture = drawn(graph, tmp_path)
    order = topological_order(total)
    for k, node in enumerate(order):
        if node.label:
            # Lines become separate <text> elements; joined, they give the label back.
            assert node.label.replace("\n", "") in picture.text(f"n{k}"), node.label[:30]
    # The caption names the highlighted node and the root, escaped the same way.
    assert "∂∂ total \\ <root>/∂back\\slash \\N \\\\ \\G end\\" in picture.title
    # The DOT text itself is valid: dot parses it again from a file.
    source = render(graph, tmp_path / "graph.dot")
    assert source.read_text(encoding="utf-8") == graph.source
    assert graphviz.Source(graph.source).pipe(format="svg").startswith(b"<?xml")


def test_a_long_label_is_cut_into_lines(dot: None, tmp_path: Path) -> None:
    long = "x" * 500
    picture = drawn(draw_graph(Value(1.0, long)), tmp_path)
    pieces = [t for t in picture.nodes["n0"]["texts"] if set(t) == {"x"}]
    assert "".join(pieces) == long
    assert len(pieces) > 5  # not one 500-character line


def test_show_data_and_show_grad_can_be_switched_off(dot: None, tmp_path: Path) -> None:
    _, E_total = seed_net()
    picture = drawn(draw_graph(E_total, show_data=False, show_grad=False), tmp_path)
    texts = " ".join(" ".join(n["texts"]) for name, n in picture.nodes.items() if name != "legend")
    assert "data" not in texts and "grad" not in texts
    assert "a_h1" in texts


def test_tensor_graph_shows_shapes_and_the_gradient_flowing_along_each_edge(
    dot: None, tmp_path: Path
) -> None:
    net = TensorNet222(SEED.w)
    E_total = net(i=[SEED.i], t=[SEED.t])
    E_total.backward()
    W_h = net.weights[0]
    picture = drawn(draw_graph(E_total, highlight=W_h), tmp_path)
    order = topological_order(E_total)
    k = next(k for k, n in enumerate(order) if n is W_h)
    text = picture.text(f"n{k}")
    assert "w1..w4" in text and "(2, 2)" in text
    assert "[0.15, 0.2, 0.25, 0.3]" in text  # its data, all four entries
    assert "parameter" in picture.nodes[f"n{k}"]["classes"]
    assert "loss" in picture.nodes[f"n{len(order) - 1}"]["classes"]
    # W_h is used once (transposed), so the gradient leaving it along its edge is W_h.grad.
    (edge,) = [e for e in picture.edges if e["tail"] == f"n{k}"]
    grad = "[" + ", ".join(f"{v:.4g}" for v in np.ravel(W_h.grad)) + "]"
    assert "highlight" in edge["classes"]
    assert "".join(edge["texts"]) == f"(2, 2) {grad}"
    assert count_paths(E_total, W_h) == 1
    assert "1 path from E_total down to w1..w4" in picture.title
    clusters = drawn(draw_graph(E_total, model=net), tmp_path, "plain").clusters
    assert sorted(clusters) == ["hidden layer", "output layer"]


def test_tensor_edges_before_backward_show_the_jacobian_shape() -> None:
    W = Tensor(np.ones((3, 2)), requires_grad=True, label="W")
    y = (W @ Tensor([1.0, 2.0], label="x")).sum()
    source = draw_graph(y, highlight=W).source
    assert "label=<∂(3,)/∂(3, 2)>" in source  # W → @: an output of shape (3,) from W (3, 2)
    assert "grad none" in source


def test_mlp_graph_roles_from_labels_and_clusters_from_the_model(tmp_path: Path) -> None:
    mlp = MLP(2, [2, 1], seed=0)
    (y,) = mlp([0.5, -1.0])
    loss = (y - 1.0) ** 2
    loss.backward()
    graph = draw_graph(loss, model=mlp)
    members = cluster_members(graph.source)
    assert set(members) == {
        "layer L1", "neuron L1.N1", "neuron L1.N2", "layer L2", "neuron L2.N1",
    }  # fmt: skip
    assert graph.source.count('class="parameter"') == len(mlp.parameters()) == 9
    # The output's activation is the neuron's; y − 1 and its square are the loss's.
    order = topological_order(loss)
    k = {id(n): f"n{k}" for k, n in enumerate(order)}
    assert k[id(y)] in members["neuron L2.N1"]
    clustered = set().union(*members.values())
    assert k[id(loss)] not in clustered and k[id(loss.parents[0])] not in clustered
    # Without the model, the labels still say which leaves are parameters; only the model
    # says which neuron and layer each belongs to.
    unclustered = draw_graph(loss)
    assert unclustered.source.count('class="parameter"') == 9
    assert cluster_members(unclustered.source) == {}
    # params= decides alone: here only L2's weights count as parameters.
    graph = draw_graph(loss, params=mlp.layers[1].parameters())
    assert graph.source.count('class="parameter"') == 3
    # A bare "b" or "x" is an input, not a parameter.
    a, b = Value(1.0, "x"), Value(2.0, "b")
    assert draw_graph(a * b).source.count('class="parameter"') == 0


# --- size limits ------------------------------------------------------------------------------


def chain(n: int) -> Value:
    """x · 1.0001 · 1.0001 ...: about 2n nodes and no modules."""
    y = Value(1.0, "x")
    for _ in range(n):
        y = y * 1.0001
    return y


def test_a_graph_past_max_nodes_without_modules_is_refused_with_advice() -> None:
    big = chain(1100)  # 2,201 nodes
    with pytest.raises(ValueError, match=r"2,201 nodes, more than max_nodes=2000.*cluster=True"):
        draw_graph(big, cluster=False)
    with pytest.raises(ValueError, match=r"no modules to collapse.*pass max_nodes=None"):
        draw_graph(big)
    assert "n2200 [" in draw_graph(big, max_nodes=None).source
    assert "n2200 [" in draw_graph(big, max_nodes=3000).source


def test_a_graph_past_max_nodes_with_modules_is_collapsed_by_module(
    dot: None, tmp_path: Path
) -> None:
    mlp = MLP(2, [3, 1], seed=0)
    loss = Value(0.0, "E")
    for k in range(20):
        (y,) = mlp([k / 20, 1 - k / 20])
        loss = loss + (y - 0.5) ** 2
    loss.label = "E"
    loss.backward()
    n = len(topological_order(loss))
    graph = draw_graph(loss, max_nodes=n - 1, highlight="L1.N1.w1", model=mlp)
    picture = drawn(graph, tmp_path)
    boxes = {
        name: " ".join(picture.nodes[name]["texts"]) for name in picture.nodes if name[0] == "m"
    }
    assert len(boxes) == 4  # one per neuron
    counted = sum(int(re.findall(r"([\d,]+) nodes", t)[0].replace(",", "")) for t in boxes.values())
    assert counted < n
    assert any(t.startswith("neuron L1.N1") and "3 parameters" in t for t in boxes.values())
    assert f"{n:,} nodes, collapsed" in picture.title
    assert picture.highlighted()  # the paths still show, between boxes
    # Collapsing is refused when even the collapsed picture is too big.
    with pytest.raises(ValueError, match="collapsed by module it would still show"):
        draw_graph(loss, max_nodes=10, model=mlp)


@pytest.mark.parametrize(("limit", "error"), [(0, ValueError), (-5, ValueError),
                                              ("many", TypeError), (True, TypeError)])  # fmt: skip
def test_max_nodes_must_be_a_positive_int_or_none(limit: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="draw_graph: max_nodes"):
        draw_graph(Value(1.0), max_nodes=limit)


# --- the network figure -----------------------------------------------------------------------

# Weight k of the derivation and the connection it sits on.
CONNECTIONS = {
    "w1": ("i1", "h1"), "w2": ("i2", "h1"), "w3": ("i1", "h2"), "w4": ("i2", "h2"),
    "w5": ("h1", "o1"), "w6": ("h2", "o1"), "w7": ("h1", "o2"), "w8": ("h2", "o2"),
}  # fmt: skip


@pytest.mark.parametrize("engine", [Net222, TensorNet222])
def test_network_diagram_has_the_eight_weights_on_the_right_edges(
    dot: None, tmp_path: Path, engine: type[Net222 | TensorNet222]
) -> None:
    net = engine(SEED.w)
    # The tensor engine takes a batch: here a batch of one, so each neuron has one value.
    batch = engine is TensorNet222
    E_total = net(i=[SEED.i] if batch else SEED.i, t=[SEED.t] if batch else SEED.t)
    E_total.backward()
    picture = drawn(draw_network(net), tmp_path)
    grads = net.weight_grads()
    labelled = picture.weights()
    assert len(labelled) == 8
    for name, edge in labelled.items():
        k = WEIGHT_NAMES.index(name)
        assert (edge["tail"], edge["head"]) == CONNECTIONS[name]
        assert f"= {SEED.w[k]:.4g}" in edge["text"] and f"grad {grads[k]:.4g}" in edge["text"]
    for name in ("i1", "i2", "t1", "t2", "E1", "E2", "E_total"):
        assert picture.text(name).startswith(name)
    for neuron, activation in (("h1", "a_h1"), ("h2", "a_h2"), ("o1", "a_o1"), ("o2", "a_o2")):
        assert picture.text(neuron).startswith(neuron + activation)
    value = seed_net()[0].nodes
    # Each neuron shows its sum and activation from the forward pass: h1 then a_h1.
    assert f"{value['a_h1'].data:.4g}" in picture.text("h1")
    assert f"{value['E_total'].data:.4g}" in picture.text("E_total")
    assert "loss" in picture.nodes["E_total"]["classes"]
    wanted = {("o1", "E1"), ("o2", "E2"), ("t1", "E1"), ("t2", "E2"), ("E1", "E_total"),
              ("E2", "E_total")}  # fmt: skip
    assert wanted <= {(e["tail"], e["head"]) for e in picture.edges}
    # Each weight's connection is two lines, into its label and out of it.
    assert len(picture.edges) == 2 * 8 + len(wanted)
    assert [" ".join(picture.nodes[t]["texts"]) for t in picture.of_class("title")] == [
        "inputs", "hidden layer", "output layer", "errors"
    ]  # fmt: skip


def test_network_diagram_of_an_mlp_and_of_biases(dot: None, tmp_path: Path) -> None:
    mlp = MLP(3, [2, 1], activation=["tanh", "sigmoid"], seed=0)
    picture = drawn(draw_network(mlp, show_grad=False), tmp_path)
    edges = {name: (e["tail"], e["head"]) for name, e in picture.weights().items()}
    assert edges["L1.N2.w3"] == ("x3", "L1.N2")
    assert edges["L2.N1.w2"] == ("L1.N2", "L2.N1")
    assert len(edges) == 3 * 2 + 2 * 1
    assert picture.text("L1.N1").startswith("L1.N1tanhL1.N1.b = 0")
    assert "sigmoid" in picture.text("L2.N1")
    biased = Net222(SEED.w, b=(0.35, 0.35, 0.6, 0.6))
    picture = drawn(draw_network(biased, show_data=False, show_grad=False), tmp_path, "b")
    bias_edges = {name: (e["tail"], e["head"]) for name, e in picture.weights().items()}
    assert bias_edges["b_h2"] == ("bias_h", "h2") and bias_edges["b_o1"] == ("bias_o", "o1")


def test_network_of_a_wide_mlp_is_refused() -> None:
    with pytest.raises(ValueError, match=r"draw_network: .*6,400 connections.*max_edges=None"):
        draw_network(MLP(80, [80]))
    wide = MLP(80, [80], seed=0)
    source = draw_network(wide, max_edges=None, show_grad=False).source
    # Far too dense for labels: the weights are one 80 × 80 matrix, the last one bottom right.
    last = wide.layers[0].neurons[79].w[79].data
    assert source.count("matrix1 [label=") == 1 and 'class="weight"' not in source
    assert "<td><b>L1.N80</b></td>" in source and f"{last:.4g}</td></tr></table>" in source


@pytest.mark.parametrize(
    "model",
    [
        TensorMLP(2, [3, 1], activation=["tanh", "linear"], seed=0),
        Sequential(Linear(2, 3, seed=0), Tanh(), Linear(3, 1, seed=1)),
    ],
    ids=["TensorMLP", "Sequential"],
)
def test_network_diagram_of_linear_layers(dot: None, tmp_path: Path, model: Module) -> None:
    picture = drawn(draw_network(model, show_grad=False), tmp_path)
    first = model.layout().layers[0].title.removeprefix("layer ")  # "L1", or "0" in a Sequential
    second = model.layout().layers[1].title.removeprefix("layer ")
    weights = picture.weights()
    edges = {name: (e["tail"], e["head"]) for name, e in weights.items()}
    # Neuron n reads row n of the weight matrix: its weight from input j is W[n, j].
    assert edges[f"{first}.weight[2, 1]"] == ("x2", f"{first}.N3")
    assert edges[f"{second}.weight[0, 2]"] == (f"{first}.N3", f"{second}.N1")
    assert len(edges) == 2 * 3 + 3 * 1
    W = model.parameters()[0]
    assert weights[f"{first}.weight[2, 1]"]["text"] == f"{first}.weight[2, 1] = {W.data[2, 1]:.4g}"
    assert picture.text(f"{first}.N1").startswith(f"{first}.N1tanh{first}.bias[0] = ")
    assert picture.text(f"{second}.N1").startswith(f"{second}.N1linear")
    assert [picture.text(t) for t in picture.of_class("title")] == [
        "inputs", f"layer {first}", f"layer {second} (output)"
    ]  # fmt: skip


def after_backward(model: Module, nin: int) -> Module:
    """`model` after one forward and backward pass of a squared error, so grads are shown."""
    x = np.linspace(0.5, 1.0, nin)
    if isinstance(model, MLP):
        outputs = model(list(x))
        loss = sum(((y - 0.5) ** 2 for y in (outputs if isinstance(outputs, list) else [outputs])),
                   Value(0.0))  # fmt: skip
    else:
        loss = ((model(Tensor(x[None, :])) - 0.5) ** 2).sum()
    loss.backward()
    return model


LAYERED = {
    "MLP(2, [4, 4, 1])": lambda: after_backward(MLP(2, [4, 4, 1], seed=0), 2),
    "MLP(3, [8, 8, 2])": lambda: after_backward(MLP(3, [8, 8, 2], seed=0), 3),
    "TensorMLP(2, [4, 4, 1])": lambda: after_backward(TensorMLP(2, [4, 4, 1], seed=0), 2),
    "Sequential(Linear(2, 3), Tanh(), Linear(3, 1))": lambda: after_backward(
        Sequential(Linear(2, 3, seed=0), Tanh(), Linear(3, 1, seed=1)), 2
    ),
    "Net222": lambda: seed_net()[0],
}


@pytest.mark.parametrize("build", LAYERED.values(), ids=LAYERED.keys())
def test_inputs_and_neurons_are_drawn_in_order_top_to_bottom(
    dot: None, tmp_path: Path, build: Any
) -> None:
    model = build()
    layout = model.layout()
    picture = drawn(draw_network(model), tmp_path)
    columns = [list(layout.inputs)] + [[n.name for n in layer.neurons] for layer in layout.layers]
    for column in columns:
        tops = [picture.top(name) for name in column]
        assert tops == sorted(tops) and len(set(tops)) == len(tops), column
    # A neuron's weight labels together, in the order of its inputs: N1's, then N2's, ...
    weights = picture.weights()
    for layer in layout.layers:
        names = [w.name for n in layer.neurons for w in n.weights if w.name in weights]
        tops = [picture.top(weights[name]["node"]) for name in names]
        assert tops == sorted(tops), layer.title


@pytest.mark.parametrize("build", LAYERED.values(), ids=LAYERED.keys())
def test_each_weight_label_sits_on_its_own_edge(dot: None, tmp_path: Path, build: Any) -> None:
    picture = drawn(draw_network(build()), tmp_path)
    for name, weight in picture.weights().items():
        box = picture.nodes[weight["node"]]["box"]  # the label's text, on its white ground
        own = [e for e in picture.edges if weight["node"] in (e["tail"], e["head"])]
        # Its line comes in on one side of the text and goes on from the other ...
        [into] = [e for e in own if e["head"] == weight["node"]]
        [out] = [e for e in own if e["tail"] == weight["node"]]
        ends = [into["points"][-1], out["points"][0]]
        middle = (box[0] + box[2]) / 2
        assert ends[0][0] < middle < ends[1][0], name
        near = max(distance_to_box([end], box) for end in ends)
        assert near < 10, (name, near)
        # ... no other line ends nearer to it, so it cannot be read as another edge's label ...
        others = [e for e in picture.edges if e not in own]
        farther = min(distance_to_box([e["points"][0], e["points"][-1]], box) for e in others)
        assert farther > near, (name, near, farther)
        # ... and no other line runs through it.
        crossing = min(distance_to_box(e["points"], box) for e in others)
        assert crossing > 1, (name, crossing)


def test_a_dense_layer_shows_its_weights_as_a_matrix(dot: None, tmp_path: Path) -> None:
    mlp = after_backward(MLP(2, [4, 4, 1], seed=0), 2)
    picture = drawn(draw_network(mlp), tmp_path)
    # 2·4 = 8 connections are labelled on their edges; 4·4 = 16 > EDGE_LABELS = 8 are not.
    weights = picture.weights()
    assert sorted(weights) == sorted(
        f"L{k}.N{n}.w{j}" for k, nout, nin in ((1, 4, 2), (3, 1, 4))
        for n in range(1, nout + 1) for j in range(1, nin + 1)
    )  # fmt: skip
    dense = [(e["tail"], e["head"]) for e in picture.edges if e["head"].startswith("L2.")]
    assert sorted(dense) == sorted(
        (f"L1.N{j}", f"L2.N{n}") for j in range(1, 5) for n in range(1, 5)
    )
    [matrix] = picture.of_class("matrix")
    texts = picture.nodes[matrix]["texts"]
    assert texts[:2] == ["weights of layer L2", "row: neuron, column: input; top left is L2.N1.w1"]
    # A header row of inputs, then a row per neuron: its name, then value and grad per input.
    assert texts[3:7] == ["L1.N1", "L1.N2", "L1.N3", "L1.N4"]
    for n, neuron in enumerate(mlp.layers[1].neurons):
        row = texts[7 + 9 * n : 7 + 9 * (n + 1)]
        assert row[0] == f"L2.N{n + 1}"
        assert row[1::2] == [f"{w.data:.4g}" for w in neuron.w]
        assert row[2::2] == [f"grad {w.grad:.4g}" for w in neuron.w]
    # At the foot of the layer's column, below its last neuron.
    assert picture.top(matrix) > picture.top("L2.N4")
    assert "a layer with more than 8 connections: its weights as a matrix" in picture.title
    # The threshold is a parameter: 16 labels the middle layer too, 0 labels nothing.
    assert len(drawn(draw_network(mlp, edge_labels=16), tmp_path, "all").weights()) == 28
    none = drawn(draw_network(mlp, edge_labels=0), tmp_path, "none")
    assert none.weights() == {} and len(none.of_class("matrix")) == 3


def test_draw_graph_clusters_a_sequential_by_its_layers() -> None:
    model = Sequential(Linear(2, 3, seed=0), Tanh(), Linear(3, 1, seed=1))
    loss = model(np.ones((4, 2))).sum()
    members = cluster_members(draw_graph(loss, model=model).source)
    assert set(members) == {"layer 0", "layer 2"}
    order = topological_order(loss)
    k = {id(n): f"n{k}" for k, n in enumerate(order)}
    assert k[id(model[0].weight)] in members["layer 0"]
    assert k[id(model[2].bias)] in members["layer 2"]


def test_a_model_without_a_layout_is_refused_by_name() -> None:
    class Custom(Module):
        def __init__(self) -> None:
            self.w = Value(1.0, "w1")

        def parameters(self) -> list[Value]:
            return [self.w]

    model = Custom()
    with pytest.raises(TypeError, match=r"draw_network: Custom does not say .* give it a layout"):
        draw_network(model)
    # draw_graph still draws it, without clusters.
    y = model.w * 2.0
    assert "subgraph cluster" not in draw_graph(y, model=model).source


# --- output ---------------------------------------------------------------------------------


def test_pictures_display_inline_as_svg_and_as_png_where_asked(dot: None) -> None:
    figure = draw_network(Net222())
    # Jupyter asks for the mime bundle: SVG unless told otherwise, PNG when asked.
    assert list(figure._repr_mimebundle_()) == ["image/svg+xml"]
    assert "<svg" in figure._repr_mimebundle_()["image/svg+xml"]
    assert figure._repr_mimebundle_(include=["image/png"])["image/png"].startswith(b"\x89PNG")
    picture = png(figure)
    assert picture._repr_png_() == picture.data and picture.data.startswith(b"\x89PNG")


def test_render_writes_svg_png_pdf_and_dot(dot: None, tmp_path: Path) -> None:
    graph = net222_graph("w1")
    svg = render(graph, tmp_path / "g.svg")
    assert ET.parse(svg).getroot().tag == f"{SVG}svg"
    assert render(graph, tmp_path / "g", "png").read_bytes().startswith(b"\x89PNG")
    assert render(graph, tmp_path / "g.pdf").read_bytes().startswith(b"%PDF")
    assert render(graph, tmp_path / "out" / "g.dot").read_text(encoding="utf-8") == graph.source
    # In Jupyter the graph shows itself as SVG.
    assert graph._repr_mimebundle_()["image/svg+xml"].lstrip().startswith("<?xml")


def test_without_dot_rendering_says_how_to_install_graphviz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    graph = net222_network()
    for call in (
        lambda: render(graph, tmp_path / "g.svg"),
        lambda: graph._repr_mimebundle_(),  # what Jupyter calls to display it
        lambda: graph.pipe(format="png"),
    ):
        with pytest.raises(GraphvizNotFoundError) as caught:
            call()
        message = str(caught.value)
        assert "Graphviz" in message and "`dot`" in message
        assert "sudo apt-get install graphviz" in message and "brew install graphviz" in message
        assert isinstance(caught.value, graphviz.ExecutableNotFound)  # graphviz's own type too
    # The DOT source needs no Graphviz.
    assert render(graph, tmp_path / "g.dot").read_text(encoding="utf-8") == graph.source


def test_demo_pictures_and_the_cli_helpers(tmp_path: Path) -> None:
    paths = demo_pictures(tmp_path / "pictures", "dot")
    assert [p.name for p in paths] == ["graph.dot", "network.dot", "graph_w1.dot"]
    assert 'class="highlight"' in paths[2].read_text(encoding="utf-8")
    assert 'class="highlight"' not in paths[0].read_text(encoding="utf-8")
    with pytest.raises(ValueError, match=r"highlight 'w9' names no node.*w1, w2"):
        net222_graph("w9")
    with pytest.raises(TypeError, match="net222_graph: highlight"):
        net222_graph(5)  # type: ignore[arg-type]


def test_rankdir_reaches_the_dot_source() -> None:
    assert "rankdir=TB" in draw_graph(Value(1.0), rankdir="TB").source
    assert "rankdir=BT" in draw_network(Net222(), rankdir="BT").source


# --- bad input ------------------------------------------------------------------------------


def test_bad_arguments_are_named() -> None:
    _, E_total = seed_net()
    with pytest.raises(TypeError, match="draw_graph: root must be a Value or a Tensor, got list"):
        draw_graph([E_total])
    with pytest.raises(
        ValueError, match="draw_graph: rankdir must be one of 'LR', 'RL', 'TB', 'BT'"
    ):
        draw_graph(E_total, rankdir="sideways")
    with pytest.raises(TypeError, match="draw_graph: show_grad must be True or False"):
        draw_graph(E_total, show_grad="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"the highlight node .* is not in the graph"):
        draw_graph(E_total, highlight=Value(1.0))
    with pytest.raises(TypeError, match="draw_graph: highlight must be a node"):
        draw_graph(E_total, highlight=3.0)
    with pytest.raises(TypeError, match="draw_graph: model must be a tinygrad_edu Module"):
        draw_graph(E_total, model="Net222")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="draw_graph: params must be a list"):
        draw_graph(E_total, params=E_total)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="draw_network: model must be a tinygrad_edu Module"):
        draw_network(E_total)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="draw_network: edge_labels: must be a whole number >= 0"):
        draw_network(Net222(), edge_labels=-1)
    with pytest.raises(TypeError, match="png: graph must be a graphviz graph"):
        png("digraph {}")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="render: format must be one of svg, png, pdf, dot"):
        render(draw_graph(E_total), "graph.gif", "gif")
    with pytest.raises(ValueError, match=r"render: the path 'graph.svg' ends in .svg"):
        render(draw_graph(E_total), "graph.svg", "png")
    with pytest.raises(TypeError, match="render: graph must be a graphviz graph"):
        render("digraph {}", "graph.svg")
    with pytest.raises(TypeError, match="count_paths: root must be a Value or a Tensor"):
        count_paths(1.0, E_total)


def test_count_paths() -> None:
    x, z = Value(2.0, "x"), Value(3.0, "z")
    y = x * x + x
    assert count_paths(y, x) == 3
    assert count_paths(y, z) == 0
    assert count_paths(y, y) == 1


def test_a_leaf_alone_and_a_long_chain_without_recursion() -> None:
    assert 'class="loss"' in draw_graph(Value(1.0, "x")).source
    deep = chain(200_000)
    assert count_paths(deep, topological_order(deep)[0]) == 1
    with pytest.raises(ValueError, match="400,001 nodes"):
        draw_graph(deep)


def test_highlighted_edges_can_carry_their_formulas() -> None:
    net = Net222()
    E_total = net(i=SEED.i, t=SEED.t)
    E_total.backward()
    source = draw_graph(E_total, highlight=net.weights[4], formulas=True).source
    # ∂a_o1/∂o1 = a_o1·(1 − a_o1) with its value, and the square's 2·(t1 − a_o1), names with
    # subscripts (an underscore is clipped off a PNG's edge label).
    assert "a<sub>o1</sub>·(1 − a<sub>o1</sub>) = 0.2387" in source
    assert "2·(t1 − a<sub>o1</sub>) = -1.193" in source
    assert "a<sub>h1</sub> = 0.5069" in source  # ∂(w5·a_h1)/∂w5
    plain = draw_graph(E_total, highlight=net.weights[4]).source
    assert "a<sub>o1</sub>·(1 − a<sub>o1</sub>)" not in plain


def test_parameters_are_known_by_identity_not_by_their_labels() -> None:
    # A learnable weight with an unusual name is a parameter; an input named like a weight
    # is not.
    u11 = Value(0.3, "u11", requires_grad=True)
    w1 = Value(2.0, "w1")
    y = (u11 * w1).tanh()
    y.label = "y"
    source = draw_graph(y).source
    assert source.count('class="parameter"') == 1
    parameter_line = next(line for line in source.splitlines() if 'class="parameter"' in line)
    assert "u11" in parameter_line and ">w1<" not in parameter_line
    assert source.count('class="input"') == 1
