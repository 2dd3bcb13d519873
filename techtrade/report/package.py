"""The files analysts download, described (Frictionless data package): ``datapackage.json`` beside each
report gives a Table Schema for ``verdicts.csv`` and ``numbers.csv``: every column's type, unit and
meaning, every code, and what an empty cell means. Declared once, here; the tests validate a built
report's files against it with the ``frictionless`` library.
"""
from __future__ import annotations

import json
from pathlib import Path

from .. import config
from ..atomic import write_atomic
from ..results import KINDS, OUTCOMES, ROLE_TIER

FORMS = ["none", "point", "range", "at least", "at most"]
UNITS = ["USD mn", "percent", "ratio", "rank"]
TIERS = sorted(set(ROLE_TIER.values()) | {"mixed", "none"})
INTERVAL_END = ("An end of the interval, in the row's unit. Empty: unbounded on that side (a lower bound has no "
                "upper end), or no value at all where the row's form or status says so.")


def _f(name: str, type_: str, description: str, **more) -> dict:
    return {"name": name, "type": type_, "description": description, **more}


def _codes(values, **more) -> dict:
    return {"constraints": {"enum": list(values)}, **more}


VERDICTS = [
    _f("claim_id", "string", "The claim (C1 to C9), as in the report's verdict table."),
    _f("part_id", "string", "The claim part, a stable id: the claim and what part of it is checked (C3.ratio)."),
    _f("claim", "string", "The claim, word for word as published (a fragment of a sentence starts with '...')."),
    _f("part", "string", "What the part is about, in words."),
    _f("claimed_form", "string", "What the claim gives: a point, a range, a lower bound ('at least'), an upper "
       "bound ('at most'), or none (a claim with no number of its own, C5).", **_codes(FORMS)),
    _f("claimed_lo", "number", "What the claim says, read strictly (METHODS.md): lower end. " + INTERVAL_END),
    _f("claimed_hi", "number", "What the claim says, read strictly: upper end. " + INTERVAL_END),
    _f("unit", "string", "The claim's unit (USD mn: million US dollars).", **_codes(UNITS)),
    _f("evidence_form", "string", "What the other figures allow: a point, a range, a lower or an upper bound, or "
       "none (no other figure bears on the part: it is open).", **_codes(FORMS)),
    _f("evidence_lo", "number", "What the other figures allow: lower end. " + INTERVAL_END),
    _f("evidence_hi", "number", "What the other figures allow: upper end. " + INTERVAL_END),
    _f("evidence_unit", "string", "The evidence's unit (C6's rank is claimed as a rank, its evidence is the "
       "Netherlands' level in USD mn).", **_codes(UNITS)),
    _f("outcome", "string", "entailed: every value the evidence allows is inside the claim; allowed: some are; "
       "excluded: none is; open: no evidence.", **_codes(OUTCOMES)),
    _f("tier", "string", "What the evidence rests on: own (the claim's own publication), other (another "
       "publication of the same statistics), primary (a user's copy of the primary table), mixed (the article's "
       "figures with another publication's), none.", **_codes(TIERS)),
    _f("could_fail", "boolean", "Could evidence of this form have excluded the claim? False: the check could not "
       "have failed (two lower bounds never conflict) and is counted as agreement nowhere. Empty: no evidence."),
    _f("untested_because", "string", "Why the check could not have failed, in words (empty otherwise)."),
    _f("verdict", "string", "The verdict in the report's words: the outcome, as far as the tier allows.",
       **_codes([k for k in KINDS if k != "could not have failed"])),
    _f("loose_claimed_lo", "number", "The claim read loosely (a simple fraction as +/-5 percentage points), where "
       "that gives another outcome: lower end. Empty otherwise."),
    _f("loose_claimed_hi", "number", "The claim read loosely: upper end. Empty otherwise."),
    _f("loose_outcome", "string", "The outcome of the loose reading, where it differs (empty otherwise)."),
    _f("loose_verdict", "string", "The verdict of the loose reading, where it differs (empty otherwise)."),
    _f("restates", "string", "The part this one says again, counted once with it (empty: counted)."),
    _f("claim_source_ids", "string", "The publications that carry the claim (';'-separated ids of the report's "
       "sources list)."),
    _f("source_ids", "string", "The publications the evidence rests on (';'-separated; empty: none)."),
    _f("figure_ids", "string", "The published figures the evidence rests on (';'-separated ids)."),
]

