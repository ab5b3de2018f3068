"""Derived outcomes: computed from what is stored, never typed twice, in a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from outcomes.derived import outcomes_for, participant_outcome, safety_table
from outcomes.models import AdverseEvent, DailyObservation, LabResult
from tests.factories import (
    ae_values,
    end_study,
    give_infusion,
    lab_values,
    local_datetime,
    observation_values,
    record,
    treated_participant,
)

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)

COURSE = [
    # support, who, flow, fio2, fever, cough
    ("low_flow", 5, "3", 33, "present", "present"),
    ("high_flow", 6, "40", 60, "present", "present"),
    ("imv", 8, None, 60, "absent", "not_assessed"),
    ("imv", 7, None, 40, "absent", "not_assessed"),
    ("low_flow", 5, "2", 29, "absent", "present"),
    ("room_air", 4, None, 21, "absent", "absent"),
]


def stay(participant, user):
    for offset, (support, who, flow, fio2, fever, cough) in enumerate(COURSE):
        record(
            DailyObservation,
            participant,
            observation_values(
                participant,
                on=participant.day0_date + offset * DAY,
                oxygen_support=support,
                who_score=who,
                oxygen_flow_l_min=Decimal(flow) if flow else None,
                fio2_percent=fio2,
                fever=fever,
                cough=cough,
                temperature_c=Decimal("38.4") if fever == "present" else Decimal("36.8"),
            ),
            user=user,
        )


def test_days_per_support_ventilation_highest_who_and_symptom_days(coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    stay(participant, coordinator)
    outcome = participant_outcome(participant)
    assert outcome.days_by_support == {"low_flow": 2, "high_flow": 1, "imv": 2, "room_air": 1}
    assert outcome.ever_ventilated and outcome.ever("high_flow") and not outcome.ever("niv")
    assert outcome.highest_who_score == 8
    assert outcome.days_with_symptom["fever"] == 2
    assert outcome.days_with_symptom["cough"] == 3
    assert outcome.days_symptom_assessed["cough"] == 4  # two days not assessed are not counted as "no"
    assert outcome.had_symptom("myalgia") is None  # never assessed: missing, not absent


def test_length_of_stay_and_titres_at_discharge(coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    for day, igm in ((0, "5.1"), (4, "24.6"), (7, "99.0")):
        record(
            LabResult,
            participant,
            lab_values(
                participant,
                analyte="igm",
                sample=local_datetime(participant.day0_date + day * DAY, 7),
                value=Decimal(igm),
            ),
            user=coordinator,
        )
    end_study(participant, user=coordinator, on=participant.day0_date + 5 * DAY)
    outcome = participant_outcome(participant)
    assert outcome.length_of_stay_days == (participant.day0_date + 5 * DAY - participant.admission_date).days
    assert outcome.igm_at_discharge == Decimal("24.6")  # the day-7 sample is after discharge: not "at discharge"
    assert outcome.igg_at_discharge is None


def test_outcomes_for_many_participants_in_a_fixed_number_of_queries(
    coordinator, site_a, django_assert_max_num_queries
):
    participants = [treated_participant(user=coordinator, site=site_a) for _ in range(4)]
    for participant in participants:
        stay(participant, coordinator)
    with django_assert_max_num_queries(5):
        outcomes = outcomes_for([p.pk for p in participants])
    assert all(o.ever_ventilated for o in outcomes.values())


def test_safety_table_lists_each_infusion_with_its_events(coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a, severity="severe")
    first = give_infusion(participant, 1, user=coordinator, spo2_lowest=91, spo2_highest=99)
    record(
        AdverseEvent,
        participant,
        ae_values(
            participant,
            term="Severe hypoxaemia",
            onset_datetime=first.start_datetime + datetime.timedelta(hours=10),
            resolution_datetime=first.start_datetime + datetime.timedelta(hours=30),
            grade=3,
            relation="unlikely",
            attributed_to_progression=True,
            infusion=first,
        ),
        user=coordinator,
    )
    give_infusion(participant, 2, user=coordinator)
    rows = safety_table([participant.pk])
    assert [(r.infusion_round, r.spo2_lowest, r.spo2_highest) for r in rows] == [(1, 91, 99), (2, 95, 98)]
    assert rows[0].severity == "Severe" and rows[0].ecg == "Normal"
    assert rows[0].events == ["Severe hypoxaemia (10 h after the start)"]
    assert rows[1].events == []


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (DailyObservation, lambda p: observation_values(p, systolic_bp=80, diastolic_bp=90)),
        (DailyObservation, lambda p: observation_values(p, spo2_percent=30)),
        (DailyObservation, lambda p: observation_values(p, oxygen_support="tent")),
        (DailyObservation, lambda p: observation_values(p, fever="no")),
        (AdverseEvent, lambda p: ae_values(p, grade=5)),
        (AdverseEvent, lambda p: ae_values(p, serious=True)),
        (AdverseEvent, lambda p: ae_values(p, resolution_datetime=local_datetime(p.day0_date, 1))),
    ],
    ids=[
        "bp-order",
        "spo2",
        "support-code",
        "symptom-code",
        "grade5-not-fatal",
        "serious-no-criterion",
        "resolution-before-onset",
    ],
)
def test_database_refuses_rows_that_break_an_invariant(coordinator, site_a, model, values):
    participant = treated_participant(user=coordinator, site=site_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(participant=participant, **values(participant))


def test_database_refuses_a_second_observation_the_same_day(coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    record(DailyObservation, participant, observation_values(participant), user=coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyObservation.objects.create(participant=participant, **observation_values(participant))
