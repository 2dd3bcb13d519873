"""The build's parameters, checked before anything runs (and, by the notebooks, when run by hand): each
check raises :class:`ParameterError` with one line naming the parameter, its value and what is allowed.
:func:`make_build` checks them all and returns the :class:`Build`. No pandas here: it takes milliseconds."""
from __future__ import annotations

import errno
import os
import re
import sys
from pathlib import Path

from ..config import FIRST_YEAR, ROOT, THIS_YEAR
from ..errors import ParameterError
from . import stages

FORMATS = ("html", "pdf")


def display(value) -> str:
    """A value (a path) as text that can always be printed: a file name need not be valid UTF-8."""
    text = os.fsdecode(value) if isinstance(value, (bytes, os.PathLike)) else str(value)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def show(value) -> str:
    return repr(display(value))


def reason(exc: OSError) -> str:
    return "a name in the path is too long" if exc.errno == errno.ENAMETOOLONG else (exc.strerror or str(exc)).lower()


def parse_years(values, name: str = "--report-year") -> list[int]:
    """'2020' -> [2020]; ['2019', '2021'] -> [2019, 2021]; '2019-2021' -> [2019, 2020, 2021] (ASCII digits)."""
    years: list[int] = []
    for v in [values] if isinstance(values, (str, int)) else values:
        s = str(v).strip()
        m = re.fullmatch(r"([0-9]{4})\s*(?:-|\.\.|:)\s*([0-9]{4})|[0-9]{4}", s)
        if not m or isinstance(v, bool):
            raise ParameterError(f"{name}={show(s)}: not a year; give a whole year like 2020, several, "
                                 "or a range like 2019-2021")
        if m[1] and int(m[1]) > int(m[2]):
            raise ParameterError(f"{name}={show(s)}: a range must run forwards, like 2019-2021")
        years += range(int(m[1]), int(m[2]) + 1) if m[1] else [int(s)]
    dupes = sorted({y for y in years if years.count(y) > 1})
    if not years or dupes:
        raise ParameterError(f"{name}: " + (f"{', '.join(map(str, dupes))} given twice" if dupes else "no year given"))
    return years


def _number(name: str, value, allowed: str, lo: float, hi: float, whole: bool = True) -> float:
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"[0-9]+" + ("" if whole else r"(\.[0-9]+)?"), text) \
            or not lo <= float(text) <= hi:
        raise ParameterError(f"{name}={text!r}: allowed: {allowed}")
    return int(text) if whole else float(text)


def check_top_n(top_n) -> int:
    return _number("top_n", top_n, "a whole number from 1 to 20", 1, 20)


def check_year_order(report_years: list[int], base_year: int) -> None:
    """Years any data could serve, the base year before each report year."""
    for name, year in [("report_year", y) for y in report_years] + [("base_year", base_year)]:
        if not FIRST_YEAR <= year <= THIS_YEAR:
            raise ParameterError(f"{name}={year}: out of range; allowed: {FIRST_YEAR} to {THIS_YEAR}")
    for y in report_years:
        if base_year >= y:
            raise ParameterError(f"base_year={base_year}: must be before report_year={y}")


def check_years(available: dict[str, list[int]], report_year, base_year) -> None:
    """Years the data serve (``available``: what the clean stage found, {"report": [...], "base": [...]})."""
    for name, value, kind in (("report_year", report_year, "report"), ("base_year", base_year, "base")):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterError(f"{name}={value!r}: must be a whole year like 2020")
        if value not in available[kind]:
            raise ParameterError(f"{name}={value}: no exports figure for that year; available {kind} years: "
                                 f"{', '.join(map(str, available[kind])) or 'none'}")
    check_year_order([report_year], base_year)


def check_text(name: str, text, url: bool = False) -> str:
    """One line of text, at most 200 characters ('' for none); with ``url``, an http(s) address."""
    text = str(text or "").strip()
    if url and text and not re.fullmatch(r"https?://[^\s<>\"]+", text):
        raise ParameterError(f"{name}={show(text[:60])}: allowed: an address starting with http:// or https://")
    if not url and (len(text) > 200 or any(ord(c) < 32 for c in text)):
        raise ParameterError(f"{name}={show(text[:40])}: allowed: one line of text, at most 200 characters")
    return text


def check_formats(formats) -> tuple[str, ...]:
    formats = (formats,) if isinstance(formats, str) else tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ParameterError(f"format={','.join(map(str, bad)) or '(none)'}: unknown; allowed: {', '.join(FORMATS)}")
    return tuple(dict.fromkeys(formats))


