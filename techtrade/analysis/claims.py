"""Claim verdicts (stage 03, analysis): results as numbers.

The article's claims are split into parts, declared once in :data:`PARTS`: the claim, a stable part
id, what the part is about, and the check that applies. A check (:class:`Check`) holds together what
a part needs: how the evidence is found, its unit, the words for what the claim says, and the working
in words. A new claim part is one entry in PARTS (and, if no check fits, one Check); a change of
wording touches one place.

A part is checked against the *other* figures only: the figures that state it (and those of a part
it restates) are left out, with everything derived from them, so no claim is ever checked against
itself. Each verdict records:

- the **outcome**: the evidence entails the claim (every value it allows is inside the claim),
  allows it (some are) or excludes it (none is); or the part is open (no evidence bears on it);
- the **tier**: what the evidence rests on (the sources' roles in the registry): the article's own
  figures can show a part follows from them, is allowed by them or contradicted by them, never
  confirm it; another publication of the same statistics, or the primary table a user supplies, can
  confirm or contradict it. A different measure (the World Bank's) never enters the evidence;
- whether the check **could have failed**: whether evidence of the form the sources give could have
  excluded the claim. Two lower bounds never conflict ("more than $4.5 billion" against "at least
  $4.05 billion"), so such a check is labelled so and counted as agreement nowhere;
- the claim **read loosely** as well, where the loose reading of its words (readings.py) gives another
  outcome.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .. import config, fmt
from ..clean.evidence import Key, Quantities, build_quantities, deficit_history, ids_in
from ..intervals import INF, Interval
from ..results import (
    ALLOWED,
    ENTAILED,
    EXCLUDED,
    MIXED,
    NONE,
    OPEN,
    OTHER,
    OWN,
    PRIMARY,
    ROLE_TIER,
    Verdict,
    verdict_words,
)

Y, B = config.ARTICLE_YEAR, config.ARTICLE_BASE_YEAR


@dataclass(frozen=True)
class Part:
    id: str                     # stable: "C3.ratio"
    claim: str                  # "C3"
    label: str                  # what the part is about, in words
    check: str                  # a Check in CHECKS
    measure: str | None = "level"   # the measure of the claim's own figures for this part
    flow: str = "exports"
    partner: str = "World"      # "*": every partner the claim names
    year: int = Y
    base: int | None = None
    restates: str | None = None  # the part this one says again (counted once)


PARTS = (
    Part("C1.level", "C1", f"exports in {Y}", "level"),
    Part("C2.growth", "C2", f"growth of exports from {Y - 1} to {Y}", "change", "growth", base=Y - 1),
    Part("C3.level", "C3", f"exports in {B}", "level", year=B),
    Part("C3.ratio", "C3", f"exports in {Y} against {B}", "ratio", "ratio", base=B, restates="C9.ratio"),
    Part("C4.level", "C4", f"imports in {Y}", "level", flow="imports"),
    Part("C4.change", "C4", f"change in imports from {Y - 1} to {Y} (\u201cstagnant\u201d)", "change", "growth",
         flow="imports", base=Y - 1),
    Part("C5.deficit", "C5", f"the smallest deficit since {config.DEFICIT_SINCE}", "deficit_rank", None,
         flow="balance"),
    Part("C6.level", "C6", f"exports to the Netherlands in {Y}", "level", partner="Netherlands"),
    Part("C6.share", "C6", "the Netherlands\u2019 share of exports", "share", "share", partner="Netherlands"),
    Part("C6.rank", "C6", "the Netherlands the largest market", "partner_rank", "rank", partner="Netherlands"),
    Part("C7.each", "C7", "five more markets above $250 million each", "each_level", partner="*"),
    Part("C8.early", "C8", f"exports in {Y} against the early 2000s", "early_2000s_ratio", "ratio_to_early_2000s"),
    Part("C9.ratio", "C9", f"exports in {Y} against {B}", "ratio", "ratio", base=B),
)
BY_ID = {p.id: p for p in PARTS}


def number_id(key: Key) -> str:
    """The id of a level in the numbers table: 'exports.2020', 'exports.2020.Netherlands', 'balance.2020'."""
    return f"{key.flow}.{key.year}" + ("" if key.partner == "World" else f".{key.partner}")


# -- comparing evidence with a claim ----------------------------------------------------------------
def compare(evidence: Interval | None, claimed: Interval, floor: float = 0.0) -> str:
    """How an evidence interval stands to a claimed one: every value it allows inside the claim
    (ENTAILED), some (ALLOWED), none (EXCLUDED); OPEN if it is missing or bounds nothing (from
    ``floor`` to infinity)."""
    if evidence is None or (evidence.lo <= floor and evidence.hi == INF):
        return OPEN
    if evidence.entirely_within(claimed):
        return ENTAILED
    if evidence.overlaps(claimed):
        return ALLOWED
    return EXCLUDED


def could_exclude(evidence: Interval, claimed: Interval, floor: float = 0.0) -> tuple[bool, str]:
    """Could evidence of this form (which ends are bounded) have excluded the claim, whatever its
    values? Only an upper bound can fall below a claim's lower end, and only a lower bound can rise
    above a claim's upper end. Returns (could it, why not in words)."""
    ev_lo, ev_hi = evidence.lo > floor, evidence.hi < INF
    cl_lo, cl_hi = claimed.lo > floor, claimed.hi < INF
    if (ev_hi and cl_lo) or (ev_lo and cl_hi):
        return True, ""
    if not ev_hi and not cl_hi:
        return False, "the claim and the evidence are both lower bounds"
    if not ev_lo and not cl_lo:
        return False, "the claim and the evidence are both upper bounds"
    return False, "the claim bounds nothing the evidence could fall outside"


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


