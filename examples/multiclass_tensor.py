"""Three classes on Tensors: a spiral of three arms, learned with softmax cross-entropy.

python examples/multiclass_tensor.py            # train and report loss and accuracy per class
python examples/multiclass_tensor.py --quick    # fewer points and steps, for a smoke test

Each arm of the spiral is one class; no straight line separates them. The network,
2 → 32 → 32 → 3 with tanh, outputs one logit per class, and the loss is
−log softmax(z)[class] averaged over the points.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu import Adam, Tensor, TensorMLP, no_grad
from tinygrad_edu.losses import cross_entropy
from tinygrad_edu.train import History, train

CLASSES = 3
STEPS = 400
PER_CLASS = 80


def make_spiral(per_class: int = PER_CLASS, seed: int = 0) -> tuple[Any, Any]:
    """X of shape (3·per_class, 2): three spiral arms, with labels y = 0, 1, 2 by arm."""
    rng = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.05, 1.0, per_class), CLASSES)
    arm = np.repeat(np.arange(CLASSES), per_class)
    # Arm k turns through 4 radians as the radius grows, starting at angle 2πk/3.
    angle = 2.0 * np.pi * arm / CLASSES + 4.0 * radius + rng.normal(0.0, 0.2, radius.shape)
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return X, arm


def fit(
    steps: int = STEPS, per_class: int = PER_CLASS, seed: int = 0
) -> tuple[TensorMLP, History, Any]:
    """Train for `steps` Adam steps; returns the net, its history, and the accuracy of each
    class on a new spiral (drawn with another seed: points it has never seen)."""
    X, y = make_spiral(per_class, seed)
    activations = ["tanh", "tanh", "linear"]  # the last layer's outputs are the logits z
    net = TensorMLP(2, [32, 32, CLASSES], activation=activations, seed=seed)

    def loss(net: TensorMLP) -> Tensor:
        value: Tensor = cross_entropy(net(X), y)  # −log softmax(z)[class], averaged
        return value

    history = train(net, loss, Adam(net.parameters(), lr=0.02), steps=steps, progress=False)
    new_X, new_y = make_spiral(per_class, seed + 1)
    with no_grad():
        predicted = net(new_X).data.argmax(axis=1)  # the class with the largest logit
    per_class_accuracy = np.array([np.mean(predicted[new_y == k] == k) for k in range(CLASSES)])
    return net, history, per_class_accuracy


def main(argv: Sequence[str] | None = None) -> None:
    """Train and print the loss and the accuracy of each class."""
    parser = argparse.ArgumentParser(
        allow_abbrev=False, description="Learn a three-arm spiral with a TensorMLP."
    )
    parser.add_argument("--quick", action="store_true", help="fewer points and steps")
    args = parser.parse_args(argv)
    steps, per_class = (80, 30) if args.quick else (STEPS, PER_CLASS)
    _, history, accuracy = fit(steps=steps, per_class=per_class)
    print(f"spiral: {CLASSES} classes × {per_class} points, {steps} Adam steps")
    print(f"  cross-entropy {history.loss[0]:.4f} → {history.final_loss:.4f}")
    for k, acc in enumerate(accuracy):
        print(f"  class {k}: {acc:.1%} of new points right")


if __name__ == "__main__":
    main()
