"""Interruptions, failures and untrusted input: the last good report survives, nothing is left behind (only
what a test's own build started is looked at), and text from data files is shown as text. What a kernel does
is tested on small notebooks of the test's own; what the build does about it, on fake stages (fake.py);
and a few whole builds, in processes of their own, show them together."""
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from techtrade.build import kernels, publish, runner, stages
from techtrade.report import narrative

from . import fake
from .conftest import fake_build

RUN = [sys.executable, "-u", str(stages.ROOT / "run_report.py")]
TAG = "2020-vs-2018"


def snapshot(out):
    """The published outputs (not build/, where the cache and the working folders live)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.relative_to(out).parts[0] != "build"}


def children(pid: int) -> set[int]:
    """The processes ``pid`` started (its kernels), from its own entries in /proc."""
    return {int(c) for f in Path(f"/proc/{pid}/task").glob("*/children") for c in f.read_text().split()}


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def signals_as_usual():
    """In a build started by a test: Ctrl-C, SIGTERM and SIGHUP as in a terminal, whatever this process
    inherited (pytest started as a background job ignores SIGINT, and so would its children)."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def kernel_dirs(pid: int) -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"techtrade-{pid}-*"))


def fake_run_report(*args, **env):
    """run_report.py with the fake stages (fake.py), in a process of its own."""
    return subprocess.Popen([sys.executable, "-u", "-m", "tests.build.fake", *map(str, args)], cwd=stages.ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env},
                            preexec_fn=signals_as_usual)


def interrupt_after(p, needle, sig):
    """Send ``sig`` to the build ``p`` once it prints ``needle``: its exit code, stderr, the kernels it had
    started, and the seconds it took to end."""
    kernels = set()
    for line in p.stdout:
        kernels |= children(p.pid)
        if re.search(needle, line):
            t0 = time.monotonic()
            p.send_signal(sig)
            break
    else:
        pytest.fail(f"the build ended before printing {needle!r}")
    code = p.wait(timeout=60)
    return code, p.stderr.read(), kernels, time.monotonic() - t0


