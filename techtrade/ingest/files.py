"""Reading a raw CSV file strictly (stage 01, ingest): a plain, rectangular UTF-8 table, read a row at a
time with the physical line each row starts on (the index of the table it returns, which schema.py's
errors name); every failure one line naming the file, the line, and what is wrong (:class:`DataError`).
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .. import config
from ..errors import DataError


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
