"""The words made from the results (stage 04): what each verdict's working is, what it rests on, the
counts, the balance against earlier years, the ClaimReview records. Every number in them is written
by fmt.py; narrative.py offers these to the report's text.
"""
from __future__ import annotations

import datetime
import json

from . import fmt
from .intervals import INF, Interval
from .results import (CONFIRMED, CONSISTENT, CONTRADICTED, INTERNALLY_CONSISTENT, INTERNALLY_INCONSISTENT, MIXED,
                      NONE, NOT_VERIFIABLE, OTHER, OWN, PRIMARY, Number, Results, Verdict, summarise)


def _iv(d) -> Interval | None:
    """An interval from its JSON form ({"lo": .., "hi": ..}, null for an open end); None for none."""
    return Interval.from_json(d) if d else None


def _words(iv: Interval | None, unit: str, signed: bool = False) -> str:
    if unit == "USD mn":
        return fmt.money_range(iv)
    if unit == "ratio":
        return fmt.ratio(iv)
    if unit == "percent":
        return fmt.pct(iv, signed=signed)
    return "" if iv is None else fmt.number(iv.lo)


def claimed_words(v: Verdict) -> str:
    if v.check == "deficit_rank":
        return "the deficit smaller than in every year from 2002 to 2019"
    if v.check == "partner_rank":
        return "first among all partners"
    if v.check == "each_level":
        return f"each {fmt.money_range(v.claimed)}"
    return _words(v.claimed, v.unit, signed=v.check == "change")


def explain(v: Verdict) -> str:
    """The working of a verdict, in words (for the verdict table)."""
    used = {u["id"]: u for u in v.used}
    ev = v.evidence

    def lvl(id_):
        u = used.get(id_)
        if u is None:
            return "not known"
        iv = _iv(u)
        if u["lo"] is None and u["hi"] is not None:  # a level at most: from zero
            iv = Interval(0.0, iv.hi)
        return fmt.money_range(iv) + (" (derived)" if u["status"] == "derived" else "")

    ids = list(used)
    if v.check == "level":
        if ev is None:
            return "No figure besides the claim's own."
        u = used[ids[0]]
        how = f", derived: {u['basis']}" if u["status"] == "derived" else ""
        return f"The other figures give {fmt.money_range(ev)}{how}."
    if v.check in ("change", "ratio"):
        if ev is None:
            years = [y for s in v.settle for y in s["years"]]
            return f"No other figure gives {v.settle[0]['flow']} in {fmt.year_list(years)}." if years else \
                "No other figure bears on it."
        op = "against" if v.check == "change" else "/"
        return f"{lvl(ids[0])} {op} {lvl(ids[1])} = {_words(ev, v.unit, signed=v.check == 'change')}."
    if v.check == "share":
        if ev is None:
            return "No total for that year."
        return f"{lvl(ids[0])} of {lvl(ids[1])} = {fmt.pct(ev)}; {fmt.quote('a quarter')} read as {fmt.pct(v.claimed)}."
    if v.check == "each_level":
        parts = v.detail.get("partners", {})
        if all(x is None for x in parts.values()):
            return f"No other figure for any of the {fmt.count_words(len(parts))}."
        return "; ".join(f"{k}: {fmt.money_range(_iv(x))}" for k, x in parts.items()) + "."
    if v.check == "deficit_rank":
        d = v.detail
        if ev is None:
            return "No balance for 2020."
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
    if v.check == "partner_rank":
        d = v.detail
        if d.get("partner") is None:
            return "No other figure for the Netherlands."
        if d.get("bigger"):
            return f"Larger than the Netherlands ({fmt.money_range(_iv(d['partner']))}): {', '.join(d['bigger'])}."
        others = [_iv(x) for x in d["others"].values()]
        named = ("no other partner is named" if not others else
                 "the other named partners have no upper bound" if any(o.hi == INF for o in others) else
                 f"the other named partners are at most {fmt.money(max(o.hi for o in others))}")
        rest = d.get("rest_max")
        unnamed = ("the total has no upper bound, so an unnamed partner could be larger" if rest is None else
                   f"the partners not named share at most {fmt.money(rest)}")
        if v.verdict == NOT_VERIFIABLE:
            return f"The Netherlands: {fmt.money_range(_iv(d['partner']))}; {named}; {unnamed}."
        return f"Every other partner is smaller than the Netherlands ({fmt.money_range(_iv(d['partner']))}); {unnamed}."
    if v.check == "early_2000s_ratio":
        d = v.detail
        if ev is None:
            text = f"No exports figure for {fmt.year_list(d['missing'])}." if d["missing"] else "No exports figure for 2020."
            if d.get("implied_early_level"):
                text += (f" The claim implies an early-2000s level of "
                         f"{fmt.money_range(_iv(d['implied_early_level']))} (derived).")
            return text
        return f"Exports in 2020 against {fmt.year_list(d['early_years'])} ({fmt.money_range(_iv(d['early_level']))}) = {fmt.ratio(ev)}."
    return ""


