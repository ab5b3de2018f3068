"""Infusion rules as pure functions over plain values.

Hard rules raise ``ValidationError({field: ValidationError(message, code=...)})``: the record cannot be
saved. Soft rules (``soft_deviations``) return the protocol deviations an infusion carries;
``check_deviations_explained`` refuses them unless a deviation reason is given, so an off-protocol infusion
is saved only together with its recorded deviation, never silently. ``Infusion.clean()`` gathers the facts
and calls these.

Intervals are computed on timezone-aware datetimes (absolute elapsed time, right across a daylight-saving
change); calendar rules (study day, window) use the date in the trial's time zone.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from dosing.choices import DeviationCategory, PlannedInfusionStatus
from patients.casebook.choices import Treatment
from patients.casebook.rules import CLOCK_SKEW, RuleErrors, check_within_follow_up, refusal


def elapsed(later: datetime.datetime, earlier: datetime.datetime) -> datetime.timedelta:
    """Real elapsed time. Python subtracts two datetimes sharing a tzinfo as wall-clock times (ignoring a
    daylight-saving change between them), so convert to UTC first."""
    return later.astimezone(datetime.UTC) - earlier.astimezone(datetime.UTC)


def planned_date(*, day0: datetime.date, sequence_number: int, interval_days: int) -> datetime.date:
    """Infusion k (1-based) is planned on day 0 + (k - 1) x interval."""
    return day0 + datetime.timedelta(days=(sequence_number - 1) * interval_days)


def check_product_arm(*, arm_name: str | None, receives_infusions: bool, has_regimen: bool) -> None:
    if arm_name is None:
        raise refusal("participant", "This person is not enrolled: infusions start after enrolment.", "not_enrolled")
    if not receives_infusions:
        raise refusal(
            "participant",
            f"Participants in the {arm_name} arm receive no study product, so no infusion.",
            "arm_without_product",
        )
    if not has_regimen:
        raise refusal(
            "participant",
            "No dosing regimen is configured for this participant's arm: tell the trial's data manager "
            "(the admin's Arm regimens).",
            "no_regimen",
        )


def check_infusion_times(
    *,
    start: datetime.datetime | None,
    end: datetime.datetime | None,
    now: datetime.datetime,
    max_duration: datetime.timedelta,
) -> None:
    errors = RuleErrors()
    if start and start > now + CLOCK_SKEW:
        errors.add("start_datetime", "The infusion start is in the future.", "in_future")
    if end and end > now + CLOCK_SKEW:
        errors.add("end_datetime", "The infusion end is in the future.", "in_future")
    if start and end and "end_datetime" not in errors:
        if elapsed(end, start) <= datetime.timedelta(0):  # instants, not wall clocks (a DST change)
            errors.add("end_datetime", "The infusion must end after it starts.", "end_before_start")
        elif elapsed(end, start) > max_duration:
            hours = max_duration.total_seconds() / 3600
            errors.add(
                "end_datetime",
                f"An infusion of {_duration(elapsed(end, start))} is implausible "
                f"(the regimen allows at most {hours:g} h).",
                "too_long",
            )
    errors.raise_any()


def check_infusion_in_follow_up(
    *,
    start: datetime.datetime,
    start_local_date: datetime.date,
    day0: datetime.date,
    first_consent: datetime.datetime | None,
    follow_up_end: datetime.date | None,
) -> None:
    """Not before consent or study day 0; not after discharge, death or withdrawal (the follow-up window
    every form shares)."""
    if first_consent is None or start < first_consent:
        raise refusal("start_datetime", "An infusion cannot start before informed consent.", "before_consent")
    check_within_follow_up(
        field="start_datetime",
        on=start_local_date,
        earliest=day0,
        earliest_label="study day 0",
        follow_up_end=follow_up_end,
    )


def check_sequence(
    *, sequence_number: int, number_of_infusions: int, previous_accounted_for: bool, already_given: bool
) -> None:
    """No more infusions than the regimen allows; infusion k needs k-1 given, missed or cancelled."""
    if sequence_number < 1:
        raise refusal("sequence_number", "Infusions are numbered from 1.", "not_positive")
    if sequence_number > number_of_infusions:
        raise refusal(
            "sequence_number",
            f"The regimen has {number_of_infusions} infusions; there is no infusion {sequence_number}.",
            "beyond_regimen",
        )
    if already_given:
        raise refusal(
            "sequence_number", f"Infusion {sequence_number} is already recorded for this participant.", "duplicate"
        )
    if sequence_number > 1 and not previous_accounted_for:
        raise refusal(
            "sequence_number",
            f"Infusion {sequence_number - 1} must be recorded as given, or marked missed or cancelled "
            f"with a reason, before infusion {sequence_number}.",
            "previous_not_accounted_for",
        )


def check_gap(
    *,
    start: datetime.datetime | None,
    end: datetime.datetime | None,
    previous_end: datetime.datetime | None,
    next_start: datetime.datetime | None,
    min_gap: datetime.timedelta,
) -> None:
    """At least the regimen's minimum safe gap between the end of one infusion and the start of the next."""
    hours = f"{min_gap.total_seconds() / 3600:g} h"
    if start and previous_end and elapsed(start, previous_end) < min_gap:
        raise refusal(
            "start_datetime",
            f"Only {_duration(elapsed(start, previous_end))} after the previous infusion ended; "
            f"the minimum safe gap is {hours}.",
            "gap_too_short",
        )
    if end and next_start and elapsed(next_start, end) < min_gap:
        raise refusal(
            "end_datetime",
            f"The next infusion starts only {_duration(elapsed(next_start, end))} after this one ends; "
            f"the minimum is {hours}.",
            "gap_too_short",
        )


