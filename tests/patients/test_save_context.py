"""The save context (issue 30, 1): who saves and why travel as one object, ``SaveContext``, which the guards
and the audit row read; no private attribute protocol, and no override of a private Django method.

The constraint fast path (one query for all of a record's check constraints) relies on Django's public
constraint API only (``Model.get_constraints``, ``BaseConstraint.validate``, ``Q.check``); the tests below
hold its errors to those of Django's own ``Model.validate_constraints``, message and code, field by field."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from outcomes.models import DailyObservation
from patients.casebook.exceptions import ChangeReasonRequired
from patients.casebook.saving import SaveContext, context_of, prepare_save, record_save, saving
from tests.factories import enrolled_participant, observation_values, record

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
APP_CODE = ["patients", "dosing", "outcomes", "ucmsc_crf"]


def test_the_context_is_what_the_audit_row_says_and_a_reason_explains_one_change(clinician, coordinator, site_a):
    participant = enrolled_participant(user=coordinator, site=site_a)
    observation = record(DailyObservation, participant, observation_values(participant), user=clinician)
    entry = observation.history.get()
    assert (entry.history_user, entry.history_change_reason) == (clinician, None)
    observation.heart_rate = 99
    saving(observation, SaveContext(user=coordinator, reason="Transposed digits"))
    assert (observation.history.first().history_user, observation.history.first().history_change_reason) == (
        coordinator,
        "Transposed digits",
    )
    # Spent: the next change gives its own reason (who is saving stays, for what the same save still writes).
    assert context_of(observation) == SaveContext(user=coordinator)
    observation.heart_rate = 98
    with pytest.raises(ChangeReasonRequired):
        observation.save()


def test_a_form_attaches_the_version_it_opened_and_then_the_reason_keeping_the_version(clinician, site_a):
    observation = DailyObservation()
    prepare_save(observation, user=clinician, expected_version=3)
    prepare_save(observation, user=clinician, reason="Corrected", answers_query=17)
    assert context_of(observation) == SaveContext(
        user=clinician, reason="Corrected", expected_version=3, answers_query_id=17
    )


def test_a_review_step_is_for_its_own_save_only(clinician, coordinator, site_a):
    participant = enrolled_participant(user=coordinator, site=site_a)
    observation = record(DailyObservation, participant, observation_values(participant), user=clinician)
    record_save(observation, user=coordinator, reason="Verify", review_step="verify")
    assert context_of(observation).review_step is None and not context_of(observation).lock_change


def _errors(call) -> dict:
    try:
        call()
    except ValidationError as error:
        return {
            field: [(e.message % (e.params or {}), e.code) for e in found] for field, found in error.error_dict.items()
        }
    return {}


@pytest.mark.parametrize(
    "change",
    [
        {},  # every constraint holds
        {"spo2_percent": 30},  # one check constraint fails
        {"diastolic_bp": 140, "systolic_bp": 120, "temperature_c": 50},  # two fail
        "same day",  # the unique constraint fails, the checks hold
    ],
)
def test_the_constraint_fast_path_reports_what_django_reports(change, clinician, coordinator, site_a):
    participant = enrolled_participant(user=coordinator, site=site_a)
    record(DailyObservation, participant, observation_values(participant), user=clinician)
    on = participant.day0_date if change == "same day" else participant.day0_date + datetime.timedelta(days=1)
    candidate = DailyObservation(participant=participant, **observation_values(participant, on=on))
    for name, value in (change if isinstance(change, dict) else {}).items():
        setattr(candidate, name, value)
    ours = _errors(candidate.validate_constraints)
    djangos = _errors(lambda: models.Model.validate_constraints(candidate))
    assert ours == djangos
    assert bool(ours) == (change != {})
    with CaptureQueriesContext(connection) as fast:
        candidate.validate_constraints() if not ours else None
    if not ours:
        with CaptureQueriesContext(connection) as one_by_one:
            models.Model.validate_constraints(candidate)
        assert len(fast.captured_queries) < len(one_by_one.captured_queries) / 3


def test_no_app_code_overrides_a_private_django_method_or_sets_a_private_save_attribute():
    forbidden = re.compile(
        r"def (_do_update|_update_errors|_get_field_expression_map|_post_clean)\b|\._update\(|"
        r"_get_field_expression_map|\b_history_user\b|\b_change_reason\b|_loaded_version|_review_transition|"
        r"_changing_lock|_answers_query_id"
    )
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in APP_CODE
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if forbidden.search(line)
    ]
    assert found == []


def test_a_model_whose_save_does_more_may_not_write_in_bulk(monkeypatch):
    """An infusion's save() writes its deviations and planned doses; add_in_bulk skips save(). Declaring it a
    bulk writer fails manage.py check (casebook.E011), and add_in_bulk refuses a model that does not declare it."""
    from dosing.models import Infusion
    from patients.casebook import checks

    assert checks.bulk_writers_skip_nothing() == []
    with pytest.raises(TypeError, match="does not declare adds_in_bulk"):
        Infusion.add_in_bulk([Infusion()])
    monkeypatch.setattr(Infusion, "adds_in_bulk", True)
    errors = checks.bulk_writers_skip_nothing()
    assert [(e.id, e.obj) for e in errors] == [("casebook.E011", Infusion)] and "Infusion.save()" in errors[0].msg
