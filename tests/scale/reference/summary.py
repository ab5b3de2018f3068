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

from django.utils import timezone

from dosing.choices import DeviationCategory, PlannedInfusionStatus
from dosing.models import Infusion, PlannedInfusion, ProtocolDeviation
from outcomes.choices import Grade, OxygenSupport, Relation
from outcomes.models import AdverseEvent, Analyte, DailyObservation, LabResult
from outcomes.report_cells import Cell, fisher_p, fmt, mann_whitney_p, median_cell, quartiles
from patients.casebook.choices import ENROLLED_STATUSES, ParticipantStatus, Severity, Sex, Treatment
from patients.choices import YesNoUnknown
from patients.models import COMORBIDITY_FIELDS, Arm, Participant
from tests.scale.reference.derived import VENTILATION, outcomes_for, safety_table
from tests.scale.reference.endpoint_table import endpoint_table

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


def trial_summary(participants, *, by_arm: bool = True) -> Summary:
    """The summary of ``participants`` (a queryset already scoped to the user's sites). With
    ``by_arm=False`` (a blinded trial, for a user who must stay blind) everyone is one group, and there
    are no p-values."""
    participants = participants.active()
    enrolled = list(participants.filter(status__in=ENROLLED_STATUSES).select_related("arm").order_by("study_id"))
    if by_arm:
        arm_ids = {p.arm_id for p in enrolled}
        # The product arm first (as the paper's columns), then by code.
        arms = sorted(Arm.objects.filter(pk__in=arm_ids), key=lambda a: (a.treatment != Treatment.ACTIVE, a.code))
        members = {a.pk: [p for p in enrolled if p.arm_id == a.pk] for a in arms}
    else:
        arms = [Arm(code="all", name="All participants")]  # never saved: a column heading
        members = {None: enrolled}
    by_arm = members
    groups = [by_arm[a.pk] for a in arms]
    ids = [p.pk for p in enrolled]
    outcomes = outcomes_for(ids)
    return Summary(
        arms=arms,
        flow=_flow(participants, arms, by_arm),
        sections=[
            _baseline(groups),
            _exposure(arms, groups, by_arm=None not in members),
            _safety(groups),
            _discharge(groups, outcomes),
        ],
        safety_rows=safety_table(ids),
        trajectories=_trajectories(arms, by_arm),
        oxygen=_oxygen(arms, by_arm),
        computed=timezone.now(),
        endpoints=endpoint_table(groups),
    )


def _flow(participants, arms, by_arm) -> dict:
    statuses = Counter(participants.values_list("status", flat=True))
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


def _given(infusion, field: str, kit_field: str, by_arm: bool):
    """What an infusion gave: the ward's record, else (a report by arm only) the kit's (issue 28, D)."""
    value = getattr(infusion, field)
    if value is None and by_arm and infusion.preparation is not None:
        value = getattr(infusion.preparation, kit_field)
    return value


def _exposure(arms, groups, *, by_arm: bool) -> Section:
    ids = [[p.pk for p in g] for g in groups]
    planned = [
        Counter(PlannedInfusion.objects.active().filter(participant_id__in=i).values_list("status", flat=True))
        for i in ids
    ]
    infusions = [
        list(Infusion.objects.active().filter(participant_id__in=i).select_related("preparation")) for i in ids
    ]
    deviations = [
        Counter(ProtocolDeviation.objects.active().filter(participant_id__in=i).values_list("category", flat=True))
        for i in ids
    ]
    rows = [
        Row("Infusions planned", [Cell(n=sum(c.values())) for c in planned]),
        Row("Infusions given", [Cell(n=len(i)) for i in infusions]),
        Row(
            "Infusions missed or cancelled",
            [Cell(n=c[PlannedInfusionStatus.MISSED] + c[PlannedInfusionStatus.CANCELLED]) for c in planned],
        ),
        Row(
            "Cells per infusion, x 10^6, median (IQR)",
            # Recorded on the ward in an open-label trial; a blinded trial's pharmacy holds them (by arm only).
            [
                median_cell([v for x in i if (v := _given(x, "cells_administered_millions", "cells_millions", by_arm))])
                for i in infusions
            ],
        ),
        Row(
            "Viability at release, %, median (IQR)",
            [
                median_cell(
                    [v for x in i if (v := _given(x, "viability_percent", "viability_percent", by_arm)) is not None]
                )
                for i in infusions
            ],
        ),
    ]
    rows += [
        Row(f"Deviations: {label.lower()}", [Cell(n=c[code]) for c in deviations])
        for code, label in DeviationCategory.choices
    ]
    return Section("Exposure", rows)


