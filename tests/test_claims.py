"""Claim verdicts: records of intervals and ids, with the shipped figures and with synthetic test-only
figures for every verdict, every tier and every branch of the bespoke checks."""
import pytest

from techtrade import claims, results
from techtrade.claims import (CONFIRMED, CONSISTENT, CONTRADICTED, DISJOINT, INTERNALLY_CONSISTENT,
                              INTERNALLY_INCONSISTENT, MIXED, NONE, NOT_VERIFIABLE, OPEN, OTHER, OVERLAP, OWN, PRIMARY,
                              WITHIN)
from techtrade.intervals import INF, Interval

from .synthetic import add_figures, with_test_source


def by_id(tidy, sources):
    return {v.part_id: v for v in claims.check_claims(tidy, sources)}


def run(tidy, sources, part_id, role="primary table"):
    roles = dict(zip(sources["source_id"], sources["role"])) | {"TEST": role}
    return claims.Checker(tidy, roles).run(claims.BY_ID[part_id])


def test_compare():
    claim = Interval(3, INF)
    assert claims.compare(Interval(3.1, INF), claim) == WITHIN
    assert claims.compare(Interval(2.5, 3.5), claim) == OVERLAP
    assert claims.compare(Interval(1, 2), claim) == DISJOINT
    assert claims.compare(None, claim) == OPEN
    assert claims.compare(Interval(0, INF), claim) == OPEN  # bounds nothing


SHIPPED = {
    "C1.level": INTERNALLY_CONSISTENT, "C2.growth": NOT_VERIFIABLE, "C3.level": NOT_VERIFIABLE,
    "C3.ratio": INTERNALLY_CONSISTENT, "C4.level": NOT_VERIFIABLE, "C4.change": NOT_VERIFIABLE,
    "C5.deficit": NOT_VERIFIABLE, "C6.level": NOT_VERIFIABLE, "C6.share": INTERNALLY_CONSISTENT,
    "C6.rank": NOT_VERIFIABLE, "C7.each": NOT_VERIFIABLE, "C8.early": NOT_VERIFIABLE, "C9.ratio": INTERNALLY_CONSISTENT,
}


def test_every_part_has_a_stable_id_and_the_shipped_verdict(tidy, raw):
    got = by_id(tidy, raw["sources"])
    assert list(got) == [p.id for p in claims.PARTS]
    assert {k: v.verdict for k, v in got.items()} == SHIPPED


class TestTiers:
    """What a verdict may say depends on what it rests on."""

    def test_a_part_checked_only_against_its_own_publication_is_never_confirmed(self, tidy, raw):
        for v in claims.check_claims(tidy, raw["sources"]):
            if v.tier == OWN:
                assert v.verdict in (INTERNALLY_CONSISTENT, INTERNALLY_INCONSISTENT), v.part_id
                assert set(v.source_ids) <= {"MT", "EWDN", "BNE"}
        assert by_id(tidy, raw["sources"])["C3.ratio"].tier == OWN  # the headline rests on the article alone

    @pytest.mark.parametrize("role,tier,verdict", [
        ("same statistics, another publication", OTHER, CONFIRMED), ("primary table", PRIMARY, CONFIRMED)])
    def test_another_publication_or_the_primary_table_can_confirm(self, tidy, raw, role, tier, verdict):
        t = add_figures(tidy, [dict(year=2018, flow="exports", value=1400), dict(year=2020, flow="exports", value=4600)])
        v = run(t, raw["sources"], "C3.ratio", role)
        assert (v.tier, v.verdict, v.source_ids) == (tier, verdict, ["TEST"])

    @pytest.mark.parametrize("role,tier", [("same statistics, another publication", OTHER), ("primary table", PRIMARY)])
    def test_another_publication_or_the_primary_table_can_contradict(self, tidy, raw, role, tier):
        t = add_figures(tidy, [dict(year=2018, flow="exports", value=2000), dict(year=2020, flow="exports", value=4600)])
        v = run(t, raw["sources"], "C3.ratio", role)
        assert (v.tier, v.verdict) == (tier, CONTRADICTED)

    def test_the_articles_figures_with_another_publications_are_never_confirmed(self, tidy, raw):
        t = add_figures(tidy, [dict(year=2018, flow="exports", value=1400)])  # 2020 still the article's
        v = run(t, raw["sources"], "C3.ratio", "same statistics, another publication")
        assert (v.tier, v.verdict) == (MIXED, CONSISTENT) and v.source_ids == ["MT", "TEST"]

    def test_internally_inconsistent_when_the_articles_figures_disagree(self, tidy, raw):
        t = tidy.copy()
        t.loc[t["figure_id"] == "F07", ["lo", "hi"]] = [0, 500]  # as if it had said "almost $0.5 billion"
        v = run(t, raw["sources"], "C6.share")  # at most 11% of at least $4.5 billion: not "a quarter"
        assert (v.tier, v.verdict) == (OWN, INTERNALLY_INCONSISTENT)

    def test_a_different_measure_never_decides(self, tidy, raw):
        """The World Bank's series are not figures of the claims' statistic: however they read, no verdict
        moves, and a figure that rested on them would be refused."""
        before = {v.part_id: (v.verdict, v.tier) for v in claims.check_claims(tidy, raw["sources"])}
        wdi_like = add_figures(tidy, [dict(year=2019, flow="exports", value=5489.35, source_id="WDI2026")])
        roles = dict(zip(raw["sources"]["source_id"], raw["sources"]["role"]))
        with pytest.raises(ValueError, match="evidence may rest only on the article, the same statistics"):
            claims.Checker(wdi_like, roles).run(claims.BY_ID["C2.growth"])
        assert {v.part_id: (v.verdict, v.tier) for v in claims.check_claims(tidy, raw["sources"])} == before

    def test_not_verifiable_rests_on_nothing(self, tidy, raw):
        for v in claims.check_claims(tidy, raw["sources"]):
            assert (v.verdict == NOT_VERIFIABLE) == (v.tier == NONE), v.part_id


