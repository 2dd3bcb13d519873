"""Checking the build's parameters before any kernel starts (and in each notebook run by hand).

Every check raises :class:`ParameterError` with one line: the parameter, the value, what is allowed.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import ParameterError

FORMATS = ("html", "pdf")
TOP_N_RANGE = (1, 20)
_RANGE = re.compile(r"^(\d{4})\s*(?:-|\.\.|:)\s*(\d{4})$")


def parse_years(values: list[str] | str, name: str = "--report-year") -> list[int]:
    """'2020' -> [2020]; ['2019', '2021'] -> [2019, 2021]; '2019-2021' -> [2019, 2020, 2021]."""
    values = [values] if isinstance(values, (str, int)) else list(values)
    years: list[int] = []
    for v in values:
        s = str(v).strip()
        m = _RANGE.match(s)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if a > b:
                raise ParameterError(f"{name}={s!r}: a range must run forwards, like 2019-2021")
            years += range(a, b + 1)
        elif re.fullmatch(r"\d{4}", s):
            years.append(int(s))
        else:
            raise ParameterError(f"{name}={s!r}: not a year; give a whole year like 2020, several, or a range like 2019-2021")
    dupes = sorted({y for y in years if years.count(y) > 1})
    if dupes:
        raise ParameterError(f"{name}: {', '.join(map(str, dupes))} given twice")
    return years


def check_top_n(top_n) -> int:
    lo, hi = TOP_N_RANGE
    try:
        n = int(str(top_n).strip())
    except ValueError:
        raise ParameterError(f"top_n={top_n!r}: not a whole number; allowed: {lo} to {hi}") from None
    if isinstance(top_n, float) and not float(top_n).is_integer():
        raise ParameterError(f"top_n={top_n!r}: not a whole number; allowed: {lo} to {hi}")
    if not lo <= n <= hi:
        raise ParameterError(f"top_n={n}: out of range; allowed: {lo} to {hi}")
    return n


def check_formats(formats) -> tuple[str, ...]:
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ParameterError(f"format={','.join(bad) or '(none)'}: unknown; allowed: {', '.join(FORMATS)}")
    return tuple(dict.fromkeys(formats))


def check_output_dir(path) -> Path:
    """The output folder: an existing writable folder, or one that can be made."""
    p = Path(path).expanduser()
    if p.exists() and not p.is_dir():
        raise ParameterError(f"output_dir={str(path)!r}: exists and is not a folder")
    probe = p
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise ParameterError(f"output_dir={str(path)!r}: {probe} is not writable")
    return p.resolve()


def check_input_file(path, name: str) -> Path:
    """A file the user names (--data, --wdi): it must exist and be readable."""
    p = Path(path).expanduser()
    if not p.exists():
        raise ParameterError(f"{name}={str(path)!r}: file not found")
    if not p.is_file():
        raise ParameterError(f"{name}={str(path)!r}: not a file")
    if not os.access(p, os.R_OK):
        raise ParameterError(f"{name}={str(path)!r}: not readable (check its permissions)")
    return p.resolve()


def resolve_user_data(user_data, raw_dir) -> Path | None:
    """'auto' (the default): the drop-in file data/raw/user/tech_exchange_series.csv if it exists;
    '' or 'none': no user series; anything else: that file."""
    from . import config

    if user_data is None or str(user_data).strip().lower() in ("", "none"):
        return None
    if str(user_data).strip().lower() == "auto":
        drop_in = Path(raw_dir) / config.USER_DROP_IN
        return drop_in if drop_in.exists() else None
    return Path(user_data)


def check_years_available(q, report_years: list[int], base_year: int) -> None:
    from .metrics import available_years, check_years
    if not report_years:
        raise ParameterError(f"report_year: none given; available: {', '.join(map(str, available_years(q)['report']))}")
    for y in report_years:
        check_years(q, y, base_year)
