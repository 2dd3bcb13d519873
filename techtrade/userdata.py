"""A user's own primary series (``--data``): read, and checked for what it means.

Beyond the schema (dataset.py): partner names read as countries (pycountry), no partner above the
World total, no value a hundred times off the published figure for the same quantity (a unit slip),
no text a spreadsheet would run as a formula. Every refusal is one line naming the file, the line
and the column; every reading that differs from the writing (an alias, a separator) is a note.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from . import config
from .dataset import FORMULA_START, USER_COLUMNS, _fail_rows, _floats, _validate, read_csv_strict
from .errors import DataError


def _refuse_formulas(path: Path, df: pd.DataFrame, columns) -> None:
    for col in columns:
        if col in df.columns:
            bad = df[col].fillna("").map(lambda t: t.startswith(FORMULA_START))
            _fail_rows(path, df, bad, col, "starts like a spreadsheet formula (=, +, -, @); start the text "
                                           "with a letter or a digit")


def load_user_series(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """A user's own primary series (one row per year, flow, partner and category, in USD million).

    Returns (figures, sources, notes): the rows in the shipped tables' form (each an exact level
    figure with priority 1, so that it takes precedence over shipped figures on the same quantity;
    each distinct ``source`` a registry entry USER1, USER2, ...), and one-line notes on what was read
    differently from how it was written (a partner's alias, a semicolon separator).
    """
    from .countries import canonical

    path = Path(path)
    notes: list[str] = []
    df = _validate(read_csv_strict(path, USER_COLUMNS, ["note"], notes=notes), "USER_SCHEMA", path)
    _refuse_formulas(path, df, ["partner", "category", "source", "note"])
    df = _floats(df, ["value_usd_mn"])
    df["year"] = pd.to_numeric(df["year"]).astype("Int64")
    _fail_rows(path, df, ~df["value_usd_mn"].map(math.isfinite), "value_usd_mn", "not a finite number")
    _fail_rows(path, df, df["value_usd_mn"] < 0, "value_usd_mn", "negative; exports and imports cannot be")
    _fail_rows(path, df, df["value_usd_mn"] > config.MAX_USD_MN, "value_usd_mn",
               f"above {config.MAX_USD_MN:,.0f} (USD million): not a plausible value; the column is in USD million")
    names = {}
    for line, partner in df["partner"].items():
        name, why = canonical(partner)
        if name is None:
            raise DataError(f"{path}, line {line}, column 'partner': {partner!r} is not a country name that "
                            f"pycountry knows ({why}); write the country's English name, or World for the total")
        if name != partner:
            names.setdefault((partner, name), line)
    for (alias, name), line in names.items():
        notes.append(f"{path}, line {line}, column 'partner': {alias!r} read as {name!r}")
    df["partner"] = df["partner"].map(lambda p: canonical(p)[0])
    key = ["year", "flow", "partner", "category"]
    dup = df.duplicated(key, keep="first")
    if dup.any():
        line = dup[dup].index[0]
        first = df[(df[key] == df.loc[line, key]).all(axis=1)].index[0]
        same = df.loc[line, "value_usd_mn"] == df.loc[first, "value_usd_mn"]
        raise DataError(f"{path}, line {line}: {df.loc[line, 'flow']} {df.loc[line, 'year']} "
                        f"{df.loc[line, 'partner']} ({df.loc[line, 'category']}) already given on line {first}"
                        + ("" if same else f" with a different value ({df.loc[first, 'value_usd_mn']:g} vs "
                                           f"{df.loc[line, 'value_usd_mn']:g})"))
    _partners_within_totals(path, df)
    texts = list(dict.fromkeys(df["source"]))
    ids = {t: f"USER{i}" for i, t in enumerate(texts, 1)}
    figures = pd.DataFrame({
        "figure_id": [f"U{line}" for line in df.index], "claim_id": pd.NA, "year": df["year"],
        "base_year": pd.array([pd.NA] * len(df), dtype="Int64"), "flow": df["flow"], "partner": df["partner"],
        "category": df["category"], "measure": "level", "value": df["value_usd_mn"], "unit": "USD mn",
        "qualifier": "exact", "precision": float("nan"), "source_id": df["source"].map(ids),
        "quote": df["note"] if "note" in df.columns else pd.NA, "priority": 1}, index=df.index)
    sources = pd.DataFrame({"source_id": list(ids.values()), "publisher": "your series",
                            "short": [f"your series \u201c{t}\u201d" for t in texts],
                            "title": texts, "date": "", "url": path.name, "quote": "",
                            "kind": "your own table (it takes precedence over the published figures)",
                            "role": "primary table", "via": "", "licence": ""})
    return figures, sources, notes


def _partners_within_totals(path: Path, df: pd.DataFrame) -> None:
    """No partner above the World total of the same year, flow and category."""
    totals = df[df["partner"] == "World"].set_index(["year", "flow", "category"])["value_usd_mn"]
    for line, r in df[df["partner"] != "World"].iterrows():
        total = totals.get((r["year"], r["flow"], r["category"]))
        if total is not None and r["value_usd_mn"] > total:
            raise DataError(f"{path}, line {line}, column 'value_usd_mn': {r['partner']} {r['flow']} {r['year']} "
                            f"({r['value_usd_mn']:g}) above the World total given for it ({total:g})")


def check_magnitudes(path: Path, user: pd.DataFrame, shipped: pd.DataFrame) -> None:
    """A user's value a hundred times or more away from what the publications say of the same
    quantity is most likely in another unit (USD billion or thousand, not million): refused."""
    from .evidence import figure_intervals

    key = ["year", "flow", "partner", "category"]
    levels = figure_intervals(shipped[shipped["measure"] == "level"])  # each figure's interval, in USD million
    for line, r in user.iterrows():
        same = levels[(levels[key] == r[key]).all(axis=1)]
        for _, f in same.iterrows():
            v, top, floor = r["value"], f["hi"] if math.isfinite(f["hi"]) else f["lo"], f["lo"]
            unit = None
            if top > 0 and v * 100 <= top:
                unit = "USD billion" if v * 300 <= top <= v * 3000 else "another unit"
                side = f"{top / max(v, 1e-9):,.0f} times below"
            elif floor > 0 and v >= floor * 100:
                unit = "USD thousand" if floor * 300 <= v <= floor * 3000 else "another unit"
                side = f"{v / floor:,.0f} times above"
            if unit:
                raise DataError(f"{path}, line {line}, column 'value_usd_mn': {r['value']:g} for {r['flow']} "
                                f"{r['year']} ({r['partner']}) is {side} what {f['source_id']} publishes for it "
                                f"(figure {f['figure_id']}); it looks like {unit}: the column is USD million")


