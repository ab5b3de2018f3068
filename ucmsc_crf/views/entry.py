"""The pages that write: screening, enrolment, every case report form's entry and void page, the lab sample,
the signature and the answer to a data query.

Each is a ``FormPage``: GET shows the form; POST validates it, writes through ``save`` (a model's save or
an app's service) and goes back with a message, or shows the form again with every refusal on the field
it concerns, codes kept. Who may do what is checked before any form is built.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from outcomes.forms import LabSampleForm
from patients import services
from patients.casebook import services as casebook_services
from patients.casebook.forms import SignatureForm
from patients.forms import EnrolForm, ScreeningForm
from patients.models import Participant
from ucmsc_crf.views.pages import ParticipantMixin


class FormPage(View):
    """One form on one page: ``make_form(data)`` builds it (raising PermissionDenied for the wrong role),
    ``save(form)`` writes and returns the message to show, ``done()`` is where to go next."""

    template_name = "clinic/record_form.html"
    title = ""

    def make_form(self, data=None):
        raise NotImplementedError

    def save(self, form) -> str:
        raise NotImplementedError

    def done(self):
        raise NotImplementedError

    def context(self, form) -> dict:
        return {"form": form, "title": self.title}

    def get(self, request, *args, **kwargs):
        return self.render(self.make_form())

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                message = self.save(form)
            except ValidationError as exc:
                self.refused(form, exc)
            else:
                messages.success(request, message)
                return self.done()
        return self.render(form)

    def refused(self, form, error: ValidationError) -> None:
        form.add_service_errors(error)

    def render(self, form):
        return render(self.request, self.template_name, self.context(form))


class ParticipantFormPage(ParticipantMixin, FormPage):
    """A form about the participant of the URL (found among the user's sites), back to their page."""

    def done(self):
        return self.participant_page()

    def context(self, form) -> dict:
        return {**super().context(form), "participant": self.participant}


class ScreeningView(LoginRequiredMixin, PermissionRequiredMixin, FormPage):
    permission_required = "patients.add_participant"
    title = "Screen a new person"

    def make_form(self, data=None):
        initial = None if data else {"screening_datetime": timezone.localtime()}
        return ScreeningForm(data, user=self.request.user, initial=initial)

    def save(self, form) -> str:
        self.participant = services.participant_screen(
            site=form.cleaned_data["site"], user=self.request.user, answers=form.answers(), **form.participant_fields()
        )
        return f"{self.participant.study_id} screened: {self.participant.eligibility().summary}."

    def done(self):
        return redirect("participant-detail", study_id=self.participant.study_id)


class EnrolView(ParticipantFormPage):
    title = "Enrol"

    def make_form(self, data=None):
        if not self.request.user.has_perm("patients.change_participant"):
            raise PermissionDenied
        return EnrolForm(data, initial={"enrolment_datetime": timezone.localtime()})

    def save(self, form) -> str:
        participant = services.participant_enrol(
            participant=self.participant,
            user=self.request.user,
            requested_arm=form.requested_arm(),
            enrolment_datetime=form.cleaned_data["enrolment_datetime"],
        )
        return services.enrolled_message(participant)

    def context(self, form) -> dict:
        return {**super().context(form), "decision": self.participant.eligibility()}


class RecordFormView(ParticipantFormPage):
    """Create (no pk) or edit (pk) one record of a case report form (``crf``, from
    patients/casebook/registry.py) for the participant, with the form's ward form."""

    crf = None

    def get_instance(self):
        pk = self.kwargs.get("pk")
        if pk is None:
            return None
        return get_object_or_404(self.crf.model.objects.active().filter(participant=self.participant), pk=pk)

    def make_form(self, data=None):
        instance = self.get_instance()
        if not self.request.user.has_perm(self.crf.permission("add" if instance is None else "change")):
            raise PermissionDenied
        query = self.request.GET.get("query", "")
        return self.crf.form(
            data,
            instance=instance,
            initial=None if instance else self.new_initial(),
            participant=self.participant,
            user=self.request.user,
            # "Correct the record" from an open query: the form offers that query as the one answered.
            answers_query=int(query) if query.isdigit() else None,
        )

    def new_initial(self) -> dict:
        asked = {
            name: self.request.GET[name]
            for name in getattr(self.crf.form, "query_initial", ())
            if name in self.request.GET
        }
        return {**self.crf.new_initial(self.participant), **asked}

    next_participant = None
    round_done = False

    def save(self, form) -> str:
        correcting = form.instance.pk is not None
        if self.crf.next_due is not None and getattr(form, "wants_next", lambda: False)():
            self.round_done = True  # "Save and next": decided after the save, below
        if correcting or self.crf.create is None:
            form.save()
        else:
            # A new record whose service writes more than the record (e.g. end of study closes follow-up).
            form.apply_entry_choices()
            self.crf.create(record=form.instance, user=self.request.user)
        status = getattr(form.instance, "review_status", "")
        if correcting:  # a change to a saved record is a correction, whatever status it returns to
            done = "saved as a draft" if status == "draft" else "corrected"
        else:
            done = {"draft": "saved as a draft", "submitted": "submitted"}.get(status, "saved")
        message = f"{self.participant.study_id}: {self.crf.label.lower()} {done}."
        if self.round_done:
            self.next_participant = self.crf.next_due(
                Participant.objects.for_user(self.request.user).active(),
                after=self.participant.study_id,
                today=timezone.localdate(),
            )
            message += (
                f" Next: {self.next_participant.study_id}."
                if self.next_participant
                else " No other participant's is due today."
            )
            return message
        return f"{self.crf.label} {done}."

    def done(self):
        if self.round_done:
            if self.next_participant is None:
                return redirect("participant-list")
            return redirect(self.crf.url_name("new"), study_id=self.next_participant.study_id)
        return super().done()

    def context(self, form) -> dict:
        editing = form.instance.pk is not None
        return {**super().context(form), "title": f"{'Edit' if editing else 'New'} {self.crf.label.lower()}"}


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason for voiding", widget=forms.Textarea(attrs={"rows": 2}), help_text="Kept in the audit trail."
    )


