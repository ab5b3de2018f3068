"""The report's endpoint table (exploratory): per endpoint and visit, per arm the participants measured at
the visit, the median (IQR) of the baseline, of the value at the visit and of the change from baseline;
between two arms the Hodges-Lehmann median difference of the change with its 95 % distribution-free
confidence interval (outcomes/statistics.py) and the two-sided Mann-Whitney p-value.

When nobody has both a baseline and a visit value (e.g. a walk test not done at baseline), the arms are
compared on the value at the visit instead, and the row says so. A blinded user's table is pooled: one
column, no comparison (outcomes/summary.trial_summary decides, from patients.casebook.access)."""

from dataclasses import dataclass

from outcomes.endpoints import Endpoint, endpoint_visits
from outcomes.report_cells import Cell, fmt, mann_whitney_p, median_cell
from outcomes.statistics import ShiftEstimate, hodges_lehmann
from tests.scale.reference.endpoints import ENDPOINTS, endpoint_values, visits_expecting

NOTE = (
    "Exploratory. Baseline: the measurement nearest before study day 0 within the design's baseline window; "
    "the value at a visit: the measurement in the visit's window nearest its target day; change = visit value "
    "minus baseline. n: participants measured at the visit (with a change: both measured). Between two arms: "
    "Hodges-Lehmann median difference (first arm minus second) with its 95 % distribution-free confidence "
    "interval (exact without ties, as R's wilcox.test), and the two-sided Mann-Whitney U p-value."
)


@dataclass
class EndpointCell:
    n: int
    n_change: int
    baseline: Cell
    at_visit: Cell
    change: Cell


@dataclass
class EndpointRow:
    endpoint: Endpoint
    visit_label: str
    cells: list[EndpointCell]
    compared: str = ""  # "change" or "value at visit" (two arms only)
    shift: ShiftEstimate | None = None
    p: float | None = None

    @property
    def label(self) -> str:
        return f"{self.endpoint.label} ({self.endpoint.unit}), {self.visit_label}"

    @property
    def shift_text(self) -> str:
        if self.shift is None:
            return ""
        return f"{fmt(self.shift.estimate)} ({fmt(self.shift.low)} to {fmt(self.shift.high)})"

    @property
    def p_text(self) -> str:
        if self.p is None:
            return ""
        return "<0.001" if self.p < 0.001 else f"{self.p:.3f}"


def endpoint_table(groups: list[list]) -> list[EndpointRow]:
    """``groups``: the enrolled participants of each column (arms in the report's order, or one pooled)."""
    visits = endpoint_visits()
    everyone = [p for group in groups for p in group]
    if not visits or not everyone:
        return []
    values = endpoint_values(everyone, visits)
    rows = []
    for endpoint in ENDPOINTS:
        for visit in visits_expecting(endpoint, visits):
            per_group = [[values[p.pk][endpoint.code] for p in group if p.pk in values] for group in groups]
            at_visit = [
                [v.at_visit.get(visit.code) for v in g if v.at_visit.get(visit.code) is not None] for g in per_group
            ]
            if not any(at_visit):
                continue
            measured = [[v for v in g if v.at_visit.get(visit.code) is not None] for g in per_group]
            changes = [[v.change(visit.code) for v in g if v.change(visit.code) is not None] for g in measured]
            row = EndpointRow(
                endpoint,
                visit.label,
                [
                    EndpointCell(
                        n=len(m),
                        n_change=len(c),
                        baseline=median_cell([v.baseline for v in m]),
                        at_visit=median_cell(a),
                        change=median_cell(c),
                    )
                    for m, a, c in zip(measured, at_visit, changes, strict=True)
                ],
            )
            if len(groups) == 2:
                compared, samples = ("change", changes) if all(changes) else ("value at visit", at_visit)
                if all(samples):
                    row.compared = compared
                    row.shift = hodges_lehmann(samples[0], samples[1])
                    row.p = mann_whitney_p(samples)
            rows.append(row)
    return rows
