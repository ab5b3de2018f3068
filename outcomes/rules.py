"""Outcome rules as pure functions over plain values; the models' ``clean()`` calls them.

Each raises ``ValidationError({field: ValidationError(message, code=...)})`` naming the field it concerns;
what every form's rules share (not in the future, within follow-up, one record per key) is
patients/casebook/rules.py.
"""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError

from outcomes.choices import (
    SERIOUSNESS_CRITERIA,
    ActionTaken,
    AeOutcome,
    CtComparison,
    DetectionLimit,
    OxygenSupport,
    Relation,
    SymptomState,
)
from patients.casebook.rules import CLOCK_SKEW, RuleErrors, refusal

SAE_REPORTING_LIMIT = datetime.timedelta(hours=24)

# WHO clinical progression scale scores compatible with each support level (10 = dead fits any).
# WHO Working Group, Lancet Infect Dis 2020: 4 hospitalised, no oxygen; 5 oxygen by mask or nasal prongs;
# 6 NIV or high-flow; 7-9 intubated (9 includes ECMO).
WHO_SCORES_BY_SUPPORT = {
    OxygenSupport.ROOM_AIR: range(1, 5),
    OxygenSupport.LOW_FLOW: range(5, 6),
    OxygenSupport.HIGH_FLOW: range(6, 7),
    OxygenSupport.NIV: range(6, 7),
    OxygenSupport.IMV: range(7, 10),
    OxygenSupport.ECMO: range(9, 10),
}
# Flow (L/min) applies to these, within these plausible bounds.
FLOW_RANGE_BY_SUPPORT = {OxygenSupport.LOW_FLOW: (0.5, 15), OxygenSupport.HIGH_FLOW: (10, 80)}


def check_blood_pressure(*, systolic: int | None, diastolic: int | None) -> None:
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        raise refusal("diastolic_bp", "Diastolic pressure must be below systolic pressure.", "diastolic_not_below")


def check_oxygen_support(*, support: str | None, flow: Decimal | None, fio2: int | None, who_score: int | None) -> None:
    """Flow where it applies; FiO2 21 % on room air; the WHO score consistent with the support."""
    if not support or support not in OxygenSupport.values:
        return  # an unknown code is refused on its field by the field's own choices check
    errors = RuleErrors()
    label = OxygenSupport(support).label
    flow_range = FLOW_RANGE_BY_SUPPORT.get(support)
    if flow_range is None and flow is not None:
        errors.add("oxygen_flow_l_min", f"No oxygen flow applies to {label.lower()}; leave it blank.", "not_applicable")
    elif flow_range is not None:
        low, high = flow_range
        if flow is None:
            errors.add("oxygen_flow_l_min", f"Give the oxygen flow for {label.lower()}.", "missing")
        elif not low <= flow <= high:
            errors.add(
                "oxygen_flow_l_min",
                f"{flow:g} L/min is implausible for {label.lower()} ({low:g}-{high:g} L/min).",
                "implausible",
            )
    if support == OxygenSupport.ROOM_AIR and fio2 is not None and fio2 != 21:
        errors.add("fio2_percent", "On room air FiO2 is 21 %.", "room_air_fio2")
    if who_score is not None and who_score != 10:
        allowed = WHO_SCORES_BY_SUPPORT[support]
        if who_score not in allowed:
            span = f"{allowed.start}" if len(allowed) == 1 else f"{allowed.start}-{allowed.stop - 1}"
            errors.add(
                "who_score",
                f"With {label.lower()} the WHO clinical progression score is {span}, not {who_score}.",
                "who_score_inconsistent",
            )
    errors.raise_any()


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
        raise refusal("unit", f"{analyte_name} is recorded in {canonical_unit}; convert the value.", "wrong_unit")
    if value is not None and not plausible_min <= value <= plausible_max:
        raise refusal(
            "value",
            f"{value:g} {canonical_unit} is outside the plausible range for {analyte_name} "
            f"({plausible_min:g}-{plausible_max:g} {canonical_unit}).",
            "implausible",
        )


def check_detection_limit(*, detection_limit: str, comment: str) -> None:
    if detection_limit != DetectionLimit.WITHIN and not (comment or "").strip():
        raise refusal(
            "comment", "Say which limit applies (e.g. 'LOD 1.5 pg/mL'); the value entered is the limit.", "missing"
        )


def check_ct_comparison(*, comparison: str, has_earlier_scan: bool) -> None:
    if has_earlier_scan and comparison == CtComparison.FIRST_SCAN:
        raise refusal("comparison", "There is an earlier scan: compare with it.", "earlier_scan_exists")
    if not has_earlier_scan and comparison not in ("", CtComparison.FIRST_SCAN):
        raise refusal(
            "comparison", "This is the participant's first scan: there is nothing to compare with.", "first_scan"
        )