def check_administration_details(
    *,
    lot_number: str,
    spo2_lowest: int | None,
    spo2_highest: int | None,
    interrupted: bool,
    interruption_reason: str,
    pharmacy: bool = False,
    product: dict | None = None,
) -> None:
    """The ward records the lot and ``product`` (the cells and viability) of what it gives, each required,
    unless the ``pharmacy`` prepares the kits (a blinded trial: the pharmacy records them)."""
    errors = RuleErrors()
    if not pharmacy:
        if not (lot_number or "").strip():
            errors.add("lot_number", "The product lot / batch number is required for a given infusion.", "missing")
        for field, value in (product or {}).items():
            if value is None:
                errors.add(field, "This field is required for a given infusion.", "missing")
    if spo2_lowest is not None and spo2_highest is not None and spo2_lowest > spo2_highest:
        errors.add("spo2_lowest", "The lowest SpO2 cannot be above the highest.", "lowest_above_highest")
    if interrupted and not (interruption_reason or "").strip():
        errors.add("interruption_reason", "Say why the infusion was interrupted or stopped.", "missing")
    errors.raise_any()


@dataclass(frozen=True)
class Deviation:
    """A soft-rule breach: saved only as a recorded protocol deviation."""

    category: str
    field: str
    message: str


def soft_deviations(
    *,
    start_local_date: datetime.date | None,
    planned: datetime.date | None,
    window_days: int,
    day0: datetime.date | None,
    cells_millions: Decimal | None,
    nominal_cells_millions: Decimal,
    dose_tolerance_percent: Decimal,
    viability_percent: Decimal | None,
    min_viability_percent: Decimal,
) -> list[Deviation]:
    found = []
    if start_local_date and planned and day0 and abs((start_local_date - planned).days) > window_days:
        found.append(
            Deviation(
                DeviationCategory.INFUSION_WINDOW,
                "start_datetime",
                f"Started on study day {(start_local_date - day0).days} ({start_local_date:%Y-%m-%d}); planned for "
                f"day {(planned - day0).days} ({planned:%Y-%m-%d}) with a window of +/- {window_days} day(s).",
            )
        )
    if cells_millions is not None and cells_millions > 0:
        off_by = abs(cells_millions - nominal_cells_millions) / nominal_cells_millions * 100
        if off_by > dose_tolerance_percent:
            found.append(
                Deviation(
                    DeviationCategory.DOSE,
                    "cells_administered_millions",
                    f"{cells_millions:g} x 10^6 cells is {off_by:.0f} % off the nominal "
                    f"{nominal_cells_millions:g} x 10^6 (accepted: +/- {dose_tolerance_percent:g} %).",
                )
            )
    if viability_percent is not None and viability_percent < min_viability_percent:
        found.append(
            Deviation(
                DeviationCategory.VIABILITY,
                "viability_percent",
                f"Viability {viability_percent:g} % is below the release minimum of {min_viability_percent:g} %.",
            )
        )
    return found


