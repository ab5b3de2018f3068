"""What several test modules share (test modules do not import each other): POST data built as a browser
would send it (admin pages with their inlines, ward forms), import files, the project's URLs, and the codes
of a refusal (tests match codes, not message text). Fixtures that build records are tests/factories.py."""

import datetime
import os
import shutil

import pytest
import tablib
from django.db.models import Model
from django.forms import CheckboxInput, MultiWidget, Select, SelectMultiple
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from dosing.resources import InfusionResource
from outcomes.resources import DailyObservationResource
from tests.factories import infusion_values, observation_values


def error_codes(error, field: str = "__all__") -> list[str]:
    """The codes of the errors on ``field`` of a ValidationError (or of pytest's ExceptionInfo around one,
    or of a form's errors)."""
    error = getattr(error, "value", error)
    if hasattr(error, "as_data"):  # a form's ErrorDict
        return [e.code for e in error.as_data().get(field, [])]
    return [e.code for e in error.error_dict.get(field, [])] if hasattr(error, "error_dict") else [error.code]


# Admin pages: the page's own form and every inline formset (management form included), so tests keep
# working when an app adds an inline.


def _field_data(bound_field) -> dict:
    widget = bound_field.field.widget
    value = bound_field.value()
    name = bound_field.html_name
    if isinstance(widget, MultiWidget):
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        return {
            f"{name}_{i}": sub.format_value(part) or ""
            for i, (sub, part) in enumerate(zip(widget.widgets, parts, strict=False))
        }
    if isinstance(widget, CheckboxInput):
        return {name: "on"} if value else {}
    if value is None:
        return {name: ""}
    if isinstance(widget, SelectMultiple):
        return {name: [str(v) for v in value]}
    if isinstance(widget, Select):
        return {name: str(value)}
    if isinstance(value, list | tuple):
        return {name: [str(v) for v in value]}
    formatted = widget.format_value(value)
    return {name: "" if formatted is None else str(formatted)}


def _form_data(form) -> dict:
    data = {}
    for bound_field in form:
        if not bound_field.field.disabled:
            data.update(_field_data(bound_field))
    return data


def admin_form_data(response, **overrides) -> dict:
    """POST data for the add/change page in ``response`` (a GET), with ``overrides`` applied."""
    context = response.context
    data = _form_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({f"{formset.prefix}-{name}": management[name].value() for name in management.fields})
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(formset.initial_form_count())
        for form in formset.initial_forms:
            data.update(_form_data(form))
    data.update(overrides)
    return data


# Ward forms: model values as the browser posts them.
def form_data(values: dict) -> dict:
    data = {}
    for name, value in values.items():
        if value is None:
            data[name] = ""
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, datetime.datetime):
            data[name] = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        elif isinstance(value, Model):
            data[name] = str(value.pk)
        else:
            data[name] = str(value)
    return data


# The project's URL patterns, walked (the permission matrix, the malformed-address walk).
def url_patterns(patterns=None, prefix="", namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name, prefix + str(pattern.pattern), pattern


# Import files: daily observations (the ward log) and infusions (the paper CRF), and the infusion import run.
def observation_rows(participant, days=2, **changes):
    headers = ["study_id", *DailyObservationResource.Meta.fields[1:]]
    data = tablib.Dataset(headers=headers)
    for day in range(days):
        values = observation_values(participant, on=participant.day0_date + datetime.timedelta(days=day), **changes)
        data.append([participant.study_id, *["" if values.get(h) is None else str(values[h]) for h in headers[1:]]])
    return data


def local(value: datetime.datetime, fmt: str) -> str:
    return timezone.localtime(value).strftime(fmt)


INFUSION_HEADERS = ["study_id" if name == "participant" else name for name in InfusionResource.Meta.fields]


def infusion_dataset(*rows) -> tablib.Dataset:
    data = tablib.Dataset(headers=INFUSION_HEADERS)
    for participant, k, user, overrides in rows:
        values = infusion_values(participant, k, user=user, **overrides)
        row = []
        for name in InfusionResource.Meta.fields:
            value = values.get(name, "")
            if name == "participant":
                value = participant.study_id
            elif name == "administered_by":
                value = user.username
            elif isinstance(value, datetime.datetime):
                value = local(value, "%Y-%m-%d %H:%M:%S")
            elif isinstance(value, bool):
                value = "1" if value else "0"
            row.append("" if value is None else str(value))
        data.append(row)
    return data


def run_infusion_import(data, user, dry_run):
    return InfusionResource(user=user).import_data(
        data, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True, file_name="ward3.csv"
    )


def admin_export(client, url: str, file_format: str = "0"):
    """Export from an admin export page as a user would: every column the page offers ticked, the first
    format (CSV). Returns the response (the file)."""
    form = client.get(url).context["form"]
    data = {"format": file_format, "resource": "0"}
    data.update({name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)})
    return client.post(url, data)


def rscript() -> str:
    """Rscript, R being the reference the tests check against; skipped without R, failed where CI requires
    it (CRF_REQUIRE_R=1)."""
    found = shutil.which("Rscript")
    if found is None:
        message = "R is not installed (apt-get install r-base-core): the comparison with R cannot run"
        if os.environ.get("CRF_REQUIRE_R"):
            pytest.fail(message)
        pytest.skip(message)
    return found
