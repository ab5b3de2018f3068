"""The file formats the admin import reads, with bounds on what a file may make the server hold.

The upload-size check (CRF_IMPORT_MAX_MB) is not enough for XLSX: a 5 KB workbook whose only data cell
sits at XFD1048576 makes openpyxl (and so django-import-export's XLSX format) pad every row to 16,384
columns and fill in a million empty rows, growing a worker to many gigabytes. Here a workbook is read
cell by cell as its XML stores them, never padded beyond the header, and refused with a message that says
which bound it broke before anything large is built:

- the archive's members may unpack to at most CRF_IMPORT_MAX_XLSX_UNPACKED_MB (a zip bomb is refused
  before the first byte is inflated; zipfile never inflates past a member's declared size);
- the sheet may have at most CRF_IMPORT_MAX_ROWS data rows and CRF_IMPORT_MAX_COLUMNS columns, and no
  value right of the header row's last column;
- the rows a sheet skips are filled with empty rows only up to those bounds.
"""

import csv
import io
import zipfile
from io import BytesIO

import tablib
from django.conf import settings
from import_export.formats.base_formats import CSV, XLSX


class ImportFileRefused(ValueError):
    """The file breaks a bound on what an import may hold; the message says which, for the person, and
    ``code`` says which for the program."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


def import_bounds() -> dict[str, int]:
    return {
        "rows": settings.CRF_IMPORT_MAX_ROWS,
        "columns": settings.CRF_IMPORT_MAX_COLUMNS,
        "unpacked_mb": settings.CRF_IMPORT_MAX_XLSX_UNPACKED_MB,
        "cells": settings.CRF_IMPORT_MAX_CELLS,
    }


def refuse_cells(rows: int, width: int, limit: int, code: str) -> None:
    if rows * width > limit:
        raise ImportFileRefused(
            f"The file holds {rows:,} data rows of {width} columns ({rows * width:,} cells); an import takes at "
            f"most {limit:,} cells. Split it into smaller files.",
            code=code,
        )


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


class BoundedXLSX(XLSX):
    """django-import-export's XLSX format (first sheet, values not formulas), read within import_bounds()."""

    def create_dataset(self, in_stream):
        import openpyxl
        from openpyxl.worksheet._reader import WorkSheetParser

        bounds = import_bounds()
        self._check_unpacked_size(in_stream, bounds["unpacked_mb"])
        book = openpyxl.load_workbook(BytesIO(in_stream), read_only=True, data_only=True)
        try:
            sheet = book.active
            dataset = tablib.Dataset()
            with sheet._get_source() as source:
                # The parser yields only the cells the XML holds (openpyxl's row iterators pad them).
                parser = WorkSheetParser(
                    source,
                    sheet._shared_strings,
                    data_only=True,
                    epoch=book.epoch,
                    date_formats=book._date_formats,
                    timedelta_formats=book._timedelta_formats,
                )
                width = None
                expected_row = 1
                for row_number, cells in parser.parse():
                    if width is None:
                        if row_number != 1:
                            raise ImportFileRefused(
                                "The first row of the sheet must hold the column names.", code="xlsx_no_header"
                            )
                        width = self._header_width(cells, bounds["columns"])
                        dataset.headers = self._values(cells, width, row_number)
                        expected_row = 2
                        continue
                    if row_number - 1 > bounds["rows"]:
                        raise ImportFileRefused(
                            f"The sheet goes down to row {row_number:,}; an import takes at most "
                            f"{bounds['rows']:,} data rows. Split it into smaller files, or delete the "
                            "rows below your data (a stray value far down the sheet counts).",
                            code="xlsx_too_many_rows",
                        )
                    refuse_cells(row_number - 1, width, bounds["cells"], "xlsx_too_many_cells")
                    for _ in range(expected_row, row_number):  # rows the sheet skips are empty
                        dataset.append([None] * width)
                    dataset.append(self._values(cells, width, row_number))
                    expected_row = row_number + 1
        finally:
            book.close()
        if width is None:
            raise ImportFileRefused(
                "The sheet is empty: the first row must hold the column names.", code="xlsx_no_header"
            )
        return dataset

    @staticmethod
    def _check_unpacked_size(in_stream, limit_mb: int) -> None:
        try:
            archive = zipfile.ZipFile(BytesIO(in_stream))
        except zipfile.BadZipFile as exc:
            raise ImportFileRefused(
                "This is not an XLSX workbook (it is not a valid .xlsx archive).", code="xlsx_not_a_workbook"
            ) from exc
        unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > limit_mb * 1024 * 1024:
            raise ImportFileRefused(
                f"This workbook unpacks to {unpacked / 1024 / 1024:,.0f} MB; an import takes at most "
                f"{limit_mb} MB unpacked. Save it as CSV or split it.",
                code="xlsx_unpacks_too_large",
            )

    @staticmethod
    def _header_width(cells, max_columns: int) -> int:
        last = max((cell["column"] for cell in cells if cell["value"] not in (None, "")), default=0)
        if last == 0:
            raise ImportFileRefused("The first row of the sheet must hold the column names.", code="xlsx_no_header")
        if last > max_columns:
            raise ImportFileRefused(
                f"The header row reaches column {_column_letter(last)} ({last:,} columns); an import takes at "
                f"most {max_columns} columns.",
                code="xlsx_too_many_columns",
            )
        return last

    @staticmethod
    def _values(cells, width: int, row_number: int) -> list:
        values = [None] * width
        for cell in cells:
            column = cell["column"]
            if column > width:
                if cell["value"] in (None, ""):
                    continue  # formatting without a value
                raise ImportFileRefused(
                    f"Cell {_column_letter(column)}{row_number} holds a value right of the last named column "
                    f"({_column_letter(width)}). Delete it, or give its column a name.",
                    code="xlsx_value_outside_header",
                )
            values[column - 1] = cell["value"]
        return values


