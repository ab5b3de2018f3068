"""A clinician's day in a real browser: screen, consent, enrol, infuse (refused too early, then on day 3),
observe (a draft), and see it in the table and the chart; two people editing the same observation; and a
monitor verifying records in the admin; a statistician downloading the analysis bundle."""

import datetime
import zipfile

import pytest
from django.utils import timezone

from outcomes.models import DailyObservation
from patients.casebook import services as casebook_services
from patients.eligibility import current_criteria
from patients.models import COMORBIDITY_FIELDS
from tests.factories import PASSWORD, SiteFactory, UserFactory, observation_values, record, treated_participant

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]
DAY = datetime.timedelta(days=1)


def stamp(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def at(day: datetime.date, hour: int, minute: int = 0) -> str:
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}"


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def submit(page):
    """The form's main button: "Save" on most forms, "Submit" on a case report form still in draft."""
    page.click("input[type=submit]:not([name=save_draft])")
    page.wait_for_load_state()


def fill_infusion(page, start: str, end: str):
    page.fill("#id_start_datetime", start)
    page.fill("#id_end_datetime", end)
    for field, value in {
        "cells_administered_millions": "30",
        "volume_ml": "100",
        "lot_number": "UCMSC-LOT-7",
        "viability_percent": "92",
        "spo2_lowest": "95",
        "spo2_highest": "98",
        "temperature_before_c": "36.8",
        "temperature_after_c": "36.9",
        "heart_rate_before": "80",
        "heart_rate_after": "82",
        "systolic_before": "120",
        "diastolic_before": "75",
        "systolic_after": "122",
        "diastolic_after": "76",
    }.items():
        page.fill(f"#id_{field}", value)
    page.select_option("#id_ecg", "normal")


def test_screen_enrol_infuse_and_observe(browser, live_server, screenshot):
    site = SiteFactory(code="01", name="Ward 3")
    UserFactory(username="nurse", role="Clinician", sites=[site])
    now = timezone.localtime()
    today = now.date()
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    log_in(page, live_server.url, "nurse")

    # Screen a new person.
    page.click("text=Screen a new person")
    page.fill("#id_initials", "ZWL")
    page.select_option("#id_sex", "M")
    page.fill("#id_date_of_birth", "1962-05-01")
    page.fill("#id_weight_kg", "70")
    page.fill("#id_height_cm", "172")
    page.fill("#id_admission_date", (today - 6 * DAY).isoformat())
    page.fill("#id_symptom_onset_date", (today - 10 * DAY).isoformat())
    page.select_option("#id_severity", "severe")
    for name in COMORBIDITY_FIELDS:
        page.select_option(f"#id_{name}", "no")
    page.fill("#id_screening_datetime", stamp(now - 5 * DAY))
    for criterion in current_criteria():
        page.check(f"#id_criterion_{criterion.code}_{0 if criterion.required_answer == 'yes' else 1}")
    submit(page)
    assert "01-001 screened: Eligible." in page.content()

    # Consent, then enrolment four days ago (so days 0 to 3 lie in the past).
    page.click("text=Record consent")
    page.fill("#id_consent_datetime", stamp(now - 5 * DAY + datetime.timedelta(hours=1)))
    page.fill("#id_form_version", "1.0")
    page.select_option("#id_given_by", "participant")
    submit(page)
    page.click("text=Enrol")
    page.select_option("#id_arm", label="UC-MSC")
    page.fill("#id_enrolment_datetime", stamp(now - 4 * DAY))
    submit(page)
    assert "01-001 enrolled." in page.content()
    day0 = (now - 4 * DAY).date()

    # Infusion 1 on day 0.
    page.click("text=Record infusion")
    assert page.input_value("#id_sequence_number") == "1"
    fill_infusion(page, at(day0, 15), at(day0, 15, 45))
    submit(page)
    assert "Infusion submitted." in page.content()

    # Infusion 2 the next day: refused, the message on the date field.
    page.click("text=Record infusion")
    assert page.input_value("#id_sequence_number") == "2"
    fill_infusion(page, at(day0 + DAY, 15), at(day0 + DAY, 15, 45))
    submit(page)
    feedback = page.locator("#div_id_start_datetime .invalid-feedback").inner_text()
    assert "minimum safe gap is 48 h" in feedback
    screenshot(page, "infusion-refused")

    # On day 3 it is accepted.
    page.fill("#id_start_datetime", at(day0 + 3 * DAY, 15))
    page.fill("#id_end_datetime", at(day0 + 3 * DAY, 15, 45))
    submit(page)
    assert "Infusion submitted." in page.content()

    # Today's observation, date pre-filled.
    page.click("text=Daily observation")
    assert page.input_value("#id_observation_date") == today.isoformat()
    for field, value in {
        "temperature_c": "37.4",
        "heart_rate": "88",
        "respiratory_rate": "20",
        "systolic_bp": "121",
        "diastolic_bp": "77",
        "spo2_percent": "94",
        "fio2_percent": "21",
        "who_score": "4",
    }.items():
        page.fill(f"#id_{field}", value)
    page.select_option("#id_oxygen_support", "room_air")
    for name in (
        "fever",
        "cough",
        "fatigue",
        "shortness_of_breath",
        "chest_tightness",
        "myalgia",
        "diarrhoea",
        "other_symptoms",
    ):
        # One tap on the segment (the radio itself is hidden under its label).
        page.click(f'label[for="{page.locator(f"input[name={name}][value=absent]").get_attribute("id")}"]')
    # Kept as a draft (not yet in review): the page marks it so.
    page.click("input[type=submit][name=save_draft]")
    page.wait_for_load_state()
    assert "Daily observation saved as a draft." in page.content()
    assert page.locator("#observations tbody tr").first.locator(".badge", has_text="draft").count() == 1

    # It is in the table and in the chart.
    row = page.locator("#observations tbody tr").first.inner_text()
    assert row.split()[:2] == ["4", today.strftime("%m-%d")] and "94" in row
    assert page.locator("svg.timeline circle title", has_text="Day 4: SpO2 94 %").count() == 1
    assert page.locator("svg.timeline g.infusion").count() == 2
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "participant-page")


