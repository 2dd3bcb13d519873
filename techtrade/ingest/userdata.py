"""A user's own primary series (``--data``): read, and checked for what it means.

Its cells and values are checked by its schema (schema.USER: no text a spreadsheet would run as a
formula; values finite, not negative, not absurd); then what the rows mean, in this order: partner
names read exactly as countries (countries.py), the World total or the residual; no value a hundred times off the published figure for the same quantity (a unit
slip: checked before the totals, so that a slip is blamed on its own row); no key given twice; only
the totals (category ``all``, in any case) used, the rest kept out and counted in a note; no partner,
nor the partners together, above the World total. Every refusal is one line naming the file, the
line and the column; every reading that differs from the writing (an alias, a separator, rows not
used) is a note.

Each step works on whole columns (or on the few distinct partner names), never row by row: a table
at the row limit (config.MAX_INPUT_ROWS) is read in seconds.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from .. import config
from ..errors import DataError
from ..intervals import Interval
from ..results import USER_SERIES
from . import schema
from .countries import RESIDUAL, TOTAL, canonical
from .files import read_csv_strict

USER_COLUMNS = ["year", "flow", "partner", "category", "value_usd_mn", "source"]
KEY = ["year", "flow", "partner", "category"]
USED_CATEGORY = "all"   # the report uses the totals over all agreement categories only


class Note(NamedTuple):
    """One line on what was read differently from how it was written; ``rows_not_used`` counts the
    rows of the table it says the report does not use (the hand-over column of 01_notes.csv)."""

    text: str
    rows_not_used: int = 0


def _half_unit(text: pd.Series) -> pd.Series:
    """Half a unit of the last digit written (4560 -> 0.5, 12.34 -> 0.005): the most rounding can move a value."""
    parts = text.str.extract(r"^[+-]?[0-9]*(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$")
    decimals = parts[0].str.len().fillna(0) - pd.to_numeric(parts[1]).fillna(0)
    return 0.5 * 10.0 ** -decimals.astype("float64")


def load_user_series(path: str | Path, shipped: pd.DataFrame | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame, list[Note]]:
    """A user's own primary series (one row per year, flow, partner and category, in USD million).

    Returns (figures, sources, notes): the rows of category ``all`` in the shipped tables' form (each
    an exact level figure with priority 1, so that it takes precedence over shipped figures on the
    same quantity; each distinct ``source`` a registry entry USER1, USER2, ...), and the notes.
    ``shipped``: the published figures, to catch a unit slip (see :func:`check_magnitudes`).
    """
    path = Path(path)
    read_notes: list[str] = []
    raw = read_csv_strict(path, USER_COLUMNS, ["note"], notes=read_notes)
    notes = [Note(n) for n in read_notes]
    rounding = _half_unit(raw["value_usd_mn"])
    df = schema.validate(raw, schema.USER, path)
    df["partner"], read_as = _read_partners(path, df["partner"])
    notes += read_as
    category = df["category"].str.lower()
    df["category"] = df["category"].where(category != USED_CATEGORY, USED_CATEGORY)
    if shipped is not None:
        check_magnitudes(path, df.rename(columns={"value_usd_mn": "value"}), shipped)
    _refuse_duplicates(path, df, category)
    used = category == USED_CATEGORY
    if not used.any():
        raise DataError(f"{path}, line {df.index[0]}, column 'category': no row of category 'all' (the totals "
                        "over all agreement categories), the only one the report uses")
    if not used.all():
        notes.append(_not_used_note(path, df.loc[~used, "category"]))
    df, rounding = df[used], rounding[used]
    _partners_within_totals(path, df, rounding)
    texts = list(dict.fromkeys(df["source"]))
    ids = {t: f"USER{i}" for i, t in enumerate(texts, 1)}
    figures = pd.DataFrame({
        "figure_id": "U" + df.index.astype(str), "claim_id": pd.NA, "year": df["year"],
        "base_year": pd.array([pd.NA] * len(df), dtype="Int64"), "flow": df["flow"], "partner": df["partner"],
        "category": df["category"], "measure": "level", "value": df["value_usd_mn"], "unit": "USD mn",
        "qualifier": "exact", "precision": float("nan"), "source_id": df["source"].map(ids),
        "quote": df["note"] if "note" in df.columns else pd.NA, "priority": 1}, index=df.index)
    sources = pd.DataFrame({"source_id": list(ids.values()), "publisher": "your series", "publication": USER_SERIES,
                            "short": [f"your series \u201c{t}\u201d" for t in texts],
                            "title": texts, "date": "", "url": path.name, "quote": "",
                            "kind": "your own table (it takes precedence over the published figures)",
                            "role": "primary table", "via": "", "licence": ""})
    return figures, sources, notes


def _read_partners(path: Path, partners: pd.Series) -> tuple[pd.Series, list[Note]]:
    """Each distinct name read once (countries.canonical): the canonical names, and a note for each name
    read as another. The first row of a name that is not a country, the total or the residual is refused."""
    readings = {p: canonical(p) for p in partners.unique()}
    names = partners.map({p: name for p, (name, _) in readings.items()})
    if names.isna().any():
        line = names.isna().idxmax()
        raise DataError(f"{path}, line {line}, column 'partner': {partners[line]!r} is {readings[partners[line]][1]}; "
                        f"write the country's English name or ISO code, {TOTAL} for the total, or Other for the "
                        "partners not named")
    renamed = partners[names != partners].drop_duplicates()
    return names, [Note(f"{path}, line {line}, column 'partner': {alias!r} read as {readings[alias][0]!r}")
                   for line, alias in renamed.items()]


def _refuse_duplicates(path: Path, df: pd.DataFrame, category: pd.Series) -> None:
    """A key (year, flow, partner, category without case) given twice is refused, naming both lines."""
    keys = df[["year", "flow", "partner"]].assign(category=category)
    dup = keys.duplicated(keep="first")
    if not dup.any():
        return
    line = dup.idxmax()
    first = (keys == keys.loc[line]).all(axis=1).idxmax()
    r, v0 = df.loc[line], df.loc[first, "value_usd_mn"]
    raise DataError(f"{path}, line {line}: {r['flow']} {r['year']} {r['partner']} ({r['category']}) already given "
                    f"on line {first}" + ("" if v0 == r["value_usd_mn"] else
                                          f" with a different value ({v0:g} vs {r['value_usd_mn']:g})"))


def _not_used_note(path: Path, categories: pd.Series) -> Note:
    """'n rows by category not used: engineering services (40), ...' (each category as first written)."""
    lower = categories.str.lower()
    counts = lower.value_counts(sort=False)
    shown = categories.groupby(lower, sort=False).first()
    listed = ", ".join(f"{shown[c]} ({counts[c]})" for c in lower.unique())
    return Note(f"{path}, column 'category': {len(categories)} row{'s' * (len(categories) != 1)} by category not used: {listed}; the report "
                f"uses the totals (category '{USED_CATEGORY}') only", len(categories))


def _partners_within_totals(path: Path, df: pd.DataFrame, rounding: pd.Series) -> None:
    """No partner above the World total of the same year and flow; nor the partners together (the
    residual included), by more than the rounding of the values written can explain."""
    world = df[df["partner"] == TOTAL].reset_index().set_index(["year", "flow"])[["line", "value_usd_mn"]]
    parts = df[df["partner"] != TOTAL].join(world["value_usd_mn"].rename("total"), on=["year", "flow"])
    above = parts["value_usd_mn"] > parts["total"]
    if above.any():
        r = parts.loc[above.idxmax()]
        raise DataError(f"{path}, line {r.name}, column 'value_usd_mn': {r['partner']} {r['flow']} {r['year']} "
                        f"({r['value_usd_mn']:g}) above the World total given for it ({r['total']:g})")
    by = parts.assign(rounding=rounding).groupby(["year", "flow"])
    sums = pd.DataFrame({"sum": by["value_usd_mn"].sum(), "rounding": by["rounding"].sum(), "n": by.size(),
                         "residual": by["partner"].agg(lambda p: (p == RESIDUAL).any())})
    sums = sums.join(world, how="inner")
    over = sums[sums["sum"] > sums["value_usd_mn"] + sums["rounding"] + rounding[sums["line"]].to_numpy()]
    if len(over):
        (year, flow), r = next(over.sort_values("line").iterrows())
        rows = f"the {int(r['n'])} partner rows" + (" (the residual included)" if r["residual"] else "")
        raise DataError(f"{path}, line {int(r['line'])}, column 'value_usd_mn': {flow} {year}: {rows} "
                        f"add up to {r['sum']:,.6g}, above the World total on this line "
                        f"({r['value_usd_mn']:g}) by more than rounding can explain")


def check_magnitudes(path: Path, user: pd.DataFrame, shipped: pd.DataFrame) -> None:
    """A user's value a hundred times or more away from what the publications say of the same
    quantity is most likely in another unit (USD billion or thousand, not million): refused, naming
    the first such row. ``user``: the rows (index: line) with KEY and ``value`` in USD million; the
    published levels taken as their qualifiers give them (the plain reading: magnitudes, not meanings)."""
    levels = shipped[shipped["measure"] == "level"].copy()
    factor = levels["unit"].map(config.UNITS_TO_USD_MN).astype("float64")
    ivs = [Interval.from_published(v * f, q, None if pd.isna(p) else p * f)
           for v, f, q, p in zip(levels["value"], factor, levels["qualifier"], levels["precision"])]
    levels["lo"], levels["hi"] = [iv.lo for iv in ivs], [iv.hi for iv in ivs]
    m = user[KEY + ["value"]].rename_axis("line").reset_index().merge(
        levels[KEY + ["lo", "hi", "source_id", "figure_id"]].astype({"year": "Int64"}), on=KEY)
    top = m["hi"].where(np.isfinite(m["hi"]), m["lo"])
    below = (top > 0) & (m["value"] * 100 <= top)
    above = ~below & (m["lo"] > 0) & (m["value"] >= m["lo"] * 100)
    bad = m[below | above].sort_values("line", kind="stable")
    if bad.empty:
        return
    r = bad.iloc[0]
    v, top, floor = r["value"], top[bad.index[0]], r["lo"]
    if below[bad.index[0]]:
        unit = "USD billion" if v * 300 <= top <= v * 3000 else "another unit"
        side = f"{top / max(v, 1e-9):,.0f} times below"
    else:
        unit = "USD thousand" if floor * 300 <= v <= floor * 3000 else "another unit"
        side = f"{v / floor:,.0f} times above"
    raise DataError(f"{path}, line {r['line']}, column 'value_usd_mn': {v:g} for {r['flow']} {r['year']} "
                    f"({r['partner']}) is {side} what {r['source_id']} publishes for it (figure {r['figure_id']}); "
                    f"it looks like {unit}: the column is USD million")
