"""Synthetic, test-only data. Nothing here is a published figure; none of it is ever shipped."""
from __future__ import annotations

import pandas as pd

from techtrade.clean import evidence


def add_figures(tidy: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
    """The shipped tidy figures plus extra (synthetic, test-only) figures given as dicts.

    They come with priority 1, as a user's own series does: they take precedence where they overlap.
    """
    base = dict(priority=1, claim_id=pd.NA, base_year=pd.NA, partner="World", category="all", measure="level",
                unit="USD mn", qualifier="exact", precision=float("nan"), source_id="TEST", quote="synthetic",
                publication="SYNTHETIC test source")
    extra = pd.DataFrame([{**base, **r} for r in rows])
    extra["figure_id"] = [f"T{i:02d}" for i in range(len(extra))]
    return evidence.figure_intervals(pd.concat([tidy.drop(columns=["lo", "hi", "loose_lo", "loose_hi", "reading"]), extra], ignore_index=True))


def with_test_source(sources: pd.DataFrame, role: str = "primary table") -> pd.DataFrame:
    """The registry plus the synthetic figures' source TEST, in the role a test gives it."""
    test = pd.DataFrame([{"source_id": "TEST", "publisher": "SYNTHETIC test source", "title": "synthetic",
                          "publication": "SYNTHETIC test source",
                          "date": "", "url": "", "quote": "", "role": role}])
    return pd.concat([sources, test], ignore_index=True)


def analysed(tmp_path, raw, tidy, report_year=2020, base_year=2018, figures=()):
    """What the analysis stage hands over (03_results), made in-process for tests of the narrative."""
    from techtrade import results
    from techtrade.analysis import claims, metrics

    views = evidence.views(tidy, raw["sources"])
    q = views[""]
    verdicts = claims.check_claims(tidy, raw["sources"], raw["claims"])
    numbers = metrics.numbers(q, evidence.tidy_wdi(raw["wdi"]), verdicts, report_year, base_year, views=views)
    extra = {"deficit": evidence.deficit_history(q, report_year)}
    path = results.save(tmp_path / "results.json", {"report_year": report_year, "base_year": base_year, "top_n": 6},
                        verdicts, numbers, list(figures), raw["sources"], raw["claims"], extra)
    return results.Results.load(path)
