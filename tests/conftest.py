"""Hypothesis profiles: random exploration locally, a fixed sequence in CI.

Locally every run explores new examples (and remembers failures in .hypothesis/). In CI (the
environment variable CI is set) the examples are derandomized, so a run is reproducible and a
red build means the same failure every time. Neither profile has a per-example deadline: a
loaded machine must not turn a slow example into a failure.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

pytest_plugins = ["tests.postgres"]
