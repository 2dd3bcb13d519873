"""Publishing, without kernels: builds whose stages have "run" (every file they would publish, made by the
test, each holding a mark naming the build) are put in place in orders chosen by the test. What is
published comes from one build, decided under the lock; a kill half way is completed; nothing is
rewritten for nothing; the manifest lists every file. (Waiting for the lock: test_robustness.py.)"""
import hashlib
import json
import os
import signal
import uuid

import pytest

from techtrade.build import publish, stages

TAG = "2020-vs-2018"
DEAD_PID = 999_999_999  # above any pid_max: no such process


def finished(out, mark, started, formats=("html",), pid=None, extra=()):
    """The plan of a build of the 2020 report (started at ``started``) whose every job is done: its working
    folder holds what it would publish, each file naming ``mark``. ``extra``: more files in its report."""
    ws = out / publish.TMP / f"{pid or os.getpid()}-{uuid.uuid4().hex[:8]}"
    report = ws / "reports" / TAG
    for name in [f"executed/{s.name}.ipynb" for s in stages.STAGES] + ["verdicts.csv", "numbers.csv"] + \
            publish.renderings(formats) + list(extra):
        write(report / name, mark)
    write(report / "verdicts.json", json.dumps({"verdicts": [{"verdict": mark}]}))
    write(ws / "figures" / TAG / "exports-wide.svg", mark)
    write(ws / "data" / "processed" / "01_figures.csv", mark)
    return publish.Plan(out, ws, started, TAG, formats, [publish.Report(TAG, f"content of {mark}", {"title": "t"})])


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def publish_(plan):
    """Publish ``plan``: the renderings published, and the notes said."""
    notes = []
    return publish.publish(plan, log=lambda *a: None, note=notes.append), notes


def published(out):
    report = out / "reports" / TAG
    return report, {p.relative_to(report).as_posix(): p for p in sorted(report.rglob("*")) if p.is_file()}


def assert_from_one_build(out, mark):
    """Every published file of the report (its figures, the processed files) names ``mark``; the manifest
    lists each file of the report folder, by its hash."""
    report, files = published(out)
    manifest = json.loads(files.pop("manifest.json").read_text())
    assert sorted(manifest["files"]) == sorted(files) and manifest["title"] == "t"
    assert {entry["content"] for entry in manifest["files"].values()} == {f"content of {mark}"}
    for name, path in files.items():
        text = path.read_text()
        assert mark in text, (name, text)
        assert manifest["files"][name]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), name
    assert json.loads(files["verdicts.json"].read_text())["verdicts"] == [{"verdict": mark}]
    for other in (out / "figures" / TAG / "exports-wide.svg", out / "data" / "processed" / "01_figures.csv"):
        assert mark in other.read_text()


def test_a_build_that_finds_a_report_of_a_newer_build_stands_down_and_says_so(tmp_path):
    older, newer = finished(tmp_path, "older", 1.0), finished(tmp_path, "newer", 2.0)
    assert sorted(publish_(newer)[0][TAG]) == ["appendix-analysis.html", "report.html"]
    assert publish_(older) == ({}, [f"reports/{TAG} not published: a build started after this one (pid {os.getpid()})"
                                    " has published it from other inputs"])  # it lays nothing over the newer report
    assert_from_one_build(tmp_path, "newer")


def test_standing_down_for_a_report_of_the_same_inputs_says_nothing(tmp_path):
    publish_(finished(tmp_path, "same", 2.0))
    assert publish_(finished(tmp_path, "same", 1.0)) == ({}, [])


def test_a_newer_build_puts_its_complete_report_over_an_older_one(tmp_path):
    publish_(finished(tmp_path, "older", 1.0, extra=["datapackage.json"]))
    publish_(finished(tmp_path, "newer", 2.0))
    assert_from_one_build(tmp_path, "newer")  # the older build's extra file is gone with the rest


