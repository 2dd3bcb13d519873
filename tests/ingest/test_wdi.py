"""The World Bank series: the bulk CSV reader, and the live refresh against a local server on 127.0.0.1
that answers in the API's own format (pages, nulls), or fails (bad payload, server error, timeout)."""
import datetime
import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from techtrade import config
from techtrade.build import stages
from techtrade.errors import DataError
from techtrade.ingest import dataset, wdi

from ..conftest import shipped_inputs

TODAY = datetime.date(2026, 11, 28)
WDI_NAME = Path(stages.RAW["wdi"]).name


@pytest.fixture(scope="module")
def shipped():
    return wdi.load_wdi(stages.ROOT / stages.RAW["wdi"])


class Api(BaseHTTPRequestHandler):
    mode = "ok"
    series: dict = {}

    def log_message(self, *a):
        pass

    def do_GET(self):
        url = urlparse(self.path)
        code = url.path.rstrip("/").split("/")[-1]
        page = int(parse_qs(url.query).get("page", ["1"])[0])
        if Api.mode == "timeout":
            time.sleep(2)
        if Api.mode == "error500":
            return self._send(500, b"Internal Server Error")
        if Api.mode == "bad" and code == "BX.GSR.ROYL.CD":
            return self._send(200, b"<html>maintenance</html>")
        if Api.mode == "apierror":
            return self._send(200, json.dumps([{"message": [{"id": "120", "key": "Invalid value",
                                                             "value": "The provided parameter value is not valid"}]}]).encode())
        rows = Api.series[code]
        # two pages, newest first as the API serves them, with a null for a year without data
        recs = [{"indicator": {"id": code, "value": "name"}, "country": {"id": "RU", "value": "Russian Federation"},
                 "countryiso3code": "RUS", "date": str(y), "value": v, "unit": "", "obs_status": "", "decimal": 0}
                for y, v in sorted(rows.items(), reverse=True)]
        recs.insert(0, {**recs[0], "date": "2021", "value": None})
        half = (len(recs) + 1) // 2
        chunk = recs[:half] if page == 1 else recs[half:]
        meta = {"page": page, "pages": 2, "per_page": half, "total": len(recs), "sourceid": "2",
                "lastupdated": "2026-10-31"}
        self._send(200, json.dumps([meta, chunk]).encode())

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the timeout case: the client hangs up before the answer, as intended


@pytest.fixture(scope="module")
def server(shipped):
    Api.series = {c: dict(zip(g["year"], g["value"])) for c, g in shipped.groupby("indicator_code")}
    httpd = QuietServer(("127.0.0.1", 0), Api)
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)  # shut down at once
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v2"
    httpd.shutdown()


@pytest.fixture
def raw_dir(tmp_path):
    d = tmp_path / "raw"
    d.mkdir()
    (d / WDI_NAME).write_bytes((stages.ROOT / stages.RAW["wdi"]).read_bytes())
    return d


def test_refresh_writes_a_dated_snapshot_beside_the_shipped_one(server, raw_dir, shipped):
    Api.mode = "ok"
    path = wdi.refresh(raw_dir, base_url=server, timeout=5, today=TODAY)
    assert path == raw_dir / "wdi_russia_fetched_2026-11-28.csv"
    got = wdi.load_wdi(path)
    cols, key = ["indicator_code", "year", "value"], ["indicator_code", "year"]
    pd.testing.assert_frame_equal(got[cols].sort_values(key).reset_index(drop=True),
                                  shipped[cols].sort_values(key).reset_index(drop=True))
    assert 2021 not in set(got["year"])  # the API's nulls are skipped, not written as NaN
    assert (raw_dir / WDI_NAME).read_bytes() == (stages.ROOT / stages.RAW["wdi"]).read_bytes()


FIRST = next(iter(wdi.INDICATORS))  # the first indicator fetched


