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


@pytest.fixture(scope="session")
def raw():
    inputs, _ = stages.paths("01_ingest")
    inputs["user_series"] = None  # the shipped data only, whatever is in data/raw/user/
    return dataset.load_raw(inputs)


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
    """A build into ``out`` through the runner's Python API (the shipped data unless ``user_data``)."""
    kw.setdefault("user_data", "none")
    b = runner.make_build(list(years), kw.pop("base_year", 2018), out, **{**QUIET, **kw})
    return b, runner.run(b)


@pytest.fixture(scope="session")
def built_2020(tmp_path_factory):
    """The 2020 report, HTML and PDF, built once per test run: read it, never change it."""
    out = tmp_path_factory.mktemp("built2020")
    b, files = build(out)
    return out, files[b.tag(2020)], b


@pytest.fixture(scope="session")
def cold_copy_source(tmp_path_factory):
    """A cold build (HTML only) with its own copy of the notebooks and raw data, to be copied by
    tests that rebuild: each gets its own copy (see ``rebuilt``), so no test sees another's changes."""
    root = tmp_path_factory.mktemp("cold")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "data" / "raw", root / "raw", ignore=shutil.ignore_patterns("user"))
    b, _ = build(root / "out", formats=("html",), raw_dir=root / "raw", notebooks_dir=root / "notebooks")
    return root, sorted(b.ran)


@pytest.fixture
def project(cold_copy_source, tmp_path):
    """This test's own copy of a cold-built project (notebooks, raw data, outputs and cache)."""
    root, ran = cold_copy_source
    shutil.copytree(root, tmp_path / "p", symlinks=True)
    return tmp_path / "p", ran
