"""Figures of the report, in one shared style (stage 03, analysis).

Every figure carries a title, its units and a source line. Published values are solid; derived
values are hatched and say so. A bound ("more than", "almost") is drawn as a bar to the bound
with an arrow pointing to where the true value lies.
"""
from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt  # the backend is matplotlib's choice: inline in JupyterLab, Agg headless
import pandas as pd
import seaborn as sns

from .fmt import money
from .evidence import Quantities
from .intervals import Interval

PALETTE = {"exports": "#1f6f8b", "imports": "#c8553d", "balance": "#6b6b6b", "partner": "#1f6f8b",
           "context": "#7a5195", "context2": "#ef8a17"}
DERIVED_HATCH = "///"
FIGSIZE = (7.6, 4.2)
DPI = 150


def use_style() -> None:
    """The one style every figure uses (also call it in a notebook before editing a figure)."""
    sns.set_theme(style="whitegrid", context="notebook", font="DejaVu Sans",
                  rc={"axes.titlesize": 12, "axes.titleweight": "bold", "axes.labelsize": 10,
                      "xtick.labelsize": 9, "ytick.labelsize": 9, "legend.fontsize": 8.5,
                      "figure.dpi": 100, "savefig.dpi": DPI, "svg.fonttype": "none",
                      "text.parse_math": False,  # "$1.4bn-$1.5bn" is money, not TeX
                      "svg.hashsalt": "techtrade",  # stable ids: the same figure gives the same bytes
                      "axes.spines.top": False, "axes.spines.right": False})


def source_line(fig, text: str) -> None:
    fig.text(0.01, 0.01, text, ha="left", va="bottom", fontsize=7.5, color="#555555", wrap=True)


def _display_value(iv: Interval) -> tuple[float, str]:
    """Where a bar ends for an interval, and which way the truth may lie ('up', 'down', '')."""
    if iv.hi == math.inf:
        return iv.lo, "up"
    if iv.lo <= 0 < iv.hi and iv.lo != iv.hi and not iv.bounded:
        return iv.hi, "down"
    if iv.lo == 0 and iv.hi > 0:
        return iv.hi, "down"
    return (iv.lo + iv.hi) / 2, ""


def bar(ax, x, iv: Interval, color: str, derived: bool, width=0.6, horizontal=False, label=None, alpha=1.0):
    """One bar for an interval: solid if published, hatched if derived; whisker or arrow for bounds."""
    value, direction = _display_value(iv)
    kw = dict(color=color if not derived else "white", edgecolor=color, linewidth=1.2,
              hatch=DERIVED_HATCH if derived else None, label=label, zorder=2, alpha=alpha)
    if horizontal:
        ax.barh(x, value, height=width, **kw)
    else:
        ax.bar(x, value, width=width, **kw)
    span = abs(value) * 0.12 or 1
    if direction == "":
        if iv.lo != iv.hi:
            err = [[value - iv.lo], [iv.hi - value]]
            (ax.errorbar(value, x, xerr=err, **_ERR) if horizontal else ax.errorbar(x, value, yerr=err, **_ERR))
    else:
        sign = 1 if direction == "up" else -1
        if horizontal:
            ax.annotate("", xy=(value + sign * span, x), xytext=(value, x), arrowprops=_ARROW)
        else:
            ax.annotate("", xy=(x, value + sign * span), xytext=(x, value), arrowprops=_ARROW)
    return value, direction


_ERR = dict(fmt="none", ecolor="#222222", elinewidth=1.2, capsize=5, zorder=3)
_ARROW = dict(arrowstyle="-|>", color="#222222", lw=1.4, mutation_scale=12)


def bn(x: float) -> str:
    """4500 (USD mn) -> '$4.50bn'."""
    return ("\u2212" if x < 0 else "") + f"${abs(x) / 1000:,.2f}bn".replace(".00bn", "bn")


