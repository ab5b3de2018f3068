"""The participant: screening data, eligibility decision, enrolment and day 0, status, the
casebook lock; the study ID issued per site."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from patients import rules
from patients.casebook.choices import ENROLLED_STATUSES, SEVERITY_HELP_TEXT, ParticipantStatus, Severity, Sex
from patients.casebook.design import Arm, TrialDesign
from patients.casebook.records import ClinicalQuerySet, ClinicalRecord
from patients.casebook.rules import check_not_in_future
from patients.casebook.sites import Site, site_ids_for
from patients.choices import EndOfStudyReason, YesNoUnknown
from patients.eligibility import current_criteria

# The comorbidities asked at screening (yes / no / unknown each): forms, admin and exports list them from here.
COMORBIDITY_FIELDS = (
    "hypertension",
    "diabetes",
    "cardiovascular_disease",
    "chronic_lung_disease",
    "chronic_kidney_disease",
    "chronic_liver_disease",
)


class ParticipantQuerySet(ClinicalQuerySet):
    def for_user(self, user):
        """Participants at the user's sites (every site for a cross-site role)."""
        site_ids = site_ids_for(user)
        return self if site_ids is None else self.filter(site_id__in=site_ids)

    def enrolled(self):
        return self.filter(status__in=ENROLLED_STATUSES)


