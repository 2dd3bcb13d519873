"""The report's words (stage 04): ``notebooks/04_narrative.md`` filled with the analysis results.

The text is Markdown with Jinja2 placeholders: a journalist edits a sentence, a heading or the order
of sections there, without touching Python. This module supplies what the placeholders need: the
numbers (by id, from the numbers table), the verdicts, and filters that write them in words (fmt.py).
Every value is escaped on its way in (autoescape, then Markdown escaping), so text from data files is
never read as markup; dollar signs, which Jupyter's Markdown would read as mathematics, are escaped
in one place (:func:`escape_dollars`). The verdict table and the figures are HTML blocks made from
templates in ``techtrade/templates/narrative/``; :func:`show` displays the result in the notebook,
each heading visible to JupyterLab's table of contents.
"""
from __future__ import annotations

import base64
import re
from pathlib import Path

import datetime
import json

from . import fmt
from .intervals import INF, Interval
from .results import (CONFIRMED, CONSISTENT, CONTRADICTED, INTERNALLY_CONSISTENT, INTERNALLY_INCONSISTENT, MIXED,
                      NONE, NOT_VERIFIABLE, OTHER, OWN, PRIMARY, VERDICTS, Number, Results, Verdict, counted,
                      summarise)

TEMPLATES = Path(__file__).resolve().parent / "templates" / "narrative"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#+!|~])")  # < > & are HTML-escaped instead
_BLOCK = "\u2063block:{}\u2063"   # an invisible marker where an HTML block goes


