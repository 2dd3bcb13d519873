"""The report's words: the Markdown template filled from the story; values escaped; dollars handled in
one place; the verdict table and figures as HTML blocks; mistakes in the text in one line; an opening a
desk would sign, for every report year; a template an editor can read."""
import json
import re

import pytest

from techtrade.analysis import claims
from techtrade.build import stages
from techtrade.report import narrative, story, words
from techtrade.results import OPEN

from ..synthetic import analysed

TEXT = stages.ROOT / "notebooks" / "04_narrative.md"


@pytest.fixture(scope="module")
def shipped_source(tmp_path_factory, raw, tidy):
    return analysed(tmp_path_factory.mktemp("results"), raw, tidy)


@pytest.fixture
def shipped(shipped_source):
    """This test's own copy of the 2020 results (tests may change it)."""
    import copy
    return copy.deepcopy(shipped_source)


def render(tmp_path, text, results):
    path = tmp_path / "t.md"
    path.write_text(text)
    return narrative.render(path, results, tmp_path)


def markdown(blocks) -> str:
    return "\n".join(t for k, t in blocks if k == "markdown")


def test_values_from_data_never_become_markup(tmp_path, shipped):
    evil = '<script>alert(1)</script> **bold** [x](javascript:y) `c` $1 and $2'
    shipped.report["evil"] = evil
    [(kind, md)] = render(tmp_path, "## Partners\n\nPartner: **{{ s.r.report.evil }}**", shipped)
    assert kind == "markdown"
    assert md.startswith("## Partners\n\nPartner: **&lt;script&gt;")
    assert r"\*\*bold\*\* \[x\](javascript:y) \`c\` \$1 and \$2" in md  # the value's own marks stay literal


def test_dollars_in_the_text_are_escaped_once(tmp_path, shipped):
    [(_, md)] = render(tmp_path, "almost $1 billion, already \\$2, {{ n['exports.2020'] | money }}", shipped)
    assert md == r"almost \$1 billion, already \$2, at least \$4.5 billion"


@pytest.mark.parametrize("text,error", [
    ("# Title\n\nfine\n\n{{ n['exports.2020'] | mony }}\n", "t.md, line 5: TemplateAssertionError: No filter named 'mony'"),
    ("# Title\n\n{{ nope }}\n", "t.md, line 3: UndefinedError: 'nope' is undefined"),
    ("# Title\n\n{{ s.verdikt }}\n", "t.md, line 3: UndefinedError: 'techtrade.report.story.Story object' has no attribute 'verdikt'"),
    ("# T\n\n{{ n['exports_2020'] | money }}\n", "t.md, line 3: ValueError: 'exports_2020' is not a number id"),
    ("# T\n\n{{ n['exports.2020'] }}\n", "t.md, line 3: TypeError: cannot print Number"),
    ("# T\n\n{{ figure('editor') }}\n", "t.md, line 3: KeyError: \"figure 'editor' is not one of: measures, exports,"),
])
def test_a_mistake_in_the_text_stops_the_build_in_one_line_naming_the_line(tmp_path, shipped, text, error):
    """A typo in a number id, a figure name or an attribute never publishes a Python repr or nothing."""
    with pytest.raises(narrative.TemplateProblem) as exc:
        render(tmp_path, text, shipped)
    assert str(exc.value).startswith(error) and "\n" not in str(exc.value)


def test_a_known_figure_the_data_could_not_draw_is_left_out(tmp_path, shipped):
    assert render(tmp_path, "{{ figure('partners') }}x", shipped) == [("markdown", "x")]


def test_the_shipped_text_renders_in_order(tmp_path, shipped):
    blocks = narrative.render(TEXT, shipped, tmp_path)
    md = markdown(blocks)
    assert md.startswith("# Russia\u2019s technology exports, 2018 to 2020")  # typographic apostrophes
    assert "{{" not in md and "{%" not in md and "#}" not in md  # no template left, no editors' notes
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings == ["# Russia\u2019s technology exports, 2018 to 2020: the claims of \u201cUp Threefold Since 2018\u201d, "
                        "checked", "## In short", "## The verdicts, claim by claim", "## The years compared",
                        "## The one-year jump", "## Other measures, side by side", "## Imports and the balance",
                        "## Markets", "## The early 2000s", "## What would settle the rest", "## How we checked",
                        "## Glossary", "## Sources"]
    assert "at least 3.10\u00d7" in md and "\\$" in md and "(derived)" in md


