"""The floor for the benchmark: the work of the four notebooks and one PDF per report, in ONE process.

Each notebook's code cells run in one IPython shell (as a kernel would run them: the same code, the same
parameters a build passes, each notebook in a fresh namespace, its tables and figures displayed), then
the report page is made from the narrative's outputs and printed to PDF, as the build does. No kernels,
no papermill, no cache, no executed notebooks, no appendix, no publishing. The outputs are the build's:

    OUT/data/processed/*             what the stages hand on (results JSON, verdicts and numbers CSV ...)
    OUT/figures/<report>/*.svg       the figures
    OUT/reports/<report>/report.html, report.pdf

Usage: python bench/floor.py OUT [--report-year 2020 | 2019-2021] [--base-year 2018] [--data FILE]
(tests/build/test_floor.py checks that these outputs are the build's.)
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from techtrade.build import params, stages
from techtrade.report import page

ROOT = stages.ROOT


def run_notebook(shell, stage: stages.Stage, out: Path, tag: str | None, data: Path | None, **values) -> dict:
    """Run ``stage``'s notebook in ``shell`` with the paths and parameters a build would pass; return it
    with its outputs (as much of an executed notebook as the report page needs)."""

    def where(decl: str) -> str:
        if decl == stages.RAW["user_series"]:
            return str(data or "")
        return str((ROOT if decl.startswith(("data/raw/", "notebooks/")) else out) / stages.resolve(decl, tag))

    injected = {**{p: values[p] for p in stage.params}, "inputs": {r: where(p) for r, p in stage.reads.items()},
                "outputs": {r: where(p) for r, p in stage.writes.items()}}
    for decl in stage.writes.values():
        (out / stages.resolve(decl, tag)).parent.mkdir(parents=True, exist_ok=True)
    shell.reset(new_session=False)  # a fresh namespace, as in a kernel of its own (the imports stay loaded)
    cells = []
    for cell in json.loads((ROOT / stage.notebook).read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        tags = cell["metadata"].get("tags", [])
        code = "".join(cell["source"])
        if "parameters" in tags:  # papermill puts its values in a cell after the parameters cell
            code += "\n" + "".join(f"{k} = {v!r}\n" for k, v in injected.items())
        with capture_output() as shown:
            shell.run_cell(code, store_history=False).raise_error()
        cells.append({"metadata": {"tags": tags}, "outputs": [{"data": o.data} for o in shown.outputs]})
    return {"cells": cells}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--report-year", default="2020")
    ap.add_argument("--base-year", type=int, default=stages.DEFAULTS["base_year"])
    ap.add_argument("--data", type=Path)
    a = ap.parse_args(argv)
    shell = InteractiveShell.instance()
    shared = dict(out=a.out.resolve(), tag=None, data=a.data)
    for s in stages.SHARED:
        run_notebook(shell, s, **shared)
    for year in params.parse_years(a.report_year.split()):
        values = {**stages.DEFAULTS, "report_year": year, "base_year": a.base_year}
        tag = stages.tag(year, a.base_year, values["top_n"], stages.variant(a.data))
        analysis, narrative = stages.PER_YEAR
        run_notebook(shell, analysis, **{**shared, "tag": tag}, **values)
        html = page.report_html(run_notebook(shell, narrative, **{**shared, "tag": tag}, **values))
        report = a.out / "reports" / tag
        report.mkdir(parents=True, exist_ok=True)
        (report / "report.html").write_text(html, encoding="utf-8")
        page.to_pdf(html, report / "report.pdf")


if __name__ == "__main__":
    main()
