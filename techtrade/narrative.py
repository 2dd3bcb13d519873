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
from .intervals import Interval
from .results import VERDICTS, Number, Results, counted, summarise
from .words import (_iv, c5_years, claim_reviews, claimed_words, country, deficit_words, explain,
                    in_brief, only_article, rests_on, settle_words, threefold, updated_on, why_no_change)

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
def _environments():
    """Two Jinja2 environments, autoescape on in both: one for the Markdown text (values also
    Markdown-escaped), one for the HTML blocks."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from markupsafe import Markup, escape

    def finalize_markdown(value):
        if isinstance(value, Markup):
            return value
        return Markup(str(escape(escape_markdown(str(value)))))  # Markdown first: entities stay whole

    def value(n) -> Interval | None:  # a filter takes a Number from the table or a bare interval
        return n.iv if isinstance(n, Number) else n

    def growth(iv: Interval | None) -> Interval | None:  # a ratio as a change in percent: 1.044 -> +4.4%
        return None if not iv else Interval(iv.lo * 100 - 100, iv.hi * 100 - 100)

    filters = dict(
        money=lambda n: fmt.money_range(value(n)),
        balance=lambda n: fmt.balance(value(n)),
        ratio=lambda n: fmt.ratio(value(n)),
        pct=lambda n: fmt.pct(value(n)),
        change=lambda n: fmt.pct(value(n), signed=True),
        year_list=fmt.year_list, quote=fmt.quote, cap=lambda t: str(t)[:1].upper() + str(t)[1:],
        count=lambda n, one, many=None: fmt.count(n, one, many),
        growth=lambda n: fmt.pct(growth(value(n)), signed=True))
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
    data_words = "the data given" if results.user_sources else "the sources held"
    ctx = dict(
        report=results.report, year=results.report["report_year"], base=results.report["base_year"],
        n=results.numbers, v={x.part_id: x for x in results.verdicts}, counts=counts, verdicts=results.verdicts,
        counted=counted(results.verdicts), VERDICTS=VERDICTS, user_sources=results.user_sources,
        data_words=data_words,
        publisher=results.publisher, explain=explain, settle=settle_words, fmt=fmt, extra=results.extra,
        figure=figure, figure_ref=figure_ref, verdict_table=verdict_table, sources_list=sources_list,
        claim_reviews=reviews, rests_on=lambda v: rests_on(v, results),
        in_brief=lambda: in_brief(results, data_words),
        c5_years=lambda v: c5_years(v, results), iv=_iv, only_article=lambda x: only_article(x, results),
        country=country, date=fmt.date, updated_on=lambda x: updated_on(x, results),
        threefold=lambda x: threefold(x, data_words),
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
