"""The build, declared once: each stage's notebook, its parameters, and the files it reads and writes (paths
relative to the project; ``{tag}`` is the report's name, ``2020-vs-2018``)."""
from __future__ import annotations

import json
import re
from collections import namedtuple
from pathlib import Path

from ..config import ARTICLE_BASE_YEAR, ARTICLE_YEAR, ROOT

#: The shipped inputs, by role; ``user_series`` is used when it exists (or is given).
RAW = {
    "sources": "data/raw/sources.csv",
    "claims": "data/raw/claims.csv",
    "figures": "data/raw/tech_exchange_figures.csv",
    "wdi": "data/raw/wdi_russia_2021-09-15.csv",
    "wdi_ict": "data/raw/wdi_russia_ict_2026-02-24.csv",
    "oecd": "data/raw/oecd_msti_russia_2018.csv",
    "user_series": "data/raw/user/tech_exchange_series.csv",
}
#: Which series data/processed/ was made from ({"variant": "with-my-table"}), by a build or 01_ingest by hand
SERIES = "data/processed/00_series.json"

#: Parameters a stage may take, with their defaults (the article's years; six partners; no reviewer, no address)
DEFAULTS = {"report_year": ARTICLE_YEAR, "base_year": ARTICLE_BASE_YEAR, "top_n": 6, "reviewer": "", "reviewer_url": "",
            "site_url": ""}


class Stage(namedtuple("Stage", "name what per_year params reads writes package optional", defaults=("", ()))):
    """A stage: its notebook is notebooks/<name>.ipynb; ``what`` it does, one line for the README; run once per
    build or, ``per_year``, once per report; its value ``params`` (besides ``inputs`` and ``outputs``); what it
    ``reads`` and ``writes``, role -> path (a path ending in "/" is a folder the stage fills); the ``package``
    of its logic (techtrade/<package>/, tested in tests/<package>/); the roles of its ``optional`` inputs."""
    __slots__ = ()

    @property
    def notebook(self) -> str:
        return f"notebooks/{self.name}.ipynb"

    @property
    def executed(self) -> str:
        return f"reports/{{tag}}/executed/{self.name}.ipynb" if self.per_year else f"executed/{self.name}.ipynb"


STAGES = (
    Stage("01_ingest", "read and validate the raw files", False, (),
          reads=dict(RAW),
          writes={"figures": "data/processed/01_figures.csv", "sources": "data/processed/01_sources.csv",
                  "claims": "data/processed/01_claims.csv", "wdi": "data/processed/01_wdi.csv",
                  "oecd": "data/processed/01_oecd.csv", "notes": "data/processed/01_notes.csv"},
          package="ingest", optional=("user_series",)),
    Stage("02_clean", "figures to intervals; derived values flagged", False, (),
          reads={"figures": "data/processed/01_figures.csv", "wdi": "data/processed/01_wdi.csv",
                 "sources": "data/processed/01_sources.csv"},
          writes={"figures": "data/processed/02_figures.csv", "quantities": "data/processed/02_quantities.csv",
                  "wdi": "data/processed/02_wdi.csv", "years": "data/processed/02_years.json"},
          package="clean"),
    Stage("03_analysis", "claim verdicts, numbers and figures", True, ("report_year", "base_year", "top_n"),
          reads={"figures": "data/processed/02_figures.csv", "quantities": "data/processed/02_quantities.csv",
                 "wdi": "data/processed/02_wdi.csv", "claims": "data/processed/01_claims.csv",
                 "sources": "data/processed/01_sources.csv", "notes": "data/processed/01_notes.csv",
                 "years": "data/processed/02_years.json"},
          writes={"results": "data/processed/03_results_{tag}.json",
                  "verdicts": "data/processed/03_verdicts_{tag}.csv",
                  "numbers": "data/processed/03_numbers_{tag}.csv",
                  "figures": "figures/{tag}/"},
          package="analysis"),
    Stage("04_narrative", "the report: Markdown text filled with the results", True,
          ("report_year", "base_year", "top_n", "reviewer", "reviewer_url", "site_url"),
          reads={"text": "notebooks/04_narrative.md", "results": "data/processed/03_results_{tag}.json",
                 "figures": "figures/{tag}/"},
          writes={},
          package="report"),
)
BY_NAME = {s.name: s for s in STAGES}
SHARED = tuple(s for s in STAGES if not s.per_year)
PER_YEAR = tuple(s for s in STAGES if s.per_year)
#: What the build makes from the stages' outputs for each report, in its own process (render.<kind>): kind ->
#: (the --format that asks for it; what it reads; what it writes). A report's title is for its manifest only.
MADE = {
    "files": ("", {r: BY_NAME["03_analysis"].writes[r] for r in ("results", "verdicts", "numbers")},
              {**{n: f"reports/{{tag}}/{n}" for n in ("verdicts.csv", "numbers.csv", "verdicts.json",
                                                     "datapackage.json")}, "title": "titles/{tag}.txt"}),
    "html": ("html", {"notebook": BY_NAME["04_narrative"].executed}, {"page": "reports/{tag}/report.html"}),
    "appendix": ("html", {"notebook": BY_NAME["03_analysis"].executed},
                 {"page": "reports/{tag}/appendix-analysis.html"}),
    "pdf": ("pdf", {"notebook": BY_NAME["04_narrative"].executed}, {"page": "reports/{tag}/report.pdf"}),
}


