"""World Bank WDI cross-check series: the shipped snapshot, the bulk CSV download, a live refresh.

The live source is the World Bank API v2 (indicator endpoint, JSON). A refresh fetches every
indicator, validates the lot, and only then writes a new dated snapshot beside the shipped one
(written to a temporary file and renamed: never a partial file). The shipped snapshot stays the
default; a refreshed one, or a bulk CSV download, is used with ``--wdi FILE``.
"""
from __future__ import annotations

import datetime
import json
import math
import os
import re
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd

from .. import config, measures
from ..errors import DataError
from . import schema
from .files import check_file, csv_rows, ragged, read_csv_strict
from .schema import vintage_problem

API = os.environ.get("TECHTRADE_WDI_API", "https://api.worldbank.org/v2")
COUNTRY = "RUS"
#: the indicators of the World Bank file (fetched by a refresh, read from a bulk download): measures.py
INDICATORS = {m.code: (m.title, m.unit) for m in measures.FETCHED}
COLUMNS = ["indicator_code", "indicator_name", "country", "year", "value", "unit", "source_id"]


class WdiError(RuntimeError):
    """The refresh or a WDI file failed; one line saying what and where."""


# -- vintages ---------------------------------------------------------------------------------
# A World Bank value is credited to the vintage it was read from: the shipped snapshots have their own
# entries in the registry (WDI, WDI2026); a bulk download or an API snapshot is credited to
# "WDI@<its Last Updated Date>", which becomes a registry entry of its own when the registry has none.
def vintage_id(updated: str, where: str) -> str:
    problem = vintage_problem(updated)
    if problem:
        raise WdiError(f"{where}: the 'Last Updated Date' {updated!r} {problem}; the vintage of the values "
                       "must be known")
    return "WDI@" + datetime.date.fromisoformat(str(updated).strip()[:10]).isoformat()


def credit_vintages(df: pd.DataFrame, sources: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows credited to "WDI@<date>" -> the registry's World Bank entry of that date and those
    indicators if there is one; else a new registry entry for that vintage, made from the shipped WDI
    entry (publisher, role, licence) with its own date and indicators. Returns (df, new entries)."""
    df = df.copy()
    wb = sources[(sources["publisher"] == "World Bank") & (sources["role"] == "a different measure")]
    new = []
    for sid in sorted(s for s in df["source_id"].unique() if s.startswith("WDI@")):
        date, rows = sid[4:], df["source_id"] == sid
        codes = sorted(df.loc[rows, "indicator_code"].unique())
        same = wb[(wb["date"] == date) & wb["quote"].map(lambda q: all(c in q for c in codes))]
        if len(same):
            df.loc[rows, "source_id"] = same["source_id"].iloc[0]
            continue
        if sid in set(sources["source_id"]):
            continue
        base = wb[wb["source_id"] == "WDI"].iloc[0].to_dict() if (wb["source_id"] == "WDI").any() else {}
        names = "; ".join(measures.BY_CODE[c].title if c in measures.BY_CODE else c for c in codes)
        new.append({**base, "source_id": sid, "publisher": "World Bank", "short": "World Bank", "publication": "World Bank",
                    "title": f"World Development Indicators, Russian Federation: {names}", "date": date,
                    "url": "https://data.worldbank.org/country/russian-federation",
                    "quote": f"{'; '.join(codes)} (Last Updated Date {date})", "role": "a different measure",
                    "via": "a copy supplied for this report (the bulk download or the API)"})
    return df, pd.DataFrame(new, columns=sources.columns)


# -- files ------------------------------------------------------------------------------------
def load_wdi(path: str | Path) -> pd.DataFrame:
    """World Bank WDI series in long form (one row per indicator and year): amounts and shares, each
    credited to a registry entry or to a vintage ``WDI@<date>`` that is a date, not in the future."""
    path = Path(path)
    return schema.validate(read_csv_strict(path, COLUMNS), schema.WDI, path)


def load_wdi_any(path: str | Path) -> pd.DataFrame:
    """A WDI file in our long form, or the World Bank's bulk CSV download (detected by its preamble)."""
    path = Path(path)
    if path.exists() and path.is_file():
        with open(path, "rb") as f:
            head = f.read(64).lstrip(b"\xef\xbb\xbf").lstrip(b'"')
        if head.startswith(b"Data Source"):
            try:
                return read_bulk_csv(path)
            except WdiError as exc:
                raise DataError(str(exc)) from None
    return load_wdi(path)


def read_bulk_csv(path: str | Path, country: str = COUNTRY) -> pd.DataFrame:
    """The bulk download (four preamble lines, then one column per year) -> our long form.

    Read as every raw file is (files.check_file, csv_rows) and its rows for ``country`` and the indicators
    used checked by their pandera schema (schema.WDI_BULK): each refusal names the file, the physical line
    and the column. Each value must be a plain, finite, non-negative number in a year from
    config.FIRST_YEAR to this year; an indicator's row given twice, or a 'Last Updated Date' that is
    missing or in the future, is refused.
    """
    path = Path(path)
    check_file(path)
    rows = csv_rows(path)
    preamble = {}
    for line, r in rows:
        if r[0].strip() == "Country Name":
            header = [h.strip() for h in r]
            break
        preamble[r[0].strip()] = (line, r[1].strip() if len(r) > 1 else "")
    else:
        raise WdiError(f"{path}: not a World Bank bulk CSV (no header line starting 'Country Name')")
    if "Data Source" not in preamble:
        raise WdiError(f"{path}: not a World Bank bulk CSV (expected 'Data Source' and four preamble lines)")
    need = ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]
    missing = [c for c in need if c not in header]
    if missing:
        raise WdiError(f"{path}, line {line}: missing column(s) {', '.join(map(repr, missing))}")
    if "Last Updated Date" not in preamble:
        raise WdiError(f"{path}, line 3: no 'Last Updated Date' (the World Bank writes it on line 3); the vintage "
                       "of the values must be known")
    updated_line, updated = preamble["Last Updated Date"]
    source_id = vintage_id(updated, f"{path}, line {updated_line}")
    year_cols = [(i, h) for i, h in enumerate(header) if re.fullmatch(schema.BULK_YEAR, h)]
    ix = {c: header.index(c) for c in need}
    rows_used, names = {}, {}
    for n, r in rows:
        if len(r) != len(header):
            raise ragged(path, n, len(r), len(header))
        code = r[ix["Indicator Code"]].strip()
        if r[ix["Country Code"]].strip() == country and code in INDICATORS:
            rows_used[n] = [code] + [r[i].strip() for i, _ in year_cols]
            names[n] = r[ix["Country Name"]].strip()
    wide = pd.DataFrame.from_dict(rows_used, orient="index", columns=["Indicator Code"] + [y for _, y in year_cols],
                                  dtype="string")
    values = schema.validate(wide, schema.WDI_BULK, path)  # each cell named by its line and its year
    out = [[code, INDICATORS[code][0], names[n], int(year), value, INDICATORS[code][1], source_id]
           for n, code in wide["Indicator Code"].items() for year, value in values.loc[n].drop("Indicator Code").items()
           if pd.notna(value)]
    if not out:
        raise WdiError(f"{path}: no rows for {country} and the indicators {', '.join(INDICATORS)}")
    df = pd.DataFrame(out, columns=COLUMNS)
    return df.sort_values(["indicator_code", "year"]).reset_index(drop=True)


