"""Pages at scale (issue 19): every page the scale benchmark times runs the same number of queries for a trial
three times the size (generated in bulk, tests/world.py), so its cost follows the page, not the trial. The
times themselves are measured by bench/scale.py, not here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patients.models import Participant
from tests.factories import UserFactory
from tests.world import generate

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PAGES = {
    "participant list": ("coordinator", lambda p: reverse("participant-list")),
    "subject matrix": ("coordinator", lambda p: reverse("subject-matrix")),
    "subject matrix, needs my action": ("coordinator", lambda p: reverse("subject-matrix") + "?needs=action"),
    "participant page": ("coordinator", lambda p: reverse("participant-detail", args=[p.study_id])),
    "trial summary report": ("coordinator", lambda p: reverse("report")),
    "admin: participants": ("admin", lambda p: reverse("admin:patients_participant_changelist")),
    "admin: daily observations": ("admin", lambda p: reverse("admin:outcomes_dailyobservation_changelist")),
    "admin: lab results": ("admin", lambda p: reverse("admin:outcomes_labresult_changelist")),
}


def queries(client, url) -> int:
    client.get(url)  # warm: the design, content types and permissions cached as on a running server
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_every_page_runs_the_same_queries_for_a_trial_three_times_the_size(client):
    world = generate(15, sites=3, site_prefix="C")
    users = {
        "coordinator": UserFactory(role="Coordinator", sites=world.sites),
        "admin": UserFactory(is_superuser=True, is_staff=True),
    }
    # The same participant at both sizes: the first whose stay has ended (a full casebook).
    participant = Participant.objects.filter(status="completed").order_by("pk").first()

    def counts():
        found = {}
        for page, (who, url) in PAGES.items():
            client.force_login(users[who])
            found[page] = queries(client, url(participant))
        return found

    small = counts()
    generate(30, sites=world.sites, seed=20)
    assert Participant.objects.count() == 45
    assert counts() == small
