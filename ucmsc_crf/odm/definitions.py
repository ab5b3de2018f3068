"""The ODM metadata of the trial, derived from the case report form registry, the models' fields and the
visit schedule: a new form needs no ODM code.

Each registered form becomes a ``FormSpec`` with one item group; its items are the columns the analysis
bundle would give the same reader (``ucmsc_crf.analysis.columns``: identifiers left out, what tells the arm
left out for a blind reader by the one blinding policy), typed for ODM from the model field behind each.
The participant's own record is the enrolment form; the allocation is a form of its own, only in an
unblinded reader's file. A form whose records carry a date a study day derives from gets a derived study day
item, marked as computed (``MT.STUDY_DAY``), never presented as typed."""

from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from patients.casebook.blinding import BlindingPolicy
from patients.casebook.choices import Treatment
from patients.casebook.registry import CaseReportFormType, RelatedKey, registry
from patients.models import Arm, Participant
from ucmsc_crf.analysis.columns import Column, Options, model_columns, readable_columns
from ucmsc_crf.odm.oids import oid, unit_oid

STUDY_DAY_METHOD = "MT.STUDY_DAY"
ENROLMENT_KEY = "enrolment"
ALLOCATION_KEY = "allocation"


@dataclass(frozen=True)
class ItemSpec:
    oid: str
    name: str  # the column name, as in the analysis bundle
    path: str  # what is read (an ORM path from the form's model); "" for a derived item
    data_type: str  # ODM 1.3.2: integer, float, date, datetime, boolean, text
    question: str
    length: int | None = None
    significant_digits: int | None = None
    unit: str = ""
    unit_oid: str = ""
    codelist_oid: str = ""
    codes: tuple[tuple[str, str], ...] = ()
    ranges: tuple[tuple[str, str], ...] = ()  # (comparator GE/LE, value)
    method_oid: str = ""  # a derived item: how it is computed
    audited_field: str = ""  # the model field whose history gives the item's audit records


@dataclass(frozen=True)
class FormSpec:
    key: str
    oid: str
    group_oid: str
    name: str
    model: type
    items: list[ItemSpec] = field(default_factory=list)
    natural_key: tuple[str, ...] = ()
    study_day_from: str = ""
    at_visits: bool = False  # its records name the visit they were done for


def _field_at(model, path: str):
    """The model field a path ends at (``analyte__code`` -> Analyte.code), or None."""
    names = path.split("__")
    for at, name in enumerate(names):
        try:
            found = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if at < len(names) - 1:
            model = found.related_model
            if model is None:
                return None
    return found


def _data_type(column: Column, model_field) -> str:
    if column.type == "code":
        return "integer" if isinstance(model_field, models.IntegerField) else "text"
    return {
        "boolean": "boolean",
        "datetime": "datetime",
        "date": "date",
        "decimal": "float",
        "integer": "integer",
    }.get(column.type, "text")


def _ranges(model_field) -> tuple[tuple[str, str], ...]:
    found = []
    for validator in getattr(model_field, "validators", ()):
        limit = getattr(validator, "limit_value", None)
        if callable(limit) or limit is None:
            continue
        if isinstance(validator, MinValueValidator):
            found.append(("GE", str(limit)))
        elif isinstance(validator, MaxValueValidator):
            found.append(("LE", str(limit)))
    return tuple(found)


def item_spec(key: str, model, column: Column) -> ItemSpec:
    model_field = _field_at(model, column.path) if column.path else None
    codes = tuple((code, label) for code, label in column.codes if code != "")  # a blank choice is no code
    data_type = _data_type(column, model_field)
    length = digits = None
    if isinstance(model_field, models.DecimalField):
        length, digits = model_field.max_digits, model_field.decimal_places
    elif isinstance(model_field, models.CharField) and data_type == "text":
        length = model_field.max_length
    return ItemSpec(
        oid=oid("IT", key, column.name),
        name=column.name,
        path=column.path,
        data_type=data_type,
        question=column.label[:1].upper() + column.label[1:],
        length=length,
        significant_digits=digits,
        unit=column.unit,
        unit_oid=unit_oid(column.unit) if column.unit else "",
        codelist_oid=oid("CL", key, column.name) if codes else "",
        codes=codes,
        ranges=_ranges(model_field) if model_field is not None else (),
        audited_field=column.path if column.path and "__" not in column.path else "",
    )


def _study_day_item(key: str, date_field: str, model) -> ItemSpec:
    label = str(model._meta.get_field(date_field).verbose_name)
    return ItemSpec(
        oid=oid("IT", key, "study_day"),
        name="study_day",
        path="",
        data_type="integer",
        question=f"Study day of the {label} (day 0 = the day of enrolment)",
        method_oid=STUDY_DAY_METHOD,
    )


def _related_column(related: RelatedKey, source: str) -> Column:
    return Column(related.name, related.label, related.type, source, path=related.path)


def _form(key, name, model, columns, options, *, natural_key=(), study_day_from="") -> FormSpec:
    columns = readable_columns(model, columns, options)
    items = [item_spec(key, model, column) for column in columns]
    if study_day_from:
        items.append(_study_day_item(key, study_day_from, model))
    return FormSpec(
        key=key,
        oid=oid("F", key),
        group_oid=oid("IG", key),
        name=name,
        model=model,
        items=items,
        natural_key=natural_key,
        study_day_from=study_day_from,
        at_visits=any(f.name == "visit" for f in model._meta.fields),
    )


def crf_form(crf: CaseReportFormType, options: Options) -> FormSpec:
    source = str(crf.model._meta.verbose_name)
    columns = [*(_related_column(k, source) for k in crf.related_keys), *model_columns(crf.model, options=options)]
    return _form(
        crf.key,
        crf.label,
        crf.model,
        columns,
        options,
        natural_key=crf.natural_key,
        study_day_from=crf.study_day_from,
    )


def enrolment_form(options: Options) -> FormSpec:
    columns = model_columns(Participant, options=options, exclude=("study_id", "sequence_number"))
    return _form(ENROLMENT_KEY, "Enrolment", Participant, columns, options, study_day_from="")


def allocation_form() -> FormSpec:
    """The allocation as items of its own form: only ever built for a reader who sees it."""
    arms = tuple(Arm.objects.order_by("code").values_list("code", "name"))
    treatments = tuple((str(code), str(label)) for code, label in Treatment.choices)
    columns = [
        Column("arm", "arm", "code", "enrolment", path="arm__code", codes=arms),
        Column("treatment", "what the arm receives", "code", "enrolment", path="arm__treatment", codes=treatments),
        Column(
            "randomisation_number",
            "randomisation number",
            "integer",
            "randomisation list",
            path="randomisation_slot__number",
        ),  # fmt: skip
        Column(
            "treatment_code",
            "treatment code",
            "string",
            "randomisation list",
            path="randomisation_slot__treatment_code",
        ),  # fmt: skip
    ]
    return _form(ALLOCATION_KEY, "Allocation", Participant, columns, Options())


def form_specs(user, *, free_text: bool) -> list[FormSpec]:
    """Every form of this reader's file, in the registry's order after the enrolment (and allocation)."""
    policy = BlindingPolicy.of(user)
    options = Options(free_text=free_text, hide_allocation=policy.hides_allocation)
    forms = [enrolment_form(options)]
    if policy.sees_allocation:
        forms.append(allocation_form())
    forms += [crf_form(crf, options) for crf in registry.all() if crf.model is not Participant]
    return forms
