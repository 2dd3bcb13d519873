#!/usr/bin/env python3
"""Build the report: run the four notebooks with papermill, render HTML and PDF.

    python run_report.py                       # report year 2020 against 2018 (the article's years)
    python run_report.py --report-year 2021    # the same checks, one year on

Outputs (under --output-dir, by default this folder):
    reports/<report>-vs-<base>/report.html, report.pdf, appendix-analysis.html, executed/*.ipynb
    figures/fig_*_<report>-vs-<base>.png|svg     data/processed/*.csv     reports/index.html
A failed build leaves the previous outputs untouched; its executed notebooks go to build/failed/.
Exit codes: 0 done, 1 a stage failed, 2 bad parameters or input data, 130 interrupted.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"run_report.py: error: {message} (see --help)\n")


def parse_args(argv=None):
    p = OneLineParser(description="Build the fact-check report of 'Russian Tech Exports Up Threefold Since 2018' "
                                  "(HTML and PDF) by running notebooks/01-04 with papermill.",
                      formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--report-year", default="2020", metavar="YEAR",
                   help="the year whose figures the report describes (default: 2020, the article's year)")
    p.add_argument("--base-year", default="2018", metavar="YEAR",
                   help="the year the report year is compared with; must be earlier (default: 2018)")
    p.add_argument("--output-dir", default=str(ROOT), metavar="DIR",
                   help="where data/processed, figures/ and reports/ are written (default: this folder)")
    p.add_argument("--format", nargs="+", default=["html", "pdf"], metavar="FMT",
                   help="html, pdf or both (default: both)")
    p.add_argument("--quiet", action="store_true", help="print only errors and the final paths")
    return p.parse_args(argv)


def _year(name, value):
    from techtrade.metrics import ParameterError
    try:
        return int(value)
    except ValueError:
        raise ParameterError(f"{name}={value!r}: not a year; give a whole year like 2020") from None


def main(argv=None) -> int:
    args = parse_args(argv)
    from techtrade import pipeline
    from techtrade.dataset import DataError
    from techtrade.metrics import ParameterError

    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, flush=True))
    t0 = time.perf_counter()
    try:
        report_year = _year("--report-year", args.report_year)
        base_year = _year("--base-year", args.base_year)
        formats = tuple(args.format)
        pipeline.check_parameters(report_year, base_year, formats)
        build = pipeline.Build(report_year, base_year, Path(args.output_dir), formats, log=log)
        log(f"Building report {build.tag} into {Path(args.output_dir).resolve()}")
        files = pipeline.run(build)
    except (ParameterError, DataError) as exc:
        print(f"run_report.py: error: {exc}", file=sys.stderr)
        return 2
    except pipeline.BuildError as exc:
        print(f"run_report.py: build failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("run_report.py: interrupted; the previous report is untouched", file=sys.stderr)
        return 130
    for name, path in files.items():
        print(f"wrote {path}")
    log(f"done in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
