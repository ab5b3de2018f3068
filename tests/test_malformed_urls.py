"""Malformed addresses get 400 or 404, never a 500: NUL characters anywhere in the address or its query,
and ids that are not ids in every admin URL that takes one. Also the admin's "view on site" redirect is
scoped to the user's sites like every other admin page."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from patients.models import Participant
from tests.factories import PASSWORD, treated_participant
from tests.helpers import url_patterns

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(coordinator, site_a):
    return treated_participant(user=coordinator, site=site_a)


@pytest.mark.parametrize(
    "address",
    [
        "/participants/?q=%00",
        "/participants/?arm=%00",
        "/participants/?status=%00",
        "/participants/?%00=1",
        "/participants/01-%00/",
        "/participants/01-001%00/",
        "/admin/outcomes/dailyobservation/?q=%00",
        "/admin/patients/participant/?arm__code__exact=%00",
        "/report/?format=%00",
    ],
)
def test_a_nul_character_is_a_bad_request(client, coordinator, participant, address):
    client.force_login(coordinator)
    assert client.get(address).status_code == 400


def test_ids_that_are_not_ids_are_not_found_in_every_admin_url(client, participant):
    admin_user = get_user_model().objects.create_superuser("sysadmin", password=PASSWORD)
    client.force_login(admin_user)
    tried, errors = 0, []
    for name, route, _ in url_patterns():
        if not route.startswith("admin/") or "<path:object_id>" not in route:
            continue
        for bad in ("abc", "1.5", "-1", "9999999999999999999999"):
            address = "/" + route.replace("<path:object_id>", bad)
            address = re.sub(r"<\w+:\w+>", "abc", address)
            status = client.get(address).status_code
            tried += 1
            if status >= 500 or status == 200:
                errors.append(f"{address} ({name}): {status}")
    assert tried > 100 and errors == []


def test_view_on_site_is_scoped_to_the_users_sites(client, participant, coordinator_b, coordinator):
    content_type = ContentType.objects.get_for_model(Participant)
    address = reverse("admin:view_on_site", args=[content_type.pk, participant.pk])
    client.force_login(coordinator)
    response = client.get(address)
    assert response.status_code == 302 and response["Location"] == participant.get_absolute_url()
    client.force_login(coordinator_b)  # another site's coordinator learns nothing, not even the study ID
    response = client.get(address)
    assert response.status_code == 404 and participant.study_id not in response.content.decode()
    assert client.get(reverse("admin:view_on_site", args=[content_type.pk, "abc"])).status_code == 404
