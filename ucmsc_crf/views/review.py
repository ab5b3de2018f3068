"""The monitor's pages (issue 18): the list of casebooks with what awaits verification, and one casebook's
review page where records are verified one by one or all at once, and a query is raised on a field picked
by its label. Every step goes through patients.casebook.services (record_review, query_raise), the same
service the admin uses, so its rules (open queries, locks, sites, roles) hold here too."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from patients.casebook import services as casebook_services
from patients.casebook.blinding import BlindingPolicy
from patients.casebook.choices import ReviewStatus
from patients.casebook.registry import registry
from patients.choices import UnblindingStatus
from patients.models import Participant, UnblindingRequest
from ucmsc_crf.review import casebook_counts, casebook_review
from ucmsc_crf.views.pages import ParticipantMixin

VERIFY = "patients.verify_data"


def _message(error) -> str:
    """A refusal as one line: a ValidationError's messages, or a PermissionDenied's text."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You may not do this."


class CasebookListView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = VERIFY
    template_name = "clinic/review_list.html"

    def get_context_data(self, **kwargs):
        participants = (
            Participant.objects.for_user(self.request.user)
            .active()
            .enrolled()
            .select_related("site")
            .order_by("study_id")
        )
        page = Paginator(participants, 100).get_page(self.request.GET.get("page"))
        counts = casebook_counts([p.pk for p in page.object_list])
        rows = [(p, counts[p.pk]) for p in page.object_list]
        if self.request.GET.get("awaiting") == "1":
            rows = [(p, c) for p, c in rows if c.awaiting or c.open_queries]
        return super().get_context_data(page=page, rows=rows, to_decide=self._to_decide(), **kwargs)

    def _to_decide(self):
        """Emergency unblindings waiting for this approver's decision (not their own requests)."""
        user = self.request.user
        if not user.has_perm("patients.approve_unblinding"):
            return []
        return list(
            UnblindingRequest.objects.for_user(user)
            .active()
            .filter(status=UnblindingStatus.REQUESTED)
            .exclude(requested_by=user)
            .select_related("participant", "requested_by")
            .order_by("requested_datetime")
        )


class CasebookReviewView(ParticipantMixin, View):
    template_name = "clinic/casebook_review.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(VERIFY):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        groups = casebook_review(self.participant, BlindingPolicy.of(self.request.user))
        awaiting = sum(1 for g in groups for r in g.records if r.verifiable)
        return render(
            request,
            self.template_name,
            {"participant": self.participant, "groups": groups, "awaiting": awaiting},
        )

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "verify_all":
            self._verify_all(request.POST.getlist("shown"))
        elif action == "verify":
            self._verify_one(request.POST.get("form", ""), request.POST.get("pk", ""), request.POST.get("version", ""))
        elif action == "query":
            self._raise_query()
        return redirect("casebook-review", study_id=self.participant.study_id)

    def _record(self, key: str, pk: str):
        try:
            crf = registry.get(key)
        except KeyError:
            return None, None
        if not pk.isdigit():
            return crf, None
        return crf, get_object_or_404(crf.model.objects.active().filter(participant=self.participant), pk=pk)

    def _verify_one(self, key, pk, version):
        crf, record = self._record(key, pk)
        if record is None or not version.isdigit():
            messages.error(self.request, "No such record in this casebook.")
            return
        try:
            casebook_services.record_review(
                record=record, user=self.request.user, step="verify", seen_version=int(version)
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(self.request, f"Not verified: {_message(exc)}")
        else:
            messages.success(self.request, f"Verified: {crf.label.lower()}.")

    def _verify_all(self, shown):
        """The records the page showed as verifiable, with their values ("form:pk:version" each), each through
        the review service at the version shown: a record added or changed since the page was drawn is not
        verified unseen (issue 28, 6). What the service refuses is said, the rest verified."""
        seen = {}
        for item in shown:
            key, _, rest = item.partition(":")
            pk, _, version = rest.partition(":")
            if pk.isdigit() and version.isdigit():
                seen[(key, int(pk))] = int(version)
        verified, refused = 0, []
        for group in casebook_review(self.participant, BlindingPolicy.of(self.request.user)):
            for row in group.records:
                version = seen.get((group.crf.key, row.record.pk))
                if version is None or row.record.review_status != ReviewStatus.SUBMITTED:
                    continue
                try:
                    casebook_services.record_review(
                        record=row.record, user=self.request.user, step="verify", seen_version=version
                    )
                    verified += 1
                except (ValidationError, PermissionDenied) as exc:
                    refused.append(f"{row.name}: {_message(exc)}")
        messages.success(self.request, f"{verified} record{'s' if verified != 1 else ''} verified.")
        for line in refused:
            messages.error(self.request, line)

    def _raise_query(self):
        crf, record = self._record(self.request.POST.get("form", ""), self.request.POST.get("pk", ""))
        text = (self.request.POST.get("text") or "").strip()
        if record is None or not text:
            messages.error(self.request, "Say which record and what the question is.")
            return
        try:
            casebook_services.query_raise(
                record=record, user=self.request.user, field_name=self.request.POST.get("field", ""), text=text
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(self.request, f"Query not raised: {_message(exc)}")
        else:
            messages.success(self.request, f"Query raised on {crf.label.lower()}.")