def check_deviations_explained(*, deviations: list[Deviation], deviation_reason: str) -> None:
    """Off-protocol is allowed only when confirmed with a reason, which is recorded as a deviation."""
    if not deviations or (deviation_reason or "").strip():
        return
    errors = {
        d.field: ValidationError(f"{d.message} To save it, confirm with a deviation reason.", code=d.category)
        for d in deviations
    }
    errors["deviation_reason"] = ValidationError(
        "Required: this infusion deviates from the protocol; say why.", code="deviation_reason_required"
    )
    raise ValidationError(errors)


def _duration(delta: datetime.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def check_regimen_arm(*, arm_label: str, receives_infusions: bool) -> None:
    """Only an arm that receives product has a regimen."""
    if not receives_infusions:
        raise refusal("arm", f"The {arm_label} arm receives no product, so it has no regimen.", "arm_without_product")


def check_planned_status(*, status: str, status_label: str, status_reason: str, infusion_recorded: bool) -> None:
    """Missed or cancelled needs its reason; "given" comes from the infusion record itself."""
    if status in (PlannedInfusionStatus.MISSED, PlannedInfusionStatus.CANCELLED) and not (status_reason or "").strip():
        raise refusal("status_reason", f"Say why the infusion was {status_label.lower()}.", "missing")
    if status == PlannedInfusionStatus.GIVEN and not infusion_recorded:
        raise refusal("status", "Record the infusion itself; it marks the plan as given.", "infusion_not_recorded")


def check_deviation(*, reason: str, foreign: list[str]) -> None:
    """A deviation says why, and concerns this participant's infusion or plan (``foreign``: fields that
    point at another participant's)."""
    if not (reason or "").strip():
        raise refusal("reason", "Give the reason for the deviation.", "missing")
    for field in foreign:
        raise refusal(field, "This belongs to another participant.", "other_participant")


# The unblinded pharmacy's preparations (dosing/models/preparations.py) and the kit an infusion gives.


def check_preparation_contents(
    *,
    treatment: str,
    cells_millions: Decimal | None,
    viability_percent: Decimal | None,
    nominal_cells_millions: Decimal,
    dose_tolerance_percent: Decimal,
    min_viability_percent: Decimal,
) -> None:
    """An active kit holds the nominal dose (within the tolerance) of cells viable enough to release; a
    placebo kit holds no cells. A kit out of specification is not released (no deviation to record: it is
    prepared again)."""
    errors = RuleErrors()
    if treatment == Treatment.PLACEBO:
        if cells_millions is not None:
            errors.add("cells_millions", "A placebo kit holds no cells: leave this empty.", "placebo_has_cells")
        if viability_percent is not None:
            errors.add("viability_percent", "A placebo kit holds no cells: leave this empty.", "placebo_has_cells")
        errors.raise_any()
        return
    if cells_millions is None:
        errors.add("cells_millions", "Give the number of cells in the kit.", "missing")
    else:
        off_by = abs(cells_millions - nominal_cells_millions) / nominal_cells_millions * 100
        if off_by > dose_tolerance_percent:
            errors.add(
                "cells_millions",
                f"{cells_millions:g} x 10^6 cells is {off_by:.0f} % off the nominal {nominal_cells_millions:g} x "
                f"10^6 (accepted: +/- {dose_tolerance_percent:g} %): this kit cannot be released.",
                "dose_out_of_range",
            )
    if viability_percent is None:
        errors.add("viability_percent", "Give the cell viability at release.", "missing")
    elif viability_percent < min_viability_percent:
        errors.add(
            "viability_percent",
            f"Viability {viability_percent:g} % is below the release minimum of {min_viability_percent:g} %: this "
            "kit cannot be released.",
            "viability_below_minimum",
        )
    errors.raise_any()


def check_preparation_volume(
    *, volume_ml: Decimal | None, regimen_volume_ml: Decimal | None, tolerance_ml: Decimal
) -> None:
    """A kit, active or placebo alike (they must look the same), holds the regimen's volume within its
    tolerance, when the regimen gives one."""
    if volume_ml is None or regimen_volume_ml is None:
        return
    if abs(volume_ml - regimen_volume_ml) > tolerance_ml:
        raise refusal(
            "volume_ml",
            f"{volume_ml:g} mL is off the regimen's {regimen_volume_ml:g} mL (accepted: +/- {tolerance_ml:g} mL): "
            "this kit cannot be released.",
            "volume_off_regimen",
        )


def check_preparation_release(
    *,
    prepared: datetime.datetime | None,
    released: datetime.datetime | None,
    checks: dict[str, bool],
    now: datetime.datetime,
) -> None:
    """Released after it was prepared, not in the future, and only with every release check done."""
    errors = RuleErrors()
    for field, value in (("prepared_datetime", prepared), ("released_datetime", released)):
        if value and value > now + CLOCK_SKEW:
            errors.add(field, "This date and time is in the future.", "in_future")
    if prepared and released and released < prepared:
        errors.add("released_datetime", "A kit is released after it is prepared.", "released_before_prepared")
    if released:
        for field, done in checks.items():
            if not done:
                errors.add(field, "Every release check is done before the kit is released.", "release_check_missing")
    errors.raise_any()


def check_kit_given(
    *,
    kit_code: str,
    found: bool,
    released: bool,
    for_this_participant: bool,
    for_this_infusion: bool,
    already_given: bool,
    use_by: datetime.datetime | None,
    start: datetime.datetime | None,
) -> None:
    """The chain of identity: the kit the ward gives was prepared and released for this participant and this
    infusion, is given once, and is used before its use-by time. Messages name no product: the ward is blind."""
    field = "kit_code"
    if not (kit_code or "").strip():
        raise refusal(field, "Give the kit code from the label of the kit given.", "missing")
    if not found:
        raise refusal(field, f"No kit {kit_code} was prepared by the pharmacy: check the label.", "unknown_kit")
    if not for_this_participant:
        raise refusal(
            field,
            f"Kit {kit_code} was prepared for another participant: do not give it; return it to the pharmacy.",
            "kit_for_another_participant",
        )
    if not for_this_infusion:
        raise refusal(
            field, f"Kit {kit_code} was prepared for another infusion of this participant.", "kit_for_another_infusion"
        )
    if not released:
        raise refusal(field, f"Kit {kit_code} has not been released by the pharmacy.", "kit_not_released")
    if already_given:
        raise refusal(field, f"Kit {kit_code} is recorded as given already: a kit is given once.", "kit_given")
    if use_by and start and start > use_by:
        raise refusal(
            field,
            f"Kit {kit_code} was to be used by {timezone.localtime(use_by):%Y-%m-%d %H:%M}; the infusion starts after "
            "that. Cells do not keep: the pharmacy prepares a new kit.",
            "kit_expired",
        )


def check_ward_records_no_product(*, values: dict) -> None:
    """Where the pharmacy prepares the kits, the ward records what it sees, never what the kit holds."""
    errors = RuleErrors()
    for field, value in values.items():
        if value not in (None, ""):
            errors.add(field, "The pharmacy records this with the kit's preparation; leave it empty.", "pharmacy_field")
    errors.raise_any()
