"""Builders for intake tests: every workbook and CSV is generated in tmp_path by code."""
