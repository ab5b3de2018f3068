"""What is derived from the stored outcomes, never typed twice: length of stay, days on each oxygen level,
ever ventilated, highest WHO score, days with each symptom, antibody titres at discharge, and the per-
infusion safety table. Computed for many participants in a fixed number of queries (reports, exports).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, OuterRef, Q, Subquery

from dosing.choices import EcgResult
from dosing.models import Infusion
from outcomes.choices import OxygenSupport, SymptomState
from outcomes.models import SYMPTOMS, AdverseEvent, Analyte, DailyObservation, LabResult
from patients.casebook.choices import Severity
from patients.choices import EndOfStudyReason
from patients.models import EndOfStudy

VENTILATION = (OxygenSupport.IMV, OxygenSupport.ECMO)


@dataclass
class ParticipantOutcome:
    participant_id: int
    observed_days: int = 0
    days_by_support: dict[str, int] = field(default_factory=dict)
    highest_who_score: int | None = None
    days_with_symptom: dict[str, int] = field(default_factory=dict)
    days_symptom_assessed: dict[str, int] = field(default_factory=dict)
    length_of_stay_days: int | None = None
    igm_at_discharge: Decimal | None = None
    igg_at_discharge: Decimal | None = None

    @property
    def ever_ventilated(self) -> bool:
        """Invasive mechanical ventilation (or ECMO) on any day."""
        return any(self.days_by_support.get(level, 0) for level in VENTILATION)

    def ever(self, support: str) -> bool:
        return self.days_by_support.get(support, 0) > 0

    def had_symptom(self, name: str) -> bool | None:
        """True if present on any day; None if never assessed (missing, not "no")."""
        if not self.days_symptom_assessed.get(name):
            return None
        return self.days_with_symptom.get(name, 0) > 0


def outcomes_for(participant_ids, *, scope=None) -> dict[int, ParticipantOutcome]:
    """``scope``: the same participants as a queryset of their pks (a subquery), which the database filters by
    faster than by a list of thousands of ids (the report at scale, issue 19)."""
    ids = list(participant_ids)
    within = {"participant__in": scope} if scope is not None else {"participant_id__in": ids}
    result = {pid: ParticipantOutcome(participant_id=pid) for pid in ids}
    observations = DailyObservation.objects.active().filter(**within).order_by()

    symptom_counts = {}
    for name, _ in SYMPTOMS:
        symptom_counts[f"{name}__present"] = Count("id", filter=Q(**{name: SymptomState.PRESENT}))
        symptom_counts[f"{name}__assessed"] = Count("id", filter=~Q(**{name: SymptomState.NOT_ASSESSED}))
    # One pass over the observations: per participant and support level, summed over the levels here.
    rows = observations.values("participant_id", "oxygen_support").annotate(
        days=Count("id"), highest=Max("who_score"), **symptom_counts
    )
    for row in rows:
        outcome = result[row["participant_id"]]
        outcome.days_by_support[row["oxygen_support"]] = row["days"]
        outcome.observed_days += row["days"]
        if row["highest"] is not None and (outcome.highest_who_score or 0) < row["highest"]:
            outcome.highest_who_score = row["highest"]
        for name, _ in SYMPTOMS:
            with_symptom, assessed = outcome.days_with_symptom, outcome.days_symptom_assessed
            with_symptom[name] = with_symptom.get(name, 0) + row[f"{name}__present"]
            assessed[name] = assessed.get(name, 0) + row[f"{name}__assessed"]

    # Titres at discharge: the last result dated (locally) on or before the discharge date, found by the
    # database for every discharged participant in the one query.
    serology = dict(Analyte.objects.filter(code__in=("igm", "igg")).values_list("code", "pk"))
    serology = {code: serology.get(code) for code in ("igm", "igg")}
    discharged = (
        EndOfStudy.objects.active()
        .filter(**within, end_reason=EndOfStudyReason.DISCHARGED)
        .annotate(**{f"{code}": _titre_at_discharge(pk) for code, pk in serology.items()})
        .values_list("participant_id", "end_date", "participant__admission_date", "igm", "igg")
    )
    for pid, end_date, admitted, igm, igg in discharged:
        outcome = result[pid]
        outcome.length_of_stay_days = (end_date - admitted).days
        outcome.igm_at_discharge, outcome.igg_at_discharge = igm, igg
    return result


def _titre_at_discharge(analyte_id: int | None) -> Subquery:
    # By the analyte's id, not its code: the database then walks the participant's results of that analyte
    # only (an index), not every result joined to the catalogue.
    return Subquery(
        LabResult.objects.active()
        .filter(
            participant_id=OuterRef("participant_id"),
            analyte_id=analyte_id,
            sample_datetime__date__lte=OuterRef("end_date"),
        )
        .order_by("-sample_datetime")
        .values("value")[:1]
    )


def participant_outcome(participant) -> ParticipantOutcome:
    return outcomes_for([participant.pk])[participant.pk]


@dataclass
class SafetyRow:
    """One row of the paper's safety table: a treated participant's infusion and what followed it."""

    study_id: str
    severity: str
    infusion_round: int
    ecg: str
    spo2_lowest: int
    spo2_highest: int
    events: list[str]
    participant_id: int | None = None


def safety_table(participant_ids, *, scope=None, with_events_only=False) -> list[SafetyRow]:
    """Every infusion of the participants, or (``with_events_only``, the report page) those with an associated
    event. ``scope`` as for ``outcomes_for``. Read as values, not model instances: the download lists every
    infusion of the trial (14,000 at 10,000 participants, issue 19)."""
    within = {"participant__in": scope} if scope is not None else {"participant_id__in": list(participant_ids)}
    infusions = Infusion.objects.active().filter(**within)
    if with_events_only:
        infusions = infusions.filter(pk__in=AdverseEvent.objects.active().values("infusion_id"))
    events = defaultdict(list)
    for infusion_id, term, onset, start in (
        AdverseEvent.objects.active()
        .filter(infusion__in=infusions.values("pk"))
        .order_by("onset_datetime")
        .values_list("infusion_id", "term", "onset_datetime", "infusion__start_datetime")
    ):
        # As AdverseEvent.onset_hours_after_infusion derives it.
        hours = Decimal((onset.timestamp() - start.timestamp()) / 3600).quantize(Decimal("0.1"))
        events[infusion_id].append(f"{term} ({float(hours):g} h after the start)")
    severity = dict(Severity.choices)
    ecg = dict(EcgResult.choices)
    return [
        SafetyRow(
            study_id=study_id,
            severity=severity.get(participant_severity, participant_severity),
            infusion_round=sequence_number,
            ecg=ecg.get(ecg_code, ecg_code),
            spo2_lowest=spo2_low,
            spo2_highest=spo2_high,
            events=events.get(pk, []),
            participant_id=participant_id,
        )
        for pk, participant_id, study_id, participant_severity, sequence_number, ecg_code, spo2_low, spo2_high in (
            infusions.order_by("participant__study_id", "sequence_number").values_list(
                "pk",
                "participant_id",
                "participant__study_id",
                "participant__severity",
                "sequence_number",
                "ecg",
                "spo2_lowest",
                "spo2_highest",
            )
        )
    ]
