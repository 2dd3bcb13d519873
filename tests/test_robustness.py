"""Interruptions and untrusted input: the last good report survives, nothing is left behind, and text
from data files is shown as text, never run as markup or code."""
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from pypdf import PdfReader

from techtrade import config, pipeline

pytestmark = pytest.mark.slow
RUN = [sys.executable, "-u", str(config.ROOT / "run_report.py")]


def snapshot(out):
    """The published outputs (not build/ records, not a dead build's staging folder)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.relative_to(out).parts[0] != "build"
            and not p.relative_to(out).parts[0].startswith(".staging-")}


def debris(out):
    return sorted(p.name for p in list(out.glob(".staging-*")) + list((out / "reports").glob(".*")))


def warm_kernels():
    r = subprocess.run(["pgrep", "-f", "techtrade.warm"], capture_output=True, text=True)
    return [int(x) for x in r.stdout.split()]


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    out = tmp_path_factory.mktemp("good")
    subprocess.run(RUN + ["--output-dir", str(out), "--data", "none", "--quiet"], check=True)
    return out


def interrupt_after(out, needle, sig, timeout=120):
    """Start a forced rebuild into ``out``; send ``sig`` once its log prints ``needle``."""
    p = subprocess.Popen(RUN + ["--output-dir", str(out), "--data", "none", "--force"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    t0 = time.time()
    for line in p.stdout:
        if needle in line:
            p.send_signal(sig)
            break
        assert time.time() - t0 < timeout
    else:
        pytest.fail(f"the build ended before printing {needle!r}")
    p.stdout.read()
    err = p.stderr.read()
    p.wait(timeout=60)
    return p.returncode, err


@pytest.mark.parametrize("needle,sig", [
    ("02_clean: ran", signal.SIGINT),                # during the execution of 03_analysis
    ("02_clean: ran", signal.SIGTERM),
    ("rendering the PDF", signal.SIGINT),            # during WeasyPrint
    ("rendering the PDF", signal.SIGTERM),
], ids=["SIGINT-executing", "SIGTERM-executing", "SIGINT-rendering-pdf", "SIGTERM-rendering-pdf"])
def test_an_interrupted_build_keeps_the_previous_report(good, needle, sig):
    before = snapshot(good)
    code, err = interrupt_after(good, needle, sig)
    assert code == 130
    assert err == "run_report.py: interrupted; the previous report is untouched\n"
    assert snapshot(good) == before
    assert debris(good) == []
    time.sleep(1)
    assert warm_kernels() == []  # every kernel it started was stopped


def test_a_killed_build_leaves_debris_that_the_next_run_removes(good):
    before = snapshot(good)
    code, _ = interrupt_after(good, "01_ingest: ran", signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert snapshot(good) == before
    assert any(d.startswith(".staging-") for d in debris(good))  # it could not clean up after itself
    subprocess.run(RUN + ["--output-dir", str(good), "--data", "none", "--quiet"], check=True)
    assert debris(good) == []


def test_a_failing_cell_gives_exit_code_1_and_says_where(good, tmp_path):
    nb = tmp_path / "notebooks"
    shutil.copytree(config.NOTEBOOKS_DIR, nb)
    text = (nb / "02_clean.ipynb").read_text().replace("tidy = evidence.figure_intervals(inputs[\\\"figures\\\"])",
                                                       "tidy = evidence.figure_intervals(inputs[\\\"no such table\\\"])")
    (nb / "02_clean.ipynb").write_text(text)
    before = snapshot(good)
    r = subprocess.run(RUN + ["--output-dir", str(good), "--data", "none", "--quiet"], capture_output=True, text=True,
                       env={**os.environ, "TECHTRADE_NOTEBOOKS_DIR": str(nb)})
    assert r.returncode == 1
    kept = good / "build" / "failed" / "shared" / "02_clean.ipynb"
    assert r.stderr == (f"run_report.py: build failed: 02_clean failed in cell 3 of 7 (KeyError: 'no such table'); "
                        f"executed notebook kept at {kept}\n")
    assert kept.exists() and snapshot(good) == before


HOSTILE_PARTNER = '<script>alert("x")</script>'
HOSTILE_SOURCE = '<img src=x onerror="alert(1)"> Rosstat'


def test_text_from_data_is_shown_as_text(tmp_path):
    series = tmp_path / 'my "series"); import os; os.remove("x") #.csv'  # a hostile file name, too
    series.write_text("year,flow,partner,category,value_usd_mn,source\n"
                      f"2020,exports,\"{HOSTILE_PARTNER.replace(chr(34), chr(34) * 2)}\",all,300,"
                      f"\"{HOSTILE_SOURCE.replace(chr(34), chr(34) * 2)}\"\n")
    b = pipeline.make_build([2020], 2018, tmp_path / "out", user_data=series, log=lambda *a: None)
    files = pipeline.run(b)[2020]
    html = files["report.html"].read_text()
    assert "<script" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=\"alert(1)\"&gt; Rosstat" in html  # shown, as text
    text = " ".join(p.extract_text() for p in PdfReader(str(files["report.pdf"])).pages)
    assert '<img src=x onerror="alert(1)"> Rosstat' in text
    # every output stays inside the output folder
    made = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all((tmp_path / "out") in p.parents or p == series for p in made)


def test_a_figure_name_cannot_lead_outside_the_figures_folder(tmp_path):
    from techtrade import report
    from techtrade.errors import DataError
    (tmp_path / "figs").mkdir()
    with pytest.raises(DataError, match="not a PNG file inside"):
        report.figure_path(tmp_path / "figs", "../../etc/passwd")
    assert report.figure_path(tmp_path / "figs", "fig_a.png") == (tmp_path / "figs" / "fig_a.png").resolve()