class Participant(ClinicalRecord):
    # How an export names one of these (patients/casebook/exports.py): the attribute and the column suffix.
    export_natural_key = ("study_id", None)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="participants")
    sequence_number = models.PositiveIntegerField(editable=False)
    study_id = models.CharField(
        "study ID", max_length=16, unique=True, editable=False, help_text="Site code and sequence number."
    )
    initials = models.CharField(
        max_length=4,
        validators=[RegexValidator(r"^[A-Z]{2,4}$", "Two to four capital letters, e.g. ZWL.")],
        help_text="Initials only: the database holds no names.",
    )
    sex = models.CharField(max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField()
    weight_kg = models.DecimalField(
        "weight (kg)",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("25")), MaxValueValidator(Decimal("300"))],
    )
    height_cm = models.DecimalField(
        "height (cm)",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("100")), MaxValueValidator(Decimal("230"))],
    )
    admission_date = models.DateField("hospital admission date")
    symptom_onset_date = models.DateField("symptom onset date", help_text="First COVID-19 symptom.")
    severity = models.CharField(
        "COVID-19 severity at enrolment", max_length=10, choices=Severity.choices, help_text=SEVERITY_HELP_TEXT
    )
    hypertension = models.CharField(max_length=7, choices=YesNoUnknown.choices)
    diabetes = models.CharField(max_length=7, choices=YesNoUnknown.choices)
    cardiovascular_disease = models.CharField(max_length=7, choices=YesNoUnknown.choices)
    chronic_lung_disease = models.CharField(max_length=7, choices=YesNoUnknown.choices)
    chronic_kidney_disease = models.CharField(max_length=7, choices=YesNoUnknown.choices)
    chronic_liver_disease = models.CharField(max_length=7, choices=YesNoUnknown.choices)
    other_comorbidities = models.CharField(
        max_length=200, blank=True, help_text="Other relevant conditions, comma separated. No identifiers."
    )
    status = models.CharField(
        max_length=16, choices=ParticipantStatus.choices, default=ParticipantStatus.SCREENING, editable=False
    )
    screening_datetime = models.DateTimeField(default=timezone.now)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    screen_failure_reason = models.TextField(blank=True, editable=False)
    # The allocation itself: hidden from a blind reader everywhere (patients/casebook/blinding.py).
    allocation_fields = ("arm",)
    arm = models.ForeignKey(
        Arm, on_delete=models.PROTECT, related_name="participants", null=True, blank=True, editable=False
    )
    enrolment_datetime = models.DateTimeField(null=True, blank=True, editable=False)
    day0_date = models.DateField(
        "study day 0",
        null=True,
        blank=True,
        editable=False,
        help_text="The date of enrolment in the trial's time zone; study days count from it.",
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )
    # A trial migrated from paper keeps each file's archive number, so a monitor can go from the casebook to the
    # paper file and back (patients/archive_migration.py).
    archive_id = models.CharField(
        "archive ID",
        max_length=40,
        blank=True,
        validators=[RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9./_-]*$", "Letters, digits, and . / _ - only.")],
        help_text="The paper archive's number of this participant's file, for a migrated trial.",
    )
    # Casebook lock: while set, every record of this casebook is read-only (ClinicalRecord enforces it).
    casebook_locked = models.BooleanField(default=False, editable=False)
    casebook_locked_datetime = models.DateTimeField(null=True, blank=True, editable=False)
    casebook_locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )

    objects = ParticipantQuerySet.as_manager()

    class Meta(ClinicalRecord.Meta):
        ordering = ["study_id"]
        # The participants in follow-up, by site: what the ward owes today is looked for among them only, so the
        # participant list does not read the whole trial (outcomes/ward.py, issue 19).
        indexes = [models.Index(fields=["site"], condition=Q(status="enrolled"), name="participant_in_follow_up")]
        permissions = [
            ("export_data", "Can export de-identified data"),
            ("lock_casebook", "Can lock and unlock a participant's casebook and its records"),
            ("verify_data", "Can verify case report form records against source (SDV)"),
            ("view_report", "Can see the trial summary report (by arm)"),
            ("view_unblinded", "Can see results by arm in a blinded trial (unblinded statistician, DMC)"),
            ("sign_casebook", "Can sign a participant's casebook as investigator"),
        ]
        constraints = [
            *ClinicalRecord.Meta.constraints,
            models.UniqueConstraint(fields=["site", "sequence_number"], name="patients_participant_site_sequence"),
            models.UniqueConstraint(
                fields=["site", "archive_id"],
                condition=~Q(archive_id=""),
                name="patients_participant_archive_id_once",
                violation_error_message="This archive ID is already a participant of this site: its file was migrated.",
                violation_error_code="archive_id_migrated",
            ),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="patients_participant_sex_valid"),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="patients_participant_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ParticipantStatus.values), name="patients_participant_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__gte=25, weight_kg__lte=300), name="patients_participant_weight_range"
            ),
            models.CheckConstraint(
                condition=Q(height_cm__gte=100, height_cm__lte=230), name="patients_participant_height_range"
            ),
            models.CheckConstraint(
                condition=Q(admission_date__gte=F("date_of_birth")),
                name="patients_participant_admission_after_birth",
            ),
            # Enrolled (or later) exactly when an arm, an enrolment time and a day 0 are recorded.
            models.CheckConstraint(
                condition=(
                    Q(
                        status__in=ENROLLED_STATUSES,
                        arm__isnull=False,
                        enrolment_datetime__isnull=False,
                        day0_date__isnull=False,
                    )
                    | Q(
                        ~Q(status__in=ENROLLED_STATUSES),
                        arm__isnull=True,
                        enrolment_datetime__isnull=True,
                        day0_date__isnull=True,
                    )
                ),
                name="patients_participant_enrolment_complete",
            ),
            models.CheckConstraint(
                condition=Q(day0_date__isnull=True) | Q(day0_date__gte=F("admission_date")),
                name="patients_participant_admission_before_enrolment",
            ),
            models.CheckConstraint(
                condition=Q(casebook_locked=False) | Q(casebook_locked_datetime__isnull=False),
                name="patients_participant_lock_has_time",
            ),
        ]

    def __str__(self):
        return self.study_id or "(new participant)"

    def save(self, *args, **kwargs):
        if self._state.adding and not self.study_id:
            with transaction.atomic():
                self.sequence_number = self._next_sequence_number()
                self.study_id = f"{self.site.code}-{self.sequence_number:03d}"
                super().save(*args, **kwargs)
            return
        if not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values_list("study_id", "site_id").first()
            if stored and stored != (self.study_id, self.site_id):
                raise ValidationError("The study ID and site of a participant never change.", code="study_id_fixed")
        super().save(*args, **kwargs)

    def _next_sequence_number(self) -> int:
        # The row lock serialises concurrent enrolments at one site on PostgreSQL; the unique
        # constraint on (site, sequence_number) is the backstop on every database.
        site = Site.objects.select_for_update().get(pk=self.site_id)
        number = site.last_sequence_number + 1
        Site.objects.filter(pk=site.pk).update(last_sequence_number=number)
        return number

    def get_absolute_url(self):
        return reverse("participant-detail", kwargs={"study_id": self.study_id})

    def locking_participant(self):
        return self

    def clean(self):
        super().clean()
        now = timezone.now()
        rules.check_participant_dates(
            date_of_birth=self.date_of_birth,
            admission_date=self.admission_date,
            symptom_onset_date=self.symptom_onset_date,
            now=now,
        )
        check_not_in_future(field="screening_datetime", value=self.screening_datetime, now=now)
        stored = (
            None if self._state.adding else type(self).objects.filter(pk=self.pk).values("status", "arm_id").first()
        )
        rules.check_status_transition(old=stored["status"] if stored else None, new=self.status)
        rules.check_arm_unchanged(old_arm_id=stored["arm_id"] if stored else None, new_arm_id=self.arm_id)
        if self.arm_id is not None and (stored is None or stored["arm_id"] is None):
            self.check_enrolment_gate()

    def check_enrolment_gate(self):
        """Raise ValidationError unless this person may be enrolled at ``enrolment_datetime``."""
        consents = [] if self._state.adding else list(self.consents.active().values_list("consent_datetime", flat=True))
        rules.check_enrolment(
            decision=self.eligibility(),
            consent_datetimes=consents,
            enrolment_datetime=self.enrolment_datetime,
            admission_date=self.admission_date,
            enrolment_local_date=timezone.localdate(self.enrolment_datetime) if self.enrolment_datetime else None,
            withdrawn=False if self._state.adding else self.withdrawals.active().exists(),
            now=timezone.now(),
        )
        design = TrialDesign.current()
        errors = rules.RuleErrors()
        for factor, allowed in (design.enrolled_levels or {}).items():
            errors.check(
                rules.check_level_enrolled,
                factor=factor,
                level=getattr(self, factor, ""),
                label=str(self._meta.get_field(factor).verbose_name),
                allowed=allowed,
            )
        errors.raise_any()

    def eligibility(self) -> rules.EligibilityDecision:
        answers = (
            {} if self._state.adding else dict(self.eligibility_answers.active().values_list("criterion", "answer"))
        )
        return rules.eligibility_decision(answers, current_criteria())

    @property
    def age_at_enrolment(self) -> int | None:
        """Completed years on study day 0 (on the screening date before enrolment)."""
        # The screening date only before enrolment: the report reads this for thousands of participants, and
        # the time-zone conversion was a twentieth of it at 10,000 (issue 19).
        screening = (
            timezone.localdate(self.screening_datetime) if self.day0_date is None and self.screening_datetime else None
        )
        return rules.age_at_enrolment(self.date_of_birth, self.day0_date, screening)

    @property
    def bmi(self) -> Decimal | None:
        """Body-mass index, kg/m2, one decimal."""
        return rules.body_mass_index(self.weight_kg, self.height_cm)

    @property
    def current_study_day(self) -> int | None:
        """Today's study day while in follow-up; None before enrolment and after the end of follow-up."""
        if self.status != ParticipantStatus.ENROLLED:
            return None
        return self.study_day(timezone.localdate())

    def hospital_stay_end_date(self) -> datetime.date | None:
        """The date the hospital part of the study ended (discharge, death, transfer or withdrawal), or None
        while the participant is in hospital. Daily observations are not dated after it."""
        if "_end_dates" in self.__dict__:
            return self._end_dates[0]
        return _earliest(
            self.ends_of_study.active().values_list("end_date", flat=True),
            self.withdrawals.active().values_list("withdrawal_date", flat=True),
        )

    def follow_up_end_date(self) -> datetime.date | None:
        """The date follow-up ended, or None while it goes on: discharge, death, transfer or withdrawal in
        phase 1; in a design that follows participants after discharge, not the discharge but completion,
        death, loss to follow-up, transfer or withdrawal.

        Nothing clinical is dated after it: the dosing and outcomes rules read it from here.
        """
        if "_end_dates" in self.__dict__:
            return self._end_dates[1]
        ends = self.ends_of_study.active()
        if TrialDesign.current().follow_up_after_discharge:
            ends = ends.exclude(end_reason=EndOfStudyReason.DISCHARGED)
        return _earliest(
            ends.values_list("end_date", flat=True),
            self.withdrawals.active().values_list("withdrawal_date", flat=True),
        )

    @classmethod
    def remember_end_dates(cls, participants) -> None:
        """For a batch writing records that do not end a stay (an import of observations or lab results): each
        participant's stay and follow-up ends, read for all at once (two queries, not three per record), as
        hospital_stay_end_date() and follow_up_end_date() would read them. Held under the casebooks' write
        turns, nobody else can change them meanwhile; forget_end_dates() when the batch is done."""
        participants = list(participants)
        ends, withdrawals = {}, {}
        for pk, end_date, reason in (
            cls._meta.get_field("ends_of_study")
            .related_model.objects.active()
            .filter(participant__in=participants)
            .values_list("participant_id", "end_date", "end_reason")
        ):
            ends.setdefault(pk, []).append((end_date, reason))
        for pk, withdrawal_date in (
            cls._meta.get_field("withdrawals")
            .related_model.objects.active()
            .filter(participant__in=participants)
            .values_list("participant_id", "withdrawal_date")
        ):
            withdrawals.setdefault(pk, []).append(withdrawal_date)
        after_discharge = TrialDesign.current().follow_up_after_discharge
        for participant in participants:
            own, withdrawn = ends.get(participant.pk, []), withdrawals.get(participant.pk, [])
            participant._end_dates = (
                _earliest((on for on, _ in own), withdrawn),
                _earliest(
                    (on for on, reason in own if not (after_discharge and reason == EndOfStudyReason.DISCHARGED)),
                    withdrawn,
                ),
            )

    @staticmethod
    def forget_end_dates(participants) -> None:
        for participant in participants:
            participant.__dict__.pop("_end_dates", None)

    def study_day(self, on: datetime.date) -> int | None:
        """Study day of a date: day 0 is enrolment; the day before is -1 (there is no gap at 0)."""
        return None if self.day0_date is None else (on - self.day0_date).days


def _earliest(*date_lists) -> datetime.date | None:
    dates = [on for dates in date_lists for on in dates]
    return min(dates) if dates else None
