"""What the trial summary report (outcomes/summary.py) reads of the data, gathered per block of participants and
per site: each enrolled participant's derived values (baseline, status at discharge, endpoints) and, per arm,
the counts and values the report's tables and plots are made of. Nothing here is a statistic: the report
computes those over the facts of every block the reader may see.

Why blocks (issue 19): at 10,000 participants gathering takes most of a second, and a change to one record
changes the facts of one participant only. The report keeps each block's facts under that block's version of
the data (patients/casebook/data_version.py), so after a change it gathers one block again and reuses the rest
(ucmsc_crf/report_cache.py). Why per site inside a block: a reader sees only their sites' participants.

Gathering is a fixed number of queries over the participants given, whatever their number or their blocks:
each part is filtered by a subquery (a block's, by its participants' keys), and counted by the database where
the report only needs a count."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, DurationField, ExpressionWrapper, F, IntegerField
from django.db.models.functions import TruncDate

from dosing.models import Infusion, PlannedInfusion, ProtocolDeviation
from outcomes.choices import OxygenSupport
from outcomes.derived import VENTILATION, ParticipantOutcome, outcomes_for, safety_table
from outcomes.endpoints import endpoint_values
from outcomes.models import AdverseEvent, Analyte, DailyObservation, LabResult
from patients.casebook import data_version
from patients.casebook.choices import ENROLLED_STATUSES, ParticipantStatus, Severity, Sex
from patients.casebook.data_version import block_of
from patients.casebook.naming import sentence_case
from patients.choices import YesNoUnknown
from patients.models import COMORBIDITY_FIELDS, Participant

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

# Up to this many participants are filtered by their keys, more by a subquery.
SMALL = 2000

# What the report reads of each enrolled participant.
SUMMARY_FIELDS = (
    "study_id",
    "site_id",
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


def _days(outcome: ParticipantOutcome, supports) -> int:
    return sum(outcome.days_by_support.get(s, 0) for s in supports)


def _float(value) -> float | None:
    # The statistics read every value as a float (outcomes/report_cells.py); a Decimal costs more to keep.
    return None if value is None else float(value)


def _known_yes(answer) -> bool | None:
    return None if answer in (YesNoUnknown.UNKNOWN, "", None) else answer == YesNoUnknown.YES


@dataclass(frozen=True)
class Tally:
    """A row of the report tallied participant by participant: ``counted``, n with it / N in whom it is known
    (``read`` gives True, False, or None for unknown: left out of N, never a "no"), with ``days`` the days
    with it as well (their median among those with any); otherwise the values (their median and IQR)."""

    label: str
    read: Callable
    counted: bool = True
    days: bool = False


# The baseline's tallied rows, in the report's order, as read from a Participant.
BASELINE = (
    Tally("Age, years, median (IQR)", lambda p: p.age_at_enrolment, counted=False),
    Tally("Male", lambda p: p.sex == Sex.MALE),
    Tally("Severe disease at enrolment", lambda p: p.severity == Severity.SEVERE),
    Tally(
        "Days from symptom onset to day 0, median (IQR)",
        lambda p: (p.day0_date - p.symptom_onset_date).days,
        counted=False,
    ),
    *(
        Tally(
            sentence_case(Participant._meta.get_field(name).verbose_name), lambda p, n=name: _known_yes(getattr(p, n))
        )
        for name in COMORBIDITY_FIELDS
    ),
)

# The status at discharge's tallied rows (the paper's Table 3), as read from the outcomes of a participant whose
# stay has ended.
DISCHARGE = (
    Tally("Mechanical ventilation", lambda o: (o.ever_ventilated, _days(o, VENTILATION)), days=True),
    Tally("Low-flow oxygen", lambda o: (o.ever(OxygenSupport.LOW_FLOW), _days(o, [OxygenSupport.LOW_FLOW])), days=True),
    Tally(
        "High-flow oxygen", lambda o: (o.ever(OxygenSupport.HIGH_FLOW), _days(o, [OxygenSupport.HIGH_FLOW])), days=True
    ),
    *(
        # None when never assessed: missing, not "no".
        Tally(label, lambda o, n=name: (o.had_symptom(n), o.days_with_symptom.get(n, 0)), days=True)
        for name, label in (
            ("fever", "Fever"),
            ("fatigue", "Fatigue"),
            ("cough", "Cough"),
            ("shortness_of_breath", "Shortness of breath"),
        )
    ),
    Tally("IgM at discharge, S/CO, median (IQR)", lambda o: _float(o.igm_at_discharge), counted=False),
    Tally("IgG at discharge, S/CO, median (IQR)", lambda o: _float(o.igg_at_discharge), counted=False),
    Tally("Days from admission to discharge, median (IQR)", lambda o: o.length_of_stay_days, counted=False),
)

# The exposure's values per infusion given: cells recorded on the ward in an open-label trial only (a blinded
# trial's pharmacy holds them), viability at release.
CELLS = Tally("Cells per infusion, x 10^6, median (IQR)", lambda cells: cells or None, counted=False)
VIABILITY = Tally("Viability at release, %, median (IQR)", lambda viability: viability, counted=False)
# In a blinded trial the same values come from the kit each infusion was given (the pharmacy's preparation):
# kept apart, because they are the allocation (a placebo kit has no cells), so only a report by arm (an
# unblinded reader: the DSMB, the unblinded statistician) reads them (issue 28, D).
KIT_CELLS = Tally("Cells per infusion (kit given), x 10^6", lambda cells: cells or None, counted=False)
KIT_VIABILITY = Tally("Viability at release (kit given), %", lambda viability: viability, counted=False)

# The safety section's tallied rows (read in gather from the participant's adverse events).
WITH_EVENT = Tally("Participants with an adverse event", None)
WITH_SERIOUS_EVENT = Tally("Participants with a serious adverse event", None)


@dataclass
class ReportFacts:
    """The facts of some participants (a block's at one site, or every block a reader sees, merged), per arm:
    tallies and values, never a participant's row (tens of thousands of those, kept and read back on every
    report after a change, cost more than the report)."""

    statuses: Counter = field(default_factory=Counter)  # status -> participants (everyone screened)
    members: Counter = field(default_factory=Counter)  # (arm, status) -> enrolled participants
    yes: Counter = field(default_factory=Counter)  # (row label, arm) -> participants with it
    known: Counter = field(default_factory=Counter)  # (row label, arm) -> participants in whom it is known
    values: dict = field(default_factory=dict)  # (row label, arm) -> values, or the days of a counted row
    planned: Counter = field(default_factory=Counter)  # (arm, status) -> planned infusions
    given: Counter = field(default_factory=Counter)  # arm -> infusions given
    deviations: Counter = field(default_factory=Counter)  # (arm, category) -> deviations
    events: list = field(default_factory=list)  # (arm, serious, grade, relation) per adverse event
    safety_rows: list = field(default_factory=list)  # outcomes.derived.SafetyRow as a tuple, every infusion
    labs: dict = field(default_factory=dict)  # (analyte, arm, study day) -> values (float)
    oxygen: Counter = field(default_factory=Counter)  # (arm, study day, support level) -> participants
    endpoints: dict = field(default_factory=dict)  # participant -> (arm, {endpoint: EndpointValues}), if measured

    def add(self, other: "ReportFacts") -> None:
        for name in ("statuses", "members", "yes", "known", "planned", "given", "deviations", "oxygen"):
            getattr(self, name).update(getattr(other, name))
        for name in ("events", "safety_rows"):
            getattr(self, name).extend(getattr(other, name))
        for name in ("values", "labs"):
            mine = getattr(self, name)
            for key, values in getattr(other, name).items():
                mine.setdefault(key, []).extend(values)
        self.endpoints.update(other.endpoints)

    def tally(self, row: Tally, arm_id: int, value) -> None:
        key = (row.label, arm_id)
        if not row.counted:
            if value is not None:
                self.values.setdefault(key, []).append(value)
            return
        flag, days = value if row.days else (value, None)
        if flag is not None:
            self.known[key] += 1
            self.yes[key] += bool(flag)
        if days:
            self.values.setdefault(key, []).append(days)


EVERY_SITE = "every site"


def with_every_site(by_site: dict) -> dict:
    """A block's facts per site, and of all its sites in one (what a reader of every site merges: a tenth of
    the parts at ten sites)."""
    return {**by_site, EVERY_SITE: merged([by_site])}


def merged(blocks, site_ids=None) -> ReportFacts:
    """The facts of ``blocks`` (each {site: ReportFacts}, as ``gather`` returns them, or ``with_every_site``)
    at ``site_ids`` (None: every site) in one."""
    facts = ReportFacts()
    for by_site in blocks:
        if by_site is None:  # a block with nobody in it
            continue
        every = by_site.get(EVERY_SITE)
        if every is not None and (site_ids is None or all(s in site_ids for s in by_site if s != EVERY_SITE)):
            facts.add(every)  # the reader sees every site of the block
            continue
        for site_id, part in by_site.items():
            if site_id != EVERY_SITE and (site_ids is None or site_id in site_ids):
                facts.add(part)
    return facts


def _study_day(date_expression, day0="participant__day0_date"):
    """The study day of a date, computed by the database (date minus day 0, as a duration)."""
    return ExpressionWrapper(date_expression - F(day0), output_field=DurationField())


def block_expression(pk="participant_id"):
    """The block of a row's participant, computed by the database (integer division on both databases)."""
    return ExpressionWrapper(F(pk) / data_version.BLOCK, output_field=IntegerField())


