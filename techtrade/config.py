"""Paths and constants shared by the notebooks, the tests and run_report.py."""
from __future__ import annotations

import datetime
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = ROOT / "data" / "raw"
PROCESSED_DIR = ROOT / "data" / "processed"
FIGURES_DIR = ROOT / "figures"
REPORTS_DIR = ROOT / "reports"
# The notebooks run by run_report.py; the benchmark points this at an edited copy.
NOTEBOOKS_DIR = Path(os.environ.get("TECHTRADE_NOTEBOOKS_DIR", ROOT / "notebooks"))

# Shipped raw files (data/raw is read, never written, by the pipeline).
FIGURES_FILE = "tech_exchange_figures.csv"
SOURCES_FILE = "sources.csv"
CLAIMS_FILE = "claims.csv"
USER_DROP_IN = "user/tech_exchange_series.csv"   # a user's own series, used when present
WDI_FILE = "wdi_russia_2021-09-15.csv"

# Files each stage writes to data/processed (stages hand data on through these, not kernel state).
INGESTED = {"figures": "01_figures.csv", "sources": "01_sources.csv", "claims": "01_claims.csv",
            "wdi": "01_wdi.csv"}
CLEANED = {"quantities": "02_quantities.csv", "figures": "02_figures.csv", "wdi": "02_wdi.csv"}


def analysis_outputs(report_year: int, base_year: int) -> dict[str, str]:
    tag = run_tag(report_year, base_year)
    return {"claims": f"03_claims_{tag}.csv", "metrics": f"03_metrics_{tag}.csv",
            "figures": f"03_figures_{tag}.csv"}


def run_tag(report_year: int, base_year: int) -> str:
    return f"{report_year}-vs-{base_year}"


# The article being checked and its years.
ARTICLE_YEAR = 2020
ARTICLE_BASE_YEAR = 2018
EARLY_2000S = (2000, 2001, 2002, 2003)   # "the early 2000s" of claim C8, as we read it
DEFICIT_SINCE = 2001                     # claim C5: "lowest level since 2001"

FIRST_YEAR = 1990                        # no figure before this year is accepted
THIS_YEAR = datetime.date.today().year   # nor one after the current year

FLOWS = ("exports", "imports")
MEASURES = ("level", "growth", "ratio", "share", "rank", "ratio_to_early_2000s")
UNITS_TO_USD_MN = {"USD": 1e-6, "USD thousand": 1e-3, "USD mn": 1.0, "USD bn": 1e3}
UNITS = tuple(UNITS_TO_USD_MN) + ("percent", "ratio", "rank")
MEASURE_UNITS = {"level": set(UNITS_TO_USD_MN), "growth": {"percent"}, "share": {"percent"},
                 "ratio": {"ratio"}, "ratio_to_early_2000s": {"ratio"}, "rank": {"rank"}}

MAX_INPUT_BYTES = 50 * 1024 * 1024       # a larger input file is refused before it is read
MAX_INPUT_ROWS = 100_000                 # so is one with more lines (counted in constant memory)
