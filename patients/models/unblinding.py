"""Emergency unblinding of one participant in a blinded trial: the investigator's request with its clinical
reason, and the designated approver's decision (or, where the design allows, the investigator's own in an
emergency). Who may then see the arm is decided in patients/unblinding.py; the arm is never stored here."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from patients.casebook.records import ParticipantRecord, ParticipantRecordQuerySet, participant_link
from patients.choices import UnblindingStatus


class UnblindingRequest(ParticipantRecord):
    participant = participant_link("unblinding_requests")
    # How an export names one of these (patients/casebook/exports.py): the attribute and the column suffix.
    export_natural_key = ("requested_datetime", None)

    reason = models.TextField(help_text="The clinical emergency: why treatment depends on knowing the arm.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_datetime = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=UnblindingStatus.choices, default=UnblindingStatus.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_datetime = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # Approved by the requester alone, in an emergency, as the design allows: reviewed after the event.
    self_approved = models.BooleanField(default=False)

    objects = ParticipantRecordQuerySet.as_manager()
    natural_key_fields = ("requested_datetime",)

    class Meta(ParticipantRecord.Meta):
        ordering = ["participant", "-requested_datetime"]
        permissions = [
            ("request_unblinding", "Can request emergency unblinding of a participant (investigator)"),
            ("approve_unblinding", "Can approve emergency unblinding (designated approver)"),
        ]
        constraints = [
            *ParticipantRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(status__in=UnblindingStatus.values), name="patients_unblinding_status_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="patients_unblinding_reason_required"),
            models.CheckConstraint(
                condition=Q(status=UnblindingStatus.REQUESTED, decided_by__isnull=True, decided_datetime__isnull=True)
                | Q(
                    ~Q(status=UnblindingStatus.REQUESTED),
                    decided_by__isnull=False,
                    decided_datetime__isnull=False,
                ),
                name="patients_unblinding_decision_complete",
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(status=UnblindingStatus.REQUESTED, voided=False),
                name="patients_unblinding_one_open_request",
            ),
        ]

    def __str__(self):
        return f"{self.participant}: unblinding {self.get_status_display().lower()}"
