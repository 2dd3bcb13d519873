"""The whole build through the runner's Python API (papermill underneath), into temporary folders: the
artefacts it leaves, for the article's years, a sweep of years and a user's series."""
import hashlib
import json
import re
import subprocess
import sys

import pandas as pd
import pytest

from techtrade.build import stages

from ..conftest import FIXTURES, build

RUN = [sys.executable, str(stages.ROOT / "run_report.py")]


def visible(html: str) -> str:
    """The text a reader sees (no styles, no embedded images, no tags)."""
    html = re.sub(r"<style.*?</style>|<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&amp;", "&")


def assert_one_number_style(html: str) -> None:
    """The report's words (the sources' own quotations aside) write numbers one way."""
    body = re.sub(r'<ol class="sources.*?</ol>', " ", html, flags=re.S)
    text = visible(body)
    for pattern, what in ((r"\d(?:\.\d+)?x\b", "a letter x for times"), (r"->", "an ASCII arrow"),
                          (r"\de[+-]\d", "an exponent"), (r"(?<![\w/.])-\$?\d", "a hyphen for a minus"),
                          (r"\d\.\d{4,}", "false precision"), (r'"', "a straight double quote"),
                          (r"USD (?:mn|million|bn)", "a unit code in prose"), (r"\b(?:nan|NaN|None|inf)\b", "a non-number"),
                          (r"\$\d[\d,.]*m\b", "'m' for million"), (r"\b(\d+(?:\.\d+)?)\u2013\1%", "a range to itself")):
        found = re.search(pattern, text)
        assert not found, f"{what}: ...{text[max(0, found.start() - 60):found.end() + 20]}..."


@pytest.mark.slow
def test_report_files(built_2020):
    out, files, b = built_2020
    assert sorted(files) == ["appendix-analysis.html", "report.html", "report.pdf"]
    report = out / "reports" / "2020-vs-2018"
    assert sorted(p.name for p in report.iterdir()) == [
        "appendix-analysis.html", "datapackage.json", "executed", "manifest.json", "numbers.csv", "report.html",
        "report.pdf", "verdicts.csv", "verdicts.json"]
    assert sorted(p.name for p in (report / "executed").iterdir()) == [f"{s.name}.ipynb" for s in stages.STAGES]
    assert (out / "reports" / "index.html").read_text().count('href="2020-vs-2018/') == 7
    assert list((out / "build" / "tmp").iterdir()) == []  # the build's working folder is gone
    manifest = json.loads((report / "manifest.json").read_text())
    assert manifest["parameters"] == {"report_year": 2020, "base_year": 2018, "top_n": 6, "data": None, "wdi": None}
    published = sorted(p.relative_to(report).as_posix() for p in report.rglob("*") if p.is_file())
    assert sorted(manifest["files"]) == [n for n in published if n != "manifest.json"]  # every file, by its hash
    for name, entry in manifest["files"].items():
        assert entry["sha256"] == hashlib.sha256((report / name).read_bytes()).hexdigest(), name
    assert manifest["inputs"]["tech_exchange_figures.csv"]["sha256"]


@pytest.mark.slow
def test_html_holds_the_verdict_table_and_every_figure(built_2020):
    out, files, _ = built_2020
    html = files["report.html"].read_text()
    assert html.count('<figure class="fig') == 4 and html.count("<picture>") == 4
    assert html.count('class="cid"') == 9
    text = visible(html)
    assert "Could not have failed (2)" in text and "Open (9)" in text and "agree with" not in text
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ['<script type="application/ld+json">'] * 9  # data for fact-check indexes; nothing runs
    assert "04 · Narrative" not in text  # the notebook's own notes stay in JupyterLab
    assert_one_number_style(html)
    appendix = files["appendix-analysis.html"].read_text()
    assert appendix.count('class="jp-CodeMirrorEditor') >= 6
    assert "/tmp/" not in appendix and "e+03" not in appendix  # no local paths, no pandas float noise


@pytest.mark.slow
def test_the_opening_says_what_holds_and_on_what(built_2020):
    _, files, _ = built_2020
    text = visible(files["report.html"].read_text())
    assert ("Our verdict: not confirmed. Only the article publishes these figures for 2018 to 2020, and a claim "
            "cannot confirm itself.") in text
    assert "ICT service exports grew 1.13\u00d7; receipts for the use of intellectual property grew 1.33\u00d7" in text
    assert "exports rose at least 2.37\u00d7 in a single year" in text  # the 2019 jump, as a finding
    assert "+4.4% (ICT service exports), +15.7% (receipts for the use of intellectual property)" in text
    assert "this report asserts no cause" in text
    assert "2006 (a deficit of $580\u2013647 million, derived; the 2006\u20132021 paper)" in text  # C5 with what exists
    assert ("2011 to 2015 (deficits between $0.55 billion in 2015 and $1.70 billion in 2013, derived; OECD MSTI)."
            in text)
    assert "ICT service exports in 2020 were 9.9\u201313.4\u00d7" in text  # the early 2000s, as context
    for internal in ("data/raw", "data/processed", "shared/", "sources.md", "dossier", "shipped", "techtrade",
                     "notebooks/", "build/"):
        assert internal not in text, internal