@pytest.mark.parametrize("mode,message", [
    ("bad", "World Bank API: BX.GSR.ROYL.CD page 1 is not JSON"),
    ("error500", f"World Bank API: HTTP 500 for {FIRST} (page 1)"),
    ("timeout", f"World Bank API unreachable for {FIRST}: timed out"),
    ("apierror", f"World Bank API: {FIRST}: Invalid value: The provided parameter value is not valid"),
])
def test_a_failed_refresh_keeps_the_previous_snapshot(server, raw_dir, mode, message):
    Api.mode = mode
    before = {p.name: p.read_bytes() for p in raw_dir.iterdir()}
    with pytest.raises(wdi.WdiError) as exc:
        # the server answers at once, or (timeout) after 2 s: a tenth of a second is a timeout, not a slow answer
        wdi.refresh(raw_dir, base_url=server, timeout=0.1 if mode == "timeout" else 5, today=TODAY)
    assert message in str(exc.value) and "\n" not in str(exc.value)
    assert {p.name: p.read_bytes() for p in raw_dir.iterdir()} == before  # nothing new, nothing partial


def test_offline_refresh_from_the_command_line_says_so_in_one_line(server):
    r = subprocess.run([sys.executable, str(stages.ROOT / "run_report.py"), "--refresh-wdi"],
                       capture_output=True, text=True, env={"TECHTRADE_WDI_API": "http://127.0.0.1:9/v2",
                                                            "PATH": "/usr/bin:/bin"})
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1
    assert r.stderr.startswith("run_report.py: WDI refresh failed, previous snapshot kept: World Bank API unreachable")


def _bulk_csv(shipped, path):
    wide = shipped.pivot(index="indicator_code", columns="year", values="value")
    years = list(range(1960, 2021))
    lines = ['"Data Source","World Development Indicators",', "", '"Last Updated Date","2021-09-15",', ""]
    lines.append(",".join(f'"{h}"' for h in ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]
                          + [str(y) for y in years]) + ",")
    for code, row in wide.iterrows():
        cells = ["" if pd.isna(row.get(y)) else repr(float(row[y])) for y in years]
        lines.append(",".join(['"Russian Federation"', '"RUS"', f'"{wdi.INDICATORS[code][0]}"', f'"{code}"']
                              + [f'"{c}"' for c in cells]) + ",")
    lines.append(",".join(['"Aruba"', '"ABW"', '"x"', '"TX.VAL.TECH.CD"'] + ['"1"'] * len(years)) + ",")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


def test_bulk_csv_download_reads_to_the_same_series(shipped, tmp_path):
    path = tmp_path / "API_RUS_DS2_en_csv_v2.csv"
    _bulk_csv(shipped, path)
    got = wdi.load_wdi_any(path)
    want = shipped.sort_values(["indicator_code", "year"]).reset_index(drop=True)
    assert list(got["indicator_code"]) == list(want["indicator_code"])
    assert list(got["year"]) == list(want["year"])
    assert got["value"].tolist() == pytest.approx(want["value"].tolist())
    raw = dataset.load_raw(shipped_inputs(wdi=path))  # usable as --wdi FILE
    assert len(raw["wdi"][raw["wdi"]["source_id"] == "WDI"]) == len(shipped)


def test_bulk_csv_errors_name_the_line(shipped, tmp_path):
    path = tmp_path / "bulk.csv"
    _bulk_csv(shipped, path)
    path.write_text(path.read_text(encoding="utf-8-sig").replace('"4365678062.0"', '"4,365"'), encoding="utf-8")
    with pytest.raises(DataError, match=r"bulk.csv, line \d+, column '2007': '4,365' is not a plain number"):
        wdi.load_wdi_any(path)


def test_a_refreshed_snapshot_is_credited_to_its_own_vintage(server, raw_dir):
    Api.mode = "ok"
    path = wdi.refresh(raw_dir, base_url=server, timeout=5, today=TODAY)
    assert set(wdi.load_wdi(path)["source_id"]) == {"WDI@2026-10-31"}  # the API's "lastupdated"
    raw = dataset.load_raw(shipped_inputs(wdi=path))
    entry = raw["sources"].set_index("source_id").loc["WDI@2026-10-31"]
    assert (entry["publisher"], entry["date"], entry["role"]) == ("World Bank", "2026-10-31", "a different measure")
    assert "BX.GSR.ROYL.CD" in entry["quote"] and "Last Updated Date 2026-10-31" in entry["quote"]
    assert set(raw["wdi"]["source_id"]) == {"WDI@2026-10-31", "WDI2026"}  # never the 2021 vintage's id