def check_adverse_event(
    *,
    onset: datetime.datetime | None,
    resolution: datetime.datetime | None,
    grade: int | None,
    outcome: str,
    serious: bool,
    criteria: dict[str, bool],
    relation: str,
    receives_infusions: bool,
    now: datetime.datetime,
) -> None:
    errors = RuleErrors()
    if onset and onset > now + CLOCK_SKEW:
        errors.add("onset_datetime", "The onset is in the future.", "in_future")
    if resolution and resolution > now + CLOCK_SKEW:
        errors.add("resolution_datetime", "The resolution is in the future.", "in_future")
    elif onset and resolution and resolution < onset:
        errors.add("resolution_datetime", "Resolution cannot be before onset.", "resolution_before_onset")
    if grade is not None and outcome:
        if grade == 5 and outcome != AeOutcome.FATAL:
            errors.add("outcome", "A grade 5 event is fatal: the outcome must be 'Fatal'.", "grade5_not_fatal")
        elif grade != 5 and outcome == AeOutcome.FATAL:
            errors.add("grade", "A fatal event is grade 5.", "fatal_not_grade5")
    if outcome in (AeOutcome.RECOVERED, AeOutcome.SEQUELAE) and onset and resolution is None:
        errors.add("resolution_datetime", "Give the date and time the participant recovered.", "missing")
    chosen = [name for name, _ in SERIOUSNESS_CRITERIA if criteria.get(name)]
    if serious and not chosen:
        errors.add("serious", "A serious adverse event needs at least one seriousness criterion.", "no_criterion")
    if not serious and chosen:
        errors.add(
            "serious", "Seriousness criteria are ticked: mark the event as serious, or untick them.", "criteria_ticked"
        )
    if serious and grade == 5 and not criteria.get("serious_death"):
        errors.add("serious_death", "A fatal serious event has 'results in death' as a criterion.", "missing")
    if not receives_infusions and relation not in ("", Relation.NOT_RELATED):
        errors.add(
            "relation",
            "This participant received no study product: the event cannot be related to it.",
            "no_product_given",
        )
    errors.raise_any()


def check_infusion_link(
    *,
    same_participant: bool,
    infusion_start: datetime.datetime | None,
    onset: datetime.datetime | None,
) -> None:
    if not same_participant:
        raise refusal("infusion", "This infusion belongs to another participant.", "other_participant")
    if infusion_start and onset and onset < infusion_start:
        raise refusal(
            "onset_datetime", "An infusion-associated event cannot start before the infusion.", "before_infusion"
        )


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


def check_other_symptoms_named(*, state: str, details: str) -> None:
    if state == SymptomState.PRESENT and not (details or "").strip():
        raise refusal("other_symptoms_details", "Name the other symptoms.", "missing")


def check_action_taken(*, action_taken: str, receives_infusions: bool) -> None:
    """Without study product there is no action on it to take."""
    if not receives_infusions and action_taken not in ("", ActionTaken.NOT_APPLICABLE):
        raise refusal("action_taken", "No product was given: the action taken is 'not applicable'.", "no_product_given")


# Endpoint forms (outcomes/models/endpoints.py, outcomes/models/follow_up.py).

# What a new day's observation may start from the day before (the protocol's carry-forward): oxygen support
# and what goes with it, and the symptoms. Never the vital signs unless the user asks for them.
CARRIED_FORWARD = (
    "oxygen_support",
    "oxygen_flow_l_min",
    "fio2_percent",
    "who_score",
    "fever",
    "cough",
    "fatigue",
    "shortness_of_breath",
    "chest_tightness",
    "myalgia",
    "diarrhoea",
    "other_symptoms",
    "other_symptoms_details",
)
VITAL_SIGNS = ("temperature_c", "heart_rate", "respiratory_rate", "systolic_bp", "diastolic_bp", "spo2_percent")


def check_carried_forward(
    *, carried_from: datetime.date | None, carried_fields: str, observation_date: datetime.date | None
) -> None:
    """Values are carried from an earlier day, and only the fields that may be."""
    names = [n for n in (carried_fields or "").split(",") if n]
    if not names:
        return
    unknown = [n for n in names if n not in CARRIED_FORWARD + VITAL_SIGNS]
    if unknown:
        raise refusal("observation_date", f"These cannot be carried forward: {', '.join(unknown)}.", "not_carried")
    if carried_from is None or (observation_date and carried_from >= observation_date):
        raise refusal(
            "observation_date", "Values can be carried forward only from an earlier day.", "carried_not_earlier"
        )
