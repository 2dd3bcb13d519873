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
import functools
import re
from pathlib import Path

from .. import config, fmt
from ..errors import DataError
from ..results import Number, Results
from .story import FIGURES, Story
from .words import claim_reviews

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "narrative"
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


#: The ids an editor may ask the numbers table for (numbers.csv lists them): anything else is a typo.
NUMBER_ID = re.compile(r"(?:(?:article|oecd)\.)?(?:(?:exports|imports|balance)\.\d{4}(?:\.[^.]+)?"
                       r"|ratio\.\w+\.\d{4}/(?:\d{4}|early2000s)|change\.(?:exports|imports)\.\d{4}"
                       r"|share\.\d{4}\..+|[a-z_]+\.\d{4}|C\d+\.\w+\.(?:claimed|evidence))")


class StrictNumbers:
    """``n["exports.2020"]`` in the template: a Number (empty when the data lack it); an id that is not
    a numbers-table id at all is a mistake in the text, and stops the build."""

    def __init__(self, results: Results):
        self.numbers = results.numbers

    def __getitem__(self, id_: str) -> Number:
        if not NUMBER_ID.fullmatch(str(id_)):  # not a KeyError: Jinja would take that for an attribute to try
            raise ValueError(f"{id_!r} is not a number id (numbers.csv beside each report lists them)")
        return self.numbers[id_]


@functools.cache
def _environments():
    """Two Jinja2 environments, autoescape and strict undefined in both: one for the Markdown text (values
    also Markdown-escaped; anything but text or a number refused, so no Python object is ever printed),
    one for the HTML blocks. Made once a process, so each HTML template is compiled once (Jinja2 reloads a
    template whose file changed); the text is compiled at each render."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from markupsafe import Markup, escape

    def finalize_markdown(value):
        if isinstance(value, Markup):
            return value
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise TypeError(f"cannot print {type(value).__name__} {str(value)[:40]!r}: write it in words "
                            "with a filter (| money, | ratio, | pct, | change, | balance) or use a phrase of s")
        return Markup(str(escape(escape_markdown(str(value)))))  # Markdown first: entities stay whole

    def value(n):  # a filter takes a Number from the table or a bare interval
        return n.iv if isinstance(n, Number) else n

    filters = dict(money=lambda n: fmt.money_range(value(n)), balance=lambda n: fmt.balance(value(n)),
                   ratio=lambda n: fmt.ratio(value(n)), pct=lambda n: fmt.pct(value(n)),
                   change=lambda n: fmt.pct(value(n), signed=True), quote=fmt.quote, year_list=fmt.year_list)
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
    from markupsafe import escape
    story = Story.of(results)
    blocks: list[str] = []
    drawn = {f["name"]: f for f in results.figures}
    text = Path(text_path).read_text(encoding="utf-8")
    # figures are numbered in the order the text places them, so a reference before a figure is right too
    body = re.sub(r"\{#.*?#\}", "", text, flags=re.S)  # the editors' notes name figures too
    placed = [m for m in re.findall(r"figure\(\s*[\"']([\w-]+)[\"']", body) if m in drawn]
    figure_order = {name: i + 1 for i, name in enumerate(dict.fromkeys(placed))}

    def block(html: str):
        blocks.append(typography(html))
        return Markup(f"\n\n{_BLOCK.format(len(blocks) - 1)}\n\n")

    def known(name: str) -> None:
        if name not in FIGURES:
            raise KeyError(f"figure {name!r} is not one of: {', '.join(FIGURES)}")

    def figure(name: str):
        """A figure the analysis drew, numbered in order of appearance: its title, the image (narrow on a
        phone, wide elsewhere), and under it one caption with the sources it draws on; its words are in
        story.FIGURES. A figure the data could not make for these years is left out (the text says why)."""
        known(name)
        f = drawn.get(name)
        if f is None:
            return Markup("")
        data = {size: base64.b64encode(_inside(figures_dir, file).read_bytes()).decode("ascii")
                for size, file in f["files"].items()}
        return block(env.get_template("figure.html.j2").render(
            name=name, number=figure_order[name], data=data, sources=results.publisher(f.get("source_ids", [])),
            rows=story.figure_rows(f), **story.figure_text(name)))

    def figure_ref(name: str) -> Markup:
        """'Figure 2', linked to the figure (numbered as the figures appear); '' if it is not drawn."""
        known(name)
        n = figure_order.get(name)
        return Markup(f'<a href="#fig-{name}">Figure {n}</a>') if n else Markup("")

    def verdict_table():
        return block(env.get_template("verdicts.html.j2").render(
            verdicts=results.verdicts, claims=results.claims, publisher=results.publisher, s=story))

    def sources_list():
        return block(env.get_template("sources.html.j2").render(sources=results.sources, date=fmt.date))

    def reviews():
        return block(claim_reviews(results, story))

    def byline() -> Markup:
        """'Checked by <reviewer> on 1 December 2026': a link only when a url was given (never invented)."""
        name = escape(story.reviewer)
        url = story.reviewer_url
        who = Markup(f'<a href="{escape(url)}">{name}</a>') if url else name
        the = "the " if story.reviewer == config.PROJECT_NAME else ""
        return Markup(f"Checked by {the}{who} on {escape(fmt.date(story.checked_on))}")

    def banner() -> Markup:
        """The boxed note a report on a user's series opens with (SYNTHETIC first where it says so)."""
        text = story.series_banner
        if not text:
            return Markup("")
        kind = "banner synthetic" if story.synthetic else "banner"
        return block(f'<div class="{kind}" role="note"><strong>{escape(text)}</strong></div>')

    ctx = dict(s=story, year=story.year, base=story.base, n=StrictNumbers(results), figure=figure,
               figure_ref=figure_ref, verdict_table=verdict_table, sources_list=sources_list, claim_reviews=reviews,
               byline=byline, banner=banner)
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
