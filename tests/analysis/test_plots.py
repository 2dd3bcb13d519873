"""Figures that say one thing each: bounds drawn as a cap and a short arrow inside the axes, labelled
beside the cap; ranges that can be seen; legends made of the marks drawn and nothing else; labels next
to what they label, never under a line or another text; no mark behind another; a data table that
holds every mark; for every report year, wide and narrow, and a user series; the same figure gives
the same bytes."""
import itertools
import json
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.lines import Line2D
from matplotlib.offsetbox import DrawingArea, HPacker, TextArea
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.transforms import Bbox

from techtrade import fmt, measures
from techtrade.analysis import marks, plots
from techtrade.analysis.marks import DERIVED_LABEL, PUBLISHER_COLOURS
from techtrade.clean import evidence
from techtrade.ingest import dataset
from techtrade.intervals import INF
from techtrade.report import story

from ..conftest import FIXTURES, shipped_inputs
from ..synthetic import add_figures, analysed

YEARS = [2011, 2015, 2018, 2019, 2020, 2021]
WHITE = (1.0, 1.0, 1.0, 1.0)


@pytest.fixture(autouse=True)
def style():
    plots.use_style()
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def wdi(raw):
    return evidence.tidy_wdi(raw["wdi"])


@pytest.fixture(scope="module")
def user_raw():
    """The synthetic full series (a test fixture, not data) as a user's own table: the raw inputs."""
    return dataset.load_raw(shipped_inputs(user_series=FIXTURES / "synthetic_full_series.csv"))


@pytest.fixture(scope="module")
def user_tidy(user_raw):
    return evidence.figure_intervals(user_raw["figures"])


@pytest.fixture(scope="module")
def user_q(user_tidy):
    return evidence.build_quantities(user_tidy)


#: The cases every figure is drawn for: each report year (against its base year) and the user series.
CASES = {str(y): (y, 2006 if y <= 2018 else 2018) for y in YEARS} | {"user": (2020, 2018)}
#: The cases whose figures the quick set reads (pytest -m "not slow": the article's years and a user's
#: series); every case is read in a full run. Each costs about 1.3 s to draw (draw_all, both sizes).
QUICK = ("2020", "user")
#: The cases whose figure texts (story.FIGURES) are read.
STORIES = ("2011", "2019", "2020", "2021", "user")


def per_case(cases, values=None):
    """One parameter per case of ``cases`` (the case, or its ``values``), those not in QUICK marked slow."""
    return [pytest.param(*(v if values else (c,)), marks=() if c in QUICK else pytest.mark.slow)
            for c, v in zip(cases, values or cases)]


@pytest.fixture(scope="module", params=[pytest.param(QUICK, id="quick"),
                                        pytest.param(tuple(CASES), id="every-case", marks=pytest.mark.slow)])
def sweep(request):
    """The cases a test over every figure reads: QUICK in the quick set; every case in a full run."""
    return request.param


def enough(sweep, every: int, quick: int) -> int:
    """How many marks of a kind a test over ``sweep`` must at least have read (so that it cannot pass on
    nothing): ``every`` over every case, ``quick`` over QUICK (2020: 16 arrows, 18 ranges; the user
    series: none of either; 40 labels between them)."""
    return every if set(sweep) == set(CASES) else quick


class Figures:
    """draw_all for each case, drawn the first time a test reads the case and kept for the module: the
    tests only read them (a test that changes a figure, its size or its resolution, draws its own). A
    figure is saved as SVG the first time a test asks for its file (svg); saving lays it out at the SVG's
    72 dpi, so it is laid out on screen again before a test reads it after that."""

    def __init__(self, quantities, user_q, wdi, folder):
        self.quantities, self.user_q, self.wdi, self.folder, self._drawn = quantities, user_q, wdi, folder, {}

    def _case(self, case: str) -> list[dict]:
        if case not in self._drawn:
            y, b = CASES[case]
            plots.use_style()
            self._drawn[case] = plots.draw_all(self.user_q if case == "user" else self.quantities, self.wdi, y, b)
            for d in self._drawn[case]:
                for fig in d["figs"].values():
                    plt.close(fig)  # out of pyplot's hands; read on its own canvas (renderer)
        return self._drawn[case]

    def drawn(self, case: str) -> list[dict]:
        """draw_all's list for ``case``, each figure laid out on screen."""
        for d in self._case(case):
            for fig in d["figs"].values():
                if getattr(fig, "laid_out_as_svg", False):
                    fig.draw_without_rendering()   # saving laid it out at the SVG's 72 dpi: again on screen
                    fig.laid_out_as_svg = False
        return self._drawn[case]

    def svg(self, case: str, name: str, size: str):
        """The figure's SVG file, as the build saves it (plots.save): saved the first time a test asks."""
        fig = next(d for d in self._case(case) if d["name"] == name)["figs"][size]
        if getattr(fig, "techtrade_svg", None) is None:
            fig.techtrade_svg = self.folder / case / plots.save({size: fig}, self.folder / case, name)[size]
            fig.laid_out_as_svg = True
        return fig.techtrade_svg

    def __getitem__(self, key):
        """(fig, data) for (case, name, size)."""
        case, name, size = key
        d = next(d for d in self.drawn(case) if d["name"] == name)
        return d["figs"][size], d["data"]

    def cases(self, cases, name=None) -> list[tuple]:
        """(key, fig, data) for every figure of ``cases`` (of one ``name``, if given)."""
        return [((case, d["name"], size), fig, d["data"]) for case in cases for d in self.drawn(case)
                if name is None or d["name"] == name for size, fig in d["figs"].items()]


@pytest.fixture(scope="module")
def every_figure(quantities, user_q, wdi, tmp_path_factory):
    return Figures(quantities, user_q, wdi, tmp_path_factory.mktemp("svg"))


@pytest.fixture(scope="module")
def stories(every_figure, raw, tidy, user_raw, user_tidy, tmp_path_factory):
    """Each case's figures as the report declares them (story.FIGURES), from the records save_all makes of
    the figures drawn (their files not written: the story reads their data): stories(case) ->
    {name: (text, record)}, made the first time a test reads the case."""
    made = {}

    def of(case):
        if case not in made:
            (y, b), path = CASES[case], tmp_path_factory.mktemp(f"story{case}")
            records = plots.save_all([{**d, "figs": {}} for d in every_figure.drawn(case)], path)
            r, t = (user_raw, user_tidy) if case == "user" else (raw, tidy)
            s = story.Story.of(analysed(path, r, t, y, b, figures=records))
            made[case] = {f["name"]: (s.figure_text(f["name"]), f) for f in records}
        return made[case]
    return of


# -- reading a figure back: its texts, its marks, its legend -------------------------------------------
def renderer(fig):
    """A renderer for the figure as drawn (laid out by plots, its labels placed): boxes on the canvas are
    read with it, never by drawing the figure again (a new layout would move what the tests read)."""
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def pixels(fig):
    """The figure rasterised as it is laid out (rows from the bottom, as display y): drawn with its layout
    engine held back, so that nothing moves; once per figure."""
    if getattr(fig, "pixels_for_tests", None) is None:
        renderer(fig)
        engine = fig.get_layout_engine()
        fig.set_layout_engine("none")
        try:
            fig.canvas.draw()
        finally:
            fig.set_layout_engine(engine)
        fig.pixels_for_tests = np.asarray(fig.canvas.buffer_rgba())[::-1, :, :3].astype(int)
    return fig.pixels_for_tests


