"""What is derived from the stored outcomes, never typed twice: length of stay, days on each oxygen level,
ever ventilated, highest WHO score, days with each symptom, antibody titres at discharge, and the per-
infusion safety table. Computed for many participants in a fixed number of queries (reports, exports).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q
from django.utils import timezone

from dosing.models import Infusion
from outcomes.choices import OxygenSupport, SymptomState
from outcomes.models import SYMPTOMS, AdverseEvent, DailyObservation, LabResult
from patients.choices import EndOfStudyReason
from patients.models import EndOfStudy, Participant

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


def outcomes_for(participant_ids) -> dict[int, ParticipantOutcome]:
    ids = list(participant_ids)
    result = {pid: ParticipantOutcome(participant_id=pid) for pid in ids}
    observations = DailyObservation.objects.active().filter(participant_id__in=ids)

    for row in observations.values("participant_id", "oxygen_support").annotate(days=Count("id")):
        result[row["participant_id"]].days_by_support[row["oxygen_support"]] = row["days"]
    symptom_counts = {}
    for name, _ in SYMPTOMS:
        symptom_counts[f"{name}__present"] = Count("id", filter=Q(**{name: SymptomState.PRESENT}))
        symptom_counts[f"{name}__assessed"] = Count("id", filter=~Q(**{name: SymptomState.NOT_ASSESSED}))
    for row in observations.values("participant_id").annotate(
        days=Count("id"), highest=Max("who_score"), **symptom_counts
    ):
        outcome = result[row["participant_id"]]
        outcome.observed_days = row["days"]
        outcome.highest_who_score = row["highest"]
        for name, _ in SYMPTOMS:
            outcome.days_with_symptom[name] = row[f"{name}__present"]
            outcome.days_symptom_assessed[name] = row[f"{name}__assessed"]

    discharges = dict(
        EndOfStudy.objects.active()
        .filter(participant_id__in=ids, end_reason=EndOfStudyReason.DISCHARGED)
        .values_list("participant_id", "end_date")
    )
    admissions = dict(Participant.objects.filter(pk__in=list(discharges)).values_list("pk", "admission_date"))
    for pid, end_date in discharges.items():
        result[pid].length_of_stay_days = (end_date - admissions[pid]).days

    # Titres at discharge: the last result on or before the discharge date.
    seen = set()
    serology = (
        LabResult.objects.active()
        .filter(participant_id__in=list(discharges), analyte__code__in=("igm", "igg"))
        .order_by("participant_id", "analyte__code", "-sample_datetime")
        .values_list("participant_id", "analyte__code", "sample_datetime", "value")
    )
    for pid, code, sampled, value in serology:
        if (pid, code) in seen or timezone.localdate(sampled) > discharges[pid]:
            continue
        seen.add((pid, code))
        setattr(result[pid], f"{code}_at_discharge", value)
    return result


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


def safety_table(participant_ids) -> list[SafetyRow]:
    infusions = (
        Infusion.objects.active()
        .filter(participant_id__in=list(participant_ids))
        .select_related("participant")
        .order_by("participant__study_id", "sequence_number")
    )
    events = defaultdict(list)
    for event in (
        AdverseEvent.objects.active()
        .filter(infusion__in=infusions)
        .select_related("infusion")
        .order_by("onset_datetime")
    ):
        hours = event.onset_hours_after_infusion
        events[event.infusion_id].append(f"{event.term} ({float(hours):g} h after the start)")
    return [
        SafetyRow(
            study_id=i.participant.study_id,
            severity=i.participant.get_severity_display(),
            infusion_round=i.sequence_number,
            ecg=i.get_ecg_display(),
            spo2_lowest=i.spo2_lowest,
            spo2_highest=i.spo2_highest,
            events=events.get(i.pk, []),
        )
        for i in infusions
    ]
