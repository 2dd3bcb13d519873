"""Prose and tables of the narrative (stage 04): numbers in, escaped HTML and Markdown out.

Every value put into the report goes through :func:`safe` (text from data files is never markup),
and every number is formatted here, so the notebook's prose reads as prose.
"""
from __future__ import annotations

import html
import re

import pandas as pd

from .claims import CONSISTENT, CONTRADICTED, NOT_VERIFIABLE, REPRODUCED
from .claims import years_words as claims_years_words
from .intervals import INF, Interval

_INLINE = [(re.compile(r"\*\*(.+?)\*\*"), r"<b>\1</b>"), (re.compile(r"\*(.+?)\*"), r"<i>\1</i>"),
           (re.compile(r"`(.+?)`"), r"<code>\1</code>")]


def prose(template: str, **values) -> str:
    """Our text as HTML: paragraphs split on blank lines, '#'/'##' headings, **bold**, *italic* and
    `code` in the template only; every value is HTML-escaped and never read as markup.

    HTML rather than Markdown on purpose: Jupyter's Markdown reads "$1 billion ... $250 million"
    as mathematics, and report text is full of dollar signs.
    """
    out = []
    for block in template.strip().split("\n\n"):
        level = len(block) - len(block.lstrip("#"))
        text = block.lstrip("#").strip()
        text = html.escape(text, quote=False)
        for pattern, repl in _INLINE:
            text = pattern.sub(repl, text)
        text = text.format(**{k: html.escape(str(v), quote=False) for k, v in values.items()})
        out.append(f"<h{level}>{text}</h{level}>" if level else f"<p>{text}</p>")
    return "\n".join(out)


def years_words(years) -> str:
    """[2002, 2003, 2004, 2007] -> '2002\u20132004, 2007' (en dash, for prose)."""
    return claims_years_words(years, dash="\u2013")


def money(x: float) -> str:
    """USD mn -> '$4.5 billion' / '$250 million' (a minus sign before negatives)."""
    sign = "\u2212" if x < 0 else ""
    x = abs(x)
    if x >= 1000:
        return f"{sign}${x / 1000:,.2f} billion".replace(".00 billion", " billion")
    return f"{sign}${x:,.0f} million"


def usd_words(iv: Interval | None) -> str:
    if iv is None:
        return "not in the shipped data"
    return iv.describe(money)


def ratio_words(iv: Interval | None) -> str:
    if iv is None:
        return "not computable from the shipped data"
    return iv.describe(lambda v: f"{v:.2f} times")


def pct_words(iv: Interval | None) -> str:
    if iv is None:
        return "not computable from the shipped data"
    if iv.lo <= -100 < iv.hi < INF:  # a fall of 100% or more is no bound at all
        return f"at most {iv.hi:+.1f}%"
    return iv.describe(lambda v: f"{v:+.1f}%")


def threefold_verdict(ratio: Interval | None) -> str:
    """Is 'more than threefold' true of a ratio interval? In words."""
    if ratio is None:
        return "cannot be said with the shipped data"
    if ratio.lo > 3:
        return "holds"
    if ratio.hi <= 3:
        return "does not hold"
    return "may or may not hold: the figures allow values on both sides of three"


_BADGE = {REPRODUCED: "v-reproduced", CONSISTENT: "v-consistent", CONTRADICTED: "v-contradicted",
          NOT_VERIFIABLE: "v-unverifiable"}