def legend(fig):
    """The figure's legend labels, under its plot."""
    return [t.get_text() for lg in fig.legends for t in lg.get_texts()]


def texts(fig):
    """Every visible piece of text on the figure, with its box on the canvas."""
    r = renderer(fig)
    out = [(lg, lg.get_window_extent(r)) for lg in fig.legends]
    for ax in fig.axes:
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        ticks = [t for t in ax.get_xticklabels() if x0 <= t.get_position()[0] <= x1]
        ticks += [t for t in ax.get_yticklabels() if y0 <= t.get_position()[1] <= y1]
        items = ticks + [ax.xaxis.label, ax.yaxis.label, ax.title] + ax.texts
        out += [(t, t.get_window_extent(r)) for t in items
                if t.get_visible() and (not hasattr(t, "get_text") or t.get_text())]
    return out


def covers(box, artist, r) -> bool:
    """Does a text's box cover a mark? A series' line may run under a label (on its white ground),
    never its dots; every other mark and reference line must stay clear."""
    if isinstance(artist, Line2D) and not isinstance(artist, marks.RangeMark) and len(artist.get_xydata()) > 2:
        rad = r.points_to_pixels(artist.get_markersize()) / 2
        pts = artist.get_transform().transform(artist.get_xydata())
        return any(box.x0 - rad < x < box.x1 + rad and box.y0 - rad < y < box.y1 + rad for x, y in pts)
    return artist.get_window_extent(r).overlaps(box)


def assert_no_collisions(fig, key=""):
    """No two texts overlap, none runs off the figure, and no label covers a mark or a reference line."""
    boxes = texts(fig)
    page = fig.bbox
    for t, b in boxes:
        inside = page.x0 - 1 <= b.x0 and b.x1 <= page.x1 + 1 and page.y0 - 1 <= b.y0 and b.y1 <= page.y1 + 1
        assert inside, f"off the figure: {getattr(t, 'get_text', lambda: 'legend')()!r}"
    for (a, ba), (b, bb) in itertools.combinations(boxes, 2):
        if ba.overlaps(bb):
            names = [getattr(t, "get_text", lambda: "legend")() for t in (a, b)]
            pytest.fail(f"overlapping texts: {names}")
    r = renderer(fig)
    for ax in fig.axes:
        for t in ax.texts:
            box = t.get_window_extent(r)
            assert ax.bbox.x0 <= box.x0 and box.x1 <= ax.bbox.x1 and ax.bbox.y0 <= box.y0 and box.y1 <= ax.bbox.y1, \
                f"label outside its axes: {t.get_text()!r}"
            hit = [type(m).__name__ for m in list(ax.lines) + list(ax.patches) if covers(box, m, r)]
            assert not hit, f"{key}: {t.get_text()!r} covers {hit}"


def _hex(c) -> str:
    from matplotlib.colors import to_hex
    return to_hex(c)


def _head(shaft, artists):
    """The head at a bound's tip (a patch of its own), found where the shaft ends on the page."""
    fig = shaft.figure
    tip = shaft.get_transform().transform(shaft.get_xydata()[1])
    r = renderer(fig)
    heads = [a for a in artists if isinstance(a, FancyArrowPatch) and a.get_window_extent(r).padded(2).contains(*tip)]
    assert len(heads) == 1, "a bound's arrow without its head"
    return heads[0]


def _marks(artists, horizontal):
    """The marks among ``artists``, as (kind, pos, lo, hi, colour, hollow): dots and a series' dots
    ('exact'), ranges, and arrows ('at least' pointing up or right, 'at most' down or left), each read
    from the artist itself."""
    artists = list(artists)
    out = []
    for a in artists:
        if isinstance(a, marks.RangeMark):
            (x0, x1), (y0, y1) = a.get_data()
            pos, lo, hi = (y0, x0, x1) if a.horizontal else (x0, y0, y1)
            out.append(("range", pos, min(lo, hi), max(lo, hi), _hex(a.get_color()), a.hollow))
        elif isinstance(a, marks.Shaft):
            (x0, x1), (y0, y1) = a.get_data()
            pos, base, tip = (y0, x0, x1) if y0 == y1 else (x0, y0, y1)
            hollow = _hex(_head(a, artists).get_facecolor()) == "#ffffff"
            out.append(("at least", pos, base, None, _hex(a.get_color()), hollow) if tip > base
                       else ("at most", pos, None, base, _hex(a.get_color()), hollow))
        elif isinstance(a, Line2D) and a.get_marker() == "o":
            for x, y in a.get_xydata():
                pos, v = (y, x) if horizontal else (x, y)
                out.append(("exact", pos, v, v, _hex(a.get_markeredgecolor()), a.get_markerfacecolor() == "white"))
    return out


def mark_boxes(ax):
    """Every mark of a panel on the page, as (artist, box): a range's, a bound's (its cap and stem) and
    its head's box, a dot's, and each dot of a series (never a reference line, nor a series' line)."""
    r = renderer(ax.figure)
    out = []
    for a in list(ax.lines) + list(ax.patches):
        if isinstance(a, (marks.RangeMark, marks.Shaft, FancyArrowPatch)):
            out.append((a, a.get_window_extent(r)))
        elif isinstance(a, Line2D) and a.get_marker() == "o":
            rad = r.points_to_pixels(a.get_markersize()) / 2
            out += [(a, Bbox.from_extents(x - rad, y - rad, x + rad, y + rad))
                    for x, y in a.get_transform().transform(a.get_xydata())]
    return out


def distance(a, b) -> float:
    return float(np.hypot(max(0.0, a.x0 - b.x1, b.x0 - a.x1), max(0.0, a.y0 - b.y1, b.y0 - a.y1)))


def drawn_marks(fig):
    """Every mark on every panel, each at its place: a year, or the label of its row."""
    out = []
    for ax in fig.axes:
        horizontal = _categorical(ax)
        rows = {round(p, 6): t for p, t in zip(ax.get_yticks(), row_names(ax))} if horizontal else {}
        for kind, pos, lo, hi, colour, hollow in _marks(list(ax.lines) + list(ax.patches), horizontal):
            out.append((kind, rows.get(round(pos, 6), pos) if horizontal else int(round(pos)), lo, hi, colour, hollow))
    return out


def row_names(ax) -> list[str]:
    """The names of a panel's rows, bottom to top (on a phone shown above each row, not beside it)."""
    renderer(ax.figure)
    return [t.label1.get_text() for t in ax.yaxis.get_major_ticks()][:len(ax.get_yticks())]


def _categorical(ax) -> bool:
    """A panel of rows (partners, measures) rather than years: its y ticks are names."""
    return any(t and not t.replace("\u2212", "").replace(".", "").isdigit() for t in row_names(ax))


