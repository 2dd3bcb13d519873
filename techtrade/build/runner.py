"""Running the stages declared in stages.py: inputs staged, each stage reused or executed, the reports
rendered, everything published at once. Used by run_report.py, the benchmark and the tests.

- Integrity: the build first copies every file a stage will read (raw data, notebooks, the report's
  text) into its own working folder, hashing each copy; the stages read only those copies, so the
  cache key is made of exactly the bytes a stage read, whatever happens to the originals meanwhile.
- Incremental: a stage whose key is in the cache (cache.py) is not run; its outputs, checked against
  their recorded hashes, are restored instead, by role. ``force=True`` runs everything.
- Every build ends: each notebook has a time limit (``Build.timeout``); a job running longer than a
  few seconds says where it is; an interruption kills the kernels at once (kernels.py).
- Atomic: nothing outside ``build/`` changes until every stage and rendering has succeeded; then
  publish.py puts the new folders in place under a lock.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
import uuid
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path

from ..errors import DataError, ParameterError
from ..handover import write_atomic
from . import cache, params, publish, stages
from .kernels import Kernels, StageFailed
from .kernels import remove_debris as remove_kernel_debris
from .params import FORMATS, Build, make_build

__all__ = ["Build", "BuildError", "make_build", "run"]


class BuildError(RuntimeError):
    """A stage or a rendering failed. The message says which, where, and where the notebook was kept."""


class _Run:
    """One build in its working folder: staged inputs, jobs run or reused, records to publish."""

    def __init__(self, b: Build):
        self.b = b
        self.out = b.output_dir
        self.ws = self.out / publish.TMP / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.started = time.time()
        self.what = ", ".join(b.tag(y) for y in b.report_years)
        self.cache = cache.Cache(self.out)
        self.kernels: Kernels | None = None
        self.code = cache.code_digest()
        self.versions = cache.versions()
        self.digests: dict[str, str] = {}      # staged input (relative to ws) -> sha256
        self.originals: dict[str, str] = {}    # staged input path -> the path the user knows
        self.keys: dict[str, str] = {}         # job -> key
        self.new: dict[str, tuple[str, dict[str, Path]]] = {}  # key -> (kind, outputs) of a job that ran
        self.pages: dict[str, str] = {}        # tag -> the report's HTML, made once for HTML and PDF
        self.active: dict[str, tuple[float, str]] = {}  # job -> (when it began, what it does first)
        self.held: list[str] | None = []       # log lines held back until the years are known to be served
        self.lock = threading.Lock()

    # -- the terminal ---------------------------------------------------------------------------
    def say(self, line: str) -> None:
        with self.lock:
            if self.held is not None:
                self.held.append(line)
                return
        self.b.log(line)

    def release(self) -> None:
        """Print the lines held back, and the next ones at once."""
        with self.lock:
            held, self.held = self.held or [], None
        for line in held:
            self.b.log(line)

    def wait(self, futures) -> None:
        """Wait for ``futures`` (raising the first failure); every few seconds, one line per job that has
        run that long: where it is and for how long."""
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=self.b.progress, return_when=FIRST_EXCEPTION)
            for f in done:
                f.result()
            now = time.perf_counter()
            with self.lock:
                slow = [(job, now - t0, self.kernels.cells.get(job, doing))
                        for job, (t0, doing) in sorted(self.active.items()) if now - t0 >= self.b.progress]
            for job, seconds, where in slow:
                self.release()
                self.b.log(f"  {job}: {where}, {seconds:.0f} s so far")

    # -- inputs ---------------------------------------------------------------------------------
    def stage_inputs(self) -> None:
        b = self.b
        sources = {f"inputs/{p}": b.raw_dir / Path(p).relative_to("data/raw")
                   for role, p in stages.RAW.items() if role not in ("user_series", "wdi")}  # (those: below)
        sources[f"inputs/{stages.RAW['wdi']}"] = b.wdi_file or b.raw_dir / Path(stages.RAW["wdi"]).relative_to("data/raw")
        if b.user_data is not None:
            sources[f"inputs/data/raw/user/{_safe_name(b.user_data.name)}"] = b.user_data
        for s in stages.STAGES:
            sources[f"inputs/{s.notebook}"] = b.notebooks_dir / Path(s.notebook).name
            for p in s.reads.values():
                if p.startswith("notebooks/"):
                    sources[f"inputs/{p}"] = b.notebooks_dir / Path(p).name
        for rel, src in sources.items():
            dst = self.ws / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copyfile(src, dst)
            except FileNotFoundError:
                raise DataError(f"{src}: file not found") from None
            except IsADirectoryError:
                raise DataError(f"{src}: not a file") from None
            self.digests[rel] = cache.sha256_file(dst)
            self.originals[str(dst)] = str(src)

    def path(self, decl: str, tag: str | None) -> Path | None:
        """Where, in the working folder, a stage reads or writes the file the table declares."""
        if decl.startswith(("data/raw/", "notebooks/")):
            if decl == stages.RAW["user_series"]:
                staged = [r for r in self.digests if r.startswith("inputs/data/raw/user/")]
                return self.ws / staged[0] if staged else None
            return self.ws / "inputs" / decl
        return self.ws / stages.resolve(decl, tag)

    def digest_of(self, path: Path | None) -> str | None:
        if path is None:
            return None
        rel = path.relative_to(self.ws).as_posix()
        if rel in self.digests:
            return self.digests[rel]
        if path.is_dir():
            return cache.digest(sorted((p.relative_to(path).as_posix(), cache.sha256_file(p))
                                       for p in path.rglob("*") if p.is_file()))
        return cache.sha256_file(path) if path.exists() else "missing"

    # -- jobs -----------------------------------------------------------------------------------
    def executed(self, stage: stages.Stage, tag: str | None) -> str:
        return f"reports/{tag}/executed/{stage.name}.ipynb" if tag else f"executed/{stage.name}.ipynb"

    def stage(self, s: stages.Stage, year: int | None) -> None:
        b = self.b
        tag = b.tag(year) if s.per_year else None
        values = {"report_year": year, "base_year": b.base_year, "top_n": b.top_n, "reviewer": b.reviewer,
                  "reviewer_url": b.reviewer_url, "site_url": b.site_url}
        values = {p: values[p] for p in s.params}
        ins = {role: self.path(p, tag) for role, p in s.reads.items()}
        outs = {role: self.path(p, tag) for role, p in s.writes.items()}
        executed = self.ws / self.executed(s, tag)
        notebook = self.ws / "inputs" / s.notebook
        key = cache.digest(s.name, self.digest_of(notebook), values, {r: self.digest_of(p) for r, p in ins.items()},
                           self.code, self.versions)
        job = s.name if tag is None else f"{s.name}_{tag}"

        def target(name: str) -> Path:  # "figures/exports-wide.svg" -> where this build keeps it
            role, _, member = name.partition("/")
            return executed if role == "executed" else outs[role] / member if member else outs[role]

        def make() -> dict[str, Path]:
            for role, decl in s.writes.items():
                (outs[role] if decl.endswith("/") else outs[role].parent).mkdir(parents=True, exist_ok=True)
            executed.parent.mkdir(parents=True, exist_ok=True)
            parameters = {**values, "inputs": {r: str(p) if p else "" for r, p in ins.items()},
                          "outputs": {r: str(p) for r, p in outs.items()}}
            self.kernels.prestart(job, cwd=self.ws)
            after = stages.STAGES.index(s) + 1  # the next stage will most likely run too: boot its kernel now
            if after < len(stages.STAGES):
                nxt = stages.STAGES[after]
                self.kernels.prestart(nxt.name if not nxt.per_year else
                                      f"{nxt.name}_{b.tag(year if year is not None else b.report_years[0])}",
                                      cwd=self.ws)
            try:
                self.kernels.run(s.name, notebook, executed, parameters, cwd=self.ws, job=job)
                missing = [p for p in outs.values() if not p.exists()]
                if missing:
                    raise StageFailed(s.name, "no output", f"{missing[0].relative_to(self.ws)} was not written",
                                      "its last cell")
            except StageFailed as exc:
                raise self._failure(exc, tag) from None
            self._relative(executed)
            made = {"executed": executed}
            for role, decl in s.writes.items():
                p = outs[role]
                made.update({f"{role}/{q.relative_to(p).as_posix()}": q for q in sorted(p.rglob("*")) if q.is_file()}
                            if decl.endswith("/") else {role: p})
            return made

        self._job(job, s.name, key, target, make, "starting its kernel")

    def _job(self, job: str, kind: str, key: str, target, make, doing: str) -> None:
        """Restore the job's outputs from the cache if its key is there (and they are intact), each to
        ``target(role)``, else ``make`` them (it returns them by role); then record and log the job."""
        b, t0 = self.b, time.perf_counter()
        found = None if b.force else self.cache.lookup(key, kind)
        with self.lock:
            self.active[job] = (t0, doing)
        try:
            if found is not None:
                for name, obj in found.items():
                    target(name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(obj, target(name))
            else:
                made = make()
        finally:
            with self.lock:
                self.active.pop(job, None)
        with self.lock:
            if found is None:
                self.new[key] = (kind, made)
            self.keys[job] = key
            (b.reused if found is not None else b.ran).append(job)
            b.timings[job] = time.perf_counter() - t0
        self.say(f"  {job}: {'reused' if found is not None else 'ran'} ({b.timings[job]:.1f} s)")

    def store_cache(self) -> None:
        """Keep what the jobs that ran made (call with the publishing lock held)."""
        for key, (kind, made) in self.new.items():
            self.cache.store(key, kind, made)

    def _relative(self, executed: Path) -> None:
        """The executed notebook names files as the output folder has them ("./data/processed/..."),
        not by the build's working folder, which is gone once the build is published."""
        text = executed.read_text(encoding="utf-8")
        for old in (str(self.ws / "inputs"), str(self.ws)):
            text = text.replace(json.dumps(old)[1:-1], ".")
        executed.write_text(text, encoding="utf-8")

    def _failure(self, exc: StageFailed, tag: str | None) -> Exception:
        """A failing cell: the user's input (exit 2) or a failing stage (exit 1, notebook kept if saved)."""
        msg = self._unstage(str(exc.evalue))
        if exc.ename in ("DataError", "ParameterError"):
            return (DataError if exc.ename == "DataError" else ParameterError)(msg)
        src = self.ws / self.executed(stages.BY_NAME[exc.stage], tag)
        where = ""
        if src.exists():
            kept = self.out / publish.FAILED / (tag or "shared") / src.name
            try:
                shutil.rmtree(self.out / publish.FAILED, ignore_errors=True)
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, kept)
                where = f"; executed notebook kept at {kept}"
            except OSError as err:
                where = f"; the executed notebook could not be kept ({err.strerror or err})"
        return BuildError(f"{exc.stage} failed in {exc.cell} ({exc.ename}: {msg}){where}")

    def _unstage(self, text: str) -> str:
        """Messages name the files the user knows, not the build's working copies; what the build
        makes, by its path in the output folder."""
        for staged, original in sorted(self.originals.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(staged, original)
        return text.replace(f"{self.ws}{os.sep}", "")

    def notes(self) -> list[str]:
        """What the ingest stage read differently from how it was written (a partner's alias, a
        semicolon separator), one line each, naming the user's own file."""
        import csv

        path = self.ws / stages.BY_NAME["01_ingest"].writes["notes"]
        with open(path, encoding="utf-8", newline="") as f:
            return [self._unstage(r["note"]) for r in csv.DictReader(f)]

    def check_years(self) -> None:
        avail = json.loads((self.ws / stages.resolve(stages.BY_NAME["02_clean"].writes["years"], None)).read_text())
        for y in self.b.report_years:
            params.check_years(avail, y, self.b.base_year)

    def render(self, year: int, kind: str) -> None:
        """One rendering of a report: "html", "pdf" (from the narrative) or "appendix" (the analysis
        notebook with its code), reused when what it renders is unchanged."""
        from . import render

        tag = self.b.tag(year)
        report = self.ws / "reports" / tag
        page = report / ("appendix-analysis.html" if kind == "appendix" else f"report.{kind}")
        upstream = self.keys[f"03_analysis_{tag}" if kind == "appendix" else f"04_narrative_{tag}"]
        key = cache.digest("render", kind, upstream, self.code, self.versions)

        def make() -> dict[str, Path]:
            if kind == "appendix":
                render.write_appendix(report / "executed" / "03_analysis.ipynb", page)
            else:
                with self.lock:
                    html = self.pages.get(tag)
                if html is None:
                    html = render.report_html(report / "executed" / "04_narrative.ipynb")
                    with self.lock:
                        self.pages[tag] = html
                if kind == "html":
                    write_atomic(page, html)
                else:
                    self.say(f"  rendering the PDF for {tag} ...")
                    render.to_pdf(html, page)
            return {"page": page}

        self._job(f"{kind}_{tag}", kind, key, lambda name: page, make, "rendering")

    def per_year(self, year: int, helpers: ThreadPoolExecutor) -> None:
        """The per-report stages and renderings of one year. The appendix depends on the analysis only:
        it is rendered while the narrative's kernel runs."""
        analysis, narrative = stages.PER_YEAR
        self.stage(analysis, year)
        appendix = helpers.submit(self.render, year, "appendix") if "html" in self.b.formats else None
        self.stage(narrative, year)
        for kind in FORMATS:
            if kind in self.b.formats:
                self.render(year, kind)
        if appendix is not None:
            appendix.result()


def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", params.display(name))[:100] or "series.csv"


def run(b: Build) -> dict[str, dict[str, Path]]:
    """Run (or reuse) every stage for every report year, render, publish. Returns the reports'
    renderings by tag (a report that a newer build published meanwhile is not among them)."""
    out = b.output_dir
    r = _Run(b)
    t0 = time.perf_counter()
    pools: list[ThreadPoolExecutor] = []
    try:
        try:
            out.mkdir(parents=True, exist_ok=True)
            r.ws.mkdir(parents=True)
        except OSError as exc:
            raise ParameterError(f"output_dir={params._show(out)}: cannot be made ({params._os_reason(exc)})") from None
        remove_kernel_debris()
        r.say(f"building {r.what} into {params.display(out)}"
              + (f" with your series {params.display(b.user_data)}" if b.user_data else ""))
        r.kernels = Kernels(prestart=b.prestart, timeout=b.timeout)
        r.stage_inputs()
        pools = [ThreadPoolExecutor(max(1, min(b.jobs, len(b.report_years)))) for _ in range(2)]
        pool, helpers = pools
        r.say(f"shared stages (once for {len(b.report_years)} report(s)):")
        r.wait([pool.submit(lambda: [r.stage(s, None) for s in stages.SHARED])])
        try:
            r.check_years()
        except ParameterError:
            with publish.locked(out, r.what, b.log):  # keep what ran: the same build with other years reuses it
                r.store_cache()
            raise
        r.release()
        for note in r.notes():
            b.note(note)
        r.say("per-report stages:")
        r.wait([pool.submit(r.per_year, y, helpers) for y in b.report_years])
        files = publish.publish(r)
        b.timings["total"] = time.perf_counter() - t0
        return files
    except KeyboardInterrupt as exc:
        raise exc if isinstance(exc, publish.Interrupted) else publish.Interrupted(*exc.args[:1])  # (signum) from None
    finally:
        with publish.signals_held():  # a second Ctrl-C does not cut the clean-up short
            if r.kernels is not None:
                r.kernels.close()  # kills what still runs, so the workers end at once
            for p in pools:
                p.shutdown(wait=True, cancel_futures=True)
            shutil.rmtree(r.ws, ignore_errors=True)
