"""Which participants have a visit in which state, for the subject matrix's filters (by a state, or "needs my
action"): at 10,000 participants working out every participant's visits takes seconds (issue 19), and a
participant's visit states change with their own records, the schedule, and the date.

So each block of participants' states are kept (ucmsc_crf/kept_blocks.py) under the block's version of the data
and today's date: after a change one block's are worked out again. The matrix then works out afresh the visits
of the participants on the page only."""

import datetime
import sys
from collections.abc import Callable

from django.urls import reverse

from outcomes import visits
from outcomes.visits import FormState, VisitState, visit_statuses
from patients.casebook.choices import ReviewStatus
from patients.casebook.data_version import block_of
from patients.casebook.registry import registry
from patients.models import Participant
from ucmsc_crf.kept_blocks import Blocks, code_hash, keeping_seconds

ACTION_STATES = (VisitState.DUE, VisitState.OVERDUE)

REVIEWED = {ReviewStatus.SUBMITTED: "submitted", ReviewStatus.VERIFIED: "verified", ReviewStatus.LOCKED: "locked"}


def cell_key(status) -> str:
    """What a visit's cell shows: its state, or for a done visit an open query or how far review has gone."""
    if status.state != VisitState.DONE:
        return status.state
    if status.open_query:
        return "query"
    return REVIEWED.get(status.review_status, "entered")


# What decides the keys: the visits' states, and cell_key above.
_CODE = code_hash(visits, sys.modules[__name__])


def cell_keys(participants, today: datetime.date) -> dict[int, dict[int, tuple]]:
    """Per block, {participant: (study ID, site, the keys of their visits' cells)} of the enrolled among
    ``participants`` (a queryset)."""
    enrolled = participants.active().enrolled()
    statuses = visit_statuses(enrolled, today=today)
    found: dict[int, dict[int, tuple]] = {}
    for pk, study_id, site_id in enrolled.values_list("pk", "study_id", "site_id"):
        keys = frozenset(cell_key(status) for status in statuses.get(pk, []))
        found.setdefault(block_of(pk), {})[pk] = (study_id, site_id, keys)
    return found


def matching(site_ids, wanted: Callable[[frozenset], bool], today: datetime.date) -> list[int]:
    """The primary keys of the enrolled participants at ``site_ids`` (None: every site) with a visit whose
    cell's key ``wanted`` accepts (given the set of their cells' keys), in study ID order."""
    if keeping_seconds():
        per_block, _ = Blocks.now().values(f"matrix-states:{_CODE}:{today.isoformat()}", lambda p: cell_keys(p, today))
    else:  # nothing kept (the test suite): worked out on every request
        scope = Participant.objects.all() if site_ids is None else Participant.objects.filter(site_id__in=site_ids)
        per_block = cell_keys(scope, today)
    rows = [
        (study_id, pk)
        for block in per_block.values()
        if block
        for pk, (study_id, site_id, keys) in block.items()
        if (site_ids is None or site_id in site_ids) and wanted(keys)
    ]
    return [pk for _, pk in sorted(rows)]


def visits_due(today: datetime.date) -> set[int]:
    """The primary keys of the enrolled participants (every site: the caller scopes) with a visit due or
    overdue: the ward's "Due today" (outcomes/ward.py), from the same kept states as the matrix's filters."""
    return set(matching(None, lambda keys: any(state in keys for state in ACTION_STATES), today))


def visit_link(participant, status) -> str:
    """Where a visit's cell or badge leads: the first required form still missing, when the ward can enter it,
    else the participant's page."""
    if status.state in ACTION_STATES:
        for form in status.forms:
            crf = registry.get(form.key)
            if form.state == FormState.REQUIRED and crf.form is not None:
                return reverse(f"{crf.key}-new", kwargs={"study_id": participant.study_id})
    return participant.get_absolute_url()
