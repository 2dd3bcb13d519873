"""Fake stages, for the build's tests where a kernel is not the point: the real runner, cache and publishing,
with each notebook "run" in-process in a millisecond. A fake stage writes every output it declares, each
naming a digest of exactly what the stage read (its notebook, its parameters, the bytes of its inputs), so a
change anywhere upstream changes every output downstream, as with the real notebooks; the narrative's page
carries the report's text (notebooks/04_narrative.md). The renderings are faked too (no nbconvert, no
WeasyPrint): each names what it renders. ``python -m tests.build.fake ARGS`` is run_report.py with them."""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

from techtrade.build import kernels, publish, runner, stages
from techtrade.report import page

YEARS = {"report": [2019, 2020, 2021, 2022], "base": [2018, 2019, 2020]}
KERNELS: list[str] = []  # what the build asked of its kernels, in order: "start <job>", "run <job>"


def digest(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        path = Path(part) if isinstance(part, str) and part else None
        if path is not None and path.is_dir():
            h.update(b"".join(p.name.encode() + p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()))
        elif path is not None and path.is_file():
            h.update(path.read_bytes())
        else:
            h.update(json.dumps(part, sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def start(self, job, notebook, cwd):
    """Kernels.start, without a kernel."""
    KERNELS.append(f"start {job}")


def run(self, stage, job, notebook, executed, parameters, cwd):
    """Kernels.run, without a kernel."""
    KERNELS.append(f"run {job}")
    ins, outs = parameters["inputs"], parameters["outputs"]
    if ins.get("user_series") and ",abc," in Path(ins["user_series"]).read_text(errors="replace"):
        raise kernels.StageFailed(stage, "DataError", f"{ins['user_series']}, line 2, column 'value_usd_mn': 'abc' is "
                                  "not a plain number", "cell 3 of 9")  # as the ingest stage refuses it
    values = {k: v for k, v in parameters.items() if k not in ("inputs", "outputs")}
    named = Path(ins["user_series"]).name if ins.get("user_series") else ""  # ingest records a user's file name
    mark = digest(stage, str(notebook), values, named, *[ins[r] for r in sorted(ins)])
    for role, out in outs.items():
        out = Path(out)
        if stages.BY_NAME[stage].writes[role].endswith("/"):  # a folder
            out.mkdir(parents=True, exist_ok=True)
            (out / "exports-wide.svg").write_text(f"<svg>{mark}</svg>")
        elif role == "years":
            out.write_text(json.dumps(YEARS))
        elif role == "notes":
            out.write_text("note,rows_not_used\n")
        elif role == "results":
            out.write_text(json.dumps({"report": {"report_year": values["report_year"], "base_year": values["base_year"],
                                                  "top_n": values["top_n"]}, "verdicts": [{"verdict": mark}]}))
        else:
            out.write_text(f"{role}: {mark}\n")
    text = Path(ins["text"]).read_text() if "text" in ins else ""
    Path(executed).write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "source": "", "outputs": [
        {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": f"# {stage}\n\n{text}\n\n{mark}"}}],
        "execution_count": 1}], "metadata": {"cwd": str(cwd)}, "nbformat": 4, "nbformat_minor": 5}))


def write_appendix(executed, path):
    Path(path).write_text(f"appendix of {digest(str(executed))}")


def to_pdf(html, path):
    time.sleep(float(os.environ.get("FAKE_PDF_SECONDS", 0)))  # a PDF that takes this long
    Path(path).write_text(f"PDF of {hashlib.sha256(html.encode()).hexdigest()}")


FAKES = [(kernels.Kernels, "start", start), (kernels.Kernels, "run", run), (page, "write_appendix", write_appendix),
         (page, "to_pdf", to_pdf), (runner, "IMPORTS", {}), (publish, "SAY_AFTER", 0.2)]

if __name__ == "__main__":
    import run_report

    for owner, name, fake in FAKES:
        setattr(owner, name, fake)
    sys.exit(run_report.main(sys.argv[1:]))
