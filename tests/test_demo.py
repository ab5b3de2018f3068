"""The demo seed: the phase 1 trial's shape, one user per role, and idempotent."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from patients.models import Participant

pytestmark = pytest.mark.django_db


def snapshot():
    return list(
        Participant.objects.order_by("study_id").values_list(
            "study_id", "arm__code", "status", "severity", "date_of_birth", "day0_date"
        )
    )


def test_seed_demo_creates_the_phase1_shape_and_is_idempotent(capsys):
    call_command("seed_demo")
    output = capsys.readouterr().out
    first = snapshot()
    assert len(first) == 18
    assert sum(1 for row in first if row[1] == "ucmsc") == 9
    assert sum(1 for row in first if row[1] == "control") == 9
    assert {row[2] for row in first} == {"enrolled"}
    assert {row[3] for row in first} <= {"moderate", "severe"}
    for username in ("clinician", "coordinator", "monitor", "statistician"):
        assert username in output
        user = get_user_model().objects.get(username=username)
        assert user.groups.filter(name=username.capitalize()).exists()
        assert user.site_memberships.exists()
    history_rows = Participant.history.count()

    call_command("seed_demo")
    assert snapshot() == first
    assert Participant.history.count() == history_rows
    assert get_user_model().objects.count() == 4


def test_demo_users_can_log_in_and_land_on_their_pages(client):
    from patients.demo import DEMO_PASSWORD

    call_command("seed_demo")
    assert client.login(username="clinician", password=DEMO_PASSWORD)
    response = client.get("/", follow=True)
    assert "01-018" in response.content.decode()
    client.logout()
    assert client.login(username="coordinator", password=DEMO_PASSWORD)
    assert client.get("/admin/patients/participant/").status_code == 200
