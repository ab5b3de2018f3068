"""Enrolment rules as pure functions.

Each takes plain values and raises ``ValidationError({field: ValidationError(message, code=...)})`` naming the
field it concerns (``refusal``); what every form's rules share (not in the future, within follow-up, the
clock skew allowed) is patients/casebook/rules.py.
``Participant.clean()`` and the other models' ``clean()`` call them, so web forms, the admin and imports
all enforce the same rule; tests call them directly with plain arguments.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from patients.casebook.choices import Answer, ParticipantStatus
from patients.casebook.rules import RuleErrors, check_not_in_future, refusal
from patients.choices import AFTER_DISCHARGE_REASONS, ConsentGiver, EndOfStudyReason, WithdrawalReason


def age_in_years(date_of_birth: datetime.date, on: datetime.date) -> int:
    """Completed years of age on a given date."""
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - int(before_birthday)


def age_at_enrolment(
    date_of_birth: datetime.date | None, day0: datetime.date | None, screening_date: datetime.date | None
) -> int | None:
    """Completed years on study day 0 (on the screening date before enrolment); None without a birth date."""
    on = day0 or screening_date
    return age_in_years(date_of_birth, on) if date_of_birth and on else None


def body_mass_index(weight_kg: Decimal | None, height_cm: Decimal | None) -> Decimal | None:
    """kg/m2, one decimal; None without both measures."""
    if not weight_kg or not height_cm:
        return None
    metres = height_cm / Decimal(100)
    return (weight_kg / (metres * metres)).quantize(Decimal("0.1"))


def check_participant_dates(
    *,
    date_of_birth: datetime.date | None,
    admission_date: datetime.date | None,
    symptom_onset_date: datetime.date | None,
    now: datetime.datetime,
) -> None:
    """Dates on the screening form: none in the future, none before birth."""
    errors = RuleErrors()
    for name, value in (
        ("date_of_birth", date_of_birth),
        ("admission_date", admission_date),
        ("symptom_onset_date", symptom_onset_date),
    ):
        errors.check(check_not_in_future, field=name, value=value, now=now)
    if date_of_birth:
        for name, value in (("admission_date", admission_date), ("symptom_onset_date", symptom_onset_date)):
            if value and value < date_of_birth and name not in errors:
                errors.add(name, "This date is before the date of birth.", "before_birth")
    errors.raise_any()


@dataclass(frozen=True)
class EligibilityDecision:
    """The outcome of screening: eligible, not eligible (with reasons), or incomplete (with the gaps)."""

    eligible: bool
    complete: bool
    reasons: tuple[str, ...] = field(default=())
    missing: tuple[str, ...] = field(default=())

    @property
    def summary(self) -> str:
        if self.reasons:
            return "Not eligible: " + "; ".join(self.reasons)
        if not self.complete:
            return "Screening incomplete: not answered: " + "; ".join(self.missing)
        return "Eligible"


def eligibility_decision(answers: Mapping[str, str], criteria) -> EligibilityDecision:
    """Decide eligibility from {criterion code: "yes"/"no"} against ``criteria`` (the design's: patients/
    eligibility.current_criteria; each with its code, text and required answer).

    An inclusion criterion not met or an exclusion criterion met makes the person ineligible, even
    while other answers are missing: a screen failure is known as soon as one criterion fails.
    """
    reasons = []
    missing = []
    for criterion in criteria:
        answer = answers.get(criterion.code)
        if answer not in (Answer.YES, Answer.NO):
            missing.append(criterion.text)
        elif answer != criterion.required_answer:
            prefix = "Inclusion criterion not met" if criterion.required_answer == "yes" else "Exclusion"
            reasons.append(f"{prefix}: {criterion.text}")
    if reasons:
        return EligibilityDecision(eligible=False, complete=not missing, reasons=tuple(reasons), missing=tuple(missing))
    return EligibilityDecision(eligible=not missing, complete=not missing, missing=tuple(missing))


def check_answer_consistent_with_age(
    *, criterion, answer: str, date_of_birth: datetime.date | None, screening_date: datetime.date
) -> None:
    """A criterion checked against the age at screening (``criterion``: with min_value and max_value, or None)
    is answered "yes" exactly when the age derived from the date of birth is within its range."""
    if criterion is None or date_of_birth is None:
        return
    low, high = criterion.min_value, criterion.max_value
    age = age_in_years(date_of_birth, screening_date)
    in_range = low <= age <= high
    if (answer == Answer.YES) != in_range:
        raise refusal(
            "answer",
            f"The participant is {age} years old at screening, "
            f"{'within' if in_range else 'outside'} the protocol's {low}-{high} "
            f'years, so this criterion must be answered "{"yes" if in_range else "no"}".',
            "age_answer_inconsistent",
        )


def check_known_criterion(*, criterion: str, known) -> None:
    if criterion not in known:
        raise refusal("criterion", f"Unknown eligibility criterion {criterion!r}.", "unknown_criterion")


def check_enrolment_migratable(*, randomised: bool, arm) -> None:
    """An enrolment migrated from a paper archive (patients/archive_migration.py) carries the arm the
    investigator assigned on paper. A trial that allocates from a randomisation list cannot take it: the
    list allocates, and an enrolment without an arm would take a new slot now."""
    if randomised:
        raise refusal(
            "enrolment_datetime",
            "This trial allocates arms from its randomisation list: an enrolment cannot be migrated from a "
            "paper archive. Leave the enrolment columns empty and enrol the participant in the app.",
            "randomised_trial",
        )
    if arm is None:
        raise refusal("arm", "Give the arm the investigator assigned (its code).", "missing")


def check_level_enrolled(*, factor: str, level: str, label: str, allowed: list[str]) -> None:
    """A person whose enrolment factor has a level the protocol does not enrol is not enrolled."""
    if allowed and level not in allowed:
        raise refusal(
            factor,
            f"The protocol enrols {label} {', '.join(allowed)} only; this person's is {level or 'not recorded'}.",
            "level_not_enrolled",
        )


def check_enrolment(
    *,
    decision: EligibilityDecision,
    consent_datetimes: list[datetime.datetime],
    enrolment_datetime: datetime.datetime | None,
    admission_date: datetime.date | None,
    enrolment_local_date: datetime.date | None,
    withdrawn: bool,
    now: datetime.datetime,
) -> None:
    """The enrolment gate: only an eligible, consented person, admitted, enrolled now or in the past.

    Errors sit on ``arm`` (who may be enrolled at all) and ``enrolment_datetime`` (when).
    """
    if decision.reasons:
        raise refusal("arm", f"Cannot enrol an ineligible person. {decision.summary}.", "ineligible")
    if not decision.complete:
        raise refusal("arm", f"Cannot enrol: {decision.summary}.", "screening_incomplete")
    if withdrawn:
        raise refusal("arm", "Cannot enrol: this person has withdrawn.", "withdrawn")
    if not consent_datetimes:
        raise refusal("arm", "Cannot enrol: no informed consent has been recorded.", "no_consent")
    if enrolment_datetime is None:
        raise refusal("enrolment_datetime", "Give the date and time of enrolment.", "missing")
    check_not_in_future(field="enrolment_datetime", value=enrolment_datetime, now=now)
    if min(consent_datetimes) > enrolment_datetime:
        raise refusal("enrolment_datetime", "Enrolment must come after informed consent was given.", "before_consent")
    if admission_date and enrolment_local_date and enrolment_local_date < admission_date:
        raise refusal(
            "enrolment_datetime", "Enrolment cannot be before the hospital admission date.", "before_admission"
        )


def check_status_transition(*, old: str | None, new: str) -> None:
    """Statuses move forward only: screening -> screen failure | enrolled -> completed | withdrawn."""
    allowed = {
        None: {ParticipantStatus.SCREENING},
        ParticipantStatus.SCREENING: {
            ParticipantStatus.SCREENING,
            ParticipantStatus.SCREEN_FAILURE,
            ParticipantStatus.ENROLLED,
        },
        ParticipantStatus.SCREEN_FAILURE: {ParticipantStatus.SCREEN_FAILURE, ParticipantStatus.SCREENING},
        ParticipantStatus.ENROLLED: {
            ParticipantStatus.ENROLLED,
            ParticipantStatus.COMPLETED,
            ParticipantStatus.WITHDRAWN,
        },
        ParticipantStatus.COMPLETED: {ParticipantStatus.COMPLETED},
        ParticipantStatus.WITHDRAWN: {ParticipantStatus.WITHDRAWN},
    }
    if new not in allowed.get(old, set()):
        old_label = ParticipantStatus(old).label if old else "new"
        raise refusal(
            "status", f"A participant cannot go from {old_label} to {ParticipantStatus(new).label}.", "status_order"
        )


def check_arm_unchanged(*, old_arm_id: int | None, new_arm_id: int | None) -> None:
    """The arm is set once, at enrolment."""
    if old_arm_id is not None and new_arm_id != old_arm_id:
        raise refusal("arm", "The arm is assigned once, at enrolment, and cannot be changed.", "arm_fixed")


def check_icu_stay(
    *,
    admission_date: datetime.date | None,
    icu_admission_date: datetime.date | None,
    icu_discharge_date: datetime.date | None,
    end_date: datetime.date | None,
) -> None:
    """ICU dates lie within the hospital stay, discharge from ICU after admission to it."""
    if icu_discharge_date and not icu_admission_date:
        raise refusal("icu_admission_date", "Give the ICU admission date.", "missing")
    if icu_admission_date and admission_date and icu_admission_date < admission_date:
        raise refusal("icu_admission_date", "ICU admission cannot be before hospital admission.", "before_admission")
    if icu_admission_date and icu_discharge_date and icu_discharge_date < icu_admission_date:
        raise refusal("icu_discharge_date", "ICU discharge cannot be before ICU admission.", "before_icu_admission")
    for name, value in (("icu_admission_date", icu_admission_date), ("icu_discharge_date", icu_discharge_date)):
        if value and end_date and value > end_date:
            raise refusal(name, "This is after the end of study.", "after_end_of_study")


def check_eligibility_open(*, status: str) -> None:
    """Eligibility answers are fixed once the person is enrolled."""
    if status not in (ParticipantStatus.SCREENING, ParticipantStatus.SCREEN_FAILURE):
        raise refusal("answer", "Eligibility cannot change after enrolment.", "eligibility_fixed")


def check_consent(
    *,
    given_by: str,
    representative_relationship: str,
    consent_datetime: datetime.datetime | None,
    enrolment_datetime: datetime.datetime | None,
    earliest_other_consent: datetime.datetime | None,
) -> None:
    """Who consented, and consent before enrolment (a re-consent after enrolment is fine when an earlier
    consent came first)."""
    if given_by == ConsentGiver.LEGAL_REPRESENTATIVE and not representative_relationship.strip():
        raise refusal(
            "representative_relationship",
            "Give the legal representative's relationship to the participant.",
            "missing",
        )
    if given_by == ConsentGiver.PARTICIPANT and representative_relationship:
        raise refusal(
            "representative_relationship",
            "Leave blank when the participant consented in person.",
            "not_applicable",
        )
    if enrolment_datetime and consent_datetime and consent_datetime > enrolment_datetime:
        if earliest_other_consent is None or earliest_other_consent > enrolment_datetime:
            raise refusal(
                "consent_datetime",
                "The participant was enrolled before this time; consent must come first.",
                "after_enrolment",
            )


def check_in_follow_up(*, status: str, status_label: str, what: str, hint: str = "") -> None:
    """Only a participant in follow-up (enrolled) can ``what`` (withdraw, end the study)."""
    if status != ParticipantStatus.ENROLLED:
        raise refusal(
            "participant",
            f"Only a participant in follow-up can {what} (status: {status_label}){'; ' + hint if hint else ''}.",
            "not_in_follow_up",
        )


def check_end_reason(
    *,
    reason: str | None,
    end_date: datetime.date | None,
    follow_up_after_discharge: bool,
    discharged_on: datetime.date | None,
) -> None:
    """How follow-up ends depends on the design. Phase 1's ended at discharge, so "completed" and "lost to
    follow-up" do not apply there. A design that follows participants after discharge records the discharge
    once (it ends the hospital stay) and then one end of follow-up, not before the discharge.
    ``discharged_on``: the participant's other discharge record, if any."""
    if not follow_up_after_discharge:
        if reason in AFTER_DISCHARGE_REASONS:
            raise refusal(
                "end_reason",
                f'In this trial follow-up ends at discharge; "{EndOfStudyReason(reason).label}" does not apply.',
                "reason_not_in_design",
            )
        return
    if discharged_on is None:
        return
    if reason == EndOfStudyReason.DISCHARGED:
        raise refusal(
            "end_reason",
            f"The discharge on {discharged_on:%Y-%m-%d} is already recorded; correct that record instead.",
            "duplicate",
        )
    if end_date and end_date < discharged_on:
        raise refusal(
            "end_date",
            f"Follow-up cannot end before the discharge on {discharged_on:%Y-%m-%d}.",
            "before_discharge",
        )


def check_not_before_day0(*, field: str, value: datetime.date | None, day0: datetime.date | None, what: str) -> None:
    if value and day0 and value < day0:
        raise refusal(field, f"{what} cannot be before study day 0.", "before_day0")


def check_withdrawal_details(*, reason: str, details: str) -> None:
    if reason == WithdrawalReason.OTHER and not details.strip():
        raise refusal("details", "Describe the reason for withdrawal.", "missing")
