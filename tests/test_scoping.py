"""Site scoping by POST and by membership: a user of site A cannot change, enrol or create site B's
participants, a user of two sites sees both, a user of none sees nothing, and user pickers list only one's
own sites' people. That no page, list or history shows another site's participant, for every URL and role,
is the permission matrix (tests/test_permission_matrix.py)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from outcomes.models import AdverseEvent, ChestCt, DailyObservation, LabResult
from tests.factories import (
    UserFactory,
    ae_values,
    ct_values,
    give_infusion,
    lab_values,
    observation_values,
    record,
    screened_participant,
    treated_participant,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_site_participant(site_b, coordinator_b):
    participant = treated_participant(user=coordinator_b, site=site_b, initials="BBB")
    give_infusion(participant, 1, user=coordinator_b, viability_percent=Decimal("70"), deviation_reason="only lot")
    add_outcomes(participant, coordinator_b)
    return participant


def add_outcomes(participant, user):
    record(DailyObservation, participant, observation_values(participant), user=user)
    record(LabResult, participant, lab_values(participant), user=user)
    record(ChestCt, participant, ct_values(participant), user=user)
    record(AdverseEvent, participant, ae_values(participant), user=user)


@pytest.fixture
def own_participant(site_a, coordinator):
    participant = treated_participant(user=coordinator, site=site_a, initials="AAA")
    give_infusion(participant, 1, user=coordinator, viability_percent=Decimal("70"), deviation_reason="only lot")
    add_outcomes(participant, coordinator)
    return participant


def test_other_sites_participant_cannot_be_changed_by_post(client, coordinator, other_site_participant):
    client.force_login(coordinator)
    url = reverse("admin:patients_participant_change", args=[other_site_participant.pk])
    client.post(url, {"initials": "HACK", "change_reason": "x"})
    other_site_participant.refresh_from_db()
    assert other_site_participant.initials == "BBB"


def test_other_sites_participant_cannot_be_enrolled_by_post(client, coordinator, site_b, coordinator_b):
    screening = screened_participant(user=coordinator_b, site=site_b)
    client.force_login(coordinator)
    response = client.post(reverse("admin:patients_participant_enrol", args=[screening.pk]), {"arm": 1})
    assert response.status_code == 404
    screening.refresh_from_db()
    assert screening.arm_id is None


def test_cannot_create_participant_at_a_site_one_does_not_belong_to(client, coordinator, site_b):
    client.force_login(coordinator)
    response = client.post(reverse("admin:patients_participant_add"), {"site": site_b.pk, "initials": "AB"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.context["adminform"].form.errors["site"][0]
    assert not site_b.participants.exists()


def test_user_of_two_sites_sees_both(client, site_a, site_b, own_participant, other_site_participant):
    user = UserFactory(role="Coordinator", sites=[site_a, site_b])
    client.force_login(user)
    body = client.get(reverse("participant-list")).content.decode()
    assert own_participant.study_id in body and other_site_participant.study_id in body


def test_user_without_site_sees_nothing(client, own_participant):
    user = UserFactory(role="Clinician")
    client.force_login(user)
    assert own_participant.study_id not in client.get(reverse("participant-list")).content.decode()
    assert client.get(reverse("participant-detail", args=[own_participant.study_id])).status_code == 404


def test_user_pickers_list_only_people_of_ones_own_sites(client, coordinator, coordinator_b, clinician):
    client.force_login(coordinator)
    form = client.get(reverse("admin:patients_participant_add")).context["adminform"].form
    usernames = {user.username for user in form.fields["screened_by"].queryset}
    assert {"coord_a", "clin_a"} <= usernames
    assert "coord_b" not in usernames
