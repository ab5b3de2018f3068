"""The demo trial, composed from each app's demo data (enrolment, dosing, then outcomes), then reviewed
part way, so the review workflow has something in each state to show."""

import datetime
import random
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from dosing.demo import give_demo_infusion, seed_infusions
from dosing.models import regimen_for
from outcomes.demo import seed_outcomes
from outcomes.models import DailyObservation
from patients import roles, services
from patients.casebook import services as casebook_services
from patients.casebook.choices import ReviewStatus
from patients.casebook.reviewed import CaseReportForm
from patients.casebook.saving import record_save
from patients.choices import ConsentGiver
from patients.demo import screen_demo_person
from patients.demo import seed_demo as seed_enrolment
from patients.models import Arm, Participant, Site, SiteMembership

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
    result["ward"] = seed_ward_today(users=users, seed=seed)
    return result


# Besides the finished phase 1 trial, a ward in hospital now (a site of its own, so the published trial's
# site stays exactly the paper's): people enrolled in the last days, each with today's work due, so every
# ward job (infusion due, daily observation due, a person awaiting enrolment) can be tried after make run.
WARD_SITE_CODE, WARD_SITE_NAME = "99", "Demo ward (in hospital today)"
# (arm, days since day 0): an infusion due today (day 3), a control on day 2, a first infusion given
# yesterday, and someone enrolled this morning whose first infusion is due today.
WARD = [("ucmsc", 3), ("control", 2), ("ucmsc", 1), ("ucmsc", 0)]


def seed_ward_today(*, users, seed: int = 2020) -> int:
    """Create the ward's participants if the ward site has none (idempotent; dates relative to today)."""
    site, _ = Site.objects.get_or_create(code=WARD_SITE_CODE, defaults={"name": WARD_SITE_NAME})
    for user in users.values():
        SiteMembership.objects.get_or_create(user=user, site=site)
    if Participant.objects.filter(site=site).exists():
        return 0
    rng = random.Random(seed + 99)
    coordinator, clinician = users[roles.COORDINATOR], users[roles.CLINICIAN]
    now = timezone.now()
    today = timezone.localdate(now)
    for number, (arm_code, days_ago) in enumerate(WARD, start=1):
        day0 = today - datetime.timedelta(days=days_ago)
        # Enrolled at 08:00 on day 0 (or a few minutes ago, early on the first day).
        enrolment = min(_local(day0, 8), now - datetime.timedelta(minutes=5))
        participant = screen_demo_person(
            site=site,
            user=coordinator,
            rng=rng,
            admission=day0 - datetime.timedelta(days=1),
            severe=number % 2 == 0,
            screening_datetime=enrolment - datetime.timedelta(hours=3),
        )
        _consent(participant, coordinator, enrolment - datetime.timedelta(hours=2))
        arm = Arm.objects.get(code=arm_code)
        participant = services.participant_enrol(
            participant=participant, user=coordinator, requested_arm=arm, enrolment_datetime=enrolment
        )
        if arm.receives_infusions:
            regimen = regimen_for(participant)
            for sequence_number in range(1, regimen.number_of_infusions + 1):
                planned = regimen.planned_date(day0, sequence_number)
                if planned >= today:
                    continue  # due today or later: the ward's job
                give_demo_infusion(
                    participant,
                    sequence_number,
                    user=clinician,
                    start=_local(planned, 14),
                    values={
                        "cells_administered_millions": Decimal("30.0"),
                        "viability_percent": Decimal(rng.randint(88, 97)),
                        "spo2": (rng.randint(94, 96), rng.randint(97, 99)),
                        "temperature_before_c": Decimal("36.7"),
                        "heart_rate": rng.randint(70, 90),
                        "systolic": rng.randint(112, 130),
                    },
                    lot_number=f"UCMSC-WARD-{number:02d}{sequence_number}",
                )
        for offset in range(days_ago):  # every day before today observed; today's is due
            _observe(participant, clinician, day0 + datetime.timedelta(days=offset), rng)
    # And one person screened and consented, awaiting enrolment.
    waiting = screen_demo_person(
        site=site,
        user=coordinator,
        rng=rng,
        admission=today,
        severe=False,
        screening_datetime=now - datetime.timedelta(minutes=30),
    )
    _consent(waiting, coordinator, now - datetime.timedelta(minutes=20))
    return Participant.objects.filter(site=site).count()


def _local(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=timezone.get_current_timezone())


def _consent(participant, user, when):
    services.consent_record(
        participant=participant, user=user, consent_datetime=when, form_version="1.0", given_by=ConsentGiver.PARTICIPANT
    )


def _observe(participant, user, day, rng):
    observation = DailyObservation(
        participant=participant,
        observation_date=day,
        temperature_c=Decimal(f"{rng.uniform(36.5, 37.8):.1f}"),
        heart_rate=rng.randint(72, 96),
        respiratory_rate=rng.randint(18, 24),
        systolic_bp=rng.randint(112, 132),
        diastolic_bp=rng.randint(68, 82),
        spo2_percent=rng.randint(93, 97),
        fio2_percent=29,
        oxygen_support="low_flow",
        oxygen_flow_l_min=Decimal("2.0"),
        who_score=5,
        fever="absent",
        cough="present",
        fatigue="present",
        shortness_of_breath="present",
        chest_tightness="absent",
        myalgia="absent",
        diarrhoea="absent",
        other_symptoms="absent",
        review_status=ReviewStatus.SUBMITTED,
    )
    record_save(observation, user=user, validate=True)


def seed_review(*, site, users) -> None:
    """Take real review steps (casebook_services.record_review: audit trail, role checks) on the demo records:
    drafts submitted by the clinician, the first casebooks verified and the first locked. Only records
    still in draft / submitted are touched, so a second run changes nothing."""
    participants = list(Participant.objects.filter(site=site, day0_date__isnull=False).order_by("study_id"))
    models = [m for m in apps.get_models() if issubclass(m, CaseReportForm)]
    for index, participant in enumerate(participants):
        for model in models:
            for record in model.objects.active().filter(participant=participant).order_by("pk"):
                if record.review_status == ReviewStatus.DRAFT:
                    record = casebook_services.record_review(record=record, user=users[roles.CLINICIAN], step="submit")
                if index < VERIFIED_CASEBOOKS and record.review_status == ReviewStatus.SUBMITTED:
                    record = casebook_services.record_review(record=record, user=users[roles.MONITOR], step="verify")
                if index < LOCKED_CASEBOOKS and record.review_status == ReviewStatus.VERIFIED:
                    casebook_services.record_review(record=record, user=users[roles.COORDINATOR], step="lock")
