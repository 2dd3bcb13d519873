"""Loading and validation: the shipped files load; each kind of bad input gives a one-line error."""
from pathlib import Path

import pandas as pd
import pytest

from techtrade import handover
from techtrade.build import stages
from techtrade.ingest import dataset
from techtrade.errors import DataError


def test_shipped_files_load(raw):
    assert len(raw["figures"]) == 22 + 10 and len(raw["claims"]) == 9 and len(raw["wdi"]) == 103 + 31
    assert set(raw["sources"]["source_id"]) == {"MT", "EWDN", "BNE", "SPB", "OECD", "WDI", "WDI2026"}
    assert len(raw["oecd"]) == 25 and raw["notes"].empty
    f01 = raw["figures"].set_index("figure_id").loc["F01"]
    assert (f01["year"], f01["value"], f01["qualifier"], f01["source_id"]) == (2020, 4500.0, "at least", "MT")


def test_every_figure_carries_a_qualifier_and_a_known_source(raw):
    figs = raw["figures"]
    assert figs["qualifier"].isin(["exact", "rounded", "at least", "at most", "approximate"]).all()
    known = set(raw["sources"]["source_id"])
    assert all(p in known for s in figs["source_id"] for p in s.split(";"))


def test_wdi_values_match_the_dossier(raw):
    w = raw["wdi"].set_index(["indicator_code", "year"])["value"]
    assert w[("TX.VAL.TECH.CD", 2019)] == 10864829654
    assert w[("BM.GSR.ROYL.CD", 2001)] == 342740000
    assert w[("GB.XPD.RSDV.GD.ZS", 2018)] == pytest.approx(0.98988)
    assert raw["wdi"].groupby("indicator_code").size().to_dict() == {
        "BM.GSR.ROYL.CD": 27, "BX.GSR.ROYL.CD": 27, "GB.XPD.RSDV.GD.ZS": 23,
        "TX.VAL.TECH.CD": 13, "TX.VAL.TECH.MF.ZS": 13, "BX.GSR.CCIS.CD": 31}
    assert w[("BX.GSR.CCIS.CD", 1994)] == 294100000 and w[("BX.GSR.CCIS.CD", 2024)] == 2385980000
    assert w[("BX.GSR.CCIS.CD", 2022)] == 5831354660 and ("BX.GSR.CCIS.CD", 2025) not in w.index
    vintages = raw["wdi"].groupby("indicator_code")["source_id"].unique().map(list).to_dict()
    assert vintages["BX.GSR.CCIS.CD"] == ["WDI2026"] and vintages["BX.GSR.ROYL.CD"] == ["WDI"]  # never mixed


def test_oecd_values_as_published_and_its_flows_as_figures(raw):
    o = raw["oecd"].set_index(["variable", "year"])["value"]
    assert o[("TBP_RUSD", 2011)] == pytest.approx(592.642168306845, abs=0)
    assert o[("TBP_PNC", 2015)] == 134393.679 and o[("TBP_PXG", 2014)] == pytest.approx(11.1206343821495)
    f = raw["figures"].set_index("figure_id")
    r = f.loc["OECD.TBP_PUSD.2013"]
    assert (r["year"], r["flow"], r["value"], r["qualifier"], r["source_id"]) == (2013, "imports", 2468.74151739404,
                                                                                    "exact", "OECD")
    assert not any(i.startswith(("OECD.TBP_RNC", "OECD.TBP_PXG")) for i in f.index)  # roubles and % are context


FIGURES, SOURCES, WDI = (Path(stages.RAW[r]).name for r in ("figures", "sources", "wdi"))


def load(raw_dir, **change):
    """load_raw on the files of ``raw_dir`` (by role, as stages.RAW names them)."""
    inputs = {role: Path(raw_dir) / Path(p).name for role, p in stages.RAW.items()}
    inputs["user_series"] = None
    return dataset.load_raw({**inputs, **change})


def _edit(raw_copy, old, new, name=FIGURES):
    path = raw_copy / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _error(raw_copy) -> str:
    with pytest.raises(DataError) as exc:
        load(raw_copy)
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