# -- a kernel, on a notebook of the test's own ----------------------------------------------------------------
def run_notebook(tmp_path, *cells, timeout=None):
    """Run a notebook of ``cells`` (after a parameters cell) in a fresh kernel: the StageFailed it ends in."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                                         *map(nbformat.v4.new_code_cell, cells)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(tmp_path / "n.ipynb"))
    k, failure = kernels.Kernels(timeout), None
    try:
        k.run("n", "n", tmp_path / "n.ipynb", tmp_path / "executed.ipynb", {"x": 2}, cwd=tmp_path)
    except kernels.StageFailed as exc:
        failure = exc
    finally:
        k.close()
    assert not k.dir.exists()  # nothing left behind
    return failure


@pytest.mark.slow
@pytest.mark.parametrize("code,timeout,failure", [
    ("import os\nos._exit(0)", None, "kernel died: exit code 0"),
    ("while True:\n    pass", 1, "time limit: still running after 1 s; --timeout allows more"),
    ("import sys\nsys.exit(0)", None, "stopped early: SystemExit: 0; the cells after it did not run"),
    ("class DataError(Exception): pass\nraise DataError('line 2 is wrong')", None, "DataError: line 2 is wrong"),
], ids=["kernel-exits", "endless-loop", "exits-early", "raises"])
def test_a_run_that_fails_names_the_notebook_and_the_cell(tmp_path, code, timeout, failure):
    """Counted as in the notebook: the cells papermill adds are not (here, cell 2 of 3 is the failing one)."""
    t0 = time.monotonic()
    assert str(run_notebook(tmp_path, "y = 2", code, "z = 3", timeout=timeout)) == f"n failed in cell 3 of 4 ({failure})"
    assert time.monotonic() - t0 < 15


@pytest.mark.slow
def test_running_a_notebook_never_changes_the_process_working_folder(tmp_path, monkeypatch):
    """Stages run in threads: a process-wide chdir from one of them (papermill's cwd=) could leave the process
    in a build's working folder, deleted when that build ends."""
    start, calls, real = Path.cwd(), [], os.chdir
    monkeypatch.setattr(os, "chdir", lambda p: (calls.append(Path(p)), real(p)))
    assert run_notebook(tmp_path, "import os\nopen('here.txt', 'w').write(os.getcwd())") is None
    assert [p for p in calls if p != start] == [] and Path.cwd() == start  # (papermill's file handler "changes" to here)
    assert (tmp_path / "here.txt").read_text() == str(tmp_path.resolve())  # the notebook ran in its folder


@pytest.mark.slow
def test_no_warning_becomes_a_traceback_under_pythonwarnings_error(tmp_path, fake_project):
    """PYTHONWARNINGS=error once printed 4 tracebacks per notebook run (unclosed sockets of kernel clients)."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(tmp_path / "n.ipynb"))
    code = ("from pathlib import Path; from techtrade.build.kernels import Kernels; k = Kernels(); "
            f"k.run('n', 'n', Path({str(tmp_path / 'n.ipynb')!r}), Path({str(tmp_path / 'e.ipynb')!r}), {{}}, "
            f"Path({str(tmp_path)!r})); k.close()")
    r = subprocess.run([sys.executable, "-c", code], cwd=stages.ROOT, capture_output=True, text=True,
                       env={**os.environ, "PYTHONWARNINGS": "error"})
    assert (r.returncode, r.stderr) == (0, "")
    p = fake_run_report("--output-dir", fake_project / "out", "--data", "none", "--quiet", PYTHONWARNINGS="error")
    assert (p.wait(timeout=60), p.stderr.read()) == (0, "")  # and the build around the kernels


# -- the build about a failure, on fake stages -----------------------------------------------------------------
def failing(self, stage, job, notebook, executed, parameters, cwd):
    """A stage whose third cell fails, its executed notebook written."""
    Path(executed).write_text(json.dumps({"failed": stage}))
    raise kernels.StageFailed(stage, "KeyError", "'no such table'", "cell 3 of 8")


def test_a_failing_cell_says_where_keeps_its_notebook_until_a_build_succeeds_and_publishes_nothing(fake_project,
                                                                                                  monkeypatch):
    fake_build(fake_project)
    out, before = fake_project / "out", snapshot(fake_project / "out")
    (fake_project / "notebooks" / "01_ingest.ipynb").write_text((fake_project / "notebooks" / "01_ingest.ipynb")
                                                                .read_text() + " ")  # 01 must run again
    monkeypatch.setattr(kernels.Kernels, "run", failing)
    with pytest.raises(runner.BuildError) as exc:
        fake_build(fake_project)
    kept = out / "build" / "failed" / "shared" / "01_ingest.ipynb"
    assert str(exc.value) == f"01_ingest failed in cell 3 of 8 (KeyError: 'no such table'); executed notebook kept at {kept}"
    assert json.loads(kept.read_text()) == {"failed": "01_ingest"} and snapshot(out) == before
    assert list((out / "build" / "tmp").iterdir()) == []
    monkeypatch.setattr(kernels.Kernels, "run", fake.run)
    fake_build(fake_project)
    assert not (out / "build" / "failed").exists()  # only while the last build failed


def test_a_full_disk_while_keeping_a_failed_notebook_still_reports_the_failure(fake_project, monkeypatch):
    real = shutil.copyfile

    def full(src, dst, *a, **kw):
        if "failed" in Path(dst).parts:
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(kernels.Kernels, "run", failing)
    monkeypatch.setattr(shutil, "copyfile", full)
    with pytest.raises(runner.BuildError) as exc:
        fake_build(fake_project)
    assert str(exc.value) == ("01_ingest failed in cell 3 of 8 (KeyError: 'no such table'); the executed notebook "
                              "could not be kept (No space left on device)")


def test_a_full_disk_while_staging_is_one_line_and_exit_1(fake_project, monkeypatch, capsys):
    import run_report
    fake_build(fake_project)
    out = fake_project / "out"
    before = snapshot(out)

    def full(src, dst, *a, **kw):
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(shutil, "copyfile", full)
    code = run_report.main(["--output-dir", str(out), "--data", "none", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("run_report.py: build failed: No space left on device (")
    assert err.endswith("; the previous outputs are untouched\n") and snapshot(out) == before


def test_ctrl_c_at_start_up_is_one_line(tmp_path):
    p = subprocess.Popen(RUN + ["--output-dir", str(tmp_path / "out"), "--data", "none"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, preexec_fn=signals_as_usual)
    time.sleep(0.1)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130 and err.count("\n") == 1 and err.startswith("run_report.py: interrupted"), err


def test_signals_are_held_back_while_publishing():
    moved = []
    with publish.signals_held() as got:
        os.kill(os.getpid(), signal.SIGTERM)
        moved.append("every file")  # the block runs to its end
    assert moved == ["every file"] and got == [signal.SIGTERM]


def test_kernel_sockets_fall_back_to_tcp_when_the_temp_path_is_too_long(tmp_path, monkeypatch):
    long = tmp_path / ("d" * 120)
    long.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(long))
    k = kernels.Kernels()
    try:
        km = k.manager()
        assert km.transport == "tcp" and Path(km.connection_file).parent == k.dir
        short_dir = tempfile.mkdtemp(prefix="tt", dir="/tmp")  # short whatever the user's name or pytest's folder
        monkeypatch.setattr(tempfile, "tempdir", short_dir)
        short = kernels.Kernels()
        assert short.manager().transport == "ipc"
        short.close()
        os.rmdir(short_dir)
    finally:
        k.close()
    assert not k.dir.exists()


def test_a_figure_name_cannot_lead_outside_the_figures_folder(tmp_path):
    from techtrade.errors import DataError
    (tmp_path / "figs").mkdir()
    with pytest.raises(DataError, match="not an image file inside"):
        narrative._inside(tmp_path / "figs", "../../etc/passwd")
    assert narrative._inside(tmp_path / "figs", "a.svg") == (tmp_path / "figs" / "a.svg").resolve()


# -- builds in processes of their own ---------------------------------------------------------------------------
@pytest.mark.slow
def test_ctrl_c_while_rendering_the_pdf_keeps_the_previous_report(fake_project):
    fake_build(fake_project)
    out = fake_project / "out"
    before = snapshot(out)
    p = fake_run_report("--output-dir", out, "--data", "none", "--force", FAKE_PDF_SECONDS="2")
    code, err, _, _ = interrupt_after(p, "rendering the PDF", signal.SIGINT)
    assert (code, err) == (130, "run_report.py: interrupted (SIGINT); the previous outputs are untouched\n")
    assert snapshot(out) == before and list((out / "build" / "tmp").iterdir()) == [] and kernel_dirs(p.pid) == []


@pytest.mark.slow
def test_a_file_name_that_is_not_utf8_under_a_c_locale_is_one_line_and_nothing_is_published(fake_project):
    name = os.fsencode(fake_project) + b"/s\xff.csv"
    with open(name, "w") as f:
        f.write("year,flow,partner,category,value_usd_mn,source\n2020,exports,World,all,abc,x\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONIOENCODING"}
    r = subprocess.run([os.fsencode(sys.executable), b"-m", b"tests.build.fake", b"--data", name, b"--output-dir",
                        os.fsencode(fake_project / "out")], cwd=stages.ROOT, capture_output=True,
                       env={**env, "LC_ALL": "C", "LANG": "C"})
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert err.endswith("\\udcff.csv, line 2, column 'value_usd_mn': 'abc' is not a plain number\n"), err
    assert not (fake_project / "out" / "reports").exists()


@pytest.mark.slow
def test_a_killed_build_leaves_debris_that_the_next_build_removes(project):
    out = project / "out"
    before = snapshot(out)
    p = subprocess.Popen(RUN + ["--output-dir", str(out), "--data", "none", "--force"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, preexec_fn=signals_as_usual)
    code, _, kernels_started, _ = interrupt_after(p, "01_ingest: ran", signal.SIGKILL)
    assert code == -signal.SIGKILL and snapshot(out) == before
    assert list((out / "build" / "tmp").iterdir()) and kernel_dirs(p.pid)  # it could not clean up after itself
    time.sleep(1)  # its kernels notice their parent is gone and stop
    subprocess.run(RUN + ["--output-dir", str(out), "--data", "none", "--quiet"], check=True)
    assert list((out / "build" / "tmp").iterdir()) == [] and kernel_dirs(p.pid) == []
    assert kernels_started and [k for k in kernels_started if alive(k)] == []


DRIVER = """import sys
import run_report
from techtrade.build import runner
make = runner.make_build
runner.make_build = lambda *a, **kw: make(*a, notebooks_dir=sys.argv[1], progress=0.5, **kw)
sys.exit(run_report.main(sys.argv[2:]))
"""  # run_report.py with other notebooks, and progress every half second


@pytest.mark.slow
def test_a_signal_ends_the_build_within_5_s_whatever_the_kernel_does(tmp_path, built_2020):
    """02_clean's kernel ignores SIGINT and SIGTERM in an endless loop: each build (one per signal, at once)
    says where it is, and once signalled ends within 5 s, with exit code 128 + the signal (130 for Ctrl-C,
    143 for SIGTERM, 129 for SIGHUP), nothing published, no kernel left (its own, nor those started ahead)."""
    import nbformat

    nb = tmp_path / "notebooks"
    shutil.copytree(stages.ROOT / "notebooks", nb)
    clean = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("inputs = outputs = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import signal\nfor s in (signal.SIGINT, signal.SIGTERM):\n"
                                  "    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass")])
    clean.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(clean, str(nb / "02_clean.ipynb"))
    builds = {}
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        out = tmp_path / sig.name
        shutil.copytree(built_2020[0], out)  # 01 is reused; 02 runs
        builds[sig] = out, snapshot(out), subprocess.Popen(
            [sys.executable, "-u", "-c", DRIVER, str(nb), "--output-dir", str(out), "--data", "none", "--format", "html"],
            cwd=stages.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=signals_as_usual)
    for sig, (out, before, p) in builds.items():
        code, err, started, seconds = interrupt_after(p, r"^  02_clean: cell 2 of 2, \d+ s so far$", sig)
        assert seconds < 5 and code == 128 + sig
        assert err == f"run_report.py: interrupted ({sig.name}); the previous outputs are untouched\n"
        assert snapshot(out) == before and list((out / "build" / "tmp").iterdir()) == []
        assert started and [k for k in started if alive(k)] == [] and kernel_dirs(p.pid) == []


@pytest.mark.slow
def test_two_builds_of_one_report_lined_up_at_the_lock_publish_it_all_from_one(fake_project, tmp_path):
    """Two series named alike make the same report, from other inputs. The test holds the lock; the second
    build starts once the first has begun (made its working folder); both wait, saying for whom; the lock
    is released. Every file of the report is the newer build's, as it alone would have made it."""
    import fcntl
    out = fake_project / "out"
    (out / "build" / "tmp").mkdir(parents=True)
    lock = open(out / publish.LOCK, "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    lock.write(json.dumps({"pid": os.getpid(), "what": "a test"}))  # the lock's file names its holder
    lock.flush()
    waiting = f"waiting for another build (pid {os.getpid()}, building a test) to finish publishing into {out}\n"
    builds, series = {}, {}
    try:
        for name, exports in (("older", 4600), ("newer", 4000)):
            series[name] = tmp_path / name / "series.csv"
            series[name].parent.mkdir()
            series[name].write_text(f"year,flow,partner,category,value_usd_mn,source\n2020,exports,World,all,{exports},x\n")
            builds[name] = p = fake_run_report("--output-dir", out, "--data", series[name], "--format", "html")
            while not list((out / "build" / "tmp").iterdir()) and p.poll() is None:  # until it has begun
                time.sleep(0.05)
        for p in builds.values():
            said = []
            for line in iter(p.stdout.readline, ""):
                said.append(line)
                if line == waiting:
                    break
            assert said[-1:] == [waiting], (said, p.wait(), p.stderr.read())
    finally:
        lock.close()
    ended = {name: (p.wait(timeout=60), p.stderr.read()) for name, p in builds.items()}
    tag = f"{TAG}_with-series"
    assert ended["newer"] == (0, "")
    assert ended["older"] in [(0, ""), (0, f"run_report.py: note: reports/{tag} not published: a build started after "
                                           f"this one (pid {builds['newer'].pid}) has published it from other inputs\n")]
    assert json.loads((out / publish.STATE).read_text())[f"reports/{tag}"]["pid"] == builds["newer"].pid
    (fake_project / "alone").mkdir()
    fake_build(fake_project / "alone", user_data=series["newer"], raw_dir=fake_project / "raw",
               notebooks_dir=fake_project / "notebooks")
    report, alone = out / "reports" / tag, fake_project / "alone" / "out" / "reports" / tag
    published = {p.relative_to(report).as_posix(): p.read_bytes() for p in report.rglob("*") if p.is_file()}
    assert sorted(published) == sorted(p.relative_to(alone).as_posix() for p in alone.rglob("*") if p.is_file())
    for name, data in published.items():
        if name != "manifest.json":  # (it says when)
            assert data == (alone / name).read_bytes(), name
    manifest = json.loads(published["manifest.json"])["files"]
    assert {e["sha256"] for e in manifest.values()} == {hashlib.sha256(d).hexdigest() for n, d in published.items()
                                                        if n != "manifest.json"}
    assert {e["content"] for e in manifest.values()} == {json.loads((alone / "manifest.json").read_text())[
        "files"]["report.html"]["content"]}


@pytest.mark.slow
def test_concurrent_builds_into_one_folder_take_turns(fake_project):
    fake_build(fake_project)
    out = fake_project / "out"
    procs = [fake_run_report("--output-dir", out, "--data", "none", "--format", "html", "--quiet") for _ in range(4)]
    assert [(p.wait(timeout=120), p.stderr.read()) for p in procs] == [(0, "")] * 4
    assert list((out / "build" / "tmp").iterdir()) == [] and (out / "reports" / TAG / "report.html").exists()


HOSTILE_PARTNER = '<script>alert("x")</script>'
HOSTILE_SOURCE = '<img src=x onerror="alert(1)"> Rosstat'


@pytest.mark.slow
def test_text_from_data_is_shown_as_text(tmp_path):
    """A partner must be a country (markup never gets that far); a source's text is shown as text, in the HTML
    and in the PDF; every output is inside the output folder, whatever the series' file name."""
    from pypdf import PdfReader

    from techtrade.errors import DataError
    from techtrade.ingest import dataset
    series = tmp_path / 'my "series"); import os; os.remove("x") #.csv'  # a hostile file name, too
    row = "2020,exports,{},all,300,\"" + HOSTILE_SOURCE.replace('"', '""') + "\"\n"
    series.write_text("year,flow,partner,category,value_usd_mn,source\n" + row.format(
        '"' + HOSTILE_PARTNER.replace('"', '""') + '"'))
    inputs = {role: stages.ROOT / p for role, p in stages.RAW.items()}
    with pytest.raises(DataError, match="column 'partner': '<script>alert\\(\"x\"\\)</script>' is not a country"):
        dataset.load_raw({**inputs, "user_series": series})  # as the ingest stage reads it
    series.write_text("year,flow,partner,category,value_usd_mn,source\n" + row.format("Germany"))
    b = runner.make_build([2020], 2018, tmp_path / "out", user_data=series, log=lambda *a: None)
    files = runner.run(b).files[b.tag(2020)]
    html = files["report.html"].read_text()
    assert re.findall(r"<script[^>]*>", html) == []  # no code; and no ClaimReview: the series names no publication
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; Rosstat" in html  # shown, as text
    text = " ".join(p.extract_text() for p in PdfReader(str(files["report.pdf"])).pages)
    assert '<img src=x onerror="alert(1)"> Rosstat' in text
    made = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all((tmp_path / "out") in p.parents or p == series for p in made)  # every output inside the folder
