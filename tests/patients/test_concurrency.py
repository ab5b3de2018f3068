"""Study IDs stay unique and gap-free when participants are created at the same moment.

Only PostgreSQL runs transactions truly in parallel (SQLite serialises writers), so this test needs
DATABASE_URL=postgres://...; CI runs the suite on both databases.
"""

import threading

import pytest
from django.db import close_old_connections, connection

from patients.models import Participant
from tests.factories import ParticipantFactory, SiteFactory

WORKERS = 8
PER_WORKER = 3


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_issues_unique_sequential_study_ids():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")
    site = SiteFactory(code="07")
    barrier = threading.Barrier(WORKERS)
    errors = []

    def create_many():
        try:
            barrier.wait(timeout=30)  # start together, so the inserts really overlap
            for _ in range(PER_WORKER):
                ParticipantFactory(site=site)
        except Exception as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=create_many) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    study_ids = sorted(Participant.objects.filter(site=site).values_list("study_id", flat=True))
    assert study_ids == [f"07-{n:03d}" for n in range(1, WORKERS * PER_WORKER + 1)]
    site.refresh_from_db()
    assert site.last_sequence_number == WORKERS * PER_WORKER
