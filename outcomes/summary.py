"""The trial at a glance, computed live from the database in the form a paper's tables take: enrolment
flow, baseline by arm, exposure, safety, status at discharge (the paper's Table 3), the trajectories
the plots draw, and the endpoint table (outcomes/endpoint_table.py). The page, the CSV/XLSX download and the
tests all read this one module.

Statistics, exploratory only (outcomes/report_cells.py): Fisher's exact test (two-sided) for counts,
Mann-Whitney U (two-sided) for continuous values; a p-value only when there are exactly two arms. Medians
with the interquartile range by the (n + 1)p definition.
"""

from collections import Counter
from dataclasses import dataclass, field, fields
from statistics import median

from django.utils import timezone

from dosing.choices import DeviationCategory, PlannedInfusionStatus
from outcomes.choices import Grade, Relation
from outcomes.derived import SafetyRow
from outcomes.endpoint_table import endpoint_table
from outcomes.models import Analyte
from outcomes.report_cells import Cell, fisher_p, fmt, mann_whitney_p, median_cell, quartiles
from outcomes.report_facts import (
    BASELINE,
    CELLS,
    DISCHARGE,
    KIT_CELLS,
    KIT_VIABILITY,
    TRAJECTORY_ANALYTES,
    VIABILITY,
    WITH_EVENT,
    WITH_SERIOUS_EVENT,
    ReportFacts,
    Tally,
    gather,
    merged,
)
from patients.casebook.choices import ParticipantStatus, Treatment
from patients.models import Arm


@dataclass
class Row:
    label: str
    cells: list[Cell]
    p: float | None = None
    test: str = ""

    @property
    def p_text(self) -> str:
        if self.p is None:
            return ""
        return "<0.001" if self.p < 0.001 else f"{self.p:.3f}"


@dataclass
class Section:
    title: str
    rows: list[Row]
    note: str = ""


@dataclass
class Trajectory:
    analyte: Analyte
    # arm code -> [(study day, median, q1, q3, n)]
    series: dict[str, list[tuple[int, float, float, float, int]]] = field(default_factory=dict)


@dataclass
class Summary:
    arms: list[Arm]
    flow: dict
    sections: list[Section]
    safety_rows: list
    trajectories: list[Trajectory]
    oxygen: dict  # arm code -> [(study day, {support: participants})]
    computed: object = None
    endpoints: list = field(default_factory=list)  # outcomes/endpoint_table.EndpointRow


def count_row(label, counts: list[tuple[int, int]], days: list[list[int]] | None = None) -> Row:
    """n/N (%) per column, from (n, N) per column: N counts the participants in whom it was assessed (a
    missing answer is left out of N, never counted as a "no"). ``days``: per column, the days with it of those
    who had any, shown as their median."""
    cells = [
        Cell(
            n=n,
            of=of,
            extra=f"median {fmt(median(days[index]))} days" if days is not None and days[index] else "",
        )
        for index, (n, of) in enumerate(counts)
    ]
    return Row(label, cells, fisher_p(counts), "Fisher")


def continuous_row(label, values_by_arm: list[list]) -> Row:
    return Row(label, [median_cell(v) for v in values_by_arm], mann_whitney_p(values_by_arm), "Mann-Whitney U")


def trial_summary(participants, *, by_arm: bool = True, all_infusions: bool = True) -> Summary:
    """The summary of ``participants`` (a queryset already scoped to the user's sites). With
    ``by_arm=False`` (a blinded trial, for a user who must stay blind) everyone is one group, and there
    are no p-values. ``all_infusions=False`` (the page) lists in the safety table only the infusions with an
    associated event; the download lists every one."""
    return summarise(merged(gather(participants).values()), by_arm=by_arm, all_infusions=all_infusions)


