"""The enrolment rules as pure functions, with plain arguments (no database)."""

import datetime
import importlib

import pytest
from django.core.exceptions import ValidationError

from patients import rules
from patients.casebook.criteria import EligibilityCriterion
from tests.helpers import error_codes

# Phase 1's criteria as the data migration writes them, as unsaved rows: the rules read plain attributes.
PHASE1 = importlib.import_module("patients.migrations.0006_phase1_criteria").PHASE1_CRITERIA
CRITERIA = [
    EligibilityCriterion(
        code=code,
        kind=kind,
        text=text,
        ineligible_answer=ineligible,
        automatic=(check or ("",))[0],
        min_value=check[1] if check else None,
        max_value=check[2] if check else None,
    )
    for code, kind, text, ineligible, check in PHASE1
]
AGE = CRITERIA[0]
MIN_AGE_YEARS, MAX_AGE_YEARS = AGE.min_value, AGE.max_value

NOW = datetime.datetime(2020, 2, 10, 12, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


def all_met():
    return {c.code: c.required_answer for c in CRITERIA}


def test_all_criteria_met_is_eligible():
    decision = rules.eligibility_decision(all_met(), CRITERIA)
    assert decision.eligible and decision.complete
    assert decision.summary == "Eligible"


@pytest.mark.parametrize("criterion", CRITERIA, ids=lambda c: c.code)
def test_each_criterion_failing_makes_person_ineligible_with_its_reason(criterion):
    answers = all_met()
    answers[criterion.code] = "no" if criterion.required_answer == "yes" else "yes"
    decision = rules.eligibility_decision(answers, CRITERIA)
    assert not decision.eligible
    assert decision.complete
    assert any(criterion.text in reason for reason in decision.reasons)
    assert criterion.text in decision.summary


def test_missing_answer_is_incomplete_not_eligible():
    answers = all_met()
    del answers["exc_allergy"]
    decision = rules.eligibility_decision(answers, CRITERIA)
    assert not decision.eligible and not decision.complete
    assert "allergy" in decision.summary


def test_failure_is_known_before_all_answers_are_in():
    decision = rules.eligibility_decision({"exc_pregnancy": "yes"}, CRITERIA)
    assert not decision.eligible
    assert "Pregnant" in decision.summary


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (datetime.date(2000, 2, 10), datetime.date(2020, 2, 10), 20),
        (datetime.date(2000, 2, 11), datetime.date(2020, 2, 10), 19),
        (datetime.date(2000, 2, 29), datetime.date(2021, 2, 28), 20),
    ],
)
def test_age_in_completed_years(born, on, age):
    assert rules.age_in_years(born, on) == age


def test_age_answer_must_agree_with_date_of_birth():
    too_young = datetime.date(TODAY.year - MIN_AGE_YEARS + 1, 1, 1)
    with pytest.raises(ValidationError) as exc:
        rules.check_answer_consistent_with_age(
            criterion=AGE, answer="yes", date_of_birth=too_young, screening_date=TODAY
        )
    assert "answer" in exc.value.message_dict
    too_old = datetime.date(TODAY.year - MAX_AGE_YEARS - 2, 1, 1)
    rules.check_answer_consistent_with_age(criterion=AGE, answer="no", date_of_birth=too_old, screening_date=TODAY)


def gate(**overrides):
    kwargs = {
        "decision": rules.eligibility_decision(all_met(), CRITERIA),
        "consent_datetimes": [NOW - datetime.timedelta(hours=3)],
        "enrolment_datetime": NOW - datetime.timedelta(hours=1),
        "admission_date": TODAY - datetime.timedelta(days=2),
        "enrolment_local_date": TODAY,
        "withdrawn": False,
        "now": NOW,
    }
    kwargs.update(overrides)
    return rules.check_enrolment(**kwargs)


def test_enrolment_gate_passes_for_eligible_consented_admitted_person():
    gate()


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        (
            {"decision": rules.eligibility_decision({**all_met(), "exc_malignancy": "yes"}, CRITERIA)},
            "arm",
            "ineligible",
        ),
        ({"decision": rules.eligibility_decision({}, CRITERIA)}, "arm", "screening_incomplete"),
        ({"consent_datetimes": []}, "arm", "no_consent"),
        ({"withdrawn": True}, "arm", "withdrawn"),
        ({"enrolment_datetime": None}, "enrolment_datetime", "missing"),
        ({"enrolment_datetime": NOW + datetime.timedelta(hours=1)}, "enrolment_datetime", "in_future"),
        ({"consent_datetimes": [NOW]}, "enrolment_datetime", "before_consent"),
        ({"admission_date": TODAY + datetime.timedelta(days=1)}, "enrolment_datetime", "before_admission"),
    ],
    ids=[
        "ineligible",
        "screening-incomplete",
        "no-consent",
        "withdrawn",
        "no-datetime",
        "future",
        "consent-after",
        "before-admission",
    ],
)
def test_enrolment_gate_refusals_name_field_and_reason(overrides, field, code):
    with pytest.raises(ValidationError) as exc:
        gate(**overrides)
    assert list(exc.value.message_dict) == [field]
    assert error_codes(exc, field) == [code]


def test_participant_dates_in_future_or_before_birth_are_refused_on_their_field():
    with pytest.raises(ValidationError) as exc:
        rules.check_participant_dates(
            date_of_birth=datetime.date(1980, 1, 1),
            admission_date=TODAY + datetime.timedelta(days=1),
            symptom_onset_date=datetime.date(1979, 1, 1),
            now=NOW,
        )
    assert error_codes(exc, "admission_date") == ["in_future"]
    assert error_codes(exc, "symptom_onset_date") == ["before_birth"]


@pytest.mark.parametrize(
    ("old", "new", "ok"),
    [
        (None, "screening", True),
        (None, "enrolled", False),
        ("screening", "enrolled", True),
        ("screening", "completed", False),
        ("enrolled", "screening", False),
        ("withdrawn", "enrolled", False),
        ("enrolled", "withdrawn", True),
    ],
)
def test_status_moves_forward_only(old, new, ok):
    if ok:
        rules.check_status_transition(old=old, new=new)
    else:
        with pytest.raises(ValidationError) as exc:
            rules.check_status_transition(old=old, new=new)
        assert "status" in exc.value.message_dict


def test_arm_is_set_once():
    rules.check_arm_unchanged(old_arm_id=None, new_arm_id=1)
    with pytest.raises(ValidationError) as exc:
        rules.check_arm_unchanged(old_arm_id=1, new_arm_id=2)
    assert error_codes(exc, "arm") == ["arm_fixed"]
