"""Rules of the follow-up and endpoint forms (quantitative CT, six-minute walk, lung function, the follow-up
contact, the visit a record is for, a missed visit) as pure functions over plain values; the models'
``clean()`` and the visit service call them. As in outcomes/rules.py (the ward's and safety forms' rules),
each raises ``ValidationError({field: ValidationError(message, code=...)})`` naming the field it concerns.
"""

import datetime
from collections.abc import Mapping
from decimal import Decimal

from outcomes.choices import (
    MissedVisitReason,
    OxygenSupport,
    ReferenceEquation,
    VisitState,
    VitalStatus,
)
from patients.casebook.rules import RuleErrors, refusal
from patients.choices import YesNoUnknown

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


# Reading software rounds each percentage to 0.1: the parts may exceed the whole by that much.
CT_PARTS_TOLERANCE = Decimal("0.1")


def check_ct_parts(*, whole: Decimal | None, solid: Decimal | None, ground_glass: Decimal | None) -> None:
    """The solid and ground-glass parts of the lesion volume are each, and together, not above the whole."""
    if whole is None:
        return
    errors = RuleErrors()
    for name, part, label in (
        ("solid_percent", solid, "solid"),
        ("ground_glass_percent", ground_glass, "ground-glass"),
    ):
        if part is not None and part > whole:
            errors.add(
                name,
                f"The {label} part ({part:g} %) cannot be above the whole lesion ({whole:g} %).",
                "part_above_whole",
            )
    if (
        not errors.errors
        and solid is not None
        and ground_glass is not None
        and solid + ground_glass > whole + CT_PARTS_TOLERANCE
    ):
        errors.add(
            "ground_glass_percent",
            f"Solid ({solid:g} %) and ground-glass ({ground_glass:g} %) parts add up to more than the whole lesion "
            f"({whole:g} %).",
            "parts_above_whole",
        )
    errors.raise_any()


def check_walk(*, stopped_early: bool, stop_reason: str, oxygen_used: bool, oxygen_flow: Decimal | None) -> None:
    """A walk stopped early says why; oxygen used during the walk says its flow (and only then)."""
    errors = RuleErrors()
    if stopped_early and not (stop_reason or "").strip():
        errors.add("stop_reason", "Say why the walk stopped early.", "missing")
    elif not stopped_early and (stop_reason or "").strip():
        errors.add("stop_reason", "The walk did not stop early; leave the reason blank.", "not_applicable")
    if oxygen_used and oxygen_flow is None:
        errors.add("oxygen_flow_l_min", "Give the oxygen flow used during the walk.", "missing")
    elif not oxygen_used and oxygen_flow is not None:
        errors.add("oxygen_flow_l_min", "No oxygen was used; leave the flow blank.", "not_applicable")
    errors.raise_any()


# Each % predicted value and the measured value it belongs to.
LUNG_FUNCTION_PAIRS = (
    ("fvc_l", "fvc_pct_predicted", "FVC"),
    ("fev1_l", "fev1_pct_predicted", "FEV1"),
    ("vc_max_l", "vc_max_pct_predicted", "VC max"),
    ("dlco_mmol_min_kpa", "dlco_pct_predicted", "DLCO"),
)


def check_lung_function(
    *, values: Mapping[str, Decimal | int | None], reference_equation: str, reference_equation_other: str
) -> None:
    """FEV1 not above FVC; a % predicted value only with its measurement; any % predicted names its reference
    equation ("other" by name)."""
    errors = RuleErrors()
    fvc, fev1 = values.get("fvc_l"), values.get("fev1_l")
    if fvc is not None and fev1 is not None and fev1 > fvc:
        errors.add("fev1_l", f"FEV1 ({fev1:g} L) cannot be above FVC ({fvc:g} L).", "fev1_above_fvc")
    predicted = False
    for measured, percent, label in LUNG_FUNCTION_PAIRS:
        if values.get(percent) is not None:
            predicted = True
            if values.get(measured) is None:
                errors.add(measured, f"Give the measured {label} for its % predicted value.", "missing")
    if values.get("fev1_fvc_pct_predicted") is not None:
        predicted = True
    if predicted and not reference_equation:
        errors.add("reference_equation", "Name the reference equation the % predicted values come from.", "missing")
    if reference_equation == ReferenceEquation.OTHER and not (reference_equation_other or "").strip():
        errors.add("reference_equation_other", "Name the reference equation.", "missing")
    elif reference_equation != ReferenceEquation.OTHER and (reference_equation_other or "").strip():
        errors.add("reference_equation_other", "Only for an equation not in the list.", "not_applicable")
    errors.raise_any()


