"""A blinded, placebo-controlled trial in a real browser: the pharmacist prepares and releases a kit in the
admin, the nurse records the infusion on the ward by its kit code (on a phone), and a blinded monitor
reviews and verifies it; neither the nurse nor the monitor ever sees the arm or what the kit held."""

import datetime

import pytest
from django.utils import timezone

from dosing.models import Infusion, Preparation
from tests.browser.test_clinician_flows import log_in, submit
from tests.factories import PASSWORD, SiteFactory, UserFactory, randomised_design, signed_off_list, treated_participant

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]
# What would unblind a page: the arms' names (tests/factories.PLACEBO_ARMS) and the treatments' labels.
REVEALING = ("Active cells", "Placebo saline", "Active product (UC-MSC)", "Placebo", "SALINE", "x 10^6", "×10⁶")


def admin_log_in(page, base, username):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def blind(page) -> str:
    text = page.locator("body").inner_text()
    shown = [word for word in REVEALING if word in text]
    assert shown == [], f"{page.url} shows {shown}"
    return text


def test_pharmacist_prepares_nurse_infuses_blinded_monitor_verifies(browser, live_server, screenshot):
    site = SiteFactory(code="01", name="Ward 3")
    coordinator = UserFactory(username="coord", role="Coordinator", sites=[site])
    UserFactory(username="nurse", role="Clinician", sites=[site])
    UserFactory(username="pharmacist", role="Pharmacist", sites=[site])
    UserFactory(username="monitor", role="Monitor", sites=[site])
    randomised_design()
    ustat = UserFactory(username="ustat", role="Unblinded statistician")
    made = signed_off_list(user=ustat, slots_per_stratum=3, block_multiples=[1], seed=4)
    participant = treated_participant(user=coordinator, site=site, arm_code=None, days_ago=1)
    active = participant.arm.treatment == "active"
    kit = f"K{participant.randomisation_slot.treatment_code}-1"
    now = timezone.localtime()
    start = now - datetime.timedelta(hours=2)

    # The pharmacist prepares and releases the kit in the admin.
    pharmacy = browser.new_context().new_page()
    admin_log_in(pharmacy, live_server.url, "pharmacist")
    pharmacy.goto(f"{live_server.url}/admin/dosing/preparation/add/")
    pharmacy.select_option("#id_participant", label=participant.study_id)
    pharmacy.fill("#id_sequence_number", "1")
    pharmacy.fill("#id_kit_code", kit)
    pharmacy.fill("#id_product_lot", "UCMSC-P2-01" if active else "SALINE-P2-01")
    if active:
        pharmacy.fill("#id_cells_millions", "30")
        pharmacy.fill("#id_viability_percent", "93")
    pharmacy.fill("#id_volume_ml", "100")
    for check in ("label_verified", "appearance_ok", "release_tests_passed"):
        pharmacy.check(f"#id_{check}")
    prepared = start - datetime.timedelta(hours=1)
    pharmacy.fill("#id_prepared_datetime_0", prepared.strftime("%Y-%m-%d"))
    pharmacy.fill("#id_prepared_datetime_1", prepared.strftime("%H:%M:%S"))
    released = prepared + datetime.timedelta(minutes=20)
    pharmacy.fill("#id_released_datetime_0", released.strftime("%Y-%m-%d"))
    pharmacy.fill("#id_released_datetime_1", released.strftime("%H:%M:%S"))
    pharmacy.select_option("#id_prepared_by", label="pharmacist")
    pharmacy.click("input[name=_save]")
    pharmacy.wait_for_load_state()
    assert "was added successfully" in pharmacy.locator("ul.messagelist").inner_text()
    screenshot(pharmacy, "pharmacy-kits")
    assert Preparation.objects.get(kit_code=kit).released

    # The nurse records the infusion by its kit code, on a phone: no cells, no viability, no arm.
    ward = browser.new_page(viewport={"width": 390, "height": 844})
    log_in(ward, live_server.url, "nurse")
    ward.goto(f"{live_server.url}{participant.get_absolute_url()}")
    blind(ward)
    ward.click("text=Record infusion")
    assert ward.locator("#id_cells_administered_millions").count() == 0
    ward.fill("#id_start_datetime", start.strftime("%Y-%m-%dT%H:%M"))
    ward.fill("#id_end_datetime", (start + datetime.timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M"))
    ward.fill("#id_kit_code", kit)
    for field, value in {
        "volume_ml": "100",
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
        ward.fill(f"#id_{field}", value)
    ward.select_option("#id_ecg", "normal")
    blind(ward)
    submit(ward)
    text = blind(ward)
    assert f"kit {kit}" in text
    screenshot(ward, "ward-infusion-by-kit")
    infusion = Infusion.objects.get(participant=participant)
    assert infusion.preparation.kit_code == kit and infusion.review_status == "submitted"

    # The blinded monitor reviews and verifies it in the admin, never seeing the arm.
    review = browser.new_context().new_page()
    admin_log_in(review, live_server.url, "monitor")
    for path in (
        "/admin/dosing/infusion/",
        f"/admin/dosing/infusion/{infusion.pk}/change/",
        f"/admin/patients/participant/{participant.pk}/change/",
        f"/admin/patients/participant/{participant.pk}/history/",
    ):
        review.goto(f"{live_server.url}{path}")
        blind(review)
    assert review.goto(f"{live_server.url}/admin/dosing/preparation/").status == 403
    review.goto(f"{live_server.url}/admin/dosing/infusion/")
    review.check("#action-toggle")
    review.select_option("select[name=action]", "verify_selected")
    review.click("button[name=index]")
    review.wait_for_load_state()
    assert "1 infusion verified." in blind(review)
    screenshot(review, "blinded-monitor-verifies")
    infusion.refresh_from_db()
    assert infusion.review_status == "verified"

    # The unblinded statistician's report of the list, with the slot the participant took (README screenshot).
    statistics = browser.new_context().new_page()
    admin_log_in(statistics, live_server.url, "ustat")
    statistics.goto(f"{live_server.url}/admin/patients/randomisationlist/{made.pk}/change/")
    assert "Randomisation list report" in statistics.locator("body").inner_text()
    screenshot(statistics, "randomisation-list-report")
