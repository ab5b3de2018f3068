"""The demo trial, composed from each app's demo data (enrolment, dosing, then outcomes), then reviewed
part way, so the review workflow has something in each state to show."""

from django.apps import apps
from django.db import transaction

from dosing.demo import seed_infusions
from outcomes.demo import seed_outcomes
from patients import roles, services
from patients.choices import ReviewStatus
from patients.demo import seed_demo as seed_enrolment
from patients.models import Participant
from patients.records import CaseReportForm

# The monitor has verified the first casebooks; the coordinator has locked the records of the very first.
VERIFIED_CASEBOOKS = 2
LOCKED_CASEBOOKS = 1


@transaction.atomic
def seed_demo(*, seed: int = 2020, participants: int = 18, sites: int = 1) -> dict:
    result = seed_enrolment(seed=seed, participants=participants, sites=sites)
    users = result["users"]
    result["infusions"] = 0
    for site in result["sites"]:
        result["infusions"] += seed_infusions(site=site, user=users[roles.CLINICIAN], seed=seed)
        seed_outcomes(site=site, user=users[roles.CLINICIAN], seed=seed)
        seed_review(site=site, users=users)
    return result


def seed_review(*, site, users) -> None:
    """Take real review steps (services.record_review: audit trail, role checks) on the demo records:
    drafts submitted by the clinician, the first casebooks verified and the first locked. Only records
    still in draft / submitted are touched, so a second run changes nothing."""
    participants = list(Participant.objects.filter(site=site, day0_date__isnull=False).order_by("study_id"))
    models = [m for m in apps.get_models() if issubclass(m, CaseReportForm)]
    for index, participant in enumerate(participants):
        for model in models:
            for record in model.objects.active().filter(participant=participant).order_by("pk"):
                if record.review_status == ReviewStatus.DRAFT:
                    record = services.record_review(record=record, user=users[roles.CLINICIAN], step="submit")
                if index < VERIFIED_CASEBOOKS and record.review_status == ReviewStatus.SUBMITTED:
                    record = services.record_review(record=record, user=users[roles.MONITOR], step="verify")
                if index < LOCKED_CASEBOOKS and record.review_status == ReviewStatus.VERIFIED:
                    services.record_review(record=record, user=users[roles.COORDINATOR], step="lock")
