"""Every number the reader sees, written one way: tables, prose, figures and the appendix all use these.

Money is in US dollars, one unit per phrase ("$1.35–1.45 billion", "$250 million"), with no more
digits than the source gives; ratios carry the times sign ("3.10×"); percentages have no false
precision ("22%", "+4.4%"); negatives take a true minus (−); ranges an en dash; year ranges are
words ("2019 to 2020"); quotations typographic quotes. Values are in USD million unless said.
"""
from __future__ import annotations

import math

from .intervals import INF, Interval

MINUS, DASH, TIMES, GE, LE = "\u2212", "\u2013", "\u00d7", "\u2265", "\u2264"


def _minus(text: str) -> str:
    return text.replace("-", MINUS)


def _trim(text: str) -> str:
    """'4.50' -> '4.5', '1.00' -> '1' (a rounded figure shows its own digits, no padding)."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def _sig(v: float, digits: int = 3) -> str:
    """At most ``digits`` significant digits, grouped: 3448.3 -> '3,450'; 3.4483 -> '3.45'; 0.25 -> '0.25'."""
    if v == 0 or not math.isfinite(v):
        return "0" if v == 0 else str(v)
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(v)))))
    return _trim(f"{round(v, decimals):,.{decimals}f}")


def number(v: float, digits: int = 3) -> str:
    return _minus(_sig(v, digits))


# -- money (values in USD million) ----------------------------------------------------------------
def unit_for(*values: float) -> str:
    finite = [abs(v) for v in values if math.isfinite(v)]
    return "billion" if finite and max(finite) >= 1000 else "million"


def _amount(v: float, unit: str) -> str:
    return _sig(abs(v) / 1000, 3) if unit == "billion" else _sig(abs(v), 4) if abs(v) >= 1000 else _sig(abs(v), 3)


def money(v: float, unit: str | None = None) -> str:
    """4500 -> '$4.5 billion'; 250 -> '$250 million'; -150 -> '−$150 million'."""
    unit = unit or unit_for(v)
    return f"{MINUS if v < 0 else ''}${_amount(v, unit)} {unit}"


def money_range(iv: Interval | None, missing: str = "not known") -> str:
    """An interval of money in words, one unit: 'at least $4.5 billion', '$1.35–1.45 billion'."""
    if iv is None:
        return missing
    unit = unit_for(iv.lo, iv.hi)
    if iv.is_point:
        return money(iv.lo, unit)
    if iv.lo == -INF and iv.hi == INF:
        return "unknown"
    if iv.hi == INF:
        return f"at least {money(iv.lo, unit)}"
    if iv.lo == -INF or (iv.lo == 0 and iv.hi > 0):
        return f"at most {money(iv.hi, unit)}"
    a, b = _pair(iv.lo, iv.hi, unit)
    if iv.lo >= 0:
        return f"${a}{DASH}{b} {unit}"
    sign = lambda v: MINUS if v < 0 else ""  # noqa: E731
    return f"{sign(iv.lo)}${a} to {sign(iv.hi)}${b} {unit}"


def _pair(lo: float, hi: float, unit: str) -> tuple[str, str]:
    """Both ends of a range with the same decimals ('0.55' and '1.70', not '0.551' and '1.7')."""
    a, b = _amount(lo, unit), _amount(hi, unit)
    decimals = max(len(x.split(".")[1]) if "." in x else 0 for x in (a, b))
    if unit == "billion":
        decimals = min(decimals, 2)
    a, b = (f"{abs(v) / (1000 if unit == 'billion' else 1):,.{decimals}f}" for v in (lo, hi))
    return a, b


def balance(iv: Interval | None, missing: str = "not known") -> str:
    """A trade balance in words: 'a deficit of $581–647 million'; 'a deficit of at most $150 million,
    or a surplus'."""
    if iv is None:
        return missing
    if iv.hi <= 0:
        return "a deficit of " + money_range(Interval(-iv.hi, -iv.lo) if iv.lo > -INF else Interval(-iv.hi, INF))
    if iv.lo >= 0:
        return "a surplus of " + money_range(iv)
    if iv.hi == INF:
        return f"a deficit of at most {money(-iv.lo)}, or a surplus"
    if iv.lo == -INF:
        return f"a surplus of at most {money(iv.hi)}, or a deficit"
    return f"anything from a deficit of {money(-iv.lo)} to a surplus of {money(iv.hi)}"


# -- ratios and percentages ----------------------------------------------------------------------
def _times(v: float, decimals: int | None = None) -> str:
    """3.1034 -> '3.10'; 13.354 -> '13.4'; 15 -> '15' (no more digits than the size of the number warrants)."""
    if abs(v - round(v)) < 1e-9 and decimals is None:
        return f"{v:.0f}"
    if decimals is None:
        decimals = 2 if abs(v) < 10 else 1 if abs(v) < 100 else 0
    return f"{v:.{decimals}f}"


def ratio(iv: Interval | None, missing: str = "not known") -> str:
    """'3.10×', 'at least 3.10×', '3.14–3.44×', '15–20×'."""
    if iv is None:
        return missing
    if iv.is_point:
        return f"{_times(iv.lo)}{TIMES}"
    if iv.hi == INF:
        return f"at least {_times(iv.lo)}{TIMES}"
    if iv.lo <= 0:
        return f"at most {_times(iv.hi)}{TIMES}"
    top = max(abs(iv.lo), abs(iv.hi))
    decimals = 2 if top < 10 else 1 if top < 100 else 0  # both ends alike: "9.9–13.4×", not "9.92–13.35×"
    if all(abs(v - round(v)) < 1e-9 for v in (iv.lo, iv.hi)):
        decimals = 0  # "15–20×"
    return f"{_times(iv.lo, decimals)}{DASH}{_times(iv.hi, decimals)}{TIMES}"


def _pct(v: float, signed: bool, decimals: int | None = None) -> str:
    if decimals is None:
        decimals = 1 if abs(v) < 10 else 0
    text = f"{abs(v):.{decimals}f}"
    text = _trim(text) if text.endswith(".0") else text
    sign = MINUS if v < 0 and text.strip("0.") else ("+" if signed and v > 0 else "")
    return f"{sign}{text}%"


def pct(iv: Interval | None, signed: bool = False, missing: str = "not known") -> str:
    """Shares '22%', 'at most 22%', '20–30%'; changes (signed) '+4.4%', '−5% to +5%'.

    A fall of 100% or more is no bound at all: [−100, 3.3] is 'at most +3.3%'."""
    if iv is None:
        return missing
    floor = -100 if signed else 0
    if iv.is_point:
        return _pct(iv.lo, signed)
    if iv.hi == INF:
        return f"at least {_pct(iv.lo, signed)}"
    if iv.lo <= floor:
        return f"at most {_pct(iv.hi, signed)}"
    a, b = _pct(iv.lo, signed), _pct(iv.hi, signed)
    if a == b:  # the ends differ only in a decimal: show it ("+29.5% to +30.5%")
        a, b = _pct(iv.lo, signed, 1), _pct(iv.hi, signed, 1)
    if not signed:
        return f"{a.rstrip('%')}{DASH}{b}"
    return f"{a} to {b}"


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
