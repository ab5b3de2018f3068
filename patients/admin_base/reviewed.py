"""The admin of a case report form under review: its status, its review page and the bulk review steps."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from patients.admin_base.records import ClinicalRecordAdmin
from patients.casebook import review
from patients.casebook import services as casebook_services
from patients.casebook.registry import registry

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

    # Fields the form's service fills in (e.g. who recorded it), and fields fixed once the record exists.
    service_fields: tuple[str, ...] = ()
    fixed_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        fixed = [*REVIEW_FIELDS, *self.fixed_fields] if obj else []
        return [*super().get_readonly_fields(request, obj), *fixed, *self.service_fields]

    def save_model(self, request, obj, form, change):
        crf = registry.for_model(self.model)
        if not change and crf is not None and crf.create is not None:
            # A new record whose form writes more than the record (e.g. a withdrawal ends follow-up): the
            # same service as on the ward (the form's registry entry).
            crf.create(record=obj, user=request.user)
            return
        super().save_model(request, obj, form, change)

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