@dataclass
class Found:
    """What a check found: the evidence, the quantities it used, what would settle it, and details.
    A bespoke check decides its own ``outcome`` and ``could_fail`` (with ``why``)."""

    evidence: Interval | None
    used: list[Key]
    settle: list[dict]
    detail: dict = field(default_factory=dict)
    outcome: str | None = None
    floor: float = 0.0
    could_fail: bool | None = None
    why: str = ""


def _need(flow, years, partner="World") -> dict:
    return {"flow": flow, "partner": partner, "years": sorted(years)}


def _iv(d) -> Interval | None:
    return Interval.from_json(d) if d else None


def _level_words(u: dict | None) -> str:
    """A level the evidence used, in words: 'at least $4.5 billion', '$1.35–1.45 billion (derived)'."""
    if u is None:
        return "not known"
    return fmt.money_range(_iv(u)) + (" (derived)" if u["status"] == "derived" else "")


# -- the checks: how evidence is found, its unit, the claim's words, the working -----------------------
class Check:
    """A kind of check. ``find`` gathers the evidence from the quantities (the part's own figures left
    out); ``says`` writes what the claim says; ``working`` writes how the verdict was reached."""

    unit = "USD mn"            # the claim's
    evidence_unit = ""         # the evidence's, where it differs

    def find(self, q: Quantities, p: Part, claimed: Interval | None, **kw) -> Found:
        raise NotImplementedError

    def says(self, v: Verdict) -> str:
        return fmt.money_range(v.claimed)

    def working(self, v: Verdict) -> str:
        raise NotImplementedError


class Level(Check):
    def find(self, q, p, claimed, **kw):
        ev = q.get(p.year, p.flow, partner=p.partner)
        return Found(ev, [Key(p.year, p.flow, p.partner)], [_need(p.flow, [p.year], p.partner)])

    def working(self, v):
        if v.evidence is None:
            return "No figure besides the claim\u2019s own."
        u = v.used[0]
        who = "Your series gives" if v.tier == PRIMARY else "The other figures give"
        how = f" (derived: {u['basis']})" if u["status"] == "derived" else ""
        return f"{who} {fmt.money_range(v.evidence)}{how}."


def _no_other_figure(v: Verdict) -> str:
    """The working of a two-year check without evidence: which years of which flow no other figure gives."""
    years = [y for s in v.settle for y in s["years"]]
    return f"No other figure gives {v.settle[0]['flow']} in {fmt.year_list(years)}." if years else \
        "No other figure bears on it."


