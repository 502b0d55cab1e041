"""Loss functions for both engines: pass Values (one, or a list) or Tensors.

Each loss is a composition of primitives, so its gradient needs no code of its own; the
formulas are arranged so that no exp() can overflow, even for logits of ±1000.

>>> from tinygrad_edu import Value
>>> a_o1, a_o2 = Value(0.75136507), Value(0.772928465)
>>> E_total = mse([a_o1, a_o2], [0.01, 0.99], reduction="half_sum")  # Σ ½(t − y)²
>>> round(E_total.data, 9)
0.298371109
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu import _checks
from tinygrad_edu._checks import real
from tinygrad_edu.tensor import Tensor, as_input
from tinygrad_edu.value import Value

__all__ = ["binary_cross_entropy", "cross_entropy", "mse", "nll_loss"]

#: How a loss combines its per-sample terms; "none" returns them as they are.
REDUCTIONS = ("mean", "sum", "none")


def mse(pred: Any, target: Any, reduction: str = "mean") -> Any:
    """Squared error: mean (y − t)² (``"mean"``), Σ (y − t)² (``"sum"``), each (y − t)²
    (``"none"``), or Σ ½(t − y)² (``"half_sum"``, the derivation's E_total: its ½ cancels the 2
    of the square's derivative).
    """
    _check_reduction("mse", reduction, (*REDUCTIONS, "half_sum"))
    if reduction == "half_sum":
        terms = _elementwise("mse", pred, target, lambda y, t: 0.5 * (t - y) ** 2, "E")
        return _reduce(terms, "sum", "E_total")
    return _reduce(_elementwise("mse", pred, target, lambda y, t: (y - t) ** 2, "E"), reduction)


def binary_cross_entropy(
    pred: Any, target: Any, with_logits: bool = False, reduction: str = "mean"
) -> Any:
    """−[t·log p + (1 − t)·log(1 − p)] for probabilities p, or, ``with_logits=True``, for
    p = σ(z) computed from raw scores z as softplus(z) − z·t, which is stable for any z
    (prefer it: a probability of exactly 0 or 1 has no finite loss).
    """
    _check_reduction("binary_cross_entropy", reduction, REDUCTIONS)
    _check_targets(target)
    term: Callable[[Any, Any], Any]
    if with_logits:
        term = _bce_with_logits
    else:
        _check_probabilities(pred)
        term = _bce_on_probabilities
    return _reduce(_elementwise("binary_cross_entropy", pred, target, term), reduction)


def _bce_with_logits(z: Any, t: Any) -> Any:
    """softplus(z) − z·t = −[t·log σ(z) + (1 − t)·log(1 − σ(z))], smooth and overflow-free."""
    return z.softplus() - z * t


def _bce_on_probabilities(p: Any, t: Any) -> Any:
    """−[t·log p + (1 − t)·log(1 − p)]."""
    return -(t * p.log() + (1.0 - t) * (1.0 - p).log())


def cross_entropy(logits: Any, class_indices: Any, reduction: str = "mean") -> Any:
    """−log softmax(z)[class], averaged (or summed) over samples.

    Tensor: logits of shape (N, C) with N class indices in [0, C), or (C,) with one index.
    Values: a list of C logits with one index, or a list of such lists with a list of indices.
    """
    _check_reduction("cross_entropy", reduction, REDUCTIONS)
    if isinstance(logits, Tensor):
        return _reduce(
            -_picked("cross_entropy", logits, class_indices, log_softmax=True), reduction
        )
    losses = []
    for z, label in _value_samples("cross_entropy", logits, class_indices):
        # log Σ exp(z) = m + log Σ exp(z − m) with m = max z, a constant: no exp can overflow,
        # and the gradient is unchanged because the m's cancel.
        m = max(v.data for v in z)
        log_sum_exp = sum(((v - m).exp() for v in z), Value(0.0)).log() + m
        losses.append(log_sum_exp - z[label])
    return _reduce(losses, reduction)


def nll_loss(log_probs: Any, targets: Any, reduction: str = "mean") -> Any:
    """Negative log-likelihood −log_probs[target], averaged (or summed) over samples, as
    PyTorch's: cross_entropy(z, t) = nll_loss(log_softmax(z), t).

    Shapes as for `cross_entropy`: log-probabilities (N, C) with N class indices, or (C,) with
    one; or Values. The input is taken as log-probabilities and not checked (as PyTorch's);
    PyTorch's ``weight`` and ``ignore_index`` are not offered.

    >>> from tinygrad_edu import Tensor
    >>> log_p = Tensor([[-0.5, -1.0], [-2.0, -0.1]])
    >>> round(nll_loss(log_p, [0, 1]).item(), 6)         # (0.5 + 0.1) / 2
    0.3
    """
    _check_reduction("nll_loss", reduction, REDUCTIONS)
    if isinstance(log_probs, Tensor):
        return _reduce(-_picked("nll_loss", log_probs, targets, log_softmax=False), reduction)
    samples = _value_samples("nll_loss", log_probs, targets)
    return _reduce([-z[label] for z, label in samples], reduction)


# --- helpers -----------------------------------------------------------------------------


def _picked(loss: str, scores: Tensor, indices: Any, log_softmax: bool) -> Tensor:
    """Each sample's entry at its class, from (N, C) or (C,) scores (after log_softmax if
    asked): the −log-likelihood terms, negated."""
    if scores.ndim not in (1, 2):
        name = "logits" if log_softmax else "log_probs"
        raise ValueError(f"{loss}: {name} must have shape (N, C) or (C,), got {scores.shape}")
    batch = scores if scores.ndim == 2 else scores.reshape(1, -1)
    labels = _class_indices(indices, batch.shape[0], batch.shape[1], loss)
    log_p = batch.log_softmax(axis=1) if log_softmax else batch
    return log_p[np.arange(batch.shape[0]), labels]


def _value_samples(loss: str, scores: Any, indices: Any) -> list[tuple[Sequence[Value], int]]:
    """(the C Values of a sample, its class) for each sample, from a list of Values with one
    index or a list of such lists with a list of indices."""
    if isinstance(scores, Sequence) and scores and isinstance(scores[0], Value):
        samples, labels = [scores], [indices]
    elif (
        isinstance(scores, Sequence)
        and not isinstance(scores, str)
        and scores
        and isinstance(scores[0], Sequence)
    ):
        samples, labels = list(scores), list(indices)
        if len(labels) != len(samples):
            name = "logits" if loss == "cross_entropy" else "log-probabilities"
            raise ValueError(
                f"{loss}: {len(samples)} samples of {name} but {len(labels)} class indices"
            )
    else:
        name = "logits" if loss == "cross_entropy" else "log_probs"
        raise TypeError(
            f"{loss}: {name} must be a Tensor, a list of Values, or a list of such lists; "
            f"got {type(scores).__name__}"
        )
    for z in samples:
        if isinstance(z, (str, bytes)) or not all(isinstance(v, Value) for v in z):
            kinds = sorted({type(v).__name__ for v in z if not isinstance(v, Value)})
            raise TypeError(
                f"{loss}: every score of a sample must be a Value, got {', '.join(kinds)} among "
                "them; make them Values (or pass one Tensor)"
            )
    return [(z, int(_class_indices([k], 1, len(z), loss)[0])) for z, k in zip(samples, labels)]


def _check_reduction(loss: str, reduction: str, allowed: Sequence[str]) -> None:
    _checks.one_of(reduction, allowed, f"{loss}: reduction")


def _elementwise(
    loss: str, pred: Any, target: Any, term: Callable[[Any, Any], Any], name: str = ""
) -> Any:
    """term(y, t) for every prediction and its target: one Tensor, or a list of Values.

    What the loss makes is named as a derivation names it: targets given as numbers become
    t1, t2, … (t for a Tensor), and with `name` the terms E1, E2, … (E for a Tensor), so that
    explanations read ∂E1/∂y = y − t1 instead of spelling out the number.
    """
    if isinstance(pred, Tensor):
        t = as_input(target, pred.dtype, f"{loss} target")
        if t is not target and not t.label:
            t.label = "t"
        if t.shape != pred.shape:
            raise ValueError(
                f"{loss}: prediction has shape {pred.shape} but target has shape {t.shape}; "
                "they must match (no broadcasting, which would hide a mistake such as (N, 1) "
                "against (N,))"
            )
        out = term(pred, t)
        if name:
            out.label = name
        return out
    if isinstance(pred, Value):
        pred, target = [pred], [target]
    if isinstance(pred, Sequence) and not pred:
        raise ValueError(f"{loss}: got no predictions; pass at least one")
    if isinstance(pred, Sequence) and all(isinstance(y, Value) for y in pred):
        if isinstance(target, (str, bytes)) or not isinstance(target, (Sequence, np.ndarray)):
            raise TypeError(f"{loss}: target must be a list like the predictions, got {target!r}")
        if len(target) != len(pred):
            raise ValueError(f"{loss}: {len(pred)} predictions but {len(target)} targets")
        targets = [t if isinstance(t, Value) else _named(t, f"{loss} target", k, "t") for k, t in
                   enumerate(target)]  # fmt: skip
        terms = [term(y, t) for y, t in zip(pred, targets)]
        if name:
            for term_, label in zip(terms, _names(name, len(terms))):
                term_.label = label
        return terms
    raise TypeError(
        f"{loss}: predictions must be a Tensor, a Value or a list of Values; "
        f"got {type(pred).__name__}"
    )


def _reduce(terms: Any, reduction: str, name: str = "loss") -> Any:
    """Σ or mean of a Tensor's entries, or of a list of Values ("none": the terms themselves),
    named `name` ("loss", or the derivation's "E_total")."""
    if reduction == "none":
        return terms
    if isinstance(terms, Tensor):
        out = terms.sum() if reduction == "sum" else terms.mean()
    else:
        out = terms[0]
        for term in terms[1:]:
            out = out + term
        if reduction == "mean":
            out = out * (1.0 / len(terms))
    # One term is the total itself: it is named as the total (E_total, not E1).
    out.label = name
    return out


@functools.lru_cache(maxsize=64)
def _names(prefix: str, count: int) -> tuple[str, ...]:
    """(prefix1, …, prefix{count}), made once per size: no formatting on every call."""
    return tuple(f"{prefix}{k + 1}" for k in range(count))


def _named(number: Any, what: str, k: int, prefix: str) -> Value:
    """A target given as a number, as a leaf named t1, t2, … (k counts from 0)."""
    return Value(real(number, what), _names(prefix, k + 1)[k])


def _check_targets(target: Any) -> None:
    """Binary targets are probabilities: each in [0, 1] (2 would give a loss below its floor)."""
    raw = target.data if isinstance(target, Tensor) else target
    if isinstance(raw, Value):
        raw = [raw]
    try:
        values = np.array([t.data if isinstance(t, Value) else t for t in np.ravel(raw)], float)
    except (TypeError, ValueError):
        return  # not numbers: the loss's own checks say what is wrong
    bad = values[(values < 0.0) | (values > 1.0) | ~np.isfinite(values)]
    if bad.size:
        raise ValueError(f"binary_cross_entropy: targets must lie in [0, 1], got {float(bad[0])!r}")


def _check_probabilities(pred: Any) -> None:
    values = (
        pred.data
        if isinstance(pred, Tensor)
        else np.array([v.data for v in ([pred] if isinstance(pred, Value) else pred)])
    )
    if values.size and not ((values > 0.0) & (values < 1.0)).all():
        bad = values[~((values > 0.0) & (values < 1.0))].ravel()[0]
        raise ValueError(
            f"binary_cross_entropy: probabilities must lie strictly between 0 and 1, got "
            f"{float(bad)!r} (its log is -inf); pass raw scores with with_logits=True instead"
        )


def _class_indices(
    indices: Any, count: int, classes: int, loss: str = "cross_entropy"
) -> np.ndarray[Any, Any]:
    """Class labels as an integer array of length `count`, each in [0, classes)."""
    raw = indices.data if isinstance(indices, Tensor) else indices
    array = np.asarray(raw)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.dtype.kind == "f" and np.all(np.isfinite(array)) and np.all(array == np.round(array)):
        if array.size and np.abs(array).max() >= classes:  # checked before the cast: 1e20
            bad = array[(array < 0) | (array >= classes)].ravel()[0]  # would wrap to −2⁶³
            raise ValueError(f"{loss}: class index {float(bad):g} is outside [0, {classes})")
        array = array.astype(np.intp)  # a Tensor of labels holds floats: whole numbers are fine
    if array.dtype.kind not in "iu":
        raise TypeError(f"{loss}: class indices must be whole numbers, got {raw!r}")
    if array.shape != (count,):
        raise ValueError(f"{loss}: expected {count} class indices, got shape {array.shape}")
    if array.size and (array.min() < 0 or array.max() >= classes):
        bad = array[(array < 0) | (array >= classes)][0]
        raise ValueError(f"{loss}: class index {int(bad)} is outside [0, {classes})")
    return array.astype(np.intp)