@pytest.mark.slow
def test_machine_readable_outputs(built_2020):
    out, _, _ = built_2020
    report = out / "reports" / "2020-vs-2018"
    verdicts = pd.read_csv(report / "verdicts.csv").set_index("part_id")
    assert verdicts.loc["C3.ratio", "verdict"] == "follows from its own figures" and verdicts.loc["C3.ratio", "tier"] == "own"
    assert verdicts.loc["C3.ratio", "outcome"] == "entailed" and not verdicts.loc["C3.ratio", "could_fail"]
    assert verdicts.loc["C6.share", "loose_verdict"] == "allowed by its own figures"
    assert verdicts.loc["C3.ratio", "claimed_lo"] == 3
    assert pd.isna(verdicts.loc["C3.ratio", "evidence_hi"])  # unbounded: an empty cell
    data = json.loads((report / "verdicts.json").read_text())
    assert [v["part_id"] for v in data["verdicts"]][:2] == ["C1.level", "C2.growth"]
    assert data["verdicts"][0]["tier"] == "own" and data["verdicts"][0]["claimed"] == {"lo": 4500, "hi": None}
    reviews = [json.loads(x) for x in re.findall(r'<script type="application/ld\+json">(.*?)</script>',
                                                 (report / "report.html").read_text())]
    assert [r["@type"] for r in reviews] == ["ClaimReview"] * 9
    c3 = next(r for r in reviews if r["url"] == "#claim-C3")
    assert c3["reviewRating"]["alternateName"] == "not settled: the figures that would settle it are not held"
    assert c3["itemReviewed"]["author"]["name"] == "The Moscow Times" and c3["itemReviewed"]["datePublished"] == "2021-09-01"
    numbers = pd.read_csv(report / "numbers.csv").set_index("id")
    assert numbers.loc["exports.2018", "lo"] == 1350 and numbers.loc["exports.2018", "source_ids"] == "MT"


@pytest.mark.slow
def test_pdf_has_the_expected_pages(built_2020):
    from pypdf import PdfReader

    _, files, _ = built_2020
    pdf = PdfReader(str(files["report.pdf"]))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert 5 <= len(pdf.pages) <= 12
    assert pdf.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4
    for needle in ("The verdicts, claim by claim", "Open (9)", "C9", "2020 against 2018", "How we checked",
                   "page 1 of"):
        assert needle in text, needle
    for n in range(1, 5):
        assert f"Figure {n}." in text


@pytest.mark.slow
def test_a_sweep_builds_one_report_per_year_and_an_index(project):
    """Into a copy of the 2020 build: its shared stages and its 2020 report are reused, 2019's and 2021's run."""
    from techtrade.build import runner
    result = runner.run(runner.make_build(["2019-2021"], 2018, project / "out", formats=("html",), user_data="none",
                                          log=lambda *a: None))
    files = result.files
    assert sorted(files) == ["2019-vs-2018", "2020-vs-2018", "2021-vs-2018"]
    index = (project / "out" / "reports" / "index.html").read_text()
    for tag in files:
        assert f'href="{tag}/report.html"' in index
        assert len(list((project / "out" / "reports" / tag / "executed").glob("*.ipynb"))) == 4
    jobs = ("03_analysis", "04_narrative", "files", "html", "appendix")
    assert sorted(result.ran) == sorted(f"{j}_{y}-vs-2018" for y in (2019, 2021) for j in jobs)
    assert sorted(result.reused) == sorted(["01_ingest", "02_clean"] + [f"{j}_2020-vs-2018" for j in jobs])
    for fs in files.values():
        assert_one_number_style(fs["report.html"].read_text())
    t2019 = visible(files["2019-vs-2018"]["report.html"].read_text())
    assert "by the figures of The Moscow Times: at least 2.37\u00d7 (derived)" in t2019
    t2021 = visible(files["2021-vs-2018"]["report.html"].read_text())
    assert "2021 against 2018" in t2021 and ("across two publications (the 2006\u20132021 paper for 2021, The Moscow Times for "
                                             "2018): 3.13\u20133.45\u00d7 (derived)") in t2021
    assert "No partner figures are in the sources held for 2021" in t2021
    assert "threefold\u201d holds" not in t2021  # the article's claim is judged for its own years only
    assert "a deficit of $300\u2013500 million" in t2021 and "2020 had a smaller one" in t2021
    assert not (project / "out" / "reports" / "2021-vs-2018" / "report.pdf").exists()


