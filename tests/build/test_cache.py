"""Incremental builds, with fake stages (conftest.py: the real runner, cache and publishing, no kernels):
which jobs run again after which change, that what is reused is byte for byte what was made, and that
nothing unverified is reused. The project is built once (every job runs); each test builds on its own copy
of it, as the shared fixtures do with the real build (conftest.project)."""
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from techtrade.build import runner, stages

from . import fake
from .conftest import fake_build

TAG = "2020-vs-2018"
PER_YEAR = [f"{job}_{TAG}" for job in ("03_analysis", "04_narrative", "files", "appendix", "html")]
ALL = sorted(["01_ingest", "02_clean"] + PER_YEAR)


def hashes(root, sub):
    base = root / "out" / sub
    return {p.relative_to(base).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(base.rglob("*")) if p.is_file()}


def page(root, tag=TAG):
    return (root / "out" / "reports" / tag / "report.html").read_text()


@pytest.fixture(scope="module")
def built_once(tmp_path_factory):
    """A fake project (conftest.fake_project) built once (HTML): every job ran. Read it, never change it."""
    root = tmp_path_factory.mktemp("built")
    shutil.copytree(stages.ROOT / "notebooks", root / "notebooks")
    shutil.copytree(stages.ROOT / "data" / "raw", root / "raw", ignore=shutil.ignore_patterns("user"))
    with pytest.MonkeyPatch.context() as mp:
        for owner, name, value in fake.FAKES:
            mp.setattr(owner, name, value)
        assert sorted(fake_build(root).ran) == ALL
    return root


@pytest.fixture
def built(built_once, tmp_path, fake_stages):
    """This test's own copy of the built fake project: its notebooks, raw data, outputs and cache, with
    their times (the cache holds no path of the project's: a build of the copy reuses every job)."""
    shutil.copytree(built_once, tmp_path / "p", symlinks=True)
    return tmp_path / "p"


def test_a_stage_that_runs_starts_its_kernel_then_the_next_stages(fake_project, fake_stages):
    """01's kernel is started first; every other stage's is started before the stage before it runs."""
    fake_build(fake_project)
    assert fake_stages[0] == "start 01_ingest"
    jobs = ["01_ingest", "02_clean", f"03_analysis_{TAG}", f"04_narrative_{TAG}"]
    for before, job in zip(jobs, jobs[1:]):
        assert fake_stages.index(f"start {job}") < fake_stages.index(f"run {before}"), fake_stages


def test_nothing_changed_nothing_runs_and_nothing_is_rewritten(built):
    before = {s: hashes(built, s) for s in ("data/processed", "figures", "reports")}
    mtimes = {p: p.stat().st_mtime_ns for p in (built / "out").rglob("*") if p.is_file() and "build" not in p.parts}
    result = fake_build(built)
    assert result.ran == [] and sorted(result.reused) == ALL
    assert {s: hashes(built, s) for s in ("data/processed", "figures", "reports")} == before
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes


def test_touching_a_raw_file_without_changing_it_runs_nothing(built):
    path = built / "raw" / "tech_exchange_figures.csv"
    os.utime(path, (path.stat().st_atime + 100, path.stat().st_mtime + 100))
    assert fake_build(built).ran == []


def test_editing_the_text_runs_only_the_narrative_and_its_renderings(built):
    processed = hashes(built, "data/processed")
    appendix = (built / "out" / "reports" / TAG / "appendix-analysis.html").read_bytes()
    text = built / "notebooks" / "04_narrative.md"
    text.write_text(text.read_text().replace("## In short", "## In brief"))
    assert sorted(fake_build(built, formats=("html", "pdf")).ran) == [f"{j}_{TAG}" for j in ("04_narrative", "html", "pdf")]
    assert hashes(built, "data/processed") == processed  # the reused stages' outputs, byte for byte
    assert (built / "out" / "reports" / TAG / "appendix-analysis.html").read_bytes() == appendix
    assert "In brief" in page(built) and "In short" not in page(built)


def test_changing_a_parameter_makes_another_report_and_keeps_the_first(built):
    first = hashes(built, f"reports/{TAG}")
    assert sorted(fake_build(built, top_n=5).ran) == sorted(j.replace(TAG, TAG + "_top5") for j in PER_YEAR)
    assert hashes(built, f"reports/{TAG}") == first  # --top-n 5 never overwrites the top-6 report
    assert page(built, TAG + "_top5") != page(built)
    assert fake_build(built, top_n=5).ran == []