def tag(report_year: int, base_year: int, top_n: int = DEFAULTS["top_n"], variant: str = "") -> str:
    """The report's name: ``2020-vs-2018``; other parameters that shape it are added (``_top3``)."""
    return f"{report_year}-vs-{base_year}" + (f"_top{top_n}" if top_n != DEFAULTS["top_n"] else "") + \
        (f"_{variant}" if variant else "")


def variant(user_series: Path | None = None, wdi: Path | None = None) -> str:
    """What a report's name says of its inputs: ``with-<your file>``, ``wdi-<World Bank file>``."""
    slugs = ((prefix, re.sub(r"[^a-z0-9]+", "-", Path(p).stem.lower()).strip("-")[:40].strip("-"))
             for prefix, p in (("with", user_series), ("wdi", wdi)) if p)
    return "_".join(f"{prefix}-{slug or 'file'}" for prefix, slug in slugs)


def resolve(path: str, tag_: str | None) -> str:
    """A declared path, ``{tag}`` replaced by the report's name."""
    return path.replace("{tag}", tag_) if "{tag}" in path else path


def paths(stage: str, inputs: dict | None = None, outputs: dict | None = None, *, root: Path | str | None = None,
          **params) -> tuple[dict[str, Path], dict[str, Path]]:
    """A notebook's ``inputs`` and ``outputs``: those the build passed, or by hand (both None) the project's
    own folders (under ``root``; else the folder above ``notebooks/`` when run from there, else this project).
    By hand, 01_ingest records the series it reads (SERIES), and a per-report stage names its outputs for it,
    as the build names the report (``2020-vs-2018_with-my-table``)."""
    s, here = BY_NAME[stage], Path.cwd()
    if root is None:
        root = here.parent if here.name == "notebooks" and (here.parent / "data" / "raw").is_dir() else ROOT
    root = Path(root)
    by_hand, record, series = inputs is None and outputs is None, root / SERIES, ""
    if s.per_year and by_hand:
        try:
            series = json.loads(record.read_text())["variant"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
    t = tag(**{k: params.get(k, DEFAULTS[k]) for k in ("report_year", "base_year", "top_n")}, variant=series)
    ins = {k: Path(v) if v else None for k, v in inputs.items()} if inputs is not None else \
        {role: root / resolve(p, t) for role, p in s.reads.items()}
    outs = {k: Path(v) for k, v in outputs.items()} if outputs is not None else \
        {role: root / resolve(p, t) for role, p in s.writes.items()}
    ins.update({role: None for role in s.optional if ins.get(role) and not ins[role].exists()})  # absent
    if by_hand and stage == "01_ingest":
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps({"variant": variant(ins["user_series"])}))
    return ins, outs
