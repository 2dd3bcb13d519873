"""Checking the build's parameters before any kernel starts (and in each notebook run by hand).

Every check raises :class:`ParameterError` with one line: the parameter, the value, what is allowed.
No pandas here: run_report.py checks its parameters in a fraction of a second. :func:`make_build`
checks them all and returns the :class:`Build` that runner.py runs.
"""
from __future__ import annotations

import errno
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ..config import FIRST_YEAR, THIS_YEAR
from ..errors import ParameterError
from . import stages

FORMATS = ("html", "pdf")
TOP_N_RANGE = (1, 20)
_YEAR = r"[0-9]{4}"  # ASCII digits only: "２０２０" is not a year here
_RANGE = re.compile(rf"^({_YEAR})\s*(?:-|\.\.|:)\s*({_YEAR})$")


def display(value) -> str:
    """A value (a path, a file name) as text that can always be printed: a file name need not be
    valid UTF-8."""
    text = os.fsdecode(value) if isinstance(value, (bytes, os.PathLike)) else str(value)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _show(value) -> str:
    """A value as a message quotes it: display(value), in quotes."""
    return repr(display(value))


def parse_years(values, name: str = "--report-year") -> list[int]:
    """'2020' -> [2020]; ['2019', '2021'] -> [2019, 2021]; '2019-2021' -> [2019, 2020, 2021]."""
    values = [values] if isinstance(values, (str, int)) else list(values)
    years: list[int] = []
    for v in values:
        if isinstance(v, int) and not isinstance(v, bool):
            years.append(v)
            continue
        s = str(v).strip()
        m = _RANGE.match(s)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if a > b:
                raise ParameterError(f"{name}={_show(s)}: a range must run forwards, like 2019-2021")
            years += range(a, b + 1)
        elif re.fullmatch(_YEAR, s):
            years.append(int(s))
        else:
            raise ParameterError(f"{name}={_show(s)}: not a year; give a whole year like 2020, several, "
                                 "or a range like 2019-2021")
    if not years:
        raise ParameterError(f"{name}: no year given")
    dupes = sorted({y for y in years if years.count(y) > 1})
    if dupes:
        raise ParameterError(f"{name}: {', '.join(map(str, dupes))} given twice")
    return years


def check_top_n(top_n) -> int:
    lo, hi = TOP_N_RANGE
    bad = ParameterError(f"top_n={_show(top_n)}: not a whole number; allowed: {lo} to {hi}")
    if isinstance(top_n, bool) or (isinstance(top_n, float) and not top_n.is_integer()):
        raise bad
    if isinstance(top_n, str) and not re.fullmatch(r"\s*[0-9]+\s*", top_n):
        raise bad
    try:
        n = int(top_n)
    except (TypeError, ValueError):
        raise bad from None
    if not lo <= n <= hi:
        raise ParameterError(f"top_n={n}: out of range; allowed: {lo} to {hi}")
    return n


def check_jobs(jobs) -> int:
    """Reports built at once in a sweep: a whole number from 1 to 8."""
    text = str(jobs)
    if isinstance(jobs, bool) or not (text.isascii() and text.isdigit() and 1 <= int(text) <= 8):
        raise ParameterError(f"jobs={text!r}: allowed: a whole number from 1 to 8")
    return int(text)


def check_timeout(seconds) -> float:
    """The time limit of one notebook, in seconds: a number above 0, at most a day."""
    text = str(seconds).strip()
    if isinstance(seconds, bool) or not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text) or not 0 < float(text) <= 86400:
        raise ParameterError(f"timeout={text!r}: allowed: a number of seconds above 0, at most 86400")
    return float(text)


def check_year_order(report_years: list[int], base_year: int) -> None:
    """Years any data could serve: from FIRST_YEAR to this year, the base year before each report year."""
    for name, year in [("report_year", y) for y in report_years] + [("base_year", base_year)]:
        if not FIRST_YEAR <= year <= THIS_YEAR:
            raise ParameterError(f"{name}={year}: out of range; allowed: {FIRST_YEAR} to {THIS_YEAR}")
    for y in report_years:
        if base_year >= y:
            raise ParameterError(f"base_year={base_year}: must be before report_year={y}")


def check_reviewer(name) -> str:
    """Who checked, as the byline and ClaimReview name them: one line of text ('' for the project's name)."""
    text = str(name or "").strip()
    if len(text) > 200 or any(ord(c) < 32 for c in text):
        raise ParameterError(f"reviewer={_show(text[:40])}: allowed: one line of text, at most 200 characters")
    return text


def check_url(url, name: str) -> str:
    """An address the page links to: '' (none), or an http(s) address without spaces."""
    text = str(url or "").strip()
    if text and not re.fullmatch(r"https?://[^\s<>\"]+", text):
        raise ParameterError(f"{name}={_show(text[:60])}: allowed: an address starting with http:// or https://")
    return text


def check_formats(formats) -> tuple[str, ...]:
    formats = (formats,) if isinstance(formats, str) else tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ParameterError(f"format={','.join(map(str, bad)) or '(none)'}: unknown; allowed: {', '.join(FORMATS)}")
    return tuple(dict.fromkeys(formats))


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "a name in the path is too long"
    return (exc.strerror or str(exc)).lower()


