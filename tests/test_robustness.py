"""Interruptions, failures and untrusted input: the last good report survives, nothing is left behind
(only what this test's own build started is looked at), and text from data files is shown as text."""
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

from techtrade import narrative, publish, stages

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
    """Start a forced rebuild into ``out``; send ``sig`` once its log prints ``needle``. Returns the exit
    code, stderr, the build's pid and the kernels it had started by then."""
    p = subprocess.Popen(RUN + ["--output-dir", str(out), "--data", "none", "--force", *extra],
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
@pytest.mark.parametrize("needle,sig", [
    ("02_clean: ran", signal.SIGINT),                # while 03_analysis executes
    ("02_clean: ran", signal.SIGTERM),
    ("02_clean: ran", signal.SIGHUP),
    ("rendering the PDF", signal.SIGINT),            # in WeasyPrint
], ids=["SIGINT-executing", "SIGTERM-executing", "SIGHUP-executing", "SIGINT-rendering-pdf"])
def test_an_interrupted_build_keeps_the_previous_report(project, needle, sig):
    out = project[0] / "out"
    before = snapshot(out)
    code, err, pid, kernels = interrupt_after(out, needle, sig)
    assert code == 128 + sig  # 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP
    assert err == f"run_report.py: interrupted ({sig.name}); the previous outputs are untouched\n"
    assert snapshot(out) == before
    assert list((out / "build" / "tmp").iterdir()) == []
    assert kernels, "the build had started kernels"
    time.sleep(0.5)
    assert [k for k in kernels if alive(k)] == []  # every kernel it started was stopped
    assert kernel_dirs(pid) == []                  # and its kernel files removed


@pytest.mark.slow
def test_a_killed_build_leaves_debris_that_the_next_build_removes(project):
    out = project[0] / "out"
    before = snapshot(out)
    code, _, pid, kernels = interrupt_after(out, "01_ingest: ran", signal.SIGKILL)
    assert code == -signal.SIGKILL and snapshot(out) == before
    assert list((out / "build" / "tmp").iterdir()) and kernel_dirs(pid)  # it could not clean up after itself
    time.sleep(1)  # its kernels notice their parent is gone and stop
    subprocess.run(RUN + ["--output-dir", str(out), "--data", "none", "--quiet"], check=True)
    assert list((out / "build" / "tmp").iterdir()) == [] and kernel_dirs(pid) == []
    assert [k for k in kernels if alive(k)] == []


def notebooks_with_a_failing_cell(tmp_path) -> Path:
    """A copy of the notebooks in which 02_clean's third cell reads a table that does not exist."""
    nb = tmp_path / "notebooks"
    shutil.copytree(stages.ROOT / "notebooks", nb)
    text = (nb / "02_clean.ipynb").read_text()
    assert 'dataset.read_csv(inputs[\\"figures\\"])' in text
    (nb / "02_clean.ipynb").write_text(text.replace('dataset.read_csv(inputs[\\"figures\\"])',
                                                    'dataset.read_csv(inputs[\\"no such table\\"])'))
    return nb


@pytest.mark.slow
def test_a_failing_cell_gives_exit_code_1_says_where_and_is_kept_until_a_build_succeeds(project, tmp_path):
    out = project[0] / "out"
    nb = notebooks_with_a_failing_cell(tmp_path)
    from techtrade import runner
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


@pytest.mark.slow
def test_concurrent_builds_into_one_folder_take_turns(project):
    out = project[0] / "out"
    procs = [subprocess.Popen(RUN + ["--output-dir", str(out), "--data", "none", "--format", "html", "--quiet"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert results == [(0, "")] * 4
    assert list((out / "build" / "tmp").iterdir()) == []


HOSTILE_PARTNER = '<script>alert("x")</script>'
HOSTILE_SOURCE = '<img src=x onerror="alert(1)"> Rosstat'


@pytest.mark.slow
def test_text_from_data_is_shown_as_text(tmp_path):
    from techtrade import runner
    from techtrade.errors import DataError
    series = tmp_path / 'my "series"); import os; os.remove("x") #.csv'  # a hostile file name, too
    row = "2020,exports,{},all,300,\"" + HOSTILE_SOURCE.replace('"', '""') + "\"\n"
    series.write_text("year,flow,partner,category,value_usd_mn,source\n" + row.format(
        '"' + HOSTILE_PARTNER.replace('"', '""') + '"'))
    b = runner.make_build([2020], 2018, tmp_path / "out", user_data=series, log=lambda *a: None)
    with pytest.raises(DataError, match="column 'partner': '<script>alert\\(\"x\"\\)</script>' is not a country"):
        runner.run(b)  # a partner must be a country: markup never gets that far
    series.write_text("year,flow,partner,category,value_usd_mn,source\n" + row.format("Germany"))
    files = runner.run(b)[b.tag(2020)]
    html = files["report.html"].read_text()
    assert re.findall(r"<script[^>]*>", html) == ['<script type="application/ld+json">'] * 9  # data, never code
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


@pytest.mark.slow
def test_a_full_disk_while_keeping_a_failed_notebook_still_reports_the_failure(project, tmp_path, monkeypatch):
    import errno

    from techtrade import runner
    out = project[0] / "out"
    nb = notebooks_with_a_failing_cell(tmp_path)
    real = shutil.copyfile

    def full(src, dst, *a, **kw):
        if "failed" in Path(dst).parts:
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(shutil, "copyfile", full)
    b = runner.make_build([2020], 2018, out, formats=("html",), user_data="none", notebooks_dir=nb,
                          log=lambda *a: None)
    with pytest.raises(runner.BuildError) as exc:
        runner.run(b)
    assert str(exc.value) == ("02_clean failed in cell 3 of 8 (KeyError: 'no such table'); the executed notebook "
                              "could not be kept (No space left on device)")


@pytest.mark.slow
def test_a_full_disk_while_staging_is_one_line_and_exit_1(project, monkeypatch, capsys):
    import errno

    import run_report
    out = project[0] / "out"
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
    from techtrade import kernels
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
