"""The investigator's signature: password re-entered, meaning stated; a later data change invalidates it."""

import pytest
from django.urls import reverse

from outcomes.models import DailyObservation
from patients import services
from patients.signatures import CasebookSignature
from tests.factories import PASSWORD, observation_values, record, treated_participant

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
    services.casebook_sign(participant=casebook, user=clinician, password=PASSWORD, meaning="complete_accurate")
    # Review activity is not a data change.
    query = services.query_raise(record=casebook, user=monitor, text="Check onset date")
    services.query_answer(query=query, user=clinician, answer="Checked")
    assert CasebookSignature.objects.get().valid

    observation = DailyObservation.objects.get(participant=casebook)
    observation.heart_rate = 101
    observation._change_reason = "Source data verification correction"
    observation._history_user = coordinator
    observation.save()
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
