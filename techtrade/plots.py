"""Figures of the report, in one shared style (stage 03, analysis).

Honest about what is known: a value known exactly is a dot; a rounded value is a range with caps; a
bound is drawn as a bound, an open range from it with an arrow the way the true value lies ("more than
$4.5 billion" starts at 4.5 and goes up; "almost $1 billion" runs from zero to 1); a derived value is
hollow, and the legend says so. Each figure is drawn twice, wide (desktop, PDF) and narrow (a phone),
as SVG with its text as text; its title, caption and sources are in the page, not in the image.
Every number on a figure is written by fmt.py.
"""
from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt  # the backend is matplotlib's choice: inline in JupyterLab, Agg headless
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import config, fmt
from .evidence import Quantities
from .intervals import INF, Interval
from .marks import (BOUND_LABEL, DERIVED_LABEL, INK, MEASURE_COLOURS, PUBLISHER_COLOURS, add_legend, bound_style,
                    derived_style, draw_interval, money_axis, publisher_of, range_style, series_legend, swatch,
                    visible_top)

SIZES = {"wide": (7.2, 3.2), "narrow": (3.8, 4.6)}          # inches; narrow is read on a 390 px phone
TWO_PANELS = {"wide": dict(nrows=1, ncols=2, figsize=(7.2, 3.3)),   # side by side on a page or a desktop,
              "narrow": dict(nrows=2, ncols=1, figsize=(3.8, 6.6))}  # one above the other on a phone



def use_style() -> None:
    """The one style every figure uses (also call it in a notebook before editing a figure)."""
    sns.set_theme(style="whitegrid", context="notebook", font="DejaVu Sans",
                  rc={"axes.titlesize": 10.5, "axes.titleweight": "bold", "axes.labelsize": 9.5,
                      "xtick.labelsize": 9.5, "ytick.labelsize": 9.5, "legend.fontsize": 9,
                      "figure.dpi": 100, "savefig.dpi": 150, "svg.fonttype": "none",
                      "text.parse_math": False,  # "$1.4 billion" is money, not TeX
                      "svg.hashsalt": "techtrade",  # stable ids: the same figure gives the same bytes
                      "axes.spines.top": False, "axes.spines.right": False, "axes.titlelocation": "left",
                      "grid.color": "#e3e3e3", "axes.edgecolor": "#888888"})


# -- the figures ---------------------------------------------------------------------------------------
def export_levels(q: Quantities, first: int | None = None, last: int | None = None) -> list:
    """Total exports, published or derived, from ``first`` to ``last``: (key, row) pairs."""
    return [(k, r) for k, r in q.select(flow="exports", measure="level", partner="World")
            if (first is None or k.year >= first) and (last is None or k.year <= last)]


def _draw_levels(ax, rows, top: float) -> tuple[dict[str, set], bool, bool]:
    """Each level at its year, coloured by who published it, hollow if derived. Returns what was drawn
    (publisher -> years), whether anything derived was, and whether any bound was (for the legend)."""
    drawn, derived, bound = {}, False, False
    for k, r in rows:
        pub = publisher_of(r["source_ids"])
        iv = Interval(r["lo"], r["hi"])
        draw_interval(ax, k.year, iv, PUBLISHER_COLOURS[pub], r["status"] == "derived", top)
        drawn.setdefault(pub, set()).add(k.year)
        derived |= r["status"] == "derived"
        bound |= iv.hi == INF
    return drawn, derived, bound


