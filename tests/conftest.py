"""Shared fixtures for the core wdlib tests (keep minimal: other test files live here too)."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    """A fresh, fixed-seed generator for each test (tests stay independent of order)."""
    return np.random.default_rng(20260101)
