"""Claim verdicts (stage 03, analysis).

Each claim of the article is split into parts (a level, a ratio, a share ...). A part is checked
against the *other* figures only: the figure that states it, and anything derived from that
figure, are left out, so no claim is ever confirmed by itself. The verdicts:

- reproduced: everything the other figures allow lies inside what the claim says;
- consistent: the other figures allow the claim, but also values outside it;
- contradicted: nothing the other figures allow fits the claim;
- not verifiable with the shipped data: no other figure bears on it (the data that would settle
  it are named).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from . import config
from .evidence import Quantities, build_quantities
from .intervals import INF, Interval

REPRODUCED, CONSISTENT, CONTRADICTED, NOT_VERIFIABLE = (
    "reproduced", "consistent", "contradicted", "not verifiable with the shipped data")
VERDICTS = (REPRODUCED, CONSISTENT, CONTRADICTED, NOT_VERIFIABLE)

#: Where the data that would settle an unverifiable part are published (settle_with names the series).
ROSSTAT = ("Rosstat's annual table of technology exchange with foreign countries (form 1-TB), published in "
           "'Russia in figures' and the 'Russian statistical yearbook' (section on science and innovation) "
           "and in HSE's 'Science indicators'")


@dataclass
class Check:
    claim_id: str
    part: str
    claimed: str
    evidence: str
    arithmetic: str
    verdict: str
    settle_with: str = ""
    figure_ids: str = ""
    source_ids: str = ""


def compare(evidence: Interval | None, claimed: Interval, floor: float = 0.0) -> str:
    """The verdict of an evidence interval against a claimed interval.

    Evidence that is missing, or that bounds nothing (from ``floor`` to infinity), cannot settle.
    """
    if evidence is None or (evidence.lo <= floor and evidence.hi == INF):
        return NOT_VERIFIABLE
    if evidence.entirely_within(claimed):
        return REPRODUCED
    if evidence.overlaps(claimed):
        return CONSISTENT
    return CONTRADICTED


def worst(verdicts) -> str:
    order = {REPRODUCED: 0, CONSISTENT: 1, NOT_VERIFIABLE: 2, CONTRADICTED: 3}
    return max(verdicts, key=order.__getitem__)


def money(x: float) -> str:
    """-150 -> '-$150m' (minus sign before the dollar)."""
    return ("\u2212" if x < 0 else "") + f"${abs(x):,.0f}m"


def usd(iv: Interval | None) -> str:
    return "none" if iv is None else iv.describe(money)


def pct(iv: Interval | None) -> str:
    return "none" if iv is None else iv.describe("{:.1f}%")


def times(iv: Interval | None) -> str:
    return "none" if iv is None else iv.describe("{:.2f}x")


class Checker:
    """Checks the article's claims against a tidy figures table (see evidence.figure_intervals)."""

    def __init__(self, tidy: pd.DataFrame):
        self.tidy = tidy
        self.full = build_quantities(tidy)

    # -- helpers --------------------------------------------------------------------------
    def figs(self, claim_id: str, measure: str, partner: str = "World", flow: str = "exports") -> pd.DataFrame:
        t = self.tidy
        return t[(t["claim_id"] == claim_id) & (t["measure"] == measure) & (t["partner"] == partner)
                 & (t["flow"] == flow)]

    def claimed(self, figs: pd.DataFrame) -> Interval:
        iv = Interval(-INF, INF)
        for lo, hi in zip(figs["lo"], figs["hi"]):
            iv = iv.intersect(Interval(lo, hi))
        return iv

    def without(self, *figure_ids: str) -> Quantities:
        return build_quantities(self.tidy, exclude_figures=figure_ids)

    def sources_of(self, q: Quantities, *keys) -> tuple[str, str]:
        fids, sids = [], []
        for k in keys:
            r = q.row(*k[:2], **k[2]) if len(k) == 3 else q.row(*k)
            if r is not None:
                fids += [x for x in r["figure_ids"].split(";") if x not in fids]
                sids += [x for x in r["source_ids"].split(";") if x not in sids]
        return ";".join(fids), ";".join(sids)

    def level_part(self, claim_id, part, year, flow="exports", partner="World", also_exclude=()) -> Check:
        figs = self.figs(claim_id, "level", partner, flow)
        claimed = self.claimed(figs)
        q = self.without(*figs["figure_id"], *also_exclude)
        ev = q.get(year, flow, partner=partner)
        verdict = compare(ev, claimed)
        fids, sids = self.sources_of(q, (year, flow, {"partner": partner}))
        return Check(claim_id, part, f"{flow} {year}, {partner}: {usd(claimed)}",
                     f"other figures: {usd(ev)}", _arith_level(ev, q.row(year, flow, partner=partner), claimed, verdict),
                     verdict,
                     "" if verdict != NOT_VERIFIABLE else f"{flow} {year}, {partner}",
                     fids, sids)

    # -- the claims ---------------------------------------------------------------------------
    def c1(self):
        return [self.level_part("C1", "exports level", config.ARTICLE_YEAR)]

    def c2(self):
        y, b = config.ARTICLE_YEAR, config.ARTICLE_YEAR - 1
        f = self.figs("C2", "growth")
        claimed = self.claimed(f)
        q = self.without(*f["figure_id"])
        ey, eb = q.get(y, "exports"), q.get(b, "exports")
        ev = None if ey is None or eb is None else ey.pct_change(eb)
        implied = self.full.row(b, "exports")
        verdict = compare(ev, claimed, floor=-100.0)
        arith = (f"growth = exports {y} / exports {b} - 1 = {pct(ev)}" if ev is not None else
                 f"no other figure gives exports in {b}")
        if implied is not None and implied["status"] == "derived":
            arith += (f"; implied exports {b} from C1 and C2 (derived): "
                      f"{usd(Interval(implied['lo'], implied['hi']))}")
        fids, sids = self.sources_of(q, (y, "exports"), (b, "exports"))
        return [Check("C2", "growth from previous year", f"growth {b}->{y}: {pct(claimed)}",
                      f"other figures: {pct(ev)}", arith, verdict,
                      "" if verdict != NOT_VERIFIABLE else f"exports {b}", fids, sids)]

    def ratio_part(self, claim_id, also=()):
        y, b = config.ARTICLE_YEAR, config.ARTICLE_BASE_YEAR
        f = self.figs(claim_id, "ratio")
        claimed = self.claimed(f)
        twins = self.tidy[(self.tidy["measure"] == "ratio") & (self.tidy["year"] == y)
                          & (self.tidy["base_year"] == b) & (self.tidy["flow"] == "exports")]
        q = self.without(*twins["figure_id"])
        ey, eb = q.get(y, "exports"), q.get(b, "exports")
        ev = None if ey is None or eb is None else ey / eb
        verdict = compare(ev, claimed)
        arith = (f"exports {y} / exports {b} = {usd(ey)} / {usd(eb)} = {times(ev)}" if ev is not None
                 else f"no level for {y} or {b} besides the claim")
        fids, sids = self.sources_of(q, (y, "exports"), (b, "exports"))
        return Check(claim_id, f"ratio {y}/{b}", f"exports {y} / exports {b}: {times(claimed)}",
                     f"other figures: {times(ev)}", arith, verdict,
                     "" if verdict != NOT_VERIFIABLE else f"exports {b} and {y}", fids, sids)

    def c3(self):
        return [self.level_part("C3", "exports level", config.ARTICLE_BASE_YEAR,
                                also_exclude=self._ratio_ids()), self.ratio_part("C3")]

    def _ratio_ids(self):
        t = self.tidy
        return list(t[(t["measure"] == "ratio") & (t["year"] == config.ARTICLE_YEAR)
                      & (t["base_year"] == config.ARTICLE_BASE_YEAR)]["figure_id"])

    def c4(self):
        y, b = config.ARTICLE_YEAR, config.ARTICLE_YEAR - 1
        level = self.level_part("C4", "imports level", y, flow="imports")
        f = self.figs("C4", "growth", flow="imports")
        claimed = self.claimed(f)
        q = self.without(*f["figure_id"])
        iy, ib = q.get(y, "imports"), q.get(b, "imports")
        ev = None if iy is None or ib is None else iy.pct_change(ib)
        verdict = compare(ev, claimed, floor=-100.0)
        arith = (f"change = imports {y} / imports {b} - 1 = {pct(ev)}; 'stagnant' read as {pct(claimed)}"
                 if ev is not None else f"no figure gives imports in {b}; 'stagnant' read as {pct(claimed)}")
        fids, sids = self.sources_of(q, (y, "imports"), (b, "imports"))
        return [level, Check("C4", "imports stagnant", f"change {b}->{y}: {pct(claimed)}",
                             f"other figures: {pct(ev)}", arith, verdict,
                             "" if verdict != NOT_VERIFIABLE else f"imports {b}", fids, sids)]

    def c5(self):
        y = config.ARTICLE_YEAR
        years = list(range(config.DEFICIT_SINCE + 1, y))
        q = self.full
        b = q.get(y, "balance")
        others = {yr: q.get(yr, "balance") for yr in years}
        # A balance derived only from the article's own C2/C4 figures (2019) is kept: it is arithmetic
        # on other claims, not on C5. Balances need both flows.
        missing = [yr for yr, iv in others.items() if iv is None or not iv.bounded]
        claimed = f"deficit {y} smaller than in every year {years[0]}-{years[-1]}"
        if b is None:
            return [Check("C5", "lowest deficit since 2001", claimed, "no balance for 2020", "", NOT_VERIFIABLE,
                          f"exports and imports {config.DEFICIT_SINCE}-{y}")]
        beaten_by = [yr for yr, iv in others.items() if iv is not None and iv.lo > b.hi]
        if b.lo > 0:
            verdict, arith = CONTRADICTED, f"balance {y} = {usd(b)}: a surplus, not a deficit"
        elif beaten_by:
            verdict = CONTRADICTED
            arith = (f"balance {y} = {usd(b)} (derived); smaller deficits in: "
                     + ", ".join(f"{yr} ({usd(others[yr])})" for yr in beaten_by))
        elif missing:
            verdict = NOT_VERIFIABLE
            arith = (f"balance {y} = exports - imports = {usd(b)} (derived); no balance for "
                     f"{years_words(missing)}")
        else:
            top = max(iv.hi for iv in others.values())
            verdict = REPRODUCED if b.lo > top and b.hi < 0 else CONSISTENT
            arith = (f"balance {y} = {usd(b)} (derived); the smallest deficit {years[0]}-{years[-1]}: "
                     f"{money(-top)} (a balance of at most {money(top)})")
        fids, sids = self.sources_of(q, (y, "balance"), *[(yr, "balance") for yr in years])
        return [Check("C5", "lowest deficit since 2001", claimed, f"balance {y}: {usd(b)} (derived)", arith,
                      verdict, "" if verdict != NOT_VERIFIABLE else
                      f"exports and imports, each year {config.DEFICIT_SINCE}-{y - 1}", fids, sids)]

    def c6(self):
        y = config.ARTICLE_YEAR
        level = self.level_part("C6", "Netherlands level", y, partner="Netherlands")
        f = self.figs("C6", "share", partner="Netherlands")
        claimed = self.claimed(f)
        q = self.without(*f["figure_id"])
        nl, tot = q.get(y, "exports", partner="Netherlands"), q.get(y, "exports")
        ev = None if nl is None or tot is None else nl / tot * 100
        verdict = compare(ev, claimed)
        arith = (f"share = Netherlands / total = {usd(nl)} / {usd(tot)} = {pct(ev)}; 'a quarter' read as "
                 f"{pct(claimed)}" if ev is not None else "no total for 2020")
        fids, sids = self.sources_of(q, (y, "exports", {"partner": "Netherlands"}), (y, "exports"))
        share = Check("C6", "Netherlands share", f"share of all sales: {pct(claimed)}", f"other figures: {pct(ev)}",
                      arith, verdict, "" if verdict != NOT_VERIFIABLE else f"exports {y} by country",
                      fids, sids)
        return [level, share, self._rank()]

    def _rank(self):
        y = config.ARTICLE_YEAR
        f = self.figs("C6", "rank", partner="Netherlands")
        q = self.without(*f["figure_id"])
        nl, tot = q.get(y, "exports", partner="Netherlands"), q.get(y, "exports")
        partners = {k[2]: Interval(r["lo"], r["hi"]) for k, r in q.rows.items()
                    if k[0] == y and k[1] == "exports" and k[4] == "level" and k[3] == "all"
                    and k[2] not in ("World", "Netherlands")}
        if nl is None:
            verdict, arith = NOT_VERIFIABLE, "no other figure for the Netherlands"
        elif any(iv.lo > nl.hi for iv in partners.values()):
            bigger = [p for p, iv in partners.items() if iv.lo > nl.hi]
            verdict, arith = CONTRADICTED, f"larger than the Netherlands ({usd(nl)}): {', '.join(bigger)}"
        else:
            known_lo = nl.lo + sum(iv.lo for iv in partners.values())
            rest = None if tot is None else tot.hi - known_lo
            if (all(iv.hi < nl.lo for iv in partners.values()) and rest is not None and rest < nl.lo):
                verdict = REPRODUCED
                arith = f"every named partner is below {usd(nl)} and the unnamed rest is at most ${rest:,.0f}m"
            else:
                verdict = NOT_VERIFIABLE
                top = max((iv.hi for iv in partners.values()), default=0.0)
                named = ("the other named partners have no upper bound" if top == INF else
                         f"the other named partners are at most {money(top)}" if partners else
                         "no other partner is named")
                unnamed = ("no total is shipped, so an unnamed partner could exceed it" if rest is None else
                           "the total has no upper bound, so an unnamed partner could exceed it" if rest == INF else
                           f"unnamed partners share up to {money(rest)}, so one of them could exceed it")
                arith = f"Netherlands {usd(nl)}; {named}; {unnamed}"
        return Check("C6", "Netherlands largest market", "rank 1 among all partners", "partner figures",
                     arith, verdict, "" if verdict != NOT_VERIFIABLE else f"exports {y} by country",
                     *self.sources_of(q, (y, "exports", {"partner": "Netherlands"}),
                                      *[(y, "exports", {"partner": p}) for p in partners]))

    def c7(self):
        y = config.ARTICLE_YEAR
        partners = list(self.tidy[(self.tidy["claim_id"] == "C7") & (self.tidy["measure"] == "level")]["partner"])
        parts = [self.level_part("C7", p, y, partner=p) for p in partners]
        verdict = worst([p.verdict for p in parts])
        return [Check("C7", "five partners each above $250m", f"each of {', '.join(partners)}: at least $250m",
                      "; ".join(f"{p.part}: {p.evidence.replace('other figures: ', '')}" for p in parts),
                      "; ".join(f"{p.part}: {p.verdict}" for p in parts) if verdict != NOT_VERIFIABLE
                      else "no other figure for any of the five", verdict,
                      "" if verdict != NOT_VERIFIABLE else f"exports {y} by country",
                      ";".join(p.figure_ids for p in parts if p.figure_ids),
                      ";".join(sorted({s for p in parts for s in p.source_ids.split(";") if s})))]

    def c8(self):
        y = config.ARTICLE_YEAR
        f = self.tidy[(self.tidy["claim_id"] == "C8")]
        claimed = self.claimed(f)
        q = self.without(*f["figure_id"])
        ey = q.get(y, "exports")
        early = {yr: q.get(yr, "exports") for yr in config.EARLY_2000S}
        missing = [yr for yr, iv in early.items() if iv is None]
        implied = None if ey is None else ey / claimed
        if ey is None or missing:
            verdict = NOT_VERIFIABLE
            arith = (f"no exports figure for {years_words(missing)}" if missing else "no exports figure for 2020")
            if implied is not None:
                arith += f"; implied early-2000s level (derived, exports 2020 / 15-20): {usd(implied)}"
            ev = None
        else:
            base = Interval(min(iv.lo for iv in early.values()), max(iv.hi for iv in early.values()))
            ev = ey / base
            verdict = compare(ev, claimed)
            arith = (f"exports 2020 / exports {years_words(list(early))} = {usd(ey)} / {usd(base)} = {times(ev)}")
        fids, sids = self.sources_of(q, (y, "exports"), *[(yr, "exports") for yr in config.EARLY_2000S])
        return [Check("C8", "ratio to early 2000s", f"exports 2020 / early 2000s: {times(claimed)}",
                      f"other figures: {times(ev)}", arith, verdict,
                      "" if verdict != NOT_VERIFIABLE else
                      f"exports {years_words(list(config.EARLY_2000S))}", fids, sids)]

    def c9(self):
        return [self.ratio_part("C9")]

    def check_all(self) -> list[Check]:
        return [c for f in (self.c1, self.c2, self.c3, self.c4, self.c5, self.c6, self.c7, self.c8, self.c9)
                for c in f()]


