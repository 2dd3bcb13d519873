import matplotlib.pyplot as plt
import pytest

from techtrade import evidence, plots


@pytest.fixture(autouse=True)
def style():
    plots.use_style()
    yield
    plt.close("all")


def _texts(fig):
    return [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))]


def test_exports_figure_marks_derived_and_bounds(quantities):
    fig = plots.fig_exports(quantities, 2020, 2018, "SRC")
    texts = " | ".join(_texts(fig))
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Russia's technology exports, 2006\u20132020"
    assert ax.get_ylabel() == "USD billion, current prices"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2006", "2018", "2019", "2020"]
    assert "2020 / 2018: at least 3.10\u00d7 (derived)" in texts
    assert "\u2265 $3.45bn\n(derived)" in texts and "$1.35\u20131.45bn" in texts
    assert "Source: SRC." in texts
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 2  # 2006 and 2019 are derived
    faded = [p for p in ax.patches if p.get_alpha() is not None and p.get_alpha() < 1]
    assert len(faded) == 2  # 2006 and 2019: neither base nor report year


def test_trade_figure_covers_years_with_both_flows(quantities):
    fig = plots.fig_trade(quantities, 2021, "SRC")
    assert [t.get_text() for t in fig.axes[1].get_xticklabels()] == ["2006", "2020", "2021"]
    assert "\u2212$500 million\nto \u2212$300 million" in _texts(fig)


def test_partner_figure_only_when_partners_exist(quantities):
    assert plots.fig_partners(quantities, 2021, "SRC") is None
    fig = plots.fig_partners(quantities, 2020, "SRC")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[-1] == "Netherlands" and len(labels) == 6
    assert any("\u2264 22.2% of all exports, derived" in t for t in _texts(fig))


def test_wdi_figure_says_it_is_another_measure(raw):
    fig = plots.fig_wdi(evidence.tidy_wdi(raw["wdi"]), 2020, 2018, "World Bank")
    assert "a different measure" in fig._suptitle.get_text()
    assert [a.get_ylabel() for a in fig.axes] == ["USD billion", "USD billion", "% of GDP"]


def test_save_writes_png_and_svg_deterministically(quantities, tmp_path):
    a = plots.save(plots.fig_exports(quantities, 2020, 2018, "S"), tmp_path / "a", "f")
    b = plots.save(plots.fig_exports(quantities, 2020, 2018, "S"), tmp_path / "b", "f")
    assert a == {"png": "f.png", "svg": "f.svg"}
    for ext in ("png", "svg"):
        assert (tmp_path / "a" / a[ext]).read_bytes() == (tmp_path / "b" / b[ext]).read_bytes()
    assert (tmp_path / "a" / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in (tmp_path / "a" / "f.svg").read_text()[:500]


def test_draw_all_names_each_figure_and_its_sources(quantities, raw):
    drawn = plots.draw_all(quantities, evidence.tidy_wdi(raw["wdi"]), raw["sources"], 2021, 2018)
    assert [name for name, _, _ in drawn] == ["exports", "trade", "wdi"]  # no partner figures for 2021
    ids = {name: i for name, _, i in drawn}
    assert sorted(ids["exports"]) == ["MT", "SPB"] and ids["wdi"] == ["WDI"]


def test_ratio_words():
    from techtrade.intervals import INF, Interval
    assert plots._ratio_words(Interval.point(3.2571)) == "3.26\u00d7"
    assert plots._ratio_words(Interval(3.1034, INF)) == "at least 3.10\u00d7"
    assert plots._ratio_words(Interval(3.14, 3.44)) == "3.14\u00d7\u20133.44\u00d7"
