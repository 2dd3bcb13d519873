"""Rendering: the report page from the narrative's outputs, the appendix with nbconvert, the PDF with
WeasyPrint; all in-process."""
from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _appendix_exporter():
    """nbconvert's HTML exporter, JupyterLab's page without scripts, code shown, prompts hidden."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
    c.HTMLExporter.template_name = "appendix"
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.TagRemovePreprocessor.remove_cell_tags = {"remove"}
    c.TagRemovePreprocessor.enabled = True
    return HTMLExporter(config=c)


def report_html(executed: str | Path | dict) -> str:
    """The narrative notebook (executed: its file, or its JSON) as one self-contained page: its outputs
    only (the Markdown rendered with mistune, nbconvert's own Markdown engine; the HTML blocks as they
    are), our styles, no code."""
    import json

    import mistune
    from jinja2 import Environment, FileSystemLoader
    from markupsafe import Markup

    nb = executed if isinstance(executed, dict) else json.loads(Path(executed).read_text(encoding="utf-8"))
    parts, title = [], "Report"
    for cell in nb["cells"]:
        if {"remove", "injected-parameters"} & set(cell.get("metadata", {}).get("tags", [])):
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/html" in data:
                parts.append("".join(data["text/html"]))
            elif "text/markdown" in data:
                text = "".join(data["text/markdown"])
                m = re.search(r"^# (.+)$", text, flags=re.M)
                if m and title == "Report":
                    title = m.group(1).replace("\\", "").strip()
                parts.append(_heading_ids(mistune.html(text)))
    env = Environment(loader=FileSystemLoader(str(TEMPLATES / "page")), autoescape=True)
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return env.get_template("report.html.j2").render(title=title, css=Markup(css), body=Markup("\n".join(parts)))


def _heading_ids(html: str) -> str:
    """Each section heading gets an id from its words ('What would settle the rest' ->
    'what-would-settle-the-rest'), so the text can link to it."""
    import html as html_lib

    def slug(m):
        words = html_lib.unescape(re.sub(r"<[^>]+>", "", m.group(2)))
        return f'<h{m.group(1)} id="{re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")}">{m.group(2)}</h{m.group(1)}>'
    return re.sub(r"<h([1-3])>(.*?)</h\1>", slug, html)


def write_appendix(executed: str | Path, path: str | Path) -> None:
    """The analysis notebook with its code, for checking the working."""
    import nbformat

    from ..handover import write_atomic

    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata["title"] = "Appendix: the analysis notebook"
    css = (TEMPLATES / "appendix.css").read_text(encoding="utf-8")
    body, _ = _appendix_exporter().from_notebook_node(nb, resources={"report_css": css})
    write_atomic(Path(path), body)


def to_pdf(html: str, pdf_path: str | Path, base_url: str | Path = ".") -> None:
    """Print the HTML to an A4 PDF with WeasyPrint (a pip install; no browser, no LaTeX), tagged (PDF/UA:
    a structure tree in reading order, the figures' alt text, the document's language)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    tmp = Path(pdf_path).with_name(f".{Path(pdf_path).name}.part")
    HTML(string=html, base_url=str(base_url)).write_pdf(str(tmp), pdf_variant="pdf/ua-1")
    tmp.replace(pdf_path)