def label_for(iv: Interval, fmt=bn) -> str:
    value, direction = _display_value(iv)
    if direction == "up":
        return f"\u2265 {fmt(value)}"
    if direction == "down":
        return f"\u2264 {fmt(value)}"
    if iv.is_point:
        return fmt(value)
    if fmt is bn and iv.lo >= 0:
        return f"${iv.lo / 1000:,.2f}\u2013{iv.hi / 1000:,.2f}bn"
    return f"{fmt(iv.lo)} to {fmt(iv.hi)}"


def _legend_handles(colors: dict[str, str]):
    from matplotlib.patches import Patch
    handles = [Patch(facecolor=c, edgecolor=c, label=f"{k} (published)") for k, c in colors.items()]
    handles.append(Patch(facecolor="white", edgecolor="#444444", hatch=DERIVED_HATCH, label="derived by us"))
    return handles


def fig_exports(q: Quantities, report_year: int, base_year: int, source: str):
    """Exports in every year the data cover up to the report year; base and report years in full
    colour, the ratio between them annotated (derived)."""
    years = [y for y in q.years("exports") if y <= report_year]
    many = len(years) > 8
    fig, ax = plt.subplots(figsize=FIGSIZE)
    top = 0.0
    for y in years:
        row = q.row(y, "exports")
        iv = Interval(row["lo"], row["hi"])
        focus = y in (base_year, report_year)
        value, _ = bar(ax, y, iv, PALETTE["exports"], row["status"] == "derived", width=0.7,
                       alpha=1.0 if focus else 0.45)
        end = value if iv.hi == math.inf else iv.hi
        top = max(top, end)
        if focus or not many:
            ax.text(y, end + (top * 0.13 if iv.hi == math.inf else top * 0.02),
                    label_for(iv) + ("\n(derived)" if row["status"] == "derived" else ""),
                    ha="center", va="bottom", fontsize=8 if not many else 7.5)
    ratio = q.get(report_year, "exports") / q.get(base_year, "exports")
    if many:
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, nbins=10))
    else:
        ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlim(min(years) - 1.2, max(years) + 1.2)
    ax.set_ylim(0, top * 1.45)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v / 1000:,.0f}"))
    ax.set_ylabel("USD billion, current prices")
    ax.set_title(f"Russia's technology exports, {years[0]}\u2013{report_year}", loc="left")
    ax.text(0.99, 0.97, f"{report_year} / {base_year}: {_ratio_words(ratio)} (derived)",
            transform=ax.transAxes, ha="right", va="top", fontsize=10, fontweight="bold",
            bbox=dict(boxstyle="round,pad=0.3", facecolor="#f2f2f2", edgecolor="#bbbbbb"))
    ax.legend(handles=_legend_handles({"exports": PALETTE["exports"]}) + _bound_handles(),
              loc="upper left", frameon=False)
    source_line(fig, f"Source: {source}. Receipts from exports of technologies (Rosstat form 1-TB). "
                     f"Full colour: {base_year} and {report_year}. Arrow: only a bound is published; "
                     "whisker: rounding range.")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def _bound_handles():
    from matplotlib.lines import Line2D
    return [Line2D([], [], color="#222222", marker="^", linestyle="-", markersize=6,
                   label="bound: true value lies this way")]


def _ratio_words(iv: Interval) -> str:
    if iv.is_point:
        return f"{iv.lo:.2f}\u00d7"
    if iv.hi == math.inf:
        return f"at least {iv.lo:.2f}\u00d7"
    if iv.lo <= 0:
        return f"at most {iv.hi:.2f}\u00d7"
    return f"{iv.lo:.2f}\u00d7\u2013{iv.hi:.2f}\u00d7"


