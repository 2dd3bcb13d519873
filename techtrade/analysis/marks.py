"""The marks every figure is made of (stage 03, analysis): who published a value is its colour; what
is known about it is its shape.

- a value known exactly is a dot;
- a rounded value is a range with caps; one too short to see is drawn MIN_RANGE_PT long, a few pixels,
  just enough for its two caps to show (never a 2 px tick, never many times its length);
- a bound is a cap at the bound and a short arrow from it the way the true value lies: a thinner stem
  that can be seen (at least MIN_STEM_PT between the cap and the head) and a head clear of any
  reference line, ending well inside the axes (an arrowhead at the axis edge reads as a value), with
  its label beside the cap ("≥ $4.5bn", "≤ $1bn", "≥ 3.10×": fmt's words, the unit shortened);
- a derived value is hollow (an arrow's stem also dashed).

:class:`Drawn` draws each mark and keeps, for each, its legend key and the numbers behind it (the
figure's data alternative). The legend shows the marks themselves, in the colours drawn, and nothing
that is not drawn. :func:`place_labels` puts each label beside what it labels, clear of every other
text and mark, and nearer its own mark than any other (so that no label seems another mark's);
:func:`fit_arrows` keeps each arrow's stem visible and its head off the reference lines. Every number
is written by fmt.py.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.legend_handler import HandlerBase
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import Bbox, IdentityTransform, ScaledTranslation

from .. import fmt
from ..intervals import INF, Interval
from ..results import USER_SERIES

# Colours by publication (not by year): who says it is what the reader needs to see. The keys are the
# publications of form 1-TB as sources.csv's ``publication`` column names them, in its order (the legends'),
# then a user's series; a test holds the two together.
PUBLISHER_COLOURS = {"the article": "#1f5f8b", "the 2006\u20132021 paper": "#2e7d32", "OECD MSTI": "#b35c00",
                     USER_SERIES: "#00796b", "other": "#555555"}
INK = "#222222"
NEUTRAL = "#555555"        # what colour does not tell apart: the derived entry of a legend, the balance
DERIVED_LABEL = "derived by us (hollow)"

DOT, RANGE, AT_LEAST, AT_MOST, SERIES = "exact", "range", "at least", "at most", "series"
KINDS = (SERIES, DOT, RANGE, AT_LEAST, AT_MOST)     # the order of marks in a legend entry

LW = 2.2             # line width of ranges and of a bound's cap (pt)
STEM_LW = 1.3        # line width of a bound's stem: thinner than a range, so an arrow is not read as one
DOT_MS = 6.5         # a dot's diameter (pt)
CAP_MS = 9.0         # a cap's width (pt)
MIN_RANGE_PT = 4.5   # a range is never drawn shorter than this: its two caps (LW thick) and a little stem
MIN_STEM_PT = 11.0   # a bound's stem, between its cap and its head, is at least this long
CLEAR_PT = 3.0       # an arrowhead stays this far from a reference line (the zero of a balance, 1×)
DODGE_PT = 8.0       # a mark that would cover a series' dot is moved aside, at most this far
ARROW = 0.12         # a bound's arrow: this share of its axis ...
ROOM = 0.10          # ... and at least this share between its tip and the edge of the axes
LABEL_SIZE = 8.5     # labels on the plot (11 px and more on a 390 px phone)
GAP = 7.0            # a label's distance from its mark (pt): clear of a cap (CAP_MS / 2) and the air around a label
HEAD_PT = 7.7        # an arrowhead's length (pt)
HARD = 10            # placing a label: the cost of covering a value, a reference line or a text (a series' line: 1)


def publication_of(publications: str) -> str:
    """The one publication a mark is credited to, of a quantity's (';'-joined, from sources.csv): a user's
    series over any other; else the first; 'other' for one no colour is declared for."""
    pubs = [p for p in str(publications).split(";") if p]
    pub = USER_SERIES if USER_SERIES in pubs else (pubs[0] if pubs else "other")
    return pub if pub in PUBLISHER_COLOURS else "other"


def kind_of(iv: Interval, floor: float | None = 0.0) -> str | None:
    """What is known of a value: exact, a range, at least, at most (``floor`` is the least a quantity
    can be: 0 for a level or a ratio, so [0, 1000] is "at most $1 billion"; None for a balance)."""
    if iv.lo == -INF and iv.hi == INF:
        return None
    if iv.is_point:
        return DOT
    if iv.hi == INF:
        return AT_LEAST
    if iv.lo == -INF or (floor is not None and iv.lo <= floor):
        return AT_MOST
    return RANGE


def bound_text(words: str) -> str:
    """fmt's 'at least 3.10×' as a label beside a bound: '≥ 3.10×' (fmt wrote and rounded it)."""
    return words.replace("at least ", "\u2265 ").replace("at most ", "\u2264 ")