def legend_entries(fig):
    """Each legend entry: its label and the marks its handle draws."""
    out = []
    for lg in fig.legends:
        for box in lg.findobj(HPacker):
            kids = box.get_children()
            if len(kids) == 2 and isinstance(kids[0], DrawingArea) and isinstance(kids[1], TextArea):
                found = _marks(kids[0].get_children(), horizontal=True)
                series = [("series", _hex(a.get_color())) for a in kids[0].get_children()
                          if isinstance(a, Line2D) and a.get_marker() == "o" and len(a.get_xydata()) > 1]
                keys = {(k, c, h) for k, _, _, _, c, h in found if (("series", c) not in series)} | \
                       {(k, c, False) for k, c in series}
                out.append((kids[1].get_text(), keys))
    return out


# -- 1. a bound: a cap and a short arrow inside the axes, its label beside the cap ------------------------
def test_a_bound_ends_well_inside_the_plot_with_its_label_beside_it(every_figure, sweep):
    seen = 0
    for key, fig, _ in every_figure.cases(sweep):
        r = renderer(fig)
        for ax in fig.axes:
            unlabelled = key[1] == "measures" and ax is fig.axes[0]   # labels neither (test below)
            box = ax.bbox
            for shaft in [a for a in ax.lines if isinstance(a, marks.Shaft)]:
                seen += 1
                (x0, x1), (y0, y1) = shaft.get_data()
                vertical = x0 == x1
                cap, tip = shaft.get_transform().transform(shaft.get_xydata())
                i = 1 if vertical else 0
                lo, hi = (box.y0, box.y1) if vertical else (box.x0, box.x1)
                assert lo + 0.05 * (hi - lo) <= tip[i] <= hi - 0.05 * (hi - lo), key  # not at the edge
                head = _head(shaft, ax.patches).get_window_extent(r)
                assert box.x0 <= head.x0 and head.x1 <= box.x1 and box.y0 <= head.y0 and head.y1 <= box.y1, key
                if unlabelled:
                    continue
                near = [t for t in ax.texts if t.get_text()[:1] in "\u2265\u2264"
                        and t.get_window_extent(r).padded(r.points_to_pixels(2 * marks.GAP + 1)).contains(*cap)]
                assert len(near) == 1, (key, "no label beside the cap")
                lb = near[0].get_window_extent(r)
                mid = (lb.x0 + lb.x1) / 2, (lb.y0 + lb.y1) / 2
                if vertical:  # beside the cap, at its height or a little further from the tip
                    assert abs(mid[1] - cap[1]) <= r.points_to_pixels(2 * marks.GAP) + 1, key
                    assert abs(mid[1] - tip[1]) > abs(mid[1] - cap[1]), key
                    assert lb.x1 < cap[0] or lb.x0 > cap[0], key
                else:  # along the shaft from the cap (above or below it), or before the cap
                    assert min(abs(lb.x0 - cap[0]), abs(lb.x1 - cap[0])) <= r.points_to_pixels(marks.GAP) + 2, key
                    assert abs(mid[1] - cap[1]) <= r.points_to_pixels(2 * marks.GAP + 6), key
    assert seen >= enough(sweep, 30, 10)


def test_each_label_is_nearer_its_own_mark_than_any_other(every_figure, sweep):
    """Issue 17: in the measures figure "≥ $4.5bn" sat under and beside the 2006–2021 paper's range, not the
    2020 arrow, and the 2021 range was unlabelled, so it seemed to carry the 2020 label. Every label on
    every figure is now nearer its own mark (a bound's cap, stem and head; a range; a dot) than any
    other; and the measures figure's levels panel, whose marks are a year apart, labels none of them
    (the table under the figure gives each): never some marks labelled and their neighbours not."""
    seen = 0
    for key, fig, _ in every_figure.cases(sweep):
        r = renderer(fig)
        for ax in fig.axes:
            boxes = mark_boxes(ax)
            for t in [t for t in ax.texts if getattr(t, "own", None)]:
                seen += 1
                box = t.get_window_extent(r)
                own = min(distance(box, b) for a, b in boxes if a in t.own)
                other = [distance(box, b) for a, b in boxes if a not in t.own]
                assert not other or own < min(other), (key, t.get_text(), own, min(other))
        if key[1] == "measures":
            assert not fig.axes[0].texts, key   # label neither
    assert seen >= enough(sweep, 40, 20)


def test_the_bound_labels_say_the_bound_as_fmt_writes_it(every_figure):
    fig = every_figure["2020", "exports", "narrow"][0]
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["\u2265 $3.44bn", "\u2265 $4.5bn"]
    assert marks.money_label(marks.Interval(0, 1000)) == "\u2264 $1bn"   # an upper bound likewise
    assert marks.money_label(marks.Interval(-150, INF)) == "\u2265 \u2212$150m"


def test_an_upper_bound_points_down_from_its_cap_and_says_at_most(tidy):
    q = evidence.build_quantities(add_figures(tidy, [dict(year=2020, flow="exports", partner="Kazakhstan",
                                                             value=300, qualifier="at most", source_id="TEST")]))
    fig = plots.fig_partners(q, 2020, 7, "narrow")
    kz = [m for m in drawn_marks(fig) if m[1] == "Kazakhstan"]
    assert kz == [("at most", "Kazakhstan", None, 300.0, PUBLISHER_COLOURS["other"], False)]
    assert "\u2264 $300m" in [t.get_text() for t in fig.axes[0].texts]
    assert_no_collisions(fig)


def test_every_arrow_has_a_visible_stem_and_its_head_clear_of_reference_lines(every_figure, sweep):
    """Issue 17: on a desktop the derived 2019 bound showed as a cap and a floating triangle (no stem to
    be seen), and the 2020 balance's head sat on the zero line. Every arrow: a stem thinner than a
    range, at least MIN_STEM_PT between its cap and its head, inked (dashed: in part) along that length
    at desktop size; its head at least CLEAR_PT off every reference line of its panel."""
    seen = 0
    for key, fig, _ in every_figure.cases(sweep):
        r = renderer(fig)
        for ax in fig.axes:
            refs = [a for a in ax.lines if type(a) is Line2D and len(a.get_xydata()) == 2 and a.get_marker() in ("None", "")]
            for shaft in [a for a in ax.lines if isinstance(a, marks.Shaft)]:
                seen += 1
                head = _head(shaft, ax.patches)
                hollow = _hex(head.get_facecolor()) == "#ffffff"
                assert shaft.get_linewidth() < marks.LW, key
                assert (shaft.get_linestyle() == "-") != hollow, key   # dashed where derived
                base, tip = shaft.get_transform().transform(shaft.get_xydata())
                i = 1 if abs(tip[1] - base[1]) > abs(tip[0] - base[0]) else 0
                hb = head.get_window_extent(r)
                near = (hb.y0, hb.y1) if i else (hb.x0, hb.x1)
                start = min(near, key=lambda v: abs(v - base[i]))   # the head's end nearer the cap
                stem = abs(start - base[i]) - r.points_to_pixels(marks.LW / 2)   # from the cap's edge
                assert stem >= r.points_to_pixels(marks.MIN_STEM_PT) - 1, (key, stem)
                # inked along the stem, on the page
                ink = np.array([int(_hex(shaft.get_color())[j:j + 2], 16) for j in (1, 3, 5)])
                lo, hi = sorted((base[i] + np.sign(start - base[i]) * r.points_to_pixels(marks.LW), start))
                along = np.arange(int(np.ceil(lo)), int(np.floor(hi)))
                across = int(round(base[1 - i]))
                img = pixels(fig)
                px = [img[v, across - 1:across + 2] if i else img[across - 1:across + 2, v] for v in along]
                inked = np.mean([(np.abs(p - ink).sum(axis=1) < 150).any() for p in px])
                assert inked >= (0.3 if hollow else 0.9), (key, inked)   # dashed: at least a dash clear of cap and head
                for ref in refs:   # the head off every reference line
                    path = ref.get_transform().transform_path(ref.get_path())
                    assert not path.intersects_bbox(hb.padded(r.points_to_pixels(marks.CLEAR_PT) - 1), filled=False), key
    assert seen >= enough(sweep, 30, 10)
    fig = every_figure["2020", "trade", "wide"][0]   # the case the editor saw: the head above the zero line
    [shaft] = [a for a in fig.axes[1].lines if isinstance(a, marks.Shaft)]
    zero = fig.axes[1].transData.transform((0, 0))[1]
    assert _head(shaft, fig.axes[1].patches).get_window_extent(renderer(fig)).y0 > zero + 2


