"""The columns of the analysis bundle: each knows its name, what it means (for the data dictionary), where
its value comes from (an ORM path read with ``values_list``, or a function of other paths) and how it is
written. Formatting is fixed so every export codes the same datum the same way:

- date-times: ISO 8601 in UTC (``2020-02-05T06:30:00Z``); dates: ISO 8601 (``2020-02-05``);
- or, with study days, both become the study day counted from the participant's day 0 (day 0 = 0);
- booleans ``1`` / ``0``; decimals as stored; coded values as their code (labels in the dictionary);
- an empty cell is a value not recorded; the dictionary's ``empty_means`` says why it can be empty.
  "Not assessed" and "unknown" are codes of their own, never an empty cell or a "no".
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils import timezone

from patients.casebook.blinding import reads_allocation
from patients.casebook.exports import IDENTIFYING_FIELDS

# Free text can carry names, places or dates that identify a person: left out unless asked for, and then
# flagged in the dictionary. Fields listed here are clinical terms reviewed as safe to share (still flagged).
SAFE_FREE_TEXT = {"outcomes.adverseevent.term", "outcomes.adverseevent.meddra_preferred_term"}
# Text fields that are codes or identifiers of things, not of people: always exported, not flagged.
STRUCTURED_TEXT = {
    "patients.participant.study_id",
    "patients.consent.form_version",
    "dosing.infusion.lot_number",
    "outcomes.labresult.unit",
    "outcomes.adverseevent.meddra_code",
}

# Never exported: they identify the person (age and study days replace the birth date and calendar dates).
IDENTIFYING = IDENTIFYING_FIELDS


# Rows read from the database per round trip, and written per block of a file.
CHUNK_ROWS = 2000


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    type: str  # string, code, integer, decimal, boolean, date, datetime, study_day
    source: str  # the form (or "derived from ...")
    path: str = ""  # ORM path read from the database; empty for computed columns
    needs: tuple[str, ...] = ()  # ORM paths a computed column reads
    compute: Callable | None = None  # f(row: dict[path, value]) -> value
    unit: str = ""
    codes: tuple[tuple[str, str], ...] = ()
    derived: bool = False
    free_text: bool = False
    empty_means: str = ""
    # Its value tells the arm (a computed column: one read from the database says so by its path).
    allocation: bool = False

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,) if self.path else self.needs


@dataclass
class Options:
    study_days: bool = False  # calendar dates replaced by study days
    free_text: bool = False  # include free text (flagged in the dictionary)
    # The reader's BlindingPolicy hides the allocation: no column that tells the arm (readable_columns).
    hide_allocation: bool = False


def readable_columns(model, columns, options: Options) -> list:
    """``columns`` of a file about ``model`` without those that tell the arm, for a reader it is hidden from:
    a column marked ``allocation``, or one whose paths read it (patients/casebook/blinding.py). The one place
    the bundle leaves the allocation out, for every file."""
    if not options.hide_allocation:
        return list(columns)
    return [c for c in columns if not c.allocation and not any(reads_allocation(model, p) for p in c.paths)]


def format_value(value, *, day0: datetime.date | None = None, study_days: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        if study_days:
            return _study_day(timezone.localtime(value).date(), day0)
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.date):
        return _study_day(value, day0) if study_days else value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _study_day(day: datetime.date, day0: datetime.date | None) -> str:
    return "" if day0 is None else str((day - day0).days)


def field_type(model_field) -> str:
    if model_field.choices:
        return "code"
    if isinstance(model_field, models.BooleanField):
        return "boolean"
    if isinstance(model_field, models.DateTimeField):
        return "datetime"
    if isinstance(model_field, models.DateField):
        return "date"
    if isinstance(model_field, models.DecimalField | models.FloatField):
        return "decimal"
    if isinstance(model_field, models.IntegerField):
        return "integer"
    return "string"


def is_free_text(model_field) -> bool:
    return isinstance(model_field, models.TextField | models.CharField) and not model_field.choices


def unit_of(model_field) -> str:
    """The unit written in the verbose name, e.g. "temperature (°C)" -> "°C"."""
    name = str(model_field.verbose_name)
    if name.endswith(")") and "(" in name:
        inner = name[name.rindex("(") + 1 : -1]
        if not any(word in inner for word in ("0-", "verbatim", "if ")):
            return inner
    return ""


def data_codes(key: str) -> tuple[tuple[str, str], ...] | None:
    """The codes of a field coded by the trial's own data rather than by the code's choices: an eligibility
    answer's criterion is one of the design's criteria (issue 29, 1), read when the bundle is made."""
    if key == "patients.eligibilityanswer.criterion":
        from patients.eligibility import current_criteria

        return tuple((c.code, c.text) for c in current_criteria())
    return None


def model_columns(model, *, options: Options, exclude=(), prefix_path: str = "") -> list[Column]:
    """One column per entered field of a model: identifiers and audit plumbing left out, foreign keys to
    other records left to the caller (who names them by natural key), free text only when asked for."""
    meta = model._meta
    source = str(meta.verbose_name)
    columns = []
    for model_field in meta.concrete_fields:
        key = f"{meta.app_label}.{meta.model_name}.{model_field.name}"
        if model_field.primary_key or model_field.is_relation or model_field.name in exclude or key in IDENTIFYING:
            continue
        if model_field.name in PLUMBING:
            continue
        coded = data_codes(key)
        free = coded is None and is_free_text(model_field) and key not in SAFE_FREE_TEXT and key not in STRUCTURED_TEXT
        if free and not options.free_text:
            continue
        kind = "code" if coded is not None else field_type(model_field)
        columns.append(
            Column(
                name=model_field.name,
                label=str(model_field.verbose_name),
                type="study_day" if options.study_days and kind in ("date", "datetime") else kind,
                source=source,
                path=f"{prefix_path}{model_field.name}",
                unit=unit_of(model_field),
                codes=coded or tuple((str(code), str(label)) for code, label in model_field.choices or ()),
                free_text=free or key in SAFE_FREE_TEXT,
                empty_means="not recorded" if model_field.null or model_field.blank else "",
            )
        )
    return columns


# Audit and workflow fields that say nothing about the participant (the review status is kept).
PLUMBING = {
    "carried_from",  # carry-forward: kept in the audit trail, not an observation
    "carried_fields",
    "created_datetime",
    "modified_datetime",
    "voided",
    "void_reason",
    "voided_datetime",
    "version",
    "review_changed_datetime",
    "verified_datetime",
    "sequence_number_counter",
    "casebook_locked",
    "casebook_locked_datetime",
    "screen_failure_reason",
    "invalidated_reason",
}
