"""The trial summary report kept until the data change (ucmsc_crf/report_cache.py, issue 19): computed once
per version of the data and per reader's sites and blinding; a committed change, on any path, computes it
again; a blinded reader never gets the report by arm another reader's request kept."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outcomes.models import DailyObservation
from patients.casebook.data_version import data_version
from tests.factories import UserFactory, blind_trial, observation_values, record, treated_participant


@pytest.fixture(autouse=True)
def report_kept(settings):
    settings.CRF_REPORT_CACHE_SECONDS = 600


@pytest.fixture
def trial(coordinator, clinician, site_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        participants = [treated_participant(user=coordinator, site=site_a) for _ in range(2)]
        record(DailyObservation, participants[0], observation_values(participants[0]), user=clinician)
    return participants


def observation_queries(queries) -> int:
    return sum('FROM "outcomes_dailyobservation"' in q["sql"] for q in queries.captured_queries)


def enrolled(response) -> int:
    return response.context["summary"].flow["enrolled"]


def test_the_report_is_computed_once_until_a_change_is_committed(
    client, trial, coordinator, clinician, site_a, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    first = client.get(reverse("report"))
    with CaptureQueriesContext(connection) as again:
        second = client.get(reverse("report"))
    assert observation_queries(again) == 0
    assert enrolled(first) == enrolled(second) == 2

    version = data_version()
    with django_capture_on_commit_callbacks(execute=True):
        treated_participant(user=coordinator, site=site_a)
    assert data_version() > version
    with CaptureQueriesContext(connection) as recomputed:
        third = client.get(reverse("report"))
    assert observation_queries(recomputed) > 0
    assert enrolled(third) == 3


def test_a_batch_written_in_bulk_moves_the_version(trial, clinician, django_capture_on_commit_callbacks):
    from outcomes.models import DailyObservation as Observation

    version = data_version()
    participant = trial[1]
    observation = Observation(participant=participant, **observation_values(participant))
    observation._history_user, observation._change_reason = clinician, "Imported"
    with django_capture_on_commit_callbacks(execute=True):
        Observation.add_in_bulk([observation])
    assert data_version() > version


def test_readers_of_other_sites_or_blinding_never_share_a_report(client, trial, coordinator, site_b):
    blind_trial()  # the same version of the data: only the key tells the readers apart
    client.force_login(UserFactory(username="dsmb_chair", role="DSMB member"))
    by_arm = client.get(reverse("report"))
    assert [a.code for a in by_arm.context["summary"].arms] == ["ucmsc"]

    # A blinded central data manager reads every site, as the board does: the same sites, the same data.
    central = UserFactory(username="central_dm", role="Coordinator")
    central.user_permissions.add(Permission.objects.get(codename="view_all_sites"))
    client.force_login(central)
    blinded = client.get(reverse("report"))
    assert [a.code for a in blinded.context["summary"].arms] == ["all"]
    assert enrolled(blinded) == 2

    client.force_login(coordinator)
    assert enrolled(client.get(reverse("report"))) == 2

    client.force_login(UserFactory(username="coord_b2", role="Coordinator", sites=[site_b]))
    other_site = client.get(reverse("report"))
    assert enrolled(other_site) == 0
