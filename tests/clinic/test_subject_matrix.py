"""The subject matrix: participants x visits of the user's sites, each cell the visit's state (and for a done
visit its review status or an open query) and a link to what to do next; a visit recorded as missed with
its reason; the strip of hospital days; filters by site, status and "needs my action" (by role); the same queries for 2
and 8 participants."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dosing.models import ProtocolDeviation
from outcomes.models import ChestCt, DailyObservation
from patients.casebook import data_version
from patients.casebook import services as casebook_services
from patients.casebook.schedule import Visit, VisitForm
from tests.factories import ct_values, end_study, observation_values, record, treated_participant
from ucmsc_crf import matrix_states

pytestmark = pytest.mark.django_db


@pytest.fixture
def day28():
    visit = Visit.objects.create(code="d28", label="Day 28", target_day=28, window_before=3, window_after=3)
    VisitForm.objects.create(visit=visit, crf_key="ct", required=True)
    return visit


def day(participant, n):
    return participant.day0_date + datetime.timedelta(days=n)


def cells(response):
    return {
        (participant.study_id, cell.status.visit.code): (cell.key, cell.link)
        for participant, _strip, row in response.context["rows"]
        for cell in row
    }


def test_each_cell_shows_the_visit_state_and_links_to_the_missing_form(client, clinician, coordinator, site_a, day28):
    overdue = treated_participant(user=coordinator, site=site_a, days_ago=40)
    early = treated_participant(user=coordinator, site=site_a, days_ago=5)
    client.force_login(clinician)
    response = client.get(reverse("subject-matrix"))
    found = cells(response)
    assert found[(overdue.study_id, "d28")] == ("overdue", reverse("ct-new", args=[overdue.study_id]))
    assert found[(early.study_id, "d28")] == ("not_yet_due", early.get_absolute_url())
    assert found[(early.study_id, "baseline")][0] == "entered"  # done; its forms drafts, not yet submitted
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


def test_a_done_visit_shows_its_review_status_and_an_open_query(client, coordinator, monitor, site_a, day28):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=30)
    scan = record(ChestCt, participant, ct_values(participant, on=day(participant, 28)), user=coordinator)
    client.force_login(coordinator)
    assert cells(client.get(reverse("subject-matrix")))[(participant.study_id, "d28")][0] == "entered"
    casebook_services.record_review(record=scan, user=coordinator, step="submit")
    assert cells(client.get(reverse("subject-matrix")))[(participant.study_id, "d28")][0] == "submitted"
    casebook_services.record_review(record=scan, user=monitor, step="verify")
    assert cells(client.get(reverse("subject-matrix")))[(participant.study_id, "d28")][0] == "verified"
    casebook_services.query_raise(
        record=scan, field_name="extent_score", text="Score of 8 with GGO only?", user=monitor
    )
    found = cells(client.get(reverse("subject-matrix") + "?needs=action"))
    assert found[(participant.study_id, "d28")][0] == "query"
    only_queries = cells(client.get(reverse("subject-matrix") + "?state=query"))
    assert {s for s, _ in only_queries} == {participant.study_id}


def test_a_visit_recorded_as_missed_with_its_reason_is_a_deviation(client, coordinator, site_a, day28):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=40)
    early = treated_participant(user=coordinator, site=site_a, days_ago=5)
    client.force_login(coordinator)
    page = client.get(reverse("subject-matrix")).content.decode()
    missed_url = reverse("visit-missed", args=[participant.study_id, "d28"])
    assert missed_url in page
    response = client.post(missed_url, {"reason": "other", "details": ""})
    assert response.status_code == 200 and "Describe the reason." in response.content.decode()
    response = client.post(missed_url, {"reason": "declined", "details": "Moved away"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("subject-matrix")
    assert cells(response)[(participant.study_id, "d28")][0] == "missed"
    deviation = ProtocolDeviation.objects.get(participant=participant)
    assert (deviation.category, deviation.visit.code) == ("missed_visit", "d28")
    assert deviation.reason == "Participant declined the visit: Moved away"
    assert deviation.history.first().history_user == coordinator
    # Not twice, and not before the window opens: said on the page, nothing written.
    again = client.post(missed_url, {"reason": "declined"})
    assert "already recorded as missed" in again.content.decode()
    too_early = client.post(reverse("visit-missed", args=[early.study_id, "d28"]), {"reason": "declined"})
    assert "window has not opened yet" in too_early.content.decode()
    assert ProtocolDeviation.objects.count() == 1


def test_the_hospital_day_strip(client, clinician, coordinator, site_a, day28):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=3)
    for n in (0, 2):
        record(DailyObservation, participant, observation_values(participant, on=day(participant, n)), user=clinician)
    client.force_login(clinician)
    rows = {p.study_id: strip for p, strip, _ in client.get(reverse("subject-matrix")).context["rows"]}
    assert rows[participant.study_id] == ["ok", "missing", "ok", "today"]
    end_study(participant, user=coordinator, on=day(participant, 2))
    rows = {p.study_id: strip for p, strip, _ in client.get(reverse("subject-matrix")).context["rows"]}
    assert rows[participant.study_id] == ["ok", "missing", "ok"]


def test_needs_my_action_depends_on_the_role(client, coordinator, monitor, site_a, day28):
    overdue = treated_participant(user=coordinator, site=site_a, days_ago=40)
    done = treated_participant(user=coordinator, site=site_a, days_ago=30)
    scan = record(ChestCt, done, ct_values(done, on=day(done, 28)), user=coordinator)
    casebook_services.record_review(record=scan, user=coordinator, step="submit")
    url = reverse("subject-matrix") + "?needs=action"
    client.force_login(coordinator)  # enters data: the overdue visit
    assert {s for s, _ in cells(client.get(url))} == {overdue.study_id}
    client.force_login(monitor)  # verifies: the submitted one
    assert {s for s, _ in cells(client.get(url))} == {done.study_id}


def test_the_filtered_matrix_works_out_again_only_the_changed_participants_block(
    client,
    coordinator,
    coordinator_b,
    monitor,
    site_a,
    day28,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    # States kept per block of participants (ucmsc_crf/matrix_states.py), here one participant per block.
    settings.CRF_REPORT_CACHE_SECONDS = 600
    monkeypatch.setattr(data_version, "BLOCK", 1)
    with django_capture_on_commit_callbacks(execute=True):
        done, other = (treated_participant(user=coordinator, site=site_a, days_ago=30) for _ in range(2))
        scan = record(ChestCt, done, ct_values(done, on=day(done, 28)), user=coordinator)
        record(ChestCt, other, ct_values(other, on=day(other, 28)), user=coordinator)
    worked_out = []

    def cell_keys(participants, today):
        worked_out.append(sorted(participants.values_list("pk", flat=True)))
        return real_cell_keys(participants, today)

    real_cell_keys = matrix_states.cell_keys
    monkeypatch.setattr(matrix_states, "cell_keys", cell_keys)
    client.force_login(monitor)
    url = reverse("subject-matrix") + "?state=query"
    assert cells(client.get(url)) == {}
    assert cells(client.get(url)) == {}  # kept: nothing worked out again
    assert worked_out == [sorted([done.pk, other.pk])]

    with django_capture_on_commit_callbacks(execute=True):
        casebook_services.query_raise(record=scan, field_name="extent_score", text="Score of 8?", user=monitor)
    assert {s for s, _ in cells(client.get(url))} == {done.study_id}
    assert worked_out[1:] == [[done.pk]]
    client.force_login(coordinator_b)  # the same kept states, read for another site's coordinator: none of theirs
    assert cells(client.get(url)) == {}