def money_label(iv: Interval) -> str:
    """fmt's words for money, short enough to sit beside a mark on a phone: '≥ $4.5bn', '$0.9–1.0bn',
    '≥ $250m' (fmt.money_range wrote and rounded the number; only the unit word is shortened)."""
    return bound_text(fmt.money_range(iv)).replace(" billion", "bn").replace(" million", "m")


def value_limits(ivs, floor: float | None = 0.0, room: float = 0.12) -> tuple[float, float]:
    """The value axis: from ``floor`` (0 for levels and ratios; None: below the lowest value) to above
    the highest finite end, so that every bound's arrow (ARROW of the axis) ends at least ROOM of the
    axis inside it, and the zero line of a balance has room above it for its label."""
    ivs = list(ivs)
    ends = [v for iv in ivs for v in (iv.lo, iv.hi) if math.isfinite(v)] + ([floor] if floor is not None else [0.0])
    lo, hi = min(ends), max(ends)
    span = max(hi - lo, 0.1 * max(abs(lo), abs(hi)), 1e-9)
    bottom = floor if floor is not None else lo - room * span
    top = hi + room * span
    keep = 1 - ARROW - ROOM
    for _ in range(3):   # top and bottom each depend on the other's arrows: a few rounds settle them
        for iv in ivs:
            k = kind_of(iv, floor)
            if k == AT_LEAST:
                top = max(top, bottom + (iv.lo - bottom) / keep)
            elif k == AT_MOST and floor is None:
                bottom = min(bottom, top - (top - iv.hi) / keep)
        if floor is None:
            top = max(top, bottom + (0.0 - bottom) / 0.8)   # room above zero for "above 0: a surplus"
    return bottom, top


# -- the marks --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Key:
    """What a mark looks like, as its legend shows it."""

    kind: str
    colour: str
    hollow: bool = False


class Keys(tuple):
    """A legend entry's handle: the marks it shows, side by side."""


class _OnPage(Line2D):
    """A line whose ends on the page are worked out when it is drawn (``shown``, display coordinates),
    from its data, which stay what they say."""

    def shown(self, renderer=None) -> np.ndarray:
        return self.get_transform().transform(self.get_xydata())

    def _px(self, pt: float, renderer=None) -> float:
        return pt * self.figure.dpi / 72 if renderer is None else renderer.points_to_pixels(pt)

    def _line(self, xy, **kw) -> Line2D:
        line = Line2D(xy[:, 0], xy[:, 1])
        line.update_from(self)
        line.set(transform=IdentityTransform(), markevery=self.get_markevery(), **kw)
        line.set_figure(self.figure)
        return line

    def draw(self, renderer):
        if self.get_visible():
            self._line(self.shown(renderer)).draw(renderer)
        self.stale = False


