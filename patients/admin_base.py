"""Admin behaviour every clinical model shares: site scoping, a reason for every change, no delete.

dosing and outcomes admins subclass ``ClinicalRecordAdmin`` / ``ReasonedInline`` so the rules hold
for every case report form without repeating them.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten, unquote
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from patients.access import site_ids_for
from patients.forms import ClinicalFormMixin
from patients.models import Participant, Site
from patients.records import ParticipantRecord

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
            raise forms.ValidationError("You changed saved rows here: give the reason for change in the form above.")


def _scope_foreign_key(db_field, request, kwargs):
    if db_field.related_model is get_user_model():
        # "Screened by", "obtained by": people who work at the user's sites, not every account.
        site_ids = site_ids_for(request.user)
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        if site_ids is not None:
            users = users.filter(site_memberships__site_id__in=site_ids).distinct()
        kwargs["queryset"] = users
    elif db_field.name == "participant":
        kwargs["queryset"] = Participant.objects.for_user(request.user).active()
    elif issubclass(db_field.related_model, ParticipantRecord):
        # e.g. the infusion a deviation concerns: only records of the user's sites.
        kwargs["queryset"] = db_field.related_model.objects.for_user(request.user).active()
    elif db_field.name == "site":
        kwargs["queryset"] = Site.objects.for_user(request.user)
    return kwargs


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    """simple_history's history views look objects up without ``get_queryset`` (so as to show deleted
    ones). Nothing here is deleted, so an object outside the user's scope is simply not found."""

    def _check_in_scope(self, request, object_id):
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._check_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class ClinicalRecordAdmin(ScopedHistoryAdmin):
    """Base admin for clinical models: scoped to the user's sites, audited, never deleted."""

    form = ClinicalRecordAdminForm
    history_list_display = ["history_change_reason"]
    change_form_template = "admin/clinical_record/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        participant = obj.locking_participant() if obj is not None else None
        if (
            participant is not None
            and request.user.has_perm("patients.add_dataquery")
            and self.model._meta.model_name != "dataquery"
        ):
            content_type = ContentType.objects.get_for_model(self.model)
            extra_context["raise_query_url"] = (
                f"{reverse('admin:patients_dataquery_add')}?participant={participant.pk}"
                f"&content_type={content_type.pk}&object_id={obj.pk}"
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        # The opened version is part of the change page only (see ClinicalFormMixin).
        if obj is None and ClinicalFormMixin.VERSION_FIELD in fields:
            fields.remove(ClinicalFormMixin.VERSION_FIELD)
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        rendered = {name for _, options in fieldsets for name in flatten(options["fields"])}
        if obj is not None and ClinicalFormMixin.VERSION_FIELD not in rendered:
            fieldsets.append((None, {"fields": [ClinicalFormMixin.VERSION_FIELD], "classes": ["hidden"]}))
        return fieldsets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **_scope_foreign_key(db_field, request, kwargs))

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # A locked casebook is read-only here too (the model refuses the write anyway; this shows why).
        if obj is not None and obj.casebook_lock_message():
            return False
        return super().has_change_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return  # Nothing to record; a save without a change would need an invented reason.
        obj._change_reason = form.cleaned_data.get(REASON_FIELD) or (
            "Changed in admin" if change else "Created in admin"
        )
        obj._history_user = request.user
        obj.save()

    def save_formset(self, request, form, formset, change):
        reason = (form.cleaned_data.get(REASON_FIELD) or "").strip()
        for instance in formset.save(commit=False):
            instance._history_user = request.user
            instance._change_reason = reason or "Created in admin"
            instance.save()
        formset.save_m2m()


class ReasonedInline(admin.TabularInline):
    formset = ReasonedInlineFormSet
    extra = 0

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.casebook_lock_message():
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        if obj is not None and obj.casebook_lock_message():
            return False
        return super().has_add_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **_scope_foreign_key(db_field, request, kwargs))
