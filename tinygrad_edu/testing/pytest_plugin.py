"""The pytest plugin of tinygrad_edu (a ``pytest11`` entry point, loaded by pytest itself).

- A Hypothesis profile for graph tests, ``tinygrad_edu``: no deadline (building and checking a
  graph takes a varying few milliseconds on a shared machine; a deadline would make that a
  flaky failure) and, when the environment has ``CI=true``, derandomised, so a red CI run is
  reproducible from its log. It is loaded when the plugin is imported — before any conftest.py
  runs, and only if no profile but Hypothesis's automatic "default" or "ci" is active — so
  *your own choice always wins*: a ``settings.load_profile(...)`` in your conftest.py, or
  ``--hypothesis-profile=NAME`` on the command line, replaces it. ``-p no:tinygrad_edu``
  turns the plugin off.
- `gradient_property(strategy)`: a decorator that makes a test a gradient property: Hypothesis
  draws from `strategy`, your test body runs on the draw (it may assert more), and then every
  drawn expression or model is gradient-checked — `gradcheck` for an `Expression` or a
  `TensorExpression`, `check_module_grads` for an `MLPCase`.
- The marker ``@pytest.mark.gradient_property``, set on such tests, so that ``-m
  gradient_property`` selects them.

Without Hypothesis installed, the plugin does nothing, and `gradient_property` raises an
ImportError with the install command.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

#: The profile's name, and the names it is registered under in Hypothesis.
PROFILE = "tinygrad_edu"

__all__ = ["PROFILE", "gradient_property", "pytest_configure", "register_profile"]


def register_profile() -> bool:
    """Register the ``tinygrad_edu`` profile, and load it unless a profile other than
    Hypothesis's own automatic ones ("default", or "ci" on CI) is already loaded; returns
    whether it is now the active profile (False too when Hypothesis is missing)."""
    try:
        from hypothesis import HealthCheck, settings
    except ImportError:
        return False
    current = settings.get_current_profile_name()
    settings.register_profile(
        PROFILE,
        settings.get_profile(current if current in _AUTOMATIC else "default"),
        deadline=None,
        derandomize=os.environ.get("CI", "").lower() in ("1", "true", "yes"),
        suppress_health_check=[HealthCheck.too_slow],
    )
    if current not in _AUTOMATIC and current != PROFILE:
        return False
    settings.load_profile(PROFILE)
    return True


#: The profiles Hypothesis loads by itself (its "ci" one when it detects a CI): ours may
#: replace them; any other loaded profile was someone's choice, and stays.
_AUTOMATIC = ("default", "ci")


def gradient_property(*strategies: Any, **named: Any) -> Callable[[Callable[..., Any]], Any]:
    """Make a test a gradient property: ``@gradient_property(mlps())`` draws a case, runs the
    test body on it, then checks every drawn case's gradients against numbers."""
    try:
        from hypothesis import given
    except ImportError as error:
        raise ImportError(
            'gradient_property needs Hypothesis: pip install "tinygrad-edu[test]"'
        ) from error
    import pytest

    def decorate(test: Callable[..., Any]) -> Any:
        @functools.wraps(test)
        def body(*args: Any, **kwargs: Any) -> None:
            test(*args, **kwargs)
            for drawn in (*args, *kwargs.values()):
                _check(drawn)

        draw: Any = given(*strategies, **named)  # given's overloads are not typed for *args
        property_test: Any = draw(body)
        return pytest.mark.gradient_property(property_test)

    return decorate


def _check(drawn: Any) -> None:
    """gradcheck a drawn expression, check_module_grads a drawn model; ignore anything else."""
    from tinygrad_edu.testing.strategies import Expression, MLPCase, TensorExpression

    if isinstance(drawn, (Expression, TensorExpression)):
        from tinygrad_edu.testing import gradcheck

        gradcheck(drawn.f, *drawn.inputs)
    elif isinstance(drawn, MLPCase):
        drawn.check()


def pytest_configure(config: Any) -> None:
    """Declare the marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        "gradient_property: a gradient property test made by tinygrad_edu's gradient_property",
    )


# On import: pytest imports entry-point plugins before any conftest.py, so a profile the user
# loads there, or names with --hypothesis-profile, replaces this one.
register_profile()
