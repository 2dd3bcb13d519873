"""Claim verdicts: records of intervals and ids, with the shipped figures and with synthetic test-only
figures for every verdict, every tier and every branch of the bespoke checks."""
import copy

import pytest

from techtrade import results
from techtrade.analysis import claims
from techtrade.intervals import INF, Interval
from techtrade.results import ALLOWED, ENTAILED, EXCLUDED, MIXED, NONE, OPEN, OTHER, OWN, PRIMARY, WORDS

from ..synthetic import add_figures, with_test_source


def check_all(tidy, raw):
    return claims.check_claims(tidy, raw["sources"], raw["claims"])


def by_id(verdicts):
    return {v.part_id: v for v in verdicts}


@pytest.fixture(scope="module")
def shipped_verdicts(tidy, raw):
    """The verdicts on the shipped figures, checked once for the module."""
    return check_all(tidy, raw)


@pytest.fixture
def verdicts(shipped_verdicts):
    """This test's own copy of the shipped verdicts (a test may change a record)."""
    return copy.deepcopy(shipped_verdicts)


def run(tidy, sources, part_id, role="primary table"):
    roles = dict(zip(sources["source_id"], sources["role"])) | {"TEST": role}
    return claims.Checker(tidy, roles).run(claims.BY_ID[part_id])


def test_compare():
    claim = Interval(3, INF)
    assert claims.compare(Interval(3.1, INF), claim) == ENTAILED
    assert claims.compare(Interval(2.5, 3.5), claim) == ALLOWED
    assert claims.compare(Interval(1, 2), claim) == EXCLUDED
    assert claims.compare(None, claim) == OPEN
    assert claims.compare(Interval(0, INF), claim) == OPEN  # bounds nothing


@pytest.mark.parametrize("evidence,claimed,could", [
    (Interval(4050, INF), Interval(4500, INF), False),   # two lower bounds never conflict
    (Interval(0, 1000), Interval(250, INF), True),      # an upper bound against a lower bound can
    (Interval(3.1, INF), Interval(0, 3), True),         # a lower bound against an upper bound can
    (Interval(0, 22.2), Interval(0, 30), False),        # two upper bounds never conflict
    (Interval(10, 20), Interval(15, 20), True),         # a range can fall outside either way
    (Interval.point(5), Interval(4500, INF), True),
])
def test_could_a_check_of_this_form_have_failed(evidence, claimed, could):
    got, why = claims.could_exclude(evidence, claimed)
    assert got is could and bool(why) is (not could)


# part -> (outcome, tier, could it have failed) with the shipped data
SHIPPED = {
    "C1.level": (ALLOWED, OWN, False), "C2.growth": (OPEN, NONE, None), "C3.level": (OPEN, NONE, None),
    "C3.ratio": (ENTAILED, OWN, False), "C4.level": (OPEN, NONE, None), "C4.change": (OPEN, NONE, None),
    "C5.deficit": (OPEN, NONE, None), "C6.level": (OPEN, NONE, None), "C6.share": (EXCLUDED, OWN, True),
    "C6.rank": (OPEN, NONE, None), "C7.each": (OPEN, NONE, None), "C8.early": (OPEN, NONE, None),
    "C9.ratio": (ENTAILED, OWN, False),
}


def test_every_part_has_a_stable_id_and_the_shipped_outcome_tier_and_could_fail(verdicts):
    got = by_id(verdicts)
    assert list(got) == [p.id for p in claims.PARTS]
    assert {k: (v.outcome, v.tier, v.could_fail) for k, v in got.items()} == SHIPPED


class TestCouldNotFail:
    """Two lower bounds never conflict: such a check says so and is never agreement."""

    def test_c1_says_why_it_could_not_have_failed(self, verdicts):
        c1 = by_id(verdicts)["C1.level"]
        assert c1.verdict == "allowed by its own figures" and c1.could_fail is False
        assert c1.untested_because == "the claim and the evidence are both lower bounds"
        assert c1.kind == results.UNTESTED and not c1.agrees

    def test_no_check_that_could_not_fail_is_counted_as_agreement(self, verdicts):
        kinds = results.summarise(verdicts)
        assert [v.part_id for v in kinds[results.UNTESTED]] == ["C1.level", "C9.ratio"]
        assert not any(v.agrees for v in verdicts)  # nothing in the shipped data is agreement
        assert "allowed by its own figures" not in kinds and "follows from its own figures" not in kinds
        assert sum(len(vs) for vs in kinds.values()) == len(claims.PARTS) - 1  # C3's ratio counted once, with C9

    def test_a_check_that_could_fail_and_did_not_is_agreement(self, tidy, raw):
        t = add_figures(tidy, [dict(year=2020, flow="exports", value=4700)])
        v = run(t, raw["sources"], "C1.level")
        assert (v.outcome, v.could_fail, v.agrees) == (ENTAILED, True, True)
        assert v.kind == "confirmed by your series"


