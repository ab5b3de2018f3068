"""The demo trial, composed from each app's demo data (enrolment, dosing, then outcomes)."""

from django.db import transaction

from dosing.demo import seed_infusions
from outcomes.demo import seed_outcomes
from patients.demo import seed_demo as seed_enrolment


@transaction.atomic
def seed_demo(*, seed: int = 2020) -> dict:
    result = seed_enrolment(seed=seed)
    result["infusions"] = seed_infusions(site=result["site"], user=result["users"]["Clinician"], seed=seed)
    seed_outcomes(site=result["site"], user=result["users"]["Clinician"], seed=seed)
    return result