def fev1_fvc_percent(fev1: Decimal | None, fvc: Decimal | None) -> Decimal | None:
    """FEV1/FVC as a percentage, one decimal: derived from the two measurements, never typed."""
    if fev1 is None or not fvc:
        return None
    return (Decimal(100) * fev1 / fvc).quantize(Decimal("0.1"))


def check_follow_up_contact(
    *,
    vital_status: str,
    readmitted: str,
    readmission_details: str,
    new_symptoms: str,
    new_symptoms_details: str,
    home_oxygen: str,
) -> None:
    """A participant not reached has no answers; a "yes" says what."""
    errors = RuleErrors()
    if vital_status == VitalStatus.NOT_REACHED:
        for name, value in (("readmitted", readmitted), ("new_symptoms", new_symptoms)):
            if value and value != YesNoUnknown.UNKNOWN:
                errors.add(name, "The participant was not reached: answer 'Unknown'.", "not_reached")
        if home_oxygen:
            errors.add("home_oxygen", "The participant was not reached: leave it blank.", "not_reached")
    elif vital_status == VitalStatus.ALIVE and not home_oxygen:
        errors.add("home_oxygen", "Say whether the participant uses oxygen now.", "missing")
    for name, value, details, what in (
        ("readmission_details", readmitted, readmission_details, "the readmission (where, when, why)"),
        ("new_symptoms_details", new_symptoms, new_symptoms_details, "the new symptoms"),
    ):
        if value == YesNoUnknown.YES and not (details or "").strip():
            errors.add(name, f"Describe {what}.", "missing")
    errors.raise_any()


def check_visit_expects(*, visit_label: str, expected: list[str], key: str) -> None:
    """A record is done for a visit only if that visit expects its form."""
    if key not in expected:
        raise refusal("visit", f"{visit_label} does not expect this form.", "form_not_at_visit")


def check_deviation_reason(*, out_of_window, reason: str) -> None:
    """Soft rule: outside the visit's window only with a reason (kept as a protocol deviation); a reason
    without a deviation is refused, so the deviation log holds only what deviated."""
    if out_of_window is not None and not (reason or "").strip():
        raise refusal(
            "deviation_reason",
            f"Outside the visit's window ({out_of_window.start:%Y-%m-%d} to {out_of_window.end:%Y-%m-%d}): "
            "say why; it is recorded as a protocol deviation.",
            "deviation_reason_required",
        )
    if out_of_window is None and (reason or "").strip():
        raise refusal(
            "deviation_reason", "Nothing here deviates from the schedule; leave the reason blank.", "not_applicable"
        )


def check_visit_missable(*, state: str, visit_label: str, reason: str, details: str) -> None:
    """A visit is recorded as missed once its window has opened and while nothing required is entered for
    it; with a reason ("other" described)."""
    refused = {
        VisitState.DONE: (f"{visit_label} is done: its required forms are entered.", "visit_done"),
        VisitState.MISSED: (f"{visit_label} is already recorded as missed.", "duplicate"),
        VisitState.NOT_REQUIRED: (f"{visit_label} is not expected for this participant.", "not_expected"),
        VisitState.NOT_YET_DUE: (f"{visit_label}'s window has not opened yet.", "not_yet_due"),
    }
    errors = RuleErrors()
    if state in refused:
        errors.add("visit", *refused[state])
    if not reason:
        errors.add("reason", "Say why the visit was missed.", "missing")
    elif reason == MissedVisitReason.OTHER and not (details or "").strip():
        errors.add("details", "Describe the reason.", "missing")
    errors.raise_any()
