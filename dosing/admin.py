from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html

from dosing import pharmacy, services
from dosing.choices import PlannedInfusionStatus
from dosing.models import ArmRegimen, Infusion, PlannedInfusion, Preparation, ProtocolDeviation, Regimen
from dosing.resources import InfusionResource
from patients.admin_base.blinding import AllocationTableAdminMixin
from patients.admin_base.records import ClinicalRecordAdmin, ReadOnlyInline
from patients.admin_base.reviewed import ReviewedRecordAdmin
from patients.admin_base.scoping import ScopedHistoryAdmin
from patients.admin_base.transfer import ClinicalImportMixin
from patients.casebook.blinding import BlindingPolicy
from patients.models import Participant

DUE_BADGES = {
    "due": ("#9a6700", "#fff8c5", "Due"),
    "overdue": ("#ffffff", "#cf222e", "Overdue"),
}


def due_badge(planned: PlannedInfusion):
    state = planned.due_state()
    if not state:
        return "-"
    colour, background, label = DUE_BADGES[state]
    return format_html(
        '<span style="color:{};background:{};padding:1px 6px;border-radius:4px;font-weight:bold">{}</span>',
        colour,
        background,
        label,
    )


@admin.register(Regimen)
class RegimenAdmin(ScopedHistoryAdmin):
    list_display = [
        "code",
        "name",
        "number_of_infusions",
        "interval_days",
        "window_days",
        "min_gap_hours",
        "nominal_cells_millions",
        "dose_tolerance_percent",
        "min_viability_percent",
        "volume_ml",
        "use_within_hours",
    ]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Preparation)
class PreparationAdmin(AllocationTableAdminMixin, ClinicalRecordAdmin):
    """The pharmacy's record of each kit. What a kit holds is the allocation, so the whole table is hidden
    from blinded users (AllocationTableAdminMixin), exports included."""

    list_display = [
        "kit_code",
        "participant",
        "sequence_number",
        "contents",
        "cells_millions",
        "viability_percent",
        "released_datetime",
        "use_by_datetime",
        "given",
    ]
    list_filter = [("released_datetime", admin.EmptyFieldListFilter)]
    search_fields = ["kit_code", "participant__study_id", "product_lot"]
    list_select_related = ["participant__arm"]
    readonly_fields = ["use_by_datetime"]
    change_list_template = "admin/dosing/preparation/change_list.html"
    change_form_template = "admin/dosing/preparation/change_form.html"

    def get_urls(self):
        return [
            path("to-prepare/", self.admin_site.admin_view(self.to_prepare_view), name="dosing_preparation_to_prepare"),
            *super().get_urls(),
        ]

    def to_prepare_view(self, request):
        """The pharmacy's work list: each planned infusion without a kit, with what its kit must hold."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Kits to prepare",
            "kits": pharmacy.kits_to_prepare(request.user),
            "can_add": self.has_add_permission(request),
        }
        return TemplateResponse(request, "admin/dosing/preparation/to_prepare.html", context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # What the kit must hold, for the participant and infusion it is prepared for: the saved ones, or on
        # the add page those chosen (the work list's link, or the form posted).
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, object_id) if object_id else None
        source = request.POST if request.method == "POST" else request.GET
        participant_id = obj.participant_id if obj else source.get("participant", "")
        sequence = obj.sequence_number if obj else source.get("sequence_number", "")
        participant_id, sequence = _small_number(participant_id), _small_number(sequence)
        if participant_id is not None and sequence is not None:
            participant = Participant.objects.for_user(request.user).filter(pk=participant_id).first()
            if participant is not None:
                extra_context["to_prepare"] = pharmacy.what_to_prepare(request.user, participant, sequence)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        given = Infusion.objects.active().filter(preparation=OuterRef("pk"))
        return super().get_queryset(request).annotate(is_given=Exists(given))

    def get_changeform_initial_data(self, request):
        return {
            "prepared_by": request.user.pk,
            "prepared_datetime": timezone.now(),
            **super().get_changeform_initial_data(request),
        }

    @admin.display(description="contents")
    def contents(self, obj):
        return obj.participant.arm.get_treatment_display() if obj.participant.arm_id else "-"

    @admin.display(description="given", boolean=True)
    def given(self, obj):
        return obj.is_given


def _small_number(value) -> int | None:
    """A typed id or sequence number, or None for anything that is not one (the fuzz test's 5,000 digits)."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


@admin.register(ArmRegimen)
class ArmRegimenAdmin(AllocationTableAdminMixin, ScopedHistoryAdmin):
    list_display = ["arm", "regimen"]

    def has_delete_permission(self, request, obj=None):
        return False


class DueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("due", "Due (in window)"), ("overdue", "Overdue")]

    def queryset(self, request, queryset):
        if self.value() not in ("due", "overdue"):
            return queryset
        # Derived, not stored: filter the planned ones in Python (a site has few planned rows).
        keep = [p.pk for p in queryset.filter(status=PlannedInfusionStatus.PLANNED) if p.due_state() == self.value()]
        return queryset.filter(pk__in=keep)