# -- 2. ranges that can be seen, never more precise than they are ------------------------------------
def test_a_rounded_value_is_a_visible_range_at_phone_size_and_keeps_its_ends(quantities):
    fig = plots.fig_exports(quantities, 2020, 2018, "narrow")
    ax = fig.axes[0]
    [r2018] = [a for a in ax.lines if isinstance(a, marks.RangeMark) and a.get_xdata()[0] == 2018]
    assert list(r2018.get_ydata()) == [1350, 1450]  # the true ends stay in the data
    fig.set_dpi(95)  # a 3.8 in figure across a 390 px phone
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[::-1, :, :3].astype(int)  # rows from the bottom, as display y
    x = int(round(ax.transData.transform((2018, 0))[0]))
    ink = np.array([int(PUBLISHER_COLOURS["the article"][i:i + 2], 16) for i in (1, 3, 5)])
    inked = (np.abs(img[:, x - 10:x + 11] - ink).sum(axis=2) < 120)
    true = ax.transData.transform([(2018, 1350), (2018, 1450)])[:, 1]
    lo = hi = int(true.mean())  # the run of inked rows about its middle (not a label further off)
    while inked[lo - 1].any():
        lo -= 1
    while inked[hi + 1].any():
        hi += 1
    rows = np.arange(lo, hi + 1)
    assert rows.max() - rows.min() + 1 >= 7  # two caps and a stem, never a 2 px tick
    widths = inked[rows.min():rows.max() + 1].sum(axis=1)
    cap = r2018.figure.dpi * marks.CAP_MS / 72
    assert widths[:2].max() >= 0.7 * cap and widths[-2:].max() >= 0.7 * cap  # a cap at each end ...
    assert widths[2:-2].min() <= 0.5 * cap  # ... and a stem between them: it reads as a range
    assert rows.min() <= true[0] and true[1] <= rows.max() + 1  # widened about its middle: never narrower


def test_a_short_range_is_drawn_a_few_pixels_long_never_many_times_its_length(every_figure, sweep):
    """A range too short to see is drawn MIN_RANGE_PT long (its caps and a little stem), never longer:
    at most 3 times its true length, or MIN_RANGE_PT, whichever is larger (2006's $514–532 million in
    the 2011 figures was drawn ~25 times its length)."""
    seen = widened = 0
    for key, fig, _ in every_figure.cases(sweep):
        r = renderer(fig)
        for ax in fig.axes:
            for a in [a for a in ax.lines if isinstance(a, marks.RangeMark)]:
                seen += 1
                i = 0 if a.horizontal else 1
                true = abs(np.diff(a.get_transform().transform(a.get_xydata())[:, i]))[0]
                drawn = abs(np.diff(a.shown(r)[:, i]))[0]
                assert drawn >= true - 0.01, key  # never shorter than it is
                assert drawn <= max(3 * true, r.points_to_pixels(marks.MIN_RANGE_PT)) + 0.01, (key, true, drawn)
                widened += drawn > true + 0.01
    assert seen >= enough(sweep, 30, 10) and widened >= 5


@pytest.mark.parametrize("case", per_case(["2011"]))
def test_the_short_range_the_editor_measured_is_a_few_pixels_now(every_figure, case):
    fig = every_figure[case, "measures", "wide"][0]   # 2006, drawn ~25 times its length before
    [r2006] = [a for a in fig.axes[0].lines if isinstance(a, marks.RangeMark) and a.get_xdata()[0] == 2006]
    drawn = abs(np.diff(r2006.shown(renderer(fig))[:, 1]))[0]
    assert drawn <= renderer(fig).points_to_pixels(marks.MIN_RANGE_PT) + 0.01


# -- 3. legends made of the marks drawn, in the colours drawn ------------------------------------------
def test_every_legend_is_made_of_the_marks_drawn_and_nothing_else(every_figure, sweep):
    for key, fig, _ in every_figure.cases(sweep):
        drawn = drawn_marks(fig)
        entries = legend_entries(fig)
        shown = {k for _, keys in entries for k in keys}
        colours = {c for _, c, _ in shown}
        derived = dict(entries).get(DERIVED_LABEL, set())
        hollow_kinds = {m[0] for m in drawn if m[5]}
        assert {k for k, _, _ in derived} == hollow_kinds, key  # "derived (hollow)" iff hollow marks, with them
        assert all(h for _, _, h in derived), key
        published = {(m[0], m[4]) for m in drawn if not m[5]}
        for kind, colour in published:  # each filled mark, as it looks, in its colour (a dot on a series: the series)
            assert (kind, colour, False) in shown or ("series", colour, False) in shown, (key, kind, colour)
        for kind, _, _, _, colour, hollow in drawn:
            if hollow:  # its colour is in the legend, and its shape under "derived by us (hollow)"
                assert colour in colours, (key, colour)
        for label, keys in entries:  # nothing in the legend that is not drawn
            for kind, colour, hollow in keys:
                if label == DERIVED_LABEL:
                    continue
                kinds = {m[0] for m in drawn if m[4] == colour and m[5] == hollow}
                assert (kind in kinds) or (kind == "series" and "exact" in kinds), (key, label, kind)


def test_colour_means_publisher_where_it_does(every_figure):
    fig = every_figure["2020", "exports", "wide"][0]
    entries = dict(legend_entries(fig))
    assert list(entries) == ["the article", "the 2006\u20132021 paper", "OECD MSTI", DERIVED_LABEL]
    art = PUBLISHER_COLOURS["the article"]
    assert entries["the article"] == {("range", art, False), ("at least", art, False)}  # 2018, and 2020's bound
    assert entries["OECD MSTI"] == {("exact", PUBLISHER_COLOURS["OECD MSTI"], False)}
    assert {k for k, _, _ in entries[DERIVED_LABEL]} == {"range", "at least"}  # 2006, and 2019's bound


