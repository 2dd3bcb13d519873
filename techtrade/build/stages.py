"""The build, declared once: each stage's notebook, its parameters, and the files it reads and writes.

Everything else follows from this table. ``run_report.py`` hands each notebook its input and output
paths as papermill parameters (``inputs`` and ``outputs``, as Ploomber does), the cache key of a stage
is made from exactly the files it reads, and a notebook run by hand in JupyterLab asks this table for
the project's own folders (see :func:`paths`). The README's layout table is tested against it.

Paths are written relative to the project (``data/raw/...``, ``data/processed/...``, ``figures/...``,
``notebooks/...``); ``{tag}`` stands for the report's name, for example ``2020-vs-2018``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

#: The shipped inputs, by role. ``user_series`` is optional: used when the file exists (or is given).
RAW = {
    "sources": "data/raw/sources.csv",
    "claims": "data/raw/claims.csv",
    "figures": "data/raw/tech_exchange_figures.csv",
    "wdi": "data/raw/wdi_russia_2021-09-15.csv",
    "wdi_ict": "data/raw/wdi_russia_ict_2026-02-24.csv",
    "oecd": "data/raw/oecd_msti_russia_2018.csv",
    "user_series": "data/raw/user/tech_exchange_series.csv",
}
OPTIONAL = ("user_series",)
#: Which series the files in data/processed/ were made from (``{"variant": "with-my-table"}``): written
#: by a build when it publishes them, and by 01_ingest run by hand; per-report files are named from it.
SERIES = "data/processed/00_series.json"

#: Parameters a stage may take, with their defaults (the article's years; six partners in the chart; the
#: project as reviewer, no reviewer's address, no page address: a link only where one is given).
DEFAULTS = {"report_year": 2020, "base_year": 2018, "top_n": 6, "reviewer": "", "reviewer_url": "", "site_url": ""}


@dataclass(frozen=True)
class Stage:
    name: str                       # the notebook is notebooks/<name>.ipynb
    what: str                       # one line, for the README and the log
    per_year: bool                  # False: run once per build; True: once per report
    params: tuple[str, ...]         # value parameters (besides ``inputs`` and ``outputs``)
    reads: dict[str, str]           # role -> path
    writes: dict[str, str]          # role -> path; a path ending in "/" is a folder the stage fills
    package: str = ""               # its logic: techtrade/<package>/, tested in tests/<package>/
    optional: tuple[str, ...] = field(default=())

    @property
    def notebook(self) -> str:
        return f"notebooks/{self.name}.ipynb"


STAGES = (
    Stage("01_ingest", "read and validate the raw files", False, (),
          reads=dict(RAW),
          writes={"figures": "data/processed/01_figures.csv", "sources": "data/processed/01_sources.csv",
                  "claims": "data/processed/01_claims.csv", "wdi": "data/processed/01_wdi.csv",
                  "oecd": "data/processed/01_oecd.csv", "notes": "data/processed/01_notes.csv"},
          package="ingest",
          optional=OPTIONAL),
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


def tag(report_year: int, base_year: int, top_n: int = DEFAULTS["top_n"], variant: str = "") -> str:
    """The report's name: ``2020-vs-2018``; other parameters that shape it are added (``_top3``)."""
    t = f"{report_year}-vs-{base_year}"
    if top_n != DEFAULTS["top_n"]:
        t += f"_top{top_n}"
    return t + (f"_{variant}" if variant else "")


def variant(user_series: Path | None = None, wdi: Path | None = None) -> str:
    """What a report's name says of its inputs: ``with-<your file>``, ``wdi-<World Bank file>``."""
    parts = [f"{prefix}-{_slug(Path(p).stem)}" for prefix, p in (("with", user_series), ("wdi", wdi)) if p]
    return "_".join(parts)


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")
    return s or "file"


def resolve(path: str, tag_: str | None) -> str:
    if "{tag}" in path:
        if tag_ is None:
            raise ValueError(f"{path}: a per-report path needs the report's tag")
        path = path.replace("{tag}", tag_)
    return path


def project_root() -> Path:
    """The project a notebook run by hand belongs to: the folder above ``notebooks/`` when it runs
    from there (JupyterLab's default), else the one this module was installed from."""
    here = Path.cwd()
    return here.parent if here.name == "notebooks" and (here.parent / "data" / "raw").is_dir() else ROOT


def paths(stage: str, inputs: dict | None = None, outputs: dict | None = None, *, root: Path | str | None = None,
          **params) -> tuple[dict[str, Path], dict[str, Path]]:
    """A notebook's ``inputs`` and ``outputs``: those run_report.py passed, or, when a notebook is run
    by hand (both None), the project's own folders (under ``root``), named from the stage table. By
    hand, 01_ingest records which series it reads (:data:`SERIES`), and a per-report stage names its
    outputs for that series, as run_report.py names the report (``2020-vs-2018_with-my-table``)."""
    s = BY_NAME[stage]
    root = project_root() if root is None else Path(root)
    by_hand = inputs is None and outputs is None
    record = root / SERIES
    t = None
    if s.per_year:
        try:
            series = json.loads(record.read_text())["variant"] if by_hand else ""
        except (OSError, ValueError, KeyError, TypeError):
            series = ""
        t = tag(**{k: params.get(k, DEFAULTS[k]) for k in ("report_year", "base_year", "top_n")}, variant=series)

    def own(decl):
        return {role: Path(root) / resolve(p, t) for role, p in decl.items()}

    ins = own(s.reads) if inputs is None else {k: Path(v) if v else None for k, v in inputs.items()}
    outs = own(s.writes) if outputs is None else {k: Path(v) for k, v in outputs.items()}
    for role in s.optional:  # an optional input that is absent is None
        if ins.get(role) is not None and not ins[role].exists():
            ins[role] = None
    if by_hand and stage == "01_ingest":
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps({"variant": variant(ins["user_series"])}))
    return ins, outs


def layout_rows() -> list[tuple[str, str, str, str, str]]:
    """(stage, notebook, what, its logic, its tests): the README's layout table, from this declaration."""
    return [(s.name.split("_", 1)[1], f"`{s.notebook}`", s.what, f"`techtrade/{s.package}/`", f"`tests/{s.package}/`")
            for s in STAGES]


if __name__ == "__main__":  # python -m techtrade.build.stages: the README's layout table
    print("| stage | notebook | what it does | its logic | its tests |\n|---|---|---|---|---|")
    for row in layout_rows():
        print("| " + " | ".join(row) + " |")
