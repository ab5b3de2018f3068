"""Outcomes: daily clinical observations, laboratory results (long format, against an analyte catalogue),
chest CT and adverse events. What is derived from them lives in outcomes/derived.py."""

import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from dosing.models import Infusion
from outcomes import rules
from outcomes.choices import (
    SERIOUSNESS_CRITERIA,
    ActionTaken,
    AeOutcome,
    AnalyteGroup,
    CtComparison,
    DetectionLimit,
    Expectedness,
    FindingState,
    Grade,
    OxygenSupport,
    Relation,
    SymptomState,
)
from patients.casebook.records import ParticipantRecordQuerySet
from patients.casebook.reviewed import CaseReportForm
from patients.casebook.rules import RuleErrors, check_not_recorded_yet, check_within_follow_up


def _range(low, high):
    return [MinValueValidator(low), MaxValueValidator(high)]


def _first_consent_date(participant) -> datetime.date | None:
    first = (
        participant.consents.active().order_by("consent_datetime").values_list("consent_datetime", flat=True).first()
    )
    return timezone.localdate(first) if first else None


SYMPTOMS = (
    ("fever", "Fever"),
    ("cough", "Cough"),
    ("fatigue", "Fatigue"),
    ("shortness_of_breath", "Shortness of breath"),
    ("chest_tightness", "Chest tightness"),
    ("myalgia", "Myalgia"),
    ("diarrhoea", "Diarrhoea"),
    ("other_symptoms", "Other symptoms"),
)


class DailyObservation(CaseReportForm):
    """One per participant per calendar day, from study day 0 to the end of follow-up."""

    observation_date = models.DateField(help_text="The calendar day observed (the study day is derived).")
    temperature_c = models.DecimalField("temperature (°C)", max_digits=3, decimal_places=1, validators=_range(30, 45))
    heart_rate = models.PositiveSmallIntegerField("heart rate (/min)", validators=_range(20, 250))
    respiratory_rate = models.PositiveSmallIntegerField("respiratory rate (/min)", validators=_range(5, 70))
    systolic_bp = models.PositiveSmallIntegerField("systolic BP (mmHg)", validators=_range(50, 280))
    diastolic_bp = models.PositiveSmallIntegerField("diastolic BP (mmHg)", validators=_range(20, 180))
    spo2_percent = models.PositiveSmallIntegerField("SpO2 (%)", validators=_range(50, 100))
    fio2_percent = models.PositiveSmallIntegerField(
        "FiO2 (%)", default=21, validators=_range(21, 100), help_text="21 % on room air."
    )
    oxygen_support = models.CharField(
        max_length=10, choices=OxygenSupport.choices, help_text="The highest level of support that day."
    )
    oxygen_flow_l_min = models.DecimalField(
        "oxygen flow (L/min)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="For low-flow and high-flow oxygen only.",
    )
    pao2_fio2_mmhg = models.PositiveSmallIntegerField(
        "PaO2/FiO2 (mmHg)", null=True, blank=True, validators=_range(20, 700), help_text="When a blood gas was taken."
    )
    who_score = models.PositiveSmallIntegerField(
        "WHO clinical progression scale (0-10)",
        validators=_range(0, 10),
        help_text="4 hospitalised without oxygen; 5 mask or nasal prongs; 6 NIV or high flow; "
        "7-9 intubated (9: ECMO or organ support); 10 dead.",
    )
    fever = models.CharField(max_length=12, choices=SymptomState.choices)
    cough = models.CharField(max_length=12, choices=SymptomState.choices)
    fatigue = models.CharField(max_length=12, choices=SymptomState.choices)
    shortness_of_breath = models.CharField(max_length=12, choices=SymptomState.choices)
    chest_tightness = models.CharField(max_length=12, choices=SymptomState.choices)
    myalgia = models.CharField(max_length=12, choices=SymptomState.choices)
    diarrhoea = models.CharField(max_length=12, choices=SymptomState.choices)
    other_symptoms = models.CharField(max_length=12, choices=SymptomState.choices)
    other_symptoms_details = models.CharField(max_length=200, blank=True)

    objects = ParticipantRecordQuerySet.as_manager()
    natural_key_fields = ("observation_date",)

    class Meta(CaseReportForm.Meta):
        ordering = ["participant", "observation_date"]
        constraints = [
            *CaseReportForm.Meta.constraints,
            models.UniqueConstraint(
                fields=["participant", "observation_date"],
                condition=Q(voided=False),
                name="outcomes_dailyobservation_one_per_day",
            ),
            models.CheckConstraint(
                condition=Q(diastolic_bp__lt=F("systolic_bp")), name="outcomes_dailyobservation_bp_order"
            ),
            models.CheckConstraint(
                condition=Q(temperature_c__gte=30, temperature_c__lte=45), name="outcomes_dailyobservation_temperature"
            ),
            models.CheckConstraint(
                condition=Q(spo2_percent__gte=50, spo2_percent__lte=100), name="outcomes_dailyobservation_spo2"
            ),
            models.CheckConstraint(
                condition=Q(fio2_percent__gte=21, fio2_percent__lte=100), name="outcomes_dailyobservation_fio2"
            ),
            models.CheckConstraint(condition=Q(who_score__lte=10), name="outcomes_dailyobservation_who_score"),
            models.CheckConstraint(
                condition=Q(oxygen_support__in=OxygenSupport.values), name="outcomes_dailyobservation_support_valid"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__in": SymptomState.values}), name=f"outcomes_dailyobservation_{name}_valid"
                )
                for name, _ in SYMPTOMS
            ],
        ]

    def __str__(self):
        return f"{self.participant} {self.observation_date}"

    @property
    def study_day(self) -> int | None:
        return self.participant.study_day(self.observation_date)

    def clean(self):
        super().clean()
        errors = RuleErrors()
        errors.check(rules.check_blood_pressure, systolic=self.systolic_bp, diastolic=self.diastolic_bp)
        errors.check(
            rules.check_oxygen_support,
            support=self.oxygen_support,
            flow=self.oxygen_flow_l_min,
            fio2=self.fio2_percent,
            who_score=self.who_score,
        )
        participant = self.participant_for_rules()
        if participant is not None:
            errors.check(
                check_within_follow_up,
                field="observation_date",
                on=self.observation_date,
                earliest=participant.day0_date,
                earliest_label="enrolment (study day 0)",
                follow_up_end=participant.follow_up_end_date(),
                now=timezone.now(),
            )
        if self.other_symptoms == SymptomState.PRESENT and not self.other_symptoms_details.strip():
            errors.add("other_symptoms_details", "Name the other symptoms.", "missing")
        if "observation_date" not in errors:
            errors.check(
                check_not_recorded_yet,
                record=self,
                field="observation_date",
                label=f"An observation for {self.observation_date}",
                observation_date=self.observation_date,
            )
        errors.raise_any()


