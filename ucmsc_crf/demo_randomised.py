"""The randomised demo (``seed_demo --design randomised``): the next trial as the app runs it, in a database
of its own (a database runs one trial, and phase 1's design is fixed by its enrolments).

Blinded, placebo-controlled, 2:1, a generated list stratified by site and severity at two sites, every role
(the pharmacist, the unblinded statistician, the DSMB and a designated unblinding approver as well), some
participants enrolled from the list with their kits prepared and infusions given, one emergency unblinding,
and follow-up after discharge: day 28 and day 90 visits done, due, overdue and one missed, with endpoint
data (ucmsc_crf/demo_follow_up.py). Everything goes through the services and the models' rules, as real
data would; dates are relative to today, so the ward always has work due.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from dosing.demo import give_demo_infusion
from dosing.models import ArmRegimen, Preparation, Regimen, regimen_for
from patients import roles, services
from patients.casebook.choices import Allocation, Role, Treatment
from patients.casebook.saving import record_save
from patients.choices import ConsentGiver
from patients.demo import DEMO_PASSWORD, screen_demo_person
from patients.models import Arm, Participant, RandomisationList, Site, SiteMembership, TrialDesign
from patients.randomisation.services import list_generate, list_sign_off
from patients.unblinding import unblinding_decide, unblinding_request
from ucmsc_crf.demo import _local
from ucmsc_crf.demo_follow_up import follow_up, observe_stay, schedule_follow_up

DESIGN = {
    "code": "ucmsc-phase2",
    "title": "UC-MSC for severe COVID-19 pneumonia, phase 2 (randomised, double-blind, placebo-controlled)",
    "blinded": True,
    "allocation": Allocation.RANDOMISATION_LIST,
    "stratify_by_site": True,
    "stratification_factors": ["severity"],
    "follow_up_after_discharge": True,
    "unblinding_by_investigator_alone": False,
    "unblinding_notify": "sponsor-safety@example.org",
}
# Phase 1's two arms become the placebo-controlled trial's (nobody is enrolled yet, so the design may change).
ARMS = {
    "ucmsc": {"code": "active", "name": "UC-MSC", "treatment": Treatment.ACTIVE, "ratio_weight": 2},
    "control": {"code": "placebo", "name": "Placebo", "treatment": Treatment.PLACEBO, "ratio_weight": 1},
}
SITES = [("01", "Demo hospital A"), ("02", "Demo hospital B")]
# username, role, is_staff, works at the sites (the unblinded statistician and the DSMB see every site).
USERS = [
    ("clinician", roles.CLINICIAN, False, True),
    ("coordinator", roles.COORDINATOR, True, True),
    ("monitor", roles.MONITOR, True, True),
    ("statistician", roles.STATISTICIAN, False, True),
    ("ustat", roles.UNBLINDED_STATISTICIAN, True, False),
    ("pharmacist", roles.PHARMACIST, True, True),
    ("dsmb", roles.DSMB_MEMBER, False, False),
    ("approver", roles.MONITOR, True, True),  # the designated unblinding approver (a medical monitor)
]
# Per site: days since day 0 of each participant enrolled (the earliest have had all three infusions).
# Enrolled this many days ago at each site: the first six are discharged and followed up (demo_follow_up.py).
ENROLLED_DAYS_AGO = [100, 92, 40, 33, 27, 12, 9, 6, 3, 1]
# At day 33 the day 28 visit is past its window: missed (with its reason) at site 01, overdue at site 02.
DAY28_AT_33_DAYS = {"01": "missed", "02": "overdue"}
LIST_SEED = 20261125


class RandomisedDemoRefused(Exception):
    pass


@transaction.atomic
def seed_randomised_demo(*, seed: int = 2026) -> dict:
    """Set the randomised trial up and enrol into it (idempotent); refused in a database holding another
    trial's participants."""
    design = TrialDesign.current()
    users = _users()
    if Participant.objects.exists():
        if design.code == DESIGN["code"]:
            return _result(users)
        raise RandomisedDemoRefused(
            "This database holds another trial's participants, and a design is fixed once anyone is enrolled. "
            "Seed the randomised demo into a database of its own, e.g. "
            "DATABASE_URL=sqlite:///randomised.sqlite3 (make run-randomised does)."
        )
    sites = [Site.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in SITES]
    for username, _, _, at_sites in USERS:
        for site in sites if at_sites else ():
            SiteMembership.objects.get_or_create(user=users[username], site=site)
    users["approver"].groups.add(Group.objects.get(name=Role.UNBLINDING_APPROVER))
    _design(users)
    schedule_follow_up(users["coordinator"])
    ustat = users["ustat"]
    made = list_generate(user=ustat, slots_per_stratum=12, block_multiples=[1, 2], seed=LIST_SEED)
    list_sign_off(randomisation_list=made, user=ustat, password=DEMO_PASSWORD)
    rng = random.Random(seed)
    for site in sites:
        for number, days_ago in enumerate(ENROLLED_DAYS_AGO):
            participant = _enrol_and_treat(site, number, days_ago, users=users, rng=rng)
            day28 = DAY28_AT_33_DAYS[site.code] if days_ago == 33 else "done"
            observe_stay(participant, days_ago=days_ago, user=users["clinician"], rng=rng)
            follow_up(participant, days_ago=days_ago, day28=day28, users=users, rng=rng)
    first = Participant.objects.order_by("study_id").first()
    asked = unblinding_request(
        participant=first,
        user=users["clinician"],
        reason="Anaphylactic reaction during infusion 2; the choice of treatment depends on the product.",
    )
    unblinding_decide(unblinding=asked, user=users["approver"], approve=True, note="Agreed: clinical need.")
    return _result(users)