@pytest.mark.parametrize("tier", [OWN, OTHER, PRIMARY, MIXED])
def test_entailed_allowed_and_excluded_read_differently_at_every_tier(tier):
    words = [results.verdict_words(o, tier) for o in (ENTAILED, ALLOWED, EXCLUDED)]
    assert len(set(words)) == 3 and all(w != results.OPEN_WORDS for w in words)
    assert not any("confirmed" in w for w in words[:2]) or tier in (OTHER, PRIMARY)  # only these confirm
    assert results.verdict_words(OPEN, tier) == results.OPEN_WORDS == results.verdict_words(ENTAILED, NONE)


def test_every_verdict_word_is_a_kind_and_the_summary_keeps_their_order():
    assert set(results.VERDICTS) == {w for t in WORDS.values() for w in t.values()} | {results.OPEN_WORDS}
    assert results.KINDS[-2:] == (results.UNTESTED, results.OPEN_WORDS)


class TestReadings:
    """Words read as a careful reader reads them; the loose reading shown where it gives another verdict."""

    def test_almost_is_a_little_below_never_from_zero(self, tidy):
        nl = tidy[tidy["figure_id"] == "F07"].iloc[0]
        assert (nl["lo"], nl["hi"], nl["reading"]) == (900, 1000, "almost")

    def test_a_quarter_is_nearer_a_quarter_than_a_fifth_or_a_third(self, verdicts):
        share = by_id(verdicts)["C6.share"]
        assert share.claimed.lo == pytest.approx(22.5) and share.claimed.hi == pytest.approx(175 / 6)
        assert share.evidence.hi == pytest.approx(1000 / 45)  # "almost $1 billion" of "more than $4.5 billion"
        assert (share.outcome, share.verdict) == (EXCLUDED, "contradicted by its own figures")
        assert share.loose == {"claimed": Interval(20, 30), "outcome": ALLOWED, "verdict": "allowed by its own figures",
                               "words": "a quarter"}
        assert share.reading == "a quarter"

    def test_no_loose_record_where_the_readings_agree(self, verdicts):
        assert all(not v.loose for k, v in by_id(verdicts).items() if k != "C6.share")


