"""The numbers the report shows (stage 03): every one with an id, its interval, its status and sources.

``numbers`` gathers them in one table (``numbers.csv`` beside each report): the levels the figures
give or imply, the report year against the base year, year-on-year changes, the World Bank's other
measures, and each claim part's claimed and evidence intervals. The narrative reads numbers only
from this table, by id.
"""
from __future__ import annotations

import pandas as pd

from .. import config, measures
from ..clean.evidence import Key, Quantities, join_ids
from ..intervals import Interval
from .claims import Verdict, number_id

#: numbers.csv, one tidy row per number (package.py describes every column and code for analysts).
NUMBER_COLUMNS = ["id", "measure", "flow", "partner", "year", "base_year", "published_by", "lo", "hi", "unit",
                  "status", "basis", "mixed", "source_ids", "figure_ids", "statistic", "label"]
FORM_1TB = "technology exchange, Rosstat form 1-TB"
WDI = "World Bank WDI"
#: Year pairs every report states: the article's (2020 against 2018) and its one-year jump (2019 against 2018).
ARTICLE_PAIRS = ((config.ARTICLE_YEAR, config.ARTICLE_BASE_YEAR), (config.ARTICLE_YEAR - 1, config.ARTICLE_BASE_YEAR))


def growth(q: Quantities, flow: str, year: int) -> tuple[Interval | None, str]:
    """Change from the previous year, in percent; or None and why (a code: 'no_year', 'no_previous',
    'circular': the previous year's only level is derived from this year's own figure)."""
    cur, prev = q.row(year, flow), q.row(year - 1, flow)
    if cur is None:
        return None, "no_year"
    if prev is None:
        return None, "no_previous"
    if prev["status"] == "derived" and set(prev["figure_ids"].split(";")) >= set(cur["figure_ids"].split(";")):
        return None, "circular"
    return cur["iv"].pct_change(prev["iv"]), ""


def _row(id_: str, measure: str, flow: str, year, iv: Interval | None, unit: str, status: str, basis: str,
         sources: str = "", figures: str = "", *, partner: str = "", base_year=None, published_by: str = "",
         mixed: bool = False, statistic: str = FORM_1TB, label: str = "") -> dict:
    return dict(id=id_, measure=measure, flow=flow, partner=partner, year=year, base_year=base_year,
                published_by=published_by, **(iv.to_json() if iv is not None else {"lo": None, "hi": None}), unit=unit,
                status=status, basis=basis, mixed=mixed, source_ids=sources, figure_ids=figures, statistic=statistic,
                label=label)


def _src(q: Quantities, *keys: Key) -> tuple[str, str]:
    rows = [r for r in (q.row(k.year, k.flow, k.measure, k.partner) for k in keys) if r is not None]
    return join_ids(*(r["source_ids"] for r in rows)), join_ids(*(r["figure_ids"] for r in rows))


def _ends(q: Quantities, flow: str, y: int, b: int) -> tuple[bool, str]:
    """Whether a ratio or change of ``flow`` from ``b`` to ``y`` divides one publication's figure by
    another's (a ratio across two publications, or two conversions), and its basis in words."""
    a, c = q.row(y, flow), q.row(b, flow)
    mixed = set(a["source_ids"].split(";")) != set(c["source_ids"].split(";"))
    basis = f"{flow} {y} / {flow} {b}"
    if mixed:
        basis += f" (two publications: {a['source_ids']} for {y}, {c['source_ids']} for {b})"
    return mixed, basis


def _exports_ratio(q: Quantities, y: int, b: int, prefix: str = "") -> dict | None:
    """The row of exports in ``y`` against ``b`` ("ratio.exports.2020/2018"; with a prefix, what that
    publication alone says: "article.ratio.exports.2020/2018"), or None if the figures do not give it."""
    now, before = q.get(y, "exports"), q.get(b, "exports")
    if now is None or before is None or before.lo <= 0:
        return None
    mixed, basis = _ends(q, "exports", y, b)
    return _row(f"{prefix + '.' if prefix else ''}ratio.exports.{y}/{b}", "ratio", "exports", y, now / before, "ratio",
                "derived", basis, *_src(q, Key(y, "exports"), Key(b, "exports")), partner="World", base_year=b,
                published_by=prefix, mixed=mixed,
                label=f"exports in {y} against {b}" + (f", {prefix} alone" if prefix else ""))


