"""Small phrases made from the results (stage 04), used by story.py: what a verdict rests on, what would
settle it, the balance against earlier years, a vintage, a country's name in a sentence; and the
ClaimReview records. Every number in them is written by fmt.py.
"""
from __future__ import annotations

import json
import re

from .. import fmt
from ..analysis.claims import working
from ..results import MIXED, NONE, OTHER, OWN, PRIMARY, Number, Results, Verdict, claim_rating


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


def claim_in_full(text: str, quotes: list[str]) -> str:
    """A claim in full words: a fragment the table quotes as '... up 30% from 2019' is read back into the
    sentence of its publication's quote that holds it ('Russia sold more than $4.5 billion ... in 2020,
    up 30% from 2019'); a whole sentence stays as it is."""
    text = str(text).strip()
    if not text.startswith("..."):
        return text
    piece = text.lstrip(". ").strip()
    for quote in quotes:
        at = str(quote).find(piece)
        if at >= 0:
            before = str(quote)[:at]
            start = max(before.rfind(". ") + 2 if ". " in before else 0, before.rfind(" ... ") + 5 if " ... " in before
                        else 0)
            return str(quote)[start:at + len(piece)].strip()
    return piece[:1].upper() + piece[1:]


#: What a fact-check index needs of every ClaimReview block (tests/test_narrative.py validates each).
CLAIMREVIEW_SCHEMA = {
    "type": "object",
    "required": ["@context", "@type", "url", "claimReviewed", "reviewRating", "author", "datePublished",
                 "itemReviewed"],
    "properties": {
        "@type": {"const": "ClaimReview"},
        "url": {"type": "string", "pattern": "#claim-C[0-9]+$"},
        "claimReviewed": {"type": "string", "pattern": "^[^.a-z]", "minLength": 20},
        "datePublished": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        "author": {"type": "object", "required": ["@type", "name"],
                   "properties": {"name": {"type": "string", "minLength": 1}, "url": {"type": "string",
                                                                                     "pattern": "^https?://"}}},
        "reviewRating": {"type": "object", "required": ["@type", "alternateName"],
                         "properties": {"alternateName": {"type": "string", "minLength": 4, "not": {"pattern": ";"}}}},
        "itemReviewed": {"type": "object", "required": ["@type", "author", "datePublished", "firstAppearance"],
                         "properties": {"@type": {"const": "Claim"},
                                        "datePublished": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                                        "author": {"type": "object", "required": ["@type", "name"]},
                                        "firstAppearance": {"type": "object", "required": ["@type", "url"]}}},
    },
}


def series_names_a_publication(results: Results) -> bool:
    """Does every user series name a publication (a year or a web address in its source, and no mark of
    a synthetic or test series)? A report resting on one that does not carries no ClaimReview."""
    return all(re.search(r"\b(19|20)[0-9]{2}\b|https?://", str(x.get("title", "")))
               and not re.search(r"\b(synthetic|test)\b", str(x.get("title", "")), flags=re.I)
               for x in results.user_sources)


def claim_reviews(results: Results, story) -> str:
    """schema.org ClaimReview, one per counted claim, as fact-checkers publish them (JSON-LD): the claim in
    full words, its verdict in the page's words (results.claim_rating: a check that could not have failed
    is never a pass), the reviewer, the date of the check (never the build time), the page's address and
    the claim's anchor, and the claim's first appearance. None for a report resting on a user's series
    that names no publication. '<' is escaped, so no text can close the script element."""
    if not series_names_a_publication(results):
        return ""
    by_id = {s["source_id"]: s for s in results.sources}
    site = str(results.report.get("site_url") or "")
    author = {"@type": "Organization", "name": story.reviewer}
    if story.reviewer_url:
        author["url"] = story.reviewer_url
    out = []
    for claim_id, text in results.claims.items():
        parts = [v for v in results.verdicts if v.claim_id == claim_id]
        if not parts or all(v.restates for v in parts):
            continue
        srcs = sorted((by_id[i] for i in parts[0].claim_source_ids if i in by_id and by_id[i].get("url")),
                      key=lambda x: x.get("date") or "9999")
        first = srcs[0]
        item = {"@type": "Claim", "author": {"@type": "Organization", "name": first["publisher"].split(" (")[0]},
                "datePublished": first.get("date") or "",
                "firstAppearance": {"@type": "CreativeWork", "url": first["url"], "headline": first.get("title", "")}}
        if len(srcs) > 1:
            item["appearance"] = [{"@type": "CreativeWork", "url": x["url"]} for x in srcs[1:]]
        if not item["datePublished"]:  # a copy without a date: the earliest dated one is the first appearance
            item["datePublished"] = min((x["date"] for x in srcs if x.get("date")), default="")
        review = {"@context": "https://schema.org", "@type": "ClaimReview", "url": f"{site}#claim-{claim_id}",
                  "claimReviewed": claim_in_full(text, [x.get("quote", "") for x in srcs]),
                  "itemReviewed": item, "author": author, "datePublished": story.checked_on,
                  "reviewRating": {"@type": "Rating", "alternateName": claim_rating(parts),
                                   "ratingExplanation": " ".join(working(v) for v in parts if not v.restates)}}
        out.append(json.dumps(review, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c"))
    return "".join(f'<script type="application/ld+json">{x}</script>' for x in out)
