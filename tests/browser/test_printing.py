"""The paper back-up as Chromium prints it (issue 18): the filled casebook and the blank observation form on
A4, each page headed by the participant's study ID and numbered "Page n of m", with none of the screen's
navigation; read back from the PDF Chromium makes, as a ward printer would get it."""

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from outcomes.models import DailyObservation
from tests.browser.test_clinician_flows import log_in
from tests.factories import SiteFactory, UserFactory, observation_values, record, treated_participant

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

A4_POINTS = (595, 842)


def printed_pages(page, url) -> list:
    page.goto(url)
    reader = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    return reader.pages


def assert_paper(pages, study_id):
    for number, printed in enumerate(pages, start=1):
        size = (round(float(printed.mediabox.width)), round(float(printed.mediabox.height)))
        assert size == A4_POINTS
        text = printed.extract_text()
        assert study_id in text, f"page {number} has no study ID"
        assert f"Page {number} of {len(pages)}" in text
        assert "Log out" not in text and "Participants" not in text.split(study_id)[0]


def test_the_casebook_and_the_blank_form_print_on_a4_with_the_study_id_and_page_numbers(browser, live_server):
    site = SiteFactory(code="01", name="Ward 3")
    coordinator = UserFactory(username="coord", role="Coordinator", sites=[site])
    nurse = UserFactory(username="nurse", role="Clinician", sites=[site])
    participant = treated_participant(user=coordinator, site=site, days_ago=9, arm_code="control")
    for day in range(9):  # enough records for the casebook to run over several pages
        on = participant.day0_date + datetime.timedelta(days=day)
        record(DailyObservation, participant, observation_values(participant, on=on), user=nurse)

    page = browser.new_page()
    log_in(page, live_server.url, "nurse")
    casebook = printed_pages(page, live_server.url + reverse("casebook-print", args=[participant.study_id]))
    assert len(casebook) >= 2
    assert_paper(casebook, participant.study_id)
    last_day = participant.day0_date + datetime.timedelta(days=8)
    assert f"Daily observation {last_day:%Y-%m-%d} (day 8)" in "".join(p.extract_text() for p in casebook)

    blank = printed_pages(page, live_server.url + reverse("observation-print", args=[participant.study_id]))
    assert_paper(blank, participant.study_id)
    assert "Shortness of breath" in "".join(p.extract_text() for p in blank)
