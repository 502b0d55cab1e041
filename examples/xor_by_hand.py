"""XOR with a net built by hand from Values: train it, draw it, explain and derive dE/dw1.

python examples/xor_by_hand.py                 # train, print, write pictures into pictures/
python examples/xor_by_hand.py out --quick     # fewer steps, pictures into out/

No MLP class: the 2-3-1 sigmoid network is written out node by node, the way a derivation
writes it. Inputs i1, i2; hidden sums h1, h2, h3 = w·i + b and activations a_h1 = σ(h1), …;
the output sum o1 and a_o1 = σ(o1); for each of the four points the error
E = ½(t1 − a_o1)², and E_total = E1 + E2 + E3 + E4. Weights w1..w6 feed the hidden layer
(w1, w2 into h1; w3, w4 into h2; w5, w6 into h3), w7, w8, w9 the output; biases b1..b4.

It prints the loss falling and the four outputs, then, for one point, every chain-rule path
from E down to w1 and the derived formula for ∂E/∂w1 (and that formula's value at each point,
whose sum is ∂E_total/∂w1), and writes the graph of that point's error with the path to w1
highlighted, each edge labelled with its local derivative (xor_graph_w1.png and .svg).
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tinygrad_edu import SGD, Value
from tinygrad_edu.explain import derive, explain
from tinygrad_edu.viz import GraphvizNotFoundError, draw_graph, render

#: The four points of XOR: (i1, i2) → t1.
POINTS = [((0.0, 0.0), 0.0), ((0.0, 1.0), 1.0), ((1.0, 0.0), 1.0), ((1.0, 1.0), 0.0)]
STEPS = 3000
QUICK_STEPS = 1000
LR = 0.5
MOMENTUM = 0.9
SEED = 3


def make_parameters(seed: int = SEED) -> dict[str, Value]:
    """w1..w9 uniform in [−1, 1], b1..b4 at 0: each a Value labelled with its own name."""
    rng = random.Random(seed)
    params = {f"w{k}": Value(rng.uniform(-1.0, 1.0), f"w{k}") for k in range(1, 10)}
    params.update({f"b{k}": Value(0.0, f"b{k}") for k in range(1, 5)})
    return params


def named(node: Value, label: str) -> Value:
    """`node`, labelled: explanations and pictures call it by this name."""
    node.label = label
    return node


def forward(p: dict[str, Value], i1: Value, i2: Value) -> Value:
    """a_o1 = σ(w7·a_h1 + w8·a_h2 + w9·a_h3 + b4), with a_hk = σ(hk) for the three hidden sums."""
    h1 = named(p["w1"] * i1 + p["w2"] * i2 + p["b1"], "h1")
    h2 = named(p["w3"] * i1 + p["w4"] * i2 + p["b2"], "h2")
    h3 = named(p["w5"] * i1 + p["w6"] * i2 + p["b3"], "h3")
    a_h1 = named(h1.sigmoid(), "a_h1")
    a_h2 = named(h2.sigmoid(), "a_h2")
    a_h3 = named(h3.sigmoid(), "a_h3")
    o1 = named(p["w7"] * a_h1 + p["w8"] * a_h2 + p["w9"] * a_h3 + p["b4"], "o1")
    return named(o1.sigmoid(), "a_o1")


def error(p: dict[str, Value], point: tuple[tuple[float, float], float], label: str) -> Value:
    """E = ½(t1 − a_o1)² for one point; its inputs and target are named leaves i1, i2, t1."""
    (x1, x2), t = point
    a_o1 = forward(p, Value(x1, "i1"), Value(x2, "i2"))
    return named(0.5 * (Value(t, "t1") - a_o1) ** 2, label)


def total_error(p: dict[str, Value]) -> Value:
    """E_total = E1 + E2 + E3 + E4, one error per point."""
    errors = [error(p, point, f"E{k}") for k, point in enumerate(POINTS, start=1)]
    E_total = errors[0]
    for E in errors[1:]:
        E_total = E_total + E
    return named(E_total, "E_total")


def predict(p: dict[str, Value], x: tuple[float, float]) -> float:
    """The net's output a_o1 for inputs x."""
    return forward(p, Value(x[0], "i1"), Value(x[1], "i2")).data


def train(steps: int = STEPS, seed: int = SEED) -> tuple[dict[str, Value], list[float]]:
    """Gradient descent with momentum on E_total; returns the parameters and the losses."""
    p = make_parameters(seed)
    opt = SGD(p.values(), lr=LR, momentum=MOMENTUM)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        E_total = total_error(p)
        E_total.backward()
        opt.step()
        losses.append(E_total.data)
    return p, losses


def write_pictures(graph: Any, stem: Path) -> list[Path]:
    """`stem`.png and `stem`.svg (or `stem`.dot, with a message, when Graphviz is missing)."""
    try:
        return [render(graph, stem.with_suffix(f".{fmt}")) for fmt in ("png", "svg")]
    except GraphvizNotFoundError as missing:
        print(missing)
        return [render(graph, stem.with_suffix(".dot"))]


def main(argv: Sequence[str] | None = None) -> None:
    """Train, print the loss and outputs, explain and derive ∂E/∂w1, and draw the graph."""
    parser = argparse.ArgumentParser(
        allow_abbrev=False, description="XOR with a hand-built Value network."
    )
    parser.add_argument("folder", nargs="?", default="pictures", help="where pictures go")
    parser.add_argument("--quick", action="store_true", help="fewer steps, for a smoke test")
    args = parser.parse_args(argv)
    steps = QUICK_STEPS if args.quick else STEPS

    p, losses = train(steps)
    print(f"XOR, 2-3-1 sigmoid net by hand: {steps} steps of SGD (lr {LR}, momentum {MOMENTUM})")
    for step in sorted({0, steps // 10, steps // 4, steps // 2, steps - 1}):
        print(f"  step {step + 1:5d}   E_total = {losses[step]:.6f}")
    for x, t in POINTS:
        print(f"  i = {x}  →  a_o1 = {predict(p, x):.3f}   (t1 = {t})")

    # One point's error, backpropagated: E for i = (1, 0), t1 = 1.
    for q in p.values():
        q.zero_grad()  # training left the last step's gradients in place; backward adds to them
    E = error(p, POINTS[2], "E")
    E.backward()
    w1 = p["w1"]
    print(f"\nOne point, i = {POINTS[2][0]}, t1 = {POINTS[2][1]}:  E = {E.data:.6f}")
    print(explain(E, w1))
    print()
    print(derive(E, w1))

    # E_total adds the four errors, so ∂E_total/∂w1 adds the same formula at the four points.
    terms = []
    for k, point in enumerate(POINTS, start=1):
        for q in p.values():
            q.zero_grad()
        E_k = error(p, point, f"E{k}")
        E_k.backward()
        terms.append(derive(E_k, w1).evaluate())
    for q in p.values():
        q.zero_grad()
    total_error(p).backward()
    print(
        f"∂E_total/∂w1 = Σ over the 4 points = {' + '.join(f'({v:.3g})' for v in terms)}"
        f" = {sum(terms):.6g}   (backward on E_total: {w1.grad:.6g})"
    )

    graph = draw_graph(E, highlight=w1, formulas=True, params=list(p.values()))
    for path in write_pictures(graph, Path(args.folder) / "xor_graph_w1"):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
