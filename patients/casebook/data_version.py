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
from functools import partial

from django.core.cache import cache
from django.db import transaction

KEY = "crf-data-version"
# Participants per block, by primary key: a record's change moves its participant's block's version only, and
# the report gathers that block again and reuses the others' facts (outcomes/report_facts.py, issue 19).
BLOCK = 100


def block_of(participant_id: int) -> int:
    return participant_id // BLOCK


def blocks_up_to(highest_pk: int | None) -> range:
    """Every block a participant with a primary key up to ``highest_pk`` may be in."""
    return range(0) if highest_pk is None else range(highest_pk // BLOCK + 1)


def pk_range(block: int) -> tuple[int, int]:
    """The primary keys of a block: from the first, up to (not including) the second."""
    return block * BLOCK, (block + 1) * BLOCK


def data_changed(using=None, participant_ids=None) -> None:
    """A change to the trial's data is being written: move the version once it is committed. Of the blocks of
    ``participant_ids`` (the participants whose records change), or of everything (None: a change to the
    trial's set-up, the arms, the analytes, the schedule, which every participant's facts read)."""
    if participant_ids is None:
        transaction.on_commit(_move, using=using)
    else:
        transaction.on_commit(partial(_move_blocks, {block_of(pk) for pk in participant_ids}), using=using)


def data_version() -> int:
    # A missing counter (never set, or culled from the cache) starts from the clock, never from a value an
    # earlier counter had: what was kept under an old version is never read as current.
    cache.add(KEY, time.time_ns(), timeout=None)
    version = cache.get(KEY)
    return version if version is not None else time.time_ns()


def block_versions(blocks) -> dict[int, int]:
    """The version of each block (a missing one starts from the clock, as the trial's version does)."""
    keys = {block: f"{KEY}:block:{block}" for block in blocks}
    found = cache.get_many(keys.values())
    missing = {key: time.time_ns() for key in keys.values() if key not in found}
    if missing:
        for key, version in missing.items():
            cache.add(key, version, timeout=None)
        found |= cache.get_many(missing)
    return {block: found.get(key, missing.get(key)) for block, key in keys.items()}


def _move(key: str = KEY) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, time.time_ns(), timeout=None)


def _move_blocks(blocks) -> None:
    for block in blocks:
        _move(f"{KEY}:block:{block}")
