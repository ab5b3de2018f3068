"""Carry-forward on the ward (issue 18): a new day's observation starts from the participant's previous one
for what the protocol lets stay the same (outcomes.rules.CARRIED_FORWARD: oxygen support and what goes with
it, the symptoms), and the vital signs only when the user asks for them ("Copy the vital signs"). The form
marks each carried value, and asks for one confirmation for the whole form; the record keeps the day it
started from and the values confirmed unchanged (``carried_from``, ``carried_fields``), so its audit trail
says what was carried forward."""

import datetime

from outcomes.models import DailyObservation
from outcomes.rules import CARRIED_FORWARD, VITAL_SIGNS


def previous_observation(participant, before: datetime.date) -> DailyObservation | None:
    """The participant's latest active observation before ``before``."""
    return (
        DailyObservation.objects.active()
        .filter(participant=participant, observation_date__lt=before)
        .order_by("-observation_date")
        .first()
    )


def carried_values(previous: DailyObservation, *, vital_signs: bool = False) -> dict:
    """What the new day starts from; the vital signs only on request, since a copied pulse that nobody
    measured today is exactly the error carry-forward must not invite."""
    names = CARRIED_FORWARD + (VITAL_SIGNS if vital_signs else ())
    return {name: getattr(previous, name) for name in names}


def unchanged(carried: dict, cleaned: dict) -> list[str]:
    """The carried fields the user left as they were (in the order carried)."""
    return [name for name in carried if name in cleaned and cleaned[name] == carried[name]]
