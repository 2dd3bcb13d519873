"""The build: inputs staged, every job (a stage, a rendering, a report's data files) reused from the cache
or run, the reports assembled, then published at once. Used by run_report.py, the benchmark and the tests.

- Integrity: the build first copies every file a stage will read (raw data, notebooks, the report's text)
  into its own working folder, hashing each copy; the stages read only those copies, so a cache key is
  made of exactly the bytes a stage read, whatever happens to the originals meanwhile.
- Incremental: a job whose key is in the cache (cache.py) is not run; its outputs, checked against their
  recorded hashes, are restored instead, by role. ``force=True`` runs everything.
- Jobs run on one thread pool, each once those it needs are done (per report: the analysis; then the
  narrative, the appendix and the data files; then the page and the PDF), ``jobs`` reports at a time. A
  stage that runs starts the kernels of the stages after it (kernels.py), and the imports its renderings
  will need.
- Every build ends: each notebook has a time limit; a job running longer than a few seconds says where it
  is; an interruption kills the kernels at once.
- Atomic: nothing outside ``build/`` changes until every job has succeeded; then publish.py puts the new
  folders in place under a lock.
"""
from __future__ import annotations

import csv
import importlib
import json
import os
import re
import shutil
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..errors import DataError, ParameterError
from . import cache, params, publish, render, stages
from .kernels import Kernels, StageFailed, remove_debris
from .params import Build, make_build

__all__ = ["Build", "BuildError", "Result", "make_build", "run"]
AHEAD = 2  # a stage that runs starts the kernels of this many stages after it
RENDERINGS = {"appendix": ("03_analysis", "appendix-analysis.html", "html"), "html": ("04_narrative", "report.html", "html"),
              "pdf": ("04_narrative", "report.pdf", "pdf")}  # kind -> (the notebook it renders, its file, --format)
#: What the jobs after a stage import that takes long (0.4 to 0.7 s each), by kind: imported when that
#: stage runs, while its kernel works.
IMPORTS = {"03_analysis": {"appendix": "nbconvert", "files": "techtrade.report.story", "pdf": "weasyprint"},
           "04_narrative": {"pdf": "weasyprint"}}


class BuildError(RuntimeError):
    """A stage or a rendering failed. The message says which, where, and where the notebook was kept."""


@dataclass
class Result:
    """What a build did: the renderings it published, by report; the jobs run and reused; their seconds."""
    files: dict[str, dict[str, Path]] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def run(b: Build) -> Result:
    """Run (or reuse) every job for every report year, then publish (a report that a newer build published
    meanwhile is not among the files returned)."""
    r, t0 = _Run(b), time.perf_counter()
    try:
        r.prepare()
        r.run_jobs(r.shared())
        r.check_years()
        r.run_jobs(r.per_report())
        r.result.files = publish.publish(r.plan(), b.log, b.note)
        r.result.timings["total"] = time.perf_counter() - t0
        return r.result
    except KeyboardInterrupt as exc:
        raise exc if isinstance(exc, publish.Interrupted) else publish.Interrupted(*exc.args[:1]) from None
    finally:
        r.close()


