"""Running the four notebooks with papermill, rendering, and publishing the outputs atomically.

Used by run_report.py (the command line), the benchmark and the integration tests.

- Stages 01 (ingest) and 02 (clean) do not depend on the years: a sweep over several report years
  runs them once; 03 (analysis) and 04 (narrative) run once per report year, two at a time.
- Incremental: a stage runs again only when its notebook, its parameters, its input files or the
  ``techtrade`` module changed (content hashes, recorded in ``build/cache/``); otherwise its
  published outputs are reused as they are. ``force=True`` runs everything.
- Atomic: everything is made in a staging folder inside the output folder and moved into place
  only when every stage and every render succeeded. A failed or interrupted build leaves the
  previous outputs as they were, and removes its staging folder.
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import config

# jsonschema (under nbformat, under papermill) imports the optional rfc3987_syntax when present, which
# compiles a grammar at import: 1.1 s on every build. Notebooks never need IRI checks: skip it here.
sys.modules.setdefault("rfc3987_syntax", None)

STAGES = ("01_ingest", "02_clean", "03_analysis", "04_narrative")
SHARED = ("01_ingest", "02_clean")          # independent of the years: run once per build
FORMATS = ("html", "pdf")
PACKAGE = Path(__file__).resolve().parent


class BuildError(RuntimeError):
    """A stage or a render failed. The message says which, where, and where the notebook was kept."""


@dataclass
class Build:
    """What to build. Construct through :func:`make_build` to have every parameter checked."""

    report_years: list[int]
    base_year: int
    output_dir: Path
    formats: tuple[str, ...] = FORMATS
    raw_dir: Path = config.RAW_DIR
    user_data: Path | None = None
    wdi_file: Path | None = None
    top_n: int = 6
    force: bool = False
    jobs: int = 2
    log: callable = print
    timings: dict[str, float] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    pool: "KernelPool" = field(default_factory=lambda: KernelPool())
    code: str = ""  # code_hash() of the techtrade module, taken once per build

    def tag(self, year: int) -> str:
        return config.run_tag(year, self.base_year)


def make_build(report_years, base_year, output_dir, formats=FORMATS, raw_dir=config.RAW_DIR,
               user_data="auto", wdi_file=None, top_n=6, **kw) -> Build:
    """Check every parameter (one-line ParameterError / DataError) before anything runs or is written."""
    from . import params

    years = params.parse_years(report_years) if not all(isinstance(y, int) for y in report_years) \
        else list(report_years)
    if isinstance(base_year, bool) or not isinstance(base_year, int):
        base_year = params.parse_years([str(base_year)], "--base-year")[0]
    formats = params.check_formats(formats)
    top_n = params.check_top_n(top_n)
    out = params.check_output_dir(output_dir)
    user = params.resolve_user_data(user_data, raw_dir)
    if user is not None:
        user = params.check_input_file(user, "data")
    if wdi_file:
        wdi_file = params.check_input_file(wdi_file, "wdi")
    build = Build(years, base_year, out, formats, Path(raw_dir), user, wdi_file, top_n, code=code_hash(), **kw)
    # Validating the raw files means importing pandas and pandera (about a second): skip it when the
    # same files and parameters passed the same checks, with the same code, before.
    inputs = _stage_inputs(build, "01_ingest", out, None)
    key = hashlib.sha256(json.dumps([[f.name, _sha(f)] for f in inputs] + [years, base_year, build.code])
                         .encode()).hexdigest()
    cache = Cache(out)
    if build.force or cache.lookup("check", key, out) is None:
        from .dataset import load_raw
        from .evidence import build_quantities, figure_intervals

        # the kernels of the first stages boot while the raw files are checked
        if build.force or cache.lookup("01_ingest", _stage_key(build, "01_ingest", out, None, build.code),
                                       out) is None:
            for stage in SHARED:
                build.pool.prelaunch(stage, stage)
        try:
            raw = load_raw(raw_dir, user_data=user or "none", wdi_file=wdi_file)
            params.check_years_available(build_quantities(figure_intervals(raw["figures"])), years, base_year)
        except BaseException:
            build.pool.close()  # nothing ran, nothing is left running
            raise
        cache.store("check", key, {})
    return build


# ---------------------------------------------------------------------------------------------
# Hashing and the stage cache
# ---------------------------------------------------------------------------------------------
def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def code_hash() -> str:
    """The techtrade module and its templates: a change to them can change any output."""
    h = hashlib.sha256()
    for p in sorted(PACKAGE.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".j2", ".css", ".json"):
            h.update(p.relative_to(PACKAGE).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


class Cache:
    """build/cache/<job>.json: the key a job ran with and the hashes of what it published."""

    def __init__(self, out: Path):
        self.dir = out / "build" / "cache"

    def _path(self, job: str) -> Path:
        return self.dir / f"{job}.json"

    def lookup(self, job: str, key: str, out: Path) -> dict | None:
        try:
            rec = json.loads(self._path(job).read_text())
        except (OSError, ValueError):
            return None
        if rec.get("key") != key:
            return None
        for rel, digest in rec["outputs"].items():
            p = out / rel
            if not p.is_file() or _sha(p) != digest:
                return None  # a published output was changed or removed: run again
        if rec.get("notebook") and not (out / rec["notebook"]).is_file():
            return None
        return rec

    def store(self, job: str, key: str, outputs: dict[str, str], notebook: str | None = None) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / f".{job}.{uuid.uuid4().hex[:6]}"
        tmp.write_text(json.dumps({"key": key, "outputs": outputs, "notebook": notebook}, indent=1, sort_keys=True))
        os.replace(tmp, self._path(job))

    def notebook_path(self, stage: str) -> Path:
        """Where a shared stage's executed notebook is kept for reuse (per-year ones stay in reports/)."""
        return self.dir / "executed" / f"{stage}.ipynb"


