"""Partner names, as a user's table may write them, to one canonical name per country (pycountry).

"USA", "U.S." and "United States of America" are all "United States"; "The Netherlands" and
"Holland" are "Netherlands". The canonical name is ISO 3166's common name where it has one, else
its short name: the names the shipped figures use. "World" is the total.
"""
from __future__ import annotations

import re
from functools import lru_cache

TOTAL = "World"
#: Names in common use that ISO 3166 does not list (alpha-2 codes); everything else goes to pycountry.
ALIASES = {"uk": "GB", "great britain": "GB", "britain": "GB", "turkey": "TR", "holland": "NL"}


def _name(country) -> str:
    return getattr(country, "common_name", None) or country.name


@lru_cache(maxsize=None)
def canonical(name: str) -> tuple[str | None, str]:
    """(canonical name, "") for a country or the World total; (None, why) when it is not one."""
    import pycountry

    text = re.sub(r"\s+", " ", str(name)).strip()
    if text.lower() == TOTAL.lower():
        return TOTAL, ""
    tries = [text, re.sub(r"^the ", "", text, flags=re.I), text.replace(".", "").replace(" ", "")]
    if tries[1].lower() in ALIASES:
        return _name(pycountry.countries.get(alpha_2=ALIASES[tries[1].lower()])), ""
    for t in tries:
        try:
            return _name(pycountry.countries.lookup(t)), ""
        except LookupError:
            continue
    try:
        found = pycountry.countries.search_fuzzy(tries[1])
    except LookupError:
        return None, "no match"
    if len(found) == 1:
        return _name(found[0]), ""
    return None, "it could be " + " or ".join(_name(c) for c in found[:3])
