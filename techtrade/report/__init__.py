"""Stage 04, narrative (notebooks/04_narrative.ipynb): the report's words, decided in Python (story) and
written in the Markdown template; ClaimReview; the data package beside each report."""
