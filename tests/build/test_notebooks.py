"""The committed notebooks: clean (no outputs), one typed parameters cell each, paths only from the stage
table, and each runs alone with its defaults, as in JupyterLab."""
import json
import shutil

import pytest

from techtrade.build import stages

NOTEBOOKS = [stages.ROOT / s.notebook for s in stages.STAGES]


def test_the_stages_are_the_notebooks_folder():
    assert sorted(p.name for p in (stages.ROOT / "notebooks").glob("*.ipynb")) == sorted(p.name for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name}: strip outputs"


@pytest.mark.parametrize("stage", stages.STAGES, ids=lambda s: s.name)
def test_one_typed_parameters_cell_with_the_declared_parameters(stage):
    import nbformat
    import papermill as pm

    path = stages.ROOT / stage.notebook
    nb = nbformat.read(str(path), as_version=4)
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1
    params = pm.inspect_notebook(str(path))
    assert sorted(params) == sorted([*stage.params, "inputs", "outputs"])
    assert {p["inferred_type_name"] for p in params.values()} <= {"int", "str", "dict"}
    assert all(params[p]["inferred_type_name"] == type(stages.DEFAULTS[p]).__name__ for p in stage.params)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_name_no_file_of_their_own(path):
    """Every path comes from the stage table (inputs/outputs), so the cache key covers all a stage reads."""
    import nbformat

    code = "\n".join(c.source for c in nbformat.read(str(path), as_version=4).cells if c.cell_type == "code")
    for literal in ("data/", "figures/", ".csv", ".json", "open("):
        assert literal not in code, (path.name, literal)


@pytest.mark.slow
def test_each_notebook_runs_alone_with_its_defaults(tmp_path):
    """In a copy of the project's layout, run from its notebooks folder as JupyterLab does, one after another."""
    import nbformat
    import papermill as pm

    shutil.copytree(stages.ROOT / "data" / "raw", tmp_path / "data" / "raw", ignore=shutil.ignore_patterns("user"))
    shutil.copytree(stages.ROOT / "notebooks", tmp_path / "notebooks")
    for path in NOTEBOOKS:
        pm.execute_notebook(str(tmp_path / "notebooks" / path.name), str(tmp_path / f"executed-{path.name}"),
                            cwd=str(tmp_path / "notebooks"), kernel_name="python3", progress_bar=False)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")
                     if p.is_file() and p.parts[len(tmp_path.parts)] in ("data", "figures")
                     and "raw" not in p.parts)
    declared = [stages.resolve(p, "2020-vs-2018") for s in stages.STAGES for p in s.writes.values()] + [stages.SERIES]
    assert [w for w in written if not any(w.startswith(d) for d in declared)] == []
    assert sorted(p.name for p in (tmp_path / "figures" / "2020-vs-2018").iterdir())[:2] == ["exports-narrow.svg",
                                                                                          "exports-wide.svg"]
    narrative = nbformat.read(str(tmp_path / "executed-04_narrative.ipynb"), as_version=4)
    outputs = [o for c in narrative.cells for o in c.get("outputs", [])]
    markdown = "".join(o.get("data", {}).get("text/markdown", "") for o in outputs)
    assert markdown.startswith("# Russia\u2019s technology exports, 2018 to 2020")
    assert sum('class="verdicts' in o.get("data", {}).get("text/html", "") for o in outputs) == 1
