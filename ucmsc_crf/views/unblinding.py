"""The emergency unblinding page of one participant (patients/unblinding.py decides everything): the
requests and their decisions; the request form for investigators; the decision for the designated approver;
and, for the requester and the approver of an approved request only, the arm, with each look logged."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from patients import unblinding
from patients.casebook.design import TrialDesign
from patients.choices import UnblindingStatus
from patients.forms import UnblindingDecisionForm, UnblindingRequestForm
from ucmsc_crf.views.pages import ParticipantMixin


class UnblindingView(ParticipantMixin, View):
    template_name = "clinic/unblinding.html"

    def allowed(self) -> bool:
        user = self.request.user
        return user.has_perm("patients.request_unblinding") or user.has_perm("patients.approve_unblinding")

    def get(self, request, *args, **kwargs):
        if not self.allowed():
            raise PermissionDenied
        return self.render(self.request_form(), UnblindingDecisionForm())

    def post(self, request, *args, **kwargs):
        if not self.allowed():
            raise PermissionDenied
        request_form, decision_form = self.request_form(request.POST), UnblindingDecisionForm(request.POST)
        try:
            if "decide" in request.POST:
                # A request id that is not a number names no request (a 404), not a server error.
                request_id = request.POST.get("request_id", "").strip()
                pending = get_object_or_404(
                    self.participant.unblinding_requests.active(),
                    pk=int(request_id) if request_id.isascii() and request_id.isdigit() else None,
                    status="requested",
                )
                if decision_form.is_valid():
                    unblinding.unblinding_decide(
                        unblinding=pending,
                        user=request.user,
                        approve=request.POST["decide"] == "approve",
                        note=decision_form.cleaned_data["decision_note"],
                        request=request,
                    )
                    messages.success(request, "The decision is recorded.")
                    return redirect(request.path)
            elif request_form.is_valid():
                unblinding.unblinding_request(
                    participant=self.participant,
                    user=request.user,
                    reason=request_form.cleaned_data["reason"],
                    alone=request_form.cleaned_data.get("alone", False),
                    request=request,
                )
                messages.success(request, "The request is recorded.")
                return redirect(request.path)
        except ValidationError as exc:
            (decision_form if "decide" in request.POST else request_form).add_service_errors(exc)
        return self.render(request_form, decision_form)

    def request_form(self, data=None):
        return UnblindingRequestForm(data, allow_alone=TrialDesign.current().unblinding_by_investigator_alone)

    def render(self, request_form, decision_form):
        user, participant = self.request.user, self.participant
        arm = unblinding.unblinded_arm(user, participant)
        if arm is not None:
            unblinding.log_unblinded_view(user, participant, request=self.request)
        requests = participant.unblinding_requests.active().select_related("requested_by", "decided_by")
        context = {
            "participant": participant,
            "blinded": TrialDesign.current().blinded,
            "arm": arm,
            "requests": requests,
            "request_form": request_form if user.has_perm("patients.request_unblinding") else None,
            "decision_form": decision_form,
            "can_decide": user.has_perm("patients.approve_unblinding"),
            "open": [r for r in requests if r.status == UnblindingStatus.REQUESTED],
        }
        return render(self.request, self.template_name, context)
