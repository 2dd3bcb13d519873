from techtrade import claims, report
from techtrade.intervals import INF, Interval


def test_values_from_data_cannot_become_markup():
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)"> **bold** $1 and $2'
    out = report.prose("## Partners\n\nPartner: **{p}**, `{p}`", p=evil)
    assert "<script>" not in out and "<img" not in out
    assert out.startswith("<h2>Partners</h2>\n<p>Partner: <b>&lt;script&gt;")
    assert "**bold** $1 and $2" in out  # a value's stars stay stars: only our template is markup


def test_tables_escape_their_cells(tidy, raw):
    v = claims.check_claims(tidy, raw["claims"])
    v.loc[0, "claim"] = "<b onmouseover=alert(1)>x</b>"
    html = report.verdict_table(v, raw["sources"])
    assert "<b onmouseover" not in html and "&lt;b onmouseover=alert(1)&gt;" in html
    assert html.count('class="cid"') == 9  # one group per claim


def test_number_words():
    assert report.usd_words(Interval(4500, INF)) == "at least $4.50 billion"
    assert report.usd_words(Interval(1350, 1450)) == "between $1.35 billion and $1.45 billion"
    assert report.usd_words(Interval(-500, -300)) == "between \u2212$500 million and \u2212$300 million"
    assert report.usd_words(None) == "not in the shipped data"
    assert report.ratio_words(Interval(3.1034, INF)) == "at least 3.10 times"


def test_threefold_verdict_in_words():
    assert report.threefold_verdict(Interval(3.1, INF)) == "holds"
    assert report.threefold_verdict(Interval(2.0, 2.9)) == "does not hold"
    assert report.threefold_verdict(Interval(2.5, 3.5)).startswith("may or may not hold")
    assert report.threefold_verdict(None) == "cannot be said with the shipped data"


def test_in_short_lists_every_part(tidy, raw):
    v = claims.check_claims(tidy, raw["claims"])
    html = report.in_short(v)
    assert html.count("<li>") == 4 and "ratio 2020/2018 (C3)" in html and "contradicted</span> none" in html
