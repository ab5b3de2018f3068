"""Where each participant stands at each visit of the schedule (patients/casebook/schedule.py): not yet due,
due (in its window), overdue, done, or not required; and each expected form: entered, required, optional or
not required.

Computed for a whole queryset of participants in a constant number of queries: the schedule, the
participants, their ends of follow-up, and one per kind of form the schedule expects. A dated form counts
for a visit when its date (the registry's ``study_day_from``) falls in the visit's window; an undated one
(consent, end of study) when it exists.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from patients.casebook.design import TrialDesign
from patients.casebook.registry import registry
from patients.casebook.schedule import ExpectedIf, Visit, VisitAnchor
from patients.choices import INFUSED_TREATMENTS, EndOfStudyReason
from patients.models import EndOfStudy, Participant, Withdrawal


class VisitState(models.TextChoices):
    NOT_YET_DUE = "not_yet_due", "Not yet due"
    DUE = "due", "Due"
    OVERDUE = "overdue", "Overdue"
    DONE = "done", "Done"
    NOT_REQUIRED = "not_required", "Not required"


class FormState(models.TextChoices):
    ENTERED = "entered", "Entered"
    REQUIRED = "required", "Required"
    OPTIONAL = "optional", "Optional"
    NOT_REQUIRED = "not_required", "Not required"


@dataclass
class ExpectedForm:
    key: str
    label: str
    state: str


@dataclass
class VisitStatus:
    visit: Visit
    state: str
    target: datetime.date | None = None
    window_start: datetime.date | None = None
    window_end: datetime.date | None = None
    forms: list[ExpectedForm] = field(default_factory=list)


@dataclass(frozen=True)
class _Facts:
    """What the schedule needs to know of one participant."""

    day0: datetime.date
    infused: bool
    discharged_on: datetime.date | None
    # Death, withdrawal, completion or loss to follow-up (and discharge in a design whose follow-up ends
    # there): no visit is expected after it.
    ended_on: datetime.date | None


def _facts(participants) -> dict[int, _Facts]:
    discharge_ends_follow_up = not TrialDesign.current().follow_up_after_discharge
    rows = list(participants.filter(day0_date__isnull=False).values_list("pk", "day0_date", "arm__treatment"))
    ids = [pk for pk, _, _ in rows]
    discharged, ended = {}, defaultdict(list)
    ends = (
        EndOfStudy.objects.active()
        .filter(participant_id__in=ids)
        .values_list("participant_id", "end_reason", "end_date")
    )
    for pk, reason, on in ends:
        if reason == EndOfStudyReason.DISCHARGED:
            discharged[pk] = on
            if discharge_ends_follow_up:
                ended[pk].append(on)
        else:
            ended[pk].append(on)
    for pk, on in (
        Withdrawal.objects.active().filter(participant_id__in=ids).values_list("participant_id", "withdrawal_date")
    ):
        ended[pk].append(on)
    return {
        pk: _Facts(
            day0=day0,
            infused=treatment in INFUSED_TREATMENTS,
            discharged_on=discharged.get(pk),
            ended_on=min(ended[pk]) if ended[pk] else None,
        )
        for pk, day0, treatment in rows
    }


def _records(keys: set[str], ids: list[int]) -> dict[str, dict[int, list]]:
    """Per form key, per participant: the dates of their active records (None for an undated form)."""
    found: dict[str, dict[int, list]] = {}
    for key in keys:
        crf = registry.get(key)
        date_field = crf.study_day_from
        columns = ("participant_id", date_field) if date_field else ("participant_id",)
        by_participant = defaultdict(list)
        for row in crf.model.objects.active().filter(participant_id__in=ids).values_list(*columns):
            value = row[1] if date_field else None
            if isinstance(value, datetime.datetime):
                value = timezone.localdate(value)
            by_participant[row[0]].append(value)
        found[key] = by_participant
    return found


def _expected(form, facts: _Facts) -> bool:
    if form.expected_if == ExpectedIf.DISCHARGED:
        return facts.discharged_on is not None
    if form.expected_if == ExpectedIf.INFUSED:
        return facts.infused
    return True


@dataclass(frozen=True)
class Window:
    target: datetime.date
    start: datetime.date
    end: datetime.date

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


def _window(visit: Visit, facts: _Facts) -> Window | None:
    """The visit's target day and window for one participant; None while its anchor (discharge) is to come."""
    anchor = facts.day0 if visit.anchor == VisitAnchor.DAY0 else facts.discharged_on
    if anchor is None:
        return None
    target = anchor + datetime.timedelta(days=visit.target_day)
    return Window(
        target,
        target - datetime.timedelta(days=visit.window_before),
        target + datetime.timedelta(days=visit.window_after),
    )


def _status(visit: Visit, facts: _Facts, records, today: datetime.date) -> VisitStatus:
    window = _window(visit, facts)
    if window is None:
        # Anchored at a discharge that has not happened: expected later, unless follow-up ended first.
        state = VisitState.NOT_REQUIRED if facts.ended_on else VisitState.NOT_YET_DUE
        return VisitStatus(visit, state)
    start, end = window.start, window.end
    status = VisitStatus(visit, VisitState.NOT_YET_DUE, window.target, start, end)
    if facts.ended_on is not None and facts.ended_on < start:
        status.state = VisitState.NOT_REQUIRED
        return status
    missing_required = False
    for form in visit.expected_forms.all():
        crf = registry.get(form.crf_key)
        if not _expected(form, facts):
            state = FormState.NOT_REQUIRED
        elif any(on is None or start <= on <= end for on in records[form.crf_key]):
            state = FormState.ENTERED
        else:
            state = FormState.REQUIRED if form.required else FormState.OPTIONAL
            missing_required = missing_required or form.required
        status.forms.append(ExpectedForm(form.crf_key, crf.label, state))
    if not missing_required and any(f.state == FormState.ENTERED for f in status.forms):
        status.state = VisitState.DONE
    elif today < start:
        status.state = VisitState.NOT_YET_DUE
    elif today <= end:
        status.state = VisitState.DUE
    else:
        status.state = VisitState.OVERDUE
    return status


def visit_statuses(participants, *, today: datetime.date | None = None) -> dict[int, list[VisitStatus]]:
    """Per enrolled participant of ``participants`` (a queryset), the status of every visit, in schedule order."""
    today = today or timezone.localdate()
    visits = list(Visit.objects.prefetch_related("expected_forms"))
    facts = _facts(participants)
    keys = {form.crf_key for visit in visits for form in visit.expected_forms.all()}
    records = _records(keys, list(facts))
    return {
        pk: [_status(visit, each, {k: records[k].get(pk, []) for k in keys}, today) for visit in visits]
        for pk, each in facts.items()
    }


def visit_windows(participant_ids, visits) -> dict[int, dict[str, Window]]:
    """Per enrolled participant, the window of each of ``visits`` whose anchor has come (by visit code): what
    the endpoint analysis (outcomes/endpoints.py) assigns measurements by. Three queries."""
    facts = _facts(Participant.objects.filter(pk__in=list(participant_ids)))
    return {
        pk: {visit.code: window for visit in visits if (window := _window(visit, each)) is not None}
        for pk, each in facts.items()
    }
