"""One number style: money, ratios, percentages, balances, years, quotes, axis ticks; and every written
bound rounded outward (a property test over many random intervals and every formatter: as many as the
hypothesis profile says, conftest.py: 100 each in the quick set, 400 in a full run)."""
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
    (Interval(514.1, 531.4), "$514\u2013532 million"),   # outward: the upper end rounds up
    (Interval(900, 1000), "$0.9\u20131.0 billion"),       # exact ends, one precision
    (Interval(4050, INF), "at least $4.05 billion"), (Interval(3448.3, INF), "at least $3.44 billion"),
    (Interval(-647, -581), f"{M}$647 to {M}$581 million"),
    (Interval.point(4600), "$4.6 billion"),
    (None, "not known"),
])
def test_money_ranges_keep_one_unit(iv, words):
    assert fmt.money_range(iv) == words


@pytest.mark.parametrize("iv,words", [
    (Interval(-150, INF), "a deficit of at most $150 million, or a surplus"),
    (Interval(-500, -300), "a deficit of $300\u2013500 million"),
    (Interval(-646.8, -580.9), "a deficit of $580\u2013647 million"),
    (Interval.point(-40), "a deficit of $40 million"),
    (Interval(20, 60), "a surplus of $20\u201360 million"),
    (Interval(-100, 50), "anything from a deficit of $100 million to a surplus of $50 million"),
])
def test_balances_in_words(iv, words):
    assert fmt.balance(iv) == words


@pytest.mark.parametrize("iv,words", [
    (Interval(4500 / 1450, INF), "at least 3.10\u00d7"), (Interval(3, INF), "at least 3\u00d7"),
    (Interval(15, 20), "15\u201320\u00d7"), (Interval.point(1163.92 / 876.1), "1.33\u00d7"),
    (Interval(4550 / 1450, 4650 / 1350), "3.13\u20133.45\u00d7"), (Interval(4500 / 1.305 / 1450, INF), "at least 2.37\u00d7"),
    (Interval(4500 / 1450 * 0.36, 0.4 * 4500 / 1450), "1.11\u20131.25\u00d7"),
    (Interval(5936.18 / 598.66, 5936.18 / 444.52), "9.9\u201313.4\u00d7"), (Interval.point(13.354), "13.4\u00d7"),
])
def test_ratios_take_the_times_sign(iv, words):
    assert fmt.ratio(iv) == words


@pytest.mark.parametrize("iv,signed,words", [
    (Interval(0, 1000 / 45), False, "at most 22.3%"), (Interval(20, 30), False, "20\u201330%"),
    (Interval(22.5, 175 / 6), False, "22.5\u201329.2%"),
    (Interval(-5, 5), True, f"{M}5% to +5%"), (Interval(29.5, 30.5), True, "+29.5% to +30.5%"),
    (Interval(-100, 3.3), True, "at most +3.3%"), (Interval.point(137.8), True, "+138%"),
    (Interval.point(4.35), True, "+4.4%"), (Interval.point(15.7025), True, "+15.7%"),
    (Interval(4950 / 4650 * 100 - 100, 5050 / 4550 * 100 - 100), True, "+6.4% to +11.0%"),
])
def test_percentages_without_false_precision(iv, signed, words):
    assert fmt.pct(iv, signed=signed) == words


def test_one_precision_per_sentence():
    """A sentence listing several values passes one number of decimals to each."""
    changes = [4.35, 15.7, 6.7]
    d = fmt.pct_decimals(*changes)
    assert [fmt.pct(Interval.point(v), signed=True, decimals=d) for v in changes] == ["+4.4%", "+15.7%", "+6.7%"]
    ratios = [1.1285, 13.354]
    d = fmt.ratio_decimals(*ratios)
    assert [fmt.ratio(Interval.point(v), decimals=d) for v in ratios] == ["1.1\u00d7", "13.4\u00d7"]


# -- the outward-rounding property ---------------------------------------------------------------------
NUM = r"([\d,]+(?:\.\d+)?)"


def _value(text: str) -> float:
    return float(text.replace(",", ""))


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def written(text: str, scale: float = 1.0) -> tuple[float, float, float]:
    """What a written interval claims: (lower, upper, half a unit of its last digit) in the value's
    unit; a point gives (v, v, half unit). Understands every form the formatters write."""
    sign = lambda s: -1.0 if s in (M, "-") else 1.0  # noqa: E731
    nums = [(sign(m.group(1)), m.group(2)) for m in re.finditer(rf"([{M}+]?)\$?{NUM}", text)]
    vals = [sg * _value(n) * scale for sg, n in nums]
    half = max(0.5 * 10 ** -_decimals(n) * scale for _, n in nums)
    if text.startswith("at least"):
        return vals[0], INF, half
    if text.startswith("at most"):
        return -INF, vals[0], half
    if len(vals) == 2:
        return vals[0], vals[1], half
    return vals[0], vals[0], half