@pytest.mark.parametrize("case", per_case(["2011"]))
def test_a_publication_whose_only_mark_is_derived_is_shown_hollow_in_its_colour(every_figure, case):
    fig = every_figure[case, "exports", "wide"][0]  # the 2006–2021 paper's only mark there is derived
    assert dict(legend_entries(fig))["the 2006\u20132021 paper"] == {("range", PUBLISHER_COLOURS["the 2006\u20132021 paper"], True)}


def test_a_user_series_trade_figure_says_derived_in_its_legend(every_figure):
    fig = every_figure["user", "trade", "wide"][0]
    assert legend(fig) == ["exports", "imports", DERIVED_LABEL]
    axb = fig.axes[1]   # the balance is ours: every mark of it hollow, and nothing else is
    assert {m[5] for m in _marks(list(axb.lines) + list(axb.patches), False)} == {True}
    assert not any(m[5] for m in _marks(list(fig.axes[0].lines) + list(fig.axes[0].patches), False))


# -- 4. labels next to what they label; reference lines never through them ---------------------------
def test_above_zero_a_surplus_sits_on_the_zero_line(every_figure, sweep):
    for key, fig, _ in every_figure.cases(sweep, "trade"):
        axb = fig.axes[1]
        r = renderer(fig)
        [t] = [t for t in axb.texts if t.get_text() == "above 0: a surplus"]
        box = t.get_window_extent(r)
        zero = axb.transData.transform((0, 0))[1]
        assert zero < box.y0 <= zero + r.points_to_pixels(6), key  # just above the line: the surplus side


def test_the_1x_line_never_crosses_a_ratio_label(every_figure, sweep):
    for key, fig, _ in every_figure.cases(sweep, "measures"):
        axr = fig.axes[1]
        r = renderer(fig)
        labels = [t.get_text() for t in axr.texts if t.get_text().endswith("\u00d7")]
        assert len(labels) == len(axr.get_yticks()), key  # every ratio labelled
        lines = [a for a in axr.lines if a.get_linestyle() == ":"]
        assert lines and all(list(a.get_xdata()) == [1, 1] for a in lines), key
        for t in axr.texts:  # no text crosses it: the ratios' labels, and on a phone the names above the rows
            b = t.get_window_extent(r)
            assert not any(a.get_window_extent(r).overlaps(b) for a in lines), (key, t.get_text())
        if key[2] == "narrow":  # the names above their rows, not beside the panel: both panels keep the width
            names = [t for t in axr.texts if not t.get_text().endswith("\u00d7")]
            assert [t.get_text() for t in names] == row_names(axr), key
            assert abs(axr.bbox.x0 - fig.axes[0].bbox.x0) < 1 and axr.bbox.x0 < 0.2 * fig.bbox.width, key


@pytest.mark.parametrize("size", ["wide", "narrow"])
def test_the_measures_figure_labels_each_ratio_beside_it(every_figure, size):
    fig = every_figure["2020", "measures", size][0]   # the article's years
    ax, axr = fig.axes
    assert row_names(axr) == ["IP receipts", "ICT service exports", "form 1-TB exports"]
    assert sorted(t.get_text() for t in axr.texts if "\u00d7" in t.get_text()) == ["1.13\u00d7", "1.33\u00d7",
                                                                                "\u2265 3.10\u00d7"]
    assert legend(fig) == ["form 1-TB, the article", "form 1-TB, the 2006\u20132021 paper", "form 1-TB, OECD MSTI",
                           "ICT service exports (World Bank)", "IP receipts (World Bank)", DERIVED_LABEL]
    assert_no_collisions(fig)


# -- 5. no mark behind another ---------------------------------------------------------------------------
@pytest.mark.parametrize("size", ["wide", "narrow"])
def test_exports_and_imports_of_a_year_never_hide_each_other(every_figure, size):
    for case in ("user", "2020"):
        fig = every_figure[case, "trade", size][0]
        ax = fig.axes[0]
        r = renderer(fig)
        dots = [(a.get_xdata()[0], a.get_transform().transform(a.get_xydata()[0]),
                 r.points_to_pixels(a.get_markersize())) for a in ax.lines if a.get_marker() == "o"]
        assert len(dots) >= 10 and min(d for _, _, d in dots) >= r.points_to_pixels(3.5)  # dots, big enough to see
        for (ya, pa, da), (yb, pb, db) in itertools.combinations(dots, 2):
            gap = float(np.hypot(*(pa - pb)))
            assert gap >= 0.9 * (da + db) / 2, (ya, yb)  # side by side, both whole (or nearly: never hidden)


def test_no_mark_hides_a_series_dot(every_figure, sweep):
    """Issue 17: in the 2011 measures figure the 2006 range sat on the start of the IP-receipts line and
    the OECD's dots for 2011-2013 covered IP points. A form 1-TB mark that would cover a World Bank
    series' dot of its year is moved aside (DODGE_PT), so both show; its data stay at its year."""
    for key, fig, _ in every_figure.cases(sweep, "measures"):
        ax = fig.axes[0]
        boxes = mark_boxes(ax)
        series = [a for a in ax.lines if isinstance(a, Line2D) and a.get_marker() == "o" and len(a.get_xydata()) > 2]
        dots = [b for a, b in boxes if a in series]
        others = [(a, b) for a, b in boxes if a not in series]
        assert len(series) >= 1 and dots, key
        for a, b in others:
            hit = [d for d in dots if d.overlaps(b)]
            assert not hit, (key, type(a).__name__)


@pytest.mark.parametrize("case", per_case(["2011"]))
def test_the_2006_range_is_moved_aside_on_the_page_only(every_figure, case):
    fig = every_figure[case, "measures", "wide"][0]   # where it covered the start of the IP-receipts line
    r2006 = [a for a in fig.axes[0].lines if isinstance(a, marks.RangeMark) and a.get_xdata()[0] == 2006]
    assert len(r2006) == 1 and list(r2006[0].get_xdata()) == [2006, 2006]   # its data stay at its year ...
    assert 0 < abs(r2006[0].dodged_pt) <= marks.DODGE_PT   # ... moved aside on the page only, a few points


# -- 6. the partners: what differs, and a title that says what is only a bound -------------------------
def test_five_identical_bounds_are_one_row_and_the_title_says_so(every_figure, stories):
    fig = every_figure["2020", "partners", "wide"][0]
    ax = fig.axes[0]
    rows = [t.get_text().replace("\n", " ") for _, t in sorted(zip(ax.get_yticks(), ax.get_yticklabels()),
                                                              key=lambda pt: pt[0])]
    assert rows == ["Belarus, China, Germany, Switzerland, United States", "Netherlands"]  # bottom to top
    found = [(m[0], m[1].replace("\n", " "), *m[2:]) for m in drawn_marks(fig)]
    assert sorted(found, key=str) == [("at least", rows[0], 250.0, None, PUBLISHER_COLOURS["the article"], False),
                                      ("range", "Netherlands", 900.0, 1000.0, PUBLISHER_COLOURS["the article"], False)]
    assert sorted(t.get_text() for t in ax.texts) == ["$0.9\u20131.0bn", "\u2265 $250m each"]
    assert legend(fig) == ["the article"]
    assert ax.get_title() == ""  # the page's title says what it shows
    assert_no_collisions(fig)
    text = stories("2020")["partners"][0]
    # what the figure draws, each figure as fmt writes it (issue 17: "five of the six partners shown ..." confused)
    assert text["title"] == "Markets in 2020: the Netherlands $0.9\u20131.0 billion; five others each at least $250 million"
    assert text["alt"] == ("Netherlands: $0.9\u20131.0 billion; Belarus, China, Germany, Switzerland and United States: "
                           "at least $250 million each; the figures do not settle which market was largest.")
    assert "sort" not in text["caption"] and "first 6" not in text["caption"]
    assert "All six partners with a figure, ordered by value" in text["caption"]
    assert "asterisk" not in text["caption"] and "*" not in "".join(t.get_text() for t in ax.get_yticklabels())


