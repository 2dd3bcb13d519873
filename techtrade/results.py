"""The analysis results handed to the narrative (03_results_<tag>.json): numbers, not text.

One JSON file: the report's parameters, the verdict records, the numbers table, the figures drawn,
the sources and the claims' words. Standard JSON: an unbounded end of an interval is null.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .atomic import write_atomic
from .intervals import Interval

#: Outcomes: how the evidence stands to the claim. ENTAILED: every value the evidence allows is
#: inside the claim (the claim follows); ALLOWED: some are (the claim may hold, nothing shows it);
#: EXCLUDED: none is; OPEN: no evidence bears on it.
ENTAILED, ALLOWED, EXCLUDED, OPEN = "entailed", "allowed", "excluded", "open"
OUTCOMES = (ENTAILED, ALLOWED, EXCLUDED, OPEN)

#: Tiers: what the evidence of a verdict rests on (from the sources' roles in sources.csv).
OWN, OTHER, PRIMARY, MIXED, NONE = "own", "other", "primary", "mixed", "none"
#: The publication of every source of a user's own series (sources.csv's ``publication`` column).
USER_SERIES = "your series"
ROLE_TIER = {"the article": OWN, "same statistics, another publication": OTHER, "primary table": PRIMARY}

#: The verdict's words: the outcome, as far as the tier allows. Only another publication of the same
#: statistics, or the primary table itself, can confirm; the article's own figures can show that a
#: part follows from them, is allowed by them or is contradicted by them, never that it is true.
WORDS = {
    OWN: {ENTAILED: "follows from its own figures", ALLOWED: "allowed by its own figures",
          EXCLUDED: "contradicted by its own figures"},
    OTHER: {ENTAILED: "confirmed by another publication", ALLOWED: "allowed by another publication",
            EXCLUDED: "contradicted by another publication"},
    PRIMARY: {ENTAILED: "confirmed by your series", ALLOWED: "allowed by your series",
              EXCLUDED: "contradicted by your series"},
    MIXED: {ENTAILED: "follows from its figures with another publication\u2019s",
            ALLOWED: "allowed by its figures with another publication\u2019s",
            EXCLUDED: "contradicted by its figures with another publication\u2019s"},
}
OPEN_WORDS = "open"
UNTESTED = "could not have failed"


def verdict_words(outcome: str, tier: str) -> str:
    return OPEN_WORDS if outcome == OPEN or tier == NONE else WORDS[tier][outcome]


#: Every verdict, in the order a summary lists them (the strongest findings first).
VERDICTS = tuple([WORDS[t][EXCLUDED] for t in (OTHER, PRIMARY, OWN, MIXED)]
                 + [WORDS[t][ENTAILED] for t in (OTHER, PRIMARY, OWN, MIXED)]
                 + [WORDS[t][ALLOWED] for t in (OTHER, PRIMARY, OWN, MIXED)] + [OPEN_WORDS])
#: The kinds a summary groups parts by: a verdict, or UNTESTED for a check that could not have failed.
KINDS = VERDICTS[:-1] + (UNTESTED, OPEN_WORDS)


@dataclass
class Verdict:
    claim_id: str
    part_id: str
    part: str
    check: str
    unit: str                         # the claim's unit
    claimed: Interval | None          # what the part says, read strictly (readings.py)
    evidence: Interval | None         # what the other figures allow
    outcome: str                      # ENTAILED, ALLOWED, EXCLUDED or OPEN
    tier: str = NONE                  # what the evidence rests on
    could_fail: bool | None = None    # could evidence of this form have excluded the claim? (None: no evidence)
    untested_because: str = ""        # why it could not have failed, in words
    verdict: str = OPEN_WORDS         # the outcome in words, as far as the tier allows
    loose: dict = field(default_factory=dict)  # {"claimed", "outcome", "verdict", "words"} where a loose reading differs
    reading: str = ""                 # the words that set the claim's reading ("almost", "a quarter"), if any
    figure_ids: list[str] = field(default_factory=list)
    source_ids: list[str] = field(default_factory=list)
    claim_source_ids: list[str] = field(default_factory=list)
    used: list[dict] = field(default_factory=list)     # the quantities the evidence rests on
    settle: list[dict] = field(default_factory=list)   # series that would settle it: {flow, partner, years}
    restates: str = ""
    detail: dict = field(default_factory=dict)
    evidence_unit: str = ""           # the evidence's unit, where it differs (a rank claimed, a level found)

    def __post_init__(self):
        self.evidence_unit = self.evidence_unit or self.unit

    @property
    def kind(self) -> str:
        """What a summary counts it as: its verdict, or UNTESTED when its check could not have failed."""
        return UNTESTED if self.could_fail is False else self.verdict

    @property
    def agrees(self) -> bool:
        """Counted as agreement: the evidence entails or allows it, and could have excluded it."""
        return self.outcome in (ENTAILED, ALLOWED) and self.could_fail is True

    def to_json(self) -> dict:
        d = asdict(self)
        d["claimed"] = None if self.claimed is None else self.claimed.to_json()
        d["evidence"] = None if self.evidence is None else self.evidence.to_json()
        if self.loose:
            d["loose"] = {**self.loose, "claimed": self.loose["claimed"].to_json()}
        return d

    @classmethod
    def from_json(cls, d: dict) -> "Verdict":
        loose = d.get("loose") or {}
        if loose:
            loose = {**loose, "claimed": Interval.from_json(loose["claimed"])}
        return cls(**{**d, "claimed": Interval.from_json(d["claimed"]), "evidence": Interval.from_json(d["evidence"]),
                      "loose": loose})


def counted(verdicts: list[Verdict]) -> list[Verdict]:
    """The parts that count: a part that restates another is counted once, with that one."""
    return [v for v in verdicts if not v.restates]


def summarise(verdicts: list[Verdict]) -> dict[str, list[Verdict]]:
    """The counted parts by kind (KINDS order), only the kinds that occur."""
    out = {k: [v for v in counted(verdicts) if v.kind == k] for k in KINDS}
    return {k: vs for k, vs in out.items() if vs}


def claim_rating(parts: list[Verdict]) -> str:
    """One verdict for a whole claim, in the page's words: (partly) contradicted if any part is excluded;
    confirmed (or follows) only if every part is entailed by a check that could have failed;
    otherwise not settled, saying why."""
    own = [v for v in parts if not v.restates] or parts
    excluded = [v for v in own if v.outcome == EXCLUDED]
    if excluded:
        return ("" if len(excluded) == len(own) else "partly ") + excluded[0].verdict
    if all(v.outcome == ENTAILED and v.could_fail for v in own) and len({v.verdict for v in own}) == 1:
        return own[0].verdict
    if all(v.could_fail is False for v in own):
        return "not settled: its own figures could not contradict it"
    if all(v.outcome == OPEN for v in own):
        return "not settled: the figures that would settle it are not held"
    return "not settled"


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
    records = [{k: _clean(v) for k, v in r.items()} for r in numbers.astype(object).to_dict("records")]
    data = {"report": report, "verdicts": [v.to_json() for v in verdicts], "numbers": records,
            "figures": figures, "sources": [{k: _clean(v) for k, v in r.items()} for r in sources.to_dict("records")],
            "claims": dict(zip(claims["claim_id"], claims["claim"])), "extra": extra or {}}
    write_atomic(path, json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False))
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
    """numbers["exports.2020"]: a Number (an empty one if the data do not have it, or say it is missing)."""

    def __init__(self, rows: list[dict]):
        self.rows = {r["id"]: r for r in rows}

    def __getitem__(self, id_: str) -> Number:
        r = self.rows.get(id_)
        if r is None or r.get("status") == "missing":
            return Number(id_, None, basis="" if r is None else str(r.get("basis") or ""))
        return Number(id_, Interval.from_json(r), r["unit"], r["status"], r.get("basis") or "", r.get("source_ids") or "")


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
        return [s for s in self.sources if s.get("publication") == USER_SERIES]

    def publication(self, source_ids) -> str:
        """The publication behind these sources, as one name: the article and its syndicated copies are one."""
        ids = [i for i in (source_ids.split(";") if isinstance(source_ids, str) else source_ids) if i]
        pub = {s["source_id"]: s.get("publication") or s["source_id"] for s in self.sources}
        names = {i if pub.get(i, USER_SERIES) == USER_SERIES else pub[i] for i in ids}  # each of a user's sources its own
        return ";".join(sorted(names))

    def publisher(self, source_ids) -> str:
        """'MT;EWDN' -> 'The Moscow Times; East-West Digital News' (short names: the sources list
        gives the rest)."""
        ids = source_ids.split(";") if isinstance(source_ids, str) else list(source_ids)
        pub = {s["source_id"]: s.get("short") or str(s["publisher"]).split(" (")[0] for s in self.sources}
        return "; ".join(dict.fromkeys(pub.get(i, i) for i in ids if i))