class RangeMark(_OnPage):
    """A range with caps at its ends. On the page it is at least MIN_RANGE_PT long (a few pixels: its
    two caps and a little stem between them): a range shorter than that ($514–532 million on a 0–8
    billion axis is under a pixel) is widened about its middle to that length, for visibility only,
    never more. Widened, it claims *less* precision than the figure has, never more; its data
    (``get_data``, the figure's data table, any label) keep the true ends. Hollow (derived): an outline
    with a white core."""

    def __init__(self, pos, lo, hi, colour, hollow=False, horizontal=False, cap=CAP_MS, **kw):
        xs, ys = ([lo, hi], [pos, pos]) if horizontal else ([pos, pos], [lo, hi])
        super().__init__(xs, ys, color=colour, lw=LW * (1.9 if hollow else 1), marker="|" if horizontal else "_",
                         ms=cap, mew=LW, solid_capstyle="butt", linestyle="-", zorder=3, **kw)
        self.hollow, self.horizontal = hollow, horizontal

    def shown(self, renderer=None) -> np.ndarray:
        """The two ends as drawn (widened to MIN_RANGE_PT if shorter)."""
        xy = super().shown(renderer)
        i = 0 if self.horizontal else 1
        need = self._px(MIN_RANGE_PT, renderer)
        if abs(xy[1, i] - xy[0, i]) < need:
            mid = xy[:, i].mean()
            xy[:, i] = (mid - need / 2, mid + need / 2) if xy[1, i] >= xy[0, i] else (mid + need / 2, mid - need / 2)
        return xy

    def draw(self, renderer):
        super().draw(renderer)
        if self.get_visible() and self.hollow:  # the white core, short of the caps
            core = self.shown(renderer)
            i = 0 if self.horizontal else 1
            step = np.sign(core[1, i] - core[0, i]) * self._px(LW / 2, renderer)
            core[0, i] += step
            core[1, i] -= step
            self._line(core, color="white", lw=LW * 0.8, marker="").draw(renderer)

    def get_window_extent(self, renderer=None):
        xy = self.shown(renderer)
        across, along = self._px(self.get_markersize() / 2), self._px(LW / 2)  # the caps' half width and thickness
        px, py = (along, across) if self.horizontal else (across, along)
        return Bbox.from_extents(xy[:, 0].min() - px, xy[:, 1].min() - py, xy[:, 0].max() + px, xy[:, 1].max() + py)


class Shaft(_OnPage):
    """A bound's cap and stem; on the page the stem stops inside its head (``arrow``; ``head``), so that
    the head's point is the arrow's end."""

    head = None

    def get_window_extent(self, renderer=None):
        """What is drawn: the stem, and the cap at its base (not a cap's width around both ends)."""
        xy = self.shown(renderer)
        w, cap = self._px(LW / 2, renderer), self._px(self.get_markersize() / 2, renderer)
        shaft = Bbox.from_extents(*(xy.min(0) - w), *(xy.max(0) + w))
        x, y = xy[0]
        return Bbox.union([shaft, Bbox.from_extents(x - cap, y - cap, x + cap, y + cap)])

    def shown(self, renderer=None) -> np.ndarray:
        xy = super().shown(renderer)
        d = xy[1] - xy[0]
        n = float(np.hypot(*d))
        back = self._px(HEAD_PT * 0.6, renderer)
        if n > back:
            xy[1] = xy[1] - d / n * back
        return xy


def _offset(ax, pt: float, horizontal: bool):
    """Data coordinates moved ``pt`` points across the value axis (side by side marks of one year)."""
    if not pt:
        return ax.transData
    dx, dy = (0, pt / 72) if horizontal else (pt / 72, 0)
    return ax.transData + ScaledTranslation(dx, dy, ax.figure.dpi_scale_trans)


def _xy(pos, v, horizontal):
    return (v, pos) if horizontal else (pos, v)


def draw_interval(ax, pos: float, iv: Interval, colour: str, derived: bool, lims: tuple[float, float],
                  horizontal: bool = False, floor: float | None = 0.0, offset_pt: float = 0.0,
                  write: Callable = money_label, label_values: bool = False, each: bool = False,
                  width: float = CAP_MS, label_bounds: bool = True) -> Key | None:
    """One value at ``pos`` (a year, or a row): a dot, a range, or a bound (a cap and an arrow ARROW of
    the axis ``lims`` long, labelled beside the cap with ``write``: '≥ $4.5bn'; '... each' for a row
    that stands for several). ``label_values`` labels dots and ranges too (beside them, never over
    them); ``label_bounds=False`` labels no bound (a panel whose values are too close together for a
    label to be beside its own mark only). Hollow when derived. Returns what it drew, as its legend
    shows it."""
    kind = kind_of(iv, floor)
    if kind is None:
        return None
    tr = _offset(ax, offset_pt, horizontal)
    face = "white" if derived else colour
    if kind == DOT:
        x, y = _xy(pos, iv.lo, horizontal)
        own = [ax.add_line(Line2D([x], [y], marker="o", ms=min(DOT_MS, width), mfc=face, mec=colour, mew=1.6,
                                  linestyle="none", zorder=4, transform=tr))]
    elif kind == RANGE:
        own = [ax.add_line(RangeMark(pos, iv.lo, iv.hi, colour, derived, horizontal, cap=min(CAP_MS, width),
                                     transform=tr))]
    else:
        base = iv.lo if kind == AT_LEAST else iv.hi
        length = ARROW * (lims[1] - lims[0])
        tip = base + length if kind == AT_LEAST else max(base - length, floor if floor is not None else -INF)
        shaft, head = arrow(_xy(pos, base, horizontal), _xy(pos, tip, horizontal), colour, derived, tr,
                            cap=min(CAP_MS, width))
        ax.add_line(shaft)
        ax.add_patch(head)
        if label_bounds:
            text = bound_text(write(iv)) + (" each" if each else "")
            _label(ax, text, _xy(pos, base, horizontal), tr, _bound_places(kind, horizontal)).own = [shaft, head]
        return Key(kind, colour, derived)
    if label_values:
        _label(ax, write(iv), _xy(pos, iv.hi, horizontal), tr, _value_places(pos, iv, horizontal)).own = own
    return Key(kind, colour, derived)


