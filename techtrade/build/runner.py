"""A build: its inputs copied into its own folder, each job reused from the cache or run, then published
(docs/build.md)."""
from __future__ import annotations

import csv
import functools
import importlib
import json
import os
import re
import shutil
import threading
import time
from collections import namedtuple
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from ..atomic import write_atomic
from ..errors import DataError, ParameterError
from . import cache, publish, render, stages
from .kernels import Kernels, StageFailed, remove_debris
from .params import Build, check_years, display, make_build, reason, show  # noqa: F401 (make_build: the API)

AHEAD = 2  # a stage that runs starts the kernels of this many stages after it
#: What a kind of job imports ("kernel": starting one), loaded before it runs, one thread at a time (two threads
#: importing at once can be handed half-made modules). A stage loads those of the jobs after it (IMPORTS).
NEEDS = {"kernel": ("asyncio", "subprocess", "jupyter_client.asynchronous", "jupyter_client.manager"),
         "stage": ("papermill", "jupyter_core.utils"), "html": ("mistune", "jinja2", "markupsafe"),
         "appendix": ("nbformat", "nbconvert", "traitlets.config"),
         "pdf": ("logging", "weasyprint", "mistune", "jinja2", "markupsafe"),  # and the page it prints
         "files": ("techtrade.report.package", "techtrade.report.story")}
IMPORTS = {"03_analysis": ("pdf", "html", "appendix", "files"), "04_narrative": ("pdf",)}  # the most pressing first
_importing = threading.Lock()


@functools.cache
def load(kind: str) -> None:
    """Import what a ``kind`` of job needs (NEEDS), one thread at a time; at once if it is loaded already."""
    with _importing:
        for module in NEEDS.get(kind, ()):
            importlib.import_module(module)


class BuildError(RuntimeError):
    """A stage or a rendering failed: which, where, and where the notebook was kept."""


#: What a build did: the renderings it published, by report; the jobs run and reused.
Result = namedtuple("Result", "files ran reused")


def run(b: Build) -> Result:
    """Run or reuse every job, then publish (a report a newer build published meanwhile is not in files)."""
    r = _Run(b)
    try:
        r.prepare()
        r.run_jobs(r.graph([None]))
        r.check_years()
        r.run_jobs(r.graph(b.report_years))
        wait(r.loading)
        return Result(publish.publish(r.plan(), b.log, b.note), r.ran, r.reused)
    finally:
        r.close()


