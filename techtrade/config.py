"""Constants shared by the notebooks, the tests and run_report.py: the article's years, how its words
are read, what input is accepted. (Which files each stage reads and writes: stages.py.)"""
from __future__ import annotations

import datetime
from pathlib import Path

#: The project's folder (the one holding data/raw/ and notebooks/).
ROOT = Path(__file__).resolve().parent.parent

# The article being checked and its years.
ARTICLE_YEAR = 2020
ARTICLE_BASE_YEAR = 2018
EARLY_2000S = (2000, 2001, 2002, 2003)   # "the early 2000s" of claim C8, as we read it
DEFICIT_SINCE = 2001                     # claim C5: "lowest level since 2001"

#: Who checks, by default (--reviewer gives another name), and the date of the newest change to how the
#: verdicts are reached (METHODS.md's newest entry; tests/test_narrative.py holds the two together). The date
#: of a check is the newest of this and the dates of the publications its verdicts rest on.
PROJECT_NAME = "Russian tech exports fact-check project"
METHOD_DATE = "2026-12-01"

FIRST_YEAR = 1990                        # no figure before this year is accepted
THIS_YEAR = datetime.date.today().year   # nor one after the current year

FLOWS = ("exports", "imports")
#: What a source is to the claims (sources.csv, column role): it decides what a verdict resting on it may say.
ROLES = ("the article", "same statistics, another publication", "a different measure")
MEASURES = ("level", "growth", "ratio", "share", "rank", "ratio_to_early_2000s")
UNITS_TO_USD_MN = {"USD": 1e-6, "USD thousand": 1e-3, "USD mn": 1.0, "USD bn": 1e3}
UNITS = tuple(UNITS_TO_USD_MN) + ("percent", "ratio", "rank")
MEASURE_UNITS = {"level": set(UNITS_TO_USD_MN), "growth": {"percent"}, "share": {"percent"},
                 "ratio": {"ratio"}, "ratio_to_early_2000s": {"ratio"}, "rank": {"rank"}}

MAX_INPUT_BYTES = 50 * 1024 * 1024       # a larger input file is refused before it is read
MAX_INPUT_ROWS = 100_000                 # so is one with more lines (counted in constant memory)
MAX_USD_MN = 1_000_000                   # USD 1 trillion: no technology trade figure comes near it
#: A plain number as every raw file must write it: ASCII digits, a decimal point, an exponent; no
#: thousands separators, no decimal comma, no units, not "nan" or "inf"
PLAIN_NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
