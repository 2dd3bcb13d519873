"""How a publication's words become intervals (stage 02, clean): the qualifier says what is certain,
the words say what a careful reader takes them to mean. Declared once, here; METHODS.md states each
reading and its band, and logs every change.

- "more than X" -> [X, inf): a lower bound (qualifier ``at least``).
- "almost X" -> [0.9 X, X]: a value a little below X, within a tenth of it (qualifier ``at most`` with
  the word "almost" in the quote); never anything from zero.
- "$1.4 billion" -> [1,350, 1,450]: a rounded figure spans half its rounding unit either way.
- a simple fraction ("a quarter", "a third", ...) -> the values nearer that fraction than its
  neighbours in :data:`FRACTIONS` ("a quarter": 22.5% to 29.2%, nearer 1/4 than 1/5 or 1/3). Its
  *loose* reading is the looser convention of approximate figures below (20% to 30%).
- other approximate figures ("stagnant", "reached 40 %") -> +/- 5 percentage points for a
  percentage, +/- 10% of the value otherwise; strict and loose alike.

Every figure has a strict reading (the one the checks and figures use) and a loose one (only simple
fractions differ); where the two give different verdicts, the report shows both.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..intervals import Interval

#: "almost X": how far below X a careful reader still calls it "almost X" (a tenth of X).
ALMOST_BELOW = 0.10
#: Simple fractions a reporter writes in words, in percent (the neighbours of one bound its reading).
FRACTIONS = {"a tenth": 10.0, "a fifth": 20.0, "a quarter": 25.0, "a third": 100 / 3, "a half": 50.0,
             "two thirds": 200 / 3, "three quarters": 75.0}


@dataclass(frozen=True)
class Reading:
    """A figure as read: ``strict`` (a careful reader's), ``loose`` (the widest fair reading), and
    ``words`` (the words that set the reading, '' for the qualifier alone)."""

    strict: Interval
    loose: Interval
    words: str = ""


def fraction_band(name: str) -> Interval:
    """The shares nearer the fraction ``name`` than its neighbours: 'a quarter' -> [22.5, 29.17]."""
    values = sorted(FRACTIONS.values())
    v = FRACTIONS[name]
    i = values.index(v)
    lo = (values[i - 1] + v) / 2 if i > 0 else 0.0
    hi = (values[i + 1] + v) / 2 if i + 1 < len(values) else 100.0
    return Interval(lo, hi)


def _words_in(quote: str, word: str) -> bool:
    return re.search(rf"\b{re.escape(word)}\b", str(quote or ""), flags=re.I) is not None


def read(value: float, qualifier: str, precision: float | None = None, unit: str = "", quote: str = "") -> Reading:
    """The strict and loose readings of a published figure (its value, qualifier and the words quoted)."""
    plain = Interval.from_published(value, qualifier, precision, unit=unit)
    if qualifier == "at most" and _words_in(quote, "almost") and value > 0:
        almost = Interval(value * (1 - ALMOST_BELOW), value)
        return Reading(almost, almost, "almost")
    if qualifier == "approximate" and unit == "percent":
        for name, share in FRACTIONS.items():
            if abs(value - share) < 0.05 and _words_in(quote, name):
                return Reading(fraction_band(name), plain, name)
    return Reading(plain, plain)

