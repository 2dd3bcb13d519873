"""The marks every figure is made of (stage 03, analysis): who published a value is its colour; what
is known about it is its shape. A value known exactly is a dot; a rounded value is a range with caps;
a bound is an open range from the bound to the edge of the axes, ending in an arrow; a derived value
is hollow and dashed. The legend names exactly the marks drawn. Every number is written by fmt.py.
"""
from __future__ import annotations

import math

from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import fmt
from .intervals import INF, Interval

# Colours by publication (not by year): who says it is what the reader needs to see.
PUBLISHER_COLOURS = {"the article": "#1f5f8b", "the 2021 paper": "#2e7d32", "OECD MSTI": "#b35c00",
                     "your series": "#00796b", "other": "#555555"}
BOUND_LABEL = "arrow: a bound, the value lies beyond"
DERIVED_LABEL = "derived by us (hollow, dashed)"
MEASURE_COLOURS = {"ICT service exports": "#7a5195", "IP receipts": "#c2185b"}
INK = "#222222"


def publisher_of(source_ids: str) -> str:
    ids = [s for s in str(source_ids).split(";") if s]
    if any(s.startswith("USER") for s in ids):
        return "your series"
    if any(s in ("MT", "EWDN", "BNE") for s in ids):
        return "the article"
    if "SPB" in ids:
        return "the 2021 paper"
    if "OECD" in ids:
        return "OECD MSTI"
    return "other"


# -- one interval, drawn honestly -------------------------------------------------------------------
def draw_interval(ax, x: float, iv: Interval, colour: str, derived: bool, top: float, horizontal: bool = False,
                  bottom: float = 0.0) -> None:
    """A point (dot), a range (caps), or a bound: an open range from the bound to the edge of the
    axes (``top`` or ``bottom``), ending in an arrow. Hollow when derived."""
    face = "white" if derived else colour
    kw = dict(color=colour, lw=2.2, solid_capstyle="butt", zorder=3)

    def line(a, b):
        (ax.plot([a, b], [x, x], **kw) if horizontal else ax.plot([x, x], [a, b], **kw))

    def mark(v, marker="o"):
        (ax.plot([v], [x], marker, ms=6.5, mfc=face, mec=colour, mew=1.6, zorder=4) if horizontal
         else ax.plot([x], [v], marker, ms=6.5, mfc=face, mec=colour, mew=1.6, zorder=4))

    def arrow(a, b):
        xy, xytext = ((b, x), (a, x)) if horizontal else ((x, b), (x, a))
        ax.annotate("", xy=xy, xytext=xytext, zorder=3,
                    arrowprops=dict(arrowstyle="-|>", color=colour, lw=2.2, mutation_scale=13,
                                    linestyle="--" if derived else "-"))

    if iv.is_point:
        mark(iv.lo)
    elif iv.hi == INF:                       # at least: from the bound up to the edge
        arrow(iv.lo, top)
        mark(iv.lo, "_" if not horizontal else "|")
    elif iv.lo == -INF:                      # at most, with no floor
        arrow(iv.hi, bottom)
        mark(iv.hi, "_" if not horizontal else "|")
    else:                                    # a range (rounding, or an "at most" from zero)
        if derived:
            kw["linestyle"] = "--"
        line(iv.lo, iv.hi)
        for v in (iv.lo, iv.hi):
            mark(v, "_" if not horizontal else "|")
        if derived:
            mark(iv.mid, "o")


def visible_top(ivs) -> float:
    """The top of the axis: above every finite end, with room for open ranges to show as open."""
    ends = [v for iv in ivs for v in (iv.lo, iv.hi) if math.isfinite(v)]
    return max(ends) * 1.35 if ends else 1.0


def money_axis(ax, axis="y", scale=1000.0):
    fmt_axis = FuncFormatter(lambda v, _: fmt.tick_labels([v], scale)[0])
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt_axis)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_locator(MaxNLocator(5, steps=[1, 2, 2.5, 5, 10]))


def add_legend(fig, entries: list[tuple[str, dict]], size="wide"):
    """A legend of exactly what was drawn ((label, Line2D style) pairs), under the plot, never over it."""
    handles = [Line2D([], [], label=label, **style) for label, style in entries]
    if handles:
        longest = max(len(label) for label, _ in entries)
        fits = max(1, int(fig.get_figwidth() // (0.072 * longest + 0.7)))  # columns that fit the width, in inches
        fig.legend(handles=handles, loc="outside lower center", frameon=False, ncol=min(fits, 3, len(handles)))


def dot(colour, hollow=False):
    return dict(color=colour, marker="o", linestyle="none", ms=6.5, mfc="white" if hollow else colour, mec=colour)


def bound_style(colour):
    return dict(color=colour, marker="^", linestyle="-", ms=6, lw=2)


def range_style(colour):
    return dict(color=colour, marker="_", linestyle="-", ms=9, lw=2.2)


def swatch(colour):
    """A colour's legend entry (who published it), not a kind of value."""
    return dict(color=colour, lw=5, solid_capstyle="butt")


def series_legend(drawn: dict[str, set[str]], derived: bool, bound: bool) -> list[tuple[str, dict]]:
    entries = [(f"{pub}", swatch(PUBLISHER_COLOURS[pub])) for pub in PUBLISHER_COLOURS if pub in drawn]
    if derived:
        entries.append((DERIVED_LABEL, derived_style()))
    if bound:
        entries.append((BOUND_LABEL, bound_style("#666666")))
    return entries


def derived_style():
    return dict(color="#666666", marker="o", linestyle="--", ms=6, mfc="white", mec="#666666", lw=1.5)
