"""Outcome rules as pure functions over plain values; the models' ``clean()`` calls them.

Each raises ``ValidationError({field: message})`` naming the field it concerns.
"""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError

from outcomes.choices import (
    FLOW_RANGE_BY_SUPPORT,
    SERIOUSNESS_CRITERIA,
    WHO_SCORES_BY_SUPPORT,
    AeOutcome,
    CtComparison,
    DetectionLimit,
    OxygenSupport,
    Relation,
)

CLOCK_SKEW = datetime.timedelta(minutes=5)
SAE_REPORTING_LIMIT = datetime.timedelta(hours=24)


def check_within_follow_up(
    *,
    field: str,
    on: datetime.date | None,
    earliest: datetime.date | None,
    earliest_label: str,
    follow_up_end: datetime.date | None,
    today: datetime.date,
) -> None:
    """A clinical date lies between ``earliest`` (enrolment or admission) and the end of follow-up, and
    not in the future."""
    if on is None:
        return
    if on > today:
        raise ValidationError({field: "This date is in the future."})
    if earliest is None:
        raise ValidationError({field: f"Nothing can be recorded before {earliest_label}, and there is none yet."})
    if on < earliest:
        raise ValidationError({field: f"This is before {earliest_label} ({earliest:%Y-%m-%d})."})
    if follow_up_end is not None and on > follow_up_end:
        raise ValidationError({field: f"Follow-up ended on {follow_up_end:%Y-%m-%d} (discharge, death or withdrawal)."})


def check_blood_pressure(*, systolic: int | None, diastolic: int | None) -> None:
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        raise ValidationError({"diastolic_bp": "Diastolic pressure must be below systolic pressure."})


def check_oxygen_support(*, support: str | None, flow: Decimal | None, fio2: int | None, who_score: int | None) -> None:
    """Flow where it applies; FiO2 21 % on room air; the WHO score consistent with the support."""
    if not support or support not in OxygenSupport.values:
        return  # an unknown code is refused on its field by the field's own choices check
    errors = {}
    label = OxygenSupport(support).label
    flow_range = FLOW_RANGE_BY_SUPPORT.get(support)
    if flow_range is None and flow is not None:
        errors["oxygen_flow_l_min"] = f"No oxygen flow applies to {label.lower()}; leave it blank."
    elif flow_range is not None:
        low, high = flow_range
        if flow is None:
            errors["oxygen_flow_l_min"] = f"Give the oxygen flow for {label.lower()}."
        elif not low <= flow <= high:
            errors["oxygen_flow_l_min"] = f"{flow:g} L/min is implausible for {label.lower()} ({low:g}-{high:g} L/min)."
    if support == OxygenSupport.ROOM_AIR and fio2 is not None and fio2 != 21:
        errors["fio2_percent"] = "On room air FiO2 is 21 %."
    if who_score is not None and who_score != 10:
        allowed = WHO_SCORES_BY_SUPPORT[support]
        if who_score not in allowed:
            span = f"{allowed.start}" if len(allowed) == 1 else f"{allowed.start}-{allowed.stop - 1}"
            errors["who_score"] = f"With {label.lower()} the WHO clinical progression score is {span}, not {who_score}."
    if errors:
        raise ValidationError(errors)


def check_lab_value(
    *,
    value: Decimal | None,
    unit: str,
    canonical_unit: str,
    plausible_min: Decimal,
    plausible_max: Decimal,
    analyte_name: str,
) -> None:
    if unit != canonical_unit:
        raise ValidationError({"unit": f"{analyte_name} is recorded in {canonical_unit}; convert the value."})
    if value is not None and not plausible_min <= value <= plausible_max:
        raise ValidationError(
            {
                "value": (
                    f"{value:g} {canonical_unit} is outside the plausible range for {analyte_name} "
                    f"({plausible_min:g}-{plausible_max:g} {canonical_unit})."
                )
            }
        )


def check_detection_limit(*, detection_limit: str, comment: str) -> None:
    if detection_limit != DetectionLimit.WITHIN and not (comment or "").strip():
        raise ValidationError(
            {"comment": "Say which limit applies (e.g. 'LOD 1.5 pg/mL'); the value entered is the limit."}
        )


def check_ct_comparison(*, comparison: str, has_earlier_scan: bool) -> None:
    if has_earlier_scan and comparison == CtComparison.FIRST_SCAN:
        raise ValidationError({"comparison": "There is an earlier scan: compare with it."})
    if not has_earlier_scan and comparison not in ("", CtComparison.FIRST_SCAN):
        raise ValidationError({"comparison": "This is the participant's first scan: there is nothing to compare with."})


