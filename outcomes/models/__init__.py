"""Outcomes: daily clinical observations, laboratory results (long format, against an analyte catalogue),
chest CT and adverse events. What is derived from them lives in outcomes/derived.py."""

from outcomes.models.adverse_events import AdverseEvent  # noqa: F401
from outcomes.models.imaging import ChestCt  # noqa: F401
from outcomes.models.labs import Analyte, LabResult  # noqa: F401
from outcomes.models.observations import SYMPTOMS, DailyObservation  # noqa: F401
