#!/usr/bin/env python3
"""Benchmark: the build against the plain-script floor, incremental rebuilds and a sweep. Run by hand:

    .venv/bin/python bench/bench.py [--repeat 3] [--label after] [--no-sweep]

Times, in ONE run, each case several times (median and spread), every build in a fresh process:
  a) floor      the same analysis and figures as one plain script (bench/floor.py)
  b) cold       full build, HTML and PDF, nothing cached (--force), with a per-job breakdown
  b') cold, no prestart   the same without booting the next stage's kernel ahead (what prestart earns)
  c) warm       the same build again, nothing changed
  d) narrative  a rebuild after an edit to the report's text (notebooks/04_narrative.md) only
  e) year       a rebuild with only the report year changed (2021 after 2020)
  f) sweep      every report year of the SYNTHETIC full series (tests/fixtures; 2001-2021 against 2000,
                21 reports, HTML and PDF, --jobs 2), cold, divided by 21 x the per-year floor (the
                floor's analysis and figures for one year, plus one PDF render)
Prints a table and writes bench/results/<label>.json and .csv. The ratios are the figures that matter:
absolute seconds vary from machine to machine.
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
FIXTURE = ROOT / "tests" / "fixtures" / "synthetic_full_series.csv"
BUILD = """
import json, sys, time
from techtrade.build import runner
a = json.loads(sys.argv[1])
t0 = time.perf_counter()
b = runner.make_build(a["years"], a.get("base", 2018), a["out"], notebooks_dir=a["notebooks"], user_data=a.get("data", "none"),
                      force=a.get("force", False), prestart=a.get("prestart", True), jobs=a.get("jobs", 2),
                      log=lambda *x: None)
runner.run(b)
t = dict(b.timings); t["ran"] = b.ran; t["wall_in_process"] = time.perf_counter() - t0
print(json.dumps(t))
"""
PDF = """
import sys, time
from techtrade.build import render
import weasyprint  # imported once, as in a sweep
html = open(sys.argv[1], encoding="utf-8").read()
times = []
for i in range(3):
    t0 = time.perf_counter(); render.to_pdf(html, sys.argv[2]); times.append(time.perf_counter() - t0)
print(sorted(times)[1])
"""


def timed(cmd) -> tuple[float, str]:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed:\n{r.stderr[-3000:]}")
    return time.perf_counter() - t0, r.stdout


def build(**a) -> tuple[float, dict]:
    secs, stdout = timed([PY, "-c", BUILD, json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in a.items()})])
    return secs, json.loads(stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--label", default=time.strftime("%Y%m%d-%H%M%S"))
    ap.add_argument("--no-sweep", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="techtrade-bench-"))
    rows: dict[str, list[float]] = {k: [] for k in ("a floor", "b cold", "b' cold, no prestart", "c warm",
                                                     "d narrative", "e year")}
    jobs: dict[str, list[float]] = {}
    sweep: dict[str, float] = {}
    try:
        nb = tmp / "notebooks"
        for i in range(args.repeat):
            rows["a floor"].append(timed([PY, str(ROOT / "bench" / "floor.py"), str(tmp / f"floor{i}")])[0])
            shutil.rmtree(nb, ignore_errors=True)
            shutil.copytree(ROOT / "notebooks", nb)
            out = tmp / f"out{i}"
            rows["b' cold, no prestart"].append(build(years=[2020], out=tmp / f"np{i}", notebooks=nb, force=True,
                                                      prestart=False)[0])
            secs, t = build(years=[2020], out=out, notebooks=nb, force=True)
            rows["b cold"].append(secs)
            for job, s in t.items():
                if isinstance(s, float) and job not in ("total", "wall_in_process"):
                    jobs.setdefault(job, []).append(s)
            rows["c warm"].append(build(years=[2020], out=out, notebooks=nb)[0])
            text = nb / "04_narrative.md"
            text.write_text(text.read_text().replace("## In short", f"## In short ({i})"))
            secs, t = build(years=[2020], out=out, notebooks=nb)
            assert sorted(t["ran"]) == ["04_narrative_2020-vs-2018", "html_2020-vs-2018", "pdf_2020-vs-2018"], t["ran"]
            rows["d narrative"].append(secs)
            rows["e year"].append(build(years=[2021], out=out, notebooks=nb)[0])
        if not args.no_sweep:
            years = list(range(2001, 2022))
            _, per = timed([PY, str(ROOT / "bench" / "floor.py"), str(tmp / "floorsweep"), "--per-year",
                            ",".join(map(str, years)), "2000", str(FIXTURE)])
            per_year = json.loads(per.strip().splitlines()[-1])["per_year_s"]
            html = tmp / "out0" / "reports" / "2020-vs-2018" / "report.html"
            pdf = float(timed([PY, "-c", PDF, str(html), str(tmp / "r.pdf")])[1].strip())
            secs, t = build(years=years, base=2000, out=tmp / "sweep", notebooks=nb, data=FIXTURE, force=True)
            sweep = {"wall_s": secs, "reports": len(years), "floor_per_year_s": per_year, "pdf_render_s": pdf,
                     "ratio": secs / (len(years) * (per_year + pdf))}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in rows.items()}
    table = []
    for k, v in {**rows, **{f"  {j}": s for j, s in sorted(jobs.items())}}.items():
        m = statistics.median(v)
        table.append({"case": k, "median_s": round(m, 3), "min_s": round(min(v), 3), "max_s": round(max(v), 3),
                      "of_cold": round(m / med["b cold"], 3) if k in rows else "",
                      "of_floor": round(m / med["a floor"], 2) if k in rows else ""})
    ratios = {"b/a cold/floor (target <= 2.7)": med["b cold"] / med["a floor"],
              "c/b warm/cold (target <= 0.02)": med["c warm"] / med["b cold"],
              "d/b narrative/cold (target <= 0.35)": med["d narrative"] / med["b cold"],
              "e/b year/cold": med["e year"] / med["b cold"],
              "prestart earns (1 - b/b')": 1 - med["b cold"] / med["b' cold, no prestart"]}
    if sweep:
        ratios["f sweep / (21 x per-year floor) (aim <= 1.0)"] = sweep["ratio"]
    w = max(len(r["case"]) for r in table)
    print(f"{'case':<{w}}  median s   min s   max s   of cold  of floor   (n={args.repeat})")
    for r in table:
        print(f"{r['case']:<{w}}  {r['median_s']:8.2f}  {r['min_s']:6.2f}  {r['max_s']:6.2f}  "
              f"{r['of_cold']!s:>8}  {r['of_floor']!s:>8}")
    if sweep:
        print(f"f sweep: {sweep['reports']} reports in {sweep['wall_s']:.1f} s; per-year floor "
              f"{sweep['floor_per_year_s']:.2f} s + PDF {sweep['pdf_render_s']:.2f} s")
    for k, v in ratios.items():
        print(f"{k}: {v:.3f}")
    res = ROOT / "bench" / "results"
    res.mkdir(parents=True, exist_ok=True)
    (res / f"{args.label}.json").write_text(json.dumps({"label": args.label, "repeat": args.repeat, "cases": rows,
                                                        "jobs": jobs, "sweep": sweep, "table": table,
                                                        "ratios": ratios, "cpus": os.cpu_count()}, indent=1))
    with open(res / f"{args.label}.csv", "w", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=list(table[0]))
        wr.writeheader()
        wr.writerows(table)
    print(f"wrote {res / (args.label + '.json')} and .csv")


if __name__ == "__main__":
    main()
