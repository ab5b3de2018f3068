"""Chest CT: findings, extent score and the comparison with the previous scan."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from outcomes import rules
from outcomes.choices import (
    CtComparison,
    FindingState,
)
from patients.casebook.records import ParticipantRecordQuerySet, participant_link
from patients.casebook.reviewed import CaseReportForm
from patients.casebook.rules import check_not_recorded_yet, check_within_follow_up


class ChestCt(CaseReportForm):
    participant = participant_link("chest_cts")
    scan_date = models.DateField()
    ground_glass_opacity = models.CharField(max_length=7, choices=FindingState.choices)
    consolidation = models.CharField(max_length=7, choices=FindingState.choices)
    crazy_paving = models.CharField(max_length=7, choices=FindingState.choices)
    pleural_effusion = models.CharField(max_length=7, choices=FindingState.choices)
    other_findings = models.CharField(max_length=200, blank=True)
    extent_score = models.PositiveSmallIntegerField(
        "CT extent score (0-25)",
        validators=[MaxValueValidator(25)],
        help_text="Sum over the five lobes of 0-5 each (0 none, 1 <5 %, 2 5-25 %, 3 26-49 %, 4 50-75 %, 5 >75 %).",
    )
    comparison = models.CharField("comparison with the previous scan", max_length=10, choices=CtComparison.choices)

    objects = ParticipantRecordQuerySet.as_manager()
    natural_key_fields = ("scan_date",)

    class Meta(CaseReportForm.Meta):
        verbose_name = "chest CT"
        verbose_name_plural = "chest CTs"
        ordering = ["participant", "scan_date"]
        constraints = [
            *CaseReportForm.Meta.constraints,
            models.UniqueConstraint(
                fields=["participant", "scan_date"], condition=Q(voided=False), name="outcomes_chestct_one_per_day"
            ),
            models.CheckConstraint(condition=Q(extent_score__lte=25), name="outcomes_chestct_extent_range"),
            models.CheckConstraint(
                condition=Q(comparison__in=CtComparison.values), name="outcomes_chestct_comparison_valid"
            ),
        ]

    def __str__(self):
        return f"{self.participant} CT {self.scan_date}"

    def clean(self):
        super().clean()
        participant = self.participant_for_rules()
        if participant is None or not self.scan_date:
            return
        check_within_follow_up(
            field="scan_date",
            on=self.scan_date,
            earliest=participant.admission_date,
            earliest_label="hospital admission",
            follow_up_end=participant.follow_up_end_date(),
            now=timezone.now(),
        )
        check_not_recorded_yet(
            record=self, field="scan_date", label=f"A CT on {self.scan_date}", scan_date=self.scan_date
        )
        earlier = participant.chest_cts.active().exclude(pk=self.pk).filter(scan_date__lt=self.scan_date).exists()
        rules.check_ct_comparison(comparison=self.comparison, has_earlier_scan=earlier)
