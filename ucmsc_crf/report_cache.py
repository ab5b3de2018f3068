"""The trial summary report kept until the data change (issue 19): at 10,000 participants computing it takes
close to a second, and it is the same for every reader of the same sites and blinding until a record changes.

Kept in the shared cache under the data's version (patients/casebook/data_version.py), the reader's view of
the allocation (by arm, or pooled for a blinded reader: never one for the other), the sites the reader sees,
whether every infusion is listed (the downloads) and the code that computes it (a new release computes
afresh). The page says when it was computed."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from outcomes import derived, endpoint_table, endpoints, report_cells, statistics, summary
from outcomes.summary import Summary, trial_summary
from patients.casebook.data_version import data_version
from patients.casebook.sites import site_ids_for
from patients.models import Participant

# The modules whose code decides the report's numbers.
_CODE = hashlib.sha256(
    b"".join(
        Path(module.__file__).read_bytes()
        for module in (summary, derived, statistics, endpoints, endpoint_table, report_cells)
    )
).hexdigest()[:16]


def summary_for(user, *, by_arm: bool, all_infusions: bool) -> Summary:
    """The trial summary of the user's sites, computed once per version of the data."""
    seconds = getattr(settings, "CRF_REPORT_CACHE_SECONDS", 600)
    if not seconds:
        return trial_summary(Participant.objects.for_user(user), by_arm=by_arm, all_infusions=all_infusions)
    site_ids = site_ids_for(user)
    sites = "all" if site_ids is None else hashlib.sha256(",".join(map(str, sorted(site_ids))).encode()).hexdigest()
    key = f"trial-summary:{_CODE}:{data_version()}:{int(by_arm)}:{int(all_infusions)}:{sites}"
    kept = cache.get(key)
    if kept is None:
        kept = trial_summary(Participant.objects.for_user(user), by_arm=by_arm, all_infusions=all_infusions)
        cache.set(key, kept, seconds)
    return kept
