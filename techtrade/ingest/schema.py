"""What a valid row of each raw file is, in one place and one system (pandera), and the one-line error
that names the first thing wrong.

Each file has two schemas, run in turn by :func:`validate`:

- ``text``: each cell as written (every cell is read as text): not empty where a value is needed, one of
  the allowed words, a plain number, a year, no spreadsheet formula;
- ``typed``: the values once converted (pandera's coercion): finite, not negative, not absurd, unique
  where a key must be, and the rules across columns (a base year before the year, a unit that fits the
  measure), each blamed on the column named by its check.

Checks that need more than one file (a source id the registry lacks) run through the same :func:`run`.
What a row means beyond its own cells (a partner's name, a unit slip, totals) is userdata.py's.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .. import config
from ..errors import DataError
from ..handover import FORMULA_START
from ..intervals import QUALIFIERS


@dataclass(frozen=True)
class RawSchema:
    text: pa.DataFrameSchema    # the cells as written
    typed: pa.DataFrameSchema   # the values, converted (coerce=True)


def validate(df: pd.DataFrame, schema: RawSchema, path: Path) -> pd.DataFrame:
    """Check a raw table as written, convert it, check the values; return the converted table (blank
    cells as missing values) or raise a one-line :class:`DataError` naming the first problem's line
    and column."""
    text = run(schema.text, df.replace("", pd.NA), path)
    return run(schema.typed, text, path)


def run(schema: pa.DataFrameSchema, df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Validate with a pandera schema; its first failure (the earliest line; on one line, the check
    declared first) becomes a one-line :class:`DataError`, with the number of further problems."""
    try:
        return schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems = sorted({p for order, err in enumerate(exc.schema_errors)
                           for p in _problems(order, err, df)},
                          key=lambda p: (p[0] is None, p[0] or 0, p[1]))
        line, _, column, what = problems[0]
        where = f"line {line}, " if line is not None else ""
        more = f" ({len(problems) - 1} more problem(s) in this file)" if len(problems) > 1 else ""
        raise DataError(f"{path}, {where}column {column!r}: {what}{more}") from None


def _problems(order: int, err, df: pd.DataFrame) -> list[tuple]:
    """(line, order, column, what) for each cell a pandera error names, the value shown as the file
    writes it (a rule across columns: each row it fails, blamed on the column its check names)."""
    check = err.check
    wide = isinstance(err.schema, pa.DataFrameSchema)
    column = check.name if wide and isinstance(check, pa.Check) else getattr(err.schema, "name", None)
    cases = err.failure_cases if isinstance(err.failure_cases, pd.DataFrame) else None
    if cases is None or "index" not in cases:
        return [(None, order, column, str(err).splitlines()[0])]
    out = []
    for line in pd.unique(cases["index"].dropna()):
        line = int(line)
        if err.reason_code.name == "SERIES_CONTAINS_NULLS":
            what = "is empty"
        elif err.reason_code.name == "SERIES_CONTAINS_DUPLICATES":
            what = f"{df.at[line, column]!r} appears more than once"
        else:
            what = _say(df.at[line, column], check.error or check.name)
        if "keys" in (getattr(check, "statistics", None) or {}):  # a row given twice: where the other is
            keys = check.statistics["keys"]
            same = (df[keys] == df.loc[line, keys]).all(axis=1)
            others = [str(i) for i in df.index[same] if i != line]
            what += f"; also on line{'s' if len(others) > 1 else ''} {', '.join(others)}"
        out.append((line, order, column, what))
    return out


def _say(written, error: str) -> str:
    """'abc' is not a plain number; negative; ... (-5): an error that reads as a predicate follows the
    value as written, quoted; any other is followed by it, quoted unless it is a number."""
    if error.startswith("is "):
        return f"{written!r} {error}"
    return f"{error} ({written if re.fullmatch(config.PLAIN_NUMBER, str(written)) else repr(written)})"


# -- cells as written -------------------------------------------------------------------------
def _plain_number(s: pd.Series) -> pd.Series:
    return s.isna() | s.str.fullmatch(config.PLAIN_NUMBER).fillna(False).astype(bool)


def _year_ok(s: pd.Series) -> pd.Series:
    ok = s.str.fullmatch(r"[0-9]{4}").fillna(False).astype(bool)  # not "２０２０"
    years = pd.to_numeric(s.where(ok), errors="coerce")
    return ok & years.between(config.FIRST_YEAR, config.THIS_YEAR)


