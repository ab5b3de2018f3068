"""What the ward owes today, for the participant list's badges and for "Save and next" (issue 18): a daily
observation is due for a participant in follow-up, in hospital (not discharged), with none entered today.
One definition, as queryset annotations, so the list and the next-participant step agree."""

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When

from dosing.choices import PlannedInfusionStatus
from dosing.models import PlannedInfusion
from outcomes.models import DailyObservation
from patients.choices import EndOfStudyReason, ParticipantStatus
from patients.models import EndOfStudy


def observation_annotations(today) -> dict:
    return {
        "observed_today": Exists(
            DailyObservation.objects.filter(participant=OuterRef("pk"), observation_date=today, voided=False)
        ),
        # After discharge (in a design that follows participants beyond it) no daily observation is due.
        "discharged": Exists(
            EndOfStudy.objects.filter(participant=OuterRef("pk"), end_reason=EndOfStudyReason.DISCHARGED, voided=False)
        ),
    }


def observations_due(participants, today):
    """``participants`` (a queryset) whose daily observation is due ``today``, in study ID order."""
    return (
        participants.filter(status=ParticipantStatus.ENROLLED, day0_date__lte=today)
        .annotate(**observation_annotations(today))
        .filter(observed_today=False, discharged=False)
        .order_by("study_id")
    )


def next_observation_due(participants, *, after: str, today):
    """The participant after ``after`` (a study ID) whose observation is due, in study ID order, wrapping
    round to the first; None when nobody else's is."""
    due = observations_due(participants, today).exclude(study_id=after)
    return due.filter(study_id__gt=after).first() or due.first()


def ward_order(participants, today):
    """The participant list in the order a ward round takes it: an infusion planned for today or before
    still to give first, then a daily observation due today, then everyone else; by study ID within each."""
    infusion = Exists(
        PlannedInfusion.objects.filter(
            participant=OuterRef("pk"), status=PlannedInfusionStatus.PLANNED, planned_date__lte=today, voided=False
        )
    )
    annotated = participants.annotate(infusion_pending=infusion, **observation_annotations(today))
    return annotated.annotate(
        ward_rank=Case(
            When(Q(status=ParticipantStatus.ENROLLED, infusion_pending=True), then=Value(0)),
            When(Q(status=ParticipantStatus.ENROLLED, observed_today=False, discharged=False), then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("ward_rank", "study_id")
