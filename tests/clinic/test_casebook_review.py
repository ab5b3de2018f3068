"""The monitor's visit casebook by casebook (issue 18): the list of casebooks with records to verify, open
queries and the last verification; one casebook's page with every record under review, named by day, what
changed since it was verified, verify one, verify all that can be (each through the review service: a record
with an open query stays), and a query raised on a field picked by its label."""

import datetime
import re

import pytest
from django.urls import reverse

from outcomes.models import ChestCt, DailyObservation
from patients.casebook import services as casebook_services
from patients.casebook.queries import DataQuery
from patients.casebook.saving import record_save
from tests.factories import UserFactory, ct_values, observation_values, record, treated_participant

pytestmark = pytest.mark.django_db
SHOWN = re.compile(r'name="shown" value="([^"]+)"')


def verify_all(client, url, page: str):
    """Press "Verify all shown below" as the browser would: with what the page listed."""
    return client.post(url, {"action": "verify_all", "shown": SHOWN.findall(page)}, follow=True)


@pytest.fixture
def casebook(coordinator, clinician, site_a):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=3)
    days = []
    for day in range(3):
        values = observation_values(participant, on=participant.day0_date + datetime.timedelta(days=day))
        observation = record(DailyObservation, participant, values, user=clinician)
        casebook_services.record_review(record=observation, user=clinician, step="submit")
        days.append(observation)
    scan = record(ChestCt, participant, ct_values(participant), user=clinician)
    casebook_services.record_review(record=scan, user=clinician, step="submit")
    return participant, days, scan


def test_the_list_counts_what_awaits_the_monitor(client, monitor, casebook):
    participant, days, scan = casebook
    client.force_login(monitor)
    response = client.get(reverse("casebook-review-list"))
    ((_, counts),) = [(p, c) for p, c in response.context["rows"] if p.pk == participant.pk]
    assert counts.awaiting == 4 and counts.open_queries == 0 and counts.last_verified is None


def test_verify_all_goes_through_the_review_service_and_leaves_a_queried_record(client, monitor, casebook):
    participant, days, scan = casebook
    casebook_services.query_raise(record=days[1], user=monitor, field_name="heart_rate", text="82 at 02:00?")
    client.force_login(monitor)
    url = reverse("casebook-review", args=[participant.study_id])
    page = client.get(url).content.decode()
    assert f"Daily observation {days[1].observation_date:%Y-%m-%d} (day 1)" in page
    assert "Verify all shown below (3)" in page
    response = verify_all(client, url, page)
    assert "3 records verified." in response.content.decode()
    statuses = {o.pk: o.review_status for o in DailyObservation.objects.all()}
    assert statuses == {days[0].pk: "verified", days[1].pk: "submitted", days[2].pk: "verified"}
    scan.refresh_from_db()
    assert scan.review_status == "verified" and scan.verified_by == monitor
    assert scan.history.first().history_change_reason == f"Verify (values as shown, version {scan.version - 1})"


def test_a_change_after_verification_shows_what_changed(client, monitor, clinician, casebook):
    participant, days, scan = casebook
    casebook_services.record_review(record=scan, user=monitor, step="verify")
    scan.refresh_from_db()
    scan.extent_score = 11
    record_save(scan, user=clinician, reason="Re-read by the radiologist", validate=True)
    client.force_login(monitor)
    page = client.get(reverse("casebook-review", args=[participant.study_id])).content.decode()
    assert "Changed since verified: CT extent score (0-25) 8 &rarr; 11" in page


def test_verify_one_and_raise_a_query_by_field_label(client, monitor, casebook):
    participant, days, scan = casebook
    client.force_login(monitor)
    url = reverse("casebook-review", args=[participant.study_id])
    page = client.get(url).content.decode()
    assert '<option value="extent_score">CT extent score (0-25)</option>' in page
    days[0].refresh_from_db()  # the version the page shows
    assert f'name="pk" value="{days[0].pk}"><input type="hidden" name="version" value="{days[0].version}">' in page
    client.post(url, {"action": "verify", "form": "observations", "pk": days[0].pk, "version": days[0].version})
    days[0].refresh_from_db()
    assert days[0].review_status == "verified"
    client.post(url, {"action": "query", "form": "ct", "pk": scan.pk, "field": "extent_score", "text": "8 or 11?"})
    query = DataQuery.objects.get()
    assert (query.record, query.field_name, query.raised_by) == (scan, "extent_score", monitor)


def test_only_a_monitor_reviews_and_only_their_sites(client, clinician, site_b, casebook):
    monitor_b = UserFactory(username="mon_b", role="Monitor", sites=[site_b])
    participant, _, _ = casebook
    client.force_login(clinician)
    assert client.get(reverse("casebook-review", args=[participant.study_id])).status_code == 403
    assert client.get(reverse("casebook-review-list")).status_code == 403
    client.force_login(monitor_b)
    assert client.get(reverse("casebook-review", args=[participant.study_id])).status_code == 404


def test_the_monitor_sees_each_records_values_and_verifies_only_what_was_shown(client, monitor, clinician, casebook):
    """Issue 28, 6: the review page listed records by name only, and "Verify all" marked records verified whose
    values were never shown. Each record's values are on the page (a change since verification marked);
    verify-all takes the records the page showed at the versions it showed; the audit entry says which."""
    participant, days, scan = casebook
    client.force_login(monitor)
    url = reverse("casebook-review", args=[participant.study_id])
    page = client.get(url).content.decode()
    assert "Heart rate (beats/min)" in page or "Heart rate" in page
    assert f">{days[0].heart_rate}</dd>" in page and ">Room air</dd>" in page
    # After the page was drawn: a clinician corrects one day, and another record is entered.
    days[2].refresh_from_db()
    days[2].heart_rate = 101
    record_save(days[2], user=clinician, reason="Misread monitor", validate=True)
    late = record(
        DailyObservation,
        participant,
        observation_values(participant, on=participant.day0_date + datetime.timedelta(days=3)),
        user=clinician,
    )
    casebook_services.record_review(record=late, user=clinician, step="submit")
    response = verify_all(client, url, page)
    text = response.content.decode()
    assert "3 records verified." in text and "changed since the page showed it" in text
    statuses = {o.pk: o.review_status for o in DailyObservation.objects.all()}
    assert statuses[days[2].pk] == "submitted" and statuses[late.pk] == "submitted"  # neither was seen
    assert statuses[days[0].pk] == statuses[days[1].pk] == "verified"
    days[0].refresh_from_db()
    assert days[0].history.first().history_change_reason.startswith("Verify (values as shown, version ")
    # Shown again, the changed day is marked with its new value and can be verified.
    page = client.get(url).content.decode()
    assert ">101</dd>" in page
