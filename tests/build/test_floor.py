"""The benchmark's floor (bench/floor.py) does the build's work: from the same inputs it makes the same
results, tables, figures, report page and PDF, so the build's ratio to it is honest."""
import re
import subprocess
import sys

import pytest

from techtrade.build import stages

TAG = "2020-vs-2018"


def normalised(html: str) -> str:
    """The page without what may differ between two runs of the same inputs: element ids, ISO dates."""
    return re.sub(r'\bid="[^"]*"|\d{4}-\d{2}-\d{2}(T[\d:.+Z-]+)?', "", html)


@pytest.mark.slow
def test_the_floor_makes_what_the_build_makes(built_2020, tmp_path):
    from pypdf import PdfReader

    out, files, _ = built_2020
    subprocess.run([sys.executable, str(stages.ROOT / "bench" / "floor.py"), str(tmp_path)], check=True)
    report, processed = out / "reports" / TAG, tmp_path / "data" / "processed"
    for name in ("verdicts", "numbers"):
        assert (processed / f"03_{name}_{TAG}.csv").read_bytes() == (report / f"{name}.csv").read_bytes(), name
    results = f"data/processed/03_results_{TAG}.json"
    assert (tmp_path / results).read_bytes() == (out / results).read_bytes()
    figures = {p.name: p.read_bytes() for p in (out / "figures" / TAG).iterdir()}
    assert len(figures) == 8 and {p.name: p.read_bytes() for p in (tmp_path / "figures" / TAG).iterdir()} == figures
    page = (tmp_path / "reports" / TAG / "report.html").read_text()
    assert "The verdicts, claim by claim" in page and normalised(page) == normalised(files["report.html"].read_text())
    pdfs = [PdfReader(str(p)).pages for p in (tmp_path / "reports" / TAG / "report.pdf", files["report.pdf"])]
    assert [p.extract_text() for p in pdfs[0]] == [p.extract_text() for p in pdfs[1]]
