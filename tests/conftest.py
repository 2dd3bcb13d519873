"""Shared fixtures: the shipped data loaded once, one shared build of the 2020 report (read-only), and
copies of the project's inputs for tests that change them. Every test that writes gets its own folder."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from techtrade.build import runner, stages
from techtrade.clean import evidence
from techtrade.ingest import dataset

ROOT = stages.ROOT
FIXTURES = ROOT / "tests" / "fixtures"
QUIET = dict(log=lambda *a: None)


def shipped_inputs(**override) -> dict:
    """The raw inputs 01_ingest reads (the shipped data; no user series unless given), found as the build
    finds them: never as a run by hand, which records the series it reads in the project's data/processed/."""
    inputs, _ = stages.paths("01_ingest", outputs={})
    return {**inputs, "user_series": None, **override}


@pytest.fixture(scope="session")
def raw():
    return dataset.load_raw(shipped_inputs())  # the shipped data only, whatever is in data/raw/user/


@pytest.fixture(scope="session")
def tidy(raw):
    return evidence.figure_intervals(raw["figures"])


@pytest.fixture(scope="session")
def quantities(tidy):
    return evidence.build_quantities(tidy)


@pytest.fixture
def raw_copy(tmp_path):
    """A writable copy of data/raw (without any user series dropped in), for tests that break one file."""
    dst = tmp_path / "raw"
    shutil.copytree(ROOT / "data" / "raw", dst, ignore=shutil.ignore_patterns("user"))
    return dst


def build(out: Path, years=(2020,), **kw):
    """A build into ``out`` through the runner's Python API (the shipped data unless ``user_data``): the
    checked parameters and the renderings published, by report."""
    kw.setdefault("user_data", "none")
    b = runner.make_build(list(years), kw.pop("base_year", 2018), out, **{**QUIET, **kw})
    return b, runner.run(b).files


@pytest.fixture(scope="session")
def built_2020(tmp_path_factory):
    """The 2020 report, HTML and PDF, built once per test run (the one cold build of the suite): read it,
    never change it; ``project`` gives a test its own copy."""
    out = tmp_path_factory.mktemp("built2020")
    b, files = build(out)
    return out, files[b.tag(2020)], b


@pytest.fixture
def project(built_2020, tmp_path):
    """This test's own copy of the built 2020 project: its notebooks, raw data, outputs and cache (a build
    of the same inputs reuses every job)."""
    root = tmp_path / "p"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "data" / "raw", root / "raw", ignore=shutil.ignore_patterns("user"))
    shutil.copytree(built_2020[0], root / "out", symlinks=True)
    return root
