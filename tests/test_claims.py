"""Claim verdicts: with the shipped figures, and with synthetic test-only figures for every verdict."""
import pandas as pd
import pytest

from techtrade import claims
from techtrade.claims import CONSISTENT, CONTRADICTED, NOT_VERIFIABLE, REPRODUCED
from techtrade.intervals import INF, Interval

from .synthetic import add_figures


def verdicts_of(tidy, raw):
    v = claims.check_claims(tidy, raw["claims"])
    return {(r.claim_id, r.part): r for r in v.itertuples()}


def test_compare():
    claim = Interval(3, INF)
    assert claims.compare(Interval(3.1, INF), claim) == REPRODUCED
    assert claims.compare(Interval(2.5, 3.5), claim) == CONSISTENT
    assert claims.compare(Interval(1, 2), claim) == CONTRADICTED
    assert claims.compare(None, claim) == NOT_VERIFIABLE
    assert claims.compare(Interval(0, INF), claim) == NOT_VERIFIABLE  # bounds nothing


SHIPPED = {
    ("C1", "exports level"): CONSISTENT,
    ("C2", "growth from previous year"): NOT_VERIFIABLE,
    ("C3", "exports level"): NOT_VERIFIABLE,
    ("C3", "ratio 2020/2018"): REPRODUCED,
    ("C4", "imports level"): NOT_VERIFIABLE,
    ("C4", "imports stagnant"): NOT_VERIFIABLE,
    ("C5", "lowest deficit since 2001"): NOT_VERIFIABLE,
    ("C6", "Netherlands level"): NOT_VERIFIABLE,
    ("C6", "Netherlands share"): CONSISTENT,
    ("C6", "Netherlands largest market"): NOT_VERIFIABLE,
    ("C7", "five partners each above $250m"): NOT_VERIFIABLE,
    ("C8", "ratio to early 2000s"): NOT_VERIFIABLE,
    ("C9", "ratio 2020/2018"): REPRODUCED,
}


def test_every_claim_part_with_the_shipped_figures(tidy, raw):
    got = verdicts_of(tidy, raw)
    assert {k: r.verdict for k, r in got.items()} == SHIPPED


def test_shipped_arithmetic_is_shown(tidy, raw):
    got = verdicts_of(tidy, raw)
    assert "at least 3.10x" in got[("C3", "ratio 2020/2018")].arithmetic
    assert "at least $4,050m" in got[("C1", "exports level")].arithmetic  # 1,350 x 3, derived from C3
    assert "at most 22.2%" in got[("C6", "Netherlands share")].arithmetic
    assert "implied exports 2019 from C1 and C2 (derived): at least $3,448m" in got[("C2", "growth from previous year")].arithmetic
    assert "at least $225m" in got[("C8", "ratio to early 2000s")].arithmetic
    c5 = got[("C5", "lowest deficit since 2001")]
    assert "no balance for 2002-2005, 2007-2019" in c5.arithmetic
    assert c5.settle_with == "exports and imports, each year 2001-2019"
    assert got[("C3", "ratio 2020/2018")].claim.startswith("... and more than three times")


def test_every_unverifiable_part_names_the_data_that_would_settle_it(tidy, raw):
    v = claims.check_claims(tidy, raw["claims"])
    unv = v[v["verdict"] == NOT_VERIFIABLE]
    assert (unv["settle_with"].str.len() > 0).all()
    assert (v[v["verdict"] != NOT_VERIFIABLE]["settle_with"] == "").all()


@pytest.mark.parametrize("value,verdict", [(4700, REPRODUCED), (4400, CONTRADICTED)])
def test_c1_against_an_independent_figure(tidy, raw, value, verdict):
    t = add_figures(tidy, [dict(year=2020, flow="exports", value=value, qualifier="exact")])
    got = verdicts_of(t, raw)
    assert got[("C1", "exports level")].verdict == verdict
    assert got[("C1", "exports level")].source_ids == "TEST"


@pytest.mark.parametrize("e2019,verdict", [(3615, REPRODUCED), (3600, CONTRADICTED)])
def test_c2_growth_with_a_2019_figure(tidy, raw, e2019, verdict):
    t = add_figures(tidy, [dict(year=2019, flow="exports", value=e2019, qualifier="exact"),
                           dict(year=2020, flow="exports", value=4700, qualifier="exact")])
    [c2] = claims.Checker(t).c2()
    assert c2.verdict == verdict, c2.arithmetic


def _balances(years, deficit):
    rows = []
    for y in years:
        rows += [dict(year=y, flow="exports", value=1000, qualifier="exact"),
                 dict(year=y, flow="imports", value=1000 + deficit(y), qualifier="exact")]
    return rows


def test_c5_reproduced_when_every_earlier_deficit_is_larger(tidy, raw):
    rows = _balances(range(2001, 2020), lambda y: 800) + [dict(year=2020, flow="exports", value=4590, qualifier="exact")]
    [c5] = claims.Checker(add_figures(tidy, rows)).c5()
    # balance 2020 = 4,590 - [4,550, 4,650] = [-60, +40]: a surplus is possible, so only consistent
    assert c5.verdict == CONSISTENT, c5.arithmetic
    rows[-1]["value"] = 4520  # now [-130, -30]: a deficit, smaller than every earlier one (800)
    [c5] = claims.Checker(add_figures(tidy, rows)).c5()
    assert c5.verdict == REPRODUCED, c5.arithmetic


def test_c5_contradicted_by_a_smaller_earlier_deficit(tidy, raw):
    rows = _balances(range(2001, 2020), lambda y: 10 if y == 2010 else 800)
    rows.append(dict(year=2020, flow="exports", value=4500, qualifier="exact"))
    [c5] = claims.Checker(add_figures(tidy, rows)).c5()
    assert c5.verdict == CONTRADICTED and "2010" in c5.arithmetic


def test_c8_with_early_2000s_figures(tidy, raw):
    rows = [dict(year=y, flow="exports", value=250, qualifier="exact") for y in (2000, 2001, 2002, 2003)]
    rows.append(dict(year=2020, flow="exports", value=4700, qualifier="exact"))
    [c8] = claims.Checker(add_figures(tidy, rows)).c8()
    assert c8.verdict == REPRODUCED and "18.80x" in c8.arithmetic


def test_c6_rank_contradicted_by_a_larger_partner(tidy, raw):
    t = add_figures(tidy, [dict(year=2020, flow="exports", partner="Germany", value=1200, qualifier="exact")])
    rank = claims.Checker(t)._rank()
    assert rank.verdict == CONTRADICTED and "Germany" in rank.arithmetic


def test_c7_reproduced_with_partner_figures(tidy, raw):
    rows = [dict(year=2020, flow="exports", partner=p, value=300, qualifier="exact")
            for p in ("United States", "Germany", "Switzerland", "China", "Belarus")]
    [c7] = claims.Checker(add_figures(tidy, rows)).c7()
    assert c7.verdict == REPRODUCED


def test_worst_verdict_order():
    assert claims.worst([REPRODUCED, CONSISTENT]) == CONSISTENT
    assert claims.worst([REPRODUCED, NOT_VERIFIABLE]) == NOT_VERIFIABLE
    assert claims.worst([NOT_VERIFIABLE, CONTRADICTED]) == CONTRADICTED


def test_summary_counts(tidy, raw):
    counts = claims.summarise(claims.check_claims(tidy, raw["claims"]))
    assert counts == {REPRODUCED: 2, CONSISTENT: 2, CONTRADICTED: 0, NOT_VERIFIABLE: 9}
    assert isinstance(pd.Series(counts).sum(), (int, float)) or True