class TestOpening:
    """The claim, a verdict no reader can mistake for support, the strongest evidence, what would settle it."""

    def opening(self, tmp_path, results) -> str:
        md = markdown(narrative.render(TEXT, results, tmp_path))
        return md.split("## In short")[0]

    def test_the_2020_opening(self, tmp_path, shipped):
        text = self.opening(tmp_path, shipped)
        assert "**Our verdict: not confirmed.**" in text
        assert "Only the article publishes these figures for 2018 to 2020, and a claim cannot confirm itself." in text
        assert "exports rose at least 2.37\u00d7 in 2019 alone (derived)" in text
        assert ("Other statistics of Russia\u2019s technology earnings (World Bank; context, not evidence) rose 4.4% to "
                "15.7% that year and 12.8% to 32.9% over 2018 to 2020 (derived).") in text
        assert "agree" not in text and "consistent" not in text  # nothing reads as support
        box = re.sub(r"\\|\*", "", text[text.index("**The claim.**"):text.index("*Derived*")])
        assert 70 <= len(box.split()) <= 100, len(box.split())  # about 90 words before the first figure

    @pytest.mark.parametrize("year,base,opens", [
        (2011, 2006, "**2011 against 2006.**\nRussia\u2019s technology exports were $593 million in 2011 and "
                     "$514\u2013532 million (derived) in 2006, across two publications (OECD MSTI for 2011, the "
                     "2006\u20132021 paper for 2006): 1.11\u20131.16\u00d7 (derived)."),
        (2021, 2018, "**2021 against 2018.**\nRussia\u2019s technology exports were $4.55\u20134.65 billion in 2021 and "
                     "$1.35\u20131.45 billion in 2018, across two publications (the 2006\u20132021 paper for 2021, The Moscow "
                     "Times for 2018): 3.13\u20133.45\u00d7 (derived)."),
        (2019, 2018, "**2019 against 2018.**\nRussia\u2019s technology exports were at least $3.44 billion (derived) "
                     "in 2019 and $1.35\u20131.45 billion in 2018, by the figures of The Moscow Times: at least "
                     "2.37\u00d7 (derived)."),
    ])
    def test_another_pair_of_years_opens_with_that_pair(self, tmp_path, raw, tidy, year, base, opens):
        results = analysed(tmp_path, raw, tidy, year, base)
        text = self.opening(tmp_path, results).replace("\\$", "$").replace("\\+", "+")
        assert opens in text
        assert "**The article\u2019s claim, briefly.**" in text and ": not confirmed." in text
        assert "This pair of years does not test the article\u2019s claim about 2018 to 2020." in text
        assert "**What would settle it.**" in text

    def test_no_finding_is_stated_twice_in_consecutive_sections(self, tmp_path, raw, tidy):
        md = markdown(narrative.render(TEXT, analysed(tmp_path, raw, tidy, 2019, 2018), tmp_path))
        assert "## The one-year jump" not in md  # the 2019 report's own years are that jump
        sections = md.split("\n## ")
        assert not any("2.37" in a and "2.37" in b for a, b in zip(sections[1:], sections[2:]))


class TestCountedNowhereAsAgreement:
    def test_in_short_has_one_line_per_kind_and_no_agreement(self, tmp_path, shipped):
        md = markdown(narrative.render(TEXT, shipped, tmp_path))
        short = md.split("## In short")[1].split("##")[0].strip().splitlines()
        assert short == [
            "- **Contradicted by its own figures (1):** the Netherlands\u2019 share of exports (C6), read strictly "
            "(allowed, read loosely).",
            "- **Could not have failed (2):** exports in 2020 (C1) and exports in 2020 against 2018 (C9): the "
            "article\u2019s own figures could not contradict them (lower bounds never conflict), so they are not "
            "counted as agreement; [what would](#what-would-settle-the-rest) is listed below.",
            "- **Open (9):** no figure held settles them; [what would](#what-would-settle-the-rest) is listed below."]

    def test_claimreview_never_rates_a_check_that_could_not_fail_as_a_pass(self, shipped):
        rating = {r["url"]: r["reviewRating"]["alternateName"] for r in reviews(shipped)}
        assert rating["#claim-C1"] == rating["#claim-C9"] == "not settled: its own figures could not contradict it"
        assert rating["#claim-C3"] == "not settled: the figures that would settle it are not held"  # its ratio is C9's
        assert rating["#claim-C6"] == "partly contradicted by its own figures"  # "a quarter", read strictly