def arrow(base, tip, colour: str, hollow: bool, transform, cap: float = CAP_MS) -> tuple[Line2D, FancyArrowPatch]:
    """A bound's mark: a cap at ``base`` and a thinner stem to ``tip`` (dashed when derived: short dashes,
    so that even a short stem shows two), and the head at ``tip`` (hollow when derived), a patch of its
    own so that it is never dashed (``shaft.head``)."""
    (x0, y0), (x1, y1) = base, tip
    shaft = Shaft([x0, x1], [y0, y1], color=colour, lw=STEM_LW, linestyle=(0, (2.4, 1.3)) if hollow else "-",
                  marker="|" if y0 == y1 else "_", markevery=[0], ms=cap, mew=LW, solid_capstyle="butt",
                  dash_capstyle="butt", zorder=3, transform=transform)
    near = (x1 - (x1 - x0) * 1e-3, y1 - (y1 - y0) * 1e-3)   # the head's direction: along the shaft
    head = FancyArrowPatch(near, tip, arrowstyle="-|>,head_length=0.55,head_width=0.3", mutation_scale=HEAD_PT / 0.55,
                           lw=1.3, color=colour, fc="white" if hollow else colour, shrinkA=0, shrinkB=0, zorder=4,
                           transform=transform, joinstyle="round")
    shaft.head = head
    return shaft, head


def _bound_places(kind: str, horizontal: bool) -> list[tuple]:
    """Where a bound's label may go, best first: beside its cap, never at the arrow's tip."""
    if horizontal:  # along the shaft, above or below it, from the cap on; or before the cap
        return [(0, GAP, "left", "bottom"), (0, -GAP, "left", "top"),
                (-GAP if kind == AT_LEAST else GAP, 0, "right" if kind == AT_LEAST else "left", "center")]
    away = -1 if kind == AT_LEAST else 1   # shifted a little along the stem, or away from the tip, if it must
    return [(side * GAP, away * dy, "right" if side < 0 else "left", "center")
            for dy in (0, -GAP / 2, 2 * GAP) for side in (-1, 1)]


def _value_places(pos, iv: Interval, horizontal: bool) -> list[tuple]:
    """Where a dot's or a range's label may go, best first: after its high end, before its low end,
    or above or below its middle (a range's label is never between its ends)."""
    hi, lo, mid = (_xy(pos, v, horizontal) for v in (iv.hi, iv.lo, (iv.lo + iv.hi) / 2))
    if horizontal:
        return [(GAP + 1, 0, "left", "center", hi), (-GAP - 1, 0, "right", "center", lo),
                (0, GAP + 1, "center", "bottom", mid), (0, -GAP - 1, "center", "top", mid)]
    return [(GAP + 1, 0, "left", "center", mid), (-GAP - 1, 0, "right", "center", mid),
            (0, GAP + 1, "center", "bottom", hi), (0, -GAP - 1, "center", "top", lo)]


def _label(ax, text: str, xy, xycoords, places: list[tuple]):
    """A label at the first of ``places`` ((dx, dy) points from ``xy``, ha, va; and another xy, if a
    place has one); place_labels picks the first that collides with nothing."""
    dx, dy, ha, va, *other = places[0]
    t = ax.annotate(text, xy=other[0] if other else xy, xycoords=xycoords, xytext=(dx, dy), textcoords="offset points",
                    ha=ha, va=va, fontsize=LABEL_SIZE, color=INK, zorder=5, annotation_clip=False,
                    bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.85))
    t.set_in_layout(False)  # the layout never depends on where a label goes
    t.places = [p if len(p) == 5 else (*p, xy) for p in places]
    return t