def _two_years(q, p):
    """A two-year check's levels (this year's and the base year's; None where not held), their keys, and
    the years of the two not held."""
    now, before = q.get(p.year, p.flow), q.get(p.base, p.flow)
    missing = [y for y, iv in ((p.year, now), (p.base, before)) if iv is None]
    return now, before, [Key(p.year, p.flow), Key(p.base, p.flow)], missing


def _two_years_working(v, sign: str, written) -> str:
    """'<this year's level> <sign> <the base year's> = <the evidence, written>', or why there is none."""
    if v.evidence is None:
        return _no_other_figure(v)
    now, before = v.used
    return f"{_level_words(now)} {sign} {_level_words(before)} = {written(v.evidence)}."


class Change(Check):
    unit = "percent"

    def find(self, q, p, claimed, **kw):
        now, before, keys, missing = _two_years(q, p)
        ev = None if now is None or before is None else now.pct_change(before)
        return Found(ev, keys, [_need(p.flow, missing)], floor=-100.0)

    def says(self, v):
        return fmt.pct(v.claimed, signed=True)

    def working(self, v):
        return _two_years_working(v, "against", lambda ev: fmt.pct(ev, signed=True))


class Ratio(Check):
    unit = "ratio"

    def find(self, q, p, claimed, **kw):
        now, before, keys, missing = _two_years(q, p)
        ev = None if now is None or before is None or before.lo <= 0 else now / before
        return Found(ev, keys, [_need(p.flow, missing or [p.base, p.year])])

    def says(self, v):
        return fmt.ratio(v.claimed)

    def working(self, v):
        return _two_years_working(v, "/", fmt.ratio)


class Share(Check):
    unit = "percent"

    def find(self, q, p, claimed, **kw):
        part, total = q.get(p.year, p.flow, partner=p.partner), q.get(p.year, p.flow)
        ev = None if part is None or total is None or total.lo <= 0 else part / total * 100
        return Found(ev, [Key(p.year, p.flow, p.partner), Key(p.year, p.flow)],
                     [_need(p.flow, [p.year], "by country")])

    def says(self, v):
        return fmt.pct(v.claimed)

    def working(self, v):
        if v.evidence is None:
            return "No total for that year."
        part, total = v.used
        return f"{_level_words(part)} of {_level_words(total)} = {fmt.pct(v.evidence)}."


class EachLevel(Check):
    """'Each of these partners above X': the smallest of their levels against the claim."""

    def find(self, q, p, claimed, partners=(), **kw):
        ivs = {name: q.get(p.year, p.flow, partner=name) for name in partners}
        known = [iv for iv in ivs.values() if iv is not None]
        ev = None if len(known) < len(ivs) or not ivs else Interval(min(iv.lo for iv in known),
                                                                   min(iv.hi for iv in known))
        return Found(ev, [Key(p.year, p.flow, name) for name in partners], [_need(p.flow, [p.year], "by country")],
                     {"partners": {n: None if iv is None else iv.to_json() for n, iv in ivs.items()}})

    def says(self, v):
        return f"each {fmt.money_range(v.claimed)}"

    def working(self, v):
        parts = v.detail.get("partners", {})
        if all(x is None for x in parts.values()):
            return f"No other figure for any of the {fmt.count_words(len(parts))}."
        return "; ".join(f"{k}: {fmt.money_range(_iv(x))}" for k, x in parts.items()) + "."


