"""Claim verdicts (stage 03, analysis): results as numbers.

The article's claims are split into parts, declared once in :data:`PARTS`: the claim, a stable part
id, what the part is about, and the check that applies. Generic checks (a level, a change, a ratio, a
share, a floor under several partners) need only that entry; three bespoke ones are registered
functions (the deficit ranking, the partner ranking, the early-2000s ratio). A new claim is one entry
(and, if it is bespoke, one function) and its test.

A part is checked against the *other* figures only: the figures that state it (and those of a part
it restates) are left out, with everything derived from them, so no claim is ever checked against
itself. What the verdict may say then depends on what those other figures are (the *tier*, from the
sources' roles in the registry): the article's own figures can show a part internally consistent or
inconsistent, never confirm it; another publication of the same statistics (the 2021 paper, OECD
MSTI) or the primary table a user supplies can confirm or contradict it. A different measure (the
World Bank's indicators) never enters the evidence: it is shown beside a claim, never as a verdict.
Each check returns a :class:`Verdict` record of intervals and ids; the words are made from it by
narrative.py and fmt.py.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from . import config
from .evidence import Key, Quantities, build_quantities
from .intervals import INF, Interval
from .results import (CONFIRMED, CONSISTENT, CONTRADICTED, INTERNALLY_CONSISTENT, INTERNALLY_INCONSISTENT,
                      MIXED, NONE, NOT_VERIFIABLE, OTHER, OWN, PRIMARY, ROLE_TIER, Verdict)

#: How the evidence compares with the claim, before the tier names it.
WITHIN, OVERLAP, DISJOINT, OPEN = "within", "overlap", "disjoint", "open"

Y, B = config.ARTICLE_YEAR, config.ARTICLE_BASE_YEAR


@dataclass(frozen=True)
class Part:
    id: str                     # stable: "C3.ratio"
    claim: str                  # "C3"
    label: str                  # what the part is about, in words
    check: str                  # a registered check
    measure: str | None = "level"   # the measure of the claim's own figures for this part
    flow: str = "exports"
    partner: str = "World"      # "*": every partner the claim names
    year: int = Y
    base: int | None = None
    restates: str | None = None  # the part this one says again (counted once)


PARTS = (
    Part("C1.level", "C1", "exports in 2020", "level"),
    Part("C2.growth", "C2", "growth of exports from 2019 to 2020", "change", "growth", base=Y - 1),
    Part("C3.level", "C3", "exports in 2018", "level", year=B),
    Part("C3.ratio", "C3", "exports in 2020 against 2018", "ratio", "ratio", base=B),
    Part("C4.level", "C4", "imports in 2020", "level", flow="imports"),
    Part("C4.change", "C4", "change in imports from 2019 to 2020 (\u201cstagnant\u201d)", "change", "growth",
         flow="imports", base=Y - 1),
    Part("C5.deficit", "C5", "the smallest deficit since 2001", "deficit_rank", None, flow="balance"),
    Part("C6.level", "C6", "exports to the Netherlands in 2020", "level", partner="Netherlands"),
    Part("C6.share", "C6", "the Netherlands' share of exports", "share", "share", partner="Netherlands"),
    Part("C6.rank", "C6", "the Netherlands the largest market", "partner_rank", "rank", partner="Netherlands"),
    Part("C7.each", "C7", "five more markets above $250 million each", "each_level", partner="*"),
    Part("C8.early", "C8", "exports in 2020 against the early 2000s", "early_2000s_ratio", "ratio_to_early_2000s"),
    Part("C9.ratio", "C9", "exports in 2020 against 2018", "ratio", "ratio", base=B, restates="C3.ratio"),
)
BY_ID = {p.id: p for p in PARTS}
UNITS = {"level": "USD mn", "change": "percent", "ratio": "ratio", "share": "percent", "each_level": "USD mn",
         "deficit_rank": "USD mn", "partner_rank": "USD mn", "early_2000s_ratio": "ratio"}


def number_id(key: Key) -> str:
    """The id of a level in the numbers table: 'exports.2020', 'exports.2020.Netherlands', 'balance.2020'."""
    return f"{key.flow}.{key.year}" + ("" if key.partner == "World" else f".{key.partner}")


def compare(evidence: Interval | None, claimed: Interval, floor: float = 0.0) -> str:
    """How an evidence interval stands to a claimed one: every value it allows inside the claim
    (WITHIN), some (OVERLAP), none (DISJOINT); OPEN if it is missing or bounds nothing (from
    ``floor`` to infinity)."""
    if evidence is None or (evidence.lo <= floor and evidence.hi == INF):
        return OPEN
    if evidence.entirely_within(claimed):
        return WITHIN
    if evidence.overlaps(claimed):
        return OVERLAP
    return DISJOINT


def tier(source_ids, roles: dict[str, str]) -> str:
    """What evidence resting on these sources is: the claim's own publication (OWN), another
    publication of the same statistics (OTHER), the user's primary table (PRIMARY), the article's
    own figures combined with another's (MIXED), or nothing (NONE)."""
    kinds = {ROLE_TIER.get(roles.get(s, ""), "") for s in source_ids}
    if "" in kinds:
        raise ValueError(f"evidence may rest only on the article, the same statistics or a primary table: "
                         f"{sorted(s for s in source_ids if ROLE_TIER.get(roles.get(s, '')) is None)}")
    if not kinds:
        return NONE
    if kinds == {OWN}:
        return OWN
    if OWN in kinds:
        return MIXED
    return PRIMARY if PRIMARY in kinds else OTHER