def test_with_a_user_series_the_partners_stay_a_chart_of_exact_values(every_figure, stories):
    fig = every_figure["user", "partners", "narrow"][0]
    found = drawn_marks(fig)
    assert len(found) == 8 and {m[0] for m in found} == {"exact"}  # one dot a row (China and Cyprus: $300m each)
    assert len(fig.axes[0].texts) == 8 and legend(fig) == ["your series"]
    assert_no_collisions(fig)
    text, record = stories("user")["partners"]
    assert text["title"] == "Technology exports by partner, 2020" and text["alt"].endswith(".")
    assert "do not settle" not in text["alt"]
    assert record["marked"] == sorted(plots.NAMED)


def test_no_partner_larger_than_one_the_article_names_is_hidden(user_q, tidy, every_figure, stories):
    """Issue 17: "the first 6 shown" hid Kazakhstan ($400m) and India ($350m), larger than four of the
    partners the article names. Now: by value, every partner at least as large as the smallest shown
    (the first top_n, and every one the article names), the article's marked where others are shown."""
    shown = plots.partner_order(user_q, 2020, 6)
    every = user_q.partners(2020)
    smallest = min(iv.lo for n, iv in shown)
    assert {n for n, iv in every.items() if iv.hi >= smallest} == {n for n, _ in shown}
    assert {"Kazakhstan", "India"} <= {n for n, _ in shown} and set(plots.NAMED) <= {n for n, _ in shown}
    assert [iv.lo for _, iv in shown] == sorted((iv.lo for _, iv in shown), reverse=True)   # by value
    fig = every_figure["user", "partners", "wide"][0]
    names = [t.get_text() for _, t in sorted(zip(fig.axes[0].get_yticks(), fig.axes[0].get_yticklabels()),
                                             key=lambda pt: -pt[0])]   # top to bottom
    assert names[:3] == ["Netherlands*", "United States*", "Kazakhstan"]   # the article's marked among others
    assert "India" in names and all(("*" in x) == any(n in x for n in plots.NAMED) for x in names)
    caption = stories("user")["partners"][0]["caption"]
    assert "An asterisk marks the partners the article names." in caption and "first 6" not in caption
    # with fewer partners asked for, those shown are still the largest, and their number is said
    q = evidence.build_quantities(add_figures(tidy, [dict(year=2020, flow="exports", partner=p, value=v, source_id="USER1")
                                                        for p, v in [("Kazakhstan", 400), ("India", 100)]]))
    assert [n for n, _ in plots.partner_order(q, 2020, 1)] == ["Netherlands", "Kazakhstan", "Belarus", "China",
                                                               "Germany", "Switzerland", "United States"]


def test_partners_are_ordered_by_a_stated_rule(quantities, tidy):
    # by the least each could be, then the most, then the name; the article's partners always shown
    assert [n for n, _ in plots.partner_order(quantities, 2020, 3)] == ["Netherlands", "Belarus", "China", "Germany",
                                                                         "Switzerland", "United States"]
    q = evidence.build_quantities(add_figures(tidy, [dict(year=2020, flow="exports", partner="Kazakhstan",
                                                             value=400, source_id="USER1")]))
    assert [n for n, _ in plots.partner_order(q, 2020, 7)] == ["Netherlands", "Kazakhstan", "Belarus", "China",
                                                                "Germany", "Switzerland", "United States"]
    assert [names for names, _, _ in plots.partner_rows(q, 2020, 7)] == [
        ["Netherlands"], ["Kazakhstan"], ["Belarus", "China", "Germany", "Switzerland", "United States"]]
    assert plots.fig_partners(quantities, 2021) is None
    assert plots.names_label(["Belarus", "China", "Germany", "Switzerland", "United States"], 21) == \
        "Belarus, China,\nGermany, Switzerland,\nUnited States"  # never "United / States"


# -- 7. the report year labelled ------------------------------------------------------------------------
@pytest.mark.parametrize("case", per_case([str(y) for y in YEARS]))
def test_every_figure_labels_the_report_year(every_figure, quantities, case):
    """The exports figure always shows the report year; the trade figure does whenever the year has a
    balance (else its caption says there is none); the measures figure the years it compares."""
    def labels(fig):
        renderer(fig)
        return [t.get_text() for ax in fig.axes for t in ax.get_xticklabels()]

    year = CASES[case][0]
    for size in ("wide", "narrow"):
        assert str(year) in labels(every_figure[case, "exports", size][0]), (year, size)
        trade = labels(every_figure[case, "trade", size][0])
        assert (str(year) in trade) == (year in quantities.years("balance")), (year, size, trade)


@pytest.mark.parametrize("year,base,pair", per_case(["2021", "2011", "2020", "2018"], [
    (2021, 2018, (2021, 2018)), (2011, 2006, (2011, 2006)), (2020, 2018, (2020, 2018)), (2018, 2006, (2018, 2006))]))
def test_the_measures_figure_compares_the_reports_own_years(every_figure, quantities, wdi, year, base, pair):
    assert plots.measures_pair(quantities, wdi, year, base) == pair
    for size in ("wide", "narrow"):
        fig = every_figure[str(year), "measures", size][0]
        assert fig.axes[1].get_title(loc="left") == f"{pair[0]} against {pair[1]}"
        renderer(fig)
        assert str(pair[0]) in [t.get_text() for t in fig.axes[0].get_xticklabels()]  # the report year labelled


def test_the_report_and_base_years_are_both_labelled_and_the_other_ticks_regular(every_figure, sweep):
    """Issue 17: the 2019 exports figure's ticks went "2016, 2019", the base year 2018 unlabelled next to
    the report year. The report and base years are labelled whenever drawn (the base year a line lower
    where the two would touch, as on a phone); the other ticks are every k years (k in YEAR_STEPS, at
    multiples of k), one giving way only where it would crowd a labelled report or base year."""
    for key, fig, _ in every_figure.cases(sweep):
        year_ticks_checked(key, fig)