def test_a_removed_or_edited_cached_file_is_made_again(built):
    objects = sorted(p for p in (built / "out" / "build" / "cache" / "objects").rglob("*") if p.is_file())
    assert len(objects) > 20
    for obj in objects[::2]:  # tamper with some cached files, remove the others: nothing may be reused unverified
        obj.write_bytes(obj.read_bytes() + b"tampered")
    for obj in objects[1::2]:
        obj.unlink()
    good = page(built)
    assert sorted(fake_build(built).ran) == ALL
    assert page(built) == good
    kept = sorted(p for p in (built / "out" / "build" / "cache" / "objects").rglob("*") if p.is_file())
    assert kept == objects and all(hashlib.sha256(p.read_bytes()).hexdigest() == p.name for p in kept)
    assert fake_build(built).ran == []


def test_an_edited_published_report_is_replaced_on_the_next_build(built):
    path = built / "out" / "reports" / TAG / "report.html"
    good = path.read_bytes()
    path.write_text("<p>edited by hand</p>")
    assert fake_build(built).ran == [] and path.read_bytes() == good  # restored from the verified cache


def test_changing_a_raw_file_runs_everything_downstream(built):
    path = built / "raw" / "wdi_russia_2021-09-15.csv"
    good = page(built)
    path.write_text(path.read_text().replace("1163920000", "1163920001"))
    assert sorted(fake_build(built).ran) == ALL and page(built) != good


def test_force_runs_everything_and_replaces_a_corrupt_cached_file(built):
    obj = next((built / "out" / "build" / "cache" / "objects" / "03_analysis.verdicts").iterdir())
    good = obj.read_bytes()
    obj.write_bytes(b"corrupt")
    assert sorted(fake_build(built, force=True).ran) == ALL
    assert obj.read_bytes() == good


def test_html_only_keeps_a_pdf_already_there(built):
    assert fake_build(built, formats=("pdf",)).ran == [f"pdf_{TAG}"]
    pdf = built / "out" / "reports" / TAG / "report.pdf"
    fake_build(built, formats=("html",))
    manifest = json.loads((built / "out" / "reports" / TAG / "manifest.json").read_text())
    assert {"report.html", "report.pdf", "appendix-analysis.html", "verdicts.csv"} <= set(manifest["files"])
    assert manifest["files"]["report.pdf"]["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert "report.pdf" in (built / "out" / "reports" / "index.html").read_text()


def test_a_raw_file_edited_during_a_build_never_mixes_into_its_report(built, monkeypatch):
    """The build reads the copies it made at its start: an edit meanwhile is not in this report, and the
    next build (edit kept or reverted) gets exactly what it reads."""
    path = built / "raw" / "wdi_russia_2021-09-15.csv"
    good, first = path.read_text(), page(built)
    prepare = runner._Run.prepare

    def then_edit(self):
        prepare(self)
        path.write_text(good.replace("1163920000", "2163920000"))  # an analyst saves an edit now

    monkeypatch.setattr(runner._Run, "prepare", then_edit)
    assert sorted(fake_build(built, force=True).ran) == ALL and page(built) == first
    monkeypatch.setattr(runner._Run, "prepare", prepare)
    assert sorted(fake_build(built).ran) == ALL and page(built) != first  # the edited file is new input
    path.write_text(good)
    assert fake_build(built).ran == [] and page(built) == first  # reverted: the first records, verified, reused


def test_a_hand_edited_executed_notebook_never_reaches_the_report(built):
    executed = built / "out" / "reports" / TAG / "executed" / "04_narrative.ipynb"
    good = executed.read_bytes()
    executed.write_text(executed.read_text().replace("In short", "In short (edited by hand)"))
    assert fake_build(built, formats=("html", "pdf")).ran == [f"pdf_{TAG}"]
    assert executed.read_bytes() == good and "edited by hand" not in page(built)


def test_the_same_series_under_another_name_is_read_again_and_its_report_names_the_new_file(built, tmp_path):
    """A series built with --data, then copied to data/raw/user/tech_exchange_series.csv (as the README
    suggests): the report names a user's file, so ingest reads it again (the name is in its key) and every
    stage after it runs; nothing of the first report is laid over the second."""
    series = tmp_path / "my_series.csv"
    series.write_text("year,flow,partner,category,value_usd_mn,source\n2020,exports,World,all,4600,Rosstat (test)\n")
    first = fake_build(built, user_data=series)
    (built / "raw" / "user").mkdir()
    shutil.copyfile(series, built / "raw" / "user" / "tech_exchange_series.csv")
    result = fake_build(built, user_data="auto")
    tag = f"{TAG}_with-tech-exchange-series"
    assert sorted(first.ran) == sorted(j.replace(TAG, f"{TAG}_with-my-series") for j in ALL)
    assert sorted(result.ran) == sorted(j.replace(TAG, tag) for j in ALL) and result.reused == []
    assert page(built, tag) != page(built, f"{TAG}_with-my-series") and page(built, tag) != page(built)
    processed = built / "out" / "data" / "processed"
    assert json.loads((processed / "00_series.json").read_text()) == {"variant": "with-tech-exchange-series"}


def test_the_same_world_bank_file_under_another_name_is_restored_under_this_reports_names(built, tmp_path):
    """--wdi with the shipped file's bytes under another name: another report (the name is in the report's
    name), nothing run; every output restored from the cache under that report's names (kept by role)."""
    copy = tmp_path / "my_wdi.csv"
    shutil.copyfile(built / "raw" / Path(stages.RAW["wdi"]).name, copy)
    result = fake_build(built, wdi_file=copy)
    tag = f"{TAG}_wdi-my-wdi"
    assert result.ran == [] and sorted(result.reused) == sorted(j.replace(TAG, tag) for j in ALL)
    report, shipped = built / "out" / "reports" / tag, built / "out" / "reports" / TAG
    for name in ("verdicts.csv", "numbers.csv", "report.html", "executed/04_narrative.ipynb"):
        assert (report / name).read_bytes() == (shipped / name).read_bytes(), name
    processed = built / "out" / "data" / "processed"
    assert (processed / f"03_results_{tag}.json").exists() and (built / "out" / "figures" / tag).is_dir()


def test_package_versions_in_the_key_are_the_installed_ones(tmp_path, monkeypatch):
    import platform
    from importlib import metadata

    from techtrade.build import cache
    assert {n: v for n, v in cache.versions().items() if n != "python"} == \
        {n: metadata.version(n) for n in cache.SHAPING}
    (tmp_path / "Made_Up.Pkg-1.2.3.dist-info").mkdir()  # read from the folder's name, spelled as pip spells it
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cache, "SHAPING", ("made-up-pkg", "surely-not-installed-pkg"))
    assert cache.versions() == {"python": platform.python_version(), "made-up-pkg": "1.2.3",
                                "surely-not-installed-pkg": "absent"}


