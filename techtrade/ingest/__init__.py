"""Stage 01, ingest (notebooks/01_ingest.ipynb): read the raw files strictly and check them against their
schemas and for what they mean; every refusal one line naming the file, the line and the column."""
