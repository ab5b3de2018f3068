"""A design that follows participants after discharge (TrialDesign.follow_up_after_discharge): discharge ends
the hospital stay, not follow-up; a second end-of-study record (completed, died, lost, transferred) ends it.
Phase 1's design is unchanged: discharge ends follow-up, and "completed" / "lost" do not apply there."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from outcomes.models import ChestCt, DailyObservation
from patients.casebook.choices import ParticipantStatus
from patients.models import EndOfStudy
from tests.factories import (
    ct_values,
    end_study,
    follow_up_after_discharge,
    observation_values,
    record,
    treated_participant,
)
from tests.helpers import error_codes

pytestmark = pytest.mark.django_db


def days(n):
    return datetime.timedelta(days=n)


def test_discharge_keeps_the_participant_in_follow_up_and_later_records_are_accepted(coordinator, site_a):
    follow_up_after_discharge()
    participant = treated_participant(user=coordinator, site=site_a, days_ago=30)
    discharged_on = participant.day0_date + days(10)
    end_study(participant, user=coordinator, on=discharged_on)
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.ENROLLED
    assert participant.follow_up_end_date() is None
    assert participant.hospital_stay_end_date() == discharged_on
    # A follow-up CT at day 28 is accepted; a daily observation after discharge is not (it is of the stay).
    record(ChestCt, participant, ct_values(participant, on=participant.day0_date + days(28)), user=coordinator)
    with pytest.raises(ValidationError) as exc:
        record(
            DailyObservation,
            participant,
            observation_values(participant, on=discharged_on + days(1)),
            user=coordinator,
        )
    assert error_codes(exc, "observation_date") == ["after_follow_up"]


def test_completion_after_discharge_ends_follow_up(coordinator, site_a):
    follow_up_after_discharge()
    participant = treated_participant(user=coordinator, site=site_a, days_ago=95)
    end_study(participant, user=coordinator, on=participant.day0_date + days(10))
    completed_on = participant.day0_date + days(90)
    end_study(participant, user=coordinator, on=completed_on, reason="completed")
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.COMPLETED
    assert participant.follow_up_end_date() == completed_on
    # Length of stay still comes from the discharge.
    discharge = participant.ends_of_study.get(end_reason="discharged")
    assert discharge.length_of_stay_days == (discharge.end_date - participant.admission_date).days


def test_a_second_discharge_or_an_end_before_discharge_is_refused(coordinator, site_a):
    follow_up_after_discharge()
    participant = treated_participant(user=coordinator, site=site_a, days_ago=40)
    discharged_on = participant.day0_date + days(10)
    end_study(participant, user=coordinator, on=discharged_on)
    with pytest.raises(ValidationError) as exc:
        end_study(participant, user=coordinator, on=discharged_on + days(2))
    assert error_codes(exc, "end_reason") == ["duplicate"]
    with pytest.raises(ValidationError) as exc:
        end_study(participant, user=coordinator, on=discharged_on - days(1), reason="died")
    assert error_codes(exc, "end_date") == ["before_discharge"]
    assert EndOfStudy.objects.filter(participant=participant).count() == 1


def test_phase1_design_refuses_completed_and_lost_and_ends_follow_up_at_discharge(coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=30)
    for reason in ("completed", "lost"):
        with pytest.raises(ValidationError) as exc:
            end_study(participant, user=coordinator, on=participant.day0_date + days(10), reason=reason)
        assert error_codes(exc, "end_reason") == ["reason_not_in_design"]
    end_study(participant, user=coordinator, on=participant.day0_date + days(10))
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.COMPLETED
    assert participant.follow_up_end_date() == participant.day0_date + days(10)


def test_the_ward_list_stops_asking_for_daily_observations_after_discharge(client, clinician, coordinator, site_a):
    follow_up_after_discharge()
    home = treated_participant(user=coordinator, site=site_a, days_ago=12)
    ward = treated_participant(user=coordinator, site=site_a, days_ago=12)
    end_study(home, user=coordinator, on=timezone.localdate() - days(1))
    client.force_login(clinician)
    rows = {p.study_id: p for p in client.get(reverse("participant-list")).context["participants"]}
    assert rows[ward.study_id].observation_due and not rows[home.study_id].observation_due
    assert rows[home.study_id].status == ParticipantStatus.ENROLLED


def test_the_audit_trail_says_follow_up_continues(coordinator, site_a):
    follow_up_after_discharge()
    participant = treated_participant(user=coordinator, site=site_a, days_ago=20)
    discharge = end_study(participant, user=coordinator, on=participant.day0_date + days(5))
    assert discharge.history.first().history_change_reason == "Discharge recorded; follow-up continues"