def _year_ticks(ax, years: list[int], must: tuple[int, ...], size: str) -> None:
    """Year ticks, at most 6 on a phone and 10 on a desktop, that always include the first of ``must``
    (the report year) and the others (the base year) where they do not crowd it; the rest of the grid
    gives way to them."""
    most = 6 if size == "narrow" else 10
    first, last = min(years), max(years)
    step = max(1, -(-(last - first) // (most - 1)))
    ticks: list[int] = []
    for y in [y for y in must if first <= y <= last] + list(range(first, last + 1, step)):
        if all(abs(y - t) >= step for t in ticks):
            ticks.append(y)
    ax.set_xticks(sorted(ticks))


def ends_differ(q: Quantities, year: int, base: int, flow: str = "exports") -> bool:
    """Do the two ends of a ratio rest on different publications (a ratio across two)?"""
    a, b = q.row(year, flow), q.row(base, flow)
    return a is not None and b is not None and set(a["source_ids"].split(";")) != set(b["source_ids"].split(";"))


def fig_exports(q: Quantities, report_year: int, base_year: int, size: str = "wide"):
    """Exports in every year the figures cover up to the report year, as published or derived, with
    the report year against the base year."""
    rows = export_levels(q, last=report_year)
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=SIZES[size], layout="constrained")
    top = visible_top([Interval(r["lo"], r["hi"]) for _, r in rows])
    drawn, derived, bound = _draw_levels(ax, rows, top)
    years = [k.year for k, _ in rows]
    ax.set_xlim(min(years) - 0.8, max(years) + 0.8)
    _year_ticks(ax, years, (report_year, base_year), size)
    ax.set_ylim(0, top)
    money_axis(ax)
    ax.set_ylabel("USD billion")
    ratio = q.get(report_year, "exports") / q.get(base_year, "exports")
    how = "derived, two publications" if ends_differ(q, report_year, base_year) else "derived"
    ax.set_title(f"{report_year} against {base_year}:{' ' if size == 'wide' else chr(10)}{fmt.ratio(ratio)} ({how})",
                 fontsize=10)
    add_legend(fig, series_legend(drawn, derived, bound), size=size)
    return fig


def fig_trade(q: Quantities, report_year: int, size: str = "wide"):
    """Exports and imports, and the balance, for every year with both, up to the report year."""
    years = [y for y in q.years("balance") if y <= report_year]
    if not years:
        return None
    fig, (ax, axb) = plt.subplots(**TWO_PANELS[size], layout="constrained")
    levels = [q.get(y, f) for y in years for f in ("exports", "imports")]
    top = visible_top(levels)
    dx = 0.24 if len(years) > 1 else 0.12
    flows = {"exports": "#1f5f8b", "imports": "#c8553d"}
    derived = bound = False
    for y in years:
        for off, flow in ((-dx, "exports"), (dx, "imports")):
            r = q.row(y, flow)
            iv = Interval(r["lo"], r["hi"])
            draw_interval(ax, y + off, iv, flows[flow], r["status"] == "derived", top)
            derived |= r["status"] == "derived"
            bound |= iv.hi == INF
    ax.set_ylim(0, top)
    money_axis(ax)
    ax.set_ylabel("USD billion")
    ax.set_title("Exports and imports", fontsize=10)
    ax.set_xlim(min(years) - 0.8, max(years) + 0.8)
    _year_ticks(ax, years, (report_year,), "narrow")
    add_legend(fig, [(f, swatch(c)) for f, c in flows.items()] + series_legend({}, derived, bound), size=size)
    bal = [q.get(y, "balance") for y in years]
    lo = min(iv.lo for iv in bal if math.isfinite(iv.lo))
    hi = max([iv.hi for iv in bal if math.isfinite(iv.hi)] + [0.0])
    span = max(hi - lo, 1.0)
    btop, bbottom = hi + span * 0.45, lo - span * 0.12
    for y, iv in zip(years, bal):
        draw_interval(axb, y, iv, "#555555", True, btop, bottom=bbottom)
    axb.axhline(0, color=INK, lw=0.9)
    axb.set_ylim(bbottom, btop)
    money_axis(axb)
    axb.set_ylabel("USD billion")
    axb.text(0.02, 0.03, "above 0: a surplus", transform=axb.transAxes, ha="left", va="bottom", fontsize=8.5,
             color="#4d4d4d")
    axb.set_title("Balance (derived)", fontsize=10)
    axb.set_xlim(min(years) - 0.8, max(years) + 0.8)
    _year_ticks(axb, years, (report_year,), "narrow")
    return fig


NAMED = ("Netherlands", "United States", "Germany", "Switzerland", "China", "Belarus")  # the article's (C6, C7)


def partner_order(q: Quantities, year: int, top_n: int) -> list[tuple[str, Interval]]:
    """The partners drawn: those the article names first, then the others; within each, by the smallest
    value each could have, then the largest, then the name (ties are common: "more than $250 million"
    each). The first ``top_n``."""
    parts = q.partners(year)
    ranked = sorted(parts.items(), key=lambda kv: (kv[0] not in NAMED, -kv[1].lo, -kv[1].hi, kv[0]))
    return ranked[:top_n]


def fig_partners(q: Quantities, report_year: int, top_n: int = 6, size: str = "wide"):
    """The report year's partners, each as what the figures allow: a range or an open bound."""
    shown = partner_order(q, report_year, top_n)
    if not shown:
        return None
    fig, ax = plt.subplots(figsize=(SIZES[size][0], 1.2 + 0.3 * len(shown) + (0.9 if size == "narrow" else 0.2)),
                           layout="constrained")
    top = visible_top([iv for _, iv in shown])
    drawn, bound = {}, False
    for i, (name, iv) in enumerate(reversed(shown)):
        r = q.row(report_year, "exports", partner=name)
        pub = publisher_of(r["source_ids"])
        draw_interval(ax, i, iv, PUBLISHER_COLOURS[pub], r["status"] == "derived", top, horizontal=True)
        drawn.setdefault(pub, set()).add(name)
        bound |= iv.hi == INF
    ax.set_yticks(range(len(shown)), [n for n, _ in reversed(shown)])
    ax.set_ylim(-0.7, len(shown) - 0.3)
    ax.set_xlim(0, top)
    money_axis(ax, "x")
    ax.set_xlabel("USD billion")
    ax.grid(axis="y", visible=False)
    entries = series_legend(drawn, False, bound)
    if any(iv.lo == 0 and math.isfinite(iv.hi) and not iv.is_point for _, iv in shown):
        entries.append(("at most (from zero)", range_style("#666666")))
    add_legend(fig, entries, size=size)
    return fig


MEASURES = (("ict_exports", "BX.GSR.CCIS.CD", "ICT service exports"),
            ("ip_receipts", "BX.GSR.ROYL.CD", "IP receipts"))


MEASURE_YEARS = (2010, 2024)  # the years the side-by-side figure covers (from the base year, if earlier)


def measures_pair(q: Quantities, wdi: pd.DataFrame, report_year: int, base_year: int) -> tuple[int, int]:
    """The years the measures figure compares: the report's own, where form 1-TB and the World Bank's
    ICT service exports both have them; else the article's."""
    ict = set(wdi[wdi["indicator_code"] == MEASURES[0][1]]["year"])
    mine = q.get(report_year, "exports") is not None and q.get(base_year, "exports") is not None
    if mine and {report_year, base_year} <= ict:
        return report_year, base_year
    return config.ARTICLE_YEAR, config.ARTICLE_BASE_YEAR


def fig_measures(q: Quantities, wdi: pd.DataFrame, report_year: int = config.ARTICLE_YEAR,
                 base_year: int = config.ARTICLE_BASE_YEAR, size: str = "wide"):
    """Form 1-TB exports (the article, the 2021 paper, OECD MSTI) beside the World Bank's other
    measures, and each one's report year against the base year (measures_pair)."""
    y, b = measures_pair(q, wdi, report_year, base_year)
    first, last = min(b, MEASURE_YEARS[0]), MEASURE_YEARS[1]
    fig, (ax, axr) = plt.subplots(**TWO_PANELS[size], layout="constrained", gridspec_kw={"width_ratios" if size == "wide" else
                                                                    "height_ratios": [1.5, 1]})
    series = {}
    for _, code, label in MEASURES:
        s = wdi[(wdi["indicator_code"] == code) & wdi["year"].between(first, last)].sort_values("year")
        if not s.empty:
            series[label] = s
    tb = export_levels(q, first, last)
    ivs = [Interval(r["lo"], r["hi"]) for _, r in tb] + [Interval.point(v / 1e6) for s in series.values()
                                                          for v in s["value"]]
    top = visible_top(ivs) if ivs else 1.0
    for label, s in series.items():
        ax.plot(s["year"], s["value"] / 1e6, color=MEASURE_COLOURS[label], lw=1.8, marker="o", ms=3.5, zorder=2)
    drawn, derived, bound = _draw_levels(ax, tb, top)
    ax.set_ylim(0, top)
    ax.set_xlim(first - 0.6, last + 0.6)
    _year_ticks(ax, list(range(first, last + 1)), (y, b), "narrow")
    money_axis(ax)
    ax.set_ylabel("USD billion")
    ax.set_title("Levels", fontsize=10)
    entries = [(f"form 1-TB, {pub}", swatch(PUBLISHER_COLOURS[pub])) for pub in PUBLISHER_COLOURS if pub in drawn]
    entries += [(f"{label} (World Bank)", dict(color=MEASURE_COLOURS[label], lw=1.8, marker="o", ms=3.5))
                for label in series]
    if bound:
        entries.append((BOUND_LABEL, bound_style("#666666")))
    # the report year against the base year, each measure
    rows = []
    ex_now, ex_before = q.get(y, "exports"), q.get(b, "exports")
    if ex_now is not None and ex_before is not None:
        pub = publisher_of(q.row(y, "exports")["source_ids"])
        label = "form 1-TB exports" + (" (two publications)" if ends_differ(q, y, b) else "")
        rows.append((label, ex_now / ex_before, PUBLISHER_COLOURS[pub], True))
        derived = True
    for label, s in series.items():
        v = s.set_index("year")["value"]
        if y in v.index and b in v.index:
            rows.append((label, Interval.point(float(v[y]) / float(v[b])), MEASURE_COLOURS[label], False))
    rtop = max([r[1].lo for r in rows] + [1.0]) * 1.6
    if any(r[1].hi == INF for r in rows) and (BOUND_LABEL, bound_style("#666666")) not in entries:
        entries.append((BOUND_LABEL, bound_style("#666666")))
    for i, (label, iv, colour, derived_) in enumerate(reversed(rows)):
        draw_interval(axr, i, iv, colour, derived_, rtop, horizontal=True)
        axr.text(iv.lo, i + 0.28, fmt.ratio(iv), ha="left" if iv.hi == INF else "center", va="bottom", fontsize=9,
                 color=INK)
    axr.axvline(1, color="#999999", lw=0.8, ls=":")
    axr.set_yticks(range(len(rows)), [r[0] for r in reversed(rows)])
    axr.set_ylim(-0.6, len(rows) - 0.2)
    axr.set_xlim(0, rtop)
    axr.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.tick_labels([v])[0] + "\u00d7"))
    axr.xaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 5, 10]))
    axr.grid(axis="y", visible=False)
    axr.set_title(f"{y} against {b}", fontsize=10)
    if derived:
        entries.append((DERIVED_LABEL, derived_style()))
    add_legend(fig, entries, size=size)
    return fig


