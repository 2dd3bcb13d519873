"""Stage 03, analysis (notebooks/03_analysis.ipynb): the verdict on each claim part, every number the report
shows, and the figures."""
