"""Two people saving the same casebook at the same moment: the second gets the field's own message, never
a database error (which the ward would show as a 500).

Each test runs two real database connections (threads) on PostgreSQL. Writer A validates and is held
before saving; writer B then validates while A's transaction is still open. Writers of one casebook take
turns (ClinicalRecord.take_casebook_write_turn), so B waits for A to commit and then validates against
A's row. The load test (bench/load.py) shows the same through gunicorn under load."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from outcomes.models import DailyObservation
from patients.casebook.saving import prepare_save
from tests.factories import observation_values, treated_participant
from tests.helpers import error_codes

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: set DATABASE_URL=postgres://..."),
]
HOLD = 0.5  # seconds A keeps its transaction open after B has started validating


def race(write_a, write_b):
    """Run A up to its save, start B, let A save and commit; return what each raised (None: saved)."""
    a_validated, b_started = threading.Event(), threading.Event()
    outcome = {}

    def writer(name, write, before_save):
        try:
            with transaction.atomic():
                write(before_save)
            outcome[name] = None
        except Exception as exc:  # the outcome under test: which exception, if any
            outcome[name] = exc
        finally:
            connection.close()

    def a_hold():
        a_validated.set()
        b_started.wait(5)
        threading.Event().wait(HOLD)

    def b_start():
        pass

    def b_write(before_save):
        a_validated.wait(5)
        b_started.set()
        write_b(before_save)

    threads = [
        threading.Thread(target=writer, args=("a", write_a, a_hold)),
        threading.Thread(target=writer, args=("b", b_write, b_start)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcome["a"], outcome["b"]


def test_two_clinicians_recording_the_same_day_at_once(clinician, site_a):
    participant = treated_participant(user=clinician, site=site_a)

    def record(before_save):
        observation = DailyObservation(participant=participant, **observation_values(participant))
        prepare_save(observation, user=clinician)
        observation.full_clean()
        before_save()
        observation.save()

    a, b = race(record, record)
    assert a is None
    assert isinstance(b, ValidationError), repr(b)
    assert error_codes(b, "observation_date") == ["duplicate"]
    assert DailyObservation.objects.filter(participant=participant).count() == 1


def test_two_clinicians_editing_the_same_observation_at_once(clinician, site_a):
    participant = treated_participant(user=clinician, site=site_a)
    saved = DailyObservation(participant=participant, **observation_values(participant))
    saved.full_clean()
    saved.save()

    def edit(heart_rate):
        def write(before_save):
            observation = DailyObservation.objects.get(pk=saved.pk)
            # Both opened the form at version 1.
            prepare_save(observation, user=clinician, reason="Transcription error", expected_version=1)
            observation.heart_rate = heart_rate
            observation.full_clean()
            before_save()
            observation.save()

        return write

    a, b = race(edit(90), edit(101))
    assert a is None
    assert isinstance(b, ValidationError), repr(b)
    assert "record_changed" in error_codes(b)
    saved.refresh_from_db()
    assert (saved.heart_rate, saved.version) == (90, 2)
    assert saved.history.count() == 2


def test_two_monitors_bulk_verifying_in_opposite_orders_do_not_deadlock(clinician, monitor, site_a, monkeypatch):
    """Each step keeps its casebook's turn until the action's transaction commits. Taken in the order of
    each monitor's sorted changelist, two overlapping selections would deadlock (PostgreSQL then fails one
    request); the action takes them casebook by casebook in one order, so the second monitor waits."""
    from django.contrib import admin
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    from patients.casebook import services as casebook_services
    from tests.factories import UserFactory

    second_monitor = UserFactory(username="monitor_2", role="Monitor", sites=[site_a])
    observations = []
    for _ in range(2):
        participant = treated_participant(user=clinician, site=site_a)
        observation = DailyObservation(participant=participant, **observation_values(participant))
        observation.full_clean()
        observation.save()
        observations.append(casebook_services.record_review(record=observation, user=clinician, step="submit"))
    model_admin = admin.site._registry[DailyObservation]
    both_at_their_first = threading.Barrier(2, timeout=1)
    real_review = casebook_services.record_review

    def review_then_wait(**kwargs):
        done = real_review(**kwargs)
        if not both_at_their_first.broken:
            try:
                both_at_their_first.wait()  # without one order, each now holds the casebook the other wants
            except threading.BrokenBarrierError:
                pass  # the other monitor is queued behind this one: go on
        return done

    monkeypatch.setattr(casebook_services, "record_review", review_then_wait)
    failures = []

    def bulk_verify(user, ordering):
        request = RequestFactory().post("/admin/")
        request.user, request._messages = user, CookieStorage(RequestFactory().get("/"))
        try:
            with transaction.atomic():
                model_admin._take_step(request, DailyObservation.objects.order_by(ordering), "verify")
        except Exception as exc:  # the outcome under test: a deadlock error, or none
            failures.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=bulk_verify, args=(monitor, "participant_id")),
        threading.Thread(target=bulk_verify, args=(second_monitor, "-participant_id")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert set(DailyObservation.objects.values_list("review_status", flat=True)) == {"verified"}


def test_a_void_racing_an_edit_of_the_same_infusion_queues_instead_of_deadlocking(clinician, site_a):
    """Issue 28, F: the red team's void of infusion 1 raced with edits of it deadlocked (DeadlockDetected, a
    500): the void locked the infusion's row and then waited for the casebook's turn, which the edit held
    while it waited for the infusion's row. Every path now takes the casebook first (locked_for_write)."""
    from dosing.models import Infusion
    from patients.casebook import services as casebook_services
    from tests.factories import give_infusion

    participant = treated_participant(user=clinician, site=site_a)
    infusion = give_infusion(participant, 1, user=clinician)

    def edit(before_save):
        mine = Infusion.objects.get(pk=infusion.pk)
        mine.premedication = "Paracetamol 1 g"
        prepare_save(mine, user=clinician, reason="Premedication was given", expected_version=mine.version)
        mine.full_clean()  # takes the casebook's turn
        before_save()  # held while the void starts
        mine.save()

    def void(before_save):
        casebook_services.record_void(record=infusion, user=clinician, reason="Entered for the wrong participant")

    a, b = race(edit, void)
    assert a is None and b is None, (repr(a), repr(b))
    infusion.refresh_from_db()
    assert infusion.voided and infusion.premedication == "Paracetamol 1 g"  # the void came after the edit
