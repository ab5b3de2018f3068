"""The participant admin: the screening log and casebook front page, with every case report form's inline
(from the registry), enrolment, and locking casebooks."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from patients import services
from patients.admin_base.records import ClinicalRecordAdmin, ReadOnlyInline, ReasonedInline
from patients.admin_base.reviewed import ReviewedRecordAdmin
from patients.admin_base.transfer import ClinicalImportMixin
from patients.archive_migration import ArchiveMigrationResource
from patients.casebook import services as casebook_services
from patients.casebook.choices import ParticipantStatus, QueryStatus
from patients.casebook.queries import DataQuery
from patients.casebook.registry import registry
from patients.casebook.signatures import CasebookSignature
from patients.forms import EnrolForm
from patients.models import (
    COMORBIDITY_FIELDS,
    Consent,
    EligibilityAnswer,
    Participant,
)


class OpenQueriesFilter(admin.SimpleListFilter):
    title = "open data queries"
    parameter_name = "open_queries"

    def lookups(self, request, model_admin):
        return [("yes", "With open queries"), ("no", "None open")]

    def queryset(self, request, queryset):
        open_queries = DataQuery.objects.filter(participant=OuterRef("pk"), status=QueryStatus.OPEN, voided=False)
        if self.value() == "yes":
            return queryset.filter(Exists(open_queries))
        if self.value() == "no":
            return queryset.exclude(Exists(open_queries))
        return queryset


class SignedFilter(admin.SimpleListFilter):
    title = "signature"
    parameter_name = "signed"

    def lookups(self, request, model_admin):
        return [("yes", "Signed (valid)"), ("no", "Not signed, or signature invalidated")]

    def queryset(self, request, queryset):
        valid = CasebookSignature.objects.filter(participant=OuterRef("pk"), invalidated_datetime=None, voided=False)
        if self.value() == "yes":
            return queryset.filter(Exists(valid))
        if self.value() == "no":
            return queryset.exclude(Exists(valid))
        return queryset


class EligibilityAnswerInline(ReasonedInline):
    model = EligibilityAnswer
    fields = ["criterion", "answer"]

    def has_change_permission(self, request, obj=None):
        # Eligibility is fixed once the person is enrolled.
        editable = obj is None or obj.status in (ParticipantStatus.SCREENING, ParticipantStatus.SCREEN_FAILURE)
        return editable and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


class ConsentInline(ReasonedInline):
    model = Consent
    fields = ["consent_datetime", "form_version", "given_by", "representative_relationship", "obtained_by"]


_generated_inlines: dict[str, type] = {}


def register_crf_admins(site=admin.site) -> None:
    """An admin for every registered case report form its app gave none: its records by participant and
    natural key, the review steps, history, export, void, and import when the form is importable. Run
    once the apps' admin modules are loaded (patients.apps)."""
    from patients.resources import resource_for

    for crf in registry.all():
        if site.is_registered(crf.model):
            continue
        attrs = {
            "list_display": ["participant", *(name for name in crf.natural_key if "__" not in name), "voided"],
            "search_fields": ["participant__study_id"],
            "list_select_related": ["participant"],
        }
        bases = (ReviewedRecordAdmin,)
        if crf.importable:
            bases = (ClinicalImportMixin, ReviewedRecordAdmin)
            attrs["resource_classes"] = [resource_for(crf)]
        site.register(crf.model, type(f"{crf.model.__name__}Admin", bases, attrs))


def inlines_for(crf) -> list[type]:
    """The participant admin's inline(s) of a case report form: its own class(es) (a dotted path in the
    registry) or a read-only table of the columns it names."""
    if isinstance(crf.admin_inline, str):
        found = import_string(crf.admin_inline)
        return list(found) if isinstance(found, list | tuple) else [found]
    if not crf.admin_inline:
        return []
    if crf.key not in _generated_inlines:
        attrs = {"model": crf.model, "fields": list(crf.admin_inline), "readonly_fields": list(crf.admin_inline)}
        _generated_inlines[crf.key] = type(f"{crf.model.__name__}Inline", (ReadOnlyInline,), attrs)
    return [_generated_inlines[crf.key]]


