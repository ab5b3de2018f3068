"""The investigator's signatures, to read (signing needs the password, on the participant page)."""

from django.contrib import admin

from patients.admin_base.records import ClinicalRecordAdmin
from patients.casebook.signatures import CasebookSignature


@admin.register(CasebookSignature)
class CasebookSignatureAdmin(ClinicalRecordAdmin):
    list_display = ["participant", "signed_by", "signed_datetime", "meaning", "valid", "invalidated_datetime"]
    list_filter = ["participant__site", ("invalidated_datetime", admin.EmptyFieldListFilter)]
    search_fields = ["participant__study_id"]
    list_select_related = ["participant", "signed_by"]
    readonly_fields = [
        "participant",
        "signed_by",
        "signed_datetime",
        "meaning",
        "invalidated_datetime",
        "invalidated_reason",
    ]

    def has_add_permission(self, request):
        return False  # signing needs the password: it is done on the participant page

    @admin.display(boolean=True)
    def valid(self, obj):
        return obj.valid
