"""The pages a user reads: the home redirect, the participant list (what is due today) and the participant
page (the casebook, its actions and sections from the registry of case report forms)."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.generic import ListView, TemplateView

from outcomes.ward import WardOrder
from patients.casebook.blinding import BlindingPolicy
from patients.casebook.choices import ParticipantStatus
from patients.casebook.design import TrialDesign
from patients.casebook.sites import site_ids_for
from patients.models import Arm, Participant, RandomisationSlot
from patients.unblinding import was_unblinded
from ucmsc_crf.casebook import casebook, page_actions, page_sections, participant_list
from ucmsc_crf.matrix_states import visits_due
from ucmsc_crf.timeline import SUPPORT_LEGEND, timeline_svg


@login_required
def home(request):
    """Each role's first page shows that role's work (issue 28, 11): the ward its participant list, the
    monitor the casebooks to review, the pharmacy the kits to prepare; the roles without record pages (the
    statisticians, the DSMB) a page of their next steps, not the bare admin."""
    user = request.user
    if user.has_perm("patients.verify_data") and not user.has_perm("patients.add_participant"):
        return redirect("casebook-review-list")
    if user.has_perm("patients.view_participant"):
        return redirect("participant-list")
    if user.has_perm("dosing.add_preparation") and BlindingPolicy.of(user).trial_blinded:
        return redirect("admin:dosing_preparation_to_prepare")
    if user.is_staff and not user.has_perm("patients.view_unblinded") and not user.has_perm("patients.export_data"):
        return redirect("admin:index")
    return render(request, "home.html", home_context(user))


class ParticipantListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "patients.view_participant"
    template_name = "clinic/participant_list.html"
    context_object_name = "participants"
    paginate_by = 50

    def get_queryset(self):
        queryset = Participant.objects.for_user(self.request.user).active()
        query = self.request.GET.get("q", "").strip()
        if query:
            # By study ID, or by the paper archive's number of a migrated participant's file.
            queryset = queryset.filter(Q(study_id__icontains=query) | Q(archive_id__iexact=query))
        if self.request.GET.get("status") in ParticipantStatus.values:
            queryset = queryset.filter(status=self.request.GET["status"])
        if self.request.GET.get("arm") and not BlindingPolicy.of(self.request.user).hides(Participant, "arm"):
            # A blinded user's ?arm= is ignored: filtering by arm would reveal it.
            queryset = queryset.filter(arm__code=self.request.GET["arm"])
        # What is due first (an infusion planned for today or before, then today's observation), then by ID.
        today = timezone.localdate()
        return WardOrder(queryset, today, visits_due(today))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["participants"] = participant_list(context["page_obj"].object_list, self.object_list.state)
        context["status_choices"] = ParticipantStatus.choices
        policy = BlindingPolicy.of(self.request.user)
        context["arms"] = list(Arm.objects.values_list("code", "name")) if policy.may_read_table(Arm) else []
        return context


class ParticipantMixin(LoginRequiredMixin):
    """Resolves the participant of the URL among the user's sites only (404 otherwise)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.participant = get_object_or_404(
            Participant.objects.for_user(request.user).select_related("site", "arm"), study_id=kwargs["study_id"]
        )
        return super().dispatch(request, *args, **kwargs)

    def participant_page(self):
        return redirect("participant-detail", study_id=self.participant.study_id)


class ParticipantPageView(ParticipantMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "patients.view_participant"
    template_name = "clinic/participant_page.html"

    def get_context_data(self, **kwargs):
        book = casebook(self.participant)
        user = self.request.user
        participant = self.participant
        # Nothing can be entered into a locked casebook (the models refuse it; the page does not offer it).
        can_edit = not participant.casebook_locked and user.has_perm("outcomes.change_dailyobservation")
        policy = BlindingPolicy.of(user)
        return super().get_context_data(
            participant=participant,
            show_arm=not policy.hides(Participant, "arm"),
            # The randomisation number and treatment code say nothing of the arm; everyone may see them.
            slot=RandomisationSlot.objects.filter(participant=participant).only("number", "treatment_code").first(),
            emergency_unblinded=policy.trial_blinded and was_unblinded(participant),
            book=book,
            timeline=timeline_svg(book),
            support_legend=SUPPORT_LEGEND,
            decision=participant.eligibility(),
            days_in_hospital=(
                (book.end_of_study.end_date if book.end_of_study else timezone.localdate()) - participant.admission_date
            ).days,
            actions=page_actions(participant, user),
            columns=page_sections(book, user, can_edit=can_edit),
            can={
                "enrol": participant.status == ParticipantStatus.SCREENING
                and user.has_perm("patients.change_participant"),
                "sign": participant.day0_date is not None
                and not participant.casebook_locked
                and not any(s.valid for s in book.signatures)
                and user.has_perm("patients.sign_casebook"),
                "edit": can_edit,
                "unblinding": policy.trial_blinded
                and participant.day0_date is not None
                and (user.has_perm("patients.request_unblinding") or user.has_perm("patients.approve_unblinding")),
            },
            **kwargs,
        )


def home_context(user) -> dict:
    """What the roles without record pages do next: the randomisation list to make or sign off (the
    unblinded statistician), the report (by arm for the unblinded and the DSMB), the analysis export."""
    from patients.randomisation.models import RandomisationList

    design = TrialDesign.current()
    randomisation_list = None
    if user.has_perm("patients.view_randomisationlist") and design.randomised:
        randomisation_list = RandomisationList.objects.order_by("-created_datetime").first()
        randomisation_list = randomisation_list or "none"
    return {
        "design": design,
        "randomisation_list": randomisation_list,
        "sees_all_sites": site_ids_for(user) is None,
    }
