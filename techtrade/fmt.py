"""Every number the reader sees, written one way: tables, prose, figures and the appendix all use these.

Money is in US dollars, one unit per phrase ("$1.35–1.45 billion", "$250 million"); ratios carry the
times sign ("3.10×"); percentages one decimal under 100 ("22.3%", "+4.4%"); negatives take a true
minus (−); ranges an en dash; year ranges are words ("2019 to 2020"); quotations typographic quotes.
Values are in USD million unless said.

Every bound is rounded outward: a lower bound down, an upper bound up, a range both ways, so a written
bound never excludes a value the interval allows ("at least 2.37×" for 2.378, "at most 22.3%" for
22.22); a point is rounded to the nearest. Both ends of a phrase share one precision; a sentence that
lists several values passes one ``decimals`` to each (``ratio_decimals``, ``pct_decimals``).
"""
from __future__ import annotations

import math

from .intervals import INF, Interval

MINUS, DASH, TIMES = "\u2212", "\u2013", "\u00d7"
DOWN, UP, NEAR = "down", "up", "near"   # how an end is rounded: a lower bound down, an upper bound up


def _minus(text: str) -> str:
    return text.replace("-", MINUS)


def _trim(text: str) -> str:
    """'4.50' -> '4.5', '1.00' -> '1' (a rounded figure shows its own digits, no padding)."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def rounded(v: float, decimals: int, how: str = NEAR) -> float:
    """``v`` at ``decimals`` decimals, rounded ``how``: DOWN for a lower bound, UP for an upper bound
    (so a written bound never excludes a value the interval allows), NEAR for a point. A value that is
    already on the grid (up to float noise, 3.0999999999 for 3.1) stays where it is."""
    scale = 10 ** decimals
    x = v * scale
    if abs(x - round(x)) <= 1e-9 * max(1.0, abs(x)):
        return round(x) / scale
    return (math.floor(x) if how == DOWN else math.ceil(x) if how == UP else round(x)) / scale


def _text(v: float, decimals: int, how: str, group: bool = True) -> tuple[str, bool]:
    """``v`` written at ``decimals`` decimals, rounded ``how``; and whether that is exactly ``v``."""
    r = rounded(v, decimals, how)
    return f"{r:{',' if group else ''}.{decimals}f}", abs(r - v) <= 1e-9 * max(1.0, abs(v))


def _sig_decimals(v: float, digits: int) -> int:
    """Decimals that show ``digits`` significant digits of ``v``: 3448.3 -> 0; 3.4483 -> 2; 0.25 -> 3."""
    if v == 0 or not math.isfinite(v):
        return 0
    return max(0, digits - 1 - int(math.floor(math.log10(abs(v)))))


def _same(ends: list[tuple[str, bool]]) -> list[str]:
    """The ends of one phrase, at one precision. Trailing zeros are dropped only when every end is
    exact ('20–30%', '$4.5 billion', 'at least 3×'); a rounded end keeps them, since they say how
    far it was rounded ('at least 3.10×'), and so do the other ends of its phrase."""
    texts = [t for t, _ in ends]
    if not all(exact for _, exact in ends):
        return texts
    trimmed = [_trim(t) for t in texts]
    keep = max(len(t.split(".")[1]) if "." in t else 0 for t in trimmed)
    return [t if "." not in t else t[: len(t.split(".")[0]) + 1 + keep] for t in texts] if keep else trimmed


def number(v: float, digits: int = 3) -> str:
    return _minus(_trim(_text(v, _sig_decimals(v, digits), NEAR)[0]))


# -- money (values in USD million) ----------------------------------------------------------------
def unit_for(*values: float) -> str:
    finite = [abs(v) for v in values if math.isfinite(v)]
    return "billion" if finite and max(finite) >= 1000 else "million"


def _money_decimals(values, unit: str) -> int:
    """Three significant digits of the largest value, at most two decimals of a billion."""
    top = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    if unit == "billion":
        return min(2, _sig_decimals(top / 1000, 3))
    return min(1, _sig_decimals(top, 3))


def _amounts(ends: list[tuple[float, str]], unit: str, decimals: int | None = None) -> list[str]:
    scale = 1000 if unit == "billion" else 1
    d = _money_decimals([v for v, _ in ends], unit) if decimals is None else decimals
    return _same([_text(abs(v) / scale, d, how) for v, how in ends])


def money(v: float, unit: str | None = None, how: str = NEAR, decimals: int | None = None) -> str:
    """4500 -> '$4.5 billion'; 250 -> '$250 million'; -150 -> '−$150 million'. ``how`` rounds a bound
    outward (DOWN for a lower bound, UP for an upper bound)."""
    unit = unit or unit_for(v)
    if v < 0:  # the amount is |v|: a lower bound of a negative value is an upper bound of its amount
        how = {DOWN: UP, UP: DOWN}.get(how, how)
    return f"{MINUS if v < 0 else ''}${_amounts([(v, how)], unit, decimals)[0]} {unit}"


def money_range(iv: Interval | None, missing: str = "not known", decimals: int | None = None) -> str:
    """An interval of money in words, one unit, rounded outward: 'at least $4.5 billion',
    '$1.35–1.45 billion', 'at most $1 billion'."""
    if iv is None:
        return missing
    unit = unit_for(iv.lo, iv.hi)
    if iv.is_point:
        return money(iv.lo, unit, decimals=decimals)
    if iv.lo == -INF and iv.hi == INF:
        return "unknown"
    if iv.hi == INF:
        return f"at least {money(iv.lo, unit, DOWN, decimals)}"
    if iv.lo == -INF or (iv.lo == 0 and iv.hi > 0):
        return f"at most {money(iv.hi, unit, UP, decimals)}"
    if iv.lo >= 0:
        a, b = _amounts([(iv.lo, DOWN), (iv.hi, UP)], unit, decimals)
        return f"${a}{DASH}{b} {unit}"
    # a range through or below zero: each end's amount rounded away from the middle
    ends = [(iv.lo, UP if iv.lo < 0 else DOWN), (iv.hi, DOWN if iv.hi < 0 else UP)]
    a, b = _amounts(ends, unit, decimals)
    sign = lambda v: MINUS if v < 0 else ""  # noqa: E731
    return f"{sign(iv.lo)}${a} to {sign(iv.hi)}${b} {unit}"


def balance(iv: Interval | None, missing: str = "not known") -> str:
    """A trade balance in words, rounded outward: 'a deficit of $581–648 million'; 'a deficit of at
    most $150 million, or a surplus'."""
    if iv is None:
        return missing
    if iv.hi <= 0:
        return "a deficit of " + money_range(Interval(-iv.hi, -iv.lo) if iv.lo > -INF else Interval(-iv.hi, INF))
    if iv.lo >= 0:
        return "a surplus of " + money_range(iv)
    if iv.hi == INF:
        return f"a deficit of at most {money(-iv.lo, how=UP)}, or a surplus"
    if iv.lo == -INF:
        return f"a surplus of at most {money(iv.hi, how=UP)}, or a deficit"
    return f"anything from a deficit of {money(-iv.lo, how=UP)} to a surplus of {money(iv.hi, how=UP)}"


