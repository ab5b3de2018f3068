"""The admin of every clinical record: scoped, audited, voided instead of deleted, exported; and the read-only
and reasoned inlines."""

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from patients.admin_base.forms import REASON_FIELD, ClinicalRecordAdminForm, ReasonedInlineFormSet
from patients.admin_base.scoping import ScopedHistoryAdmin, scope_foreign_key
from patients.admin_base.transfer import ClinicalExportMixin
from patients.casebook import services as casebook_services
from patients.casebook.forms import ClinicalFormMixin
from patients.casebook.saving import record_save
from patients.models import Participant


class ClinicalRecordAdmin(ClinicalExportMixin, ScopedHistoryAdmin):
    """Base admin for clinical models: scoped to the user's sites, audited, never deleted, exported."""

    form = ClinicalRecordAdminForm
    history_list_display = ["history_change_reason"]
    # The page's own count only ("Show all" instead of "n total"): a second COUNT(*) over a whole table of
    # records on every list page grows with the trial (issue 19).
    show_full_result_count = False
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
            record = (
                "casebook" if obj.pk == participant.pk and self.model is Participant else f"{content_type.pk}:{obj.pk}"
            )
            extra_context["raise_query_url"] = (
                f"{reverse('admin:patients_dataquery_add')}?participant={participant.pk}&casebook_record={record}"
            )
        if (
            obj is not None
            and not obj.voided
            and request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")
        ):
            extra_context["void_url"] = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_void", args=[obj.pk]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/void/",
                self.admin_site.admin_view(self.void_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_void",
            ),
            *super().get_urls(),
        ]

    def void_view(self, request, object_id):
        """Void one record entered in error, with a reason (casebook_services.record_void: the role, the site and the
        record's own rules, e.g. an infusion's sequence, decide)."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}"):
            raise PermissionDenied
        error = ""
        if request.method == "POST":
            try:
                casebook_services.record_void(record=obj, user=request.user, reason=request.POST.get("reason", ""))
            except (ValidationError, PermissionDenied) as exc:
                error = " ".join(getattr(exc, "messages", None) or [str(exc)])
            else:
                self.message_user(request, f"{obj}: voided.", messages.SUCCESS)
                return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": f"Void: {obj}",
            "error": error,
        }
        return TemplateResponse(request, "admin/clinical_record/void.html", context)

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
        return super().formfield_for_foreignkey(db_field, request, **scope_foreign_key(db_field, request, kwargs))

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
        reason = form.cleaned_data.get(REASON_FIELD) or ("Changed in admin" if change else "Created in admin")
        record_save(obj, user=request.user, reason=reason)

    def save_formset(self, request, form, formset, change):
        reason = (form.cleaned_data.get(REASON_FIELD) or "").strip()
        for instance in formset.save(commit=False):
            record_save(instance, user=request.user, reason=reason or "Created in admin")
        formset.save_m2m()


class ReadOnlyInline(admin.TabularInline):
    """A participant's records of one form on the participant admin, to read (each links to its own page,
    where it is changed with a reason)."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).active()


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
        return super().formfield_for_foreignkey(db_field, request, **scope_foreign_key(db_field, request, kwargs))