@admin.register(Participant)
class ParticipantAdmin(ClinicalImportMixin, ClinicalRecordAdmin):
    # Doubles as the screening log: every person screened, with the reason for a screen failure.
    # Its import migrates a paper archive (patients/archive_migration.py): one row per person screened.
    resource_classes = [ArchiveMigrationResource]
    list_display = [
        "study_id",
        "site",
        "screening_datetime",
        "status",
        "screen_failure_reason",
        "arm",
        "severity",
        "day0_date",
        "casebook_locked",
        "voided",
    ]
    list_filter = [
        "site",
        "arm",
        "status",
        OpenQueriesFilter,
        "casebook_locked",
        SignedFilter,
        "severity",
        "sex",
        "voided",
    ]
    actions = ["lock_casebooks", "unlock_casebooks"]
    search_fields = ["study_id", "archive_id"]
    list_select_related = ["site", "arm"]
    readonly_fields = [
        "study_id",
        "status",
        "screen_failure_reason",
        "arm",
        "enrolment_datetime",
        "day0_date",
        "enrolled_by",
        "age_years",
        "bmi_kg_m2",
        "casebook_locked",
        "casebook_locked_by",
        "casebook_locked_datetime",
        "voided",
        "void_reason",
    ]
    fieldsets = [
        (
            "Identification",
            {"fields": ["study_id", "site", "archive_id", "initials", "status", "screen_failure_reason"]},
        ),
        (
            "Demographics",
            {"fields": ["sex", "date_of_birth", "age_years", "weight_kg", "height_cm", "bmi_kg_m2"]},
        ),
        ("COVID-19", {"fields": ["admission_date", "symptom_onset_date", "severity"]}),
        (
            "Comorbidities",
            {"fields": [*COMORBIDITY_FIELDS, "other_comorbidities"]},
        ),
        ("Screening", {"fields": ["screening_datetime", "screened_by"]}),
        ("Enrolment", {"fields": ["arm", "enrolment_datetime", "day0_date", "enrolled_by"]}),
        ("Casebook lock", {"fields": ["casebook_locked", "casebook_locked_by", "casebook_locked_datetime"]}),
        ("Audit", {"fields": ["voided", "void_reason", "change_reason"]}),
    ]
    change_form_template = "admin/patients/participant/change_form.html"

    def get_inlines(self, request, obj):
        # Every case report form that asks for one (patients/casebook/registry.py), in the forms' order.
        inlines = []
        for crf in registry.all():
            inlines += inlines_for(crf)
        return inlines

    def change_view(self, request, object_id, form_url="", extra_context=None):
        participant = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), "record_links": self._record_links(request, participant)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _record_links(self, request, participant) -> list[tuple[str, str]]:
        """ "Add ..." for each form the participant's casebook takes now (as the ward page offers them)."""
        if participant is None:
            return []
        links = []
        for crf in registry.all():
            meta = crf.model._meta
            if crf.is_offered(participant) and request.user.has_perm(crf.permission("add")):
                if self.admin_site.is_registered(crf.model):
                    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
                    links.append((f"Add {meta.verbose_name}", f"{url}?participant={participant.pk}"))
        return links

    @admin.display(description="Age at enrolment (years)")
    def age_years(self, obj):
        return obj.age_at_enrolment

    @admin.display(description="BMI (kg/m²)")
    def bmi_kg_m2(self, obj):
        return obj.bmi

    def get_readonly_fields(self, request, obj=None):
        # Site fixes the study ID: chosen once, on creation.
        return [*self.readonly_fields, "site"] if obj else self.readonly_fields

    def get_changeform_initial_data(self, request):
        return {"screened_by": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The eligibility answers decide screening / screen failure.
        services.participant_update_screening_outcome(participant=form.instance, user=request.user)

    @admin.action(description="Lock the selected casebooks (asks for a reason)", permissions=["lock"])
    def lock_casebooks(self, request, queryset):
        return self._lock_action(request, queryset, lock=True)

    @admin.action(description="Unlock the selected casebooks (asks for a reason)", permissions=["lock"])
    def unlock_casebooks(self, request, queryset):
        return self._lock_action(request, queryset, lock=False)

    def has_lock_permission(self, request):
        return request.user.has_perm("patients.lock_casebook")

    def _lock_action(self, request, queryset, *, lock):
        form = LockReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            service = casebook_services.casebook_lock if lock else casebook_services.casebook_unlock
            done, refused = [], []
            for participant in queryset:
                extra = {"override_reason": form.cleaned_data["override_reason"]} if lock else {}
                try:
                    service(participant=participant, user=request.user, reason=form.cleaned_data["reason"], **extra)
                    done.append(participant.study_id)
                except ValidationError as exc:
                    refused.append(f"{participant.study_id}: {' '.join(exc.messages)}")
            verb = "Locked" if lock else "Unlocked"
            if done:
                self.message_user(request, f"{verb}: {', '.join(done)}.", messages.SUCCESS)
            for message in refused:
                self.message_user(request, message, messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{'Lock' if lock else 'Unlock'} casebooks",
            "participants": queryset,
            "form": form,
            "action": "lock_casebooks" if lock else "unlock_casebooks",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/patients/participant/lock.html", context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/enrol/",
                self.admin_site.admin_view(self.enrol_view),
                name="patients_participant_enrol",
            ),
            *super().get_urls(),
        ]

    def enrol_view(self, request, object_id):
        participant = self.get_object(request, unquote(object_id))  # None for another site's or a bad id
        if participant is None:
            raise Http404
        if not self.has_change_permission(request, participant):
            raise PermissionDenied
        form = EnrolForm(request.POST or None, initial={"enrolment_datetime": timezone.now()}, admin=True)
        if request.method == "POST" and form.is_valid():
            try:
                participant = services.participant_enrol(
                    participant=participant,
                    user=request.user,
                    requested_arm=form.requested_arm(),
                    enrolment_datetime=form.cleaned_data["enrolment_datetime"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                self.message_user(request, services.enrolled_message(participant), messages.SUCCESS)
                return redirect(reverse("admin:patients_participant_change", args=[participant.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": participant,
            "form": form,
            "decision": participant.eligibility(),
            "title": f"Enrol {participant.study_id}",
        }
        return TemplateResponse(request, "admin/patients/participant/enrol.html", context)


class LockReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Kept in the audit trail.")
    override_reason = forms.CharField(
        label="Lock with unverified records because",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only when records are not yet verified and the casebook must be locked now; kept in the "
        "audit trail.",
    )
