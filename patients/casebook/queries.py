"""Data queries: a reviewer's question on a record (optionally one field), the site's answer, and its
closing or re-opening by the raiser. Two statuses, as in the Django EDC: the site side (awaiting / answered)
and the data-management side (open / closed). Every step is audited; the age of an open query is derived."""

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from patients.casebook.choices import QuerySiteStatus, QueryStatus
from patients.casebook.naming import sentence_case
from patients.casebook.records import ParticipantRecord, ParticipantRecordQuerySet, participant_link

PARTICIPANT = "patients.participant"


def queryable_models() -> list[type]:
    """The models a query may be raised on: the participant (the casebook as a whole) and every record
    kind that is casebook data (what a signature covers), whichever app declares it (found through the app
    registry, so this floor names no app above it)."""
    return [
        model
        for model in apps.get_models()
        if model._meta.label_lower == PARTICIPANT
        or (issubclass(model, ParticipantRecord) and model.invalidates_signature)
    ]


def queryable_fields(model) -> list[tuple[str, str]]:
    """(name, label) of the data fields a query may be about: what a person enters, not ids or plumbing."""
    return [
        (field.name, str(field.verbose_name))
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in ("participant", "site")
    ]


class DataQueryQuerySet(ParticipantRecordQuerySet):
    def open(self):
        return self.active().filter(status=QueryStatus.OPEN)

    def about(self, record):
        """Queries raised on ``record`` (a case report form record, or the participant: the casebook)."""
        meta = record._meta
        return self.filter(
            content_type__app_label=meta.app_label, content_type__model=meta.model_name, object_id=record.pk
        )


class DataQuery(ParticipantRecord):
    participant = participant_link("data_queries")
    # The nightly checks raise their queries a batch at a time (casebook/services.py: automatic_queries_raise).
    adds_in_bulk = True
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    field_name = models.CharField(max_length=60, blank=True, help_text="The field the question is about, if one.")
    text = models.TextField("question")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Empty for a query raised by the automatic data checks.",
    )
    raised_datetime = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=8, choices=QueryStatus.choices, default=QueryStatus.OPEN)
    site_status = models.CharField(max_length=10, choices=QuerySiteStatus.choices, default=QuerySiteStatus.AWAITING)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    answered_datetime = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    closed_datetime = models.DateTimeField(null=True, blank=True)
    # Automatic checks set a code, so the nightly run raises each finding once and closes it when fixed.
    check_code = models.CharField(max_length=60, blank=True)

    objects = DataQueryQuerySet.as_manager()
    # A query's life (raise, answer, close) is review, not a change to the casebook's data.
    invalidates_signature = False

    class Meta(ParticipantRecord.Meta):
        verbose_name = "data query"
        verbose_name_plural = "data queries"
        ordering = ["raised_datetime"]
        constraints = [
            *ParticipantRecord.Meta.constraints,
            models.CheckConstraint(condition=Q(status__in=QueryStatus.values), name="patients_dataquery_status_valid"),
            models.CheckConstraint(
                condition=Q(site_status__in=QuerySiteStatus.values), name="patients_dataquery_site_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(site_status=QuerySiteStatus.AWAITING) | ~Q(answer=""),
                name="patients_dataquery_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=Q(status=QueryStatus.OPEN) | Q(closed_datetime__isnull=False),
                name="patients_dataquery_closed_has_time",
            ),
            models.UniqueConstraint(
                fields=["check_code", "content_type", "object_id"],
                condition=Q(voided=False, status=QueryStatus.OPEN) & ~Q(check_code=""),
                name="patients_dataquery_one_open_per_check",
            ),
        ]

    def __str__(self):
        return f"Query #{self.pk} on {self.participant}"

    def clean(self):
        """A query is about the casebook of its participant: the casebook itself or one of its case report
        form records (never another participant's or site's, never an account or other table), optionally
        one data field of it; and it is answered by the site, after it is raised, never by its raiser."""
        super().clean()
        if not (self.text or "").strip():
            raise ValidationError({"text": ValidationError("Write the question.", code="required")})
        self._check_record()
        if self._state.adding and ((self.answer or "").strip() or self.site_status != QuerySiteStatus.AWAITING):
            raise ValidationError(
                {"answer": ValidationError("The site answers a query once it is raised.", code="answered_on_raise")}
            )
        if self.site_status == QuerySiteStatus.ANSWERED and not (self.answer or "").strip():
            raise ValidationError({"answer": ValidationError("Write the answer.", code="required")})

    def _check_record(self) -> None:
        if self.content_type_id is None:
            if self.object_id is not None or self.field_name:
                raise ValidationError({"object_id": ValidationError("Choose the record.", code="no_such_record")})
            return
        model = self.content_type.model_class()
        if model not in queryable_models():
            raise ValidationError(
                {
                    "content_type": ValidationError(
                        "A query is raised on a case report form of the participant's casebook.",
                        code="not_a_casebook_form",
                    )
                }
            )
        record = self._loaded_record(model)
        owner = (
            None if record is None else (record.pk if model._meta.label_lower == PARTICIPANT else record.participant_id)
        )
        if record is None or owner != self.participant_id:
            # Missing, or another participant's (of this site or another): one message, nothing revealed.
            raise ValidationError(
                {"object_id": ValidationError("No such record in this participant's casebook.", code="no_such_record")}
            )
        if self.field_name and self.field_name not in dict(queryable_fields(model)):
            raise ValidationError(
                {
                    "field_name": ValidationError(
                        f"{sentence_case(model._meta.verbose_name)} has no data field {self.field_name!r}.",
                        code="unknown_field",
                    )
                }
            )

    def _loaded_record(self, model):
        """The record the query is on, from the database, unless the query was built from the record itself
        (``DataQuery(record=...)``: the nightly checks' thousands, issue 19), which is then used as it is."""
        if self.object_id is None:
            return None
        cached = type(self).record.get_cached_value(self, default=None)
        if isinstance(cached, model) and cached.pk == self.object_id:
            return cached
        return model.objects.filter(pk=self.object_id).first()

    @property
    def age_days(self) -> int:
        """Days open (to closing, or to now)."""
        end = self.closed_datetime or timezone.now()
        return (end - self.raised_datetime).days

    @property
    def field_label(self) -> str:
        if not self.field_name or self.record is None:
            return ""
        return str(type(self.record)._meta.get_field(self.field_name).verbose_name)