def year_ticks_checked(key, fig) -> int:
    """Check the figure's year ticks (the test above); returns how many of its axes label a report year
    and a base year next to each other on a phone (the base year a line lower)."""
    seen = 0
    r = renderer(fig)
    for ax in fig.axes:
        spec = getattr(ax, "techtrade_years", None)
        if spec is None:
            continue
        first, last, must, _ = spec
        ticks = [int(round(t)) for t in ax.get_xticks()]
        labels = {int(round(t.get_position()[0])): t for t in ax.get_xticklabels() if t.get_text()}
        assert all(labels[m].get_text() == str(m) for m in must), (key, must, sorted(labels))
        regular = [t for t in ticks if t not in must]
        if len(regular) >= 2:
            k = min(b - a for a, b in zip(regular, regular[1:]))
            assert k in plots.YEAR_STEPS and all(t % k == 0 for t in regular), (key, ticks)
            missing = [t for t in range(first, last + 1) if t % k == 0 and t not in ticks]
            assert all(any(abs(t - m) < k for m in must) for t in missing), (key, ticks, missing)
        if len(must) == 2 and abs(must[0] - must[1]) == 1 and key[2] == "narrow":
            seen += 1   # side by side they would touch: the base year a line lower, both in full
            a, b = (labels[m].get_window_extent(r) for m in must)
            assert b.y1 <= a.y0 + 1 and not a.overlaps(b), key
    return seen


@pytest.mark.parametrize("case", per_case(["2019"]))
def test_a_report_year_next_to_its_base_year_is_labelled_with_it(every_figure, case):
    """The case the editor saw: 2019 against 2018."""
    seen = sum(year_ticks_checked(key, fig) for key, fig, _ in every_figure.cases([case]))
    assert seen >= 2   # 2019 against 2018: the exports and the measures figures on a phone
    fig = every_figure[case, "exports", "wide"][0]
    renderer(fig)
    assert {"2018", "2019"} <= {t.get_text() for t in fig.axes[0].get_xticklabels()}


def test_the_exports_title_states_the_ratio(every_figure):
    assert every_figure["2020", "exports", "narrow"][0].axes[0].get_title(loc="left") == \
        "2020 against 2018:\nat least 3.10\u00d7 (derived)"


@pytest.mark.parametrize("case", per_case(["2018"]))
def test_the_exports_title_says_a_ratio_across_two_publications(every_figure, case):
    assert every_figure[case, "exports", "wide"][0].axes[0].get_title(loc="left") == \
        "2018 against 2006: 2.54\u20132.83\u00d7 (derived, two publications)"


def test_the_measures_title_and_caption_say_the_years_drawn(every_figure, stories, sweep):
    """Issue 17: the title said "..., 2018 to 2020" while the levels axis ran 2010 to 2024. Title and
    caption now name the years the levels panel draws, and the pair its other panel compares; the axis
    ends where the marks do."""
    for case in [c for c in sweep if c in STORIES]:
        text, record = stories(case)["measures"]
        b, y = record["years"]
        for size in ("wide", "narrow"):
            ax = every_figure[case, "measures", size][0].axes[0]
            years = {int(round(m[1])) for m in _marks(list(ax.lines) + list(ax.patches), False)}
            first, last = min(years), max(years)
            assert text["title"] == (f"Technology exports by form 1-TB beside other measures, {first} to {last}, "
                                     f"and {y} against {b}"), (case, text["title"])
            assert text["caption"].startswith(f"Levels in current US dollars, {first} to {last}, and each measure"
                                              f"\u2019s {y} against {b}."), case
            lo, hi = ax.get_xlim()
            assert first - 1 < lo < first and last < hi < last + 2, (case, size)


@pytest.mark.parametrize("case", per_case(["2011"]))
def test_the_measures_title_runs_from_the_base_year_where_it_is_earlier(stories, case):
    assert "2006 to 2024" in stories(case)["measures"][0]["title"]


def test_the_trade_title_and_caption_agree_on_the_years_with_a_balance(stories, sweep):
    """Both name the years drawn, and the caption says so when the report year has no balance."""
    for case in [c for c in sweep if c in STORIES]:
        text, record = stories(case)["trade"]
        years = sorted({d["x"] for d in record["data"] if d["series"] == "balance"})
        assert text["title"].endswith(": " + fmt.year_list(years)), case
        assert ("There is none for" in text["caption"]) == (record["years"][1] not in years), case


@pytest.mark.parametrize("case", per_case(["2019"]))
def test_a_report_year_without_a_balance_says_so_in_the_trade_title_caption_and_alt(stories, case):
    """Issue 17: the 2019 trade figure's title said "to 2015", its caption "up to 2019", and 2019 has no
    balance. Both name the years drawn; the caption and the alt text say there is none for 2019."""
    text, record = stories(case)["trade"]
    assert text["title"] == "Exports, imports and the balance: 2006 and 2011 to 2015"
    assert ("up to 2019: 2006 and 2011 to 2015. There is none for 2019: no imports figure is held for it."
            in text["caption"])
    assert text["alt"] == "No balance for 2019; the latest, 2015: a deficit of $551 million."


def test_captions_describe_only_what_is_drawn(stories, sweep):
    """Issue 17: the user series' captions spoke of arrows, ranges and the OECD's own conversion, none of
    them drawn. A caption names a mark's meaning only if the figure draws that mark."""
    for case in [c for c in sweep if c in STORIES]:
        for name, (text, record) in stories(case).items():
            data, caption = record["data"], text["caption"]
            kinds = {d["kind"] for d in data}
            assert ("An arrow marks a bound" in caption) == bool(kinds & {"at least", "at most"}), (case, name)
            assert ("A range too short to see" in caption) == ("range" in kinds), (case, name)
            assert ("OECD" in caption) == any("OECD" in d["series"] for d in data), (case, name)
            assert ("what we derive" in caption) <= any(d["derived"] for d in data), (case, name)
    user = " ".join(t["caption"] for t, _ in stories("user").values())
    assert "arrow" not in user and "range" not in user and "conversion" not in user


def test_world_bank_ratios_are_derived_hollow_and_said_so(every_figure, stories, sweep):
    """Issue 17: a ratio of two published values is ours: drawn hollow (the legend says "derived by us
    (hollow)"), its data row derived, and "(derived)" after it in the alt texts."""
    for key, fig, data in every_figure.cases(sweep, "measures"):
        axr = fig.axes[1]
        found = _marks(list(axr.lines) + list(axr.patches), True)
        assert found and all(m[5] for m in found), key
        assert all(d["derived"] for d in data if d["unit"] == "ratio"), key
        assert DERIVED_LABEL in legend(fig) and ("exact", marks.NEUTRAL, True) in dict(legend_entries(fig))[DERIVED_LABEL]
    for case in [c for c in sweep if c in STORIES]:
        for name in ("measures", "exports"):
            alt = stories(case)[name][0]["alt"]
            assert "\u00d7" in alt and not re.search("\u00d7(?! \\(derived\\))", alt), (case, name, alt)


# -- 8. legends that fit, under the whole figure ------------------------------------------------------
def test_legends_sit_under_the_whole_figure_in_at_most_two_columns_on_a_phone(every_figure, sweep):
    for key, fig, _ in every_figure.cases(sweep):
        r = renderer(fig)
        [lg] = fig.legends
        box = lg.get_window_extent(r)
        assert box.y1 <= min(ax.get_tightbbox(r).y0 for ax in fig.axes) + 1, key  # under every panel
        assert abs((box.x0 + box.x1) / 2 - fig.bbox.width / 2) < 0.03 * fig.bbox.width, key  # centred on the figure
        columns = {round(t.get_window_extent(r).x0) for t in lg.get_texts()}
        assert len(columns) <= (2 if key[2] == "narrow" else 3), key


