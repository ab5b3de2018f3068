"""The investigator's signature: password re-entered, meaning stated; a later data change invalidates it."""

import datetime

import pytest
import tablib
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from outcomes.models import AdverseEvent, DailyObservation
from outcomes.resources import LabResultResource
from patients.access_log import AccessEvent, AccessEventKind
from patients.casebook import services as casebook_services
from patients.casebook.lock import casebooks_held
from patients.casebook.saving import record_save
from patients.casebook.signatures import CasebookSignature
from tests.factories import (
    PASSWORD,
    ae_values,
    lab_values,
    local_datetime,
    observation_values,
    record,
    treated_participant,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def casebook(coordinator, clinician, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    record(DailyObservation, participant, observation_values(participant), user=clinician)
    return participant


def sign(client, participant, password):
    return client.post(
        reverse("casebook-sign", args=[participant.study_id]), {"meaning": "complete_accurate", "password": password}
    )


def test_wrong_password_is_refused_on_the_password_field(client, casebook, clinician):
    client.force_login(clinician)
    response = sign(client, casebook, "not-my-password")
    assert response.status_code == 200
    assert response.context["form"].errors["password"] == ["The password is not correct."]
    assert not CasebookSignature.objects.exists()


def test_signature_shows_who_when_and_meaning(client, casebook, clinician):
    clinician.first_name, clinician.last_name = "Li", "Wen"
    clinician.save()
    client.force_login(clinician)
    assert "Sign casebook" in client.get(reverse("participant-detail", args=[casebook.study_id])).content.decode()
    assert sign(client, casebook, PASSWORD).status_code == 302
    signature = CasebookSignature.objects.get()
    assert signature.valid and signature.signed_by == clinician
    page = client.get(reverse("participant-detail", args=[casebook.study_id])).content.decode()
    assert "Signed by <strong>Li Wen</strong>" in page
    assert "I confirm the data are complete and accurate" in page and "Sign casebook</a>" not in page


def test_a_later_change_invalidates_the_signature_visibly(client, casebook, clinician, coordinator, monitor):
    casebook_services.casebook_sign(
        participant=casebook, user=clinician, password=PASSWORD, meaning="complete_accurate"
    )
    # Review activity is not a data change.
    query = casebook_services.query_raise(record=casebook, user=monitor, text="Check onset date")
    casebook_services.query_answer(query=query, user=clinician, answer="Checked")
    assert CasebookSignature.objects.get().valid

    observation = DailyObservation.objects.get(participant=casebook)
    observation.heart_rate = 101
    record_save(observation, user=coordinator, reason="Source data verification correction")
    signature = CasebookSignature.objects.get()
    assert not signature.valid
    assert "Daily observation" in signature.invalidated_reason and "coord_a" in signature.invalidated_reason
    client.force_login(clinician)
    page = client.get(reverse("participant-detail", args=[casebook.study_id])).content.decode()
    assert "Signature invalidated" in page and "<del>Signed</del>" in page and "Sign casebook</a>" in page


def test_only_an_investigator_signs(client, casebook, monitor):
    client.force_login(monitor)
    assert client.get(reverse("casebook-sign", args=[casebook.study_id])).status_code == 403
    assert not CasebookSignature.objects.exists()


def signed(casebook, clinician):
    casebook_services.casebook_sign(
        participant=casebook, user=clinician, password=PASSWORD, meaning="complete_accurate"
    )
    return CasebookSignature.objects.get()


def test_adding_a_record_after_signing_invalidates_the_signature(client, casebook, clinician):
    signed(casebook, clinician)
    ae = record(AdverseEvent, casebook, ae_values(casebook), user=clinician)
    signature = CasebookSignature.objects.get()
    assert not signature.valid
    # The record named by its onset and study day, as the query cards name records (not by its number).
    onset = timezone.localtime(ae.onset_datetime)
    name = f"Adverse event {onset:%Y-%m-%d %H:%M} (day {casebook.study_day(onset.date())})"
    assert signature.invalidated_reason.startswith(f"{name} added by {clinician.username} after signing")


def test_a_lab_sample_from_the_ward_invalidates_the_signature(client, casebook, clinician):
    signed(casebook, clinician)
    client.force_login(clinician)
    sample = timezone.localtime(local_datetime(casebook.day0_date, 7)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("lab-sample-new", args=[casebook.study_id]), {"sample_datetime": sample, "il6": "35"}
    )
    assert response.status_code == 302
    signature = CasebookSignature.objects.get()
    assert not signature.valid and "Lab result" in signature.invalidated_reason
    page = client.get(reverse("participant-detail", args=[casebook.study_id])).content.decode()
    assert "Signature invalidated" in page and "Lab result" in page


def test_voiding_a_record_after_signing_invalidates_the_signature(casebook, clinician, coordinator):
    signed(casebook, clinician)
    DailyObservation.objects.get(participant=casebook).void(reason="Entered for the wrong patient", user=coordinator)
    signature = CasebookSignature.objects.get()
    assert not signature.valid and "Voided: Entered for the wrong patient" in signature.invalidated_reason


def test_an_import_after_signing_invalidates_the_signature(casebook, clinician, coordinator):
    signed(casebook, clinician)
    values = lab_values(casebook, analyte="crp")
    data = tablib.Dataset(headers=["study_id", "analyte", "sample_datetime", "value", "detection_limit", "comment"])
    data.append([casebook.study_id, "crp", values["sample_datetime"].isoformat(), values["value"], "", ""])
    result = LabResultResource(user=coordinator).import_data(data, dry_run=False, use_transactions=True)
    assert not result.has_errors() and not result.has_validation_errors()
    signature = CasebookSignature.objects.get()
    assert not signature.valid and "added by coord_a" in signature.invalidated_reason


def test_a_data_query_does_not_invalidate_it(casebook, clinician, monitor):
    signed(casebook, clinician)
    casebook_services.query_raise(record=casebook, user=monitor, text="Check the weight")
    assert CasebookSignature.objects.get().valid


def test_wrong_signing_passwords_count_towards_the_login_lockout_and_are_logged(client, casebook, clinician, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    client.force_login(clinician)
    for attempt in range(4):
        response = sign(client, casebook, f"guess-number-{attempt}")
        assert response.status_code == 200
        assert [e.code for e in response.context["form"].errors.as_data()["password"]] == ["password_incorrect"]
    failed = AccessEvent.objects.filter(user=clinician, kind=AccessEventKind.LOGIN_FAILED)
    assert failed.count() == 4 and {e.detail for e in failed} == {"casebook signing"}

    response = sign(client, casebook, "guess-number-5")
    assert response.status_code == 429  # django-axes' lockout page
    assert AccessEvent.objects.filter(user=clinician, kind=AccessEventKind.LOCKED_OUT).exists()
    # The session has ended, and the right password neither signs nor logs in from this address now.
    assert client.get(reverse("participant-detail", args=[casebook.study_id])).status_code == 302
    response = client.post("/accounts/login/", {"username": clinician.username, "password": PASSWORD})
    assert response.status_code == 429
    assert not CasebookSignature.objects.exists()


def test_a_locked_out_investigator_cannot_sign_with_the_right_password(client, casebook, clinician, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    for attempt in range(5):
        client.post("/accounts/login/", {"username": clinician.username, "password": f"wrong-{attempt}"})
    client.force_login(clinician)  # a session opened before the lockout
    assert sign(client, casebook, PASSWORD).status_code == 429
    assert not CasebookSignature.objects.exists()


def test_a_signature_given_while_a_batch_holds_the_casebook_still_falls_with_a_later_change(casebook, clinician):
    """A batch holding casebooks (an import) reads once which are signed; one signed meanwhile is not missed."""
    with transaction.atomic(), casebooks_held([casebook.pk]):
        signed(casebook, clinician)
        later = casebook.day0_date + datetime.timedelta(days=1)
        record(DailyObservation, casebook, observation_values(casebook, on=later), user=clinician)
    signature = CasebookSignature.objects.get()
    assert not signature.valid and "(day 1) added by clin_a" in signature.invalidated_reason
