"""Rendering executed notebooks to HTML (nbconvert, in-process) and HTML to PDF (WeasyPrint)."""
from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"


def to_html(notebook_path: str | Path, *, show_code: bool = False, title: str | None = None,
            paths: dict[str, str] | None = None) -> str:
    """An executed notebook as one self-contained HTML page (images embedded, no scripts).

    ``paths`` rewrites folder names in the injected-parameters cell (the build's staging folder,
    gone once the build is published, becomes the output folder the reader knows)."""
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
    c.HTMLExporter.template_name = "appendix" if show_code else "report"
    c.CSSHTMLHeaderPreprocessor.enabled = show_code  # code highlighting styles, only where code is shown
    c.HTMLExporter.exclude_input = not show_code
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    # The injected-parameters cell and cells tagged "remove" never reach the reader.
    c.TagRemovePreprocessor.remove_cell_tags = {"remove", "injected-parameters"} if not show_code else {"remove"}
    c.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=c)
    nb = nbformat.read(str(notebook_path), as_version=4)
    if title:
        nb.metadata["title"] = title
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            for old, new in (paths or {}).items():
                cell.source = cell.source.replace(old, new)
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")  # one stylesheet for report and appendix
    body, _ = exporter.from_notebook_node(nb, resources={"report_css": css})
    return body


def to_pdf(html: str, pdf_path: str | Path, base_url: str | Path = ".") -> None:
    """Print the HTML to an A4 PDF with WeasyPrint (pure pip install; no browser, no LaTeX)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # unsupported lab CSS is expected noise
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(string=html, base_url=str(base_url)).write_pdf(str(pdf_path))
