"""The trial's design in the admin: the design row (coordinator), the randomisation list (the unblinded
statistician generates or imports it, reads its report and signs it off) and the strata's slot counts
(the coordinator sees how many remain, never the slots)."""

import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from patients.admin_base.blinding import AllocationTableAdminMixin
from patients.admin_base.scoping import ScopedHistoryAdmin
from patients.admin_base.transfer import ClinicalExportMixin
from patients.casebook.choices import FACTOR_LEVELS, StratificationFactor
from patients.casebook.forms import ServiceErrorsMixin
from patients.casebook.registry import registry
from patients.casebook.sites import site_ids_for
from patients.casebook.spreadsheet import spreadsheet_safe
from patients.models import (
    Arm,
    EligibilityCriterion,
    RandomisationList,
    RandomisationSlot,
    Stratum,
    TrialDesign,
    UnblindingRequest,
    Visit,
    VisitForm,
)
from patients.randomisation import services as randomisation


def _levels_field(factor: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=f"{StratificationFactor(factor).label}: levels enrolled",
        choices=FACTOR_LEVELS[factor].choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The protocol's population (issue 29, 2); none ticked enrols every level. The randomisation "
        "list has strata for the ticked levels only, and enrolment refuses another.",
    )


class TrialDesignForm(forms.ModelForm):
    stratification_factors = forms.MultipleChoiceField(
        choices=StratificationFactor.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Randomisation list: the enrolment factors each site's list is further split by.",
    )

    # The levels enrolled, one group of checks per enrolment factor (enrolled_<factor>), into enrolled_levels.
    enrolled_levels = forms.JSONField(required=False, widget=forms.HiddenInput)
    enrolled_severity = _levels_field(StratificationFactor.SEVERITY)
    enrolled_sex = _levels_field(StratificationFactor.SEX)

    class Meta:
        model = TrialDesign
        fields = [
            "code",
            "title",
            "blinded",
            "allocation",
            "stratify_by_site",
            "stratification_factors",
            "enrolled_levels",
            "follow_up_after_discharge",
            "baseline_window_days",
            "meddra_version",
            "unblinding_by_investigator_alone",
            "unblinding_notify",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = self.instance.enrolled_levels or {}
        for factor in FACTOR_LEVELS:
            self.fields[f"enrolled_{factor}"].initial = chosen.get(factor, [])

    def clean(self):
        cleaned = super().clean()
        levels = {}
        for factor, choices in FACTOR_LEVELS.items():
            ticked = cleaned.get(f"enrolled_{factor}") or []
            if ticked and len(ticked) < len(choices):  # every level ticked is the same as none: no restriction
                levels[factor] = [value for value in choices.values if value in ticked]
        cleaned["enrolled_levels"] = levels
        return cleaned

    def add_error(self, field, error):
        # A refusal of the design's enrolled levels belongs at the top, by the checks the data manager ticked,
        # not on the hidden field that carries them ("(Hidden field enrolled_levels) ..."); each keeps its code.
        if field is None and hasattr(error, "error_dict") and "enrolled_levels" in error.error_dict:
            error.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(error.error_dict.pop("enrolled_levels"))
        super().add_error(field, error)


@admin.register(TrialDesign)
class TrialDesignAdmin(ScopedHistoryAdmin):
    form = TrialDesignForm
    list_display = ["title", "code", "blinded", "allocation"]

    def has_add_permission(self, request):
        # One design per database: the migration made it (phase 1's); it is changed, never added.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GenerateListForm(ServiceErrorsMixin, forms.Form):
    slots_per_stratum = forms.IntegerField(
        min_value=1, help_text="At least this many slots in every stratum (rounded up to complete blocks)."
    )
    block_multiples = forms.CharField(
        initial="1, 2",
        help_text="Block sizes as multiples of the ratio's sum, comma separated: with 2:1, '1, 2' gives blocks of "
        "3 and 6, drawn at random.",
    )
    seed = forms.IntegerField(
        required=False, min_value=0, max_value=2**62, help_text="Leave empty to draw one; it is stored either way."
    )

    def clean_block_multiples(self):
        try:
            return [int(part) for part in self.cleaned_data["block_multiples"].replace(" ", "").split(",") if part]
        except ValueError:
            raise ValidationError("Whole numbers, comma separated, e.g. 1, 2.", code="bad_multiples") from None


class ImportListForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        help_text="CSV with columns randomisation_number, one per stratifier (site, severity, ...), block, arm, "
        "treatment_code; each stratum's rows in allocation order."
    )


