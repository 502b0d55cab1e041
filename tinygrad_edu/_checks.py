"""Argument checks: one helper per kind of check, shared by every module of the library.

Two kinds of mistake, two exception types, as Python's own functions use them:

- ``TypeError``: the argument is not the kind of thing asked for (a string where a number
  goes, one number where a list of numbers goes, a float where a count goes);
- ``ValueError``: it is the right kind, but its value is not allowed (nan, a learning rate
  of −1, 7 numbers where 8 are needed, an unknown name).

Every message starts with `what`, the function and the argument ("SGD: lr", "Net222: w
(w1..w8)"), then says what was expected and what came instead.

>>> positive(0.5, "SGD: lr")
0.5
>>> reals([0.05, 0.1, 0.2], "Net222: i (i1, i2)", count=2)
Traceback (most recent call last):
ValueError: Net222: i (i1, i2): needs 2 numbers, got 3
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection, Sequence
from typing import Any, TypeVar

import numpy as np

__all__ = [
    "flag",
    "learning_rate",
    "non_negative",
    "one_of",
    "positive",
    "real",
    "reals",
    "sequence_of",
    "setting",
    "whole",
]

T = TypeVar("T")


def real(x: object, what: str) -> float:
    """`x` as a finite float: TypeError if it is not a real number, ValueError if not finite.

    Accepts int, float, numpy scalars and any `numbers.Real` (Fraction, Decimal-like);
    refuses bool, whose True/False are almost always a mistake where a number goes.
    """
    if type(x) is float:  # the common case first: no isinstance chain on the hot path
        data = x
    elif isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_)):
        try:
            data = float(x)
        except OverflowError:
            shown = repr(x) if len(repr(x)) <= 24 else f"{repr(x)[:12]}… ({len(repr(x))} digits)"
            raise ValueError(
                f"{what} takes a finite number; {shown} is too large for float64"
            ) from None
    else:
        raise TypeError(
            f"{what} takes a real number (int, float or numpy scalar), got {type(x).__name__}"
            + (": use 1.0 or 0.0 for a boolean" if isinstance(x, (bool, np.bool_)) else "")
        )
    if not math.isfinite(data):
        raise ValueError(f"{what} takes a finite number, got {data!r}")
    return data


def _number_or_nan(x: object) -> float:
    """`x` as a float, or nan when it is not a finite real number (the range checks say so)."""
    try:
        return real(x, "number")
    except (TypeError, ValueError):
        return math.nan


def positive(x: object, what: str) -> float:
    """`x` as a float if it is a finite number > 0 (a step size, a threshold), else ValueError.

    >>> positive(-1, "first_below: threshold")
    Traceback (most recent call last):
    ValueError: first_below: threshold: must be a finite number > 0, got -1
    """
    value = _number_or_nan(x)
    if not value > 0.0:
        raise ValueError(f"{what}: must be a finite number > 0, got {x!r}")
    return value


def non_negative(x: object, what: str) -> float:
    """`x` as a float if it is a finite number >= 0 (momentum, weight decay), else ValueError."""
    value = _number_or_nan(x)
    if not value >= 0.0:
        raise ValueError(f"{what}: must be a finite number >= 0, got {x!r}")
    return value


def setting(x: object, where: str, name: str, *, zero_allowed: bool = False) -> float:
    """A hyper-parameter (a learning rate, momentum, eps) as a float: finite and > 0 (>= 0
    with `zero_allowed`), else ValueError in the optimisers' words, as PyTorch says them.

    >>> setting(-1, "SGD", "momentum", zero_allowed=True)
    Traceback (most recent call last):
    ValueError: SGD: invalid momentum -1; it must be a finite number >= 0
    """
    value = _number_or_nan(x)
    if not (value >= 0.0 if zero_allowed else value > 0.0):
        bound = ">= 0" if zero_allowed else "> 0"
        raise ValueError(f"{where}: invalid {name} {x!r}; it must be a finite number {bound}")
    return value


def learning_rate(lr: object, where: str) -> float:
    """`lr` as a float if it is a finite number > 0, else ValueError naming `where`.

    >>> learning_rate(0.0, "SGD")
    Traceback (most recent call last):
    ValueError: SGD: invalid learning rate 0.0; it must be a finite number > 0
    """
    return setting(lr, where, "learning rate")


def whole(n: object, what: str, minimum: int = 1) -> int:
    """`n` as an int >= `minimum` (a size, a count of steps): TypeError if it is not a whole
    number (bool and float refused), ValueError if it is too small.

    >>> whole(0, "MLP: nin")
    Traceback (most recent call last):
    ValueError: MLP: nin: must be a whole number >= 1, got 0
    """
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{what}: must be a whole number >= {minimum}, got {n!r}")
    if n < minimum:
        raise ValueError(f"{what}: must be a whole number >= {minimum}, got {n!r}")
    return int(n)


def flag(value: object, what: str) -> bool:
    """`value` as a bool if it is True or False (numpy's too), else TypeError."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what} must be True or False, got {value!r}")
    return bool(value)


def reals(values: object, what: str, count: int | None = None) -> tuple[float, ...]:
    """`values` as a tuple of finite floats (`count` of them, when given).

    TypeError if it is not a sequence of numbers (a bare number, a string); ValueError if the
    count is wrong or an entry is not finite.
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        expected = "a list of numbers" if count is None else f"a list of {count} numbers"
        raise TypeError(f"{what}: needs {expected}, got {values!r:.80}")
    if count is not None and len(values) != count:
        raise ValueError(f"{what}: needs {count} numbers, got {len(values)}")
    return tuple(real(v, what) for v in values)


def one_of(value: T, allowed: Collection[T], what: str) -> T:
    """`value` if it is one of `allowed`, else ValueError listing them.

    >>> one_of("mean", ("mean", "sum"), "mse: reduction")
    'mean'
    """
    try:
        known = value in allowed
    except TypeError:  # unhashable
        known = False
    if not known:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{what} must be one of {choices}, got {value!r:.80}")
    return value


def sequence_of(values: Any, what: str) -> list[Any]:
    """`values` as a list, TypeError when it is a bare item or a string instead of a list."""
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise TypeError(f"{what}: needs a list, got {type(values).__name__}")
    return list(values)
