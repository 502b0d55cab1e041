"""Shared test settings: Hypothesis profiles."""

import os

from hypothesis import HealthCheck, settings

# No per-example deadline: machines are shared and noisy, and we test correctness, not speed.
settings.register_profile("default", deadline=None)
# CI: more examples; derandomized so that a red CI is reproducible from its log.
settings.register_profile(
    "ci", deadline=None, max_examples=300, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
settings.load_profile("ci" if os.environ.get("CI") else "default")
