"""Where each participant stands at each visit of the schedule (patients/casebook/schedule.py): not yet due,
due (in its window), overdue, done, missed (a "scheduled visit missed" protocol deviation, with its reason),
or not required; and each expected form: entered, required, optional or not required, and for an entered
one how far review has gone (draft, submitted, verified, locked) and whether a query on it is open.

Computed for a whole queryset of participants in a constant number of queries: the schedule, the design,
the participants, their ends of follow-up, the missed visits, the open queries, and one per kind of form the
schedule expects. A record done for a visit (an endpoint form's ``visit``) counts for that visit wherever it
is dated (outside the window it carries a deviation); any other dated record counts for a visit when its
date (the registry's ``study_day_from``) falls in the visit's window; an undated one (consent, end of
study) when it exists.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from dosing.choices import DeviationCategory
from dosing.models import ProtocolDeviation
from outcomes.choices import FormState, VisitState
from patients.casebook.choices import INFUSED_TREATMENTS, QueryStatus, ReviewStatus
from patients.casebook.design import TrialDesign
from patients.casebook.queries import DataQuery
from patients.casebook.registry import registry
from patients.casebook.schedule import ExpectedIf, Visit, VisitAnchor
from patients.choices import EndOfStudyReason
from patients.models import EndOfStudy, Participant, Withdrawal


@dataclass
class ExpectedForm:
    key: str
    label: str
    state: str
    # Of the records entered for the visit: the least advanced review status (draft < submitted < verified
    # < locked), whether a query on one is open, and the record the matrix links to (the latest).
    review_status: str = ""
    open_query: bool = False
    record_id: int | None = None


# How far review has gone, least first: a visit is as reviewed as its least reviewed record.
REVIEW_ORDER = (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, ReviewStatus.VERIFIED, ReviewStatus.LOCKED)


@dataclass(frozen=True)
class _Record:
    pk: int
    on: datetime.date | None
    visit_id: int | None
    review_status: str


@dataclass
class VisitStatus:
    visit: Visit
    state: str
    target: datetime.date | None = None
    window_start: datetime.date | None = None
    window_end: datetime.date | None = None
    forms: list[ExpectedForm] = field(default_factory=list)
    missed_reason: str = ""

    @property
    def review_status(self) -> str:
        """The least advanced review status of the visit's entered forms ("" when none is entered)."""
        found = [f.review_status for f in self.forms if f.review_status]
        return min(found, key=REVIEW_ORDER.index) if found else ""

    @property
    def open_query(self) -> bool:
        return any(f.open_query for f in self.forms)


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


def _records(keys: set[str], ids: list[int]) -> dict[str, dict[int, list[_Record]]]:
    """Per form key, per participant: their active records (date None for an undated form)."""
    found: dict[str, dict[int, list[_Record]]] = {}
    for key in keys:
        crf = registry.get(key)
        names = {f.name for f in crf.model._meta.get_fields()}
        columns = ["pk", "participant_id"]
        columns += [crf.study_day_from] if crf.study_day_from else []
        columns += [name for name in ("visit_id", "review_status") if name.removesuffix("_id") in names]
        by_participant = defaultdict(list)
        for row in crf.model.objects.active().filter(participant_id__in=ids).values(*columns):
            on = row.get(crf.study_day_from) if crf.study_day_from else None
            if isinstance(on, datetime.datetime):
                on = timezone.localdate(on)
            by_participant[row["participant_id"]].append(
                _Record(row["pk"], on, row.get("visit_id"), row.get("review_status", ""))
            )
        found[key] = by_participant
    return found


def _open_queries(keys: set[str], ids: list[int]) -> set[tuple[int, int]]:
    """(content type, record) of every open query on a record of these forms and participants."""
    types = ContentType.objects.get_for_models(*(registry.get(k).model for k in keys)).values() if keys else []
    return set(
        DataQuery.objects.active()
        .filter(participant_id__in=ids, status=QueryStatus.OPEN, content_type__in=list(types))
        .values_list("content_type_id", "object_id")
    )


def _missed(ids: list[int]) -> dict[tuple[int, int], str]:
    """(participant, visit) -> the reason, for every visit recorded as missed."""
    return {
        (pk, visit_id): reason
        for pk, visit_id, reason in ProtocolDeviation.objects.active()
        .filter(participant_id__in=ids, category=DeviationCategory.MISSED_VISIT, visit__isnull=False)
        .values_list("participant_id", "visit_id", "reason")
    }


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


@dataclass(frozen=True)
class _Known:
    """What every status of one participant reads: their records per form, missed visits, open queries."""

    records: dict[str, list[_Record]]
    missed: dict[int, str]  # visit id -> reason
    open_queries: set[tuple[int, int]]
    content_types: dict[str, int]  # form key -> content type id


def _counts_for(record: _Record, visit: Visit, window: Window) -> bool:
    if record.visit_id is not None:
        return record.visit_id == visit.pk
    return record.on is None or record.on in window


def _status(visit: Visit, facts: _Facts, known: _Known, today: datetime.date) -> VisitStatus:
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
        done = [r for r in known.records.get(form.crf_key, []) if _counts_for(r, visit, window)]
        expected = ExpectedForm(form.crf_key, crf.label, FormState.NOT_REQUIRED)
        if done:
            expected.state = FormState.ENTERED
            statuses = [r.review_status for r in done if r.review_status]
            expected.review_status = min(statuses, key=REVIEW_ORDER.index) if statuses else ""
            content_type = known.content_types.get(form.crf_key)
            expected.open_query = any((content_type, r.pk) in known.open_queries for r in done)
            expected.record_id = max(done, key=lambda r: (r.on or datetime.date.min, r.pk)).pk
        elif _expected(form, facts):
            expected.state = FormState.REQUIRED if form.required else FormState.OPTIONAL
            missing_required = missing_required or form.required
        status.forms.append(expected)
    if not missing_required and any(f.state == FormState.ENTERED for f in status.forms):
        status.state = VisitState.DONE
    elif visit.pk in known.missed:
        status.state, status.missed_reason = VisitState.MISSED, known.missed[visit.pk]
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
    ids = list(facts)
    keys = {form.crf_key for visit in visits for form in visit.expected_forms.all()}
    records = _records(keys, ids)
    missed = defaultdict(dict)
    for (pk, visit_id), reason in _missed(ids).items():
        missed[pk][visit_id] = reason
    open_queries = _open_queries(keys, ids)
    content_types = {
        key: ContentType.objects.get_for_model(registry.get(key).model).pk for key in keys
    }  # cached by Django after _open_queries
    return {
        pk: [
            _status(
                visit,
                each,
                _Known({k: records[k].get(pk, []) for k in keys}, missed.get(pk, {}), open_queries, content_types),
                today,
            )
            for visit in visits
        ]
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
