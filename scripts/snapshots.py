#!/usr/bin/env python3
"""Snapshots of the reports, to look at as a reader would: every report year of the shipped data and a
build with a user's series, the HTML at 1280 and 390 px wide (headless Chromium) and every PDF page
(pdftoppm). Not part of CI. Run it, then open the images.

    .venv/bin/python scripts/snapshots.py [--out snapshots] [--years 2011 2020] [--data FILE]

Needs Debian's `chromium` (for the HTML) and `poppler-utils` (for the PDF); what is missing is skipped
with a note. The user-series build uses tests/fixtures/synthetic_full_series.csv by default: SYNTHETIC
numbers, as its report says, for looking at the layout only. Also prints, for each PDF page, how much
of it is used (the last page aside, a page under about 70% is a layout problem).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--force-device-scale-factor=1"]


def build(out: Path, years: list[int], base: int, data: str | None) -> dict[str, dict[str, Path]]:
    from techtrade.build import runner
    b = runner.make_build(years, base, out, user_data=data or "none", log=lambda *a: None)
    return runner.run(b).files


def screenshot(html: Path, png: Path, width: int) -> None:
    """The whole page at ``width`` CSS px, however long (Chromium through Playwright, as the browser test)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS[1:])
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(html.as_uri())
        page.screenshot(path=str(png), full_page=True)
        browser.close()


def pdf_pages(pdf: Path, prefix: Path) -> list[float]:
    """Each page as PNG (pdftoppm), and the share of each page's height that is used."""
    from PIL import Image, ImageChops

    for old in prefix.parent.glob(prefix.name + "-*.png"):  # a report that shrank leaves no stale pages
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(prefix)], check=True, timeout=120)
    used = []
    for page in sorted(prefix.parent.glob(prefix.name + "-*.png")):
        img = Image.open(page).convert("RGB")
        top, bottom = round(img.height * 17 / 297), round(img.height * (297 - 17) / 297)  # @page margins, 17 mm
        body = img.crop((0, top, img.width, bottom))  # the running header and the page number left out
        box = ImageChops.difference(body, Image.new("RGB", body.size, (255, 255, 255))).getbbox()
        used.append(round(box[3] / body.height, 2) if box else 0.0)
    return used


def main() -> int:
    from techtrade.build import stages
    from techtrade.clean import evidence
    from techtrade.ingest import dataset

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "snapshots"))
    ap.add_argument("--years", nargs="*", type=int, help="report years (default: every one the shipped data serve)")
    ap.add_argument("--data", default=str(ROOT / "tests" / "fixtures" / "synthetic_full_series.csv"),
                    help="a user series for one more build ('' for none)")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="snapshots-"))
    inputs, _ = stages.paths("01_ingest")
    inputs["user_series"] = None
    q = evidence.build_quantities(evidence.figure_intervals(dataset.load_raw(inputs)["figures"]))
    years = args.years or evidence.available_years(q)["report"]
    plan = [(y, 2018 if y > 2018 else 2006, None) for y in years] + ([(2020, 2018, args.data)] if args.data else [])
    have_chromium, have_pdftoppm = shutil.which("chromium"), shutil.which("pdftoppm")
    for tool, ok in (("chromium (apt install chromium)", have_chromium), ("pdftoppm (apt install poppler-utils)",
                                                                         have_pdftoppm)):
        if not ok:
            print(f"snapshots: {tool} not found; skipping those images", file=sys.stderr)
    report = {}
    try:
        for year, base, data in plan:
            files = build(tmp / "build", [year], base, data)
            for tag, fs in files.items():
                if have_chromium:
                    for width in (1280, 390):
                        screenshot(fs["report.html"], out / f"{tag}-html-{width}.png", width)
                if have_pdftoppm:
                    used = pdf_pages(fs["report.pdf"], out / f"{tag}-pdf")
                    report[tag] = [round(u, 2) for u in used]
                    low = [i + 1 for i, u in enumerate(used[:-1]) if u < 0.7]
                    print(f"{tag}: {len(used)} PDF pages, used {report[tag]}"
                          + (f"; pages under 70%: {low}" if low else ""))
        (out / "pdf-page-use.json").write_text(json.dumps(report, indent=1))
        print(f"snapshots in {out}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
