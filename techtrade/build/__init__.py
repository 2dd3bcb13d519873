"""Building the report (run_report.py): the stage table, parameter checks, the stage cache, kernels,
rendering HTML and PDF, publishing under a lock."""
