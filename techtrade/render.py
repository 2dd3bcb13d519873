"""Rendering executed notebooks to HTML (nbconvert, in-process) and HTML to PDF (WeasyPrint)."""
from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _exporter(show_code: bool):
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
    c.HTMLExporter.template_name = "appendix" if show_code else "report"
    c.CSSHTMLHeaderPreprocessor.enabled = show_code  # code highlighting styles, only where code is shown
    c.HTMLExporter.exclude_input = not show_code
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    # The injected-parameters cell and cells tagged "remove" never reach the reader of the report.
    c.TagRemovePreprocessor.remove_cell_tags = {"remove", "injected-parameters"} if not show_code else {"remove"}
    c.TagRemovePreprocessor.enabled = True
    return HTMLExporter(config=c)


def _title(nb) -> str:
    """The report's title: its first Markdown heading."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            m = re.search(r"^# (.+)$", out.get("data", {}).get("text/markdown", ""), flags=re.M)
            if m:
                return m.group(1).replace("\\", "").strip()
    return "Report"


def report_html(executed: str | Path) -> str:
    """The narrative notebook as one self-contained HTML page: its outputs only, no code, no scripts."""
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata["title"] = _title(nb)
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    body, _ = _exporter(False).from_notebook_node(nb, resources={"report_css": css})
    return body


def write_appendix(executed: str | Path, path: str | Path) -> None:
    """The analysis notebook with its code, for checking the working."""
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata["title"] = "Appendix: the analysis notebook"
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    body, _ = _exporter(True).from_notebook_node(nb, resources={"report_css": css})
    tmp = Path(path).with_name(f".{Path(path).name}.part")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(path)


def to_pdf(html: str, pdf_path: str | Path, base_url: str | Path = ".") -> None:
    """Print the HTML to an A4 PDF with WeasyPrint (a pip install; no browser, no LaTeX)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    tmp = Path(pdf_path).with_name(f".{Path(pdf_path).name}.part")
    HTML(string=html, base_url=str(base_url)).write_pdf(str(tmp))
    tmp.replace(pdf_path)
