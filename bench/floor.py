"""The floor for the benchmark: the same analysis and figures as the notebooks, as one plain script.

No papermill, no kernels, no rendering. Usage: python bench/floor.py OUTPUT_DIR [REPORT_YEAR BASE_YEAR [DATA]]
With --per-year, it times (and prints, as JSON) the per-report part alone: what a sweep repeats per year.
"""
import json
import sys
import time
from pathlib import Path

from techtrade import results
from techtrade.analysis import claims, metrics, plots
from techtrade.build import stages
from techtrade.clean import evidence
from techtrade.ingest import dataset


def shared(data: str | None = None):
    inputs, _ = stages.paths("01_ingest")
    if data:
        inputs["user_series"] = Path(data)
    raw = dataset.load_raw(inputs)                                                  # 01 ingest
    tidy = evidence.figure_intervals(raw["figures"])                                # 02 clean
    return raw, tidy, evidence.build_quantities(tidy), evidence.tidy_wdi(raw["wdi"])


def per_year(out: Path, raw, tidy, q, wdi, report_year: int, base_year: int) -> None:
    verdicts = claims.check_claims(tidy, raw["sources"], raw["claims"])                                    # 03 analysis
    numbers = metrics.numbers(q, wdi, verdicts, report_year, base_year)
    plots.use_style()
    tag = stages.tag(report_year, base_year)
    figures = plots.save_all(plots.draw_all(q, wdi, report_year, base_year), out / "figures" / tag)
    results.save(out / f"results_{tag}.json", {"report_year": report_year, "base_year": base_year, "top_n": 6},
                 verdicts, numbers, figures, raw["sources"], raw["claims"])


def main(out: Path, report_year: int = 2020, base_year: int = 2018, data: str | None = None) -> None:
    per_year(out, *shared(data), report_year, base_year)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--per-year"]
    out = Path(args[0])
    if "--per-year" in sys.argv:  # the per-report part of the floor, timed after the shared part
        years = [int(y) for y in args[1].split(",")]
        shared_data = shared(args[3] if len(args) > 3 else None)
        t0 = time.perf_counter()
        for y in years:
            per_year(out, *shared_data, y, int(args[2]))
        print(json.dumps({"per_year_s": (time.perf_counter() - t0) / len(years)}))
    else:
        main(out, *(int(a) for a in args[1:3]), *(args[3:4]))
