"""The report's words: the Markdown template filled from the results; values escaped; dollars handled
in one place; the verdict table and figures as HTML blocks; mistakes in the text in one line."""
import pytest

from techtrade import narrative, stages, words
from techtrade.results import NOT_VERIFIABLE

from .synthetic import analysed

TEXT = stages.ROOT / "notebooks" / "04_narrative.md"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory, raw, tidy):
    return analysed(tmp_path_factory.mktemp("results"), raw, tidy)


def render(tmp_path, text, results):
    path = tmp_path / "t.md"
    path.write_text(text)
    return narrative.render(path, results, tmp_path)


def test_values_from_data_never_become_markup(tmp_path, shipped):
    evil = '<script>alert(1)</script> **bold** [x](javascript:y) `c` $1 and $2'
    shipped.report["evil"] = evil
    [(kind, md)] = render(tmp_path, "## Partners\n\nPartner: **{{ report.evil }}**", shipped)
    assert kind == "markdown"
    assert md.startswith("## Partners\n\nPartner: **&lt;script&gt;")
    assert r"\*\*bold\*\* \[x\](javascript:y) \`c\` \$1 and \$2" in md  # the value's own marks stay literal


def test_dollars_in_the_text_are_escaped_once(tmp_path, shipped):
    [(_, md)] = render(tmp_path, "almost $1 billion, already \\$2, {{ n['exports.2020'] | money }}", shipped)
    assert md == r"almost \$1 billion, already \$2, at least \$4.5 billion"


def test_a_mistake_in_the_text_is_one_line_naming_the_line(tmp_path, shipped):
    with pytest.raises(narrative.TemplateProblem) as exc:
        render(tmp_path, "# Title\n\nfine\n\n{{ n['exports.2020'] | mony }}\n", shipped)
    assert str(exc.value).startswith("t.md, line 5: TemplateAssertionError: No filter named 'mony'")
    with pytest.raises(narrative.TemplateProblem, match=r"^t.md, line 3: UndefinedError: 'nope' is undefined"):
        render(tmp_path, "# Title\n\n{{ nope }}\n", shipped)


def test_the_shipped_text_renders_in_order(tmp_path, shipped):
    blocks = narrative.render(TEXT, shipped, tmp_path)
    kinds = [k for k, _ in blocks]
    assert kinds[0] == "markdown" and "html" in kinds
    md = "\n".join(t for k, t in blocks if k == "markdown")
    assert md.startswith("# Russia\u2019s technology exports, 2018 to 2020")  # typographic apostrophes
    assert "{{" not in md and "{%" not in md and "#}" not in md  # no template left, no editors' notes
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings[:3] == ["# Russia\u2019s technology exports, 2018 to 2020: the claims of \u201cUp Threefold Since 2018\u201d, checked",
                            "## In short", "## The verdicts, claim by claim"]
    assert "at least 3.10\u00d7" in md and "\\$" in md and "(derived)" in md


def test_the_verdict_table_escapes_its_cells(tmp_path, shipped):
    shipped.claims["C1"] = "<b onmouseover=alert(1)>x</b> *not italic*"
    blocks = render(tmp_path, "{{ verdict_table() }}", shipped)
    html = blocks[0][1]
    assert "<b onmouseover" not in html and "&lt;b onmouseover=alert(1)&gt;x&lt;/b&gt; *not italic*" in html
    assert html.count('class="cid"') == 9 and "restates C3; counted once" in html
    assert "rests on the article\u2019s own figures" in html


def test_the_working_is_written_from_the_records(shipped):
    v = {x.part_id: x for x in shipped.verdicts}
    assert words.explain(v["C3.ratio"]) == "at least $4.5 billion / $1.35\u20131.45 billion = at least 3.10\u00d7."
    assert words.explain(v["C1.level"]).startswith("The other figures give at least $4.05 billion, derived: ")
    assert words.explain(v["C6.share"]) == ("at most $1 billion of at least $4.5 billion = at most 22%; "
                                                "\u201ca quarter\u201d read as 20\u201330%.")
    assert words.explain(v["C8.early"]) == ("No exports figure for 2000 to 2003. The claim implies an "
                                                "early-2000s level of at least $225 million (derived).")
    assert v["C5.deficit"].verdict == NOT_VERIFIABLE
    assert words.settle_words(v["C6.rank"]) == "exports by country, 2020"


def test_deficit_words_for_any_year():
    d = {"year": 2021, "held": [2006, 2020], "balance": {"lo": -500, "hi": -300}, "surely_larger_deficit": [2006],
         "surely_smaller_deficit": [2020], "undecided": [], "gaps": list(range(2007, 2020)), "since": None}
    assert words.deficit_words(d) == "it is not the smallest deficit: 2020 had a smaller one"
    d.update(surely_smaller_deficit=[], surely_larger_deficit=[2006, 2020], balance={"lo": -100, "hi": -50})
    assert words.deficit_words(d) == ("it is above every earlier balance the data hold, each of them a larger "
                                          "deficit; the data have no balance for 2007 to 2019")
    d.update(held=list(range(2001, 2021)), surely_larger_deficit=list(range(2002, 2021)), surely_smaller_deficit=[2001],
             gaps=[], since=2001)
    assert words.deficit_words(d) == "the 2021 deficit is the smallest since 2001"
    assert words.deficit_words({**d, "held": []}).startswith("the data hold no balance before 2021")


def test_spreadsheet_formulas_from_data_are_plain_text_in_the_page(tmp_path, shipped):
    shipped.report["evil"] = '=HYPERLINK("http://x","click")'
    [(_, md)] = render(tmp_path, "Source: {{ report.evil }}", shipped)
    assert md == "Source: =HYPERLINK(&#34;http://x&#34;,&#34;click&#34;)"  # text, never a link or a formula


def test_a_caption_names_the_vintage_that_was_drawn(tmp_path, shipped, monkeypatch):
    text = "IP{{ updated_on(n['ratio.ip_receipts.2020/2018']) }}, ICT{{ updated_on(n['ratio.ict_exports.2020/2018']) }}"
    [(_, md)] = render(tmp_path, text, shipped)
    assert md == "IP (as updated on 15 September 2021), ICT (as updated on 24 February 2026)"
    wdi = next(s for s in shipped.sources if s["source_id"] == "WDI")
    monkeypatch.setitem(wdi, "date", "2026-07-01")  # as if another vintage had been given
    [(_, md)] = render(tmp_path, text, shipped)
    assert md == "IP (as updated on 1 July 2026), ICT (as updated on 24 February 2026)"