def note(ax, text: str, places: list[tuple], xy=(0, 0), xycoords=("axes fraction", "data")):
    """A note on the plot (e.g. 'above 0: a surplus'), placed as a label is."""
    return _label(ax, text, xy, xycoords, places)


# -- placing labels ----------------------------------------------------------------------------------
def is_reference(artist) -> bool:
    """A reference line (the zero of a balance, 1× of a ratio): a straight line of two points, no marker."""
    return (type(artist) is Line2D and len(artist.get_xydata()) == 2
            and artist.get_marker() in (None, "None", "none", "") and artist.get_linestyle() not in ("None", "none", ""))


def mark_boxes(artist, renderer) -> list[Bbox]:
    """Where a mark is on the page: a range's or a bound's box, a head's, each dot's (a series: each of
    its dots, not the line between them); [] for a reference line or anything hidden."""
    if not artist.get_visible() or is_reference(artist):
        return []
    if isinstance(artist, _OnPage) or not isinstance(artist, Line2D):
        return [artist.get_window_extent(renderer)]
    if artist.get_marker() in (None, "None", "none", ""):
        return []
    r = renderer.points_to_pixels(artist.get_markersize()) / 2
    pts = artist.get_transform().transform(artist.get_xydata())
    return [Bbox.from_extents(x - r, y - r, x + r, y + r) for x, y in pts]


def box_distance(a: Bbox, b: Bbox) -> float:
    """How far apart two boxes are on the page (0 if they touch or overlap)."""
    return float(np.hypot(max(0.0, a.x0 - b.x1, b.x0 - a.x1), max(0.0, a.y0 - b.y1, b.y0 - a.y1)))


def fit_arrows(fig, renderer) -> None:
    """Each bound's arrow, now that the layout is known: a stem of at least MIN_STEM_PT between its cap
    and its head, and a head at least CLEAR_PT off every reference line of its panel (it stops short of
    the line if its stem stays long enough, else it goes past it); never nearer the edge of the axes
    than ROOM / 2 of it. Only the tip moves; the cap (the value) stays where it is."""
    px = renderer.points_to_pixels
    for ax in fig.axes:
        refs = [a.get_transform().transform(a.get_xydata()) for a in ax.lines if is_reference(a)]
        for shaft in [a for a in ax.lines if isinstance(a, Shaft) and a.head is not None]:
            tr = shaft.get_transform()
            base, tip = tr.transform(shaft.get_xydata())
            i = 1 if abs(tip[0] - base[0]) < abs(tip[1] - base[1]) else 0     # along the arrow
            sign = 1.0 if tip[i] >= base[i] else -1.0
            drawn = shaft.head.get_window_extent(renderer)   # the head as drawn, its outline included
            head = max(px(HEAD_PT), drawn.height if i == 1 else drawn.width)
            clear, stem = px(CLEAR_PT), px(MIN_STEM_PT + LW / 2)   # from the cap's middle: its edge, then the stem
            want = max(abs(tip[i] - base[i]), head + stem)
            for ref in refs:
                if abs(ref[0, i] - ref[1, i]) > 0.5:   # along the arrow, not across it
                    continue
                lo, hi = sorted(ref[:, 1 - i])
                if not lo - px(CAP_MS) <= base[1 - i] <= hi + px(CAP_MS):
                    continue
                c = (ref[0, i] - base[i]) * sign          # from the cap to the line, along the arrow
                if c > 0 and want - head - clear < c < want + clear:   # the head would sit on the line
                    want = c - clear if c - clear - head >= stem else c + clear + head
            (x0, y0), (x1, y1) = ax.bbox.get_points()
            edge = ((x0, x1) if i == 0 else (y0, y1))[sign > 0]
            room = ROOM / 2 * (x1 - x0 if i == 0 else y1 - y0)
            want = min(want, abs(edge - base[i]) - room)
            if abs(want - abs(tip[i] - base[i])) < 0.01:
                continue
            new = base.copy()
            new[i] = base[i] + sign * want
            (bx, by), _ = shaft.get_xydata()                     # the cap stays exactly where its data say
            nx, ny = tr.inverted().transform([new])[0]
            nx, ny = (bx, ny) if i == 1 else (nx, by)            # and the tip moves along the arrow only
            shaft.set_data([bx, nx], [by, ny])
            shaft.head.set_positions((nx - (nx - bx) * 1e-3, ny - (ny - by) * 1e-3), (nx, ny))