def verdict_for(outcome: str, tier_: str) -> str:
    """The verdict's words: the outcome, as far as the tier of the evidence allows."""
    if outcome == OPEN or tier_ == NONE:
        return NOT_VERIFIABLE
    if tier_ == OWN:
        return INTERNALLY_INCONSISTENT if outcome == DISJOINT else INTERNALLY_CONSISTENT
    if tier_ == MIXED:  # it rests partly on the article itself: never confirmed
        return CONTRADICTED if outcome == DISJOINT else CONSISTENT
    return {WITHIN: CONFIRMED, OVERLAP: CONSISTENT, DISJOINT: CONTRADICTED}[outcome]


@dataclass
class Found:
    """What a check found: the evidence, the quantities it used, what would settle it, and details."""

    evidence: Interval | None
    used: list[Key]
    settle: list[dict]
    detail: dict = field(default_factory=dict)
    outcome: str | None = None  # bespoke checks decide their own outcome
    floor: float = 0.0


CHECKS: dict = {}


def check(name):
    def register(fn):
        CHECKS[name] = fn
        return fn
    return register


def _need(flow, years, partner="World") -> dict:
    return {"flow": flow, "partner": partner, "years": sorted(years)}


@check("level")
def _level(q: Quantities, p: Part, claimed) -> Found:
    ev = q.get(p.year, p.flow, partner=p.partner)
    return Found(ev, [Key(p.year, p.flow, p.partner)], [_need(p.flow, [p.year], p.partner)])


@check("change")
def _change(q: Quantities, p: Part, claimed) -> Found:
    now, before = q.get(p.year, p.flow), q.get(p.base, p.flow)
    ev = None if now is None or before is None else now.pct_change(before)
    missing = [y for y, iv in ((p.year, now), (p.base, before)) if iv is None]
    return Found(ev, [Key(p.year, p.flow), Key(p.base, p.flow)], [_need(p.flow, missing)], floor=-100.0)


@check("ratio")
def _ratio(q: Quantities, p: Part, claimed) -> Found:
    now, before = q.get(p.year, p.flow), q.get(p.base, p.flow)
    ev = None if now is None or before is None or before.lo <= 0 else now / before
    missing = [y for y, iv in ((p.year, now), (p.base, before)) if iv is None]
    return Found(ev, [Key(p.year, p.flow), Key(p.base, p.flow)], [_need(p.flow, missing or [p.base, p.year])])


@check("share")
def _share(q: Quantities, p: Part, claimed) -> Found:
    part, total = q.get(p.year, p.flow, partner=p.partner), q.get(p.year, p.flow)
    ev = None if part is None or total is None or total.lo <= 0 else part / total * 100
    return Found(ev, [Key(p.year, p.flow, p.partner), Key(p.year, p.flow)], [_need(p.flow, [p.year], "by country")])


@check("each_level")
def _each_level(q: Quantities, p: Part, claimed, partners=()) -> Found:
    """'Each of these partners above X': the smallest of their levels against the claim."""
    ivs = {name: q.get(p.year, p.flow, partner=name) for name in partners}
    known = [iv for iv in ivs.values() if iv is not None]
    ev = None if len(known) < len(ivs) or not ivs else Interval(min(iv.lo for iv in known), min(iv.hi for iv in known))
    return Found(ev, [Key(p.year, p.flow, name) for name in partners], [_need(p.flow, [p.year], "by country")],
                 {"partners": {n: None if iv is None else iv.to_json() for n, iv in ivs.items()}})


