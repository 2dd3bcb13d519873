"""What the build makes from the stages' outputs for each report (stages.MADE), in its own process: the page
(the narrative's outputs), its PDF (WeasyPrint), the appendix (the analysis notebook, by nbconvert), and the
report's data files. Each is called with what it reads and what it writes, by role."""
from __future__ import annotations

import html as html_lib
import json
import re
import shutil
from pathlib import Path

from ..results import USER_SERIES
from ..atomic import write_atomic

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def report_html(executed: str | Path | dict) -> str:
    """The narrative notebook (its file, or its JSON) as one self-contained page: its outputs only (the
    Markdown rendered by mistune, nbconvert's Markdown engine; the HTML blocks as they are), our styles."""
    import mistune
    from jinja2 import Environment, FileSystemLoader
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
    env = Environment(loader=FileSystemLoader(str(TEMPLATES / "page")), autoescape=True)
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return env.get_template("report.html.j2").render(title=title, css=Markup(css), body=Markup("\n".join(parts)))


def _heading_ids(page: str) -> str:
    """Each section heading gets an id from its words ('What would settle the rest' -> 'what-would-settle-the-rest')."""
    def slug(m):
        words = html_lib.unescape(re.sub(r"<[^>]+>", "", m[2]))
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
    tmp = Path(pdf_path).with_name(f".{Path(pdf_path).name}.part")
    HTML(string=page, base_url=str(base_url)).write_pdf(str(tmp), pdf_variant="pdf/ua-1")
    tmp.replace(pdf_path)


def html(ins: dict, outs: dict) -> None:
    write_atomic(outs["page"], report_html(ins["notebook"]))


def pdf(ins: dict, outs: dict) -> None:
    to_pdf(report_html(ins["notebook"]), outs["page"])


def appendix(ins: dict, outs: dict) -> None:
    write_appendix(ins["notebook"], outs["page"])


def files(ins: dict, outs: dict) -> None:
    """A report's data files: the analysis's verdicts.csv and numbers.csv, verdicts.json, the data package;
    and its title (as its page has it, a user's series named), for its manifest."""
    from ..report import package
    from ..report.story import series_name, title

    for name in ("verdicts", "numbers"):
        shutil.copyfile(ins[name], outs[f"{name}.csv"])
    data = json.loads(Path(ins["results"]).read_text())
    write_atomic(outs["verdicts.json"], json.dumps({k: data[k] for k in ("report", "verdicts") if k in data}, indent=1,
                                                   ensure_ascii=False))
    series = [s for s in data.get("sources", []) if s.get("publication") == USER_SERIES]
    write_atomic(outs["title"], title(data["report"], series) + (f", with {series_name(series)}" if series else ""))
    package.write(outs["datapackage.json"].parent, outs["title"].read_text())