@admin.register(PlannedInfusion)
class PlannedInfusionAdmin(ClinicalRecordAdmin):
    list_display = ["participant", "sequence_number", "planned_date", "window", "status", "due", "status_reason"]
    list_filter = [DueFilter, "status", "participant__arm", "participant__site"]
    search_fields = ["participant__study_id"]
    list_select_related = ["participant", "regimen"]
    readonly_fields = ["participant", "regimen", "sequence_number", "planned_date", "window", "due"]
    fields = ["participant", "regimen", "sequence_number", "planned_date", "window", "due", "status", "status_reason"]

    def has_add_permission(self, request):
        return False  # schedules are created at enrolment

    @admin.display(description="window")
    def window(self, obj):
        return f"{obj.window_start:%Y-%m-%d} to {obj.window_end:%Y-%m-%d}"

    @admin.display(description="due")
    def due(self, obj):
        return due_badge(obj)

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data and obj.status in (
            PlannedInfusionStatus.MISSED,
            PlannedInfusionStatus.CANCELLED,
        ):
            # Marking missed also records the protocol deviation.
            services.planned_infusion_mark(planned=obj, status=obj.status, reason=obj.status_reason, user=request.user)
            return
        super().save_model(request, obj, form, change)


class DeviationFilter(admin.SimpleListFilter):
    title = "protocol deviation"
    parameter_name = "deviation"

    def lookups(self, request, model_admin):
        return [("yes", "With deviation"), ("no", "On protocol")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_deviation=True)
        if self.value() == "no":
            return queryset.filter(has_deviation=False)
        return queryset


def _unused_product_fields(request) -> tuple[str, ...]:
    """What the ward does not record in this trial: the product in a blinded one (the pharmacy's), the kit's
    code in an open one. (The design is read once per request: the policy is kept on the user.)"""
    return Infusion.allocation_fields if BlindingPolicy.of(request.user).trial_blinded else ("kit_code",)


@admin.register(Infusion)
class InfusionAdmin(ClinicalImportMixin, ReviewedRecordAdmin):
    resource_classes = [InfusionResource]
    list_display = [
        "participant",
        "sequence_number",
        "planned",
        "start_datetime",
        "days_off",
        "kit_code",
        "cells_administered_millions",
        "lot_number",
        "viability_percent",
        "deviation",
        "voided",
    ]
    list_filter = [
        DeviationFilter,
        "participant__arm",
        "participant__status",
        "participant__site",
        "interrupted",
        "voided",
    ]
    search_fields = ["participant__study_id", "lot_number", "kit_code"]
    list_select_related = ["participant"]
    fieldsets = [
        (None, {"fields": ["participant", "sequence_number", "start_datetime", "end_datetime"]}),
        (
            # The kit's code in a blinded trial (the pharmacy records what it holds); the product otherwise.
            "Product",
            {
                "fields": [
                    "kit_code",
                    "cells_administered_millions",
                    "volume_ml",
                    "lot_number",
                    "viability_percent",
                    "route",
                    "premedication",
                    "administered_by",
                    "interrupted",
                    "interruption_reason",
                ]
            },
        ),
        (
            "Monitoring",
            {
                "fields": [
                    "ecg",
                    ("spo2_lowest", "spo2_highest"),
                    ("temperature_before_c", "temperature_after_c"),
                    ("heart_rate_before", "heart_rate_after"),
                    ("systolic_before", "diastolic_before"),
                    ("systolic_after", "diastolic_after"),
                    "infusion_associated_event",
                ]
            },
        ),
        ("Protocol deviation and audit", {"fields": ["deviation_reason", "change_reason"]}),
    ]

    def get_queryset(self, request):
        planned = PlannedInfusion.objects.filter(
            participant=OuterRef("participant"), sequence_number=OuterRef("sequence_number"), voided=False
        ).values("planned_date")[:1]
        deviations = ProtocolDeviation.objects.filter(infusion=OuterRef("pk"), voided=False)
        return super().get_queryset(request).annotate(planned_on=Subquery(planned), has_deviation=Exists(deviations))

    def get_readonly_fields(self, request, obj=None):
        # super(): the review fields of ReviewedRecordAdmin stay read-only too.
        return [*super().get_readonly_fields(request, obj), *(["participant"] if obj else [])]

    def get_fieldsets(self, request, obj=None):
        unused = _unused_product_fields(request)
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in unused]})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def get_list_display(self, request):
        unused = _unused_product_fields(request)
        return [f for f in super().get_list_display(request) if f not in unused]

    @admin.display(description="planned", ordering="planned_on")
    def planned(self, obj):
        return obj.planned_on

    @admin.display(description="days off plan")
    def days_off(self, obj):
        if obj.planned_on is None:
            return "-"
        return (timezone.localdate(obj.start_datetime) - obj.planned_on).days

    @admin.display(description="deviation", boolean=True, ordering="has_deviation")
    def deviation(self, obj):
        return obj.has_deviation


@admin.register(ProtocolDeviation)
class ProtocolDeviationAdmin(ReviewedRecordAdmin):
    list_display = ["participant", "category", "infusion", "reason", "reported_by", "reported_datetime", "voided"]
    list_filter = ["category", "participant__arm", "participant__site", "voided"]
    search_fields = ["participant__study_id", "description", "reason"]
    list_select_related = ["participant", "infusion", "reported_by"]

    def get_changeform_initial_data(self, request):
        return {"reported_by": request.user.pk, **super().get_changeform_initial_data(request)}


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


class InfusionInline(ReadOnlyInline):
    model = Infusion
    fields = [
        "sequence_number",
        "start_datetime",
        "kit_code",
        "cells_administered_millions",
        "lot_number",
        "viability_percent",
        "ecg",
    ]
    readonly_fields = fields


# The participant admin shows the schedule and the infusions given against it (dosing/crfs.py).
INFUSION_INLINES = [PlannedInfusionInline, InfusionInline]
