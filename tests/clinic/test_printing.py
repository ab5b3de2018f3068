"""Paper back-up (issue 18): the blank daily observation form with the participant's study ID and every
question of the ward form, and the filled casebook, field by field; in a blinded trial the kit's contents are
left out, as on every page; both on A4 with the study ID on every page and page numbers."""

import datetime

import pytest
from django.urls import reverse

from outcomes.models import DailyObservation
from tests.factories import blind_trial, give_infusion, observation_values, record, treated_participant

pytestmark = pytest.mark.django_db


def test_the_blank_form_asks_what_the_ward_form_asks(client, clinician, coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=3)
    # A day observed before: the ward form then carries values forward, which paper does not.
    on = participant.day0_date
    record(DailyObservation, participant, observation_values(participant, on=on), user=clinician)
    client.force_login(clinician)
    page = client.get(reverse("observation-print", args=[participant.study_id])).content.decode()
    assert participant.study_id in page and "css/print.css" in page
    assert ">None<" not in page and "still true today" not in page and "Copy the vital signs" not in page
    for label in ("Temperature (°C)", "Oxygen support", "Shortness of breath", "Not assessed", "Entered by"):
        assert label in page


def test_the_filled_casebook_names_every_record_and_hides_the_kit_from_the_blind(
    client, clinician, coordinator, monitor, site_a
):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=3)
    give_infusion(participant, 1, user=coordinator)
    on = participant.day0_date + datetime.timedelta(days=1)
    record(DailyObservation, participant, observation_values(participant, on=on, heart_rate=97), user=clinician)
    client.force_login(monitor)
    url = reverse("casebook-print", args=[participant.study_id])
    page = client.get(url).content.decode()
    assert f"Daily observation {on:%Y-%m-%d} (day 1)" in page and ">97<" in page
    assert "Infusion 1" in page and "Cells administered" in page and "Product lot" in page
    blind_trial()
    blinded = client.get(url).content.decode()
    assert "Infusion 1" in blinded and "Cells administered" not in blinded and "Product lot" not in blinded