def check_adverse_event(
    *,
    onset: datetime.datetime | None,
    resolution: datetime.datetime | None,
    grade: int | None,
    outcome: str,
    serious: bool,
    criteria: dict[str, bool],
    relation: str,
    receives_product: bool,
    now: datetime.datetime,
) -> None:
    errors = {}
    if onset and onset > now + CLOCK_SKEW:
        errors["onset_datetime"] = "The onset is in the future."
    if resolution and resolution > now + CLOCK_SKEW:
        errors["resolution_datetime"] = "The resolution is in the future."
    elif onset and resolution and resolution < onset:
        errors["resolution_datetime"] = "Resolution cannot be before onset."
    if grade is not None and outcome:
        if grade == 5 and outcome != AeOutcome.FATAL:
            errors["outcome"] = "A grade 5 event is fatal: the outcome must be 'Fatal'."
        elif grade != 5 and outcome == AeOutcome.FATAL:
            errors["grade"] = "A fatal event is grade 5."
    if outcome in (AeOutcome.RECOVERED, AeOutcome.SEQUELAE) and onset and resolution is None:
        errors["resolution_datetime"] = "Give the date and time the participant recovered."
    chosen = [name for name, _ in SERIOUSNESS_CRITERIA if criteria.get(name)]
    if serious and not chosen:
        errors["serious"] = "A serious adverse event needs at least one seriousness criterion."
    if not serious and chosen:
        errors["serious"] = "Seriousness criteria are ticked: mark the event as serious, or untick them."
    if serious and grade == 5 and not criteria.get("serious_death"):
        errors["serious_death"] = "A fatal serious event has 'results in death' as a criterion."
    if not receives_product and relation not in ("", Relation.NOT_RELATED):
        errors["relation"] = "This participant received no study product: the event cannot be related to it."
    if errors:
        raise ValidationError(errors)


def check_infusion_link(
    *,
    same_participant: bool,
    infusion_start: datetime.datetime | None,
    onset: datetime.datetime | None,
) -> None:
    if not same_participant:
        raise ValidationError({"infusion": "This infusion belongs to another participant."})
    if infusion_start and onset and onset < infusion_start:
        raise ValidationError({"onset_datetime": "An infusion-associated event cannot start before the infusion."})


def check_sae_reporting(
    *,
    serious: bool,
    onset: datetime.datetime | None,
    aware: datetime.datetime | None,
    reported: datetime.datetime | None,
    now: datetime.datetime,
) -> None:
    """Awareness and reporting times: required for a serious event; for any event, when given, in order
    (onset, then awareness, then the report) and not in the future."""
    errors = {}
    if aware is None:
        if serious:
            errors["site_aware_datetime"] = ValidationError(
                "For a serious event, give when the site became aware of it.", code="sae_aware_required"
            )
    elif aware > now + CLOCK_SKEW:
        errors["site_aware_datetime"] = ValidationError("This is in the future.", code="in_future")
    elif onset and aware < onset:
        errors["site_aware_datetime"] = ValidationError(
            "The site cannot become aware before the onset.", code="aware_before_onset"
        )
    if reported is not None:
        if reported > now + CLOCK_SKEW:
            errors["reported_datetime"] = ValidationError("This is in the future.", code="in_future")
        elif aware and reported < aware:
            errors["reported_datetime"] = ValidationError(
                "The report cannot precede awareness.", code="reported_before_aware"
            )
        elif aware is None and onset and reported < onset:
            errors["reported_datetime"] = ValidationError(
                "The report cannot precede the onset.", code="reported_before_onset"
            )
    if errors:
        raise ValidationError(errors)


MEDDRA_CODE = re.compile(r"^[0-9]{8}$")


def check_meddra_code(*, code: str) -> None:
    """A MedDRA lowest-level or preferred term code is 8 digits (e.g. 10019211, headache)."""
    if code and not MEDDRA_CODE.match(code):
        raise ValidationError(
            {
                "meddra_code": ValidationError(
                    "A MedDRA code is 8 digits (the LLT or PT code, e.g. 10019211); leave it empty until coded.",
                    code="meddra_code_format",
                )
            }
        )


def sae_reporting_state(
    *, serious: bool, aware: datetime.datetime | None, reported: datetime.datetime | None, now: datetime.datetime
) -> str:
    """'' (not serious / on time), 'late' (reported after 24 h) or 'overdue' (unreported after 24 h)."""
    if not serious or aware is None:
        return ""
    due = aware + SAE_REPORTING_LIMIT
    if reported is not None:
        return "late" if reported > due else ""
    return "overdue" if now > due else "due"
