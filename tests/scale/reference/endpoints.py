"""The quantitative endpoints and their change from baseline, derived (never typed) from the endpoint forms
(outcomes/models/endpoints.py) and the visit schedule (patients/casebook/schedule.py).

- The value at a visit: the participant's measurement dated within the visit's window (the one nearest the
  target day when there are several; the earlier of two as near).
- The baseline: the measurement nearest before study day 0, within the design's baseline window
  (TrialDesign.baseline_window_days); day 0 itself counts (before the first infusion).
- The change: value at the visit minus baseline; empty when either is missing.

For many participants in a fixed number of queries (one per endpoint form, and the schedule's), for the
analysis table (ucmsc_crf/analysis/bundle.py) and the report's endpoint table (outcomes/summary.py).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from outcomes.models import DyspnoeaGrade, LungFunction, QuantitativeCt, SixMinuteWalk
from outcomes.visits import visit_windows
from patients.casebook.design import TrialDesign
from patients.casebook.registry import registry
from patients.casebook.schedule import Visit, VisitAnchor, VisitForm


@dataclass(frozen=True)
class Endpoint:
    code: str  # the analysis table's column stem
    label: str
    model: type
    date_field: str
    value_field: str
    unit: str
    kind: str = "decimal"  # as the dictionary says it


ENDPOINTS = (
    Endpoint("ct_lesion", "Whole-lung lesion volume", QuantitativeCt, "scan_date", "lesion_percent", "% of lung"),
    Endpoint("ct_solid", "Solid component", QuantitativeCt, "scan_date", "solid_percent", "% of lung"),
    Endpoint(
        "ct_ground_glass", "Ground-glass component", QuantitativeCt, "scan_date", "ground_glass_percent", "% of lung"
    ),
    Endpoint("walk_distance", "Six-minute walk distance", SixMinuteWalk, "test_date", "distance_m", "m", "integer"),
    Endpoint("fvc_pct", "FVC", LungFunction, "test_date", "fvc_pct_predicted", "% predicted", "integer"),
    Endpoint("fev1_pct", "FEV1", LungFunction, "test_date", "fev1_pct_predicted", "% predicted", "integer"),
    Endpoint("dlco_pct", "DLCO", LungFunction, "test_date", "dlco_pct_predicted", "% predicted", "integer"),
    Endpoint("mmrc", "mMRC dyspnoea grade", DyspnoeaGrade, "assessment_date", "grade", "0-4", "integer"),
)


def endpoint_visits() -> list[Visit]:
    """The visits after day 0 (those on or before it are the baseline's)."""
    return [
        visit
        for visit in Visit.objects.all()
        if not (visit.anchor == VisitAnchor.DAY0 and visit.target_day + visit.window_after <= 0)
    ]


def visits_expecting(endpoint: Endpoint, visits) -> list[Visit]:
    """The visits whose schedule lists the endpoint's form (by the registry's key), one query each."""
    key = registry.for_model(endpoint.model).key
    return [visit for visit in visits if VisitForm.objects.filter(visit=visit, crf_key=key).exists()]


def column_stem(endpoint: Endpoint, visit: Visit) -> str:
    return f"{endpoint.code}_{visit.code.replace('-', '_')}"


@dataclass
class EndpointValues:
    baseline: Decimal | int | None = None
    at_visit: dict[str, Decimal | int | None] = field(default_factory=dict)  # by visit code

    def change(self, visit_code: str):
        value = self.at_visit.get(visit_code)
        return None if value is None or self.baseline is None else value - self.baseline


def _nearest(measurements, target: datetime.date):
    """The value measured nearest ``target`` (the earlier of two as near), from (date, value) pairs."""
    best = min(measurements, key=lambda m: (abs((m[0] - target).days), m[0]), default=None)
    return None if best is None else best[1]


def endpoint_values(participants, visits=None) -> dict[int, dict[str, EndpointValues]]:
    """Per participant (a list of enrolled Participant objects with day0_date) and endpoint code: the
    baseline and the value at each visit."""
    visits = endpoint_visits() if visits is None else visits
    participants = [p for p in participants if p.day0_date is not None]
    ids = [p.pk for p in participants]
    day0 = {p.pk: p.day0_date for p in participants}
    window = datetime.timedelta(days=TrialDesign.current().baseline_window_days)
    windows = visit_windows(ids, visits)
    result: dict[int, dict[str, EndpointValues]] = {pk: {} for pk in ids}
    by_model: dict[type, list[Endpoint]] = {}
    for endpoint in ENDPOINTS:
        by_model.setdefault(endpoint.model, []).append(endpoint)
    for model, endpoints in by_model.items():
        date_field = endpoints[0].date_field
        measured: dict[tuple[int, str], list] = {}
        rows = (
            model.objects.active()
            .filter(participant_id__in=ids)
            .values_list("participant_id", date_field, "visit_id", *(e.value_field for e in endpoints))
        )
        for pk, on, visit_id, *values in rows.iterator(chunk_size=2000):
            for endpoint, value in zip(endpoints, values, strict=True):
                if value is not None:
                    measured.setdefault((pk, endpoint.code), []).append((on, value, visit_id))
        for pk in ids:
            for endpoint in endpoints:
                found = measured.get((pk, endpoint.code), [])
                values = EndpointValues()
                before = [m for m in found if day0[pk] - window <= m[0] <= day0[pk]]
                values.baseline = _nearest(before, day0[pk])
                for visit in visits_expecting(endpoint, visits):
                    span = windows.get(pk, {}).get(visit.code)
                    # Recorded for this visit: counts wherever dated; recorded for another: never; for none:
                    # when dated in the window.
                    mine = [m for m in found if m[2] == visit.pk]
                    if mine:
                        target = span.target if span is not None else mine[0][0]
                        values.at_visit[visit.code] = _nearest(mine, target)
                    elif span is not None:
                        free = [m for m in found if m[2] is None and m[0] in span]
                        values.at_visit[visit.code] = _nearest(free, span.target)
                result[pk][endpoint.code] = values
    return result