@check("deficit_rank")
def _deficit_rank(q: Quantities, p: Part, claimed) -> Found:
    """C5: the report year's deficit is smaller than in every year from DEFICIT_SINCE + 1 on.

    Contradicted as soon as one year's balance is surely above the report year's, or the report year
    has surely a surplus; WITHIN only if every year has a balance surely below it (and a deficit);
    consistent if every year has a balance and none contradicts; otherwise not verifiable. The years
    that do have a balance are checked either way (``detail``)."""
    years = list(range(config.DEFICIT_SINCE + 1, p.year))
    now = q.get(p.year, "balance")
    others = {y: q.get(y, "balance") for y in years}
    have = {y: iv for y, iv in others.items() if iv is not None}
    missing = [y for y in years if y not in have]
    used = [Key(p.year, "balance")] + [Key(y, "balance") for y in have]
    settle = [_need("exports and imports", missing + ([p.year] if now is None else []))]
    if now is None:
        return Found(None, used, settle, {"years": years, "missing": years}, OPEN)
    larger = [y for y, iv in have.items() if iv.lo > now.hi]         # surely a smaller deficit (or a surplus)
    smaller = [y for y, iv in have.items() if iv.hi < now.lo]         # surely a larger deficit
    detail = {"years": years, "missing": missing, "smaller_deficit": larger, "larger_deficit": smaller,
              "undecided": [y for y in have if y not in larger and y not in smaller],
              "surplus": now.lo > 0}
    if now.lo > 0 or larger:
        outcome = DISJOINT
    elif missing:
        outcome = OPEN
    elif len(smaller) == len(years) and now.hi < 0:
        outcome = WITHIN
    else:
        outcome = OVERLAP
    return Found(now, used, settle if outcome == OPEN else [], detail, outcome)


@check("partner_rank")
def _partner_rank(q: Quantities, p: Part, claimed) -> Found:
    """C6: the Netherlands is the largest market. Contradicted if a partner is surely larger;
    WITHIN only if every named partner is surely smaller and the unnamed rest of the total
    cannot exceed it; otherwise not verifiable."""
    nl, total = q.get(p.year, p.flow, partner=p.partner), q.get(p.year, p.flow)
    others = {k: iv for k, iv in q.partners(p.year, p.flow).items() if k != p.partner}
    used = [Key(p.year, p.flow, p.partner), Key(p.year, p.flow)] + [Key(p.year, p.flow, k) for k in others]
    detail = {"partner": None if nl is None else nl.to_json(),
              "others": {k: iv.to_json() for k, iv in others.items()}, "rest_max": None}
    settle = [_need(p.flow, [p.year], "by country")]
    if nl is None:
        return Found(None, used, settle, detail, OPEN)
    bigger = [k for k, iv in others.items() if iv.lo > nl.hi]
    if bigger:
        detail["bigger"] = bigger
        return Found(nl, used, [], detail, DISJOINT)
    rest = None if total is None else total.hi - nl.lo - sum(iv.lo for iv in others.values())
    detail["rest_max"] = None if rest is None or rest == INF else rest
    if all(iv.hi < nl.lo for iv in others.values()) and rest is not None and rest < nl.lo:
        return Found(nl, used, [], detail, WITHIN)
    return Found(nl, used, settle, detail, OPEN)


@check("early_2000s_ratio")
def _early_2000s(q: Quantities, p: Part, claimed) -> Found:
    """C8: exports in the report year against 'the early 2000s' (config.EARLY_2000S), taken as the
    whole range of those years' levels."""
    now = q.get(p.year, p.flow)
    early = {y: q.get(y, p.flow) for y in config.EARLY_2000S}
    missing = [y for y, iv in early.items() if iv is None]
    used = [Key(p.year, p.flow)] + [Key(y, p.flow) for y in early if early[y] is not None]
    implied = None if now is None or claimed is None else now / claimed
    detail = {"early_years": list(config.EARLY_2000S), "missing": missing,
              "implied_early_level": None if implied is None else implied.to_json()}
    if now is None or missing:
        return Found(None, used, [_need(p.flow, missing or [p.year])], detail)
    base = Interval(min(iv.lo for iv in early.values()), max(iv.hi for iv in early.values()))
    detail["early_level"] = base.to_json()
    return Found(None if base.lo <= 0 else now / base, used, [_need(p.flow, list(config.EARLY_2000S))], detail)


