from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

from outcomes.models import AdverseEvent, Analyte, ChestCt, DailyObservation, LabResult
from outcomes.resources import DailyObservationResource, LabResultResource
from patients.admin_base.reviewed import ReviewedRecordAdmin
from patients.admin_base.scoping import ScopedHistoryAdmin
from patients.admin_base.transfer import ClinicalImportMixin


class WhoScoreFilter(admin.SimpleListFilter):
    title = "WHO clinical progression scale"
    parameter_name = "who_score"

    def lookups(self, request, model_admin):
        return [(str(score), str(score)) for score in range(0, 11)]

    def queryset(self, request, queryset):
        return queryset.filter(who_score=int(self.value())) if self.value() in {str(n) for n in range(11)} else queryset


@admin.register(DailyObservation)
class DailyObservationAdmin(ClinicalImportMixin, ReviewedRecordAdmin):
    resource_classes = [DailyObservationResource]
    list_display = [
        "participant",
        "observation_date",
        "study_day",
        "oxygen_support",
        "who_score",
        "spo2_percent",
        "temperature_c",
        "voided",
    ]
    # Filters that cost no query: the WHO scale's fixed values and date ranges, not a DISTINCT over every
    # observation (a "who_score" filter) or a date hierarchy (MIN/MAX and DISTINCT years), which grow with the
    # trial (issue 19).
    list_filter = [
        "oxygen_support",
        WhoScoreFilter,
        ("observation_date", admin.DateFieldListFilter),
        "participant__arm",
        "participant__site",
        "voided",
    ]
    search_fields = ["participant__study_id"]
    list_select_related = ["participant"]

    @admin.display(description="study day")
    def study_day(self, obj):
        return obj.study_day


@admin.register(Analyte)
class AnalyteAdmin(ScopedHistoryAdmin):
    list_display = [
        "code",
        "name",
        "group",
        "unit",
        "plausible_min",
        "plausible_max",
        "reference_low",
        "reference_high",
    ]
    list_filter = ["group"]

    def has_delete_permission(self, request, obj=None):
        return False


class OutsideReferenceFilter(admin.SimpleListFilter):
    title = "reference range"
    parameter_name = "reference"

    def lookups(self, request, model_admin):
        return [("outside", "Outside the reference range")]

    def queryset(self, request, queryset):
        if self.value() != "outside":
            return queryset
        return queryset.outside_reference()


@admin.register(LabResult)
class LabResultAdmin(ClinicalImportMixin, ReviewedRecordAdmin):
    resource_classes = [LabResultResource]
    list_display = ["participant", "analyte", "sample_datetime", "value", "unit", "detection_limit", "flag", "voided"]
    list_filter = [OutsideReferenceFilter, "analyte__group", "analyte", "participant__arm", "participant__site"]
    search_fields = ["participant__study_id", "analyte__name"]
    list_select_related = ["participant", "analyte"]
    readonly_fields = ["unit"]

    @admin.display(description="reference")
    def flag(self, obj):
        return "outside" if obj.outside_reference else ""


@admin.register(ChestCt)
class ChestCtAdmin(ReviewedRecordAdmin):
    list_display = ["participant", "scan_date", "extent_score", "comparison", "ground_glass_opacity", "consolidation"]
    list_filter = ["comparison", "participant__arm", "participant__site"]
    search_fields = ["participant__study_id"]
    list_select_related = ["participant"]


class SaeReportingFilter(admin.SimpleListFilter):
    title = "SAE reporting (24 h)"
    parameter_name = "sae_reporting"

    def lookups(self, request, model_admin):
        return [("late", "Reported late"), ("overdue", "Overdue, not reported"), ("due", "Due, within 24 h")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        now = timezone.now()
        keep = [e.pk for e in queryset.filter(serious=True) if e.sae_reporting_state(now) == self.value()]
        return queryset.filter(pk__in=keep)


SAE_BADGES = {
    "late": ("#ffffff", "#bf8700", "Late"),
    "overdue": ("#ffffff", "#cf222e", "Overdue"),
    "due": ("#9a6700", "#fff8c5", "Due"),
}


@admin.register(AdverseEvent)
class AdverseEventAdmin(ReviewedRecordAdmin):
    list_display = [
        "participant",
        "term",
        "onset_datetime",
        "grade",
        "serious",
        "relation",
        "infusion",
        "hours_after_infusion",
        "sae_reporting",
        "outcome",
        "voided",
    ]
    list_filter = [
        SaeReportingFilter,
        "serious",
        "grade",
        "relation",
        "attributed_to_progression",
        "participant__arm",
        "participant__site",
    ]
    search_fields = ["participant__study_id", "term", "meddra_preferred_term"]
    list_select_related = ["participant", "infusion"]

    @admin.display(description="hours after infusion")
    def hours_after_infusion(self, obj):
        return obj.onset_hours_after_infusion

    @admin.display(description="SAE report")
    def sae_reporting(self, obj):
        state = obj.sae_reporting_state()
        if not state:
            return "-"
        colour, background, label = SAE_BADGES[state]
        return format_html(
            '<span style="color:{};background:{};padding:1px 6px;border-radius:4px;font-weight:bold">{}</span>',
            colour,
            background,
            label,
        )
