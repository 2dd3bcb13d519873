"""Incremental builds: which jobs run again after which change, and that reuse is byte for byte.
Each test rebuilds its own copy of one cold build (the ``project`` fixture), so none depends on another."""
import hashlib
import json
import os
import shutil

import pytest

from ..conftest import build

TAG = "2020-vs-2018"
PER_YEAR = [f"03_analysis_{TAG}", f"04_narrative_{TAG}", f"html_{TAG}", f"appendix_{TAG}"]
ALL = ["01_ingest", "02_clean"] + PER_YEAR


def rebuild(root, **kw):
    b, _ = build(root / "out", formats=kw.pop("formats", ("html",)), raw_dir=root / "raw",
                 notebooks_dir=root / "notebooks", **kw)
    return b


def hashes(root, sub):
    base = root / "out" / sub
    return {p.relative_to(base).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(base.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_the_cold_build_ran_every_job(project):
    _, ran = project
    assert ran == sorted(ALL)


@pytest.mark.slow
def test_nothing_changed_nothing_runs_and_nothing_is_rewritten(project):
    root, _ = project
    before = {s: hashes(root, s) for s in ("data/processed", "figures", "reports")}
    mtimes = {p: p.stat().st_mtime_ns for p in (root / "out" / "reports").rglob("*.html")}
    b = rebuild(root)
    assert b.ran == [] and sorted(b.reused) == sorted(ALL)
    assert {s: hashes(root, s) for s in ("data/processed", "figures", "reports")} == before
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes


@pytest.mark.slow
def test_touching_a_raw_file_without_changing_it_runs_nothing(project):
    root, _ = project
    path = root / "raw" / "tech_exchange_figures.csv"
    os.utime(path, (path.stat().st_atime + 100, path.stat().st_mtime + 100))
    assert rebuild(root).ran == []


@pytest.mark.slow
def test_editing_the_text_runs_only_the_narrative_and_its_rendering(project):
    root, _ = project
    processed = hashes(root, "data/processed")
    appendix = (root / "out" / "reports" / TAG / "appendix-analysis.html").read_bytes()
    text = root / "notebooks" / "04_narrative.md"
    text.write_text(text.read_text().replace("## In short", "## In brief"))
    b = rebuild(root)
    assert sorted(b.ran) == sorted([f"04_narrative_{TAG}", f"html_{TAG}"])
    assert hashes(root, "data/processed") == processed  # the reused stages' outputs, byte for byte
    assert (root / "out" / "reports" / TAG / "appendix-analysis.html").read_bytes() == appendix
    assert "In brief" in (root / "out" / "reports" / TAG / "report.html").read_text()


@pytest.mark.slow
def test_changing_a_parameter_makes_another_report_and_keeps_the_first(project):
    root, _ = project
    first = hashes(root, f"reports/{TAG}")
    b = rebuild(root, top_n=5)
    assert sorted(b.ran) == sorted(j.replace(TAG, TAG + "_top5") for j in PER_YEAR)
    assert hashes(root, f"reports/{TAG}") == first  # --top-n 5 never overwrites the top-6 report
    assert (root / "out" / "reports" / f"{TAG}_top5" / "report.html").exists()
    assert rebuild(root, top_n=5).ran == []


@pytest.mark.slow
def test_a_removed_or_edited_cached_file_is_made_again(project):
    root, _ = project
    objects = sorted(p for p in (root / "out" / "build" / "cache" / "objects").rglob("*") if p.is_file())
    for obj in objects:  # tamper with every cached file: nothing may be reused unverified
        obj.write_bytes(obj.read_bytes() + b"tampered")
    b = rebuild(root)
    assert sorted(b.ran) == sorted(ALL)
    assert "tampered" not in (root / "out" / "reports" / TAG / "report.html").read_text()
    kept = sorted(p for p in (root / "out" / "build" / "cache" / "objects").rglob("*") if p.is_file())
    assert kept and all(hashlib.sha256(p.read_bytes()).hexdigest() == p.name for p in kept)  # each one replaced
    assert rebuild(root).ran == []


@pytest.mark.slow
def test_an_edited_published_report_is_replaced_on_the_next_build(project):
    root, _ = project
    page = root / "out" / "reports" / TAG / "report.html"
    good = page.read_bytes()
    page.write_text("<p>edited by hand</p>")
    b = rebuild(root)
    assert b.ran == [] and page.read_bytes() == good  # restored from the verified cache


@pytest.mark.slow
def test_changing_a_raw_file_runs_everything_downstream(project):
    root, _ = project
    path = root / "raw" / "wdi_russia_2021-09-15.csv"
    path.write_text(path.read_text().replace("1163920000", "1163920001"))
    assert sorted(rebuild(root).ran) == sorted(ALL)


@pytest.mark.slow
def test_force_runs_everything_and_replaces_a_corrupt_cached_file(project):
    root, _ = project
    obj = next((root / "out" / "build" / "cache" / "objects" / "03_analysis.verdicts").iterdir())
    good = obj.read_bytes()
    obj.write_bytes(b"corrupt")
    assert sorted(rebuild(root, force=True).ran) == sorted(ALL)
    assert obj.read_bytes() == good


@pytest.mark.slow
def test_html_only_keeps_a_pdf_already_there(project):
    root, _ = project
    rebuild(root, formats=("pdf",))
    pdf = root / "out" / "reports" / TAG / "report.pdf"
    assert pdf.exists()
    rebuild(root, formats=("html",))
    assert pdf.exists()
    manifest = json.loads((root / "out" / "reports" / TAG / "manifest.json").read_text())
    assert {"report.html", "report.pdf", "appendix-analysis.html", "verdicts.csv"} <= set(manifest["files"])
    assert manifest["files"]["report.pdf"]["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert "report.pdf" in (root / "out" / "reports" / "index.html").read_text()


@pytest.mark.slow
def test_a_raw_file_edited_during_a_build_never_mixes_into_its_report(project, monkeypatch):
    """The build reads the copies it made at its start: an edit meanwhile is not in this report, and
    the next build (edit kept or reverted) gets exactly what it reads."""
    from techtrade.build import runner
    root, _ = project
    path = root / "raw" / "wdi_russia_2021-09-15.csv"
    good = path.read_text()
    staged = runner._Run.stage_inputs

    def then_edit(self):
        staged(self)
        path.write_text(good.replace("1163920000", "2163920000"))  # an analyst saves an edit now

    monkeypatch.setattr(runner._Run, "stage_inputs", then_edit)
    first = rebuild(root, force=True)
    assert "intellectual property grew 1.33\u00d7" in (root / "out" / "reports" / TAG / "report.html").read_text()
    monkeypatch.undo()
    assert "01_ingest" in rebuild(root).ran  # the edited file is new input
    assert "intellectual property grew 2.47\u00d7" in (root / "out" / "reports" / TAG / "report.html").read_text()
    path.write_text(good)
    assert rebuild(root).ran == []  # reverted: the first build's records, verified, are reused
    assert "intellectual property grew 1.33\u00d7" in (root / "out" / "reports" / TAG / "report.html").read_text()
    assert sorted(first.ran) == sorted(ALL)


@pytest.mark.slow
def test_a_hand_edited_executed_notebook_never_reaches_the_report(project):
    root, _ = project
    executed = root / "out" / "reports" / TAG / "executed" / "04_narrative.ipynb"
    good = executed.read_bytes()
    executed.write_text(executed.read_text().replace("In short", "In short (edited by hand)"))
    b = rebuild(root, formats=("html", "pdf"))
    assert executed.read_bytes() == good and "pdf_" + TAG in b.ran
    assert "edited by hand" not in (root / "out" / "reports" / TAG / "report.html").read_text()


@pytest.mark.slow
def test_the_same_series_under_another_name_is_restored_under_this_reports_names(project, tmp_path):
    """A series built with --data, then copied to data/raw/user/tech_exchange_series.csv (as the README
    suggests): nothing runs again; every output is restored under the names of the new report."""
    root, _ = project
    series = tmp_path / "my_series.csv"
    series.write_text("year,flow,partner,category,value_usd_mn,source\n2020,exports,World,all,4600,Rosstat (test)\n")
    first = rebuild(root, user_data=series)
    (root / "raw" / "user").mkdir()
    shutil.copyfile(series, root / "raw" / "user" / "tech_exchange_series.csv")
    b = rebuild(root, user_data="auto")
    tag = f"{TAG}_with-tech-exchange-series"
    assert b.ran == [] and sorted(b.reused) == sorted(j.replace(TAG, tag) for j in ALL)
    assert sorted(first.ran) == sorted(j.replace(TAG, f"{TAG}_with-my-series") for j in ALL)
    report, before = root / "out" / "reports" / tag, root / "out" / "reports" / f"{TAG}_with-my-series"
    for name in ("verdicts.csv", "numbers.csv", "report.html", "executed/04_narrative.ipynb"):
        assert (report / name).read_bytes() == (before / name).read_bytes(), name
    processed = root / "out" / "data" / "processed"
    assert json.loads((processed / "00_series.json").read_text()) == {"variant": "with-tech-exchange-series"}
    assert (processed / f"03_results_{tag}.json").exists() and (root / "out" / "figures" / tag).is_dir()


def test_package_versions_in_the_key_are_the_installed_ones(tmp_path, monkeypatch):
    from importlib import metadata

    from techtrade.build import cache
    assert {n: v for n, v in cache.versions().items() if n != "python"} == \
        {n: metadata.version(n) for n in cache.SHAPING}
    (tmp_path / "Made_Up.Pkg-1.2.3.dist-info").mkdir()  # read from the folder's name, spelled as pip spells it
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cache, "SHAPING", ("made-up-pkg", "surely-not-installed-pkg"))
    assert cache.versions() == {"python": cache.platform.python_version(), "made-up-pkg": "1.2.3",
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
