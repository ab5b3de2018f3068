"""The trial summary report kept until the data change (issue 19): at 10,000 participants gathering what it reads
takes seconds, and a change to a record changes what one participant contributes.

Kept per block of participants (ucmsc_crf/kept_blocks.py): each block's facts (outcomes/report_facts.py), so
after a change the report gathers that block again and reuses every other block's; and the report itself,
under every block's version, the reader's view of the allocation (by arm, or pooled for a blinded reader:
never one for the other), the sites the reader sees and whether every infusion is listed (the downloads): until
something changes, a reader gets it without computing anything. Both under a hash of the code that computes
them. The page says when the report was computed."""

import time

from django.core.cache import cache

from outcomes import derived, endpoint_table, endpoints, report_cells, report_facts, statistics, summary
from outcomes.report_facts import gather, merged, with_every_site
from outcomes.summary import Summary, summarise, trial_summary
from patients.casebook.sites import site_ids_for
from patients.models import Participant
from ucmsc_crf import kept_blocks
from ucmsc_crf.kept_blocks import Blocks, Kept, code_hash, keeping_seconds

# The modules whose code decides the report's numbers.
_CODE = code_hash(summary, report_facts, derived, statistics, endpoints, endpoint_table, report_cells, kept_blocks)


def summary_for(user, *, by_arm: bool, all_infusions: bool) -> Summary:
    """The trial summary of the user's sites, computed once per version of the data."""
    seconds = keeping_seconds()
    if not seconds:
        return trial_summary(Participant.objects.for_user(user), by_arm=by_arm, all_infusions=all_infusions)
    site_ids = site_ids_for(user)
    blocks = Blocks.now()
    key = f"trial-summary:{_CODE}:{blocks.key(by_arm, all_infusions, 'all' if site_ids is None else sorted(site_ids))}"
    kept = cache.get(key)
    if kept is not None and kept.until > time.time():
        return kept.value
    facts, until = blocks.values(f"report-facts:{_CODE}", _gathered)
    report = summarise(merged(facts.values(), site_ids), by_arm=by_arm, all_infusions=all_infusions)
    cache.set(key, Kept(report, until), seconds)  # used until the first of its blocks is no longer
    return report


def _gathered(participants) -> dict:
    return {block: with_every_site(by_site) for block, by_site in gather(participants).items()}