NUMBERS = [
    _f("id", "string", "The number's id, as the report's text asks for it (exports.2020, ratio.exports.2020/2018)."),
    _f("measure", "string", "level; ratio (year against base year); change (percent, on the year before); share "
       "(percent of total exports); ratio_to_early_2000s; claimed or evidence (a claim part's intervals).",
       **_codes(["level", "ratio", "change", "share", "ratio_to_early_2000s", "claimed", "evidence"])),
    _f("flow", "string", "exports, imports or balance (form 1-TB: receipts, payments, receipts minus payments), "
       "or a World Bank series (ict_exports, ip_receipts, ip_payments, hightech_exports). Empty for claim rows."),
    _f("partner", "string", "World (the total) or the partner country. Empty where the row has none."),
    _f("year", "integer", "The year the number is about (empty for claim rows)."),
    _f("base_year", "integer", "The year a ratio or change is against (empty otherwise)."),
    _f("published_by", "string", "Set on rows that give what one publication alone says, whatever a user's "
       "series says of the same years: article (the article and its syndicated copies), or another publication "
       "of the same statistics by its source id in lower case (oecd, spb); the row's id starts with it. Empty: "
       "every figure held."),
    _f("lo", "number", "Lower end of the number's interval. " + INTERVAL_END),
    _f("hi", "number", "Upper end of the number's interval. " + INTERVAL_END),
    _f("unit", "string", "USD mn (million current US dollars), percent, ratio (times) or rank.", **_codes(UNITS)),
    _f("status", "string", "published (a figure as a publication gives it, or several combined), derived (our "
       "arithmetic on published figures), missing (the data do not give it: basis says why).",
       **_codes(["published", "derived", "missing"])),
    _f("basis", "string", "How the number was made, in words; for a missing change a code: no_year (no figure for "
       "the year), no_previous (none for the year before), circular (the year before is itself derived from this "
       "year's figure)."),
    _f("mixed", "boolean", "True: a ratio or change whose two ends rest on different publications (or "
       "conversions to dollars); it never supports a verdict stronger than its weaker end allows."),
    _f("source_ids", "string", "The sources the number rests on (';'-separated ids of the report's sources list)."),
    _f("figure_ids", "string", "The published figures it rests on (';'-separated ids; F.. shipped, OECD.. OECD "
       "MSTI rows, U<line> a user's series)."),
    _f("statistic", "string", "Which statistic: Rosstat's technology exchange (form 1-TB), or the World Bank's "
       "indicators (other measures, never evidence for a verdict).",
       **_codes(["technology exchange, Rosstat form 1-TB", "World Bank WDI"])),
    _f("label", "string", "The number in words, as a reader would name it."),
]

TABLES = {"verdicts": ("verdicts.csv", "One row per claim part: what it says, what the other figures allow, the "
                                      "outcome and what it rests on.", VERDICTS, "part_id"),
          "numbers": ("numbers.csv", "Every number the report can show, with its interval, unit, status and "
                                    "sources.", NUMBERS, "id")}


def descriptor(title: str) -> dict:
    """The data package of one report's CSV files."""
    resources = [{"name": name, "path": path, "title": path, "description": what, "format": "csv",
                  "mediatype": "text/csv", "encoding": "utf-8",
                  "schema": {"fields": fields, "missingValues": [""], "primaryKey": [key]}}
                 for name, (path, what, fields, key) in TABLES.items()]
    return {"name": "russian-tech-exports-fact-check", "title": f"{config.PROJECT_NAME}: {title}",
            "description": "The verdicts and numbers of one report checking The Moscow Times, 1 September 2021, "
                           "'Russian Tech Exports Up Threefold Since 2018'. Intervals, not points: an empty end "
                           "is unbounded. Formula-like text cells start with an apostrophe (as OWASP advises).",
            "licenses": [{"name": "CC-BY-4.0", "title": "Our transcription and derived values; quotations and World "
                          "Bank values keep their own terms (see the report's sources)",
                          "path": "https://creativecommons.org/licenses/by/4.0/"}],
            "resources": resources}


def write(folder: str | Path, title: str) -> Path:
    """Write ``datapackage.json`` into a report's folder (beside its verdicts.csv and numbers.csv)."""
    path = Path(folder) / "datapackage.json"
    write_atomic(path, json.dumps(descriptor(title), indent=1, ensure_ascii=False) + "\n")
    return path


def codebook() -> str:
    """The columns of verdicts.csv and numbers.csv as Markdown (docs/outputs.md holds this text; a test
    keeps the two the same): ``python -m techtrade.report.package`` prints it."""
    out = []
    for name, (path, what, fields, key) in TABLES.items():
        out += [f"### `{path}`", "", f"{what} Key: `{key}`.", "", "| column | type | meaning |", "|---|---|---|"]
        for f in fields:
            codes = f.get("constraints", {}).get("enum")
            more = f" Codes: {', '.join(f'`{c}`' for c in codes)}." if codes else ""
            out.append(f"| `{f['name']}` | {f['type']} | {f['description'].replace('|', '/')}{more} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(codebook(), end="")
