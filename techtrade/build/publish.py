"""A finished build put in place under the output folder's lock, every file of a report from one build; the
index page (docs/build.md)."""
from __future__ import annotations

import fcntl
import filecmp
import json
import os
import shutil
import signal
import time
from collections import namedtuple
from contextlib import contextmanager, suppress
from pathlib import Path

from ..atomic import write_atomic
from .cache import Cache, sha256_file
from .kernels import alive
from .params import display
from .stages import MADE

LOCK, STATE, TMP, FAILED = "build/publish.lock", "build/published.json", "build/tmp", "build/failed"
SWAPS = "publish.json"  # in a build's folder: the swaps it makes
SAY_AFTER = 2  # seconds of waiting for the lock before saying who holds it


#: A report: its folder's name; ``content``, its narrative's cache key (the same key, the same report); its
#: manifest but the files.
Report = namedtuple("Report", "tag content about")
#: A build's output, made in ``ws``, for ``out``: when it ``started`` (time.time()); ``what`` it builds (said to
#: a build waiting for the lock); the ``formats`` made; its Reports; the (key, kind, files) of the jobs that ran.
Plan = namedtuple("Plan", "out ws started what formats reports cache", defaults=((),))


@contextmanager
def signals_held():
    """Hold back Ctrl-C, SIGTERM and SIGHUP while the block runs (in the main thread); yields those that came."""
    got: list[int] = []
    before = {s: signal.signal(s, lambda n, f: got.append(n)) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield got
    finally:
        for s, h in before.items():
            signal.signal(s, h)


@contextmanager
def locked(out: Path, what: str = "", log=print, timeout: float = 600):
    """The output folder's publishing lock (flock), its file naming the build that holds it: after SAY_AFTER
    seconds of waiting, a line says who. Once held, the swaps of builds that are gone are completed (if they
    had begun them) and their folders removed."""
    (out / LOCK).parent.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK, "a+") as f:
        t0, who = time.monotonic(), None
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if who is None and time.monotonic() - t0 >= SAY_AFTER:
                    holder = _read(out / LOCK)
                    who = (f" (pid {holder['pid']}, building {holder['what']})" if {"pid", "what"} <= holder.keys()
                           else "")
                    log(f"waiting for another build{who} to finish publishing into {display(out)}")
                if time.monotonic() - t0 >= timeout:
                    raise OSError(f"{out / LOCK}: another build{who} has held the lock for {timeout:.0f} s") from None
                time.sleep(0.05)
        f.truncate(0)
        f.write(json.dumps({"pid": os.getpid(), "what": what}))
        f.flush()
        for d in list((out / TMP).glob("*")):
            pid = d.name.partition("-")[0]
            if not (pid.isdecimal() and alive(int(pid))):  # a build that is gone (this one is alive)
                with suppress(OSError, ValueError):  # (no swaps written: it had not begun to publish)
                    _swap(json.loads((d / SWAPS).read_text()), d / "old")
                shutil.rmtree(d, ignore_errors=True)
        yield


def _swap(swaps: list[list[str]], aside: Path) -> None:
    """Put each new folder (or file) where the old one was, the old one moved aside first. A pair swapped
    already (its source gone) is skipped, so a swap cut short can be run again to its end."""
    for src, dst in ((Path(a), Path(b)) for a, b in swaps if Path(a).exists()):
        if dst.is_dir():
            aside.mkdir(parents=True, exist_ok=True)
            dst.rename(aside / os.urandom(8).hex())
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)


def _read(path: Path, key: str | None = None) -> dict:
    """The JSON object in ``path`` (or its ``key``); {} if there is none."""
    try:
        data = json.loads(path.read_text())
        data = data[key] if key else data
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())


def renderings(formats) -> list[str]:
    """The files of the renderings ``formats`` ask for."""
    return [Path(writes["page"]).name for fmt, _, writes in MADE.values() if fmt in formats]


