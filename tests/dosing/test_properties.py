"""Property: a random sequence of infusion times is accepted exactly when the protocol says so.

The oracle below restates the timing rules independently of dosing/rules.py, from the protocol's words;
hypothesis generates sequences and every attempt goes through the model layer (full_clean, save).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dosing.models import Infusion, regimen_for
from tests.factories import infusion_values, treated_participant

DAYS_AGO = 20
attempt = st.fixed_dictionaries(
    {
        "start_hours": st.integers(min_value=-30, max_value=24 * 12),  # hours after day 0 local midnight
        "minutes": st.integers(min_value=-30, max_value=420),
        "reason": st.booleans(),  # does the clinician confirm a deviation?
    }
)


def protocol_accepts(*, k, start, end, previous_end, day0, consent, now, regimen, reason) -> bool:
    """The protocol in plain terms (independent of dosing/rules.py)."""
    if k > regimen.number_of_infusions:
        return False
    # Timestamps: real elapsed seconds whatever the zone (no wall-clock subtraction).
    if not end > start or end.timestamp() - start.timestamp() > regimen.max_duration_minutes * 60:
        return False
    if start < consent or start > now or timezone.localdate(start) < day0:
        return False
    if previous_end is not None and start.timestamp() - previous_end.timestamp() < regimen.min_gap_hours * 3600:
        return False
    planned = day0 + datetime.timedelta(days=(k - 1) * regimen.interval_days)
    in_window = abs((timezone.localdate(start) - planned).days) <= regimen.window_days
    return in_window or reason


@pytest.mark.slow
@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attempts=st.lists(attempt, min_size=1, max_size=5))
def test_infusion_sequences_are_accepted_exactly_when_the_rules_say_so(coordinator, site_a, attempts):
    with transaction.atomic():
        participant = treated_participant(user=coordinator, site=site_a, days_ago=DAYS_AGO)
        regimen = regimen_for(participant)
        midnight = datetime.datetime.combine(
            participant.day0_date, datetime.time(0), tzinfo=timezone.get_current_timezone()
        )
        consent = participant.consents.get().consent_datetime
        previous_end = None
        for item in attempts:
            k = participant.infusions.count() + 1
            start = midnight + datetime.timedelta(hours=item["start_hours"])
            end = start + datetime.timedelta(minutes=item["minutes"])
            expected = protocol_accepts(
                k=k,
                start=start,
                end=end,
                previous_end=previous_end,
                day0=participant.day0_date,
                consent=consent,
                now=timezone.now(),
                regimen=regimen,
                reason=item["reason"],
            )
            infusion = Infusion(
                **infusion_values(
                    participant,
                    k,
                    user=coordinator,
                    start=start,
                    minutes=item["minutes"],
                    deviation_reason="Confirmed by the investigator" if item["reason"] else "",
                )
            )
            try:
                infusion.full_clean()
                infusion.save()
                accepted = True
            except ValidationError:
                accepted = False
            assert accepted == expected, (item, k, start, end, previous_end)
            if accepted:
                previous_end = end
        transaction.set_rollback(True)
