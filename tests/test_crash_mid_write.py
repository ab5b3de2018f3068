"""A server killed in the middle of a write leaves no half-saved record: every write path is one
transaction, so PostgreSQL rolls the whole of it back when the connection dies.

The app process is simulated by a child Python process that saves an infusion (the infusion row, its
protocol deviation, the planned slot marked given, their history rows) inside the request's transaction,
says so, and is then killed with SIGKILL before it commits."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from dosing.models import Infusion, PlannedInfusion, ProtocolDeviation
from patients.casebook.saving import record_save
from tests.factories import infusion_values, treated_participant

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: set DATABASE_URL=postgres://..."),
]
ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import os, sys, time, django
django.setup()
from django.db import transaction
from django.contrib.auth import get_user_model
from dosing.models import Infusion
from patients.models import Participant
from patients.casebook.saving import record_save
from tests.factories import infusion_values

participant = Participant.objects.get(pk=int(sys.argv[1]))
user = get_user_model().objects.get(pk=int(sys.argv[2]))
values = infusion_values(participant, 1, user=user, viability_percent="75.0", deviation_reason="Only lot")
with transaction.atomic():  # what ATOMIC_REQUESTS does around every request
    record_save(Infusion(**values), user=user, validate=True)
    open(sys.argv[3], "w").write("written, not committed")
    time.sleep(60)  # killed here
"""


def test_killing_the_server_mid_write_leaves_nothing_half_saved(coordinator, site_a, tmp_path):
    participant = treated_participant(user=coordinator, site=site_a)
    marker = tmp_path / "written"
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": url}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(participant.pk), str(coordinator.pk), str(marker)], cwd=ROOT, env=env
    )
    try:
        for _ in range(300):
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.1)
        assert marker.exists(), "the child never reached the middle of its write"
        # Mid-write, the rows are invisible to everyone else (not committed)...
        assert not Infusion.objects.filter(participant=participant).exists()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    # ...and after the kill, none of them exists: no infusion, no deviation, no history, slot still planned.
    time.sleep(0.5)
    assert not Infusion.objects.filter(participant=participant).exists()
    assert not Infusion.history.filter(participant_id=participant.pk).exists()
    assert not ProtocolDeviation.objects.filter(participant=participant).exists()
    assert PlannedInfusion.objects.get(participant=participant, sequence_number=1).status == "planned"
    # The data are intact: the same write, done again, succeeds.
    record_save(Infusion(**infusion_values(participant, 1, user=coordinator)), user=coordinator, validate=True)
    assert Infusion.objects.filter(participant=participant).count() == 1
