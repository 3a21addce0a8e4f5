"""PDF proposals (reportlab) and their signatures (pyHanko). Never imports Qt: exports run headless."""
