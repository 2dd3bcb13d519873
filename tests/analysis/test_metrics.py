"""The numbers table (every number the report shows, with id, status and sources), changes, and the
deficit history for any report year."""
import pandas as pd
import pytest

from techtrade.analysis import claims, metrics
from techtrade.clean import evidence
from techtrade.intervals import INF

from ..synthetic import add_figures


def val(row, *cols):
    """Cells as Python values: an empty cell (an unbounded end, or no value) is None."""
    out = [None if pd.isna(row[c]) else row[c] for c in cols]
    return out[0] if len(out) == 1 else tuple(out)


@pytest.fixture(scope="module")
def numbers(quantities, raw, tidy):
    wdi = evidence.tidy_wdi(raw["wdi"])
    return metrics.numbers(quantities, wdi, claims.check_claims(tidy, raw["sources"], raw["claims"]), 2020,
                           2018).set_index("id")


def test_available_years(quantities):
    assert evidence.available_years(quantities) == {"report": [2011, 2012, 2013, 2014, 2015, 2018, 2019, 2020, 2021],
                                                   "base": [2006, 2011, 2012, 2013, 2014, 2015, 2018, 2019, 2020]}


def test_every_level_is_a_number_with_status_and_sources(numbers):
    e2020, e2019 = numbers.loc["exports.2020"], numbers.loc["exports.2019"]
    assert val(e2020, "lo", "hi", "status", "source_ids") == (4500, None, "published", "MT")
    assert e2019["status"] == "derived" and e2019["basis"] == "exports 2020 / (1 + growth) 2019 to 2020"
    nl = numbers.loc["exports.2020.Netherlands"]
    assert val(nl, "lo", "hi") == (900, 1000)  # "almost $1 billion": a little below it, never from zero
    assert val(numbers.loc["balance.2021"], "lo", "hi") == (-500, -300)


def test_the_report_year_against_the_base_year(numbers):
    r = numbers.loc["ratio.exports.2020/2018"]
    assert r["lo"] == pytest.approx(4500 / 1450) and val(r, "hi") is None and r["status"] == "derived"
    assert numbers.loc["share.2020.Netherlands"]["hi"] == pytest.approx(1000 / 45)
    ip = numbers.loc["ratio.ip_receipts.2020/2018"]
    assert ip["lo"] == pytest.approx(1163.92 / 876.1) and ip["statistic"] == "World Bank WDI" and ip["measure"] == "ratio"


def test_a_change_that_would_be_circular_is_missing_and_says_why(numbers):
    c = numbers.loc["change.exports.2020"]
    assert val(c, "lo", "hi", "status", "basis") == (None, None, "missing", "circular")
    assert numbers.loc["change.imports.2020"]["basis"] == "no_previous"


def test_claim_intervals_are_numbers_too(numbers):
    assert val(numbers.loc["C3.ratio.claimed"], "lo", "hi") == (3, None)
    assert numbers.loc["C3.ratio.evidence"]["source_ids"] == "MT"


def test_growth_2021(quantities):
    g, why = metrics.growth(quantities, "imports", 2021)
    assert (g.lo, g.hi) == (pytest.approx(4950 / 4650 * 100 - 100), pytest.approx(5050 / 4550 * 100 - 100))
    assert metrics.growth(quantities, "imports", 2019) == (None, "no_year")


def test_what_one_publication_alone_says_is_labelled(quantities, raw, tidy):
    views = evidence.views(tidy, raw["sources"])
    assert sorted(views) == ["", "article", "oecd", "spb"]
    n = metrics.numbers(quantities, evidence.tidy_wdi(raw["wdi"]), [], 2020, 2018, views=views).set_index("id")
    r = n.loc["article.ratio.exports.2019/2018"]
    assert (r["measure"], r["year"], r["base_year"], r["published_by"]) == ("ratio", 2019, 2018, "article")
    assert n.loc["spb.exports.2021", "published_by"] == "spb" and n.loc["oecd.imports.2015", "lo"] > 2205