def summarise(facts: ReportFacts, *, by_arm: bool = True, all_infusions: bool = True) -> Summary:
    """The report of ``facts`` (outcomes/report_facts.py): the tables, their statistics, the plots' series.
    Reads nothing of the records (the arms' and analytes' names only), so facts kept per block of
    participants make a report after a change cost one block's gathering (ucmsc_crf/report_cache.py)."""
    arm_ids = {arm_id for arm_id, _ in facts.members}
    if by_arm:
        # The product arm first (as the paper's columns), then by code.
        arms = sorted(Arm.objects.filter(pk__in=arm_ids), key=lambda a: (a.treatment != Treatment.ACTIVE, a.code))
        column = {a.pk: index for index, a in enumerate(arms)}
    else:
        arms = [Arm(code="all", name="All participants")]  # never saved: a column heading
        column = _Pooled()
    columns = _Columns(facts, arm_ids, column, len(arms))
    # Tuples in SafetyRow's order (study ID, severity, round, ...): sorted by participant, then round.
    safety_rows = [SafetyRow(*row) for row in sorted(facts.safety_rows) if all_infusions or row[_EVENTS]]
    measured = [[] for _ in arms]
    for pk, (arm_id, _) in facts.endpoints.items():
        measured[column[arm_id]].append(pk)
    return Summary(
        arms=arms,
        flow=_flow(facts.statuses, arms, columns),
        sections=[
            _baseline(columns),
            _exposure(facts, columns),
            _safety(facts.events, columns),
            _discharge(columns),
        ],
        safety_rows=safety_rows,
        trajectories=_trajectories(arms, facts.labs, column),
        oxygen=_oxygen(arms, facts.oxygen, column),
        computed=timezone.now(),
        endpoints=endpoint_table(measured, values={pk: values for pk, (_, values) in facts.endpoints.items()}),
    )


_EVENTS = [f.name for f in fields(SafetyRow)].index("events")


class _Pooled(dict):
    """Every arm in the one pooled column (a blinded reader's report)."""

    def __missing__(self, key):
        return 0


class _Columns:
    """The facts' tallies per arm summed into the report's columns (each arm its own, or all in one)."""

    def __init__(self, facts: ReportFacts, arm_ids, column, width: int):
        self.facts, self.arm_ids, self.column, self.width = facts, arm_ids, column, width

    def members(self, *statuses) -> list[int]:
        out = [0] * self.width
        for (arm_id, status), n in self.facts.members.items():
            if not statuses or status in statuses:
                out[self.column[arm_id]] += n
        return out

    def counts(self, label: str) -> list[tuple[int, int]]:
        out = [[0, 0] for _ in range(self.width)]
        for arm_id in self.arm_ids:
            at = out[self.column[arm_id]]
            at[0] += self.facts.yes[(label, arm_id)]
            at[1] += self.facts.known[(label, arm_id)]
        return [(n, of) for n, of in out]

    def exposure(self, ward: Tally, kit: Tally) -> list[list]:
        """What was given, per column: the ward's record (open label), and the kit's contents for a report by
        arm only; pooled, a kit's contents would tell a blinded reader which arm a lone participant is in."""
        values = self.values(ward.label)
        if not isinstance(self.column, _Pooled):
            for column, kit_values in enumerate(self.values(kit.label)):
                values[column].extend(kit_values)
        return values

    def values(self, label: str) -> list[list]:
        out = [[] for _ in range(self.width)]
        for arm_id in self.arm_ids:
            out[self.column[arm_id]].extend(self.facts.values.get((label, arm_id), ()))
        return out

    def row(self, tally: Tally) -> Row:
        if tally.counted:
            return count_row(tally.label, self.counts(tally.label), self.values(tally.label) if tally.days else None)
        return continuous_row(tally.label, self.values(tally.label))


def _flow(statuses: Counter, arms, columns: _Columns) -> dict:
    screened = sum(statuses.values())
    failures = statuses[ParticipantStatus.SCREEN_FAILURE]
    enrolled = columns.members()
    in_follow_up = columns.members(ParticipantStatus.ENROLLED)
    completed = columns.members(ParticipantStatus.COMPLETED)
    withdrawn = columns.members(ParticipantStatus.WITHDRAWN)
    return {
        "screened": screened,
        "screen_failures": failures,
        "eligible": screened - failures,
        "awaiting": statuses[ParticipantStatus.SCREENING],
        "enrolled": sum(enrolled),
        "arms": [
            {
                "arm": arm,
                "enrolled": enrolled[index],
                "in_follow_up": in_follow_up[index],
                "completed": completed[index],
                "withdrawn": withdrawn[index],
            }
            for index, arm in enumerate(arms)
        ],
    }


