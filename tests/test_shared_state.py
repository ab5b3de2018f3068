"""App servers keep no state of their own: sessions, lockouts and the import file between its preview and
its confirmation live in the database, so any of several gunicorn hosts can answer any request.

The load test (bench/load.py) shows it with two real processes; these tests pin the settings and the one
multi-request flow (import preview, then confirm) that used to keep a file on the first server's disk."""

import io

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSession
from django.core.cache import caches
from django.urls import reverse
from django.utils.module_loading import import_string

from outcomes.models import DailyObservation
from tests.factories import treated_participant
from tests.helpers import observation_rows

pytestmark = pytest.mark.django_db
IMPORT = "admin:outcomes_dailyobservation_import"
CONFIRM = "admin:outcomes_dailyobservation_process_import"


def test_sessions_lockouts_and_caches_are_in_the_database():
    assert issubclass(import_string(f"{settings.SESSION_ENGINE}.SessionStore"), DatabaseSession)
    assert getattr(settings, "AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler").endswith(
        "AxesDatabaseHandler"
    )
    for alias in settings.CACHES:
        assert settings.CACHES[alias]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache", alias


@pytest.fixture
def participant(coordinator, site_a):
    return treated_participant(user=coordinator, site=site_a)


def preview(client, participant):
    file = io.BytesIO(observation_rows(participant).csv.encode())
    file.name = "ward.csv"
    response = client.post(reverse(IMPORT), {"import_file": file, "format": "0", "resource": "0"})
    assert response.status_code == 200 and "Confirm import" in response.content.decode()
    return response.context["confirm_form"].initial


def test_an_import_confirmed_on_another_server_finds_its_file(client, coordinator, participant, tmp_path, monkeypatch):
    client.force_login(coordinator)
    confirm = preview(client, participant)
    # The confirmation reaches a server whose temporary directory has never seen the upload.
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    response = client.post(reverse(CONFIRM), confirm, follow=True)
    assert response.status_code == 200
    assert DailyObservation.objects.filter(participant=participant).count() == 2
    # Confirmed once: the held file is gone from the shared cache.
    assert caches["default"].get(f"django-import-export-{confirm['import_file_name']}") is None


def test_a_confirmation_posted_twice_imports_once_and_says_so(client, coordinator, participant):
    client.force_login(coordinator)
    confirm = preview(client, participant)
    client.post(reverse(CONFIRM), confirm)
    response = client.post(reverse(CONFIRM), confirm, follow=True)
    assert response.status_code == 200
    assert "no longer held" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse(IMPORT)
    assert DailyObservation.objects.filter(participant=participant).count() == 2
