"""The clinician's participant pages (the full data-entry screens come with the clinician issue)."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import enrolled_participant, screened_participant

pytestmark = pytest.mark.django_db


def test_list_searches_by_study_id_and_filters_by_status(client, clinician, coordinator, site_a):
    enrolled = enrolled_participant(user=coordinator, site=site_a)
    screening = screened_participant(user=coordinator, site=site_a)
    client.force_login(clinician)
    url = reverse("participant-list")
    assert [p.study_id for p in client.get(url, {"q": "002"}).context["participants"]] == [screening.study_id]
    assert [p.study_id for p in client.get(url, {"status": "enrolled"}).context["participants"]] == [enrolled.study_id]
    body = client.get(url).content.decode()
    assert "Day 0" not in body  # the list shows the number only
    assert ">0<" in body.replace(" ", "").replace("\n", "")  # enrolled today: study day 0


def test_detail_shows_enrolment_consent_and_eligibility(client, clinician, coordinator, site_a):
    participant = enrolled_participant(user=coordinator, site=site_a)
    client.force_login(clinician)
    body = client.get(reverse("participant-detail", args=[participant.study_id])).content.decode()
    assert participant.study_id in body
    assert "UC-MSC" in body and "Day 0" in body
    assert "form v1.0" in body
    assert "Eligible" in body


def test_login_page_serves_bootstrap_from_static(client):
    body = client.get(reverse("login")).content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in body
    # Served by whitenoise from static/ (collected in production: see tests/test_settings.py).
    assert finders.find("vendor/bootstrap/bootstrap.min.css")
    assert finders.find("vendor/bootstrap/bootstrap.bundle.min.js")
