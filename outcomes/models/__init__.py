"""Outcomes: daily clinical observations, laboratory results (long format, against an analyte catalogue),
chest CT, adverse events, the endpoint forms and the follow-up visit. What is derived from them lives in
outcomes/derived.py and outcomes/endpoints.py."""

from outcomes.models.adverse_events import AdverseEvent  # noqa: F401
from outcomes.models.endpoints import DyspnoeaGrade, LungFunction, QuantitativeCt, SixMinuteWalk  # noqa: F401
from outcomes.models.follow_up import FollowUpVisit  # noqa: F401
from outcomes.models.imaging import ChestCt  # noqa: F401
from outcomes.models.labs import Analyte, LabResult  # noqa: F401
from outcomes.models.observations import SYMPTOMS, DailyObservation  # noqa: F401