class DeficitRank(Check):
    """C5: the report year's deficit is smaller than in every year from DEFICIT_SINCE + 1 on.

    Excluded as soon as one year's balance is surely above the report year's, or the report year surely
    had a surplus; entailed only if every year has a balance surely below it (and it is a deficit);
    allowed if every year has a balance and none excludes it; otherwise open. The years that do have a
    balance are checked either way (``detail``, from evidence.deficit_history, which the report's balance
    section reads too)."""

    def find(self, q, p, claimed, **kw):
        first = config.DEFICIT_SINCE + 1
        d = deficit_history(q, p.year, first=first)
        now = _iv(d["balance"])
        used = [Key(p.year, "balance")] + [Key(y, "balance") for y in d["held"]]
        missing = [y for y in range(first, p.year) if y not in d["held"]]
        settle = [_need("exports and imports", missing + ([p.year] if now is None else []))]
        detail = {"years": list(range(first, p.year)), "missing": missing,
                  "smaller_deficit": d["surely_smaller_deficit"], "larger_deficit": d["surely_larger_deficit"],
                  "undecided": d["undecided"], "surplus": d.get("surplus_certain", False)}
        if now is None:
            return Found(None, used, settle, detail, OPEN)
        if detail["surplus"] or detail["smaller_deficit"]:
            outcome = EXCLUDED
        elif missing:
            outcome = OPEN
        elif len(detail["larger_deficit"]) == len(detail["years"]) and now.hi < 0:
            outcome = ENTAILED
        else:
            outcome = ALLOWED
        # an earlier year can be surely above this one only if this year's balance has an upper bound;
        # a surplus can be shown only if it has a lower bound
        could = now.hi < INF or now.lo > -INF
        return Found(now, used, settle if outcome == OPEN else [], detail, outcome, could_fail=could,
                     why="" if could else "the year's balance is bounded on neither side")

    def says(self, v):
        return (f"the deficit smaller than in every year from {config.DEFICIT_SINCE + 1} to "
                f"{config.ARTICLE_YEAR - 1}")

    def working(self, v):
        d, ev = v.detail, v.evidence
        if ev is None:
            return f"No balance for {config.ARTICLE_YEAR}."
        text = f"Balance in {d['years'][-1] + 1}: {fmt.balance(ev)} (derived)."
        if d.get("surplus"):
            return text + " A surplus, not a deficit."
        if d.get("smaller_deficit"):
            text += f" Smaller deficits in {fmt.year_list(d['smaller_deficit'])}."
        if d.get("larger_deficit"):
            text += f" Larger deficits in {fmt.year_list(d['larger_deficit'])}."
        if d.get("missing"):
            text += f" No balance for {fmt.year_list(d['missing'])}."
        return text


class PartnerRank(Check):
    """C6: the Netherlands is the largest market. Excluded if a partner is surely larger; entailed only
    if every named partner is surely smaller and the unnamed rest of the total cannot exceed it;
    otherwise open. The claim is a rank; the evidence, the Netherlands' level."""

    unit, evidence_unit = "rank", "USD mn"

    def find(self, q, p, claimed, **kw):
        nl, total = q.get(p.year, p.flow, partner=p.partner), q.get(p.year, p.flow)
        others = {k: iv for k, iv in q.partners(p.year, p.flow).items() if k != p.partner}
        used = [Key(p.year, p.flow, p.partner), Key(p.year, p.flow)] + [Key(p.year, p.flow, k) for k in others]
        detail = {"partner": None if nl is None else nl.to_json(),
                  "others": {k: iv.to_json() for k, iv in others.items()}, "rest_max": None}
        settle = [_need(p.flow, [p.year], "by country")]
        if nl is None:
            return Found(None, used, settle, detail, OPEN)
        could = nl.hi < INF and any(iv.lo > 0 for iv in others.values())
        why = "" if could else "no partner has a lower bound that could pass the Netherlands\u2019 upper one"
        bigger = [k for k, iv in others.items() if iv.lo > nl.hi]
        if bigger:
            detail["bigger"] = bigger
            return Found(nl, used, [], detail, EXCLUDED, could_fail=True)
        rest = None if total is None else total.hi - nl.lo - sum(iv.lo for iv in others.values())
        detail["rest_max"] = None if rest is None or rest == INF else rest
        if all(iv.hi < nl.lo for iv in others.values()) and rest is not None and rest < nl.lo:
            return Found(nl, used, [], detail, ENTAILED, could_fail=could, why=why)
        return Found(nl, used, settle, detail, OPEN)

    def says(self, v):
        return "first among all partners"

    def working(self, v):
        d = v.detail
        if d.get("partner") is None:
            return "No other figure for the Netherlands."
        nl = fmt.money_range(_iv(d["partner"]))
        if d.get("bigger"):
            return f"Larger than the Netherlands ({nl}): {', '.join(d['bigger'])}."
        others = [_iv(x) for x in d["others"].values()]
        named = ("no other partner is named" if not others else
                 "the other named partners have no upper bound" if any(o.hi == INF for o in others) else
                 f"the other named partners are at most {fmt.money(max(o.hi for o in others), how=fmt.UP)}")
        rest = d.get("rest_max")
        unnamed = ("the total has no upper bound, so an unnamed partner could be larger" if rest is None else
                   f"the partners not named share at most {fmt.money(rest, how=fmt.UP)}")
        if v.outcome == OPEN:
            return f"The Netherlands: {nl}; {named}; {unnamed}."
        return f"Every other partner is smaller than the Netherlands ({nl}); {unnamed}."


