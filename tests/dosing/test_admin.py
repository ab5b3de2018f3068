"""The coordinator's view of dosing in the admin."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from dosing.models import PlannedInfusion, ProtocolDeviation
from tests.factories import give_infusion, treated_participant
from tests.helpers import admin_form_data

pytestmark = pytest.mark.django_db


def test_participant_page_shows_schedule_and_infusions_and_still_saves(client, coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=4)
    give_infusion(participant, 1, user=coordinator)
    client.force_login(coordinator)
    url = reverse("admin:patients_participant_change", args=[participant.pk])
    page = client.get(url)
    body = page.content.decode()
    assert "Infusion schedule" in body and "LOT-1" in body
    assert "Due" in body  # infusion 2 (day 3) is in its window on day 4
    add_url = f"{reverse('admin:dosing_infusion_add')}?participant={participant.pk}"
    assert add_url in body
    assert client.get(add_url).context["adminform"].form.initial["participant"] == str(participant.pk)
    response = client.post(url, admin_form_data(page, initials="QQ", change_reason="Wristband re-read"))
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.initials == "QQ"


def test_due_and_overdue_filter(client, coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=4)
    client.force_login(coordinator)
    url = reverse("admin:dosing_plannedinfusion_changelist")
    overdue = client.get(url, {"due": "overdue"}).context["cl"].result_list
    due = client.get(url, {"due": "due"}).context["cl"].result_list
    assert [p.sequence_number for p in overdue] == [1]  # day 0 +/- 1 passed, nothing given
    assert [p.sequence_number for p in due] == [2]
    assert all(p.participant == participant for p in [*overdue, *due])


def test_marking_missed_in_admin_needs_reason_and_records_a_deviation(client, coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    planned = participant.planned_infusions.get(sequence_number=1)
    client.force_login(coordinator)
    url = reverse("admin:dosing_plannedinfusion_change", args=[planned.pk])
    page = client.get(url)
    response = client.post(url, admin_form_data(page, status="missed", change_reason="Marked missed"))
    assert "Say why" in response.context["adminform"].form.errors["status_reason"][0]
    response = client.post(
        url, admin_form_data(page, status="missed", status_reason="Febrile, infusion withheld", change_reason="x")
    )
    assert response.status_code == 302
    assert PlannedInfusion.objects.get(pk=planned.pk).status == "missed"
    assert ProtocolDeviation.objects.get().category == "missed_infusion"


def test_infusion_changelist_compares_plan_and_actual_without_a_query_per_row(
    client, coordinator, site_a, django_assert_max_num_queries
):
    for _ in range(3):
        participant = treated_participant(user=coordinator, site=site_a)
        give_infusion(participant, 1, user=coordinator)
        give_infusion(
            participant,
            2,
            user=coordinator,
            start=datetime.datetime.combine(
                participant.day0_date + datetime.timedelta(days=5),
                datetime.time(14),
                tzinfo=datetime.UTC,
            ),
            viability_percent=Decimal("75"),
            deviation_reason="Delayed release",
        )
    client.force_login(coordinator)
    url = reverse("admin:dosing_infusion_changelist")
    with django_assert_max_num_queries(16):  # 12, 1 for the design (blinded or not), 3 for the sliding session expiry
        response = client.get(url)
    rows = response.context["cl"].result_list
    assert len(rows) == 6
    late = [r for r in rows if r.sequence_number == 2]
    assert {r.planned_on - r.participant.day0_date for r in late} == {datetime.timedelta(days=3)}
    assert all(r.has_deviation for r in late) and not any(r.has_deviation for r in rows if r.sequence_number == 1)
    with_deviation = client.get(url, {"deviation": "yes"}).context["cl"].result_list
    assert {r.sequence_number for r in with_deviation} == {2}
    assert ">2<" in response.content.decode().replace(" ", "")  # days off plan shown
