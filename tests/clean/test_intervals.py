import math

import pytest

from techtrade.intervals import INF, Interval


@pytest.mark.parametrize("value,qualifier,precision,unit,expected", [
    (4500, "at least", None, "USD mn", (4500, INF)),
    (1400, "rounded", 100, "USD mn", (1350, 1450)),
    (1000, "at most", None, "USD mn", (0, 1000)),
    (30, "rounded", 1, "percent", (29.5, 30.5)),
    (25, "approximate", None, "percent", (20, 30)),
    (4600, "approximate", None, "USD mn", (4140, 5060)),
    (8.8, "rounded", 0.1, "ratio", (8.75, 8.85)),
    (7, "exact", None, "USD mn", (7, 7)),
])
def test_published_figure_becomes_interval(value, qualifier, precision, unit, expected):
    iv = Interval.from_published(value, qualifier, precision, unit=unit)
    assert iv.lo == pytest.approx(expected[0]) and iv.hi == pytest.approx(expected[1])


def test_unknown_qualifier_and_missing_precision_are_refused():
    with pytest.raises(ValueError, match="unknown qualifier 'roughly'"):
        Interval.from_published(1, "roughly")
    with pytest.raises(ValueError, match="rounding unit"):
        Interval.from_published(1400, "rounded")


def test_arithmetic_keeps_every_possible_value():
    a, b = Interval(4500, INF), Interval(1350, 1450)
    r = a / b
    assert r.lo == pytest.approx(4500 / 1450) and r.hi == INF
    assert (Interval(4550, 4650) - Interval(4950, 5050)) == Interval(-500, -300)
    assert (Interval(1, 2) + Interval(3, 4)) == Interval(4, 6)
    assert (Interval(-2, 3) * Interval(4, 5)) == Interval(-10, 15)


def test_division_by_interval_containing_zero_is_refused():
    with pytest.raises(ZeroDivisionError):
        Interval(1, 2) / Interval(-1, 1)


def test_comparisons():
    claim = Interval(3, INF)
    assert Interval(3.1, INF).entirely_within(claim)
    assert Interval(2, 4).overlaps(claim) and not Interval(2, 4).entirely_within(claim)
    assert Interval(1, 2).intersect(claim) is None


def test_json_has_no_infinity():
    assert Interval(4500, INF).to_json() == {"lo": 4500, "hi": None}
    assert Interval(-INF, -150).to_json() == {"lo": None, "hi": -150}
    for iv in (Interval(4500, INF), Interval(-INF, 3), Interval(1, 2)):
        assert Interval.from_json(iv.to_json()) == iv
    assert Interval.from_json(None) is None


def test_nan_and_empty_intervals_are_refused():
    with pytest.raises(ValueError, match="NaN"):
        Interval(math.nan, 1)
    with pytest.raises(ValueError, match="empty interval"):
        Interval(2, 1)


def test_percent_change():
    g = Interval(4500, 4500).pct_change(Interval(3450, 3500))
    assert (g.lo, g.hi) == (pytest.approx(4500 / 3500 * 100 - 100), pytest.approx(4500 / 3450 * 100 - 100))


class TestReadings:
    """How words become intervals (readings.py): the qualifier says what is certain, the words what a
    careful reader takes them to mean."""

    def test_almost_is_a_little_below_never_from_zero(self):
        from techtrade.clean.readings import read
        r = read(1000, "at most", unit="USD mn", quote="accounting for almost $1 billion")
        assert (r.strict, r.loose, r.words) == (Interval(900, 1000), Interval(900, 1000), "almost")
        plain = read(1000, "at most", unit="USD mn", quote="no more than $1 billion")  # "at most" without the word
        assert plain.strict == Interval(0, 1000) and plain.words == ""

    def test_a_simple_fraction_is_the_shares_nearer_it_than_its_neighbours(self):
        from techtrade.clean.readings import fraction_band, read
        q = fraction_band("a quarter")
        assert (q.lo, q.hi) == (22.5, pytest.approx(29.1667, abs=1e-4))
        assert fraction_band("a third").lo == pytest.approx(29.1667, abs=1e-4)  # neighbours meet, never overlap
        r = read(25, "approximate", unit="percent", quote="or a quarter of all sales")
        assert r.strict == q and r.loose == Interval(20, 30) and r.words == "a quarter"

    def test_other_approximate_words_read_alike_strictly_and_loosely(self):
        from techtrade.clean.readings import read
        r = read(0, "approximate", unit="percent", quote="stagnant in 2020")
        assert r.strict == r.loose == Interval(-5, 5) and r.words == ""
        assert read(25, "approximate", unit="percent", quote="about 25%").strict == Interval(20, 30)
