"""Write operations of the outcomes app."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from dosing.choices import DeviationCategory
from dosing.models import ProtocolDeviation
from outcomes import endpoint_rules
from outcomes.choices import MissedVisitReason
from outcomes.models import Analyte, LabResult
from outcomes.visits import visit_statuses
from patients.casebook.choices import ReviewStatus
from patients.casebook.saving import record_save
from patients.models import Participant


@transaction.atomic
def lab_sample_record(
    *, participant, sample_datetime, values: dict[str, Decimal], user, submit: bool = True
) -> list[LabResult]:
    """Record the results of one sample (several analytes): all of them or none, submitted for review
    (or kept as drafts with ``submit=False``).

    Errors come back keyed by analyte code (or ``sample_datetime`` when the sample time is the problem),
    so a form can show each on its own field.
    """
    analytes = Analyte.objects.in_bulk(list(values), field_name="code")
    results, errors = [], {}
    for code, value in values.items():
        result = LabResult(
            participant=participant,
            analyte=analytes[code],
            sample_datetime=sample_datetime,
            value=value,
            review_status=ReviewStatus.SUBMITTED if submit else ReviewStatus.DRAFT,
        )
        try:
            result.full_clean()
        except ValidationError as exc:
            # Each error as the rule raised it (its code kept), once per field.
            for field, raised in exc.update_error_dict({}).items():
                key = "sample_datetime" if field == "sample_datetime" else code
                kept = errors.setdefault(key, [])
                kept.extend(e for e in raised if e.messages not in [k.messages for k in kept])
        results.append(result)
    if not values:
        errors["__all__"] = [ValidationError("Enter at least one result.", code="missing")]
    if errors:
        raise ValidationError(errors)
    for result in results:
        record_save(result, user=user)
    return results


@transaction.atomic
def visit_record_missed(*, participant, visit, reason: str, details: str = "", user) -> ProtocolDeviation:
    """Record a scheduled visit as missed, with its reason: a protocol deviation ("scheduled visit missed")
    that the schedule then shows as the visit's state. Refused when the visit is done, already missed, not
    expected, or its window has not opened."""
    Participant.objects.select_for_update().filter(pk=participant.pk).first()  # one recorder at a time
    status = next(
        s
        for s in visit_statuses(Participant.objects.filter(pk=participant.pk))[participant.pk]
        if s.visit.pk == visit.pk
    )
    endpoint_rules.check_visit_missable(state=status.state, visit_label=visit.label, reason=reason, details=details)
    label = MissedVisitReason(reason).label
    deviation = ProtocolDeviation(
        participant=participant,
        visit=visit,
        category=DeviationCategory.MISSED_VISIT,
        description=f"{visit.label} missed (window {status.window_start:%Y-%m-%d} to {status.window_end:%Y-%m-%d})",
        reason=f"{label}: {details.strip()}" if details.strip() else label,
        reported_by=user,
    )
    return record_save(deviation, user=user, reason=f"{visit.label} recorded as missed", validate=True)
