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
from django.db.models import Count, Q
from django.utils import timezone

from dosing.models import Infusion
from outcomes.choices import OxygenSupport
from outcomes.derived import outcomes_for
from outcomes.endpoints import all_endpoints, column_stem, endpoint_values, endpoint_visits, visits_expecting
from outcomes.models import SYMPTOMS, AdverseEvent, Analyte, LabResult
from patients.casebook.spreadsheet import spreadsheet_safe
from patients.models import COMORBIDITY_FIELDS, Participant
from ucmsc_crf.analysis.columns import Column, Options, format_value, readable_columns
from ucmsc_crf.analysis.copy_sql import copy_blocks, copy_query
from ucmsc_crf.analysis.domains import Domain, domains

CHUNK_ROWS = 2000
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


def endpoint_columns(visits) -> list[Column]:
    """Per quantitative endpoint: its baseline, and its value and change from baseline at each visit after
    day 0 (outcomes/endpoints.py), as many as the schedule has."""
    columns = []
    for endpoint in all_endpoints():
        source = f"derived from the {endpoint.model._meta.verbose_name} forms and the visit schedule"
        columns.append(
            Column(
                f"{endpoint.code}_baseline",
                f"{endpoint.label}: baseline (nearest before day 0, within the design's baseline window)",
                endpoint.kind,
                source,
                unit=endpoint.unit,
                derived=True,
                empty_means="no measurement in the baseline window",
            )
        )
        for visit in visits_expecting(endpoint, visits):
            stem = column_stem(endpoint, visit)
            columns += [
                Column(
                    stem,
                    f"{endpoint.label} at {visit.label} (nearest the target day within the visit's window)",
                    endpoint.kind,
                    source,
                    unit=endpoint.unit,
                    derived=True,
                    empty_means="no measurement in the visit's window",
                ),
                Column(
                    f"{stem}_change",
                    f"{endpoint.label}: change from baseline to {visit.label} (visit value minus baseline)",
                    endpoint.kind,
                    source,
                    unit=endpoint.unit,
                    derived=True,
                    empty_means="baseline or visit value missing",
                ),
            ]
    return columns


def analysis_table_columns(visits=None) -> list[Column]:
    visits = endpoint_visits() if visits is None else visits
    source = "derived from the daily observations, labs, infusions, adverse events and end of study"
    support = [
        Column(f"days_{code}", f"days with {label.lower()} as the highest support", "integer", source, derived=True)
        for code, label in OxygenSupport.choices
    ]
    symptoms = [
        Column(
            f"days_{name}",
            f"days with {label.lower()} present",
            "integer",
            source,
            derived=True,
            empty_means="never assessed",
        )
        for name, label in SYMPTOMS
    ]
    comorbidities = [
        Column(
            name,
            name.replace("_", " "),
            "code",
            "enrolment",
            codes=(("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")),
        )
        for name in COMORBIDITY_FIELDS
    ]
    return [
        Column("study_id", "study ID", "string", "enrolment"),
        Column("site", "site code", "string", "enrolment"),
        Column("arm", "arm code", "code", "enrolment", allocation=True),
        Column("severity", "COVID-19 severity at enrolment", "code", "enrolment"),
        Column("age_years", "age on day 0", "integer", "derived from the date of birth", unit="years", derived=True),
        Column("sex", "sex", "code", "enrolment"),
        *comorbidities,
        Column("infusions_given", "infusions given", "integer", source, derived=True),
        Column("observed_days", "days with a daily observation", "integer", source, derived=True),
        Column(
            "ever_ventilated",
            "invasive ventilation or ECMO on any day",
            "boolean",
            source,
            derived=True,
            empty_means="no daily observation",
        ),
        *support,
        Column("highest_who_score", "highest WHO clinical progression score", "integer", source, derived=True),
        *symptoms,
        Column("igm_at_discharge", "SARS-CoV-2 IgM at discharge", "decimal", source, unit="S/CO", derived=True),
        Column("igg_at_discharge", "SARS-CoV-2 IgG at discharge", "decimal", source, unit="S/CO", derived=True),
        Column(
            "length_of_stay_days",
            "admission to discharge",
            "integer",
            source,
            unit="days",
            derived=True,
            empty_means="not discharged",
        ),
        Column("adverse_events", "adverse events", "integer", source, derived=True),
        Column("serious_adverse_events", "serious adverse events", "integer", source, derived=True),
        *endpoint_columns(visits),
    ]


