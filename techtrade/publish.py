"""Putting a finished build in place: under a lock, file by file, all or nothing; and the index page.

A build makes everything in its own folder (``build/tmp/<pid>-<random>/``). Publishing then, holding
a lock on the output folder (so concurrent builds take turns):

1. writes a journal of the moves (``build/publish-journal.json``);
2. moves each new file over the old one (``os.replace``: a reader sees the old file or the new one,
   never half of either); files of the same report that the build did not make (a ``report.pdf``
   when only HTML was asked for) are kept;
3. deletes the journal.

Ctrl-C, SIGTERM and SIGHUP are held back while this runs, and acted on after it. If the process is
killed outright in the middle, the next build finds the journal and finishes the moves first.
"""
from __future__ import annotations

import datetime
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

from .cache import sha256_file
from .kernels import alive
from .params import FORMATS, display

LOCK = "build/publish.lock"
JOURNAL = "build/publish-journal.json"
TMP = "build/tmp"
FAILED = "build/failed"
REPORT_FILES = ("report.html", "report.pdf", "appendix-analysis.html", "verdicts.csv", "verdicts.json",
                "numbers.csv", "manifest.json")
HELD = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None),
                         getattr(signal, "SIGHUP", None)) if s is not None)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or a termination signal. ``published`` says whether the new outputs were put in place."""

    def __init__(self, published: bool = False):
        super().__init__()
        self.published = published


@contextmanager
def signals_held():
    """Hold back Ctrl-C, SIGTERM and SIGHUP until the block is done; then act on the first one."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got = []
    before = {s: signal.signal(s, lambda n, f: got.append(n)) for s in HELD}
    try:
        yield
    finally:
        for s, h in before.items():
            signal.signal(s, h)
    if got:
        raise Interrupted(published=True)


@contextmanager
def locked(out: Path, timeout: float = 600):
    """The output folder's publishing lock (a lock file, taken with filelock)."""
    from filelock import FileLock, Timeout

    path = out / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise OSError(f"{path}: another build has held the lock for {timeout:.0f} s") from None
    try:
        yield
    finally:
        lock.release()


def move_all(out: Path, moves: list[tuple[Path, Path]], deletes: list[Path]) -> None:
    """Journalled moves (call with the lock held and signals held)."""
    journal = out / JOURNAL
    tmp = journal.with_name(f".{journal.name}.{uuid.uuid4().hex[:8]}")
    tmp.write_text(json.dumps({"moves": [[str(a), str(b)] for a, b in moves], "deletes": [str(d) for d in deletes]}))
    os.replace(tmp, journal)
    _apply(moves, deletes)
    journal.unlink()


def _apply(moves, deletes) -> None:
    for src, dst in moves:
        src, dst = Path(src), Path(dst)
        if src.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
    for d in deletes:
        Path(d).unlink(missing_ok=True)


def recover(out: Path) -> bool:
    """Finish a publish that a killed build left half done (lock held). True if there was one."""
    journal = out / JOURNAL
    try:
        plan = json.loads(journal.read_text())
    except FileNotFoundError:
        return False
    except ValueError:  # the journal itself was cut short: nothing had been moved yet
        journal.unlink()
        return False
    _apply(plan["moves"], plan["deletes"])
    journal.unlink()
    return True


def remove_debris(out: Path) -> None:
    """Working folders of builds that were killed outright (their process is gone) (lock held)."""
    for d in list((out / TMP).glob("*")) + list(out.glob(".staging-*")):
        m = re.match(r"\.?(?:staging-)?(\d+)-", d.name)
        if m and alive(int(m.group(1))) and int(m.group(1)) != os.getpid():
            continue  # another build, still running
        if m and int(m.group(1)) == os.getpid():
            continue  # ours
        shutil.rmtree(d, ignore_errors=True)