class _Run:
    def __init__(self, b: Build):
        self.b, self.out, self.what = b, b.output_dir, ", ".join(b.tag(y) for y in b.report_years)
        self.ws, self.started = self.out / publish.TMP / f"{os.getpid()}-{os.urandom(4).hex()}", time.time()
        self.cache, self.code, self.versions = cache.Cache(self.out), cache.code_digest(), cache.versions()
        self.digests, self.originals, self.keys = {}, {}, {}  # staged input: sha256, the user's path; job: key
        self.new: list[tuple[str, str, dict[str, Path]]] = []  # (key, kind, outputs) of the jobs that ran
        self.active: dict[str, tuple[float, str]] = {}         # job -> (when it began, what it does first)
        self.held: list[str] | None = []  # lines held back until the years are known to be served
        self.ran, self.reused, self.imported = [], [], set()  # jobs run, reused; kinds whose imports were started
        self.lock, self.shown = threading.Lock(), time.perf_counter()
        self.loading: list = []  # the imports started ahead (load): done before publishing imports on this thread
        self.kernels = Kernels(b.timeout)
        self.pool = ThreadPoolExecutor(4 * min(b.jobs, len(b.report_years)) + 3)  # a report's jobs at once; imports

    def close(self) -> None:
        with publish.signals_held():  # a second Ctrl-C does not cut the clean-up short
            self.kernels.close()  # kills what still runs, so the workers end at once
            self.pool.shutdown(wait=True, cancel_futures=True)
            shutil.rmtree(self.ws, ignore_errors=True)

    def say(self, line: str | None = None) -> None:
        """Log ``line``, or hold it back until the years are known to be served; None: log what was held."""
        with self.lock:
            if line is not None and self.held is not None:
                return self.held.append(line)
            lines, self.held = (self.held or []) + [line] * (line is not None), None
        for text in lines:
            self.b.log(text)

    def graph(self, years: list) -> dict:
        """The jobs of ``years`` (the shared stages' for [None]): {name: (the jobs it needs, what it does)}. A job
        needs those that write what it reads; a report's, also those of the report ``jobs`` places before."""
        todo, reports = {}, []
        for i, year in enumerate(years):
            tag = year and self.b.tag(year)
            specs = [(s.name, s.reads, {**s.writes, "executed": s.executed}) for s in stages.STAGES
                     if s.per_year == bool(year)]
            specs += [(kind, r, w) for kind, (fmt, r, w) in stages.MADE.items()
                      if year and fmt in ("", *self.b.formats)]
            jobs = {f"{kind}_{tag}" if tag else kind: (kind, {role: self.path(p, tag) for role, p in r.items()},
                                                       {role: self.path(p, tag) for role, p in w.items()})
                    for kind, r, w in specs}
            made = {p: name for name, (_, _, outs) in jobs.items() for p in outs.values()}
            earlier = reports[i - self.b.jobs] if i >= self.b.jobs else set()
            for name, (kind, ins, outs) in jobs.items():
                needs = {made[p] for p in ins.values() if p in made} | earlier
                todo[name] = needs, functools.partial(self.job, name, kind, year, ins, outs)
            reports.append(set(jobs))
        return todo

    def run_jobs(self, todo: dict) -> None:
        """Run ``todo``, each job once those it needs are done; raise the first failure. Every few seconds, one
        line per job running that long: where it is."""
        done, running = set(), {}
        while todo or running:
            for name in [n for n, (needs, _) in todo.items() if needs <= done]:
                running[self.pool.submit(todo.pop(name)[1])] = name
            for f in wait(running, timeout=self.b.progress, return_when=FIRST_COMPLETED)[0]:
                done.add(running.pop(f))
                f.result()
            now = time.perf_counter()
            if now - self.shown >= self.b.progress:
                self.shown = now
                with self.lock:
                    slow = [f"  {job}: {self.kernels.cells.get(job, doing)}, {now - t0:.0f} s so far"
                            for job, (t0, doing) in sorted(self.active.items()) if now - t0 >= self.b.progress]
                for line in [None, *slow] if slow else []:  # (a slow job: what was held back is shown first)
                    self.say(line)

    def job(self, name: str, kind: str, year: int | None, ins: dict, outs: dict) -> None:
        """Restore the job's outputs from the cache if its key is there and they are intact; else make them."""
        s, t0 = stages.BY_NAME.get(kind), time.perf_counter()
        values = {p: year if p == "report_year" else getattr(self.b, p) for p in (s.params if s else ())}
        notebook = s and self.ws / s.notebook
        named = {r: p.name for r, p in ins.items() if r == "user_series" and p}  # a report names a user's file
        key = cache.digest(kind, values, self.digest_of(notebook), {r: self.digest_of(p) for r, p in ins.items()},
                           named, self.code, self.versions)
        found = None if self.b.force else self.cache.lookup(key, kind)
        with self.lock:  # (a job that fails is left there: the build ends, and no progress line is shown after)
            self.active[name] = (t0, "starting its kernel" if s else "rendering")
        for role, obj in (found or {}).items():  # "figures/exports-wide.svg": a file in a folder the job fills
            target = outs[role.split("/")[0]] / role.partition("/")[2] if "/" in role else outs[role]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(obj, target)
        if found is None:
            for role, p in outs.items():
                (p if s and s.writes.get(role, "").endswith("/") else p.parent).mkdir(parents=True, exist_ok=True)
            self.stage(s, name, notebook, values, ins, outs) if s else self.make(kind, name, ins, outs)
            made = {f"{role}/{q.relative_to(p).as_posix()}" if p.is_dir() else role: q for role, p in outs.items()
                    for q in (sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p])}
        with self.lock:
            del self.active[name]
            self.keys[name] = key
            self.new += [] if found is not None else [(key, kind, made)]
            (self.ran if found is None else self.reused).append(name)
        self.say(f"  {name}: {'ran' if found is None else 'reused'} ({time.perf_counter() - t0:.1f} s)")

    def stage(self, s: stages.Stage, name: str, notebook: Path, values: dict, ins: dict, outs: dict) -> None:
        """Run the stage's notebook, its inputs and outputs as parameters; its executed notebook names files as
        the output folder has them (the build's folder is gone once published)."""
        executed, outs = outs["executed"], {r: p for r, p in outs.items() if r != "executed"}
        self.ahead(s, values.get("report_year"))
        load("stage")
        parameters = {**values, "inputs": {r: str(p or "") for r, p in ins.items()},
                      "outputs": {r: str(p) for r, p in outs.items()}}
        try:
            self.kernels.run(s.name, name, notebook, executed, parameters, self.ws)
            missing = [p.relative_to(self.ws) for p in outs.values() if not p.exists()]
            if missing:
                raise StageFailed(s.name, "no output", f"{missing[0]} was not written", "its last cell")
        except StageFailed as exc:
            raise self.failure(exc, name, executed) from None
        text = executed.read_text(encoding="utf-8")
        executed.write_text(text.replace(json.dumps(str(self.ws))[1:-1], "."), encoding="utf-8")

    def make(self, kind: str, name: str, ins: dict, outs: dict) -> None:
        if kind == "pdf":
            self.say(f"  rendering the PDF for {name.removeprefix('pdf_')} ...")
        load(kind)
        getattr(render, kind)(ins, outs)

    def ahead(self, s: stages.Stage, year: int | None) -> None:
        """Start the kernels of ``s`` and of the stages after it (which most likely run too; after a shared
        stage, those of the first reports), and the slow imports of the jobs after it."""
        i = stages.STAGES.index(s)
        load("kernel")
        for t in stages.STAGES[i:i + 1 + AHEAD]:
            for y in ([year] if year else self.b.report_years[:self.b.jobs]) if t.per_year else [None]:
                self.kernels.start(f"{t.name}_{self.b.tag(y)}" if y else t.name, self.ws / t.notebook, self.ws)
        with self.lock:
            kinds = [k for k in IMPORTS.get(s.name, ()) if stages.MADE[k][0] in ("", *self.b.formats)
                     and k not in self.imported]
            self.imported.update(kinds)
        self.loading += [self.pool.submit(load, kind) for kind in kinds]

    def prepare(self) -> None:
        """The build's folder, and in it a copy of every file a stage reads (as the project has them), hashed."""
        b = self.b
        try:
            self.ws.mkdir(parents=True)
        except OSError as exc:
            raise ParameterError(f"output_dir={show(self.out)}: cannot be made ({reason(exc)})") from None
        remove_debris()
        self.say(f"building {self.what} into {display(self.out)}"
                 + (f" with your series {display(b.user_data)}" if b.user_data else ""))
        self.say(f"shared stages (once for {len(b.report_years)} report(s)):")
        sources = {p: b.wdi_file if role == "wdi" and b.wdi_file else b.raw_dir / Path(p).name
                   for role, p in stages.RAW.items() if role != "user_series"}
        if b.user_data is not None:  # under a name safe to use in a path
            safe = re.sub(r"[^\w.\-]+", "_", display(b.user_data.name))[:100] or "series.csv"
            sources[f"data/raw/user/{safe}"] = b.user_data
        sources.update({p: b.notebooks_dir / Path(p).name for s in stages.STAGES
                        for p in [s.notebook, *s.reads.values()] if p.startswith("notebooks/")})
        for rel, src in sources.items():
            dst = self.ws / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copyfile(src, dst)
            except (FileNotFoundError, IsADirectoryError) as exc:
                raise DataError(f"{src}: {'not a file' if isinstance(exc, IsADirectoryError) else 'file not found'}") \
                    from None
            self.digests[rel], self.originals[str(dst)] = cache.sha256_file(dst), str(src)

    def path(self, decl: str, tag: str | None) -> Path | None:
        """Where, in the build's folder, a job reads or writes the file the stage table declares."""
        if decl == stages.RAW["user_series"]:
            return next((self.ws / r for r in self.digests if r.startswith("data/raw/user/")), None)
        return self.ws / stages.resolve(decl, tag)

    def digest_of(self, path: Path | None) -> str | None:
        rel = path and path.relative_to(self.ws).as_posix()
        if path is None or rel in self.digests:
            return self.digests.get(rel)
        if path.is_dir():
            return cache.digest(sorted((p.relative_to(path).as_posix(), cache.sha256_file(p))
                                       for p in path.rglob("*") if p.is_file()))
        return cache.sha256_file(path) if path.exists() else "missing"

    def failure(self, exc: StageFailed, name: str, executed: Path) -> Exception:
        """A failing cell: the user's input (exit 2), or a failing stage (exit 1; its notebook kept)."""
        msg, where = self.unstage(str(exc.evalue)), ""
        if exc.ename in ("DataError", "ParameterError"):
            return (DataError if exc.ename == "DataError" else ParameterError)(msg)
        if executed.exists():
            kept = self.out / publish.FAILED / (name.removeprefix(exc.stage).lstrip("_") or "shared") / executed.name
            try:
                shutil.rmtree(self.out / publish.FAILED, ignore_errors=True)
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(executed, kept)
                where = f"; executed notebook kept at {kept}"
            except OSError as err:
                where = f"; the executed notebook could not be kept ({err.strerror or err})"
        return BuildError(f"{exc.stage} failed in {exc.cell} ({exc.ename}: {msg}){where}")

    def unstage(self, text: str) -> str:
        """Messages name the user's files, not the build's copies; what the build makes, by its place in the
        output folder."""
        for staged, original in sorted(self.originals.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(staged, original)
        return text.replace(f"{self.ws}{os.sep}", "")

    def check_years(self) -> None:
        """Whether the data serve the years asked for (if not, what ran is kept in the cache, for the same build
        with other years); then what ingest noted, one line each."""
        try:
            avail = json.loads((self.ws / stages.BY_NAME["02_clean"].writes["years"]).read_text())
            for y in self.b.report_years:
                check_years(avail, y, self.b.base_year)
        except ParameterError:
            with publish.locked(self.out, self.what, self.b.log):
                for key, kind, made in self.new:
                    self.cache.store(key, kind, made)
            raise
        self.say()
        with open(self.ws / stages.BY_NAME["01_ingest"].writes["notes"], encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                self.b.note(self.unstage(row["note"]))
        self.say("per-report stages:")

    def plan(self) -> publish.Plan:
        """data/processed/ (and which series it was made from), and each report: its folder, completed with the
        shared stages' executed notebooks, and what its manifest says it was made from."""
        b, ws = self.b, self.ws
        write_atomic(ws / stages.SERIES, json.dumps({"variant": b.variant}))
        about = {"described": (f"{'your series ' + display(b.user_data.name) if b.user_data else 'the shipped data'}"
                               f"{', World Bank file ' + display(b.wdi_file.name) if b.wdi_file else ''}; "
                               f"top {b.top_n} partners in the markets chart"),
                 "inputs": {rel.removeprefix("data/raw/"): {"file": display(Path(self.originals[str(ws / rel)]).name),
                                                                   "sha256": sha}
                            for rel, sha in sorted(self.digests.items()) if rel.startswith("data/raw/")},
                 "code": self.code, "packages": self.versions}
        reports = []
        for tag, year in ((b.tag(y), y) for y in b.report_years):
            for s in stages.SHARED:
                shutil.copyfile(ws / s.executed, ws / "reports" / tag / "executed" / f"{s.name}.ipynb")
            reports.append(publish.Report(tag, self.keys[f"04_narrative_{tag}"], {
                "title": (ws / stages.resolve(stages.MADE["files"][2]["title"], tag)).read_text(encoding="utf-8"),
                "parameters": {"report_year": year, "base_year": b.base_year, "top_n": b.top_n,
                               "data": b.user_data and display(b.user_data), "wdi": b.wdi_file and display(b.wdi_file)},
                **about}))
        return publish.Plan(self.out, ws, self.started, self.what, b.formats, reports, self.new)
