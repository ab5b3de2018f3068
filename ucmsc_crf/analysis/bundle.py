"""The analysis bundle: a zip of one CSV per domain (long format), the one-row-per-participant analysis
table, a wide pivot of labs by study day, the data dictionary and a README with checksums.

Everything streams: rows are read with ``values_list(...).iterator(chunk_size=...)`` (no per-row queries),
written in blocks into a zip that is itself written to an unseekable sink, and the sink's bytes are
yielded as they come. Memory stays flat whatever the number of rows, for the command and the download.
"""

import csv
import datetime
import hashlib
import io
import zipfile
from collections.abc import Iterable, Iterator
from itertools import islice

import django
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils import timezone

from outcomes.endpoints import endpoint_visits
from outcomes.models import Analyte
from patients.casebook.spreadsheet import spreadsheet_safe
from patients.models import Participant
from ucmsc_crf.analysis.columns import CHUNK_ROWS, Column, Options, format_value, readable_columns
from ucmsc_crf.analysis.copy_sql import copy_blocks, copy_query
from ucmsc_crf.analysis.domains import Domain, domains
from ucmsc_crf.analysis.tables import analysis_table_columns, analysis_table_rows, lab_pivot_columns, lab_pivot_rows

SOFTWARE_VERSION = "ucmsc-crf 0.7"
DICTIONARY_HEADER = [
    "file",
    "column",
    "label",
    "type",
    "unit",
    "codes",
    "source",
    "origin",
    "free_text",
    "empty_means",
]


class _Sink:
    """An unseekable file for zipfile: collects what it is given until drained."""

    def __init__(self):
        self._chunks: list[bytes] = []
        self._position = 0

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def domain_rows(domain: Domain, *, user, options: Options) -> Iterator[list[str]]:
    paths = domain.paths()
    index = {path: i for i, path in enumerate(paths)}
    day0_at = index[domain.day0_path]
    for values in domain.queryset(user).values_list(*paths).iterator(chunk_size=CHUNK_ROWS):
        day0 = values[day0_at]
        row = []
        for column in domain.columns:
            if column.compute is not None:
                value = column.compute({p: values[index[p]] for p in column.needs})
                row.append(format_value(value))
            else:
                row.append(format_value(values[index[column.path]], day0=day0, study_days=options.study_days))
        yield row


def dictionary_rows(files: list[tuple[str, list[Column]]]) -> Iterator[list[str]]:
    for file_name, columns in files:
        for c in columns:
            yield [
                file_name,
                c.name,
                c.label,
                c.type,
                c.unit,
                "; ".join(f"{code}={label}" for code, label in c.codes),
                c.source,
                "derived" if c.derived else "entered",
                "yes: review before sharing" if c.free_text else "no",
                c.empty_means,
            ]


