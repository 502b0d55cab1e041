"""Two moons with a 2-8-8-1 MLP of Values: train it, draw it, explain and derive one weight.

python examples/moons_2881.py                  # train, print, write pictures into pictures/
python examples/moons_2881.py out --quick      # fewer points and steps, pictures into out/

The data are made here with numpy: two interleaving half circles with a little noise, label
t = 0 for the upper moon and t = 1 for the lower one. The net is `MLP(2, [8, 8, 1])` on the
scalar engine, tanh in the hidden layers and σ at the output, so a3_1 is the probability of
the lower moon; the loss is the mean over the points of E = ½(t − a3_1)², as in the
derivation. MLP names what it builds: inputs x1, x2, neuron k of layer n sums to zn_k and
activates to an_k, its parameters are Ln.Nk.w1, …, Ln.Nk.b.

It prints the loss falling and the accuracy on points it has never seen; then, for the point
it finds hardest, the chain-rule paths from E down to the first-layer weight L1.N1.w1 and the
derived formula; and it writes moons_network.png (the net with its weights) and
moons_boundary.png (the points and the learned boundary a3_1 = ½).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu import MLP, Adam, Value, no_grad
from tinygrad_edu.explain import derive, explain
from tinygrad_edu.train import train
from tinygrad_edu.viz import GraphvizNotFoundError, draw_network, render

POINTS, STEPS = 100, 100
QUICK_POINTS, QUICK_STEPS = 40, 40
LR = 0.05
SEED = 0


def make_moons(n: int, noise: float = 0.2, seed: int = SEED) -> tuple[Any, Any]:
    """`n` points X (shape (n, 2)) on two interleaving half circles, labels t in {0, 1}."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0.0, np.pi, n)
    lower = np.arange(n) >= n // 2
    # The upper moon is the half circle (cos θ, sin θ); the lower one is that turned over and
    # shifted by (1, 0.5), so each moon reaches into the other's hollow.
    x = np.where(lower, 1.0 - np.cos(angle), np.cos(angle))
    y = np.where(lower, 0.5 - np.sin(angle), np.sin(angle))
    X = np.stack([x, y], axis=1) + rng.normal(0.0, noise, (n, 2))
    return X, lower.astype(float)


def error(net: MLP, x: Any, t: float) -> Value:
    """E = ½(t − a3_1)² for one point: the net's output against the target leaf t."""
    (y,) = net([float(x[0]), float(x[1])])
    E = 0.5 * (Value(float(t), "t") - y) ** 2
    E.label = "E"
    return E


def mean_error(net: MLP, points: Any, labels: Any) -> Value:
    """The mean of E over the points."""
    total = error(net, points[0], labels[0])
    for x, t in zip(points[1:], labels[1:]):
        total = total + error(net, x, t)
    return total * (1.0 / len(points))


def accuracy(net: MLP, points: Any, labels: Any) -> float:
    """The fraction of points on the right side of a3_1 = ½."""
    with no_grad():
        right = [
            (net([float(a), float(b)])[0].data > 0.5) == (t > 0.5)
            for (a, b), t in zip(points, labels)
        ]
    return float(np.mean(right))


def fit(steps: int = STEPS, n: int = POINTS, seed: int = SEED) -> tuple[MLP, list[float], float]:
    """Train on `n` points for `steps` Adam steps; returns the net, the losses, and the accuracy
    on `n` new points (drawn with another seed)."""
    X, labels = make_moons(n, seed=seed)
    net = MLP(2, [8, 8, 1], activation=["tanh", "tanh", "sigmoid"], seed=seed)
    history = train(
        net, lambda net: mean_error(net, X, labels), Adam(net.parameters(), lr=LR), steps=steps,
        progress=False,
    )  # fmt: skip
    return net, [*history.loss, history.final_loss], accuracy(net, *make_moons(n, seed=seed + 1))