# -- the API ----------------------------------------------------------------------------------
def fetch_indicator(code: str, base_url: str = API, country: str = COUNTRY, timeout: float = 20.0):
    """All (year, value) pairs of one indicator, page by page; nulls are skipped. Returns (rows, lastupdated)."""
    rows, page, pages, lastupdated = [], 1, 1, ""
    while page <= pages:
        url = f"{base_url.rstrip('/')}/country/{country}/indicator/{code}?format=json&per_page=1000&page={page}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp:
                payload = resp.read()
        except urllib.error.HTTPError as exc:
            raise WdiError(f"World Bank API: HTTP {exc.code} for {code} (page {page})") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise WdiError(f"World Bank API unreachable for {code}: {reason} (offline?)") from None
        try:
            data = json.loads(payload)
        except ValueError:
            raise WdiError(f"World Bank API: {code} page {page} is not JSON") from None
        if not (isinstance(data, list) and data and isinstance(data[0], dict)):
            raise WdiError(f"World Bank API: {code} page {page}: unexpected payload")
        if "message" in data[0]:
            msg = data[0]["message"][0] if data[0]["message"] else {}
            raise WdiError(f"World Bank API: {code}: {msg.get('key', 'error')}: {msg.get('value', '')}".rstrip(": "))
        if len(data) < 2 or not isinstance(data[1], list) or "pages" not in data[0]:
            raise WdiError(f"World Bank API: {code} page {page}: no data list in the payload")
        pages, lastupdated = int(data[0]["pages"]), str(data[0].get("lastupdated", ""))
        for rec in data[1]:
            try:
                got = rec["indicator"]["id"]
                year, value = int(rec["date"]), rec["value"]
            except (KeyError, TypeError, ValueError):
                raise WdiError(f"World Bank API: {code} page {page}: a record without indicator, date or value") from None
            if got != code:
                raise WdiError(f"World Bank API: asked for {code}, got {got}")
            if value is None:
                continue
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise WdiError(f"World Bank API: {code} {year}: value {value!r} is not a non-negative number")
            rows.append((year, float(value)))
        page += 1
    if not rows:
        raise WdiError(f"World Bank API: {code}: no values")
    return rows, lastupdated


def refresh(raw_dir: str | Path = config.ROOT / "data" / "raw", base_url: str = API, timeout: float = 20.0,
            today: datetime.date | None = None) -> Path:
    """Fetch every indicator, validate, and write data/raw/wdi_russia_fetched_<date>.csv atomically; each
    value is credited to its indicator's vintage (the API's "lastupdated"), as ``WDI@<date>``."""
    out = []
    for code, (name, unit) in INDICATORS.items():
        rows, lastupdated = fetch_indicator(code, base_url=base_url, timeout=timeout)
        source_id = vintage_id(lastupdated, f"World Bank API: {code}")
        out += [[code, name, "Russian Federation", y, v, unit, source_id] for y, v in sorted(rows)]
    df = pd.DataFrame(out, columns=COLUMNS)
    today = today or datetime.date.today()
    path = Path(raw_dir) / f"wdi_russia_fetched_{today.isoformat()}.csv"
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        df.to_csv(tmp, index=False, lineterminator="\n", float_format="%.15g")
        load_wdi(tmp)  # the snapshot must pass the same checks as the shipped one
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
