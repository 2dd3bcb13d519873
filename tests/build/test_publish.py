"""Publishing, without kernels: builds whose stages have "run" (every file they would publish, made by the
test, each holding a mark naming the build) are put in place in orders chosen by the test. What is
published comes from one build, decided under the lock; a kill half way is completed; nothing is
rewritten for nothing; the manifest lists every file. (Waiting for the lock: test_robustness.py.)"""
import hashlib
import json
import os
import signal

import pytest

from techtrade.build import publish, runner, stages

TAG = "2020-vs-2018"
DEAD_PID = 999_999_999  # above any pid_max: no such process


def finished(out, mark, started, formats=("html",), pid=None, extra=()):
    """A build of the 2020 report (started at ``started``) whose every job is done: its working folder
    holds what it would publish, each file naming ``mark``. ``extra``: more files in its report folder."""
    notes = []
    b = runner.make_build([2020], 2018, out, formats=formats, user_data="none", log=lambda *a: None,
                          note=notes.append)
    r = runner._Run(b)
    r.started, r.notes_said = started, notes
    if pid is not None:
        r.ws = r.ws.with_name(f"{pid}-test")
    report = r.ws / "reports" / TAG

    def write(path, text=mark):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{path.name}: {text}")

    for s in stages.SHARED:
        write(r.ws / r.executed(s, None))
    for s in stages.PER_YEAR:
        write(report / "executed" / f"{s.name}.ipynb")
    for name in [n for f in formats for n in publish.RENDERINGS[f]] + list(extra):
        write(report / name)
    analysis = {role: r.ws / stages.resolve(p, TAG) for role, p in stages.BY_NAME["03_analysis"].writes.items()}
    write(analysis["verdicts"])
    write(analysis["numbers"])
    analysis["results"].write_text(json.dumps({"report": {"report_year": 2020, "base_year": 2018},
                                               "verdicts": [{"verdict": mark}]}))
    write(analysis["figures"] / "exports-wide.svg")
    write(r.ws / "data" / "processed" / "01_figures.csv")
    r.keys[f"04_narrative_{TAG}"] = f"content of {mark}"
    return r


def published(out):
    report = out / "reports" / TAG
    return report, {p.relative_to(report).as_posix(): p for p in sorted(report.rglob("*")) if p.is_file()}


def assert_from_one_build(out, mark):
    """Every published file of the report (its figures, the processed files) names ``mark``; the manifest
    lists each file of the report folder, by its hash."""
    report, files = published(out)
    manifest = json.loads(files.pop("manifest.json").read_text())
    assert sorted(manifest["files"]) == sorted(files)
    assert json.loads(files.pop("datapackage.json").read_text())["resources"][0]["path"] == "verdicts.csv"
    for name, path in files.items():  # (the data package describes the files; it is the same for every build)
        text = path.read_text()
        assert mark in text, (name, text)
        assert manifest["files"][name]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), name
    assert json.loads(files["verdicts.json"].read_text())["verdicts"] == [{"verdict": mark}]
    for other in (out / "figures" / TAG / "exports-wide.svg", out / "data" / "processed" / "01_figures.csv"):
        assert mark in other.read_text()


def test_a_build_that_finds_a_report_of_a_newer_build_stands_down_and_says_so(tmp_path):
    older, newer = finished(tmp_path, "older", 1.0), finished(tmp_path, "newer", 2.0)
    assert sorted(publish.publish(newer)[TAG]) == ["appendix-analysis.html", "report.html"]
    assert publish.publish(older) == {}  # it got the lock last: it lays nothing over the newer report
    assert older.notes_said == [f"reports/{TAG} not published: a build started after this one (pid {os.getpid()}) "
                                "has published it from other inputs"]
    assert_from_one_build(tmp_path, "newer")


def test_standing_down_for_a_report_of_the_same_inputs_says_nothing(tmp_path):
    publish.publish(finished(tmp_path, "same", 2.0))
    older = finished(tmp_path, "same", 1.0)
    assert publish.publish(older) == {} and older.notes_said == []


