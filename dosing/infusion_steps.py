"""What saving an infusion also writes, as named steps its save() and void() take on every path (form,
admin, import): the protocol deviations the rules found, kept in step with the record, and the planned
infusion of the same number marked given (or planned again when the record is voided). Because a save takes
them, infusions are written one at a time, never in bulk (casebook.E011)."""

from dosing import rules
from dosing.choices import DeviationCategory
from patients.casebook.saving import record_save


def record_deviations(infusion, found: list[rules.Deviation], *, user) -> None:
    """The infusion's deviations as the rules found them: new ones recorded, changed ones corrected, those
    that no longer apply voided (a deviation of category "other", entered by hand, stays)."""
    reason = infusion.deviation_reason.strip()
    current = {d.category: d for d in infusion.deviations.active()}
    for deviation in found:
        existing = current.pop(deviation.category, None)
        if existing is None:
            new = infusion.deviations.model(
                participant=infusion.participant,
                infusion=infusion,
                category=deviation.category,
                description=deviation.message,
                reason=reason,
                reported_by=user,
            )
            record_save(new, user=user, reason="Recorded with the infusion")
        elif (existing.description, existing.reason) != (deviation.message, reason):
            existing.description = deviation.message
            existing.reason = reason
            record_save(existing, user=user, reason="Infusion record corrected")
    for stale in current.values():
        if stale.category != DeviationCategory.OTHER:
            stale.void(reason="No longer applies after the infusion record was corrected", user=user)


def mark_planned(infusion, status: str, *, user, reason: str) -> None:
    """The planned infusion of the same number, moved to ``status`` (given, or planned again)."""
    planned = infusion.participant.planned_infusions.active().filter(sequence_number=infusion.sequence_number).first()
    if planned is not None and planned.status != status:
        planned.status = status
        planned.status_reason = ""
        record_save(planned, user=user, reason=reason)
