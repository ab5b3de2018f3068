"""Write operations of the dosing app."""

from django.core.exceptions import ValidationError
from django.db import transaction

from dosing.choices import DeviationCategory, PlannedInfusionStatus
from dosing.models import PlannedInfusion, ProtocolDeviation, regimen_for
from patients.casebook.saving import record_save
from patients.models import Participant


@transaction.atomic
def schedule_create(*, participant: Participant, user) -> list[PlannedInfusion]:
    """Create the planned infusions of a participant in an arm that receives product (idempotent).

    One per dose of the arm's regimen, planned on day 0 + k x interval.
    """
    if not (participant.arm_id and participant.arm.receives_infusions and participant.day0_date):
        return []
    regimen = regimen_for(participant)
    if regimen is None:
        raise ValidationError(
            {
                "arm": ValidationError(
                    "No dosing regimen is configured for this participant's arm: tell the trial's data manager "
                    "(the admin's Arm regimens).",
                    code="no_regimen",
                )
            }
        )
    existing = set(participant.planned_infusions.active().values_list("sequence_number", flat=True))
    created = []
    for sequence_number in range(1, regimen.number_of_infusions + 1):
        if sequence_number in existing:
            continue
        planned = PlannedInfusion(
            participant=participant,
            regimen=regimen,
            sequence_number=sequence_number,
            planned_date=regimen.planned_date(participant.day0_date, sequence_number),
        )
        record_save(planned, user=user, reason="Schedule created at enrolment", validate=True)
        created.append(planned)
    return created


@transaction.atomic
def planned_infusion_mark(*, planned: PlannedInfusion, status: str, reason: str, user) -> PlannedInfusion:
    """Mark a planned infusion missed or cancelled, with its reason. A missed infusion is also a
    protocol deviation, recorded with the same reason."""
    planned = planned.locked_for_write()
    if status not in (PlannedInfusionStatus.MISSED, PlannedInfusionStatus.CANCELLED):
        raise ValidationError(
            {
                "status": ValidationError(
                    "Only missed or cancelled can be set by hand; given comes from the infusion.", code="not_settable"
                )
            }
        )
    if planned.status == PlannedInfusionStatus.GIVEN:
        raise ValidationError(
            {
                "status": ValidationError(
                    "This infusion was given; void the infusion record first.", code="already_given"
                )
            }
        )
    planned.status = status
    planned.status_reason = reason
    record_save(planned, user=user, reason=f"Marked {status}: {reason}", validate=True)
    if status == PlannedInfusionStatus.MISSED:
        deviation = ProtocolDeviation(
            participant=planned.participant,
            planned_infusion=planned,
            category=DeviationCategory.MISSED_INFUSION,
            description=f"Infusion {planned.sequence_number} planned for {planned.planned_date:%Y-%m-%d} was missed.",
            reason=reason,
            reported_by=user,
        )
        record_save(deviation, user=user, reason="Recorded: missed infusion", validate=True)
    return planned