class TestTiers:
    """What a verdict may say depends on what it rests on."""

    def test_a_part_checked_only_against_its_own_publication_is_never_confirmed(self, verdicts):
        for v in verdicts:
            if v.tier == OWN:
                assert v.verdict in WORDS[OWN].values() and "confirmed" not in v.verdict, v.part_id
                assert set(v.source_ids) <= {"MT", "EWDN", "BNE"}
        assert by_id(verdicts)["C3.ratio"].tier == OWN  # the headline rests on the article alone

    @pytest.mark.parametrize("role,tier,verdict", [
        ("same statistics, another publication", OTHER, "confirmed by another publication"),
        ("primary table", PRIMARY, "confirmed by your series")])
    def test_another_publication_or_the_primary_table_can_confirm(self, tidy, raw, role, tier, verdict):
        t = add_figures(tidy, [dict(year=2018, flow="exports", value=1400), dict(year=2020, flow="exports", value=4600)])
        v = run(t, raw["sources"], "C3.ratio", role)
        assert (v.tier, v.verdict, v.source_ids, v.could_fail) == (tier, verdict, ["TEST"], True)

    @pytest.mark.parametrize("role,tier", [("same statistics, another publication", OTHER), ("primary table", PRIMARY)])
    def test_another_publication_or_the_primary_table_can_contradict(self, tidy, raw, role, tier):
        t = add_figures(tidy, [dict(year=2018, flow="exports", value=2000), dict(year=2020, flow="exports", value=4600)])
        v = run(t, raw["sources"], "C3.ratio", role)
        assert (v.tier, v.outcome) == (tier, EXCLUDED) and v.verdict.startswith("contradicted by")

    def test_the_articles_figures_with_another_publications_are_never_confirmed(self, tidy, raw):
        t = add_figures(tidy, [dict(year=2018, flow="exports", value=1400)])  # 2020 still the article's
        v = run(t, raw["sources"], "C3.ratio", "same statistics, another publication")
        assert (v.tier, v.outcome) == (MIXED, ENTAILED) and v.source_ids == ["MT", "TEST"]
        assert v.verdict == "follows from its figures with another publication\u2019s"

    def test_contradicted_by_its_own_figures_whatever_the_reading(self, tidy, raw):
        t = tidy.copy()
        t.loc[t["figure_id"] == "F07", ["lo", "hi"]] = [450, 500]  # as if it had said "almost $0.5 billion"
        v = run(t, raw["sources"], "C6.share")  # at most 11% of at least $4.5 billion: not "a quarter"
        assert (v.tier, v.verdict, v.loose) == (OWN, "contradicted by its own figures", {})

    def test_a_different_measure_never_decides(self, verdicts, tidy, raw):
        """The World Bank's series are not figures of the claims' statistic: however they read, no verdict
        moves, and a figure that rested on them would be refused."""
        before = {v.part_id: (v.verdict, v.tier) for v in verdicts}
        wdi_like = add_figures(tidy, [dict(year=2019, flow="exports", value=5489.35, source_id="WDI2026")])
        roles = dict(zip(raw["sources"]["source_id"], raw["sources"]["role"]))
        with pytest.raises(ValueError, match="evidence may rest only on the article, the same statistics"):
            claims.Checker(wdi_like, roles).run(claims.BY_ID["C2.growth"])
        assert {v.part_id: (v.verdict, v.tier) for v in check_all(tidy, raw)} == before

    def test_open_rests_on_nothing(self, verdicts):
        for v in verdicts:
            assert (v.outcome == OPEN) == (v.tier == NONE) == (v.could_fail is None), v.part_id


def test_records_carry_intervals_and_ids_not_text(verdicts):
    got = by_id(verdicts)
    ratio = got["C3.ratio"]
    assert ratio.claimed == Interval(3, INF)
    assert ratio.evidence.lo == pytest.approx(4500 / 1450) and ratio.evidence.hi == INF
    assert ratio.figure_ids == ["F01", "F03"] and ratio.source_ids == ["MT"] and ratio.claim_source_ids == ["MT"]
    assert [u["id"] for u in ratio.used] == ["exports.2020", "exports.2018"]
    c1 = got["C1.level"]
    assert c1.evidence.lo == pytest.approx(1350 * 3) and c1.used[0]["status"] == "derived"
    share = got["C6.share"]
    assert (share.evidence.lo, share.evidence.hi) == (0, pytest.approx(1000 / 45))
    c8 = got["C8.early"]
    assert c8.claimed == Interval(15, 20) and c8.evidence is None
    assert c8.detail["missing"] == [2000, 2001, 2002, 2003]
    assert c8.detail["implied_early_level"] == {"lo": pytest.approx(4500 / 20), "hi": None}


def test_a_restating_part_is_counted_once(verdicts):
    c3 = {v.part_id: v for v in verdicts}["C3.ratio"]
    assert c3.restates == "C9.ratio" and c3.verdict == "follows from its own figures"  # the headline counts
    assert len(results.counted(verdicts)) == len(claims.PARTS) - 1
    kinds = {k: len(vs) for k, vs in results.summarise(verdicts).items()}
    assert kinds == {"contradicted by its own figures": 1, results.UNTESTED: 2, results.OPEN_WORDS: 9}


def test_every_claim_keeps_its_publication(verdicts, raw):
    """Each part carries its claim's publications from claims.csv, C5 (which has no figures) too."""
    registry = {c: s.split(";") for c, s in zip(raw["claims"]["claim_id"], raw["claims"]["source_id"])}
    assert {v.claim_id for v in verdicts} == set(registry)
    for v in verdicts:
        assert v.claim_source_ids == registry[v.claim_id] and v.claim_source_ids, v.part_id
    assert by_id(verdicts)["C5.deficit"].claim_source_ids == ["MT"]