class Early2000s(Check):
    """C8: exports in the report year against 'the early 2000s' (config.EARLY_2000S), taken as the whole
    range of those years' levels."""

    unit = "ratio"

    def find(self, q, p, claimed, **kw):
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

    def says(self, v):
        return fmt.ratio(v.claimed)

    def working(self, v):
        d = v.detail
        if v.evidence is None:
            text = (f"No exports figure for {fmt.year_list(d['missing'])}." if d["missing"] else
                    f"No exports figure for {config.ARTICLE_YEAR}.")
            if d.get("implied_early_level"):
                text += (f" The claim implies an early-2000s level of "
                         f"{fmt.money_range(_iv(d['implied_early_level']))} (derived).")
            return text
        return (f"Exports in {config.ARTICLE_YEAR} against {fmt.year_list(d['early_years'])} "
                f"({fmt.money_range(_iv(d['early_level']))}) = {fmt.ratio(v.evidence)}.")


CHECKS: dict[str, Check] = {"level": Level(), "change": Change(), "ratio": Ratio(), "share": Share(),
                            "each_level": EachLevel(), "deficit_rank": DeficitRank(), "partner_rank": PartnerRank(),
                            "early_2000s_ratio": Early2000s()}


def says(v: Verdict) -> str:
    """What the claim part says, in words (the verdict table's column)."""
    return CHECKS[v.check].says(v)


def working(v: Verdict) -> str:
    """How the verdict was reached, in words (the verdict table's column)."""
    return CHECKS[v.check].working(v)


# -- running the checks ------------------------------------------------------------------------------
class Checker:
    """Checks every part of PARTS against a tidy figures table (see evidence.figure_intervals)."""

    def __init__(self, tidy: pd.DataFrame, roles: dict[str, str], claim_sources: dict[str, list[str]] | None = None):
        self.tidy = tidy
        self.roles = roles                       # source id -> its role in the registry
        self.claim_sources = claim_sources or {}  # claim id -> the publications that carry it (claims.csv)
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
        claimed, loose = _claimed(mine, "lo", "hi"), _claimed(mine, "loose_lo", "loose_hi")
        q = self.without(own["figure_id"])
        check = CHECKS[p.check]
        extra = {"partners": list(dict.fromkeys(mine["partner"]))} if p.check == "each_level" else {}
        found = check.find(q, p, claimed, **extra)
        outcome = found.outcome or compare(found.evidence, claimed, floor=found.floor)
        could, why = found.could_fail, found.why
        if could is None and outcome != OPEN:
            could, why = could_exclude(found.evidence, claimed, floor=found.floor)
        used_rows = [(k, q.rows[k]) for k in found.used if k in q.rows]
        figure_ids = ids_in(*(r["figure_ids"] for _, r in used_rows))
        source_ids = ids_in(*(r["source_ids"] for _, r in used_rows))
        evidence_tier = tier(source_ids, self.roles) if outcome != OPEN else NONE
        verdict = verdict_words(outcome, evidence_tier)
        loose_words = {}
        if loose is not None and loose != claimed and found.outcome is None:
            lo_outcome = compare(found.evidence, loose, floor=found.floor)
            if lo_outcome != outcome:
                loose_words = {"claimed": loose, "outcome": lo_outcome,
                               "verdict": verdict_words(lo_outcome, evidence_tier),
                               "words": ";".join(r for r in mine["reading"] if r)}
        return Verdict(
            claim_id=p.claim, part_id=p.id, part=p.label, check=p.check, unit=check.unit, claimed=claimed,
            evidence=found.evidence, outcome=outcome, tier=evidence_tier, could_fail=None if outcome == OPEN else could,
            untested_because=why if could is False else "", verdict=verdict, loose=loose_words,
            reading=";".join(dict.fromkeys(r for r in mine["reading"] if r)),
            figure_ids=figure_ids, source_ids=source_ids, claim_source_ids=self.claim_sources.get(p.claim, []),
            used=[{"id": number_id(k), **r["iv"].to_json(), "status": r["status"],
                   "basis": r["basis"], "source_ids": r["source_ids"]} for k, r in used_rows],
            settle=found.settle if outcome == OPEN or could is False else [], restates=p.restates or "",
            detail=found.detail,
            evidence_unit=check.evidence_unit or check.unit)