_YEAR = pa.Check(_year_ok, error=f"is not a year between {config.FIRST_YEAR} and {config.THIS_YEAR}")
_NUMBER = pa.Check(_plain_number, error="is not a plain number (no thousands separators, no decimal comma, "
                                        "no units: write 1400 or 1.4)")
_NO_FORMULA = pa.Check(lambda s: ~s.str.startswith(FORMULA_START), error="starts like a spreadsheet formula "
                       "(=, +, -, @); start the text with a letter or a digit")
_CLAIM_ID = pa.Check.str_matches(r"^C\d+$", error="is not a claim id like C1")


def _text(allowed=None, nullable=False, checks=(), **kw) -> pa.Column:
    checks = [pa.Check(lambda s: s.str.len() > 0, error="is empty"), *checks]
    if allowed is not None:
        checks.append(pa.Check.isin(list(allowed), error=f"is not one of: {', '.join(allowed)}"))
    return pa.Column("string", checks=checks, nullable=nullable, **kw)


def _cells(columns: dict, strict=True) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(columns, strict=strict)


# -- values -----------------------------------------------------------------------------------
def _finite(error="not a finite number") -> pa.Check:
    return pa.Check(lambda s: s.isna() | np.isfinite(s), error=error)


def _not_negative(error: str) -> pa.Check:
    return pa.Check(lambda s: s.isna() | (s >= 0), error=error)


def _rule(column: str, ok, error: str) -> pa.Check:
    """A rule across columns, blamed on ``column``: ``ok(frame)`` is True for each good row."""
    return pa.Check(ok, name=column, error=error)


def _unique(keys: list[str], column: str, error: str) -> pa.Check:
    """No two rows alike in ``keys``: each is blamed on ``column``, naming the line of the other."""
    return pa.Check(lambda d: ~d.duplicated(keys, keep=False), name=column, error=error, statistics={"keys": keys})


def vintage_problem(updated: str) -> str | None:
    """What is wrong with a World Bank vintage date (a 'Last Updated Date', the API's 'lastupdated'), or None."""
    try:
        date = datetime.date.fromisoformat(str(updated).strip()[:10])
    except ValueError:
        return "is not a date (YYYY-MM-DD)"
    return "is in the future" if date > datetime.date.today() else None


def _year(dtype="int64", nullable=False) -> pa.Column:
    return pa.Column(dtype, nullable=nullable)


def _in_usd_mn(d: pd.DataFrame) -> pd.Series:
    return d["value"].abs() * d["unit"].map(config.UNITS_TO_USD_MN).astype("float64").fillna(1.0)


_CAN_NOT_BE_NEGATIVE = ("level", "ratio", "share", "rank", "ratio_to_early_2000s")

FIGURES = RawSchema(
    _cells({
        "figure_id": _text(unique=True),
        "claim_id": pa.Column("string", _CLAIM_ID, nullable=True),
        "year": pa.Column("string", _YEAR),
        "base_year": pa.Column("string", _YEAR, nullable=True),
        "flow": _text(config.FLOWS),
        "partner": _text(),
        "category": _text(),
        "measure": _text(config.MEASURES),
        "value": pa.Column("string", _NUMBER),
        "unit": _text(config.UNITS),
        "qualifier": _text(QUALIFIERS),
        "precision": pa.Column("string", _NUMBER, nullable=True),
        "source_id": _text(),
        "quote": pa.Column("string", nullable=True),
    }),
    pa.DataFrameSchema({
        "year": _year("Int64"), "base_year": _year("Int64", nullable=True),
        "value": pa.Column("float64", _finite()),
        "precision": pa.Column("float64", nullable=True),
    }, coerce=True, checks=[
        _rule("value", lambda d: _in_usd_mn(d) <= config.MAX_USD_MN,
              f"above {config.MAX_USD_MN:,.0f} USD million (or its equivalent): not a plausible value"),
        _rule("value", lambda d: ~(d["measure"].isin(_CAN_NOT_BE_NEGATIVE) & (d["value"] < 0)),
              "negative, but this measure cannot be"),
        _rule("precision", lambda d: (d["qualifier"] != "rounded") | (d["precision"] > 0),
              "a rounded figure needs its rounding unit (e.g. 100 for '$1.4 billion' in USD mn)"),
        _rule("base_year", lambda d: (d["base_year"].isna() | (d["base_year"] < d["year"])).astype(bool),
              "must be before the figure's year"),
        _rule("unit", lambda d: pd.Series([u in config.MEASURE_UNITS[m] for m, u in zip(d["measure"], d["unit"])],
                                          index=d.index, dtype=bool),
              "does not fit the measure (levels are in USD, growth and shares in percent, ratios in 'ratio')"),
    ]))

