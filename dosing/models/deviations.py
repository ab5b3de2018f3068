"""Protocol deviations: recorded with an infusion (window, dose, viability), a missed infusion, a visit of
the schedule missed or done outside its window (outcomes/visits.py, outcomes/services.py), or by the site."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dosing import rules
from dosing.choices import DeviationCategory
from dosing.models.infusions import Infusion
from dosing.models.schedule import PlannedInfusion
from patients.casebook.records import ParticipantRecordQuerySet, participant_link
from patients.casebook.reviewed import CaseReportForm
from patients.casebook.schedule import Visit


class ProtocolDeviation(CaseReportForm):
    """A departure from the protocol, recorded with its reason. Infusion deviations are created by the
    infusion record itself; others (category "other") are entered by the site or the coordinator."""

    participant = participant_link("protocol_deviations")
    infusion = models.ForeignKey(Infusion, on_delete=models.PROTECT, null=True, blank=True, related_name="deviations")
    planned_infusion = models.ForeignKey(
        PlannedInfusion, on_delete=models.PROTECT, null=True, blank=True, related_name="deviations"
    )
    # A visit of the schedule missed or done outside its window (outcomes/visits.py reads the missed ones).
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="deviations")
    category = models.CharField(max_length=20, choices=DeviationCategory.choices)
    description = models.TextField(help_text="What deviated from the protocol.")
    reason = models.TextField(help_text="Why.")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reported_datetime = models.DateTimeField(default=timezone.now)

    objects = ParticipantRecordQuerySet.as_manager()
    natural_key_fields = ("category", "reported_datetime")

    class Meta(CaseReportForm.Meta):
        ordering = ["participant", "reported_datetime"]
        constraints = [
            *CaseReportForm.Meta.constraints,
            models.CheckConstraint(
                condition=Q(category__in=DeviationCategory.values), name="dosing_protocoldeviation_category_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="dosing_protocoldeviation_reason_required"),
            models.UniqueConstraint(
                fields=["infusion", "category"],
                condition=Q(voided=False, infusion__isnull=False),
                name="dosing_protocoldeviation_one_per_infusion_category",
            ),
            models.UniqueConstraint(
                fields=["participant", "visit", "category"],
                condition=Q(voided=False, visit__isnull=False),
                name="dosing_protocoldeviation_one_per_visit_category",
            ),
        ]

    def __str__(self):
        return f"{self.participant}: {self.get_category_display()}"

    def clean(self):
        super().clean()
        participant = self.participant_for_rules()
        rules.check_deviation(
            reason=self.reason,
            foreign=[
                field
                for field in ("infusion", "planned_infusion")
                if getattr(self, field) is not None
                and participant is not None
                and getattr(self, field).participant_id != participant.pk
            ],
        )