# -- ratios and percentages ----------------------------------------------------------------------
def ratio_decimals(*values: float) -> int:
    """'3.10×', '13.4×', '138×': two decimals under 10, one under 100, none above."""
    top = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    return 2 if top < 10 else 1 if top < 100 else 0


def ratio(iv: Interval | None, missing: str = "not known", decimals: int | None = None) -> str:
    """'3.10×', 'at least 3.10×', '3.13–3.45×', '15–20×'; bounds rounded outward."""
    if iv is None:
        return missing
    if iv.hi == INF:
        d = ratio_decimals(iv.lo) if decimals is None else decimals
        return f"at least {_same([_text(iv.lo, d, DOWN)])[0]}{TIMES}"
    if iv.lo <= 0:
        d = ratio_decimals(iv.hi) if decimals is None else decimals
        return f"at most {_same([_text(iv.hi, d, UP)])[0]}{TIMES}"
    d = ratio_decimals(iv.lo, iv.hi) if decimals is None else decimals
    if iv.is_point:
        return f"{_same([_text(iv.lo, d, NEAR)])[0]}{TIMES}"
    a, b = _same([_text(iv.lo, d, DOWN), _text(iv.hi, d, UP)])
    return f"{a}{DASH}{b}{TIMES}"


def pct_decimals(*values: float) -> int:
    """One decimal under 100% ('+4.4%', '+15.7%'), none above ('+138%')."""
    top = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    return 1 if top < 100 else 0


