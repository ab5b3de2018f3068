"""Clinician pages of the enrolment app. Thin: every queryset is scoped to the user's sites."""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Q
from django.views.generic import DetailView, ListView

from patients.choices import ParticipantStatus
from patients.models import Participant


class ScopedParticipantMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "patients.view_participant"

    def get_queryset(self):
        return Participant.objects.for_user(self.request.user).select_related("site", "arm")


class ParticipantListView(ScopedParticipantMixin, ListView):
    template_name = "patients/participant_list.html"
    context_object_name = "participants"
    paginate_by = 50

    def get_queryset(self):
        queryset = super().get_queryset().filter(voided=False)
        query = self.request.GET.get("q", "").strip()
        if query:
            queryset = queryset.filter(Q(study_id__icontains=query))
        status = self.request.GET.get("status", "")
        if status:
            queryset = queryset.filter(status=status)
        return queryset

    def get_context_data(self, **kwargs):
        return super().get_context_data(status_choices=ParticipantStatus.choices, **kwargs)


class ParticipantDetailView(ScopedParticipantMixin, DetailView):
    template_name = "patients/participant_detail.html"
    context_object_name = "participant"
    slug_field = "study_id"
    slug_url_kwarg = "study_id"

    def get_context_data(self, **kwargs):
        participant = self.object
        return super().get_context_data(
            decision=participant.eligibility(),
            eligibility_answers=participant.eligibilityanswers.active(),
            consents=participant.consents.active().select_related("obtained_by"),
            withdrawals=participant.withdrawals.active(),
            **kwargs,
        )