def draw_all(q: Quantities, wdi: pd.DataFrame, report_year: int, base_year: int, top_n: int = 6) -> list[dict]:
    """Every figure of the report: {name, figs ({size: figure}), source_ids (what it draws on), years (the
    years it compares, for its caption)}; a figure the data cannot make for these years is left out."""
    def ids(rows):
        return list(dict.fromkeys(s for _, r in rows for s in r["source_ids"].split(";") if s))

    pair = measures_pair(q, wdi, report_year, base_year)
    ex = export_levels(q, last=report_year)
    trade = [(k, r) for k, r in q.select(measure="level", partner="World")
             if k.flow in ("exports", "imports") and k.year <= report_year and q.get(k.year, "balance") is not None]
    part = [(k, r) for k, r in q.select(year=report_year, flow="exports", measure="level") if k.partner != "World"]
    meas = export_levels(q, min(pair[1], MEASURE_YEARS[0]), MEASURE_YEARS[1])
    wdi_ids = sorted(set(wdi[wdi["indicator_code"].isin([c for _, c, _ in MEASURES])]["source_id"]))
    makers = [("measures", lambda s: fig_measures(q, wdi, report_year, base_year, s), ids(meas) + wdi_ids, pair),
              ("exports", lambda s: fig_exports(q, report_year, base_year, s), ids(ex), (report_year, base_year)),
              ("trade", lambda s: fig_trade(q, report_year, s), ids(trade), (report_year, report_year)),
              ("partners", lambda s: fig_partners(q, report_year, top_n, s), ids(part), (report_year, report_year))]
    out = []
    for name, make, source_ids, (y, b) in makers:
        figs = {s: make(s) for s in SIZES}
        if all(f is not None for f in figs.values()):
            out.append({"name": name, "figs": figs, "source_ids": source_ids, "years": [b, y]})
        else:
            for f in figs.values():
                if f is not None:
                    plt.close(f)
    return out


def save_all(drawn: list[dict], figures_dir: str | Path) -> list[dict]:
    """Save every figure draw_all made; return their records for the results (name, files, sources, years)."""
    return [{"name": d["name"], "files": save(d["figs"], figures_dir, d["name"]), "source_ids": d["source_ids"],
             "years": d["years"]} for d in drawn]


def save(figs: dict, figures_dir: str | Path, name: str) -> dict[str, str]:
    """Save a figure's renderings as SVG (text as text, stable bytes); return the file names by size."""
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    out = {}
    for size, fig in figs.items():
        path = figures_dir / f"{name}-{size}.svg"
        fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(fig)
        out[size] = path.name
    return out
