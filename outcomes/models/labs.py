"""Laboratory results in long format, against the analyte catalogue (data: units, plausible and reference
ranges)."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from outcomes import rules
from outcomes.choices import (
    AnalyteGroup,
    DetectionLimit,
)
from patients.casebook.records import ParticipantRecordQuerySet, participant_link
from patients.casebook.reviewed import CaseReportForm
from patients.casebook.rules import check_not_recorded_yet, check_within_follow_up


class Analyte(models.Model):
    """A laboratory test in the catalogue: data, with its canonical unit and plausible range."""

    # How an export names one of these (patients/casebook/exports.py): the attribute and the column suffix.
    export_natural_key = ("code", None)

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100, unique=True)
    group = models.CharField(max_length=12, choices=AnalyteGroup.choices)
    unit = models.CharField(max_length=20, help_text="Canonical unit: results are stored in it.")
    plausible_min = models.DecimalField(max_digits=10, decimal_places=3, help_text="Values below are refused.")
    plausible_max = models.DecimalField(max_digits=10, decimal_places=3, help_text="Values above are refused.")
    reference_low = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    reference_high = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    display_order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["display_order", "code"]
        default_permissions = ("add", "change", "view")
        constraints = [
            models.CheckConstraint(
                condition=Q(plausible_min__lt=F("plausible_max")), name="outcomes_analyte_plausible_range"
            ),
            models.CheckConstraint(condition=Q(group__in=AnalyteGroup.values), name="outcomes_analyte_group_valid"),
        ]

    def __str__(self):
        return f"{self.name} ({self.unit})"


class LabResultQuerySet(ParticipantRecordQuerySet):
    def outside_reference(self):
        """Results below or above their analyte's reference range (where the catalogue gives one)."""
        return self.filter(
            Q(analyte__reference_low__isnull=False, value__lt=F("analyte__reference_low"))
            | Q(analyte__reference_high__isnull=False, value__gt=F("analyte__reference_high"))
        )


class LabResult(CaseReportForm):
    """One result (long format): one per participant, analyte and sample date-time."""

    participant = participant_link("lab_results")
    analyte = models.ForeignKey(Analyte, on_delete=models.PROTECT, related_name="results")
    sample_datetime = models.DateTimeField("sample date and time")
    value = models.DecimalField(
        max_digits=10, decimal_places=3, help_text="In the analyte's canonical unit; at a detection limit, the limit."
    )
    unit = models.CharField(max_length=20, blank=True, help_text="Always the analyte's canonical unit.")
    detection_limit = models.CharField(max_length=5, choices=DetectionLimit.choices, default="", blank=True)
    comment = models.CharField("lab comment", max_length=200, blank=True)

    objects = LabResultQuerySet.as_manager()
    natural_key_fields = ("analyte__code", "sample_datetime")
    # Imports add them a batch at a time (patients/import_batches.py): no save() of their own, and the rule
    # that only repeats a unique constraint (check_not_recorded_yet) is the database's on that path.
    adds_in_bulk = True

    class Meta(CaseReportForm.Meta):
        ordering = ["participant", "sample_datetime", "analyte__display_order"]
        constraints = [
            *CaseReportForm.Meta.constraints,
            models.UniqueConstraint(
                fields=["participant", "analyte", "sample_datetime"],
                condition=Q(voided=False),
                name="outcomes_labresult_once_per_sample",
            ),
            models.CheckConstraint(
                condition=Q(detection_limit__in=DetectionLimit.values), name="outcomes_labresult_detection_valid"
            ),
            models.CheckConstraint(condition=~Q(unit=""), name="outcomes_labresult_unit_required"),
        ]

    def __str__(self):
        return f"{self.participant} {self.analyte.code} {self.sample_datetime:%Y-%m-%d %H:%M}"

    def clean(self):
        if self.analyte_id and not self.unit:
            self.unit = self.analyte.unit
        super().clean()
        if self.analyte_id:
            rules.check_lab_value(
                value=self.value,
                unit=self.unit,
                canonical_unit=self.analyte.unit,
                plausible_min=self.analyte.plausible_min,
                plausible_max=self.analyte.plausible_max,
                analyte_name=self.analyte.name,
            )
        rules.check_detection_limit(detection_limit=self.detection_limit, comment=self.comment)
        check_not_recorded_yet(
            record=self,
            field="sample_datetime",
            label=f"{self.analyte.name if self.analyte_id else 'This analyte'} for this sample time",
            analyte_id=self.analyte_id,
            sample_datetime=self.sample_datetime,
        )
        participant = self.participant_for_rules()
        if participant is not None and self.sample_datetime:
            check_within_follow_up(
                field="sample_datetime",
                on=timezone.localdate(self.sample_datetime),
                earliest=participant.admission_date,
                earliest_label="hospital admission",
                follow_up_end=participant.follow_up_end_date(),
                now=timezone.now(),
            )

    @property
    def outside_reference(self) -> bool:
        low, high = self.analyte.reference_low, self.analyte.reference_high
        return (low is not None and self.value < low) or (high is not None and self.value > high)
