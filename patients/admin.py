from datetime import datetime, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from patients import services
from patients.access_log import AccessEvent
from patients.admin_base import (
    ClinicalRecordAdmin,
    ClinicalRecordAdminForm,
    ReadOnlyInline,
    ReasonedInline,
    ReviewedRecordAdmin,
    ScopedHistoryAdmin,
)
from patients.casebook import services as casebook_services
from patients.casebook.queries import DataQuery, queryable_fields, queryable_models
from patients.casebook.registry import registry
from patients.casebook.signatures import CasebookSignature
from patients.choices import ParticipantStatus, QueryStatus
from patients.forms import EnrolForm
from patients.models import (
    COMORBIDITY_FIELDS,
    Arm,
    Consent,
    EligibilityAnswer,
    EndOfStudy,
    Participant,
    Site,
    SiteMembership,
    Withdrawal,
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


class SiteMembershipInline(admin.TabularInline):
    model = SiteMembership
    extra = 0


class UserSiteMembershipInline(admin.TabularInline):
    """Which sites a user works at: set on the user's admin page by the system administrator."""

    model = SiteMembership
    extra = 1
    verbose_name = "site membership"


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class CrfUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, UserSiteMembershipInline]


@admin.register(Site)
class SiteAdmin(ScopedHistoryAdmin):
    list_display = ["code", "name", "last_sequence_number"]
    readonly_fields = ["last_sequence_number"]
    inlines = [SiteMembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Arm)