def _endpoint_plan(visits) -> list:
    """(endpoint, the visits that expect its form), in the columns' order: worked out once per file."""
    return [(endpoint, visits_expecting(endpoint, visits)) for endpoint in all_endpoints()]


def _endpoint_cells(values, plan) -> list:
    cells = []
    for endpoint, expecting in plan:
        found = values[endpoint.code]
        cells.append(found.baseline)
        for visit in expecting:
            cells += [found.at_visit.get(visit.code), found.change(visit.code)]
    return cells


def analysis_table_rows(*, user, visits=None) -> Iterator[list[str]]:
    """One row per enrolled participant, computed for blocks of participants in a fixed number of queries."""
    visits = endpoint_visits() if visits is None else visits
    plan = _endpoint_plan(visits)
    participants = Participant.objects.for_user(user) if user is not None else Participant.objects.all()
    participants = participants.active().enrolled().select_related("site", "arm").order_by("study_id")
    iterator = participants.iterator(chunk_size=500)
    while block := list(islice(iterator, 500)):
        ids = [p.pk for p in block]
        outcomes = outcomes_for(ids)
        endpoints = endpoint_values(block, visits)
        infusions = dict(
            Infusion.objects.active()
            .filter(participant_id__in=ids)
            .values("participant_id")
            .annotate(n=Count("id"))
            .values_list("participant_id", "n")
        )
        events = {
            row["participant_id"]: row
            for row in AdverseEvent.objects.active()
            .filter(participant_id__in=ids)
            .values("participant_id")
            .annotate(n=Count("id"), serious_n=Count("id", filter=Q(serious=True)))
        }
        for participant in block:
            outcome = outcomes[participant.pk]
            observed = outcome.observed_days > 0
            yield [
                format_value(v)
                for v in (
                    participant.study_id,
                    participant.site.code,
                    participant.arm.code if participant.arm_id else None,
                    participant.severity,
                    participant.age_at_enrolment,
                    participant.sex,
                    *(getattr(participant, name) for name in COMORBIDITY_FIELDS),
                    infusions.get(participant.pk, 0),
                    outcome.observed_days,
                    outcome.ever_ventilated if observed else None,
                    *(outcome.days_by_support.get(code, 0) for code in OxygenSupport.values),
                    outcome.highest_who_score,
                    *(
                        outcome.days_with_symptom.get(name, 0) if outcome.days_symptom_assessed.get(name) else None
                        for name, _ in SYMPTOMS
                    ),
                    outcome.igm_at_discharge,
                    outcome.igg_at_discharge,
                    outcome.length_of_stay_days,
                    events.get(participant.pk, {}).get("n", 0),
                    events.get(participant.pk, {}).get("serious_n", 0),
                    *_endpoint_cells(endpoints[participant.pk], plan),
                )
            ]


def lab_pivot_columns(analytes) -> list[Column]:
    return [
        Column("study_id", "study ID", "string", "lab result"),
        Column("study_day", "study day of the sample", "integer", "derived from the sample time", derived=True),
        *[
            Column(
                a.code,
                f"{a.name}: the day's first sample",
                "decimal",
                "lab result",
                unit=a.unit,
                empty_means="not measured that day",
            )
            for a in analytes
        ],
    ]


def lab_pivot_rows(*, user, analytes) -> Iterator[list[str]]:
    """Labs wide: one row per participant and study day, one column per analyte (the day's first sample).
    Streams: results come ordered by participant and time, and a row is written when its day is done."""
    position = {a.pk: i for i, a in enumerate(analytes)}
    results = LabResult.objects.for_user(user) if user is not None else LabResult.objects.all()
    results = (
        results.active()
        .filter(participant__day0_date__isnull=False)
        .order_by("participant__study_id", "sample_datetime")
        .values_list("participant__study_id", "participant__day0_date", "sample_datetime", "analyte_id", "value")
    )
    current, cells = None, None
    for study_id, day0, sampled, analyte_id, value in results.iterator(chunk_size=CHUNK_ROWS):
        key = (study_id, (timezone.localtime(sampled).date() - day0).days)
        if key != current:
            if current is not None:
                yield [current[0], str(current[1]), *cells]
            current, cells = key, [""] * len(analytes)
        if not cells[position[analyte_id]]:
            cells[position[analyte_id]] = format_value(value)
    if current is not None:
        yield [current[0], str(current[1]), *cells]


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
