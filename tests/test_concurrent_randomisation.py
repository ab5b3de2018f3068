"""Twenty enrolments into one stratum at the same moment, each on its own PostgreSQL connection: every one
succeeds and they take slots 1 to 20 of the stratum, each once, in the order they committed, with no gap.
(The stratum's row lock in patients/randomisation/services.slot_allocate is what orders them.)"""

import threading

import pytest
from django.db import connection

from patients import services
from patients.models import RandomisationSlot, Stratum
from tests.factories import UserFactory, consent, randomised_design, screened_participant, signed_off_list

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: set DATABASE_URL=postgres://..."),
]
ENROLMENTS = 20


def test_twenty_concurrent_enrolments_take_twenty_consecutive_slots(coordinator, site_a):
    randomised_design()
    statistician = UserFactory(username="ustat", role="Unblinded statistician")
    signed_off_list(user=statistician, slots_per_stratum=30, block_multiples=[1, 2], seed=2026)
    people = []
    for _ in range(ENROLMENTS):
        person = screened_participant(user=coordinator, site=site_a)
        consent(person, user=coordinator)
        people.append(person)
    start = threading.Barrier(ENROLMENTS)
    errors = []

    def enrol(person):
        try:
            start.wait(10)
            services.participant_enrol(participant=person, user=coordinator)
        except Exception as exc:  # the outcome under test: there must be none
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    stratum = Stratum.objects.get(site=site_a)
    taken = list(RandomisationSlot.objects.filter(stratum=stratum, participant__isnull=False).order_by("sequence"))
    assert stratum.used == ENROLMENTS
    assert [slot.sequence for slot in taken] == list(range(1, ENROLMENTS + 1))
    assert len({slot.participant_id for slot in taken}) == ENROLMENTS
    # In order: each slot was allocated (its history row written) after the one before it.
    allocated = [slot.history.filter(participant__isnull=False).get().history_id for slot in taken]
    assert allocated == sorted(allocated)
    # And each participant's arm is their slot's.
    assert all(slot.participant.arm_id == slot.arm_id for slot in taken)
