"""Incremental builds: which stages run again after which change, and that reuse is byte-for-byte."""
import hashlib
import json
import os
import shutil

import pytest

from techtrade import config, pipeline

pytestmark = pytest.mark.slow
TAG = "2020-vs-2018"
ALL = ["01_ingest", "02_clean", f"03_analysis_{TAG}", f"04_narrative_{TAG}", f"render_{TAG}", f"appendix_{TAG}"]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """A copy of the notebooks and the raw data, and a first (cold) build of them."""
    root = tmp_path_factory.mktemp("cache")
    shutil.copytree(config.NOTEBOOKS_DIR, root / "notebooks")
    shutil.copytree(config.RAW_DIR, root / "raw")
    mp = pytest.MonkeyPatch()
    mp.setattr(config, "NOTEBOOKS_DIR", root / "notebooks")
    b = _build(root)
    assert sorted(b.ran) == sorted(ALL)
    yield root
    mp.undo()


def _build(root, **kw):
    b = pipeline.make_build([2020], 2018, root / "out", formats=("html",), raw_dir=root / "raw",
                            user_data="none", log=lambda *a: None, **kw)
    pipeline.run(b)
    return b


def _hashes(root, sub):
    base = root / "out" / sub
    return {p.relative_to(base).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(base.rglob("*")) if p.is_file()}


def test_nothing_changed_nothing_runs(setup):
    before = {s: _hashes(setup, s) for s in ("data/processed", "figures", "reports")}
    b = _build(setup)
    assert b.ran == [] and sorted(b.reused) == sorted(ALL)
    assert {s: _hashes(setup, s) for s in ("data/processed", "figures", "reports")} == before


def test_touching_a_raw_file_without_changing_it_runs_nothing(setup):
    path = setup / "raw" / config.FIGURES_FILE
    os.utime(path, (path.stat().st_atime + 100, path.stat().st_mtime + 100))
    assert _build(setup).ran == []


def test_editing_the_narrative_runs_only_the_narrative_and_its_render(setup):
    processed = _hashes(setup, "data/processed")
    appendix = (setup / "out" / "reports" / TAG / "appendix-analysis.html").read_bytes()
    nb_path = setup / "notebooks" / "04_narrative.ipynb"
    nb = json.loads(nb_path.read_text())
    nb["cells"][0]["source"] += "\n<!-- an edit -->"
    nb_path.write_text(json.dumps(nb, indent=1))
    b = _build(setup)
    assert sorted(b.ran) == sorted([f"04_narrative_{TAG}", f"render_{TAG}"])
    assert _hashes(setup, "data/processed") == processed  # the reused stages' outputs, byte for byte
    assert (setup / "out" / "reports" / TAG / "appendix-analysis.html").read_bytes() == appendix


def test_changing_a_parameter_runs_the_stages_that_take_it(setup):
    b = _build(setup, top_n=5)
    assert sorted(b.ran) == sorted([f"03_analysis_{TAG}", f"04_narrative_{TAG}", f"render_{TAG}", f"appendix_{TAG}"])
    assert sorted(_build(setup, top_n=5).ran) == []


def test_a_removed_output_is_made_again(setup):
    (setup / "out" / "figures" / f"fig_trade_{TAG}.svg").unlink()
    b = _build(setup, top_n=5)
    assert f"03_analysis_{TAG}" in b.ran and "02_clean" not in b.ran
    assert (setup / "out" / "figures" / f"fig_trade_{TAG}.svg").exists()


def test_changing_a_raw_file_runs_everything_downstream(setup):
    path = setup / "raw" / config.WDI_FILE
    path.write_text(path.read_text().replace("1163920000", "1163920001"))
    b = _build(setup, top_n=5)
    assert sorted(b.ran) == sorted(ALL)


def test_force_runs_everything(setup):
    assert sorted(_build(setup, top_n=5, force=True).ran) == sorted(ALL)
