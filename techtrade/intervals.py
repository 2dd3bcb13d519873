"""Closed intervals for published figures that are bounds or rounded values.

A published figure is rarely a point: "more than $4.5 billion" is a lower bound, "$1.4 billion"
is a value rounded to the nearest 0.1 billion, "almost $1 billion" an upper bound. Each is turned
into an :class:`Interval` and all derived values (implied years, ratios, balances) are computed
with interval arithmetic, so a derived value is never more precise than the figures behind it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

INF = math.inf

#: The qualifiers a published figure may carry (the only values allowed in the data).
QUALIFIERS = ("exact", "rounded", "at least", "at most", "approximate")

#: "approximate" figures: how far from the stated value they may lie.
#: Percentages are read as +/- 5 percentage points ("a quarter" = 20%..30%, "stagnant" = -5%..+5%);
#: other quantities as +/- 10% of the value.
APPROX_ABS_PERCENT = 5.0
APPROX_REL = 0.10


@dataclass(frozen=True)
class Interval:
    """The closed interval [lo, hi]; either end may be infinite (an open-ended bound)."""

    lo: float
    hi: float

    def __post_init__(self):
        if math.isnan(self.lo) or math.isnan(self.hi):
            raise ValueError("interval bounds must be numbers, not NaN")
        if self.lo > self.hi:
            raise ValueError(f"empty interval: lower bound {self.lo} above upper bound {self.hi}")

    # -- construction -------------------------------------------------------------------
    @classmethod
    def point(cls, value: float) -> "Interval":
        return cls(value, value)

    @classmethod
    def from_published(cls, value: float, qualifier: str, precision: float | None = None,
                       unit: str = "", nonnegative: bool = True) -> "Interval":
        """The interval a published figure stands for, given its qualifier.

        ``precision`` is the rounding unit of a ``rounded`` figure (100 for "$1.4 billion" in
        USD mn). A lower bound of 0 is used for "at most" figures of quantities that cannot be
        negative (levels, ratios), since nothing else bounds them from below.
        """
        floor = 0.0 if nonnegative else -INF
        if qualifier == "exact":
            return cls.point(value)
        if qualifier == "rounded":
            if precision is None or not precision > 0:
                raise ValueError("a rounded figure needs a positive precision (its rounding unit)")
            return cls(value - precision / 2, value + precision / 2)
        if qualifier == "at least":
            return cls(value, INF)
        if qualifier == "at most":
            return cls(min(floor, value), value)
        if qualifier == "approximate":
            half = APPROX_ABS_PERCENT if unit == "percent" else abs(value) * APPROX_REL
            return cls(value - half, value + half)
        raise ValueError(f"unknown qualifier {qualifier!r}; allowed: {', '.join(QUALIFIERS)}")

    # -- arithmetic ---------------------------------------------------------------------
    def __add__(self, other: "Interval") -> "Interval":
        return Interval(self.lo + other.lo, self.hi + other.hi)

    def __sub__(self, other: "Interval") -> "Interval":
        return Interval(self.lo - other.hi, self.hi - other.lo)

    def __mul__(self, other: "Interval | float") -> "Interval":
        other = _as_interval(other)
        products = [_mul(a, b) for a in (self.lo, self.hi) for b in (other.lo, other.hi)]
        return Interval(min(products), max(products))

    def __truediv__(self, other: "Interval | float") -> "Interval":
        other = _as_interval(other)
        if other.lo <= 0 <= other.hi:
            raise ZeroDivisionError(f"cannot divide by an interval containing zero: {other}")
        return self * Interval(1 / other.hi, 1 / other.lo)

    def pct_change(self, before: "Interval") -> "Interval":
        """The change from ``before`` to this value, in percent: 100 * (self / before - 1)."""
        r = self / before
        return Interval(r.lo * 100 - 100, r.hi * 100 - 100)

    def intersect(self, other: "Interval") -> "Interval | None":
        lo, hi = max(self.lo, other.lo), min(self.hi, other.hi)
        return Interval(lo, hi) if lo <= hi else None

    # -- comparison with a claim ---------------------------------------------------------
    def entirely_within(self, other: "Interval") -> bool:
        return other.lo <= self.lo and self.hi <= other.hi

    def overlaps(self, other: "Interval") -> bool:
        return self.intersect(other) is not None

    @property
    def is_point(self) -> bool:
        return self.lo == self.hi

    @property
    def bounded(self) -> bool:
        return math.isfinite(self.lo) and math.isfinite(self.hi)

    @property
    def mid(self) -> float:
        return (self.lo + self.hi) / 2 if self.bounded else math.nan

    def to_json(self) -> dict:
        """{'lo': .., 'hi': ..}; an unbounded end is null (standard JSON has no infinity) and, in a CSV file,
        an empty cell. The one way an interval is written out."""
        return {"lo": self.lo if math.isfinite(self.lo) else None, "hi": self.hi if math.isfinite(self.hi) else None}

    @classmethod
    def from_json(cls, d: dict | None) -> "Interval | None":
        """The interval :meth:`to_json` wrote, from JSON or a CSV row (an empty cell reads as NaN): None
        for none."""
        if d is None:
            return None
        lo, hi = (None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in (d["lo"], d["hi"]))
        return cls(-INF if lo is None else lo, INF if hi is None else hi)


def _as_interval(x) -> Interval:
    return x if isinstance(x, Interval) else Interval.point(float(x))


def _mul(a: float, b: float) -> float:
    # 0 * inf is taken as 0: a quantity known to be zero stays zero, however loose the factor.
    if a == 0 or b == 0:
        return 0.0
    return a * b
