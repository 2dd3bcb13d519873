"""Hypothesis profiles for the property tests (test_fmt.py): the quick set (pytest -m "not slow") runs
100 examples of each property (hypothesis's own default), a full run (CI's pytest) 400 of each;
HYPOTHESIS_PROFILE=quick or thorough chooses either."""
import os

from hypothesis import settings

settings.register_profile("quick", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=400, deadline=None)


def pytest_configure(config):
    """Before test_fmt.py is imported (its tests take their settings from the profile loaded then)."""
    quick = "not slow" in (config.getoption("markexpr") or "")
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("quick" if quick else "thorough"))