def _pct(v: float, signed: bool, decimals: int, how: str) -> tuple[str, bool]:
    text, exact = _text(abs(v), decimals, {DOWN: UP, UP: DOWN}.get(how, how) if v < 0 else how, group=False)
    zero = not text.strip("0.")
    sign = MINUS if v < 0 and not zero else ("+" if signed and v > 0 and not zero else "")
    return f"{sign}{text}", exact


def pct(iv: Interval | None, signed: bool = False, missing: str = "not known", decimals: int | None = None) -> str:
    """Shares '22.3%', 'at most 22.3%', '20–30%'; changes (signed) '+4.4%', '−5% to +5%'; bounds
    rounded outward. A fall of 100% or more is no bound at all: [−100, 3.3] is 'at most +3.3%'."""
    if iv is None:
        return missing
    floor = -100 if signed else 0
    if iv.hi == INF:
        d = pct_decimals(iv.lo) if decimals is None else decimals
        return f"at least {_same([_pct(iv.lo, signed, d, DOWN)])[0]}%"
    if iv.lo <= floor and not iv.is_point:
        d = pct_decimals(iv.hi) if decimals is None else decimals
        return f"at most {_same([_pct(iv.hi, signed, d, UP)])[0]}%"
    d = pct_decimals(iv.lo, iv.hi) if decimals is None else decimals
    if iv.is_point:
        return f"{_same([_pct(iv.lo, signed, d, NEAR)])[0]}%"
    a, b = _same([_pct(iv.lo, signed, d, DOWN), _pct(iv.hi, signed, d, UP)])
    if not signed:
        return f"{a}{DASH}{b}%"
    return f"{a}% to {b}%"


# -- years, quotes --------------------------------------------------------------------------------
def years(a: int, b: int) -> str:
    """'2019 to 2020'."""
    return f"{a} to {b}" if a != b else str(a)


def year_list(values) -> str:
    """[2002, 2003, 2004, 2005, 2007] -> '2002 to 2005 and 2007' (runs of consecutive years in words)."""
    runs: list[list[int]] = []
    for y in sorted(set(values)):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    parts = [years(r[0], r[-1]) if len(r) > 1 else str(r[0]) for r in runs]
    if not parts:
        return "none"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def date(iso: str) -> str:
    """'2021-09-01' -> '1 September 2021'; '2021-09' -> 'September 2021'; '2018' -> '2018'."""
    parts = str(iso).split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {int(parts[0])}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {int(parts[0])}"
    except (ValueError, IndexError):
        pass
    return str(iso)


def quote(text: str) -> str:
    return f"\u201c{text}\u201d"


def count_words(n: int) -> str:
    """Small counts in words, as prose writes them: 5 -> 'five'; 12 -> '12'."""
    return ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")[n] if 0 <= n <= 10 else str(n)


def count(n: int, one: str, many: str | None = None) -> str:
    """count(1, 'part') -> '1 part'; count(3, 'part') -> '3 parts'."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


# -- axes -----------------------------------------------------------------------------------------
def tick_labels(values, scale: float = 1.0) -> list[str]:
    """Axis tick labels for any range: the fewest decimals that tell every tick apart
    ([0, 0.25, 0.5] -> '0', '0.25', '0.5'; never '0 0 0 1 1')."""
    vals = [0.0 if abs(v / scale) < 1e-12 else v / scale for v in values]
    for decimals in range(0, 4):  # each label must say its tick's value, not a rounding of it
        if all(abs(round(v, decimals) - v) < 1e-9 * max(1.0, abs(v)) for v in vals):
            break
    labels = [_minus(f"{v:,.{decimals}f}") for v in vals]
    return [_trim(x) if "." in x else x for x in labels]


# -- tables (the appendix, the notebooks) ------------------------------------------------------------
def _cell(v):
    if v is None or type(v).__name__ == "NAType" or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        return "unbounded" if math.isinf(v) else number(v, 4)
    return v


def table(df, caption: str = ""):
    """A table as a reader should see it: no index column, numbers in the report's style (at most
    four significant digits, a true minus), an empty cell where there is no value (an unbounded end
    of an interval, or nothing to say)."""
    st = df.style.hide(axis="index").format(_cell)
    return st.set_caption(caption) if caption else st
