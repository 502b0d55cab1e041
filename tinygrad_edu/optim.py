"""Optimisers: rules that move parameters against their gradients, from simplest to richest.

Each rule is written once, with + − · and powers only, so it works on Value parameters
(floats) and on Tensor parameters (arrays) alike.

>>> from tinygrad_edu import Value
>>> w = Value(0.4, "w5")
>>> w.grad = 0.08
>>> SGD([w], lr=0.5).step()          # w ← w − lr · ∂E/∂w
>>> round(w.data, 10)
0.36
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from tinygrad_edu import _checks
from tinygrad_edu.primitives import FLOAT_ERRORS
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.value import Value

__all__ = ["SGD", "Adam", "AdamW", "Optimizer"]


class Optimizer:
    """What every optimiser shares: its parameters, checked once, and ``zero_grad()``."""

    def __init__(self, params: Iterable[Any], lr: float) -> None:
        name = type(self).__name__
        if isinstance(params, (Value, Tensor)):
            # A Tensor is iterable (its rows): SGD(w) would train slices of w, never w itself.
            raise TypeError(
                f"{name}: params must be a list of parameters, got one {type(params).__name__}"
                f"; pass [{params.label or 'w'}] or model.parameters()"
            )
        self.params: list[Any] = list(params)
        if not self.params:
            raise ValueError(f"{name}: got an empty parameter list; pass model.parameters()")
        seen: set[int] = set()
        for p in self.params:
            if not isinstance(p, (Value, Tensor)):
                raise TypeError(
                    f"{name}: parameters must be Values or Tensors, got {type(p).__name__}"
                )
            if id(p) in seen:
                raise ValueError(
                    f"{name}: parameter {p.label or p!r} is listed twice; it would be stepped "
                    "twice each step (list each parameter once)"
                )
            seen.add(id(p))
            if isinstance(p, Tensor) and not p.requires_grad:
                raise ValueError(
                    f"{name}: parameter {p.label or p.shape!r} has requires_grad=False, so it "
                    "would never receive a gradient"
                )
        self.lr = _checks.learning_rate(lr, name)
        # Floats raise nothing on overflow (checked by hand below), so numpy's error state is
        # only set up when there are arrays to step: ~1 µs of a 2-2-2 step of 30.
        self._errors: Any = (
            _raising if any(isinstance(p, Tensor) for p in self.params) else contextlib.nullcontext
        )

    def zero_grad(self) -> None:
        """Forget the gradients before the next backward pass."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """Move every parameter that has a gradient by its step: w ← w − Δw.

        Never silently non-finite: a gradient that is nan or inf, or a step that would make a
        parameter so (an lr of 1e308), raises an ArithmeticError naming the parameter, and no
        parameter is changed (the optimiser's own state, such as momentum, has advanced).
        """
        name = type(self).__name__
        for p in self.params:
            if p.grad is not None and not _finite(p.grad):
                raise ArithmeticError(
                    f"{name}.step: the gradient of {_name(p)} is not finite; nothing was "
                    "updated (scale the loss or the inputs down, or lower the learning rate)"
                )
        # numpy raises FloatingPointError where a step or a parameter would overflow, so the
        # arrays need no second pass to look for inf; Python floats are checked by hand.
        deltas = []
        current = None
        with self._errors():
            try:
                for k, p in enumerate(self.params):
                    if p.grad is None:
                        continue
                    current = p
                    delta = self._delta(k, p.data, p.grad)
                    if not isinstance(delta, np.ndarray) and not math.isfinite(delta):
                        raise FloatingPointError
                    deltas.append((p, delta))
            except FloatingPointError:
                raise ArithmeticError(
                    f"{name}.step: the step for {_name(current)} is not finite (lr {self.lr!r}); "
                    "nothing was updated — lower the learning rate"
                ) from None
            for p, delta in deltas:
                try:
                    if isinstance(p, Tensor):
                        p.data -= delta  # in place: the tensor owns its array, so no copy
                    else:
                        p.data = p.data - delta
                        if not math.isfinite(p.data):
                            raise FloatingPointError
                except FloatingPointError:  # finite w and Δw whose difference passes 1.8e308
                    raise ArithmeticError(
                        f"{name}.step: {_name(p)} overflowed {_dtype(p)} (w − Δw past its "
                        "largest number)"
                    ) from None

    def _delta(self, k: int, w: Any, g: Any) -> Any:
        """Δw for parameter k with data w and gradient g (a float or an array)."""
        raise NotImplementedError


def _finite(x: Any) -> bool:
    """Every entry of a float or an array is finite (for an array: its min and max are, which
    reads it twice and allocates nothing, as Tensor's own check does)."""
    if isinstance(x, np.ndarray):
        return x.size == 0 or bool(np.isfinite(x.min()) and np.isfinite(x.max()))
    return math.isfinite(x)


def _raising() -> Any:
    """numpy's error state for a step: overflow raises FloatingPointError instead of giving inf."""
    return np.errstate(**FLOAT_ERRORS)


def _dtype(p: Any) -> str:
    return str(p.data.dtype) if isinstance(p.data, np.ndarray) else "float64"


def _name(p: Any) -> str:
    return repr(p.label) if p.label else f"a {type(p).__name__.lower()} of shape {np.shape(p.data)}"


class SGD(Optimizer):
    """Gradient descent: w ← w − lr · g, with optional momentum, Nesterov and weight decay.

    With weight decay λ the gradient is g + λ·w. With momentum μ, a velocity v ← μ·v + g is kept
    per parameter and w ← w − lr · v (Nesterov: w ← w − lr · (g + μ·v)), as in PyTorch.

    >>> from tinygrad_edu import Value
    >>> w = Value(1.0, "w", requires_grad=True)
    >>> opt = SGD([w], lr=0.1)
    >>> ((w - 3.0) ** 2).backward()      # ∂/∂w (w − 3)² = 2(w − 3) = −4
    >>> opt.step()                       # w ← 1 − 0.1·(−4)
    >>> w.grad, w.data
    (-4.0, 1.4)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _checks.setting(momentum, "SGD", "momentum", zero_allowed=True)
        self.weight_decay = _checks.setting(weight_decay, "SGD", "weight_decay", zero_allowed=True)
        if nesterov and self.momentum == 0.0:
            raise ValueError("SGD: nesterov=True needs a momentum > 0")
        self.nesterov = bool(nesterov)
        self.velocity: list[Any] = [None] * len(self.params)

    def _delta(self, k: int, w: Any, g: Any) -> Any:
        if self.weight_decay:
            g = g + self.weight_decay * w
        if self.momentum:
            v = g if self.velocity[k] is None else self.momentum * self.velocity[k] + g
            self.velocity[k] = v
            g = g + self.momentum * v if self.nesterov else v
        return self.lr * g


class Adam(Optimizer):
    """Adam: steps scaled by running averages of the gradient and of its square.

    m ← β1·m + (1 − β1)·g,  v ← β2·v + (1 − β2)·g²,  m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ),
    w ← w − lr · m̂ / (√v̂ + ε). Weight decay λ adds λ·w to g (L2, as PyTorch's Adam).

    >>> from tinygrad_edu import Value
    >>> w = Value(1.0, "w", requires_grad=True)
    >>> opt = Adam([w], lr=0.1)
    >>> ((w - 3.0) ** 2).backward()
    >>> opt.step()                       # the first step is lr · sign(g): m̂ / √v̂ = g / |g|
    >>> round(w.data, 6)
    1.1
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        name = type(self).__name__
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ValueError(f"{name}: betas must be a pair (β1, β2), got {betas!r}")
        for beta in betas:
            if not (isinstance(beta, (int, float)) and 0.0 <= beta < 1.0):
                raise ValueError(f"{name}: invalid beta {beta!r}; each must be in [0, 1)")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = _checks.setting(eps, name, "eps")
        self.weight_decay = _checks.setting(weight_decay, name, "weight_decay", zero_allowed=True)
        self.m: list[Any] = [0.0] * len(self.params)
        self.v: list[Any] = [0.0] * len(self.params)
        self.t = 0

    def step(self) -> None:
        """One Adam step for every parameter (the step count t advances once)."""
        self.t += 1
        super().step()

    def _delta(self, k: int, w: Any, g: Any) -> Any:
        if self.weight_decay:
            g = g + self.weight_decay * w  # L2: the decay goes through the moments
        return self._adam_step(k, g)

    def _adam_step(self, k: int, g: Any) -> Any:
        """lr · m̂ / (√v̂ + ε) for parameter k with gradient g, updating its moments m and v."""
        beta1, beta2 = self.betas
        self.m[k] = beta1 * self.m[k] + (1.0 - beta1) * g
        self.v[k] = beta2 * self.v[k] + (1.0 - beta2) * g * g
        m_hat = self.m[k] / (1.0 - beta1**self.t)
        v_hat = self.v[k] / (1.0 - beta2**self.t)
        return self.lr * m_hat / (v_hat**0.5 + self.eps)


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay, as PyTorch's (default λ = 0.01).

    w ← w − lr·λ·w, then the Adam step on the plain gradient g: the decay does not pass
    through m and v, so every weight shrinks at the same rate whatever its gradient's scale
    (Loshchilov & Hutter). Adam's ``weight_decay`` adds λ·w to g instead (L2).

    >>> from tinygrad_edu import Value
    >>> w = Value(1.0)
    >>> w.grad = 0.0                    # no gradient: only the decay acts (m = v = 0)
    >>> AdamW([w], lr=0.1, weight_decay=0.5).step()
    >>> w.data                          # 1 − 0.1·0.5·1
    0.95
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)

    def _delta(self, k: int, w: Any, g: Any) -> Any:
        # w − Δ with Δ = lr·λ·w + the Adam step: the decay, then Adam, as one subtraction.
        return self.lr * self.weight_decay * w + self._adam_step(k, g)
