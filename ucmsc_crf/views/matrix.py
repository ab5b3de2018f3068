"""The subject matrix: participants x visits, each cell the visit's state (outcomes/visits.py) linking to
what to do next, with a compact strip of each participant's hospital days (daily observation entered or
missing). A done visit shows how far review has gone (entered, submitted, verified, locked) or an open query.
Scoped to the user's sites; filters by site, by status and by "needs my action" (for whoever enters data a
visit due or overdue, for a monitor one submitted and awaiting verification, for both an open query); the
same number of queries whatever the participants and visits."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from outcomes.models import DailyObservation
from outcomes.visits import VisitState, visit_statuses
from patients.casebook.schedule import Visit
from patients.models import EndOfStudy, Participant, Site, Withdrawal
from ucmsc_crf.matrix_states import ACTION_STATES, cell_key, matching
from ucmsc_crf.matrix_states import visit_link as cell_link


@dataclass(frozen=True)
class CellStyle:
    label: str
    colour: str  # Bootstrap colour
    symbol: str  # the label is the cell's title, for screen readers and a long press on a phone


# What a cell shows: the visit's state, and for a done visit how far review has gone or an open query.
CELL_STYLES = {
    "overdue": CellStyle("Overdue", "danger", "!!"),
    "due": CellStyle("Due", "warning", "!"),
    "query": CellStyle("Open query", "info", "?"),
    "entered": CellStyle("Entered", "primary", "✎"),
    "submitted": CellStyle("Submitted", "success", "✓"),
    "verified": CellStyle("Verified", "success", "✓✓"),
    "locked": CellStyle("Locked", "dark", "■"),
    "missed": CellStyle("Missed", "secondary", "✗"),
    "not_yet_due": CellStyle("Not yet due", "light", "·"),
    "not_required": CellStyle("Not required", "light", "–"),
}


def action_keys(user) -> set[str]:
    """What "needs my action" means for this user: a monitor (may verify) has submitted visits to verify and
    open queries; whoever enters data has visits due or overdue and open queries to answer."""
    keys = {"query"}
    if user.has_perm("patients.verify_data"):
        keys.add("submitted")
    if user.has_perm("dosing.add_protocoldeviation") or not keys - {"query"}:
        keys |= {VisitState.DUE, VisitState.OVERDUE}
    return keys


@dataclass
class Cell:
    status: object
    key: str
    style: CellStyle
    link: str
    missed_link: str = ""


def hospital_days(participants, today: datetime.date) -> dict[int, list[str]]:
    """Per participant, from day 0 to the end of the hospital stay (or yesterday): "ok" for a day with a
    daily observation, "missing" for one without; today "today" (still to enter) or "ok". Three queries."""
    ids = [p.pk for p in participants]
    observed = set(
        DailyObservation.objects.active()
        .filter(participant_id__in=ids)
        .values_list("participant_id", "observation_date")
    )
    ended = {}
    ends = [
        *EndOfStudy.objects.active().filter(participant_id__in=ids).values_list("participant_id", "end_date"),
        *Withdrawal.objects.active().filter(participant_id__in=ids).values_list("participant_id", "withdrawal_date"),
    ]
    for pk, on in ends:
        ended[pk] = min(on, ended.get(pk, on))

    strips = {}
    for participant in participants:
        last = min(ended.get(participant.pk, today), today)
        days, day = [], participant.day0_date
        while day is not None and day <= last:
            seen = (participant.pk, day) in observed
            days.append("ok" if seen else ("today" if day == today else "missing"))
            day += datetime.timedelta(days=1)
        strips[participant.pk] = days
    return strips


class SubjectMatrixView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "patients.view_participant"
    template_name = "clinic/subject_matrix.html"
    paginate_by = 100

    def as_of(self) -> datetime.date | None:
        """``?on=YYYY-MM-DD``, for staff (a data manager planning: what will be due or overdue on Friday): the
        visits' states as of that day; anything else (or nobody else's ?on=) is today."""
        if not self.request.user.is_staff:
            return None
        try:
            return datetime.date.fromisoformat(self.request.GET.get("on", ""))
        except ValueError:
            return None

    def get_context_data(self, **kwargs):
        user = self.request.user
        on = self.as_of()
        today = on or timezone.localdate()
        sites = list(Site.objects.for_user(user).order_by("code"))
        participants = Participant.objects.for_user(user).active().enrolled().select_related("site")
        site = self.request.GET.get("site", "")
        if site in {s.code for s in sites}:
            participants = participants.filter(site__code=site)
        participants = participants.order_by("study_id")
        needs_action = self.request.GET.get("needs") == "action"
        state = self.request.GET.get("state", "")
        my_action = action_keys(user)
        if needs_action or state in CELL_STYLES:
            # A filter on the visits' states: the participants that match, from the states kept per block of
            # participants (ucmsc_crf/matrix_states.py); only the page's visits are worked out afresh.
            site_ids = [s.pk for s in sites if not site or s.code == site]
            pks = matching(
                site_ids,
                lambda keys: (
                    (not needs_action or bool(keys & my_action)) and (state not in CELL_STYLES or state in keys)
                ),
                today,
            )
            page = Paginator(pks, self.paginate_by).get_page(self.request.GET.get("page"))
            participants = participants.filter(pk__in=list(page.object_list))
        else:
            # The whole matrix: the database pages the participants, and only the page's visits are worked
            # out, so the page costs the same at 100 participants or 10,000 (issue 19).
            page = Paginator(participants, self.paginate_by).get_page(self.request.GET.get("page"))
            participants = page.object_list
        participants = list(participants)
        statuses = visit_statuses(Participant.objects.filter(pk__in=[p.pk for p in participants]), today=today)
        can_miss = user.has_perm("dosing.add_protocoldeviation")
        page.object_list = [
            (participant, [(status, cell_key(status)) for status in statuses.get(participant.pk, [])])
            for participant in participants
        ]
        # Links for the page's cells only (a reverse() each).
        page.object_list = [
            (
                participant,
                [
                    Cell(
                        status,
                        key,
                        CELL_STYLES[key],
                        cell_link(participant, status),
                        reverse("visit-missed", args=[participant.study_id, status.visit.code])
                        if can_miss and status.state in ACTION_STATES
                        else "",
                    )
                    for status, key in keyed
                ],
            )
            for participant, keyed in page.object_list
        ]
        strips = hospital_days([participant for participant, _ in page.object_list], today)
        return super().get_context_data(
            visits=Visit.objects.all(),
            page=page,
            rows=[(participant, strips[participant.pk], cells) for participant, cells in page.object_list],
            sites=sites,
            site=site,
            state=state,
            needs_action=needs_action,
            states=CELL_STYLES,
            on=on,
            **kwargs,
        )