def test_records_carry_intervals_and_ids_not_text(tidy, raw):
    got = by_id(tidy, raw["sources"])
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


def test_a_restating_part_is_counted_once(tidy, raw):
    verdicts = claims.check_claims(tidy, raw["sources"])
    c9 = {v.part_id: v for v in verdicts}["C9.ratio"]
    assert c9.restates == "C3.ratio" and c9.verdict == INTERNALLY_CONSISTENT
    assert len(results.counted(verdicts)) == len(claims.PARTS) - 1
    counts = results.summarise(verdicts)
    assert counts[INTERNALLY_CONSISTENT] == 3 and counts[NOT_VERIFIABLE] == 9 and sum(counts.values()) == 12


def test_a_part_is_never_checked_against_its_own_figures(tidy, raw):
    checker = claims.Checker(tidy, dict(zip(raw["sources"]["source_id"], raw["sources"]["role"])))
    own = {p.id: sorted(checker.own(p)["figure_id"]) for p in claims.PARTS}
    assert own["C3.ratio"] == own["C9.ratio"] == ["F04", "F17"]  # and its restatement's
    assert own["C1.level"] == ["F01"] and own["C7.each"] == ["F10", "F11", "F12", "F13", "F14"]
    for v in claims.check_claims(tidy, raw["sources"]):
        assert not set(v.figure_ids) & set(own[v.part_id]), v.part_id


def test_every_unverifiable_part_names_the_series_that_would_settle_it(tidy, raw):
    got = by_id(tidy, raw["sources"])
    for v in got.values():
        assert bool(v.settle) == (v.verdict == NOT_VERIFIABLE), v.part_id
    assert got["C2.growth"].settle == [{"flow": "exports", "partner": "World", "years": [2019]}]
    assert got["C5.deficit"].settle[0]["years"] == [2002, 2003, 2004, 2005, 2007, 2008, 2009, 2010,
                                                    2016, 2017, 2018, 2019]


def test_records_survive_json(tidy, raw):
    for v in claims.check_claims(tidy, raw["sources"]):
        assert claims.Verdict.from_json(v.to_json()) == v


@pytest.mark.parametrize("value,verdict", [(4700, CONFIRMED), (4400, CONTRADICTED)])
def test_c1_against_an_independent_figure(tidy, raw, value, verdict):
    v = run(add_figures(tidy, [dict(year=2020, flow="exports", value=value)]), raw["sources"], "C1.level")
    assert v.verdict == verdict and v.source_ids == ["TEST"] and v.evidence == Interval.point(value)


@pytest.mark.parametrize("e2019,verdict", [(3615, CONFIRMED), (3600, CONTRADICTED)])
def test_c2_growth_with_a_2019_figure(tidy, raw, e2019, verdict):
    t = add_figures(tidy, [dict(year=2019, flow="exports", value=e2019), dict(year=2020, flow="exports", value=4700)])
    assert run(t, raw["sources"], "C2.growth").verdict == verdict


def _balances(years, deficit):
    rows = []
    for y in years:
        rows += [dict(year=y, flow="exports", value=1000), dict(year=y, flow="imports", value=1000 + deficit(y))]
    return rows


