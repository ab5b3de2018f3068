"""The trial summary report kept until the data change (ucmsc_crf/report_cache.py, issue 19): computed once
per version of the data and per reader's sites and blinding; a committed change, on any path, computes it
again, gathering again only the changed participants' block; a blinded reader never gets the report by arm
another reader's request kept."""

import time
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outcomes.models import AdverseEvent, DailyObservation
from outcomes.summary import as_table, trial_summary
from patients.casebook import data_version as versions
from patients.casebook.data_version import block_of, block_versions, data_version
from patients.models import Participant
from tests.factories import UserFactory, ae_values, blind_trial, observation_values, record, treated_participant
from ucmsc_crf import kept_blocks, report_cache


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


def adverse_events(summary) -> int:
    safety = next(section for section in summary.sections if section.title == "Safety (adverse events)")
    return sum(cell.n for cell in safety.rows[0].cells)


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

    with django_capture_on_commit_callbacks(execute=True):
        treated_participant(user=coordinator, site=site_a)
    with CaptureQueriesContext(connection) as recomputed:
        third = client.get(reverse("report"))
    assert observation_queries(recomputed) > 0
    assert enrolled(third) == 3


def test_a_batch_written_in_bulk_moves_the_version(trial, clinician, django_capture_on_commit_callbacks):
    from outcomes.models import DailyObservation as Observation
    from patients.casebook.saving import prepare_save

    participant = trial[1]
    trial_version, version = data_version(), block_versions([block_of(participant.pk)])
    observation = Observation(participant=participant, **observation_values(participant))
    prepare_save(observation, user=clinician, reason="Imported")
    with django_capture_on_commit_callbacks(execute=True):
        Observation.add_in_bulk([observation])
    assert block_versions([block_of(participant.pk)])[block_of(participant.pk)] > version[block_of(participant.pk)]
    assert data_version() == trial_version  # the other blocks' facts are still current


def test_after_a_change_only_the_changed_participants_block_is_gathered_again(
    client, coordinator, site_a, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(versions, "BLOCK", 1)  # every participant a block of their own
    with django_capture_on_commit_callbacks(execute=True):
        first, second, third = (treated_participant(user=coordinator, site=site_a) for _ in range(3))
    gathered = []

    def gather(participants):
        gathered.append(sorted(participants.values_list("pk", flat=True)))
        return real_gather(participants)

    real_gather = report_cache.gather
    monkeypatch.setattr(report_cache, "gather", gather)
    client.force_login(coordinator)
    before = client.get(reverse("report")).context["summary"]
    assert gathered == [sorted(p.pk for p in (first, second, third))]
    assert adverse_events(before) == 0

    with django_capture_on_commit_callbacks(execute=True):  # a record of the participant's, not the participant
        record(AdverseEvent, second, ae_values(second), user=coordinator)
    after = client.get(reverse("report")).context["summary"]
    assert gathered[1:] == [[second.pk]]
    assert adverse_events(after) == 1
    assert after.computed > before.computed
    # Nothing gathered afresh matches a report computed from scratch.
    assert as_table(after) == as_table(trial_summary(Participant.objects.all()))


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


def test_a_change_written_past_the_models_shows_after_crf_report_cache_seconds(
    client, trial, coordinator, monkeypatch, settings
):
    client.force_login(coordinator)
    before = males(client.get(reverse("report")).context["summary"])
    with connection.cursor() as cursor:  # SQL by hand: no audit trail, no version moved
        cursor.execute("UPDATE patients_participant SET sex = %s", ["M" if before == 0 else "F"])
    assert males(client.get(reverse("report")).context["summary"]) == before  # kept, as the setting documents

    later = time.time() + settings.CRF_REPORT_CACHE_SECONDS + 1
    for module in (report_cache, kept_blocks):
        monkeypatch.setattr(module, "time", SimpleNamespace(time=lambda: later))
    # Neither the report nor the blocks this process holds are used past it.
    assert males(client.get(reverse("report")).context["summary"]) == (2 if before == 0 else 0)


def males(summary) -> int:
    baseline = next(section for section in summary.sections if section.title == "Baseline")
    return sum(cell.n for cell in next(row for row in baseline.rows if row.label == "Male").cells)
