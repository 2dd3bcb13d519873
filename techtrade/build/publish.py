"""Putting a finished build in place, every file of a report from one build; and the index page.

A build makes everything in its own folder (``build/tmp/<pid>-<random>/``): ``data/processed/`` and,
for each report, ``figures/<report>/`` and ``reports/<report>/``, each complete. Then, holding a lock
on the output folder (concurrent builds take turns), it decides what to put in place, and swaps those
folders for the published ones:

- a report last published by a build that started after this one is left as it is: this build stands
  down for it, and says so (``build/published.json`` records which build published what); so is
  ``data/processed/``, which is the newest build's;
- files of a report that this build did not make (a ``report.pdf`` under ``--format html``) are carried
  over if they still match their manifest entry; ``manifest.json`` lists every file by SHA-256;
- a folder with the same files as the one in place is left alone (nothing is rewritten).

The swaps are written down first (``publish.json`` in the build's folder): a build killed while
swapping is completed by the next build that takes the lock. Ctrl-C, SIGTERM and SIGHUP are held back
while the lock is held, and acted on after it.
"""
from __future__ import annotations

import datetime
import filecmp
import html
import json
import os
import re
import shutil
import signal
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

from ..handover import write_atomic
from ..report import package
from . import stages
from .cache import sha256_file
from .kernels import alive
from .params import display

