"""The corpus of bad inputs (tests/bad_inputs/): each gives its one-line error naming the file, the
line or column and what is wrong. The corpus runs against the loaders the ingest stage uses; the way
such an error reaches the command line (exit code 2, nothing published) is tested in test_runner.py."""
import csv
import shutil
import tracemalloc
from pathlib import Path

import pytest

from techtrade import config, dataset, stages, userdata
from techtrade.errors import DataError

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


@pytest.mark.parametrize("case", [c for c in CASES if c["file"].startswith("series/")], ids=lambda c: c["file"])
def test_bad_user_series(case):
    path = CORPUS / case["file"]
    with pytest.raises(DataError) as exc:
        dataset.load_raw({**shipped_inputs(), "user_series": path})
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(str(path))
    assert case["error_contains"] in msg


@pytest.mark.parametrize("case", [c for c in CASES if c["file"].startswith("figures/")], ids=lambda c: c["file"])
def test_bad_figures_file(case, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(stages.ROOT / "data" / "raw", raw, ignore=shutil.ignore_patterns("user"))
    target = raw / Path(stages.RAW["figures"]).name
    shutil.copy(CORPUS / case["file"], target)
    with pytest.raises(DataError) as exc:
        dataset.load_raw(shipped_inputs(raw))
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
    assert notes == [f"{path}: columns separated by semicolons, not commas; read as such"]


def test_partner_aliases_are_read_as_the_country_and_named(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("year,flow,partner,category,value_usd_mn,source\n2020,exports,USA,all,300,x\n"
                    "2020,exports,The Netherlands,all,900,x\n2020,exports,U.S.,all,300,x\n")
    with pytest.raises(DataError, match="line 4: exports 2020 United States \\(all\\) already given on line 2"):
        userdata.load_user_series(path)  # "U.S." and "USA" are the same country
    path.write_text("\n".join(path.read_text().splitlines()[:3]) + "\n")
    figures, _, notes = userdata.load_user_series(path)
    assert figures["partner"].tolist() == ["United States", "Netherlands"]
    assert notes == [f"{path}, line 2, column 'partner': 'USA' read as 'United States'",
                     f"{path}, line 3, column 'partner': 'The Netherlands' read as 'Netherlands'"]


def test_a_field_over_the_csv_limit_is_one_line(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("year,flow,partner,category,value_usd_mn,source\n2020,exports,World,all,4560,\"" + "x" * 200_000 + "\"\n")
    with pytest.raises(DataError) as exc:
        userdata.load_user_series(path)
    assert str(exc.value).startswith(f"{path}, line 2: not a readable CSV row (field larger than field limit")


def test_every_csv_the_project_writes_neutralises_formulas(tmp_path):
    import pandas as pd
    df = pd.DataFrame({"partner": ["=HYPERLINK(\"http://x\")", "+cmd", "@SUM(A1)", "-2+3", "Germany"],
                       "value": [-1.5, 2, 3, 4, 5]})
    text = dataset.write_csv(df, tmp_path / "t.csv").read_text()
    assert text.splitlines()[1:] == ["\"'=HYPERLINK(\"\"http://x\"\")\",-1.5", "'+cmd,2.0", "'@SUM(A1),3.0",
                                     "'-2+3,4.0", "Germany,5.0"]
