"""The README and docs/: every link inside the project leads to a file that exists, every page under
docs/ is linked from the README, and the README stays short (under 150 lines)."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", ROOT / "METHODS.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_link_inside_the_project_leads_to_a_file(page):
    text = page.read_text()
    local = [t for t in LINK.findall(text) if not re.match(r"[a-z]+:", t)]
    missing = [t for t in local if not (page.parent / t).exists()]
    assert not missing, missing


def test_the_readme_is_short_and_links_every_page_under_docs():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) < 150
    linked = set(LINK.findall(readme))
    assert {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")} <= linked


def test_the_report_links_to_the_page_on_your_own_series():
    """The narrative links ../../docs/your-series.md (from reports/<report>/): the page must exist."""
    narrative = (ROOT / "notebooks" / "04_narrative.md").read_text()
    assert "(../../docs/your-series.md)" in narrative and (ROOT / "docs" / "your-series.md").is_file()