def test_a_bulk_download_of_another_vintage_is_credited_to_it(shipped, tmp_path):
    path = tmp_path / "API_RUS_DS2_en_csv_v2.csv"
    _bulk_csv(shipped, path)
    path.write_text(path.read_text(encoding="utf-8-sig").replace("2021-09-15", "2026-07-01"), encoding="utf-8")
    raw = dataset.load_raw(shipped_inputs(wdi=path))
    assert set(raw["wdi"]["source_id"]) == {"WDI@2026-07-01", "WDI2026"}
    assert raw["sources"].set_index("source_id").loc["WDI@2026-07-01", "date"] == "2026-07-01"
    assert "WDI" not in set(raw["sources"]["source_id"])  # the shipped 2021 vintage, replaced, is not cited
    path.write_text(path.read_text(encoding="utf-8").replace('"Last Updated Date","2026-07-01",', ""), encoding="utf-8")
    with pytest.raises(DataError, match=r"csv_v2.csv, line 3: no 'Last Updated Date' \(the World Bank writes it on line 3\)"):
        wdi.load_wdi_any(path)


@pytest.mark.parametrize("old,new,message", [
    ('"4365678062.0"', '"nan"', ", column '2007': 'nan' is not a plain number (no thousands separators, no decimal "
                                "comma, no units: write 1400 or 1.4)"),
    ('"4365678062.0"', '"4,365"', ", column '2007': '4,365' is not a plain number (no thousands separators, no "
                                  "decimal comma, no units: write 1400 or 1.4)"),
    ('"4365678062.0"', '"-5"', ", column '2007': '-5' is negative; these indicators cannot be"),
    ('"4365678062.0"', '"1e400"', ", column '2007': '1e400' is not a finite number"),
    ('"2021-09-15"', '"2099-12-31"', ": the 'Last Updated Date' '2099-12-31' is in the future; the vintage of the "
                                     "values must be known"),
])
def test_a_bad_bulk_file_is_refused_naming_its_line_and_column(shipped, tmp_path, old, new, message):
    """Such values used to reach the analysis (an internal error in 03), and a future vintage the report."""
    path = tmp_path / "bulk.csv"
    _bulk_csv(shipped, path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    line = 1 + next(i for i, text in enumerate(lines) if old in text)
    path.write_text("\n".join(lines).replace(old, new) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        dataset.load_raw(shipped_inputs(wdi=path))
    assert str(exc.value) == f"{path}, line {line}{message}"


def test_a_value_in_a_bulk_file_for_a_year_out_of_range_is_refused(shipped, tmp_path):
    path = tmp_path / "bulk.csv"
    _bulk_csv(shipped, path)
    path.write_text(path.read_text(encoding="utf-8-sig").replace('"2020",', '"2099",', 1), encoding="utf-8")
    with pytest.raises(DataError, match=rf"bulk.csv, line \d+, column '2099': '[0-9.e+]+' is a value for a year "
                                        rf"outside {config.FIRST_YEAR} to {config.THIS_YEAR}"):
        wdi.load_wdi_any(path)


def test_an_indicator_given_twice_in_a_bulk_file_is_refused(shipped, tmp_path):
    path = tmp_path / "bulk.csv"
    _bulk_csv(shipped, path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    first = 1 + next(i for i, text in enumerate(lines) if '"BX.GSR.ROYL.CD"' in text)
    path.write_text("\n".join(lines + [lines[first - 1]]) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        wdi.load_wdi_any(path)
    assert str(exc.value) == (f"{path}, line {first}, column 'Indicator Code': 'BX.GSR.ROYL.CD' is given twice for "
                              f"this country; also on line {len(lines) + 1} (1 more problem(s) in this file)")


@pytest.mark.parametrize("old,new,what", [
    (",2007,4365678062,USD,WDI\n", ",2007,-5,USD,WDI\n", "column 'value': negative; these indicators cannot be (-5)"),
    (",2007,4365678062,USD,WDI\n", ",2007,4365678062,USD,WDI@2099-12-31\n",
     "column 'source_id': a vintage WDI@<date> whose date is not a date (YYYY-MM-DD) or is in the future "
     "('WDI@2099-12-31')"),
])
def test_a_bad_long_form_file_is_refused_naming_its_line_and_column(tmp_path, old, new, what):
    path = tmp_path / "wdi.csv"
    path.write_text((stages.ROOT / stages.RAW["wdi"]).read_text().replace(old, new, 1))
    with pytest.raises(DataError) as exc:
        wdi.load_wdi_any(path)
    assert str(exc.value) == f"{path}, line 2, {what}"
