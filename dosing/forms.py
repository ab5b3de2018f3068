"""The clinician's infusion form. Presentation only: every rule comes from ``Infusion.clean()``."""

from crispy_forms.bootstrap import AppendedText
from crispy_forms.layout import Fieldset, Layout
from django import forms

from dosing.models import INFUSION_ENTRY_FIELDS, Infusion
from patients.casebook.blinding import BlindingPolicy
from patients.casebook.forms import DATETIME_WIDGET, ParticipantRecordForm, row


class InfusionForm(ParticipantRecordForm):
    submit_label = "Save infusion"

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
        # Blinded trial: the ward names the kit it gave; what the kit holds is the pharmacy's record.
        self.pharmacy = BlindingPolicy.of(user).trial_blinded
        super().__init__(*args, participant=participant, user=user, **kwargs)
        if not self.instance.pk:
            self.instance.administered_by = user
        for name in Infusion.allocation_fields if self.pharmacy else ("kit_code",):
            del self.fields[name]
        if not self.pharmacy:
            for name in Infusion.allocation_fields:
                self.fields[name].required = True

    def get_layout(self):
        return Layout(
            Fieldset(
                "Infusion",
                row("sequence_number", "route"),
                row("start_datetime", "end_datetime"),
                *self._product_rows(),
                "premedication",
                row("interrupted", "interruption_reason"),
            ),
            Fieldset(
                "Monitoring during and after the infusion",
                row("ecg"),
                row(AppendedText("spo2_lowest", "%"), AppendedText("spo2_highest", "%")),
                row(AppendedText("temperature_before_c", "°C"), AppendedText("temperature_after_c", "°C")),
                row(AppendedText("heart_rate_before", "/min"), AppendedText("heart_rate_after", "/min")),
                row(AppendedText("systolic_before", "mmHg"), AppendedText("diastolic_before", "mmHg")),
                row(AppendedText("systolic_after", "mmHg"), AppendedText("diastolic_after", "mmHg")),
                "infusion_associated_event",
            ),
            Fieldset("Protocol deviation", "deviation_reason"),
        )

    def _product_rows(self):
        if self.pharmacy:
            return [row("kit_code", AppendedText("volume_ml", "mL"))]
        return [
            row(AppendedText("cells_administered_millions", "× 10⁶ cells"), AppendedText("volume_ml", "mL")),
            row("lot_number", AppendedText("viability_percent", "%")),
        ]
