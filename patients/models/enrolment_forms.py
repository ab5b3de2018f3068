"""The enrolment forms: eligibility answers, consent (and re-consent), withdrawal and end of study."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from patients import rules
from patients.casebook.choices import Answer
from patients.casebook.criteria import EligibilityCriterion
from patients.casebook.design import TrialDesign
from patients.casebook.records import ParticipantRecord, ParticipantRecordQuerySet, participant_link
from patients.casebook.reviewed import CaseReportForm
from patients.casebook.rules import check_not_in_future
from patients.casebook.sites import Site, SiteMembership, site_ids_for  # noqa: F401 (models of this app)
from patients.choices import ConsentGiver, EndOfStudyReason, WithdrawalReason
from patients.eligibility import age_criterion, current_criteria


class EligibilityAnswer(ParticipantRecord):
    """One screening question answered yes or no. The questions are the design's (patients/casebook/criteria.py)."""

    participant = participant_link("eligibility_answers")
    # The criterion's code (EligibilityCriterion.code): kept as text, as exported, so an answer reads the same
    # in any copy of the data.
    criterion = models.CharField(max_length=32)
    answer = models.CharField(max_length=3, choices=Answer.choices)
    natural_key_fields = ("criterion",)
    # Screening writes a person's answers at once (patients.services.participant_screen): one per criterion,
    # which the unique constraint holds on the insert.
    adds_in_bulk = True

    class Meta(ParticipantRecord.Meta):
        ordering = ["participant", "id"]
        constraints = [
            *ParticipantRecord.Meta.constraints,
            models.UniqueConstraint(fields=["participant", "criterion"], name="patients_eligibilityanswer_unique"),
            models.CheckConstraint(condition=Q(answer__in=Answer.values), name="patients_eligibilityanswer_valid"),
        ]

    def __str__(self):
        return f"{self.participant}: {self.criterion}: {self.get_answer_display()}"

    def get_criterion_display(self) -> str:
        """The question as the screening form asked it (the code when the criterion is unknown)."""
        found = EligibilityCriterion.objects.filter(code=self.criterion).values_list("text", flat=True).first()
        return found or self.criterion

    def clean(self):
        super().clean()
        # Set by a caller that checks many answers at once (patients.services.participant_screen).
        criteria = getattr(self, "criteria", None) or current_criteria()
        rules.check_known_criterion(criterion=self.criterion, known={c.code for c in criteria})
        participant = self.participant_for_rules()
        if participant is not None:
            rules.check_eligibility_open(status=participant.status)
            checked = age_criterion(criteria)
            if participant.screening_datetime:
                rules.check_answer_consistent_with_age(
                    criterion=checked if checked is not None and checked.code == self.criterion else None,
                    answer=self.answer,
                    date_of_birth=participant.date_of_birth,
                    screening_date=timezone.localdate(participant.screening_datetime),
                )


class Consent(CaseReportForm):
    """Written informed consent. A re-consent (new form version after an amendment) is a new row."""

    participant = participant_link("consents")
    consent_datetime = models.DateTimeField("date and time of consent")
    form_version = models.CharField("consent form version", max_length=20, help_text="As printed on the form.")
    given_by = models.CharField(max_length=24, choices=ConsentGiver.choices)
    representative_relationship = models.CharField(
        max_length=60, blank=True, help_text="When a legal representative consents: their relationship, no name."
    )
    obtained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The investigator who obtained consent.",
    )

    objects = ParticipantRecordQuerySet.as_manager()
    natural_key_fields = ("consent_datetime",)

    class Meta(CaseReportForm.Meta):
        ordering = ["participant", "consent_datetime"]
        constraints = [
            *CaseReportForm.Meta.constraints,
            models.CheckConstraint(
                condition=Q(given_by__in=ConsentGiver.values), name="patients_consent_given_by_valid"
            ),
            models.CheckConstraint(
                condition=Q(given_by=ConsentGiver.PARTICIPANT) | ~Q(representative_relationship=""),
                name="patients_consent_representative_relationship",
            ),
        ]

    def __str__(self):
        return f"{self.participant} consent v{self.form_version}"

    def clean(self):
        super().clean()
        check_not_in_future(field="consent_datetime", value=self.consent_datetime, now=timezone.now())
        enrolled_at = self.participant.enrolment_datetime if self.participant_id else None
        earliest_other = (
            self.participant.consents.active().exclude(pk=self.pk).order_by("consent_datetime").first()
            if enrolled_at and self.consent_datetime
            else None
        )
        rules.check_consent(
            given_by=self.given_by,
            representative_relationship=self.representative_relationship,
            consent_datetime=self.consent_datetime,
            enrolment_datetime=enrolled_at,
            earliest_other_consent=earliest_other.consent_datetime if earliest_other else None,
        )


