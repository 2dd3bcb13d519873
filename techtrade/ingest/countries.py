"""Partner names, as a user's table may write them, to one canonical name per country (pycountry).

Only exact readings: a country's ISO 3166 name, common name or official name, its alpha-2 or alpha-3
code (any case), or one of the few names in common use that ISO does not list (ALIASES: "USA",
"U.S.", "UK", "Holland", ...); "The Netherlands" is read without its article. Nothing is guessed:
there is no fuzzy search. The canonical name is ISO 3166's common name where it has one, else its
short name: the names the shipped figures use. "World" is the total; "Other", "Rest of the world" and
the like (RESIDUAL_NAMES) are the residual, kept under one name (RESIDUAL): it counts toward the total
and is never ranked as a market. Russia, the reporting country, is not its own partner; a region, a
state or a city is not a country.
"""
from __future__ import annotations

import re
from functools import cache, lru_cache

TOTAL = "World"
#: The one name of the residual row (partners not named); never a market of its own.
RESIDUAL = "Other partners"
#: What a table may call the residual, compared without case.
RESIDUAL_NAMES = frozenset({
    "other", "others", "other countries", "other partners", "all other countries", "other countries and territories",
    "rest of the world", "rest of world", "not allocated", "unallocated", "not specified", "unspecified",
    "countries not specified", "not elsewhere specified"})
#: Names in common use that ISO 3166 does not list (to alpha-2 codes); everything else goes to pycountry.
ALIASES = {"uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB", "usa": "US", "u.s.": "US",
           "u.s.a.": "US", "holland": "NL", "turkey": "TR", "republic of korea": "KR", "russia": "RU"}
REPORTER = "RU"   # Russia reports the statistics: it is never its own partner
_FIELDS = ("name", "common_name", "official_name", "alpha_2", "alpha_3")


def _name(country) -> str:
    return getattr(country, "common_name", None) or country.name


def _country(text: str):
    """The ISO 3166 country ``text`` names exactly (with or without a leading 'The'), or None."""
    import pycountry

    for t in dict.fromkeys([text, re.sub(r"^the ", "", text, flags=re.IGNORECASE)]):
        if t.lower() in ALIASES:
            return pycountry.countries.get(alpha_2=ALIASES[t.lower()])
        for field in _FIELDS:
            found = pycountry.countries.get(**{field: t})
            if found is not None:
                return found
    return None


@lru_cache(maxsize=1)
def _subdivisions() -> dict:
    """ISO 3166-2 subdivisions by exact name, lower case (the first of a name shared by several)."""
    import pycountry

    out: dict = {}
    for s in pycountry.subdivisions:
        out.setdefault(s.name.lower(), s)
    return out


@cache
def canonical(name: str) -> tuple[str | None, str]:
    """(canonical name, "") for a country, the World total or the residual; (None, why) otherwise."""
    import pycountry

    text = re.sub(r"\s+", " ", str(name)).strip()
    if text.lower() == TOTAL.lower():
        return TOTAL, ""
    if text.lower() in RESIDUAL_NAMES:
        return RESIDUAL, ""
    country = _country(text)
    if country is not None and country.alpha_2 == REPORTER:
        return None, "Russia, the reporting country: not its own partner (its total is World)"
    if country is not None:
        return _name(country), ""
    sub = _subdivisions().get(text.lower())
    if sub is not None:
        of = _name(pycountry.countries.get(alpha_2=sub.country_code))
        kind = "" if sub.type.lower() == "country" else f", a {sub.type.lower()}"  # England: pycountry's "country"
        return None, f"a part of {of} ({sub.code}{kind}), not a country in ISO 3166"
    return None, "not a country name or code in ISO 3166 (pycountry)"
