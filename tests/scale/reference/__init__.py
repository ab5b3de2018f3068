"""The trial summary report as it was computed before issue 19 (commit 36241df): frozen copies of
outcomes/summary.py, derived.py, endpoints.py (endpoint_values) and endpoint_table.py, one participant list
and per-object pass at a time. The oracle of tests/scale/test_report_equality.py: the aggregated report must
give the same numbers to the last digit. Not used by the app; never edit them to make a test pass."""