class ArmAdmin(ScopedHistoryAdmin):  # every arm is in scope; ids are checked
    list_display = ["code", "name", "receives_product"]

    def has_delete_permission(self, request, obj=None):
        return False


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
    from patients.admin_base import ClinicalImportMixin
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
class ParticipantAdmin(ClinicalRecordAdmin):
    # Doubles as the screening log: every person screened, with the reason for a screen failure.
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
    search_fields = ["study_id"]
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
        ("Identification", {"fields": ["study_id", "site", "initials", "status", "screen_failure_reason"]}),
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
                services.participant_enrol(
                    participant=participant,
                    user=request.user,
                    requested_arm=form.cleaned_data["arm"],
                    enrolment_datetime=form.cleaned_data["enrolment_datetime"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                self.message_user(request, f"{participant.study_id} enrolled.", messages.SUCCESS)
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


class ReopenReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the answer does not settle it; kept in the audit trail.",
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

    def get_readonly_fields(self, request, obj=None):
        # super(): the review fields of ReviewedRecordAdmin stay read-only too.
        return [
            *super().get_readonly_fields(request, obj),
            *(["participant", "recorded_by"] if obj else ["recorded_by"]),
        ]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # A new withdrawal ends follow-up: the service also moves the participant to "withdrawn".
        services.withdrawal_record(withdrawal=obj, user=request.user)


@admin.register(EndOfStudy)
class EndOfStudyAdmin(ReviewedRecordAdmin):
    list_display = ["participant", "end_reason", "end_date", "voided"]
    list_filter = ["end_reason", "participant__site", "participant__arm"]
    search_fields = ["participant__study_id"]
    list_select_related = ["participant"]

    def get_readonly_fields(self, request, obj=None):
        # super(): the review fields of ReviewedRecordAdmin stay read-only too.
        return [
            *super().get_readonly_fields(request, obj),
            *(["participant", "recorded_by"] if obj else ["recorded_by"]),
        ]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # A new end of study closes follow-up: the service also marks the participant completed.
        services.end_of_study_record(end_of_study=obj, user=request.user)


class QueryAgeFilter(admin.SimpleListFilter):
    title = "age"
    parameter_name = "age"
    BUCKETS = {"7": (0, 7), "30": (7, 30), "older": (30, None)}

    def lookups(self, request, model_admin):
        return [("7", "Under a week"), ("30", "1 to 4 weeks"), ("older", "Over 4 weeks")]

    def queryset(self, request, queryset):
        if self.value() not in self.BUCKETS:
            return queryset
        low, high = self.BUCKETS[self.value()]
        now = timezone.now()
        queryset = queryset.filter(raised_datetime__lte=now - timedelta(days=low))
        return queryset if high is None else queryset.filter(raised_datetime__gt=now - timedelta(days=high))


class DataQueryAddForm(ClinicalRecordAdminForm):
    """Raising a query: the record is chosen among the participant's casebook records, named as a person
    knows them (form and date, sequence or analyte), and the field by its label; never typed as a content
    type, a database id or a field code. The model checks the choice again (patients.casebook.queries)."""

    CASEBOOK = "casebook"
    casebook_record = forms.ChoiceField(label="Record", help_text="The participant's casebook, or one of its records.")
    record_field = forms.ChoiceField(
        label="Field", required=False, help_text="Optional: the field the question is about."
    )
    model_error_fields = {
        "content_type": "casebook_record",
        "object_id": "casebook_record",
        "field_name": "record_field",
    }

    class Meta:
        model = DataQuery
        fields = ["participant", "text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        participant = self._participant()
        self.fields["casebook_record"].choices = self._record_choices(participant)
        self.fields["record_field"].choices = [("", "(the whole record)"), *self._field_choices()]

    def _participant(self):
        raw = self.data.get(self.add_prefix("participant")) or self.initial.get("participant")
        queryset = self.fields["participant"].queryset  # the user's sites only (ClinicalRecordAdmin)
        try:
            return queryset.filter(pk=int(raw)).first() if raw else None
        except (TypeError, ValueError):
            return None

    def _record_choices(self, participant):
        if participant is None:
            return [("", "(choose the participant, then save to pick the record)")]
        choices = [(self.CASEBOOK, f"{participant.study_id}: the casebook as a whole")]
        for model in queryable_models():
            if model is Participant:
                continue
            content_type = ContentType.objects.get_for_model(model)
            for record in model.objects.active().filter(participant=participant).order_by("pk"):
                label = f"{model._meta.verbose_name.capitalize()}: {record_key_text(record)}"
                choices.append((f"{content_type.pk}:{record.pk}", label))
        return choices

    @staticmethod
    def _field_choices():
        groups = []
        for model in queryable_models():
            fields = [(name, label) for name, label in queryable_fields(model)]
            groups.append((str(model._meta.verbose_name).capitalize(), fields))
        return groups

    def clean(self):
        cleaned = super().clean()
        participant = cleaned.get("participant")
        choice = cleaned.get("casebook_record") or ""
        if participant is not None and choice:
            if choice == self.CASEBOOK:
                self.instance.content_type = ContentType.objects.get_for_model(Participant)
                self.instance.object_id = participant.pk
            else:
                content_type_id, _, object_id = choice.partition(":")
                self.instance.content_type_id, self.instance.object_id = int(content_type_id), int(object_id)
        self.instance.field_name = cleaned.get("record_field") or ""
        return cleaned


def record_key_text(record) -> str:
    """A record named by its natural key, as a person knows it (e.g. "observation date 2020-02-05")."""
    parts = []
    for key in type(record).natural_key_fields:
        value = record
        for step in key.split("__"):
            value = getattr(value, step)
        if isinstance(value, datetime):
            value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        label = type(record)._meta.get_field(key.split("__")[0]).verbose_name
        parts.append(f"{label} {value}")
    return ", ".join(parts) or str(record)


@admin.register(DataQuery)
class DataQueryAdmin(ClinicalRecordAdmin):
    """The data-query queue. Raise one from any record: its admin page links here with the record filled in."""

    list_display = [
        "id",
        "participant",
        "record_form",
        "field_name",
        "short_text",
        "site_status",
        "status",
        "age",
        "raised_by",
    ]
    list_filter = ["status", "site_status", "participant__site", QueryAgeFilter, "content_type", "check_code"]
    search_fields = ["participant__study_id", "text", "answer"]
    list_select_related = ["participant", "content_type", "raised_by"]
    actions = ["close_queries", "reopen_queries"]
    fields = ["participant", "content_type", "object_id", "field_name", "text", "answer", "change_reason"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:  # raising: the record and field are chosen, not typed; the site answers later
            kwargs["form"] = DataQueryAddForm
            kwargs["fields"] = ["participant", "casebook_record", "record_field", "text"]
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["participant", "casebook_record", "record_field", "text"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return ["participant", "content_type", "object_id", "field_name", "text", "answer"] if obj else []

    @admin.display(description="form", ordering="content_type")
    def record_form(self, obj):
        return obj.content_type.model_class()._meta.verbose_name if obj.content_type_id else "casebook"

    @admin.display(description="question")
    def short_text(self, obj):
        return obj.text if len(obj.text) < 60 else obj.text[:57] + "..."

    @admin.display(description="age (days)")
    def age(self, obj):
        return obj.age_days

    def save_model(self, request, obj, form, change):
        if not change:
            obj.raised_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Re-open the selected queries (asks for a reason)")
    def reopen_queries(self, request, queryset):
        form = ReopenReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for query in queryset:
                try:
                    casebook_services.query_reopen(query=query, user=request.user, reason=form.cleaned_data["reason"])
                    self.message_user(request, f"{query}: re-opened.", messages.SUCCESS)
                except (ValidationError, PermissionDenied) as exc:
                    self.message_user(
                        request, f"{query}: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.WARNING
                    )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Re-open queries",
            "participants": queryset,
            "form": form,
            "action": "reopen_queries",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/patients/participant/lock.html", context)

    @admin.action(description="Close the selected queries")
    def close_queries(self, request, queryset):
        for query in queryset:
            try:
                casebook_services.query_close(query=query, user=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request, f"Query #{query.pk}: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.WARNING
                )


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


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """The access log, read-only: logins, failures, lockouts, password, role and site changes."""

    list_display = ["when", "kind", "username", "by", "ip_address", "detail"]
    list_filter = ["kind", ("when", admin.DateFieldListFilter)]
    search_fields = ["username", "ip_address", "detail"]
    list_select_related = ["by"]
    date_hierarchy = "when"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
