"""The protocol deviations the visit schedule records (dosing's ProtocolDeviation, categories "visit outside
its window" and "scheduled visit missed"): written here, on the outcomes floor, because what deviated is an
outcomes record (an endpoint form done out of window) or a visit status (outcomes/visits.py)."""

from dosing.choices import DeviationCategory
from dosing.models import ProtocolDeviation
from patients.casebook.naming import sentence_case
from patients.casebook.saving import record_save


def record_window_deviation(record, *, user) -> None:
    """Keep the "visit outside its window" deviation of ``record``'s visit in step with it: recorded (or its
    reason updated) while the record is out of its visit's window, voided when no record of that visit is."""
    participant = record.participant
    existing = (
        ProtocolDeviation.objects.active()
        .filter(participant=participant, visit_id=record.visit_id, category=DeviationCategory.VISIT_WINDOW)
        .first()
        if record.visit_id
        else None
    )
    window = record.out_of_window()
    reason = (record.deviation_reason or "").strip()
    if window is not None:
        description = (
            f"{record.visit.label}: {record._meta.verbose_name} on {record.record_date():%Y-%m-%d}, "
            f"outside the window {window.start:%Y-%m-%d} to {window.end:%Y-%m-%d}"
        )
        if existing is None:
            deviation = ProtocolDeviation(
                participant=participant,
                visit=record.visit,
                category=DeviationCategory.VISIT_WINDOW,
                description=description,
                reason=reason,
                reported_by=user,
            )
            record_save(deviation, user=user, reason=f"Recorded with the {record._meta.verbose_name}")
        elif (existing.description, existing.reason) != (description, reason):
            existing.description, existing.reason = description, reason
            record_save(existing, user=user, reason=f"{sentence_case(record._meta.verbose_name)} corrected")
    elif existing is not None and existing.description.startswith(
        f"{record.visit.label}: {record._meta.verbose_name} on"
    ):
        existing.void(reason=f"No longer applies: the {record._meta.verbose_name} was corrected", user=user)
