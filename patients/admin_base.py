"""Admin behaviour every clinical model shares: site scoping, a reason for every change, no delete.

dosing and outcomes admins subclass ``ClinicalRecordAdmin`` / ``ReasonedInline`` so the rules hold
for every case report form without repeating them.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten, unquote
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from import_export.admin import ExportMixin, ImportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm
from import_export.tmp_storages import CacheStorage
from simple_history.admin import SimpleHistoryAdmin

from patients.casebook import review
from patients.casebook import services as casebook_services
from patients.casebook.records import ParticipantRecord
from patients.casebook.saving import record_save
from patients.casebook.sites import site_ids_for
from patients.export_resources import export_resource_for
from patients.forms import ClinicalFormMixin
from patients.import_formats import IMPORT_FORMATS, ImportFileRefused
from patients.models import Participant, Site

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
    ones), and fail with a 500 on an id that is not one. Nothing here is deleted, so an object outside the
    user's scope, or a malformed id, is simply not found. Every admin with a history uses this class."""

    def _check_in_scope(self, request, object_id):
        # get_object: the user's queryset, and None (not a 500) for an id that is not one ("abc", "1.5").
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._check_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_in_scope(request, object_id)
        if not str(version_id).isdigit():
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


class ClinicalExportMixin(ExportMixin):
    """Export of the filtered changelist (CSV, XLSX) with the model's export resource, offered only to
    roles with the export permission; the queryset is the changelist's, so site scoping holds."""

    export_formats = [CSV, XLSX]

    def has_export_permission(self, request):
        return request.user.has_perm("patients.export_data")

    def get_export_resource_classes(self, request):
        return [export_resource_for(self.model)]

    def get_export_queryset(self, request):
        # Natural keys are read through relations: one query for the export, not one per row.
        return super().get_export_queryset(request).select_related(*export_resource_for(self.model).related_paths)


class SizeLimitedImportForm(ImportForm):
    """The import form, refusing a file over CRF_IMPORT_MAX_MB before it is read into memory."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = getattr(settings, "CRF_IMPORT_MAX_MB", 10)
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                f"This file is {upload.size / 1024 / 1024:.1f} MB; an import takes at most {limit} MB. "
                "Split it into smaller files."
            )
        return upload


class ImportFileGone(Exception):
    """The file a preview showed is no longer held (expired, culled, or the confirmation posted twice)."""


class SharedImportFileStorage(CacheStorage):
    """Holds an uploaded import file between its preview and its confirmation in the shared cache (a
    database table, settings.CACHES), so the confirmation may reach another app server than the preview."""

    def read(self):
        data = super().read()
        if data is None:
            raise ImportFileGone(self.name)
        return data


class ClinicalImportMixin(ImportMixin):
    """Bulk load into a clinical model (its resource subclasses patients.resources.ClinicalRecordResource):
    only for roles that may add and change the records, scoped to the importing user's sites."""

    import_export_change_list_template = "admin/import_export/change_list_import_export.html"
    import_form_class = SizeLimitedImportForm
    import_formats = IMPORT_FORMATS

    def has_import_permission(self, request):
        label, name = self.opts.app_label, self.opts.model_name
        return request.user.has_perm(f"{label}.add_{name}") and request.user.has_perm(f"{label}.change_{name}")

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportFileRefused):
            form.add_error("import_file", f"{e} Nothing was imported.")
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except ImportFileGone:
            messages.error(
                request,
                "The previewed file is no longer held (a preview is kept for a day, and a confirmed import "
                "only once). Nothing was imported: upload the file again.",
            )
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")


class ClinicalRecordAdmin(ClinicalExportMixin, ScopedHistoryAdmin):
    """Base admin for clinical models: scoped to the user's sites, audited, never deleted, exported."""

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
        return super().formfield_for_foreignkey(db_field, request, **_scope_foreign_key(db_field, request, kwargs))


REVIEW_FIELDS = ["review_status", "verified_by", "verified_datetime", "review_changed_by", "review_changed_datetime"]