def _csv_blocks(header: list[str], rows: Iterable[list[str]], counter: list[int]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    iterator = iter(rows)
    while True:
        block = list(islice(iterator, CHUNK_ROWS))
        counter[0] += len(block)
        writer.writerows([[spreadsheet_safe(cell) for cell in row] for row in block])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        if not block:
            return


def domain_blocks(domain: Domain, *, user, options: Options, counter: list[int], use_copy=None) -> Iterator[bytes]:
    """A domain's CSV bytes: by PostgreSQL's COPY where every column has a SQL form, else through the ORM.
    Both give the same bytes."""
    header = [c.name for c in domain.columns]
    if use_copy is None:
        use_copy = connection.vendor == "postgresql"
    try:
        query = copy_query(domain, user=user, options=options) if use_copy else None
    except EmptyResultSet:
        # The user's scope is empty (e.g. an exporting role with no site yet): SQL cannot even be written
        # for it, so the file is the header alone, as the ORM path gives.
        yield from _csv_blocks(header, [], counter)
        return
    if query is None:
        yield from _csv_blocks(header, domain_rows(domain, user=user, options=options), counter)
        return
    yield from _csv_blocks(header, [], [0])
    yield from copy_blocks(*query, counter)


def bundle_files(*, user, options: Options):
    """(file name, columns, blocks of bytes, row counter) for every CSV of the bundle, in order."""
    for domain in domains(options):
        counter = [0]
        yield (
            domain.file_name,
            domain.columns,
            domain_blocks(domain, user=user, options=options, counter=counter),
            counter,
        )
    visits = endpoint_visits()
    table_columns, table_rows = analysis_table_columns(visits), analysis_table_rows(user=user, visits=visits)
    readable = readable_columns(Participant, table_columns, options)
    if len(readable) < len(table_columns):
        kept = {id(column) for column in readable}
        keep = [at for at, column in enumerate(table_columns) if id(column) in kept]
        table_columns, table_rows = readable, ([row[at] for at in keep] for row in table_rows)
    for name, columns, rows in (("analysis_table.csv", table_columns, table_rows), _lab_pivot(user)):
        counter = [0]
        yield name, columns, _csv_blocks([c.name for c in columns], rows, counter), counter


def _lab_pivot(user):
    analytes = list(Analyte.objects.order_by("display_order"))
    return "labs_wide_by_study_day.csv", lab_pivot_columns(analytes), lab_pivot_rows(user=user, analytes=analytes)


def bundle_chunks(*, user=None, options: Options | None = None) -> Iterator[bytes]:
    """The zip, as a stream of bytes. ``user`` scopes it to their sites (None: every site)."""
    options = options or Options()
    started = timezone.now()
    sink = _Sink()
    written: list[tuple[str, str, int]] = []  # name, sha256, data rows
    described: list[tuple[str, list[Column]]] = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file_name, columns, blocks, counter in bundle_files(user=user, options=options):
            described.append((file_name, columns))
            yield from _write_csv(archive, sink, written, file_name, blocks, counter)
        counter = [0]
        dictionary = _csv_blocks(DICTIONARY_HEADER, dictionary_rows(described), counter)
        yield from _write_csv(archive, sink, written, "dictionary.csv", dictionary, counter)
        archive.writestr("README.txt", _readme(started, options, written, user))
    yield sink.drain()


def _write_csv(archive, sink, written, file_name, blocks, counter):
    digest = hashlib.sha256()
    with archive.open(file_name, "w", force_zip64=True) as entry:
        for block in blocks:
            entry.write(block)
            digest.update(block)
            data = sink.drain()
            if data:
                yield data
    written.append((file_name, digest.hexdigest(), counter[0]))


def _readme(started: datetime.datetime, options: Options, written, user) -> str:
    lines = [
        "UC-MSC eCRF: analysis export",
        "",
        f"Exported: {started.astimezone(datetime.UTC):%Y-%m-%dT%H:%M:%SZ} (UTC)",
        f"Software: {SOFTWARE_VERSION} (Django {django.get_version()})",
        f"Exported by: {user.get_username() if user is not None else 'command line (all sites)'}",
        "Dates: "
        + ("study days from day 0 (calendar dates removed)" if options.study_days else "ISO 8601, date-times in UTC"),
        f"Free text: {'included, flagged in dictionary.csv' if options.free_text else 'left out'}",
        f"Arms: {'withheld (blinded trial)' if options.hide_allocation else 'shown'}",
        "",
        "De-identified: no initials, no dates of birth (age instead), no staff names, no database ids.",
        "Voided records are left out. Empty cell = not recorded (dictionary.csv, column empty_means, says why);",
        "'not assessed' and 'unknown' are codes of their own. Long format per domain; labs also wide by study day.",
        "Text beginning with =, +, -, @, a tab or a carriage return (other than a number) is written with one",
        "leading apostrophe ('=...), so that no spreadsheet runs it as a formula; drop that apostrophe to get",
        "the value as entered (a value that began with apostrophes before such a character got one more).",
        "",
        "Files (SHA-256, data rows):",
    ]
    lines += [f"  {digest}  {name}  ({rows} rows)" for name, digest, rows in written]
    return "\n".join(lines) + "\n"