def rests_on(v: Verdict, results: Results, short: bool = False) -> str:
    """What a verdict rests on, in words: the tier and the publishers (``short``: no titles)."""
    who = "your series" if short and v.tier == PRIMARY else results.publisher(v.source_ids)
    return {OWN: "the article's own figures", OTHER: f"another publication of the same statistics ({who})",
            PRIMARY: who, MIXED: f"the article's figures with other publications' ({who})",
            NONE: "no other figure"}[v.tier]


def in_brief(results: Results, data_words: str) -> str:
    """The counts of the opening, by what they rest on, in words."""
    c = summarise(results.verdicts)
    w = fmt.count_words
    by = "your series or another publication" if results.user_sources else "another publication"
    said = {INTERNALLY_CONSISTENT: "agree with the article's other figures",
            INTERNALLY_INCONSISTENT: "disagree with the article's other figures",
            CONFIRMED: f"confirmed by {by}", CONSISTENT: f"found consistent by {by}",
            CONTRADICTED: f"contradicted by {by}", NOT_VERIFIABLE: f"cannot be checked with {data_words}"}
    verb = {INTERNALLY_CONSISTENT: "", INTERNALLY_INCONSISTENT: "", NOT_VERIFIABLE: ""}
    parts = []
    for name in (INTERNALLY_CONSISTENT, INTERNALLY_INCONSISTENT, CONFIRMED, CONSISTENT, CONTRADICTED, NOT_VERIFIABLE):
        if c[name]:
            is_are = verb.get(name, "is " if c[name] == 1 else "are ")
            parts.append(f"{w(c[name])} {is_are}{said[name]}")
    if c[CONFIRMED] + c[CONSISTENT] + c[CONTRADICTED] == 0:
        parts.insert(len(parts) - (1 if c[NOT_VERIFIABLE] else 0),
                     "none is confirmed or contradicted by another publication of the same statistics")
    if len(parts) == 1:
        return "all " + parts[0].split(" ", 1)[1] if sum(c.values()) > 1 else parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def c5_years(v: Verdict, results: Results) -> str:
    """The earlier balances that were larger deficits, grouped by publication: '2006 (a deficit of
    $581–647 million, derived from St. Petersburg ...) and 2011 to 2015 (OECD: deficits of ...)'."""
    used = {u["id"]: u for u in v.used}
    groups: dict[str, list] = {}
    for y in v.detail.get("larger_deficit", []):
        u = used.get(f"balance.{y}")
        if u is not None:
            groups.setdefault(results.publisher(u["source_ids"]), []).append((y, _iv(u)))
    out = []
    for who, items in groups.items():
        years = [y for y, _ in items]
        los, his = [-iv.hi for _, iv in items], [-iv.lo for _, iv in items]
        amount = fmt.money_range(Interval(min(los), max(his)))
        out.append(f"{fmt.year_list(years)} ({'a deficit' if len(items) == 1 else 'deficits'} of {amount}; {who})")
    return fmt.year_list([]) if not out else (out[0] if len(out) == 1 else ", ".join(out[:-1]) + " and " + out[-1])


