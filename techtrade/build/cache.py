"""The job cache: a job's outputs kept by the hash of all that can change them, reused only while intact
(docs/build.md)."""
from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from contextlib import suppress
from pathlib import Path

from ..atomic import write_atomic

PACKAGE = Path(__file__).resolve().parent.parent
SHAPING = ("pandas", "numpy", "matplotlib", "seaborn", "pandera", "papermill", "nbconvert", "nbformat", "jinja2",
           "weasyprint", "pycountry")  # the packages whose version can change an output
KEEP_RECORDS = 400  # the most recently used records kept; older ones, and the files no record names, pruned


def sha256_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def code_digest() -> str:
    """The techtrade package and its templates."""
    h = hashlib.sha256()
    for p in sorted(PACKAGE.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".j2", ".css", ".json", ".md") and "__pycache__" not in p.parts:
            h.update(p.relative_to(PACKAGE).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def versions() -> dict[str, str]:
    """Python's version and the SHAPING packages', from the names of their ``<name>-<version>.dist-info``
    folders, spelled as the packaging specification normalises them (importlib.metadata takes 70 ms)."""
    norm, found = (lambda name: re.sub(r"[-_.]+", "_", name).lower()), {}
    for entry in sys.path:
        with suppress(OSError):
            for f in os.listdir(entry or "."):
                if f.endswith(".dist-info"):
                    name, _, version = f.removesuffix(".dist-info").partition("-")
                    found.setdefault(norm(name), version)
    out = {"python": ".".join(map(str, sys.version_info[:3]))}
    for name in SHAPING:
        out[name] = found.get(norm(name), "")
        if not out[name] or "-" in out[name]:
            from importlib import metadata
            try:
                out[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                out[name] = "absent"
    return out


class Cache:
    def __init__(self, out: Path):
        self.objects, self.records = Path(out) / "build/cache/objects", Path(out) / "build/cache/records"

    def object(self, kind: str, role: str, sha: str) -> Path:
        return self.objects / f"{kind}.{role.split('/')[0]}" / sha

    def lookup(self, key: str, kind: str) -> dict[str, Path] | None:
        """The outputs a ``kind`` job with this key made ({role: kept file}), if all is intact."""
        rec = self.records / f"{key}.json"
        try:
            data = json.loads(rec.read_text())
            files = data["files"]
            found = {role: self.object(kind, role, sha) for role, sha in files.items()}
            if data["check"] != digest(key, kind, files) or \
                    not all(obj.is_file() and sha256_file(obj) == files[role] for role, obj in found.items()):
                return None  # edited, lost, or made by another kind of job: run it again
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        with suppress(OSError):
            os.utime(rec)  # most recently used
        return found

    def store(self, key: str, kind: str, files: dict[str, Path]) -> None:
        """Keep what a job made ({role: file}); a kept file that no longer hashes to its name is replaced."""
        shas = {role: sha256_file(path) for role, path in sorted(files.items())}
        for role, sha in shas.items():
            obj = self.object(kind, role, sha)
            if not (obj.is_file() and sha256_file(obj) == sha):
                write_atomic(obj, files[role].read_bytes())
        write_atomic(self.records / f"{key}.json", json.dumps({"files": shas, "check": digest(key, kind, shas)}))

    def prune(self, keep: int = KEEP_RECORDS) -> None:
        """Drop the records used least recently beyond ``keep``, those unreadable, and files no record names."""
        recs, used = sorted(self.records.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True), set()
        for i, rec in enumerate(recs):
            with suppress(OSError, ValueError, KeyError, AttributeError):
                if i < keep:
                    used.update(json.loads(rec.read_text())["files"].values())
                    continue
            rec.unlink(missing_ok=True)
        for obj in self.objects.glob("*/*"):
            if obj.name not in used:
                obj.unlink(missing_ok=True)