def numbers(q: Quantities, wdi: pd.DataFrame, verdicts: list[Verdict], report_year: int, base_year: int,
            views: dict[str, Quantities] | None = None) -> pd.DataFrame:
    """Every number the report may show, one tidy row each (see the module's docstring). ``views``: what
    one publication alone says (evidence.views: 'article', 'oecd', 'spb'; ids "article.*", "oecd.*", ...),
    for sentences that name it, whatever a user's series says of the same years."""
    rows = []
    for prefix, qq in (views or {}).items():
        if not prefix:
            continue
        for k, r in qq.select(measure="level", partner="World"):
            if k.flow in ("exports", "imports"):
                rows.append(_row(f"{prefix}.{number_id(k)}", "level", k.flow, k.year, r["iv"],
                                 "USD mn", r["status"], r["basis"], r["source_ids"], r["figure_ids"], partner="World",
                                 published_by=prefix, label=f"{k.flow} in {k.year}, {prefix} alone"))
        rows += [r for y, b in ARTICLE_PAIRS if (r := _exports_ratio(qq, y, b, prefix))]
    pairs = list(dict.fromkeys([(report_year, base_year), *ARTICLE_PAIRS]))
    for k, r in sorted(q.select(measure="level"), key=lambda kr: (kr[0].flow, kr[0].partner, kr[0].year)):
        who = "" if k.partner == "World" else f" to {k.partner}"
        rows.append(_row(number_id(k), "level", k.flow, k.year, r["iv"], "USD mn", r["status"],
                         r["basis"], r["source_ids"], r["figure_ids"], partner=k.partner,
                         label=f"{k.flow}{who} in {k.year}"))
    rows += [r for y, b in pairs if (r := _exports_ratio(q, y, b))]
    for flow in ("exports", "imports"):
        for y in sorted({report_year, report_year - 1, base_year + 1} & set(q.years(flow))):
            g, why = growth(q, flow, y)
            mixed, basis = _ends(q, flow, y, y - 1) if g is not None else (False, why)
            rows.append(_row(f"change.{flow}.{y}", "change", flow, y, g, "percent",
                             "derived" if g is not None else "missing",
                             basis.replace(f"{flow} {y - 1}", f"{flow} {y - 1} \u2212 1", 1) if g is not None else why,
                             *(_src(q, Key(y, flow), Key(y - 1, flow)) if g is not None else ("", "")),
                             partner="World", base_year=y - 1, mixed=mixed,
                             label=f"change in {flow} from {y - 1} to {y}"))
    total = q.get(report_year, "exports")
    for partner, iv in q.partners(report_year).items():
        if total is not None and total.lo > 0:
            rows.append(_row(f"share.{report_year}.{partner}", "share", "exports", report_year, iv / total * 100,
                             "percent", "derived", f"exports to {partner} / exports {report_year}",
                             *_src(q, Key(report_year, "exports", partner), Key(report_year, "exports")),
                             partner=partner, label=f"{partner}'s share of exports in {report_year}"))
    for m in measures.IN_NUMBERS:
        name, code, label = m.name, m.code, m.label
        series = wdi[wdi["indicator_code"] == code].set_index("year")   # value_usd_mn: clean.evidence.tidy_wdi
        s, src = series["value"], ";".join(sorted(set(series["source_id"])))
        for y in sorted(set(s.index)):
            usd_mn = Interval.point(float(series.at[y, "value_usd_mn"]))
            rows.append(_row(f"{name}.{y}", "level", name, int(y), usd_mn, "USD mn", "published", code, src,
                             statistic=WDI, label=f"{label} in {y}"))
        for y, b in pairs:
            if b in s.index and y in s.index:
                rows.append(_row(f"ratio.{name}.{y}/{b}", "ratio", name, y, Interval.point(float(s[y]) / float(s[b])),
                                 "ratio", "derived", f"{code} {y} / {code} {b}", src, base_year=b, statistic=WDI,
                                 label=f"{label}, {y} against {b}"))
        early = [float(s[y]) for y in config.EARLY_2000S if y in s.index]
        if len(early) == len(config.EARLY_2000S) and config.ARTICLE_YEAR in s.index:
            v, first, last = float(s[config.ARTICLE_YEAR]), config.EARLY_2000S[0], config.EARLY_2000S[-1]
            rows.append(_row(f"ratio.{name}.{config.ARTICLE_YEAR}/early2000s", "ratio_to_early_2000s", name,
                             config.ARTICLE_YEAR, Interval(v / max(early), v / min(early)), "ratio", "derived",
                             f"{code} {config.ARTICLE_YEAR} / {code} in each of {first} to {last}", src,
                             statistic=WDI, label=f"{label}, {config.ARTICLE_YEAR} against each year {first} to {last}"))
    for v in verdicts:
        for which, iv, unit in (("claimed", v.claimed, v.unit), ("evidence", v.evidence, v.evidence_unit)):
            if iv is not None:
                rows.append(_row(f"{v.part_id}.{which}", which, "", None, iv, unit,
                                 "published" if which == "claimed" else "derived",
                                 "the claim" if which == "claimed" else "the other figures",
                                 ";".join(v.source_ids if which == "evidence" else v.claim_source_ids),
                                 ";".join(v.figure_ids) if which == "evidence" else "", label=f"{v.part}: {which}"))
    df = pd.DataFrame(rows, columns=NUMBER_COLUMNS)
    for c in ("year", "base_year"):
        df[c] = df[c].astype("Int64")
    return df
