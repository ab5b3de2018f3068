"""What is computed from every participant's records, kept per block of participants until their data change
(issue 19). A block is up to BLOCK participants by primary key (patients/casebook/data_version.py); a change to
a participant's records moves their block's version after it commits, a change to the trial's set-up moves the
trial's. So after a change one block is computed again and every other block's value is reused.

The trial summary report keeps each block's facts (ucmsc_crf/report_cache.py) and the subject matrix each
block's visit states (ucmsc_crf/views/matrix.py).

Values live in the shared cache, and the ones this process read last also in its memory (a report after a
change then reads one block from the shared cache, not a few MB). A value is used for at most
CRF_REPORT_CACHE_SECONDS after it was computed, which bounds changes written past the models (SQL by hand):
each block for a time between half and all of it, so blocks computed together are computed again one by one,
never all on one reader's request. The versions are read before the data, so a value kept under a version holds
at least every change that version counts."""

import hashlib
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q

from patients.casebook.data_version import block_versions, blocks_up_to, data_version, pk_range
from patients.models import Participant


def digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def code_hash(*modules) -> str:
    """A hash of the code that computes a value: a new release computes afresh."""
    return hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in modules)).hexdigest()[:16]


def keeping_seconds() -> int:
    """How long a kept value may be used; 0 keeps nothing (the test suite, whose changes never commit)."""
    return getattr(settings, "CRF_REPORT_CACHE_SECONDS", 600)


@dataclass
class Kept:
    """A value and until when it may be used (a time.time())."""

    value: object
    until: float


class _Held:
    """The values this process read last, by the same keys as in the shared cache; at most ``size``, the least
    recently used dropped first. A key holds the versions, so what is held is never stale."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get_many(self, keys) -> dict:
        with self.lock:
            found = {key: self.items[key] for key in keys if key in self.items}
            for key in found:
                self.items.move_to_end(key)
        return found

    def set_many(self, values: dict) -> None:
        with self.lock:
            self.items.update(values)
            for key in values:
                self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


# This module's own code is in every key too: what it keeps (Kept) is unpickled by the next release.
_SELF = code_hash(sys.modules[__name__])

_held = _Held(size=2000)  # the report's and the matrix's blocks of 100,000 participants


@dataclass
class Blocks:
    """Every block of the trial at the versions read now."""

    trial: int
    versions: dict[int, int]

    @classmethod
    def now(cls) -> "Blocks":
        # Every block a participant may be in (of any site: a block's value holds every site's participants).
        blocks = blocks_up_to(Participant.objects.aggregate(highest=Max("pk"))["highest"])
        trial = data_version()
        return cls(trial, block_versions(blocks))

    def key(self, *parts) -> str:
        """A key for a value computed from every block at these versions."""
        return digest(self.trial, sorted(self.versions.items()), *parts)

    def values(self, kind: str, compute: Callable) -> tuple[dict[int, object], float]:
        """Per block, the value ``compute`` gives for it (``compute(participants)`` with a queryset of the
        missing blocks' participants returns {block: value}; a block it leaves out has the value None), and
        until when the first of them may be used. ``kind`` names the value and the code that computes it."""
        seconds, now = keeping_seconds(), time.time()
        keys = {block: f"{kind}:{_SELF}:{self.trial}:{block}:{version}" for block, version in self.versions.items()}
        found = _held.get_many(keys.values())
        found |= cache.get_many([key for key in keys.values() if key not in found])
        found = {key: kept for key, kept in found.items() if kept.until > now}
        missing = [block for block, key in keys.items() if key not in found]
        if missing:
            computed = compute(Participant.objects.filter(_in_blocks(missing)))
            fresh = {}
            for block in missing:
                spread = int(digest(keys[block])[:8], 16) / 0xFFFFFFFF  # in [0, 1], the same for a key
                fresh[keys[block]] = Kept(computed.get(block), now + seconds * (0.5 + spread / 2))
            cache.set_many(fresh, seconds)
            found |= fresh
        _held.set_many({key: found[key] for key in keys.values()})
        until = min((found[key].until for key in keys.values()), default=now + seconds)
        return {block: found[key].value for block, key in keys.items()}, until


def _in_blocks(blocks) -> Q:
    """The participants of ``blocks``, as ranges of primary keys (a run of neighbouring blocks in one)."""
    condition = Q()
    runs = []
    for block in sorted(blocks):
        if runs and runs[-1][1] == block - 1:
            runs[-1][1] = block
        else:
            runs.append([block, block])
    for first, last in runs:
        condition |= Q(pk__gte=pk_range(first)[0], pk__lt=pk_range(last)[1])
    return condition
