"""Nightly data checks: findings the rules allow but reviewers want to see, raised as data queries.

Each check yields (record, field, check code, question) for every current finding. A finding is raised once:
never again while any query with the same code exists on that record, even a closed one (a reviewer may
have accepted it). An automatic query whose finding has gone (the data were fixed) is closed by the run.
Runs from `python manage.py run_data_checks` (cron it nightly); a fixed number of queries per check.
"""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from outcomes.models import AdverseEvent, DailyObservation, LabResult
from outcomes.visits import FormState, VisitState, visit_statuses
from patients.casebook import services as casebook_services
from patients.casebook.choices import ENROLLED_STATUSES, QueryStatus
from patients.casebook.lock import casebooks_held
from patients.casebook.queries import DataQuery
from patients.models import EndOfStudy, Participant, Withdrawal


@dataclass(frozen=True)
class Finding:
    record: object
    field_name: str
    check_code: str
    text: str


def missing_observations(today: datetime.date):
    scope = Participant.objects.active().filter(status__in=ENROLLED_STATUSES).exclude(day0_date=None)
    participants = list(scope)
    within = scope.values("pk")  # a subquery, not a list of thousands of ids
    observed = set(
        DailyObservation.objects.active()
        .filter(participant__in=within)
        .values_list("participant_id", "observation_date")
    )
    # Each stay's end (Participant.hospital_stay_end_date: the earliest end of study or withdrawal), for
    # everyone in two queries rather than two each.
    stay_ended: dict[int, datetime.date] = {}
    for pk, on in [
        *EndOfStudy.objects.active().filter(participant__in=within).values_list("participant_id", "end_date"),
        *Withdrawal.objects.active().filter(participant__in=within).values_list("participant_id", "withdrawal_date"),
    ]:
        stay_ended[pk] = min(on, stay_ended.get(pk, on))
    for participant in participants:
        last = min(stay_ended.get(participant.pk) or today, today - datetime.timedelta(days=1))
        day = participant.day0_date
        while day <= last:
            if (participant.pk, day) not in observed:
                yield Finding(
                    participant,
                    "",
                    f"missing_observation:{day.isoformat()}",
                    f"No daily observation for {day:%Y-%m-%d} (study day {participant.study_day(day)}).",
                )
            day += datetime.timedelta(days=1)


def overdue_visits(today: datetime.date):
    """A visit past its window with a required form missing (outcomes/visits.py): one query per visit, on the
    casebook, closed by the run once the form is entered (or the visit is no longer expected)."""
    participants = Participant.objects.active().filter(status__in=ENROLLED_STATUSES).exclude(day0_date=None)
    statuses = visit_statuses(participants, today=today)
    by_pk = participants.in_bulk(list(statuses))
    for pk, visits in statuses.items():
        for status in visits:
            if status.state != VisitState.OVERDUE:
                continue
            missing = ", ".join(f.label.lower() for f in status.forms if f.state == FormState.REQUIRED)
            yield Finding(
                by_pk[pk],
                "",
                f"overdue_visit:{status.visit.code}",
                f"The {status.visit.label} visit ({status.window_start:%Y-%m-%d} to {status.window_end:%Y-%m-%d}) "
                f"is overdue: {missing} not entered.",
            )


def late_sae_reports(now: datetime.datetime):
    for event in AdverseEvent.objects.active().filter(serious=True).select_related("participant"):
        state = event.sae_reporting_state(now)
        if state in ("late", "overdue"):
            yield Finding(
                event,
                "reported_datetime",
                "sae_reported_late",
                f"Serious adverse event '{event.term}' {'was reported' if state == 'late' else 'is not yet reported'} "
                "more than 24 h after the site became aware: please document why.",
            )


def lab_outside_reference_without_comment():
    results = LabResult.objects.active().outside_reference().filter(comment="")
    for result in results.select_related("analyte", "participant"):
        yield Finding(
            result,
            "comment",
            "lab_outside_reference",
            f"{result.analyte.name} {result.value:g} {result.unit} is outside the reference range: please comment "
            "(clinically significant or not).",
        )


def findings_at(now: datetime.datetime) -> list[Finding]:
    """What the checks find at ``now``: a date to come shows what will be overdue then if nothing is entered
    meanwhile (issue 29, 5: "what will be overdue on Friday"), without writing anything."""
    return [
        *missing_observations(timezone.localdate(now)),
        *overdue_visits(timezone.localdate(now)),
        *late_sae_reports(now),
        *lab_outside_reference_without_comment(),
    ]


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last minute of ``day`` in the site's time: what a run on that day would see by its end."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


@transaction.atomic
def run_data_checks(*, now: datetime.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    findings = findings_at(now)
    existing = {
        (q.content_type_id, q.object_id, q.check_code): q
        for q in DataQuery.objects.active().exclude(check_code="").select_related("content_type")
    }
    # Every casebook the run will touch, at once and in participant order (the order a bulk review action
    # takes them in), not one by one in the findings' order: no cycle with a bulk action can form.
    held = casebooks_held(
        [casebook.pk for finding in findings if (casebook := finding.record.locking_participant()) is not None]
        + [query.participant_id for query in existing.values() if query.status == QueryStatus.OPEN]
    )
    with held:
        return _raise_and_close(findings, existing)


def _raise_and_close(findings, existing) -> dict[str, int]:
    current = set()
    new, new_keys = [], set()
    for finding in findings:
        content_type = ContentType.objects.get_for_model(finding.record)
        key = (content_type.pk, finding.record.pk, finding.check_code)
        current.add(key)
        if key in existing or key in new_keys:
            continue  # raised before (open, or closed by a reviewer): never twice
        new_keys.add(key)
        record = finding.record
        new.append(
            DataQuery(
                participant=record if isinstance(record, Participant) else record.participant,
                record=record,
                field_name=finding.field_name,
                text=finding.text,
                check_code=finding.check_code,
                raised_by=None,
            )
        )
    # In bulk: thousands of findings on a first run (issue 19).
    unraised = casebook_services.automatic_queries_raise(new)
    raised = len(new) - len(unraised)
    closed = 0
    for key, query in existing.items():
        if key not in current and query.status == QueryStatus.OPEN and not query.participant.casebook_locked:
            casebook_services.query_close(
                query=query, user=None, note="The data no longer show the problem", automatic=True
            )
            closed += 1
    return {"findings": len(findings), "raised": raised, "closed": closed, "locked": len(unraised)}