def test_the_manifest_keeps_a_pdf_not_built_again_only_while_it_is_intact(tmp_path):
    publish_(finished(tmp_path, "first", 1.0, formats=("html", "pdf")))
    publish_(finished(tmp_path, "second", 2.0, formats=("html",)))
    report, files = published(tmp_path)
    manifest = json.loads(files["manifest.json"].read_text())["files"]
    assert files["report.pdf"].read_text() == "first"  # --format html keeps the PDF there ...
    assert manifest["report.pdf"]["content"] == "content of first"  # ... and its entry, naming its build
    assert manifest["report.html"]["content"] == "content of second"
    assert manifest["report.pdf"]["sha256"] == hashlib.sha256(files["report.pdf"].read_bytes()).hexdigest()
    files["report.pdf"].write_text("edited by hand")
    publish_(finished(tmp_path, "third", 3.0, formats=("html",)))
    assert not (report / "report.pdf").exists()  # a file the manifest cannot vouch for is not carried over
    assert "report.pdf" not in json.loads((report / "manifest.json").read_text())["files"]


def test_publishing_the_same_files_again_rewrites_nothing(tmp_path):
    publish_(finished(tmp_path, "same", 1.0))
    files = [p for p in tmp_path.rglob("*") if p.is_file() and "build" not in p.relative_to(tmp_path).parts]
    before = {p: p.stat().st_mtime_ns for p in files}
    publish_(finished(tmp_path, "same", 2.0))
    assert {p: p.stat().st_mtime_ns for p in files} == before


class Killed(BaseException):
    pass


def test_a_build_killed_half_way_through_its_swaps_is_completed_by_the_next(tmp_path, monkeypatch):
    publish_(finished(tmp_path, "old", 1.0))
    killed = finished(tmp_path, "new", 2.0, pid=DEAD_PID)

    def kill_between_the_two_renames(plan, aside):
        src, dst = plan[0]
        aside.mkdir(parents=True)
        os.rename(dst, aside / "0")  # the published folder is moved aside ...
        raise Killed                 # ... and the build dies before its own is moved in

    monkeypatch.setattr(publish, "alive", lambda pid: True)  # while it runs, its process is alive
    monkeypatch.setattr(publish, "_swap", kill_between_the_two_renames)
    with pytest.raises(Killed):
        publish_(killed)
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
    with pytest.raises(KeyboardInterrupt) as exc:
        publish_(finished(tmp_path, "new", 1.0))
    assert exc.value.published is True and exc.value.args == (signal.SIGTERM,)
    assert_from_one_build(tmp_path, "new")  # every file was put in place first


def test_a_folders_readme_survives_publishing(tmp_path):
    """data/processed/ is swapped whole; the project's README of it is kept (a build into the project
    folder used to delete the tracked data/processed/README.md)."""
    readme = tmp_path / "data" / "processed" / "README.md"
    readme.parent.mkdir(parents=True)
    readme.write_text("what this folder holds")
    publish_(finished(tmp_path, "one", 1.0))
    assert readme.read_text() == "what this folder holds"
    assert "one" in (tmp_path / "data" / "processed" / "01_figures.csv").read_text()


def test_a_file_made_again_with_the_same_bytes_keeps_its_date_and_names_the_newer_content(tmp_path, monkeypatch):
    """Two builds from other inputs with one file alike: its manifest entry keeps its date, but names what
    the newer report was made from, as every other entry does (it once kept the older build's)."""
    plans = [finished(tmp_path, mark, started) for mark, started in (("first", 1.0), ("second", 2.0))]
    for plan, when in zip(plans, ("2030-01-01T00:00:00+00:00", "2031-01-01T00:00:00+00:00")):
        write(plan.ws / "reports" / TAG / "datapackage.json", "the same in both")
        monkeypatch.setattr(publish, "now", lambda when=when: when)
        publish_(plan)
    files = json.loads((tmp_path / "reports" / TAG / "manifest.json").read_text())["files"]
    assert files["datapackage.json"]["built"] == "2030-01-01T00:00:00+00:00"
    assert files["report.html"]["built"] == "2031-01-01T00:00:00+00:00"
    assert {entry["content"] for entry in files.values()} == {"content of second"}