LOCK, HOLDER, STATE = "build/publish.lock", "build/publish.holder", "build/published.json"
TMP, FAILED = "build/tmp", "build/failed"
PLAN = "publish.json"  # in a build's own folder: the swaps it is making
RENDERINGS = {"html": ("report.html", "appendix-analysis.html"), "pdf": ("report.pdf",)}  # by --format
HELD = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or a termination signal. ``published`` says whether the new outputs were put in place."""

    def __init__(self, signum: int = signal.SIGINT, published: bool = False):
        super().__init__(signum)
        self.signum, self.published = signum, published


@contextmanager
def signals_held():
    """Hold back Ctrl-C, SIGTERM and SIGHUP while the block runs; yields the list of those that came."""
    got: list[int] = []
    main = threading.current_thread() is threading.main_thread()
    before = {s: signal.signal(s, lambda n, f: got.append(n)) for s in HELD} if main else {}
    try:
        yield got
    finally:
        for s, h in before.items():
            signal.signal(s, h)


@contextmanager
def locked(out: Path, what: str = "", log=print, timeout: float = 600):
    """The output folder's publishing lock (a lock file, taken with filelock). After 2 s of waiting, a
    line names the build that holds it. Once it is held, a publish cut short by a kill is completed
    and the working folders of builds that are gone are removed."""
    from filelock import FileLock, Timeout

    path = out / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=2)
    except Timeout:
        try:
            holder = json.loads((out / HOLDER).read_text())
            who = f" (pid {holder['pid']}, building {holder['what']})"
        except (OSError, ValueError, KeyError, TypeError):
            who = ""
        log(f"waiting for another build{who} to finish publishing into {display(out)}")
        try:
            lock.acquire(timeout=max(0, timeout - 2))
        except Timeout:
            raise OSError(f"{path}: another build{who} has held the lock for {timeout:.0f} s") from None
    try:
        write_atomic(out / HOLDER, json.dumps({"pid": os.getpid(), "what": what}))
        _finish_killed(out)
        yield
    finally:
        (out / HOLDER).unlink(missing_ok=True)
        lock.release()


def _finish_killed(out: Path) -> None:
    """Builds that are gone: finish the swaps one was making when it was killed; remove their folders."""
    for d in list((out / TMP).glob("*")):
        m = re.match(r"(\d+)-", d.name)
        if m and (int(m.group(1)) == os.getpid() or alive(int(m.group(1)))):
            continue  # ours, or another build still running
        try:
            _swap(json.loads((d / PLAN).read_text()), d / "old")
        except (OSError, ValueError):  # no plan: it had not begun to publish
            pass
        shutil.rmtree(d, ignore_errors=True)


def _swap(plan: list[list[str]], aside: Path) -> None:
    """Put each new folder (or file) where the old one was, the old one moved aside first. A pair already
    swapped (its source gone) is skipped, so a swap cut short can be run again to its end."""
    for src, dst in ((Path(a), Path(b)) for a, b in plan):
        if not src.exists():
            continue
        if dst.is_dir():
            aside.mkdir(parents=True, exist_ok=True)
            dst.rename(aside / uuid.uuid4().hex)
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)


def _same_folder(a: Path, b: Path) -> bool:
    """Whether two folders hold the same files, byte for byte."""
    def files(d: Path) -> dict[str, Path]:
        return {p.relative_to(d).as_posix(): p for p in d.rglob("*") if p.is_file()} if d.is_dir() else {}

    fa, fb = files(a), files(b)
    return fa.keys() == fb.keys() and all(filecmp.cmp(fa[k], fb[k], shallow=False) for k in fa)


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------------------------------------
# The index page
# ---------------------------------------------------------------------------------------------
LINKS = (("report.html", "report"), ("report.pdf", "PDF"), ("appendix-analysis.html", "appendix"),
         ("verdicts.csv", "verdicts CSV"), ("verdicts.json", "JSON"), ("numbers.csv", "numbers CSV"),
         ("datapackage.json", "data package"))


def write_index(reports: Path) -> Path:
    """reports/index.html: every report built into this folder, with what it was built from."""
    items = []
    for d in sorted(p for p in reports.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            m = json.loads((d / "manifest.json").read_text())
        except (OSError, ValueError):
            m = {}
        files = m.get("files", {})
        newest = max((f.get("content") for f in files.values() if f.get("content")), default=None,
                     key=lambda c: max(f["built"] for f in files.values() if f.get("content") == c))
        links = []
        for name, label in LINKS:
            if (d / name).exists():
                old = files.get(name, {}).get("content") not in (None, newest)
                note = f" (from an earlier build, {html.escape(files[name]['built'][:10])})" if old else ""
                links.append(f'<a href="{html.escape(d.name)}/{name}">{label}</a>{note}')
        if links:
            items.append(f"<li><b>{html.escape(m.get('title', d.name))}</b>"
                         f"<br><span class='what'>{html.escape(m.get('described', ''))}</span><br>"
                         + " · ".join(links) + "</li>")
    page = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'><title>Reports</title>"
            "<style>body{font-family:'DejaVu Sans',sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;"
            "line-height:1.6;color:#1d1d1d}li{margin-bottom:1rem}.what{color:#555;font-size:.9rem}"
            "a{color:#1f5f8b}</style></head><body><h1>Russian technology exports: reports</h1><ul>"
            + "".join(items) + "</ul></body></html>")
    path = reports / "index.html"
    if not (path.exists() and path.read_text(encoding="utf-8") == page):
        write_atomic(path, page)
    return path


# ---------------------------------------------------------------------------------------------
# What a build publishes
# ---------------------------------------------------------------------------------------------
def publish(run) -> dict[str, dict[str, Path]]:
    """Put a finished build in place (runner._Run ``run``): its processed files and, for each report,
    its figures and its folder with every file listed in its manifest; the cache records; the index
    page. Returns the renderings published, by report."""
    b, out, ws = run.b, run.out, run.ws
    for year in b.report_years:
        _complete(run, b.tag(year))
    write_atomic(ws / stages.SERIES, json.dumps({"variant": b.variant}))
    us, files = {"pid": os.getpid(), "started": run.started}, {}
    with locked(out, run.what, b.log), signals_held() as got:
        try:
            state = dict(json.loads((out / STATE).read_text()))
        except (OSError, ValueError, TypeError):
            state = {}

        def newer(unit: str) -> dict | None:
            """The build that published ``unit``, if it started after this one."""
            rec = state.get(unit)
            return rec if isinstance(rec, dict) and rec.get("started", 0) > run.started else None

        units = [] if newer("data/processed") else ["data/processed"]
        for year in b.report_years:
            tag = b.tag(year)
            other = newer(f"reports/{tag}")
            if other:  # stand down; say so if that build's report is not this one's
                if not _has_content(out / "reports" / tag, run.keys[f"04_narrative_{tag}"]):
                    b.note(f"reports/{tag} not published: a build started after this one "
                           f"(pid {other.get('pid')}) has published it from other inputs")
                continue
            _manifest(run, year)
            units += [f"reports/{tag}", f"figures/{tag}"]
            files[tag] = {n: out / "reports" / tag / n for f in b.formats for n in RENDERINGS[f]}
        for u in units:  # a folder's README (the project's documentation of it) is not the build's to drop
            if (out / u / "README.md").is_file() and not (ws / u / "README.md").exists():
                shutil.copyfile(out / u / "README.md", ws / u / "README.md")
        plan = [[str(ws / u), str(out / u)] for u in units if not _same_folder(ws / u, out / u)]
        state.update({u: us for u in units if not u.startswith("figures/")})
        write_atomic(ws / "published.json", json.dumps(state, indent=1, sort_keys=True))
        plan.append([str(ws / "published.json"), str(out / STATE)])
        run.store_cache()
        write_atomic(ws / PLAN, json.dumps(plan))  # from here on, a kill is completed by the next build
        _swap(plan, ws / "old")
        (out / "reports").mkdir(parents=True, exist_ok=True)
        write_index(out / "reports")
        run.cache.prune()
        shutil.rmtree(out / FAILED, ignore_errors=True)
    if got:
        raise Interrupted(got[0], published=True)
    return files


def _has_content(report: Path, content: str) -> bool:
    """Whether the published report was made from the same inputs (its manifest names the content key)."""
    try:
        files = json.loads((report / "manifest.json").read_text())["files"]
        return any(isinstance(f, dict) and f.get("content") == content for f in files.values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _complete(run, tag: str) -> None:
    """A report's folder in the build's own: besides its renderings and its executed notebooks, the
    shared stages' executed notebooks and the machine-readable files."""
    ws, report = run.ws, run.ws / "reports" / tag
    analysis = stages.BY_NAME["03_analysis"].writes
    for s in stages.SHARED:
        shutil.copyfile(ws / run.executed(s, None), report / "executed" / f"{s.name}.ipynb")
    for name, role in (("verdicts.csv", "verdicts"), ("numbers.csv", "numbers")):
        shutil.copyfile(ws / stages.resolve(analysis[role], tag), report / name)
    write_atomic(report / "verdicts.json", _verdicts_json(ws / stages.resolve(analysis["results"], tag)))
    package.write(report, _title(run, tag))


