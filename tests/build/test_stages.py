"""The stage table: the one declaration of what each stage reads, writes and takes; the README's layout
table agrees with it; paths by hand and by run_report.py come from it."""
from pathlib import Path

from techtrade.build import stages


def test_each_stage_has_its_notebook_its_package_and_its_tests():
    """A newcomer finds each stage's notebook, the package it leans on and its tests from the names alone."""
    for s in stages.STAGES:
        assert (stages.ROOT / s.notebook).exists()
        assert (stages.ROOT / "techtrade" / s.package / "__init__.py").exists(), s.package
        assert list((stages.ROOT / "tests" / s.package).glob("test_*.py")), s.package
    packages = {p.name for p in (stages.ROOT / "techtrade").iterdir() if (p / "__init__.py").exists()}
    assert packages == {s.package for s in stages.STAGES} | {"build"}


def test_each_stage_reads_only_what_earlier_stages_write_or_the_raw_files():
    written = set(stages.RAW.values()) | {"notebooks/04_narrative.md"}
    for s in stages.STAGES:
        assert set(s.reads.values()) <= written, s.name
        written |= set(s.writes.values())


def test_the_readme_layout_table_is_the_stage_table():
    readme = (stages.ROOT / "README.md").read_text()
    for s in stages.STAGES:
        row = (s.name.split("_", 1)[1], f"`{s.notebook}`", s.what, f"`techtrade/{s.package}/`", f"`tests/{s.package}/`")
        assert "| " + " | ".join(row) + " |" in readme


def test_paths_by_hand_are_the_project_folders(tmp_path, monkeypatch):
    ins, outs = stages.paths("03_analysis", report_year=2021, root=tmp_path)
    assert ins["quantities"] == tmp_path / "data/processed/02_quantities.csv"
    assert outs["results"] == tmp_path / "data/processed/03_results_2021-vs-2018.json"
    assert outs["figures"] == tmp_path / "figures/2021-vs-2018"
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")  # as JupyterLab runs a notebook: from its folder
    ins, _ = stages.paths("01_ingest")
    assert ins["figures"] == tmp_path / "data/raw/tech_exchange_figures.csv"
    assert ins["user_series"] is None  # optional, and absent


def test_paths_given_by_the_runner_win():
    ins, outs = stages.paths("02_clean", {"figures": "/x/a.csv", "wdi": "/x/b.csv"}, {"years": "/y/c.json"})
    assert ins == {"figures": Path("/x/a.csv"), "wdi": Path("/x/b.csv")} and outs == {"years": Path("/y/c.json")}


def test_tags_name_every_parameter_that_shapes_a_report():
    assert stages.tag(2020, 2018) == "2020-vs-2018"
    assert stages.tag(2020, 2018, top_n=3) == "2020-vs-2018_top3"
    assert stages.tag(2021, 2018, variant="with-my-table") == "2021-vs-2018_with-my-table"


def test_a_notebook_run_by_hand_names_its_outputs_for_the_series_the_shared_stages_read(tmp_path):
    """Run by hand, 01_ingest records the series it reads, and per-report outputs are named for it, as
    run_report.py names that report: never under the shipped data's names."""
    (tmp_path / "data" / "raw" / "user").mkdir(parents=True)
    _, outs = stages.paths("03_analysis", root=tmp_path)
    assert outs["results"] == tmp_path / "data/processed/03_results_2020-vs-2018.json"  # nothing recorded
    (tmp_path / stages.RAW["user_series"]).write_text("year,flow,partner,category,value_usd_mn,source\n")
    ins, _ = stages.paths("01_ingest", root=tmp_path)
    assert ins["user_series"] == tmp_path / stages.RAW["user_series"]
    _, outs = stages.paths("03_analysis", root=tmp_path, report_year=2021)
    assert outs["results"] == tmp_path / "data/processed/03_results_2021-vs-2018_with-tech-exchange-series.json"
    assert outs["figures"] == tmp_path / "figures/2021-vs-2018_with-tech-exchange-series"
    (tmp_path / stages.SERIES).write_text('{"variant": "with-my-table"}')  # as a build with --data my_table.csv leaves it
    ins, _ = stages.paths("04_narrative", root=tmp_path)
    assert ins["results"] == tmp_path / "data/processed/03_results_2020-vs-2018_with-my-table.json"
    assert stages.paths("04_narrative", {"results": "/x/r.json"}, {})[0]["results"] == Path("/x/r.json")
