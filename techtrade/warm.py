"""Imported by each kernel as it starts (run_report.py starts the kernels ahead of their stage),
so that the heavy imports are paid while the previous stage runs, not on the stage's clock."""
import matplotlib.pyplot  # noqa: F401
import pandas  # noqa: F401
import seaborn  # noqa: F401

from techtrade import claims, dataset, evidence, metrics, plots, report  # noqa: F401
