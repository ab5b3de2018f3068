"""Adverse-event reporting clock and the outcomes admin."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from outcomes import rules
from outcomes.models import AdverseEvent, DailyObservation, LabResult
from tests.factories import ae_values, lab_values, local_datetime, observation_values, record, treated_participant
from tests.helpers import admin_form_data

H = datetime.timedelta(hours=1)
AWARE = datetime.datetime(2020, 2, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("reported", "now", "state"),
    [
        (AWARE + 23 * H, AWARE + 30 * H, ""),
        (AWARE + 25 * H, AWARE + 30 * H, "late"),
        (None, AWARE + 23 * H, "due"),
        (None, AWARE + 25 * H, "overdue"),
    ],
)
def test_sae_24_hour_reporting_clock(reported, now, state):
    assert rules.sae_reporting_state(serious=True, aware=AWARE, reported=reported, now=now) == state
    assert rules.sae_reporting_state(serious=False, aware=AWARE, reported=reported, now=now) == ""


def serious(participant, *, aware, reported, term):
    return ae_values(
        participant,
        term=term,
        grade=3,
        serious=True,
        serious_hospitalisation=True,
        relation="not_related",
        attributed_to_progression=True,
        site_aware_datetime=aware,
        reported_datetime=reported,
    )


@pytest.mark.django_db
def test_admin_flags_late_and_overdue_serious_events(client, coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    onset_day = participant.day0_date + datetime.timedelta(days=1)
    aware = local_datetime(onset_day, 13)
    record(
        AdverseEvent,
        participant,
        serious(participant, aware=aware, reported=aware + 2 * H, term="On time"),
        user=coordinator,
    )
    record(
        AdverseEvent,
        participant,
        serious(participant, aware=aware, reported=aware + 30 * H, term="Late one"),
        user=coordinator,
    )
    record(
        AdverseEvent, participant, serious(participant, aware=aware, reported=None, term="Never sent"), user=coordinator
    )
    client.force_login(coordinator)
    url = reverse("admin:outcomes_adverseevent_changelist")
    assert [e.term for e in client.get(url, {"sae_reporting": "late"}).context["cl"].result_list] == ["Late one"]
    assert [e.term for e in client.get(url, {"sae_reporting": "overdue"}).context["cl"].result_list] == ["Never sent"]
    body = client.get(url).content.decode()
    assert "Overdue</span>" in body and "Late</span>" in body


@pytest.mark.django_db
def test_lab_results_outside_reference_are_filterable(client, coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    record(LabResult, participant, lab_values(participant, analyte="il6", value=Decimal("35")), user=coordinator)
    record(LabResult, participant, lab_values(participant, analyte="crp", value=Decimal("4")), user=coordinator)
    client.force_login(coordinator)
    results = (
        client.get(reverse("admin:outcomes_labresult_changelist"), {"reference": "outside"}).context["cl"].result_list
    )
    assert [r.analyte.code for r in results] == ["il6"]
    assert LabResult.objects.get(analyte__code="il6").unit == "pg/mL"  # the canonical unit, set by the model


@pytest.mark.django_db
def test_participant_page_shows_outcomes_and_still_saves(client, coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    record(DailyObservation, participant, observation_values(participant, spo2_percent=93), user=coordinator)
    record(AdverseEvent, participant, ae_values(participant, term="Facial flushing"), user=coordinator)
    client.force_login(coordinator)
    url = reverse("admin:patients_participant_change", args=[participant.pk])
    page = client.get(url)
    body = page.content.decode()
    assert "Facial flushing" in body and "Daily observations" in body
    response = client.post(url, admin_form_data(page, initials="QQ", change_reason="Re-read"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_study_day_is_derived_in_the_observation_list(client, coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    record(
        DailyObservation,
        participant,
        observation_values(participant, on=participant.day0_date + datetime.timedelta(days=3)),
        user=coordinator,
    )
    observation = DailyObservation.objects.get()
    assert observation.study_day == 3
    client.force_login(coordinator)
    response = client.get(reverse("admin:outcomes_dailyobservation_changelist"))
    assert response.status_code == 200 and timezone.localdate() >= observation.observation_date
