"""Running the four notebooks with papermill, rendering, and publishing the outputs atomically.

Used by run_report.py (the command line) and by the integration tests. The outputs of a build
(data/processed, figures, reports/<report>-vs-<base>/) are made in a staging folder inside the
output folder and moved into place only when every stage and every render succeeded: a failed or
interrupted build leaves the previous report as it was.
"""
from __future__ import annotations

import html
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from . import config

STAGES = ("01_ingest", "02_clean", "03_analysis", "04_narrative")
FORMATS = ("html", "pdf")


def _ipc_kernel_manager():
    """Kernels talk to us over local sockets (no TCP ports, no 'running over TCP' warning)."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc"

    return IPCKernelManager


class BuildError(RuntimeError):
    """A stage or a render failed. The message says which, where, and where the notebook was kept."""


@dataclass
class Build:
    report_year: int
    base_year: int
    output_dir: Path
    formats: tuple[str, ...] = FORMATS
    raw_dir: Path = config.RAW_DIR
    log: callable = print
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def tag(self) -> str:
        return config.run_tag(self.report_year, self.base_year)

    def stage_parameters(self, stage: str, staging: Path) -> dict:
        processed = str(staging / "data" / "processed")
        years = {"report_year": self.report_year, "base_year": self.base_year}
        return {
            "01_ingest": {"raw_dir": str(self.raw_dir), "processed_dir": processed},
            "02_clean": {"processed_dir": processed},
            "03_analysis": {**years, "processed_dir": processed, "figures_dir": str(staging / "figures")},
            "04_narrative": {**years, "processed_dir": processed},
        }[stage]


def check_parameters(report_year, base_year, formats, raw_dir=config.RAW_DIR) -> None:
    """Raise ParameterError (one line) for anything the build cannot serve, before any kernel starts."""
    from .evidence import build_quantities, figure_intervals
    from .dataset import load_raw
    from .metrics import ParameterError, check_years

    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ParameterError(f"format={','.join(bad) or '(none)'}: unknown; allowed: {', '.join(FORMATS)}")
    raw = load_raw(raw_dir)
    check_years(build_quantities(figure_intervals(raw["figures"])), report_year, base_year)


def run(build: Build) -> dict[str, Path]:
    """Execute the stages, render, and publish. Returns the published report files."""
    import papermill as pm

    out = Path(build.output_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".staging-{uuid.uuid4().hex[:8]}"
    executed = staging / "reports" / build.tag / "executed"
    executed.mkdir(parents=True)
    current = "setup"
    try:
        for i, stage in enumerate(STAGES, 1):
            current = stage
            t0 = time.perf_counter()
            build.log(f"[{i}/{len(STAGES)}] {stage} ...")
            try:
                pm.execute_notebook(str(config.NOTEBOOKS_DIR / f"{stage}.ipynb"), str(executed / f"{stage}.ipynb"),
                                    parameters=build.stage_parameters(stage, staging), cwd=str(config.NOTEBOOKS_DIR),
                                    kernel_name="python3", progress_bar=False, log_output=False,
                                    kernel_manager_class=_ipc_kernel_manager())
            except pm.PapermillExecutionError as exc:
                kept = _keep_failed(executed, out, build.tag)
                first_line = str(exc.evalue).strip().splitlines()[0] if str(exc.evalue).strip() else ""
                raise BuildError(f"{stage} failed in {_failed_cell(kept / (stage + '.ipynb'))} "
                                 f"({exc.ename}: {first_line}); executed notebook kept at "
                                 f"{kept / (stage + '.ipynb')}") from None
            build.timings[stage] = time.perf_counter() - t0
            build.log(f"      done in {build.timings[stage]:.1f} s")
        current = "render"
        files = _render(build, staging, executed)
        current = "publish"
        published = _publish(staging, out, build.tag, files)
        write_index(out / "reports")
        return published
    except BuildError:
        raise
    except BaseException as exc:
        if isinstance(exc, Exception):
            kept = _keep_failed(executed, out, build.tag)
            raise BuildError(f"{current} failed ({type(exc).__name__}: {exc}); "
                             f"executed notebooks kept in {kept}") from exc
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _render(build: Build, staging: Path, executed: Path) -> list[str]:
    from .render import to_html, to_pdf

    report_dir = staging / "reports" / build.tag
    title = f"Russian technology exports, {build.base_year}-{build.report_year}: the claims checked"
    t0 = time.perf_counter()
    page = to_html(executed / "04_narrative.ipynb", title=title)
    files = []
    if "html" in build.formats:
        (report_dir / "report.html").write_text(page, encoding="utf-8")
        appendix = to_html(executed / "03_analysis.ipynb", show_code=True,
                           title=f"Appendix: the analysis notebook ({build.tag})")
        (report_dir / "appendix-analysis.html").write_text(appendix, encoding="utf-8")
        files += ["report.html", "appendix-analysis.html"]
    build.timings["render html"] = time.perf_counter() - t0
    build.log(f"      HTML rendered in {build.timings['render html']:.1f} s")
    if "pdf" in build.formats:
        t0 = time.perf_counter()
        to_pdf(page, report_dir / "report.pdf", base_url=report_dir)
        build.timings["render pdf"] = time.perf_counter() - t0
        build.log(f"      PDF rendered in {build.timings['render pdf']:.1f} s")
        files.append("report.pdf")
    return files


def _publish(staging: Path, out: Path, tag: str, files: list[str]) -> dict[str, Path]:
    """Move the staged outputs into place: files one by one (os.replace), the report folder whole."""
    for sub in ("data/processed", "figures"):
        src, dst = staging / sub, out / sub
        dst.mkdir(parents=True, exist_ok=True)
        for f in sorted(src.iterdir()):
            os.replace(f, dst / f.name)
    reports = out / "reports"
    reports.mkdir(exist_ok=True)
    target = reports / tag
    old = reports / f".old-{tag}-{uuid.uuid4().hex[:6]}"
    if target.exists():
        os.replace(target, old)
    os.replace(staging / "reports" / tag, target)
    shutil.rmtree(old, ignore_errors=True)
    return {f: target / f for f in files}


def _failed_cell(executed_notebook: Path) -> str:
    """'cell 3 of 9': the failing cell, numbered as in the notebook in notebooks/ (not counting the
    cells papermill adds: injected parameters and its error banner)."""
    import nbformat

    try:
        nb = nbformat.read(str(executed_notebook), as_version=4)
    except Exception:  # the notebook could not be saved: say what we can
        return "a cell"
    added = {"injected-parameters", "papermill-error-cell-tag"}
    cells = [c for c in nb.cells if not added & set(c.metadata.get("tags", []))]
    for i, cell in enumerate(cells, 1):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return f"cell {i} of {len(cells)}"
    return "a cell"


def _keep_failed(executed: Path, out: Path, tag: str) -> Path:
    """Copy a failed build's executed notebooks to build/failed/<tag>/ so the failure can be read."""
    kept = out / "build" / "failed" / tag
    shutil.rmtree(kept, ignore_errors=True)
    kept.mkdir(parents=True, exist_ok=True)
    if executed.exists():
        for f in executed.glob("*.ipynb"):
            shutil.copy2(f, kept / f.name)
    return kept


def write_index(reports_dir: Path) -> Path:
    """reports/index.html: a link to every report built into this folder."""
    items = []
    for d in sorted(p for p in reports_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        links = [f'<a href="{html.escape(d.name)}/{f}">{f}</a>' for f in
                 ("report.html", "report.pdf", "appendix-analysis.html") if (d / f).exists()]
        if links:
            items.append(f"<li><b>{html.escape(d.name.replace('-vs-', ' against '))}</b>: {' · '.join(links)}</li>")
    page = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Reports</title>"
            "<style>body{font-family:'DejaVu Sans',sans-serif;max-width:40rem;margin:2rem auto;line-height:1.6}"
            "</style></head><body><h1>Russian technology exports: reports</h1><ul>"
            + "".join(items) + "</ul></body></html>")
    path = reports_dir / "index.html"
    tmp = reports_dir / f".index-{uuid.uuid4().hex[:6]}.html"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)
    return path
