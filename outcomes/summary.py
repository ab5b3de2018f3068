"""The trial at a glance, computed live from the database in the form a paper's tables take: enrolment
flow, baseline by arm, exposure, safety, status at discharge (the paper's Table 3), the trajectories
the plots draw, and the endpoint table (outcomes/endpoint_table.py). The page, the CSV/XLSX download and the
tests all read this one module.

Statistics, exploratory only (outcomes/report_cells.py): Fisher's exact test (two-sided) for counts,
Mann-Whitney U (two-sided) for continuous values; a p-value only when there are exactly two arms. Medians
with the interquartile range by the (n + 1)p definition.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import median

from django.db.models import Count, DurationField, ExpressionWrapper, F
from django.db.models.functions import TruncDate
from django.utils import timezone

from dosing.choices import DeviationCategory, PlannedInfusionStatus
from dosing.models import Infusion, PlannedInfusion, ProtocolDeviation
from outcomes.choices import Grade, OxygenSupport, Relation
from outcomes.derived import VENTILATION, outcomes_for, safety_table
from outcomes.endpoint_table import endpoint_table
from outcomes.models import AdverseEvent, Analyte, DailyObservation, LabResult
from outcomes.report_cells import Cell, fisher_p, fmt, mann_whitney_p, median_cell, quartiles
from patients.choices import ENROLLED_STATUSES, ParticipantStatus, Severity, Sex, Treatment, YesNoUnknown
from patients.models import COMORBIDITY_FIELDS, Arm, Participant

# The analytes plotted by arm over study days.
TRAJECTORY_ANALYTES = (
    "lymphocytes",
    "il6",
    "ifn_gamma",
    "tnf_alpha",
    "mcp1",
    "ip10",
    "il22",
    "il1ra",
    "il18",
    "il8",
    "mip1",
)


# What the report reads of each enrolled participant.
SUMMARY_FIELDS = (
    "study_id",
    "status",
    "arm",
    "sex",
    "severity",
    "date_of_birth",
    "screening_datetime",
    "day0_date",
    "symptom_onset_date",
    *COMORBIDITY_FIELDS,
)


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


def count_row(label, flags_by_arm: list[list[bool | None]], days_by_arm: list[list[int]] | None = None) -> Row:
    """n/N (%) per arm. A flag of None is missing (never assessed, unknown): that participant is left out
    of N, never counted as a "no"; so N is the participants in whom it was assessed."""
    cells, counts = [], []
    for index, flags in enumerate(flags_by_arm):
        known = [f for f in flags if f is not None]
        n = sum(1 for f in known if f)
        extra = ""
        if days_by_arm is not None:
            days = [d for d in days_by_arm[index] if d]
            extra = f"median {fmt(median(days))} days" if days else ""
        cells.append(Cell(n=n, of=len(known), extra=extra))
        counts.append((n, len(known)))
    return Row(label, cells, fisher_p(counts), "Fisher")


def continuous_row(label, values_by_arm: list[list]) -> Row:
    return Row(label, [median_cell(v) for v in values_by_arm], mann_whitney_p(values_by_arm), "Mann-Whitney U")


def trial_summary(participants, *, by_arm: bool = True, all_infusions: bool = True) -> Summary:
    """The summary of ``participants`` (a queryset already scoped to the user's sites). With
    ``by_arm=False`` (a blinded trial, for a user who must stay blind) everyone is one group, and there
    are no p-values. ``all_infusions=False`` (the page) lists in the safety table only the infusions with an
    associated event; the download lists every one.

    At scale (issue 19) each part is one aggregate query over the scope, filtered by a subquery rather than a
    list of ids, and one pass in Python over what comes back; the statistics are computed once per row."""
    participants = participants.active()
    scope = participants.filter(status__in=ENROLLED_STATUSES)
    # Only what the tables read (a fraction of a participant's fields: thousands of them are built).
    enrolled = list(scope.only(*SUMMARY_FIELDS).order_by("study_id"))
    if by_arm:
        arm_ids = {p.arm_id for p in enrolled}
        # The product arm first (as the paper's columns), then by code.
        arms = sorted(Arm.objects.filter(pk__in=arm_ids), key=lambda a: (a.treatment != Treatment.ACTIVE, a.code))
        members = {a.pk: [p for p in enrolled if p.arm_id == a.pk] for a in arms}
        column = {a.pk: index for index, a in enumerate(arms)}
    else:
        arms = [Arm(code="all", name="All participants")]  # never saved: a column heading
        members = {None: enrolled}
        column = _Pooled()
    groups = [members[a.pk] for a in arms]
    ids = [p.pk for p in enrolled]
    within = scope.values("pk")  # the enrolled, as a subquery
    outcomes = outcomes_for(ids, scope=within)
    return Summary(
        arms=arms,
        flow=_flow(participants, arms, members),
        sections=[
            _baseline(groups),
            _exposure(within, column, len(arms)),
            _safety(groups, within, column),
            _discharge(groups, outcomes),
        ],
        safety_rows=safety_table(ids, scope=within, with_events_only=not all_infusions),
        trajectories=_trajectories(arms, within, column),
        oxygen=_oxygen(arms, within, column),
        computed=timezone.now(),
        endpoints=endpoint_table(groups, scope=within),
    )


class _Pooled(dict):
    """Every arm in the one pooled column (a blinded reader's report)."""

    def __missing__(self, key):
        return 0


def _per_column(rows, column, width: int) -> list[list]:
    """Rows of (arm id, *values) into one list per report column (of the values, or the value if one)."""
    out = [[] for _ in range(width)]
    for arm_id, *values in rows:
        out[column[arm_id]].append(values[0] if len(values) == 1 else tuple(values))
    return out


def _counts_per_column(queryset, key: str, column, width: int) -> list[Counter]:
    """Counts of ``key``'s values per report column, counted by the database."""
    out = [Counter() for _ in range(width)]
    for row in queryset.order_by().values("participant__arm_id", key).annotate(n=Count("pk")):
        out[column[row["participant__arm_id"]]][row[key]] += row["n"]
    return out


def _flow(participants, arms, by_arm) -> dict:
    statuses = Counter()
    for row in participants.order_by().values("status").annotate(n=Count("pk")):
        statuses[row["status"]] = row["n"]
    screened = sum(statuses.values())
    failures = statuses[ParticipantStatus.SCREEN_FAILURE]
    return {
        "screened": screened,
        "screen_failures": failures,
        "eligible": screened - failures,
        "awaiting": statuses[ParticipantStatus.SCREENING],
        "enrolled": sum(len(g) for g in by_arm.values()),
        "arms": [
            {
                "arm": arm,
                "enrolled": len(by_arm[arm.pk]),
                "in_follow_up": sum(p.status == ParticipantStatus.ENROLLED for p in by_arm[arm.pk]),
                "completed": sum(p.status == ParticipantStatus.COMPLETED for p in by_arm[arm.pk]),
                "withdrawn": sum(p.status == ParticipantStatus.WITHDRAWN for p in by_arm[arm.pk]),
            }
            for arm in arms
        ],
    }


def _baseline(groups) -> Section:
    rows = [
        Row("Participants", [Cell(n=len(g)) for g in groups]),
        continuous_row("Age, years, median (IQR)", [[p.age_at_enrolment for p in g] for g in groups]),
        count_row("Male", [[p.sex == Sex.MALE for p in g] for g in groups]),
        count_row("Severe disease at enrolment", [[p.severity == Severity.SEVERE for p in g] for g in groups]),
        continuous_row(
            "Days from symptom onset to day 0, median (IQR)",
            [[(p.day0_date - p.symptom_onset_date).days for p in g] for g in groups],
        ),
    ]
    for name in COMORBIDITY_FIELDS:
        label = Participant._meta.get_field(name).verbose_name.capitalize()
        rows.append(count_row(label, [[_known_yes(getattr(p, name)) for p in g] for g in groups]))
    return Section(
        "Baseline", rows, "Comorbidities: n with 'yes' / N with a known answer; 'unknown' is left out of N, not 'no'."
    )


def _known_yes(answer) -> bool | None:
    return None if answer in (YesNoUnknown.UNKNOWN, "", None) else answer == YesNoUnknown.YES


def _exposure(within, column, width: int) -> Section:
    planned = _counts_per_column(
        PlannedInfusion.objects.active().filter(participant__in=within), "status", column, width
    )
    given = _per_column(
        Infusion.objects.active()
        .filter(participant__in=within)
        .order_by()
        .values_list("participant__arm_id", "cells_administered_millions", "viability_percent"),
        column,
        width,
    )
    deviations = _counts_per_column(
        ProtocolDeviation.objects.active().filter(participant__in=within), "category", column, width
    )
    rows = [
        Row("Infusions planned", [Cell(n=sum(c.values())) for c in planned]),
        Row("Infusions given", [Cell(n=len(i)) for i in given]),
        Row(
            "Infusions missed or cancelled",
            [Cell(n=c[PlannedInfusionStatus.MISSED] + c[PlannedInfusionStatus.CANCELLED]) for c in planned],
        ),
        Row(
            "Cells per infusion, x 10^6, median (IQR)",
            # Recorded on the ward in an open-label trial only (a blinded trial's pharmacy holds them).
            [median_cell([cells for cells, _ in i if cells]) for i in given],
        ),
        Row(
            "Viability at release, %, median (IQR)",
            [median_cell([viability for _, viability in i if viability is not None]) for i in given],
        ),
    ]
    rows += [
        Row(f"Deviations: {label.lower()}", [Cell(n=c[code]) for c in deviations])
        for code, label in DeviationCategory.choices
    ]
    return Section("Exposure", rows)


def _safety(groups, within, column) -> Section:
    # (participant, serious, grade, relation) per event, per column.
    events = _per_column(
        AdverseEvent.objects.active()
        .filter(participant__in=within)
        .order_by()
        .values_list("participant__arm_id", "participant_id", "serious", "grade", "relation"),
        column,
        len(groups),
    )
    # Who had one: sets, so each participant is one lookup (not a scan of every event).
    with_event = [{pid for pid, *_ in ev} for ev in events]
    with_serious = [{pid for pid, serious, *_ in ev if serious} for ev in events]
    rows = [
        Row("Adverse events", [Cell(n=len(e)) for e in events]),
        count_row(
            "Participants with an adverse event",
            [[p.pk in had for p in g] for g, had in zip(groups, with_event, strict=True)],
        ),
        count_row(
            "Participants with a serious adverse event",
            [[p.pk in had for p in g] for g, had in zip(groups, with_serious, strict=True)],
        ),
        Row("Serious adverse events", [Cell(n=sum(e[1] for e in ev)) for ev in events]),
    ]
    rows += [
        Row(f"Grade {label}", [Cell(n=sum(e[2] == code for e in ev)) for ev in events]) for code, label in Grade.choices
    ]
    rows += [
        Row(f"Relation: {label.lower()}", [Cell(n=sum(e[3] == code for e in ev)) for ev in events])
        for code, label in Relation.choices
    ]
    return Section("Safety (adverse events)", rows)


def _discharge(groups, outcomes) -> Section:
    """The paper's Table 3, over the participants whose stay has ended (an end of study recorded:
    discharged, died or transferred). Those still in follow-up, and those withdrawn, have no status at
    discharge: they are counted in the first rows and left out of every denominator and p-value below."""
    ended = [[p for p in g if p.status == ParticipantStatus.COMPLETED] for g in groups]
    per = [[outcomes[p.pk] for p in g] for g in ended]

    def days(outcome, supports):
        return sum(outcome.days_by_support.get(s, 0) for s in supports)

    rows = [
        Row("Participants whose stay has ended (in this table)", [Cell(n=len(g)) for g in ended]),
        Row(
            "Still in follow-up (not in this table)",
            [Cell(n=sum(p.status == ParticipantStatus.ENROLLED for p in g)) for g in groups],
        ),
        Row(
            "Withdrawn (not in this table)",
            [Cell(n=sum(p.status == ParticipantStatus.WITHDRAWN for p in g)) for g in groups],
        ),
        count_row(
            "Mechanical ventilation",
            [[o.ever_ventilated for o in g] for g in per],
            [[days(o, VENTILATION) for o in g] for g in per],
        ),
        count_row(
            "Low-flow oxygen",
            [[o.ever(OxygenSupport.LOW_FLOW) for o in g] for g in per],
            [[days(o, [OxygenSupport.LOW_FLOW]) for o in g] for g in per],
        ),
        count_row(
            "High-flow oxygen",
            [[o.ever(OxygenSupport.HIGH_FLOW) for o in g] for g in per],
            [[days(o, [OxygenSupport.HIGH_FLOW]) for o in g] for g in per],
        ),
    ]
    for name, label in (
        ("fever", "Fever"),
        ("fatigue", "Fatigue"),
        ("cough", "Cough"),
        ("shortness_of_breath", "Shortness of breath"),
    ):
        rows.append(
            count_row(
                label,
                [[o.had_symptom(name) for o in g] for g in per],  # None: never assessed, left out of N
                [[o.days_with_symptom.get(name, 0) for o in g] for g in per],
            )
        )
    rows += [
        continuous_row("IgM at discharge, S/CO, median (IQR)", [[o.igm_at_discharge for o in g] for g in per]),
        continuous_row("IgG at discharge, S/CO, median (IQR)", [[o.igg_at_discharge for o in g] for g in per]),
        continuous_row(
            "Days from admission to discharge, median (IQR)", [[o.length_of_stay_days for o in g] for g in per]
        ),
    ]
    return Section(
        "Status at discharge",
        rows,
        "Over participants whose stay has ended (discharged, died or transferred); those still in follow-up "
        "and those withdrawn are counted above and left out below. Counts are n who ever had it during the stay "
        "/ N in whom it was assessed (a symptom never assessed is missing, not 'no'), with the median days "
        "among them. p-values are exploratory: Fisher's exact test (counts), Mann-Whitney U (continuous), "
        "two-sided. Numbers are rounded half away from zero to two decimals.",
    )


def _study_day(date_expression, day0="participant__day0_date"):
    """The study day of a date, computed by the database (date minus day 0, as a duration)."""
    return ExpressionWrapper(date_expression - F(day0), output_field=DurationField())


def _trajectories(arms, within, column) -> list[Trajectory]:
    analytes = list(Analyte.objects.filter(code__in=TRAJECTORY_ANALYTES).order_by("display_order"))
    values = defaultdict(list)  # (analyte, column, day) -> values
    results = (
        LabResult.objects.active()
        .filter(participant__in=within, analyte__in=analytes)
        .order_by()
        # The sample's local date (the database converts to the current time zone), minus day 0.
        .annotate(day=_study_day(TruncDate("sample_datetime")))
        .values_list("analyte_id", "participant__arm_id", "day", "value")
    )
    for analyte_id, arm_id, day, value in results.iterator(chunk_size=5000):
        values[(analyte_id, column[arm_id], day.days)].append(value)
    trajectories = []
    for analyte in analytes:
        trajectory = Trajectory(analyte)
        for index, arm in enumerate(arms):
            points = []
            for (analyte_id, at, day), found in sorted(values.items(), key=lambda item: item[0][2]):
                if analyte_id == analyte.pk and at == index:
                    mid, q1, q3 = quartiles(found)
                    points.append((day, mid, q1, q3, len(found)))
            trajectory.series[arm.code] = points
        if any(trajectory.series.values()):
            trajectories.append(trajectory)
    return trajectories


def _oxygen(arms, within, column) -> dict:
    """Per arm and study day, how many participants were on each support level: counted by the database."""
    counts = defaultdict(Counter)
    rows = (
        DailyObservation.objects.active()
        .filter(participant__in=within)
        .order_by()
        .annotate(day=_study_day(F("observation_date")))
        .values("participant__arm_id", "day", "oxygen_support")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[(column[row["participant__arm_id"]], row["day"].days)][row["oxygen_support"]] += row["n"]
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
