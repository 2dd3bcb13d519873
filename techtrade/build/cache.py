"""The stage cache: a job runs again only when something it reads changed.

A job (a stage, or a rendering) is known by a key: the hash of everything that can change what it
makes (its notebook, its parameters, the bytes of every file it reads, the ``techtrade`` module and
the versions of the packages that shape outputs). ``build/cache/records/<key>.json`` lists the job's
outputs by role (``verdicts``, ``figures/exports-wide.svg``, ``executed``), each by its SHA-256, with a
checksum of the record itself; the files are kept once each in ``build/cache/objects/<job>.<role>/<sha256>``.
Nothing is reused unless the record matches its checksum and every object is in its own role's folder
and still hashes to what was recorded: a record or a cached file edited, truncated or removed makes
the job run again, and running it replaces the bad object. Outputs restore by role, under the names
the build at hand gives them (the same series under another file name makes another report folder).
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import sys
import uuid
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # the whole techtrade package
#: The packages whose version can change an output (numbers, figures, HTML, PDF).
SHAPING = ("pandas", "numpy", "matplotlib", "seaborn", "pandera", "papermill", "nbconvert", "nbformat",
           "jinja2", "weasyprint", "pycountry")
KEEP_RECORDS = 400  # the most recently used records kept; older ones (and their files) are pruned


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def code_digest() -> str:
    """The techtrade module and its templates: a change to them can change any output."""
    h = hashlib.sha256()
    for p in sorted(PACKAGE.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".j2", ".css", ".json", ".md") and "__pycache__" not in p.parts:
            h.update(p.relative_to(PACKAGE).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def versions() -> dict[str, str]:
    """The versions of the SHAPING packages, read from the names of the installed ``*.dist-info``
    folders (``pandas-2.2.3.dist-info``, as the packaging specification names them): a warm rebuild
    need not import ``importlib.metadata``, which costs more than the rest of it. A package not
    found that way is asked of ``importlib.metadata``."""
    wanted = {_norm(n): n for n in SHAPING}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            stem = folder.removesuffix(".dist-info")
            if stem != folder and stem.count("-") == 1:
                name, version = stem.split("-")
                if _norm(name) in wanted and wanted[_norm(name)] not in found:
                    found[wanted[_norm(name)]] = version
    out = {"python": platform.python_version()}
    for name in SHAPING:
        if name not in found:
            from importlib import metadata
            try:
                found[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                found[name] = "absent"
        out[name] = found[name]
    return out


class Cache:
    def __init__(self, out: Path):
        self.root = Path(out) / "build" / "cache"
        self.objects = self.root / "objects"
        self.records = self.root / "records"

    def object(self, kind: str, name: str, sha: str) -> Path:
        """Where an output is kept: in its job's and role's own folder ("03_analysis.figures")."""
        return self.objects / f"{kind}.{name.split('/')[0]}" / sha

    def lookup(self, key: str, kind: str) -> dict[str, Path] | None:
        """The outputs a ``kind`` job with this key made ({role: kept file}), if all is intact."""
        rec = self.records / f"{key}.json"
        try:
            data = json.loads(rec.read_text())
            files = data["files"]
            if data["check"] != digest(key, kind, files):
                return None  # edited, or made for another kind of job
            found = {name: self.object(kind, name, sha) for name, sha in files.items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        for name, obj in found.items():
            if not obj.is_file() or sha256_file(obj) != files[name]:
                return None  # edited or lost: run again
        try:
            os.utime(rec)  # most recently used
        except OSError:
            pass
        return found

    def store(self, key: str, kind: str, files: dict[str, Path]) -> None:
        """Keep the outputs a job made ({role: file}) under its key. A kept object that no longer
        hashes to its name is replaced."""
        shas = {}
        for name, path in sorted(files.items()):
            shas[name] = sha = sha256_file(path)
            obj = self.object(kind, name, sha)
            if not (obj.is_file() and sha256_file(obj) == sha):
                write_atomic(obj, path.read_bytes())
        write_atomic(self.records / f"{key}.json",
                     json.dumps({"files": shas, "check": digest(key, kind, shas)}, indent=1, sort_keys=True))

    def prune(self, keep: int = KEEP_RECORDS) -> None:
        """Drop the least recently used records beyond ``keep``, and the files no record names."""
        recs = sorted(self.records.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in recs[keep:]:
            old.unlink(missing_ok=True)
        used = set()
        for rec in recs[:keep]:
            try:
                used.update(json.loads(rec.read_text())["files"].values())
            except (OSError, ValueError, KeyError, AttributeError):
                rec.unlink(missing_ok=True)
        for obj in self.objects.glob("*/*"):
            if obj.name not in used:
                obj.unlink(missing_ok=True)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``path`` whole or not at all, through a temporary file renamed over it. (handover.write_atomic
    does the same, but importing handover imports pandas: 0.3 s that a build reusing everything never needs.)"""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(tmp, path)
