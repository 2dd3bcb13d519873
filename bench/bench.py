#!/usr/bin/env python3
"""Benchmark: the build against the plain-script floor, and incremental rebuilds. Run by hand:

    .venv/bin/python bench/bench.py [--repeat 3] [--label after]

Times, in ONE run, each case several times (median and spread), every build in a fresh process:
  a) floor     the same analysis and figures as one plain script (bench/floor.py)
  b) cold      full build, HTML and PDF, nothing cached (--force), with a per-stage breakdown
  c) warm      the same build again, nothing changed
  d) narrative a rebuild after an edit to the narrative notebook only
  e) year      a rebuild with only the report year changed (2021 after 2020)
Prints a table and writes bench/results/<label>.json and .csv. The ratios b/a, c/b, d/b, e/b are
the figures that matter: absolute seconds vary from machine to machine.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BUILD = """
import json, sys, time
from techtrade import pipeline
t0 = time.perf_counter()
b = pipeline.make_build([int(sys.argv[2])], 2018, sys.argv[1], user_data="none", force=sys.argv[3] == "1",
                        log=lambda *a: None)
pipeline.run(b)
timings = dict(b.timings)
timings["wall_in_process"] = time.perf_counter() - t0
timings["ran"] = b.ran
print(json.dumps(timings))
"""


def timed(cmd, env=None) -> tuple[float, str]:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    if r.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed:\n{r.stderr[-2000:]}")
    return time.perf_counter() - t0, r.stdout


def build(out: Path, year=2020, force=False, env=None):
    secs, stdout = timed([PY, "-c", BUILD, str(out), str(year), "1" if force else "0"], env)
    return secs, json.loads(stdout.strip().splitlines()[-1])


def cell_seconds(executed: Path) -> float:
    """Time spent inside cells (papermill records each cell's duration) = execution without kernel start."""
    nb = json.loads(executed.read_text())
    return sum(c.get("metadata", {}).get("papermill", {}).get("duration") or 0 for c in nb["cells"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--label", default=time.strftime("%Y%m%d-%H%M%S"))
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="techtrade-bench-"))
    rows: dict[str, list[float]] = {k: [] for k in ("a floor", "b cold", "c warm", "d narrative", "e year")}
    stages: dict[str, list[float]] = {}
    try:
        nb_copy = tmp / "notebooks"
        for i in range(args.repeat):
            rows["a floor"].append(timed([PY, str(ROOT / "bench" / "floor.py"), str(tmp / f"floor{i}")])[0])
            out = tmp / f"out{i}"
            shutil.rmtree(nb_copy, ignore_errors=True)
            shutil.copytree(ROOT / "notebooks", nb_copy)
            env = {**os.environ, "TECHTRADE_NOTEBOOKS_DIR": str(nb_copy)}
            secs, t = build(out, force=True, env=env)
            rows["b cold"].append(secs)
            executed = out / "reports" / "2020-vs-2018" / "executed"
            for stage in ("01_ingest", "02_clean", "03_analysis", "04_narrative"):
                job = stage if stage < "03" else f"{stage}_2020-vs-2018"
                inside = cell_seconds(executed / f"{stage}.ipynb")
                stages.setdefault(f"{stage}: kernel start and papermill", []).append(t[job] - inside)
                stages.setdefault(f"{stage}: cells", []).append(inside)
            stages.setdefault("render report HTML + PDF", []).append(t["render_2020-vs-2018"])
            stages.setdefault("render appendix HTML", []).append(t["appendix_2020-vs-2018"])
            rows["c warm"].append(build(out, env=env)[0])
            nb = json.loads((nb_copy / "04_narrative.ipynb").read_text())
            nb["cells"][0]["source"] += f"\n<!-- benchmark edit {i} -->"
            (nb_copy / "04_narrative.ipynb").write_text(json.dumps(nb, indent=1))
            secs, t = build(out, env=env)
            rows["d narrative"].append(secs)
            assert sorted(t["ran"]) == ["04_narrative_2020-vs-2018", "render_2020-vs-2018"], t["ran"]
            rows["e year"].append(build(out, year=2021, env=env)[0])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in rows.items()}
    table = []
    for k, v in {**rows, **stages}.items():
        m = statistics.median(v)
        table.append({"case": k, "median_s": round(m, 3), "min_s": round(min(v), 3), "max_s": round(max(v), 3),
                      "of_cold": round(m / med["b cold"], 3) if k in rows else "",
                      "of_floor": round(m / med["a floor"], 2) if k in rows else ""})
    ratios = {"b/a cold/floor": med["b cold"] / med["a floor"], "c/b warm/cold": med["c warm"] / med["b cold"],
              "d/b narrative/cold": med["d narrative"] / med["b cold"], "e/b year/cold": med["e year"] / med["b cold"]}
    w = max(len(r["case"]) for r in table)
    print(f"{'case':<{w}}  median s   min s   max s   of cold  of floor   (n={args.repeat})")
    for r in table:
        print(f"{r['case']:<{w}}  {r['median_s']:8.2f}  {r['min_s']:6.2f}  {r['max_s']:6.2f}  "
              f"{r['of_cold']!s:>8}  {r['of_floor']!s:>8}")
    for k, v in ratios.items():
        print(f"{k}: {v:.3f}")
    res = ROOT / "bench" / "results"
    res.mkdir(parents=True, exist_ok=True)
    (res / f"{args.label}.json").write_text(json.dumps({"label": args.label, "repeat": args.repeat, "cases": rows,
                                                        "stages": stages, "table": table, "ratios": ratios}, indent=1))
    with open(res / f"{args.label}.csv", "w", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=list(table[0]))
        wr.writeheader()
        wr.writerows(table)
    print(f"wrote {res / (args.label + '.json')} and .csv")


if __name__ == "__main__":
    main()