class SignOffForm(ServiceErrorsMixin, forms.Form):
    password = forms.CharField(widget=forms.PasswordInput, help_text="Your password, to sign the report off.")


@admin.register(RandomisationList)
class RandomisationListAdmin(AllocationTableAdminMixin, ScopedHistoryAdmin):
    """The list is made through the add page (generate or import) and read on its report; never edited."""

    list_display = ["__str__", "source", "created_by", "signed_off_by"]

    def has_add_permission(self, request):
        # The list, then an extension for each site that joins later: "Add" only while a stratum of the design
        # has no list (the service refuses anything else anyway).
        if not super().has_add_permission(request):
            return False
        return not RandomisationList.objects.exists() or bool(randomisation.strata_to_add(TrialDesign.current()))

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<path:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="patients_randomisationlist_download",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        # Two forms on one page; which was posted shows in its fields' prefix.
        generating = any(key.startswith("generate-") for key in request.POST)
        importing = not generating and any(key.startswith("import-") for key in (*request.POST, *request.FILES))
        generate = GenerateListForm(request.POST if generating else None, prefix="generate")
        upload = ImportListForm(
            request.POST if importing else None, request.FILES if importing else None, prefix="import"
        )
        made = None
        try:
            if generating and generate.is_valid():
                made = randomisation.list_generate(user=request.user, **generate.cleaned_data)
            elif importing and upload.is_valid():
                file = upload.cleaned_data["file"]
                made = randomisation.list_import(user=request.user, file_name=file.name, content=file.read())
        except ValidationError as exc:
            (generate if generating else upload).add_service_errors(exc)
        if made is not None:
            self.message_user(request, f"{made} made: read its report and sign it off.", messages.SUCCESS)
            return redirect(reverse("admin:patients_randomisationlist_change", args=[made.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Make the randomisation list"
            if not RandomisationList.objects.exists()
            else "Extend the randomisation list for new sites",
            "to_add": randomisation.strata_to_add(TrialDesign.current()),
            "design": TrialDesign.current(),
            "arms": Arm.objects.all(),
            "generate": generate,
            "upload": upload,
            "forms": [generate, upload],
        }
        return TemplateResponse(request, "admin/patients/randomisationlist/make.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The list's report: how it was made, its strata with their counts per arm, and its sign-off."""
        made = self.get_object(request, unquote(object_id))
        if made is None or not self.has_view_permission(request, made):
            raise Http404
        sign_off = SignOffForm(request.POST or None)
        if request.method == "POST":
            if not request.user.has_perm("patients.sign_off_randomisationlist"):
                raise PermissionDenied
            if sign_off.is_valid():
                try:
                    randomisation.list_sign_off(
                        randomisation_list=made,
                        user=request.user,
                        password=sign_off.cleaned_data["password"],
                        request=request,
                    )
                except ValidationError as exc:
                    sign_off.add_service_errors(exc)
                else:
                    self.message_user(request, "The randomisation list's report is signed off.", messages.SUCCESS)
                    return redirect(request.path)
        arms = list(Arm.objects.all())
        strata = made.strata.annotate(
            **{f"arm_{arm.pk}": Count("slots", filter=Q(slots__arm=arm)) for arm in arms}
        ).order_by("key")
        rows = [(stratum, [getattr(stratum, f"arm_{arm.pk}") for arm in arms]) for stratum in strata]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Randomisation list report",
            "original": made,
            "made": made,
            "arms": arms,
            "rows": rows,
            "totals": [sum(counts[i] for _, counts in rows) for i in range(len(arms))],
            "sign_off": sign_off if not made.signed_off_by_id else None,
            "can_sign_off": request.user.has_perm("patients.sign_off_randomisationlist"),
        }
        return TemplateResponse(request, "admin/patients/randomisationlist/report.html", context)

    def download_view(self, request, object_id):
        """The list as CSV, in the import's format (so a list can be checked outside the app, or re-imported
        into a test database)."""
        made = self.get_object(request, unquote(object_id))
        if made is None or not self.has_view_permission(request, made):
            raise Http404
        stratifiers = made.design_snapshot.get("stratifiers", [])
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="randomisation_list_{made.pk}.csv"'
        writer = csv.writer(response)
        writer.writerow(["randomisation_number", *stratifiers, "block", "arm", "treatment_code", "allocated_to"])
        slots = (
            RandomisationSlot.objects.filter(stratum__randomisation_list=made)
            .select_related("stratum__site", "arm", "participant")
            .order_by("stratum__key", "sequence")
        )
        for slot in slots:
            levels = [
                slot.stratum.site.code if factor == "site" else slot.stratum.levels.get(factor, "")
                for factor in stratifiers
            ]
            participant = slot.participant.study_id if slot.participant_id else ""
            writer.writerow(
                [
                    spreadsheet_safe(v)
                    for v in (slot.number, *levels, slot.block, slot.arm.code, slot.treatment_code, participant)
                ]
            )
        return response


@admin.register(Stratum)
class StratumAdmin(ScopedHistoryAdmin):
    """How many slots each stratum has left: the coordinator's view of the list, which shows no arm."""

    list_display = ["label", "size", "used", "remaining"]
    list_filter = ["site"]
    fields = ["label", "site", "size", "used"]
    readonly_fields = fields

    def get_queryset(self, request):
        # The user's sites' strata (and an unstratified list's one stratum, which is every site's).
        site_ids = site_ids_for(request.user)
        queryset = super().get_queryset(request).select_related("site")
        return queryset if site_ids is None else queryset.filter(Q(site__isnull=True) | Q(site_id__in=site_ids))

    @admin.display(description="slots remaining")
    def remaining(self, obj):
        return obj.remaining

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RandomisationSlot)
class RandomisationSlotAdmin(AllocationTableAdminMixin, ScopedHistoryAdmin):
    list_display = ["number", "stratum", "sequence", "block", "arm", "treatment_code", "participant"]
    list_filter = ["stratum", "arm"]
    search_fields = ["number", "treatment_code", "participant__study_id"]
    list_select_related = ["stratum", "arm", "participant"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UnblindingRequest)
class UnblindingRequestAdmin(ClinicalExportMixin, ScopedHistoryAdmin):
    """Emergency unblindings, for data management: who asked, why, who decided; never the arm. Requests and
    decisions are made on the participant's unblinding page (patients/unblinding.py), not here. Exported like
    every record an inspector may ask for (CSV, XLSX), by roles with patients.export_data (issue 28, 15)."""

    list_display = ["participant", "requested_datetime", "requested_by", "status", "decided_by", "self_approved"]
    list_filter = ["status", "self_approved"]
    search_fields = ["participant__study_id"]
    list_select_related = ["participant", "requested_by", "decided_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EligibilityCriterion)
class EligibilityCriterionAdmin(ScopedHistoryAdmin):
    """The protocol's eligibility criteria (patients/casebook/criteria.py), in the screening form's order;
    fixed once anyone is screened (the model refuses a change then)."""

    list_display = ["order", "code", "kind", "text", "ineligible_answer", "automatic"]
    list_display_links = ["code"]
    fields = ["code", "kind", "text", "order", "ineligible_answer", "automatic", "min_value", "max_value"]

    def has_delete_permission(self, request, obj=None):
        return False


class VisitFormForm(forms.ModelForm):
    """The form a visit expects, picked by its name from the registered forms (issue 29, 3: a typed key was
    refused with a list of keys the data manager had never seen)."""

    class Meta:
        model = VisitForm
        fields = ["crf_key", "required", "expected_if"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        forms_by_name = sorted(((crf.key, crf.label) for crf in registry.all()), key=lambda item: item[1])
        self.fields["crf_key"] = forms.ChoiceField(
            label="Case report form", choices=[("", "---------"), *forms_by_name], help_text=""
        )


class VisitFormInline(admin.TabularInline):
    model = VisitForm
    form = VisitFormForm
    extra = 1


@admin.register(Visit)
class VisitAdmin(ScopedHistoryAdmin):
    """The visit schedule of the design (patients/casebook/schedule.py): each visit's day, window and forms."""

    list_display = ["label", "code", "anchor", "target_day", "window_before", "window_after"]
    inlines = [VisitFormInline]

    def has_delete_permission(self, request, obj=None):
        return False
