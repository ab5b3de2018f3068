"""The quantitative endpoints and their change from baseline, derived (never typed) from the endpoint forms
(outcomes/models/endpoints.py) and the visit schedule (patients/casebook/schedule.py).

- The value at a visit, for the visits whose schedule expects the endpoint's form: the measurement recorded
  for that visit (the form's visit), else one recorded for no visit and dated within the visit's window
  (the one nearest the target day when there are several; the earlier of two as near).
- The baseline: the measurement nearest before study day 0, within the design's baseline window
  (TrialDesign.baseline_window_days); day 0 itself counts (before the first infusion).
- The change: value at the visit minus baseline; empty when either is missing.

For many participants in a fixed number of queries (one per endpoint form, and the schedule's), for the
analysis table (ucmsc_crf/analysis/bundle.py) and the report's endpoint table (outcomes/summary.py).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Value

from outcomes.visits import visit_windows
from patients.casebook.design import TrialDesign
from patients.casebook.registry import registry
from patients.casebook.schedule import Visit, VisitAnchor


@dataclass(frozen=True)
class Endpoint:
    code: str  # the analysis table's column stem
    label: str
    model: type
    date_field: str
    value_field: str
    unit: str
    kind: str = "decimal"  # as the dictionary says it


def all_endpoints() -> list[Endpoint]:
    """Every quantitative endpoint, as the case report forms declare them in the registry (issue 30, 3: the
    registry is the only list; a new endpoint form's endpoints reach the analysis table, the dictionary and
    the report's endpoint table from its entry), in the forms' order."""
    return [
        Endpoint(spec.code, spec.label, crf.model, crf.study_day_from, spec.value_field, spec.unit, spec.kind)
        for crf in registry.all()
        for spec in crf.endpoints
    ]


def endpoint_visits() -> list[Visit]:
    """The visits after day 0 (those on or before it are the baseline's), with the forms each expects: an
    endpoint is compared with baseline at those of them that expect its form (``visits_expecting``)."""
    return [
        visit
        for visit in Visit.objects.prefetch_related("expected_forms")
        if not (visit.anchor == VisitAnchor.DAY0 and visit.target_day + visit.window_after <= 0)
    ]


def visits_expecting(endpoint: Endpoint, visits) -> list[Visit]:
    """Of ``visits`` (endpoint_visits), those whose schedule expects the endpoint's form: a visit that expects
    none (a follow-up call 14 days after discharge) has no value, change or table row for it (issue 29, 10)."""
    crf = registry.for_model(endpoint.model)
    key = crf.key if crf is not None else None
    return [visit for visit in visits if any(form.crf_key == key for form in visit.expected_forms.all())]


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


def _visit_column(model):
    """The record's visit (an endpoint form's own), or a constant None for a form recorded for no visit."""
    names = {f.name for f in model._meta.get_fields()}
    return "visit_id" if "visit" in names else Value(None, output_field=models.IntegerField())


def _at_visit(found, visit: Visit, span):
    """The value at ``visit`` from (date, value, visit id) measurements: one recorded for this visit counts
    for it wherever it is dated (the form's visit; outside the window it carries a deviation), one recorded
    for another visit never does, and an undated-for-a-visit one counts when it falls in the window. The
    nearest the target day of those. A day-28 scan recorded for day 28 is not also "Follow-up 14 days
    after discharge" because its date falls in that window (issue 29, 10)."""
    recorded = [m for m in found if m[2] == visit.pk]
    if recorded:
        return _nearest(recorded, span.target if span is not None else recorded[0][0])
    if span is None:
        return None
    return _nearest([m for m in found if m[2] is None and m[0] in span], span.target)


def endpoint_values(
    participants, visits=None, *, scope=None, measured_only=False
) -> dict[int, dict[str, EndpointValues]]:
    """Per participant (a list of enrolled Participant objects with day0_date) and endpoint code: the
    baseline and the value at each visit. ``scope``: the same participants as a queryset of their pks (a
    subquery), which the database filters by faster than by a list of thousands of ids. ``measured_only``:
    leave out the participants with no measurement at all (what a summary of them would leave out anyway)."""
    visits = endpoint_visits() if visits is None else visits
    participants = [p for p in participants if p.day0_date is not None]
    ids = [p.pk for p in participants]
    day0 = {p.pk: p.day0_date for p in participants}
    window = datetime.timedelta(days=TrialDesign.current().baseline_window_days)
    by_model: dict[type, list[Endpoint]] = {}
    for endpoint in all_endpoints():
        by_model.setdefault(endpoint.model, []).append(endpoint)
    within = {"participant__in": scope} if scope is not None else {"participant_id__in": ids}
    measured: dict[type, dict[tuple[int, str], list]] = {}
    for model, endpoints in by_model.items():
        date_field = endpoints[0].date_field
        found_here = measured[model] = {}
        rows = (
            model.objects.active()
            .filter(**within)
            .order_by()
            .values_list("participant_id", date_field, _visit_column(model), *(e.value_field for e in endpoints))
        )
        for pk, on, visit_id, *values in rows.iterator(chunk_size=2000):
            for endpoint, value in zip(endpoints, values, strict=True):
                if value is not None:
                    found_here.setdefault((pk, endpoint.code), []).append((on, value, visit_id))
    # Windows only for those measured at all: the rest have nothing to assign (most, before follow-up).
    with_data = {pk for found_here in measured.values() for pk, _ in found_here}
    windows = visit_windows(sorted(with_data), visits) if with_data else {}
    listed = [pk for pk in ids if pk in with_data] if measured_only else ids
    expecting = {endpoint.code: visits_expecting(endpoint, visits) for endpoint in all_endpoints()}
    result: dict[int, dict[str, EndpointValues]] = {pk: {} for pk in listed}
    for model, endpoints in by_model.items():
        found_here = measured[model]
        for pk in listed:
            for endpoint in endpoints:
                if pk not in with_data:
                    result[pk][endpoint.code] = EndpointValues()
                    continue
                found = found_here.get((pk, endpoint.code), [])
                values = EndpointValues()
                before = [m for m in found if day0[pk] - window <= m[0] <= day0[pk]]
                values.baseline = _nearest(before, day0[pk])
                for visit in expecting[endpoint.code]:
                    span = windows.get(pk, {}).get(visit.code)
                    values.at_visit[visit.code] = _at_visit(found, visit, span)
                result[pk][endpoint.code] = values
    return result
