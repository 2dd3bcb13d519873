"""The files stages hand on to each other (data/processed): one CSV writer (formulas neutralised, the
file written whole or not at all: atomic.write_atomic) and one reader.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .atomic import write_atomic
from .errors import DataError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")   # what a spreadsheet runs as a formula (OWASP)
_INT_COLUMNS = ("year", "base_year")


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe (as OWASP advises
    for CSV files): '=HYPERLINK(...)' is written as \'=HYPERLINK(...)."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    return out


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as CSV (the one writer for every CSV the project makes), formulas neutralised."""
    path = Path(path)
    write_atomic(path, neutralise(df).to_csv(index=False, lineterminator="\n"))
    return path


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a table an earlier stage wrote; a missing one names the stage to run first."""
    path = Path(path)
    if not path.exists():
        stage = {"01": "01_ingest", "02": "02_clean", "03": "03_analysis"}.get(path.name[:2], "the earlier stages")
        raise DataError(f"{path}: not found; run notebook {stage} first (or run_report.py)")
    df = pd.read_csv(path, keep_default_na=True)
    text = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    df[text] = df[text].fillna("")  # an empty text cell is "", not NaN
    for c in _INT_COLUMNS:
        if c in df.columns:
            df[c] = pd.to_numeric(df[c]).astype("Int64")
    return df