def escape_markdown(text: str) -> str:
    """A value as literal text in Markdown: its own stars, brackets or backticks are not markup."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def escape_dollars(markdown: str) -> str:
    """The one place dollar signs are handled: every $ not already escaped becomes \\$, so Jupyter
    shows a dollar, not mathematics."""
    return re.sub(r"(?<!\\)\$", r"\\$", markdown)


def typography(markdown: str) -> str:
    """The one place for typography: an apostrophe inside a word is typographic (Russia’s); "1-TB"
    keeps its hyphen unbroken at the end of a line."""
    return re.sub(r"(?<=[A-Za-z])(?:'|&#39;)", "\u2019", markdown).replace("1-TB", "1\u2011TB")


# -- words made from a verdict record --------------------------------------------------------------
def _iv(d) -> Interval | None:
    """An interval from its JSON form; an open lower end of a level (an "at most") starts at zero."""
    return Interval.from_json(d) if d else None


def _words(iv: Interval | None, unit: str, signed: bool = False) -> str:
    if unit == "USD mn":
        return fmt.money_range(iv)
    if unit == "ratio":
        return fmt.ratio(iv)
    if unit == "percent":
        return fmt.pct(iv, signed=signed)
    return "" if iv is None else fmt.number(iv.lo)


def claimed_words(v: Verdict) -> str:
    if v.check == "deficit_rank":
        return "the deficit smaller than in every year from 2002 to 2019"
    if v.check == "partner_rank":
        return "first among all partners"
    if v.check == "each_level":
        return f"each {fmt.money_range(v.claimed)}"
    return _words(v.claimed, v.unit, signed=v.check == "change")


def explain(v: Verdict) -> str:
    """The working of a verdict, in words (for the verdict table)."""
    used = {u["id"]: u for u in v.used}
    ev = v.evidence

    def lvl(id_):
        u = used.get(id_)
        if u is None:
            return "not known"
        iv = _iv({"lo": u["lo"], "hi": u["hi"]})
        if iv is not None and u["lo"] is None and u["hi"] is not None:
            iv = Interval(0.0, iv.hi)
        return fmt.money_range(iv) + (" (derived)" if u["status"] == "derived" else "")

    ids = list(used)
    if v.check == "level":
        if ev is None:
            return "No figure besides the claim's own."
        u = used[ids[0]]
        how = f", derived: {u['basis']}" if u["status"] == "derived" else ""
        return f"The other figures give {fmt.money_range(ev)}{how}."
    if v.check in ("change", "ratio"):
        if ev is None:
            years = [y for s in v.settle for y in s["years"]]
            return f"No other figure gives {v.settle[0]['flow']} in {fmt.year_list(years)}." if years else \
                "No other figure bears on it."
        op = "against" if v.check == "change" else "/"
        return f"{lvl(ids[0])} {op} {lvl(ids[1])} = {_words(ev, v.unit, signed=v.check == 'change')}."
    if v.check == "share":
        if ev is None:
            return "No total for that year."
        return f"{lvl(ids[0])} of {lvl(ids[1])} = {fmt.pct(ev)}; {fmt.quote('a quarter')} read as {fmt.pct(v.claimed)}."
    if v.check == "each_level":
        parts = v.detail.get("partners", {})
        if all(x is None for x in parts.values()):
            return f"No other figure for any of the {fmt.count_words(len(parts))}."
        return "; ".join(f"{k}: {fmt.money_range(_iv(x))}" for k, x in parts.items()) + "."
    if v.check == "deficit_rank":
        d = v.detail
        if ev is None:
            return "No balance for 2020."
        text = f"Balance in {d['years'][-1] + 1}: {fmt.balance(ev)} (derived)."
        if d.get("surplus"):
            return text + " A surplus, not a deficit."
        if d.get("smaller_deficit"):
            text += f" Smaller deficits in {fmt.year_list(d['smaller_deficit'])}."
        if d.get("larger_deficit"):
            text += f" Larger deficits in {fmt.year_list(d['larger_deficit'])}."
        if d.get("missing"):
            text += f" No balance for {fmt.year_list(d['missing'])}."
        return text
    if v.check == "partner_rank":
        d = v.detail
        if d.get("partner") is None:
            return "No other figure for the Netherlands."
        if d.get("bigger"):
            return f"Larger than the Netherlands ({fmt.money_range(_iv(d['partner']))}): {', '.join(d['bigger'])}."
        others = [_iv(x) for x in d["others"].values()]
        named = ("no other partner is named" if not others else
                 "the other named partners have no upper bound" if any(o.hi == INF for o in others) else
                 f"the other named partners are at most {fmt.money(max(o.hi for o in others))}")
        rest = d.get("rest_max")
        unnamed = ("the total has no upper bound, so an unnamed partner could be larger" if rest is None else
                   f"the partners not named share at most {fmt.money(rest)}")
        if v.verdict == NOT_VERIFIABLE:
            return f"The Netherlands: {fmt.money_range(_iv(d['partner']))}; {named}; {unnamed}."
        return f"Every other partner is smaller than the Netherlands ({fmt.money_range(_iv(d['partner']))}); {unnamed}."
    if v.check == "early_2000s_ratio":
        d = v.detail
        if ev is None:
            text = f"No exports figure for {fmt.year_list(d['missing'])}." if d["missing"] else "No exports figure for 2020."
            if d.get("implied_early_level"):
                text += (f" The claim implies an early-2000s level of "
                         f"{fmt.money_range(_iv(d['implied_early_level']))} (derived).")
            return text
        return f"Exports in 2020 against {fmt.year_list(d['early_years'])} ({fmt.money_range(_iv(d['early_level']))}) = {fmt.ratio(ev)}."
    return ""


def rests_on(v: Verdict, results: Results, short: bool = False) -> str:
    """What a verdict rests on, in words: the tier and the publishers (``short``: no titles)."""
    who = "your series" if short and v.tier == PRIMARY else results.publisher(v.source_ids)
    return {OWN: "the article's own figures", OTHER: f"another publication of the same statistics ({who})",
            PRIMARY: who, MIXED: f"the article's figures with other publications' ({who})",
            NONE: "no other figure"}[v.tier]


def in_brief(results: Results, data_words: str) -> str:
    """The counts of the opening, by what they rest on, in words."""
    c = summarise(results.verdicts)
    w = fmt.count_words
    by = "your series or another publication" if results.user_sources else "another publication"
    said = {INTERNALLY_CONSISTENT: "agree with the article's other figures",
            INTERNALLY_INCONSISTENT: "disagree with the article's other figures",
            CONFIRMED: f"confirmed by {by}", CONSISTENT: f"found consistent by {by}",
            CONTRADICTED: f"contradicted by {by}", NOT_VERIFIABLE: f"cannot be checked with {data_words}"}
    verb = {INTERNALLY_CONSISTENT: "", INTERNALLY_INCONSISTENT: "", NOT_VERIFIABLE: ""}
    parts = []
    for name in (INTERNALLY_CONSISTENT, INTERNALLY_INCONSISTENT, CONFIRMED, CONSISTENT, CONTRADICTED, NOT_VERIFIABLE):
        if c[name]:
            is_are = verb.get(name, "is " if c[name] == 1 else "are ")
            parts.append(f"{w(c[name])} {is_are}{said[name]}")
    if c[CONFIRMED] + c[CONSISTENT] + c[CONTRADICTED] == 0:
        parts.insert(len(parts) - (1 if c[NOT_VERIFIABLE] else 0),
                     "none is confirmed or contradicted by another publication of the same statistics")
    if len(parts) == 1:
        return "all " + parts[0].split(" ", 1)[1] if sum(c.values()) > 1 else parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def c5_years(v: Verdict, results: Results) -> str:
    """The earlier balances that were larger deficits, grouped by publication: '2006 (a deficit of
    $581–647 million, derived from St. Petersburg ...) and 2011 to 2015 (OECD: deficits of ...)'."""
    used = {u["id"]: u for u in v.used}
    groups: dict[str, list] = {}
    for y in v.detail.get("larger_deficit", []):
        u = used.get(f"balance.{y}")
        if u is not None:
            groups.setdefault(results.publisher(u["source_ids"]), []).append((y, _iv(u)))
    out = []
    for who, items in groups.items():
        years = [y for y, _ in items]
        los, his = [-iv.hi for _, iv in items], [-iv.lo for _, iv in items]
        amount = fmt.money_range(Interval(min(los), max(his)))
        out.append(f"{fmt.year_list(years)} ({'a deficit' if len(items) == 1 else 'deficits'} of {amount}; {who})")
    return fmt.year_list([]) if not out else (out[0] if len(out) == 1 else ", ".join(out[:-1]) + " and " + out[-1])