def _series_dots(ax, renderer) -> list[Bbox]:
    """The dots of the panel's published series (a line through three or more dots), on the page."""
    return [b for a in ax.lines if type(a) is Line2D and len(a.get_xydata()) > 2 for b in mark_boxes(a, renderer)]


def dodge_marks(fig, renderer) -> None:
    """In a panel that asks for it (``ax.techtrade_dodge``), each value mark (a dot, a range, a bound)
    that would cover a dot of a published series is moved sideways, the least it takes (at most
    DODGE_PT; to the right unless only the left clears it), so that both show; its data stay what they are (the year), only the page
    moves. Works in points, so the same at any resolution."""
    px = renderer.points_to_pixels
    for ax in fig.axes:
        if not getattr(ax, "techtrade_dodge", False):
            continue
        dots = [d.padded(px(0.5)) for d in _series_dots(ax, renderer)]
        for a in [a for a in ax.lines if isinstance(a, (RangeMark, Shaft)) or (type(a) is Line2D and len(a.get_xydata()) == 1)]:
            parts = [a] + ([a.head] if isinstance(a, Shaft) and a.head is not None else [])
            box = Bbox.union([p.get_window_extent(renderer) for p in parts])
            if not any(box.overlaps(d) for d in dots):
                continue

            def cover(pt):
                moved = box.translated(px(pt), 0)
                return sum(max(0.0, min(moved.x1, d.x1) - max(moved.x0, d.x0)) * max(0.0, min(moved.y1, d.y1) - max(moved.y0, d.y0))
                           for d in dots)
            steps = [k * DODGE_PT / 8 * side for side in (1, -1) for k in range(1, 9)]   # rightwards if it can
            pt = next((p for p in steps if cover(p) == 0), min(steps, key=cover))
            for p in parts:
                p.set_transform(p.get_transform() + ScaledTranslation(pt / 72, 0, fig.dpi_scale_trans))
                p.dodged_pt = pt


def mark_hits(artist, box: Bbox, renderer) -> int:
    """How badly ``box`` (display coordinates) would cover a mark: 0 if it does not; 1 if it only
    crosses the line of a series between its dots (a label's white ground lets the line show either
    side); HARD if it covers a value (a dot, a range, an arrow, a series' dot) or a reference line."""
    if not artist.get_visible():
        return 0
    if isinstance(artist, _OnPage) or not isinstance(artist, Line2D):   # a range, a bound's shaft, a head
        return HARD * artist.get_window_extent(renderer).overlaps(box)
    path = artist.get_transform().transform_path(artist.get_path())
    if artist.get_marker() not in (None, "None", "none", ""):
        r = renderer.points_to_pixels(artist.get_markersize()) / 2
        if any(Bbox.from_extents(x - r, y - r, x + r, y + r).overlaps(box) for x, y in path.vertices):
            return HARD
    if artist.get_linestyle() in ("None", "none", "") or len(path.vertices) < 2:
        return 0
    if not path.intersects_bbox(box, filled=False):
        return 0
    return 1 if len(path.vertices) > 2 else HARD   # a series' line; a reference line (axhline, axvline)


def text_boxes(fig, renderer, skip=()) -> list[Bbox]:
    """Every visible text on the figure (ticks, axis labels, titles, legends, labels) but ``skip``."""
    out = [lg.get_window_extent(renderer) for lg in fig.legends]
    for ax in fig.axes:
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        items = [t for t in ax.get_xticklabels() if x0 <= t.get_position()[0] <= x1]
        items += [t for t in ax.get_yticklabels() if y0 <= t.get_position()[1] <= y1]
        items += [ax.xaxis.label, ax.yaxis.label, ax.title] + [t for t in ax.texts if t not in skip]
        out += [t.get_window_extent(renderer) for t in items if t.get_visible() and t.get_text()]
    return out


def lay_out(fig) -> None:
    """The figure laid out as drawing it begins (matplotlib's Figure.draw: each panel's aspect, then the
    layout engine), without drawing it: where every panel, tick and text is, at about half the cost of a
    draw."""
    for ax in fig.axes:
        ax.apply_aspect()
    fig.get_layout_engine().execute(fig)


