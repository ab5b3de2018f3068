"""The participant admin as coordinators see it: enrolment (patients), the infusion schedule and infusions
(dosing), adverse events, CT and daily observations (outcomes). Composed here, on the top floor,
because patients may not import the apps above it."""

from django.contrib import admin

from dosing.admin import due_badge
from dosing.models import Infusion, PlannedInfusion
from outcomes.models import AdverseEvent, ChestCt, DailyObservation
from patients.admin import ParticipantAdmin as EnrolmentParticipantAdmin
from patients.models import Participant


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).active()


class PlannedInfusionInline(ReadOnlyInline):
    model = PlannedInfusion
    verbose_name_plural = "infusion schedule"
    fields = ["sequence_number", "planned_date", "window", "status", "due", "status_reason"]
    readonly_fields = fields

    @admin.display(description="window")
    def window(self, obj):
        return f"{obj.window_start:%Y-%m-%d} to {obj.window_end:%Y-%m-%d}"

    @admin.display(description="due")
    def due(self, obj):
        return due_badge(obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("regimen")


class DailyObservationInline(ReadOnlyInline):
    model = DailyObservation
    fields = ["observation_date", "oxygen_support", "who_score", "spo2_percent", "temperature_c"]
    readonly_fields = fields


class ChestCtInline(ReadOnlyInline):
    model = ChestCt
    verbose_name_plural = "chest CT"
    fields = ["scan_date", "extent_score", "comparison"]
    readonly_fields = fields


class AdverseEventInline(ReadOnlyInline):
    model = AdverseEvent
    fields = ["term", "onset_datetime", "grade", "serious", "relation", "infusion", "outcome"]
    readonly_fields = fields


class InfusionInline(ReadOnlyInline):
    model = Infusion
    fields = [
        "sequence_number",
        "start_datetime",
        "cells_administered_millions",
        "lot_number",
        "viability_percent",
        "ecg",
    ]
    readonly_fields = fields


admin.site.unregister(Participant)


@admin.register(Participant)
class ParticipantAdmin(EnrolmentParticipantAdmin):
    inlines = [
        *EnrolmentParticipantAdmin.inlines,
        PlannedInfusionInline,
        InfusionInline,
        AdverseEventInline,
        ChestCtInline,
        DailyObservationInline,
    ]
    change_form_template = "admin/ucmsc_crf/participant_change_form.html"
