"""The version of the trial's data: a counter in the shared cache that moves after every commit that changed a
record with an audit trail (and after every batch add_in_bulk writes). What is computed from all the data, the
trial summary report (ucmsc_crf/report_cache.py), is kept under the version it was computed at: a change makes
the next reader compute it again.

Why a counter moved after the commit, not the audit trail's highest id: ids are taken when rows are written, and
commits land in another order, so a report computed between two commits could be kept under an id that already
counts a change the report does not hold. Moved after the commit, every change a reader's version counts is
visible to that reader. Writes that bypass the models (SQL by hand, bulk loaders without history) are not
counted: what is kept expires after settings.CRF_REPORT_CACHE_SECONDS."""

import time

from django.core.cache import cache
from django.db import transaction

KEY = "crf-data-version"


def data_changed(using=None) -> None:
    """A change to the trial's data is being written: move the version once it is committed."""
    transaction.on_commit(_move, using=using)


def data_version() -> int:
    # A missing counter (never set, or culled from the cache) starts from the clock, never from a value an
    # earlier counter had: what was kept under an old version is never read as current.
    cache.add(KEY, time.time_ns(), timeout=None)
    version = cache.get(KEY)
    return version if version is not None else time.time_ns()


def _move() -> None:
    try:
        cache.incr(KEY)
    except ValueError:
        cache.add(KEY, time.time_ns(), timeout=None)