def test_two_people_edit_the_same_observation(browser, live_server, screenshot):
    site = SiteFactory(code="01", name="Ward 3")
    nurse = UserFactory(username="nurse", role="Clinician", sites=[site])
    UserFactory(username="doctor", role="Clinician", sites=[site])
    participant = treated_participant(user=nurse, site=site)
    observation = record(DailyObservation, participant, observation_values(participant), user=nurse)
    edit = f"{live_server.url}/participants/{participant.study_id}/observations/{observation.pk}/edit/"

    first, second = browser.new_context().new_page(), browser.new_context().new_page()
    for page, username in ((first, "nurse"), (second, "doctor")):
        log_in(page, live_server.url, username)
        page.goto(edit)

    first.fill("#id_heart_rate", "91")
    first.fill("#id_change_reason", "Re-counted")
    submit(first)
    assert "Daily observation corrected." in first.content()  # an edit is a correction, not a submission

    second.fill("#id_heart_rate", "70")
    second.fill("#id_change_reason", "Typo")
    submit(second)
    body = second.content()
    assert "changed by nurse at" in body and "since you opened it" in body
    assert (
        second.locator("#div_id_heart_rate .invalid-feedback").inner_text()
        == 'Changed by nurse to "91"; you entered "70".'
    )
    screenshot(second, "edit-conflict")
    observation.refresh_from_db()
    assert observation.heart_rate == 91


def test_monitor_verifies_submitted_records_in_the_admin(browser, live_server, screenshot):
    site = SiteFactory(code="01", name="Ward 3")
    nurse = UserFactory(username="nurse", role="Clinician", sites=[site])
    UserFactory(username="monitor", role="Monitor", sites=[site])
    participant = treated_participant(user=nurse, site=site)
    for day in range(2):
        values = observation_values(participant, on=participant.day0_date + DAY * day)
        observation = record(DailyObservation, participant, values, user=nurse)
        if day == 0:
            casebook_services.record_review(record=observation, user=nurse, step="submit")

    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "monitor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/outcomes/dailyobservation/")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "verify_selected")
    page.click("button[name=index]")
    page.wait_for_load_state()
    body = page.locator("ul.messagelist").inner_text()
    assert "1 daily observation verified." in body
    assert "1 daily observation not verified" in body and "draft" in body
    screenshot(page, "admin-bulk-verify")
    assert sorted(DailyObservation.objects.values_list("review_status", flat=True)) == ["draft", "verified"]


def test_statistician_downloads_the_analysis_bundle(browser, live_server, tmp_path):
    site = SiteFactory(code="01", name="Ward 3")
    nurse = UserFactory(username="nurse", role="Clinician", sites=[site])
    UserFactory(username="stat", role="Statistician", sites=[site])
    participant = treated_participant(user=nurse, site=site)
    record(DailyObservation, participant, observation_values(participant), user=nurse)

    page = browser.new_context(accept_downloads=True).new_page()
    log_in(page, live_server.url, "stat")
    page.select_option("select[name=dates]", "study_days")
    with page.expect_download() as download_info:
        page.click("text=Download analysis bundle")
    path = tmp_path / "bundle.zip"
    download_info.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert participant.study_id in archive.read("participants.csv").decode()
        assert "study days" in archive.read("README.txt").decode()
        assert archive.read("daily_observations.csv").decode().count("\n") == 2


def test_coordinator_reads_the_summary_report(browser, live_server, screenshot):
    site = SiteFactory(code="01", name="Ward 3")
    nurse = UserFactory(username="nurse", role="Clinician", sites=[site])
    UserFactory(username="coord", role="Coordinator", sites=[site])
    for arm_code in ("ucmsc", "control"):
        participant = treated_participant(user=nurse, site=site, arm_code=arm_code)
        record(DailyObservation, participant, observation_values(participant), user=nurse)

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, live_server.url, "coord")
    page.click("text=Summary report")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Trial summary"
    # The flow as the screen shows it (a phone gets a one-column drawing of the same flow, hidden here).
    flow = page.locator("svg[aria-label^='Participant flow']:visible")
    assert flow.count() == 1 and flow.locator("text", has_text="Enrolled: 2").count() == 1
    discharge = page.locator("table[data-section='Status at discharge']")
    assert "Mechanical ventilation" in discharge.inner_text()
    assert page.locator("svg[aria-label='Oxygen support over study days by arm'] rect").count() >= 2
    screenshot(page, "summary-report")
