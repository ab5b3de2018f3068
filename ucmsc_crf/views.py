"""The clinician's pages: participant list, participant page, screening and one entry form per CRF.

Thin views: every queryset is scoped to the user's sites; forms present the model layer's rules; write
paths that touch several rows go through the apps' services.
"""

import tablib
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import ListView, TemplateView

from outcomes.choices import OxygenSupport
from outcomes.forms import LabSampleForm
from outcomes.summary import as_table, trial_summary
from patients import services
from patients.casebook import services as casebook_services
from patients.casebook.access import sees_arms
from patients.choices import ParticipantStatus
from patients.forms import EnrolForm, ScreeningForm, SignatureForm
from patients.models import Participant
from patients.spreadsheet import spreadsheet_safe
from ucmsc_crf.analysis.bundle import bundle_chunks
from ucmsc_crf.analysis.columns import Options
from ucmsc_crf.casebook import casebook, page_actions, page_sections, participant_list
from ucmsc_crf.report_charts import consort_svg, oxygen_svg, trajectory_svg
from ucmsc_crf.timeline import SUPPORT_LEGEND, timeline_svg


@login_required
def home(request):
    """Send each role to where it works: clinicians to the participant list, reviewers to the admin."""
    if request.user.has_perm("patients.view_participant"):
        return redirect("participant-list")
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "home.html")


@login_required
def analysis_export(request):
    """The analysis bundle of the user's sites, streamed as it is written (no file kept on the server).
    Free text is never offered here: it is exported only from the command line, by a data manager."""
    if not request.user.has_perm("patients.export_data"):
        raise PermissionDenied
    study_days = request.GET.get("dates") == "study_days"
    options = Options(study_days=study_days, blinded=not sees_arms(request.user))
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(bundle_chunks(user=request.user, options=options), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="ucmsc-analysis-{stamp}.zip"'
    return response


@login_required
def report(request):
    """The trial summary of the user's sites: a page, or ?format=csv / xlsx for the same table."""
    if not request.user.has_perm("patients.view_report"):
        raise PermissionDenied
    summary = trial_summary(Participant.objects.for_user(request.user), by_arm=sees_arms(request.user))
    file_format = request.GET.get("format")
    if file_format in ("csv", "xlsx"):
        rows = [[spreadsheet_safe(cell) for cell in row] for row in as_table(summary)]
        data = tablib.Dataset(*rows[1:], headers=rows[0])
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        content_type = (
            "text/csv"
            if file_format == "csv"
            else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )
        response = HttpResponse(data.export(file_format), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="ucmsc-summary-{stamp}.{file_format}"'
        return response
    context = {
        "summary": summary,
        "consort": consort_svg(summary.flow),
        "trajectories": [trajectory_svg(t, summary.arms) for t in summary.trajectories],
        "oxygen": oxygen_svg(summary.oxygen, summary.arms, OxygenSupport.choices),
        "blinded": not sees_arms(request.user),
    }
    return render(request, "clinic/report.html", context)


class ParticipantListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "patients.view_participant"
    template_name = "clinic/participant_list.html"
    context_object_name = "participants"
    paginate_by = 50

    def get_queryset(self):
        queryset = Participant.objects.for_user(self.request.user).active()
        query = self.request.GET.get("q", "").strip()
        if query:
            queryset = queryset.filter(study_id__icontains=query)
        if self.request.GET.get("status") in ParticipantStatus.values:
            queryset = queryset.filter(status=self.request.GET["status"])
        if self.request.GET.get("arm"):
            queryset = queryset.filter(arm__code=self.request.GET["arm"])
        return queryset.order_by("study_id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["participants"] = participant_list(context["page_obj"].object_list)
        context["status_choices"] = ParticipantStatus.choices
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
        return super().get_context_data(
            participant=participant,
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
            },
            **kwargs,
        )


class SignView(ParticipantMixin, View):
    """The investigator signs the casebook: meaning stated, password re-entered."""

    template_name = "clinic/record_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm("patients.sign_casebook"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render(SignatureForm())

    def post(self, request, *args, **kwargs):
        form = SignatureForm(request.POST)
        if form.is_valid():
            try:
                casebook_services.casebook_sign(
                    participant=self.participant,
                    user=request.user,
                    password=form.cleaned_data["password"],
                    meaning=form.cleaned_data["meaning"],
                    request=request,
                )
            except ValidationError as exc:
                if getattr(request, "axes_locked_out", False):
                    # Too many wrong passwords: the session ends and django-axes shows the lockout page.
                    logout(request)
                form.add_service_errors(exc)
            else:
                messages.success(request, f"{self.participant.study_id} signed.")
                return self.participant_page()
        return self.render(form)

    def render(self, form):
        return render(
            self.request,
            self.template_name,
            {"form": form, "participant": self.participant, "title": "Sign the casebook"},
        )


class QueryAnswerView(ParticipantMixin, View):
    """The site answers an open data query from the participant page."""

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("patients.change_dataquery"):
            raise PermissionDenied
        query = get_object_or_404(self.participant.dataquerys.open(), pk=kwargs["pk"])
        try:
            casebook_services.query_answer(query=query, user=request.user, answer=request.POST.get("answer", ""))
        except ValidationError as exc:
            messages.error(request, f"Query #{query.pk}: {' '.join(exc.messages)}")
        else:
            messages.success(request, f"Query #{query.pk} answered.")
        return self.participant_page()


class RecordFormView(ParticipantMixin, View):
    """Create (no pk) or edit (pk) one record of a case report form (``crf``, from patients/casebook/registry.py)
    for the participant, with the form's ward form."""

    crf = None
    template_name = "clinic/record_form.html"

    def has_permission(self, editing: bool) -> bool:
        return self.request.user.has_perm(self.crf.permission("change" if editing else "add"))

    def get_instance(self):
        pk = self.kwargs.get("pk")
        if pk is None:
            return None
        return get_object_or_404(self.crf.model.objects.active().filter(participant=self.participant), pk=pk)

    def make_form(self, data=None):
        instance = self.get_instance()
        if not self.has_permission(editing=instance is not None):
            raise PermissionDenied
        query = self.request.GET.get("query", "")
        return self.crf.form(
            data,
            instance=instance,
            initial=None if instance else self.crf.new_initial(self.participant),
            participant=self.participant,
            user=self.request.user,
            # "Correct the record" from an open query: the form offers that query as the one answered.
            answers_query=int(query) if query.isdigit() else None,
        )

    def get(self, request, *args, **kwargs):
        return self.render(self.make_form())

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            correcting = form.instance.pk is not None
            self.save(form)
            status = getattr(form.instance, "review_status", "")
            if correcting:  # a change to a saved record is a correction, whatever status it returns to
                done = "saved as a draft" if status == "draft" else "corrected"
            else:
                done = {"draft": "saved as a draft", "submitted": "submitted"}.get(status, "saved")
            messages.success(request, f"{self.crf.label} {done}.")
            return self.participant_page()
        return self.render(form)

    def save(self, form):
        if form.instance.pk or self.crf.create is None:
            form.save()
        else:
            # A new record whose form's service writes more than the record (e.g. end of study).
            form.apply_entry_choices()
            self.crf.create(record=form.instance, user=self.request.user)

    def render(self, form):
        editing = getattr(form, "instance", None) is not None and form.instance.pk is not None
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "participant": self.participant,
                "title": f"{'Edit' if editing else 'New'} {self.crf.label.lower()}",
            },
        )


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason for voiding", widget=forms.Textarea(attrs={"rows": 2}), help_text="Kept in the audit trail."
    )