def _users() -> dict:
    users = {}
    for username, role, is_staff, _ in USERS:
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": is_staff})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
    return users


def _design(users) -> None:
    """As the coordinator and the unblinded statistician would in the admin, through each row's rules."""
    coordinator, ustat = users["coordinator"], users["ustat"]
    for old_code, fields in ARMS.items():
        arm = Arm.objects.get(code=old_code)
        for name, value in fields.items():
            setattr(arm, name, value)
        record_save(arm, user=ustat, reason="Phase 2 design: placebo-controlled, 2:1", validate=True)
    regimen = Regimen.objects.get(code="ucmsc-phase1")
    placebo = Arm.objects.get(code="placebo")
    if not ArmRegimen.objects.filter(arm=placebo).exists():
        record_save(ArmRegimen(arm=placebo, regimen=regimen), user=ustat, reason="Placebo infusions", validate=True)
    design = TrialDesign.current()
    for name, value in DESIGN.items():
        setattr(design, name, value)
    record_save(design, user=coordinator, reason="Phase 2 design", validate=True)


def _enrol_and_treat(site, number, days_ago, *, users, rng) -> Participant:
    coordinator, clinician, pharmacist = users["coordinator"], users["clinician"], users["pharmacist"]
    today = timezone.localdate()
    day0 = today - datetime.timedelta(days=days_ago)
    enrolment = min(_local(day0, 8), timezone.now() - datetime.timedelta(minutes=5))
    participant = screen_demo_person(
        site=site,
        user=coordinator,
        rng=rng,
        admission=day0 - datetime.timedelta(days=1),
        severe=number % 2 == 1,
        screening_datetime=enrolment - datetime.timedelta(hours=3),
    )
    services.consent_record(
        participant=participant,
        user=coordinator,
        consent_datetime=enrolment - datetime.timedelta(hours=2),
        form_version="2.0",
        given_by=ConsentGiver.PARTICIPANT,
    )
    participant = services.participant_enrol(participant=participant, user=coordinator, enrolment_datetime=enrolment)
    regimen = regimen_for(participant)
    active = participant.arm.treatment == Treatment.ACTIVE
    for sequence_number in range(1, regimen.number_of_infusions + 1):
        planned = regimen.planned_date(day0, sequence_number)
        if planned >= today:
            continue  # due today or later: the pharmacy's and the ward's job
        kit_code = f"K{participant.randomisation_slot.treatment_code}-{sequence_number}"
        prepared = _local(planned, 12)
        record_save(
            Preparation(
                participant=participant,
                sequence_number=sequence_number,
                kit_code=kit_code,
                product_lot="UCMSC-P2-2611" if active else "NACL-0.9-2611",
                cells_millions=Decimal(rng.choice(["29.5", "30.0", "30.5"])) if active else None,
                viability_percent=Decimal(rng.randint(88, 96)) if active else None,
                volume_ml=Decimal("100.0"),
                label_verified=True,
                appearance_ok=True,
                release_tests_passed=True,
                prepared_datetime=prepared,
                released_datetime=prepared + datetime.timedelta(minutes=30),
                prepared_by=pharmacist,
            ),
            user=pharmacist,
            reason="Prepared and released",
            validate=True,
        )
        give_demo_infusion(
            participant,
            sequence_number,
            user=clinician,
            start=_local(planned, 14),
            kit_code=kit_code,
            values={
                "spo2": (rng.randint(93, 95), rng.randint(96, 98)),
                "temperature_before_c": Decimal("36.8"),
                "heart_rate": rng.randint(72, 92),
                "systolic": rng.randint(112, 130),
            },
        )
    return participant


def _result(users) -> dict:
    return {
        "design": TrialDesign.current(),
        "list": RandomisationList.objects.first(),
        "participants": Participant.objects.count(),
        "kits": Preparation.objects.count(),
        "users": users,
    }