def test_a_newer_build_puts_its_complete_report_over_an_older_one(tmp_path):
    publish.publish(finished(tmp_path, "older", 1.0, extra=["datapackage.json"]))
    publish.publish(finished(tmp_path, "newer", 2.0))
    assert_from_one_build(tmp_path, "newer")  # the older build's extra file is gone with the rest


def test_the_manifest_keeps_a_pdf_not_built_again_only_while_it_is_intact(tmp_path):
    publish.publish(finished(tmp_path, "first", 1.0, formats=("html", "pdf")))
    publish.publish(finished(tmp_path, "second", 2.0, formats=("html",)))
    report, files = published(tmp_path)
    manifest = json.loads(files["manifest.json"].read_text())["files"]
    assert files["report.pdf"].read_text() == "report.pdf: first"  # --format html keeps the PDF there ...
    assert manifest["report.pdf"]["content"] == "content of first"  # ... and its entry, naming its build
    assert manifest["report.html"]["content"] == "content of second"
    assert manifest["report.pdf"]["sha256"] == hashlib.sha256(files["report.pdf"].read_bytes()).hexdigest()
    files["report.pdf"].write_text("edited by hand")
    publish.publish(finished(tmp_path, "third", 3.0, formats=("html",)))
    assert not (report / "report.pdf").exists()  # a file the manifest cannot vouch for is not carried over
    assert "report.pdf" not in json.loads((report / "manifest.json").read_text())["files"]


def test_publishing_the_same_files_again_rewrites_nothing(tmp_path):
    publish.publish(finished(tmp_path, "same", 1.0))
    files = [p for p in tmp_path.rglob("*") if p.is_file() and "build" not in p.relative_to(tmp_path).parts]
    before = {p: p.stat().st_mtime_ns for p in files}
    publish.publish(finished(tmp_path, "same", 2.0))
    assert {p: p.stat().st_mtime_ns for p in files} == before


class Killed(BaseException):
    pass


def test_a_build_killed_half_way_through_its_swaps_is_completed_by_the_next(tmp_path, monkeypatch):
    publish.publish(finished(tmp_path, "old", 1.0))
    killed = finished(tmp_path, "new", 2.0, pid=DEAD_PID)

    def kill_between_the_two_renames(plan, aside):
        src, dst = plan[0]
        aside.mkdir(parents=True)
        os.rename(dst, aside / "0")  # the published folder is moved aside ...
        raise Killed                 # ... and the build dies before its own is moved in

    monkeypatch.setattr(publish, "alive", lambda pid: True)  # while it runs, its process is alive
    monkeypatch.setattr(publish, "_swap", kill_between_the_two_renames)
    with pytest.raises(Killed):
        publish.publish(killed)
    monkeypatch.undo()
    assert not (tmp_path / "data" / "processed").exists()
    with publish.locked(tmp_path):  # the next build to take the lock
        pass
    assert_from_one_build(tmp_path, "new")
    assert not killed.ws.exists()


def test_a_signal_while_publishing_is_acted_on_after_it_and_says_so(tmp_path, monkeypatch):
    index = publish.write_index

    def signalled(reports):
        os.kill(os.getpid(), signal.SIGTERM)
        return index(reports)

    monkeypatch.setattr(publish, "write_index", signalled)
    with pytest.raises(publish.Interrupted) as exc:
        publish.publish(finished(tmp_path, "new", 1.0))
    assert exc.value.published is True and exc.value.signum == signal.SIGTERM
    assert_from_one_build(tmp_path, "new")  # every file was put in place first


def test_a_folders_readme_survives_publishing(tmp_path):
    """data/processed/ is swapped whole; the project's README of it is kept (a build into the project
    folder used to delete the tracked data/processed/README.md)."""
    readme = tmp_path / "data" / "processed" / "README.md"
    readme.parent.mkdir(parents=True)
    readme.write_text("what this folder holds")
    publish.publish(finished(tmp_path, "one", 1.0))
    assert readme.read_text() == "what this folder holds"
    assert "one" in (tmp_path / "data" / "processed" / "01_figures.csv").read_text()
