"""What the rules of every case report form share (each app's rules.py holds its own rules)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from patients.casebook.choices import Allocation, StratificationFactor, Treatment


class RuleErrors:
    """Runs several rules in a model's clean() and reports all their messages at once, field by field,
    so a clinician sees every problem of a form in one round, not one per submit."""

    def __init__(self):
        # Each error kept as the rule raised it, so its code reaches forms and callers.
        self.errors: dict[str, list[ValidationError]] = {}

    def check(self, rule, **kwargs) -> None:
        try:
            rule(**kwargs)
        except ValidationError as exc:
            for field, errors in exc.update_error_dict({}).items():
                self.errors.setdefault(field, []).extend(errors)

    def add(self, field: str, message: str, code: str | None = None) -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


# Allow a little clock difference between the ward PC and the server before "in the future" bites.
CLOCK_SKEW = datetime.timedelta(minutes=5)


def refusal(field: str, message: str, code: str) -> ValidationError:
    """A rule's refusal on the field it concerns, with its code (forms, imports and tests match the code)."""
    return ValidationError({field: ValidationError(message, code=code)})


def check_not_in_future(*, field: str, value, now: datetime.datetime) -> None:
    """A date (against today in the trial's time zone) or a date-time (against now, allowing CLOCK_SKEW) is
    not in the future."""
    if value is None:
        return
    if isinstance(value, datetime.datetime):
        if value > now + CLOCK_SKEW:
            raise refusal(field, "This date and time is in the future.", "in_future")
    elif value > timezone.localdate(now):
        raise refusal(field, f"The date {value:%Y-%m-%d} is in the future.", "in_future")


def check_within_follow_up(
    *,
    field: str,
    on: datetime.date | None,
    earliest: datetime.date | None,
    earliest_label: str,
    follow_up_end: datetime.date | None,
    now: datetime.datetime | None = None,
) -> None:
    """A clinical date lies between ``earliest`` (e.g. study day 0, admission, consent) and the end of
    follow-up (discharge, death or withdrawal), and, given ``now``, not in the future."""
    if on is None:
        return
    if now is not None:
        check_not_in_future(field=field, value=on, now=now)
    if earliest is None:
        raise refusal(field, f"Nothing can be recorded before {earliest_label}, and there is none yet.", "no_start")
    if on < earliest:
        raise refusal(field, f"This is before {earliest_label} ({earliest:%Y-%m-%d}).", "before_start")
    if follow_up_end is not None and on > follow_up_end:
        raise refusal(
            field,
            f"Follow-up ended on {follow_up_end:%Y-%m-%d} (discharge, death or withdrawal).",
            "after_follow_up",
        )


def check_not_recorded_yet(*, record, field: str, label: str, **same) -> None:
    """One record per participant and key. Checked here, not only by the unique constraint, because a
    clinician form has no participant field, so Django would skip the constraint and the database would
    refuse the row with an error page instead of a message on the field."""
    participant = record.participant_for_rules()
    if participant is None or participant.pk is None or any(v is None for v in same.values()):
        return
    if record.checked_on_write and record._state.adding:
        return  # a batch's insert checks it (the unique constraint); a refused batch comes back one by one
    others = type(record).objects.active().filter(participant=participant, **same).exclude(pk=record.pk)
    if others.exists():
        raise refusal(
            field, f"{label} is already recorded for this participant; edit that record instead.", "duplicate"
        )


# The trial design (patients/casebook/design.py).


def check_design_not_started(*, field: str, started: bool, what: str = "") -> None:
    """The design (blinding, allocation, strata, arms and their ratio and treatment) is fixed once anyone is
    enrolled: the randomisation and the analysis rest on it."""
    if started:
        what = what or "the design"
        raise refusal(
            field,
            f"Participants are enrolled, so {what} can no longer change: the allocation and the analysis rest "
            "on it. A changed design is a protocol amendment and a new trial database.",
            "design_fixed",
        )


def check_unblinding_not_loosened(*, was_alone: bool, alone: bool) -> None:
    """Once participants are enrolled, an investigator may not be given the power to unblind alone: a
    blinded user could otherwise loosen the design and approve their own unblinding (issue 28, G). Taking
    that power away (every request to an approver) stays possible: it only makes the trial safer."""
    if alone and not was_alone:
        raise refusal(
            "unblinding_by_investigator_alone",
            "Participants are enrolled, so investigators can no longer be allowed to unblind alone: every "
            "emergency unblinding goes to a designated approver, as the trial started.",
            "design_fixed",
        )


