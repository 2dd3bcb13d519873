"""Shared fixtures: the shipped data loaded once, and helpers to write small CSV files."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from techtrade import config, dataset, evidence

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def raw():
    return dataset.load_raw(config.RAW_DIR)


@pytest.fixture(scope="session")
def tidy(raw):
    return evidence.figure_intervals(raw["figures"])


@pytest.fixture(scope="session")
def quantities(tidy):
    return evidence.build_quantities(tidy)


@pytest.fixture
def raw_copy(tmp_path):
    """A writable copy of data/raw, for tests that break one file."""
    dst = tmp_path / "raw"
    shutil.copytree(config.RAW_DIR, dst)
    return dst
