"""Every outcomes rule, once through the model layer (full_clean) and once through its clinician form,
with the message on the field it concerns; and a valid record of each kind passes both."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from outcomes.forms import AdverseEventForm, ChestCtForm, DailyObservationForm, LabResultForm
from outcomes.models import AdverseEvent, ChestCt, DailyObservation, LabResult
from patients.forms import EndOfStudyForm
from patients.models import EndOfStudy
from tests.factories import (
    ae_values,
    ct_values,
    end_study,
    give_infusion,
    lab_values,
    local_datetime,
    observation_values,
    record,
    treated_participant,
)
from tests.helpers import error_codes, form_data

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def end_of_study_values(participant, **overrides):
    values = {
        "end_reason": "discharged",
        "end_date": participant.day0_date + 5 * DAY,
        "icu_admission_date": None,
        "icu_discharge_date": None,
        "details": "",
    }
    values.update(overrides)
    return values


KINDS = {
    "observation": (DailyObservation, DailyObservationForm, observation_values),
    "lab": (LabResult, LabResultForm, lab_values),
    "ct": (ChestCt, ChestCtForm, ct_values),
    "ae": (AdverseEvent, AdverseEventForm, ae_values),
    "end": (EndOfStudy, EndOfStudyForm, end_of_study_values),
}


def discharged_on_day(n):
    def setup(p, user):
        end_study(p, user=user, on=p.day0_date + n * DAY)

    return setup


def prior(kind, **overrides):
    def setup(p, user):
        model, _, values = KINDS[kind]
        record(model, p, values(p, **{k: v(p) if callable(v) else v for k, v in overrides.items()}), user=user)

    return setup


def with_infusion(p, user):
    return give_infusion(p, 1, user=user)


def other_participants_infusion(p, user):
    other = treated_participant(user=user, site=p.site)
    return give_infusion(other, 1, user=user)


@dataclass
class Case:
    id: str
    kind: str
    overrides: Any  # dict, or callable(participant, context) -> dict
    field: str
    code: str  # the code of the error on ``field`` (Django's own for a field's validators)
    setup: Any = None
    arm: str = "ucmsc"
    extra: dict = field(default_factory=dict)


CASES = [
    # Daily observation: vital signs
    Case("temperature-range", "observation", {"temperature_c": Decimal("45.5")}, "temperature_c", "max_value"),
    Case("spo2-range", "observation", {"spo2_percent": 45}, "spo2_percent", "min_value"),
    Case("fio2-range", "observation", {"fio2_percent": 15}, "fio2_percent", "min_value"),
    Case(
        "diastolic-below-systolic",
        "observation",
        {"systolic_bp": 90, "diastolic_bp": 95},
        "diastolic_bp",
        "diastolic_not_below",
    ),
    # Oxygen support and WHO score
    Case(
        "flow-needed",
        "observation",
        {"oxygen_support": "low_flow", "who_score": 5, "fio2_percent": 29},
        "oxygen_flow_l_min",
        "missing",
    ),
    Case(
        "no-flow-on-room-air", "observation", {"oxygen_flow_l_min": Decimal("2")}, "oxygen_flow_l_min", "not_applicable"
    ),
    Case(
        "implausible-flow",
        "observation",
        {"oxygen_support": "low_flow", "who_score": 5, "fio2_percent": 40, "oxygen_flow_l_min": Decimal("30")},
        "oxygen_flow_l_min",
        "implausible",
    ),
    Case("fio2-on-room-air", "observation", {"fio2_percent": 35}, "fio2_percent", "room_air_fio2"),
    Case(
        "who-below-7-on-imv",
        "observation",
        {"oxygen_support": "imv", "who_score": 6, "fio2_percent": 50},
        "who_score",
        "who_score_inconsistent",
    ),
    Case("who-on-room-air", "observation", {"who_score": 6}, "who_score", "who_score_inconsistent"),
    Case("other-symptoms-named", "observation", {"other_symptoms": "present"}, "other_symptoms_details", "missing"),
    # Daily observation: dates
    Case(
        "obs-before-enrolment",
        "observation",
        lambda p, c: {"observation_date": p.day0_date - DAY},
        "observation_date",
        "before_start",
    ),
    Case(
        "obs-in-future",
        "observation",
        lambda p, c: {"observation_date": timezone.localdate() + DAY},
        "observation_date",
        "in_future",
    ),
    Case(
        "obs-after-discharge",
        "observation",
        lambda p, c: {"observation_date": p.day0_date + 4 * DAY},
        "observation_date",
        "after_follow_up",
        setup=discharged_on_day(3),
    ),
    Case("obs-one-per-day", "observation", {}, "observation_date", "duplicate", setup=prior("observation")),
    # Laboratory
    Case("lab-implausible", "lab", {"value": Decimal("60000")}, "value", "implausible"),
    Case(
        "lab-detection-limit-comment",
        "lab",
        {"detection_limit": "below", "value": Decimal("1.5")},
        "comment",
        "missing",
    ),
    Case(
        "lab-before-admission",
        "lab",
        lambda p, c: {"sample_datetime": local_datetime(p.admission_date - DAY)},
        "sample_datetime",
        "before_start",
    ),
    Case(
        "lab-after-discharge",
        "lab",
        lambda p, c: {"sample_datetime": local_datetime(p.day0_date + 4 * DAY)},
        "sample_datetime",
        "after_follow_up",
        setup=discharged_on_day(3),
    ),
    Case("lab-once-per-sample", "lab", {}, "sample_datetime", "duplicate", setup=prior("lab")),
    # Chest CT
    Case("ct-first-scan-compared", "ct", {"comparison": "improved"}, "comparison", "first_scan"),
    Case(
        "ct-later-scan-uncompared",
        "ct",
        lambda p, c: {"scan_date": p.day0_date + 3 * DAY},
        "comparison",
        "earlier_scan_exists",
        setup=prior("ct"),
    ),
    Case("ct-one-per-day", "ct", {}, "scan_date", "duplicate", setup=prior("ct")),
    Case("ct-extent-range", "ct", {"extent_score": 26}, "extent_score", "max_value"),
    Case("ct-in-future", "ct", lambda p, c: {"scan_date": timezone.localdate() + DAY}, "scan_date", "in_future"),
    # Adverse events
    Case(
        "ae-resolution-before-onset",
        "ae",
        lambda p, c: {"resolution_datetime": local_datetime(p.day0_date, 8)},
        "resolution_datetime",
        "resolution_before_onset",
    ),
    Case("ae-grade5-not-fatal", "ae", {"grade": 5}, "outcome", "grade5_not_fatal"),
    Case("ae-fatal-not-grade5", "ae", {"outcome": "fatal", "resolution_datetime": None}, "grade", "fatal_not_grade5"),
    Case("ae-serious-without-criterion", "ae", {"serious": True}, "serious", "no_criterion"),
    Case("ae-criterion-without-serious", "ae", {"serious_life_threatening": True}, "serious", "criteria_ticked"),
    Case("ae-control-related", "ae", {"relation": "possible"}, "relation", "no_product_given", arm="control"),
    Case("ae-control-action", "ae", {"action_taken": "interrupted"}, "action_taken", "no_product_given", arm="control"),
    Case(
        "ae-other-participants-infusion",
        "ae",
        lambda p, c: {"infusion": c},
        "infusion",
        "other_participant",
        setup=other_participants_infusion,
    ),
    Case(
        "ae-before-infusion",
        "ae",
        lambda p, c: {
            "infusion": c,
            "onset_datetime": c.start_datetime - datetime.timedelta(minutes=30),
            "resolution_datetime": c.start_datetime,
        },
        "onset_datetime",
        "before_infusion",
        setup=with_infusion,
    ),
    Case(
        "ae-sae-needs-awareness",
        "ae",
        {"serious": True, "serious_hospitalisation": True, "grade": 3},
        "site_aware_datetime",
        "sae_aware_required",
    ),
    Case(
        "ae-report-before-awareness",
        "ae",
        lambda p, c: {
            "serious": True,
            "serious_hospitalisation": True,
            "grade": 3,
            "site_aware_datetime": local_datetime(p.day0_date + DAY, 14),
            "reported_datetime": local_datetime(p.day0_date + DAY, 13),
        },
        "reported_datetime",
        "reported_before_aware",
    ),
    Case("ae-recovered-needs-resolution", "ae", {"resolution_datetime": None}, "resolution_datetime", "missing"),
    Case(
        "ae-before-consent",
        "ae",
        lambda p, c: {
            "onset_datetime": local_datetime(p.admission_date - 3 * DAY),
            "resolution_datetime": None,
            "outcome": "recovering",
        },
        "onset_datetime",
        "before_start",
    ),
    # Adverse events: awareness and coding, serious or not
    Case(
        "non-serious-aware-before-onset",
        "ae",
        {"site_aware_datetime": datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)},
        "site_aware_datetime",
        "aware_before_onset",
    ),
    Case(
        "non-serious-reported-before-aware",
        "ae",
        lambda p, c: {
            "site_aware_datetime": local_datetime(p.day0_date + DAY, 14),
            "reported_datetime": local_datetime(p.day0_date + DAY, 13),
        },
        "reported_datetime",
        "reported_before_aware",
    ),
    Case("meddra-code-8-digits", "ae", {"meddra_code": "headache"}, "meddra_code", "meddra_code_format"),
    Case("meddra-code-too-short", "ae", {"meddra_code": "1001921"}, "meddra_code", "meddra_code_format"),
    # End of study: ICU dates
    Case(
        "icu-discharge-before-admission",
        "end",
        lambda p, c: {"icu_admission_date": p.day0_date + DAY, "icu_discharge_date": p.day0_date},
        "icu_discharge_date",
        "before_icu_admission",
    ),
    Case(
        "icu-after-end",
        "end",
        lambda p, c: {"icu_admission_date": p.day0_date + 6 * DAY, "icu_discharge_date": p.day0_date + 7 * DAY},
        "icu_admission_date",
        "after_end_of_study",
    ),
]


@pytest.fixture
def make(coordinator, site_a):
    def build(case):
        participant = treated_participant(user=coordinator, site=site_a, arm_code=case.arm)
        context = case.setup(participant, coordinator) if case.setup else None
        model, form_class, values = KINDS[case.kind]
        overrides = case.overrides(participant, context) if callable(case.overrides) else case.overrides
        return participant, model, form_class, values(participant, **overrides)

    return build


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule_at_the_model_layer(make, case):
    participant, model, _, values = make(case)
    with pytest.raises(ValidationError) as exc:
        model(participant=participant, **values).full_clean()
    assert case.code in error_codes(exc, case.field), exc.value.message_dict


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule_in_the_form_shows_on_its_field(make, case):
    participant, model, form_class, values = make(case)
    before = model.objects.count()
    form = form_class(data=form_data(values), participant=participant)
    assert not form.is_valid()
    if case.kind == "ae" and case.field == "infusion":
        # The form only offers the participant's own infusions: another's is not even a choice.
        assert error_codes(form.errors, case.field) == ["invalid_choice"]
    else:
        assert case.code in error_codes(form.errors, case.field), form.errors
    assert model.objects.count() == before


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_valid_record_of_each_kind_passes_model_and_form(coordinator, site_a, kind):
    participant = treated_participant(user=coordinator, site=site_a)
    model, form_class, values = KINDS[kind]
    model(participant=participant, **values(participant)).full_clean(exclude=["recorded_by"])
    form = form_class(data=form_data(values(participant)), participant=participant)
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"meddra_code": "=cmd()"}, "meddra_code_format"),
        ({"site_aware_datetime": datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)}, "aware_before_onset"),
    ],
)
def test_adverse_event_codes_and_database_guards(coordinator, site_a, changes, code):
    from django.db import IntegrityError, transaction

    participant = treated_participant(user=coordinator, site=site_a)
    event = AdverseEvent(participant=participant, **ae_values(participant, **changes))
    with pytest.raises(ValidationError) as exc:
        event.full_clean()
    (field_name,) = changes
    assert [e.code for e in exc.value.error_dict[field_name]] == [code]
    with pytest.raises(IntegrityError), transaction.atomic():
        AdverseEvent.objects.create(participant=participant, **ae_values(participant, **changes))


def test_a_coded_adverse_event_passes(coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    values = ae_values(participant, meddra_preferred_term="Headache", meddra_code="10019211")
    record(AdverseEvent, participant, values, user=coordinator)