def place_labels(fig) -> None:
    """Each arrow fitted (fit_arrows), then each label at the first of its places that lies inside its
    axes, touches no other text and no mark (reference lines included) and is nearer its own mark than
    any other; if none does, the least bad: one that only crosses a series' line between its dots, on
    its white ground."""
    if not hasattr(fig.canvas, "get_renderer"):  # a figure closed by pyplot: draw it as it will be saved
        FigureCanvasAgg(fig)
    lay_out(fig)   # the layout, as it will be saved
    r = fig.canvas.get_renderer()
    for ax in fig.axes:   # the one thing placed here that a layout does not size: an arrow's head, whose
        for p in ax.patches:   # size in pixels (this resolution's) is set when it is drawn
            if isinstance(p, FancyArrowPatch):
                p.draw(r)
    fit_arrows(fig, r)
    dodge_marks(fig, r)
    labels = [t for ax in fig.axes for t in ax.texts if getattr(t, "places", None)]
    if not labels:
        return
    boxes = text_boxes(fig, r, skip=labels)
    near = r.points_to_pixels(2.5)   # a label is this much nearer its own mark than any other, at least
    for t in labels:
        ax = t.axes
        inside = ax.bbox.padded(1)
        marks = list(ax.lines) + list(ax.patches)
        own = [b for a in getattr(t, "own", []) for b in mark_boxes(a, r)]
        others = [b for a in marks if a not in getattr(t, "own", []) for b in mark_boxes(a, r)]
        best = None
        for place in t.places:
            _put(t, place)
            b = t.get_window_extent(r).padded(r.points_to_pixels(1.5))  # a little air around each label
            bad = (not (inside.x0 <= b.x0 and b.x1 <= inside.x1 and inside.y0 <= b.y0 and b.y1 <= inside.y1)) * HARD * 10
            bad += HARD * sum(b.overlaps(o) for o in boxes) + sum(mark_hits(m, b, r) for m in marks)
            if own and others and min(box_distance(b, o) for o in own) + near >= min(box_distance(b, o) for o in others):
                bad += HARD // 2   # (about as) near another mark as its own: it would seem that one's label
            if best is None or bad < best[0]:
                best = (bad, place)
            if not bad:
                break
        _put(t, best[1])
        boxes.append(t.get_window_extent(r))


def _put(t, place) -> None:
    dx, dy, ha, va, xy = place
    t.set(ha=ha, va=va)
    t.xy, t.xyann = xy, (dx, dy)


# -- what a figure drew: its legend and its data -----------------------------------------------------
class Drawn:
    """The marks of one figure: each drawn once through here, so its legend (the keys drawn, by entry)
    and its data (the numbers behind every mark) are exactly what is on the plot."""

    def __init__(self):
        self.keys: dict[str | None, list[Key]] = {}
        self.data: list[dict] = []

    def _add(self, entry, key, series, xs, iv, unit, derived, source_ids):
        """Record a mark: its legend key under ``entry``, and one data row per name in ``xs``."""
        if key is None:
            return
        self.keys.setdefault(entry, [])
        if key not in self.keys[entry]:
            self.keys[entry].append(key)
        for x in xs:
            self.data.append({"series": series, "x": x if isinstance(x, str) else int(x),
                              "kind": DOT if key.kind == SERIES else key.kind,
                              "lo": float(iv.lo) if math.isfinite(iv.lo) else None,
                              "hi": float(iv.hi) if math.isfinite(iv.hi) else None,
                              "unit": unit, "derived": bool(derived), "source_ids": source_ids})

    def mark(self, ax, pos, iv: Interval, colour: str, derived: bool, lims, *, entry: str | None, series: str,
             unit: str = "USD mn", source_ids: str = "", xs=None, **kw) -> Key | None:
        """draw_interval, recorded: ``entry`` is its legend entry (None: in none, e.g. a panel whose
        title names it); ``xs`` what the data table calls it (default: ``pos``, a year)."""
        key = draw_interval(ax, pos, iv, colour, derived, lims, **kw)
        self._add(entry, key, series, [pos] if xs is None else xs, iv, unit, derived, source_ids)
        return key

    def series(self, ax, label: str, xs, values, colour: str, *, unit: str = "USD mn", source_ids=()):
        """A published series as a line through its dots (each an exact value; ``source_ids`` one per dot)."""
        xs, values = [int(x) for x in xs], [float(v) for v in values]
        ax.plot(xs, values, color=colour, lw=1.8, marker="o", ms=3.5, zorder=2)
        for x, v, src in zip(xs, values, list(source_ids) or [""] * len(xs)):
            self._add(label, Key(SERIES, colour), label, [x], Interval.point(v), unit, False, src)

    def legend(self, order: list[str] | None = None) -> list[tuple[str, Keys]]:
        """The entries: each with the marks drawn in its colour (published ones; hollow ones only if it
        has nothing else: a dot on a series line is the series'), then "derived by us (hollow)" with
        the hollow marks drawn, in a neutral colour, whenever anything hollow is drawn."""
        names = [e for e in self.keys if e is not None]
        if order:
            names = sorted(names, key=lambda e: order.index(e) if e in order else len(order))
        entries = []
        for e in names:
            keys = self.keys[e]
            shown = [k for k in keys if not k.hollow] or keys
            if any(k.kind == SERIES for k in shown):
                shown = [k for k in shown if k.kind == SERIES]
            entries.append((e, Keys(sorted(set(shown), key=lambda k: KINDS.index(k.kind)))))
        hollow = {k.kind for keys in self.keys.values() for k in keys if k.hollow}
        if hollow:
            entries.append((DERIVED_LABEL, Keys(Key(k, NEUTRAL, True) for k in KINDS if k in hollow)))
        return entries