@pytest.mark.slow
def test_a_complete_user_series_gives_every_part_a_verdict(tmp_path):
    """The complete synthetic series, saved as a spreadsheet in another locale might save it (semicolons,
    'USA'): read as meant, the aliases named, every claim part decided, the narrative complete."""
    import csv
    series = tmp_path / "my_series.csv"
    lines = (FIXTURES / "synthetic_full_series.csv").read_text().replace("United States", "USA").splitlines()
    with open(series, "w", newline="") as f:
        for line in lines:
            if line.startswith("#"):
                f.write(line + "\n")
            else:
                csv.writer(f, delimiter=";", lineterminator="\n").writerow(next(csv.reader([line])))
    usa = 1 + next(i for i, line in enumerate(lines) if ",USA," in line)
    notes = []
    b, files = build(tmp_path / "out", formats=("html",), user_data=series, note=notes.append)
    tag = b.tag(2020)
    assert tag == "2020-vs-2018_with-my-series"  # never the shipped data's report folder
    assert notes == [f"{series}: columns separated by semicolons, not commas; read as such",
                     f"{series}, line {usa}, column 'partner': 'USA' read as 'United States'"]
    verdicts = pd.read_csv(tmp_path / "out" / "reports" / tag / "verdicts.csv").set_index("part_id")
    assert (verdicts["outcome"] != "open").all()
    assert verdicts.loc["C5.deficit", "verdict"] == "confirmed by your series"
    assert verdicts.loc["C6.rank", "verdict"] == "confirmed by your series"
    assert set(verdicts["tier"]) == {"primary"}
    assert verdicts.loc["C1.level", "source_ids"] == "USER1"
    assert_one_number_style(files[tag]["report.html"].read_text())
    text = visible(files[tag]["report.html"].read_text())
    assert "SYNTHETIC test fixture" in text  # the report says where its numbers came from
    assert "Confirmed by your SYNTHETIC series (11)" in text and "shipped" not in text
    assert "Nothing: every claim part got a verdict from the data given." in text


def test_help_explains_every_option():
    r = subprocess.run(RUN + ["--help"], capture_output=True, text=True)
    assert r.returncode == 0
    for opt in ("--report-year", "--base-year", "--output-dir", "--format", "--top-n", "--data", "--wdi",
                "--refresh-wdi", "--force", "--jobs", "--timeout", "--quiet", "exit codes", "143"):
        assert opt in r.stdout


def _page_use(page) -> float:
    """How far down its text reaches on a PDF page, between the @page margins (17 mm)."""
    mm = 72 / 25.4
    ys = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            ys.append(tm[5] * cm[3] + cm[5])

    page.extract_text(visitor_text=visit)
    top, bottom = float(page.mediabox.height) - 17 * mm, 17 * mm
    inside = [y for y in ys if bottom < y < top]
    return (top - min(inside)) / (top - bottom) if inside else 0.0


