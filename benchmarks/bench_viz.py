"""How fast are the pictures? A script, not a test.

    python benchmarks/bench_viz.py                  # full run (~10 s)
    python benchmarks/bench_viz.py --quick          # smoke run (a few seconds)
    python benchmarks/bench_viz.py --render-large   # also lay out the 5,000-node graph (slow)

Two costs, measured apart:
1. Building the DOT source (``draw_graph(root).source``): ours, in Python. Target: linear in
   the number of nodes, and under 50 ms for 5,000 nodes. The graphs are the loss of an
   MLP(2, [4, 4, 1]) summed over more and more points, so the microseconds per node show
   whether the cost grows linearly.
2. Rendering it (Graphviz's ``dot`` lays it out). Target: the 2-2-2 graph's SVG in under 1 s.
   Layout is far from linear in the graph's size, which is why large graphs are collapsed.
"""

from __future__ import annotations

import argparse
import functools
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _shared import (  # benchmarks/, this script's own folder
    median_seconds,
    model_and_loss_graph,
    row,
    verdict,
)

from tinygrad_edu import SEED, Module, Net222, Value, topological_order
from tinygrad_edu.viz import draw_graph, draw_network

TARGET_BUILD_5K_MS = 50.0
TARGET_RENDER_222_S = 1.0
SIZES = (1_000, 2_500, 5_000)


def dot_source(model: Module, root: Value) -> str:
    """The DOT source of the whole graph below `root` (no collapsing), clustered by `model`."""
    source: str = draw_graph(root, max_nodes=None, model=model).source
    return source


def render_seconds(graph: Any, fmt: str = "svg") -> float:
    """Wall time of ``dot -T<fmt>`` on the graph's source (the layout and the drawing)."""
    start = time.perf_counter()
    subprocess.run(
        ["dot", f"-T{fmt}"], input=graph.source.encode(), capture_output=True, check=True
    )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="few repeats: a smoke run")
    parser.add_argument(
        "--render-large", action="store_true", help="also render the 5,000-node graph (slow)"
    )
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 15
    has_dot = shutil.which("dot") is not None
    version = (
        subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr.strip()
        if has_dot
        else "dot not installed: rendering skipped"
    )
    print(f"tinygrad_edu pictures benchmark: Python {platform.python_version()}, {version}")

    print("\nThe 2-2-2 network at SEED, after backward")
    net = Net222(SEED.w)
    E_total = net(i=SEED.i, t=SEED.t)
    E_total.backward()
    build = median_seconds(lambda: draw_graph(E_total, highlight="w1", model=net).source, repeats)
    n = len(topological_order(E_total))
    row("build DOT, graph", f"{build * 1e3:.2f} ms", f"{n} nodes, highlighted paths to w1")
    build_net = median_seconds(lambda: draw_network(net).source, repeats)
    row("build DOT, network", f"{build_net * 1e3:.2f} ms")
    if has_dot:
        graph, network = draw_graph(E_total, highlight="w1", model=net), draw_network(net)
        svg = statistics.median(render_seconds(graph) for _ in range(repeats))
        row("render SVG, graph", f"{svg:.3f} s", verdict(svg, TARGET_RENDER_222_S))
        png = statistics.median(render_seconds(graph, "png") for _ in range(repeats))
        row("render PNG, graph", f"{png:.3f} s")
        net_svg = statistics.median(render_seconds(network) for _ in range(repeats))
        row("render SVG, network", f"{net_svg:.3f} s", verdict(net_svg, TARGET_RENDER_222_S))

    print("\nBuilding the DOT source of larger graphs (draw_graph(root, max_nodes=None).source)")
    roots = {size: model_and_loss_graph(size) for size in SIZES}
    per_node = []
    for size, (model, root) in roots.items():
        n = len(topological_order(root))
        seconds = median_seconds(functools.partial(dot_source, model, root), repeats)
        per_node.append(seconds / n * 1e6)
        note = (
            verdict(seconds * 1e3, TARGET_BUILD_5K_MS)
            if size == SIZES[-1]
            else f"{seconds / n * 1e6:.2f} µs per node"
        )
        row(f"build DOT, {n:,} nodes", f"{seconds * 1e3:.1f} ms", note)
    spread = max(per_node) / min(per_node)
    row("µs per node, largest/smallest", f"{spread:.2f}", "about 1 when the cost is linear")

    model, largest = roots[SIZES[-1]]
    n = len(topological_order(largest))
    collapsed = draw_graph(largest, max_nodes=2000, model=model)
    seconds = median_seconds(
        lambda: draw_graph(largest, max_nodes=2000, model=model).source, repeats
    )
    row(f"build DOT, {n:,} collapsed", f"{seconds * 1e3:.1f} ms", "the default max_nodes=2000")
    if has_dot and not args.quick:
        row(f"render SVG, {n:,} collapsed", f"{render_seconds(collapsed):.2f} s")
    if has_dot and args.render_large:
        full = draw_graph(largest, max_nodes=None, model=model)
        row(f"render SVG, {n:,} nodes", f"{render_seconds(full):.1f} s", "the whole graph")
    return 0


if __name__ == "__main__":
    sys.exit(main())