def publish(plan: Plan, log=print, note=print) -> dict[str, dict[str, Path]]:
    """Put ``plan`` in place under the lock, with the cache records of what ran, and the index page. Returns
    the renderings published, by report (not those of a report a newer build published). A signal that came
    meanwhile is raised after: a KeyboardInterrupt whose ``published`` is True."""
    out, ws, files = plan.out, plan.ws, {}
    with locked(out, plan.what, log), signals_held() as got:
        state = _read(out / STATE)

        def newer(unit: str) -> dict:  # the build that published ``unit``, if it started after this one
            rec = state.get(unit)
            return rec if isinstance(rec, dict) and rec.get("started", 0) > plan.started else {}

        units = [] if newer("data/processed") else ["data/processed"]
        for r in plan.reports:
            if other := newer(f"reports/{r.tag}"):  # stand down; say so if that report is another
                if r.content not in (f.get("content") for f in _read(out / "reports" / r.tag / "manifest.json",
                                                                     "files").values() if isinstance(f, dict)):
                    note(f"reports/{r.tag} not published: a build started after this one (pid {other.get('pid')}) "
                         "has published it from other inputs")
                continue
            _manifest(plan, r)
            units += [f"reports/{r.tag}", f"figures/{r.tag}"]
            files[r.tag] = {n: out / "reports" / r.tag / n for n in renderings(plan.formats)}
        for u in units:  # a folder's README (the project's documentation of it) is not the build's to drop
            if (out / u / "README.md").is_file() and not (ws / u / "README.md").exists():
                shutil.copyfile(out / u / "README.md", ws / u / "README.md")
        swaps = [[str(ws / u), str(out / u)] for u in units if not _same_folder(ws / u, out / u)]
        state.update({u: {"pid": os.getpid(), "started": plan.started} for u in units if not u.startswith("figures/")})
        write_atomic(ws / "published.json", json.dumps(state, indent=1, sort_keys=True))
        cache = Cache(out)
        for key, kind, made in plan.cache:
            cache.store(key, kind, made)
        swaps.append([str(ws / "published.json"), str(out / STATE)])
        write_atomic(ws / SWAPS, json.dumps(swaps))  # from here on, a kill is completed by the next build
        _swap(swaps, ws / "old")
        if len(swaps) > 1 or not (out / "reports" / "index.html").exists():  # (the first: published.json)
            write_index(out / "reports")
        cache.prune()
        shutil.rmtree(out / FAILED, ignore_errors=True)
    if got:
        exc = KeyboardInterrupt(got[0])
        exc.published = True
        raise exc
    return files


def _same_folder(a: Path, b: Path) -> bool:
    fa, fb = ({p.relative_to(d).as_posix(): p for p in d.rglob("*") if p.is_file()} for d in (a, b))
    return fa.keys() == fb.keys() and all(filecmp.cmp(fa[k], fb[k], shallow=False) for k in fa)


def _manifest(plan: Plan, r: Report) -> None:
    """The report's manifest.json: every file in its folder by SHA-256, when it was built (a file with the
    bytes published keeps its date) and from what; a rendering not made is carried over with its entry, if
    the published file still matches it."""
    new, dest = plan.ws / "reports" / r.tag, plan.out / "reports" / r.tag
    old, built = _read(dest / "manifest.json", "files"), now()
    files = {}
    for name in sorted(p.relative_to(new).as_posix() for p in new.rglob("*") if p.is_file()):
        sha, was = sha256_file(new / name), old.get(name)
        same = isinstance(was, dict) and was.get("sha256") == sha
        files[name] = {"sha256": sha, "built": was.get("built", built) if same else built, "content": r.content}
    for name in set(renderings(("html", "pdf"))) - set(renderings(plan.formats)):
        entry = old.get(name)
        if isinstance(entry, dict) and (dest / name).is_file() and sha256_file(dest / name) == entry.get("sha256"):
            shutil.copy2(dest / name, new / name)
            files[name] = entry
    write_atomic(new / "manifest.json", json.dumps({**r.about, "files": dict(sorted(files.items()))}, indent=1))


def write_index(reports: Path) -> Path:
    """reports/index.html (templates/index/): every report built into this folder, with what it was built
    from; a file left from an earlier build is marked as such."""
    from jinja2 import Environment, FileSystemLoader

    reports.mkdir(parents=True, exist_ok=True)
    items = []
    for d in sorted(p for p in reports.iterdir() if p.is_dir() and not p.name.startswith(".")):
        m = _read(d / "manifest.json")
        files = m.get("files", {})
        newest = max((f.get("content") for f in files.values() if f.get("content")), default=None,
                     key=lambda c: max(f["built"] for f in files.values() if f.get("content") == c))
        items.append({"tag": d.name, "manifest": m, "files": files, "newest": newest, "present": os.listdir(d)})
    env = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"), autoescape=True)
    page = env.get_template("index/index.html.j2").render(reports=items)
    path = reports / "index.html"
    if not (path.exists() and path.read_text(encoding="utf-8") == page):
        write_atomic(path, page)
    return path