def fig_trade(q: Quantities, report_year: int, source: str):
    """Exports against imports, and the balance, for every year with both (up to the report year)."""
    years = [y for y in q.years("balance") if y <= report_year]
    many = len(years) > 4
    fig, (ax, axb) = plt.subplots(1, 2, figsize=(FIGSIZE[0], FIGSIZE[1] + 0.3),
                                  gridspec_kw={"width_ratios": [1.6, 1] if not many else [1.2, 1]})
    w = 0.38
    for i, y in zip(years if many else range(len(years)), years):
        for off, flow in ((-w / 2, "exports"), (w / 2, "imports")):
            row = q.row(y, flow)
            bar(ax, i + off, Interval(row["lo"], row["hi"]), PALETTE[flow], row["status"] == "derived", width=w)
        brow = q.row(y, "balance")
        biv = Interval(brow["lo"], brow["hi"])
        bar(axb, i, biv, PALETTE["balance"], True, width=0.55 if not many else 0.75)
        if not many:
            axb.text(i, 40, label_for(biv, money).replace(" to ", "\nto "), ha="center", va="bottom", fontsize=8)
    for a in (ax, axb):
        if many:
            a.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, nbins=5))
        else:
            a.set_xticks(range(len(years)), [str(y) for y in years])
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v / 1000:,.0f}"))
    ax.set_ylim(0, max(max(q.get(y, f).lo if q.get(y, f).hi == math.inf else q.get(y, f).hi
                           for f in ("exports", "imports")) for y in years) * 1.45)
    ax.set_ylabel("USD billion, current prices")
    axb.set_ylabel("USD million, current prices")
    ax.set_title("Technology exports and imports", loc="left")
    axb.set_title("Balance (derived)", loc="left")
    axb.axhline(0, color="#222222", lw=0.8)
    lo = min(q.get(y, "balance").lo for y in years)
    hi = max(q.get(y, "balance").hi for y in years if q.get(y, "balance").hi < math.inf) if many else 0
    axb.set_ylim(min(lo * 1.25, -200), max(300, abs(lo) * (0.45 if not many else 0.1), hi * 1.2))
    ax.legend(handles=_legend_handles({"exports": PALETTE["exports"], "imports": PALETTE["imports"]}),
              loc="upper left", frameon=False)
    source_line(fig, f"Source: {source}. Balance derived by us; hatched bars are derived from ratios or "
                     "differences of published figures.")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def fig_partners(q: Quantities, report_year: int, source: str, top_n: int = 6):  # noqa: C901
    """The largest partners of the report year, bounds shown as bounds, and the implied share."""
    rows = [r for k, r in q.select(year=report_year, flow="exports", measure="level") if k.partner != "World"]
    if not rows:
        return None
    rows = sorted(rows, key=lambda r: -_display_value(Interval(r["lo"], r["hi"]))[0])[:top_n][::-1]
    total = q.get(report_year, "exports")
    fig, ax = plt.subplots(figsize=FIGSIZE)
    for i, r in enumerate(rows):
        iv = Interval(r["lo"], r["hi"])
        value, _ = bar(ax, i, iv, PALETTE["partner"], r["status"] == "derived", horizontal=True, width=0.6)
        words = label_for(iv)
        share = None if total is None else iv / total * 100
        if share is not None and not (share.lo <= 0 and share.hi == math.inf):
            words += f"   ({_share_words(share)} of all exports, derived)"
        ax.text(value + 140 if _display_value(iv)[1] == "up" else value + 30, i, words, va="center", fontsize=8.5)
    ax.set_yticks(range(len(rows)), [r["partner"] for r in rows])
    ax.set_xlim(0, max(_display_value(Interval(r["lo"], r["hi"]))[0] for r in rows) * 2.0)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v / 1000:,.2f}"))
    ax.set_xlabel("USD billion, current prices")
    ax.set_title(f"Largest markets for Russia's technology exports, {report_year}", loc="left")
    ax.legend(handles=_bound_handles(), loc="lower right", frameon=False)
    source_line(fig, f"Source: {source}. Only bounds are published: \u2264 'almost', \u2265 'more than'. "
                     f"Total exports {report_year}: {label_for(total) if total else 'not shipped'}.")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def _share_words(iv: Interval) -> str:
    if iv.hi == math.inf or iv.lo <= 0:
        return f"\u2264 {iv.hi:.1f}%" if iv.lo <= 0 else f"\u2265 {iv.lo:.1f}%"
    return f"{iv.lo:.1f}\u2013{iv.hi:.1f}%"


