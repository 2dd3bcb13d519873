"""Stage 02, clean (notebooks/02_clean.ipynb): each published figure to an interval, as its words are read;
figures on one quantity intersected; levels and balances derived, and flagged as such."""