class _Run:
    """One build in its working folder: staged inputs, jobs run or reused, what they made."""

    def __init__(self, b: Build):
        self.b, self.out = b, b.output_dir
        self.ws = self.out / publish.TMP / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.started, self.what = time.time(), ", ".join(b.tag(y) for y in b.report_years)
        self.cache, self.code, self.versions = cache.Cache(self.out), cache.code_digest(), cache.versions()
        self.digests: dict[str, str] = {}    # staged input (relative to ws) -> sha256
        self.originals: dict[str, str] = {}  # staged input path -> the path the user knows
        self.keys: dict[str, str] = {}       # job -> key
        self.new: list[tuple[str, str, dict[str, Path]]] = []  # (key, kind, outputs) of the jobs that ran
        self.active: dict[str, tuple[float, str]] = {}         # job -> (when it began, what it does first)
        self.held: list[str] | None = []     # log lines held back until the years are known to be served
        self.shown = time.perf_counter()     # when progress was last said
        self.result, self.lock, self.imported = Result(), threading.Lock(), set()
        self.kernels = Kernels(b.timeout)
        # enough workers for what a report can have ready at once (the narrative, appendix and data files,
        # then the page and PDF), ``jobs`` reports at a time, and the imports made ahead
        self.pool = ThreadPoolExecutor(4 * min(b.jobs, len(b.report_years)) + 3)

    # -- the terminal ---------------------------------------------------------------------------
    def say(self, line: str) -> None:
        with self.lock:
            if self.held is not None:
                return self.held.append(line)
        self.b.log(line)

    def release(self) -> None:
        """Print the lines held back, and the next ones at once."""
        with self.lock:
            held, self.held = self.held or [], None
        for line in held:
            self.b.log(line)

    def run_jobs(self, jobs: dict) -> None:
        """Run ``jobs`` ({name: (the jobs it needs, what it does)}) on the pool, each once those it needs are
        done; raise the first failure. Every few seconds, one line per job running that long: where it is."""
        done: set[str] = set()
        running: dict = {}
        while jobs or running:
            for name in [n for n, (needs, _) in jobs.items() if done.issuperset(needs)]:
                running[self.pool.submit(jobs.pop(name)[1])] = name
            finished, _ = wait(running, timeout=self.b.progress, return_when=FIRST_COMPLETED)
            for f in finished:
                done.add(running.pop(f))
                f.result()
            now = time.perf_counter()
            if now - self.shown >= self.b.progress:
                self.shown = now
                with self.lock:
                    slow = [(job, now - t0, self.kernels.cells.get(job, doing))
                            for job, (t0, doing) in sorted(self.active.items()) if now - t0 >= self.b.progress]
                for job, seconds, where in slow:
                    self.release()
                    self.b.log(f"  {job}: {where}, {seconds:.0f} s so far")

    # -- the jobs -------------------------------------------------------------------------------
    def shared(self) -> dict:
        self.say(f"shared stages (once for {len(self.b.report_years)} report(s)):")
        names = [s.name for s in stages.SHARED]
        return {s.name: (names[:i][-1:], partial(self.stage, s, None)) for i, s in enumerate(stages.SHARED)}

    def per_report(self) -> dict:
        """Per report: the analysis, then its narrative, appendix and data files, then its page and PDF; a
        report begins once the one ``jobs`` places before it is done."""
        analysis, narrative = stages.PER_YEAR
        jobs, names = {}, []
        for i, year in enumerate(self.b.report_years):
            tag = self.b.tag(year)
            a, n = f"{analysis.name}_{tag}", f"{narrative.name}_{tag}"
            these = {a: (names[i - self.b.jobs] if i >= self.b.jobs else [], partial(self.stage, analysis, year)),
                     n: ([a], partial(self.stage, narrative, year)),
                     f"files_{tag}": ([a], partial(self.files, year))}
            for kind, (source, _, fmt) in RENDERINGS.items():
                if fmt in self.b.formats:
                    these[f"{kind}_{tag}"] = ([f"{source}_{tag}"], partial(self.render, year, kind))
            jobs.update(these)
            names.append(list(these))
        return jobs

    def job(self, name: str, kind: str, key: str, target, make, doing: str) -> None:
        """Restore the job's outputs from the cache if its key is there (and they are intact), each to
        ``target(role)``, else ``make`` them (it returns them by role); then record and log the job."""
        t0 = time.perf_counter()
        found = None if self.b.force else self.cache.lookup(key, kind)
        with self.lock:
            self.active[name] = (t0, doing)
        try:
            if found is not None:
                for role, obj in found.items():
                    target(role).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(obj, target(role))
            else:
                made = make()
        finally:
            with self.lock:
                self.active.pop(name, None)
        seconds = time.perf_counter() - t0
        with self.lock:
            self.keys[name] = key
            if found is None:
                self.new.append((key, kind, made))
            (self.result.reused if found is not None else self.result.ran).append(name)
            self.result.timings[name] = seconds
        self.say(f"  {name}: {'reused' if found is not None else 'ran'} ({seconds:.1f} s)")

    def stage(self, s: stages.Stage, year: int | None) -> None:
        """A notebook, run in a fresh kernel with its inputs and outputs as parameters."""
        b, tag = self.b, self.b.tag(year) if s.per_year else None
        name = _name(s, tag)
        values = {p: year if p == "report_year" else getattr(b, p) for p in s.params}
        ins = {role: self.path(p, tag) for role, p in s.reads.items()}
        outs = {role: self.path(p, tag) for role, p in s.writes.items()}
        executed, notebook = self.ws / self.executed(s, tag), self.ws / "inputs" / s.notebook
        key = cache.digest(s.name, self.digest_of(notebook), values, {r: self.digest_of(p) for r, p in ins.items()},
                           self.code, self.versions)

        def target(role: str) -> Path:  # "figures/exports-wide.svg" -> where this build keeps it
            role, _, member = role.partition("/")
            return executed if role == "executed" else outs[role] / member if member else outs[role]

        def make() -> dict[str, Path]:
            for role, decl in s.writes.items():
                (outs[role] if decl.endswith("/") else outs[role].parent).mkdir(parents=True, exist_ok=True)
            executed.parent.mkdir(parents=True, exist_ok=True)
            self.ahead(s, year)
            try:
                self.kernels.run(s.name, name, notebook, executed, {
                    **values, "inputs": {r: str(p) if p else "" for r, p in ins.items()},
                    "outputs": {r: str(p) for r, p in outs.items()}}, self.ws)
                missing = [p for p in outs.values() if not p.exists()]
                if missing:
                    raise StageFailed(s.name, "no output", f"{missing[0].relative_to(self.ws)} was not written",
                                      "its last cell")
            except StageFailed as exc:
                raise self.failure(exc, tag) from None
            self.relative(executed)
            made = {"executed": executed}
            for role, decl in s.writes.items():
                p = outs[role]
                made.update({f"{role}/{q.relative_to(p).as_posix()}": q for q in sorted(p.rglob("*")) if q.is_file()}
                            if decl.endswith("/") else {role: p})
            return made

        self.job(name, s.name, key, target, make, "starting its kernel")

    def ahead(self, s: stages.Stage, year: int | None) -> None:
        """Before ``s`` runs: start its kernel, the kernels of the stages after it (they will most likely
        run too; the first reports' only, after a shared stage), and the imports of its renderings."""
        i = stages.STAGES.index(s)
        for t in stages.STAGES[i:i + 1 + AHEAD]:
            for y in ([year] if year else self.b.report_years[:self.b.jobs]) if t.per_year else [None]:
                self.kernels.start(_name(t, self.b.tag(y) if y else None), self.ws / "inputs" / t.notebook, self.ws)
        with self.lock:
            modules = {m for kind, m in IMPORTS.get(s.name, {}).items()
                       if kind not in RENDERINGS or RENDERINGS[kind][2] in self.b.formats} - self.imported
            self.imported |= modules
        for module in sorted(modules):
            self.pool.submit(importlib.import_module, module)

    def render(self, year: int, kind: str) -> None:
        """The report page (html), its PDF, or the appendix (the analysis notebook with its code)."""
        tag = self.b.tag(year)
        source, page, _ = RENDERINGS[kind]
        executed, page = self.ws / "reports" / tag / "executed" / f"{source}.ipynb", self.ws / "reports" / tag / page
        key = cache.digest("render", kind, self.keys[f"{source}_{tag}"], self.code, self.versions)

        def make() -> dict[str, Path]:
            if kind == "appendix":
                render.write_appendix(executed, page)
            elif kind == "html":
                cache.write_atomic(page, render.report_html(executed))
            else:
                self.say(f"  rendering the PDF for {tag} ...")
                render.to_pdf(render.report_html(executed), page)
            return {"page": page}

        self.job(f"{kind}_{tag}", kind, key, lambda role: page, make, "rendering")

    def files(self, year: int) -> None:
        """A report's data files: the analysis's verdicts.csv and numbers.csv, verdicts.json, the data
        package; and its title, for the manifest (kept in the build's folder, not published)."""
        tag = self.b.tag(year)
        report, analysis = self.ws / "reports" / tag, stages.BY_NAME["03_analysis"].writes
        made = {n: report / n for n in ("verdicts.csv", "numbers.csv", "verdicts.json", "datapackage.json")}
        made["title"] = self.ws / "titles" / tag
        key = cache.digest("files", self.keys[f"03_analysis_{tag}"], self.code, self.versions)

        def make() -> dict[str, Path]:
            from ..report import package
            from ..report.story import series_name, title

            report.mkdir(parents=True, exist_ok=True)
            for name in ("verdicts", "numbers"):
                shutil.copyfile(self.ws / stages.resolve(analysis[name], tag), made[f"{name}.csv"])
            data = json.loads((self.ws / stages.resolve(analysis["results"], tag)).read_text())
            cache.write_atomic(made["verdicts.json"], json.dumps({k: data[k] for k in ("report", "verdicts") if k in data},
                                                                 indent=1, ensure_ascii=False))
            series = [s for s in data.get("sources", []) if str(s.get("source_id", "")).startswith("USER")]
            cache.write_atomic(made["title"], title(data["report"], series) + (f", with {series_name(series)}"
                                                                               if series else ""))
            package.write(report, made["title"].read_text())
            return made

        self.job(f"files_{tag}", "files", key, made.__getitem__, make, "writing its data files")

    # -- inputs and outputs ---------------------------------------------------------------------
    def prepare(self) -> None:
        b = self.b
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            self.ws.mkdir(parents=True)
        except OSError as exc:
            raise ParameterError(f"output_dir={params._show(self.out)}: cannot be made "
                                 f"({params._os_reason(exc)})") from None
        remove_debris()
        self.say(f"building {self.what} into {params.display(self.out)}"
                 + (f" with your series {params.display(b.user_data)}" if b.user_data else ""))
        raw = {p: b.raw_dir / Path(p).relative_to("data/raw") for p in stages.RAW.values()}
        sources = {f"inputs/{p}": src for p, src in raw.items() if p != stages.RAW["user_series"]}
        sources[f"inputs/{stages.RAW['wdi']}"] = b.wdi_file or raw[stages.RAW["wdi"]]
        if b.user_data is not None:
            sources[f"inputs/data/raw/user/{_safe_name(b.user_data.name)}"] = b.user_data
        for s in stages.STAGES:
            sources.update({f"inputs/{p}": b.notebooks_dir / Path(p).name for p in [s.notebook, *s.reads.values()]
                            if p.startswith("notebooks/")})
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
        if decl == stages.RAW["user_series"]:
            staged = [r for r in self.digests if r.startswith("inputs/data/raw/user/")]
            return self.ws / staged[0] if staged else None
        if decl.startswith(("data/raw/", "notebooks/")):
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

    @staticmethod
    def executed(s: stages.Stage, tag: str | None) -> str:
        return f"reports/{tag}/executed/{s.name}.ipynb" if tag else f"executed/{s.name}.ipynb"

    def relative(self, executed: Path) -> None:
        """The executed notebook names files as the output folder has them ("./data/processed/..."), not
        by the build's working folder, which is gone once the build is published."""
        text = executed.read_text(encoding="utf-8")
        for old in (str(self.ws / "inputs"), str(self.ws)):
            text = text.replace(json.dumps(old)[1:-1], ".")
        executed.write_text(text, encoding="utf-8")

    def failure(self, exc: StageFailed, tag: str | None) -> Exception:
        """A failing cell: the user's input (exit 2) or a failing stage (exit 1, notebook kept if saved)."""
        msg = self.unstage(str(exc.evalue))
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

    def unstage(self, text: str) -> str:
        """Messages name the files the user knows, not the build's working copies; what the build makes,
        by its path in the output folder."""
        for staged, original in sorted(self.originals.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(staged, original)
        return text.replace(f"{self.ws}{os.sep}", "")

    def check_years(self) -> None:
        """Whether the data serve the years asked for (what the clean stage found); if not, the cache keeps
        what ran, so that the same build with other years reuses it. Then what ingest noted, one line each."""
        try:
            avail = json.loads((self.ws / stages.BY_NAME["02_clean"].writes["years"]).read_text())
            for y in self.b.report_years:
                params.check_years(avail, y, self.b.base_year)
        except ParameterError:
            with publish.locked(self.out, self.what, self.b.log):
                for key, kind, made in self.new:
                    self.cache.store(key, kind, made)
            raise
        self.release()
        with open(self.ws / stages.BY_NAME["01_ingest"].writes["notes"], encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                self.b.note(self.unstage(row["note"]))
        self.say("per-report stages:")

    def plan(self) -> publish.Plan:
        """What to publish: ``data/processed/`` (with which series it was made from) and each report, its
        folder completed with the shared stages' executed notebooks."""
        b, ws = self.b, self.ws
        cache.write_atomic(ws / stages.SERIES, json.dumps({"variant": b.variant}))
        inputs = {rel.removeprefix("inputs/data/raw/"): {"file": params.display(Path(self.originals[str(ws / rel)]).name),
                                                        "sha256": sha}
                  for rel, sha in sorted(self.digests.items()) if rel.startswith("inputs/data/raw/")}
        described = (f"{'your series ' + params.display(b.user_data.name) if b.user_data else 'the shipped data'}"
                     f"{', World Bank file ' + params.display(b.wdi_file.name) if b.wdi_file else ''}; "
                     f"top {b.top_n} partners in the markets chart")
        reports = []
        for year in b.report_years:
            tag = b.tag(year)
            for s in stages.SHARED:
                shutil.copyfile(ws / self.executed(s, None), ws / "reports" / tag / "executed" / f"{s.name}.ipynb")
            about = {"title": (ws / "titles" / tag).read_text(encoding="utf-8"), "described": described,
                     "parameters": {"report_year": year, "base_year": b.base_year, "top_n": b.top_n,
                                    "data": params.display(b.user_data) if b.user_data else None,
                                    "wdi": params.display(b.wdi_file) if b.wdi_file else None},
                     "inputs": inputs, "code": self.code, "packages": self.versions}
            reports.append(publish.Report(tag, self.keys[f"04_narrative_{tag}"], about))
        return publish.Plan(self.out, ws, self.started, self.what, b.formats, reports, self.new)

    def close(self) -> None:
        with publish.signals_held():  # a second Ctrl-C does not cut the clean-up short
            self.kernels.close()  # kills what still runs, so the workers end at once
            self.pool.shutdown(wait=True, cancel_futures=True)
            shutil.rmtree(self.ws, ignore_errors=True)


def _name(s: stages.Stage, tag: str | None) -> str:
    """A stage's job: 01_ingest; 03_analysis_2020-vs-2018."""
    return f"{s.name}_{tag}" if tag else s.name


def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", params.display(name))[:100] or "series.csv"
