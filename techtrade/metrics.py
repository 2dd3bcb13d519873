"""Year-dependent metrics: where things stood in the report year against the base year (stage 03).

Also the check that the requested years can be served by the data, used by run_report.py before
any kernel starts and by the notebooks' first cell when they are run by hand.
"""
from __future__ import annotations

import math

import pandas as pd

from .evidence import Quantities
from .intervals import Interval


from .errors import ParameterError  # noqa: E402  (re-exported: metrics.ParameterError)


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
    level("imports", report_year)
    for flow in ("exports", "imports"):
        g, why = growth(q, flow, report_year)
        rows.append(_row(f"{flow} growth from previous year", report_year, g, "percent",
                         "derived" if g is not None else "missing",
                         f"{flow} {report_year} / {flow} {prev} - 1" if g is not None else why,
                         _src(q, (report_year, prev), flow) if g is not None else ""))
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


def growth(q: Quantities, flow: str, year: int) -> tuple[Interval | None, str]:
    """Change from the previous year, in percent, or None and the reason in words."""
    cur, prev = q.row(year, flow), q.row(year - 1, flow)
    if cur is None:
        return None, f"no {flow} figure for {year}"
    if prev is None:
        return None, f"no {flow} figure for {year - 1}"
    if prev["status"] == "derived" and set(prev["figure_ids"].split(";")) >= set(cur["figure_ids"].split(";")):
        return None, f"the only {year - 1} figure is derived from the {year} figure itself"
    return Interval(cur["lo"], cur["hi"]).pct_change(Interval(prev["lo"], prev["hi"])), ""


def smallest_deficit_since(q: Quantities, year: int) -> str:
    """In words: since when the year's deficit is the smallest, over the balances the data hold."""
    b = q.get(year, "balance")
    have = [y for y in q.years("balance") if y < year]
    if b is None:
        return f"no balance for {year} can be computed from the data"
    if b.lo > 0:
        return f"{year} shows a surplus, not a deficit"
    if not have:
        return f"the data hold no balance before {year}, so no “lowest since” can be said"
    y = year - 1
    while y >= have[0]:
        other = q.get(y, "balance")
        if other is None:
            return (f"the {year} deficit is smaller than in every year {y + 1}\u2013{year - 1}, but the data "
                    f"have no balance for {y}, so how far back that goes cannot be said" if y < year - 1 else
                    f"the data have no balance for {y}, so no “lowest since” can be said")
        if other.hi >= b.lo:  # this year's deficit may be as small as the report year's
            if y == year - 1:
                return (f"the {year} deficit is larger than the {y} one" if other.lo > b.hi else
                        f"the {year} deficit is not clearly smaller than the {y} one")
            definite = other.lo >= b.hi
            return (f"the {year} deficit is the smallest since {y}" if definite else
                    f"the {year} deficit is smaller than in every year {y + 1}\u2013{year - 1}; "
                    f"{y} may have been smaller or larger")
        y -= 1
    return f"the {year} deficit is the smallest in the data, which begin in {have[0]}"


def _src(q: Quantities, years, flow="exports") -> str:
    out = []
    for y in years:
        r = q.row(y, flow)
        out += [s for s in (r["source_ids"].split(";") if r else []) if s not in out]
    return ";".join(out)


def basis(metrics: pd.DataFrame, name: str, year: int) -> str:
    """How a metric was computed, or why it is missing."""
    m = metrics[(metrics["metric"] == name) & (metrics["year"] == year)]
    return "" if m.empty else str(m["basis"].iloc[0])


def metric(metrics: pd.DataFrame, name: str, year: int) -> Interval | None:
    """One metric back as an Interval (None where the data lack it)."""
    m = metrics[(metrics["metric"] == name) & (metrics["year"] == year)]
    if m.empty or pd.isna(m["lo"].iloc[0]):
        return None
    lo, hi = float(m["lo"].iloc[0]), float(m["hi"].iloc[0])
    return Interval(lo, hi if not math.isnan(hi) else math.inf)
