"""Every bad parameter: one line naming it, its value and what is allowed; exit code 2; nothing published.
Parameters that need no data are checked before anything runs or prints; the years, against what the
data hold, right after the shared stages (reused from the cache when the inputs are unchanged), and
nothing is printed before that line either."""
import os

import pytest

import run_report
from techtrade.build import stages
from techtrade.config import THIS_YEAR


def _run(capsys, out, *args):
    """run_report.py with ``args`` (not quiet): its exit code and stderr; nothing may be printed on stdout."""
    code = run_report.main([*args, "--output-dir", str(out), "--data", "none"])
    printed = capsys.readouterr()
    assert printed.out == ""
    return code, printed.err


@pytest.mark.parametrize("args,message", [
    (["--report-year", "twenty"], "--report-year='twenty': not a year"),
    (["--report-year", "\uff12\uff10\uff12\uff10"], "--report-year='\uff12\uff10\uff12\uff10': not a year"),
    (["--report-year", "2021-2019"], "--report-year='2021-2019': a range must run forwards"),
    (["--report-year", "2020", "2020"], "--report-year: 2020 given twice"),
    (["--base-year", "20.5"], "--base-year='20.5': not a year"),
    (["--format", "docx"], "format=docx: unknown; allowed: html, pdf"),
    (["--top-n", "0"], "top_n='0': allowed: a whole number from 1 to 20"),
    (["--top-n", "six"], "top_n='six': allowed: a whole number from 1 to 20"),
    (["--top-n", "\uff16"], "top_n='\uff16': allowed: a whole number from 1 to 20"),
    (["--jobs", "0"], "jobs='0': allowed: a whole number from 1 to 8"),
    (["--wdi", "/nonexistent/wdi.csv"], "wdi='/nonexistent/wdi.csv': file not found"),
    (["--report-year", "2015"], "base_year=2018: must be before report_year=2015"),
    (["--report-year", "2019", "--base-year", "2020"], "base_year=2020: must be before report_year=2019"),
    (["--report-year", "2099"], f"report_year=2099: out of range; allowed: 1990 to {THIS_YEAR}"),
    (["--report-year", "1985", "--base-year", "1980"], "report_year=1985: out of range; allowed: 1990 to"),
    (["--timeout", "0"], "timeout='0': allowed: a number of seconds above 0, at most 86400"),
    (["--timeout", "ten"], "timeout='ten': allowed: a number of seconds"),
    (["--reviewer-url", "javascript:alert(1)"], "reviewer_url='javascript:alert(1)': allowed: an address starting"),
    (["--site-url", "example.org/report"], "site_url='example.org/report': allowed: an address starting with http"),
    (["--reviewer", "two\nlines"], "reviewer='two\\nlines': allowed: one line of text, at most 200 characters"),
])
def test_bad_parameter_before_anything_runs(capsys, tmp_path, args, message):
    code, err = _run(capsys, tmp_path / "out", *args)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("run_report.py: error: ") and message in err
    assert not (tmp_path / "out").exists()


def test_missing_data_file(capsys, tmp_path):
    code = run_report.main(["--data", "/nonexistent/series.csv", "--output-dir", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and err == "run_report.py: error: data='/nonexistent/series.csv': file not found\n"


def test_data_file_that_is_a_folder(capsys, tmp_path):
    code = run_report.main(["--data", str(tmp_path), "--output-dir", str(tmp_path / "o")])
    assert code == 2 and "not a file" in capsys.readouterr().err and not (tmp_path / "o").exists()


@pytest.mark.parametrize("where,message", [
    ("", "output_dir='': empty"),
    ("/", "output_dir='/': the file-system root"),
    ("data/raw/out", "which the build reads"),
    ("notebooks", "which the build reads"),
    ("/proc/techtrade-test/out", "cannot be made"),
    ("/tmp/" + "x" * 300 + "/out", "a name in the path is too long"),
])
def test_output_folders_that_cannot_or_must_not_be_used(capsys, where, message):
    target = str(stages.ROOT / where) if where and not where.startswith("/") else where
    code = run_report.main(["--output-dir", target, "--data", "none", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err, err
    assert not (stages.ROOT / "data" / "raw" / "out").exists()


def test_output_dir_that_is_a_file(capsys, tmp_path):
    f = tmp_path / "a_file"
    f.write_text("x")
    code, err = _run(capsys, f)
    assert code == 2 and f"output_dir={str(f)!r}: exists and is not a folder" in err
    assert f.read_text() == "x"


def test_unknown_option_is_one_line(capsys):
    with pytest.raises(SystemExit) as exc:
        run_report.main(["--colour", "red"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unrecognized arguments: --colour red" in err


@pytest.mark.slow
@pytest.mark.parametrize("args,message", [
    (["--report-year", "2017", "--base-year", "2015"], "report_year=2017: no exports figure for that year; "
                                "available report years: 2011, 2012, 2013, 2014, 2015, 2018, 2019, 2020, 2021"),
    (["--report-year", "2019-2022"], "report_year=2022: no exports figure for that year"),
    (["--base-year", "2005"], "base_year=2005: no exports figure for that year; available base years: "
                              "2006, 2011, 2012, 2013, 2014, 2015, 2018, 2019, 2020"),
])
def test_years_the_data_cannot_serve(capsys, project, args, message):
    root = project
    out = root / "out"
    before = {p: p.read_bytes() for p in (out / "reports").rglob("*") if p.is_file()}
    code, err = _run(capsys, out, *args)
    assert code == 2 and err.count("\n") == 1 and message in err
    assert {p: p.read_bytes() for p in (out / "reports").rglob("*") if p.is_file()} == before
    assert os.listdir(out / "build" / "tmp") == []


@pytest.mark.slow
def test_notebook_run_by_hand_checks_its_parameters(tmp_path):
    """The same checks guard a notebook run with papermill -p (or edited in JupyterLab)."""
    import papermill as pm
    with pytest.raises(pm.PapermillExecutionError) as exc:
        pm.execute_notebook(str(stages.ROOT / "notebooks" / "03_analysis.ipynb"), str(tmp_path / "o.ipynb"),
                            parameters={"top_n": 99}, cwd=str(tmp_path), kernel_name="python3", progress_bar=False)
    assert exc.value.ename == "ParameterError" and "top_n='99': allowed: a whole number from 1 to 20" in exc.value.evalue


@pytest.mark.parametrize("jobs", [0, 9, True, "2.5", "\uff12"])
def test_make_build_checks_jobs_as_the_command_line_does(tmp_path, jobs):
    from techtrade.build import runner
    from techtrade.errors import ParameterError

    with pytest.raises(ParameterError, match=r"^jobs=.*: allowed: a whole number from 1 to 8$"):
        runner.make_build([2020], 2018, tmp_path / "out", user_data="none", jobs=jobs)
    assert runner.make_build([2020], 2018, tmp_path / "out", user_data="none", jobs="3").jobs == 3


def test_the_notebooks_parameters_cells_have_the_declared_defaults():
    """Parameter defaults are declared once (stages.DEFAULTS): each notebook's parameters cell says the same,
    for the parameters its stage takes."""
    import ast
    import json

    for s in stages.STAGES:
        nb = json.loads((stages.ROOT / s.notebook).read_text())
        [cell] = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
        declared = {n.target.id: ast.literal_eval(n.value) for n in ast.parse("".join(cell["source"])).body
                    if isinstance(n, ast.AnnAssign)}
        assert {k: v for k, v in declared.items() if k in stages.DEFAULTS} == {p: stages.DEFAULTS[p] for p in s.params}
        assert set(declared) == set(s.params) | {"inputs", "outputs"}, s.name