class RecordVoidView(ParticipantMixin, View):
    """Void one record of a case report form (``crf``) entered in error, with a reason (casebook_services.record_void
    decides)."""

    crf = None
    template_name = "clinic/void_form.html"

    def get_record(self):
        # As the entry forms: the participant is looked up first (another site's is not found), then the role.
        if not self.request.user.has_perm(self.crf.permission("change")):
            raise PermissionDenied
        return get_object_or_404(
            self.crf.model.objects.active().filter(participant=self.participant), pk=self.kwargs["pk"]
        )

    def get(self, request, *args, **kwargs):
        return self.render(VoidForm(), self.get_record())

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        form = VoidForm(request.POST)
        if form.is_valid():
            try:
                casebook_services.record_void(record=record, user=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                for error in exc.error_dict.get("void_reason", []) if hasattr(exc, "error_dict") else [exc]:
                    form.add_error("reason", error)
            else:
                messages.success(request, f"{self.crf.label} voided.")
                return self.participant_page()
        return self.render(form, record)

    def render(self, form, record):
        context = {"form": form, "participant": self.participant, "record_name": f"{self.crf.label.lower()}: {record}"}
        return render(self.request, self.template_name, context)


class LabSampleFormView(ParticipantMixin, View):
    template_name = "clinic/record_form.html"

    def make_form(self, data=None):
        if not self.request.user.has_perm("outcomes.add_labresult"):
            raise PermissionDenied
        return LabSampleForm(data, participant=self.participant, user=self.request.user)

    def get(self, request, *args, **kwargs):
        return self.render(self.make_form())

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid() and form.save() is not None:
            messages.success(request, "Lab results saved.")
            return self.participant_page()
        return self.render(form)

    def render(self, form):
        return render(
            self.request,
            self.template_name,
            {"form": form, "participant": self.participant, "title": "Lab results of one sample"},
        )


class ScreeningView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "patients.add_participant"
    template_name = "clinic/record_form.html"

    def get(self, request):
        return self.render(ScreeningForm(user=request.user, initial={"screening_datetime": timezone.localtime()}))

    def post(self, request):
        form = ScreeningForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                participant = services.participant_screen(
                    site=form.cleaned_data["site"],
                    user=request.user,
                    answers=form.answers(),
                    **form.participant_fields(),
                )
            except ValidationError as exc:
                form.add_service_errors(exc.message_dict)
            else:
                decision = participant.eligibility()
                messages.success(request, f"{participant.study_id} screened: {decision.summary}.")
                return redirect("participant-detail", study_id=participant.study_id)
        return self.render(form)

    def render(self, form):
        return render(self.request, self.template_name, {"form": form, "title": "Screen a new person"})


class EnrolView(ParticipantMixin, View):
    template_name = "clinic/record_form.html"

    def make_form(self, data=None):
        if not self.request.user.has_perm("patients.change_participant"):
            raise PermissionDenied
        return EnrolForm(data, initial={"enrolment_datetime": timezone.localtime()})

    def get(self, request, *args, **kwargs):
        return self.render(self.make_form())

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                services.participant_enrol(
                    participant=self.participant,
                    user=request.user,
                    requested_arm=form.cleaned_data["arm"],
                    enrolment_datetime=form.cleaned_data["enrolment_datetime"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc.message_dict)
            else:
                messages.success(request, f"{self.participant.study_id} enrolled.")
                return self.participant_page()
        return self.render(form)

    def render(self, form):
        context = {
            "form": form,
            "participant": self.participant,
            "title": "Enrol",
            "decision": self.participant.eligibility(),
        }
        return render(self.request, self.template_name, context)
