"""The files analysts download: verdicts.csv and numbers.csv as the analysis writes them, valid against the
Table Schemas of the data package (frictionless), every column described, every code listed."""
import json

import pandas as pd
import pytest

from techtrade import handover
from techtrade.analysis import claims, metrics
from techtrade.clean import evidence
from techtrade.report import package


@pytest.fixture(scope="module")
def report_folder(tmp_path_factory, raw, tidy, quantities):
    """A report folder's CSV files, written as the analysis stage writes them, and its data package."""
    folder = tmp_path_factory.mktemp("report")
    verdicts = claims.check_claims(tidy, raw["sources"], raw["claims"])
    handover.write_csv(claims.to_frame(verdicts, raw["claims"]), folder / "verdicts.csv")
    handover.write_csv(metrics.numbers(quantities, evidence.tidy_wdi(raw["wdi"]), verdicts, 2021, 2018,
                                      views=evidence.views(tidy, raw["sources"])), folder / "numbers.csv")
    package.write(folder, "2021 against 2018")
    return folder


def test_the_files_are_valid_against_their_table_schemas(report_folder):
    from frictionless import validate
    report = validate(str(report_folder / "datapackage.json"))
    errors = [(t.name, e.message) for t in report.tasks for e in t.errors]
    assert report.valid, errors[:5]
    assert [t.name for t in report.tasks] == ["verdicts", "numbers"]


def test_every_column_is_described_and_no_column_is_undeclared(report_folder):
    desc = json.loads((report_folder / "datapackage.json").read_text())
    for res in desc["resources"]:
        header = pd.read_csv(report_folder / res["path"], nrows=0).columns.tolist()
        fields = res["schema"]["fields"]
        assert [f["name"] for f in fields] == header, res["name"]
        assert all(len(f["description"]) > 20 for f in fields), [f["name"] for f in fields if len(f["description"]) <= 20]


def test_types_read_as_meant(report_folder):
    from frictionless import Resource
    desc = json.loads((report_folder / "datapackage.json").read_text())
    numbers = Resource(desc["resources"][1], basepath=str(report_folder)).read_rows()
    row = next(r for r in numbers if r["id"] == "ratio.exports.2021/2018")
    assert (row["year"], row["base_year"], row["mixed"]) == (2021, 2018, True)
    assert float(row["hi"]) == pytest.approx(4650 / 1350)
    verdicts = {r["part_id"]: r for r in Resource(desc["resources"][0], basepath=str(report_folder)).read_rows()}
    assert verdicts["C1.level"]["could_fail"] is False and verdicts["C2.growth"]["could_fail"] is None
    assert (verdicts["C2.growth"]["evidence_form"], verdicts["C1.level"]["evidence_form"]) == ("none", "at least")
    assert verdicts["C1.level"]["evidence_hi"] is None  # unbounded: the form says so, not the empty cell alone
    assert (verdicts["C6.rank"]["unit"], verdicts["C6.rank"]["evidence_unit"]) == ("rank", "USD mn")


def test_the_documented_codebook_is_the_declared_one():
    """docs/outputs.md holds the columns and codes as package.codebook() prints them: declared once."""
    from techtrade.build import stages
    text = (stages.ROOT / "docs" / "outputs.md").read_text()
    start = text.index("-->\n", text.index("<!-- codebook")) + 4
    assert text[start:text.index("<!-- end codebook -->")] == package.codebook()
    assert "| `could_fail` | boolean |" in text and "Codes: `entailed`, `allowed`, `excluded`, `open`." in text
