"""Draw the 2-2-2 network's computation graph and its textbook figure, as SVG files.

python examples/draw_graphs.py [FOLDER]

Writes, into FOLDER (default: ./pictures):
- graph.svg: every node of the derivation with its data and grad, grouped by neuron;
- graph_w1.svg, graph_w5.svg: the paths from E_total down to w1 (two) and to w5 (one), each
  edge labelled with its local derivative;
- network.svg: inputs → hidden → outputs → errors, w1..w8 on the connections;
- tensor_graph.svg: the same network on the Tensor engine, a batch of one, paths to W_h.
Without Graphviz's `dot`, the DOT sources (.dot) are written instead, and the message says how
to install Graphviz.
"""

import sys
from pathlib import Path

from tinygrad_edu import SEED, Net222, TensorNet222
from tinygrad_edu.viz import GraphvizNotFoundError, count_paths, draw_graph, draw_network, render


def main(folder: str = "pictures") -> None:
    net = Net222(SEED.w)
    E_total = net(i=SEED.i, t=SEED.t)
    E_total.backward()
    w1, w5 = net.weights[0], net.weights[4]
    # The chain rule on the picture: ∂E_total/∂w is a sum over the highlighted paths.
    print(
        f"w1 reaches E_total along {count_paths(E_total, w1)} paths: ∂E_total/∂w1 = {w1.grad:.6g}"
    )
    print(
        f"w5 reaches E_total along {count_paths(E_total, w5)} path:  ∂E_total/∂w5 = {w5.grad:.6g}"
    )

    batch = TensorNet222(SEED.w)
    E_batch = batch(i=[SEED.i], t=[SEED.t])
    E_batch.backward()

    pictures = {
        "graph": draw_graph(E_total, model=net),
        "graph_w1": draw_graph(E_total, model=net, highlight=w1),
        "graph_w5": draw_graph(E_total, model=net, highlight="w5"),
        "network": draw_network(net),
        "tensor_graph": draw_graph(E_batch, model=batch, highlight=batch.weights[0]),
    }
    out = Path(folder)
    fmt = "svg"
    for name, graph in pictures.items():
        try:
            path = render(graph, out / f"{name}.{fmt}")
        except GraphvizNotFoundError as error:
            print(error)
            fmt = "dot"  # the DOT source needs no Graphviz: write that instead
            path = render(graph, out / f"{name}.{fmt}")
        print(f"wrote {path}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