# -- every figure: readable ticks, no collisions --------------------------------------------------------
def test_every_figure_has_readable_ticks_and_no_collisions(every_figure, sweep):
    for key, fig, _ in every_figure.cases(sweep):
        renderer(fig)
        for ax in fig.axes:
            if key[1] in ("exports", "trade") or ax is fig.axes[0] and key[1] == "measures":
                labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
                assert len(labels) == len(set(labels)) >= 2, (key, labels)  # never "0 0 0 1 1"
                assert not any("e+" in x or "-" in x for x in labels), (key, labels)  # no exponent, a true minus
        assert not [p for ax in fig.axes for p in ax.patches if isinstance(p, Rectangle)], key  # no bars
        assert_no_collisions(fig, key)


# -- 9. a data alternative for every chart ---------------------------------------------------------------
def _expand(m):
    """A drawn mark as data rows: one per partner on a shared row."""
    kind, where, lo, hi, _, hollow = m
    names = where.replace("\n", " ").replace("*", "").split(", ") if isinstance(where, str) else [where]
    lo = None if lo is None or (kind == "at most") else round(float(lo), 6)
    hi = None if hi is None or (kind == "at least") else round(float(hi), 6)
    return [(kind, n, lo, hi, hollow) for n in names]


def test_the_data_holds_every_mark_drawn_and_nothing_else(every_figure, sweep):
    for key, fig, data in every_figure.cases(sweep):
        from_marks = sorted((row for m in drawn_marks(fig) for row in _expand(m)), key=str)
        from_data = sorted(((d["kind"], d["x"], None if d["lo"] is None or d["kind"] == "at most" else round(d["lo"], 6),
                            None if d["hi"] is None else round(d["hi"], 6), d["derived"]) for d in data), key=str)
        assert from_marks == from_data, key
        assert len(data) >= len(drawn_marks(fig)) > 0, key
        json.dumps(data, allow_nan=False)  # plain JSON: null for an unbounded end
        assert all(set(d) == {"series", "x", "kind", "lo", "hi", "unit", "derived", "source_ids"} for d in data), key
        assert all(d["source_ids"] for d in data), key


def test_a_data_row_says_what_the_mark_says(every_figure, tmp_path):
    drawn = every_figure.drawn("2020")
    data = {d["name"]: d["data"] for d in drawn}
    assert {"series": "form 1-TB exports, the article", "x": 2020, "kind": "at least", "lo": 4500.0, "hi": None,
            "unit": "USD mn", "derived": False, "source_ids": "MT"} in data["exports"]
    assert {"series": "form 1-TB exports, the article", "x": "Belarus", "kind": "at least", "lo": 250.0, "hi": None,
            "unit": "USD mn", "derived": False, "source_ids": "MT;EWDN;BNE"} in data["partners"]
    ratio = [d for d in data["measures"] if d["unit"] == "ratio" and d["x"] == "form 1-TB exports"]
    assert len(ratio) == 1 and ratio[0]["derived"] and ratio[0]["hi"] is None and ratio[0]["series"] == "2020 against 2018"
    assert all(plots.figure_data(d["figs"]["narrow"]) == d["data"] for d in drawn)  # both sizes draw the same
    saved = plots.save_all([{**d, "figs": {}} for d in drawn], tmp_path)   # the records (no files written)
    assert [s["data"] for s in saved] == [d["data"] for d in drawn]  # passed on to the results


# -- the records, the files ---------------------------------------------------------------------------
@pytest.mark.parametrize("case", per_case(["2021"]))
def test_draw_all_names_each_figure_its_sources_and_its_years(every_figure, case):
    drawn = every_figure.drawn(case)
    assert [d["name"] for d in drawn] == ["measures", "exports", "trade"]  # no partner figures for 2021
    ids = {d["name"]: d["source_ids"] for d in drawn}
    assert set(ids["exports"]) == {"MT", "SPB", "OECD"} and set(ids["measures"]) >= {"WDI", "WDI2026"}
    assert all(set(d["figs"]) == {"wide", "narrow"} for d in drawn)
    assert {d["name"]: d["years"] for d in drawn} == {"measures": [2018, 2021], "exports": [2018, 2021],
                                                      "trade": [2021, 2021]}


def test_save_writes_svg_with_text_as_text_and_the_same_bytes(quantities, every_figure, tmp_path):
    """The 2020 exports figure drawn again on its own and saved gives the bytes of the one draw_all drew."""
    a = plots.save({s: plots.fig_exports(quantities, 2020, 2018, s) for s in ("wide", "narrow")}, tmp_path, "f")
    assert a == {"wide": "f-wide.svg", "narrow": "f-narrow.svg"}
    for size, name in a.items():
        assert (tmp_path / name).read_bytes() == every_figure.svg("2020", "exports", size).read_bytes()
    svg = (tmp_path / "f-wide.svg").read_text()
    assert "<svg" in svg[:500] and ">2020<" in svg and "\u2265 $4.5bn<" in svg  # text stays text, labels too


@pytest.mark.parametrize("name", ["exports", "trade", "partners", "measures"])
def test_narrow_figures_are_legible_on_a_390_px_phone(every_figure, name):
    """Shown across a 390 px screen (361 px of text column), no text on a narrow figure is under 11 px."""
    for case in ("2020", "user"):
        svg = every_figure.svg(case, name, "narrow").read_text()   # as saved
        width_pt = float(re.search(r'width="([\d.]+)pt"', svg).group(1))
        scale = 361 / (width_pt * 4 / 3)  # CSS px per SVG user unit (pt), the image fitted to the column
        sizes = [float(x) for x in re.findall(r"font-size: ([\d.]+)px", svg)]
        assert sizes and min(sizes) * 4 / 3 * scale >= 11, (case, min(sizes), scale)


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_mark_colours_pass_wcag_aa_on_white():
    """Marks (non-text, WCAG 1.4.11) at least 3:1 against the white plot; label text 4.5:1."""
    def contrast(c):
        return (1.05) / (_luminance(c) + 0.05)
    for c in [*PUBLISHER_COLOURS.values(), *(m.colour for m in measures.DRAWN), *plots.FLOWS.values(), marks.NEUTRAL]:
        assert contrast(c) >= 3, c
    assert contrast(marks.INK) >= 4.5


def test_every_publication_of_form_1tb_in_the_registry_has_a_colour_in_its_order(raw):
    """sources.csv's publication column declares who published what; the figures colour each publication
    of the same statistics, in the registry's order (the legends'), then a user's series."""
    src = raw["sources"]
    form_1tb = list(dict.fromkeys(src[src["role"] != "a different measure"]["publication"]))
    assert form_1tb == ["the article", "the 2006\u20132021 paper", "OECD MSTI"]
    assert list(PUBLISHER_COLOURS) == form_1tb + [marks.USER_SERIES, "other"]
    assert marks.publication_of("the article;OECD MSTI") == "the article"
    assert marks.publication_of("OECD MSTI;your series") == "your series"
    assert marks.publication_of("World Bank") == "other"
