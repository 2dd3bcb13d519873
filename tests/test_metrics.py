import pytest

from techtrade import evidence, metrics
from techtrade.metrics import ParameterError


def test_available_years(quantities):
    assert metrics.available_years(quantities) == {"report": [2018, 2019, 2020, 2021],
                                                   "base": [2006, 2018, 2019, 2020]}


@pytest.mark.parametrize("report,base,message", [
    (2017, 2018, "report_year=2017: no exports figure for that year; available report years: 2018, 2019, 2020, 2021"),
    (2020, 2005, "base_year=2005: no exports figure for that year; available base years: 2006, 2018, 2019, 2020"),
    (2019, 2020, "base_year=2020: must be before report_year=2019"),
    ("2020", 2018, "report_year='2020': must be a whole year like 2020"),
    (2020, 2018.0, "base_year=2018.0: must be a whole year like 2020"),
    (True, 2018, "report_year=True: must be a whole year"),
])
def test_years_the_data_cannot_serve(quantities, report, base, message):
    with pytest.raises(ParameterError) as exc:
        metrics.check_years(quantities, report, base)
    assert message in str(exc.value)


def test_metrics_2020_against_2018(quantities, raw):
    m = metrics.year_metrics(quantities, evidence.tidy_wdi(raw["wdi"]), 2020, 2018)
    ratio = metrics.metric(m, "exports ratio report/base", 2020)
    assert ratio.lo == pytest.approx(4500 / 1450) and ratio.hi == float("inf")
    # the only 2019 level is derived from 2020 itself: no year-on-year growth is reported
    assert metrics.metric(m, "exports growth from previous year", 2020) is None
    assert metrics.metric(m, "WDI IP charges, receipts ratio report/base", 2020).lo == pytest.approx(1163.92 / 876.1)
    assert set(m[m["metric"] == "exports ratio report/base"]["status"]) == {"derived"}


def test_metrics_2021_against_2018(quantities, raw):
    m = metrics.year_metrics(quantities, evidence.tidy_wdi(raw["wdi"]), 2021, 2018)
    ratio = metrics.metric(m, "exports ratio report/base", 2021)
    assert (ratio.lo, ratio.hi) == (pytest.approx(4550 / 1450), pytest.approx(4650 / 1350))
    g = metrics.metric(m, "imports growth from previous year", 2021)
    assert (g.lo, g.hi) == (pytest.approx(4950 / 4650 * 100 - 100), pytest.approx(5050 / 4550 * 100 - 100))
    assert metrics.metric(m, "balance level", 2021).lo == -500
    assert metrics.metric(m, "WDI IP charges, receipts", 2021) is None  # WDI snapshot ends in 2020
