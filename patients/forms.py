"""The enrolment forms of the ward: screening (with the eligibility questions), consent, enrolment and end
of study."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime

from patients.casebook.choices import Answer
from patients.casebook.forms import DATE_WIDGET, DATETIME_WIDGET, ParticipantRecordForm, ServiceErrorsMixin, row
from patients.eligibility import current_criteria
from patients.models import COMORBIDITY_FIELDS, Arm, Consent, EndOfStudy, Participant, Site, TrialDesign


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


COMORBIDITIES = list(COMORBIDITY_FIELDS)


class ScreeningForm(ServiceErrorsMixin, forms.ModelForm):
    """Screen a person: the screening data plus one yes / no question per eligibility criterion (the
    criteria come from patients/eligibility.py, so an amendment changes this form by itself)."""

    class Meta:
        model = Participant
        fields = [
            "site",
            "initials",
            "sex",
            "date_of_birth",
            "weight_kg",
            "height_cm",
            "admission_date",
            "symptom_onset_date",
            "severity",
            *COMORBIDITIES,
            "other_comorbidities",
            "screening_datetime",
        ]
        widgets = {
            "date_of_birth": DATE_WIDGET,
            "admission_date": DATE_WIDGET,
            "symptom_onset_date": DATE_WIDGET,
            "screening_datetime": DATETIME_WIDGET,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        sites = Site.objects.for_user(user)
        self.fields["site"].queryset = sites
        if len(sites) == 1:
            self.fields["site"].initial = sites[0].pk
        # The design's criteria (issue 29, 1: data in the admin, not code), read once for the form.
        self.criteria = current_criteria()
        for criterion in self.criteria:
            self.fields[self.criterion_field(criterion.code)] = forms.ChoiceField(
                label=criterion.text, choices=Answer.choices, widget=forms.RadioSelect
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset("Person", row("site", "initials"), row("sex", "date_of_birth"), row("weight_kg", "height_cm")),
            Fieldset("COVID-19", row("admission_date", "symptom_onset_date"), "severity"),
            Fieldset("Comorbidities", *[row(*COMORBIDITIES[i : i + 2]) for i in range(0, 6, 2)], "other_comorbidities"),
            Fieldset(
                "Inclusion criteria (each must be yes)",
                *[self.criterion_field(c.code) for c in self.criteria if c.required_answer == "yes"],
            ),
            Fieldset(
                "Exclusion criteria (each must be no)",
                *[self.criterion_field(c.code) for c in self.criteria if c.required_answer == "no"],
            ),
            Fieldset("Screening", "screening_datetime"),
        )
        self.helper.add_input(Submit("save", "Save screening"))

    @staticmethod
    def criterion_field(code: str) -> str:
        return f"criterion_{code}"

    def answers(self) -> dict[str, str]:
        return {c.code: self.cleaned_data[self.criterion_field(c.code)] for c in self.criteria}

    def participant_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name != "site"}

    def service_field(self, name: str) -> str:
        # A criterion's answer refused by the screening service: on that question.
        return self.criterion_field(name) if name in {c.code for c in self.criteria} else name


class ConsentForm(ParticipantRecordForm):
    submit_label = "Save consent"

    class Meta:
        model = Consent
        fields = ["consent_datetime", "form_version", "given_by", "representative_relationship"]
        widgets = {"consent_datetime": DATETIME_WIDGET}

    def __init__(self, *args, participant, user=None, **kwargs):
        super().__init__(*args, participant=participant, user=user, **kwargs)
        if not self.instance.pk:
            self.instance.obtained_by = user

    def get_layout(self):
        return Layout(
            Fieldset(
                "Informed consent",
                row("consent_datetime", "form_version"),
                row("given_by", "representative_relationship"),
            )
        )


class EnrolForm(ServiceErrorsMixin, forms.Form):
    """Enrol a screened person (patients.services.participant_enrol decides), on the ward or in the admin
    (``admin=True``: the admin's date and time widgets)."""

    arm = forms.ModelChoiceField(queryset=Arm.objects.all(), help_text="Assignment by the investigator.")
    enrolment_datetime = forms.DateTimeField(label="Enrolment date and time", widget=DATETIME_WIDGET)

    def __init__(self, *args, admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if admin:
            self.fields["enrolment_datetime"] = forms.SplitDateTimeField(
                label="Enrolment date and time", widget=AdminSplitDateTime
            )
        # In a randomised trial nobody chooses the arm, so the form does not offer one.
        self.randomised = TrialDesign.current().randomised
        if self.randomised:
            del self.fields["arm"]
        self.helper = FormHelper()
        fields = ("enrolment_datetime",) if self.randomised else ("arm", "enrolment_datetime")
        self.helper.layout = Layout(Fieldset("Enrolment", row(*fields)))
        self.helper.add_input(Submit("save", "Randomise and enrol" if self.randomised else "Enrol"))

    def requested_arm(self):
        return self.cleaned_data.get("arm")


class UnblindingRequestForm(ServiceErrorsMixin, forms.Form):
    """An investigator's emergency unblinding request (patients.unblinding.unblinding_request decides)."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The clinical emergency: why treatment depends on knowing the arm. Kept in the audit trail.",
    )
    alone = forms.BooleanField(
        label="Emergency: unblind now, without waiting for the approver",
        required=False,
        help_text="Only where the trial's design allows it; the approver reviews it after.",
    )

    def __init__(self, *args, allow_alone: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_alone:
            del self.fields["alone"]
        self.helper = FormHelper()
        self.helper.form_tag = False


class UnblindingDecisionForm(ServiceErrorsMixin, forms.Form):
    decision_note = forms.CharField(
        label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Required to refuse."
    )