SOURCES = RawSchema(
    _cells({
        "source_id": _text(unique=True),
        "publisher": _text(),
        "publication": _text(),
        "title": _text(),
        "url": _text(),
        "role": _text(config.ROLES),
    }, strict=False),
    pa.DataFrameSchema({}))

OECD = RawSchema(
    _cells({
        "variable": _text(("TBP_RUSD", "TBP_PUSD", "TBP_RNC", "TBP_PNC", "TBP_PXG")),
        "variable_name": _text(),
        "country": _text(("Russia",)),
        "year": pa.Column("string", _YEAR),
        "value": pa.Column("string", _NUMBER),
        "unit": _text(("USD mn", "RUB mn", "percent")),
        "source_id": _text(),
    }),
    pa.DataFrameSchema({
        "year": _year(),
        "value": pa.Column("float64", [_finite(), _not_negative("negative; these figures cannot be")]),
    }, coerce=True, checks=[_unique(["variable", "year"], "year", "the same variable and year appear twice")]))

CLAIMS = RawSchema(
    _cells({
        "claim_id": pa.Column("string", _CLAIM_ID, unique=True),
        "claim": _text(),
        "source_id": _text(),
    }),
    pa.DataFrameSchema({}))

WDI = RawSchema(
    _cells({
        "indicator_code": _text(),
        "indicator_name": _text(),
        "country": pa.Column("string", nullable=True),
        "year": pa.Column("string", _YEAR),
        "value": pa.Column("string", _NUMBER),
        "unit": _text(("USD", "percent")),
        "source_id": _text(),
    }),
    pa.DataFrameSchema({
        "year": _year(),
        "value": pa.Column("float64", [_finite(), _not_negative("negative; these indicators cannot be")]),
        "source_id": pa.Column(checks=pa.Check(
            lambda s: s.map(lambda v: not v.startswith("WDI@") or vintage_problem(v[4:]) is None).astype(bool),
            error="a vintage WDI@<date> whose date is not a date (YYYY-MM-DD) or is in the future")),
    }, coerce=True, checks=[_unique(["indicator_code", "year"], "year",
                                    "the same indicator and year appear twice")]))

#: The World Bank's bulk download, its rows for the indicators used: one column per year, indexed by line.
BULK_YEAR = r"^[0-9]{4}$"  # a year column (wdi.read_bulk_csv)
WDI_BULK = RawSchema(
    pa.DataFrameSchema({
        "Indicator Code": _text(),
        BULK_YEAR: pa.Column("string", [_NUMBER, pa.Check(
            lambda s: s.isna() | (config.FIRST_YEAR <= int(s.name) <= config.THIS_YEAR),
            error=f"is a value for a year outside {config.FIRST_YEAR} to {config.THIS_YEAR}")],
            nullable=True, regex=True),
    }, strict=True, checks=[_unique(["Indicator Code"], "Indicator Code", "is given twice for this country")]),
    pa.DataFrameSchema({
        BULK_YEAR: pa.Column("float64", [_finite("is not a finite number"),
                                          _not_negative("is negative; these indicators cannot be")],
                              nullable=True, regex=True),
    }, coerce=True))

USER = RawSchema(
    _cells({
        "year": pa.Column("string", _YEAR),
        "flow": _text(config.FLOWS),
        "partner": _text(checks=[_NO_FORMULA]),
        "category": _text(checks=[_NO_FORMULA]),
        "value_usd_mn": pa.Column("string", _NUMBER),
        "source": _text(checks=[_NO_FORMULA]),
        "note": pa.Column("string", _NO_FORMULA, nullable=True, required=False),
    }),
    pa.DataFrameSchema({
        "year": _year("Int64"),
        "value_usd_mn": pa.Column("float64", [
            _finite(),
            _not_negative("negative; exports and imports cannot be"),
            pa.Check(lambda s: s <= config.MAX_USD_MN, error=f"above {config.MAX_USD_MN:,.0f} (USD million): "
                     "not a plausible value; the column is in USD million")]),
    }, coerce=True))


def check_source_ids(path: Path, df: pd.DataFrame, known) -> None:
    """Every source id a row names (one, or several joined by ';') is in the registry."""
    known = set(known)
    ok = pa.Check(lambda s: s.map(lambda v: all(p.strip() in known for p in v.split(";"))).astype(bool),
                  error=f"names a source missing from the registry (known: {', '.join(sorted(known))})")
    run(pa.DataFrameSchema({"source_id": pa.Column(checks=ok)}), df[["source_id"]], path)
