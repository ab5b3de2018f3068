"""The subject matrix in a real browser: a coordinator opens it, follows an overdue day 28 cell to the form it
needs (a quantitative CT, months after discharge), enters it, and the cell turns from overdue to submitted; the
matrix on a phone keeps the study ID in view while it scrolls sideways."""

import datetime

import pytest

from outcomes.models import QuantitativeCt
from patients.casebook.schedule import Visit, VisitForm
from tests.browser.test_clinician_flows import log_in, submit
from tests.factories import SiteFactory, UserFactory, end_study, follow_up_after_discharge, treated_participant

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_a_coordinator_follows_an_overdue_cell_to_its_form_and_the_cell_turns(browser, live_server, screenshot):
    site = SiteFactory(code="01", name="Ward 3")
    coordinator = UserFactory(username="coord", role="Coordinator", sites=[site])
    follow_up_after_discharge()
    d28 = Visit.objects.create(code="d28", label="Day 28", target_day=28, window_before=3, window_after=3)
    VisitForm.objects.create(visit=d28, crf_key="qct")
    late = treated_participant(user=coordinator, site=site, days_ago=35)
    end_study(late, user=coordinator, on=late.day0_date + datetime.timedelta(days=9))
    treated_participant(user=coordinator, site=site, days_ago=27)  # day 28 due, in its window
    treated_participant(user=coordinator, site=site, days_ago=4)  # not yet due

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    log_in(page, live_server.url, "coord")
    page.goto(f"{live_server.url}/matrix/")
    cell = page.locator("tr").filter(has_text=late.study_id).locator('td[data-visit="d28"]')
    assert cell.get_attribute("data-state") == "overdue"
    screenshot(page, "subject-matrix")

    cell.locator("a.badge").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/participants/{late.study_id}/qct/new/")
    # Done outside the window (day 33, window 25-31) for day 28: the form says why it needs a reason.
    page.select_option("#id_visit", label="Day 28")
    for field, value in {
        "lesion_percent": "11.5",
        "solid_percent": "2.5",
        "ground_glass_percent": "9.0",
        "software": "uAI Discover-NCP 1.2",
        "reader": "R01",
    }.items():
        page.fill(f"#id_{field}", value)
    submit(page)
    assert "Outside the visit's window" in page.locator("body").inner_text()
    assert not QuantitativeCt.objects.exists()
    page.fill("#id_deviation_reason", "Participant came in late: the CT slot was two days later.")
    submit(page)
    assert QuantitativeCt.objects.get().visit == d28

    page.goto(f"{live_server.url}/matrix/")
    cell = page.locator("tr").filter(has_text=late.study_id).locator('td[data-visit="d28"]')
    assert cell.get_attribute("data-state") == "submitted"  # the ward's Save submits it for review
    screenshot(page, "subject-matrix-after")

    # On a 390 px phone the page does not scroll sideways: the table does, with the study ID kept in view.
    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(phone, live_server.url, "coord")
    phone.goto(f"{live_server.url}/matrix/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    table = phone.locator(".subject-matrix")
    table.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    study_id = phone.get_by_role("link", name=late.study_id, exact=True)
    box = study_id.bounding_box()
    assert box is not None and 0 <= box["x"] < 100
    screenshot(phone, "subject-matrix-phone")
