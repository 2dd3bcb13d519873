#!/usr/bin/env python3
"""Build the report: run the four notebooks with papermill, render HTML and PDF.

examples:
  python run_report.py                                   # 2020 against 2018, the article's years
  python run_report.py --report-year 2021                # one year on
  python run_report.py --report-year 2019 2020 2021      # a sweep: one report per year, and an index
  python run_report.py --report-year 2019-2021 --format html
  python run_report.py --data my_rosstat_table.csv       # your own series (see docs/user_series_template.csv)
  python run_report.py --refresh-wdi                     # fetch the World Bank series anew (new dated snapshot)

outputs: reports/<report>/ (report.html, report.pdf, the appendix, verdicts, numbers, manifest.json ...),
  reports/index.html, figures/<report>/, data/processed/, all put in place only once the whole build has
  succeeded (see the README); unchanged stages are reused from build/cache/.

exit codes: 0 done; 1 a stage or a render failed (or ran past --timeout); 2 bad parameters or input data;
  130 interrupted (Ctrl-C, SIGINT); 143 terminated (SIGTERM); 129 hung up (SIGHUP).
"""
import signal
import sys


def _interrupt(signum, frame):
    raise KeyboardInterrupt(signum)


for _sig in (signal.SIGTERM, signal.SIGHUP):  # they stop a build as Ctrl-C does, from here on
    signal.signal(_sig, _interrupt)


def _say(text: str) -> None:
    """One line on stderr, printable whatever the locale (file names need not be valid UTF-8)."""
    encoding = sys.stderr.encoding or "utf-8"
    sys.stderr.write(text.encode(encoding, "backslashreplace").decode(encoding) + "\n")


def _interrupted(exc: KeyboardInterrupt) -> int:
    """One line; the exit code is 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM)."""
    signum = exc.args[0] if exc.args and isinstance(exc.args[0], int) else signal.SIGINT
    done = ("the new outputs were published" if getattr(exc, "published", False)
            else "the previous outputs are untouched")
    _say(f"run_report.py: interrupted ({signal.Signals(signum).name}); {done}")
    return 128 + signum


def main(argv=None) -> int:
    import argparse
    import logging
    import time

    from techtrade.build import runner
    from techtrade.build.params import FORMATS, Build
    from techtrade.build.stages import DEFAULTS, ROOT
    from techtrade.errors import DataError, ParameterError

    class OneLineParser(argparse.ArgumentParser):
        def error(self, message):
            self.exit(2, f"run_report.py: error: {message} (see --help)\n")

    p = OneLineParser(description="Build the fact-check report of 'Russian Tech Exports Up Threefold Since 2018' "
                                  "(The Moscow Times, 2021) by running notebooks/01-04 with papermill.",
                      epilog=__doc__.split("\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    for option, default, metavar, text in [  # a list default takes one value or more
        ("--report-year", [str(DEFAULTS["report_year"])], "YEAR", "the year(s) the report describes: one, several, "
         f"or a range like 2019-2021 (default: {DEFAULTS['report_year']}, the article's)"),
        ("--base-year", str(DEFAULTS["base_year"]), "YEAR",
         f"the year compared with; before each report year (default: {DEFAULTS['base_year']})"),
        ("--output-dir", str(ROOT), "DIR",
         "where data/processed/, figures/, reports/ and build/ go (default: this folder)"),
        ("--format", list(FORMATS), "FMT", "html, pdf or both (default: both); a file of the other format is kept"),
        ("--top-n", str(DEFAULTS["top_n"]), "N",
         f"partners in the markets chart, 1 to 20 (default: {DEFAULTS['top_n']})"),
        ("--data", "auto", "FILE", "your own primary series (docs/user_series_template.csv), preferred where it "
         "overlaps the shipped figures (default: data/raw/user/tech_exchange_series.csv if present; 'none')"),
        ("--wdi", "", "FILE",
         "a World Bank file instead of the shipped snapshot: a refreshed one or the bulk CSV download"),
        ("--jobs", str(Build.jobs), "N", f"reports built at once in a sweep, 1 to 8 (default: {Build.jobs})"),
        ("--timeout", f"{Build.timeout:g}", "SECONDS",
         f"the longest a notebook may run, or the build fails (default: {Build.timeout:g})"),
        ("--reviewer", "", "NAME", "who checked, in the byline and ClaimReview (default: the project's name)"),
        ("--reviewer-url", "", "URL", "the reviewer's address, linked from the byline (default: none)"),
        ("--site-url", "", "URL",
         "where the report will be published: ClaimReview's url (default: the claim's anchor)"),
    ]:
        p.add_argument(option, default=default, metavar=metavar, help=text,
                       nargs="+" if isinstance(default, list) else None)
    for flag, text in [("--refresh-wdi", "fetch the World Bank series into a new dated snapshot in data/raw/, then"
                                         " stop"),
                       ("--force", "run every stage, even those whose inputs did not change"),
                       ("--quiet", "print only errors and the written paths")]:
        p.add_argument(flag, action="store_true", help=text)
    args = vars(p.parse_args(argv))

    for name in ("traitlets", "papermill", "nbclient"):  # failures are reported here, in one line
        logging.getLogger(name).setLevel(logging.CRITICAL)
    log = (lambda *a: None) if args.pop("quiet") else (lambda *a: print(*a, flush=True))
    t0 = time.perf_counter()
    try:
        if args.pop("refresh_wdi"):
            from techtrade.ingest.wdi import WdiError, refresh
            try:
                path = refresh()
            except WdiError as exc:
                _say(f"run_report.py: WDI refresh failed, previous snapshot kept: {exc}")
                return 1
            print(f"wrote {path} (use it with --wdi {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path})")
            return 0
        renamed = {"report_years": "report_year", "formats": "format", "user_data": "data", "wdi_file": "wdi"}
        build = runner.make_build(**{new: args.pop(old) for new, old in renamed.items()}, **args, log=log,
                                  note=lambda text: _say(f"run_report.py: note: {text}"))
        result = runner.run(build)
    except (ParameterError, DataError) as exc:
        _say(f"run_report.py: error: {exc}")
        return 2
    except runner.BuildError as exc:
        _say(f"run_report.py: build failed: {exc}")
        return 1
    except KeyboardInterrupt as exc:
        return _interrupted(exc)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        _say(f"run_report.py: build failed: {exc.strerror or exc}{where}; the previous outputs are untouched")
        return 1
    for path in [p for fs in result.files.values() for p in fs.values()]:
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