def check_stratification_factors(*, factors) -> None:
    if not isinstance(factors, list) or any(f not in StratificationFactor.values for f in factors):
        known = ", ".join(StratificationFactor.values)
        raise refusal("stratification_factors", f"A list of enrolment factors from: {known}.", "unknown_factor")
    if len(set(factors)) != len(factors):
        raise refusal("stratification_factors", "Each factor once.", "duplicate_factor")


def check_enrolled_levels(*, levels) -> None:
    """The design's enrolled levels: per known factor, one or more of its levels, each once."""
    from patients.casebook.choices import FACTOR_LEVELS

    if not isinstance(levels, dict):
        raise refusal("enrolled_levels", "Per enrolment factor, a list of its levels.", "unknown_level")
    for factor, chosen in levels.items():
        known = FACTOR_LEVELS.get(factor)
        if known is None:
            names = ", ".join(FACTOR_LEVELS)
            raise refusal("enrolled_levels", f"{factor!r} is not an enrolment factor ({names}).", "unknown_factor")
        if not isinstance(chosen, list) or not chosen or any(level not in known.values for level in chosen):
            raise refusal(
                "enrolled_levels",
                f"The {factor} levels enrolled are one or more of: {', '.join(known.values)}.",
                "unknown_level",
            )
        if len(set(chosen)) != len(chosen):
            raise refusal("enrolled_levels", f"Each {factor} level once.", "duplicate_level")


def check_blinded_allocation(*, blinded: bool, allocation: str) -> None:
    """A blinded trial allocates from a list: an investigator who chooses the arm knows it."""
    if blinded and allocation != Allocation.RANDOMISATION_LIST:
        raise refusal(
            "allocation",
            "A blinded trial allocates by randomisation list: an investigator who chooses the arm knows it.",
            "blinded_needs_list",
        )


def check_blinded_arms(*, blinded: bool, arm_treatments: dict, field: str) -> None:
    """In a blinded trial every arm receives infusions (active or placebo): an arm that receives nothing is
    visible on the ward."""
    bare = sorted(name for name, treatment in arm_treatments.items() if treatment == Treatment.NONE)
    if blinded and bare:
        raise refusal(
            field,
            f"In a blinded trial every arm receives infusions (active product or placebo); {', '.join(bare)} "
            "receives nothing, which the ward would see. The unblinded statistician sets the arms first "
            "(Patients > Arms: each with its treatment), then the design is made blinded.",
            "blinded_arm_without_infusions",
        )


def check_known_form(*, field: str, key: str, known: dict[str, str]) -> None:
    """A visit expects a case report form the registry has (patients/casebook/registry.py); ``known``: key ->
    the form's name. A typed name is taken for its key by the caller; the message lists the names."""
    if key not in known:
        names = ", ".join(f"{label} ({code})" for code, label in sorted(known.items(), key=lambda item: item[1]))
        raise refusal(field, f"No case report form {key!r}; the forms are: {names}.", "unknown_form")


def check_criteria_open(*, screening_started: bool) -> None:
    """The eligibility criteria are fixed once anyone is screened, like the rest of the design: an answer's
    meaning must not change under it."""
    if screening_started:
        raise refusal(
            "__all__",
            "People have been screened against these criteria: they are fixed. A protocol amendment that changes "
            "them is a new trial database.",
            "criteria_fixed",
        )


def check_criterion_shape(*, kind, ineligible_answer, automatic, min_value, max_value) -> None:
    """An inclusion criterion is failed by "no", an exclusion by "yes"; an automatic check has its range."""
    expected = "no" if kind == "inclusion" else "yes"
    if ineligible_answer and ineligible_answer != expected:
        raise refusal(
            "ineligible_answer",
            f'An {kind} criterion makes a person ineligible when answered "{expected}".',
            "ineligible_answer_for_kind",
        )
    if automatic and (min_value is None or max_value is None or min_value > max_value):
        raise refusal("max_value", "An automatic check needs its range: a minimum up to a maximum.", "check_range")