class TestDeficitRanking:
    """C5, every branch: surplus, a smaller earlier deficit, missing years, all larger (sure or not)."""

    def test_open_while_years_are_missing_and_the_held_years_checked(self, tidy, raw):
        v = run(tidy, raw["sources"], "C5.deficit")
        assert v.verdict == NOT_VERIFIABLE
        assert v.detail["larger_deficit"] == [2006, 2011, 2012, 2013, 2014, 2015]  # the paper's 2006, OECD's years
        assert v.source_ids == ["MT", "SPB", "OECD"]

    def test_confirmed_when_every_earlier_deficit_is_surely_larger(self, tidy, raw):
        rows = _balances(range(2001, 2020), lambda y: 800) + [dict(year=2020, flow="exports", value=4520)]
        v = run(add_figures(tidy, rows), raw["sources"], "C5.deficit")  # 2020: 4,520 - [4,550, 4,650] = [-130, -30]
        assert v.verdict == CONSISTENT and v.tier == MIXED  # 2020's imports are still the article's
        rows.append(dict(year=2020, flow="imports", value=4600))
        v = run(add_figures(tidy, rows), raw["sources"], "C5.deficit")
        assert (v.verdict, v.tier) == (CONFIRMED, PRIMARY) and v.detail["larger_deficit"] == list(range(2002, 2020))

    def test_only_consistent_when_a_surplus_is_possible(self, tidy, raw):
        rows = _balances(range(2001, 2020), lambda y: 800) + [dict(year=2020, flow="exports", value=4590)]
        v = run(add_figures(tidy, rows), raw["sources"], "C5.deficit")  # [-60, +40]
        assert v.verdict == CONSISTENT

    def test_contradicted_by_a_smaller_earlier_deficit(self, tidy, raw):
        rows = _balances(range(2001, 2020), lambda y: 10 if y == 2010 else 800)
        v = run(add_figures(tidy, rows + [dict(year=2020, flow="exports", value=4500)]), raw["sources"], "C5.deficit")
        assert v.verdict == CONTRADICTED and v.detail["smaller_deficit"] == [2010]

    def test_contradicted_by_a_surplus(self, tidy, raw):
        rows = _balances(range(2001, 2020), lambda y: 800) + [dict(year=2020, flow="exports", value=4700)]
        v = run(add_figures(tidy, rows), raw["sources"], "C5.deficit")
        assert v.verdict == CONTRADICTED and v.detail["surplus"] is True

    def test_not_verifiable_without_a_balance_for_the_year(self, tidy, raw):
        v = run(tidy[tidy["figure_id"] != "F05"], raw["sources"], "C5.deficit")  # no imports 2020
        assert v.verdict == NOT_VERIFIABLE and v.evidence is None


class TestPartnerRanking:
    def test_contradicted_by_a_larger_partner(self, tidy, raw):
        v = run(add_figures(tidy, [dict(year=2020, flow="exports", partner="Germany", value=1200)]), raw["sources"],
                "C6.rank")
        assert v.verdict == CONTRADICTED and v.detail["bigger"] == ["Germany"]

    def test_confirmed_when_no_partner_and_no_remainder_can_be_larger(self, tidy, raw):
        rows = [dict(year=2020, flow="exports", partner="Netherlands", value=980),
                dict(year=2020, flow="exports", value=2500)]
        rows += [dict(year=2020, flow="exports", partner=p, value=300)
                 for p in ("United States", "Germany", "Switzerland", "China", "Belarus")]
        v = run(add_figures(tidy, rows), raw["sources"], "C6.rank")
        assert v.verdict == CONFIRMED and v.detail["rest_max"] == pytest.approx(2500 - 980 - 1500)

    def test_not_verifiable_when_the_rest_could_be_larger(self, tidy, raw):
        v = run(tidy, raw["sources"], "C6.rank")
        assert v.verdict == NOT_VERIFIABLE and v.detail["rest_max"] is None


def test_c8_with_early_2000s_figures(tidy, raw):
    rows = [dict(year=y, flow="exports", value=250) for y in (2000, 2001, 2002, 2003)]
    v = run(add_figures(tidy, rows + [dict(year=2020, flow="exports", value=4700)]), raw["sources"], "C8.early")
    assert v.verdict == CONFIRMED and v.evidence == Interval.point(4700 / 250)


def test_c7_takes_the_smallest_of_the_five(tidy, raw):
    rows = [dict(year=2020, flow="exports", partner=p, value=v) for p, v in
            (("United States", 300), ("Germany", 280), ("Switzerland", 260), ("China", 900), ("Belarus", 255))]
    v = run(add_figures(tidy, rows), raw["sources"], "C7.each")
    assert v.verdict == CONFIRMED and v.evidence == Interval(255, 255)
    rows[4]["value"] = 240
    assert run(add_figures(tidy, rows), raw["sources"], "C7.each").verdict == CONTRADICTED


def test_a_new_claim_is_one_entry(tidy, raw, monkeypatch):
    part = claims.Part("C4.again", "C4", "imports in 2020 (again)", "level", flow="imports")
    monkeypatch.setattr(claims, "PARTS", claims.PARTS + (part,))
    v = {x.part_id: x for x in claims.check_claims(tidy, raw["sources"])}["C4.again"]
    assert v.verdict == NOT_VERIFIABLE and v.claimed == Interval(4550, 4650)


def test_the_registry_gives_every_source_a_role(raw):
    assert dict(zip(raw["sources"]["source_id"], raw["sources"]["role"])) == {
        "MT": "the article", "EWDN": "the article", "BNE": "the article",
        "SPB": "same statistics, another publication", "OECD": "same statistics, another publication",
        "WDI": "a different measure", "WDI2026": "a different measure"}
    assert with_test_source(raw["sources"])["role"].iloc[-1] == "primary table"
