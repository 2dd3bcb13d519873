"""Figures of the report, in one shared style (stage 03, analysis).

Honest about what is known, and each saying one thing: a value known exactly is a dot; a rounded value
is a range with caps; a bound is a cap at the bound with a short arrow the way the true value lies,
labelled beside it ("≥ $4.5 billion"); a derived value is hollow, and the legend says so (marks.py).
The legend shows the marks drawn, nothing else. Each figure is drawn twice, wide (desktop, PDF) and
narrow (a phone), as SVG with its text as text; its title, caption and sources are in the page, not in
the image, and under it a table of the numbers it draws (each record's ``data``, one row per mark).
Every number on a figure is written by fmt.py.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt  # the backend is matplotlib's choice: inline in JupyterLab, Agg headless
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import ScaledTranslation

from .. import config, fmt, measures
from ..clean.evidence import Quantities, ids_in, join_ids
from ..intervals import Interval
from .marks import (
    DOT_MS,
    INK,
    NEUTRAL,
    PUBLISHER_COLOURS,
    Drawn,
    add_legend,
    lay_out,
    money_axis,
    note,
    place_labels,
    publication_of,
    value_limits,
)

SIZES = {"wide": (7.2, 3.2), "narrow": (3.8, 4.6)}          # inches; narrow is read on a 390 px phone
TWO_PANELS = {"wide": dict(nrows=1, ncols=2, figsize=(7.2, 3.3)),   # side by side on a page or a desktop,
              "narrow": dict(nrows=2, ncols=1, figsize=(3.8, 6.6))}  # one above the other on a phone
PUBLISHERS = list(PUBLISHER_COLOURS)


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


def _draw_levels(d: Drawn, ax, rows, lims, entry: str = "{pub}", label: bool = True) -> None:
    """Each level at its year, coloured by who published it, hollow if derived; its legend entry is
    ``entry`` with the publisher's name. ``label``: a bound is labelled beside its cap (False: no mark
    is)."""
    for k, r in rows:
        pub = publication_of(r["publications"])
        d.mark(ax, k.year, r["iv"], PUBLISHER_COLOURS[pub], r["status"] == "derived", lims,
               entry=entry.format(pub=pub), series=f"form 1-TB exports, {pub}", unit=r["unit"],
               source_ids=r["source_ids"], label_bounds=label)


def _done(fig, d: Drawn):
    """The figure, its year ticks fitted to the layout, its arrows and labels placed, with the numbers it
    draws (figure_data)."""
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    lay_out(fig)                   # the layout, as it will be saved (nothing drawn yet)
    fit_year_ticks(fig, fig.canvas.get_renderer())
    place_labels(fig)              # lays out again, with the ticks as fitted
    fig.techtrade_data = d.data
    return fig


def figure_data(fig) -> list[dict]:
    """The numbers a figure draws, one dict per mark (per partner on a row that stands for several):
    series, x (a year, a partner or a measure), kind, lo, hi (None: unbounded), unit, derived, source_ids."""
    return list(getattr(fig, "techtrade_data", []))


YEAR_STEPS = (1, 2, 5, 10, 20, 50)   # regular year ticks: every so many years, at multiples of it


def _year_ticks(ax, years: list[int], must: tuple[int, ...], size: str) -> None:
    """Year ticks from the first of ``years`` to the last: the report and base years (``must``, where
    drawn) always, and regular ones between them, fitted once the layout is known (fit_year_ticks)."""
    first, last = min(years), max(years)
    must = tuple(dict.fromkeys(y for y in must if first <= y <= last))
    ax.techtrade_years = (first, last, must, 6 if size == "narrow" else 10)
    ax.set_xticks(sorted(set(must) | {first, last}))   # until the layout is known


def fit_year_ticks(fig, renderer) -> None:
    """Each year axis's ticks (_year_ticks), as the layout allows: regular ones, every 1, 2, 5, 10 ...
    years at multiples of it (the fewest years apart whose labels do not touch, at most 6 on a phone
    and 10 on a desktop); the report and base years always, a regular tick too near either giving way.
    If those two are too near each other to be written side by side (2018 and 2019 on a phone), the
    base year's label goes a line lower, under its own grid line, so both are written in full."""
    for ax in fig.axes:
        spec = getattr(ax, "techtrade_years", None)
        if spec is None:
            continue
        first, last, must, most = spec
        x0, x1 = ax.get_xlim()
        per_year = ax.bbox.width / (x1 - x0)
        font = ax.xaxis.get_major_ticks()[0].label1.get_fontproperties()
        w, _, _ = renderer.get_text_width_height_descent(str(last), font, ismath=False)
        need = (w + renderer.points_to_pixels(4)) / per_year          # years between two labels' middles
        step = next((k for k in YEAR_STEPS if k >= need and (last - first) // k + 1 <= most), YEAR_STEPS[-1])
        regular = {y for y in range(first, last + 1) if y % step == 0}
        ticks = sorted(set(must) | {y for y in regular if all(abs(y - m) >= need for m in must)})
        ax.set_xticks(ticks)
        low = {m for m in must[1:] if abs(m - must[0]) < need}
        pad, line = plt.rcParams["xtick.major.pad"], font.get_size_in_points() * 1.2   # a line of text, and air
        for y, tick in zip(ticks, ax.xaxis.get_major_ticks(len(ticks))):
            tick.set_pad(pad + line if y in low else pad)
            # a line lower, joined to the axis by a tick of the grid's colour, so it reads as its year's
            tick.tick1line.set(visible=y in low, markersize=line + 1, color=plt.rcParams["grid.color"],
                               markeredgewidth=0.8)
        ax.techtrade_low_years = sorted(low)


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
    lims = value_limits(r["iv"] for _, r in rows)
    d = Drawn()
    _draw_levels(d, ax, rows, lims)
    years = [k.year for k, _ in rows]
    ax.set_xlim(min(years) - 0.8, max(years) + 0.8)
    _year_ticks(ax, years, (report_year, base_year), size)
    ax.set_ylim(*lims)
    money_axis(ax)
    ax.set_ylabel("USD billion")
    ratio = q.get(report_year, "exports") / q.get(base_year, "exports")
    how = "derived, two publications" if ends_differ(q, report_year, base_year) else "derived"
    ax.set_title(f"{report_year} against {base_year}:{' ' if size == 'wide' else chr(10)}{fmt.ratio(ratio)} ({how})",
                 fontsize=10)
    add_legend(fig, d.legend(PUBLISHERS), size=size)
    return _done(fig, d)


FLOWS = {"exports": "#1f5f8b", "imports": "#c8553d"}


def _side_by_side(years: list[int], size: str) -> float:
    """How far (pt) a year's exports are drawn left of it and its imports right, so that neither hides
    the other nor a neighbouring year's: a quarter of a year on the page, at most half a dot and a
    little (many years on a phone: smaller marks, never one behind another)."""
    panel = TWO_PANELS[size]
    width_in = panel["figsize"][0] / panel["ncols"] - 0.7      # the panel's plot, less its axis labels
    year_pt = width_in * 72 / (max(years) - min(years) + 1.6)
    return min(DOT_MS / 2 + 0.4, year_pt / 4)


def fig_trade(q: Quantities, report_year: int, size: str = "wide"):
    """Exports and imports, and the balance, for every year with both, up to the report year."""
    years = [y for y in q.years("balance") if y <= report_year]
    if not years:
        return None
    fig, (ax, axb) = plt.subplots(**TWO_PANELS[size], layout="constrained")
    d = Drawn()
    lims = value_limits(q.get(y, f) for y in years for f in FLOWS)
    side = _side_by_side(years, size)
    for y in years:
        for off, flow in ((-side, "exports"), (side, "imports")):
            r = q.row(y, flow)
            d.mark(ax, y, r["iv"], FLOWS[flow], r["status"] == "derived", lims, entry=flow, series=flow,
                   unit=r["unit"], source_ids=r["source_ids"], offset_pt=off, width=2 * side - 0.4)
    ax.set_ylim(*lims)
    money_axis(ax)
    ax.set_ylabel("USD billion")
    ax.set_title("Exports and imports", fontsize=10)
    ax.set_xlim(min(years) - 0.8, max(years) + 0.8)
    _year_ticks(ax, years, (report_year,), "narrow")
    bal = [(y, q.row(y, "balance")) for y in years]
    blims = value_limits([r["iv"] for _, r in bal], floor=None)
    for y, r in bal:  # in the panel's neutral colour: its title says what it is, the legend that hollow is derived
        d.mark(axb, y, r["iv"], NEUTRAL, r["status"] == "derived", blims, entry=None, series="balance",
               unit=r["unit"], source_ids=r["source_ids"], floor=None)
    axb.axhline(0, color=INK, lw=0.9, zorder=1)
    axb.set_ylim(*blims)
    money_axis(axb)
    axb.set_ylabel("USD billion")
    # on the zero line's surplus side, at whichever end of it is clear
    note(axb, "above 0: a surplus", [(4, 3, "left", "bottom", (0, 0)), (-4, 3, "right", "bottom", (1, 0)),
                                     (0, 3, "center", "bottom", (0.5, 0))])
    axb.set_title("Balance (derived)", fontsize=10)
    axb.set_xlim(min(years) - 0.8, max(years) + 0.8)
    _year_ticks(axb, years, (report_year,), "narrow")
    add_legend(fig, d.legend(list(FLOWS)), size=size)
    return _done(fig, d)


NAMED = ("Netherlands", "United States", "Germany", "Switzerland", "China", "Belarus")  # the article's (C6, C7)


def partner_order(q: Quantities, year: int, top_n: int) -> list[tuple[str, Interval]]:
    """The partners drawn, by value: by the smallest value each could have, then the largest, then the
    name (ties are common: "more than $250 million" each). The first ``top_n``, every partner the
    article names, and every other partner that could be at least as large as the smallest of those:
    no partner left out could be larger than one shown (so the figure shows the largest, whatever
    ``top_n`` is, and hides no partner larger than one the article names)."""
    parts = q.partners(year)
    ranked = sorted(parts.items(), key=lambda kv: (-kv[1].lo, -kv[1].hi, kv[0]))
    shown = {n for n, _ in ranked[:top_n]} | {n for n in parts if n in NAMED}
    while shown:
        cut = min(parts[n].lo for n in shown)
        more = {n for n, iv in parts.items() if iv.hi >= cut} - shown
        if not more:
            break
        shown |= more
    return [(n, iv) for n, iv in ranked if n in shown]


def partner_rows(q: Quantities, year: int, top_n: int) -> list[tuple[list[str], Interval, dict]]:
    """The rows of the partners figure, top to bottom: partners next to each other in partner_order
    with the same figure from the same publication share one row (five "more than $250 million" are
    one arrow, "each"), so the figure draws what differs."""
    rows: list[tuple[list[str], Interval, dict]] = []
    for name, iv in partner_order(q, year, top_n):
        r = q.row(year, "exports", partner=name)
        if rows and rows[-1][1] == iv and (publication_of(rows[-1][2]["publications"]), rows[-1][2]["status"]) \
                == (publication_of(r["publications"]), r["status"]):
            rows[-1][0].append(name)
        else:
            rows.append(([name], iv, r))
    return rows


def names_label(names: list[str], width: int, marked: frozenset = frozenset()) -> str:
    """Partners' names for one row, in lines of at most ``width`` characters, never breaking a name;
    a name in ``marked`` (the article's, among others) with an asterisk."""
    lines = [""]
    for i, n in enumerate(names):
        piece = n + ("*" if n in marked else "") + ("," if i < len(names) - 1 else "")
        if lines[-1] and len(lines[-1]) + 1 + len(piece) > width:
            lines.append(piece)
        else:
            lines[-1] = f"{lines[-1]} {piece}".strip()
    return "\n".join(lines)


def marked_partners(names) -> frozenset:
    """The partners the article names, marked with an asterisk where others are shown beside them
    (where every partner shown is one it names, none is marked)."""
    names = set(names)
    named = names & set(NAMED)
    return frozenset(named) if named and named != names else frozenset()


def fig_partners(q: Quantities, report_year: int, top_n: int = 6, size: str = "wide"):
    """The report year's partners (partner_order), each as what the figures allow: a dot, a range or a
    bound; partners with the same figure on one row; the article's marked among others (marked_partners)."""
    rows = partner_rows(q, report_year, top_n)
    if not rows:
        return None
    marked = marked_partners(n for names, _, _ in rows for n in names)
    labels = [names_label(names, 30 if size == "wide" else 21, marked) for names, _, _ in rows]
    lines = [t.count("\n") + 1 for t in labels]
    pos = [0.0]   # bottom to top: a row of several lines takes more room
    for a, b in zip(lines[::-1], lines[::-1][1:]):
        pos.append(pos[-1] + max(1.0, 0.35 * (a + b)))
    pos = pos[::-1]
    fig, ax = plt.subplots(figsize=(SIZES[size][0], 1.2 + 0.3 * (pos[0] + 1) + (0.9 if size == "narrow" else 0.2)),
                           layout="constrained")
    lims = value_limits((iv for _, iv, _ in rows), room=0.3)  # room for the labels after the marks
    d = Drawn()
    for p, (names, iv, r) in zip(pos, rows):
        pub = publication_of(r["publications"])
        d.mark(ax, p, iv, PUBLISHER_COLOURS[pub], r["status"] == "derived", lims, entry=pub,
               series=f"form 1-TB exports, {pub}", unit=r["unit"], source_ids=r["source_ids"], xs=names,
               horizontal=True, each=len(names) > 1, label_values=True)
    ax.set_yticks(pos, labels)
    ax.set_ylim(-0.8, pos[0] + 0.8)
    ax.set_xlim(*lims)
    money_axis(ax, "x")
    ax.set_xlabel("USD billion")
    ax.grid(axis="y", visible=False)
    add_legend(fig, d.legend(PUBLISHERS), size=size)
    return _done(fig, d)


MEASURE_YEARS = (2010, 2024)  # the years the side-by-side figure covers (from the base year, if earlier)


def measures_pair(q: Quantities, wdi: pd.DataFrame, report_year: int, base_year: int) -> tuple[int, int]:
    """The years the measures figure compares: the report's own, where form 1-TB and the World Bank's
    ICT service exports both have them; else the article's."""
    ict = set(wdi[wdi["indicator_code"] == measures.DRAWN[0].code]["year"])  # ICT service exports
    mine = q.get(report_year, "exports") is not None and q.get(base_year, "exports") is not None
    if mine and {report_year, base_year} <= ict:
        return report_year, base_year
    return config.ARTICLE_YEAR, config.ARTICLE_BASE_YEAR


def fig_measures(q: Quantities, wdi: pd.DataFrame, report_year: int = config.ARTICLE_YEAR,
                 base_year: int = config.ARTICLE_BASE_YEAR, size: str = "wide"):
    """Form 1-TB exports (the article, the 2006–2021 paper, OECD MSTI) beside the World Bank's other
    measures, and each one's report year against the base year (measures_pair)."""
    y, b = measures_pair(q, wdi, report_year, base_year)
    first, last = min(b, MEASURE_YEARS[0]), MEASURE_YEARS[1]
    panels = TWO_PANELS[size] if size == "wide" else {**TWO_PANELS[size], "figsize": (3.8, 7.4)}  # room for the legend
    fig, (ax, axr) = plt.subplots(**panels, layout="constrained",
                                  gridspec_kw={"width_ratios": [1.8, 1]} if size == "wide" else {"height_ratios": [1.5, 1]})
    series, colour = {}, {m.legend: m.colour for m in measures.DRAWN}
    for m in measures.DRAWN:
        s = wdi[(wdi["indicator_code"] == m.code) & wdi["year"].between(first, last)].sort_values("year")
        if not s.empty:
            series[m.legend] = s
    tb = export_levels(q, first, last)
    lims = value_limits([r["iv"] for _, r in tb] + [Interval.point(v) for s in series.values()
                                                       for v in s["value_usd_mn"]])
    d = Drawn()
    for label, s in series.items():
        d.series(ax, f"{label} (World Bank)", s["year"], s["value_usd_mn"], colour[label],
                 source_ids=list(s["source_id"]))
    # no value labelled here (their years are too close for a label to be beside its own mark only: the
    # table under the figure gives each; the ratios, in the other panel, are); a mark that would cover a
    # series' dot is moved aside once the layout is known (marks.dodge_marks)
    _draw_levels(d, ax, tb, lims, entry="form 1-TB, {pub}", label=False)
    ax.techtrade_dodge = True
    ax.set_ylim(*lims)
    drawn = [k.year for k, _ in tb] + [int(v) for s in series.values() for v in s["year"]]
    first, last = min(drawn), max(drawn)   # the years drawn, as the figure's title says
    ax.set_xlim(first - 0.6, last + 1.6)  # room on the right for a bound's label beside the last years
    _year_ticks(ax, list(range(first, last + 1)), (y, b), size)
    money_axis(ax)
    ax.set_ylabel("USD billion")
    ax.set_title("Levels", fontsize=10)
    # the report year against the base year, each measure
    rows = []
    now, before = q.row(y, "exports"), q.row(b, "exports")
    if now is not None and before is not None:
        pub = publication_of(now["publications"])
        label = "form 1-TB exports" + (" (two publications)" if ends_differ(q, y, b) else "")
        rows.append((label, now["iv"] / before["iv"], PUBLISHER_COLOURS[pub], True, f"form 1-TB, {pub}",
                     join_ids(now["source_ids"], before["source_ids"])))
    for label, s in series.items():
        v, src = s.set_index("year")["value"], s.set_index("year")["source_id"]
        if y in v.index and b in v.index:   # a ratio of two published values: derived by us, hollow
            rows.append((label, Interval.point(float(v[y]) / float(v[b])), colour[label], True,
                         f"{label} (World Bank)", join_ids(src[y], src[b])))
    rlims = value_limits([r[1] for r in rows] + [Interval.point(1.0)], room=0.4)
    for i, (label, iv, colour, derived, entry, src) in enumerate(reversed(rows)):
        d.mark(axr, i, iv, colour, derived, rlims, entry=entry, series=f"{y} against {b}", unit="ratio",
               source_ids=src, xs=[label], horizontal=True, write=fmt.ratio, label_values=True)
    names = [r[0] for r in reversed(rows)]
    if size == "wide":
        axr.axvline(1, color="#999999", lw=0.8, ls=":", zorder=1)
        axr.set_yticks(range(len(rows)), [textwrap.fill(n, 20) for n in names])
        axr.set_ylim(-0.6, len(rows) - 0.3)
    else:  # on a phone each name sits above its row, so both panels keep the whole width; the 1x line
        # is drawn through each row's mark only, never through a name
        axr.set_yticks(range(len(rows)), names)
        for t in axr.get_yticklabels():
            t.set_visible(False)   # the rows keep their names (for reading the figure back), shown above them
        for i, n in enumerate(names):
            axr.text(0, i + 0.28, n, transform=axr.get_yaxis_transform() + ScaledTranslation(3 / 72, 0, fig.dpi_scale_trans),
                     ha="left", va="bottom", fontsize=9.5, color=INK)
            axr.plot([1, 1], [i - 0.22, i + 0.22], color="#999999", lw=0.8, ls=":", zorder=1)
        axr.set_ylim(-0.5, len(rows) - 0.05)
    axr.set_xlim(*rlims)
    axr.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.tick_labels([v])[0] + "\u00d7"))
    axr.xaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 5, 10]))
    axr.grid(axis="y", visible=False)
    axr.set_title(f"{y} against {b}", fontsize=10)
    add_legend(fig, d.legend([f"form 1-TB, {p}" for p in PUBLISHERS] + [f"{m.legend} (World Bank)" for m in measures.DRAWN]),
               size=size)
    return _done(fig, d)


