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

from . import fmt
from .results import NOT_VERIFIABLE, VERDICTS, Verdict, counted, summarise
from .intervals import INF, Interval
from .results import Number, Results

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


# -- words made from a verdict record --------------------------------------------------------------
def _iv(d) -> Interval | None:
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


def settle_words(v: Verdict) -> str:
    out = []
    for s in v.settle:
        who = "" if s["partner"] == "World" else " by country" if s["partner"] == "by country" else f" to {s['partner']}"
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
            "circular": f"the only {year - 1} figure is derived from the {year} figure itself"}.get(
        n.basis, f"there is no {flow} figure for {year - 1}")


def deficit_words(d: dict) -> str:
    """The year's balance against the earlier balances the data hold (metrics.deficit_history), in words."""
    y = d["year"]
    if d["balance"] is None:
        return f"no balance for {y} can be computed from the data"
    if not d["held"]:
        return f"the data hold no balance before {y}, so no {fmt.quote('lowest since')} can be said"
    head = f"the {y} balance, {fmt.balance(_iv(d['balance']))},"
    if d["surely_smaller_deficit"]:
        return f"{head} is not the smallest deficit: {fmt.year_list(d['surely_smaller_deficit'])} had a smaller one"
    if d["undecided"]:
        larger = d["surely_larger_deficit"]
        text = (f"{head} is a smaller deficit than in {fmt.year_list(larger)}; " if larger else f"{head} ")
        return text + f"{fmt.year_list(d['undecided'])} may have had a smaller or a larger one"
    text = f"{head} is a smaller deficit than in every earlier year the data hold"
    if d["gaps"]:
        text += f"; the data have no balance for {fmt.year_list(d['gaps'])}"
    return text


# -- the template -----------------------------------------------------------------------------------
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
        year_list=fmt.year_list, quote=fmt.quote,
        count=lambda n, one, many=None: fmt.count(n, one, many))
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

    def block(html: str):
        blocks.append(html)
        return Markup(f"\n\n{_BLOCK.format(len(blocks) - 1)}\n\n")

    def figure(name: str, caption: str = "", alt: str = ""):
        """A figure the analysis drew, numbered in order of appearance, with its caption and the
        sources it draws on under it; nothing if the data could not make it."""
        f = figures.get(name)
        if f is None:
            return Markup("")
        figure_no[name] = len(figure_no) + 1
        path = _inside(figures_dir, f["file"])
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return block(env.get_template("figure.html.j2").render(
            name=name, caption=caption, alt=alt or caption, number=figure_no[name], data=data,
            sources=results.publisher(f.get("source_ids", [])),
            mime="image/png" if path.suffix == ".png" else "image/svg+xml"))

    def verdict_table():
        return block(env.get_template("verdicts.html.j2").render(
            verdicts=results.verdicts, claims=results.claims, publisher=results.publisher,
            claimed=claimed_words, explain=explain, settle=settle_words))

    def sources_list():
        return block(env.get_template("sources.html.j2").render(sources=results.sources))

    counts = summarise(results.verdicts)
    ctx = dict(
        report=results.report, year=results.report["report_year"], base=results.report["base_year"],
        n=results.numbers, v={x.part_id: x for x in results.verdicts}, counts=counts, verdicts=results.verdicts,
        counted=counted(results.verdicts), VERDICTS=VERDICTS, user_sources=results.user_sources,
        data_words="the data given" if results.user_sources else "the shipped data",
        publisher=results.publisher, explain=explain, settle=settle_words, fmt=fmt, extra=results.extra,
        figure=figure, verdict_table=verdict_table, sources_list=sources_list,
        threefold=lambda x: threefold(x, "the shipped data" if not results.user_sources else "the data given"),
        why_no_change=why_no_change, deficit_words=deficit_words,
        figure_names=list(figures), has_figure=lambda name: name in figures)
    text = Path(text_path).read_text(encoding="utf-8")
    try:
        markdown = md.from_string(text).render(**ctx)
    except Exception as exc:  # a mistake in the text: say where, in one line
        raise TemplateProblem(_where(exc, text_path)) from None
    out: list[tuple[str, str]] = []
    for i, piece in enumerate(re.split("\u2063block:(\\d+)\u2063", markdown)):
        if i % 2:
            out.append(("html", blocks[int(piece)]))
        elif piece.strip():
            out.append(("markdown", escape_dollars(re.sub(r"\n{3,}", "\n\n", piece).strip())))
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