def reviews(results, **report) -> list[dict]:
    results.report.update(report)
    html = words.claim_reviews(results, story.Story.of(results))
    return [json.loads(b) for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)]


class TestClaimReview:
    """One block per counted claim, with every field a fact-check index reads, valid against a schema."""

    def test_every_block_validates_and_names_the_claim_in_full(self, shipped):
        import jsonschema
        got = reviews(shipped)
        assert [r["url"] for r in got] == [f"#claim-C{i}" for i in range(1, 10)]
        for r in got:
            jsonschema.validate(r, words.CLAIMREVIEW_SCHEMA)
        c2 = next(r for r in got if r["url"] == "#claim-C2")
        assert c2["claimReviewed"] == ("Russia sold more than $4.5 billion of technology goods and services overseas "
                                       "in 2020, up 30% from 2019")  # not the fragment "... up 30% from 2019"
        assert c2["itemReviewed"]["firstAppearance"]["url"].startswith("https://www.themoscowtimes.com/")
        c8 = next(r for r in got if r["url"] == "#claim-C8")
        assert c8["itemReviewed"]["datePublished"] == "2021-09-15"  # the dated copy (bne IntelliNews)
        assert {r["datePublished"] for r in got} == {"2026-12-01"}  # the date of the check, not of the build

    def test_the_reviewer_and_the_address_are_as_given_never_invented(self, shipped):
        plain = reviews(shipped)[0]
        assert plain["author"] == {"@type": "Organization", "name": "Russian tech exports fact-check project"}
        given = reviews(shipped, reviewer="A Desk", reviewer_url="https://desk.example/", site_url="https://x.example/r")[0]
        assert given["author"] == {"@type": "Organization", "name": "A Desk", "url": "https://desk.example/"}
        assert given["url"] == "https://x.example/r#claim-C1"

    def test_no_text_can_close_the_script_element(self, shipped):
        shipped.claims["C1"] = "</script><script>alert(1)</script> Russia sold more than $4.5 billion"
        html = words.claim_reviews(shipped, story.Story.of(shipped))
        assert html.count("</script>") == 9 and "<script>alert" not in html
        assert json.loads(re.findall(r'json">(.*?)</script>', html)[0])["claimReviewed"].startswith("</script>")

    def test_a_user_series_that_names_no_publication_carries_none(self, shipped):
        shipped.sources.append({"source_id": "USER1", "publication": "your series", "title": "SYNTHETIC test fixture", "url": "x.csv",
                                "publisher": "your series", "role": "primary table"})
        assert words.claim_reviews(shipped, story.Story.of(shipped)) == ""
        shipped.sources[-1]["title"] = "Rosstat, Russia in figures 2021, table 21.9"
        assert len(reviews(shipped)) == 9


def test_the_verdict_table_escapes_its_cells_and_says_what_each_check_could_show(tmp_path, shipped):
    shipped.claims["C1"] = "<b onmouseover=alert(1)>x</b> *not italic*"
    html = render(tmp_path, "{{ verdict_table() }}", shipped)[0][1]
    assert "<b onmouseover" not in html and "&lt;b onmouseover=alert(1)&gt;x&lt;/b&gt; *not italic*" in html
    assert html.count('class="cid"') == 9 and "restates C9; counted once" in html
    assert "rests on the article\u2019s own figures" in html
    assert "could not have failed: the claim and the evidence are both lower bounds" in html
    assert "read loosely (20\u201330%): allowed by its own figures" in html
    assert "\u201ca quarter\u201d: 22.5\u201329.2%" in html and "\u201calmost\u201d: $0.9\u20131.0 billion" in html
    assert 'class="badge v-untested">allowed by its own figures' in html
    assert 'class="badge v-contradicted">contradicted by its own figures' in html


def test_every_claim_shows_its_publication_in_the_table(tmp_path, shipped, raw):
    """Every claim in claims.csv, C5 included, names its publication in the table, the cards (the same
    markup) and verdicts.json's records; a test over the whole registry."""
    html = render(tmp_path, "{{ verdict_table() }}", shipped)[0][1]
    cells = dict(re.findall(r'class="cid" role="rowheader">(C\d+)</th>\s*<td rowspan="\d+" class="quote" role="cell">.*?'
                            r'<div class="src">(.*?)</div>', html, flags=re.S))
    for cid, ids in zip(raw["claims"]["claim_id"], raw["claims"]["source_id"]):
        assert cells[cid] == shipped.publisher(ids) and cells[cid], cid
    assert cells["C5"] == "The Moscow Times"
    assert all(v.claim_source_ids for v in shipped.verdicts)


