"""The domains of the analysis bundle (one CSV each, long format): which records, which columns, in which
order. Columns come from the models (so a new field reaches the bundle and its dictionary), records are
named by natural keys (study ID, infusion sequence, analyte code), never by database ids."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from patients import rules
from patients.casebook.queries import DataQuery
from patients.casebook.registry import registry
from patients.models import Arm, Participant
from ucmsc_crf.analysis.columns import Column, Options, format_value, model_columns, readable_columns


@dataclass
class Domain:
    name: str
    model: type
    columns: list[Column]
    day0_path: str
    order_by: tuple[str, ...]

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    def queryset(self, user):
        manager = self.model.objects
        queryset = manager.for_user(user) if user is not None else manager.all()
        return queryset.active().order_by(*self.order_by)

    def paths(self) -> list[str]:
        paths = [self.day0_path]
        for column in self.columns:
            paths += [p for p in column.paths if p not in paths]
        return paths


def _study_id(path="participant__study_id") -> Column:
    return Column("study_id", "study ID (site code and sequence)", "string", "enrolment", path=path)


def _study_day(date_path: str, source: str) -> Column:
    return Column(
        "study_day",
        "study day (day 0 = enrolment)",
        "integer",
        f"derived from {source}",
        needs=(date_path, "participant__day0_date"),
        compute=lambda row: _days(row[date_path], row["participant__day0_date"]),
        derived=True,
        empty_means="not enrolled",
    )


def _days(value, day0):
    from django.utils import timezone

    if value is None or day0 is None:
        return None
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value).date()
    return (value - day0).days


def _age(row):
    # The model's own rule (patients.rules), on values read without loading the participant.
    screening = row["screening_datetime"]
    return rules.age_at_enrolment(
        row["date_of_birth"], row["day0_date"], timezone.localdate(screening) if screening else None
    )


def _bmi(row):
    return rules.body_mass_index(row["weight_kg"], row["height_cm"])


def domains(options: Options) -> list[Domain]:
    arm_codes = tuple((a.code, a.name) for a in Arm.objects.order_by("code"))
    participant = Domain(
        "participants",
        Participant,
        readable_columns(
            Participant,
            [
                _study_id("study_id"),
                Column("site", "site code", "string", "enrolment", path="site__code"),
                Column(
                    "arm", "arm", "code", "enrolment", path="arm__code", codes=arm_codes, empty_means="not enrolled"
                ),
                Column(
                    "age_years",
                    "age in completed years on day 0 (on screening if not enrolled)",
                    "integer",
                    "derived from the date of birth (not exported)",
                    needs=("date_of_birth", "day0_date", "screening_datetime"),
                    compute=_age,
                    unit="years",
                    derived=True,
                ),
                Column(
                    "bmi",
                    "body-mass index",
                    "decimal",
                    "derived from weight and height",
                    needs=("weight_kg", "height_cm"),
                    compute=_bmi,
                    unit="kg/m2",
                    derived=True,
                ),
                *model_columns(Participant, options=options, exclude=("study_id", "sequence_number")),
            ],
            options,
        ),
        day0_path="day0_date",
        order_by=("study_id",),
    )
    return [
        participant,
        # One file per registered case report form that goes into the bundle (patients/casebook/registry.py).
        *(_crf_domain(crf, options) for crf in registry.all() if crf.analysis_domain),
        _domain(
            "data_queries",
            DataQuery,
            options,
            order=("raised_datetime",),
            extra=[
                Column("form", "the form queried", "string", "data query", path="content_type__model"),
                Column(
                    "record",
                    "the record queried, by its natural key within the participant's casebook (e.g. "
                    "observation_date=<date>; analyte=il6; sample_datetime=<date-time>; sequence_number=2); "
                    "dates as study days with --study-days",
                    "string",
                    "derived from the record queried",
                    needs=("content_type", "object_id", "participant__day0_date"),
                    compute=RecordKeys(study_days=options.study_days),
                    derived=True,
                    empty_means="the casebook as a whole",
                ),
            ],
            exclude=("object_id",),
        ),
    ]


class RecordKeys:
    """Names the record each data query is about by its natural key (the model's natural_key_fields),
    never by its database id. Keys are read once per form (one query per content type, whatever the number
    of queries), when the first query about that form is written."""

    def __init__(self, *, study_days: bool):
        self.study_days = study_days
        self._keys: dict[int, dict[int, tuple]] = {}
        self._fields: dict[int, tuple[str, ...]] = {}

    def __call__(self, row) -> str | None:
        content_type_id, object_id = row["content_type"], row["object_id"]
        if content_type_id is None or object_id is None:
            return None
        if content_type_id not in self._keys:
            self._load(content_type_id)
        values = self._keys[content_type_id].get(object_id)
        if values is None:
            return None
        day0 = row["participant__day0_date"]
        return "; ".join(
            f"{name.replace('__code', '')}={format_value(value, day0=day0, study_days=self.study_days)}"
            for name, value in zip(self._fields[content_type_id], values, strict=True)
        )

    def _load(self, content_type_id: int) -> None:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        fields = getattr(model, "natural_key_fields", ()) if model is not None else ()
        self._fields[content_type_id] = fields
        if not fields:  # e.g. the participant: the casebook as a whole
            self._keys[content_type_id] = {}
            return
        queried = DataQuery.objects.filter(content_type_id=content_type_id).values("object_id")
        self._keys[content_type_id] = {
            pk: tuple(rest) for pk, *rest in model.objects.filter(pk__in=queried).values_list("pk", *fields)
        }


def _crf_domain(crf, options) -> Domain:
    """A form's file: study ID, the related records it names by natural key, its study day, its fields."""
    source = str(crf.model._meta.verbose_name)
    extra = [Column(k.name, k.label, k.type, source, path=k.path, empty_means=k.empty_means) for k in crf.related_keys]
    if crf.study_day_from:
        field = crf.model._meta.get_field(crf.study_day_from)
        extra.append(_study_day(crf.study_day_from, str(field.verbose_name)))
    return _domain(crf.analysis_domain, crf.model, options, order=crf.analysis_order, extra=extra)


def _domain(name, model, options, *, order, extra=(), exclude=()):
    return Domain(
        name,
        model,
        readable_columns(
            model, [_study_id(), *extra, *model_columns(model, options=options, exclude=exclude)], options
        ),
        day0_path="participant__day0_date",
        order_by=("participant__study_id", *order, "pk"),
    )
