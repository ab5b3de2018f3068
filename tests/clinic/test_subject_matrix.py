"""The subject matrix: participants x visits of the user's sites, each cell the visit's state and a link to
what to do next; filters by site and "needs action"; the same queries for 2 and 8 participants."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patients.casebook.schedule import Visit, VisitForm
from tests.factories import treated_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def day28():
    visit = Visit.objects.create(code="d28", label="Day 28", target_day=28, window_before=3, window_after=3)
    VisitForm.objects.create(visit=visit, crf_key="ct", required=True)
    return visit


def cells(response):
    return {
        (participant.study_id, status.visit.code): (status.state, link)
        for participant, row in response.context["page"].object_list
        for status, _label, _colour, _symbol, link in row
    }


def test_each_cell_shows_the_visit_state_and_links_to_the_missing_form(client, clinician, coordinator, site_a, day28):
    overdue = treated_participant(user=coordinator, site=site_a, days_ago=40)
    early = treated_participant(user=coordinator, site=site_a, days_ago=5)
    client.force_login(clinician)
    response = client.get(reverse("subject-matrix"))
    found = cells(response)
    assert found[(overdue.study_id, "d28")] == ("overdue", reverse("ct-new", args=[overdue.study_id]))
    assert found[(early.study_id, "d28")] == ("not_yet_due", early.get_absolute_url())
    assert found[(early.study_id, "baseline")][0] == "done"
    text = response.content.decode()
    assert "Day 28" in text and 'data-state="overdue"' in text
    # Needs action: only the overdue participant.
    filtered = cells(client.get(reverse("subject-matrix") + "?needs=action"))
    assert {study_id for study_id, _ in filtered} == {overdue.study_id}


def test_only_the_users_sites_and_the_chosen_site(client, coordinator, coordinator_b, site_a, site_b, day28):
    own = treated_participant(user=coordinator, site=site_a)
    other = treated_participant(user=coordinator_b, site=site_b)
    client.force_login(coordinator)
    found = cells(client.get(reverse("subject-matrix")))
    assert own.study_id in {s for s, _ in found} and other.study_id not in {s for s, _ in found}
    assert other.study_id not in client.get(reverse("subject-matrix") + f"?site={site_b.code}").content.decode()


def test_the_matrix_runs_the_same_queries_for_2_and_8_participants(client, clinician, coordinator, site_a, day28):
    client.force_login(clinician)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("subject-matrix")).status_code == 200
        return len(queries)

    for _ in range(2):
        treated_participant(user=coordinator, site=site_a, days_ago=30)
    small = count()
    for _ in range(6):
        treated_participant(user=coordinator, site=site_a, days_ago=30)
    assert count() == small
