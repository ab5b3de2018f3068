"""Clinician forms for the endpoint and follow-up case report forms (outcomes/models/endpoints.py,
outcomes/models/follow_up.py) and for a visit recorded as missed: units beside each field, numeric keyboards,
usable at 360 px. The rules are the models' and the services'; these only lay the fields out."""

from crispy_forms.bootstrap import AppendedText
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms

from outcomes.choices import MissedVisitReason
from outcomes.models import DyspnoeaGrade, FollowUpVisit, LungFunction, QuantitativeCt, SixMinuteWalk
from patients.casebook.forms import DATE_WIDGET, ParticipantRecordForm, ServiceErrorsMixin, row
from patients.casebook.registry import registry
from patients.casebook.schedule import Visit


class EndpointForm(ParticipantRecordForm):
    """The visit it was done for (only visits that expect this form) and, outside that visit's window, why."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        key = registry.for_model(self._meta.model).key
        self.fields["visit"].queryset = Visit.objects.filter(expected_forms__crf_key=key)
        self.fields["deviation_reason"].widget = forms.Textarea(attrs={"rows": 2})

    def visit_fieldset(self):
        return Fieldset("Visit", row("visit"), "deviation_reason")


def _numeric(form, *names, decimal=True):
    # A phone shows its number pad for these.
    for name in names:
        form.fields[name].widget.attrs["inputmode"] = "decimal" if decimal else "numeric"


class QuantitativeCtForm(EndpointForm):
    submit_label = "Save quantitative CT"

    class Meta:
        model = QuantitativeCt
        fields = [
            "visit",
            "scan_date",
            "lesion_percent",
            "solid_percent",
            "ground_glass_percent",
            "software",
            "reader",
            "deviation_reason",
        ]
        widgets = {"scan_date": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _numeric(self, "lesion_percent", "solid_percent", "ground_glass_percent")

    def get_layout(self):
        return Layout(
            self.visit_fieldset(),
            Fieldset("Scan", row("scan_date")),
            Fieldset(
                "Lesion volume (% of lung volume)",
                AppendedText("lesion_percent", "%"),
                row(AppendedText("solid_percent", "%"), AppendedText("ground_glass_percent", "%")),
            ),
            Fieldset("Reading", row("software", "reader")),
        )


class SixMinuteWalkForm(EndpointForm):
    submit_label = "Save walk test"

    class Meta:
        model = SixMinuteWalk
        fields = [
            "visit",
            "test_date",
            "distance_m",
            "spo2_before",
            "spo2_after",
            "heart_rate_before",
            "heart_rate_after",
            "borg_dyspnoea",
            "stopped_early",
            "stop_reason",
            "oxygen_used",
            "oxygen_flow_l_min",
            "deviation_reason",
        ]
        widgets = {"test_date": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _numeric(
            self, "distance_m", "spo2_before", "spo2_after", "heart_rate_before", "heart_rate_after", decimal=False
        )
        _numeric(self, "borg_dyspnoea", "oxygen_flow_l_min")

    def get_layout(self):
        return Layout(
            self.visit_fieldset(),
            Fieldset("Walk", row("test_date", AppendedText("distance_m", "m"))),
            Fieldset(
                "Before and after",
                row(AppendedText("spo2_before", "%"), AppendedText("spo2_after", "%")),
                row(AppendedText("heart_rate_before", "/min"), AppendedText("heart_rate_after", "/min")),
                AppendedText("borg_dyspnoea", "/ 10"),
            ),
            Fieldset(
                "Conditions",
                row("stopped_early", "stop_reason"),
                row("oxygen_used", AppendedText("oxygen_flow_l_min", "L/min")),
            ),
        )


class LungFunctionForm(EndpointForm):
    submit_label = "Save lung function"

    class Meta:
        model = LungFunction
        fields = [
            "visit",
            "test_date",
            "fvc_l",
            "fvc_pct_predicted",
            "fev1_l",
            "fev1_pct_predicted",
            "fev1_fvc_pct_predicted",
            "vc_max_l",
            "vc_max_pct_predicted",
            "dlco_mmol_min_kpa",
            "dlco_pct_predicted",
            "reference_equation",
            "reference_equation_other",
            "deviation_reason",
        ]
        widgets = {"test_date": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _numeric(self, "fvc_l", "fev1_l", "vc_max_l", "dlco_mmol_min_kpa")
        _numeric(
            self,
            "fvc_pct_predicted",
            "fev1_pct_predicted",
            "fev1_fvc_pct_predicted",
            "vc_max_pct_predicted",
            "dlco_pct_predicted",
            decimal=False,
        )

    def get_layout(self):
        return Layout(
            self.visit_fieldset(),
            Fieldset("Test", row("test_date")),
            Fieldset(
                "Spirometry (measured, % predicted)",
                row(AppendedText("fvc_l", "L"), AppendedText("fvc_pct_predicted", "%")),
                row(AppendedText("fev1_l", "L"), AppendedText("fev1_pct_predicted", "%")),
                AppendedText("fev1_fvc_pct_predicted", "%"),
                row(AppendedText("vc_max_l", "L"), AppendedText("vc_max_pct_predicted", "%")),
            ),
            Fieldset(
                "Transfer factor",
                row(AppendedText("dlco_mmol_min_kpa", "mmol/min/kPa"), AppendedText("dlco_pct_predicted", "%")),
            ),
            Fieldset("Reference values", row("reference_equation", "reference_equation_other")),
        )


class DyspnoeaGradeForm(EndpointForm):
    submit_label = "Save mMRC grade"

    class Meta:
        model = DyspnoeaGrade
        fields = ["visit", "assessment_date", "grade", "deviation_reason"]
        # Five answers: one tap each.
        widgets = {"assessment_date": DATE_WIDGET, "grade": forms.RadioSelect}

    def get_layout(self):
        return Layout(self.visit_fieldset(), Fieldset("mMRC dyspnoea", "assessment_date", "grade"))


class FollowUpVisitForm(EndpointForm):
    submit_label = "Save follow-up visit"

    class Meta:
        model = FollowUpVisit
        fields = [
            "visit",
            "visit_date",
            "vital_status",
            "readmitted",
            "readmission_details",
            "new_symptoms",
            "new_symptoms_details",
            "home_oxygen",
            "deviation_reason",
        ]
        widgets = {"visit_date": DATE_WIDGET}

    def get_layout(self):
        return Layout(
            self.visit_fieldset(),
            Fieldset("Contact", row("visit_date", "vital_status")),
            Fieldset(
                "Since the last visit",
                row("readmitted", "readmission_details"),
                row("new_symptoms", "new_symptoms_details"),
            ),
            Fieldset("Now", "home_oxygen"),
        )


class MissedVisitForm(ServiceErrorsMixin, forms.Form):
    """A scheduled visit recorded as missed (outcomes.services.visit_record_missed decides)."""

    reason = forms.ChoiceField(choices=MissedVisitReason.choices, widget=forms.RadioSelect)
    details = forms.CharField(required=False, max_length=200, help_text="Required for 'Other'. No identifying details.")

    def __init__(self, *args, visit_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(Fieldset(f"{visit_label} missed", "reason", "details"))
        self.helper.add_input(Submit("save", "Record as missed"))
