"""Arm allocation: the single place that decides which arm a new participant joins.

Callers use ``allocate_arm``; which function it runs is chosen by the ``CRF_ALLOCATION_FUNCTION``
setting. Phase 1 is open-label and non-randomised, so the investigator's choice stands. A randomised,
blinded allocation for phase 2/3 is another function with the same signature (it may ignore
``requested_arm`` and read a concealed list) and a changed setting; no caller changes.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string


def investigator_assignment(*, participant, requested_arm, user):
    """Phase 1 (parallel assignment, non-randomised): the arm the investigator chose."""
    if requested_arm is None:
        raise ValidationError(
            {"arm": ValidationError("Choose the arm: assignment in this trial is by the investigator.", code="missing")}
        )
    return requested_arm


def allocate_arm(*, participant, requested_arm=None, user=None):
    """Return the Arm for ``participant`` according to the trial's allocation function."""
    allocator = import_string(settings.CRF_ALLOCATION_FUNCTION)
    return allocator(participant=participant, requested_arm=requested_arm, user=user)