class Withdrawal(CaseReportForm):
    """The participant left the study early. It ends follow-up: nothing is entered after its date."""

    participant = participant_link("withdrawals")
    withdrawal_date = models.DateField()
    reason = models.CharField(max_length=24, choices=WithdrawalReason.choices)
    details = models.TextField(blank=True, help_text="Required for 'other'. No identifying details.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ParticipantRecordQuerySet.as_manager()
    natural_key_fields = ("withdrawal_date",)

    class Meta(CaseReportForm.Meta):
        constraints = [
            *CaseReportForm.Meta.constraints,
            models.UniqueConstraint(
                fields=["participant"], condition=Q(voided=False), name="patients_withdrawal_one_per_participant"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=WithdrawalReason.values), name="patients_withdrawal_reason_valid"
            ),
        ]

    def __str__(self):
        return f"{self.participant} withdrawn {self.withdrawal_date}"

    def clean(self):
        super().clean()
        check_not_in_future(field="withdrawal_date", value=self.withdrawal_date, now=timezone.now())
        rules.check_withdrawal_details(reason=self.reason, details=self.details)
        if self.participant_id:
            participant = self.participant
            if self._state.adding:
                rules.check_in_follow_up(
                    status=participant.status,
                    status_label=participant.get_status_display(),
                    what="withdraw",
                    hint="before enrolment, record a screen failure instead",
                )
            rules.check_not_before_day0(
                field="withdrawal_date", value=self.withdrawal_date, day0=participant.day0_date, what="Withdrawal"
            )


class EndOfStudy(CaseReportForm):
    """Follow-up ended by discharge, death or transfer (withdrawal has its own record)."""

    participant = participant_link("ends_of_study")
    end_reason = models.CharField(max_length=16, choices=EndOfStudyReason.choices)
    end_date = models.DateField(help_text="Date of discharge, death or transfer.")
    icu_admission_date = models.DateField("ICU admission", null=True, blank=True, help_text="If admitted to ICU.")
    icu_discharge_date = models.DateField("ICU discharge", null=True, blank=True)
    details = models.TextField(blank=True, help_text="No identifying details.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ParticipantRecordQuerySet.as_manager()
    natural_key_fields = ("end_date",)

    class Meta(CaseReportForm.Meta):
        verbose_name = "end of study"
        verbose_name_plural = "ends of study"
        constraints = [
            *CaseReportForm.Meta.constraints,
            # One discharge and one end of follow-up: the same record in phase 1 (discharge ended follow-up),
            # two in a design that follows participants after discharge (TrialDesign.follow_up_after_discharge).
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(voided=False, end_reason=EndOfStudyReason.DISCHARGED),
                name="patients_endofstudy_one_discharge",
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(voided=False) & ~Q(end_reason=EndOfStudyReason.DISCHARGED),
                name="patients_endofstudy_one_end",
            ),
            models.CheckConstraint(
                condition=Q(end_reason__in=EndOfStudyReason.values), name="patients_endofstudy_reason_valid"
            ),
            models.CheckConstraint(
                condition=Q(icu_discharge_date__isnull=True)
                | Q(icu_admission_date__isnull=False, icu_discharge_date__gte=F("icu_admission_date")),
                name="patients_endofstudy_icu_order",
            ),
        ]

    def __str__(self):
        return f"{self.participant} {self.get_end_reason_display().lower()} {self.end_date}"

    def clean(self):
        super().clean()
        check_not_in_future(field="end_date", value=self.end_date, now=timezone.now())
        participant = self.participant_for_rules()
        if participant is None:
            return
        if self._state.adding:
            rules.check_in_follow_up(
                status=participant.status, status_label=participant.get_status_display(), what="end the study"
            )
        discharge = (
            participant.ends_of_study.active()
            .filter(end_reason=EndOfStudyReason.DISCHARGED)
            .exclude(pk=self.pk)
            .values_list("end_date", flat=True)
            .first()
            if participant.pk
            else None
        )
        rules.check_end_reason(
            reason=self.end_reason,
            end_date=self.end_date,
            follow_up_after_discharge=TrialDesign.current().follow_up_after_discharge,
            discharged_on=discharge,
        )
        rules.check_not_before_day0(
            field="end_date", value=self.end_date, day0=participant.day0_date, what="The end of study"
        )
        rules.check_icu_stay(
            admission_date=participant.admission_date,
            icu_admission_date=self.icu_admission_date,
            icu_discharge_date=self.icu_discharge_date,
            end_date=self.end_date,
        )

    @property
    def length_of_stay_days(self) -> int | None:
        """Days from hospital admission to discharge (derived, never typed)."""
        if self.end_reason != EndOfStudyReason.DISCHARGED or not self.end_date:
            return None
        return (self.end_date - self.participant.admission_date).days
