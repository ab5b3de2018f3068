"""Export and import of clinical records in the admin (django-import-export): who may, which formats, how
large a file, and where an uploaded file waits between its preview and its confirmation."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from import_export.admin import ExportMixin, ImportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm
from import_export.tmp_storages import CacheStorage

from patients.casebook.blinding import BlindingPolicy
from patients.casebook.exports import export_resource_for
from patients.import_formats import IMPORT_FORMATS, ImportFileRefused


class ClinicalExportMixin(ExportMixin):
    """Export of the filtered changelist (CSV, XLSX) with the model's export resource, offered only to
    roles with the export permission; the queryset is the changelist's, so site scoping holds."""

    export_formats = [CSV, XLSX]

    def has_export_permission(self, request):
        return request.user.has_perm("patients.export_data")

    def get_export_resource_classes(self, request):
        return [export_resource_for(self.model, hidden=BlindingPolicy.of(request.user).hidden_fields(self.model))]

    def get_export_queryset(self, request):
        # Natural keys are read through relations: one query for the export, not one per row.
        (resource,) = self.get_export_resource_classes(request)
        return super().get_export_queryset(request).select_related(*resource.related_paths)


class SizeLimitedImportForm(ImportForm):
    """The import form, refusing a file over CRF_IMPORT_MAX_MB before it is read into memory."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = getattr(settings, "CRF_IMPORT_MAX_MB", 10)
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                f"This file is {upload.size / 1024 / 1024:.1f} MB; an import takes at most {limit} MB. "
                "Split it into smaller files.",
                code="file_too_large",
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
    """Bulk load into a clinical model (its resource subclasses patients.resources.FileImportResource: a
    casebook's records, or a paper archive's participants): only for roles that may add and change the
    records, scoped to the importing user's sites."""

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
            form.add_error("import_file", forms.ValidationError(f"{e} Nothing was imported.", code=e.code))
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