def test_a_part_is_never_checked_against_its_own_figures(verdicts, tidy, raw):
    checker = claims.Checker(tidy, dict(zip(raw["sources"]["source_id"], raw["sources"]["role"])))
    own = {p.id: sorted(checker.own(p)["figure_id"]) for p in claims.PARTS}
    assert own["C3.ratio"] == own["C9.ratio"] == ["F04", "F17"]  # and its restatement's
    assert own["C1.level"] == ["F01"] and own["C7.each"] == ["F10", "F11", "F12", "F13", "F14"]
    for v in verdicts:
        assert not set(v.figure_ids) & set(own[v.part_id]), v.part_id


def test_every_part_not_settled_names_the_series_that_would_settle_it(verdicts):
    """Open parts, and parts whose check could not have failed (Rosstat's table could still contradict
    them: only the article's own figures could not)."""
    got = by_id(verdicts)
    for v in got.values():
        assert bool(v.settle) == (v.outcome == OPEN or v.could_fail is False), v.part_id
    assert got["C1.level"].settle == [{"flow": "exports", "partner": "World", "years": [2020]}]
    assert got["C9.ratio"].settle == [{"flow": "exports", "partner": "World", "years": [2018, 2020]}]
    assert got["C2.growth"].settle == [{"flow": "exports", "partner": "World", "years": [2019]}]
    assert got["C5.deficit"].settle[0]["years"] == [2002, 2003, 2004, 2005, 2007, 2008, 2009, 2010,
                                                    2016, 2017, 2018, 2019]


def test_records_survive_json(verdicts):
    for v in verdicts:
        assert results.Verdict.from_json(v.to_json()) == v


@pytest.mark.parametrize("value,outcome", [(4700, ENTAILED), (4400, EXCLUDED)])
def test_c1_against_an_independent_figure(tidy, raw, value, outcome):
    v = run(add_figures(tidy, [dict(year=2020, flow="exports", value=value)]), raw["sources"], "C1.level")
    assert v.outcome == outcome and v.source_ids == ["TEST"] and v.evidence == Interval.point(value)


@pytest.mark.parametrize("e2019,outcome", [(3615, ENTAILED), (3600, EXCLUDED)])
def test_c2_growth_with_a_2019_figure(tidy, raw, e2019, outcome):
    t = add_figures(tidy, [dict(year=2019, flow="exports", value=e2019), dict(year=2020, flow="exports", value=4700)])
    assert run(t, raw["sources"], "C2.growth").outcome == outcome


def _balances(years, deficit):
    rows = []
    for y in years:
        rows += [dict(year=y, flow="exports", value=1000), dict(year=y, flow="imports", value=1000 + deficit(y))]
    return rows


class TestDeficitRanking:
    """C5, every branch: surplus, a smaller earlier deficit, missing years, all larger (sure or not)."""

    def test_open_while_years_are_missing_and_the_held_years_checked(self, tidy, raw):
        v = run(tidy, raw["sources"], "C5.deficit")
        assert v.outcome == OPEN
        assert v.detail["larger_deficit"] == [2006, 2011, 2012, 2013, 2014, 2015]  # the paper's 2006, OECD's years
        assert v.source_ids == ["MT", "SPB", "OECD"]

    def test_confirmed_when_every_earlier_deficit_is_surely_larger(self, tidy, raw):
        rows = _balances(range(2001, 2020), lambda y: 800) + [dict(year=2020, flow="exports", value=4520)]
        v = run(add_figures(tidy, rows), raw["sources"], "C5.deficit")  # 2020: 4,520 - [4,550, 4,650] = [-130, -30]
        assert v.outcome == ENTAILED and v.tier == MIXED  # 2020's imports are still the article's
        assert v.verdict == "follows from its figures with another publication\u2019s"
        rows.append(dict(year=2020, flow="imports", value=4600))
        v = run(add_figures(tidy, rows), raw["sources"], "C5.deficit")
        assert (v.verdict, v.tier) == ("confirmed by your series", PRIMARY)
        assert v.detail["larger_deficit"] == list(range(2002, 2020)) and v.could_fail is True

    def test_only_consistent_when_a_surplus_is_possible(self, tidy, raw):
        rows = _balances(range(2001, 2020), lambda y: 800) + [dict(year=2020, flow="exports", value=4590)]
        v = run(add_figures(tidy, rows), raw["sources"], "C5.deficit")  # [-60, +40]
        assert v.outcome == ALLOWED

    def test_contradicted_by_a_smaller_earlier_deficit(self, tidy, raw):
        rows = _balances(range(2001, 2020), lambda y: 10 if y == 2010 else 800)
        v = run(add_figures(tidy, rows + [dict(year=2020, flow="exports", value=4500)]), raw["sources"], "C5.deficit")
        assert v.outcome == EXCLUDED and v.detail["smaller_deficit"] == [2010]

    def test_contradicted_by_a_surplus(self, tidy, raw):
        rows = _balances(range(2001, 2020), lambda y: 800) + [dict(year=2020, flow="exports", value=4700)]
        v = run(add_figures(tidy, rows), raw["sources"], "C5.deficit")
        assert v.outcome == EXCLUDED and v.detail["surplus"] is True

    def test_not_verifiable_without_a_balance_for_the_year(self, tidy, raw):
        v = run(tidy[tidy["figure_id"] != "F05"], raw["sources"], "C5.deficit")  # no imports 2020
        assert v.outcome == OPEN and v.evidence is None