def money_scale(text: str) -> float:
    return 1000.0 if "billion" in text else 1.0


def balance_written(text: str) -> tuple[float, float, float]:
    """A balance in words, back to an interval of the balance (a deficit is negative)."""
    s = money_scale(text)
    nums = [_value(n) * s for n in re.findall(rf"\${NUM}", text)]
    half = max(0.5 * 10 ** -_decimals(n) * s for n in re.findall(rf"\${NUM}", text))
    if text.startswith("a deficit of at most") and text.endswith("or a surplus"):
        return -nums[0], INF, half
    if text.startswith("a surplus of at most") and text.endswith("or a deficit"):
        return -INF, nums[0], half
    if text.startswith("anything from"):
        return -nums[0], nums[1], half
    lo, hi, _ = written(text.split(" of ", 1)[1], s)
    return (-hi, -lo, half) if text.startswith("a deficit") else (lo, hi, half)


def holds(iv: Interval, lo: float, hi: float, half: float) -> bool:
    """The written interval allows every value the true one does (a point: within half a unit)."""
    eps = 1e-9 * max(1.0, abs(iv.lo) if math.isfinite(iv.lo) else 1.0, abs(iv.hi) if math.isfinite(iv.hi) else 1.0)
    if iv.is_point and lo == hi:
        return abs(lo - iv.lo) <= half + eps
    return lo <= iv.lo + eps and iv.hi - eps <= hi


def intervals(low: float, high: float, floor: float | None = None):
    """Points, ranges, lower bounds and upper bounds (from ``floor``, where the quantity has one)."""
    v = st.floats(low, high, allow_nan=False, allow_infinity=False)
    ranges = st.tuples(v, v).filter(lambda t: t[0] != t[1]).map(lambda t: Interval(min(t), max(t)))
    forms = [v.map(Interval.point), ranges, v.map(lambda x: Interval(x, INF))]
    if floor is not None:
        forms.append(v.filter(lambda x: x > floor).map(lambda x: Interval(floor, x)))
    return st.one_of(*forms)


@given(intervals(0.05, 900_000, floor=0.0), st.sampled_from([None, 0, 1, 2]))
def test_money_bounds_never_exclude_a_value_the_interval_allows(iv, decimals):
    text = fmt.money_range(iv, decimals=decimals)
    assert holds(iv, *written(text, money_scale(text))), (iv, text)


@given(intervals(-5000, 5000))
def test_balance_bounds_never_exclude_a_value_the_interval_allows(iv):
    text = fmt.balance(iv)
    assert holds(iv, *balance_written(text)), (iv, text)


@given(intervals(0.01, 500, floor=0.0), st.sampled_from([None, 0, 1, 2, 3]))
def test_ratio_bounds_never_exclude_a_value_the_interval_allows(iv, decimals):
    text = fmt.ratio(iv, decimals=decimals)
    assert holds(iv, *written(text)), (iv, text)
    assert text.endswith("\u00d7") and "x" not in text, text   # the times sign, never a letter x


@given(intervals(-99.9, 900), st.booleans(), st.sampled_from([None, 0, 1, 2]))
def test_percent_bounds_never_exclude_a_value_the_interval_allows(iv, signed, decimals):
    if not signed and iv.lo < 0:
        iv = Interval(0.0, max(iv.hi, 0.01)) if iv.hi != INF else Interval(0.01, INF)
    text = fmt.pct(iv, signed=signed, decimals=decimals)
    lo, hi, half = written(text)
    if text.startswith("at most") and not signed:
        lo = 0.0  # a share "at most x%" starts at zero
    assert holds(iv, lo, hi, half), (iv, text)


def test_the_property_test_would_catch_rounding_to_the_nearest():
    """The checker itself: a lower bound rounded up (the old '2.38×' for 2.378) is caught."""
    iv = Interval(2.378, INF)
    assert not holds(iv, *written("at least 2.38\u00d7")) and holds(iv, *written(fmt.ratio(iv)))


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
    assert fmt.rounded(3.0999999999, 2, fmt.DOWN) == 3.1 and fmt.rounded(2.378, 2, fmt.DOWN) == 2.37


@pytest.mark.parametrize("values,labels", [
    ([0, 1000, 2000, 3000], ["0", "1", "2", "3"]),
    ([0, 250, 500, 750, 1000], ["0", "0.25", "0.5", "0.75", "1"]),
    ([-600, -400, -200, 0], [f"{M}0.6", f"{M}0.4", f"{M}0.2", "0"]),
])
def test_tick_labels_tell_every_tick_apart(values, labels):
    assert fmt.tick_labels(values, scale=1000) == labels
