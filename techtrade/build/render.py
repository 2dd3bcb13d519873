"""What the build makes from a report's notebooks (stages.MADE), each called with what it reads and writes,
by role: the page, its PDF and the appendix (techtrade/report/page.py), and the report's data files."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..atomic import write_atomic
from ..report import page


def html(ins: dict, outs: dict) -> None:
    write_atomic(outs["page"], page.report_html(ins["notebook"]))


def pdf(ins: dict, outs: dict) -> None:
    page.to_pdf(page.report_html(ins["notebook"]), outs["page"])


def appendix(ins: dict, outs: dict) -> None:
    page.write_appendix(ins["notebook"], outs["page"])


def files(ins: dict, outs: dict) -> None:
    """A report's data files: the analysis's verdicts.csv and numbers.csv, verdicts.json, the data package;
    and its title (as its page has it, a user's series named), for its manifest."""
    from ..report import package
    from ..report.story import full_title

    for name in ("verdicts", "numbers"):
        shutil.copyfile(ins[name], outs[f"{name}.csv"])
    data = json.loads(Path(ins["results"]).read_text())
    write_atomic(outs["verdicts.json"], json.dumps({k: data[k] for k in ("report", "verdicts") if k in data}, indent=1,
                                                   ensure_ascii=False))
    write_atomic(outs["title"], full_title(data))
    package.write(outs["datapackage.json"].parent, outs["title"].read_text())