def same_bytes(a: Path, b: Path) -> bool:
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        return a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------------------------------------
# The index page
# ---------------------------------------------------------------------------------------------
LINKS = (("report.html", "report"), ("report.pdf", "PDF"), ("appendix-analysis.html", "appendix"),
         ("verdicts.csv", "verdicts CSV"), ("verdicts.json", "JSON"), ("numbers.csv", "numbers CSV"))


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
    """Put a finished build in place (runner._Run ``run``): its processed files, figures and report
    folders, each report's machine-readable files and manifest, the cache records, the index page.
    Only files whose bytes changed are moved; figures the build no longer makes are removed."""
    from . import stages

    b, out, ws = run.b, run.out, run.ws
    analysis = stages.BY_NAME["03_analysis"].writes
    moves, deletes, files = [], [], {}

    def add(src: Path, dst: Path):
        if not same_bytes(src, dst):
            moves.append((src, dst))

    for f in sorted((ws / "data" / "processed").iterdir()):
        add(f, out / "data" / "processed" / f.name)
    for year in b.report_years:
        tag = b.tag(year)
        figs = ws / "figures" / tag
        new = {p.name for p in figs.iterdir()} if figs.is_dir() else set()
        for p in sorted(figs.iterdir()) if figs.is_dir() else ():
            add(p, out / "figures" / tag / p.name)
        old = out / "figures" / tag
        deletes += [p for p in old.iterdir() if p.is_file() and p.name not in new] if old.is_dir() else []
        report, dest = ws / "reports" / tag, out / "reports" / tag
        for s in stages.SHARED:
            shutil.copyfile(ws / run.executed(s, None), report / "executed" / f"{s.name}.ipynb")
        for p in sorted((report / "executed").iterdir()):
            add(p, dest / "executed" / p.name)
        for name, role in (("verdicts.csv", "verdicts"), ("numbers.csv", "numbers")):
            shutil.copyfile(ws / stages.resolve(analysis[role], tag), report / name)
            add(report / name, dest / name)
        write_atomic(report / "verdicts.json", _verdicts_json(ws / stages.resolve(analysis["results"], tag)))
        add(report / "verdicts.json", dest / "verdicts.json")
        made = [f"report.{f}" for f in FORMATS if f in b.formats] + (
            ["appendix-analysis.html"] if "html" in b.formats else [])
        for name in made:
            add(report / name, dest / name)
        manifest = _manifest(run, year, report, dest, made)
        write_atomic(report / "manifest.json", manifest)
        add(report / "manifest.json", dest / "manifest.json")
        files[tag] = {n: dest / n for n in made}
    with locked(out), signals_held():
        recover(out)
        for key, rels in run.new.items():
            run.cache.store(key, ws, rels)
        move_all(out, moves, deletes)
        (out / "reports").mkdir(parents=True, exist_ok=True)
        write_index(out / "reports")
        run.cache.prune()
        shutil.rmtree(out / FAILED, ignore_errors=True)
    return files


def _manifest(run, year: int, report: Path, dest: Path, made: list[str]) -> str:
    """What the report's files were built from. A file this build did not make (a PDF when only
    HTML was asked for) keeps its entry; a file made again with the same bytes keeps its date."""
    b = run.b
    try:
        old = json.loads((dest / "manifest.json").read_text()).get("files", {})
    except (OSError, ValueError):
        old = {}
    content = run.keys[f"04_narrative_{b.tag(year)}"]
    built = now()
    files = {n: v for n, v in old.items() if (dest / n).exists() and n not in made}
    for n in made:
        sha = sha256_file(report / n)
        same = old.get(n, {}).get("sha256") == sha
        files[n] = old[n] if same else {"sha256": sha, "built": built, "content": content}
    files = dict(sorted(files.items()))
    inputs = {}
    for rel, sha in sorted(run.digests.items()):
        if rel.startswith("inputs/data/raw/"):
            original = Path(run.originals[str(run.ws / rel)])
            inputs[rel.removeprefix("inputs/data/raw/")] = {"file": display(original.name), "sha256": sha}
    what = (f"{'your series ' + display(b.user_data.name) if b.user_data else 'the shipped data'}"
            f"{', World Bank file ' + display(b.wdi_file.name) if b.wdi_file else ''}; "
            f"top {b.top_n} partners in the markets chart")
    return json.dumps({
        "title": f"{year} against {b.base_year}", "described": what,
        "parameters": {"report_year": year, "base_year": b.base_year, "top_n": b.top_n,
                       "data": display(b.user_data) if b.user_data else None,
                       "wdi": display(b.wdi_file) if b.wdi_file else None},
        "inputs": inputs, "code": run.code, "packages": run.versions, "files": files}, indent=1)


def _verdicts_json(results: Path) -> str:
    data = json.loads(results.read_text())
    return json.dumps({k: data[k] for k in ("report", "verdicts") if k in data}, indent=1, ensure_ascii=False)
