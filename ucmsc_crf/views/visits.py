"""A scheduled visit recorded as missed, with its reason (outcomes.services.visit_record_missed): reached
from the subject matrix's due or overdue cell, back to the matrix."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect

from outcomes.endpoint_forms import MissedVisitForm
from outcomes.services import visit_record_missed
from patients.casebook.schedule import Visit
from ucmsc_crf.views.entry import ParticipantFormPage


class MissedVisitView(ParticipantFormPage):
    def dispatch(self, request, *args, **kwargs):
        self.visit = get_object_or_404(Visit, code=kwargs["visit"])
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self) -> str:
        return f"{self.visit.label}: record as missed"

    def make_form(self, data=None):
        if not self.request.user.has_perm("dosing.add_protocoldeviation"):
            raise PermissionDenied
        return MissedVisitForm(data, visit_label=self.visit.label)

    def save(self, form) -> str:
        visit_record_missed(
            participant=self.participant,
            visit=self.visit,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
            user=self.request.user,
        )
        return f"{self.visit.label} recorded as missed (a protocol deviation)."

    def done(self):
        return redirect("subject-matrix")