def test_the_working_is_written_from_the_records(shipped):
    v = {x.part_id: x for x in shipped.verdicts}
    assert claims.working(v["C3.ratio"]) == "at least $4.5 billion / $1.35\u20131.45 billion = at least 3.10\u00d7."
    assert claims.working(v["C1.level"]) == ("The other figures give at least $4.05 billion (derived: exports 2018 "
                                             "\u00d7 ratio 2018 to 2020).")
    assert claims.working(v["C6.share"]) == "$0.9\u20131.0 billion of at least $4.5 billion = at most 22.3%."
    assert claims.working(v["C8.early"]) == ("No exports figure for 2000 to 2003. The claim implies an "
                                             "early-2000s level of at least $225 million (derived).")
    assert v["C5.deficit"].outcome == OPEN
    assert words.settle_words(v["C6.rank"]) == "exports by country, 2020"


def test_the_wording_is_judged_by_the_articles_own_figures(tmp_path, shipped):
    md = markdown(narrative.render(TEXT, shipped, tmp_path))
    assert ("\u201cA quarter\u201d rounds that share up: 22.5\u201329.2% is nearer a quarter than a fifth or a third, "
            "and by the article\u2019s own figures the share is at most 22.3%, nearer a fifth: contradicted by its own "
            "figures read strictly; read loosely (20\u201330%), allowed by its own figures.") in md


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
    [(_, md)] = render(tmp_path, "Source: {{ s.r.report.evil }}", shipped)
    assert md == "Source: =HYPERLINK(&#34;http://x&#34;,&#34;click&#34;)"  # text, never a link or a formula


def test_a_caption_names_the_vintage_that_was_drawn(shipped, monkeypatch):
    s = story.Story.of(shipped)
    assert words.updated_on(s.n("ratio.ip_receipts.2020/2018"), shipped) == " (as updated on 15 September 2021)"
    assert words.updated_on(s.n("ratio.ict_exports.2020/2018"), shipped) == " (as updated on 24 February 2026)"
    wdi = next(x for x in shipped.sources if x["source_id"] == "WDI")
    monkeypatch.setitem(wdi, "date", "2026-07-01")  # as if another vintage had been given
    assert words.updated_on(s.n("ratio.ip_receipts.2020/2018"), shipped) == " (as updated on 1 July 2026)"


def test_figure_titles_and_captions_are_declared_once_for_every_figure_drawn(shipped):
    from techtrade.analysis import plots
    names = {"measures", "exports", "trade", "partners"}
    assert set(story.FIGURES) == names
    assert plots.draw_all.__doc__ and set(re.findall(r'\("(\w+)", lambda s: fig_', open(plots.__file__).read())) == names


@pytest.fixture(scope="module")
def lines():
    """The template's lines, the editors' notes left out."""
    return re.sub(r"\{#.*?#\}", "", TEXT.read_text(encoding="utf-8"), flags=re.S).splitlines()


class TestTheTemplateReadsAsProse:
    """notebooks/04_narrative.md: one sentence per line, short lines, at most one {% if %} per paragraph,
    literal headings (the title's words from a variable), so JupyterLab's outline is the report's."""

    def test_no_line_over_200_characters(self, lines):
        assert max(len(x) for x in lines) <= 200

    def test_at_most_one_if_per_paragraph(self, lines):
        paragraphs = "\n".join(lines).split("\n\n")
        assert all(p.count("{% if") <= 1 for p in paragraphs), [p for p in paragraphs if p.count("{% if") > 1]

    def test_headings_are_words_not_placeholders(self, lines):
        headings = [x for x in lines if x.startswith("#")]
        assert headings[0] == "# {{ s.title }}"
        assert all("{" not in h for h in headings[1:]) and len(headings) == 14

    def test_the_template_decides_nothing_itself(self, lines):
        """Its conditions are the story's decisions (s.something), never comparisons of its own."""
        tags = re.findall(r"\{%-?\s*(?:if|elif)\s+(.*?)\s*-?%\}", "\n".join(lines))
        assert tags and all(re.fullmatch(r"(not )?s\.\w+|x\.\w+", t) for t in tags), tags