def draw_all(q: Quantities, wdi: pd.DataFrame, report_year: int, base_year: int, top_n: int = 6) -> list[dict]:
    """Every figure of the report: {name, figs ({size: figure}), source_ids (what it draws on), years (the
    years it compares, for its caption), data (the numbers it draws, one dict per mark: figure_data),
    marked (the partners marked with an asterisk as the article's: marked_partners)}; a figure the data
    cannot make for these years is left out."""
    def ids(rows):
        return ids_in(*(r["source_ids"] for _, r in rows))

    pair = measures_pair(q, wdi, report_year, base_year)
    ex = export_levels(q, last=report_year)
    trade = [(k, r) for k, r in q.select(measure="level", partner="World")
             if k.flow in ("exports", "imports") and k.year <= report_year and q.get(k.year, "balance") is not None]
    part = [(k, r) for k, r in q.select(year=report_year, flow="exports", measure="level") if k.partner != "World"]
    meas = export_levels(q, min(pair[1], MEASURE_YEARS[0]), MEASURE_YEARS[1])
    wdi_ids = sorted(set(wdi[wdi["indicator_code"].isin([m.code for m in measures.DRAWN])]["source_id"]))
    makers = [("measures", lambda s: fig_measures(q, wdi, report_year, base_year, s), ids(meas) + wdi_ids, pair),
              ("exports", lambda s: fig_exports(q, report_year, base_year, s), ids(ex), (report_year, base_year)),
              ("trade", lambda s: fig_trade(q, report_year, s), ids(trade), (report_year, report_year)),
              ("partners", lambda s: fig_partners(q, report_year, top_n, s), ids(part), (report_year, report_year))]
    out = []
    for name, make, source_ids, (y, b) in makers:
        figs = {s: make(s) for s in SIZES}
        if all(f is not None for f in figs.values()):
            data = figure_data(figs["wide"])
            marked = sorted(marked_partners(d["x"] for d in data)) if name == "partners" else []
            out.append({"name": name, "figs": figs, "source_ids": source_ids, "years": [b, y], "data": data,
                        "marked": marked})
        else:
            for f in figs.values():
                if f is not None:
                    plt.close(f)
    return out


def save_all(drawn: list[dict], figures_dir: str | Path) -> list[dict]:
    """Save every figure draw_all made; return their records for the results (name, files, sources,
    years, data, marked)."""
    return [{"name": d["name"], "files": save(d["figs"], figures_dir, d["name"]), "source_ids": d["source_ids"],
             "years": d["years"], "data": d["data"], "marked": d.get("marked", [])} for d in drawn]


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
