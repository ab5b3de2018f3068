"""The subject matrix: participants x visits, each cell the visit's state (patients/visits.py) linking to
what to do next. Scoped to the user's sites; filters by site and by "needs action" (a visit due or overdue);
the same number of queries whatever the participants and visits."""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.urls import reverse
from django.views.generic import TemplateView

from patients.casebook.registry import registry
from patients.casebook.schedule import Visit
from patients.models import Participant, Site
from patients.visits import FormState, VisitState, visit_statuses

ACTION_STATES = (VisitState.DUE, VisitState.OVERDUE)
# How a cell shows its state: a Bootstrap colour and a symbol (the label is the cell's title, for screen
# readers and a long press on a phone).
CELL_STYLE = {
    VisitState.DONE: ("success", "✓"),
    VisitState.DUE: ("warning", "!"),
    VisitState.OVERDUE: ("danger", "!!"),
    VisitState.NOT_YET_DUE: ("light", "·"),
    VisitState.NOT_REQUIRED: ("secondary", "–"),
}


def cell_link(participant, status) -> str:
    """Where a cell leads: the first required form still missing, when the ward can enter it, else the
    participant's page."""
    if status.state in ACTION_STATES:
        for form in status.forms:
            crf = registry.get(form.key)
            if form.state == FormState.REQUIRED and crf.form is not None:
                return reverse(f"{crf.key}-new", kwargs={"study_id": participant.study_id})
    return participant.get_absolute_url()


class SubjectMatrixView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "patients.view_participant"
    template_name = "clinic/subject_matrix.html"
    paginate_by = 100

    def get_context_data(self, **kwargs):
        user = self.request.user
        sites = list(Site.objects.for_user(user).order_by("code"))
        participants = Participant.objects.for_user(user).active().enrolled().select_related("site")
        site = self.request.GET.get("site", "")
        if site in {s.code for s in sites}:
            participants = participants.filter(site__code=site)
        participants = list(participants.order_by("study_id"))
        statuses = visit_statuses(Participant.objects.filter(pk__in=[p.pk for p in participants]))
        needs_action = self.request.GET.get("needs") == "action"
        rows = []
        for participant in participants:
            cells = statuses.get(participant.pk, [])
            if needs_action and not any(c.state in ACTION_STATES for c in cells):
                continue
            rows.append(
                (
                    participant,
                    [
                        (
                            status,
                            VisitState(status.state).label,
                            *CELL_STYLE[status.state],
                            cell_link(participant, status),
                        )
                        for status in cells
                    ],
                )
            )
        page = Paginator(rows, self.paginate_by).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            visits=Visit.objects.all(),
            page=page,
            sites=sites,
            site=site,
            needs_action=needs_action,
            legend=[(VisitState(state).label, colour, symbol) for state, (colour, symbol) in CELL_STYLE.items()],
            **kwargs,
        )