def _baseline(columns: _Columns) -> Section:
    rows = [Row("Participants", [Cell(n=n) for n in columns.members()])]
    rows += [columns.row(tally) for tally in BASELINE]
    return Section(
        "Baseline", rows, "Comorbidities: n with 'yes' / N with a known answer; 'unknown' is left out of N, not 'no'."
    )


def _per_column(items, column, width: int) -> list[list]:
    """Tuples of (arm id, *values) into one list per report column (of the values, or the value if one)."""
    out = [[] for _ in range(width)]
    for arm_id, *values in items:
        out[column[arm_id]].append(values[0] if len(values) == 1 else tuple(values))
    return out


def _counts_per_column(counts: Counter, column, width: int) -> list[Counter]:
    """{(arm id, value): n} into one Counter of the values per report column."""
    out = [Counter() for _ in range(width)]
    for (arm_id, value), n in counts.items():
        out[column[arm_id]][value] += n
    return out


def _exposure(facts: ReportFacts, columns: _Columns) -> Section:
    column, width = columns.column, columns.width
    planned = _counts_per_column(facts.planned, column, width)
    given = [0] * width
    for arm_id, n in facts.given.items():
        given[column[arm_id]] += n
    deviations = _counts_per_column(facts.deviations, column, width)
    rows = [
        Row("Infusions planned", [Cell(n=sum(c.values())) for c in planned]),
        Row("Infusions given", [Cell(n=n) for n in given]),
        Row(
            "Infusions missed or cancelled",
            [Cell(n=c[PlannedInfusionStatus.MISSED] + c[PlannedInfusionStatus.CANCELLED]) for c in planned],
        ),
        Row(CELLS.label, [median_cell(v) for v in columns.exposure(CELLS, KIT_CELLS)]),
        Row(VIABILITY.label, [median_cell(v) for v in columns.exposure(VIABILITY, KIT_VIABILITY)]),
    ]
    rows += [
        Row(f"Deviations: {label.lower()}", [Cell(n=c[code]) for c in deviations])
        for code, label in DeviationCategory.choices
    ]
    return Section("Exposure", rows)


def _safety(events_of, columns: _Columns) -> Section:
    # (serious, grade, relation) per event, per column.
    events = _per_column(events_of, columns.column, columns.width)
    rows = [
        Row("Adverse events", [Cell(n=len(e)) for e in events]),
        columns.row(WITH_EVENT),
        columns.row(WITH_SERIOUS_EVENT),
        Row("Serious adverse events", [Cell(n=sum(e[0] for e in ev)) for ev in events]),
    ]
    rows += [
        Row(f"Grade {label}", [Cell(n=sum(e[1] == code for e in ev)) for ev in events]) for code, label in Grade.choices
    ]
    rows += [
        Row(f"Relation: {label.lower()}", [Cell(n=sum(e[2] == code for e in ev)) for ev in events])
        for code, label in Relation.choices
    ]
    return Section("Safety (adverse events)", rows)


def _discharge(columns: _Columns) -> Section:
    """The paper's Table 3, over the participants whose stay has ended (an end of study recorded:
    discharged, died or transferred). Those still in follow-up, and those withdrawn, have no status at
    discharge: they are counted in the first rows and left out of every denominator and p-value below."""
    rows = [
        Row(
            "Participants whose stay has ended (in this table)",
            [Cell(n=n) for n in columns.members(ParticipantStatus.COMPLETED)],
        ),
        Row(
            "Still in follow-up (not in this table)",
            [Cell(n=n) for n in columns.members(ParticipantStatus.ENROLLED)],
        ),
        Row("Withdrawn (not in this table)", [Cell(n=n) for n in columns.members(ParticipantStatus.WITHDRAWN)]),
    ]
    rows += [columns.row(tally) for tally in DISCHARGE]
    return Section(
        "Status at discharge",
        rows,
        "Over participants whose stay has ended (discharged, died or transferred); those still in follow-up "
        "and those withdrawn are counted above and left out below. Counts are n who ever had it during the stay "
        "/ N in whom it was assessed (a symptom never assessed is missing, not 'no'), with the median days "
        "among them. p-values are exploratory: Fisher's exact test (counts), Mann-Whitney U (continuous), "
        "two-sided. Numbers are rounded half away from zero to two decimals.",
    )


