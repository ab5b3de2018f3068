"""Adverse events: grade, seriousness, relation to the product, the infusion it follows, MedDRA coding and
the serious-event reporting clock."""

import datetime
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from dosing.models import Infusion
from outcomes import rules
from outcomes.choices import (
    SERIOUSNESS_CRITERIA,
    ActionTaken,
    AeOutcome,
    Expectedness,
    Grade,
    Relation,
)
from patients.casebook.records import ParticipantRecordQuerySet, participant_link
from patients.casebook.reviewed import CaseReportForm
from patients.casebook.rules import RuleErrors, check_within_follow_up


def _first_consent_date(participant) -> datetime.date | None:
    first = (
        participant.consents.active().order_by("consent_datetime").values_list("consent_datetime", flat=True).first()
    )
    return timezone.localdate(first) if first else None


class AdverseEvent(CaseReportForm):
    participant = participant_link("adverse_events")
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
        receives_infusions = bool(participant and participant.arm_id and participant.arm.receives_infusions)
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
            receives_infusions=receives_infusions,
            now=now,
        )
        if participant is not None:
            errors.check(
                rules.check_action_taken, action_taken=self.action_taken, receives_infusions=receives_infusions
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
