"""Claim verdicts: records of intervals and ids, with the shipped figures and with synthetic test-only
figures for every verdict and every branch of the bespoke checks."""
import pytest

from techtrade import claims
from techtrade.claims import CONSISTENT, CONTRADICTED, NOT_VERIFIABLE, REPRODUCED
from techtrade.intervals import INF, Interval

from .synthetic import add_figures


def by_id(tidy):
    return {v.part_id: v for v in claims.check_claims(tidy)}


def run(tidy, part_id):
    return claims.Checker(tidy).run(claims.BY_ID[part_id])


def test_compare():
    claim = Interval(3, INF)
    assert claims.compare(Interval(3.1, INF), claim) == REPRODUCED
    assert claims.compare(Interval(2.5, 3.5), claim) == CONSISTENT
    assert claims.compare(Interval(1, 2), claim) == CONTRADICTED
    assert claims.compare(None, claim) == NOT_VERIFIABLE
    assert claims.compare(Interval(0, INF), claim) == NOT_VERIFIABLE  # bounds nothing


SHIPPED = {
    "C1.level": CONSISTENT, "C2.growth": NOT_VERIFIABLE, "C3.level": NOT_VERIFIABLE, "C3.ratio": REPRODUCED,
    "C4.level": NOT_VERIFIABLE, "C4.change": NOT_VERIFIABLE, "C5.deficit": NOT_VERIFIABLE,
    "C6.level": NOT_VERIFIABLE, "C6.share": CONSISTENT, "C6.rank": NOT_VERIFIABLE, "C7.each": NOT_VERIFIABLE,
    "C8.early": NOT_VERIFIABLE, "C9.ratio": REPRODUCED,
}


def test_every_part_has_a_stable_id_and_the_shipped_verdict(tidy):
    got = by_id(tidy)
    assert list(got) == [p.id for p in claims.PARTS]
    assert {k: v.verdict for k, v in got.items()} == SHIPPED


def test_records_carry_intervals_and_ids_not_text(tidy):
    got = by_id(tidy)
    ratio = got["C3.ratio"]
    assert ratio.claimed == Interval(3, INF)
    assert ratio.evidence.lo == pytest.approx(4500 / 1450) and ratio.evidence.hi == INF
    assert ratio.figure_ids == ["F01", "F03"] and ratio.source_ids == ["MT"] and ratio.claim_source_ids == ["MT"]
    assert [u["id"] for u in ratio.used] == ["exports.2020", "exports.2018"]
    c1 = got["C1.level"]
    assert c1.evidence.lo == pytest.approx(1350 * 3) and c1.used[0]["status"] == "derived"
    share = got["C6.share"]
    assert (share.claimed, share.evidence.lo, share.evidence.hi) == (Interval(20, 30), 0, pytest.approx(1000 / 45))
    c8 = got["C8.early"]
    assert c8.claimed == Interval(15, 20) and c8.evidence is None
    assert c8.detail["missing"] == [2000, 2001, 2002, 2003]
    assert c8.detail["implied_early_level"] == {"lo": pytest.approx(4500 / 20), "hi": None}


def test_a_restating_part_is_counted_once(tidy):
    verdicts = claims.check_claims(tidy)
    c9 = {v.part_id: v for v in verdicts}["C9.ratio"]
    assert c9.restates == "C3.ratio" and c9.verdict == REPRODUCED
    assert len(claims.counted(verdicts)) == len(claims.PARTS) - 1
    assert claims.summarise(verdicts) == {REPRODUCED: 1, CONSISTENT: 2, CONTRADICTED: 0, NOT_VERIFIABLE: 9}


def test_a_part_is_never_checked_against_its_own_figures(tidy):
    checker = claims.Checker(tidy)
    own = {p.id: sorted(checker.own(p)["figure_id"]) for p in claims.PARTS}
    assert own["C3.ratio"] == own["C9.ratio"] == ["F04", "F17"]  # and its restatement's
    assert own["C1.level"] == ["F01"] and own["C7.each"] == ["F10", "F11", "F12", "F13", "F14"]
    for v in claims.check_claims(tidy):
        assert not set(v.figure_ids) & set(own[v.part_id]), v.part_id


def test_every_unverifiable_part_names_the_series_that_would_settle_it(tidy):
    for v in claims.check_claims(tidy):
        assert bool(v.settle) == (v.verdict == NOT_VERIFIABLE), v.part_id
    got = by_id(tidy)
    assert got["C2.growth"].settle == [{"flow": "exports", "partner": "World", "years": [2019]}]
    assert got["C5.deficit"].settle[0]["years"] == [2002, 2003, 2004, 2005] + list(range(2007, 2020))


def test_records_survive_json(tidy):
    for v in claims.check_claims(tidy):
        assert claims.Verdict.from_json(v.to_json()) == v


@pytest.mark.parametrize("value,verdict", [(4700, REPRODUCED), (4400, CONTRADICTED)])
def test_c1_against_an_independent_figure(tidy, value, verdict):
    v = run(add_figures(tidy, [dict(year=2020, flow="exports", value=value)]), "C1.level")
    assert v.verdict == verdict and v.source_ids == ["TEST"] and v.evidence == Interval.point(value)