def claim_reviews(results: Results, today: str | None = None) -> str:
    """schema.org ClaimReview, one per claim, as fact-checkers publish them (JSON-LD)."""
    today = today or datetime.date.today().isoformat()
    by_id = {s["source_id"]: s for s in results.sources}
    out = []
    for claim_id, text in results.claims.items():
        parts = [v for v in results.verdicts if v.claim_id == claim_id]
        if not parts:
            continue
        srcs = [by_id[i] for i in parts[0].claim_source_ids if i in by_id]
        review = {
            "@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": text,
            "itemReviewed": {"@type": "Claim",
                             "author": {"@type": "Organization", "name": srcs[0]["publisher"] if srcs else ""},
                             "datePublished": (srcs[0].get("date") or "") if srcs else "",
                             "appearance": [{"@type": "CreativeWork", "url": x["url"]} for x in srcs if x.get("url")]},
            "author": {"@type": "Organization", "name": "Russian tech exports fact-check (techtrade report)"},
            "datePublished": today,
            "reviewRating": {"@type": "Rating",
                             "alternateName": "; ".join(f"{v.part}: {v.verdict}" for v in parts),
                             "ratingExplanation": " ".join(explain(v) for v in parts)}}
        out.append(json.dumps(review, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c"))
    return "".join(f'<script type="application/ld+json">{x}</script>' for x in out)


def country(name: str) -> str:
    """A country's name as a sentence has it: 'the Netherlands', 'the United States', 'Germany'."""
    plural = name.endswith(("Netherlands", "States", "Kingdom", "Federation", "Republic", "Emirates", "Islands"))
    return f"the {name}" if plural and not name.startswith("the ") else name


def settle_words(v: Verdict) -> str:
    out = []
    for s in v.settle:
        who = ("" if s["partner"] == "World" else " by country" if s["partner"] == "by country"
               else f" to {country(s['partner'])}")
        out.append(f"{s['flow']}{who}, {fmt.year_list(s['years'])}")
    return "; ".join(out)


def threefold(n: Number, data_words: str = "the data") -> str:
    """Is 'more than threefold' true of a ratio? In words."""
    iv = n.iv if isinstance(n, Number) else n
    if iv is None:
        return f"cannot be judged with {data_words}"
    if iv.lo > 3:
        return "holds"
    if iv.hi <= 3:
        return "does not hold"
    return "may or may not hold: the figures allow values on both sides of three"


def why_no_change(n: Number, flow: str, year: int) -> str:
    return {"no_year": f"there is no {flow} figure for {year}",
            "no_previous": f"there is no {flow} figure for {year - 1}",
            "circular": f"the only {year - 1} figure is itself derived from the {year} one, so a change would "
                        "be circular"}.get(
        n.basis, f"there is no {flow} figure for {year - 1}")


def deficit_words(d: dict) -> str:
    """The year's balance against the earlier balances the data hold (metrics.deficit_history), in words
    (the balance itself is said before)."""
    y = d["year"]
    if d["balance"] is None:
        return f"no balance for {y} can be computed from the data"
    if not d["held"]:
        return f"the data hold no balance before {y}, so no {fmt.quote('lowest since')} can be said"
    larger, smaller, undecided = d["surely_larger_deficit"], d["surely_smaller_deficit"], d["undecided"]
    since = d.get("since")
    if since is not None and since in smaller:  # a run of larger deficits back to a year with a smaller one
        return f"the {y} deficit is the smallest since {since}"
    if not smaller and not undecided:
        gaps = f"; the data have no balance for {fmt.year_list(d['gaps'])}" if d["gaps"] else ""
        return f"it is above every earlier balance the data hold, each of them a larger deficit{gaps}"
    if smaller:
        return f"it is not the smallest deficit: {fmt.year_list(smaller)} had a smaller one"
    text = f"it is above the balance of {fmt.year_list(larger)}; " if larger else ""
    return text + f"{fmt.year_list(undecided)} may have had a smaller deficit or a larger one"


def only_article(n: Number, results: Results) -> bool:
    """Does this number rest on the article's own figures alone?"""
    roles = {s["source_id"]: s.get("role") for s in results.sources}
    ids = [i for i in str(n.source_ids).split(";") if i]
    return bool(ids) and all(roles.get(i) == "the article" for i in ids)


def _environments():
    """Two Jinja2 environments, autoescape on in both: one for the Markdown text (values also
    Markdown-escaped), one for the HTML blocks."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from markupsafe import Markup, escape

    def finalize_markdown(value):
        if isinstance(value, Markup):
            return value
        return Markup(str(escape(escape_markdown(str(value)))))  # Markdown first: entities stay whole

    filters = dict(
        money=lambda n: fmt.money_range(n.iv if isinstance(n, Number) else n),
        balance=lambda n: fmt.balance(n.iv if isinstance(n, Number) else n),
        ratio=lambda n: fmt.ratio(n.iv if isinstance(n, Number) else n),
        pct=lambda n: fmt.pct(n.iv if isinstance(n, Number) else n),
        change=lambda n: fmt.pct(n.iv if isinstance(n, Number) else n, signed=True),
        year_list=fmt.year_list, quote=fmt.quote, cap=lambda t: str(t)[:1].upper() + str(t)[1:],
        count=lambda n, one, many=None: fmt.count(n, one, many),
        growth=lambda n: fmt.pct(None if not (n.iv if isinstance(n, Number) else n) else
                                 Interval((n.iv if isinstance(n, Number) else n).lo * 100 - 100,
                                          (n.iv if isinstance(n, Number) else n).hi * 100 - 100), signed=True))
    common = dict(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                  trim_blocks=True, lstrip_blocks=True)
    md = Environment(finalize=finalize_markdown, keep_trailing_newline=True, **common)
    html = Environment(**common)
    for env in (md, html):
        env.filters.update(filters)
    return md, html, Markup


def render(text_path: str | Path, results: Results, figures_dir: str | Path) -> list[tuple[str, str]]:
    """The report as blocks, in order: ("markdown", text) or ("html", html)."""
    md, env, Markup = _environments()
    blocks: list[str] = []
    figure_no: dict[str, int] = {}
    figures = {f["name"]: f for f in results.figures}
    text = Path(text_path).read_text(encoding="utf-8")
    # figures are numbered in the order the text places them, so a reference before a figure is right too
    placed = [m for m in re.findall(r"figure\(\s*[\"']([\w-]+)[\"']", text) if m in figures]
    figure_order = {name: i + 1 for i, name in enumerate(dict.fromkeys(placed))}

    def block(html: str):
        blocks.append(typography(html))
        return Markup(f"\n\n{_BLOCK.format(len(blocks) - 1)}\n\n")

    def figure(name: str, title: str = "", caption: str = "", alt: str = ""):
        """A figure the analysis drew, numbered in order of appearance: its title, the image (narrow on
        a phone, wide elsewhere), and under it one caption with the sources it draws on. Nothing if the
        data could not make it. ``alt`` states its message for those who cannot see it."""
        f = figures.get(name)
        if f is None:
            return Markup("")
        figure_no[name] = figure_order.get(name) or len(figure_no) + 1
        data = {size: base64.b64encode(_inside(figures_dir, file).read_bytes()).decode("ascii")
                for size, file in f["files"].items()}
        return block(env.get_template("figure.html.j2").render(
            name=name, title=title, caption=caption, alt=alt or title, number=figure_no[name], data=data,
            sources=results.publisher(f.get("source_ids", []))))

    def figure_ref(name: str) -> Markup:
        """'Figure 2', linked to the figure (numbered as the figures appear)."""
        n = figure_order.get(name)
        return Markup(f'<a href="#fig-{name}">Figure {n}</a>') if n else Markup("")

    def verdict_table():
        return block(env.get_template("verdicts.html.j2").render(
            verdicts=results.verdicts, claims=results.claims, publisher=results.publisher,
            claimed=claimed_words, explain=explain, settle=settle_words,
            rests_on=lambda v: rests_on(v, results, short=True)))

    def sources_list():
        return block(env.get_template("sources.html.j2").render(sources=results.sources, date=fmt.date))

    def reviews():
        return block(claim_reviews(results))

    counts = summarise(results.verdicts)
    ctx = dict(
        report=results.report, year=results.report["report_year"], base=results.report["base_year"],
        n=results.numbers, v={x.part_id: x for x in results.verdicts}, counts=counts, verdicts=results.verdicts,
        counted=counted(results.verdicts), VERDICTS=VERDICTS, user_sources=results.user_sources,
        data_words="the data given" if results.user_sources else "the sources held",
        publisher=results.publisher, explain=explain, settle=settle_words, fmt=fmt, extra=results.extra,
        figure=figure, figure_ref=figure_ref, verdict_table=verdict_table, sources_list=sources_list,
        claim_reviews=reviews, rests_on=lambda v: rests_on(v, results),
        in_brief=lambda: in_brief(results, "the data given" if results.user_sources else "the sources held"),
        c5_years=lambda v: c5_years(v, results), iv=_iv, only_article=lambda x: only_article(x, results),
        country=country, date=fmt.date,
        threefold=lambda x: threefold(x, "the sources held" if not results.user_sources else "the data given"),
        why_no_change=why_no_change, deficit_words=deficit_words,
        figure_names=list(figures), has_figure=lambda name: name in figures)
    try:
        markdown = md.from_string(text).render(**ctx)
    except Exception as exc:  # a mistake in the text: say where, in one line
        raise TemplateProblem(_where(exc, text_path)) from None
    out: list[tuple[str, str]] = []
    for i, piece in enumerate(re.split("\u2063block:(\\d+)\u2063", markdown)):
        if i % 2:
            out.append(("html", blocks[int(piece)]))
        elif piece.strip():
            out.append(("markdown", typography(escape_dollars(re.sub(r"\n{3,}", "\n\n", piece).strip()))))
    return out


class TemplateProblem(ValueError):
    """A mistake in the report's text (notebooks/04_narrative.md): file, line and what is wrong."""


def _where(exc: Exception, path) -> str:
    import traceback

    line = getattr(exc, "lineno", None)
    if line is None:  # an error while rendering: the template's line is in the traceback
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename in ("<template>", str(path)):
                line = frame.lineno
                break
    where = f"{Path(path).name}, line {line}" if line else Path(path).name
    return f"{where}: {type(exc).__name__}: {exc}"


def _inside(figures_dir, name: str) -> Path:
    """A figure file named in the results, refused if the name would lead outside the figures folder."""
    from .errors import DataError

    base = Path(figures_dir).resolve()
    path = (base / str(name)).resolve()
    if base not in path.parents or path.suffix.lower() not in (".png", ".svg"):
        raise DataError(f"figure {name!r}: not an image file inside {base}")
    return path


def show(blocks: list[tuple[str, str]]) -> None:
    """Display the blocks in the notebook: Markdown as Markdown (its headings reach JupyterLab's
    table of contents), HTML blocks as HTML."""
    from IPython.display import HTML, Markdown, display

    for kind, text in blocks:
        display(Markdown(text) if kind == "markdown" else HTML(text))