def _safety(groups) -> Section:
    ids = [[p.pk for p in g] for g in groups]
    events = [list(AdverseEvent.objects.active().filter(participant_id__in=i)) for i in ids]
    rows = [
        Row("Adverse events", [Cell(n=len(e)) for e in events]),
        count_row(
            "Participants with an adverse event",
            [[any(e.participant_id == p.pk for e in ev) for p in g] for g, ev in zip(groups, events, strict=True)],
        ),
        count_row(
            "Participants with a serious adverse event",
            [
                [any(e.participant_id == p.pk and e.serious for e in ev) for p in g]
                for g, ev in zip(groups, events, strict=True)
            ],
        ),
        Row("Serious adverse events", [Cell(n=sum(e.serious for e in ev)) for ev in events]),
    ]
    rows += [
        Row(f"Grade {label}", [Cell(n=sum(e.grade == code for e in ev)) for ev in events])
        for code, label in Grade.choices
    ]
    rows += [
        Row(f"Relation: {label.lower()}", [Cell(n=sum(e.relation == code for e in ev)) for ev in events])
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


def _trajectories(arms, by_arm) -> list[Trajectory]:
    analytes = list(Analyte.objects.filter(code__in=TRAJECTORY_ANALYTES).order_by("display_order"))
    arm_of = {p.pk: arm.code for arm in arms for p in by_arm[arm.pk]}
    day0 = {p.pk: p.day0_date for arm in arms for p in by_arm[arm.pk]}
    values = defaultdict(list)  # (analyte, arm, day) -> values
    results = (
        LabResult.objects.active()
        .filter(participant_id__in=list(arm_of), analyte__in=analytes)
        .values_list("participant_id", "analyte_id", "sample_datetime", "value")
    )
    for pid, analyte_id, sampled, value in results.iterator(chunk_size=2000):
        day = (timezone.localdate(sampled) - day0[pid]).days
        values[(analyte_id, arm_of[pid], day)].append(value)
    trajectories = []
    for analyte in analytes:
        trajectory = Trajectory(analyte)
        for arm in arms:
            points = []
            for (analyte_id, arm_code, day), found in sorted(values.items(), key=lambda item: item[0][2]):
                if analyte_id == analyte.pk and arm_code == arm.code:
                    mid, q1, q3 = quartiles(found)
                    points.append((day, mid, q1, q3, len(found)))
            trajectory.series[arm.code] = points
        if any(trajectory.series.values()):
            trajectories.append(trajectory)
    return trajectories


def _oxygen(arms, by_arm) -> dict:
    """Per arm and study day, how many participants were on each support level."""
    arm_of = {p.pk: arm.code for arm in arms for p in by_arm[arm.pk]}
    rows = (
        DailyObservation.objects.active()
        .filter(participant_id__in=list(arm_of))
        .values_list("participant_id", "participant__day0_date", "observation_date", "oxygen_support")
    )
    counts = defaultdict(Counter)
    for pid, day0, observed, support in rows.iterator(chunk_size=2000):
        counts[(arm_of[pid], (observed - day0).days)][support] += 1
    return {
        arm.code: [
            (day, dict(c)) for (code, day), c in sorted(counts.items(), key=lambda i: i[0][1]) if code == arm.code
        ]
        for arm in arms
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