def plot_boundary(net: MLP, points: Any, labels: Any, path: Path, resolution: int) -> Path:
    """The points, and the plane shaded by the net's output a3_1, with the line a3_1 = ½."""
    from matplotlib.figure import Figure  # the plot extra: pip install "tinygrad-edu[plot]"

    xs = np.linspace(points[:, 0].min() - 0.5, points[:, 0].max() + 0.5, resolution)
    ys = np.linspace(points[:, 1].min() - 0.5, points[:, 1].max() + 0.5, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    with no_grad():  # one forward pass per grid point: the Value engine has no batches
        out = np.array(
            [net([float(a), float(b)])[0].data for a, b in zip(grid_x.ravel(), grid_y.ravel())]
        )
    fig = Figure(figsize=(6.0, 4.5), layout="constrained")
    ax = fig.add_subplot()
    shading = ax.contourf(
        grid_x, grid_y, out.reshape(grid_x.shape), levels=20, cmap="RdBu_r", alpha=0.6
    )
    ax.contour(
        grid_x, grid_y, out.reshape(grid_x.shape), levels=[0.5], colors="black", linewidths=1.5
    )
    ax.scatter(
        points[:, 0], points[:, 1], c=labels, cmap="RdBu_r", edgecolors="black", linewidths=0.5
    )
    fig.colorbar(shading, ax=ax, label="a3_1: probability of the lower moon")
    ax.set_title("MLP(2, [8, 8, 1]) on two moons: the boundary a3_1 = ½")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path


def draw(net: MLP, points: Any, labels: Any, folder: Path, resolution: int) -> list[Path]:
    """moons_network.png (.dot without Graphviz) and, with matplotlib, moons_boundary.png."""
    try:
        paths = [render(draw_network(net), folder / "moons_network.png")]
    except GraphvizNotFoundError as missing:
        print(missing)
        paths = [render(draw_network(net), folder / "moons_network.dot")]
    try:
        paths.append(plot_boundary(net, points, labels, folder / "moons_boundary.png", resolution))
    except ImportError:
        print('no boundary plot: matplotlib is missing (pip install "tinygrad-edu[plot]")')
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    """Train, print loss and accuracy, explain and derive ∂E/∂L1.N1.w1, draw net and boundary."""
    parser = argparse.ArgumentParser(
        allow_abbrev=False, description="Two moons with a 2-8-8-1 MLP of Values."
    )
    parser.add_argument("folder", nargs="?", default="pictures", help="where pictures go")
    parser.add_argument("--quick", action="store_true", help="fewer points and steps")
    args = parser.parse_args(argv)
    steps, n = (QUICK_STEPS, QUICK_POINTS) if args.quick else (STEPS, POINTS)
    folder = Path(args.folder)

    net, losses, acc = fit(steps, n)
    print(f"two moons, {net!r}: {n} points, {steps} Adam steps (lr {LR})")
    for step in sorted({0, steps // 4, steps // 2, steps}):
        print(f"  step {step:4d}   mean E = {losses[step]:.4f}")
    print(f"  accuracy on {n} new points: {acc:.1%}")

    # The error of the point the net finds hardest, and the first weight of the first neuron
    # of the first layer (L1.N1.w1, which multiplies x1 on its way into z1_1).
    X, labels = make_moons(n)
    with no_grad():
        errors = [error(net, x, t).data for x, t in zip(X, labels)]
    k = int(np.argmax(errors))
    net.zero_grad()
    E = error(net, X[k], labels[k])
    E.backward()
    w = net.layers[0].neurons[0].w[0]
    x1, x2 = X[k]
    print(f"\nThe hardest point, x = ({x1:.3f}, {x2:.3f}), t = {labels[k]:g}: E = {E.data:.4g}")
    explanation = explain(E, w, max_paths=2)
    print(explanation)
    print()
    print(derive(E, w))

    for path in draw(net, X, labels, folder, resolution=20 if args.quick else 80):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
