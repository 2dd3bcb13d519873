"""Figures: bounds drawn as bounds, legends for exactly what is drawn, ticks that say their values, labels
that never collide, for every report year, wide and narrow; the same figure gives the same bytes."""
import itertools

import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import Rectangle
from matplotlib.text import Annotation

from techtrade import evidence, plots
from techtrade.intervals import INF

from .synthetic import add_figures


@pytest.fixture(autouse=True)
def style():
    plots.use_style()
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def wdi(raw):
    return evidence.tidy_wdi(raw["wdi"])


def legend(fig):
    """The figure's legend, under its plot: exactly what was drawn."""
    return [t.get_text() for lg in fig.legends for t in lg.get_texts()]


def texts(fig):
    """Every visible piece of text on the figure, with its box on the canvas."""
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    out = [(lg, lg.get_window_extent(r)) for lg in fig.legends]
    for ax in fig.axes:
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        ticks = [t for t in ax.get_xticklabels() if x0 <= t.get_position()[0] <= x1]
        ticks += [t for t in ax.get_yticklabels() if y0 <= t.get_position()[1] <= y1]
        items = ticks + [ax.xaxis.label, ax.yaxis.label, ax.title] + ax.texts
        out += [(t, t.get_window_extent(r)) for t in items
                if t.get_visible() and (not hasattr(t, "get_text") or t.get_text())]
    return out


def assert_no_collisions(fig):
    """No two texts overlap, and none runs off the figure."""
    boxes = texts(fig)
    page = fig.bbox
    for t, b in boxes:
        inside = page.x0 - 1 <= b.x0 and b.x1 <= page.x1 + 1 and page.y0 - 1 <= b.y0 and b.y1 <= page.y1 + 1
        assert inside, f"off the figure: {getattr(t, 'get_text', lambda: 'legend')()!r}"
    for (a, ba), (b, bb) in itertools.combinations(boxes, 2):
        if ba.overlaps(bb):
            names = [getattr(t, "get_text", lambda: "legend")() for t in (a, b)]
            pytest.fail(f"overlapping texts: {names}")


def arrows(ax):
    return [c for c in ax.get_children() if isinstance(c, Annotation) and c.arrow_patch is not None]


@pytest.mark.parametrize("size", ["wide", "narrow"])
def test_exports_bounds_are_open_ranges_and_the_legend_is_what_is_drawn(quantities, size):
    fig = plots.fig_exports(quantities, 2020, 2018, size)
    ax = fig.axes[0]
    assert not [p for p in ax.patches if isinstance(p, Rectangle)]  # no bar ends at a bound
    tips = [a.xy for a in arrows(ax)]
    top = ax.get_ylim()[1]
    assert (2020, top) in tips and (2019, top) in tips  # 2020 (published) and 2019 (derived): open to the top
    assert legend(fig) == ["the article", "the 2021 paper", "OECD MSTI", "derived by us (hollow, dashed)",
                           "arrow: a bound, the value lies beyond"]
    sep = " " if size == "wide" else "\n"
    assert ax.get_title(loc="left") == f"2020 against 2018:{sep}at least 3.10\u00d7 (derived)"
    assert_no_collisions(fig)


def test_a_year_without_a_bound_has_no_bound_in_its_legend(quantities):
    fig = plots.fig_exports(quantities, 2018, 2006)
    ax = fig.axes[0]
    assert "arrow: a bound, the value lies beyond" not in legend(fig) and "OECD MSTI" in legend(fig)
    assert ax.get_title(loc="left") == "2018 against 2006: 2.54\u20132.83\u00d7 (derived, two publications)"


@pytest.mark.parametrize("year", [2011, 2015, 2018, 2019, 2020, 2021])
@pytest.mark.parametrize("size", ["wide", "narrow"])
def test_every_report_year_has_readable_ticks_and_no_collisions(quantities, wdi, year, size):
    base = 2006 if year <= 2018 else 2018
    for fig in (plots.fig_exports(quantities, year, base, size), plots.fig_trade(quantities, year, size)):
        for ax in fig.axes:
            fig.canvas.draw()
            labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
            assert len(labels) == len(set(labels)) >= 2, labels  # never "0 0 0 1 1"
            assert not any("e+" in x or "-" in x for x in labels), labels  # no exponent, a true minus
        assert_no_collisions(fig)


def test_the_balance_is_a_range_or_a_bound_never_a_bar(quantities):
    fig = plots.fig_trade(quantities, 2020)
    axb = fig.axes[1]
    assert not [p for p in axb.patches if isinstance(p, Rectangle)]
    assert (2020, axb.get_ylim()[1]) in [a.xy for a in arrows(axb)]  # from -$150 million up: a surplus possible
    assert axb.get_title(loc="left") == "Balance (derived)"


def test_partners_as_the_figures_allow_and_ordered_by_a_stated_rule(quantities):
    fig = plots.fig_partners(quantities, 2020, 6)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["United States", "Switzerland", "Germany", "China",
                                                           "Belarus", "Netherlands"]  # bottom to top
    assert len(arrows(ax)) == 5  # the five "more than $250 million": open to the right
    nl = [ln for ln in ax.lines if list(ln.get_ydata()) == [5, 5] and len(ln.get_xdata()) == 2]
    assert [list(ln.get_xdata()) for ln in nl] == [[900, 1000]]  # "almost $1 billion": a range, never from zero
    assert legend(fig) == ["the article", "arrow: a bound, the value lies beyond"]
    assert ax.get_title() == ""  # no title claims "largest": the page's title says what it shows
    assert [n for n, _ in plots.partner_order(quantities, 2020, 3)] == ["Netherlands", "Belarus", "China"]
    q = evidence.build_quantities(add_figures(_tidy_with_others(), []))
    assert [n for n, _ in plots.partner_order(q, 2020, 7)] == ["Netherlands", "Belarus", "China", "Germany",
                                                                "Switzerland", "United States", "Kazakhstan"]
    assert plots.fig_partners(quantities, 2021) is None
    assert_no_collisions(fig)


