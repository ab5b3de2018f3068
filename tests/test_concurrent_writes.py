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
from tests.factories import observation_values, treated_participant

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
        observation.full_clean()
        before_save()
        observation._history_user = clinician
        observation.save()

    a, b = race(record, record)
    assert a is None
    assert isinstance(b, ValidationError), repr(b)
    assert "already" in " ".join(b.message_dict["observation_date"])
    assert DailyObservation.objects.filter(participant=participant).count() == 1


def test_two_clinicians_editing_the_same_observation_at_once(clinician, site_a):
    participant = treated_participant(user=clinician, site=site_a)
    saved = DailyObservation(participant=participant, **observation_values(participant))
    saved.full_clean()
    saved.save()

    def edit(heart_rate):
        def write(before_save):
            observation = DailyObservation.objects.get(pk=saved.pk)
            observation._loaded_version = 1  # both opened the form at version 1
            observation.heart_rate = heart_rate
            observation.full_clean()
            before_save()
            observation._change_reason = "Transcription error"
            observation._history_user = clinician
            observation.save()

        return write

    a, b = race(edit(90), edit(101))
    assert a is None
    assert isinstance(b, ValidationError), repr(b)
    assert "since you opened it" in " ".join(b.messages)
    saved.refresh_from_db()
    assert (saved.heart_rate, saved.version) == (90, 2)
    assert saved.history.count() == 2
