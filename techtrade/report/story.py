"""What the report says, decided in Python (stage 04): the template (notebooks/04_narrative.md) reads
this object and only writes prose around it.

:class:`Story` makes every decision the text depends on: which opening (the article's years, or
another pair of years), whether the 2019 section shows, what the balance section and C5 say, which
verdicts are counted as agreement (never a check that could not have failed). Its attributes are
phrases with their numbers already in words (fmt.py: every bound rounded outward, one precision per
sentence). Figure titles, captions and alt texts are declared here too (:data:`FIGURES`), in one
place. An attribute the template names that does not exist stops the build (strict undefined).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .. import config, fmt, measures
from ..analysis.claims import says, working
from ..clean.readings import ALMOST_BELOW, fraction_band
from ..intervals import Interval
from ..results import (
    ALLOWED,
    ENTAILED,
    EXCLUDED,
    MIXED,
    OPEN,
    OTHER,
    OWN,
    PRIMARY,
    UNTESTED,
    USER_SERIES,
    Number,
    Results,
    Verdict,
    summarise,
)
from .words import country, deficit_words, rests_on, settle_words, updated_on, why_no_change

Y, B = config.ARTICLE_YEAR, config.ARTICLE_BASE_YEAR
#: The World Bank's other measures a sentence may name: numbers-table prefix -> words (measures.py).
MEASURES = {m.name: m.words for m in measures.IN_PROSE}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _and(items: list[str]) -> str:
    items = [x for x in items if x]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


@dataclass
class Story:
    """The decisions and phrases of one report. Build it with :meth:`of`."""

    r: Results
    year: int
    base: int
    article_years: bool
    data_words: str
    title: str = ""
    v: dict = field(default_factory=dict)

    @classmethod
    def of(cls, results: Results) -> "Story":
        y, b = results.report["report_year"], results.report["base_year"]
        s = cls(results, y, b, (y, b) == (Y, B), "the data given" if results.user_sources else "the sources held")
        s.v = {x.part_id: x for x in results.verdicts}
        s.title = title(results.report, results.user_sources)
        return s

    # -- a user's series, named where it matters ------------------------------------------------------
    @property
    def synthetic(self) -> bool:
        return synthetic(self.r.user_sources)

    @property
    def series_name(self) -> str:
        return series_name(self.r.user_sources)

    @property
    def your(self) -> str:
        """'your series', or 'your SYNTHETIC series' when it says it is one."""
        return "your SYNTHETIC series" if self.synthetic else "your series"

    @property
    def series_banner(self) -> str:
        """What a report on a user's series must say first: what it rests on, what of it is not used, where
        it disagrees with the publications held; SYNTHETIC first where the series says it is."""
        if not self.r.user_sources:
            return ""
        text = (f"This report rests on {self.series_name} wherever it gives a figure: its verdicts are only as good "
                "as that copy of Rosstat\u2019s table.")
        unused = int(self.r.extra.get("rows_not_used") or 0)
        if unused:
            text += (f" {unused:,} {'row' if unused == 1 else 'rows'} by category not used: the report uses the "
                     "totals over all kinds of agreement only.")
        differ = self.disagreements
        if differ:
            text += (f" It disagrees with the publications held on {len(differ)} "
                     f"{'figure' if len(differ) == 1 else 'figures'} (listed under \u201cYour series against the "
                     "publications\u201d).")
        if self.synthetic:
            text = ("SYNTHETIC: the series says it is synthetic or a test, so its numbers are invented, not data, and "
                    "nothing here is a finding. " + text)
        return text

    @property
    def disagreements(self) -> list[str]:
        """Where a user's series gives a level that a publication held (the article, another publication of
        the same statistics) excludes by more than 1% (more than a copy's rounding can explain): 'exports in
        2011, $700 million against $593 million by OECD MSTI'."""
        views = sorted({i.split(".", 1)[0] for i in self.r.numbers.rows
                        if re.fullmatch(r"[a-z]+\.(exports|imports)\.\d{4}", i)})
        out, users = [], {s["source_id"] for s in self.r.user_sources}
        for flow in ("exports", "imports"):
            for id_ in sorted(i for i in self.r.numbers.rows if re.fullmatch(rf"{flow}\.\d{{4}}", i)):
                mine = self.n(id_)
                if not mine or not users & set(mine.source_ids.split(";")):
                    continue
                for view in views:
                    theirs = self.n(f"{view}.{id_}")
                    if theirs and _apart(mine.iv, theirs.iv) > 0.01 * max(abs(theirs.iv.lo), abs(theirs.iv.hi) if
                                                                         theirs.iv.bounded else abs(theirs.iv.lo)):
                        out.append(f"{flow} in {id_.split('.')[1]}, {fmt.money_range(mine.iv)} against "
                                   f"{fmt.money_range(theirs.iv)} by {self.r.publisher(theirs.source_ids)}")
        return out

    # -- who checked, when -----------------------------------------------------------------------------
    @property
    def reviewer(self) -> str:
        return self.r.report.get("reviewer") or config.PROJECT_NAME

    @property
    def reviewer_url(self) -> str:
        return self.r.report.get("reviewer_url") or ""

    @property
    def checked_on(self) -> str:
        """The date of the check (ISO): the newest of the method's date and the dates of the publications
        the verdicts rest on, so a rebuild of the same inputs keeps it; never the build time."""
        used = {i for v in self.r.verdicts for i in v.source_ids + v.claim_source_ids}
        dates = [x["date"] for x in self.r.sources if x["source_id"] in used and len(str(x.get("date") or "")) == 10]
        return max([config.METHOD_DATE, *dates])

    # -- numbers ----------------------------------------------------------------------------------
    def n(self, id_: str) -> Number:
        return self.r.numbers[id_]

    def level(self, id_: str) -> str:
        """A level in words, '(derived)' when it is."""
        x = self.n(id_)
        return fmt.money_range(x.iv) + (" (derived)" if x and x.derived else "")

    def by(self, *ids: str) -> str:
        """Who published the numbers (the publications behind them, short names)."""
        return self.r.publisher(";".join(self.n(i).source_ids for i in ids if self.n(i)))

    def mixed(self, *ids: str) -> bool:
        """Do these numbers rest on different publications (a ratio across two)?"""
        pubs = [self.r.publication(self.n(i).source_ids) for i in ids if self.n(i)]
        return len(set(pubs)) > 1

    def across(self, y: int, b: int, flow: str = "exports") -> str:
        """', across two publications (the 2006–2021 paper for 2021, The Moscow Times for 2020)' when the
        two years of a comparison rest on different ones; '' otherwise."""
        ny, nb = f"{flow}.{y}", f"{flow}.{b}"
        return (f", across two publications ({self.by(ny)} for {y}, {self.by(nb)} for {b})"
                if self.mixed(ny, nb) else "")

    # -- the headline claim ------------------------------------------------------------------------
    @property
    def headline(self) -> Verdict:
        """The tripling: the headline, C9 (C3's ratio says it again)."""
        return self.v["C9.ratio"]

    @property
    def claim(self) -> str:
        return f"Russia\u2019s technology exports \u201chave jumped more than threefold\u201d from {B} to {Y}"

    @property
    def verdict(self) -> str:
        h = self.headline
        if h.outcome == OPEN:
            return "cannot be checked"
        if h.tier == OWN or (h.tier == MIXED and h.outcome != EXCLUDED):
            return "not confirmed"
        words = h.verdict.replace("another publication", self.r.publisher(h.source_ids))
        return words.replace("your series", self.your)

    @property
    def verdict_why(self) -> str:
        h = self.headline
        if h.tier == OWN:
            return f"Only the article publishes these figures for {B} to {Y}, and a claim cannot confirm itself."
        if h.outcome == OPEN:
            return f"No figure held gives exports for both {B} and {Y}."
        if h.tier == MIXED:
            return (f"The only figures held for those years mix the article\u2019s with {self.r.publisher(h.source_ids)}: "
                    f"{fmt.ratio(h.evidence)} (derived), which allows the claim without confirming it.")
        return (f"By {rests_on(h, self.r, short=True).replace('your series', self.your)}, exports were "
                f"{self.level('exports.' + str(B))} in {B} and {self.level('exports.' + str(Y))} in {Y}: "
                f"{fmt.ratio(h.evidence)} (derived).")

    @property
    def strongest(self) -> str:
        """The strongest evidence: the one-year jump (by the headline's own evidence where another
        publication or a primary table gives it, else by the article's own figures); then, as context, what
        other statistics did that year and over the article's two years."""
        h = self.headline
        jump = self.n(f"article.ratio.exports.{B + 1}/{B}")
        whose = "the article\u2019s own figures"
        if h.tier in (OTHER, PRIMARY) and self.n(f"ratio.exports.{B + 1}/{B}"):
            jump, whose = self.n(f"ratio.exports.{B + 1}/{B}"), rests_on(h, self.r, short=True).replace("your series", self.your)
        (verb1, one), (verb2, two) = self.measure_changes(B + 1, B), self.measure_changes(Y, B)
        context = (f"Other statistics of Russia\u2019s technology earnings (World Bank; context, not evidence) "
                   f"{verb1} {one} that year and {'' if verb1 == verb2 else verb2 + ' '}{two} over {B} to {Y} "
                   "(derived).")
        if not jump:
            return context
        return f"By {whose}, exports rose {fmt.ratio(jump.iv)} in {B + 1} alone (derived). {context}"

    def measure_changes(self, y: int, b: int) -> tuple[str, str]:
        """The other measures' changes from b to y, the smallest and the largest (each a point), and the
        verb they take: ('rose', '4.4% to 15.7%')."""
        pts = sorted(x.iv.lo * 100 - 100 for m in MEASURES if (x := self.n(f"ratio.{m}.{y}/{b}")))
        if not pts:
            return "changed by", "amounts not held"
        rose = pts[0] > 0
        d = fmt.pct_decimals(*pts)
        a, z = (fmt.pct(Interval.point(p), signed=not rose, decimals=d) for p in (pts[0], pts[-1]))
        return ("rose" if rose else "changed by"), a + (f" to {z}" if len(pts) > 1 else "")

    @property
    def settle(self) -> str:
        if self.headline.tier == PRIMARY:
            return (f"Your series stands for Rosstat\u2019s table of technology exchange for {B} to {Y}: the verdict "
                    "is as good as its copy of that table.")
        return f"Rosstat\u2019s table of technology exchange with foreign countries for {B} to {Y}."

    # -- another pair of years ----------------------------------------------------------------------
    @property
    def pair(self) -> str:
        """The report's own years: what the figures say, against what, from which publications; and that
        this pair does not test the article's claim."""
        y, b = self.year, self.base
        ny, nb = f"exports.{y}", f"exports.{b}"
        who = self.across(y, b)[2:] or f"by the figures of {self.by(ny, nb)}"
        text = (f"Russia\u2019s technology exports were {self.level(ny)} in {y} and {self.level(nb)} in {b}, {who}: "
                f"{fmt.ratio(self.n(f'ratio.exports.{y}/{b}').iv)} (derived).")
        others = [(w, self.n(f"ratio.{m}.{y}/{b}")) for m, w in MEASURES.items() if self.n(f"ratio.{m}.{y}/{b}")]
        if others:
            d = fmt.ratio_decimals(*[x.iv.lo for _, x in others])
            text += (" Over the same years " + _and([f"{w} grew {fmt.ratio(x.iv, decimals=d)}" for w, x in others])
                     + " (World Bank, other statistics: context, not evidence; derived).")
        return text + f" This pair of years does not test the article\u2019s claim about {B} to {Y}."

    # -- in short -----------------------------------------------------------------------------------
    @property
    def in_short(self) -> list[dict]:
        """One line per kind of verdict (counted parts; a restatement counts once): its label, how many,
        and which parts (or, for the open ones, only how many: the list is further down)."""
        out = []
        for kind, vs in summarise(self.r.verdicts).items():
            names = _and([f"{x.part} ({x.claim_id})" + (", read strictly (allowed, read loosely)"
                                                         if x.loose and x.loose["outcome"] != EXCLUDED else "")
                          for x in vs])
            label = {OPEN: "Open", UNTESTED: "Could not have failed"}.get(kind, _cap(kind.replace("your series",
                                                                                             self.your)))
            it = "it" if len(vs) == 1 else "them"
            text = {OPEN: "no figure held settles them",
                    UNTESTED: f"{names}: the article\u2019s own figures could not contradict {it} (lower bounds "
                              f"never conflict), so {'it is' if len(vs) == 1 else 'they are'} not counted as "
                              "agreement"}.get(kind, names)
            out.append({"label": label, "count": len(vs), "text": text, "open": kind in (OPEN, UNTESTED)})
        return out

    # -- the verdict table -----------------------------------------------------------------------------
    def says(self, v: Verdict) -> str:
        """What the part claims, as read: 'at least $4.5 billion'; '“almost”: $0.9–1.0 billion'."""
        text = says(v)
        return f"{fmt.quote(v.reading)}: {text}" if v.reading else text

    def working(self, v: Verdict) -> str:
        return working(v)

    @staticmethod
    def badge(v: Verdict) -> str:
        """The badge's colour class: only a confirmation by another publication or the primary table is
        green; a contradiction red; what follows from the article's own figures, what is merely
        allowed, what could not have failed and what is open, neutral."""
        if v.could_fail is False:
            return "untested"
        if v.outcome == ENTAILED:
            return "confirmed" if v.tier in (OTHER, PRIMARY) else "follows"
        return {EXCLUDED: "contradicted", ALLOWED: "allowed"}.get(v.outcome, "open")

    @staticmethod
    def settle_words(v: Verdict) -> str:
        return settle_words(v)

    def under(self, v: Verdict) -> list[str]:
        """The lines under a verdict: what it rests on (or the part it restates), why it could not have
        failed, the loose reading."""
        out = ([f"restates {v.restates.split('.')[0]}; counted once"] if v.restates else
               [f"rests on {rests_on(v, self.r, short=True).replace('your series', self.your)}"]
               if v.outcome != OPEN else [])
        if v.could_fail is False:
            out.append(f"could not have failed: {v.untested_because}")
        if v.loose:
            band = says(replace(v, claimed=v.loose["claimed"]))
            out.append(f"read loosely ({band}): {v.loose['verdict']}")
        return out

    # -- sections ---------------------------------------------------------------------------------------
    @property
    def years_text(self) -> str:
        """The report year against the base year, by whose figures; and the change on the year before."""
        y, b = self.year, self.base
        ny, nb = f"exports.{y}", f"exports.{b}"
        who = self.across(y, b)[2:] or f"by the figures of {self.by(ny, nb)}"
        text = (f"Exports of technology were {self.level(ny)} in {y} and {self.level(nb)} in {b}, {who}: "
                f"{fmt.ratio(self.n(f'ratio.exports.{y}/{b}').iv)} the {b} level (derived).")
        if y - 1 != b:
            change = self.n(f"change.exports.{y}")
            text += (f" Year on year, exports changed by {fmt.pct(change.iv, signed=True)} from {y - 1} "
                     f"(derived{self.across(y, y - 1)})." if change else
                     f" Year on year, no change from {y - 1} can be given: {why_no_change(change, 'exports', y)}.")
        return text

    @property
    def later(self) -> str:
        """The later figure of the same statistic another publication gives (drawn in the figures), said in
        the article's report; never for a user's series, which gives its own years."""
        x = self.n(f"exports.{Y + 1}")
        roles = {s["source_id"]: s.get("role") for s in self.r.sources}
        if not self.article_years or not x or any(roles.get(i) != "same statistics, another publication"
                                                  for i in x.source_ids.split(";")):
            return ""
        return (f"{_cap(self.by(f'exports.{Y + 1}'))} puts exports at {fmt.money_range(x.iv)} in {Y + 1}: the only "
                f"figure held after {Y}. It says nothing about {B} to {Y}.")

    @property
    def show_jump(self) -> bool:
        """The 2019 section, unless the report's own years are that jump (said once, not twice)."""
        return bool(self.n(f"article.ratio.exports.{B + 1}/{B}")) and (self.year, self.base) != (B + 1, B)

    @property
    def jump(self) -> str:
        jump = self.n(f"article.ratio.exports.{B + 1}/{B}")
        text = (f"By the article\u2019s own figures, exports rose {fmt.ratio(jump.iv)} in a single year, from {B} to "
                f"{B + 1} (derived: {B + 1} exports implied by \u201cmore than $4.5 billion\u201d in {Y}, "
                f"\u201cup 30% from {B + 1}\u201d, against \u201c$1.4 billion\u201d in {B}).")
        yours = self.n(f"ratio.exports.{B + 1}/{B}")
        if yours and not self.only_article(yours):
            text += f" By {self.r.publisher(yours.source_ids)}, they rose {fmt.ratio(yours.iv)} (derived)."
        return text

    @property
    def jump_others(self) -> str:
        ones = [(w, self.n(f"ratio.{m}.{B + 1}/{B}")) for m, w in MEASURES.items() if self.n(f"ratio.{m}.{B + 1}/{B}")]
        if not ones:
            return ""
        d = fmt.pct_decimals(*[x.iv.lo * 100 - 100 for _, x in ones])
        return ("The same year, the World Bank\u2019s other statistics changed by "
                + _and([f"{fmt.pct(_growth(x.iv), signed=True, decimals=d)} ({w})" for w, x in ones])
                + " (derived; context, not evidence).")

    @property
    def jump_settle(self) -> str:
        return (f"Rosstat\u2019s table of technology exchange for {B} and {B + 1}, or the Higher School of Economics\u2019 "
                "\u201cScience indicators\u201d for those years, would settle whether the statistic itself rose that much.")

    def only_article(self, x: Number) -> bool:
        roles = {s["source_id"]: s.get("role") for s in self.r.sources}
        ids = [i for i in str(x.source_ids).split(";") if i]
        return bool(ids) and all(roles.get(i) == "the article" for i in ids)

    @property
    def measures_text(self) -> str:
        mine = self.n(f"ratio.exports.{Y}/{B}")
        article = self.n(f"article.ratio.exports.{Y}/{B}")
        ones = [(w, self.n(f"ratio.{m}.{Y}/{B}")) for m, w in MEASURES.items() if self.n(f"ratio.{m}.{Y}/{B}")]
        d = fmt.ratio_decimals(*[x.iv.lo for _, x in ones] + ([article.iv.lo] if article else []))
        text = f"From {B} to {Y}, exports of technology grew {fmt.ratio(article.iv, decimals=d)} by the article\u2019s figures"
        if mine and not self.only_article(mine):
            text += f" and {fmt.ratio(mine.iv, decimals=d)} by {self.r.publisher(mine.source_ids)}"
        return text + "".join(f"; {w} grew {fmt.ratio(x.iv, decimals=d)}" for w, x in ones) + " (all derived)."

    @property
    def oecd_text(self) -> str:
        years = sorted(int(i.split(".")[2]) for i in self.r.numbers.rows if re.fullmatch(r"oecd\.exports\.\d{4}", i))
        if not years:
            return ""
        first, last = years[0], years[-1]
        return (f"The OECD\u2019s republication of Russia\u2019s technology balance of payments gives receipts of "
                f"{fmt.money_range(self.n(f'oecd.exports.{first}').iv)} in {first} and "
                f"{fmt.money_range(self.n(f'oecd.exports.{last}').iv)} in {last}, and stops in {last}. It publishes them "
                "in roubles and in US dollars; the dollar values are the OECD\u2019s, and Rosstat\u2019s own dollar figures "
                "for those years are not held, so whether the two agree is not known.")

    # -- imports, the balance, C5 ---------------------------------------------------------------------
    @property
    def imports_text(self) -> str:
        y = self.year
        if not self.n(f"imports.{y}"):
            return (f"{_cap(self.data_words)} have no imports figure for {y}, so neither the change in imports nor "
                    "the balance can be given for that year.")
        ich = self.n(f"change.imports.{y}")
        change = (f"a change of {fmt.pct(ich.iv, signed=True)} on {y - 1} (derived{self.across(y, y - 1, 'imports')})"
                  if ich else f"no change from {y - 1} can be given: {why_no_change(ich, 'imports', y)}")
        text = (f"Imports were {self.level(f'imports.{y}')} in {y}; {change}. The balance (exports minus imports, "
                f"derived) was {fmt.balance(self.n(f'balance.{y}').iv)}")
        if not self.article_years:
            text += f"; {deficit_words(self.r.extra['deficit'])}"
            held = [yy for yy in self.r.extra["deficit"]["held"]]
            if held and self.mixed(f"balance.{y}", *[f"balance.{yy}" for yy in held]):
                text += f" (the balances rest on different publications: {self.by(*[f'balance.{yy}' for yy in held + [y]])})"
        return text + "."

    @property
    def c5(self) -> str:
        """C5 against the earlier balances held, grouped by publication (the check's own years)."""
        c5 = self.v["C5.deficit"]
        d = c5.detail
        text = f"The article says the {Y} deficit was the lowest since {config.DEFICIT_SINCE} (C5)."
        if d.get("larger_deficit"):
            text += (" The earlier balances held " + ("include larger deficits" if d.get("smaller_deficit") else
                                                      "were all larger deficits") + f": {self.c5_years(c5)}.")
        if d.get("smaller_deficit"):
            text += f" But {fmt.year_list(d['smaller_deficit'])} had a smaller deficit: the claim does not hold."
        if d.get("missing"):
            text += f" For {fmt.year_list(d['missing'])} no balance is held, so the claim stays open."
        elif c5.outcome != OPEN:
            text += f" Every year from {config.DEFICIT_SINCE + 1} to {Y - 1} has a balance: {c5.verdict}."
        if c5.could_fail is False:
            text += f" That check could not have failed: {c5.untested_because}."
        return text

    def c5_years(self, v: Verdict) -> str:
        used = {u["id"]: u for u in v.used}
        groups: dict[str, list] = {}
        for y in v.detail.get("larger_deficit", []):
            u = used.get(f"balance.{y}")
            if u is not None:
                groups.setdefault(self.r.publisher(u["source_ids"]), []).append((y, Interval.from_json(u)))
        out = []
        for who, items in groups.items():
            if len(items) == 1:
                (y, iv), = items
                out.append(f"{y} (a deficit of {fmt.money_range(Interval(-iv.hi, -iv.lo))}, derived; {who})")
                continue
            low = min(items, key=lambda t: -t[1].hi)
            high = max(items, key=lambda t: -t[1].lo)
            span = Interval(-low[1].hi, -high[1].lo)
            unit = fmt.unit_for(span.lo, span.hi)
            out.append(f"{fmt.year_list([y for y, _ in items])} (deficits between {fmt.money(span.lo, unit, fmt.DOWN)} in "
                       f"{low[0]} and {fmt.money(span.hi, unit, fmt.UP)} in {high[0]}, derived; {who})")
        return _and(out) or "none"

    # -- markets ----------------------------------------------------------------------------------------
    @property
    def has_partners(self) -> bool:
        """Do the data hold any partner's exports in the report year?"""
        return any(re.fullmatch(rf"exports\.{self.year}\..+", i) for i in self.r.numbers.rows)

    @property
    def markets_text(self) -> str:
        y = self.year
        share, c6 = self.n(f"share.{y}.Netherlands"), self.v["C6.share"]
        text = ""
        if self.article_years:
            text = ("The article names the Netherlands as the largest market at \u201calmost $1 billion\u201d "
                    "(\u201ca quarter of all sales\u201d) and five more above $250 million each. ")
        text += (f"Against total exports of {fmt.money_range(self.n(f'exports.{y}').iv)}, the Netherlands\u2019 share "
                 f"is {fmt.pct(share.iv)} (derived).")
        if self.article_years and c6.outcome == EXCLUDED:
            q = fraction_band("a quarter")
            text += (f" \u201cA quarter\u201d rounds that share up: {fmt.pct(q)} is nearer a quarter than a fifth or a "
                     f"third, and by {rests_on(c6, self.r, short=True)} the share is {fmt.pct(c6.evidence)}, nearer a "
                     f"fifth: {c6.verdict} read strictly")
            text += (f"; read loosely ({says(replace(c6, claimed=c6.loose['claimed']))}), {c6.loose['verdict']}."
                     if c6.loose else ".")
        elif self.article_years:
            text += f" \u201cA quarter\u201d is {c6.verdict}."
        return text

    @property
    def rank_text(self) -> str:
        rank = self.v["C6.rank"]
        return f"Is it the largest market? {_cap(rank.verdict)}. {working(rank)}"

    # -- the early 2000s ------------------------------------------------------------------------------
    @property
    def early_claim(self) -> str:
        first, last = config.EARLY_2000S[0], config.EARLY_2000S[-1]
        return (f"The syndicated versions add that {Y} sales were \u201cfifteen to twenty times more than in the early "
                f"2000s\u201d (C8, read as {first} to {last}).")

    @property
    def early_text(self) -> str:
        c8 = self.v["C8.early"]
        if c8.outcome == OPEN:
            text = "No form 1-TB figure for those years is held, so it stays open"
            implied = c8.detail.get("implied_early_level")
            if implied:
                text += (f"; the claim implies an early-2000s level of "
                         f"{fmt.money_range(Interval.from_json(implied))} (derived)")
            text += "."
        else:
            text = f"The figures held make it {fmt.ratio(c8.evidence)} (derived): {c8.verdict}."
        ratios = [(w, self.n(f"ratio.{m}.{Y}/early2000s")) for m, w in MEASURES.items()
                  if self.n(f"ratio.{m}.{Y}/early2000s")]
        if ratios:
            text += (f" As context only, {_and([f'{w} in {Y} were {fmt.ratio(x.iv)}' for w, x in ratios])} their "
                     "level in each of those years (World Bank, other statistics; derived).")
        return text

    # -- what would settle the rest ---------------------------------------------------------------------
    @property
    def open_parts(self) -> list[dict]:
        """Each part not settled (open, or checked only in a way that could not have failed), and the
        series that would settle it."""
        return [{"claim": x.claim_id, "part": x.part, "needs": settle_words(x)} for x in self.r.verdicts
                if (x.outcome == OPEN or x.could_fail is False) and not x.restates]

    # -- how the words are read -------------------------------------------------------------------------
    @property
    def readings(self) -> str:
        q = fraction_band("a quarter")
        return (f"\u201cMore than\u201d is a lower bound; \u201calmost X\u201d a value a little below X (within a tenth: "
                f"\u201calmost $1 billion\u201d is {fmt.money_range(Interval(1000 * (1 - ALMOST_BELOW), 1000))}); a rounded "
                "figure spans half its rounding unit either way (\u201c$1.4 billion\u201d is $1.35\u20131.45 billion). "
                f"\u201cA quarter\u201d is read as the shares nearer a quarter than a fifth or a third, {fmt.pct(q)}; "
                "read loosely, as other approximate words such as \u201cstagnant\u201d are, it is \u00b15 percentage points. "
                "Where the two readings give different verdicts, both are shown.")

    @property
    def balance_years(self) -> list[int]:
        return sorted(int(i.split(".")[1]) for i in self.r.numbers.rows if re.fullmatch(r"balance\.\d{4}", i))

    @property
    def measures_pair(self) -> tuple[int, int]:
        """The years the measures figure compares (plots.measures_pair decided it when drawing)."""
        b, y = next((f["years"] for f in self.r.figures if f["name"] == "measures"), (B, Y))
        return y, b

    # -- figures: titles, captions and alt texts, in one place -----------------------------------------
    def figure_text(self, name: str) -> dict:
        """The title, caption and alt text of a figure (FIGURES), filled for this report."""
        return FIGURES[name](self)

    def figure_rows(self, figure: dict) -> list[dict]:
        """The numbers a figure draws, in words, for its data table (a reader who cannot see it)."""
        out = []
        for d in figure.get("data", []):
            iv = Interval.from_json(d)
            value = {"USD mn": fmt.money_range, "ratio": fmt.ratio}.get(d["unit"], fmt.pct)(iv)
            out.append({"series": d["series"], "x": d["x"], "value": value + (" (derived)" if d.get("derived") else ""),
                        "source": self.r.publisher(d.get("source_ids", ""))})
        return out


def synthetic(series: list[dict]) -> bool:
    """Does a user series say of itself that it is synthetic or a test?"""
    return any(re.search(r"\b(synthetic|test)\b", f"{x.get('title', '')} {x.get('url', '')}", flags=re.I)
               for x in series)


def series_name(series: list[dict]) -> str:
    """'your series “Rosstat, Russia in figures 2021” (my_table.csv)'; '' without one."""
    return "; ".join(f"your series {fmt.quote(x['title'])} ({x['url']})" for x in series)


def title(report: dict, series: list[dict]) -> str:
    """The report's title: its years, and the series it rests on (SYNTHETIC where it says so). Also the
    manifest's, the index page's and the data package's (publish.py)."""
    y, b = report["report_year"], report["base_year"]
    text = f"Russia\u2019s technology exports, {b} to {y}: the claims of \u201cUp Threefold Since {B}\u201d, checked"
    return text + (" against your series" + (" (SYNTHETIC)" if synthetic(series) else "") if series else "")


def full_title(data: dict) -> str:
    """The title of a report's results (03's JSON), a user's series named: its manifest's and index page's."""
    series = [s for s in data.get("sources", []) if s.get("publication") == USER_SERIES]
    return title(data["report"], series) + (f", with {series_name(series)}" if series else "")


def _apart(a: Interval, b: Interval) -> float:
    """How far apart two intervals are (0 if they overlap)."""
    return max(0.0, a.lo - b.hi, b.lo - a.hi)


def _growth(iv: Interval) -> Interval:
    return Interval(iv.lo * 100 - 100, iv.hi * 100 - 100)


#: Said under every figure that draws ranges (marks.RangeMark): the one liberty a mark takes.
_SHORT_RANGES = "A range too short to see is drawn a little longer, about its middle."


def _drawn(s: Story, name: str) -> list[dict]:
    """The numbers a figure draws (its record's data: one dict per mark, per partner on a shared row)."""
    return next((f.get("data") or [] for f in s.r.figures if f["name"] == name), [])


def _record(s: Story, name: str) -> dict:
    return next((f for f in s.r.figures if f["name"] == name), {})


_FORM = "form 1-TB exports, "   # the series of a form 1-TB level in a figure's data (plots._draw_levels)


def _publishers(s: Story, rows: list[dict]) -> list[str]:
    """Who published the form 1-TB levels drawn, in the sources list's order (the legends'): 'the article',
    'your series' ..."""
    pubs = {r["series"][len(_FORM):] for r in rows if r["series"].startswith(_FORM)}
    order = list(dict.fromkeys(x.get("publication", "") for x in s.r.sources))
    return sorted(pubs, key=lambda p: (order.index(p) if p in order else len(order), p))


def _as_given(pubs: list[str], them: str = "it") -> str:
    """'as the article and the 2006–2021 paper give it'; 'as your series gives it'."""
    return f"as {_and(pubs)} give{'s' if len(pubs) == 1 else ''} {them}" if pubs else "as the publications give it"


def _mark_words(rows: list[dict]) -> str:
    """What the marks drawn mean, said only of those drawn: an arrow (a bound), a short range."""
    kinds = {r["kind"] for r in rows}
    out = []
    if kinds & {"at least", "at most"}:
        out.append("An arrow marks a bound: the value lies beyond it, by how much the figures do not say.")
    if "range" in kinds:
        out.append(_SHORT_RANGES)
    return " ".join(out)


def _year_span(rows: list[dict]) -> tuple[int, int] | None:
    years = [r["x"] for r in rows if isinstance(r["x"], int) and r["unit"] != "ratio"]
    return (min(years), max(years)) if years else None


def _exports_fig(s: Story) -> dict:
    ratio = s.n(f"ratio.exports.{s.year}/{s.base}")
    rows = _drawn(s, "exports")
    derived = any(r["derived"] for r in rows)
    span = _year_span(rows)
    years = f"{span[0]} to {s.year}" if span and span[0] < s.year else f"to {s.year}"
    return dict(title=f"Russia\u2019s technology exports, {years}, as published{' or derived' if derived else ''}",
                caption=("Exports of technologies (receipts), Rosstat form 1-TB, in current US dollars, each year "
                         f"{_as_given(_publishers(s, rows))}{', with what we derive from them' if derived else ''}. "
                         + _mark_words(rows)).strip(),
                alt=(f"Russia\u2019s technology exports: {s.base}, {s.level(f'exports.{s.base}')}; {s.year}, "
                     f"{s.level(f'exports.{s.year}')}; {s.year} against {s.base}: {fmt.ratio(ratio.iv)}"
                     f"{' (derived)' if ratio and ratio.derived else ''}."))


def _measures_fig(s: Story) -> dict:
    y, b = s.measures_pair
    rows = _drawn(s, "measures")
    span = _year_span(rows) or (b, y)
    drawn = {r["series"] for r in rows}
    shown = [(m.name, m.words, m.legend) for m in measures.DRAWN if f"{m.legend} (World Bank)" in drawn or not rows]
    pubs = _publishers(s, rows)
    ratios = [(label, s.n(f"ratio.{m}.{y}/{b}")) for m, _, label in shown]

    def ratio_words(x) -> str:
        return fmt.ratio(x.iv) + (" (derived)" if x.derived else "")

    exports = s.n(f"ratio.exports.{y}/{b}")
    return dict(title=(f"Technology exports by form 1-TB beside other measures, {fmt.years(*span)}, "
                       f"and {y} against {b}"),
                caption=(f"Levels in current US dollars, {fmt.years(*span)}, and each measure\u2019s {y} against {b}. "
                         f"Form 1-TB exports {_as_given(pubs, 'them')}"
                         + (" (the OECD\u2019s in its own conversion to dollars)" if "OECD MSTI" in pubs else "")
                         + ", with the World Bank\u2019s "
                         + _and([f"{words}{updated_on(s.n(f'{m}.{b}'), s.r)}" for m, words, _ in shown])
                         + ". The levels are not labelled: the table under the figure gives each. "
                         + _mark_words(rows)).strip(),
                alt=(f"From {b} to {y} form 1-TB exports grew {ratio_words(exports) if exports else fmt.ratio(None)}"
                     + "".join(f", {w} {ratio_words(x)}" for w, x in ratios if x) + "."))


def _trade_fig(s: Story) -> dict:
    held = [y for y in s.balance_years if y <= s.year]
    rows = _drawn(s, "trade")
    flows = [r for r in rows if r["series"] != "balance"]
    none = "" if s.n(f"balance.{s.year}") else (
        f" There is none for {s.year}" + (": no imports figure is held for it." if not s.n(f"imports.{s.year}") else "."))
    uncertain = any(r["kind"] != "exact" for r in flows)
    if s.n(f"balance.{s.year}"):
        alt = f"Balance in {s.year}: {fmt.balance(s.n(f'balance.{s.year}').iv)}."
    elif held:
        alt = (f"No balance for {s.year}; the latest, {max(held)}: {fmt.balance(s.n(f'balance.{max(held)}').iv)}.")
    else:
        alt = f"No balance for {s.year}."
    return dict(title=f"Exports, imports and the balance: {fmt.year_list(held)}" if held
                else "Exports, imports and the balance",
                caption=(f"The years with both an exports and an imports figure, up to {s.year}: "
                         f"{fmt.year_list(held)}.{none} The balance is derived: exports minus imports"
                         f"{', each with its uncertainty' if uncertain else ''}. " + _mark_words(rows)).strip(),
                alt=alt)


def _partners_held(s: Story, year: int) -> int:
    """How many partners the numbers give a level for that year (the partners not named left out)."""
    return sum(1 for i, r in s.r.numbers.rows.items() if re.fullmatch(rf"exports\.{year}\.(.+)", i)
               and not i.endswith(".Other partners") and r.get("status") != "missing")


def _partners_fig(s: Story) -> dict:
    """A chart whose values are bounds says so in its title, each figure as fmt writes it: "Markets in
    2020: the Netherlands $0.9\u20131.0 billion; five others each at least $250 million" (the five are
    one row, as drawn)."""
    y, rows = s.year, _drawn(s, "partners")
    marked = _record(s, "partners").get("marked") or []
    bounds = [r for r in rows if r["kind"] in ("at least", "at most")]
    groups: list[tuple[list[str], dict]] = []   # partners with the same figure, as the figure draws them
    for r in rows:
        if groups and (groups[-1][1]["lo"], groups[-1][1]["hi"], groups[-1][1]["derived"]) == (r["lo"], r["hi"], r["derived"]):
            groups[-1][0].append(r["x"])
        else:
            groups.append(([r["x"]], r))
    n, held = len(rows), max(_partners_held(s, y), len(rows))

    def money(r) -> str:
        return fmt.money_range(Interval.from_json(r))

    if bounds and len(groups) <= 3:
        title = f"Markets in {y}: " + "; ".join(
            f"{country(names[0])} {money(r)}" if len(names) == 1 else
            f"{_and([country(x) for x in names])} each {money(r)}" if i == 0 else
            f"{fmt.count_words(len(names))} others each {money(r)}" for i, (names, r) in enumerate(groups))
    elif bounds:
        title = f"Markets in {y}: {fmt.count_words(len(bounds))} of the {fmt.count_words(n)} partners known only as a bound"
    else:
        title = f"Technology exports by partner, {y}" + (f": the {fmt.count_words(n)} largest" if n < held else "")
    alt = "; ".join(f"{_and(names)}: {money(r)}{' each' if len(names) > 1 else ''}"
                    f"{' (derived)' if r['derived'] else ''}" for names, r in groups)
    if not rows:  # a record from before figures carried their data
        alt = f"The Netherlands: {fmt.money_range(s.n(f'exports.{y}.Netherlands').iv)}"
    which = (f"All {fmt.count_words(n)} partners with a figure" if n >= held else
             f"The {fmt.count_words(n)} largest of the {fmt.count_words(held)} partners with a figure "
             "(every partner at least as large as the smallest shown)")
    by = "ordered by value" + (" (by its bound, where only a bound is known)" if bounds else "")
    return dict(title=title,
                caption=(f"Exports of technologies (receipts), Rosstat form 1-TB, to each partner, "
                         f"{_as_given(_publishers(s, rows), 'them')}. {which}, {by}. "
                         + ("Partners with the same figure share a row. " if any(len(g) > 1 for g, _ in groups) else "")
                         + ("An asterisk marks the partners the article names. " if marked else "")
                         + _mark_words(rows)).strip(),
                alt=alt + ("; the figures do not settle which market was largest." if bounds or not rows else "."))


FIGURES = {"measures": _measures_fig, "exports": _exports_fig, "trade": _trade_fig, "partners": _partners_fig}
