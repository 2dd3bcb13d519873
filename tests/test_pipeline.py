"""The whole build through papermill's Python API, into temporary folders: the artefacts it leaves."""
import os
import subprocess
import sys

import pytest
from pypdf import PdfReader

from techtrade import config, pipeline

pytestmark = pytest.mark.slow
RUN = [sys.executable, str(config.ROOT / "run_report.py")]


@pytest.fixture(scope="module")
def build_2020(tmp_path_factory):
    out = tmp_path_factory.mktemp("out2020")
    files = pipeline.run(pipeline.Build(2020, 2018, out, log=lambda *a: None))
    return out, files


def test_report_files(build_2020):
    out, files = build_2020
    assert sorted(files) == ["appendix-analysis.html", "report.html", "report.pdf"]
    report_dir = out / "reports" / "2020-vs-2018"
    assert sorted(p.name for p in (report_dir / "executed").iterdir()) == [f"{s}.ipynb" for s in pipeline.STAGES]
    assert (out / "reports" / "index.html").read_text().count('href="2020-vs-2018/') == 3
    assert not list(out.glob(".staging-*"))


def test_html_holds_the_verdict_table_and_every_figure(build_2020):
    out, files = build_2020
    html = files["report.html"].read_text()
    assert html.count('<figure class="fig">') == 4
    for cid in [f"C{i}" for i in range(1, 10)]:
        assert f'">{cid}</td><td' in html and html.count('class="cid"') == 9
    assert "2 reproduced</b>, <b>2 consistent</b>, <b>0 contradicted</b> and <b>9 not verifiable" in html
    assert "<script" not in html  # a static page: nothing to run, nothing fetched
    assert 'class="jp-CodeMirrorEditor' not in html  # code hidden in the report...
    assert files["appendix-analysis.html"].read_text().count('class="jp-CodeMirrorEditor') == 7  # ...not in the appendix
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert len(figures) == 8 and all(f.endswith(("png", "svg")) for f in figures)


def test_pdf_has_the_expected_pages(build_2020):
    _, files = build_2020
    pdf = PdfReader(str(files["report.pdf"]))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert 6 <= len(pdf.pages) <= 10
    assert pdf.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4
    for needle in ("The verdicts, claim by claim", "not verifiable", "reproduced", "C9", "2020 against 2018",
                   "Data and method", "page 1 of"):
        assert needle in text, needle
    for n in range(1, 5):
        assert f"Figure {n}." in text


def test_another_report_year_changes_numbers_and_prose(tmp_path):
    files = pipeline.run(pipeline.Build(2021, 2018, tmp_path, formats=("html",), log=lambda *a: None))
    html = files["report.html"].read_text()
    assert "2021 against 2018" in html
    assert "between 3.14 times and 3.44 times the 2018 level" in html
    assert "No partner figures are shipped for 2021" in html
    assert "between \u2212$500 million and \u2212$300 million" in html
    assert not (tmp_path / "reports" / "2021-vs-2018" / "report.pdf").exists()


@pytest.mark.parametrize("args,message", [
    (["--report-year", "2017"], "report_year=2017: no exports figure for that year; available report years: 2018, 2019, 2020, 2021"),
    (["--base-year", "2021", "--report-year", "2020"], "base_year=2021: no exports figure"),
    (["--report-year", "twenty"], "--report-year='twenty': not a year"),
    (["--format", "docx"], "format=docx: unknown; allowed: html, pdf"),
])
def test_bad_parameters_stop_before_any_notebook_runs(tmp_path, args, message):
    r = subprocess.run(RUN + args + ["--output-dir", str(tmp_path / "out")], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and message in r.stderr
    assert not (tmp_path / "out").exists()


def test_a_failed_build_keeps_the_previous_report(build_2020, tmp_path, raw_copy):
    out, files = build_2020
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and "build" not in p.parts}
    (raw_copy / config.CLAIMS_FILE).write_text("claim_id,claim,source_id\nC1,text,NOPE\n")
    with pytest.raises(pipeline.BuildError) as exc:
        pipeline.run(pipeline.Build(2020, 2018, out, raw_dir=raw_copy, log=lambda *a: None))
    msg = str(exc.value)
    assert msg.startswith("01_ingest failed in cell 3 of 9 (DataError: ")
    assert "column 'source_id': names a source missing from the registry" in msg
    kept = out / "build" / "failed" / "2020-vs-2018" / "01_ingest.ipynb"
    assert msg.endswith(f"executed notebook kept at {kept}") and kept.exists()
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and "build" not in p.parts}
    assert after == before
    assert not list(out.glob(".staging-*"))


def test_help_explains_every_option():
    r = subprocess.run(RUN + ["--help"], capture_output=True, text=True)
    assert r.returncode == 0
    for opt in ("--report-year", "--base-year", "--output-dir", "--format", "--quiet"):
        assert opt in r.stdout
    assert "Exit codes" in r.stdout or "exit" in r.stdout.lower()