def _arith_level(ev, row, claimed, verdict) -> str:
    if ev is None:
        return "no figure besides the claim's own"
    how = "" if row["status"] == "published" else f" (derived: {row['basis']})"
    if verdict == NOT_VERIFIABLE:
        return f"the other figures only say {usd(ev)}{how}"
    return f"other figures give {usd(ev)}{how}; the claim says {usd(claimed)}"


def years_words(years, dash: str = "-") -> str:
    """[2002, 2003, 2004, 2007] -> '2002-2004, 2007' (runs of three or more years joined by ``dash``)."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}{dash}{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs) or "none"


def check_claims(tidy: pd.DataFrame, claims_text: pd.DataFrame) -> pd.DataFrame:
    """The verdict table: one row per claim part, with the claim as published."""
    rows = pd.DataFrame([asdict(c) for c in Checker(tidy).check_all()])
    text = claims_text.set_index("claim_id")
    rows.insert(1, "claim", rows["claim_id"].map(text["claim"]))
    rows.insert(2, "claim_source_ids", rows["claim_id"].map(text["source_id"]))
    return rows


def summarise(verdicts: pd.DataFrame) -> dict[str, int]:
    counts = verdicts["verdict"].value_counts()
    return {v: int(counts.get(v, 0)) for v in VERDICTS}