def _title(run, tag: str) -> str:
    """The report's title as its page has it, a user's series named: for the manifest, the index and the
    data package."""
    from ..report.story import series_name, title

    data = json.loads((run.ws / stages.resolve(stages.BY_NAME["03_analysis"].writes["results"], tag)).read_text())
    series = [s for s in data.get("sources", []) if str(s.get("source_id", "")).startswith("USER")]
    return title(data["report"], series) + (f", with {series_name(series)}" if series else "")


def _manifest(run, year: int) -> None:
    """The report's manifest.json (call with the lock held): every file in its folder by SHA-256, and
    what the report was built from. A rendering of a format not asked for (a PDF under --format html)
    is carried over from the published folder with its entry, if it still matches it; every other file
    is this build's. A file made again with the same bytes keeps its date."""
    b, tag = run.b, run.b.tag(year)
    new, dest = run.ws / "reports" / tag, run.out / "reports" / tag
    try:
        old = dict(json.loads((dest / "manifest.json").read_text())["files"])
    except (OSError, ValueError, KeyError, TypeError):
        old = {}
    made = sorted(p.relative_to(new).as_posix() for p in new.rglob("*") if p.is_file())
    files = {}
    for name in (n for f, names in RENDERINGS.items() if f not in b.formats for n in names):
        entry = old.get(name)
        if isinstance(entry, dict) and (dest / name).is_file() and sha256_file(dest / name) == entry.get("sha256"):
            shutil.copy2(dest / name, new / name)
            files[name] = entry
    content, built = run.keys[f"04_narrative_{tag}"], now()
    for name in made:
        sha = sha256_file(new / name)
        same = isinstance(old.get(name), dict) and old[name].get("sha256") == sha
        files[name] = old[name] if same else {"sha256": sha, "built": built, "content": content}
    inputs = {}
    for rel, sha in sorted(run.digests.items()):
        if rel.startswith("inputs/data/raw/"):
            original = Path(run.originals[str(run.ws / rel)])
            inputs[rel.removeprefix("inputs/data/raw/")] = {"file": display(original.name), "sha256": sha}
    what = (f"{'your series ' + display(b.user_data.name) if b.user_data else 'the shipped data'}"
            f"{', World Bank file ' + display(b.wdi_file.name) if b.wdi_file else ''}; "
            f"top {b.top_n} partners in the markets chart")
    write_atomic(new / "manifest.json", json.dumps({
        "title": _title(run, tag), "described": what,
        "parameters": {"report_year": year, "base_year": b.base_year, "top_n": b.top_n,
                       "data": display(b.user_data) if b.user_data else None,
                       "wdi": display(b.wdi_file) if b.wdi_file else None},
        "inputs": inputs, "code": run.code, "packages": run.versions, "files": dict(sorted(files.items()))},
        indent=1))


def _verdicts_json(results: Path) -> str:
    data = json.loads(results.read_text())
    return json.dumps({k: data[k] for k in ("report", "verdicts") if k in data}, indent=1, ensure_ascii=False)