def gather(participants) -> dict[int, dict[int, ReportFacts]]:
    """Per block, per site: the facts of ``participants`` (a queryset, already scoped)."""
    participants = participants.active()
    found: dict[int, dict[int, ReportFacts]] = {}

    def facts_at(block: int, site_id: int) -> ReportFacts:
        by_site = found.setdefault(block, {})
        if site_id not in by_site:  # (not setdefault: that would build a ReportFacts on every call)
            by_site[site_id] = ReportFacts()
        return by_site[site_id]

    rows = (
        participants.order_by()
        .annotate(block=block_expression("pk"))
        .values("block", "site_id", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        facts_at(row["block"], row["site_id"]).statuses[row["status"]] += row["n"]

    scope = participants.filter(status__in=ENROLLED_STATUSES)
    # Only what the report reads (a fraction of a participant's fields: thousands of them are built).
    enrolled = list(scope.only(*SUMMARY_FIELDS).order_by("study_id"))
    place, arm_of = {}, {}
    for p in enrolled:
        place[p.pk] = facts_at(block_of(p.pk), p.site_id)
        arm_of[p.pk] = p.arm_id
    if not enrolled:
        return found
    ids = [p.pk for p in enrolled]
    # The enrolled as a subquery when they are many (the whole trial's first report), as their keys when they are
    # a block's: the database then reads their records by index, not every record to keep theirs.
    many = len(ids) > SMALL
    subquery = scope.values("pk") if many else None
    within = {"participant__in": subquery} if many else {"participant_id__in": ids}
    outcomes = outcomes_for(ids, scope=subquery)
    endpoints = endpoint_values(enrolled, scope=subquery, measured_only=True)
    had_event, had_serious = set(), set()
    for pid, serious, grade, relation in (
        AdverseEvent.objects.active()
        .filter(**within)
        .order_by()
        .values_list("participant_id", "serious", "grade", "relation")
    ):
        place[pid].events.append((arm_of[pid], serious, grade, relation))
        had_event.add(pid)
        if serious:
            had_serious.add(pid)
    for p in enrolled:
        facts, arm = place[p.pk], p.arm_id
        facts.members[(arm, p.status)] += 1
        for row in BASELINE:
            facts.tally(row, arm, row.read(p))
        facts.tally(WITH_EVENT, arm, p.pk in had_event)
        facts.tally(WITH_SERIOUS_EVENT, arm, p.pk in had_serious)
        if p.status == ParticipantStatus.COMPLETED:
            for row in DISCHARGE:
                facts.tally(row, arm, row.read(outcomes[p.pk]))
        if p.pk in endpoints:
            facts.endpoints[p.pk] = (arm, endpoints[p.pk])

    for row in (
        PlannedInfusion.objects.active()
        .filter(**within)
        .order_by()
        .values("participant_id", "status")
        .annotate(n=Count("pk"))
    ):
        pid = row["participant_id"]
        place[pid].planned[(arm_of[pid], row["status"])] += row["n"]
    for pid, cells, viability, kit_id, kit_cells, kit_viability in (
        Infusion.objects.active()
        .filter(**within)
        .order_by()
        .values_list(
            "participant_id",
            "cells_administered_millions",
            "viability_percent",
            "preparation_id",
            "preparation__cells_millions",
            "preparation__viability_percent",
        )
    ):
        facts, arm = place[pid], arm_of[pid]
        facts.given[arm] += 1
        facts.tally(CELLS, arm, CELLS.read(_float(cells)))
        facts.tally(VIABILITY, arm, VIABILITY.read(_float(viability)))
        if kit_id is not None:
            facts.tally(KIT_CELLS, arm, KIT_CELLS.read(_float(kit_cells)))
            facts.tally(KIT_VIABILITY, arm, KIT_VIABILITY.read(_float(kit_viability)))
    for row in (
        ProtocolDeviation.objects.active()
        .filter(**within)
        .order_by()
        .values("participant_id", "category")
        .annotate(n=Count("pk"))
    ):
        pid = row["participant_id"]
        place[pid].deviations[(arm_of[pid], row["category"])] += row["n"]
    for row in safety_table(ids, scope=subquery):
        # As a tuple (dataclasses.astuple copies deeply, field by field: slower than the rest of the block).
        place[row.participant_id].safety_rows.append(tuple(row.__dict__.values()))

    analytes = list(Analyte.objects.filter(code__in=TRAJECTORY_ANALYTES).values_list("pk", flat=True))
    results = (
        LabResult.objects.active()
        .filter(**within, analyte__in=analytes)
        .order_by()
        # The sample's local date (the database converts to the current time zone), minus day 0.
        .annotate(day=_study_day(TruncDate("sample_datetime")))
        .values_list("analyte_id", "participant_id", "day", "value")
    )
    for analyte_id, pid, day, value in results.iterator(chunk_size=5000):
        place[pid].labs.setdefault((analyte_id, arm_of[pid], day.days), []).append(float(value))

    # Counted by the database per block, site and arm: one row per participant and day would be every
    # observation of the trial.
    oxygen = (
        DailyObservation.objects.active()
        .filter(**within)
        .order_by()
        .annotate(block=block_expression(), day=_study_day(F("observation_date")))
        .values("block", "participant__site_id", "participant__arm_id", "day", "oxygen_support")
        .annotate(n=Count("pk"))
    )
    for row in oxygen:
        key = (row["participant__arm_id"], row["day"].days, row["oxygen_support"])
        facts_at(row["block"], row["participant__site_id"]).oxygen[key] += row["n"]
    return found
