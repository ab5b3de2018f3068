"""Text that a spreadsheet would run: how every export writes it, and how an import reads it back.

A cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken by Excel, LibreOffice
and Google Sheets as a formula (CSV and XLSX alike: openpyxl even writes such a string as a formula). An AE
term or a lot number typed as ``=HYPERLINK(...)`` would then run on the statistician's machine. Every export
a person may open in a spreadsheet (admin CSV / XLSX, the analysis bundle, the report's downloads) writes
such a value with a leading apostrophe (``'=HYPERLINK(...)``), the convention spreadsheets themselves use
for "this is text". Numbers (``-3``, ``+1.5``) and a lone ``-`` (the report's "no value") are left alone: a
spreadsheet reads them as a number and as text.

The rule is one-to-one, so an export imports back unchanged: a value that already begins with apostrophes
before such a character gets one more, and an import strips exactly one. ``tests/test_formula_escaping.py``
holds the cases; ``ucmsc_crf/analysis/copy_sql.py`` runs the same patterns in SQL for the COPY path.
"""

import re

TRIGGERS = "=+-@\t\r"
# The same patterns run in PostgreSQL (its regular expressions read them alike) for the COPY path.
RUNS_PATTERN = r"^'*[=+@\t\r-]"
HARMLESS_PATTERN = r"^([+-]?[0-9]+(\.[0-9]+)?|-)$"
_RUNS = re.compile(RUNS_PATTERN)
_HARMLESS = re.compile(HARMLESS_PATTERN)


def needs_escape(text: str) -> bool:
    return bool(_RUNS.match(text)) and not _HARMLESS.match(text)


def spreadsheet_safe(value):
    """``value`` as an export writes it: text a spreadsheet would run gets a leading apostrophe."""
    if isinstance(value, str) and needs_escape(value):
        return "'" + value
    return value


def spreadsheet_unescape(value):
    """The inverse, for imports: one leading apostrophe is taken off a value the export escaped."""
    if isinstance(value, str) and value.startswith("'") and needs_escape(value[1:]):
        return value[1:]
    return value