@pytest.mark.parametrize("old,new,expected", [
    ("F03,C3,2018,,exports,World,all,level,1400,", "F03,C3,2018,,exports,World,all,level,\"1,400\",",
     "line 4, column 'value': '1,400' is not a plain number"),
    ("F03,C3,2018,,exports,World,all,level,1400,", "F03,C3,2018,,exports,World,all,level,abc,",
     "line 4, column 'value': 'abc' is not a plain number"),
    ("F03,C3,2018,,exports,World,all,level,1400,", "F03,C3,2018,,exports,World,all,level,-1400,",
     "line 4, column 'value': negative"),
    ("F03,C3,2018,,exports,World,all,level,1400,", "F03,C3,2018,,exports,World,all,level,inf,",
     "line 4, column 'value': 'inf' is not a plain number"),
    ("F03,C3,2018,", "F03,C3,2099,", "line 4, column 'year': '2099' is not a year between 1990"),
    ("F03,C3,2018,,exports", "F03,C3,2018,,exprots", "line 4, column 'flow': 'exprots' is not one of: exports, imports"),
    ("USD mn,rounded,100,MT", "USD million,rounded,100,MT", "line 4, column 'unit': 'USD million' is not one of"),
    ("USD mn,rounded,100,MT", "USD mn,roughly,100,MT", "line 4, column 'qualifier': 'roughly' is not one of"),
    ("USD mn,rounded,100,MT", "USD mn,rounded,,MT", "line 4, column 'precision': a rounded figure needs its rounding unit"),
    ("USD mn,rounded,100,MT", "USD mn,rounded,100,XYZ", "line 4, column 'source_id': names a source missing from the registry"),
    ("F03,C3,", "F02,C3,", "column 'figure_id': 'F02' appears more than once"),
    ("F02,C2,2020,2019,", "F02,C2,2020,2021,", "line 3, column 'base_year': must be before the figure's year"),
    ("F03,C3,2018,,exports,World,all,level,1400,USD mn", "F03,C3,2018,,exports,World,all,level,1400,percent",
     "line 4, column 'unit': does not fit the measure"),
    ("F03,C3,2018,,exports,World,all,level,1400,USD mn,rounded,100,MT,",
     "F03,C3,2018,,exports,World,all,level,1400,USD mn,rounded,100,MT,extra,",
     "line 4: 15 fields where the header has 14"),
    ("figure_id,claim_id,", "figure_id,claim,", "line 1: missing column(s) 'claim_id'"),
    (",quote\n", ",quote,notes\n", "line 1: unknown column(s) 'notes'"),
])
def test_bad_figures_file(raw_copy, old, new, expected):
    _edit(raw_copy, old, new)
    msg = _error(raw_copy)
    assert msg.startswith(str(raw_copy / FIGURES))
    assert expected in msg


def test_empty_file(raw_copy):
    (raw_copy / FIGURES).write_text("")
    assert _error(raw_copy).endswith(f"{FIGURES}: file is empty")


def test_header_only(raw_copy):
    path = raw_copy / FIGURES
    path.write_text(path.read_text().splitlines()[0] + "\n")
    assert "header only, no data rows" in _error(raw_copy)


def test_other_encoding(raw_copy):
    path = raw_copy / SOURCES
    path.write_bytes(path.read_text().replace("Moscow", "Moskv\u00e4").encode("latin-1", errors="replace"))
    assert "sources.csv, line 2: not UTF-8 text (byte 0xe4); save the file as UTF-8" in _error(raw_copy)


def test_byte_order_mark_is_accepted(raw_copy):
    path = raw_copy / FIGURES
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(load(raw_copy)["figures"]) == 32


def test_missing_file(raw_copy):
    (raw_copy / WDI).unlink()
    assert _error(raw_copy).endswith("wdi_russia_2021-09-15.csv: file not found")


def test_too_large_file_is_refused_before_reading(raw_copy, monkeypatch):
    from techtrade import config
    monkeypatch.setattr(config, "MAX_INPUT_BYTES", 1000)
    assert "above the limit of" in _error(raw_copy)


def test_wdi_duplicate_year(raw_copy):
    path = raw_copy / WDI
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines + [lines[1]]) + "\n")
    assert "the same indicator and year appear twice" in _error(raw_copy)


def test_processed_tables_round_trip(raw, tmp_path):
    path = handover.write_csv(raw["figures"], tmp_path / "01_figures.csv")
    back = handover.read_csv(path)
    pd.testing.assert_series_equal(back["value"], raw["figures"]["value"].reset_index(drop=True))
    assert back["base_year"].dtype == "Int64" and back.loc[0, "quote"].startswith("more than $4.5 billion")


def test_missing_processed_table_names_the_stage_to_run(tmp_path):
    with pytest.raises(DataError, match="run notebook 01_ingest first"):
        handover.read_csv(tmp_path / "01_figures.csv")


@pytest.mark.slow
def test_a_valid_table_at_the_row_limit_is_read_whole(tmp_path):
    """The SYNTHETIC large series (tests/fixtures/large_series.py): 97,680 rows, 10 categories, every row
    accounted for. (How long it takes and the memory it needs are measured by bench/bench.py, not here.)"""
    from techtrade import config

    from ..fixtures import large_series

    path = tmp_path / "large.csv"
    rows = large_series.write(path)
    assert 95_000 < rows <= config.MAX_INPUT_ROWS
    inputs = {role: stages.ROOT / p for role, p in stages.RAW.items()}
    raw = dataset.load_raw({**inputs, "user_series": path})
    user = raw["figures"][raw["figures"]["priority"] == 1]
    assert len(user) == 22 * 2 * 222 and set(user["category"]) == {"all"}
    assert user["partner"].nunique() == 222 and "Other partners" in set(user["partner"])
    assert raw["notes"]["rows_not_used"].sum() == rows - len(user) == 22 * 2 * 9 * 222
