"""What every case report form's web form shares (ward and admin): the opened version (optimistic locking),
the reason for a change and the data query it answers, submit or draft, model errors on the right field,
a service's refusals shown with their codes; and the investigator's signature form."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.html import escape

from patients.casebook.choices import ReviewStatus, SignatureMeaning
from patients.casebook.conflicts import RECORD_CHANGED
from patients.casebook.reviewed import CaseReportForm
from patients.casebook.saving import prepare_save

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def row(*fields):
    """Two columns on a ward PC, one on a phone."""
    return Div(*[Div(f, css_class="col-12 col-sm-6") for f in fields], css_class="row")


class DraftButton(Submit):
    """The secondary submit button. Crispy's Submit is always "btn btn-primary": an outline class added to it
    drew blue text on blue (contrast 1:1, "Save draft" invisible, issue 28, 8)."""

    field_classes = "btn btn-outline-primary"


class ServiceErrorsMixin:
    """A service's ValidationError shown on the form: each error on the field it names (``service_field``
    maps a service's name to the form's), codes kept, the rest at the top of the form."""

    def service_field(self, name: str) -> str:
        return name

    def add_service_errors(self, error: ValidationError) -> None:
        for name, errors in error.update_error_dict({}).items():
            target = self.service_field(name)
            for each in errors:
                self.add_error(target if target in self.fields else None, each)


class ClinicalFormMixin(ServiceErrorsMixin, forms.Form):
    """For every ModelForm of a clinical record (clinician forms and the admin):

    - carries the version the user opened in a hidden field, so the model refuses a save over someone
      else's change (optimistic locking lives in ClinicalRecord; the form only presents it);
    - shows model errors about fields the form does not have (e.g. the participant, which comes from the
      page) as form-level messages instead of failing.
    """

    VERSION_FIELD = "loaded_version"

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @property
    def error_codes(self) -> str:
        """The codes of the form's errors, space-separated. The page carries them (``data-error-codes``) so
        scripts and tests (bench/load.py, the browser tests) recognise a refusal by its code, not its words."""
        if not self.is_bound or not self.errors:
            return ""
        return " ".join(sorted({e.code for errors in self.errors.as_data().values() for e in errors if e.code}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields[self.VERSION_FIELD].initial = self.instance.version
        else:
            del self.fields[self.VERSION_FIELD]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            loaded = cleaned.get(self.VERSION_FIELD)
            if loaded is None:
                # Every edit page renders the version it opened; without it a save could overwrite blindly.
                raise forms.ValidationError(
                    "This form is incomplete (no record version): reload the page and try again.",
                    code="no_version",
                )
            # Before the model's clean(), which refuses a save based on an older version.
            prepare_save(self.instance, user=getattr(self, "user", None), expected_version=loaded)
        return cleaned

    # Model fields the form presents through another field of its own: their errors are shown there.
    model_error_fields: dict[str, str] = {}

    def add_error(self, field, error):
        # The model's errors (full_clean, as ModelForm files them all at once with field None) land on the form's
        # fields: a model field the form presents through another field of its own is shown there, one the
        # form does not have goes to the top of the form (Django would refuse it: "has no field named").
        if field is None and isinstance(error, dict):
            error = ValidationError(error)
        if field is None and hasattr(error, "error_dict"):
            self._place_model_errors(error.error_dict)
        super().add_error(field, error)

    def _place_model_errors(self, error_dict) -> None:
        for model_field, form_field in self.model_error_fields.items():
            if model_field in error_dict and form_field in self.fields:
                error_dict.setdefault(form_field, []).extend(error_dict.pop(model_field))
        for field in [f for f in error_dict if f != NON_FIELD_ERRORS and f not in self.fields]:
            error_dict.setdefault(NON_FIELD_ERRORS, []).extend(error_dict.pop(field))
        conflict = any(e.code == RECORD_CHANGED for e in error_dict.get(NON_FIELD_ERRORS, []))
        if self.instance.pk and self.VERSION_FIELD in self.fields and conflict:
            # The user has now seen the other change: a deliberate second save is based on it.
            self.data = self.data.copy()
            self.data[self.add_prefix(self.VERSION_FIELD)] = (
                type(self.instance).objects.get(pk=self.instance.pk).version
            )


class ParticipantRecordForm(ClinicalFormMixin, forms.ModelForm):
    """A CRF for one participant: the participant comes from the page, not from a field, and is set
    before validation because the model's rules need it. Editing a saved record asks for the reason, and
    may name the open data query the correction answers (the audit entry then links to it).

    A case report form under review is saved as a draft or submitted (two buttons); the model decides
    what an edit does to a verified or locked record, the form says it beforehand."""

    submit_label = "Save"
    SUBMIT_BUTTON = "submit_record"
    DRAFT_BUTTON = "save_draft"

    # Query-string parameters a new record's page hands to its form as initial values (a link's request, e.g.
    # "copy the vital signs"); the view passes only these.
    query_initial: tuple[str, ...] = ()

    def __init__(self, *args, participant, user=None, answers_query=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance.participant = participant
        # "Correct the record" from an open query (issue 18): the query at the top, its field marked and focused.
        self.answering = None
        reviewed = isinstance(self.instance, CaseReportForm)
        if self.instance.pk:
            self.fields["change_reason"] = forms.CharField(
                label="Reason for change",
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Required when changing a saved record; kept in the audit trail.",
            )
            self._add_query_field(answers_query)
        self.helper = FormHelper()
        self.helper.layout = self.get_layout()
        if self.answering is not None:
            self._show_query(self.answering)
        if self.instance.pk:
            audit = ["change_reason", self.VERSION_FIELD]
            if "answers_query" in self.fields:
                audit[1:1] = ["query_answer"]
                audit.insert(0, "answers_query")
            self.helper.layout.append(Fieldset("Audit", *audit))
        if reviewed and self.instance.review_status == ReviewStatus.VERIFIED:
            who = self.instance.verified_by.get_username() if self.instance.verified_by else "a monitor"
            self.helper.layout.insert(
                0,
                HTML(
                    '<div class="alert alert-info py-2">Verified by '
                    f"{escape(who)} on {timezone.localtime(self.instance.verified_datetime):%Y-%m-%d %H:%M}: "
                    "saving a change returns it to submitted for verification again.</div>"
                ),
            )
        if reviewed and self.instance.review_status == ReviewStatus.DRAFT:
            self.helper.add_input(Submit(self.SUBMIT_BUTTON, "Submit"))
            self.helper.add_input(DraftButton(self.DRAFT_BUTTON, "Save draft"))
        else:
            self.helper.add_input(Submit("save", self.submit_label))

    def _add_query_field(self, answers_query):
        """Offer the open queries about this record, so a correction names the one it answers."""
        from patients.casebook.queries import DataQuery

        open_queries = list(DataQuery.objects.open().about(self.instance).select_related("raised_by"))
        choices = [(q.pk, f"#{q.pk}: {q.text[:60]}") for q in open_queries]
        if not choices:
            return
        self.answering = next((q for q in open_queries if q.pk == answers_query), None)
        self.fields["answers_query"] = forms.TypedChoiceField(
            label="This change answers data query",
            choices=[("", "None"), *choices],
            coerce=int,
            empty_value=None,
            required=False,
            initial=answers_query if answers_query in {pk for pk, _ in choices} else None,
            help_text="The audit trail links the change to the query, and the query is answered with it.",
        )
        # One explanation serves both (issue 28, 7): the reason for change answers the query too, unless
        # the user writes a different answer here.
        self.fields["query_answer"] = forms.CharField(
            label="Answer to the query",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="Leave empty to answer with the reason for change.",
        )

    def _show_query(self, query) -> None:
        field = self.fields.get(query.field_name)
        label = escape(field.label) if field is not None else ""
        self.helper.layout.insert(
            0,
            HTML(
                '<div class="alert alert-warning py-2" role="alert" id="answering-query">'
                f"<strong>Query from {escape(query.raised_by.get_username())}</strong>"
                f"{' on <strong>' + label + '</strong>' if label else ''}: {escape(query.text)}</div>"
            ),
        )
        if field is not None:
            for other in self.fields.values():
                other.widget.attrs.pop("autofocus", None)
            field.widget.attrs.update({"data-query": str(query.pk), "autofocus": True})

    def get_layout(self):
        raise NotImplementedError

    def wants_submit(self) -> bool:
        """Submit unless the user pressed "Save draft" (Enter in a field presses the first button: Submit)."""
        return self.DRAFT_BUTTON not in self.data

    def save(self, commit=True):
        self.apply_entry_choices()
        saved = super().save(commit)
        if commit:
            self.answer_query()
        return saved

    def answer_query(self) -> None:
        """The correction's query, answered with the answer written, or else the reason for change."""
        from patients.casebook.choices import QuerySiteStatus
        from patients.casebook.queries import DataQuery
        from patients.casebook.services import query_answer

        pk = self.cleaned_data.get("answers_query") if self.instance.pk else None
        query = DataQuery.objects.open().filter(pk=pk).first() if pk else None
        if query is None or query.site_status == QuerySiteStatus.ANSWERED:
            return
        answer = (self.cleaned_data.get("query_answer") or "").strip() or self.cleaned_data["change_reason"]
        query_answer(query=query, user=self.user, answer=answer)

    def apply_entry_choices(self) -> None:
        """Put what the user chose besides the data (reason, query, submit or draft, who) on the instance,
        for ``save()`` or for a service that saves it."""
        prepare_save(
            self.instance,
            user=self.user,
            reason=self.cleaned_data["change_reason"] if self.instance.pk else "",
            answers_query=self.cleaned_data.get("answers_query") if self.instance.pk else None,
        )
        if (
            isinstance(self.instance, CaseReportForm)
            and self.instance.review_status == ReviewStatus.DRAFT
            and self.wants_submit()
        ):
            self.instance.review_status = ReviewStatus.SUBMITTED


class SignatureForm(ServiceErrorsMixin, forms.Form):
    meaning = forms.ChoiceField(
        choices=SignatureMeaning.choices, widget=forms.RadioSelect, initial=SignatureMeaning.COMPLETE_AND_ACCURATE
    )
    password = forms.CharField(
        widget=forms.PasswordInput, help_text="Re-enter your password: it makes this your electronic signature."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(Fieldset("Sign the casebook", "meaning", "password"))
        self.helper.add_input(Submit("save", "Sign"))
