"""Clinician forms for the outcomes CRFs: sections, units beside each field, usable at 360 px."""

from crispy_forms.bootstrap import AppendedText
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError

from outcomes.choices import SERIOUSNESS_CRITERIA
from outcomes.models import SYMPTOMS, AdverseEvent, Analyte, ChestCt, DailyObservation, LabResult
from outcomes.services import lab_sample_record
from patients.casebook.forms import DATE_WIDGET, DATETIME_WIDGET, ParticipantRecordForm, row


class DailyObservationForm(ParticipantRecordForm):
    submit_label = "Save observation"

    class Meta:
        model = DailyObservation
        fields = [
            "observation_date",
            "temperature_c",
            "heart_rate",
            "respiratory_rate",
            "systolic_bp",
            "diastolic_bp",
            "spo2_percent",
            "fio2_percent",
            "oxygen_support",
            "oxygen_flow_l_min",
            "pao2_fio2_mmhg",
            "who_score",
            *[name for name, _ in SYMPTOMS],
            "other_symptoms_details",
        ]
        widgets = {"observation_date": DATE_WIDGET}

    def get_layout(self):
        return Layout(
            Fieldset("Day", "observation_date"),
            Fieldset(
                "Vital signs",
                row(AppendedText("temperature_c", "°C"), AppendedText("heart_rate", "/min")),
                row(AppendedText("respiratory_rate", "/min"), AppendedText("spo2_percent", "%")),
                row(AppendedText("systolic_bp", "mmHg"), AppendedText("diastolic_bp", "mmHg")),
            ),
            Fieldset(
                "Oxygen support",
                row("oxygen_support", AppendedText("oxygen_flow_l_min", "L/min")),
                row(AppendedText("fio2_percent", "%"), AppendedText("pao2_fio2_mmhg", "mmHg")),
                "who_score",
            ),
            Fieldset(
                "Symptoms",
                row("fever", "cough"),
                row("fatigue", "shortness_of_breath"),
                row("chest_tightness", "myalgia"),
                row("diarrhoea", "other_symptoms"),
                "other_symptoms_details",
            ),
        )


class LabResultForm(ParticipantRecordForm):
    submit_label = "Save result"

    class Meta:
        model = LabResult
        fields = ["analyte", "sample_datetime", "value", "detection_limit", "comment"]
        widgets = {"sample_datetime": DATETIME_WIDGET}

    def get_layout(self):
        return Layout(Fieldset("Result", row("analyte", "sample_datetime"), row("value", "detection_limit"), "comment"))


class ChestCtForm(ParticipantRecordForm):
    submit_label = "Save CT"

    class Meta:
        model = ChestCt
        fields = [
            "scan_date",
            "ground_glass_opacity",
            "consolidation",
            "crazy_paving",
            "pleural_effusion",
            "other_findings",
            "extent_score",
            "comparison",
        ]
        widgets = {"scan_date": DATE_WIDGET}

    def get_layout(self):
        return Layout(
            Fieldset("Scan", row("scan_date", "comparison")),
            Fieldset(
                "Findings",
                row("ground_glass_opacity", "consolidation"),
                row("crazy_paving", "pleural_effusion"),
                "other_findings",
                AppendedText("extent_score", "/ 25"),
            ),
        )


class AdverseEventForm(ParticipantRecordForm):
    submit_label = "Save adverse event"

    class Meta:
        model = AdverseEvent
        fields = [
            "term",
            "meddra_preferred_term",
            "meddra_code",
            "onset_datetime",
            "resolution_datetime",
            "grade",
            "serious",
            *[name for name, _ in SERIOUSNESS_CRITERIA],
            "relation",
            "attributed_to_progression",
            "expectedness",
            "action_taken",
            "outcome",
            "infusion",
            "site_aware_datetime",
            "reported_datetime",
        ]
        widgets = {
            name: DATETIME_WIDGET
            for name in ("onset_datetime", "resolution_datetime", "site_aware_datetime", "reported_datetime")
        }

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, participant=participant, **kwargs)
        # Only this participant's own infusions can be linked.
        self.fields["infusion"].queryset = participant.infusions.active()

    def get_layout(self):
        return Layout(
            Fieldset(
                "Event",
                "term",
                row("meddra_preferred_term", "meddra_code"),
                row("onset_datetime", "resolution_datetime"),
            ),
            Fieldset("Severity", row("grade", "outcome"), "serious", *[name for name, _ in SERIOUSNESS_CRITERIA]),
            Fieldset(
                "Causality",
                row("relation", "expectedness"),
                "attributed_to_progression",
                row("action_taken", "infusion"),
            ),
            Fieldset("Serious adverse event reporting", row("site_aware_datetime", "reported_datetime")),
        )


class LabSampleForm(forms.Form):
    """One sample, several analytes: one field per analyte of the catalogue, grouped, units beside them."""

    sample_datetime = forms.DateTimeField(label="Sample date and time", widget=DATETIME_WIDGET)

    def __init__(self, *args, participant, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant, self.user = participant, user
        self.analytes = list(Analyte.objects.order_by("display_order"))
        groups = {}
        for analyte in self.analytes:
            self.fields[analyte.code] = forms.DecimalField(
                label=analyte.name, required=False, max_digits=10, decimal_places=3
            )
            groups.setdefault(analyte.get_group_display(), []).append(AppendedText(analyte.code, analyte.unit))
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset("Sample", "sample_datetime"),
            *[
                Fieldset(title, *[row(*fields[i : i + 2]) for i in range(0, len(fields), 2)])
                for title, fields in groups.items()
            ],
        )
        self.helper.add_input(Submit(ParticipantRecordForm.SUBMIT_BUTTON, "Submit results"))
        self.helper.add_input(
            Submit(ParticipantRecordForm.DRAFT_BUTTON, "Save as drafts", css_class="btn-outline-secondary")
        )

    def save(self):
        values = {a.code: self.cleaned_data[a.code] for a in self.analytes if self.cleaned_data.get(a.code) is not None}
        try:
            return lab_sample_record(
                participant=self.participant,
                sample_datetime=self.cleaned_data["sample_datetime"],
                values=values,
                user=self.user,
                submit=ParticipantRecordForm.DRAFT_BUTTON not in self.data,
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(None if field == "__all__" else field, message)
            return None