def _tidy_with_others():
    from techtrade import dataset, stages
    inputs, _ = stages.paths("01_ingest")
    inputs["user_series"] = None
    tidy = evidence.figure_intervals(dataset.load_raw(inputs)["figures"])
    return add_figures(tidy, [dict(year=2020, flow="exports", partner="Kazakhstan", value=400, source_id="USER1")])


def test_a_user_series_draws_exact_values_as_dots(tidy):
    q = evidence.build_quantities(add_figures(tidy, [dict(year=2020, flow="exports", partner="Netherlands", value=980,
                                                          source_id="USER1")]))
    fig = plots.fig_partners(q, 2020, 6)
    assert "your series" in legend(fig) and "the article" in legend(fig)


@pytest.mark.parametrize("size", ["wide", "narrow"])
def test_the_measures_figure_shows_each_ratio_beside_the_articles(quantities, wdi, size):
    fig = plots.fig_measures(quantities, wdi, size=size)
    ax, axr = fig.axes
    assert [t.get_text() for t in axr.get_yticklabels()] == ["IP receipts", "ICT service exports", "form 1-TB exports"]
    assert sorted(t.get_text() for t in axr.texts if t.get_text()) == ["1.13\u00d7", "1.33\u00d7", "at least 3.10\u00d7"]
    assert legend(fig) == ["form 1-TB, the article", "form 1-TB, the 2021 paper", "form 1-TB, OECD MSTI",
                          "ICT service exports (World Bank)", "IP receipts (World Bank)",
                          "arrow: a bound, the value lies beyond", "derived by us (hollow, dashed)"]
    assert_no_collisions(fig)


def test_draw_all_names_each_figure_its_sources_and_its_years(quantities, raw, wdi):
    drawn = plots.draw_all(quantities, wdi, 2021, 2018)
    assert [d["name"] for d in drawn] == ["measures", "exports", "trade"]  # no partner figures for 2021
    ids = {d["name"]: d["source_ids"] for d in drawn}
    assert set(ids["exports"]) == {"MT", "SPB", "OECD"} and set(ids["measures"]) >= {"WDI", "WDI2026"}
    assert all(set(d["figs"]) == {"wide", "narrow"} for d in drawn)
    assert {d["name"]: d["years"] for d in drawn} == {"measures": [2018, 2021], "exports": [2018, 2021],
                                                      "trade": [2021, 2021]}


@pytest.mark.parametrize("year,base,pair", [(2021, 2018, (2021, 2018)), (2011, 2006, (2011, 2006)),
                                            (2020, 2018, (2020, 2018)), (2018, 2006, (2018, 2006))])
def test_the_measures_figure_compares_the_reports_own_years(quantities, wdi, year, base, pair):
    assert plots.measures_pair(quantities, wdi, year, base) == pair
    fig = plots.fig_measures(quantities, wdi, year, base, "wide")
    assert fig.axes[1].get_title(loc="left") == f"{pair[0]} against {pair[1]}"
    fig.canvas.draw()
    assert str(pair[0]) in [t.get_text() for t in fig.axes[0].get_xticklabels()]  # the report year labelled


@pytest.mark.parametrize("year", [2011, 2015, 2018, 2019, 2020, 2021])
@pytest.mark.parametrize("size", ["wide", "narrow"])
def test_every_figure_labels_the_report_year(quantities, year, size):
    """The exports figure always shows the report year; the trade figure does whenever the year has a
    balance (else its caption says there is none)."""
    base = 2006 if year <= 2018 else 2018

    def labels(fig):
        fig.canvas.draw()
        return [t.get_text() for ax in fig.axes for t in ax.get_xticklabels()]

    assert str(year) in labels(plots.fig_exports(quantities, year, base, size))
    trade = labels(plots.fig_trade(quantities, year, size))
    assert (str(year) in trade) == (year in quantities.years("balance")), trade


def test_save_writes_svg_with_text_as_text_and_the_same_bytes(quantities, tmp_path):
    a = plots.save({s: plots.fig_exports(quantities, 2020, 2018, s) for s in ("wide", "narrow")}, tmp_path / "a", "f")
    plots.save({s: plots.fig_exports(quantities, 2020, 2018, s) for s in ("wide", "narrow")}, tmp_path / "b", "f")
    assert a == {"wide": "f-wide.svg", "narrow": "f-narrow.svg"}
    for name in a.values():
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    svg = (tmp_path / "a" / "f-wide.svg").read_text()
    assert "<svg" in svg[:500] and ">2020<" in svg  # text stays text (searchable, scalable)
    assert INF == float("inf")


@pytest.mark.parametrize("name", ["exports", "trade", "partners", "measures"])
def test_narrow_figures_are_legible_on_a_390_px_phone(quantities, raw, wdi, tmp_path, name):
    """Shown across a 390 px screen (361 px of text column), no text on a narrow figure is under 11 px."""
    import re
    figs = {d["name"]: d["figs"] for d in plots.draw_all(quantities, wdi, 2020, 2018)}[name]
    svg = (tmp_path / plots.save(figs, tmp_path, name)["narrow"]).read_text()
    width_pt = float(re.search(r'width="([\d.]+)pt"', svg).group(1))
    scale = 361 / (width_pt * 4 / 3)  # CSS px per SVG user unit (pt), the image fitted to the column
    sizes = [float(x) for x in re.findall(r"font-size: ([\d.]+)px", svg)]
    assert sizes and min(sizes) * 4 / 3 * scale >= 11, (min(sizes), scale)
