#!/usr/bin/env python3
"""Benchmark: the build against an honest floor and against the plain papermill chain. Run by hand:

    .venv/bin/python bench/bench.py [--repeat 3] [--sweep 2001-2021] [--label after]

Each case runs --repeat times in ONE run of this script (compare the ratios it prints, not the seconds:
they vary from machine to machine and with what else runs), every build in a fresh process:

  floor      the work of the four notebooks and one PDF, in one process (bench/floor.py)
  cold       run_report.py into an empty folder: every stage and rendering runs
  warm       the same again: nothing changed, nothing runs
  narrative  after an edit to the report's text (notebooks/04_narrative.md): 04 and its renderings run
  year       --report-year 2021 after 2020: the shared stages are reused
  forced     --force: every stage runs again
  chain      the plain pipeline on the command line: papermill x4, jupyter nbconvert (HTML), weasyprint
  sweep      each extra report of a sweep over the SYNTHETIC full series (tests/fixtures), --jobs 2:
             (T(all years) - T(first year)) / (years - 1), for the build and for the floor
  large      the SYNTHETIC large series (tests/fixtures/large_series.py, 97,680 rows): its ingest
             (load_raw, seconds, and the peak of memory Python allocates, MiB) in a fresh process, and
             a whole build with it (HTML and PDF)

Prints the table (medians, with min and max) and the ratios; writes bench/results/<label>.json.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FIXTURE = ROOT / "tests" / "fixtures" / "synthetic_full_series.csv"
STAGES = ("01_ingest", "02_clean", "03_analysis", "04_narrative")
# run_report.py with the notebooks of another folder (the narrative case edits a copy of the text)
DRIVER = """import sys
import run_report
from techtrade.build import runner
make = runner.make_build
runner.make_build = lambda *a, **kw: make(*a, notebooks_dir=sys.argv[1], **kw)
sys.exit(run_report.main(sys.argv[2:]))
"""


def timed(*cmd, cwd=ROOT) -> tuple[float, str]:
    t0 = time.perf_counter()
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd)
    if r.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed:\n{r.stderr[-3000:]}")
    return time.perf_counter() - t0, r.stdout


def build(notebooks: Path, out: Path, *args) -> tuple[float, dict[str, float]]:
    """A build in a fresh process: its wall time, and the jobs that ran with their own times."""
    secs, log = timed(sys.executable, "-c", DRIVER, notebooks, "--output-dir", out, *args)
    return secs, {m[0]: float(m[1]) for m in re.findall(r"^  (\S+): ran \(([\d.]+) s\)$", log, flags=re.M)}


def floor(out: Path, *args) -> float:
    return timed(sys.executable, ROOT / "bench" / "floor.py", out, *args)[0]


def chain(root: Path) -> float:
    """papermill x4 (each notebook by hand, in a copy of the project), nbconvert, weasyprint."""
    shutil.copytree(ROOT / "data" / "raw", root / "data" / "raw", ignore=shutil.ignore_patterns("user"))
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    (root / "executed").mkdir()
    t0 = time.perf_counter()
    for s in STAGES:
        timed(BIN / "papermill", f"notebooks/{s}.ipynb", f"executed/{s}.ipynb", "--cwd", "notebooks", "-k", "python3",
              "--no-progress-bar", cwd=root)
    timed(BIN / "jupyter-nbconvert", "--to", "html", "--no-input", "executed/04_narrative.ipynb", "--output-dir", "report",
          "--output", "report", cwd=root)
    timed(BIN / "weasyprint", "report/report.html", "report/report.pdf", cwd=root)
    return time.perf_counter() - t0


LARGE = """import sys, time, tracemalloc
from techtrade.build import stages
from techtrade.ingest import dataset
inputs = {role: stages.ROOT / p for role, p in stages.RAW.items()}
inputs["user_series"] = sys.argv[1]
t0 = time.perf_counter()
dataset.load_raw(inputs)
took = time.perf_counter() - t0
tracemalloc.start()
dataset.load_raw(inputs)
print(took, tracemalloc.get_traced_memory()[1] / 2**20)
"""


def large(tmp: Path, notebooks: Path) -> tuple[float, float, float]:
    """The large series: (ingest s, ingest peak MiB, whole build s)."""
    sys.path.insert(0, str(ROOT))
    from tests.fixtures import large_series

    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "large.csv"
    large_series.write(path)
    took, peak = map(float, timed(sys.executable, "-c", LARGE, path)[1].split())
    return took, peak, build(notebooks, tmp / "large-out", "--data", path)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sweep", default="2001-2021", help="report years of the sweep ('' for none); base 2000")
    ap.add_argument("--label", default=time.strftime("%Y%m%d-%H%M%S"))
    ap.add_argument("--no-large", dest="large", action="store_false", help="leave out the large-table case")
    args = ap.parse_args()
    first, last = map(int, args.sweep.split("-")) if args.sweep else (0, 0)
    rows: dict[str, list[float]] = {}
    jobs: dict[str, list[float]] = {}
    tmp = Path(tempfile.mkdtemp(prefix="techtrade-bench-"))

    def add(case: str, secs: float) -> None:
        rows.setdefault(case, []).append(secs)

    try:
        for i in range(args.repeat):
            nb, out = tmp / f"notebooks{i}", tmp / f"out{i}"
            shutil.copytree(ROOT / "notebooks", nb)
            add("floor", floor(tmp / f"floor{i}"))
            secs, ran = build(nb, out, "--data", "none")
            add("cold", secs)
            for job, s in ran.items():
                jobs.setdefault(job, []).append(s)
            secs, ran = build(nb, out, "--data", "none")
            assert ran == {}, ran
            add("warm", secs)
            text = nb / "04_narrative.md"
            text.write_text(text.read_text().replace("## In short", f"## In short ({i})"))
            secs, ran = build(nb, out, "--data", "none")
            assert sorted(ran) == [f"{j}_2020-vs-2018" for j in ("04_narrative", "html", "pdf")], ran
            add("narrative", secs)
            add("year", build(nb, out, "--data", "none", "--report-year", "2021")[0])
            add("forced", build(nb, out, "--data", "none", "--force")[0])
            add("chain", chain(tmp / f"chain{i}"))
            if args.sweep:
                sweep = ("--data", FIXTURE, "--base-year", "2000")
                one = build(nb, tmp / f"one{i}", *sweep, "--report-year", str(first))[0]
                add("sweep, per extra report", (build(nb, tmp / f"sweep{i}", *sweep, "--report-year",
                                                      args.sweep)[0] - one) / (last - first))
                one = floor(tmp / f"floorone{i}", *sweep, "--report-year", str(first))
                add("floor sweep, per extra report", (floor(tmp / f"floorsweep{i}", *sweep, "--report-year",
                                                            args.sweep) - one) / (last - first))
            shutil.rmtree(tmp / f"sweep{i}", ignore_errors=True)
            for case, value in zip(("large: ingest", "large: ingest peak MiB", "large: whole build"),
                                   large(tmp / f"large{i}", nb) if args.large else ()):
                add(case, value)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in rows.items()}
    print(f"{'case':<30} median s   min s   max s   (n={args.repeat})")
    for k, v in {**rows, **{f"  cold: {j}": s for j, s in jobs.items()}}.items():
        print(f"{k:<30} {statistics.median(v):8.2f} {min(v):7.2f} {max(v):7.2f}")
    ratios = {"cold / floor (target <= 1.35)": med["cold"] / med["floor"],
              "forced / chain (target <= 0.5)": med["forced"] / med["chain"],
              "narrative / cold": med["narrative"] / med["cold"],
              "year / cold": med["year"] / med["cold"]}
    if args.sweep:
        ratios["sweep per extra report / floor's (target <= 1.3)"] = \
            med["sweep, per extra report"] / med["floor sweep, per extra report"]
    for k, v in ratios.items():
        print(f"{k}: {v:.2f}")
    print(f"warm: {med['warm']:.2f} s (target <= 0.1)")
    res = ROOT / "bench" / "results"
    res.mkdir(parents=True, exist_ok=True)
    (res / f"{args.label}.json").write_text(json.dumps({"label": args.label, "repeat": args.repeat, "cases": rows,
                                                        "jobs": jobs, "ratios": ratios}, indent=1))
    print(f"wrote {res / (args.label + '.json')}")


if __name__ == "__main__":
    main()
