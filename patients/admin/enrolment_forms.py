"""The admin of the enrolment forms: eligibility answers, consent, withdrawal and end of study."""

from django.contrib import admin

from patients.admin_base.records import ClinicalRecordAdmin
from patients.admin_base.reviewed import ReviewedRecordAdmin
from patients.models import (
    Consent,
    EligibilityAnswer,
    EndOfStudy,
    Withdrawal,
)


@admin.register(EligibilityAnswer)
class EligibilityAnswerAdmin(ClinicalRecordAdmin):
    list_display = ["participant", "criterion", "answer", "voided"]
    list_filter = ["criterion", "answer", "participant__site"]
    search_fields = ["participant__study_id"]
    list_select_related = ["participant"]


@admin.register(Consent)
class ConsentAdmin(ReviewedRecordAdmin):
    list_display = ["participant", "consent_datetime", "form_version", "given_by", "voided"]
    list_filter = ["form_version", "given_by", "participant__site"]
    search_fields = ["participant__study_id"]
    list_select_related = ["participant"]


@admin.register(Withdrawal)
class WithdrawalAdmin(ReviewedRecordAdmin):
    list_display = ["participant", "withdrawal_date", "reason", "voided"]
    list_filter = ["reason", "participant__site"]
    search_fields = ["participant__study_id"]
    list_select_related = ["participant"]
    # A new withdrawal ends follow-up through its service (patients/crfs.py), which records who recorded it.
    service_fields = ("recorded_by",)
    fixed_fields = ("participant",)


@admin.register(EndOfStudy)
class EndOfStudyAdmin(ReviewedRecordAdmin):
    list_display = ["participant", "end_reason", "end_date", "voided"]
    list_filter = ["end_reason", "participant__site", "participant__arm"]
    search_fields = ["participant__study_id"]
    list_select_related = ["participant"]
    # A new end of study closes follow-up through its service (patients/crfs.py).
    service_fields = ("recorded_by",)
    fixed_fields = ("participant",)