class RecordVoidView(ParticipantFormPage):
    """Void one record of a case report form (``crf``) entered in error, with a reason
    (casebook_services.record_void decides)."""

    crf = None
    template_name = "clinic/void_form.html"

    def make_form(self, data=None):
        # As the entry forms: the participant is looked up first (another site's is not found), then the role.
        if not self.request.user.has_perm(self.crf.permission("change")):
            raise PermissionDenied
        self.record = get_object_or_404(
            self.crf.model.objects.active().filter(participant=self.participant), pk=self.kwargs["pk"]
        )
        return VoidForm(data)

    def save(self, form) -> str:
        casebook_services.record_void(record=self.record, user=self.request.user, reason=form.cleaned_data["reason"])
        return f"{self.crf.label} voided."

    def refused(self, form, error: ValidationError) -> None:
        # The model says why on ``void_reason``: the page's field is "reason".
        for each in error.error_dict.get("void_reason", []) if hasattr(error, "error_dict") else [error]:
            form.add_error("reason", each)

    def context(self, form) -> dict:
        return {**super().context(form), "record_name": f"{self.crf.label.lower()}: {self.record}"}


class LabSampleFormView(ParticipantFormPage):
    title = "Lab results of one sample"

    def make_form(self, data=None):
        if not self.request.user.has_perm("outcomes.add_labresult"):
            raise PermissionDenied
        return LabSampleForm(data, participant=self.participant, user=self.request.user)

    def post(self, request, *args, **kwargs):
        # The sample form saves itself: its service's refusals go onto its analyte fields (outcomes/forms.py).
        form = self.make_form(request.POST)
        if form.is_valid() and form.save() is not None:
            messages.success(request, "Lab results saved.")
            return self.done()
        return self.render(form)


class SignView(ParticipantFormPage):
    """The investigator signs the casebook: meaning stated, password re-entered."""

    title = "Sign the casebook"

    def dispatch(self, request, *args, **kwargs):
        # The role before the participant: a signature page is never offered to a role that cannot sign.
        if request.user.is_authenticated and not request.user.has_perm("patients.sign_casebook"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, data=None):
        return SignatureForm(data)

    def save(self, form) -> str:
        casebook_services.casebook_sign(
            participant=self.participant,
            user=self.request.user,
            password=form.cleaned_data["password"],
            meaning=form.cleaned_data["meaning"],
            request=self.request,
        )
        return f"{self.participant.study_id} signed."

    def refused(self, form, error: ValidationError) -> None:
        if getattr(self.request, "axes_locked_out", False):
            # Too many wrong passwords: the session ends and django-axes shows the lockout page.
            logout(self.request)
        super().refused(form, error)


class QueryAnswerView(ParticipantMixin, View):
    """The site answers an open data query from the participant page (a form in the page, POST only)."""

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("patients.change_dataquery"):
            raise PermissionDenied
        query = get_object_or_404(self.participant.data_queries.open(), pk=kwargs["pk"])
        try:
            casebook_services.query_answer(query=query, user=request.user, answer=request.POST.get("answer", ""))
        except ValidationError as exc:
            messages.error(request, f"Query #{query.pk}: {' '.join(exc.messages)}")
        else:
            messages.success(request, f"Query #{query.pk} answered.")
        return self.participant_page()


class QueryReviewView(ParticipantMixin, View):
    """The raiser (or a coordinator) closes an answered query, or re-opens it with a reason, from the review
    page or the participant page (POST only): 1 click where the admin took 8 page loads (issue 28, 7).
    patients.casebook.services decides who may."""

    def post(self, request, *args, **kwargs):
        query = get_object_or_404(self.participant.data_queries.open(), pk=kwargs["pk"])
        action = request.POST.get("action")
        try:
            if action == "close":
                casebook_services.query_close(query=query, user=request.user, note=request.POST.get("note", ""))
                messages.success(request, f"Query #{query.pk} closed.")
            elif action == "reopen":
                casebook_services.query_reopen(query=query, user=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, f"Query #{query.pk} re-opened: the site is asked again.")
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, f"Query #{query.pk}: {text}")
        if request.POST.get("back") == "review":
            return redirect("casebook-review", study_id=self.participant.study_id)
        return self.participant_page()