# ---------------------------------------------------------------------------------------------
# Stages: parameters, inputs, outputs (paths relative to the output folder / staging folder)
# ---------------------------------------------------------------------------------------------
PROCESSED = "data/processed"


def _stage_parameters(build: Build, stage: str, staging: Path, year: int | None) -> dict:
    processed = str(staging / PROCESSED)
    years = {"report_year": year, "base_year": build.base_year}
    return {
        "01_ingest": {"raw_dir": str(build.raw_dir), "processed_dir": processed,
                      "user_data": str(build.user_data) if build.user_data else "none",
                      "wdi_file": str(build.wdi_file) if build.wdi_file else ""},
        "02_clean": {"processed_dir": processed},
        "03_analysis": {**years, "processed_dir": processed, "figures_dir": str(staging / "figures"),
                        "top_n": build.top_n},
        "04_narrative": {**years, "processed_dir": processed, "figures_dir": str(staging / "figures")},
    }[stage]


def _stage_inputs(build: Build, stage: str, staging: Path, year: int | None) -> list[Path]:
    p = staging / PROCESSED
    if stage == "01_ingest":
        files = [build.raw_dir / f for f in (config.SOURCES_FILE, config.FIGURES_FILE, config.CLAIMS_FILE)]
        files.append(build.wdi_file or build.raw_dir / config.WDI_FILE)
        return files + ([build.user_data] if build.user_data else [])
    if stage == "02_clean":
        return [p / n for n in config.INGESTED.values()]
    if stage == "03_analysis":
        return [p / n for n in config.CLEANED.values()] + [p / config.INGESTED["claims"], p / config.INGESTED["sources"]]
    tag = build.tag(year)
    return ([p / n for n in config.analysis_outputs(year, build.base_year).values()]
            + [p / config.CLEANED["quantities"], p / config.CLEANED["wdi"], p / config.INGESTED["sources"]]
            + sorted((staging / "figures").glob(f"fig_*_{tag}.*")))


def _stage_outputs(build: Build, stage: str, staging: Path, year: int | None) -> list[str]:
    if stage == "01_ingest":
        return [f"{PROCESSED}/{n}" for n in config.INGESTED.values()]
    if stage == "02_clean":
        return [f"{PROCESSED}/{n}" for n in config.CLEANED.values()]
    if stage == "03_analysis":
        tag = build.tag(year)
        figs = sorted(f"figures/{f.name}" for f in (staging / "figures").glob(f"fig_*_{tag}.*"))
        return [f"{PROCESSED}/{n}" for n in config.analysis_outputs(year, build.base_year).values()] + figs
    return []


