"""Data queries: a reviewer's question on a record (optionally one field), the site's answer, and its
closing or re-opening by the raiser. Two statuses, as in the Django EDC: the site side (awaiting / answered)
and the data-management side (open / closed). Every step is audited; the age of an open query is derived."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from patients.choices import QuerySiteStatus, QueryStatus
from patients.records import ParticipantRecord, ParticipantRecordQuerySet


class DataQueryQuerySet(ParticipantRecordQuerySet):
    def open(self):
        return self.active().filter(status=QueryStatus.OPEN)


class DataQuery(ParticipantRecord):
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
        super().clean()
        if not (self.text or "").strip():
            raise ValidationError({"text": "Write the question."})
        if self.record is not None:
            participant_id = getattr(self.record, "participant_id", getattr(self.record, "pk", None))
            if type(self.record).__name__ != "Participant" and participant_id != self.participant_id:
                raise ValidationError({"object_id": "The record belongs to another participant."})
            if self.field_name and self.field_name not in {f.name for f in self.record._meta.fields}:
                raise ValidationError(
                    {"field_name": f"{type(self.record)._meta.verbose_name} has no field {self.field_name!r}."}
                )
        if self.site_status == QuerySiteStatus.ANSWERED and not (self.answer or "").strip():
            raise ValidationError({"answer": "Write the answer."})

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
