"""Shared fixtures: the shipped data loaded once, one shared build of the 2020 report (read-only), and
copies of the project's inputs for tests that change them. Every test that writes gets its own folder.

The suite runs on pytest-xdist's workers (pyproject.toml's addopts: ``-n auto --dist loadgroup``): the
tests that read one costly shared fixture (GROUPS) run on one worker, which makes it once."""
from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from techtrade.build import runner, stages

ROOT = stages.ROOT
FIXTURES = ROOT / "tests" / "fixtures"
QUIET = dict(log=lambda *a: None)

#: A costly shared fixture -> the xdist group of the tests that use it (``--dist loadgroup`` runs a group
#: on one worker, so the fixture is made once, not once per worker). A test is in the group of the first
#: of these fixtures it uses; the browser goes with the build its first test reads; the data package's
#: tests (test_package.py) share its files and the frictionless library (0.2 s to import) on one worker.
GROUPS = {"built_2020": "built_2020", "browser": "built_2020", "every_figure": "figures",
          "report_folder": "package"}


@pytest.hookimpl(tryfirst=True)  # before pytest's own makes the worker's temporary folder
def pytest_configure(config):
    """On an xdist worker, a numbered temporary folder of its own (/tmp/pytest-of-USER/pytest-N, made and
    cleaned as a plain pytest run makes its own) rather than one under the controller's
    (.../pytest-N/popen-gw0): a test's tmp_path is then as long as in a plain run (a Unix socket's path
    holds 107 bytes at most; the kernels' sockets fall back to TCP beyond). A --basetemp given is kept.
    In a process that collects the tests (a worker, or a run without workers) the cyclic garbage collector
    is off until they are collected: see pytest_collection_finish."""
    worker = hasattr(config, "workerinput")
    if worker and config.known_args_namespace.basetemp is None:
        config.option.basetemp = None
    if worker or not getattr(config.option, "numprocesses", None):  # this process collects the tests
        gc.disable()  # until pytest_collection_finish


def pytest_collection_finish(session):
    """The test modules, and all they import, are loaded and live to the end of the run: the cyclic garbage
    collector, off while they loaded, is set to leave them be (gc.freeze) rather than walk them again and
    again while the tests run (about a second of each worker's run, the collection and the tests). The
    tests make many objects in cycles (figures, frames) that die young: the youngest generation is collected
    every 10 000 allocations rather than every 700 (each worker's collections 0.2 s -> 0.1 s in all)."""
    gc.enable()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """The run is over: what is alive now lives until the process ends, so it is frozen too (gc.freeze),
    and the interpreter's exit, which collects everything not frozen once more, does not walk it (about
    0.15 s for each worker, which the run waits for, and for the process that started them)."""
    gc.freeze()


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Each test that uses a fixture of GROUPS goes into its group (a no-op without xdist). pytest-xdist
    3.8 names a test's group by appending it to the test's id (``...::test_x[quick]@figures``), which it
    does through an attribute pytest 9.2 no longer reads: after xdist's turn, the id is given it here."""
    for item in items:
        group = next((GROUPS[f] for f in item.fixturenames if f in GROUPS), None)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
    result = yield
    if getattr(config.option, "loadgroup", False):  # an xdist worker under --dist loadgroup
        # pytest 9.2's structured ids (requirements-dev.txt pins pytest and pytest-xdist)
        from _pytest.nodeid import NodeId

        for item in items:
            mark = item.get_closest_marker("xdist_group")
            if mark and not item.nodeid.endswith(f"@{mark.args[0]}"):
                item._id = NodeId.parse(f"{item.nodeid}@{mark.args[0]}")
    return result


def shipped_inputs(**override) -> dict:
    """The raw inputs 01_ingest reads (the shipped data; no user series unless given), found as the build
    finds them: never as a run by hand, which records the series it reads in the project's data/processed/."""
    inputs, _ = stages.paths("01_ingest", outputs={})
    return {**inputs, "user_series": None, **override}


@pytest.fixture(scope="session")
def raw():
    # pandas is imported here, by the processes that run tests, not by xdist's controller with this module
    from techtrade.ingest import dataset

    return dataset.load_raw(shipped_inputs())  # the shipped data only, whatever is in data/raw/user/


@pytest.fixture(scope="session")
def tidy(raw):
    from techtrade.clean import evidence

    return evidence.figure_intervals(raw["figures"])


@pytest.fixture(scope="session")
def quantities(tidy):
    from techtrade.clean import evidence

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
