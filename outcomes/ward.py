"""What the ward owes today, for the participant list's order and badges and for "Save and next" (issue 18): an
infusion planned for today or before still to give; a person screened and waiting to be enrolled; a daily
observation, for a participant in follow-up, in hospital (not discharged), with none entered today; a follow-up
visit due or overdue (issue 28, 11: after discharge the visits are what the trial owes). One definition
(``WardState``), read for the participants in follow-up (and in screening) only, so the list and the
next-participant step agree and neither reads the whole trial."""

from dataclasses import dataclass, field

from dosing.choices import PlannedInfusionStatus
from dosing.models import PlannedInfusion
from outcomes.models import DailyObservation
from patients.casebook.choices import ParticipantStatus
from patients.choices import EndOfStudyReason
from patients.models import EndOfStudy


def observations_due(participants, today):
    """``participants`` (a queryset) whose daily observation is due ``today``, in study ID order."""
    in_follow_up = list(
        participants.filter(status=ParticipantStatus.ENROLLED, day0_date__lte=today).values_list("pk", flat=True)
    )
    state = ward_state(in_follow_up, today)
    return participants.filter(pk__in=[pk for pk in in_follow_up if state.owes_observation(pk)]).order_by("study_id")


def next_observation_due(participants, *, after: str, today):
    """The participant after ``after`` (a study ID) whose observation is due, in study ID order, wrapping
    round to the first; None when nobody else's is."""
    due = observations_due(participants, today).exclude(study_id=after)
    return due.filter(study_id__gt=after).first() or due.first()


@dataclass
class WardState:
    """Of some participants in follow-up (by primary key: ``checked``), who has an infusion planned for today or
    before still to give, whose daily observation of today is entered, and who is discharged."""

    checked: set[int]
    infusion_pending: set[int]
    observed_today: set[int]
    discharged: set[int]
    # Screened, not yet enrolled or refused: someone is waiting at the bedside for the decision.
    waiting_enrolment: set[int] = field(default_factory=set)
    # With a visit of the schedule due or overdue (outcomes/visits.py), as the caller worked it out.
    visit_due: set[int] = field(default_factory=set)

    def owes_observation(self, pk: int) -> bool:
        """In follow-up and in hospital (after discharge, in a design that follows participants beyond it, no
        daily observation is due), with none entered today."""
        return pk in self.checked and pk not in self.observed_today and pk not in self.discharged


def ward_state(pks, today) -> WardState:
    """Of ``pks``, the participants in follow-up: three queries over their rows only (a subquery per
    participant, the database may answer by reading the whole trial's table)."""
    return WardState(
        checked=set(pks),
        infusion_pending=set(
            PlannedInfusion.objects.filter(
                participant_id__in=pks, status=PlannedInfusionStatus.PLANNED, planned_date__lte=today, voided=False
            )
            .order_by()
            .values_list("participant_id", flat=True)
        ),
        observed_today=set(
            DailyObservation.objects.filter(participant_id__in=pks, observation_date=today, voided=False)
            .order_by()
            .values_list("participant_id", flat=True)
        ),
        discharged=set(
            EndOfStudy.objects.filter(participant_id__in=pks, end_reason=EndOfStudyReason.DISCHARGED, voided=False)
            .order_by()
            .values_list("participant_id", flat=True)
        ),
    )


def due_today(participants, today, visit_due=frozenset()) -> tuple[list[int], WardState]:
    """The primary keys of ``participants`` (a queryset) who owe the ward something ``today``: an infusion
    planned for today or before still to give, then a person waiting to be enrolled, then a daily observation
    not yet entered (in follow-up and in hospital), then a visit due or overdue (``visit_due``: primary keys,
    worked out by the caller, which may keep them: ucmsc_crf/matrix_states.py); by study ID within each. Only
    a participant in follow-up or in screening can owe any, so this reads those participants and their rows of
    today: a few queries over a few rows, whatever the trial's size (issue 19; one CASE over every participant
    made the database scan all of their records). With the ward state of everyone in follow-up."""
    in_follow_up = dict(participants.filter(status=ParticipantStatus.ENROLLED).values_list("pk", "study_id"))
    waiting = dict(participants.filter(status=ParticipantStatus.SCREENING).values_list("pk", "study_id"))
    state = ward_state(list(in_follow_up), today)
    state.waiting_enrolment = set(waiting)
    state.visit_due = {pk for pk in visit_due if pk in in_follow_up}
    ranked = [(1, study_id, pk) for pk, study_id in waiting.items()]
    for pk, study_id in in_follow_up.items():
        if pk in state.infusion_pending:
            ranked.append((0, study_id, pk))
        elif state.owes_observation(pk):
            ranked.append((2, study_id, pk))
        elif pk in state.visit_due:
            ranked.append((3, study_id, pk))
    return [pk for _, _, pk in sorted(ranked)], state


class WardOrder:
    """The participant list in the order a ward round takes it: an infusion planned for today or before still
    to give first, then a person waiting to be enrolled, a daily observation due today, a visit due or
    overdue, then everyone else; by study ID within each.

    A sequence the paginator cuts (count() and slices of primary keys), in two parts so that neither grows
    with the trial (issue 19): what is due is looked for among the participants in follow-up only (bounded by
    the beds, not by the trial's size; one query, a few rows), and everyone else is a page of the study ID
    index. Ranking every participant in one ORDER BY made the database scan every planned infusion, end of
    study and observation of the trial on every request. The same definition (``WardState``) as the list's
    badges and ``observations_due`` ("Save and next")."""

    def __init__(self, participants, today, visit_due=frozenset()):
        self.participants = participants
        self._due, self.state = due_today(participants, today, visit_due)
        self._rest = participants.exclude(pk__in=self._due).order_by("study_id")
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.participants.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        """The primary keys of a slice of the list, in its order."""
        if not isinstance(key, slice) or key.step is not None:
            raise TypeError("WardOrder is cut by slices only (the paginator's)")
        start, stop = key.start or 0, key.stop if key.stop is not None else self.count()
        first = self._due[start:stop]
        offset = len(self._due)
        rest = []
        if stop > offset:
            rest = list(self._rest[max(start - offset, 0) : stop - offset].values_list("pk", flat=True))
        return first + rest
