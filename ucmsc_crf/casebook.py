"""What the clinician pages show of a casebook, gathered from every app in a fixed number of queries
(whatever the number of days, results or participants)."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from dosing.choices import PlannedInfusionStatus
from dosing.models import PlannedInfusion
from outcomes.models import Analyte, DailyObservation
from patients.choices import ParticipantStatus, QueryStatus, ReviewStatus
from patients.models import Participant


def participant_list(queryset):
    """The list's rows: each participant with what is due today (infusion due / overdue, today's
    observation not yet entered). Three queries for a page of any size."""
    today = timezone.localdate()
    participants = list(
        queryset.select_related("site", "arm").annotate(
            observed_today=Exists(
                DailyObservation.objects.filter(participant=OuterRef("pk"), observation_date=today, voided=False)
            ),
            open_queries=Count("dataquerys", filter=Q(dataquerys__status=QueryStatus.OPEN, dataquerys__voided=False)),
        )
    )
    planned = defaultdict(list)
    for item in (
        PlannedInfusion.objects.active()
        .filter(participant__in=participants, status=PlannedInfusionStatus.PLANNED)
        .select_related("regimen")
    ):
        planned[item.participant_id].append(item)
    for participant in participants:
        states = [p.due_state(today) for p in planned[participant.pk]]
        participant.infusion_due = "overdue" if "overdue" in states else ("due" if "due" in states else "")
        participant.observation_due = (
            participant.status == ParticipantStatus.ENROLLED and not participant.observed_today
        )
    return participants


@dataclass
class Casebook:
    participant: Participant
    schedule: list
    infusions: list
    observations: list  # newest first
    lab_times: list
    lab_rows: list  # (analyte, [value or None per sample time])
    cts: list
    adverse_events: list
    deviations: list
    consents: list
    eligibility_answers: list
    end_of_study: object
    withdrawal: object
    open_queries: list
    signatures: list

    @property
    def review_counts(self) -> list[tuple[str, str, int]]:
        """(status, label, how many) over every case report form record of the casebook, from what is
        already loaded (no query)."""
        records = [
            *self.infusions,
            *self.observations,
            *(r for _, cells in self.lab_rows for r in cells if r is not None),
            *self.cts,
            *self.adverse_events,
            *self.deviations,
            *self.consents,
            *(r for r in (self.end_of_study, self.withdrawal) if r is not None),
        ]
        counts = Counter(r.review_status for r in records)
        return [(status, label, counts[status]) for status, label in ReviewStatus.choices]


def casebook(participant: Participant) -> Casebook:
    today = timezone.localdate()
    schedule = list(participant.plannedinfusions.active().select_related("regimen").order_by("sequence_number"))
    for item in schedule:
        item.due = item.due_state(today)
    results = list(participant.labresults.active().select_related("analyte").order_by("sample_datetime"))
    times = sorted({r.sample_datetime for r in results})
    by_analyte = defaultdict(dict)
    for result in results:
        by_analyte[result.analyte_id][result.sample_datetime] = result
    analytes = [a for a in Analyte.objects.order_by("display_order") if a.pk in by_analyte]
    return Casebook(
        participant=participant,
        schedule=schedule,
        infusions=list(participant.infusions.active().order_by("sequence_number")),
        observations=list(participant.dailyobservations.active().order_by("-observation_date")),
        lab_times=times,
        lab_rows=[(a, [by_analyte[a.pk].get(t) for t in times]) for a in analytes],
        cts=list(participant.chestcts.active().order_by("scan_date")),
        adverse_events=list(participant.adverseevents.active().select_related("infusion").order_by("onset_datetime")),
        deviations=list(
            participant.protocoldeviations.active().select_related("infusion").order_by("reported_datetime")
        ),
        consents=list(participant.consents.active().select_related("obtained_by")),
        eligibility_answers=list(participant.eligibilityanswers.active()),
        end_of_study=participant.endofstudys.active().first(),
        withdrawal=participant.withdrawals.active().first(),
        open_queries=_with_corrections(list(participant.dataquerys.open().select_related("content_type", "raised_by"))),
        signatures=list(
            participant.casebooksignatures.active().select_related("signed_by").order_by("-signed_datetime")
        ),
    )


# Where the clinician corrects the record a query is about (the page's edit form for that kind of record).
CORRECTION_URLS = {
    "dosing.infusion": "infusions-edit",
    "outcomes.dailyobservation": "observations-edit",
    "outcomes.chestct": "ct-edit",
    "outcomes.adverseevent": "adverse-events-edit",
    "patients.endofstudy": "end-of-study-edit",
    "patients.consent": "consent-edit",
}


def _with_corrections(queries: list) -> list:
    """Each open query with the audit entries that answer it (one query per kind of record queried) and
    the name of the page that corrects its record."""
    by_model = defaultdict(list)
    for query in queries:
        query.corrections = []
        query.correction_url = ""
        if query.content_type_id:
            label = f"{query.content_type.app_label}.{query.content_type.model}"
            query.correction_url = CORRECTION_URLS.get(label, "")
            by_model[query.content_type.model_class()].append(query)
    for model, items in by_model.items():
        if not hasattr(model, "history"):
            continue
        entries = model.history.filter(answers_query_id__in=[q.pk for q in items]).select_related("history_user")
        by_query = defaultdict(list)
        for entry in entries.order_by("history_id"):
            by_query[entry.answers_query_id].append(entry)
        for query in items:
            query.corrections = by_query[query.pk]
    return queries
