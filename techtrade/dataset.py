"""Loading and validating the raw inputs (stage 01, ingest).

Every schema lives here, in one place (pandera), and every failure becomes a :class:`DataError`
whose message is one line naming the file, the line and the column, and what is wrong.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd

from . import config
from .errors import DataError

# The pandera schemas live in techtrade/schema.py and are imported only when a raw file is
# validated (ingest), so the later stages and the notebooks do not pay for importing pandera.


# --------------------------------------------------------------------------------------------
# Reading a CSV file strictly
# --------------------------------------------------------------------------------------------
def _count_lines(path: Path, chunk: int = 1 << 20) -> int:
    """Lines in a file, read a megabyte at a time: the memory used does not grow with the file."""
    n, last = 0, b"\n"
    with open(path, "rb") as f:
        while block := f.read(chunk):
            n += block.count(b"\n")
            last = block[-1:]
    return n + (last != b"\n")


DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}


def _delimiter(text: str) -> str:
    """The column separator, from the header line: a comma, or else a semicolon or a tab (as
    spreadsheets in many locales save 'CSV')."""
    header = next((ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), "")
    if "," in header:
        return ","
    return next((d for d in (";", "\t") if d in header), ",")


def read_csv_strict(path: str | Path, required: list[str], optional: list[str] = (),
                    notes: list | None = None) -> pd.DataFrame:
    """Read a CSV file as text, refusing anything that is not a plain, rectangular UTF-8 table.

    All cells are read as strings; the schema converts and checks them. A UTF-8 byte-order mark
    (as Excel writes) is accepted. Unknown columns are refused (they usually mean a typo). A file
    whose columns are separated by semicolons or tabs is read as such, and ``notes`` says so.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if not path.is_file():
        raise DataError(f"{path}: not a file")
    size = path.stat().st_size
    if size == 0:
        raise DataError(f"{path}: file is empty")
    if size > config.MAX_INPUT_BYTES:
        raise DataError(f"{path}: file is {size / 2**20:.0f} MiB, above the limit of "
                        f"{config.MAX_INPUT_BYTES / 2**20:.0f} MiB (config.MAX_INPUT_BYTES); "
                        "split it or aggregate it first")
    lines = _count_lines(path)
    if lines > config.MAX_INPUT_ROWS + 1:
        raise DataError(f"{path}: {lines:,} lines, above the limit of {config.MAX_INPUT_ROWS:,} rows "
                        "(config.MAX_INPUT_ROWS); aggregate it first (one row per year, flow, partner, category)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise DataError(f"{path}, line {line}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); "
                        "save the file as UTF-8") from None
    delimiter = _delimiter(text)
    if delimiter != "," and notes is not None:
        notes.append(f"{path}: columns separated by {DELIMITERS[delimiter]}s, not commas; read as such")
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    rows = []
    try:
        for r in reader:
            rows.append(r)
    except csv.Error as exc:  # e.g. a field over the csv module's limit (131,072 characters)
        raise DataError(f"{path}, line {reader.line_num}: not a readable CSV row ({exc})") from None
    rows_with_lines = [(i + 1, r) for i, r in enumerate(rows) if r and not r[0].lstrip().startswith("#")]
    if not rows_with_lines:
        raise DataError(f"{path}: no header line")
    header_line, header = rows_with_lines[0]
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise DataError(f"{path}, line {header_line}: missing column(s) {', '.join(map(repr, missing))}; "
                        f"expected {', '.join(required)}")
    unknown = [c for c in header if c not in required and c not in optional]
    if unknown:
        raise DataError(f"{path}, line {header_line}: unknown column(s) {', '.join(map(repr, unknown))}; "
                        f"allowed: {', '.join(list(required) + list(optional))}")
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:
        raise DataError(f"{path}, line {header_line}: column(s) {', '.join(map(repr, dupes))} appear twice")
    body = rows_with_lines[1:]
    for line, r in body:
        if len(r) != len(header):
            raise DataError(f"{path}, line {line}: {len(r)} fields where the header has {len(header)} "
                            "(a ragged row: check for an unquoted comma)")
    if not body:
        raise DataError(f"{path}: header only, no data rows")
    df = pd.DataFrame([[c.strip() for c in r] for _, r in body], columns=header, dtype="string")
    df.index = pd.Index([line for line, _ in body], name="line")
    return df


