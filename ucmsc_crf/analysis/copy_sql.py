"""The same CSV bytes as the ORM path (bundle.domain_rows + csv), produced by PostgreSQL itself with
``COPY (SELECT ...) TO STDOUT WITH CSV`` through psycopg 3: each column's formatting (codes, 1 / 0,
ISO 8601 UTC, study days) is written as a SQL expression, so rows never become Python objects.

A domain with a column that has no SQL form (e.g. age, BMI: computed in Python) returns None and is
exported through the ORM instead. tests/test_analysis_export.py compares both paths byte for byte."""

import re
from collections.abc import Iterator

from django.db import connection
from django.db.models import Case, CharField, F, Func, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Cast, Concat, NullIf
from django.db.models.lookups import Regex
from django.utils import timezone

from patients.casebook.spreadsheet import HARMLESS_PATTERN, RUNS_PATTERN
from ucmsc_crf.analysis.columns import Column, Options

UTC_ISO = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
TIME_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-/]+$")


def _local_date(expression):
    name = timezone.get_current_timezone_name()
    if not TIME_ZONE_NAME.match(name):  # it is put in the SQL text: never anything but a zone name
        raise ValueError(f"Unexpected time zone name {name!r}")
    return Func(expression, template=f"(%(expressions)s AT TIME ZONE '{name}')::date", output_field=IntegerField())


def _days_between(date_expression, day0_path):
    return Cast(
        Func(
            date_expression, F(day0_path), arg_joiner=" - ", template="(%(expressions)s)", output_field=IntegerField()
        ),
        TextField(),
    )


def column_expression(column: Column, *, options: Options, day0_path: str, model):
    """A SQL expression giving the column's CSV text (NULL for an empty cell), or None if it has none."""
    if column.compute is not None:
        if column.name == "study_day" and len(column.needs) == 2:
            date_path = column.needs[0]
            kind = _internal_type(model, date_path)
            date = _local_date(F(date_path)) if kind == "DateTimeField" else F(date_path)
            return _days_between(date, day0_path)
        return None
    path, kind = column.path, column.type
    if kind in ("string", "code"):
        text = NullIf(Cast(F(path), TextField()), Value("", output_field=TextField()), output_field=TextField())
        return _spreadsheet_safe(text)
    if kind in ("integer", "decimal"):
        return Cast(F(path), TextField())
    if kind == "boolean":
        return Case(
            When(Q(**{path: True}), then=Value("1")),
            When(Q(**{path: False}), then=Value("0")),
            default=None,
            output_field=CharField(),
        )
    internal = _internal_type(model, path)
    if kind == "study_day":
        date = _local_date(F(path)) if internal == "DateTimeField" else F(path)
        return _days_between(date, day0_path)
    if kind == "datetime":
        return Func(F(path), template=UTC_ISO, output_field=TextField())
    if kind == "date":
        return Func(F(path), template="to_char(%(expressions)s, 'YYYY-MM-DD')", output_field=TextField())
    return None


def _spreadsheet_safe(text):
    """patients.casebook.spreadsheet.spreadsheet_safe in SQL, with the same patterns: text a spreadsheet would run as
    a formula gets a leading apostrophe; numbers and a lone "-" do not."""
    return Case(
        When(Regex(text, Value(HARMLESS_PATTERN)), then=text),
        When(Regex(text, Value(RUNS_PATTERN)), then=Concat(Value("'"), text, output_field=TextField())),
        default=text,
        output_field=TextField(),
    )


def _internal_type(model, path: str) -> str:
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name).get_internal_type()


def copy_query(domain, *, user, options: Options):
    """(sql, params) of the domain's SELECT, or None when a column has no SQL form."""
    expressions = {}
    for i, column in enumerate(domain.columns):
        expression = column_expression(column, options=options, day0_path=domain.day0_path, model=domain.model)
        if expression is None:
            return None
        expressions[f"c{i}"] = expression
    queryset = domain.queryset(user).annotate(**expressions).values_list(*expressions)
    return queryset.query.sql_with_params()


def copy_blocks(sql: str, params, counter: list[int]) -> Iterator[bytes]:
    """Stream ``COPY (sql) TO STDOUT WITH CSV`` in the blocks PostgreSQL sends; ``counter[0]`` gets the row
    count at the end."""
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for block in copy:
                yield bytes(block)
        counter[0] = cursor.rowcount
