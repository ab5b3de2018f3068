"""What every case report form's ModelForm shares. Presentation only: rules come from the model's clean()."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from patients.models import EndOfStudy

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def row(*fields):
    """Two columns on a ward PC, one on a phone."""
    return Div(*[Div(f, css_class="col-12 col-sm-6") for f in fields], css_class="row")


class ClinicalFormMixin:
    """For every ModelForm of a clinical record (clinician forms and the admin):

    - carries the version the user opened in a hidden field, so the model refuses a save over someone
      else's change (optimistic locking lives in ClinicalRecord; the form only presents it);
    - shows model errors about fields the form does not have (e.g. the participant, which comes from the
      page) as form-level messages instead of failing.
    """

    VERSION_FIELD = "loaded_version"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields[self.VERSION_FIELD] = forms.IntegerField(
                widget=forms.HiddenInput, initial=self.instance.version, required=False
            )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            self.instance._loaded_version = cleaned.get(self.VERSION_FIELD)
        return cleaned

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            for field in [f for f in errors.error_dict if f != NON_FIELD_ERRORS and f not in self.fields]:
                errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(errors.error_dict.pop(field))
            if self.instance.pk and self.VERSION_FIELD in self.fields and "since you opened it" in str(errors):
                # The user has now seen the other change: a deliberate second save is based on it.
                self.data = self.data.copy()
                self.data[self.add_prefix(self.VERSION_FIELD)] = (
                    type(self.instance).objects.get(pk=self.instance.pk).version
                )
        super()._update_errors(errors)


class ParticipantRecordForm(ClinicalFormMixin, forms.ModelForm):
    """A CRF for one participant: the participant comes from the page, not from a field, and is set
    before validation because the model's rules need it."""

    submit_label = "Save"

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.participant = participant
        self.helper = FormHelper()
        self.helper.layout = self.get_layout()
        self.helper.add_input(Submit("save", self.submit_label))

    def get_layout(self):
        raise NotImplementedError


class EndOfStudyForm(ParticipantRecordForm):
    """Discharge, death or transfer. Saved through services.end_of_study_record (it closes follow-up)."""

    submit_label = "Save end of study"

    class Meta:
        model = EndOfStudy
        fields = ["end_reason", "end_date", "icu_admission_date", "icu_discharge_date", "details"]
        widgets = {name: DATE_WIDGET for name in ("end_date", "icu_admission_date", "icu_discharge_date")}

    def get_layout(self):
        return Layout(
            Fieldset("End of study", row("end_reason", "end_date")),
            Fieldset("Intensive care", row("icu_admission_date", "icu_discharge_date")),
            "details",
        )