class ReviewedRecordAdmin(ClinicalRecordAdmin):
    """Admin of a case report form under review (patients.casebook.reviewed.CaseReportForm): the status in the list
    and its filter, a review page per record (every step, with a reason where one is needed), and bulk
    submit / verify / lock actions. Each step goes through casebook_services.record_review, so the role rules and
    the audit trail are the same as everywhere else; a record an action may not move is reported, not skipped
    silently."""

    history_list_display = ["review_status", "history_change_reason", "answers_query"]
    actions = ["submit_selected", "verify_selected", "lock_selected"]

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        at = shown.index("voided") if "voided" in shown else len(shown)
        return [*shown[:at], "review_status", *shown[at:]]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), "review_status"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *(REVIEW_FIELDS if obj else [])]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, ("Review", {"fields": REVIEW_FIELDS})]

    def get_fields(self, request, obj=None):
        # The review fields are shown in their own fieldset (get_fieldsets), not among the data.
        return [f for f in super().get_fields(request, obj) if f not in REVIEW_FIELDS]

    def has_change_permission(self, request, obj=None):
        # A locked record is shown read-only (the model refuses the write anyway; this shows why).
        if obj is not None and obj.review_status == "locked":
            return False
        return super().has_change_permission(request, obj)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_review",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        extra_context["review_url"] = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_review", args=[object_id]
        )
        return super().change_view(request, object_id, form_url, extra_context)

    def review_view(self, request, object_id):
        """One record's review: its status, who verified it, its review steps so far, and the steps this
        user may take now (a reason box where the step needs one)."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        edit_permission = f"{self.opts.app_label}.change_{self.opts.model_name}"
        error = ""
        if request.method == "POST":
            try:
                casebook_services.record_review(
                    record=obj,
                    user=request.user,
                    step=request.POST.get("step", ""),
                    reason=request.POST.get("reason", ""),
                )
            except (ValidationError, PermissionDenied) as exc:
                error = " ".join(getattr(exc, "messages", None) or [str(exc)])
            else:
                self.message_user(request, f"{obj}: {review.BY_NAME[request.POST['step']].done}.", messages.SUCCESS)
                return redirect(request.path)
        steps = [] if obj.voided else review.available(obj.review_status, request.user.has_perm, edit_permission)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": f"Review: {obj}",
            "steps": steps,
            "error": error,
            "history": obj.history.select_related("history_user").order_by("-history_id")[:50],
            "casebook_lock": obj.casebook_lock_message(),
        }
        return TemplateResponse(request, "admin/clinical_record/review.html", context)

    # Bulk actions: each shown only to the role that may take the step.
    def has_submit_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    def has_verify_permission(self, request):
        return request.user.has_perm("patients.verify_data")

    def has_lock_permission(self, request):
        return request.user.has_perm("patients.lock_casebook")

    @admin.action(description="Submit the selected drafts", permissions=["submit"])
    def submit_selected(self, request, queryset):
        self._take_step(request, queryset, "submit")

    @admin.action(description="Verify the selected records (SDV done)", permissions=["verify"])
    def verify_selected(self, request, queryset):
        self._take_step(request, queryset, "verify")

    @admin.action(description="Lock the selected verified records", permissions=["lock"])
    def lock_selected(self, request, queryset):
        self._take_step(request, queryset, "lock")

    def _take_step(self, request, queryset, step):
        transition = review.BY_NAME[step]
        moved, refused = 0, []
        # Casebook by casebook in one order (each step takes its casebook's write turn and keeps it until
        # the request commits): two bulk actions over overlapping selections queue instead of deadlocking.
        for record in queryset.select_related("participant").order_by("participant_id", "pk"):
            try:
                casebook_services.record_review(record=record, user=request.user, step=step, reason="")
            except (ValidationError, PermissionDenied) as exc:
                refused.append(f"{record}: {' '.join(getattr(exc, 'messages', None) or [str(exc)])}")
            else:
                moved += 1
        if moved:
            self.message_user(request, f"{moved} {self._plural(moved)} {transition.done}.", messages.SUCCESS)
        if refused:
            shown = "; ".join(refused[:10]) + (f"; and {len(refused) - 10} more" if len(refused) > 10 else "")
            self.message_user(
                request, f"{len(refused)} {self._plural(len(refused))} not {transition.done}: {shown}", messages.WARNING
            )

    def _plural(self, count):
        return self.opts.verbose_name if count == 1 else self.opts.verbose_name_plural
