"""Files gainflow writes: atomic publication (temporary name, then rename) and CSV text of integer tables."""
