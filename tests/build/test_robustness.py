"""Interruptions, failures and untrusted input: the last good report survives, nothing is left behind
(only what this test's own build started is looked at), and text from data files is shown as text."""
import hashlib
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
from pypdf import PdfReader

from techtrade.build import publish, stages
from techtrade.report import narrative

RUN = [sys.executable, "-u", str(stages.ROOT / "run_report.py")]


def snapshot(out):
    """The published outputs (not build/, where the cache and the working folders live)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.relative_to(out).parts[0] != "build"}


def children(pid: int) -> set[int]:
    """The processes ``pid`` started (its kernels), from /proc."""
    kids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.add(int(stat.parent.name))
    return kids


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def kernel_dirs(pid: int) -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"techtrade-{pid}-*"))


def interrupt_after(out, needle, sig, *extra, timeout=120):
    """Start a build into ``out``; send ``sig`` once its log prints ``needle``. Returns the exit code,
    stderr, the build's pid and the kernels it had started by then."""
    p = subprocess.Popen(RUN + ["--output-dir", str(out), "--data", "none", *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0, kernels = time.time(), set()
    for line in p.stdout:
        kernels |= children(p.pid)
        if needle in line:
            kernels |= children(p.pid)
            p.send_signal(sig)
            break
        assert time.time() - t0 < timeout
    else:
        pytest.fail(f"the build ended before printing {needle!r}")
    p.stdout.read()
    err = p.stderr.read()
    p.wait(timeout=60)
    return p.returncode, err, p.pid, kernels


@pytest.mark.slow
def test_ctrl_c_while_rendering_the_pdf_keeps_the_previous_report(project):
    """The cached PDF is removed: the notebooks are reused, the PDF is rendered (in WeasyPrint) when Ctrl-C
    comes. (While a notebook runs: test_a_signal_ends_the_build_within_5_s_whatever_the_kernel_does.)"""
    out = project / "out"
    shutil.rmtree(out / "build" / "cache" / "objects" / "pdf.page")
    before = snapshot(out)
    code, err, pid, _ = interrupt_after(out, "rendering the PDF", signal.SIGINT)
    assert code == 130
    assert err == "run_report.py: interrupted (SIGINT); the previous outputs are untouched\n"
    assert snapshot(out) == before
    assert list((out / "build" / "tmp").iterdir()) == [] and kernel_dirs(pid) == []  # its working files removed


@pytest.mark.slow
def test_a_killed_build_leaves_debris_that_the_next_build_removes(project):
    out = project / "out"
    before = snapshot(out)
    code, _, pid, kernels = interrupt_after(out, "01_ingest: ran", signal.SIGKILL, "--force")
    assert code == -signal.SIGKILL and snapshot(out) == before
    assert list((out / "build" / "tmp").iterdir()) and kernel_dirs(pid)  # it could not clean up after itself
    time.sleep(1)  # its kernels notice their parent is gone and stop
    subprocess.run(RUN + ["--output-dir", str(out), "--data", "none", "--quiet"], check=True)
    assert list((out / "build" / "tmp").iterdir()) == [] and kernel_dirs(pid) == []
    assert [k for k in kernels if alive(k)] == []


def notebooks_with_a_failing_cell(tmp_path, code=None, stage="02_clean") -> Path:
    """A copy of the notebooks in which 02_clean's third cell reads a table that does not exist; or, with
    ``code``, in which ``stage`` runs ``code`` in a cell of its own, its third (after the parameters)."""
    import nbformat
    nb = tmp_path / "notebooks"
    shutil.copytree(stages.ROOT / "notebooks", nb)
    path = nb / f"{stage}.ipynb"
    if code is not None:
        notebook = nbformat.read(str(path), as_version=4)
        notebook.cells.insert(2, nbformat.v4.new_code_cell(code))
        nbformat.write(notebook, str(path))
        return nb
    text = path.read_text()
    assert 'handover.read_csv(inputs[\\"figures\\"])' in text
    path.write_text(text.replace('handover.read_csv(inputs[\\"figures\\"])', 'handover.read_csv(inputs[\\"no such table\\"])'))
    return nb


def build_with(out, notebooks, **kw):
    """A build of the 2020 report (HTML) with these notebooks; the failure it ends in, and how long it took."""
    from techtrade.build import runner
    b = runner.make_build([2020], 2018, out, formats=("html",), user_data="none", notebooks_dir=notebooks,
                          log=lambda *a: None, **kw)
    t0 = time.monotonic()
    with pytest.raises(runner.BuildError) as exc:
        runner.run(b)
    return str(exc.value), time.monotonic() - t0


@pytest.mark.slow
@pytest.mark.parametrize("code,timeout,failure", [
    ("import os\nos._exit(0)", 600, "kernel died: exit code 0"),
    ("while True:\n    pass", 2, "time limit: still running after 2 s; --timeout allows more"),
], ids=["kernel-exits", "endless-loop"])
def test_a_dead_kernel_or_a_notebook_past_its_time_limit_ends_the_build_naming_the_cell(project, tmp_path, code,
                                                                                       timeout, failure):
    out = project / "out"
    before = snapshot(out)
    message, seconds = build_with(out, notebooks_with_a_failing_cell(tmp_path, code), timeout=timeout)
    assert message == f"02_clean failed in cell 3 of 9 ({failure})"  # (no executed notebook to keep)
    assert seconds < 15 and snapshot(out) == before and list((out / "build" / "tmp").iterdir()) == []


@pytest.mark.slow
def test_a_notebook_that_exits_early_is_named_not_the_next_one(project, tmp_path):
    """sys.exit(0) in 03 (papermill takes it for a notebook done): 03 failed, in that cell; before, 04
    was blamed, for a file 03 never wrote, named by the build's deleted working folder."""
    out = project / "out"
    message, _ = build_with(out, notebooks_with_a_failing_cell(tmp_path, "import sys\nsys.exit(0)", "03_analysis"))
    kept = out / "build" / "failed" / "2020-vs-2018" / "03_analysis.ipynb"
    assert message == ("03_analysis failed in cell 3 of 12 (stopped early: SystemExit: 0; the cells after it did "
                       f"not run); executed notebook kept at {kept}")


DRIVER = """import sys
import run_report
from techtrade.build import runner
make = runner.make_build
runner.make_build = lambda *a, **kw: make(*a, notebooks_dir=sys.argv[1], progress=0.5, **kw)
sys.exit(run_report.main(sys.argv[2:]))
"""  # run_report.py with other notebooks, and progress every half second


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_a_signal_ends_the_build_within_5_s_whatever_the_kernel_does(project, tmp_path, sig):
    """02_clean's kernel ignores SIGINT and SIGTERM in an endless loop: the build says where it is, and
    once signalled ends within 5 s, with exit code 128 + the signal (130 for Ctrl-C, 143 for SIGTERM, 129
    for SIGHUP), nothing published, no kernel left."""
    out = project / "out"
    before = snapshot(out)
    nb = notebooks_with_a_failing_cell(tmp_path, "import signal\nfor s in (signal.SIGINT, signal.SIGTERM):\n"
                                                 "    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass")
    p = subprocess.Popen([sys.executable, "-u", "-c", DRIVER, str(nb), "--output-dir", str(out), "--data", "none",
                          "--format", "html"], cwd=stages.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    kernels = set()
    for line in p.stdout:
        kernels |= children(p.pid)
        if re.fullmatch(r"  02_clean: cell 3 of 9, \d+ s so far\n", line):
            break
    else:
        pytest.fail("no progress line for the endless cell")
    t0 = time.monotonic()
    p.send_signal(sig)
    p.wait(timeout=60)
    assert time.monotonic() - t0 < 5 and p.returncode == 128 + sig
    assert p.stderr.read() == f"run_report.py: interrupted ({sig.name}); the previous outputs are untouched\n"
    assert snapshot(out) == before and list((out / "build" / "tmp").iterdir()) == []
    assert kernels and [k for k in kernels if alive(k)] == [] and kernel_dirs(p.pid) == []


@pytest.mark.slow
def test_a_failing_cell_gives_exit_code_1_says_where_and_is_kept_until_a_build_succeeds(project, tmp_path):
    out = project / "out"
    nb = notebooks_with_a_failing_cell(tmp_path)
    from techtrade.build import runner
    before = snapshot(out)
    b = runner.make_build([2020], 2018, out, formats=("html",), user_data="none", notebooks_dir=nb,
                          log=lambda *a: None)
    with pytest.raises(runner.BuildError) as exc:
        runner.run(b)
    kept = out / "build" / "failed" / "shared" / "02_clean.ipynb"
    assert str(exc.value) == (f"02_clean failed in cell 3 of 8 (KeyError: 'no such table'); "
                              f"executed notebook kept at {kept}")
    assert kept.exists() and snapshot(out) == before
    runner.run(runner.make_build([2020], 2018, out, formats=("html",), user_data="none", log=lambda *a: None))
    assert not (out / "build" / "failed").exists()  # only while the last build failed


def test_ctrl_c_at_start_up_is_one_line(tmp_path):
    p = subprocess.Popen(RUN + ["--output-dir", str(tmp_path / "out"), "--data", "none"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
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


def fake_run_report(*args):
    """run_report.py with the fake stages (fake.py), in a process of its own."""
    return subprocess.Popen([sys.executable, "-u", "-m", "tests.build.fake", *map(str, args)], cwd=stages.ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_builds_of_one_report_lined_up_at_the_lock_publish_it_all_from_one(fake_project, tmp_path):
    """Two series named alike make the same report, from other inputs. The test holds the lock; the second
    build starts once the first has begun (made its working folder); both wait, saying for whom; the lock
    is released. Every file of the report is the newer build's, as it alone would have made it."""
    import json

    from filelock import FileLock

    from .conftest import fake_build
    out = fake_project / "out"
    (out / "build" / "tmp").mkdir(parents=True)
    lock = FileLock(str(out / publish.LOCK), thread_local=False)
    lock.acquire()
    (out / publish.HOLDER).write_text(json.dumps({"pid": os.getpid(), "what": "a test"}))
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
            assert waiting in iter(p.stdout.readline, "")
    finally:
        lock.release()
    ended = {name: (p.wait(timeout=60), p.stderr.read()) for name, p in builds.items()}
    tag = "2020-vs-2018_with-series"
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
def test_no_warning_becomes_a_traceback_under_pythonwarnings_error(project, tmp_path):
    """PYTHONWARNINGS=error once printed 4 tracebacks per notebook run (unclosed sockets of the kernel
    clients) under --quiet. Here the report's text is edited, so the narrative runs again."""
    out = project / "out"
    nb = tmp_path / "notebooks"
    shutil.copytree(stages.ROOT / "notebooks", nb)
    (nb / "04_narrative.md").write_text((nb / "04_narrative.md").read_text() + "\nOne more line.\n")
    r = subprocess.run([sys.executable, "-c", DRIVER, str(nb), "--output-dir", str(out), "--data", "none", "--format",
                        "html", "--quiet"], cwd=stages.ROOT, capture_output=True, text=True,
                       env={**os.environ, "PYTHONWARNINGS": "error"})
    assert (r.returncode, r.stderr) == (0, "")
    assert "One more line." in (out / "reports" / "2020-vs-2018" / "report.html").read_text()
    assert r.stdout == "".join(f"wrote {out}/reports/2020-vs-2018/{n}\n" for n in ("report.html", "appendix-analysis.html"))


def test_concurrent_builds_into_one_folder_take_turns(fake_project):
    from .conftest import fake_build
    fake_build(fake_project)
    out = fake_project / "out"
    procs = [fake_run_report("--output-dir", out, "--data", "none", "--format", "html", "--quiet") for _ in range(4)]
    assert [(p.wait(timeout=120), p.stderr.read()) for p in procs] == [(0, "")] * 4
    assert list((out / "build" / "tmp").iterdir()) == [] and (out / "reports" / "2020-vs-2018" / "report.html").exists()


HOSTILE_PARTNER = '<script>alert("x")</script>'
HOSTILE_SOURCE = '<img src=x onerror="alert(1)"> Rosstat'


@pytest.mark.slow
def test_text_from_data_is_shown_as_text(tmp_path):
    from techtrade.build import runner
    from techtrade.errors import DataError
    series = tmp_path / 'my "series"); import os; os.remove("x") #.csv'  # a hostile file name, too
    row = "2020,exports,{},all,300,\"" + HOSTILE_SOURCE.replace('"', '""') + "\"\n"
    series.write_text("year,flow,partner,category,value_usd_mn,source\n" + row.format(
        '"' + HOSTILE_PARTNER.replace('"', '""') + '"'))
    b = runner.make_build([2020], 2018, tmp_path / "out", user_data=series, log=lambda *a: None)
    with pytest.raises(DataError, match="column 'partner': '<script>alert\\(\"x\"\\)</script>' is not a country"):
        runner.run(b)  # a partner must be a country: markup never gets that far
    series.write_text("year,flow,partner,category,value_usd_mn,source\n" + row.format("Germany"))
    files = runner.run(b).files[b.tag(2020)]
    html = files["report.html"].read_text()
    assert re.findall(r"<script[^>]*>", html) == []  # no code; and no ClaimReview: the series names no publication
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; Rosstat" in html  # shown, as text
    text = " ".join(p.extract_text() for p in PdfReader(str(files["report.pdf"])).pages)
    assert '<img src=x onerror="alert(1)"> Rosstat' in text
    made = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all((tmp_path / "out") in p.parents or p == series for p in made)  # every output inside the folder


def test_a_figure_name_cannot_lead_outside_the_figures_folder(tmp_path):
    from techtrade.errors import DataError
    (tmp_path / "figs").mkdir()
    with pytest.raises(DataError, match="not an image file inside"):
        narrative._inside(tmp_path / "figs", "../../etc/passwd")
    assert narrative._inside(tmp_path / "figs", "a.svg") == (tmp_path / "figs" / "a.svg").resolve()


def test_a_full_disk_while_keeping_a_failed_notebook_still_reports_the_failure(fake_project, monkeypatch):
    import errno

    from techtrade.build import kernels, runner

    from .conftest import fake_build

    def failing(self, stage, job, notebook, executed, parameters, cwd):
        Path(executed).write_text("{}")
        raise kernels.StageFailed(stage, "KeyError", "'no such table'", "cell 3 of 8")

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
    import errno

    import run_report

    from .conftest import fake_build
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


def test_kernel_sockets_fall_back_to_tcp_when_the_temp_path_is_too_long(tmp_path, monkeypatch):
    from techtrade.build import kernels
    long = tmp_path / ("d" * 120)
    long.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(long))
    k = kernels.Kernels()
    try:
        km = k.manager()
        assert km.transport == "tcp" and Path(km.connection_file).parent == k.dir
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
        short = kernels.Kernels()
        assert short.manager().transport == "ipc"
        short.close()
    finally:
        k.close()
    assert not k.dir.exists()


@pytest.mark.slow
def test_a_file_name_that_is_not_utf8_under_a_c_locale_is_one_line(tmp_path):
    name = os.fsencode(tmp_path) + b"/s\xff.csv"
    with open(name, "w") as f:
        f.write("year,flow,partner,category,value_usd_mn,source\n2020,exports,World,all,abc,x\n")
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    env.pop("PYTHONIOENCODING", None)
    r = subprocess.run([os.fsencode(sys.executable), os.fsencode(stages.ROOT / "run_report.py"), b"--data", name,
                        b"--output-dir", os.fsencode(tmp_path / "out")], capture_output=True, env=env)
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert "\\udcff.csv, line 2, column 'value_usd_mn': 'abc' is not a plain number" in err