class Checker:
    """Checks every part of PARTS against a tidy figures table (see evidence.figure_intervals)."""

    def __init__(self, tidy: pd.DataFrame, roles: dict[str, str]):
        self.tidy = tidy
        self.roles = roles  # source id -> its role in the registry
        self.full = build_quantities(tidy)
        self._without: dict[frozenset, Quantities] = {}

    def own(self, p: Part) -> pd.DataFrame:
        """The figures that state this part (and, for a part that restates another, that one's)."""
        t = self.tidy
        twins = [x for x in PARTS if x.id == p.restates or x.restates == p.id]
        mask = pd.Series(False, index=t.index)
        for part in [p] + twins:
            if part.measure is None:
                continue
            m = (t["claim_id"] == part.claim) & (t["measure"] == part.measure) & (t["flow"] == part.flow)
            if part.partner != "*":
                m &= t["partner"] == part.partner
            mask |= m
        return t[mask]

    def without(self, ids) -> Quantities:
        ids = frozenset(ids)
        if ids not in self._without:
            self._without[ids] = build_quantities(self.tidy, exclude_figures=ids)
        return self._without[ids]

    def run(self, p: Part) -> Verdict:
        own = self.own(p)
        mine = own[own["claim_id"] == p.claim]  # the claim's own figures (not those of a part it restates)
        claimed = _claimed(mine)
        q = self.without(own["figure_id"])
        extra = {"partners": list(dict.fromkeys(mine["partner"]))} if p.check == "each_level" else {}
        found: Found = CHECKS[p.check](q, p, claimed, **extra)
        outcome = found.outcome or compare(found.evidence, claimed, floor=found.floor)
        used_rows = [(k, q.rows[k]) for k in found.used if k in q.rows]
        figure_ids = list(dict.fromkeys(f for _, r in used_rows for f in r["figure_ids"].split(";") if f))
        source_ids = list(dict.fromkeys(s for _, r in used_rows for s in r["source_ids"].split(";") if s))
        evidence_tier = tier(source_ids, self.roles) if outcome != OPEN else NONE
        verdict = verdict_for(outcome, evidence_tier)
        claim_sources = list(dict.fromkeys(s for x in mine["source_id"] for s in str(x).split(";") if s))
        return Verdict(
            p.claim, p.id, p.label, p.check, UNITS[p.check], claimed, found.evidence, verdict, evidence_tier,
            figure_ids, source_ids, claim_sources,
            [{"id": number_id(k), "lo": _j(r["lo"]), "hi": _j(r["hi"]), "status": r["status"], "basis": r["basis"],
              "source_ids": r["source_ids"]} for k, r in used_rows],
            found.settle if verdict == NOT_VERIFIABLE else [], p.restates or "", found.detail)


def _claimed(figs: pd.DataFrame) -> Interval | None:
    """What a claim part says: its own figures' intervals, intersected."""
    if figs.empty:
        return None
    iv = Interval(-INF, INF)
    for lo, hi in zip(figs["lo"], figs["hi"]):
        iv = iv.intersect(Interval(lo, hi)) or iv
    return iv


def _j(x: float):
    return x if math.isfinite(x) else None


def check_claims(tidy: pd.DataFrame, sources: pd.DataFrame) -> list[Verdict]:
    """Every part of PARTS, checked; ``sources`` is the registry (its roles set the tiers)."""
    checker = Checker(tidy, dict(zip(sources["source_id"], sources["role"])))
    return [checker.run(p) for p in PARTS]


def to_frame(verdicts: list[Verdict], claims_text: pd.DataFrame) -> pd.DataFrame:
    """The verdicts as a table (one row per part): for the appendix and verdicts.csv."""
    text = claims_text.set_index("claim_id")["claim"]
    rows = []
    for v in verdicts:
        c, e = v.claimed, v.evidence
        rows.append({"claim_id": v.claim_id, "part_id": v.part_id, "claim": text.get(v.claim_id, ""),
                     "part": v.part, "unit": v.unit,
                     "claimed_lo": None if c is None else _j(c.lo), "claimed_hi": None if c is None else _j(c.hi),
                     "evidence_lo": None if e is None else _j(e.lo), "evidence_hi": None if e is None else _j(e.hi),
                     "verdict": v.verdict, "tier": v.tier, "restates": v.restates,
                     "source_ids": ";".join(v.source_ids),
                     "figure_ids": ";".join(v.figure_ids)})
    return pd.DataFrame(rows)
