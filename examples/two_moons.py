"""Two moons: a small TensorMLP learns a curved decision boundary, and draws it.

python examples/two_moons.py                    # train and report the accuracy
python examples/two_moons.py --plot moons.png   # also draw the decision boundary (PNG or SVG)
python examples/two_moons.py --quick            # fewer points and steps, for a smoke test

The data are generated with numpy: two interleaving half circles with a little noise. The
network, 2 → 16 → 16 → 1 with tanh, outputs a logit z; σ(z) is the probability of the lower
moon, and the loss is binary cross-entropy on the logits.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu import Adam, Tensor, TensorMLP, no_grad
from tinygrad_edu.losses import binary_cross_entropy
from tinygrad_edu.train import History, check_output_path, save_figure, train

STEPS = 300
POINTS = 200


def make_moons(n: int = POINTS, noise: float = 0.15, seed: int = 0) -> tuple[Any, Any]:
    """`n` points (X of shape (n, 2)) on two interleaving half circles, labels y in {0, 1}."""
    rng = np.random.default_rng(seed)
    upper = n // 2
    angle = rng.uniform(0.0, np.pi, n)
    # The upper moon is the half circle (cos θ, sin θ); the lower one is it turned over and
    # shifted by (1, 0.5), so that each moon reaches into the other's hollow.
    x = np.where(np.arange(n) < upper, np.cos(angle), 1.0 - np.cos(angle))
    y = np.where(np.arange(n) < upper, np.sin(angle), 0.5 - np.sin(angle))
    X = np.stack([x, y], axis=1) + rng.normal(0.0, noise, (n, 2))
    labels = (np.arange(n) >= upper).astype(float)
    return X, labels


def fit(steps: int = STEPS, n: int = POINTS, seed: int = 0) -> tuple[TensorMLP, History, float]:
    """Train on `n` moon points for `steps` Adam steps; returns the net, its history, and its
    accuracy on `n` new points (drawn with another seed: points it has never seen)."""
    X, labels = make_moons(n, seed=seed)
    net = TensorMLP(2, [16, 16, 1], activation=["tanh", "tanh", "linear"], seed=seed)

    def loss(net: TensorMLP) -> Tensor:
        logits = net(X).reshape(-1)
        value: Tensor = binary_cross_entropy(logits, labels, with_logits=True)
        return value

    history = train(net, loss, Adam(net.parameters(), lr=0.03), steps=steps, progress=False)
    return net, history, accuracy(net, *make_moons(n, seed=seed + 1))


def accuracy(net: TensorMLP, points: Any, labels: Any) -> float:
    """The fraction of points on the right side of the boundary z = 0 (σ(z) = ½)."""
    with no_grad():
        predicted = net(points).data.reshape(-1) > 0.0
    return float(np.mean(predicted == (labels > 0.5)))


def plot_boundary(net: TensorMLP, points: Any, labels: Any, path: str | Path) -> Path:
    """Draw the points and the regions each class gets (σ(z) shaded from 0 to 1) as PNG or SVG."""
    from matplotlib.figure import Figure  # the optional extra: pip install "tinygrad-edu[plot]"

    xs = np.linspace(points[:, 0].min() - 0.5, points[:, 0].max() + 0.5, 200)
    ys = np.linspace(points[:, 1].min() - 0.5, points[:, 1].max() + 0.5, 200)
    grid_x, grid_y = np.meshgrid(xs, ys)
    with no_grad():
        z = net(np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)).data.reshape(grid_x.shape)
    probability = 1.0 / (1.0 + np.exp(-np.clip(z, -500.0, 500.0)))
    fig = Figure(figsize=(6.0, 4.5), layout="constrained")
    ax = fig.add_subplot()
    shading = ax.contourf(grid_x, grid_y, probability, levels=20, cmap="RdBu_r", alpha=0.6)
    ax.contour(grid_x, grid_y, z, levels=[0.0], colors="black", linewidths=1.5)
    ax.scatter(
        points[:, 0], points[:, 1], c=labels, cmap="RdBu_r", edgecolors="black", linewidths=0.5
    )
    fig.colorbar(shading, ax=ax, label="σ(z): probability of the lower moon")
    ax.set_title("Two moons: the learned decision boundary σ(z) = ½")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    return save_figure(fig, path)


def main(argv: Sequence[str] | None = None) -> None:
    """Train, print the loss and accuracy, and draw the boundary if --plot is given."""
    parser = argparse.ArgumentParser(
        allow_abbrev=False, description="Learn two moons with a TensorMLP."
    )
    parser.add_argument("--plot", metavar="PATH", help="draw the decision boundary (.png, .svg)")
    parser.add_argument("--quick", action="store_true", help="fewer points and steps")
    args = parser.parse_args(argv)
    if args.plot:
        try:  # before training, so that a mistyped folder costs nothing
            check_output_path(args.plot, "--plot", (".png", ".svg"))
        except ValueError as error:
            parser.error(str(error))
    steps, n = (60, 60) if args.quick else (STEPS, POINTS)
    net, history, acc = fit(steps=steps, n=n)
    print(f"two moons: {n} points, {steps} Adam steps")
    print(f"  loss {history.loss[0]:.4f} → {history.final_loss:.4f}")
    print(f"  accuracy on {n} new points: {acc:.1%}")
    if args.plot:
        X, labels = make_moons(n)
        print(f"  decision boundary drawn to {plot_boundary(net, X, labels, args.plot)}")


if __name__ == "__main__":
    main()
