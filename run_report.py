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
  reports/<report>-vs-<base>[_top<N>][_with-<your file>][_wdi-<file>]/
      report.html, report.pdf, appendix-analysis.html, verdicts.csv, verdicts.json, numbers.csv,
      manifest.json (what each file was built from), executed/*.ipynb
  reports/index.html      figures/<report>/*      data/processed/*
  New outputs replace the old ones only when the whole build succeeded; a failed stage's executed
  notebook goes to build/failed/. Unchanged stages are reused (build/cache/); --force reruns all.

exit codes: 0 done; 1 a stage or a render failed (or ran past --timeout); 2 bad parameters or input data;
  130 interrupted (Ctrl-C, SIGINT); 143 terminated (SIGTERM); 129 hung up (SIGHUP).
"""
import signal
import sys


def _interrupt(signum, frame):
    raise KeyboardInterrupt(signum)


# Ctrl-C, SIGTERM and SIGHUP all stop the build the same way, from the first line on.
for _sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
    if _sig is not None:
        signal.signal(_sig, _interrupt)


def _say(text: str) -> None:
    """One line on stderr, printable whatever the locale (file names need not be valid UTF-8)."""
    sys.stderr.write(text.encode(sys.stderr.encoding or "utf-8", "backslashreplace")
                     .decode(sys.stderr.encoding or "utf-8") + "\n")


def _interrupted(exc: KeyboardInterrupt, what: str = "the previous outputs are untouched") -> int:
    """One line, and the exit code: 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM)."""
    signum = exc.args[0] if exc.args and isinstance(exc.args[0], int) else signal.SIGINT
    _say(f"run_report.py: interrupted ({signal.Signals(signum).name}); {what}")
    return 128 + signum


try:
    import argparse
    import logging
    import time
    from pathlib import Path

    ROOT = Path(__file__).resolve().parent
except KeyboardInterrupt as _exc:
    sys.exit(_interrupted(_exc, "nothing was changed"))


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"run_report.py: error: {message} (see --help)\n")


def parse_args(argv=None):
    p = OneLineParser(description="Build the fact-check report of 'Russian Tech Exports Up Threefold Since 2018' "
                                  "(The Moscow Times, 2021) by running notebooks/01-04 with papermill.",
                      epilog=__doc__.split("\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    from techtrade.build.stages import DEFAULTS

    p.add_argument("--report-year", nargs="+", default=[str(DEFAULTS["report_year"])], metavar="YEAR",
                   help="the year(s) the report describes: one, several, or a range like 2019-2021 "
                        "(default: 2020, the article's year)")
    p.add_argument("--base-year", default=str(DEFAULTS["base_year"]), metavar="YEAR",
                   help="the year each report year is compared with; must be earlier (default: 2018)")
    p.add_argument("--output-dir", default=str(ROOT), metavar="DIR",
                   help="where data/processed/, figures/, reports/ and build/ go (default: this folder)")
    p.add_argument("--format", nargs="+", default=["html", "pdf"], metavar="FMT",
                   help="html, pdf or both (default: both); a file of the other format already there is kept")
    p.add_argument("--top-n", default=str(DEFAULTS["top_n"]), metavar="N",
                   help="partners in the markets chart, 1 to 20 (default: 6)")
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
    p.add_argument("--jobs", default="2", metavar="N", help="reports built at once in a sweep, 1 to 8 (default: 2)")
    p.add_argument("--timeout", default="600", metavar="SECONDS",
                   help="the longest a notebook may run; one that runs longer is stopped and the build fails "
                        "(default: 600)")
    p.add_argument("--reviewer", default="", metavar="NAME",
                   help="who checked, as the byline and the ClaimReview data name them (default: the project's name)")
    p.add_argument("--reviewer-url", default="", metavar="URL",
                   help="the reviewer's address, linked from the byline (default: none; never invented)")
    p.add_argument("--site-url", default="", metavar="URL",
                   help="the address the report will be published at: each claim's ClaimReview url is it plus "
                        "the claim's anchor (default: the anchor alone)")
    p.add_argument("--quiet", action="store_true", help="print only errors and the written paths")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from techtrade.build import runner
    from techtrade.errors import DataError, ParameterError

    for name in ("traitlets", "papermill", "nbclient"):  # we report failures ourselves, in one line
        logging.getLogger(name).setLevel(logging.CRITICAL)
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, flush=True))
    t0 = time.perf_counter()
    try:
        if args.refresh_wdi:
            from techtrade.ingest.wdi import WdiError, refresh
            try:
                path = refresh()
            except WdiError as exc:
                _say(f"run_report.py: WDI refresh failed, previous snapshot kept: {exc}")
                return 1
            print(f"wrote {path} (use it with --wdi {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path})")
            return 0
        build = runner.make_build(args.report_year, args.base_year, args.output_dir, args.format,
                                  user_data=args.data, wdi_file=args.wdi or None, top_n=args.top_n,
                                  force=args.force, jobs=args.jobs, timeout=args.timeout, reviewer=args.reviewer,
                                  reviewer_url=args.reviewer_url, site_url=args.site_url, log=log,
                                  note=lambda text: _say(f"run_report.py: note: {text}"))
        result = runner.run(build)
    except (ParameterError, DataError) as exc:
        _say(f"run_report.py: error: {exc}")
        return 2
    except runner.BuildError as exc:
        _say(f"run_report.py: build failed: {exc}")
        return 1
    except KeyboardInterrupt as exc:
        return _interrupted(exc, "the new outputs were published" if getattr(exc, "published", False)
                            else "the previous outputs are untouched")
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        _say(f"run_report.py: build failed: {exc.strerror or exc}{where}; the previous outputs are untouched")
        return 1
    for fs in result.files.values():
        for path in fs.values():
            print(f"wrote {path}")
    if len(result.files) > 1:
        print(f"wrote {build.output_dir / 'reports' / 'index.html'}")
    log(f"done in {time.perf_counter() - t0:.1f} s (ran: {len(result.ran)}, reused: {len(result.reused)})")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as exc:  # during start-up, before main() could catch it
        sys.exit(_interrupted(exc))