def claim_reviews(results: Results, today: str | None = None) -> str:
    """schema.org ClaimReview, one per claim, as fact-checkers publish them (JSON-LD)."""
    today = today or datetime.date.today().isoformat()
    by_id = {s["source_id"]: s for s in results.sources}
    out = []
    for claim_id, text in results.claims.items():
        parts = [v for v in results.verdicts if v.claim_id == claim_id]
        if not parts:
            continue
        srcs = [by_id[i] for i in parts[0].claim_source_ids if i in by_id]
        review = {
            "@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": text,
            "itemReviewed": {"@type": "Claim",
                             "author": {"@type": "Organization", "name": srcs[0]["publisher"] if srcs else ""},
                             "datePublished": (srcs[0].get("date") or "") if srcs else "",
                             "appearance": [{"@type": "CreativeWork", "url": x["url"]} for x in srcs if x.get("url")]},
            "author": {"@type": "Organization", "name": "Russian tech exports fact-check (techtrade report)"},
            "datePublished": today,
            "reviewRating": {"@type": "Rating",
                             "alternateName": "; ".join(f"{v.part}: {v.verdict}" for v in parts),
                             "ratingExplanation": " ".join(explain(v) for v in parts)}}
        out.append(json.dumps(review, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c"))
    return "".join(f'<script type="application/ld+json">{x}</script>' for x in out)


def country(name: str) -> str:
    """A country's name as a sentence has it: 'the Netherlands', 'the United States', 'Germany'."""
    plural = name.endswith(("Netherlands", "States", "Kingdom", "Federation", "Republic", "Emirates", "Islands"))
    return f"the {name}" if plural and not name.startswith("the ") else name


def updated_on(number: Number, results: Results) -> str:
    """' (as updated on 24 February 2026)': the vintage of the sources a number was read from, so a
    figure's caption names the vintage that was drawn (a refreshed World Bank file has its own)."""
    ids = {s for s in str(getattr(number, "source_ids", "") or "").split(";") if s}
    dates = sorted({s["date"] for s in results.sources if s.get("source_id") in ids and s.get("date")})
    return f" (as updated on {' and '.join(fmt.date(d) for d in dates)})" if dates else ""


def settle_words(v: Verdict) -> str:
    out = []
    for s in v.settle:
        who = ("" if s["partner"] == "World" else " by country" if s["partner"] == "by country"
               else f" to {country(s['partner'])}")
        out.append(f"{s['flow']}{who}, {fmt.year_list(s['years'])}")
    return "; ".join(out)


def threefold(n: Number, data_words: str = "the data") -> str:
    """Is 'more than threefold' true of a ratio? In words."""
    iv = n.iv if isinstance(n, Number) else n
    if iv is None:
        return f"cannot be judged with {data_words}"
    if iv.lo > 3:
        return "holds"
    if iv.hi <= 3:
        return "does not hold"
    return "may or may not hold: the figures allow values on both sides of three"


def why_no_change(n: Number, flow: str, year: int) -> str:
    return {"no_year": f"there is no {flow} figure for {year}",
            "no_previous": f"there is no {flow} figure for {year - 1}",
            "circular": f"the only {year - 1} figure is itself derived from the {year} one, so a change would "
                        "be circular"}.get(
        n.basis, f"there is no {flow} figure for {year - 1}")


def deficit_words(d: dict) -> str:
    """The year's balance against the earlier balances the data hold (metrics.deficit_history), in words
    (the balance itself is said before)."""
    y = d["year"]
    if d["balance"] is None:
        return f"no balance for {y} can be computed from the data"
    if not d["held"]:
        return f"the data hold no balance before {y}, so no {fmt.quote('lowest since')} can be said"
    larger, smaller, undecided = d["surely_larger_deficit"], d["surely_smaller_deficit"], d["undecided"]
    since = d.get("since")
    if since is not None and since in smaller:  # a run of larger deficits back to a year with a smaller one
        return f"the {y} deficit is the smallest since {since}"
    if not smaller and not undecided:
        gaps = f"; the data have no balance for {fmt.year_list(d['gaps'])}" if d["gaps"] else ""
        return f"it is above every earlier balance the data hold, each of them a larger deficit{gaps}"
    if smaller:
        return f"it is not the smallest deficit: {fmt.year_list(smaller)} had a smaller one"
    text = f"it is above the balance of {fmt.year_list(larger)}; " if larger else ""
    return text + f"{fmt.year_list(undecided)} may have had a smaller deficit or a larger one"


def only_article(n: Number, results: Results) -> bool:
    """Does this number rest on the article's own figures alone?"""
    roles = {s["source_id"]: s.get("role") for s in results.sources}
    ids = [i for i in str(n.source_ids).split(";") if i]
    return bool(ids) and all(roles.get(i) == "the article" for i in ids)