@pytest.mark.parametrize("e2019,verdict", [(3615, REPRODUCED), (3600, CONTRADICTED)])
def test_c2_growth_with_a_2019_figure(tidy, e2019, verdict):
    t = add_figures(tidy, [dict(year=2019, flow="exports", value=e2019), dict(year=2020, flow="exports", value=4700)])
    assert run(t, "C2.growth").verdict == verdict


def _balances(years, deficit):
    rows = []
    for y in years:
        rows += [dict(year=y, flow="exports", value=1000), dict(year=y, flow="imports", value=1000 + deficit(y))]
    return rows


class TestDeficitRanking:
    """C5, every branch: surplus, a smaller earlier deficit, missing years, all larger (sure or not)."""

    def test_not_verifiable_while_years_are_missing(self, tidy):
        v = run(tidy, "C5.deficit")
        assert v.verdict == NOT_VERIFIABLE and v.detail["larger_deficit"] == [2006]

    def test_reproduced_when_every_earlier_deficit_is_surely_larger(self, tidy):
        rows = _balances(range(2001, 2020), lambda y: 800) + [dict(year=2020, flow="exports", value=4520)]
        v = run(add_figures(tidy, rows), "C5.deficit")  # 2020: 4,520 - [4,550, 4,650] = [-130, -30]
        assert v.verdict == REPRODUCED and v.detail["larger_deficit"] == list(range(2002, 2020))

    def test_only_consistent_when_a_surplus_is_possible(self, tidy):
        rows = _balances(range(2001, 2020), lambda y: 800) + [dict(year=2020, flow="exports", value=4590)]
        v = run(add_figures(tidy, rows), "C5.deficit")  # [-60, +40]
        assert v.verdict == CONSISTENT

    def test_contradicted_by_a_smaller_earlier_deficit(self, tidy):
        rows = _balances(range(2001, 2020), lambda y: 10 if y == 2010 else 800)
        v = run(add_figures(tidy, rows + [dict(year=2020, flow="exports", value=4500)]), "C5.deficit")
        assert v.verdict == CONTRADICTED and v.detail["smaller_deficit"] == [2010]

    def test_contradicted_by_a_surplus(self, tidy):
        rows = _balances(range(2001, 2020), lambda y: 800) + [dict(year=2020, flow="exports", value=4700)]
        v = run(add_figures(tidy, rows), "C5.deficit")
        assert v.verdict == CONTRADICTED and v.detail["surplus"] is True

    def test_not_verifiable_without_a_balance_for_the_year(self, tidy):
        t = tidy[tidy["figure_id"] != "F05"]  # no imports 2020
        v = run(t, "C5.deficit")
        assert v.verdict == NOT_VERIFIABLE and v.evidence is None


class TestPartnerRanking:
    def test_contradicted_by_a_larger_partner(self, tidy):
        v = run(add_figures(tidy, [dict(year=2020, flow="exports", partner="Germany", value=1200)]), "C6.rank")
        assert v.verdict == CONTRADICTED and v.detail["bigger"] == ["Germany"]

    def test_reproduced_when_no_partner_and_no_remainder_can_be_larger(self, tidy):
        rows = [dict(year=2020, flow="exports", partner="Netherlands", value=980),
                dict(year=2020, flow="exports", value=2500)]
        rows += [dict(year=2020, flow="exports", partner=p, value=300)
                 for p in ("United States", "Germany", "Switzerland", "China", "Belarus")]
        v = run(add_figures(tidy, rows), "C6.rank")
        assert v.verdict == REPRODUCED and v.detail["rest_max"] == pytest.approx(2500 - 980 - 1500)

    def test_not_verifiable_when_the_rest_could_be_larger(self, tidy):
        v = run(tidy, "C6.rank")
        assert v.verdict == NOT_VERIFIABLE and v.detail["rest_max"] is None


def test_c8_with_early_2000s_figures(tidy):
    rows = [dict(year=y, flow="exports", value=250) for y in (2000, 2001, 2002, 2003)]
    v = run(add_figures(tidy, rows + [dict(year=2020, flow="exports", value=4700)]), "C8.early")
    assert v.verdict == REPRODUCED and v.evidence == Interval.point(4700 / 250)


def test_c7_takes_the_smallest_of_the_five(tidy):
    rows = [dict(year=2020, flow="exports", partner=p, value=v) for p, v in
            (("United States", 300), ("Germany", 280), ("Switzerland", 260), ("China", 900), ("Belarus", 255))]
    v = run(add_figures(tidy, rows), "C7.each")
    assert v.verdict == REPRODUCED and v.evidence == Interval(255, 255)
    rows[4]["value"] = 240
    assert run(add_figures(tidy, rows), "C7.each").verdict == CONTRADICTED


def test_a_new_claim_is_one_entry(tidy, monkeypatch):
    part = claims.Part("C4.imports2021", "C4", "imports in 2020 (again)", "level", flow="imports")
    monkeypatch.setattr(claims, "PARTS", claims.PARTS + (part,))
    v = {x.part_id: x for x in claims.check_claims(tidy)}["C4.imports2021"]
    assert v.verdict == NOT_VERIFIABLE and v.claimed == Interval(4550, 4650)
