"""The floor for the benchmark: the same analysis and figures as the notebooks, as one plain script.

No papermill, no kernels, no rendering. Usage: python bench/floor.py OUTPUT_DIR [REPORT_YEAR BASE_YEAR]
"""
import sys
from pathlib import Path

from techtrade import claims, config, dataset, evidence, metrics, plots, report


def main(out: Path, report_year: int = 2020, base_year: int = 2018) -> None:
    raw = dataset.load_raw(config.RAW_DIR, user_data="none")                       # 01 ingest
    tidy = evidence.figure_intervals(raw["figures"])                               # 02 clean
    q = evidence.build_quantities(tidy)
    wdi = evidence.tidy_wdi(raw["wdi"])
    verdicts = claims.check_claims(tidy, raw["claims"])                            # 03 analysis
    m = metrics.year_metrics(q, wdi, report_year, base_year)
    plots.use_style()
    src = report.source_names(["MT"], raw["sources"])
    tag = config.run_tag(report_year, base_year)
    for name, fig in (("exports", plots.fig_exports(q, report_year, base_year, src)),
                      ("trade", plots.fig_trade(q, report_year, src)),
                      ("partners", plots.fig_partners(q, report_year, src)),
                      ("wdi", plots.fig_wdi(wdi, report_year, base_year, "World Bank"))):
        if fig is not None:
            plots.save(fig, out / "figures", f"fig_{name}_{tag}")
    out.mkdir(parents=True, exist_ok=True)
    verdicts.to_csv(out / "claims.csv", index=False)
    m.to_csv(out / "metrics.csv", index=False)
    report.verdict_table(verdicts, raw["sources"])                                  # 04 narrative (its tables)


if __name__ == "__main__":
    args = sys.argv[1:]
    main(Path(args[0]), *(int(a) for a in args[1:3]))
