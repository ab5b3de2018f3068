"""The daily observation: vital signs, oxygen support, WHO clinical progression score and symptoms, one per
participant per calendar day."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from outcomes import rules
from outcomes.choices import (
    OxygenSupport,
    SymptomState,
)
from patients.casebook.records import ParticipantRecordQuerySet, participant_link
from patients.casebook.reviewed import CaseReportForm
from patients.casebook.rules import RuleErrors, check_not_recorded_yet, check_within_follow_up


def _range(low, high):
    return [MinValueValidator(low), MaxValueValidator(high)]


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

    participant = participant_link("daily_observations")
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
    # Carry-forward (outcomes/carry_forward.py): the day the ward form started from, and which of its values
    # the user confirmed unchanged; kept on the record, so every history row shows what was carried.
    carried_from = models.DateField("values carried forward from", null=True, blank=True, editable=False)
    carried_fields = models.CharField(max_length=300, blank=True, editable=False)

    objects = ParticipantRecordQuerySet.as_manager()
    natural_key_fields = ("observation_date",)
    # Imports add them a batch at a time (patients/import_batches.py): no save() of their own, and the rule
    # that only repeats a unique constraint (check_not_recorded_yet) is the database's on that path.
    adds_in_bulk = True

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
                # Daily observations are of the hospital stay: not after discharge, even when follow-up goes on.
                follow_up_end=participant.hospital_stay_end_date(),
                now=timezone.now(),
            )
        errors.check(rules.check_other_symptoms_named, state=self.other_symptoms, details=self.other_symptoms_details)
        errors.check(
            rules.check_carried_forward,
            carried_from=self.carried_from,
            carried_fields=self.carried_fields,
            observation_date=self.observation_date,
        )
        if "observation_date" not in errors:
            errors.check(
                check_not_recorded_yet,
                record=self,
                field="observation_date",
                label=f"An observation for {self.observation_date}",
                observation_date=self.observation_date,
            )
        errors.raise_any()
