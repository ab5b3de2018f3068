"""What the clinician pages show of a casebook, gathered from every app in a fixed number of queries
(whatever the number of days, results or participants)."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from dosing.choices import PlannedInfusionStatus
from dosing.models import PlannedInfusion
from outcomes.models import Analyte
from outcomes.visits import visit_statuses
from patients.casebook.choices import ParticipantStatus, QueryStatus, ReviewStatus
from patients.casebook.naming import record_name, sentence_case
from patients.casebook.queries import DataQuery
from patients.casebook.registry import GENERIC_SECTION_TEMPLATE, registry
from patients.models import Participant
from ucmsc_crf.matrix_states import ACTION_STATES, visit_link


def participant_list(pks, state):
    """The list's rows: the participants of ``pks`` (a page of outcomes.ward.WardOrder, in its order, with its
    ``state``: what everyone in follow-up owes today), each with what is due today (infusion due / overdue,
    waiting to be enrolled, today's observation not yet entered, visits due or overdue with where each
    leads). A fixed number of queries for a page of any size."""
    today = timezone.localdate()
    # Sites and arms, and what is due, read for the page's rows only, after the page is cut: over every
    # participant it would grow with the trial (issue 19).
    by_pk = Participant.objects.select_related("site", "arm").in_bulk(pks)
    participants = [by_pk[pk] for pk in pks if pk in by_pk]
    open_queries = dict(
        DataQuery.objects.filter(participant__in=participants, status=QueryStatus.OPEN, voided=False)
        .order_by()
        .values("participant")
        .annotate(n=Count("pk"))
        .values_list("participant", "n")
    )
    for participant in participants:
        participant.open_queries = open_queries.get(participant.pk, 0)
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
        participant.observation_due = state.owes_observation(participant.pk)
        participant.waiting_enrolment = participant.pk in state.waiting_enrolment
    # The visits of the page's rows with one due or overdue: which visit, and the form it asks for.
    with_visits = [p.pk for p in participants if p.pk in state.visit_due]
    statuses = visit_statuses(Participant.objects.filter(pk__in=with_visits)) if with_visits else {}
    for participant in participants:
        participant.visits_due = [
            (status, visit_link(participant, status))
            for status in statuses.get(participant.pk, [])
            if status.state in ACTION_STATES
        ]
    return participants


@dataclass
class Casebook:
    participant: Participant
    # The participant's records of every registered case report form shown on the page (patients/casebook/registry.py),
    # by form key, in the form's page order.
    records: dict[str, list]
    schedule: list
    lab_times: list
    lab_rows: list  # (analyte, [value or None per sample time])
    open_queries: list
    signatures: list

    # The forms the page's own sections and the timeline draw by name.
    @property
    def infusions(self) -> list:
        return self.records.get("infusions", [])

    @property
    def observations(self) -> list:  # newest first
        return self.records.get("observations", [])

    @property
    def cts(self) -> list:
        return self.records.get("ct", [])

    @property
    def adverse_events(self) -> list:
        return self.records.get("adverse-events", [])

    @property
    def deviations(self) -> list:
        return self.records.get("deviations", [])

    @property
    def consents(self) -> list:
        return self.records.get("consent", [])

    @property
    def end_of_study(self):
        return next(iter(self.records.get("end-of-study", [])), None)

    @property
    def withdrawal(self):
        return next(iter(self.records.get("withdrawal", [])), None)

    @property
    def review_counts(self) -> list[tuple[str, str, int]]:
        """(status, label, how many) over every case report form record of the casebook, from what is
        already loaded (no query)."""
        counts = Counter(
            record.review_status
            for records in self.records.values()
            for record in records
            if hasattr(record, "review_status")
        )
        return [(status, label, counts[status]) for status, label in ReviewStatus.choices]


def casebook(participant: Participant) -> Casebook:
    """One query per registered form (and a few for the schedule, labs, queries and signatures), whatever
    the number of records."""
    today = timezone.localdate()
    schedule = list(participant.planned_infusions.active().select_related("regimen").order_by("sequence_number"))
    for item in schedule:
        item.due = item.due_state(today)
    records = {
        crf.key: list(
            crf.model.objects.active()
            .filter(participant=participant)
            .select_related(*crf.page_select_related)
            .order_by(*crf.page_order_by, "pk")
        )
        for crf in registry.all()
        if crf.page_section is not None
    }
    results = records.get("labs", [])
    times = sorted({r.sample_datetime for r in results})
    by_analyte = defaultdict(dict)
    for result in results:
        by_analyte[result.analyte_id][result.sample_datetime] = result
    analytes = [a for a in Analyte.objects.order_by("display_order") if a.pk in by_analyte]
    return Casebook(
        participant=participant,
        records=records,
        schedule=schedule,
        lab_times=times,
        lab_rows=[(a, [by_analyte[a.pk].get(t) for t in times]) for a in analytes],
        open_queries=_with_corrections(
            list(participant.data_queries.open().select_related("content_type", "raised_by"))
        ),
        signatures=list(participant.signatures.active().select_related("signed_by").order_by("-signed_datetime")),
    )


def _with_corrections(queries: list) -> list:
    """Each open query with the audit entries that answer it (one query per kind of record queried) and
    the name of the page that corrects its record (the edit page of its case report form, if it has one)."""
    by_model = defaultdict(list)
    for query in queries:
        query.corrections = []
        query.correction_url = ""
        if query.content_type_id:
            model = query.content_type.model_class()
            crf = registry.for_model(model) if model is not None else None
            query.correction_url = crf.url_name("edit") if crf is not None else ""
            by_model[model].append(query)
        # The record named as a person says it (its day, its sequence), not by its database number.
        query.record_name = record_name(query.record) if query.content_type_id and query.record else ""
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


@dataclass
class Action:
    label: str
    url_name: str
    style: str
    before_enrolment: bool


def page_actions(participant: Participant, user) -> list[Action]:
    """The page's "record next" buttons: every registered form the casebook takes now and the user may add."""
    return [
        Action(
            crf.button or crf.label,
            crf.url_name("new"),
            crf.button_style,
            before_enrolment=crf.offered_at == ParticipantStatus.SCREENING,
        )
        for crf in registry.all()
        if crf.is_offered(participant) and user.has_perm(crf.permission("add"))
    ]


