"""The committed notebooks: clean (no outputs), one parameters cell each, and each runs alone with its defaults."""
import json
import shutil

import nbformat
import papermill as pm
import pytest

from techtrade import config
from techtrade.pipeline import STAGES

NOTEBOOKS = [config.NOTEBOOKS_DIR / f"{s}.ipynb" for s in STAGES]


def test_the_four_stages_are_the_notebooks_folder():
    assert sorted(p.name for p in config.NOTEBOOKS_DIR.glob("*.ipynb")) == [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name}: strip outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exactly_one_parameters_cell(path):
    nb = nbformat.read(str(path), as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    params = pm.inspect_notebook(str(path))
    assert "processed_dir" in params


@pytest.mark.slow
def test_each_notebook_runs_alone_with_its_defaults(tmp_path):
    """In a copy of the repository layout, as a user in JupyterLab would run them, one after another."""
    shutil.copytree(config.RAW_DIR, tmp_path / "data" / "raw")
    shutil.copytree(config.NOTEBOOKS_DIR, tmp_path / "notebooks")
    for path in NOTEBOOKS:
        out = tmp_path / "executed" / path.name
        out.parent.mkdir(exist_ok=True)
        pm.execute_notebook(str(tmp_path / "notebooks" / path.name), str(out), cwd=str(tmp_path / "notebooks"),
                            kernel_name="python3", progress_bar=False)
    processed = sorted(p.name for p in (tmp_path / "data" / "processed").iterdir())
    assert processed == sorted([*config.INGESTED.values(), *config.CLEANED.values(),
                                *config.analysis_outputs(2020, 2018).values()])
    figures = sorted(p.name for p in (tmp_path / "figures").iterdir())
    assert figures == sorted(f"fig_{n}_2020-vs-2018.{e}" for n in ("exports", "trade", "partners", "wdi")
                             for e in ("png", "svg"))
    narrative = nbformat.read(str(tmp_path / "executed" / "04_narrative.ipynb"), as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in narrative.cells for o in c.get("outputs", []))
    assert 'class="verdicts"' in html and html.count('<figure class="fig">') == 4
