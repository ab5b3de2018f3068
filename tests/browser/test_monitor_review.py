"""The monitor's visit in a real browser (issue 18): from "Review" in the menu to the casebooks awaiting
verification, into one casebook, a query raised on a field picked by its label, then "Verify all shown below":
every record verified but the queried one, from one page."""

import datetime

import pytest

from outcomes.models import DailyObservation
from patients.casebook import services as casebook_services
from patients.casebook.queries import DataQuery
from tests.browser.test_clinician_flows import log_in
from tests.factories import SiteFactory, UserFactory, observation_values, record, treated_participant

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_the_monitor_verifies_a_casebook_from_one_page(browser, live_server, screenshot):
    site = SiteFactory(code="01", name="Ward 3")
    coordinator = UserFactory(username="coord", role="Coordinator", sites=[site])
    nurse = UserFactory(username="nurse", role="Clinician", sites=[site])
    monitor = UserFactory(username="monitor", role="Monitor", sites=[site])
    participant = treated_participant(user=coordinator, site=site, days_ago=3, arm_code="control")
    observations = []
    for day in range(3):
        on = participant.day0_date + datetime.timedelta(days=day)
        observation = record(DailyObservation, participant, observation_values(participant, on=on), user=nurse)
        casebook_services.record_review(record=observation, user=nurse, step="submit")
        observations.append(observation)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server.url, "monitor")
    page.click("nav >> text=Review")
    row = page.locator(f'tr[data-study-id="{participant.study_id}"]')
    assert row.locator("td").nth(1).inner_text().strip() == "3"
    with page.expect_navigation():
        row.get_by_role("link", name=participant.study_id).click()

    # A query on the second day's heart rate, the field picked by its label.
    second = page.locator(f'[data-record="observations-{observations[1].pk}"]')
    second.locator("summary").click()
    second.locator("select[name=field]").select_option(label="Heart rate (/min)")
    second.locator("input[name=text]").fill("82 at 02:00? Please check the chart.")
    with page.expect_navigation():
        second.get_by_role("button", name="Raise").click()
    assert "Query raised on daily observation." in page.locator("body").inner_text()
    screenshot(page, "monitor-casebook-review")

    with page.expect_navigation():
        page.get_by_role("button", name="Verify all shown below (2)").click()
    assert "2 records verified." in page.locator("body").inner_text()
    statuses = [page.locator(f'[data-record="observations-{o.pk}"]').get_attribute("data-status") for o in observations]
    assert statuses == ["verified", "submitted", "verified"]
    query = DataQuery.objects.get()
    assert (query.field_name, query.raised_by) == ("heart_rate", monitor)
    assert DailyObservation.objects.get(pk=observations[0].pk).verified_by == monitor
