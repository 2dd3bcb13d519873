"""The analysis results handed to the narrative (03_results_<tag>.json): numbers, not text.

One JSON file: the report's parameters, the verdict records, the numbers table, the figures drawn,
the sources and the claims' words. Standard JSON: an unbounded end of an interval is null.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .intervals import INF, Interval

#: Verdicts. What a verdict may say depends on what it rests on (its tier): figures from the claim's
#: own publication can show it internally consistent or inconsistent, never confirm it; another
#: publication of the same statistics, or the primary table itself, can confirm or contradict it.
CONFIRMED, CONSISTENT, CONTRADICTED = "confirmed", "consistent", "contradicted"
INTERNALLY_CONSISTENT, INTERNALLY_INCONSISTENT = "internally consistent", "internally inconsistent"
NOT_VERIFIABLE = "not verifiable"
VERDICTS = (CONFIRMED, CONSISTENT, CONTRADICTED, INTERNALLY_CONSISTENT, INTERNALLY_INCONSISTENT, NOT_VERIFIABLE)

#: Tiers: what the evidence of a verdict rests on.
OWN, OTHER, PRIMARY, MIXED, NONE = "own", "other", "primary", "mixed", "none"
TIERS = {OWN: "the claim's own publication", OTHER: "another publication of the same statistics",
         PRIMARY: "the primary table (a user's series)", MIXED: "the article's own figures and other publications'",
         NONE: "nothing: no other figure bears on it"}
ROLE_TIER = {"the article": OWN, "same statistics, another publication": OTHER, "primary table": PRIMARY}


@dataclass
class Verdict:
    claim_id: str
    part_id: str
    part: str
    check: str
    unit: str
    claimed: Interval | None
    evidence: Interval | None
    verdict: str
    tier: str = NONE
    figure_ids: list[str] = field(default_factory=list)
    source_ids: list[str] = field(default_factory=list)
    claim_source_ids: list[str] = field(default_factory=list)
    used: list[dict] = field(default_factory=list)     # the quantities the evidence rests on
    settle: list[dict] = field(default_factory=list)   # series that would settle it: {flow, partner, years}
    restates: str = ""
    detail: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        d = asdict(self)
        d["claimed"] = None if self.claimed is None else self.claimed.to_json()
        d["evidence"] = None if self.evidence is None else self.evidence.to_json()
        return d

    @classmethod
    def from_json(cls, d: dict) -> "Verdict":
        return cls(**{**d, "claimed": Interval.from_json(d["claimed"]), "evidence": Interval.from_json(d["evidence"])})


def counted(verdicts: list[Verdict]) -> list[Verdict]:
    """The parts that count: a part that restates another is counted once, with that one."""
    return [v for v in verdicts if not v.restates]


def summarise(verdicts: list[Verdict]) -> dict[str, int]:
    return {name: sum(v.verdict == name for v in counted(verdicts)) for name in VERDICTS}




def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or type(value).__name__ == "NAType":
        return None
    return value


def save(path: str | Path, report: dict, verdicts: list[Verdict], numbers, figures: list[dict],
         sources, claims, extra: dict | None = None) -> Path:
    """Write the results (numbers, sources and claims are DataFrames) as standard JSON."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    records = [{k: _clean(v) for k, v in r.items()} for r in numbers.astype(object).to_dict("records")]
    data = {"report": report, "verdicts": [v.to_json() for v in verdicts], "numbers": records,
            "figures": figures, "sources": [{k: _clean(v) for k, v in r.items()} for r in sources.to_dict("records")],
            "claims": dict(zip(claims["claim_id"], claims["claim"])), "extra": extra or {}}
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    return path


@dataclass
class Number:
    """One row of the numbers table, for the template."""

    id: str
    iv: Interval | None
    unit: str = ""
    status: str = ""
    basis: str = ""
    source_ids: str = ""

    @property
    def derived(self) -> bool:
        return self.status == "derived"

    def __bool__(self) -> bool:
        return self.iv is not None


class Numbers:
    """numbers["exports.2020"]: a Number (an empty one if the data do not have it)."""

    def __init__(self, rows: list[dict]):
        self.rows = {r["id"]: r for r in rows}
        self.used: list[str] = []  # the ids the report showed

    def __getitem__(self, id_: str) -> Number:
        r = self.rows.get(id_)
        if r is None or (r.get("lo") is None and r.get("hi") is None and r.get("status") == "missing"):
            return Number(id_, None, basis="" if r is None else str(r.get("basis") or ""))
        if id_ not in self.used:
            self.used.append(id_)
        lo = -INF if r["lo"] is None else r["lo"]
        hi = INF if r["hi"] is None else r["hi"]
        if r["unit"] in ("USD mn", "ratio") and r["lo"] is None and r["hi"] is not None:
            lo = 0.0  # a level or a ratio is never negative: "at most"
        return Number(id_, Interval(lo, hi), r["unit"], r["status"], r.get("basis") or "", r.get("source_ids") or "")

    def has(self, id_: str) -> bool:
        return bool(self[id_])


@dataclass
class Results:
    """What the analysis handed over (03_results_<tag>.json), ready for the template."""

    report: dict
    verdicts: list[Verdict]
    numbers: Numbers
    figures: list[dict]
    sources: list[dict]
    claims: dict[str, str]
    extra: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> "Results":
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(d["report"], [Verdict.from_json(v) for v in d["verdicts"]], Numbers(d["numbers"]),
                   d["figures"], d["sources"], d["claims"], d.get("extra", {}))

    @property
    def user_sources(self) -> list[dict]:
        return [s for s in self.sources if s.get("source_id", "").startswith("USER")]

    def publisher(self, source_ids) -> str:
        """'MT;EWDN' -> 'The Moscow Times; East-West Digital News' (short names: the sources list
        gives the rest)."""
        ids = source_ids.split(";") if isinstance(source_ids, str) else list(source_ids)
        pub = {s["source_id"]: s.get("short") or str(s["publisher"]).split(" (")[0] for s in self.sources}
        return "; ".join(dict.fromkeys(pub.get(i, i) for i in ids if i))