def _validate(df: pd.DataFrame, schema_name: str, path: Path) -> pd.DataFrame:
    """Run a pandera schema; turn its first failure into a one-line DataError."""
    import pandera.pandas as pa

    from . import schema as schemas

    schema = getattr(schemas, schema_name)
    blank_to_na = df.replace("", pd.NA)
    try:
        schema.validate(blank_to_na, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        fc = fc[fc["index"].notna()] if fc["index"].notna().any() else fc
        first = fc.iloc[0]
        line = int(first["index"]) if pd.notna(first["index"]) else None
        col = first["column"]
        value = first["failure_case"]
        check = str(first["check"])
        if check == "not_nullable":
            what = "is empty"
        elif check.startswith("field_uniqueness") or "unique" in check:
            what = f"{value!r} appears more than once"
        else:
            what = f"{value!r} {check}"
        where = f"line {line}, " if line is not None else ""
        n = len(fc)
        more = f" ({n - 1} more problem(s) in this file)" if n > 1 else ""
        raise DataError(f"{path}, {where}column {col!r}: {what}{more}") from None
    return blank_to_na


# The columns of each raw file (their checks are in techtrade/schema.py).
FIGURES_COLUMNS = ["figure_id", "claim_id", "year", "base_year", "flow", "partner", "category",
                   "measure", "value", "unit", "qualifier", "precision", "source_id", "quote"]
SOURCES_COLUMNS = ["source_id", "publisher", "title", "date", "url", "quote", "role"]
ROLES = ("the article", "same statistics, another publication", "a different measure")
OECD_COLUMNS = ["variable", "variable_name", "country", "year", "value", "unit", "source_id"]
#: OECD MSTI variables that are the levels of form 1-TB's flows (the rest are context: roubles, % of GERD)
OECD_FLOWS = {"TBP_RUSD": "exports", "TBP_PUSD": "imports"}
CLAIMS_COLUMNS = ["claim_id", "claim", "source_id"]
WDI_COLUMNS = ["indicator_code", "indicator_name", "country", "year", "value", "unit", "source_id"]
USER_COLUMNS = ["year", "flow", "partner", "category", "value_usd_mn", "source"]


def _floats(df: pd.DataFrame, cols) -> pd.DataFrame:
    out = df.copy()
    for c in cols:
        out[c] = pd.to_numeric(out[c], errors="raise").astype("float64")
    return out


def _fail_rows(path: Path, df: pd.DataFrame, mask: pd.Series, column: str, what: str):
    if mask.any():
        line = mask[mask].index[0]
        raise DataError(f"{path}, line {line}, column {column!r}: {what} "
                        f"({df.loc[line, column]!r})" + (f"; {mask.sum() - 1} more such line(s)"
                                                         if mask.sum() > 1 else ""))


# --------------------------------------------------------------------------------------------
# Loaders
# --------------------------------------------------------------------------------------------
def load_sources(path: str | Path) -> pd.DataFrame:
    """The registry: who published each source, where, and its role (the article itself, another
    publication of the same statistics, or a different measure): the role decides what a verdict
    resting on it may say."""
    path = Path(path)
    df = read_csv_strict(path, SOURCES_COLUMNS, ["short", "kind", "via", "licence"])
    return _validate(df, "SOURCES_SCHEMA", path)


def load_oecd(path: str | Path, sources: pd.DataFrame) -> pd.DataFrame:
    """OECD MSTI's technology balance of payments for Russia, one row per variable and year."""
    path = Path(path)
    df = _validate(read_csv_strict(path, OECD_COLUMNS), "OECD_SCHEMA", path)
    df = _floats(df, ["value"])
    df["year"] = pd.to_numeric(df["year"]).astype("int64")
    _fail_rows(path, df, ~df["value"].map(math.isfinite) | (df["value"] < 0), "value",
               "not a finite, non-negative number")
    _fail_rows(path, df, df.duplicated(["variable", "year"], keep=False), "year",
               "the same variable and year appear twice")
    _check_source_ids(path, df, sources)
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
    df = _validate(read_csv_strict(path, FIGURES_COLUMNS), "FIGURES_SCHEMA", path)
    df = _floats(df, ["value", "precision"])
    for c in ("year", "base_year"):
        df[c] = pd.to_numeric(df[c]).astype("Int64")
    _fail_rows(path, df, ~df["value"].map(math.isfinite), "value", "not a finite number")
    _fail_rows(path, df, df["value"].abs() * df["unit"].map(config.UNITS_TO_USD_MN).astype("float64").fillna(1.0)
               > config.MAX_USD_MN, "value", f"above {config.MAX_USD_MN:,.0f} USD million (or its equivalent): "
               "not a plausible value")
    nonneg = df["measure"].isin(["level", "ratio", "share", "rank", "ratio_to_early_2000s"])
    _fail_rows(path, df, nonneg & (df["value"] < 0), "value", "negative, but this measure cannot be")
    _fail_rows(path, df, (df["qualifier"] == "rounded") & ~(df["precision"] > 0), "precision",
               "a rounded figure needs its rounding unit (e.g. 100 for '$1.4 billion' in USD mn)")
    _fail_rows(path, df, df["base_year"].notna() & (df["base_year"] >= df["year"]), "base_year",
               "must be before the figure's year")
    bad_unit = pd.Series([u not in config.MEASURE_UNITS[m] for m, u in zip(df["measure"], df["unit"])],
                         index=df.index)
    _fail_rows(path, df, bad_unit, "unit", "does not fit the measure (levels are in USD, growth and "
               "shares in percent, ratios in 'ratio')")
    _check_source_ids(path, df, sources)
    return df


def load_claims(path: str | Path, sources: pd.DataFrame) -> pd.DataFrame:
    """The article's claims, word for word, with the sources that carry them."""
    path = Path(path)
    df = _validate(read_csv_strict(path, CLAIMS_COLUMNS), "CLAIMS_SCHEMA", path)
    _check_source_ids(path, df, sources)
    return df


def _check_source_ids(path: Path, df: pd.DataFrame, sources: pd.DataFrame) -> None:
    known = set(sources["source_id"])
    unknown = df["source_id"].map(lambda s: any(p.strip() not in known for p in s.split(";")))
    _fail_rows(path, df, unknown, "source_id", f"names a source missing from the registry "
               f"(known: {', '.join(sorted(known))})")


def load_wdi(path: str | Path) -> pd.DataFrame:
    """World Bank WDI series in long form (one row per indicator and year)."""
    path = Path(path)
    df = _validate(read_csv_strict(path, WDI_COLUMNS), "WDI_SCHEMA", path)
    df = _floats(df, ["value"])
    df["year"] = pd.to_numeric(df["year"]).astype("int64")
    _fail_rows(path, df, ~df["value"].map(math.isfinite), "value", "not a finite number")
    dup = df.duplicated(["indicator_code", "year"], keep=False)
    _fail_rows(path, df, dup, "year", "the same indicator and year appear twice")
    return df


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")   # what a spreadsheet runs as a formula (OWASP)


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
    from .intervals import Interval

    key = ["year", "flow", "partner", "category"]
    levels = shipped[shipped["measure"] == "level"]
    for line, r in user.iterrows():
        same = levels[(levels[key] == r[key]).all(axis=1)]
        for _, f in same.iterrows():
            scale = config.UNITS_TO_USD_MN[f["unit"]]
            iv = Interval.from_published(f["value"] * scale, f["qualifier"],
                                         None if pd.isna(f["precision"]) else f["precision"] * scale)
            v, top, floor = r["value"], iv.hi if math.isfinite(iv.hi) else iv.lo, iv.lo
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


def load_raw(inputs: dict[str, Path | None]) -> dict[str, pd.DataFrame]:
    """Load and validate the raw files a stage was given, by role (see stages.RAW): the shipped
    files, and a user's own series where there is one (``user_series``: a path, or None)."""
    from .wdi import load_wdi_any

    sources = load_sources(inputs["sources"])
    figures = load_figures(inputs["figures"], sources)
    figures["priority"] = 0
    claims = load_claims(inputs["claims"], sources)
    wdi = load_wdi_any(inputs["wdi"])
    _check_source_ids(Path(inputs["wdi"]), wdi, sources)
    ict = load_wdi(inputs["wdi_ict"])
    _check_source_ids(Path(inputs["wdi_ict"]), ict, sources)
    wdi = pd.concat([wdi, ict], ignore_index=True)  # each row keeps its own vintage's source id
    oecd = load_oecd(inputs["oecd"], sources)
    figures = pd.concat([figures, oecd_figures(oecd)], ignore_index=False)
    notes: list[str] = []
    if inputs.get("user_series") is not None:
        ufig, usrc, notes = load_user_series(inputs["user_series"])
        check_magnitudes(Path(inputs["user_series"]), ufig, figures)
        figures = pd.concat([figures, ufig], ignore_index=False)
        sources = pd.concat([sources, usrc], ignore_index=True)
    return {"sources": sources, "figures": figures, "claims": claims, "wdi": wdi, "oecd": oecd,
            "notes": pd.DataFrame({"note": notes}, dtype="object")}


# --------------------------------------------------------------------------------------------
# Hand-over files between stages (data/processed)
# --------------------------------------------------------------------------------------------
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
    path.parent.mkdir(parents=True, exist_ok=True)
    neutralise(df).to_csv(path, index=False, lineterminator="\n")
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