@pytest.mark.slow
def test_the_pdf_reads_like_a_report(built_2020):
    from pypdf import PdfReader

    _, files, _ = built_2020
    pdf = PdfReader(str(files["report.pdf"]))
    use = [_page_use(p) for p in pdf.pages]
    assert all(u >= 0.7 for u in use[:-1]), use  # no page but the last under 70% used
    for page in pdf.pages:  # figures are vector: no raster image anywhere
        xobjects = page.get("/Resources", {}).get("/XObject", {}) or {}
        assert not [x for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image"]
    annots = [a.get_object() for p in pdf.pages for a in (p.get("/Annots") or [])]
    uris = {a["/A"]["/URI"] for a in annots if "/A" in a and "/URI" in a["/A"]}
    assert "https://www.themoscowtimes.com/2021/09/01/russian-tech-exports-up-threefold-since-2018-a74950" in uris
    assert any("/Dest" in a or ("/A" in a and "/D" in a["/A"]) for a in annots)  # "Figure 2" goes to the figure
    for page in pdf.pages[1:]:  # a running header on every page after the first
        assert "Russia\u2019s technology exports, 2018 to 2020: the claims of" in page.extract_text()


@pytest.mark.slow
def test_the_page_is_accessible(built_2020):
    _, files, _ = built_2020
    html = files["report.html"].read_text()
    levels = [int(h) for h in re.findall(r"<h([1-6])[\s>]", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels  # headings in order, none skipped
    alts = re.findall(r'<img[^>]*\balt="([^"]*)"', html)
    assert len(alts) == 4 and all(re.search(r"\d", a) for a in alts), alts  # each states its message in numbers
    assert '<meta name="viewport" content="width=device-width, initial-scale=1.0"/>' in html


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_colours_pass_wcag_aa():
    css = (stages.ROOT / "techtrade" / "templates" / "report.css").read_text()
    pairs = re.findall(r"\.v-[\w-]+ \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6}); \}", css)
    pairs += [("#ffffff", c) for c in re.findall(r"(?<!background: )(?<!-)color: (#[0-9a-f]{6})", css)]
    assert len(pairs) >= 10
    for bg, fg in pairs:
        hi, lo = sorted((_luminance(bg), _luminance(fg)), reverse=True)
        assert (hi + 0.05) / (lo + 0.05) >= 4.5, (bg, fg)


def test_messages_name_the_builds_files_by_their_place_in_the_output_folder(tmp_path):
    from techtrade.build import runner
    r = runner._Run(runner.make_build([2020], 2018, tmp_path, user_data="none", log=lambda *a: None))
    r.originals[str(r.ws / "data/raw/claims.csv")] = "/home/me/claims.csv"
    r.close()
    assert r.unstage(f"No such file: '{r.ws}/data/processed/03_results_2020-vs-2018.json' nor "
                     f"'{r.ws}/data/raw/claims.csv'") == (
        "No such file: 'data/processed/03_results_2020-vs-2018.json' nor '/home/me/claims.csv'")


def test_a_job_that_runs_a_while_says_where_it_is_every_few_seconds(tmp_path):
    import time

    from techtrade.build import runner
    lines = []
    r = runner._Run(runner.make_build([2020], 2018, tmp_path, user_data="none", log=lines.append, progress=0.1))
    r.kernels.cells["03_analysis_2020-vs-2018"] = "cell 5 of 11"
    r.say("building 2020-vs-2018")  # held back until the years are known to be served, or a job is slow

    def slow():
        r.active.update({"03_analysis_2020-vs-2018": (time.perf_counter(), "starting its kernel"),
                         "pdf_2020-vs-2018": (time.perf_counter(), "rendering")})
        time.sleep(0.35)

    try:
        r.run_jobs({"slow": (set(), slow), "then": ({"slow"}, lambda: lines.append("then"))})
    finally:
        r.close()
    assert lines[0] == "building 2020-vs-2018" and lines[-1] == "then"
    assert re.fullmatch(r"  03_analysis_2020-vs-2018: cell 5 of 11, \d s so far", lines[1]), lines
    assert re.fullmatch(r"  pdf_2020-vs-2018: rendering, \d s so far", lines[2]), lines
    assert len(lines) >= 6  # every 0.1 s here (every 5 s by default)


def test_reports_are_built_jobs_at_a_time(fake_project, monkeypatch):
    """--jobs 2: a report's analysis begins once every job of the report two places before it is done."""
    from techtrade.build import runner

    from .conftest import fake_build
    events, job = [], runner._Run.job

    def recorded(self, name, *args):
        events.append(("start", name))
        job(self, name, *args)
        events.append(("end", name))

    monkeypatch.setattr(runner._Run, "job", recorded)
    fake_build(fake_project, years=(2019, 2020, 2021, 2022), jobs=2)
    for year, before in ((2021, 2019), (2022, 2020)):
        begins = events.index(("start", f"03_analysis_{year}-vs-2018"))
        ends = [i for i, (what, name) in enumerate(events) if what == "end" and name.endswith(f"_{before}-vs-2018")]
        assert len(ends) == 5 and max(ends) < begins, events


def test_every_import_a_build_thread_makes_is_loaded_first_one_thread_at_a_time():
    """The functions the build's threads run (kernels, the renderings) import inside them; runner.load must
    have imported each first, under its lock, or two threads importing at once can be handed a half-made
    module (a build failed so about one time in ten). An import added there and not to NEEDS fails here."""
    import ast

    from techtrade.build import runner

    needed = {m for modules in runner.NEEDS.values() for m in modules}
    found = set()
    for rel, package in (("build/kernels.py", "techtrade.build"), ("report/page.py", "techtrade.report"),
                         ("build/render.py", "techtrade.build")):
        tree = ast.parse((stages.ROOT / "techtrade" / rel).read_text())
        for fn in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            for node in ast.walk(fn):
                if isinstance(node, ast.Import):
                    found |= {a.name for a in node.names}
                elif isinstance(node, ast.ImportFrom):
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]) if node.level else ""
                    module = ".".join(p for p in (base, node.module) if p)
                    found |= {f"{module}.{a.name}" if f"{module}.{a.name}" in needed else module for a in node.names}
    assert found and found - needed == set()
    assert {"papermill", "weasyprint", "techtrade.report.story", "jupyter_client.manager"} <= found