def fig_wdi(wdi: pd.DataFrame, report_year: int, base_year: int, source: str):
    """The World Bank series, on their own: another measure, for context only."""
    fig, axes = plt.subplots(1, 3, figsize=(FIGSIZE[0] + 1.4, FIGSIZE[1]))
    panels = [("High-tech goods exports", ["TX.VAL.TECH.CD"], "USD billion", 1e9),
              ("Charges for use of IP", ["BX.GSR.ROYL.CD", "BM.GSR.ROYL.CD"], "USD billion", 1e9),
              ("R&D expenditure", ["GB.XPD.RSDV.GD.ZS"], "% of GDP", 1)]
    names = {"BX.GSR.ROYL.CD": "receipts", "BM.GSR.ROYL.CD": "payments"}
    colors = [PALETTE["context"], PALETTE["context2"]]
    for ax, (title, codes, unit, scale) in zip(axes, panels):
        for code, color in zip(codes, colors):
            s = wdi[wdi["indicator_code"] == code].sort_values("year")
            ax.plot(s["year"], s["value"] / scale, color=color, lw=1.8, label=names.get(code))
        for y, ls in ((base_year, ":"), (report_year, "--")):
            ax.axvline(y, color="#444444", lw=0.9, ls=ls)
        ax.set_title(title, loc="left", fontsize=10.5)
        ax.set_ylabel(unit)
        ax.set_ylim(bottom=0)
        if len(codes) > 1:
            ax.legend(frameon=False, loc="upper left")
    fig.suptitle("Context: World Bank indicators for Russia (a different measure)", x=0.01, ha="left",
                 fontweight="bold", fontsize=12)
    source_line(fig, f"Source: {source}. Not Rosstat's technology exchange: high-tech GOODS exports (UN Comtrade) "
                     f"and IP charges (IMF BoP). Dotted: {base_year}; dashed: {report_year}.")
    fig.tight_layout(rect=(0, 0.05, 1, 0.95))
    return fig


def save(fig, figures_dir: str | Path, name: str) -> dict[str, str]:
    """Save a figure as PNG (for HTML) and SVG (vector) into the report's figures folder; return the
    file names."""
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    out = {}
    for ext in ("png", "svg"):
        path = figures_dir / f"{name}.{ext}"
        fig.savefig(path, format=ext, metadata=_metadata(ext))
        out[ext] = path.name
    plt.close(fig)
    return out


def _metadata(ext: str) -> dict:
    # No creation dates or tool versions in the files, so rebuilds give identical bytes.
    if ext == "svg":
        return {"Date": None, "Creator": None}
    return {"Software": None}


def _publishers(sources: pd.DataFrame, ids) -> str:
    pub = dict(zip(sources["source_id"], sources["publisher"]))
    seen = list(dict.fromkeys(s for x in ids for s in str(x).split(";") if s))
    return "; ".join(pub.get(s, s) for s in seen)


def draw_all(q: Quantities, wdi: pd.DataFrame, sources: pd.DataFrame, report_year: int, base_year: int,
             top_n: int = 6) -> list[tuple[str, object, list[str]]]:
    """Every figure of the report, as (name, figure, the source ids it draws on); a figure the data
    cannot make for these years is left out."""
    def ids(keys):
        return list(dict.fromkeys(s for k, r in keys for s in r["source_ids"].split(";") if s))

    ex = [(k, r) for k, r in q.select(flow="exports", measure="level", partner="World") if k.year <= report_year]
    trade = [(k, r) for k, r in q.select(measure="level", partner="World")
             if k.flow in ("exports", "imports") and k.year <= report_year and q.get(k.year, "balance") is not None]
    part = [(k, r) for k, r in q.select(year=report_year, flow="exports", measure="level")]
    wdi_ids = sorted(set(wdi["source_id"]))
    out = [("exports", fig_exports(q, report_year, base_year, _publishers(sources, ids(ex))), ids(ex)),
           ("trade", fig_trade(q, report_year, _publishers(sources, ids(trade))), ids(trade)),
           ("partners", fig_partners(q, report_year, _publishers(sources, ids(part)), top_n=top_n), ids(part)),
           ("wdi", fig_wdi(wdi, report_year, base_year, _publishers(sources, wdi_ids)), wdi_ids)]
    return [(name, fig, i) for name, fig, i in out if fig is not None]