class TestPartnerRanking:
    def test_contradicted_by_a_larger_partner(self, tidy, raw):
        v = run(add_figures(tidy, [dict(year=2020, flow="exports", partner="Germany", value=1200)]), raw["sources"],
                "C6.rank")
        assert v.outcome == EXCLUDED and v.detail["bigger"] == ["Germany"]

    def test_confirmed_when_no_partner_and_no_remainder_can_be_larger(self, tidy, raw):
        rows = [dict(year=2020, flow="exports", partner="Netherlands", value=980),
                dict(year=2020, flow="exports", value=2500)]
        rows += [dict(year=2020, flow="exports", partner=p, value=300)
                 for p in ("United States", "Germany", "Switzerland", "China", "Belarus")]
        v = run(add_figures(tidy, rows), raw["sources"], "C6.rank")
        assert v.outcome == ENTAILED and v.detail["rest_max"] == pytest.approx(2500 - 980 - 1500)

    def test_not_verifiable_when_the_rest_could_be_larger(self, tidy, raw):
        v = run(tidy, raw["sources"], "C6.rank")
        assert v.outcome == OPEN and v.detail["rest_max"] is None


def test_c8_with_early_2000s_figures(tidy, raw):
    rows = [dict(year=y, flow="exports", value=250) for y in (2000, 2001, 2002, 2003)]
    v = run(add_figures(tidy, rows + [dict(year=2020, flow="exports", value=4700)]), raw["sources"], "C8.early")
    assert v.outcome == ENTAILED and v.evidence == Interval.point(4700 / 250)


def test_c7_takes_the_smallest_of_the_five(tidy, raw):
    rows = [dict(year=2020, flow="exports", partner=p, value=v) for p, v in
            (("United States", 300), ("Germany", 280), ("Switzerland", 260), ("China", 900), ("Belarus", 255))]
    v = run(add_figures(tidy, rows), raw["sources"], "C7.each")
    assert v.outcome == ENTAILED and v.evidence == Interval(255, 255)
    rows[4]["value"] = 240
    assert run(add_figures(tidy, rows), raw["sources"], "C7.each").outcome == EXCLUDED


def test_a_new_claim_is_one_entry(tidy, raw, monkeypatch):
    part = claims.Part("C4.again", "C4", "imports in 2020 (again)", "level", flow="imports")
    monkeypatch.setattr(claims, "PARTS", claims.PARTS + (part,))
    v = by_id(check_all(tidy, raw))["C4.again"]
    assert v.outcome == OPEN and v.claimed == Interval(4550, 4650) and v.claim_source_ids == ["MT"]


def test_the_registry_gives_every_source_a_role(raw):
    assert dict(zip(raw["sources"]["source_id"], raw["sources"]["role"])) == {
        "MT": "the article", "EWDN": "the article", "BNE": "the article",
        "SPB": "same statistics, another publication", "OECD": "same statistics, another publication",
        "WDI": "a different measure", "WDI2026": "a different measure"}
    assert with_test_source(raw["sources"])["role"].iloc[-1] == "primary table"
