"""Clinician forms for the outcomes CRFs: sections, units beside each field, usable at 360 px."""

import datetime

from crispy_forms.bootstrap import AppendedText
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from outcomes.carry_forward import carried_values, previous_observation, unchanged
from outcomes.choices import SERIOUSNESS_CRITERIA
from outcomes.models import SYMPTOMS, AdverseEvent, Analyte, ChestCt, DailyObservation, LabResult
from outcomes.rules import VITAL_SIGNS
from outcomes.services import lab_sample_record
from patients.casebook.forms import DATE_WIDGET, DATETIME_WIDGET, ParticipantRecordForm, row
from patients.casebook.saving import attach, context_of


class DailyObservationForm(ParticipantRecordForm):
    submit_label = "Save observation"
    # "Save and next": saved, then on to the next participant whose observation is due today.
    NEXT_BUTTON = "save_next"
    # "Copy the vital signs" (a link to the new page with this set): yesterday's vital signs carried too.
    CARRY_VITALS = "carry_vitals"
    query_initial = (CARRY_VITALS,)

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
        widgets = {
            "observation_date": DATE_WIDGET,
            # One tap each (thumb-sized segmented buttons: the layout's "segmented" box, static/css/crf.css),
            # not a drop-down of two taps.
            **{name: forms.RadioSelect for name, _ in SYMPTOMS},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("temperature_c", "oxygen_flow_l_min"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"
        for name in VITAL_SIGNS[1:] + ("fio2_percent", "pao2_fio2_mmhg", "who_score"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        for name, _ in SYMPTOMS:
            # Django's RadioSelect offers a blank choice for a required field with choices: not an answer.
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]
        # The ward's first job: the first vital sign, ready for typing (unless correcting a queried field).
        if self.answering is None:
            self.fields["temperature_c"].widget.attrs["autofocus"] = True
        self.carried = {}
        self.previous = None
        if not self.instance.pk:
            self._carry_forward()
            self.helper.inputs.insert(0, Submit(self.NEXT_BUTTON, "Save and next"))

    def _carry_forward(self):
        """Start from the previous day's values the protocol lets stay the same, each marked, with one
        confirmation for them all. A submitted form carries from the day its page said (the hidden
        ``carried_from``), whatever date the user then gave; a client that sent no such day carried nothing
        (every value is its own), so there is nothing to confirm."""
        self.previous = self._carried_source()
        if self.previous is None:
            return
        vital_signs = self._wants_vital_signs()
        self.carried = carried_values(self.previous, vital_signs=vital_signs)
        since = f"{self.previous.observation_date:%d %b}"
        for name, value in self.carried.items():
            if not self.is_bound:
                self.initial[name] = value
            field = self.fields[name]
            # A data attribute, not a class: crispy's radio template writes its own class attribute.
            field.widget.attrs["data-carried"] = since
            field.help_text = f"Carried from {since}. " + (field.help_text or "")
        self.fields["confirm_carried"] = forms.BooleanField(
            label=f"The values carried from {since} (marked) are still true today",
            help_text="One check for the whole form: change any that are not. Enter here checks it and saves.",
            # static/js/crf.js: Enter on the check checks it and saves with the form's first button, "Save and
            # next": the keyboard round is the values, Tab, Enter (issue 28, 9). An act on the check itself,
            # not Enter in a vital sign, which a hand presses to finish a number.
            widget=forms.CheckboxInput(attrs={"data-enter-saves": "true"}),
        )
        self.fields["carried_from"] = forms.DateField(widget=forms.HiddenInput, initial=self.previous.observation_date)
        self.fields[self.CARRY_VITALS] = forms.BooleanField(
            required=False, widget=forms.HiddenInput, initial=vital_signs
        )
        # Where the hand is (issue 28, 9): right after the vital signs, the values typed every day, not after
        # the symptoms (16 Tab stops away, the form's end on a phone).
        vitals_at = next(
            i for i, part in enumerate(self.helper.layout.fields) if getattr(part, "legend", "") == "Vital signs"
        )
        self.helper.layout.insert(
            vitals_at + 1,
            Fieldset(
                "Carried forward", "confirm_carried", "carried_from", self.CARRY_VITALS, css_class="carried-confirm"
            ),
        )
        if not vital_signs:
            vitals = next(part for part in self.helper.layout.fields if getattr(part, "legend", "") == "Vital signs")
            # Before the first vital sign (focused on load), so it costs the keyboard no Tab stop on the way from
            # the last one to the carried values' check.
            vitals.fields.insert(
                0,
                HTML(
                    f'<p class="mb-2"><a class="btn btn-sm btn-outline-secondary" id="copy-vital-signs" '
                    f'href="?{self.CARRY_VITALS}=1">Copy the vital signs of {since}</a></p>'
                ),
            )

    def _wants_vital_signs(self) -> bool:
        """Whether the user asked for the previous day's vital signs: on the page (the link sets the initial
        value) and then in what it posts (the hidden field)."""
        if self.is_bound:
            asked = self.data.get(self.add_prefix(self.CARRY_VITALS))
        else:
            asked = self.initial.get(self.CARRY_VITALS)
        return str(asked).lower() in {"1", "true", "on"}

    def _carried_source(self):
        participant = self.instance.participant
        if not self.is_bound:
            day = self.initial.get("observation_date") or timezone.localdate()
            return previous_observation(participant, day) if isinstance(day, datetime.date) else None
        sent = self.data.get(self.add_prefix("carried_from"))
        if not sent:
            return None
        try:
            day = forms.DateField().clean(sent)
        except forms.ValidationError:
            return None
        found = DailyObservation.objects.active().filter(participant=participant, observation_date=day).first()
        if found is None:
            # The day the page carried from was voided meanwhile: its values are not a record's any more.
            self.stale = day
        return found

    stale = None

    def clean(self):
        cleaned = super().clean()
        if self.stale is not None:
            self.add_error(
                None,
                forms.ValidationError(
                    f"The observation of {self.stale:%Y-%m-%d} this form carried values from was voided since it "
                    "was opened: reload the form.",
                    code="carried_stale",
                ),
            )
        return cleaned

    def apply_entry_choices(self) -> None:
        super().apply_entry_choices()
        if self.instance.pk:
            return  # a correction keeps what was carried when the record was entered (its audit says so)
        kept = unchanged(self.carried, self.cleaned_data) if self.carried else []
        self.instance.carried_from = self.previous.observation_date if kept else None
        self.instance.carried_fields = ",".join(kept)
        if kept:
            reason = (
                f"Entered with {len(kept)} values carried forward from {self.previous.observation_date:%Y-%m-%d}, "
                "confirmed"
            )
            attach(self.instance, context_of(self.instance).with_reason(reason))

    def wants_next(self) -> bool:
        return self.NEXT_BUTTON in self.data

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
                Div(
                    row("fever", "cough"),
                    row("fatigue", "shortness_of_breath"),
                    row("chest_tightness", "myalgia"),
                    row("diarrhoea", "other_symptoms"),
                    css_class="segmented",
                ),
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