# -- legends ---------------------------------------------------------------------------------------
class KeysHandler(HandlerBase):
    """Draws a legend entry's marks side by side, each as it is drawn on the plot (lying down)."""

    def create_artists(self, legend, orig_handle, xdescent, ydescent, width, height, fontsize, trans):
        keys = list(orig_handle)
        slot = min(width / len(keys), 1.9 * fontsize)
        xdescent -= (width - slot * len(keys)) / 2   # an entry of fewer marks, centred
        y = (height - ydescent) / 2   # as matplotlib's own handlers centre a line
        out = []
        for i, k in enumerate(keys):
            x0, x1 = -xdescent + slot * (i + 0.1), -xdescent + slot * (i + 0.9)
            face = "white" if k.hollow else k.colour
            if k.kind == DOT:
                out.append(Line2D([(x0 + x1) / 2], [y], marker="o", ms=DOT_MS, mfc=face, mec=k.colour, mew=1.6,
                                  linestyle="none", transform=trans))
            elif k.kind == SERIES:
                out.append(Line2D([x0, (x0 + x1) / 2, x1], [y] * 3, color=k.colour, lw=1.8, marker="o", ms=3.5,
                                  transform=trans))
            elif k.kind == RANGE:
                out.append(RangeMark(y, x0 + slot * 0.1, x1 - slot * 0.1, k.colour, k.hollow, horizontal=True,
                                     transform=trans))
            else:
                a, b = (x0, x1) if k.kind == AT_LEAST else (x1, x0)
                out.extend(arrow((a, y), (b, y), k.colour, k.hollow, trans))
        return out


def add_legend(fig, entries: list[tuple[str, Keys]], size: str = "wide"):
    """A legend of exactly what was drawn, under the whole figure (never over a plot, never under one
    panel only): at most 3 columns wide, 2 narrow, as many as fit the width."""
    if not entries:
        return None
    n = max(len(keys) for _, keys in entries)
    handlelength = 1.9 * n
    fs = 9.0
    per_col = max(len(label) for label, _ in entries) * 0.55 * fs / 72 + (handlelength + 2.4) * fs / 72  # inches
    ncol = max(1, min(int(fig.get_figwidth() * 0.95 // per_col), 2 if size == "narrow" else 3, len(entries)))
    return fig.legend([k for _, k in entries], [label for label, _ in entries], loc="outside lower center",
                      frameon=False, ncol=ncol, handlelength=handlelength, handler_map={Keys: KeysHandler()},
                      fontsize=fs)


def money_axis(ax, axis="y", scale=1000.0):
    fmt_axis = FuncFormatter(lambda v, _: fmt.tick_labels([v], scale)[0])
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt_axis)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_locator(MaxNLocator(5, steps=[1, 2, 2.5, 5, 10]))