@dataclass
class SectionForm:
    """One form's part of a page section: its records and what the user may do to them here."""

    crf: object
    records: list
    can_change: bool

    @property
    def title(self) -> str:
        return sentence_case(self.crf.model._meta.verbose_name_plural)

    @property
    def edit_url(self) -> str:
        return self.crf.url_name("edit") if self.can_change else ""

    @property
    def void_url(self) -> str:
        return self.crf.url_name("void") if self.can_change and self.crf.voidable_on_page else ""


@dataclass
class Section:
    template: str
    forms: list[SectionForm]

    @property
    def form(self) -> SectionForm:
        return self.forms[0]


def _collected(crf, participant) -> bool:
    return crf.offered_if is None or bool(crf.offered_if(participant))


def page_sections(book: Casebook, user, *, can_edit: bool) -> list[list[Section]]:
    """The page's two columns of cards: each registered form in its section (forms that share a section are
    drawn in one card), a form without a section of its own in the generic one."""
    by_place: dict = {}
    for crf in registry.all():
        section = crf.page_section
        if section is None:
            continue
        records = book.records.get(crf.key, [])
        if not records and section.template == GENERIC_SECTION_TEMPLATE and not _collected(crf, book.participant):
            # An empty card of a form this design does not collect (phase 1's ward has no endpoint forms).
            continue
        item = SectionForm(crf, records, can_edit and user.has_perm(crf.permission("change")))
        by_place.setdefault(section, []).append(item)
    columns: list[list[Section]] = [[], []]
    for section, forms in sorted(by_place.items(), key=lambda entry: (entry[0].column, entry[0].order)):
        columns[min(section.column, 2) - 1].append(Section(section.template, forms))
    return columns
