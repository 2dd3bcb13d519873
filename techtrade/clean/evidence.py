"""Turning published figures into intervals, and deriving what they imply (stage 02, clean).

A *quantity* is one thing that can be known: exports of Russia to the World in 2020, say.
Published figures bound quantities; several figures on the same quantity are intersected.
Growth and ratio figures let us derive a quantity the sources do not give (exports in 2019 from
"more than $4.5bn in 2020, up 30% from 2019"); such values are marked ``status = derived`` and
carry the arithmetic that produced them.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd

from .. import config
from ..errors import DataError
from ..ingest.countries import RESIDUAL, TOTAL
from ..intervals import Interval
from .readings import read

KEY = ["year", "flow", "partner", "category", "measure", "base_year"]

#: A quantity's columns in CSV; in memory its row holds the interval as an Interval (``iv``), not as lo, hi.
QUANTITY_COLUMNS = KEY + ["lo", "hi", "unit", "status", "qualifiers", "figure_ids", "source_ids", "publications",
                          "basis"]


def figure_intervals(figures: pd.DataFrame) -> pd.DataFrame:
    """Tidy the figures: USD values converted to USD mn, each figure's interval as read (readings.py):
    its strict reading as lo/hi, its loose one as loose_lo/loose_hi, the words that set it in ``reading``."""
    out = figures.copy()
    if "priority" not in out.columns:
        out["priority"] = 0  # shipped figures; a user's own series comes with priority 1
    factor = out["unit"].map(config.UNITS_TO_USD_MN).astype("float64").fillna(1.0)
    out["value"] = out["value"] * factor
    out["precision"] = out["precision"] * factor
    out["unit"] = out["unit"].where(~out["unit"].isin(list(config.UNITS_TO_USD_MN)), "USD mn")
    quotes = out["quote"] if "quote" in out.columns else pd.Series("", index=out.index)
    rs = [read(v, q, None if pd.isna(p) else p, unit=u, quote="" if pd.isna(w) else str(w))
          for v, q, p, u, w in zip(out["value"], out["qualifier"], out["precision"], out["unit"], quotes)]
    out["lo"] = [r.strict.lo for r in rs]
    out["hi"] = [r.strict.hi for r in rs]
    out["loose_lo"] = [r.loose.lo for r in rs]   # the loose reading (readings.py): differs for simple fractions
    out["loose_hi"] = [r.loose.hi for r in rs]
    out["reading"] = [r.words for r in rs]
    return out.reset_index(drop=True)


class Key(NamedTuple):
    """What a quantity is: exports of Russia to the World in 2020, say."""

    year: int
    flow: str
    partner: str = "World"
    category: str = "all"
    measure: str = "level"
    base_year: int | None = None


def _key(row) -> Key:
    b = row["base_year"]
    return Key(int(row["year"]), row["flow"], row["partner"], row["category"], row["measure"],
               None if pd.isna(b) else int(b))


class Quantities:
    """What the figures say about each quantity, published and derived."""

    def __init__(self):
        self.rows: dict[Key, dict] = {}

    def row(self, year, flow, measure="level", partner="World", category="all", base_year=None) -> dict | None:
        return self.rows.get(Key(year, flow, partner, category, measure, base_year))

    def get(self, year, flow, measure="level", partner="World", category="all", base_year=None) -> Interval | None:
        r = self.row(year, flow, measure, partner, category, base_year)
        return None if r is None else r["iv"]

    def select(self, **where) -> list[tuple[Key, dict]]:
        """The quantities whose key matches every field given (category defaults to 'all')."""
        where.setdefault("category", "all")
        return [(k, r) for k, r in self.rows.items() if all(getattr(k, f) == v for f, v in where.items())]

    def years(self, flow, measure="level", partner="World", status=None) -> list[int]:
        return sorted(k.year for k, r in self.select(flow=flow, measure=measure, partner=partner)
                      if status is None or r["status"] == status)

    def partners(self, year: int, flow: str = "exports") -> dict[str, Interval]:
        """Every partner with a level that year: the markets, not the World total nor the residual
        (the partners not named, countries.RESIDUAL), which is never ranked as one."""
        return {k.partner: r["iv"] for k, r in self.select(year=year, flow=flow, measure="level")
                if k.partner not in (TOTAL, RESIDUAL)}

    def to_frame(self) -> pd.DataFrame:
        """The quantities as a table (the hand-over CSV): an interval as its lo and hi columns, an
        unbounded end empty (Interval.to_json, the one serialiser)."""
        recs = [{**{k: v for k, v in r.items() if k != "iv"}, **r["iv"].to_json()} for r in self.rows.values()]
        df = pd.DataFrame(recs, columns=QUANTITY_COLUMNS)
        df["base_year"] = df["base_year"].astype("Int64")
        return df.sort_values(["measure", "flow", "partner", "year"], kind="stable").reset_index(drop=True)

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> "Quantities":
        q = cls()
        for rec in df.to_dict("records"):
            rec["base_year"] = None if pd.isna(rec["base_year"]) else int(rec["base_year"])
            rec["year"] = int(rec["year"])
            rec["iv"] = Interval.from_json({"lo": rec.pop("lo"), "hi": rec.pop("hi")})
            for c in ("qualifiers", "figure_ids", "source_ids", "publications", "basis"):
                rec[c] = "" if pd.isna(rec[c]) else str(rec[c])
            q.rows[_key(rec)] = rec
        return q

    def _put(self, key: Key, iv: Interval, unit, status, qualifiers, figure_ids, source_ids, publications, basis):
        self.rows[key] = dict(year=key.year, flow=key.flow, partner=key.partner, category=key.category,
                              measure=key.measure, base_year=key.base_year, iv=iv, unit=unit, status=status,
                              qualifiers=qualifiers, figure_ids=figure_ids, source_ids=source_ids,
                              publications=publications, basis=basis)

    def _put_from(self, key: Key, iv: Interval, basis: str, *rows: dict) -> None:
        """A derived quantity, from the rows it is made of: their qualifiers, figures, sources and
        publications joined."""
        self._put(key, iv, "USD mn", "derived", *(join_ids(*(r[c] for r in rows)) for c in
                                                  ("qualifiers", "figure_ids", "source_ids", "publications")), basis)


def ids_in(*parts: str) -> list[str]:
    """The ids of ';'-separated lists, in order, each once: ids_in('MT;EWDN', 'EWDN;SPB') -> [MT, EWDN, SPB]."""
    return list(dict.fromkeys(x for p in parts for x in str(p).split(";") if x))


def join_ids(*parts: str) -> str:
    """ids_in, as one ';'-separated list."""
    return ";".join(ids_in(*parts))


def build_quantities(tidy: pd.DataFrame, exclude_figures=()) -> Quantities:
    """Intersect the figures on each quantity, then derive levels and balances.

    ``exclude_figures`` leaves figures out, so that a claim can be checked against the *other*
    figures only (never against itself or what is derived from it). Plain Python over the rows: one
    pass to group them, one per quantity (a table of a user's 10,000 figures takes a few hundredths
    of a second, however many times the claims need it).
    """
    q = Quantities()
    excluded = set(exclude_figures)
    cols = ["figure_id", "year", "flow", "partner", "category", "measure", "base_year", "priority", "lo", "hi",
            "unit", "qualifier", "source_id", "publication"]
    groups: dict[Key, list[tuple]] = {}
    for rec in tidy[cols].itertuples(index=False, name=None):
        if rec[0] in excluded:
            continue
        base = rec[6]
        key = Key(int(rec[1]), rec[2], rec[3], rec[4], rec[5], None if pd.isna(base) else int(base))
        groups.setdefault(key, []).append(rec)
    for key in sorted(groups, key=lambda k: (k.year, k.flow, k.partner, k.category, k.measure, k.base_year or 0)):
        grp = groups[key]
        top = max(r[7] for r in grp)
        overridden = [r[0] for r in grp if r[7] < top]
        grp = [r for r in grp if r[7] == top]  # a user's series takes precedence where it overlaps
        iv = Interval(-math.inf, math.inf)
        for r in grp:
            nxt = iv.intersect(Interval(r[8], r[9]))
            if nxt is None:
                what = f"{key.measure} of {key.flow} {key.year}" + ("" if key.partner == "World" else f", {key.partner}")
                raise DataError(f"figures {', '.join(x[0] for x in grp)} contradict each other on {what}: "
                                "no value fits them all")
            iv = nxt
        basis = "as published" if len(grp) == 1 else "published figures combined"
        if overridden:
            basis += f" (takes precedence over {', '.join(overridden)})"
        q._put(key, iv, grp[0][10], "published", join_ids(*(r[11] for r in grp)), ";".join(r[0] for r in grp),
               join_ids(*(r[12] for r in grp)), join_ids(*(r[13] for r in grp)), basis)
    _derive_levels(q)
    _derive_balances(q)
    return q


def _derive_levels(q: Quantities) -> None:
    """From growth and ratio figures, derive a level the sources do not give (one step, both ways).

    Only figures that are exact, rounded or bounds are used: an "approximate" figure's width is
    our convention, not the source's, and we do not build levels on it.
    """
    for key, r in list(q.rows.items()):
        year, flow, partner, category, measure, base = key
        if (measure not in ("growth", "ratio") or base is None or r["status"] != "published"
                or "approximate" in r["qualifiers"]):
            continue
        factor = r["iv"]
        if measure == "growth":
            factor = Interval(1 + factor.lo / 100, 1 + factor.hi / 100)
        known_y = q.row(year, flow, partner=partner, category=category)
        known_b = q.row(base, flow, partner=partner, category=category)
        sym = "(1 + growth)" if measure == "growth" else "ratio"
        if known_y is not None and known_b is None and known_y["status"] == "published":
            iv = known_y["iv"] / factor
            target, via, basis = base, known_y, f"{flow} {year} / {sym} {base} to {year}"
        elif known_b is not None and known_y is None and known_b["status"] == "published":
            iv = known_b["iv"] * factor
            target, via, basis = year, known_b, f"{flow} {base} \u00d7 {sym} {base} to {year}"
        else:
            continue
        if iv.lo <= 0 and iv.hi == math.inf:
            continue  # says nothing
        q._put_from(Key(target, flow, partner, category, "level", None), iv, basis, via, r)


def _derive_balances(q: Quantities) -> None:
    """Balance = exports - imports, for every year with both levels (published or derived)."""
    for year in sorted(set(q.years("exports")) & set(q.years("imports"))):
        ex, im = q.row(year, "exports"), q.row(year, "imports")
        iv = ex["iv"] - im["iv"]
        q._put_from(Key(year, "balance"), iv, f"exports {year} \u2212 imports {year}", ex, im)


def deficit_history(q: Quantities, year: int, first: int | None = None) -> dict:
    """A year's balance against every earlier balance the data hold (from ``first`` on), as years: each
    surely a larger deficit, surely a smaller one, or undecided. Read by claim C5's check and by the
    report's balance section, so the two never disagree.

    ``since``: the earliest year S such that every year from S to the one before is held and surely had
    a larger deficit ("the smallest deficit since S"), or None; ``gaps``: the years without a balance."""
    now = q.get(year, "balance")
    held = [y for y in q.years("balance") if y < year and (first is None or y >= first)]
    start = first if first is not None else (held[0] if held else year)
    out = {"year": year, "held": held, "balance": None if now is None else now.to_json(),
           "surely_larger_deficit": [], "surely_smaller_deficit": [], "undecided": [], "since": None,
           "gaps": [y for y in range(start, year) if y not in held],
           "surplus_possible": now is not None and now.hi > 0, "surplus_certain": now is not None and now.lo > 0,
           "deficit_certain": now is not None and now.hi < 0}
    if now is None:
        return out
    for y in held:
        iv = q.get(y, "balance")
        key = ("surely_larger_deficit" if iv.hi < now.lo else "surely_smaller_deficit" if iv.lo > now.hi
               else "undecided")
        out[key].append(y)
    y = year - 1
    while y in held and y in out["surely_larger_deficit"]:
        y -= 1
    out["since"] = y if y < year - 1 and y in held else None
    return out


def available_years(q: Quantities) -> dict[str, list[int]]:
    """Years with a usable level of total exports (published or derived): report and base years."""
    years = [y for y in q.years("exports") if q.get(y, "exports").lo > 0]
    return {"report": years[1:], "base": years[:-1]}


def published_by(tidy: pd.DataFrame, source_ids) -> pd.DataFrame:
    """Only the figures every one of whose sources is among ``source_ids`` (what one publication says)."""
    ids = set(source_ids)
    return tidy[tidy["source_id"].map(lambda s: set(str(s).split(";")) <= ids)]




def views(tidy: pd.DataFrame, sources: pd.DataFrame, every: Quantities | None = None) -> dict[str, Quantities]:
    """The quantities of every figure held (key ''; ``every``, if already built from ``tidy``), and of what
    one publication alone says, whatever a user's series says of the same quantities: the article with its
    syndicated copies ('article') and each other publication of the same statistics (its source id in lower
    case: 'oecd', 'spb'). Sentences that quote a publication read its own view; a user's series is compared
    with each."""
    roles = dict(zip(sources["source_id"], sources["role"]))
    out = {"": every if every is not None else build_quantities(tidy),
           "article": build_quantities(published_by(tidy, [s for s, r in roles.items() if r == "the article"]))}
    for s, r in roles.items():
        if r == "same statistics, another publication":
            out[s.lower()] = build_quantities(published_by(tidy, [s]))
    return out


def views_to_frame(qs: dict[str, Quantities]) -> pd.DataFrame:
    """The views as one table (02_quantities.csv): a ``view`` column says whose ('' for every figure)."""
    return pd.concat([q.to_frame().assign(view=who) for who, q in qs.items()], ignore_index=True)


def views_from_frame(df: pd.DataFrame) -> dict[str, Quantities]:
    by = df["view"].fillna("")
    return {who: Quantities.from_frame(df[by == who].drop(columns="view")) for who in dict.fromkeys(by)}


def tidy_wdi(wdi: pd.DataFrame) -> pd.DataFrame:
    """WDI in long form, USD values also in USD mn, each row labelled as the other measure it is."""
    out = wdi.copy().reset_index(drop=True)
    usd = out["unit"] == "USD"
    out["value_usd_mn"] = out["value"].where(usd) / 1e6
    out["measure_note"] = "World Bank WDI: a different measure from Rosstat's technology exchange (form 1-TB)"
    return out
