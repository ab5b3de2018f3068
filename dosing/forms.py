"""The clinician's infusion form. Presentation only: every rule comes from ``Infusion.clean()``."""

from crispy_forms.bootstrap import AppendedText
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms

from dosing.models import INFUSION_ENTRY_FIELDS, Infusion

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _row(*fields):
    return Div(*[Div(f, css_class="col-12 col-sm-6") for f in fields], css_class="row")


class InfusionForm(forms.ModelForm):
    class Meta:
        model = Infusion
        fields = INFUSION_ENTRY_FIELDS
        widgets = {
            "start_datetime": DATETIME_WIDGET,
            "end_datetime": DATETIME_WIDGET,
            "premedication": forms.Textarea(attrs={"rows": 2}),
            "interruption_reason": forms.Textarea(attrs={"rows": 2}),
            "infusion_associated_event": forms.Textarea(attrs={"rows": 2}),
            "deviation_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, participant, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Set before validation: the rules need the participant, and who gave the infusion.
        self.instance.participant = participant
        if not self.instance.pk:
            self.instance.administered_by = user
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                "Infusion",
                _row("sequence_number", "route"),
                _row("start_datetime", "end_datetime"),
                _row(
                    AppendedText("cells_administered_millions", "× 10⁶ cells"),
                    AppendedText("volume_ml", "mL"),
                ),
                _row("lot_number", AppendedText("viability_percent", "%")),
                "premedication",
                _row("interrupted", "interruption_reason"),
            ),
            Fieldset(
                "Monitoring during and after the infusion",
                _row("ecg"),
                _row(AppendedText("spo2_lowest", "%"), AppendedText("spo2_highest", "%")),
                _row(AppendedText("temperature_before_c", "°C"), AppendedText("temperature_after_c", "°C")),
                _row(AppendedText("heart_rate_before", "/min"), AppendedText("heart_rate_after", "/min")),
                _row(AppendedText("systolic_before", "mmHg"), AppendedText("diastolic_before", "mmHg")),
                _row(AppendedText("systolic_after", "mmHg"), AppendedText("diastolic_after", "mmHg")),
                "infusion_associated_event",
            ),
            Fieldset("Protocol deviation", "deviation_reason"),
            Submit("save", "Save infusion"),
        )
