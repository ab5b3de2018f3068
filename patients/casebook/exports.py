"""Admin export of every clinical model (django-import-export), built from the model so a new field is
exported without editing a list:

- stable column names (the field names); relations by natural key (``study_id``, ``analyte``,
  ``infusion_sequence``, usernames), never database ids;
- coded values as the code, with the label in a ``<name>_label`` column next to it;
- date-times in ISO 8601 UTC (``2020-02-05T06:30:00Z``), dates ISO 8601, booleans 1 / 0;
- what identifies a participant (initials, date of birth) is never exported;
- text a spreadsheet would run as a formula gets a leading apostrophe (patients/casebook/spreadsheet.py).
"""

import datetime

from django.core.exceptions import ValidationError
from django.forms.utils import from_current_timezone
from django.utils import timezone
from import_export import fields, resources, widgets

from patients.casebook.spreadsheet import spreadsheet_safe

# Never exported, on any path (the analysis bundle uses the same set).
IDENTIFYING_FIELDS = {
    "patients.participant.initials",
    "patients.participant.date_of_birth",
    # The paper file's number: the hospital archive keeps it with the name.
    "patients.participant.archive_id",
}

# A related record is exported by its natural key, which its model declares as
# ``export_natural_key = (attribute, column suffix or None)`` (e.g. an infusion: ("sequence_number",
# "sequence") -> "infusion_sequence"); Django's own models are named here. The participant becomes "study_id".
DJANGO_NATURAL_KEYS = {
    "auth.user": ("username", None),
    "contenttypes.contenttype": ("model", None),
}


def natural_key_of(model) -> tuple[str, str | None] | None:
    """(attribute, column suffix) naming a record of ``model`` in an export, or None (not exported)."""
    return getattr(model, "export_natural_key", None) or DJANGO_NATURAL_KEYS.get(model._meta.label_lower)


class UtcDateTimeWidget(widgets.DateTimeWidget):
    """ISO 8601 in UTC on export. On import, the rule the forms follow: ISO 8601 with an offset or Z
    (converted), or a local time in DJANGO_TIME_ZONE, refused where that wall-clock time is ambiguous or does
    not exist (a daylight-saving change), as Django's form fields refuse it (from_current_timezone)."""

    def render(self, value, obj=None, **kwargs):
        if not isinstance(value, datetime.datetime):
            return ""
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            parsed = value
        else:
            try:
                parsed = datetime.datetime.fromisoformat(str(value).strip())
            except ValueError:
                raise ValueError(f"{value!r} is not a date-time (use 2020-02-05T06:30:00Z).") from None
        if not timezone.is_naive(parsed):
            return parsed
        try:
            return from_current_timezone(parsed)
        except ValidationError:
            zone = timezone.get_current_timezone_name()
            raise ValueError(
                f"{value} is ambiguous or does not exist as a local time in {zone} (a daylight-saving change): "
                "write it with its offset or in UTC (e.g. 2020-11-01T01:30:00-04:00 or ...Z)."
            ) from None


def column_name(model_field) -> str:
    related = model_field.related_model._meta.label_lower
    if related == "patients.participant":
        return "study_id"
    _, suffix = natural_key_of(model_field.related_model)
    return f"{model_field.name}_{suffix}" if suffix else model_field.name


def export_fields(model, *, hidden: frozenset[str] = frozenset()):
    """(declared fields, related paths to select) for ``model``'s export resource, without the ``hidden`` ones
    (the allocation fields, for a reader the blinding policy hides them from: BlindingPolicy.hidden_fields)."""
    declared, related = {}, []
    for model_field in model._meta.concrete_fields:
        key = f"{model._meta.label_lower}.{model_field.name}"
        if model_field.primary_key or key in IDENTIFYING_FIELDS:
            continue
        if model_field.name in hidden:
            continue
        if model_field.is_relation:
            natural = natural_key_of(model_field.related_model)
            if natural is None:
                continue
            name = column_name(model_field)
            declared[name] = fields.Field(
                attribute=f"{model_field.name}__{natural[0]}", column_name=name, readonly=True
            )
            related.append(model_field.name)
            continue
        widget = WIDGETS.get(model_field.get_internal_type(), lambda: None)()
        declared[model_field.name] = fields.Field(
            attribute=model_field.name,
            column_name=model_field.name,
            readonly=True,
            **({"widget": widget} if widget else {}),
        )
        if model_field.choices:
            label = f"{model_field.name}_label"
            declared[label] = fields.Field(
                attribute=f"get_{model_field.name}_display", column_name=label, readonly=True
            )
    ordered = dict(sorted(declared.items(), key=lambda item: _position(item[0])))
    return ordered, related


# Audit and workflow columns go last, after the data.
AUDIT_COLUMNS = (
    "review_status",
    "review_status_label",
    "review_changed_by",
    "review_changed_datetime",
    "verified_by",
    "verified_datetime",
    "version",
    "created_datetime",
    "modified_datetime",
    "voided",
    "void_reason",
    "voided_datetime",
    "voided_by",
)


def _position(name: str) -> tuple[int, int]:
    if name == "study_id":
        return (0, 0)
    if name in AUDIT_COLUMNS:
        return (2, AUDIT_COLUMNS.index(name))
    return (1, 0)


WIDGETS = {"DateTimeField": UtcDateTimeWidget, "BooleanField": widgets.BooleanWidget}


class SpreadsheetSafeResource(resources.ModelResource):
    """Every exported cell passes spreadsheet_safe: no value comes out as a live formula (CSV or XLSX)."""

    def export_field(self, field, instance, **kwargs):
        return spreadsheet_safe(super().export_field(field, instance, **kwargs))


_cache: dict = {}


def export_resource_for(model, *, hidden: frozenset[str] = frozenset()):
    """The export resource class of ``model`` without the ``hidden`` fields (built once per model and set)."""
    key = (model, frozenset(hidden))
    if key not in _cache:
        declared, related = export_fields(model, hidden=key[1])
        meta = type("Meta", (), {"model": model, "fields": tuple(declared), "export_order": tuple(declared)})
        resource = type(f"{model.__name__}ExportResource", (SpreadsheetSafeResource,), {**declared, "Meta": meta})
        resource.related_paths = tuple(related)
        _cache[key] = resource
    return _cache[key]