def check_output_dir(path, forbidden=()) -> Path:
    """The output folder: an existing writable folder, or one that can be made; never the file-system
    root, nor inside the inputs or the code (a build there would write over what it reads)."""
    if path is None or not str(path).strip():
        raise ParameterError("output_dir='': empty; give a folder (default: the project folder)")
    try:
        p = Path(path).expanduser().resolve()
        if p.exists() and not p.is_dir():
            raise ParameterError(f"output_dir={_show(path)}: exists and is not a folder")
        probe = p
        while not probe.exists():
            probe = probe.parent
    except OSError as exc:
        raise ParameterError(f"output_dir={_show(path)}: {_os_reason(exc)}") from None
    if p == Path(p.anchor):
        raise ParameterError(f"output_dir={_show(path)}: the file-system root; give a folder of its own")
    for f in forbidden:
        f = Path(f).resolve()
        if p == f or f in p.parents:
            raise ParameterError(f"output_dir={_show(path)}: inside {_show(f)}, which the build reads; "
                                 "choose a folder outside it")
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise ParameterError(f"output_dir={_show(path)}: {_show(probe)} is not writable")
    return p


def check_input_file(path, name: str) -> Path:
    """A file the user names (--data, --wdi): it must exist and be readable."""
    try:
        p = Path(path).expanduser()
        if not p.exists():
            raise ParameterError(f"{name}={_show(path)}: file not found")
        if not p.is_file():
            raise ParameterError(f"{name}={_show(path)}: not a file")
        if not os.access(p, os.R_OK):
            raise ParameterError(f"{name}={_show(path)}: not readable (check its permissions)")
        return p.resolve()
    except OSError as exc:
        raise ParameterError(f"{name}={_show(path)}: {_os_reason(exc)}") from None


def resolve_user_data(user_data, drop_in: Path) -> Path | None:
    """'auto' (the default): the drop-in file data/raw/user/tech_exchange_series.csv if it exists;
    '' or 'none': no user series; anything else: that file."""
    if user_data is None or str(user_data).strip().lower() in ("", "none"):
        return None
    if str(user_data).strip().lower() == "auto":
        return drop_in if drop_in.exists() else None
    return Path(user_data)


def check_years(available: dict[str, list[int]], report_year, base_year) -> None:
    """Years the data can serve: ``available`` is what the clean stage found ({"report": [...], "base": [...]})."""
    for name, value in (("report_year", report_year), ("base_year", base_year)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterError(f"{name}={value!r}: must be a whole year like 2020")
    if report_year not in available["report"]:
        raise ParameterError(f"report_year={report_year}: no exports figure for that year; "
                             f"available report years: {_list(available['report'])}")
    if base_year not in available["base"]:
        raise ParameterError(f"base_year={base_year}: no exports figure for that year; "
                             f"available base years: {_list(available['base'])}")
    check_year_order([report_year], base_year)


def _list(years) -> str:
    return ", ".join(map(str, years)) or "none"


@dataclass(frozen=True)
class Build:
    """What to build, every parameter checked: construct it with :func:`make_build`."""

    report_years: list[int]
    base_year: int
    output_dir: Path
    formats: tuple[str, ...] = FORMATS
    raw_dir: Path = stages.ROOT / "data" / "raw"
    notebooks_dir: Path = stages.ROOT / "notebooks"
    user_data: Path | None = None
    wdi_file: Path | None = None
    top_n: int = stages.DEFAULTS["top_n"]
    force: bool = False
    jobs: int = 2          # reports built at once (--jobs)
    timeout: float = 600   # seconds a notebook may run (--timeout)
    reviewer: str = ""     # who checked (--reviewer; '' for the project's name)
    reviewer_url: str = ""  # their address (--reviewer-url), linked only when given
    site_url: str = ""     # where the report will be published (--site-url), for ClaimReview's url
    progress: float = 5    # a job running longer than this says where it is, this often
    log: callable = print
    note: callable = lambda text: print(f"run_report.py: note: {text}", file=sys.stderr)

    @property
    def variant(self) -> str:
        return stages.variant(self.user_data, self.wdi_file)

    def tag(self, year: int) -> str:
        return stages.tag(year, self.base_year, self.top_n, self.variant)


def make_build(report_years, base_year, output_dir, formats=FORMATS, raw_dir=None, notebooks_dir=None,
               user_data="auto", wdi_file=None, top_n=stages.DEFAULTS["top_n"], jobs=2, timeout=600, reviewer="",
               reviewer_url="", site_url="", **kw) -> Build:
    """Check every parameter (one-line ParameterError) before anything runs or is written."""
    checked = dict(jobs=check_jobs(jobs), timeout=check_timeout(timeout), reviewer=check_reviewer(reviewer),
                   reviewer_url=check_url(reviewer_url, "reviewer_url"), site_url=check_url(site_url, "site_url"))
    years = parse_years(report_years)
    base = base_year if isinstance(base_year, int) and not isinstance(base_year, bool) else \
        parse_years([base_year], "--base-year")[0]
    check_year_order(years, base)
    raw_dir = Path(raw_dir or stages.ROOT / "data" / "raw")
    notebooks_dir = Path(notebooks_dir or stages.ROOT / "notebooks")
    out = check_output_dir(output_dir, forbidden=[raw_dir, notebooks_dir, stages.ROOT / "techtrade"])
    user = resolve_user_data(user_data, raw_dir / Path(stages.RAW["user_series"]).relative_to("data/raw"))
    return Build(years, base, out, check_formats(formats), raw_dir, notebooks_dir,
                 check_input_file(user, "data") if user else None, check_input_file(wdi_file, "wdi") if wdi_file else None,
                 check_top_n(top_n), **checked, **kw)
