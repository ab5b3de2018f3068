"""Paper back-up (issue 18): ward networks go down and trials keep paper forms. A blank daily observation form
for a participant (their study ID printed, the rest to fill in by hand, the same questions and units as the
ward form), and the participant's filled casebook: every record of every form, field by field. Both are
plain pages with a print stylesheet (static/css/print.css: A4, the study ID on every page, page numbers)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from outcomes.forms import DailyObservationForm
from patients.casebook.blinding import BlindingPolicy
from patients.casebook.naming import record_name
from patients.casebook.queries import queryable_fields
from patients.casebook.registry import registry
from ucmsc_crf.views.pages import ParticipantMixin


def _display(record, name: str) -> str:
    value = (
        getattr(record, f"get_{name}_display")() if hasattr(record, f"get_{name}_display") else getattr(record, name)
    )
    if value is None or value == "":
        return "—"
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    return str(value)


class BlankObservationView(ParticipantMixin, View):
    def get(self, request, *args, **kwargs):
        if not request.user.has_perm("outcomes.add_dailyobservation"):
            raise PermissionDenied
        form = DailyObservationForm(participant=self.participant, user=request.user)
        questions = []
        for name, field in form.fields.items():
            # The record's own questions only: not the ward form's carry-forward controls or hidden fields.
            if name == "observation_date" or field.widget.is_hidden or name not in DailyObservationForm.Meta.fields:
                continue
            choices = [label for value, label in getattr(field, "choices", []) if value != ""]
            questions.append((str(field.label), choices, field.widget.attrs.get("inputmode", "")))
        return render(
            request, "clinic/print_observation.html", {"participant": self.participant, "questions": questions}
        )


class PrintCasebookView(ParticipantMixin, View):
    def get(self, request, *args, **kwargs):
        if not request.user.has_perm("patients.view_participant"):
            raise PermissionDenied
        # In a blinded trial what a kit held would reveal the arm: left out, as on every other page.
        policy = BlindingPolicy.of(request.user)
        sections = []
        for crf in registry.all():
            if crf.page_section is None and crf.analysis_domain is None:
                continue
            if not request.user.has_perm(crf.permission("view")):
                continue
            records = list(
                crf.model.objects.active()
                .filter(participant=self.participant)
                .order_by(*(crf.analysis_order or ("pk",)))
            )
            if not records:
                continue
            hidden = policy.hidden_fields(crf.model)
            fields = [(name, label) for name, label in queryable_fields(crf.model) if name not in hidden]
            sections.append(
                (
                    crf.label,
                    [(record_name(r), r, [(label, _display(r, name)) for name, label in fields]) for r in records],
                )
            )
        return render(
            request,
            "clinic/print_casebook.html",
            {"participant": self.participant, "sections": sections, "printed": timezone.localtime()},
        )
