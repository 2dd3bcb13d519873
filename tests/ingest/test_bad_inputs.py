"""The corpus of bad inputs (tests/bad_inputs/): each gives its one-line error naming the file, the
line or column and what is wrong. The corpus runs against the loaders the ingest stage uses: a user's
series against load_user_series with the shipped figures loaded once, as load_raw calls it once it has
loaded them (test_a_bad_user_series_stops_load_raw: the same error through load_raw), a figures file
through load_raw; the way such an error reaches the command line (exit code 2, nothing
published) is tested in test_runner.py."""
import csv
import tracemalloc
from pathlib import Path

import pytest

from techtrade import config, handover
from techtrade.build import stages
from techtrade.errors import DataError
from techtrade.ingest import countries, dataset, userdata
from techtrade.ingest.countries import RESIDUAL

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = list(csv.DictReader(open(CORPUS / "expected.csv")))


def shipped_inputs(raw_dir=stages.ROOT / "data" / "raw"):
    inputs = {role: Path(raw_dir) / Path(p).name for role, p in stages.RAW.items()}
    inputs["user_series"] = None
    return inputs


def test_the_corpus_has_at_least_twenty_cases():
    assert len(CASES) >= 20
    assert sorted(c["file"] for c in CASES) == sorted(
        p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.csv") if p.name != "expected.csv")


@pytest.fixture(scope="module")
def shipped_figures(raw):
    """The shipped figures (the published ones and the OECD's), loaded once for the session (conftest's
    raw): read them, never change them (load_user_series does not)."""
    return raw["figures"]


@pytest.mark.parametrize("case", [c for c in CASES if c["file"].startswith("series/")], ids=lambda c: c["file"])
def test_bad_user_series(case, shipped_figures):
    path = CORPUS / case["file"]
    with pytest.raises(DataError) as exc:
        userdata.load_user_series(path, shipped=shipped_figures)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(str(path))
    assert case["error_contains"] in msg


def test_a_bad_user_series_stops_load_raw(shipped_figures):
    """Through load_raw, the same error as load_user_series gives with the shipped figures (a unit slip:
    the check that needs them)."""
    [case] = [c for c in CASES if c["file"] == "series/39_unit_slip_on_the_total.csv"]
    path = CORPUS / case["file"]
    with pytest.raises(DataError) as exc:
        dataset.load_raw({**shipped_inputs(), "user_series": path})
    with pytest.raises(DataError) as alone:
        userdata.load_user_series(path, shipped=shipped_figures)
    assert str(exc.value) == str(alone.value)
    assert str(exc.value).startswith(str(path)) and case["error_contains"] in str(exc.value)


@pytest.mark.parametrize("case", [c for c in CASES if c["file"].startswith("figures/")], ids=lambda c: c["file"])
def test_bad_figures_file(case):
    target = CORPUS / case["file"]   # given as the figures file, beside the other shipped files
    with pytest.raises(DataError) as exc:
        dataset.load_raw({**shipped_inputs(), "figures": target})
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(str(target))
    assert case["error_contains"] in msg


def test_a_million_rows_is_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "huge.csv"
    row = b"2020,exports,World,all,1.5,SYNTHETIC\n"
    with open(path, "wb") as f:
        f.write(b"year,flow,partner,category,value_usd_mn,source\n")
        for _ in range(100):
            f.write(row * 10_000)
    assert path.stat().st_size < config.MAX_INPUT_BYTES  # refused for its rows, not its bytes
    tracemalloc.start()
    with pytest.raises(DataError) as exc:
        userdata.load_user_series(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert str(exc.value) == (f"{path}: 1,000,001 lines, above the limit of 100,000 rows (config.MAX_INPUT_ROWS); "
                              "aggregate it first (one row per year, flow, partner, category)")
    assert peak < 8 * 2**20  # counted a megabyte at a time, never read whole


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfyear,flow,partner,category,value_usd_mn,source\n2020,exports,World,all,4560,x\n")
    figures, sources, notes = userdata.load_user_series(path)
    assert figures["value"].tolist() == [4560.0] and sources["title"].tolist() == ["x"] and notes == []


def test_a_semicolon_separated_file_is_read_and_the_separator_named(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("year;flow;partner;category;value_usd_mn;source\n2020;exports;World;all;4560;x\n")
    figures, _, notes = userdata.load_user_series(path)
    assert figures["value"].tolist() == [4560.0]
    assert notes == [(f"{path}: columns separated by semicolons, not commas; read as such", 0)]


def test_partner_aliases_are_read_as_the_country_and_named(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("year,flow,partner,category,value_usd_mn,source\n2020,exports,USA,all,300,x\n"
                    "2020,exports,The Netherlands,all,900,x\n2020,exports,U.S.,all,300,x\n")
    with pytest.raises(DataError, match="line 4: exports 2020 United States \\(all\\) already given on line 2"):
        userdata.load_user_series(path)  # "U.S." and "USA" are the same country
    path.write_text("\n".join(path.read_text().splitlines()[:3]) + "\n")
    figures, _, notes = userdata.load_user_series(path)
    assert figures["partner"].tolist() == ["United States", "Netherlands"]
    assert [n.text for n in notes] == [f"{path}, line 2, column 'partner': 'USA' read as 'United States'",
                                       f"{path}, line 3, column 'partner': 'The Netherlands' read as 'Netherlands'"]


@pytest.fixture
def csv_default_limit():
    """The csv module's own field limit (131,072 characters) for the test: the limit is the process's, and
    frictionless raises it when its CSV parser is imported (test_package.py may have run first)."""
    before = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(before)


def test_a_field_over_the_csv_limit_is_one_line(tmp_path, csv_default_limit):
    path = tmp_path / "long.csv"
    path.write_text("year,flow,partner,category,value_usd_mn,source\n2020,exports,World,all,4560,\"" + "x" * 200_000 + "\"\n")
    with pytest.raises(DataError) as exc:
        userdata.load_user_series(path)
    assert str(exc.value).startswith(f"{path}, line 2: not a readable CSV row (field larger than field limit")


def test_every_csv_the_project_writes_neutralises_formulas(tmp_path):
    import pandas as pd
    df = pd.DataFrame({"partner": ["=HYPERLINK(\"http://x\")", "+cmd", "@SUM(A1)", "-2+3", "Germany"],
                       "value": [-1.5, 2, 3, 4, 5]})
    text = handover.write_csv(df, tmp_path / "t.csv").read_text()
    assert text.splitlines()[1:] == ["\"'=HYPERLINK(\"\"http://x\"\")\",-1.5", "'+cmd,2.0", "'@SUM(A1),3.0",
                                     "'-2+3,4.0", "Germany,5.0"]


@pytest.mark.parametrize("written,read", [
    ("USA", "United States"), ("U.S.", "United States"), ("us", "United States"), ("United States of America",
     "United States"), ("The Netherlands", "Netherlands"), ("Holland", "Netherlands"), ("NLD", "Netherlands"),
    ("UK", "United Kingdom"), ("Korea, Republic of", "South Korea"), ("Turkey", "Türkiye"), ("Georgia", "Georgia"),
    ("world", "World"), ("Other", RESIDUAL), ("OTHERS", RESIDUAL), ("Rest of the  world", RESIDUAL),
    ("not allocated", RESIDUAL),
])
def test_partner_names_are_read_exactly(written, read):
    assert countries.canonical(written) == (read, "")


@pytest.mark.parametrize("written,why", [
    ("Kosovo", "not a country name or code in ISO 3166 (pycountry)"),  # was read as Serbia
    ("Texas", "a part of United States (US-TX, a state), not a country in ISO 3166"),
    ("Virginia", "a part of United States (US-VA, a state), not a country in ISO 3166"),
    ("Paris", "a part of France (FR-75C, a metropolitan collectivity with special status), not a country in ISO 3166"),
    ("England", "a part of United Kingdom (GB-ENG), not a country in ISO 3166"),  # pycountry calls it a "country"
    ("Russian Federation", "Russia, the reporting country: not its own partner (its total is World)"),
    ("RUS", "Russia, the reporting country: not its own partner (its total is World)"),
    ("Untied States", "not a country name or code in ISO 3166 (pycountry)"),  # a typo is not guessed at
])
def test_other_names_are_refused_with_the_reason(written, why):
    assert countries.canonical(written) == (None, why)


def _series(tmp_path, rows: str):
    path = tmp_path / "series.csv"
    path.write_text("year,flow,partner,category,value_usd_mn,source\n" + rows)
    return path


def test_the_residual_counts_toward_the_total_but_is_never_a_market(tmp_path):
    """'Other' was read as the United Kingdom, larger than the Netherlands: C6 was published as contradicted."""
    from techtrade.analysis import claims
    from techtrade.clean import evidence
    from techtrade.results import OPEN
    path = _series(tmp_path, "2020,exports,World,all,4560,x\n2020,exports,Netherlands,all,1000,x\n"
                             "2020,exports,Other,all,1500,x\n2020,exports,United States,all,300,x\n")
    raw = dataset.load_raw({**shipped_inputs(), "user_series": path})
    tidy = evidence.figure_intervals(raw["figures"])
    q = evidence.build_quantities(tidy)
    assert q.get(2020, "exports", partner=RESIDUAL).lo == 1500  # kept, under its one name
    assert sorted(q.partners(2020)) == ["Belarus", "China", "Germany", "Netherlands", "Switzerland", "United States"]
    rank = {v.part_id: v for v in claims.check_claims(tidy, raw["sources"], raw["claims"])}["C6.rank"]
    assert rank.outcome == OPEN  # the residual (1500) may hold a market larger than 1000
    assert rank.detail["rest_max"] == 4560 - 1000 - 300 - 4 * 250  # the shipped "more than $250 million" each
    too_much = path.read_text().replace("Other,all,1500", "Other,all,3300")
    path.write_text(too_much)  # 1000 + 3300 + 300 = 4600
    with pytest.raises(DataError) as exc:
        userdata.load_user_series(path)
    assert str(exc.value) == (f"{path}, line 2, column 'value_usd_mn': exports 2020: the 3 partner rows (the residual "
                              "included) add up to 4,600, above the World total on this line (4560) by more than "
                              "rounding can explain")


def test_partners_may_exceed_the_total_by_their_rounding_only(tmp_path):
    path = _series(tmp_path, "2020,exports,World,all,100,x\n2020,exports,Germany,all,50.2,x\n"
                             "2020,exports,China,all,50.2,x\n")
    assert len(userdata.load_user_series(path)[0]) == 3  # 100.4: within 0.5 + 0.05 + 0.05
    path.write_text(path.read_text().replace("50.2", "50.4"))
    with pytest.raises(DataError, match=r"exports 2020: the 2 partner rows add up to 100.8, above the World total"):
        userdata.load_user_series(path)  # no residual row: none is said to be included


def test_only_the_total_category_is_used_and_the_rest_is_counted_in_a_note(tmp_path):
    path = _series(tmp_path, "2020,exports,World,All,4560,x\n2020,exports,Germany,ALL,300,x\n"
                             "2020,exports,World,engineering services,1800,x\n2020,exports,World,Software,900,x\n"
                             "2020,exports,Germany,Engineering Services,100,x\n")
    raw = dataset.load_raw({**shipped_inputs(), "user_series": path})
    user = raw["figures"][raw["figures"]["priority"] == 1]
    assert user[["partner", "category", "value"]].values.tolist() == [["World", "all", 4560.0],
                                                                       ["Germany", "all", 300.0]]
    assert raw["notes"].to_dict("records") == [
        {"note": f"{path}, column 'category': 3 rows by category not used: engineering services (2), Software (1); "
                 "the report uses the totals (category 'all') only", "rows_not_used": 3}]
    path.write_text(path.read_text() + "2020,exports,World,all,4561,x\n")  # 'All' and 'all' are the same key
    with pytest.raises(DataError, match="line 7: exports 2020 World \\(all\\) already given on line 2"):
        userdata.load_user_series(path)
