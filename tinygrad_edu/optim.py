"""Optimisers: rules that move parameters against their gradients.

>>> from tinygrad_edu import Value
>>> w = Value(0.4, "w5")
>>> w.grad = 0.08
>>> SGD([w], lr=0.5).step()          # w ← w − lr · ∂E/∂w
>>> round(w.data, 10)
0.36
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from tinygrad_edu.value import Value, _real

__all__ = ["SGD"]


class SGD:
    """Plain gradient descent: for every parameter, w ← w − lr · w.grad."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("SGD: got an empty parameter list; pass model.parameters()")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"SGD: parameters must be Values, got {type(p).__name__}")
        self.lr = _learning_rate(lr, "SGD")

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 before the next backward pass."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Move each parameter one step downhill: w ← w − lr · ∂E/∂w."""
        lr = self.lr
        for p in self.params:
            p.data -= lr * p.grad


def _learning_rate(lr: object, where: str) -> float:
    """`lr` as a float if it is finite and > 0; otherwise a ValueError naming it."""
    try:
        value = _real(lr, f"{where} learning rate")
    except (TypeError, ValueError):
        value = math.nan
    if not value > 0.0:
        raise ValueError(f"{where}: invalid learning rate {lr!r}; it must be a finite number > 0")
    return value
