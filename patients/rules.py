"""Enrolment rules as pure functions.

Each takes plain values and raises ``ValidationError({field: message})`` naming the field it concerns.
``Participant.clean()`` and the other models' ``clean()`` call them, so web forms, the admin and imports
all enforce the same rule; tests call them directly with plain arguments.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from patients.choices import Answer, ParticipantStatus
from patients.eligibility import CRITERIA, CRITERIA_BY_CODE, MAX_AGE_YEARS, MIN_AGE_YEARS

# Allow a little clock difference between the ward PC and the server before "in the future" bites.
CLOCK_SKEW = datetime.timedelta(minutes=5)


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


def check_not_future_date(*, field_name: str, value: datetime.date | None, today: datetime.date) -> None:
    if value is not None and value > today:
        raise ValidationError({field_name: f"The date {value:%Y-%m-%d} is in the future."})


def check_not_future_datetime(*, field_name: str, value: datetime.datetime | None, now: datetime.datetime) -> None:
    if value is not None and value > now + CLOCK_SKEW:
        raise ValidationError({field_name: "This date and time is in the future."})


def check_participant_dates(
    *,
    date_of_birth: datetime.date | None,
    admission_date: datetime.date | None,
    symptom_onset_date: datetime.date | None,
    today: datetime.date,
) -> None:
    """Dates on the screening form: none in the future, none before birth."""
    errors: dict[str, str] = {}
    for name, value in (
        ("date_of_birth", date_of_birth),
        ("admission_date", admission_date),
        ("symptom_onset_date", symptom_onset_date),
    ):
        try:
            check_not_future_date(field_name=name, value=value, today=today)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if date_of_birth:
        for name, value in (("admission_date", admission_date), ("symptom_onset_date", symptom_onset_date)):
            if value and value < date_of_birth and name not in errors:
                errors[name] = "This date is before the date of birth."
    if errors:
        raise ValidationError(errors)


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


def eligibility_decision(answers: Mapping[str, str]) -> EligibilityDecision:
    """Decide eligibility from {criterion code: "yes"/"no"}.

    An inclusion criterion not met or an exclusion criterion met makes the person ineligible, even
    while other answers are missing: a screen failure is known as soon as one criterion fails.
    """
    reasons = []
    missing = []
    for criterion in CRITERIA:
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
    *, criterion: str, answer: str, date_of_birth: datetime.date | None, screening_date: datetime.date
) -> None:
    """The age criterion's answer must agree with the age derived from the date of birth."""
    if criterion != "inc_age" or date_of_birth is None:
        return
    age = age_in_years(date_of_birth, screening_date)
    in_range = MIN_AGE_YEARS <= age <= MAX_AGE_YEARS
    if (answer == Answer.YES) != in_range:
        raise ValidationError(
            {
                "answer": (
                    f"The participant is {age} years old at screening, "
                    f"{'within' if in_range else 'outside'} the protocol's {MIN_AGE_YEARS}-{MAX_AGE_YEARS} "
                    f'years, so this criterion must be answered "{"yes" if in_range else "no"}".'
                )
            }
        )


def check_known_criterion(*, criterion: str) -> None:
    if criterion not in CRITERIA_BY_CODE:
        raise ValidationError({"criterion": f"Unknown eligibility criterion {criterion!r}."})


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
        raise ValidationError({"arm": f"Cannot enrol an ineligible person. {decision.summary}."})
    if not decision.complete:
        raise ValidationError({"arm": f"Cannot enrol: {decision.summary}."})
    if withdrawn:
        raise ValidationError({"arm": "Cannot enrol: this person has withdrawn."})
    if not consent_datetimes:
        raise ValidationError({"arm": "Cannot enrol: no informed consent has been recorded."})
    if enrolment_datetime is None:
        raise ValidationError({"enrolment_datetime": "Give the date and time of enrolment."})
    check_not_future_datetime(field_name="enrolment_datetime", value=enrolment_datetime, now=now)
    if min(consent_datetimes) > enrolment_datetime:
        raise ValidationError({"enrolment_datetime": "Enrolment must come after informed consent was given."})
    if admission_date and enrolment_local_date and enrolment_local_date < admission_date:
        raise ValidationError({"enrolment_datetime": "Enrolment cannot be before the hospital admission date."})


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
        raise ValidationError(
            {"status": f"A participant cannot go from {old_label} to {ParticipantStatus(new).label}."}
        )


def check_arm_unchanged(*, old_arm_id: int | None, new_arm_id: int | None) -> None:
    """The arm is set once, at enrolment."""
    if old_arm_id is not None and new_arm_id != old_arm_id:
        raise ValidationError({"arm": "The arm is assigned once, at enrolment, and cannot be changed."})


def check_icu_stay(
    *,
    admission_date: datetime.date | None,
    icu_admission_date: datetime.date | None,
    icu_discharge_date: datetime.date | None,
    end_date: datetime.date | None,
) -> None:
    """ICU dates lie within the hospital stay, discharge from ICU after admission to it."""
    if icu_discharge_date and not icu_admission_date:
        raise ValidationError({"icu_admission_date": "Give the ICU admission date."})
    if icu_admission_date and admission_date and icu_admission_date < admission_date:
        raise ValidationError({"icu_admission_date": "ICU admission cannot be before hospital admission."})
    if icu_admission_date and icu_discharge_date and icu_discharge_date < icu_admission_date:
        raise ValidationError({"icu_discharge_date": "ICU discharge cannot be before ICU admission."})
    for name, value in (("icu_admission_date", icu_admission_date), ("icu_discharge_date", icu_discharge_date)):
        if value and end_date and value > end_date:
            raise ValidationError({name: "This is after the end of study."})