class Analyte(models.Model):
    """A laboratory test in the catalogue: data, with its canonical unit and plausible range."""

    # How an export names one of these (patients/export_resources.py): the attribute and the column suffix.
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


class LabResult(CaseReportForm):
    """One result (long format): one per participant, analyte and sample date-time."""

    analyte = models.ForeignKey(Analyte, on_delete=models.PROTECT, related_name="results")
    sample_datetime = models.DateTimeField("sample date and time")
    value = models.DecimalField(
        max_digits=10, decimal_places=3, help_text="In the analyte's canonical unit; at a detection limit, the limit."
    )
    unit = models.CharField(max_length=20, blank=True, help_text="Always the analyte's canonical unit.")
    detection_limit = models.CharField(max_length=5, choices=DetectionLimit.choices, default="", blank=True)
    comment = models.CharField("lab comment", max_length=200, blank=True)

    objects = ParticipantRecordQuerySet.as_manager()
    natural_key_fields = ("analyte__code", "sample_datetime")

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


class ChestCt(CaseReportForm):
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
        earlier = participant.chestcts.active().exclude(pk=self.pk).filter(scan_date__lt=self.scan_date).exists()
        rules.check_ct_comparison(comparison=self.comparison, has_earlier_scan=earlier)


class AdverseEvent(CaseReportForm):
    term = models.CharField("adverse event (verbatim)", max_length=200)
    meddra_preferred_term = models.CharField("MedDRA preferred term", max_length=100, blank=True)
    meddra_code = models.CharField("MedDRA code", max_length=10, blank=True)
    onset_datetime = models.DateTimeField("onset")
    resolution_datetime = models.DateTimeField("resolution", null=True, blank=True)
    grade = models.PositiveSmallIntegerField("CTCAE grade", choices=Grade.choices)
    serious = models.BooleanField(default=False)
    serious_death = models.BooleanField("results in death", default=False)
    serious_life_threatening = models.BooleanField("life-threatening", default=False)
    serious_hospitalisation = models.BooleanField("requires or prolongs hospitalisation", default=False)
    serious_disability = models.BooleanField("persistent or significant disability", default=False)
    serious_congenital_anomaly = models.BooleanField("congenital anomaly", default=False)
    serious_important_medical_event = models.BooleanField("important medical event", default=False)
    relation = models.CharField("relation to the study product", max_length=12, choices=Relation.choices)
    attributed_to_progression = models.BooleanField("attributed to COVID-19 progression", default=False)
    expectedness = models.CharField(max_length=10, choices=Expectedness.choices)
    action_taken = models.CharField("action taken with the product", max_length=16, choices=ActionTaken.choices)
    outcome = models.CharField(max_length=14, choices=AeOutcome.choices)
    infusion = models.ForeignKey(
        Infusion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adverse_events",
        help_text="The infusion this event is associated with, if any.",
    )
    site_aware_datetime = models.DateTimeField("site became aware", null=True, blank=True)
    reported_datetime = models.DateTimeField("reported to the sponsor", null=True, blank=True)

    objects = ParticipantRecordQuerySet.as_manager()
    natural_key_fields = ("onset_datetime",)

    class Meta(CaseReportForm.Meta):
        ordering = ["participant", "onset_datetime"]
        constraints = [
            *CaseReportForm.Meta.constraints,
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=5), name="outcomes_adverseevent_grade_range"),
            models.CheckConstraint(
                condition=(Q(grade=5) & Q(outcome=AeOutcome.FATAL)) | (~Q(grade=5) & ~Q(outcome=AeOutcome.FATAL)),
                name="outcomes_adverseevent_grade5_iff_fatal",
            ),
            models.CheckConstraint(
                condition=Q(resolution_datetime__isnull=True) | Q(resolution_datetime__gte=F("onset_datetime")),
                name="outcomes_adverseevent_resolution_after_onset",
            ),
            models.CheckConstraint(
                condition=Q(serious=False)
                | Q(serious_death=True)
                | Q(serious_life_threatening=True)
                | Q(serious_hospitalisation=True)
                | Q(serious_disability=True)
                | Q(serious_congenital_anomaly=True)
                | Q(serious_important_medical_event=True),
                name="outcomes_adverseevent_serious_has_criterion",
            ),
            models.CheckConstraint(
                condition=Q(relation__in=Relation.values), name="outcomes_adverseevent_relation_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=AeOutcome.values), name="outcomes_adverseevent_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(action_taken__in=ActionTaken.values), name="outcomes_adverseevent_action_valid"
            ),
            models.CheckConstraint(
                condition=Q(expectedness__in=Expectedness.values), name="outcomes_adverseevent_expectedness_valid"
            ),
            models.CheckConstraint(
                condition=Q(meddra_code="") | Q(meddra_code__regex=r"^[0-9]{8}$"),
                name="outcomes_adverseevent_meddra_code_8_digits",
            ),
            models.CheckConstraint(
                condition=Q(site_aware_datetime__isnull=True) | Q(site_aware_datetime__gte=F("onset_datetime")),
                name="outcomes_adverseevent_aware_after_onset",
            ),
        ]

    def __str__(self):
        return f"{self.participant}: {self.term}"

    def clean(self):
        super().clean()
        participant = self.participant_for_rules()
        receives_product = bool(participant and participant.arm_id and participant.arm.receives_product)
        errors = RuleErrors()
        now = timezone.now()
        errors.check(
            rules.check_adverse_event,
            onset=self.onset_datetime,
            resolution=self.resolution_datetime,
            grade=self.grade,
            outcome=self.outcome,
            serious=self.serious,
            criteria={name: getattr(self, name) for name, _ in SERIOUSNESS_CRITERIA},
            relation=self.relation,
            receives_product=receives_product,
            now=now,
        )
        if (
            participant is not None
            and not receives_product
            and self.action_taken not in ("", ActionTaken.NOT_APPLICABLE)
        ):
            errors.add(
                "action_taken", "No product was given: the action taken is 'not applicable'.", "no_product_given"
            )
        if self.infusion_id:
            errors.check(
                rules.check_infusion_link,
                same_participant=participant is None or self.infusion.participant_id == participant.pk,
                infusion_start=self.infusion.start_datetime,
                onset=self.onset_datetime,
            )
        errors.check(rules.check_meddra_code, code=self.meddra_code)
        errors.check(
            rules.check_sae_reporting,
            serious=self.serious,
            onset=self.onset_datetime,
            aware=self.site_aware_datetime,
            reported=self.reported_datetime,
            now=now,
        )
        if participant is not None and self.onset_datetime and "onset_datetime" not in errors:
            errors.check(
                check_within_follow_up,
                field="onset_datetime",
                on=timezone.localdate(self.onset_datetime),
                earliest=_first_consent_date(participant),
                earliest_label="informed consent",
                follow_up_end=participant.follow_up_end_date(),
                now=timezone.now(),
            )
        errors.raise_any()

    @property
    def onset_hours_after_infusion(self) -> Decimal | None:
        """Derived: hours from the start of the linked infusion to the onset, one decimal."""
        if not self.infusion_id:
            return None
        seconds = self.onset_datetime.timestamp() - self.infusion.start_datetime.timestamp()
        return Decimal(seconds / 3600).quantize(Decimal("0.1"))

    def sae_reporting_state(self, now: datetime.datetime | None = None) -> str:
        return rules.sae_reporting_state(
            serious=self.serious,
            aware=self.site_aware_datetime,
            reported=self.reported_datetime,
            now=now or timezone.now(),
        )
