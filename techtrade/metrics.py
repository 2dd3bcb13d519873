"""Year-dependent metrics: where things stood in the report year against the base year (stage 03).

Also the check that the requested years can be served by the data, used by run_report.py before
any kernel starts and by the notebooks' first cell when they are run by hand.
"""
from __future__ import annotations

import math

import pandas as pd

from .evidence import Quantities
from .intervals import Interval


class ParameterError(ValueError):
    """A parameter the data cannot serve. The message is one line naming it and what is allowed."""


def available_years(q: Quantities) -> dict[str, list[int]]:
    """Years with a usable level of total exports (published or derived): report and base years."""
    years = [y for y in q.years("exports") if q.get(y, "exports").lo > 0]
    return {"report": years[1:], "base": years[:-1]}


def check_years(q: Quantities, report_year, base_year) -> None:
    avail = available_years(q)
    for name, value in (("report_year", report_year), ("base_year", base_year)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterError(f"{name}={value!r}: must be a whole year like 2020")
    if report_year not in avail["report"]:
        raise ParameterError(f"report_year={report_year}: no exports figure for that year; "
                             f"available report years: {_list(avail['report'])}")
    if base_year not in avail["base"]:
        raise ParameterError(f"base_year={base_year}: no exports figure for that year; "
                             f"available base years: {_list(avail['base'])}")
    if base_year >= report_year:
        raise ParameterError(f"base_year={base_year}: must be before report_year={report_year}")


def _list(years) -> str:
    return ", ".join(map(str, years)) or "none"


def _row(metric, year, iv: Interval | None, unit, status, basis, sources, measure="Rosstat form 1-TB"):
    return dict(metric=metric, year=year, lo=None if iv is None else iv.lo, hi=None if iv is None else iv.hi,
                unit=unit, status=status, basis=basis, source_ids=sources, measure=measure)


def year_metrics(q: Quantities, wdi: pd.DataFrame, report_year: int, base_year: int) -> pd.DataFrame:
    """The metrics the narrative quotes for the chosen years; missing ones are rows with no value."""
    rows = []

    def level(flow, year):
        r = q.row(year, flow)
        if r is None:
            rows.append(_row(f"{flow} level", year, None, "USD mn", "missing", "no figure", ""))
            return None
        iv = Interval(r["lo"], r["hi"])
        rows.append(_row(f"{flow} level", year, iv, "USD mn", r["status"], r["basis"], r["source_ids"]))
        return iv

    ex_r, ex_b = level("exports", report_year), level("exports", base_year)
    if ex_r is not None and ex_b is not None:
        rows.append(_row("exports ratio report/base", report_year, ex_r / ex_b, "ratio", "derived",
                         f"exports {report_year} / exports {base_year}", _src(q, (report_year, base_year))))
    prev = report_year - 1
    ex_p = q.get(prev, "exports")
    if ex_r is not None and ex_p is not None and (ex_r / ex_p).bounded:
        g = ex_r / ex_p
        rows.append(_row("exports growth from previous year", report_year, Interval(g.lo * 100 - 100, g.hi * 100 - 100),
                         "percent", "derived", f"exports {report_year} / exports {prev} - 1", _src(q, (report_year, prev))))
    im_r = level("imports", report_year)
    im_p = q.get(prev, "imports")
    if im_r is not None and im_p is not None and (im_r / im_p).bounded:
        g = im_r / im_p
        rows.append(_row("imports growth from previous year", report_year, Interval(g.lo * 100 - 100, g.hi * 100 - 100),
                         "percent", "derived", f"imports {report_year} / imports {prev} - 1",
                         _src(q, (report_year, prev), "imports")))
    level("balance", report_year)
    for code, name in (("BX.GSR.ROYL.CD", "IP charges, receipts"), ("TX.VAL.TECH.CD", "high-tech goods exports")):
        vals = {}
        for y in (base_year, report_year):
            s = wdi[(wdi["indicator_code"] == code) & (wdi["year"] == y)]
            v = None if s.empty else float(s["value"].iloc[0]) / 1e6
            vals[y] = v
            rows.append(_row(f"WDI {name}", y, None if v is None else Interval.point(v), "USD mn",
                             "published" if v is not None else "missing", code, "WDI" if v is not None else "",
                             measure="World Bank WDI (another measure)"))
        if all(v is not None for v in vals.values()):
            rows.append(_row(f"WDI {name} ratio report/base", report_year,
                             Interval.point(vals[report_year] / vals[base_year]), "ratio", "derived",
                             f"{code} {report_year} / {base_year}", "WDI", measure="World Bank WDI (another measure)"))
    return pd.DataFrame(rows)


def _src(q: Quantities, years, flow="exports") -> str:
    out = []
    for y in years:
        r = q.row(y, flow)
        out += [s for s in (r["source_ids"].split(";") if r else []) if s not in out]
    return ";".join(out)


def metric(metrics: pd.DataFrame, name: str, year: int) -> Interval | None:
    """One metric back as an Interval (None where the data lack it)."""
    m = metrics[(metrics["metric"] == name) & (metrics["year"] == year)]
    if m.empty or pd.isna(m["lo"].iloc[0]):
        return None
    lo, hi = float(m["lo"].iloc[0]), float(m["hi"].iloc[0])
    return Interval(lo, hi if not math.isnan(hi) else math.inf)
