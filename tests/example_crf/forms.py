from crispy_forms.layout import Fieldset, Layout

from patients.casebook.forms import DATE_WIDGET, ParticipantRecordForm, row
from tests.example_crf.models import PulseCheck


class PulseCheckForm(ParticipantRecordForm):
    submit_label = "Save pulse check"

    class Meta:
        model = PulseCheck
        fields = ["check_date", "pulse_bpm"]
        widgets = {"check_date": DATE_WIDGET}

    def get_layout(self):
        return Layout(Fieldset("Pulse", row("check_date", "pulse_bpm")))