def _stored(tmp_path):
    """A cache holding one analysis job's verdicts and numbers, as made in ``tmp_path / 'made'``."""
    from techtrade.build import cache
    made = tmp_path / "made"
    made.mkdir()
    (made / "v.csv").write_text("part_id,verdict\nC1.level,confirmed\n")
    (made / "n.csv").write_text("id,lo,hi\nexports.2020,4500,\n")
    c = cache.Cache(tmp_path / "out")
    c.store("k1", "03_analysis", {"verdicts": made / "v.csv", "numbers": made / "n.csv"})
    return c, c.records / "k1.json"


def test_a_record_edited_to_point_at_another_roles_object_is_not_trusted(tmp_path):
    from techtrade.build import cache
    c, rec = _stored(tmp_path)
    assert c.lookup("k1", "03_analysis")["verdicts"].read_text().startswith("part_id")
    assert c.lookup("k1", "04_narrative") is None  # a record of another kind of job
    data = json.loads(rec.read_text())
    data["files"]["verdicts"] = data["files"]["numbers"]  # verdicts.csv would be numbers.csv's bytes
    rec.write_text(json.dumps(data))
    assert c.lookup("k1", "03_analysis") is None  # the record no longer matches its checksum
    data["check"] = cache.digest("k1", "03_analysis", data["files"])
    rec.write_text(json.dumps(data))
    assert c.lookup("k1", "03_analysis") is None  # and that object was kept for another role


def test_a_corrupt_object_is_replaced_when_its_job_runs_again(tmp_path):
    c, _ = _stored(tmp_path)
    obj = c.lookup("k1", "03_analysis")["verdicts"]
    obj.write_text("part_id,verdict\nC1.level,contradicted\n")
    assert c.lookup("k1", "03_analysis") is None  # not reused: the job runs again, and stores what it made
    c.store("k1", "03_analysis", {"verdicts": tmp_path / "made" / "v.csv", "numbers": tmp_path / "made" / "n.csv"})
    assert c.lookup("k1", "03_analysis")["verdicts"].read_text() == "part_id,verdict\nC1.level,confirmed\n"