def _claimed(figs: pd.DataFrame, lo: str, hi: str) -> Interval | None:
    """What a claim part says: its own figures' intervals (one reading), intersected."""
    if figs.empty:
        return None
    iv = Interval(-INF, INF)
    for a, b in zip(figs[lo], figs[hi]):
        iv = iv.intersect(Interval(a, b)) or iv
    return iv


def check_claims(tidy: pd.DataFrame, sources: pd.DataFrame, claims_text: pd.DataFrame) -> list[Verdict]:
    """Every part of PARTS, checked; ``sources`` is the registry (its roles set the tiers) and
    ``claims_text`` the claims (claims.csv: each claim's own publications)."""
    claim_sources = {c: [s for s in str(ids).split(";") if s]
                     for c, ids in zip(claims_text["claim_id"], claims_text["source_id"])}
    checker = Checker(tidy, dict(zip(sources["source_id"], sources["role"])), claim_sources)
    return [checker.run(p) for p in PARTS]


def evidence_form(iv: Interval | None, floor: float = 0.0) -> str:
    """What an interval is, in words an analyst filters on: none, point, range, at least, at most."""
    if iv is None:
        return "none"
    if iv.is_point:
        return "point"
    if iv.hi == INF:
        return "at least"
    return "at most" if iv.lo <= floor else "range"


def to_frame(verdicts: list[Verdict], claims_text: pd.DataFrame) -> pd.DataFrame:
    """The verdicts as a table (one row per part): for the appendix and verdicts.csv (package.py
    describes every column and code)."""
    text = claims_text.set_index("claim_id")["claim"]
    rows = []
    for v in verdicts:
        c, e = (x.to_json() if x is not None else {"lo": None, "hi": None} for x in (v.claimed, v.evidence))
        lc = v.loose["claimed"].to_json() if v.loose else {"lo": None, "hi": None}
        floor = -100.0 if v.check == "change" else -INF if v.check == "deficit_rank" else 0.0
        rows.append({"claim_id": v.claim_id, "part_id": v.part_id, "claim": text.get(v.claim_id, ""),
                     "part": v.part, "claimed_form": evidence_form(v.claimed, floor), "claimed_lo": c["lo"],
                     "claimed_hi": c["hi"], "unit": v.unit if v.claimed is not None else "",
                     "evidence_form": evidence_form(v.evidence, floor), "evidence_lo": e["lo"], "evidence_hi": e["hi"],
                     "evidence_unit": v.evidence_unit if v.evidence is not None else "",
                     "outcome": v.outcome, "tier": v.tier, "could_fail": v.could_fail,
                     "untested_because": v.untested_because, "verdict": v.verdict,
                     "loose_claimed_lo": lc["lo"], "loose_claimed_hi": lc["hi"],
                     "loose_outcome": v.loose.get("outcome", ""), "loose_verdict": v.loose.get("verdict", ""),
                     "restates": v.restates, "claim_source_ids": ";".join(v.claim_source_ids),
                     "source_ids": ";".join(v.source_ids), "figure_ids": ";".join(v.figure_ids)})
    df = pd.DataFrame(rows)
    df["could_fail"] = df["could_fail"].astype("boolean")
    return df