class CheckedCSV(CSV):
    """django-import-export's CSV format, refusing a file with a NUL character: no text holds one, and the
    database refuses it (PostgreSQL: "A string literal cannot contain NUL"), which reached the user as a 500
    when it stood in a study ID (issue 28, I)."""

    def create_dataset(self, in_stream, **kwargs):
        refuse_nul(in_stream)
        self._check_shape(in_stream)
        return super().create_dataset(in_stream, **kwargs)

    def _check_shape(self, content) -> None:
        """The file's rows, columns and cells within import_bounds(), counted as the CSV reader streams
        them, before tablib builds the whole table (a 9 MB file of 410,000 rows did, then the rows' errors)."""
        if isinstance(content, bytes):
            try:
                content = content.decode(self.encoding or "utf-8")
            except UnicodeDecodeError:
                return  # tablib's reading reports it as the file's encoding
        bounds = import_bounds()
        rows, width = -1, 0
        reader = csv.reader(io.StringIO(content))
        for row in _rows_read(reader):
            rows += 1
            width = max(width, len(row))
            if width > bounds["columns"]:
                raise ImportFileRefused(
                    f"Line {rows + 1} has {width} columns; an import takes at most {bounds['columns']}.",
                    code="csv_too_many_columns",
                )
            if rows > bounds["rows"]:
                raise ImportFileRefused(
                    f"The file has more than {bounds['rows']:,} data rows, the most an import takes. Split it "
                    "into smaller files.",
                    code="csv_too_many_rows",
                )
        refuse_cells(max(rows, 0), width, bounds["cells"], "csv_too_many_cells")


def refuse_nul(content: str | bytes) -> None:
    nul, newline = ("\x00", "\n") if isinstance(content, str) else (b"\x00", b"\n")
    if nul in content:
        line = content.count(newline, 0, content.index(nul)) + 1
        raise ImportFileRefused(
            f"Line {line} holds a NUL character (byte 0), which no value may: the file is not UTF-8 text (a "
            'UTF-16 export, or a damaged file). Save it as "CSV UTF-8" and import it again.',
            code="nul_character",
        )


def _rows_read(reader):
    """The CSV reader's rows, stopping quietly at what it cannot read (tablib then says what is wrong)."""
    try:
        yield from reader
    except csv.Error:
        return


IMPORT_FORMATS = [CheckedCSV, BoundedXLSX]
