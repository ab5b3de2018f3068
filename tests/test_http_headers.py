"""What every response says about itself: clinical pages and downloads are never stored by a browser or a
proxy (a shared ward PC's back button must not show a casebook after logout); static files keep caching."""

import pytest
from django.urls import reverse

from tests.factories import treated_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(coordinator, site_a):
    return treated_participant(user=coordinator, site=site_a)


def test_pages_and_downloads_are_no_store(client, coordinator, clinician, participant):
    addresses = {
        clinician: [
            reverse("participant-list"),
            reverse("participant-detail", args=[participant.study_id]),
            reverse("observations-new", args=[participant.study_id]),
        ],
        coordinator: [
            reverse("report"),
            reverse("report") + "?format=csv",
            reverse("report") + "?format=xlsx",
            reverse("admin:outcomes_dailyobservation_changelist"),
            reverse("analysis-export"),
            reverse("odm-export"),
            reverse("sdtm-export"),
        ],
    }
    for user, urls in addresses.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            cache_control = response.get("Cache-Control", "")
            assert "no-store" in cache_control and "private" in cache_control, (url, cache_control)
    client.logout()
    assert "no-store" in client.get(reverse("login")).get("Cache-Control", "")


def test_a_content_security_policy_on_every_page(client, clinician, coordinator, participant):
    client.force_login(clinician)
    page = client.get(reverse("participant-detail", args=[participant.study_id]))
    policy = dict(part.strip().split(" ", 1) for part in page["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "style=" not in page.content.decode()  # the page satisfies its own policy
    client.force_login(coordinator)
    admin_header = client.get(reverse("admin:outcomes_dailyobservation_changelist"))["Content-Security-Policy"]
    # Directives in any order (the header's order is not fixed): parsed, not matched as text.
    admin_policy = dict(part.strip().split(" ", 1) for part in admin_header.split(";"))
    # The admin's own templates write inline style attributes; scripts stay strict there too.
    assert admin_policy["style-src"] == "'self' 'unsafe-inline'" and admin_policy["script-src"] == "'self'"
