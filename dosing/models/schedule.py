"""The planned infusion schedule, created at enrolment from the arm's regimen."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from dosing import rules
from dosing.choices import PlannedInfusionStatus
from dosing.models.regimens import Regimen
from patients.casebook.records import ParticipantRecord, ParticipantRecordQuerySet, participant_link


class PlannedInfusion(ParticipantRecord):
    """One dose of the participant's schedule, created at enrolment. Due and overdue are derived."""

    participant = participant_link("planned_infusions")
    # Arms may be given different regimens: in a blinded trial the regimen would tell the arm.
    allocation_fields = ("regimen",)
    # How an export names one of these (patients/casebook/exports.py): the attribute and the column suffix.
    export_natural_key = ("sequence_number", "sequence")

    regimen = models.ForeignKey(Regimen, on_delete=models.PROTECT, related_name="+")
    sequence_number = models.PositiveSmallIntegerField()
    planned_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=PlannedInfusionStatus.choices, default=PlannedInfusionStatus.PLANNED
    )
    status_reason = models.TextField(blank=True, help_text="Why the infusion was missed or cancelled.")

    objects = ParticipantRecordQuerySet.as_manager()
    natural_key_fields = ("sequence_number",)

    class Meta(ParticipantRecord.Meta):
        ordering = ["participant", "sequence_number"]
        constraints = [
            *ParticipantRecord.Meta.constraints,
            models.UniqueConstraint(
                fields=["participant", "sequence_number"],
                condition=Q(voided=False),
                name="dosing_plannedinfusion_unique_sequence",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlannedInfusionStatus.values), name="dosing_plannedinfusion_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[PlannedInfusionStatus.MISSED, PlannedInfusionStatus.CANCELLED])
                | ~Q(status_reason=""),
                name="dosing_plannedinfusion_reason_when_not_given",
            ),
        ]

    def __str__(self):
        return f"{self.participant} infusion {self.sequence_number} planned {self.planned_date}"

    def clean(self):
        super().clean()
        recorded = (
            self.status != PlannedInfusionStatus.GIVEN
            or not self.participant_id
            or self.participant.infusions.active().filter(sequence_number=self.sequence_number).exists()
        )
        rules.check_planned_status(
            status=self.status,
            status_label=self.get_status_display(),
            status_reason=self.status_reason,
            infusion_recorded=recorded,
        )

    @property
    def window_start(self) -> datetime.date:
        return self.planned_date - datetime.timedelta(days=self.regimen.window_days)

    @property
    def window_end(self) -> datetime.date:
        return self.planned_date + datetime.timedelta(days=self.regimen.window_days)

    def due_state(self, today: datetime.date | None = None) -> str:
        """ "due" within the window, "overdue" after it, "" otherwise (derived, never stored)."""
        if self.status != PlannedInfusionStatus.PLANNED:
            return ""
        today = today or timezone.localdate()
        if today > self.window_end:
            return "overdue"
        if today >= self.window_start:
            return "due"
        return ""
