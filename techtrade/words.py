"""Small phrases made from the results (stage 04), used by story.py: what a verdict rests on, what would
settle it, the balance against earlier years, a vintage, a country's name in a sentence; and the
ClaimReview records. Every number in them is written by fmt.py.
"""
from __future__ import annotations

import datetime
import json

from . import fmt
from .claims import working
from .results import MIXED, NONE, OTHER, OWN, PRIMARY, Number, Results, Verdict, claim_rating


def rests_on(v: Verdict, results: Results, short: bool = False) -> str:
    """What a verdict rests on, in words: the tier and the publishers (``short``: no titles)."""
    who = "your series" if short and v.tier == PRIMARY else results.publisher(v.source_ids)
    return {OWN: "the article\u2019s own figures", OTHER: f"another publication of the same statistics ({who})",
            PRIMARY: who, MIXED: f"the article\u2019s figures with other publications\u2019 ({who})",
            NONE: "no other figure"}[v.tier]


def country(name: str) -> str:
    """A country's name as a sentence has it: 'the Netherlands', 'the United States', 'Germany'."""
    plural = name.endswith(("Netherlands", "States", "Kingdom", "Federation", "Republic", "Emirates", "Islands"))
    return f"the {name}" if plural and not name.startswith("the ") else name


def settle_words(v: Verdict) -> str:
    """The series that would settle an open part: 'exports by country, 2020'."""
    out = []
    for s in v.settle:
        who = ("" if s["partner"] == "World" else " by country" if s["partner"] == "by country"
               else f" to {country(s['partner'])}")
        out.append(f"{s['flow']}{who}, {fmt.year_list(s['years'])}")
    return "; ".join(out)


def updated_on(number: Number, results: Results) -> str:
    """' (as updated on 24 February 2026)': the vintage of the sources a number was read from, so a
    figure's caption names the vintage that was drawn (a refreshed World Bank file has its own)."""
    ids = {s for s in str(getattr(number, "source_ids", "") or "").split(";") if s}
    dates = sorted({s["date"] for s in results.sources if s.get("source_id") in ids and s.get("date")})
    return f" (as updated on {' and '.join(fmt.date(d) for d in dates)})" if dates else ""


def why_no_change(n: Number, flow: str, year: int) -> str:
    return {"no_year": f"there is no {flow} figure for {year}",
            "no_previous": f"there is no {flow} figure for {year - 1}",
            "circular": f"the only {year - 1} figure is itself derived from the {year} one, so a change would "
                        "be circular"}.get(n.basis, f"there is no {flow} figure for {year - 1}")


def deficit_words(d: dict) -> str:
    """The year's balance against the earlier balances the data hold (evidence.deficit_history), in words
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


def claim_reviews(results: Results, today: str | None = None) -> str:
    """schema.org ClaimReview, one per claim, as fact-checkers publish them (JSON-LD). The rating is the
    claim's verdict in the page's words (results.claim_rating): a check that could not have failed is
    never a pass."""
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
            "reviewRating": {"@type": "Rating", "alternateName": claim_rating(parts),
                             "ratingExplanation": " ".join(working(v) for v in parts)}}
        out.append(json.dumps(review, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c"))
    return "".join(f'<script type="application/ld+json">{x}</script>' for x in out)