def verdict_table(verdicts: pd.DataFrame, sources: pd.DataFrame) -> str:
    """The fact-check table as HTML: one row per claim part, grouped by claim."""
    pub = sources.set_index("source_id")["publisher"].to_dict()
    cols = "".join(f'<col style="width:{w}%"/>' for w in (5, 21, 12, 16, 14, 32))
    out = [f'<table class="verdicts"><colgroup>{cols}</colgroup><thead><tr><th>id</th><th>claim, as published</th><th>part</th>'
           '<th>what the claim says</th><th>verdict</th><th>the arithmetic</th></tr></thead><tbody>']
    for cid, grp in verdicts.groupby("claim_id", sort=False):
        first = True
        for r in grp.itertuples():
            out.append("<tr>")
            if first:
                srcs = ", ".join(html.escape(pub.get(s, s)) for s in str(r.claim_source_ids).split(";") if s)
                out.append(f'<td rowspan="{len(grp)}" class="cid">{html.escape(cid)}</td>'
                           f'<td rowspan="{len(grp)}" class="quote">\u201c{html.escape(str(r.claim))}\u201d'
                           f'<div class="src">{srcs}</div></td>')
                first = False
            settle = (f'<div class="settle">Would settle it: Rosstat, {html.escape(r.settle_with)}</div>'
                      if r.settle_with else "")
            out.append(f"<td>{html.escape(r.part)}</td><td>{html.escape(r.claimed)}</td>"
                       f'<td><span class="badge {_BADGE[r.verdict]}">{html.escape(r.verdict)}</span></td>'
                       f"<td>{html.escape(r.arithmetic)}{settle}</td></tr>")
    out.append("</tbody></table>")
    return "".join(out)


def settle_list(verdicts: pd.DataFrame) -> str:
    """The data that would settle each unverifiable part, as an HTML list."""
    rows = verdicts[verdicts["verdict"] == NOT_VERIFIABLE]
    items = "".join(f"<li><b>{html.escape(r.claim_id)}</b> ({html.escape(r.part)}): "
                    f"{html.escape(r.settle_with)}</li>" for r in rows.itertuples())
    return f"<ul>{items}</ul>"


def in_short(verdicts: pd.DataFrame) -> str:
    """One bullet per verdict: which claim parts got it (HTML)."""
    items = []
    for v in (REPRODUCED, CONSISTENT, CONTRADICTED, NOT_VERIFIABLE):
        rows = verdicts[verdicts["verdict"] == v]
        parts = "; ".join(f"{html.escape(r.part)} ({html.escape(r.claim_id)})" for r in rows.itertuples())
        items.append(f'<li><span class="badge {_BADGE[v]}">{html.escape(v)}</span> '
                     f'{parts if parts else "none"}</li>')
    return '<ul class="in-short">' + "".join(items) + "</ul>"


def figure_path(figures_dir, name: str):
    """A figure file named in a hand-over table, refused if the name would lead outside figures_dir."""
    from pathlib import Path

    from .errors import DataError

    base = Path(figures_dir).resolve()
    path = (base / str(name)).resolve()
    if base not in path.parents or path.suffix.lower() != ".png":
        raise DataError(f"figure {name!r}: not a PNG file inside {base}")
    return path


def figure_html(png_path: str, caption: str, number: int) -> str:
    """A figure with its caption, the PNG embedded so the HTML file stands alone."""
    import base64
    with open(png_path, "rb") as f:
        data = base64.b64encode(f.read()).decode("ascii")
    return (f'<figure class="fig"><img src="data:image/png;base64,{data}" alt="{html.escape(caption)}"/>'
            f"<figcaption><b>Figure {number}.</b> {html.escape(caption)}</figcaption></figure>")


def sources_list(sources: pd.DataFrame) -> str:
    items = []
    for r in sources.itertuples():
        date = f", {html.escape(str(r.date))}" if isinstance(r.date, str) and r.date else ""
        items.append(f'<li><b>{html.escape(r.source_id)}</b>: {html.escape(r.publisher)}, '
                     f'\u201c{html.escape(r.title)}\u201d{date}. <span class="url">{html.escape(r.url)}</span>'
                     f'<div class="quote">\u201c{html.escape(str(r.quote))}\u201d</div></li>')
    return '<ol class="sources">' + "".join(items) + "</ol>"


def source_names(source_ids, sources: pd.DataFrame) -> str:
    """'MT;SPB' -> 'The Moscow Times; St. Petersburg ...' (for figure source lines)."""
    pub = sources.set_index("source_id")["publisher"].to_dict()
    ids = [s for x in source_ids for s in str(x).split(";") if s]
    seen = list(dict.fromkeys(ids))
    return "; ".join(pub.get(s, s) for s in seen)
