import math

import pandas as pd
import pytest

from techtrade.clean import evidence
from techtrade.clean.evidence import Key, Quantities
from techtrade.intervals import Interval
from techtrade.errors import DataError

from ..synthetic import add_figures


def test_units_are_converted_to_usd_million(tidy):
    extra = add_figures(tidy, [dict(year=2015, flow="exports", value=2.5, unit="USD bn", qualifier="rounded",
                                    precision=0.1)])
    row = extra[extra["figure_id"] == "T00"].iloc[0]
    assert (row["unit"], row["value"], row["lo"], row["hi"]) == ("USD mn", 2500, 2450, 2550)


def test_published_levels(quantities):
    assert quantities.get(2020, "exports").lo == 4500 and quantities.get(2020, "exports").hi == math.inf
    assert (quantities.get(2018, "exports").lo, quantities.get(2018, "exports").hi) == (1350, 1450)
    assert quantities.row(2021, "imports")["source_ids"] == "SPB"


def test_derived_levels_are_intervals_and_labelled(quantities):
    e2019 = quantities.row(2019, "exports")
    assert e2019["status"] == "derived"
    assert e2019["iv"].lo == pytest.approx(4500 / 1.305) and e2019["iv"].hi == math.inf
    assert e2019["basis"] == "exports 2020 / (1 + growth) 2019 to 2020"
    e2006 = quantities.get(2006, "exports")
    assert (e2006.lo, e2006.hi) == (pytest.approx(4550 / 8.85), pytest.approx(4650 / 8.75))
    i2006 = quantities.get(2006, "imports")
    assert (i2006.lo, i2006.hi) == (pytest.approx(4950 / 4.45), pytest.approx(5050 / 4.35))


def test_no_level_is_derived_from_an_approximate_figure(quantities):
    # "stagnant" (about 0%) would give imports 2019 only through our own +/-5 pp reading.
    assert quantities.row(2019, "imports") is None


def test_balances_are_derived_for_years_with_both_flows(quantities):
    assert quantities.years("balance") == [2006, 2011, 2012, 2013, 2014, 2015, 2020, 2021]
    b2011 = quantities.row(2011, "balance")
    assert b2011["iv"].lo == pytest.approx(592.642168306845 - 1915.41073563595) and b2011["source_ids"] == "OECD"
    b2021 = quantities.row(2021, "balance")
    assert (b2021["iv"], b2021["status"]) == (Interval(-500, -300), "derived")
    assert quantities.get(2020, "balance").lo == -150 and quantities.get(2020, "balance").hi == math.inf


def test_figures_on_one_quantity_are_intersected(quantities):
    c8 = quantities.row(2020, "exports", measure="ratio_to_early_2000s")
    assert (c8["iv"], c8["figure_ids"]) == (Interval(15, 20), "F15;F16")


def test_contradicting_published_figures_are_an_error(tidy):
    bad = add_figures(tidy, [dict(year=2018, flow="exports", value=2000, priority=0)])
    with pytest.raises(DataError, match="figures F03, T00 contradict each other on level of exports 2018: no value"):
        evidence.build_quantities(bad)


def test_a_user_series_takes_precedence_and_says_so(tidy):
    q = evidence.build_quantities(add_figures(tidy, [dict(year=2018, flow="exports", value=2000)]))
    row = q.row(2018, "exports")
    assert (row["iv"], row["figure_ids"]) == (Interval.point(2000), "T00")
    assert row["basis"] == "as published (takes precedence over F03)"


def test_excluding_a_figure_removes_what_is_derived_from_it(tidy):
    q = evidence.build_quantities(tidy, exclude_figures=["F02"])
    assert q.row(2019, "exports") is None


def test_quantities_round_trip_through_csv(quantities, tmp_path):
    path = tmp_path / "q.csv"
    quantities.to_frame().to_csv(path, index=False)
    back = Quantities.from_frame(pd.read_csv(path).fillna({"basis": ""}))
    assert back.get(2019, "exports") == quantities.get(2019, "exports")
    assert back.row(2021, "exports", measure="ratio", base_year=2006)["iv"] == quantities.row(2021, "exports", measure="ratio", base_year=2006)["iv"]


def test_wdi_is_labelled_as_another_measure(raw):
    w = evidence.tidy_wdi(raw["wdi"])
    r = w[(w["indicator_code"] == "BX.GSR.ROYL.CD") & (w["year"] == 2020)].iloc[0]
    assert r["value_usd_mn"] == pytest.approx(1163.92)
    assert "different measure" in r["measure_note"]


def test_select_and_partners_name_their_fields(quantities):
    keys = [k for k, _ in quantities.select(flow="exports", measure="level", partner="World")]
    assert all(isinstance(k, Key) and k.flow == "exports" for k in keys)
    assert sorted(k.year for k in keys) == [2006, 2011, 2012, 2013, 2014, 2015, 2018, 2019, 2020, 2021]
    assert sorted(quantities.partners(2020)) == ["Belarus", "China", "Germany", "Netherlands", "Switzerland",
                                                 "United States"]
    assert quantities.partners(2021) == {}
