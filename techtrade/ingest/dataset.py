"""Loading the raw inputs (stage 01, ingest): the registry of sources, the published figures, the
claims, OECD MSTI and the World Bank's series, and a user's own series, each read strictly (files.py) and
checked against its schema (schema.py) and for what it means; :func:`load_raw` loads them all.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import schema
from .files import read_csv_strict
from .schema import check_source_ids, validate
from .userdata import load_user_series
from .wdi import credit_vintages, load_wdi, load_wdi_any

# The columns of each raw file (their checks: schema.py).
FIGURES_COLUMNS = ["figure_id", "claim_id", "year", "base_year", "flow", "partner", "category",
                   "measure", "value", "unit", "qualifier", "precision", "source_id", "quote"]
SOURCES_COLUMNS = ["source_id", "publisher", "publication", "title", "date", "url", "quote", "role"]
OECD_COLUMNS = ["variable", "variable_name", "country", "year", "value", "unit", "source_id"]
#: OECD MSTI variables that are the levels of form 1-TB's flows (the rest are context: roubles, % of GERD)
OECD_FLOWS = {"TBP_RUSD": "exports", "TBP_PUSD": "imports"}
CLAIMS_COLUMNS = ["claim_id", "claim", "source_id"]
#: The notes hand-over (01_notes.csv): one line each on what was read differently from how it was
#: written, and how many rows of the user's table it says the report does not use.
NOTES_COLUMNS = ["note", "rows_not_used"]


# --------------------------------------------------------------------------------------------
# Loaders
# --------------------------------------------------------------------------------------------
def load_sources(path: str | Path) -> pd.DataFrame:
    """The registry: who published each source, where, and its role (the article itself, another
    publication of the same statistics, or a different measure): the role decides what a verdict
    resting on it may say."""
    path = Path(path)
    df = read_csv_strict(path, SOURCES_COLUMNS, ["short", "kind", "via", "licence"])
    return validate(df, schema.SOURCES, path)


def load_oecd(path: str | Path, sources: pd.DataFrame) -> pd.DataFrame:
    """OECD MSTI's technology balance of payments for Russia, one row per variable and year."""
    path = Path(path)
    df = validate(read_csv_strict(path, OECD_COLUMNS), schema.OECD, path)
    check_source_ids(path, df, sources["source_id"])
    return df


def oecd_figures(oecd: pd.DataFrame) -> pd.DataFrame:
    """The OECD's receipts and payments as published figures of form 1-TB's exports and imports
    (exact, in USD million, as the OECD converted them), in the figures table's form."""
    rows = oecd[oecd["variable"].isin(list(OECD_FLOWS))]
    return pd.DataFrame({
        "figure_id": [f"OECD.{v}.{y}" for v, y in zip(rows["variable"], rows["year"])], "claim_id": pd.NA,
        "year": rows["year"].astype("Int64").values, "base_year": pd.array([pd.NA] * len(rows), dtype="Int64"),
        "flow": rows["variable"].map(OECD_FLOWS).values, "partner": "World", "category": "all", "measure": "level",
        "value": rows["value"].values, "unit": "USD mn", "qualifier": "exact", "precision": float("nan"),
        "source_id": rows["source_id"].values,
        "quote": [f"{v}, {n}, {y}: {x!r}" for v, n, y, x in zip(rows["variable"], rows["variable_name"],
                                                                  rows["year"], rows["value"])],
        "priority": 0})


def load_figures(path: str | Path, sources: pd.DataFrame) -> pd.DataFrame:
    """The published technology-exchange figures, one row per figure, checked against the registry."""
    path = Path(path)
    df = validate(read_csv_strict(path, FIGURES_COLUMNS), schema.FIGURES, path)
    check_source_ids(path, df, sources["source_id"])
    return df


def load_claims(path: str | Path, sources: pd.DataFrame) -> pd.DataFrame:
    """The article's claims, word for word, with the sources that carry them."""
    path = Path(path)
    df = validate(read_csv_strict(path, CLAIMS_COLUMNS), schema.CLAIMS, path)
    check_source_ids(path, df, sources["source_id"])
    return df


def credit_publications(figures: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Each figure's publication(s), from the registry's ``publication`` column (the article and its
    syndicated copies are one): the figures' ``publication`` column, ';'-joined where several."""
    pub = dict(zip(sources["source_id"], sources["publication"]))
    out = figures.copy()
    out["publication"] = [";".join(dict.fromkeys(pub[i.strip()] for i in str(s).split(";") if i.strip()))
                          for s in out["source_id"]]
    return out


def load_raw(inputs: dict[str, Path | None]) -> dict[str, pd.DataFrame]:
    """Load and validate the raw files a stage was given, by role (see stages.RAW): the shipped
    files, and a user's own series where there is one (``user_series``: a path, or None)."""
    sources = load_sources(inputs["sources"])
    figures = load_figures(inputs["figures"], sources)
    figures["priority"] = 0
    claims = load_claims(inputs["claims"], sources)
    wdi, vintages = credit_vintages(load_wdi_any(inputs["wdi"]), sources)
    sources = pd.concat([sources, vintages], ignore_index=True) if len(vintages) else sources
    check_source_ids(Path(inputs["wdi"]), wdi, sources["source_id"])
    ict = load_wdi(inputs["wdi_ict"])
    check_source_ids(Path(inputs["wdi_ict"]), ict, sources["source_id"])
    wdi = pd.concat([wdi, ict], ignore_index=True)  # each row keeps its own vintage's source id
    unused = (sources["publisher"] == "World Bank") & ~sources["source_id"].isin(set(wdi["source_id"]))
    sources = sources[~unused].reset_index(drop=True)  # a vintage replaced by another file is not cited
    oecd = load_oecd(inputs["oecd"], sources)
    figures = pd.concat([figures, oecd_figures(oecd)], ignore_index=False)
    notes = []
    if inputs.get("user_series") is not None:
        ufig, usrc, notes = load_user_series(inputs["user_series"], shipped=figures)
        figures = pd.concat([figures, ufig], ignore_index=False)
        sources = pd.concat([sources, usrc], ignore_index=True)
    figures = credit_publications(figures, sources)
    return {"sources": sources, "figures": figures, "claims": claims, "wdi": wdi, "oecd": oecd,
            "notes": pd.DataFrame(notes, columns=NOTES_COLUMNS).astype({"note": "object", "rows_not_used": "int64"})}
