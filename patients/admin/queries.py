"""The data query queue: raise a query on a record (or one field of it), answer, close, re-open."""

from datetime import datetime, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone

from patients.admin_base.forms import ClinicalRecordAdminForm
from patients.admin_base.records import ClinicalRecordAdmin
from patients.casebook import services as casebook_services
from patients.casebook.naming import sentence_case
from patients.casebook.queries import DataQuery, queryable_fields, queryable_models
from patients.models import (
    Participant,
)


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
                label = f"{sentence_case(model._meta.verbose_name)}: {record_key_text(record)}"
                choices.append((f"{content_type.pk}:{record.pk}", label))
        return choices

    @staticmethod
    def _field_choices():
        groups = []
        for model in queryable_models():
            fields = [(name, label) for name, label in queryable_fields(model)]
            groups.append((sentence_case(model._meta.verbose_name), fields))
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


class ReopenReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the answer does not settle it; kept in the audit trail.",
    )
