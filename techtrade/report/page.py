"""The report as a page (the narrative notebook's outputs in our template and styles), its PDF (WeasyPrint,
tagged PDF/UA) and the appendix (the analysis notebook with its code, by nbconvert). The build makes them
from the executed notebooks (techtrade/build/render.py); bench/floor.py from a notebook run in-process."""
from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path

from ..atomic import write_atomic

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def report_html(executed: str | Path | dict) -> str:
    """The narrative notebook (its file, or its JSON) as one self-contained page: its outputs only (the
    Markdown rendered by mistune, nbconvert's Markdown engine; the HTML blocks as they are), our styles."""
    import mistune
    from markupsafe import Markup

    nb = executed if isinstance(executed, dict) else json.loads(Path(executed).read_text(encoding="utf-8"))
    parts, title = [], "Report"
    for cell in nb["cells"]:
        if not {"remove", "injected-parameters"} & set(cell.get("metadata", {}).get("tags", [])):
            for data in (out.get("data", {}) for out in cell.get("outputs", [])):
                if "text/html" in data:
                    parts.append("".join(data["text/html"]))
                elif "text/markdown" in data:
                    text = "".join(data["text/markdown"])
                    m = re.search(r"^# (.+)$", text, flags=re.M)
                    title = m[1].replace("\\", "").strip() if m and title == "Report" else title
                    parts.append(_heading_ids(mistune.html(text)))
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return _page_environment().get_template("report.html.j2").render(title=title, css=Markup(css),
                                                                    body=Markup("\n".join(parts)))


@functools.cache
def _page_environment():
    """The page's Jinja2 environment, made once a process: its template is compiled once (and again if its
    file changes)."""
    from jinja2 import Environment, FileSystemLoader

    return Environment(loader=FileSystemLoader(str(TEMPLATES / "page")), autoescape=True)


def _heading_ids(page: str) -> str:
    """Each section heading gets an id from its words ('What would settle the rest' -> 'what-would-settle-the-rest')."""
    def slug(m):
        words = html.unescape(re.sub(r"<[^>]+>", "", m[2]))
        return f'<h{m[1]} id="{re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")}">{m[2]}</h{m[1]}>'
    return re.sub(r"<h([1-3])>(.*?)</h\1>", slug, page)


def write_appendix(executed: str | Path, path: str | Path) -> None:
    """The analysis notebook with its code (JupyterLab's page without scripts, prompts hidden)."""
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.update(extra_template_basedirs=[str(TEMPLATES)], template_name="appendix",
                          exclude_input_prompt=True, exclude_output_prompt=True)
    c.TagRemovePreprocessor.update(remove_cell_tags={"remove"}, enabled=True)
    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata["title"] = "Appendix: the analysis notebook"
    css = (TEMPLATES / "appendix.css").read_text(encoding="utf-8")
    write_atomic(Path(path), HTMLExporter(config=c).from_notebook_node(nb, resources={"report_css": css})[0])


def to_pdf(page: str, pdf_path: str | Path, base_url: str | Path = ".") -> None:
    """Print the page to an A4 PDF with WeasyPrint, tagged (PDF/UA: a structure tree in reading order, the
    figures' alt text, the document's language)."""
    import logging

    from weasyprint import HTML

    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    write_atomic(Path(pdf_path), HTML(string=page, base_url=str(base_url)).write_pdf(pdf_variant="pdf/ua-1"))
