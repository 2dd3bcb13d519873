"""The build tests' fixtures: fake stages (fake.py) and a project of their own to build with them."""
from __future__ import annotations

import shutil

import pytest

from techtrade.build import runner, stages

from . import fake


@pytest.fixture
def fake_stages(monkeypatch):
    """Every kernel and rendering faked (fake.py); what was asked of the kernels, in order."""
    fake.KERNELS.clear()
    for owner, name, value in fake.FAKES:
        monkeypatch.setattr(owner, name, value)
    return fake.KERNELS


@pytest.fixture
def fake_project(tmp_path, fake_stages):
    """This test's own copy of the notebooks and the raw data (no user series), built with fake stages."""
    shutil.copytree(stages.ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(stages.ROOT / "data" / "raw", tmp_path / "raw", ignore=shutil.ignore_patterns("user"))
    return tmp_path


def fake_build(root, years=(2020,), **kw) -> runner.Result:
    """A build of ``root`` (a fake_project) into ``root / 'out'``, HTML unless told."""
    kw = {"formats": ("html",), "user_data": "none", "log": lambda *a: None, "raw_dir": root / "raw",
          "notebooks_dir": root / "notebooks", **kw}
    return runner.run(runner.make_build(list(years), kw.pop("base_year", 2018), root / "out", **kw))