def _trajectories(arms, labs: dict, column) -> list[Trajectory]:
    analytes = list(Analyte.objects.filter(code__in=TRAJECTORY_ANALYTES).order_by("display_order"))
    values = {}  # (analyte, column, day) -> values
    for (analyte_id, arm_id, day), found in labs.items():
        values.setdefault((analyte_id, column[arm_id], day), []).extend(found)
    by_day = sorted(values.items(), key=lambda item: item[0][2])
    trajectories = []
    for analyte in analytes:
        trajectory = Trajectory(analyte)
        for index, arm in enumerate(arms):
            points = []
            for (analyte_id, at, day), found in by_day:
                if analyte_id == analyte.pk and at == index:
                    mid, q1, q3 = quartiles(found)
                    points.append((day, mid, q1, q3, len(found)))
            trajectory.series[arm.code] = points
        if any(trajectory.series.values()):
            trajectories.append(trajectory)
    return trajectories


def _oxygen(arms, oxygen: Counter, column) -> dict:
    """Per arm and study day, how many participants were on each support level."""
    counts = {}
    for (arm_id, day, support), n in oxygen.items():
        counts.setdefault((column[arm_id], day), Counter())[support] += n
    return {
        arm.code: [(day, dict(c)) for (at, day), c in sorted(counts.items(), key=lambda i: i[0][1]) if at == index]
        for index, arm in enumerate(arms)
    }


def as_table(summary: Summary) -> list[list[str]]:
    """The report flattened for a CSV / XLSX download: section, item, overall, one column per arm, p, test."""
    arms = summary.arms
    blank = [""] * len(arms)
    rows = [["section", "item", "overall", *[a.name for a in arms], "p", "test"]]
    flow = summary.flow
    for key in ("screened", "screen_failures", "eligible", "awaiting", "enrolled"):
        rows.append(["Enrolment", key.replace("_", " "), str(flow[key]), *blank, "", ""])
    for item in ("enrolled", "in_follow_up", "completed", "withdrawn"):
        per_arm = [a[item] for a in flow["arms"]]
        rows.append(["Enrolment by arm", item.replace("_", " "), str(sum(per_arm)), *map(str, per_arm), "", ""])
    for section in summary.sections:
        for row in section.rows:
            rows.append([section.title, row.label, "", *[str(c) for c in row.cells], row.p_text, row.test])
    for row in summary.endpoints:
        for part in ("baseline", "at_visit", "change"):
            item = f"{row.label}: {part.replace('_', ' ')}"
            cells = [f"n={getattr(c, 'n_change' if part == 'change' else 'n')}; {getattr(c, part)}" for c in row.cells]
            last = part == "change"
            rows.append(
                [
                    "Endpoints (exploratory)",
                    item,
                    "",
                    *cells,
                    row.p_text if last else "",
                    _shift_label(row) if last else "",
                ]
            )
    for item in summary.safety_rows:
        event = f"ECG {item.ecg}; SpO2 {item.spo2_lowest}-{item.spo2_highest}%; {'; '.join(item.events) or 'none'}"
        label = f"{item.study_id} ({item.severity}), infusion {item.infusion_round}"
        rows.append(["Infusion-associated events", label, event, *blank, "", ""])
    return rows


def _shift_label(row) -> str:
    if row.shift is None:
        return ""
    return f"Hodges-Lehmann difference in {row.compared} {row.shift_text}; Mann-Whitney U"
