"""The monitor's visit, casebook by casebook (issue 18): what a casebook holds for review, and the list of
casebooks with what awaits the monitor. The review steps themselves are the one service every path uses
(patients.casebook.services.record_review); this module only gathers and names.

- ``casebook_review(participant)``: every record of every case report form under review, grouped by form,
  each named as a person says it, with its status, open queries, the visit it falls in, and, for a record
  verified before and changed since, what changed (from the audit trail).
- ``casebook_counts(participants)``: per participant, records awaiting verification, open queries and the
  last verification; one query per form kind whatever the number of participants.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, Q
from django.utils import timezone

from outcomes.endpoints import endpoint_visits
from outcomes.visits import visit_windows
from patients.casebook.choices import QueryStatus, ReviewStatus
from patients.casebook.naming import record_name
from patients.casebook.queries import DataQuery, queryable_fields
from patients.casebook.registry import registry
from patients.casebook.reviewed import CaseReportForm


def reviewed_forms() -> list:
    """The registered forms whose records go through review (draft, submitted, verified, locked)."""
    return [crf for crf in registry.all() if issubclass(crf.model, CaseReportForm)]


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Value:
    label: str
    value: str
    changed: bool = False  # since the record was last verified


@dataclass
class ReviewRecord:
    record: object
    name: str
    visit: str
    open_queries: int
    changes: list[Change] = field(default_factory=list)  # since it was last verified
    values: list[Value] = field(default_factory=list)  # what the monitor compares with the source
    queries: list = field(default_factory=list)  # its open data queries (answered ones to close or re-open)

    @property
    def verifiable(self) -> bool:
        return self.record.review_status == ReviewStatus.SUBMITTED and not self.open_queries


@dataclass
class ReviewGroup:
    crf: object
    records: list[ReviewRecord]
    fields: list[tuple[str, str]]  # what a query may be about, by label


def _visit_of(on, windows, labels) -> str:
    if on is None:
        return ""
    if hasattr(on, "tzinfo"):
        on = timezone.localtime(on).date()
    return next((labels[code] for code, window in windows.items() if on in window), "")


def _changes_since_verified(record, hidden=frozenset()) -> list[Change]:
    """What the audit trail shows changed since the record was last verified (none if it never was)."""
    entries = list(record.history.order_by("-history_id")[:50])
    verified = next((e for e in entries if e.review_status == ReviewStatus.VERIFIED), None)
    if verified is None or not entries or entries[0].history_id == verified.history_id:
        return []
    labels = {k: v for k, v in queryable_fields(type(record)) if k not in hidden}
    delta = entries[0].diff_against(verified, included_fields=list(labels))
    return [Change(labels[c.field], str(c.old), str(c.new)) for c in delta.changes]


def casebook_review(participant, policy=None) -> list[ReviewGroup]:
    """``policy``: the reader's BlindingPolicy; the fields it hides (what a kit held, for a blind reader) are
    left out of values, diffs and queries (None: a reader who sees everything)."""
    visits = endpoint_visits()
    windows = visit_windows([participant.pk], visits).get(participant.pk, {})
    labels = {visit.code: visit.label for visit in visits}
    open_queries = defaultdict(list)
    for query in DataQuery.objects.open().filter(participant=participant).select_related("raised_by", "answered_by"):
        open_queries[(query.content_type_id, query.object_id)].append(query)
    groups = []
    for crf in reviewed_forms():
        content_type = ContentType.objects.get_for_model(crf.model)
        records = list(
            crf.model.objects.active()
            .filter(participant=participant)
            .select_related("participant", *crf.page_select_related)
            .order_by(*(crf.analysis_order or ("pk",)))
        )
        if not records:
            continue
        hidden = policy.hidden_fields(crf.model) if policy else frozenset()
        fields = [f for f in queryable_fields(crf.model) if f[0] not in hidden]
        rows = []
        for record in records:
            on = getattr(record, crf.study_day_from) if crf.study_day_from else None
            row = ReviewRecord(
                record,
                record_name(record),
                _visit_of(on, windows, labels),
                len(open_queries[(content_type.pk, record.pk)]),
                queries=open_queries[(content_type.pk, record.pk)],
            )
            if record.review_status == ReviewStatus.SUBMITTED:
                row.changes = _changes_since_verified(record, hidden)
            changed = {c.field for c in row.changes}
            row.values = [Value(label, shown_value(record, name), label in changed) for name, label in fields]
            rows.append(row)
        groups.append(ReviewGroup(crf, rows, fields))
    return groups


def shown_value(record, name: str) -> str:
    """A field's value as the monitor reads it against the source: a code by its label, a date-time in the
    site's time, yes / no, "-" for nothing recorded."""
    field_ = record._meta.get_field(name)
    value = getattr(record, name)
    if value is None or value == "":
        return "-"
    if field_.choices:
        return str(getattr(record, f"get_{name}_display")())
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    return str(value)


@dataclass
class CasebookCounts:
    awaiting: int = 0
    open_queries: int = 0
    last_verified: object = None


def casebook_counts(participant_ids) -> dict[int, CasebookCounts]:
    ids = list(participant_ids)
    counts = {pk: CasebookCounts() for pk in ids}
    for crf in reviewed_forms():
        rows = (
            crf.model.objects.active()
            .filter(participant_id__in=ids)
            .values("participant_id")
            .annotate(
                awaiting=Count("pk", filter=Q(review_status=ReviewStatus.SUBMITTED)),
                last=Max("verified_datetime"),
            )
        )
        for row in rows:
            each = counts[row["participant_id"]]
            each.awaiting += row["awaiting"]
            if row["last"] and (each.last_verified is None or row["last"] > each.last_verified):
                each.last_verified = row["last"]
    for row in (
        DataQuery.objects.active()
        .filter(participant_id__in=ids, status=QueryStatus.OPEN)
        .values("participant_id")
        .annotate(n=Count("pk"))
    ):
        counts[row["participant_id"]].open_queries = row["n"]
    return counts
