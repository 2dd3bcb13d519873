"""The logic of the report, grouped by the stage that uses it (each stage's notebook is in notebooks/):

- ``ingest``   01: read and validate the raw files (data/raw, a user's series, World Bank files);
- ``clean``    02: published figures to intervals, as their words are read; derived values flagged;
- ``analysis`` 03: claim verdicts, the numbers the report shows, the figures;
- ``report``   04: the report's words (story, narrative template), ClaimReview, the data package;
- ``build``    run_report.py: the stage table, parameters, the cache, kernels, rendering, publishing.

Shared by all: ``config`` (the article's years, limits), ``errors``, ``intervals`` (values as
intervals), ``fmt`` (every number in words), ``results`` (verdict and number records) and
``handover`` (the files stages hand on, written atomically).
"""
