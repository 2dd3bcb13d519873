#!/usr/bin/env python3
"""Build the report: run the four notebooks with papermill, render HTML and PDF.

examples:
  python run_report.py                                   # 2020 against 2018, the article's years
  python run_report.py --report-year 2021                # one year on
  python run_report.py --report-year 2019 2020 2021      # a sweep: one report per year, and an index
  python run_report.py --report-year 2019-2021 --format html
  python run_report.py --data my_rosstat_table.csv       # your own series (see docs/user_series_template.csv)
  python run_report.py --refresh-wdi                     # fetch the World Bank series anew (new dated snapshot)

outputs (under --output-dir, by default this folder):
  reports/<report>-vs-<base>/report.html, report.pdf, appendix-analysis.html, executed/*.ipynb
  reports/index.html      figures/fig_*_<report>-vs-<base>.png|svg      data/processed/*.csv
  A build replaces the previous outputs only when it succeeded; a failed build's executed
  notebooks go to build/failed/. Unchanged stages are reused (build/cache/); --force reruns all.

exit codes: 0 done; 1 a stage or a render failed; 2 bad parameters or input data; 130 interrupted.
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"run_report.py: error: {message} (see --help)\n")


def parse_args(argv=None):
    p = OneLineParser(description="Build the fact-check report of 'Russian Tech Exports Up Threefold Since 2018' "
                                  "(The Moscow Times, 2021) by running notebooks/01-04 with papermill.",
                      epilog=__doc__.split("\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--report-year", nargs="+", default=["2020"], metavar="YEAR",
                   help="the year(s) the report describes: one, several, or a range like 2019-2021 "
                        "(default: 2020, the article's year)")
    p.add_argument("--base-year", default="2018", metavar="YEAR",
                   help="the year each report year is compared with; must be earlier (default: 2018)")
    p.add_argument("--output-dir", default=str(ROOT), metavar="DIR",
                   help="where data/processed/, figures/, reports/ and build/ go (default: this folder)")
    p.add_argument("--format", nargs="+", default=["html", "pdf"], metavar="FMT",
                   help="html, pdf or both (default: both)")
    p.add_argument("--top-n", default="6", metavar="N", help="partners in the markets chart, 1 to 20 (default: 6)")
    p.add_argument("--data", default="auto", metavar="FILE",
                   help="your own primary series (format: docs/user_series_template.csv); it takes precedence "
                        "over the shipped figures where they overlap. Default: data/raw/user/"
                        "tech_exchange_series.csv if present; 'none' to ignore it")
    p.add_argument("--wdi", default="", metavar="FILE",
                   help="a World Bank file to use instead of the shipped snapshot: a refreshed snapshot or "
                        "the bulk CSV download")
    p.add_argument("--refresh-wdi", action="store_true",
                   help="fetch the World Bank series from its API into a new dated snapshot in data/raw/, then stop")
    p.add_argument("--force", action="store_true", help="run every stage, even those whose inputs did not change")
    p.add_argument("--jobs", default="2", metavar="N", help="report years built at once in a sweep (default: 2)")
    p.add_argument("--quiet", action="store_true", help="print only errors and the written paths")
    return p.parse_args(argv)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    from techtrade import pipeline
    from techtrade.errors import DataError, ParameterError

    signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM too stops cleanly, like Ctrl-C
    for name in ("traitlets", "papermill", "nbclient"):  # we report failures ourselves, in one line
        logging.getLogger(name).setLevel(logging.CRITICAL)
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, flush=True))
    t0 = time.perf_counter()
    try:
        if args.refresh_wdi:
            from techtrade.wdi import WdiError, refresh
            try:
                path = refresh()
            except WdiError as exc:
                print(f"run_report.py: WDI refresh failed, previous snapshot kept: {exc}", file=sys.stderr)
                return 1
            print(f"wrote {path} (use it with --wdi {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path})")
            return 0
        try:
            jobs = int(args.jobs)
            if not 1 <= jobs <= 8:
                raise ValueError
        except ValueError:
            raise ParameterError(f"jobs={args.jobs!r}: allowed: a whole number from 1 to 8") from None
        build = pipeline.make_build(args.report_year, args.base_year, args.output_dir, args.format,
                                    user_data=args.data, wdi_file=args.wdi or None, top_n=args.top_n,
                                    force=args.force, jobs=jobs, log=log)
        log(f"building {', '.join(build.tag(y) for y in build.report_years)} into {build.output_dir}"
            + (f" with your series {build.user_data}" if build.user_data else ""))
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
    for year, fs in files.items():
        for path in fs.values():
            print(f"wrote {path}")
    if len(files) > 1:
        print(f"wrote {Path(build.output_dir) / 'reports' / 'index.html'}")
    log(f"done in {time.perf_counter() - t0:.1f} s (ran: {len(build.ran)}, reused: {len(build.reused)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
