"""What every case report form's ModelForm shares. Presentation only: rules come from the model's clean()."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms

from patients.models import EndOfStudy

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def row(*fields):
    """Two columns on a ward PC, one on a phone."""
    return Div(*[Div(f, css_class="col-12 col-sm-6") for f in fields], css_class="row")


class ParticipantRecordForm(forms.ModelForm):
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