def _stage_key(build: Build, stage: str, staging: Path, year: int | None, code: str) -> str:
    h = hashlib.sha256()
    h.update(stage.encode())
    h.update((config.NOTEBOOKS_DIR / f"{stage}.ipynb").read_bytes())
    location_free = {k: v for k, v in _stage_parameters(build, stage, staging, year).items()
                     if not k.endswith(("_dir", "user_data", "wdi_file"))}
    h.update(json.dumps(location_free, sort_keys=True).encode())
    for f in _stage_inputs(build, stage, staging, year):
        h.update(f.name.encode())
        h.update(_sha(f).encode() if f.exists() else b"missing")
    h.update(code.encode())
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------
def _ipc_kernel_manager():
    """Kernels talk to us over local sockets (no TCP ports, no 'running over TCP' warning)."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc"

        @default("ip")
        def _default_ip(self):
            # one socket path prefix per kernel, so kernels running side by side never share a socket
            import tempfile
            return os.path.join(tempfile.gettempdir(), f"techtrade-kernel-{uuid.uuid4().hex[:12]}")

    return IPCKernelManager


_preload_lock = threading.Lock()
_preloaded: list[threading.Thread] = []


def _preload_renderers() -> None:
    """Import nbconvert and WeasyPrint in the background (about a second) while kernels work, so that
    rendering does not wait for them. Once per process; only when some stage actually runs."""
    with _preload_lock:
        if not _preloaded:
            def load():
                import nbconvert  # noqa: F401
                import weasyprint  # noqa: F401
            t = threading.Thread(target=load, daemon=True, name="preload-renderers")
            t.start()
            _preloaded.append(t)


class KernelPool:
    """Kernels started ahead of their stage, each importing what that stage needs as it boots
    (techtrade/warm.py), so that start-up overlaps the work before it. Every stage gets a fresh
    kernel of its own: nothing leaks from one notebook to the next. A kernel is started only once
    a stage is known to run (a rebuild that reuses every stage starts none)."""

    def __init__(self):
        self.ready: dict[str, object] = {}
        self.running: set = set()
        self.lock = threading.Lock()

    @staticmethod
    def _launch(stage: str):
        from jupyter_core.utils import run_sync

        km = _ipc_kernel_manager()(kernel_name="python3")
        warm = f"import techtrade.warm; techtrade.warm.import_for({stage!r})"
        run_sync(km.start_kernel)(cwd=str(config.NOTEBOOKS_DIR), extra_arguments=[f"--IPKernelApp.exec_lines={warm}"])
        return km

    def prelaunch(self, job: str, stage: str) -> None:
        with self.lock:
            if job not in self.ready:
                self.ready[job] = self._launch(stage)

    def take(self, job: str, stage: str):
        with self.lock:
            km = self.ready.pop(job, None)
        km = km if km is not None else self._launch(stage)
        with self.lock:
            self.running.add(km)
        return km

    @staticmethod
    def stop(km) -> None:
        from jupyter_core.utils import run_sync

        try:
            run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # already gone
            pass

    def release(self, km) -> None:
        with self.lock:
            self.running.discard(km)
        self.stop(km)

    def close(self) -> None:
        """Stop every kernel: spares, and (after an interruption) those still running a stage."""
        with self.lock:
            kms = list(self.ready.values()) + list(self.running)
            self.ready, self.running = {}, set()
        for km in kms:
            self.stop(km)


class _Runner:
    def __init__(self, build: Build, out: Path, staging: Path):
        self.build, self.out, self.staging = build, out, staging
        self.cache = Cache(out)
        self.code = build.code or code_hash()
        self.records: dict[str, tuple[str, dict[str, str]]] = {}
        self.lock = threading.Lock()
        self.pool = build.pool

    def executed_dir(self, year: int) -> Path:
        return self.staging / "reports" / self.build.tag(year) / "executed"

    def job(self, stage: str, year: int | None) -> str:
        return stage if year is None else f"{stage}_{self.build.tag(year)}"

    def stage(self, stage: str, year: int | None, executed: Path) -> None:
        """Run one stage, or reuse its published outputs when nothing it depends on changed."""
        b, job = self.build, self.job(stage, year)
        t0 = time.perf_counter()
        key = _stage_key(b, stage, self.staging, year, self.code)
        rec = None if b.force else self.cache.lookup(job, key, self.out)
        if rec is not None:
            for rel in rec["outputs"]:
                dst = self.staging / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(self.out / rel, dst)
            executed.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.out / rec["notebook"], executed / f"{stage}.ipynb")
            what = "reused"
        else:
            self._execute(stage, year, executed)
            what = "ran"
        outputs = {rel: _sha(self.staging / rel) for rel in _stage_outputs(b, stage, self.staging, year)}
        with self.lock:
            self.records[job] = (key, outputs)
            (b.ran if what == "ran" else b.reused).append(job)
            b.timings[job] = time.perf_counter() - t0
        b.log(f"  {job}: {what} ({b.timings[job]:.1f} s)")

    def _execute(self, stage: str, year: int | None, executed: Path) -> None:
        km = self.pool.take(self.job(stage, year), stage)  # before the imports below: it boots meanwhile
        if stage not in SHARED:
            _preload_renderers()  # the main process waits on the kernel now: a good time to import them
        nxt = _next_stage(stage)
        if nxt is not None:  # the stage after this one will most likely have to run too
            years = [year] if year is not None else self.build.report_years[: self.build.jobs]
            for y in years:
                self.pool.prelaunch(self.job(nxt, y if nxt not in SHARED else None), nxt)
        import papermill as pm

        executed.mkdir(parents=True, exist_ok=True)
        target = executed / f"{stage}.ipynb"
        try:
            pm.execute_notebook(str(config.NOTEBOOKS_DIR / f"{stage}.ipynb"), str(target),
                                parameters=_stage_parameters(self.build, stage, self.staging, year),
                                cwd=str(config.NOTEBOOKS_DIR), kernel_name="python3", progress_bar=False,
                                log_output=False, km=km, request_save_on_cell_execute=False)
        except pm.PapermillExecutionError as exc:
            kept = _keep_failed(executed, self.out, self.build.tag(year) if year else "shared")
            first = str(exc.evalue).strip().splitlines()[0] if str(exc.evalue).strip() else ""
            raise BuildError(f"{stage} failed in {_failed_cell(kept / (stage + '.ipynb'))} "
                             f"({exc.ename}: {first}); executed notebook kept at {kept / (stage + '.ipynb')}") from None
        finally:
            self.pool.release(km)


def run(build: Build) -> dict[int, dict[str, Path]]:
    """Execute (or reuse) the stages for every report year, render, publish. Returns the report files."""
    out = Path(build.output_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".staging-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    r = _Runner(build, out, staging)
    first = build.report_years[0]
    current = "setup"
    try:
        (staging / PROCESSED).mkdir(parents=True)
        (staging / "figures").mkdir()
        t0 = time.perf_counter()
        build.log(f"shared stages (once for {len(build.report_years)} report year(s)):")
        for stage in SHARED:
            current = stage
            r.stage(stage, None, r.executed_dir(first))

        def per_year(year):
            for stage in ("03_analysis", "04_narrative"):
                r.stage(stage, year, r.executed_dir(year))
            return _render(r, year)

        build.log("per-year stages:")
        current = "per-year stages"
        jobs = max(1, min(build.jobs, len(build.report_years)))
        pool = ThreadPoolExecutor(jobs)
        try:
            results = list(pool.map(per_year, build.report_years))
        except BaseException:
            r.pool.close()  # an interruption: stop the kernels now, so the workers end at once
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown()
        files = dict(zip(build.report_years, results))
        for y in build.report_years[1:]:  # every report folder holds all four executed notebooks
            for stage in SHARED:
                shutil.copy2(r.executed_dir(first) / f"{stage}.ipynb", r.executed_dir(y) / f"{stage}.ipynb")
        current = "publish"
        published = _publish(r, files)
        build.timings["total"] = time.perf_counter() - t0
        return published
    except BuildError:
        raise
    except Exception as exc:
        kept = _keep_failed(staging / "reports", out, "last")
        raise BuildError(f"{current} failed ({type(exc).__name__}: {exc}); partial outputs kept in {kept}") from exc
    finally:
        r.pool.close()
        shutil.rmtree(staging, ignore_errors=True)


def _next_stage(stage: str) -> str | None:
    i = STAGES.index(stage)
    return STAGES[i + 1] if i + 1 < len(STAGES) else None


def _render(r: _Runner, year: int) -> dict[str, str]:
    """The report (HTML, PDF) and the appendix (the analysis notebook with its code) for one year.
    Two jobs, each reused when what it renders is unchanged: an edit to the narrative does not
    render the appendix again."""
    from .render import to_html, to_pdf

    b = r.build
    tag = b.tag(year)
    report_dir = r.staging / "reports" / tag
    fmt = [f for f in FORMATS if f in b.formats]
    report_files = [f"report.{f}" for f in fmt]

    def make_report():
        page = to_html(report_dir / "executed" / "04_narrative.ipynb",
                       title=f"Russian technology exports, {b.base_year}-{year}: the claims checked")
        if "html" in fmt:
            (report_dir / "report.html").write_text(page, encoding="utf-8")
        if "pdf" in fmt:
            b.log(f"  rendering the PDF for {tag} ...")
            to_pdf(page, report_dir / "report.pdf", base_url=report_dir)

    def make_appendix():
        page = to_html(report_dir / "executed" / "03_analysis.ipynb", show_code=True,
                       title=f"Appendix: the analysis notebook ({tag})", paths={str(r.staging): str(r.out)})
        (report_dir / "appendix-analysis.html").write_text(page, encoding="utf-8")

    _cached(r, f"render_{tag}", [r.records[r.job("04_narrative", year)][0], fmt],
            [f"reports/{tag}/{n}" for n in report_files], make_report)
    names = list(report_files)
    if "html" in fmt:
        _cached(r, f"appendix_{tag}", [r.records[r.job("03_analysis", year)][0]],
                [f"reports/{tag}/appendix-analysis.html"], make_appendix)
        names.insert(1, "appendix-analysis.html")
    return {n: f"reports/{tag}/{n}" for n in names}


def _cached(r: _Runner, job: str, key_parts: list, outputs: list[str], make) -> None:
    """Run ``make`` unless the cache holds this job with the same key and its published outputs."""
    b = r.build
    key = hashlib.sha256(json.dumps([job.split("_")[0], *key_parts, r.code]).encode()).hexdigest()
    t0 = time.perf_counter()
    rec = None if b.force else r.cache.lookup(job, key, r.out)
    if rec is not None and sorted(rec["outputs"]) == sorted(outputs):
        for rel in outputs:
            shutil.copy2(r.out / rel, r.staging / rel)
        what = "reused"
    else:
        make()
        what = "ran"
    with r.lock:
        r.records[job] = (key, {rel: _sha(r.staging / rel) for rel in outputs})
        (b.ran if what == "ran" else b.reused).append(job)
        b.timings[job] = time.perf_counter() - t0
    b.log(f"  {job}: {what} ({b.timings[job]:.1f} s)")


def _publish(r: _Runner, files: dict[int, dict[str, str]]) -> dict[int, dict[str, Path]]:
    """Move the staged outputs into place (files one by one, report folders whole), then record the cache."""
    staging, out = r.staging, r.out
    for sub in (PROCESSED, "figures"):
        dst = out / sub
        dst.mkdir(parents=True, exist_ok=True)
        for f in sorted((staging / sub).iterdir()):
            os.replace(f, dst / f.name)
    reports = out / "reports"
    reports.mkdir(exist_ok=True)
    for year in files:
        tag = r.build.tag(year)
        target = reports / tag
        old = reports / f".old-{tag}-{uuid.uuid4().hex[:6]}"
        if target.exists():
            os.replace(target, old)
        os.replace(staging / "reports" / tag, target)
        shutil.rmtree(old, ignore_errors=True)
    write_index(reports)
    _remove_debris(out)
    first = r.build.tag(r.build.report_years[0])
    for job, (key, outputs) in r.records.items():
        if job in SHARED:
            kept = r.cache.notebook_path(job)
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(reports / first / "executed" / f"{job}.ipynb", kept)
            notebook = str(kept.relative_to(out))
        elif job.startswith(("render_", "appendix_")):
            notebook = None
        else:
            stage, tag = job.split("_", 2)[0] + "_" + job.split("_", 2)[1], job.split("_", 2)[2]
            notebook = f"reports/{tag}/executed/{stage}.ipynb"
        r.cache.store(job, key, outputs, notebook)
    return {y: {n: out / rel for n, rel in fs.items()} for y, fs in files.items()}


def _remove_debris(out: Path) -> None:
    """Staging folders of builds that were killed outright (SIGKILL, power cut) and so could not
    clean up after themselves: any whose process is gone. Also half-moved report folders."""
    for d in list(out.glob(".staging-*")) + list((out / "reports").glob(".old-*")):
        pid = d.name.split("-")[1] if d.name.startswith(".staging-") else ""
        if pid.isdigit() and _alive(int(pid)):
            continue  # another build, still running
        shutil.rmtree(d, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
        for f in executed.rglob("*.ipynb"):
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
