"""Review in the admin: the status in every CRF list, a review page per record, bulk submit / verify / lock
actions that follow the role rules record by record, locked records read-only, and import into review."""

import datetime

import pytest
from django.urls import reverse

from dosing.models import Infusion
from outcomes.models import DailyObservation
from patients.casebook import services as casebook_services
from patients.casebook.choices import ReviewStatus
from tests.factories import give_infusion, observation_values, record, treated_participant
from tests.helpers import admin_form_data, infusion_dataset, run_infusion_import

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:outcomes_dailyobservation_changelist"


@pytest.fixture
def participant(coordinator, site_a):
    return treated_participant(user=coordinator, site=site_a)


@pytest.fixture
def observations(participant, clinician):
    """Three days of observations: two submitted, one still a draft."""
    made = []
    for day in range(3):
        values = observation_values(participant, on=participant.day0_date + datetime.timedelta(days=day))
        item = record(DailyObservation, participant, values, user=clinician)
        if day < 2:
            item = casebook_services.record_review(record=item, user=clinician, step="submit")
        made.append(item)
    return made


def statuses(items):
    return [DailyObservation.objects.get(pk=i.pk).review_status for i in items]


def test_monitor_bulk_verifies_and_is_told_which_records_were_not(client, observations, monitor):
    client.force_login(monitor)
    page = client.get(reverse(CHANGELIST))
    assert "verify_selected" in page.content.decode() and "lock_selected" not in page.content.decode()
    response = client.post(
        reverse(CHANGELIST),
        {"action": "verify_selected", "_selected_action": [o.pk for o in observations]},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert "2 daily observations verified." in shown
    assert any(m.startswith("1 daily observation not verified:") and "draft" in m for m in shown)
    assert statuses(observations) == [ReviewStatus.VERIFIED, ReviewStatus.VERIFIED, ReviewStatus.DRAFT]
    entry = DailyObservation.objects.get(pk=observations[0].pk).history.latest()
    assert (entry.history_user, entry.history_change_reason) == (monitor, "Verify")


def test_a_coordinator_cannot_verify_but_locks_verified_records(client, observations, coordinator, monitor):
    client.force_login(coordinator)
    assert "verify_selected" not in client.get(reverse(CHANGELIST)).content.decode()
    client.post(reverse(CHANGELIST), {"action": "verify_selected", "_selected_action": [observations[0].pk]})
    assert statuses(observations)[0] == ReviewStatus.SUBMITTED
    casebook_services.record_review(record=observations[0], user=monitor, step="verify")
    response = client.post(
        reverse(CHANGELIST),
        {"action": "lock_selected", "_selected_action": [o.pk for o in observations[:2]]},
        follow=True,
    )
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "1 daily observation locked." in shown and "1 daily observation not locked" in shown
    assert statuses(observations)[:2] == [ReviewStatus.LOCKED, ReviewStatus.SUBMITTED]


def test_list_shows_and_filters_the_status(client, observations, monitor):
    client.force_login(monitor)
    page = client.get(reverse(CHANGELIST), {"review_status__exact": "draft"})
    assert list(page.context["cl"].result_list) == [observations[2]]
    assert "Draft" in page.content.decode()


def test_review_page_takes_one_step_and_asks_the_reason_for_a_step_back(client, observations, monitor):
    observation = observations[0]
    url = reverse("admin:outcomes_dailyobservation_review", args=[observation.pk])
    client.force_login(monitor)
    page = client.get(url).content.decode()
    assert 'value="verify"' in page and 'value="lock"' not in page
    client.post(url, {"step": "verify"})
    assert statuses([observation]) == [ReviewStatus.VERIFIED]
    refused = client.post(url, {"step": "unverify", "reason": " "})
    assert "Give the reason" in refused.content.decode()
    assert statuses([observation]) == [ReviewStatus.VERIFIED]
    client.post(url, {"step": "unverify", "reason": "Wrong source document"})
    assert statuses([observation]) == [ReviewStatus.SUBMITTED]
    trail = client.get(url).content.decode()
    assert "Unverify: Wrong source document" in trail and "Verify" in trail


def test_review_page_of_another_sites_record_is_not_found(client, observations, coordinator_b):
    client.force_login(coordinator_b)
    url = reverse("admin:outcomes_dailyobservation_review", args=[observations[0].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"step": "submit"}).status_code == 404


def test_a_locked_record_is_read_only_in_admin_and_unlocks_with_a_reason(client, observations, monitor, coordinator):
    observation = casebook_services.record_review(record=observations[0], user=monitor, step="verify")
    observation = casebook_services.record_review(record=observation, user=coordinator, step="lock")
    client.force_login(coordinator)
    change = reverse("admin:outcomes_dailyobservation_change", args=[observation.pk])
    assert client.get(change).context["has_change_permission"] is False
    assert client.post(change, {"heart_rate": "130", "change_reason": "x"}).status_code == 403
    review = reverse("admin:outcomes_dailyobservation_review", args=[observation.pk])
    client.post(review, {"step": "unlock", "reason": "Late lab correction"})
    assert statuses([observation]) == [ReviewStatus.VERIFIED]


def test_an_admin_edit_of_a_verified_record_returns_it_to_submitted(client, observations, monitor, coordinator):
    observation = casebook_services.record_review(record=observations[0], user=monitor, step="verify")
    client.force_login(coordinator)
    change = reverse("admin:outcomes_dailyobservation_change", args=[observation.pk])
    data = admin_form_data(client.get(change), heart_rate="97", change_reason="Monitor found a typo")
    assert client.post(change, data).status_code == 302
    saved = DailyObservation.objects.get(pk=observation.pk)
    assert (saved.heart_rate, saved.review_status, saved.verified_by) == (97, ReviewStatus.SUBMITTED, None)
    assert saved.history.latest().history_change_reason.startswith("Monitor found a typo")


def test_monitors_see_no_edit_form_only_the_review(client, observations, monitor):
    client.force_login(monitor)
    change = reverse("admin:outcomes_dailyobservation_change", args=[observations[0].pk])
    page = client.get(change)
    assert page.context["has_change_permission"] is False
    assert "Review: Submitted" in page.content.decode()


def test_imported_infusions_arrive_submitted_and_a_locked_one_refuses_its_row(
    participant, coordinator, clinician, monitor
):
    other = treated_participant(user=coordinator, site=participant.site)
    result = run_infusion_import(infusion_dataset((other, 1, coordinator, {})), coordinator, dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()
    assert Infusion.objects.get(participant=other).review_status == ReviewStatus.SUBMITTED
    infusion = give_infusion(participant, 1, user=clinician)
    for user, step in ((clinician, "submit"), (monitor, "verify"), (coordinator, "lock")):
        infusion = casebook_services.record_review(record=infusion, user=user, step=step)
    result = run_infusion_import(
        infusion_dataset((participant, 1, coordinator, {"lot_number": "LOT-NEW"})), coordinator, dry_run=False
    )
    assert result.has_validation_errors()
    assert "is locked" in " ".join(m for ms in result.invalid_rows[0].error_dict.values() for m in ms)
    assert Infusion.objects.get(pk=infusion.pk).lot_number != "LOT-NEW"
