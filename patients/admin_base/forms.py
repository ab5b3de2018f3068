"""The admin's forms of a clinical record: a reason for every change (also for inline rows)."""

from django import forms

from patients.casebook.forms import ClinicalFormMixin

REASON_FIELD = "change_reason"


class ClinicalRecordAdminForm(ClinicalFormMixin, forms.ModelForm):
    change_reason = forms.CharField(
        label="Reason for change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when changing a saved record; kept in the audit trail.",
    )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.has_changed() and not (cleaned.get(REASON_FIELD) or "").strip():
            self.add_error(REASON_FIELD, "Give the reason for this change; it is kept in the audit trail.")
        return cleaned

    def has_changed(self):
        return any(name not in (REASON_FIELD, self.VERSION_FIELD) for name in self.changed_data)


class ReasonedInlineFormSet(forms.BaseInlineFormSet):
    """Changes to saved inline rows take the reason given on the parent form (same POST)."""

    def clean(self):
        super().clean()
        changed_existing = [f for f in self.initial_forms if f.has_changed()]
        if changed_existing and not (self.data.get(REASON_FIELD) or "").strip():
            raise forms.ValidationError(
                "You changed saved rows here: give the reason for change in the form above.", code="reason_required"
            )
