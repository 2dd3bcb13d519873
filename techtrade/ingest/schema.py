"""The schemas of the raw files, in one place (pandera). Imported only when a raw file is validated."""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from .. import config
from ..intervals import QUALIFIERS


def _numeric(s: pd.Series) -> pd.Series:
    return s.isna() | s.str.fullmatch(config.PLAIN_NUMBER).fillna(False).astype(bool)


def _year_ok(s: pd.Series) -> pd.Series:
    ok = s.str.fullmatch(r"[0-9]{4}").fillna(False).astype(bool)  # not "２０２０"
    years = pd.to_numeric(s.where(ok), errors="coerce")
    return ok & years.between(config.FIRST_YEAR, config.THIS_YEAR)


def _text(allowed=None, nullable=False, **kw) -> pa.Column:
    checks = [pa.Check(lambda s: s.str.len() > 0, error="is empty")]
    if allowed is not None:
        checks.append(pa.Check.isin(list(allowed), error=f"is not one of: {', '.join(allowed)}"))
    return pa.Column("string", checks=checks, nullable=nullable, **kw)


_YEAR = pa.Check(_year_ok, error=f"is not a year between {config.FIRST_YEAR} and {config.THIS_YEAR}")
_NUM = pa.Check(_numeric, error="is not a plain number (no thousands separators, no decimal comma, "
                                "no units: write 1400 or 1.4)")

FIGURES_SCHEMA = pa.DataFrameSchema({
    "figure_id": _text(unique=True),
    "claim_id": pa.Column("string", pa.Check.str_matches(r"^C\d+$", error="is not a claim id like C1"),
                          nullable=True),
    "year": pa.Column("string", _YEAR),
    "base_year": pa.Column("string", _YEAR, nullable=True),
    "flow": _text(config.FLOWS),
    "partner": _text(),
    "category": _text(),
    "measure": _text(config.MEASURES),
    "value": pa.Column("string", _NUM),
    "unit": _text(config.UNITS),
    "qualifier": _text(QUALIFIERS),
    "precision": pa.Column("string", _NUM, nullable=True),
    "source_id": _text(),
    "quote": pa.Column("string", nullable=True),
})

SOURCES_SCHEMA = pa.DataFrameSchema({
    "source_id": _text(unique=True),
    "publisher": _text(),
    "title": _text(),
    "url": _text(),
    "role": _text(config.ROLES),
}, strict=False)

OECD_SCHEMA = pa.DataFrameSchema({
    "variable": _text(("TBP_RUSD", "TBP_PUSD", "TBP_RNC", "TBP_PNC", "TBP_PXG")),
    "variable_name": _text(),
    "country": _text(("Russia",)),
    "year": pa.Column("string", _YEAR),
    "value": pa.Column("string", _NUM),
    "unit": _text(("USD mn", "RUB mn", "percent")),
    "source_id": _text(),
})

CLAIMS_SCHEMA = pa.DataFrameSchema({
    "claim_id": pa.Column("string", pa.Check.str_matches(r"^C\d+$", error="is not a claim id like C1"),
                          unique=True),
    "claim": _text(),
    "source_id": _text(),
})

WDI_SCHEMA = pa.DataFrameSchema({
    "indicator_code": _text(),
    "indicator_name": _text(),
    "year": pa.Column("string", _YEAR),
    "value": pa.Column("string", _NUM),
    "unit": _text(("USD", "percent")),
    "source_id": _text(),
})


USER_SCHEMA = pa.DataFrameSchema({
    "year": pa.Column("string", _YEAR),
    "flow": _text(config.FLOWS),
    "partner": _text(),
    "category": _text(),
    "value_usd_mn": pa.Column("string", _NUM),
    "source": _text(),
})