def test_a_ratio_across_two_publications_says_so(quantities, raw, tidy):
    n = metrics.numbers(quantities, evidence.tidy_wdi(raw["wdi"]), [], 2021, 2018).set_index("id")
    mixed = n.loc["ratio.exports.2021/2018"]
    assert bool(mixed["mixed"]) and mixed["basis"] == ("exports 2021 / exports 2018 (two publications: SPB for 2021, "
                                                       "MT for 2018)")
    assert bool(n.loc["change.exports.2021"]["mixed"])  # the paper's 2021 against the article's 2020
    assert not n.loc["ratio.exports.2020/2018"]["mixed"] and n.loc["ratio.exports.2020/2018"]["basis"] == \
        "exports 2020 / exports 2018"
    n11 = metrics.numbers(quantities, evidence.tidy_wdi(raw["wdi"]), [], 2011, 2006).set_index("id")
    assert bool(n11.loc["ratio.exports.2011/2006"]["mixed"])  # the OECD's own dollars against the paper's


def test_deficit_history_for_the_shipped_years(quantities):
    d = evidence.deficit_history(quantities, 2020)
    held = [2006, 2011, 2012, 2013, 2014, 2015]
    assert d["held"] == held and d["surely_larger_deficit"] == held
    assert d["gaps"] == [2007, 2008, 2009, 2010, 2016, 2017, 2018, 2019]
    assert d["surplus_possible"] and d["since"] is None and not d["surplus_certain"]
    c5 = evidence.deficit_history(quantities, 2020, first=2002)  # what claim C5's check reads
    assert c5["held"] == held and c5["gaps"] == [2002, 2003, 2004, 2005] + d["gaps"]
    d21 = evidence.deficit_history(quantities, 2021)
    assert d21["surely_smaller_deficit"] == [2020]


def test_deficit_history_since(tidy):
    rows = []
    for y in range(2010, 2020):
        rows += [dict(year=y, flow="exports", value=1000), dict(year=y, flow="imports", value=1000 + (10 if y == 2012 else 900))]
    q = evidence.build_quantities(add_figures(tidy, rows + [dict(year=2020, flow="exports", value=4520)]))
    d = evidence.deficit_history(q, 2020)
    assert d["since"] == 2012 and d["surely_smaller_deficit"] == [2012]
    assert q.get(2020, "balance").hi < 0 and q.get(2020, "balance").hi != INF


def test_other_measures_beside_the_articles_years(numbers):
    """Every report states the article's 2020 against 2018 and the 2019 jump, for each measure."""
    assert numbers.loc["ratio.ict_exports.2020/2018"]["lo"] == pytest.approx(5936.18 / 5260.32)
    assert numbers.loc["ratio.ict_exports.2020/2018"]["source_ids"] == "WDI2026"
    assert numbers.loc["ratio.ip_receipts.2020/2018"]["lo"] == pytest.approx(1163.92 / 876.1)
    assert numbers.loc["ratio.exports.2019/2018"]["lo"] == pytest.approx(4500 / 1.305 / 1450)
    assert numbers.loc["ratio.hightech_exports.2019/2018"]["lo"] == pytest.approx(10864829654 / 10183007833)
    early = numbers.loc["ratio.ict_exports.2020/early2000s"]
    assert (early["lo"], early["hi"]) == (pytest.approx(5936.18 / 598.66), pytest.approx(5936.18 / 444.52))
    assert numbers.loc["exports.2015"]["source_ids"] == "OECD"


def test_the_numbers_are_tidy(numbers):
    """Flow, partner, measure and years in columns of their own, years whole numbers; the claim rows in the
    claim's unit and the evidence rows in the evidence's (C6's rank is a rank, its evidence a level)."""
    nl = numbers.loc["exports.2020.Netherlands"]
    assert (nl["measure"], nl["flow"], nl["partner"], nl["year"]) == ("level", "exports", "Netherlands", 2020)
    r = numbers.loc["ratio.exports.2019/2018"]
    assert (r["measure"], r["year"], r["base_year"], r["published_by"]) == ("ratio", 2019, 2018, "")
    assert str(numbers["year"].dtype) == "Int64" and str(numbers["base_year"].dtype) == "Int64"
    assert (numbers.loc["C6.rank.claimed", "unit"], numbers.loc["C6.rank.evidence", "unit"]) == ("rank", "USD mn")
    assert numbers.loc["change.exports.2020", "basis"] == "circular"  # a code, documented in the data package
