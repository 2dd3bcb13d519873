"""Every bad parameter: one line naming it, its value and what is allowed; exit code 2; nothing written."""
import pytest

import run_report
from techtrade import config

FIXTURE = config.ROOT / "tests" / "fixtures" / "synthetic_full_series.csv"


def _run(capsys, tmp_path, *args):
    out = tmp_path / "out"
    code = run_report.main([*args, "--output-dir", str(out)] if "--output-dir" not in args else list(args))
    err = capsys.readouterr().err
    return code, err, out


@pytest.mark.parametrize("args,message", [
    (["--report-year", "2017"], "report_year=2017: no exports figure for that year; available report years: 2018, 2019, 2020, 2021"),
    (["--report-year", "twenty"], "--report-year='twenty': not a year"),
    (["--report-year", "2021-2019"], "--report-year='2021-2019': a range must run forwards"),
    (["--report-year", "2020", "2020"], "--report-year: 2020 given twice"),
    (["--report-year", "2019-2022"], "report_year=2022: no exports figure for that year"),
    (["--base-year", "2005"], "base_year=2005: no exports figure for that year; available base years: 2006, 2018, 2019, 2020"),
    (["--base-year", "20.5"], "--base-year='20.5': not a year"),
    (["--report-year", "2019", "--base-year", "2020"], "base_year=2020: must be before report_year=2019"),
    (["--format", "docx"], "format=docx: unknown; allowed: html, pdf"),
    (["--top-n", "0"], "top_n=0: out of range; allowed: 1 to 20"),
    (["--top-n", "six"], "top_n='six': not a whole number; allowed: 1 to 20"),
    (["--jobs", "0"], "jobs='0': allowed: a whole number from 1 to 8"),
    (["--data", "/nonexistent/series.csv"], "data='/nonexistent/series.csv': file not found"),
    (["--wdi", "/nonexistent/wdi.csv"], "wdi='/nonexistent/wdi.csv': file not found"),
])
def test_bad_parameter(capsys, tmp_path, args, message):
    code, err, out = _run(capsys, tmp_path, *args)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("run_report.py: error: ") and message in err
    assert not out.exists()


def test_unreadable_data_file(capsys, tmp_path):
    f = tmp_path / "series.csv"
    f.write_bytes(b"\xff\xfe\x00garbage")
    code, err, out = _run(capsys, tmp_path, "--data", str(f))
    assert code == 2 and f"{f}, line 1: not UTF-8 text" in err and not out.exists()


def test_data_file_that_is_a_folder(capsys, tmp_path):
    code, err, out = _run(capsys, tmp_path, "--data", str(tmp_path))
    assert code == 2 and "not a file" in err and not out.exists()


def test_output_dir_that_is_a_file(capsys, tmp_path):
    f = tmp_path / "a_file"
    f.write_text("x")
    code, err, _ = _run(capsys, tmp_path, "--output-dir", str(f))
    assert code == 2 and f"output_dir={str(f)!r}: exists and is not a folder" in err
    assert f.read_text() == "x"


def test_unknown_option_is_one_line(capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:
        run_report.main(["--colour", "red"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unrecognized arguments: --colour red" in err


def test_notebook_run_by_hand_checks_its_parameters(tmp_path):
    """The same checks guard a notebook run with papermill -p (or edited in JupyterLab)."""
    import papermill as pm
    with pytest.raises(pm.PapermillExecutionError) as exc:
        pm.execute_notebook(str(config.NOTEBOOKS_DIR / "03_analysis.ipynb"), str(tmp_path / "o.ipynb"),
                            parameters={"top_n": 99, "processed_dir": str(tmp_path)}, cwd=str(config.NOTEBOOKS_DIR),
                            kernel_name="python3", progress_bar=False)
    assert exc.value.ename == "ParameterError" and "top_n=99: out of range" in exc.value.evalue