class TestByline:
    """Who checked, when (the newest date among what shaped the verdicts, never the build time), and links
    to the method and the files behind the page."""

    def test_the_byline_and_its_links(self, tmp_path, shipped):
        md = markdown(narrative.render(TEXT, shipped, tmp_path))
        lines = md.split("\n\n")[1].splitlines()
        assert lines[0] == "Checked by the Russian tech exports fact-check project on 1 December 2026."
        links = re.findall(r"\]\(([^)]+)\)", " ".join(lines[1:]))
        assert links == ["#how-we-checked", "verdicts.csv", "numbers.csv", "datapackage.json",
                         "appendix-analysis.html"]

    def test_a_reviewer_url_is_a_link_only_when_given(self, tmp_path, shipped):
        shipped.report.update(reviewer="A <Desk>", reviewer_url="https://desk.example/?a=1&b=2")
        [(_, md)] = render(tmp_path, "{{ byline() }}", shipped)
        assert md == 'Checked by <a href="https://desk.example/?a=1&amp;b=2">A &lt;Desk&gt;</a> on 1 December 2026'

    def test_the_date_of_the_check_is_the_newest_input_and_the_method_log_agrees(self, shipped):
        from techtrade import config
        newest = re.search(r"^## (\d{4}-\d{2}-\d{2})", (stages.ROOT / "METHODS.md").read_text(), flags=re.M).group(1)
        assert config.METHOD_DATE == newest
        assert story.Story.of(shipped).checked_on == "2026-12-01"
        mt = next(x for x in shipped.sources if x["source_id"] == "MT")
        mt["date"] = "2027-01-05"  # a later publication the verdicts rest on moves the date
        assert story.Story.of(shipped).checked_on == "2027-01-05"


def test_a_users_series_is_named_in_the_title_and_a_boxed_banner(tmp_path, shipped):
    shipped.sources.append({"source_id": "USER1", "publication": "your series", "title": "SYNTHETIC test fixture (invented numbers)",
                            "url": "synthetic_full_series.csv", "publisher": "your series", "role": "primary table",
                            "date": "", "short": "your series", "quote": "", "kind": "", "via": "", "licence": ""})
    blocks = narrative.render(TEXT, shipped, tmp_path)
    assert markdown(blocks).splitlines()[0].endswith("checked against your series (SYNTHETIC)")
    banner = next(t for k, t in blocks if k == "html" and "banner" in t)
    assert banner.startswith('<div class="banner synthetic" role="note"><strong>SYNTHETIC: the series says it is '
                             "synthetic or a test, so its numbers are invented, not data, and nothing here is a finding. "
                             "This report rests on your series \u201cSYNTHETIC test fixture (invented numbers)\u201d "
                             "(synthetic_full_series.csv) wherever it gives a figure")


def test_the_rows_of_a_series_not_used_are_counted_in_the_banner(tmp_path, shipped):
    shipped.sources.append({"source_id": "USER1", "publication": "your series", "title": "Rosstat 2021", "url": "t.csv", "publisher": "your series",
                            "role": "primary table", "date": "", "short": "your series", "quote": "", "kind": "",
                            "via": "", "licence": ""})
    shipped.extra["rows_not_used"] = 87912
    html = "".join(t for k, t in narrative.render(TEXT, shipped, tmp_path) if k == "html")
    assert "87,912 rows by category not used: the report uses the totals over all kinds of agreement only." in html


def test_a_users_series_is_compared_with_the_publications_held(tmp_path, raw, tidy):
    """Where the series gives a level a publication excludes, the banner says so (a 'confirmed' resting on a
    series that disagrees with the OECD elsewhere must not stand alone)."""
    import pandas as pd

    from ..synthetic import add_figures
    user = pd.DataFrame([{"source_id": "USER1", "publication": "your series", "publisher": "your series", "short": "your series",
                          "title": "Rosstat 2021", "date": "", "url": "t.csv", "quote": "", "kind": "",
                          "role": "primary table", "via": "", "licence": ""}])
    mine = {**raw, "sources": pd.concat([raw["sources"], user], ignore_index=True)}
    t = add_figures(tidy, [dict(year=2011, flow="exports", value=700, source_id="USER1"),
                           dict(year=2012, flow="exports", value=689, source_id="USER1")])
    s = story.Story.of(analysed(tmp_path, mine, t))
    assert s.disagreements == ["exports in 2011, $700 million against $593 million by OECD MSTI"]
    assert "It disagrees with the publications held on 1 figure (listed under" in s.series_banner
    md = markdown(narrative.render(TEXT, s.r, tmp_path))
    assert "## Your series against the publications" in md and "- exports in 2011, \\$700 million against" in md
