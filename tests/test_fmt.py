"""One number style: money, ratios, percentages, balances, years, quotes, axis ticks."""
import pytest

from techtrade import fmt
from techtrade.intervals import INF, Interval

M = "\u2212"


@pytest.mark.parametrize("value,words", [
    (4500, "$4.5 billion"), (1400, "$1.4 billion"), (1000, "$1 billion"), (3448.3, "$3.45 billion"),
    (250, "$250 million"), (876.1, "$876 million"), (-150, f"{M}$150 million"), (1163.92, "$1.16 billion"),
])
def test_money(value, words):
    assert fmt.money(value) == words


@pytest.mark.parametrize("iv,words", [
    (Interval(4500, INF), "at least $4.5 billion"),
    (Interval(0, 1000), "at most $1 billion"),
    (Interval(1350, 1450), "$1.35\u20131.45 billion"),
    (Interval(514.1, 531.4), "$514\u2013531 million"),
    (Interval(-647, -581), f"{M}$647 to {M}$581 million"),
    (Interval.point(4600), "$4.6 billion"),
    (None, "not known"),
])
def test_money_ranges_keep_one_unit(iv, words):
    assert fmt.money_range(iv) == words


@pytest.mark.parametrize("iv,words", [
    (Interval(-150, INF), "a deficit of at most $150 million, or a surplus"),
    (Interval(-500, -300), "a deficit of $300\u2013500 million"),
    (Interval.point(-40), "a deficit of $40 million"),
    (Interval(20, 60), "a surplus of $20\u201360 million"),
    (Interval(-100, 50), "anything from a deficit of $100 million to a surplus of $50 million"),
])
def test_balances_in_words(iv, words):
    assert fmt.balance(iv) == words


@pytest.mark.parametrize("iv,words", [
    (Interval(4500 / 1450, INF), "at least 3.10\u00d7"), (Interval(3, INF), "at least 3\u00d7"),
    (Interval(15, 20), "15\u201320\u00d7"), (Interval.point(1163.92 / 876.1), "1.33\u00d7"),
    (Interval(4550 / 1450, 4650 / 1350), "3.14\u20133.44\u00d7"),
    (Interval(5936.18 / 598.66, 5936.18 / 444.52), "9.9\u201313.4\u00d7"), (Interval.point(13.354), "13.4\u00d7"),
])
def test_ratios_take_the_times_sign(iv, words):
    assert fmt.ratio(iv) == words
    assert "x" not in words


@pytest.mark.parametrize("iv,signed,words", [
    (Interval(0, 1000 / 45), False, "at most 22%"), (Interval(20, 30), False, "20\u201330%"),
    (Interval(-5, 5), True, f"{M}5% to +5%"), (Interval(29.5, 30.5), True, "+29.5% to +30.5%"),
    (Interval(-100, 3.3), True, "at most +3.3%"), (Interval.point(137.8), True, "+138%"),
    (Interval.point(4.35), True, "+4.3%"), (Interval.point(-0.02), True, "0%"),
])
def test_percentages_without_false_precision(iv, signed, words):
    assert fmt.pct(iv, signed=signed) == words


def test_years_in_words():
    assert fmt.years(2019, 2020) == "2019 to 2020"
    assert fmt.year_list([2006, 2011, 2012, 2013, 2014, 2015, 2020]) == "2006, 2011 to 2015 and 2020"
    assert fmt.year_list([2002, 2003]) == "2002 to 2003"
    assert fmt.year_list([]) == "none"


def test_dates_in_words():
    assert fmt.date("2021-09-01") == "1 September 2021" and fmt.date("2026-02-24") == "24 February 2026"
    assert fmt.date("2021-09") == "September 2021" and fmt.date("2018") == "2018" and fmt.date("") == ""


def test_quotes_and_counts():
    assert fmt.quote("a quarter") == "\u201ca quarter\u201d"
    assert fmt.count(1, "part") == "1 part" and fmt.count(12, "part") == "12 parts"
    assert fmt.count_words(5) == "five" and fmt.count_words(12) == "12"


@pytest.mark.parametrize("values,labels", [
    ([0, 1000, 2000, 3000], ["0", "1", "2", "3"]),
    ([0, 250, 500, 750, 1000], ["0", "0.25", "0.5", "0.75", "1"]),
    ([-600, -400, -200, 0], [f"{M}0.6", f"{M}0.4", f"{M}0.2", "0"]),
])
def test_tick_labels_tell_every_tick_apart(values, labels):
    assert fmt.tick_labels(values, scale=1000) == labels
