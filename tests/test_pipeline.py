"""The whole build through papermill's Python API, into temporary folders: the artefacts it leaves."""
import re
import subprocess
import sys

import pandas as pd
import pytest
from pypdf import PdfReader

from techtrade import config, pipeline

pytestmark = pytest.mark.slow
RUN = [sys.executable, str(config.ROOT / "run_report.py")]
FIXTURE = config.ROOT / "tests" / "fixtures" / "synthetic_full_series.csv"
quiet = dict(log=lambda *a: None)


def build(years, out, **kw):
    b = pipeline.make_build(years, 2018, out, **{**quiet, **kw})
    return b, pipeline.run(b)


@pytest.fixture(scope="module")
def build_2020(tmp_path_factory):
    out = tmp_path_factory.mktemp("out2020")
    b, files = build([2020], out, user_data="none")
    return out, files[2020]


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
    assert "2 reproduced</b>, <b>2 consistent</b>, <b>0 contradicted</b> and <b>9 not verifiable</b> with the shipped data" in html
    assert "<script" not in html  # a static page: nothing to run, nothing fetched
    assert 'class="jp-CodeMirrorEditor' not in html  # code hidden in the report...
    assert files["appendix-analysis.html"].read_text().count('class="jp-CodeMirrorEditor') == 8  # ...shown in the appendix
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert len(figures) == 8 and all(f.endswith(("png", "svg")) for f in figures)
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", " ", html, flags=re.S))
    assert not re.search(r"\b(nan|NaN|None|inf)\b", visible)


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
    _, files = build([2021], tmp_path, formats=("html",), user_data="none")
    html = files[2021]["report.html"].read_text()
    assert "2021 against 2018" in html
    assert "between 3.14 times and 3.44 times the 2018 level" in html
    assert "No partner figures are in the shipped data for 2021" in html
    assert "between \u2212$500 million and \u2212$300 million" in html
    assert "the 2021 deficit is larger than the 2020 one" in html
    assert not (tmp_path / "reports" / "2021-vs-2018" / "report.pdf").exists()


def test_a_sweep_builds_one_report_per_year_and_an_index(tmp_path):
    b, files = build(["2019-2021"], tmp_path, formats=("html",), user_data="none")
    assert sorted(files) == [2019, 2020, 2021]
    index = (tmp_path / "reports" / "index.html").read_text()
    for tag in ("2019-vs-2018", "2020-vs-2018", "2021-vs-2018"):
        assert f'href="{tag}/report.html"' in index
        assert len(list((tmp_path / "reports" / tag / "executed").glob("*.ipynb"))) == 4
    assert sorted(b.ran) == sorted(["01_ingest", "02_clean"] + [f"{s}_{y}-vs-2018" for y in (2019, 2020, 2021)
                                    for s in ("03_analysis", "04_narrative", "render", "appendix")])
    assert "at least 2.38 times the 2018 level" in files[2019]["report.html"].read_text()


def test_a_user_series_settles_the_unverifiable_claims(tmp_path):
    b, files = build([2020], tmp_path, formats=("html",), user_data=FIXTURE)
    claims = pd.read_csv(tmp_path / "data" / "processed" / "03_claims_2020-vs-2018.csv").set_index(["claim_id", "part"])
    assert claims.loc[("C5", "lowest deficit since 2001"), "verdict"] == "reproduced"
    assert claims.loc[("C8", "ratio to early 2000s"), "verdict"] == "reproduced"
    assert claims.loc[("C1", "exports level"), "source_ids"] == "USER1"
    html = files[2020]["report.html"].read_text()
    assert "Over the balances the data hold (2000\u20132021), the 2020 deficit is the smallest since 2001" in html
    assert "SYNTHETIC test fixture" in html  # the report says where its numbers came from
    assert "12 reproduced</b>" in html


def test_bad_data_file_stops_before_any_notebook_runs(tmp_path):
    bad = tmp_path / "series.csv"
    bad.write_text("year,flow,partner,category,value_usd_mn,source\n2020,exports,World,all,\"4,560\",x\n")
    r = subprocess.run(RUN + ["--data", str(bad), "--output-dir", str(tmp_path / "out")], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.strip() == (f"run_report.py: error: {bad}, line 2, column 'value_usd_mn': '4,560' is not a plain "
                                "number (no thousands separators, no decimal comma, no units: write 1400 or 1.4)")
    assert not (tmp_path / "out").exists()


def test_a_failed_build_keeps_the_previous_report(build_2020, tmp_path, raw_copy):
    out, files = build_2020
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and "build" not in p.parts}
    b = pipeline.make_build([2020], 2018, out, raw_dir=raw_copy, user_data="none", **quiet)
    (raw_copy / config.CLAIMS_FILE).write_text("claim_id,claim,source_id\nC1,text,NOPE\n")  # broken after the check
    with pytest.raises(pipeline.BuildError) as exc:
        pipeline.run(b)
    msg = str(exc.value)
    assert msg.startswith("01_ingest failed in cell 3 of 9 (DataError: ")
    assert "column 'source_id': names a source missing from the registry" in msg
    kept = out / "build" / "failed" / "shared" / "01_ingest.ipynb"
    assert msg.endswith(f"executed notebook kept at {kept}") and kept.exists()
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and "build" not in p.parts}
    assert after == before
    assert not list(out.glob(".staging-*"))


def test_help_explains_every_option():
    r = subprocess.run(RUN + ["--help"], capture_output=True, text=True)
    assert r.returncode == 0
    for opt in ("--report-year", "--base-year", "--output-dir", "--format", "--top-n", "--data", "--wdi",
                "--refresh-wdi", "--force", "--jobs", "--quiet", "exit codes"):
        assert opt in r.stdout
