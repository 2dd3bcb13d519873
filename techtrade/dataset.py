"""Loading and validating the raw inputs (stage 01, ingest).

Every schema lives here, in one place (pandera), and every failure becomes a :class:`DataError`
whose message is one line naming the file, the line and the column, and what is wrong.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Iterator

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


def check_file(path: Path) -> None:
    """Refuse, in one line, a raw file that is missing, empty, or too large: in bytes, or in lines
    (counted a megabyte at a time, before anything is read)."""
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


def _not_utf8(path: Path) -> DataError:
    """The one-line error for a file that is not UTF-8, naming the line of the first bad byte."""
    data = path.read_bytes()
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return DataError(f"{path}, line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
    return DataError(f"{path}: not UTF-8 text; save the file as UTF-8")


def _delimiter(path: Path) -> str:
    """The column separator, from the header line: a comma, or else a semicolon or a tab (as
    spreadsheets in many locales save 'CSV')."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            header = next((ln for ln in f if ln.strip() and not ln.lstrip().startswith("#")), "")
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    if "," in header:
        return ","
    return next((d for d in (";", "\t") if d in header), ",")


def csv_rows(path: Path, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """The rows of a UTF-8 CSV file (a byte-order mark accepted), read one at a time, each with the
    physical line it starts on (a quoted field may span lines); blank lines and comment lines
    (starting with #) are left out. Call :func:`check_file` first."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        start = 1
        try:
            for r in reader:
                if r and not r[0].lstrip().startswith("#"):
                    yield start, r
                start = reader.line_num + 1
        except csv.Error as exc:  # e.g. a field over the csv module's limit (131,072 characters)
            raise DataError(f"{path}, line {start}: not a readable CSV row ({exc})") from None
        except UnicodeDecodeError:
            raise _not_utf8(path) from None


def ragged(path: Path, line: int, fields: int, width: int) -> DataError:
    return DataError(f"{path}, line {line}: {fields} fields where the header has {width} "
                     "(a ragged row: check for an unquoted comma)")


def read_csv_strict(path: str | Path, required: list[str], optional: list[str] = (),
                    notes: list | None = None) -> pd.DataFrame:
    """Read a CSV file as text, refusing anything that is not a plain, rectangular UTF-8 table.

    All cells are read as strings, stripped; the schema converts and checks them. The index is the
    physical line each row starts on. Unknown columns are refused (they usually mean a typo). A file
    whose columns are separated by semicolons or tabs is read as such, and ``notes`` says so. The file
    is read a row at a time into columns, each repeated text kept once: the memory used is a few
    times the file's size.
    """
    path = Path(path)
    check_file(path)
    delimiter = _delimiter(path)
    if delimiter != "," and notes is not None:
        notes.append(f"{path}: columns separated by {DELIMITERS[delimiter]}s, not commas; read as such")
    rows = csv_rows(path, delimiter)
    header_line, header = next(rows, (None, None))
    if header is None:
        raise DataError(f"{path}: no header line")
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
    lines: list[int] = []
    columns: list[list[str]] = [[] for _ in header]
    seen: list[dict] = [{} for _ in header]   # one copy of each repeated text (a source, a flow, a year)
    for line, r in rows:
        if len(r) != len(header):
            raise ragged(path, line, len(r), len(header))
        lines.append(line)
        for col, once, cell in zip(columns, seen, r):
            cell = cell.strip()
            col.append(once.setdefault(cell, cell))
    if not lines:
        raise DataError(f"{path}: header only, no data rows")
    return pd.DataFrame({h: pd.array(col, dtype="string") for h, col in zip(header, columns)},
                        index=pd.Index(lines, name="line"))


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
OECD_COLUMNS = ["variable", "variable_name", "country", "year", "value", "unit", "source_id"]
#: OECD MSTI variables that are the levels of form 1-TB's flows (the rest are context: roubles, % of GERD)
OECD_FLOWS = {"TBP_RUSD": "exports", "TBP_PUSD": "imports"}
CLAIMS_COLUMNS = ["claim_id", "claim", "source_id"]
WDI_COLUMNS = ["indicator_code", "indicator_name", "country", "year", "value", "unit", "source_id"]
USER_COLUMNS = ["year", "flow", "partner", "category", "value_usd_mn", "source"]
#: The notes hand-over (01_notes.csv): one line each on what was read differently from how it was
#: written, and how many rows of the user's table it says the report does not use.
NOTES_COLUMNS = ["note", "rows_not_used"]


def _floats(df: pd.DataFrame, cols) -> pd.DataFrame:
    out = df.copy()
    for c in cols:
        out[c] = pd.to_numeric(out[c], errors="raise").astype("float64")
    return out


def _fail_rows(path: Path, df: pd.DataFrame, mask: pd.Series, column: str, what: str):
    if mask.any():
        line = mask[mask].index[0]
        value = df.loc[line, column]
        shown = f"{value:g}" if isinstance(value, float) else repr(value)  # -5, not np.float64(-5.0)
        raise DataError(f"{path}, line {line}, column {column!r}: {what} ({shown})"
                        + (f"; {mask.sum() - 1} more such line(s)" if mask.sum() > 1 else ""))


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
    """World Bank WDI series in long form (one row per indicator and year): amounts and shares, each
    credited to a registry entry or to a vintage ``WDI@<date>`` that is a date, not in the future."""
    from .wdi import vintage_problem

    path = Path(path)
    df = _validate(read_csv_strict(path, WDI_COLUMNS), "WDI_SCHEMA", path)
    df = _floats(df, ["value"])
    df["year"] = pd.to_numeric(df["year"]).astype("int64")
    _fail_rows(path, df, ~df["value"].map(math.isfinite), "value", "not a finite number")
    _fail_rows(path, df, df["value"] < 0, "value", "negative; these indicators cannot be")
    vintage = df["source_id"].map(lambda s: vintage_problem(s[4:]) if s.startswith("WDI@") else None)
    _fail_rows(path, df, vintage.notna(), "source_id", "a vintage WDI@<date> whose date is not a date "
               "(YYYY-MM-DD) or is in the future")
    dup = df.duplicated(["indicator_code", "year"], keep=False)
    _fail_rows(path, df, dup, "year", "the same indicator and year appear twice")
    return df


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")   # what a spreadsheet runs as a formula (OWASP)


def load_raw(inputs: dict[str, Path | None]) -> dict[str, pd.DataFrame]:
    """Load and validate the raw files a stage was given, by role (see stages.RAW): the shipped
    files, and a user's own series where there is one (``user_series``: a path, or None)."""
    from .wdi import credit_vintages, load_wdi_any

    sources = load_sources(inputs["sources"])
    figures = load_figures(inputs["figures"], sources)
    figures["priority"] = 0
    claims = load_claims(inputs["claims"], sources)
    wdi, vintages = credit_vintages(load_wdi_any(inputs["wdi"]), sources)
    sources = pd.concat([sources, vintages], ignore_index=True) if len(vintages) else sources
    _check_source_ids(Path(inputs["wdi"]), wdi, sources)
    ict = load_wdi(inputs["wdi_ict"])
    _check_source_ids(Path(inputs["wdi_ict"]), ict, sources)
    wdi = pd.concat([wdi, ict], ignore_index=True)  # each row keeps its own vintage's source id
    unused = (sources["publisher"] == "World Bank") & ~sources["source_id"].isin(set(wdi["source_id"]))
    sources = sources[~unused].reset_index(drop=True)  # a vintage replaced by another file is not cited
    oecd = load_oecd(inputs["oecd"], sources)
    figures = pd.concat([figures, oecd_figures(oecd)], ignore_index=False)
    notes = []
    if inputs.get("user_series") is not None:
        from .userdata import load_user_series

        ufig, usrc, notes = load_user_series(inputs["user_series"], shipped=figures)
        figures = pd.concat([figures, ufig], ignore_index=False)
        sources = pd.concat([sources, usrc], ignore_index=True)
    return {"sources": sources, "figures": figures, "claims": claims, "wdi": wdi, "oecd": oecd,
            "notes": pd.DataFrame(notes, columns=NOTES_COLUMNS).astype({"note": "object", "rows_not_used": "int64"})}


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
