"""Putting a finished build in place, every file of a report from one build; and the index page.

A build makes everything in its own folder (``build/tmp/<pid>-<random>/``): ``data/processed/`` and, for
each report, ``figures/<report>/`` and ``reports/<report>/``, each complete. :func:`publish` is given the
:class:`Plan` of it and, holding a lock on the output folder (concurrent builds take turns), decides what
to put in place and swaps those folders for the published ones:

- a report last published by a build that started after this one is left as it is, and this build says
  so if that report is another (``build/published.json`` records who published what); so is
  ``data/processed/``, which is the newest build's;
- a rendering this build did not make (a ``report.pdf`` under ``--format html``) is carried over if it
  still matches its manifest entry; ``manifest.json`` lists every file by SHA-256;
- a folder with the same files as the one in place is left alone (nothing is rewritten).

The swaps are written down first (``publish.json`` in the build's folder): a build killed while swapping
is completed by the next one to take the lock. Ctrl-C, SIGTERM and SIGHUP are held back while the lock
is held, and acted on after it.
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
from dataclasses import dataclass, field
from pathlib import Path

from .cache import Cache, sha256_file, write_atomic
from .kernels import alive
from .params import display

LOCK, HOLDER, STATE = "build/publish.lock", "build/publish.holder", "build/published.json"
TMP, FAILED = "build/tmp", "build/failed"
PLAN = "publish.json"  # in a build's own folder: the swaps it is making
RENDERINGS = {"html": ("report.html", "appendix-analysis.html"), "pdf": ("report.pdf",)}  # by --format
SAY_AFTER = 2  # seconds of waiting for the lock before saying who holds it
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
    """The output folder's publishing lock (a lock file, taken with filelock). After SAY_AFTER seconds of
    waiting, a line names the build that holds it. Once it is held, a publish cut short by a kill is completed
    and the working folders of builds that are gone are removed."""
    from filelock import FileLock, Timeout

    path = out / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=SAY_AFTER)
    except Timeout:
        try:
            holder = json.loads((out / HOLDER).read_text())
            who = f" (pid {holder['pid']}, building {holder['what']})"
        except (OSError, ValueError, KeyError, TypeError):
            who = ""
        log(f"waiting for another build{who} to finish publishing into {display(out)}")
        try:
            lock.acquire(timeout=max(0, timeout - SAY_AFTER))
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
@dataclass
class Report:
    tag: str       # its folder's name
    content: str   # what it was made from (its narrative's cache key): the same content is the same report
    about: dict    # its manifest but the files: title, what it was built from, parameters, inputs, code ...


@dataclass
class Plan:
    """What a finished build publishes: ``data/processed/`` and its reports, made in ``ws``, into ``out``."""
    out: Path
    ws: Path
    started: float              # time.time() when the build started: a later build's report is kept
    what: str                   # what the build builds, for another build waiting for the lock
    formats: tuple[str, ...]    # the renderings made; a report's other renderings may be carried over
    reports: list[Report]
    cache: list[tuple[str, str, dict[str, Path]]] = field(default_factory=list)  # (key, kind, files) to keep


def publish(plan: Plan, log=print, note=print) -> dict[str, dict[str, Path]]:
    """Put ``plan`` in place under the lock, with the cache records of what ran, and the index page.
    Returns the renderings published, by report (not those of a report a newer build published)."""
    out, ws = plan.out, plan.ws
    us, files = {"pid": os.getpid(), "started": plan.started}, {}
    with locked(out, plan.what, log), signals_held() as got:
        try:
            state = dict(json.loads((out / STATE).read_text()))
        except (OSError, ValueError, TypeError):
            state = {}

        def newer(unit: str) -> dict | None:
            """The build that published ``unit``, if it started after this one."""
            rec = state.get(unit)
            return rec if isinstance(rec, dict) and rec.get("started", 0) > plan.started else None

        units = [] if newer("data/processed") else ["data/processed"]
        for r in plan.reports:
            other = newer(f"reports/{r.tag}")
            if other:  # stand down; say so if that build's report is not this one's
                if not _has_content(out / "reports" / r.tag, r.content):
                    note(f"reports/{r.tag} not published: a build started after this one (pid {other.get('pid')}) "
                         "has published it from other inputs")
                continue
            _manifest(plan, r)
            units += [f"reports/{r.tag}", f"figures/{r.tag}"]
            files[r.tag] = {n: out / "reports" / r.tag / n for f in plan.formats for n in RENDERINGS[f]}
        for u in units:  # a folder's README (the project's documentation of it) is not the build's to drop
            if (out / u / "README.md").is_file() and not (ws / u / "README.md").exists():
                shutil.copyfile(out / u / "README.md", ws / u / "README.md")
        swaps = [[str(ws / u), str(out / u)] for u in units if not _same_folder(ws / u, out / u)]
        state.update({u: us for u in units if not u.startswith("figures/")})
        write_atomic(ws / "published.json", json.dumps(state, indent=1, sort_keys=True))
        swaps.append([str(ws / "published.json"), str(out / STATE)])
        cache = Cache(out)
        for key, kind, made in plan.cache:
            cache.store(key, kind, made)
        write_atomic(ws / PLAN, json.dumps(swaps))  # from here on, a kill is completed by the next build
        _swap(swaps, ws / "old")
        (out / "reports").mkdir(parents=True, exist_ok=True)
        write_index(out / "reports")
        cache.prune()
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


def _manifest(plan: Plan, r: Report) -> None:
    """The report's manifest.json (call with the lock held): every file in its folder by SHA-256, when it
    was built and from what. A rendering of a format not made (a PDF under --format html) is carried over
    from the published folder with its entry, if it still matches it; every other file is this build's,
    and keeps its date if it has the same bytes as the one published."""
    new, dest = plan.ws / "reports" / r.tag, plan.out / "reports" / r.tag
    try:
        old = dict(json.loads((dest / "manifest.json").read_text())["files"])
    except (OSError, ValueError, KeyError, TypeError):
        old = {}
    made = sorted(p.relative_to(new).as_posix() for p in new.rglob("*") if p.is_file())
    files = {}
    for name in (n for f, names in RENDERINGS.items() if f not in plan.formats for n in names):
        entry = old.get(name)
        if isinstance(entry, dict) and (dest / name).is_file() and sha256_file(dest / name) == entry.get("sha256"):
            shutil.copy2(dest / name, new / name)
            files[name] = entry
    built = now()
    for name in made:
        sha, was = sha256_file(new / name), old.get(name)
        same = isinstance(was, dict) and was.get("sha256") == sha
        files[name] = {"sha256": sha, "built": was.get("built", built) if same else built, "content": r.content}
    write_atomic(new / "manifest.json", json.dumps({**r.about, "files": dict(sorted(files.items()))}, indent=1))
