"""Signals the enrolment app sends to the apps above it.

Imports only go down the floors, so ``patients`` cannot call ``dosing`` when a participant is enrolled;
it announces the fact instead. The signal is sent inside the enrolment transaction: a receiver that
fails (e.g. cannot build the infusion schedule) rolls the enrolment back, so nothing is half-saved.
"""

from django.dispatch import Signal

# Sent by patients.services.participant_enrol with participant= and user=.
participant_enrolled = Signal()