def check_output_dir(path, forbidden=()) -> Path:
    """A writable folder, or one that can be made; not the file-system root, nor inside what the build reads."""
    if path is None or not str(path).strip():
        raise ParameterError("output_dir='': empty; give a folder (default: the project folder)")
    try:
        p = probe = Path(path).expanduser().resolve()
        if p.exists() and not p.is_dir():
            raise ParameterError(f"output_dir={show(path)}: exists and is not a folder")
        while not probe.exists():
            probe = probe.parent
    except OSError as exc:
        raise ParameterError(f"output_dir={show(path)}: {reason(exc)}") from None
    if p == Path(p.anchor):
        raise ParameterError(f"output_dir={show(path)}: the file-system root; give a folder of its own")
    for f in (Path(f).resolve() for f in forbidden):
        if p == f or f in p.parents:
            raise ParameterError(f"output_dir={show(path)}: inside {show(f)}, which the build reads; "
                                 "choose a folder outside it")
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise ParameterError(f"output_dir={show(path)}: {show(probe)} is not writable")
    return p


def check_input_file(name: str, path) -> Path:
    """A file the user names (--data, --wdi): it must exist and be readable."""
    try:
        p = Path(path).expanduser()
        problem = ("file not found" if not p.exists() else "not a file" if not p.is_file() else
                   "not readable (check its permissions)" if not os.access(p, os.R_OK) else "")
    except OSError as exc:
        problem = reason(exc)
    if problem:
        raise ParameterError(f"{name}={show(path)}: {problem}")
    return p.resolve()


CHECKS = {"formats": check_formats, "top_n": check_top_n,
          "jobs": lambda v: _number("jobs", v, "a whole number from 1 to 8", 1, 8),
          "timeout": lambda v: _number("timeout", v, "a number of seconds above 0, at most 86400", 1e-9, 86400, False),
          "reviewer": lambda v: check_text("reviewer", v),
          "reviewer_url": lambda v: check_text("reviewer_url", v, True),
          "site_url": lambda v: check_text("site_url", v, True)}


class Build:
    """What to build, every parameter checked: made by :func:`make_build`, the defaults declared here."""
    report_years: list[int]
    base_year: int
    output_dir: Path
    formats: tuple[str, ...] = FORMATS
    raw_dir: Path = ROOT / "data" / "raw"
    notebooks_dir: Path = ROOT / "notebooks"
    user_data: Path | None = None
    wdi_file: Path | None = None
    top_n: int = stages.DEFAULTS["top_n"]
    force: bool = False
    jobs: int = 2          # reports built at once
    timeout: float = 600   # seconds a notebook may run
    reviewer: str = ""     # who checked ('' for the project's name)
    reviewer_url: str = ""  # their address, linked only when given
    site_url: str = ""     # where the report will be published, for ClaimReview's url
    progress: float = 5    # a job running longer than this says where it is, this often
    log: callable = print
    note: callable = staticmethod(lambda text: print(f"run_report.py: note: {text}", file=sys.stderr))

    def __init__(self, **given):
        vars(self).update(given)

    @property
    def variant(self) -> str:
        return stages.variant(self.user_data, self.wdi_file)

    def tag(self, year: int) -> str:
        return stages.tag(year, self.base_year, self.top_n, self.variant)


def make_build(report_years, base_year, output_dir, raw_dir=None, notebooks_dir=None, user_data="auto",
               wdi_file=None, **kw) -> Build:
    """Check every parameter (one-line ParameterError) before anything runs or is written. ``user_data``:
    'auto', the drop-in series (data/raw/user/tech_exchange_series.csv) if there is one; '' or 'none', none."""
    kw = {k: CHECKS[k](v) if k in CHECKS else v for k, v in kw.items()}
    years = parse_years(report_years)
    base = parse_years([base_year], "--base-year")[0]  # (an int is read as its digits)
    check_year_order(years, base)
    raw_dir, notebooks_dir = Path(raw_dir or Build.raw_dir), Path(notebooks_dir or Build.notebooks_dir)
    out = check_output_dir(output_dir, forbidden=[raw_dir, notebooks_dir, ROOT / "techtrade"])
    choice, drop_in = str(user_data or "").strip().lower(), raw_dir / "user" / Path(stages.RAW["user_series"]).name
    if choice == "auto":
        user_data = drop_in if drop_in.exists() else None
    elif choice in ("", "none"):
        user_data = None
    return Build(report_years=years, base_year=base, output_dir=out, raw_dir=raw_dir, notebooks_dir=notebooks_dir,
                 user_data=user_data and check_input_file("data", user_data),
                 wdi_file=wdi_file and check_input_file("wdi", wdi_file) or None, **kw)
