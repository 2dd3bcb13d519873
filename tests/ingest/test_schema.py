"""The one validation system (techtrade/ingest/schema.py): cells as written, then values as converted,
each failure one line naming the file, the line and the column. Small tables built here, no files read."""
from pathlib import Path

import pandas as pd
import pytest

from techtrade import config
from techtrade.errors import DataError
from techtrade.ingest import schema

PATH = Path("made/up.csv")


def table(rows: list[dict], first_line: int = 2) -> pd.DataFrame:
    """A raw table as files.read_csv_strict returns it: every cell text, indexed by its line."""
    df = pd.DataFrame(rows).astype("string")
    df.index = pd.Index(range(first_line, first_line + len(rows)), name="line")
    return df


def oecd_row(**kw) -> dict:
    row = {"variable": "TBP_RUSD", "variable_name": "receipts", "country": "Russia", "year": "2015",
           "value": "1234.5", "unit": "USD mn", "source_id": "OECD"}
    return {**row, **kw}


def figure_row(**kw) -> dict:
    row = {"figure_id": "F1", "claim_id": "C1", "year": "2020", "base_year": "", "flow": "exports",
           "partner": "World", "category": "all", "measure": "level", "value": "4600", "unit": "USD mn",
           "qualifier": "rounded", "precision": "100", "source_id": "MT", "quote": "q"}
    return {**row, **kw}


def error(df, raw_schema) -> str:
    with pytest.raises(DataError) as exc:
        schema.validate(df, raw_schema, PATH)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(str(PATH))
    return msg


def test_a_valid_table_comes_back_converted_with_its_lines():
    df = schema.validate(table([oecd_row(), oecd_row(year="2014", value="7")], first_line=5), schema.OECD, PATH)
    assert list(df.index) == [5, 6]
    assert df["year"].dtype == "int64" and df["value"].dtype == "float64"
    assert df["value"].tolist() == [1234.5, 7.0]
    figs = schema.validate(table([figure_row()]), schema.FIGURES, PATH)
    assert str(figs["base_year"].dtype) == "Int64" and figs["base_year"].isna().all()
    assert figs["precision"].tolist() == [100.0]


def test_the_earliest_line_is_named_and_the_other_problems_counted():
    df = table([oecd_row(), oecd_row(year="2014", value="-3"), oecd_row(year="2013", value="abc"),
                oecd_row(year="2012", value="-1")])
    # 'abc' on line 4 fails as written, so the values are not checked: that is the one problem reported
    assert error(df, schema.OECD) == f"{PATH}, line 4, column 'value': 'abc' is not a plain number (no thousands " \
                                     "separators, no decimal comma, no units: write 1400 or 1.4)"
    df = table([oecd_row(), oecd_row(year="2014", value="-3"), oecd_row(year="2012", value="-1")])
    assert error(df, schema.OECD) == (f"{PATH}, line 3, column 'value': negative; these figures cannot be (-3) "
                                      "(1 more problem(s) in this file)")


def test_a_key_given_twice_is_blamed_on_its_year_on_both_lines():
    msg = error(table([oecd_row(), oecd_row(value="99")]), schema.OECD)
    assert msg == f"{PATH}, line 2, column 'year': the same variable and year appear twice (2015); also on line 3 " \
                  "(1 more problem(s) in this file)"


def test_rules_across_columns_use_the_converted_values():
    # a level in USD bn above the plausible maximum once converted to USD mn
    too_big = config.MAX_USD_MN / 1e3 * 2
    msg = error(table([figure_row(value=str(too_big), unit="USD bn", qualifier="exact", precision="")]),
                schema.FIGURES)
    assert "column 'value': above 1,000,000 USD million (or its equivalent): not a plausible value (2000.0)" in msg
    # growth may be negative, a level may not
    schema.validate(table([figure_row(measure="growth", unit="percent", value="-12", qualifier="exact",
                                      precision="")]), schema.FIGURES, PATH)
    assert "column 'value': negative, but this measure cannot be (-12)" in error(
        table([figure_row(value="-12")]), schema.FIGURES)


def test_a_user_series_refuses_a_formula_in_an_optional_note():
    row = {"year": "2020", "flow": "exports", "partner": "World", "category": "all", "value_usd_mn": "4560",
           "source": "Rosstat", "note": "=cmd()"}
    assert "line 2, column 'note': starts like a spreadsheet formula" in error(table([row]), schema.USER)
    del row["note"]
    assert schema.validate(table([row]), schema.USER, PATH)["value_usd_mn"].tolist() == [4560.0]


def test_source_ids_joined_by_semicolons_are_each_checked():
    df = table([{"source_id": "MT; HSE"}, {"source_id": "MT;XYZ"}])
    with pytest.raises(DataError, match=r"line 3, column 'source_id': names a source missing from the registry "
                                        r"\(known: HSE, MT\) \('MT;XYZ'\)$"):
        schema.check_source_ids(PATH, df, ["MT", "HSE"])
    schema.check_source_ids(PATH, df.iloc[:1], ["MT", "HSE"])


@pytest.mark.parametrize("date,problem", [("2021-09-15", None), ("2021-13-01", "is not a date (YYYY-MM-DD)"),
                                          ("2999-01-01", "is in the future")])
def test_a_vintage_date(date, problem):
    assert schema.vintage_problem(date) == problem
