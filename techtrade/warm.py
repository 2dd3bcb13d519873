"""Imports a kernel makes as it starts, chosen for the stage it will run (run_report.py starts each
kernel ahead of its stage), so that they are paid while the previous stage runs, not on the stage's clock.

    python -m techtrade.warm STAGE    is not how it is used; the kernel runs  import_for("03_analysis").
"""
import importlib

IMPORTS = {
    "01_ingest": ["pandas", "pandera.pandas", "techtrade.dataset", "techtrade.schema"],
    "02_clean": ["pandas", "techtrade.dataset", "techtrade.evidence"],
    "03_analysis": ["pandas", "matplotlib.pyplot", "seaborn", "techtrade.plots", "techtrade.claims",
                    "techtrade.metrics", "techtrade.report", "techtrade.params"],
    "04_narrative": ["pandas", "techtrade.report", "techtrade.metrics", "techtrade.claims", "techtrade.dataset"],
}


def import_for(stage: str) -> None:
    for name in IMPORTS.get(stage, []):
        importlib.import_module(name)
