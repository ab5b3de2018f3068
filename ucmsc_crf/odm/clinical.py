"""ODM ``ClinicalData``: one ``SubjectData`` per participant, written as text for a block of participants at
a time (a clinical file is most of the ODM file: millions of small elements, written here directly as
escaped text, not built as a tree first).

Each record's ``FormData`` replays its audit trail: an ``ItemGroupData`` ``Insert`` with the values as
entered, then an ``Update`` per later change holding what it changed, each with its ``AuditRecord`` (who,
where, when, why, the audit trail's row). A voided record is a ``Remove`` with the void's audit record and
none of its values; a voided participant is a removed subject. The valid investigator signature is the
subject's ``Signature`` (an invalidated one an annotation); data queries are annotations on their form."""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F
from django.utils import timezone

from patients.casebook.queries import DataQuery
from patients.casebook.schedule import Visit
from patients.casebook.signatures import CasebookSignature
from patients.models import Participant
from ucmsc_crf.odm.definitions import ALLOCATION_KEY, ENROLMENT_KEY, STUDY_DAY_METHOD, FormSpec, ItemSpec
from ucmsc_crf.odm.oids import oid

CASEBOOK_EVENT = "SE.CASEBOOK"
SYSTEM_USER = "USR.SYSTEM"  # an audit row without a user: a nightly check, a migration
# Characters XML 1.0 cannot hold (a control character pasted from a device's export): written as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# What an attribute's value may not hold as it is: most values (codes, numbers, dates) hold none of it.
REPLACEMENT = "\ufffd"
_IN_ATTRIBUTE = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("\n", "&#10;"),
    ("\r", "&#13;"),
    ("\t", "&#9;"),
)
_ESCAPE_IN_ATTRIBUTE = re.compile('[&<>"\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def attr(value) -> str:
    """A value as a quoted, escaped XML attribute (line breaks and tabs as character references, so a reader
    gets them back instead of spaces)."""
    value = str(value)
    if _ESCAPE_IN_ATTRIBUTE.search(value) is None:
        return f'"{value}"'
    for plain, escaped in _IN_ATTRIBUTE:
        value = value.replace(plain, escaped)
    return '"' + _NOT_XML.sub(REPLACEMENT, value) + '"'


def text(value) -> str:
    value = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _NOT_XML.sub(REPLACEMENT, value)


def odm_value(value, zone=None) -> str | None:
    """A value as ODM writes it: ISO 8601 dates, date-times with their offset (the trial's zone, or ``zone``),
    decimals with a point, booleans 1 / 0; None is no value (the item is not written)."""
    kind = type(value)
    if kind is int or kind is str:  # most values: counts, codes, text (checked first, by type, for speed)
        return str(value) if value != "" else None
    if value is None:
        return None
    if kind is bool:
        return "1" if value else "0"
    if kind is Decimal:
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        return stamp(value, zone)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def stamp(value: datetime.datetime, zone=None) -> str:
    """A date-time in the trial's zone (or ``zone``: the writer looks the zone up once, not per value, as the
    lookup costs more than the conversion), with its offset."""
    return value.astimezone(zone or timezone.get_current_timezone()).isoformat(timespec="seconds")


def value_attr(value, zone=None) -> str | None:
    """``odm_value`` as a quoted attribute, the escaping skipped for what cannot need it (numbers, dates):
    the value of each of a file's hundreds of thousands of items passes here."""
    kind = type(value)
    if kind is str:
        return attr(value) if value != "" else None
    if kind is int:
        return f'"{value}"'
    if value is None:
        return None
    if kind is Decimal:
        return f'"{format(value, "f")}"'
    if kind is datetime.date:
        return f'"{value.isoformat()}"'
    if kind is datetime.datetime:
        return f'"{stamp(value, zone)}"'
    formatted = odm_value(value, zone)
    return None if formatted is None else attr(formatted)


@dataclass(frozen=True)
class _Item:
    """An item as the writer needs it, worked out once per file: its ItemData's text either side of the value."""

    spec: ItemSpec
    audited_field: str
    study_day: bool
    inserted: str  # '<ItemData ItemOID="..." Value='
    updated_null: str  # the item's value taken away by an update


@dataclass(frozen=True)
class _Form:
    spec: FormSpec
    items: tuple[_Item, ...]
    by_field: dict  # audited field -> _Item
    audited: tuple[str, ...]
    opening: str  # '<FormData FormOID="..."'
    group: str  # '<ItemGroupData ItemGroupOID="..." TransactionType='
    repeats: bool

    @classmethod
    def of(cls, form: FormSpec) -> "_Form":
        items = tuple(
            _Item(
                spec=item,
                audited_field=item.audited_field,
                study_day=item.method_oid == STUDY_DAY_METHOD,
                inserted=f'<ItemData ItemOID="{item.oid}" Value=',
                updated_null=f'<ItemData ItemOID="{item.oid}" TransactionType="Update" IsNull="Yes"/>',
            )
            for item in form.items
        )
        return cls(
            spec=form,
            items=items,
            by_field={item.audited_field: item for item in items if item.audited_field},
            audited=tuple(item.audited_field for item in items if item.audited_field),
            opening=f'<FormData FormOID="{form.oid}"',
            group=f'<ItemGroupData ItemGroupOID="{form.group_oid}" TransactionType=',
            repeats=form.key not in (ENROLMENT_KEY, ALLOCATION_KEY),
        )


@dataclass
class _Block:
    """One block of participants as read: the zone, the forms' plans, the records, their trails, queries and
    signatures."""

    zone: object
    since: datetime.datetime | None
    day0: dict  # participant pk -> day 0
    plans: list
    records: dict = field(default_factory=dict)  # form key -> participant pk -> records
    audits: dict = field(default_factory=dict)  # form key -> record pk -> transactions
    queries: dict = field(default_factory=dict)  # (content type, record pk) -> data queries
    signatures: dict = field(default_factory=lambda: defaultdict(list))  # participant pk -> signatures
    user_oids: dict = field(default_factory=dict)  # username -> the UserOID attribute


@contextmanager
def _native_datetimes():
    """On PostgreSQL, the block's queries load date-times with psycopg's own (compiled) loader instead of
    Django's, a Python subclass that only sets the zone to UTC (the connection's zone, which psycopg's loader
    sets too): a file loads over a million date-times, and Django's loader was a sixth of the file's time.
    Per cursor, through Django's execution wrapper: the connection's loaders are left as Django set them."""
    if connection.vendor != "postgresql":
        yield
        return
    from psycopg.types.datetime import TimestamptzLoader

    def execute(run, sql, params, many, context):
        context["cursor"].cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        return run(sql, params, many, context)

    with connection.execute_wrapper(execute):
        yield


def subjects(block: list, forms: list[FormSpec], *, since=None) -> Iterator[str]:
    """The ``SubjectData`` of each participant of the block, as text (the block read first, then written)."""
    with _native_datetimes():
        context = _read(block, forms, since)
    yield from _write(block, forms, context)


def _read(block: list, forms: list[FormSpec], since):
    ids = [p.pk for p in block]
    plans = [_Form.of(form) for form in forms]
    context = _Block(
        zone=timezone.get_current_timezone(), since=since, day0={p.pk: p.day0_date for p in block}, plans=plans
    )
    visits = dict(Visit.objects.values_list("pk", "code"))
    for plan in plans:
        records = context.records[plan.spec.key] = _records(plan, ids, visits, since=since)
        audits = context.audits[plan.spec.key] = _audits(plan, records)
        _without_trail(plan, records, audits)
    context.queries = _queries(ids)
    for signature in CasebookSignature.objects.filter(participant_id__in=ids).select_related("signed_by"):
        context.signatures[signature.participant_id].append(signature)
    return context


def _write(block: list, forms: list[FormSpec], context: _Block) -> Iterator[str]:
    plans, by_participant, queries, signatures = context.plans, context.records, context.queries, context.signatures
    content_types = {form.key: ContentType.objects.get_for_model(form.model).pk for form in forms}
    zone = context.zone
    for participant in block:
        out = [
            f"<SubjectData SubjectKey={attr(participant.study_id)} "
            f'TransactionType="{"Remove" if participant.voided else "Upsert"}">'
        ]
        location = oid("LOC", participant.site.code)
        valid = [s for s in signatures[participant.pk] if s.invalidated_datetime is None]
        if valid:
            out.append(_signature(valid[-1], location, zone))
        out.append(f'<SiteRef LocationOID="{location}"/>')
        for seq, signature in enumerate((s for s in signatures[participant.pk] if s.invalidated_datetime), 1):
            note = (
                f"Signature by {signature.signed_by.username} on {stamp(signature.signed_datetime, zone)} "
                f"invalidated on {stamp(signature.invalidated_datetime, zone)}: {signature.invalidated_reason}"
            )
            out.append(f'<Annotation SeqNum="{seq}"><Comment SponsorOrSite="Site">{text(note)}</Comment></Annotation>')
        if not participant.voided:  # a participant entered in error: removed, with nothing of them as data
            events = defaultdict(list)
            for plan in plans:
                for record in by_participant[plan.spec.key].get(participant.pk, ()):
                    events[record["_event"]].append((plan, record))
            for event_oid in sorted(events, key=lambda e: (e != CASEBOOK_EVENT, e)):
                out.append(f'<StudyEventData StudyEventOID="{event_oid}">')
                ordinals = defaultdict(int)
                for plan, record in events[event_oid]:
                    ordinals[plan.spec.key] += 1
                    key = (content_types[plan.spec.key], record["pk"])
                    _form_data(out, plan, record, context, queries.get(key, ()), location, ordinals)
                out.append("</StudyEventData>")
        out.append("</SubjectData>")
        yield "".join(out)


def _records(plan: _Form, ids: list[int], visits: dict[int, str], *, since=None) -> dict[int, list[dict]]:
    """The form's records of these participants (voided ones too; with ``since``, those changed from then on),
    each a dict of what names it (pk, visit, natural key, the study day's date) and the values the audit trail
    does not hold (related records' names). The values it does hold are read from the trail (``_audits``):
    reading them twice cost a third of the file's time."""
    form = plan.spec
    model = form.model
    keys = ["pk", "voided", *form.natural_key]
    if form.at_visits:
        keys.append("visit_id")
    if form.study_day_from:
        keys.append(form.study_day_from)
    keys += [item.spec.path for item in plan.items if item.spec.path and not item.audited_field]
    if model is Participant:
        rows = model.objects.filter(pk__in=ids).values(*dict.fromkeys(keys), owner=F("pk"))
        if form.key == ALLOCATION_KEY:
            rows = rows.filter(arm__isnull=False)
    else:
        rows = model.objects.filter(participant_id__in=ids).values(*dict.fromkeys(keys), owner=F("participant_id"))
        rows = rows.order_by("participant_id", *(form.natural_key or ("pk",)), "pk")
    if since is not None:
        rows = rows.filter(pk__in=model.history.filter(history_date__gte=since).values("id"))
    found = defaultdict(list)
    for row in rows:
        visit = visits.get(row.get("visit_id"))
        row["_event"] = oid("SE", visit) if visit else CASEBOOK_EVENT
        found[row["owner"]].append(row)
    return found


def _without_trail(plan: _Form, records: dict[int, list[dict]], audits: dict[int, dict]) -> None:
    """Records with no audit trail (loaded before the trail was kept): their current values, read by id."""
    bare = {record["pk"]: record for rows in records.values() for record in rows if record["pk"] not in audits}
    if bare and plan.audited:
        for row in plan.spec.model.objects.filter(pk__in=list(bare)).values("pk", *plan.audited):
            bare[row.pop("pk")].update(row)


def _repeat_key(form: FormSpec, record: dict, ordinal: int) -> str:
    """What names the record within the casebook (its natural key, e.g. the observation's date), stable across
    exports; the record's order among its form's records where the form has none."""
    if not form.natural_key:
        return str(ordinal)
    return "/".join(odm_value(record.get(path)) or "" for path in form.natural_key)


# A row of the audit trail as _trail reads it: these, then the audited fields' values.
_ID, _HISTORY_ID, _DATE, _USER, _REASON, _TYPE, _VALUES = range(7)


def _audits(plan: _Form, records: dict[int, list[dict]]) -> dict[int, dict]:
    """Per record, its transactions from the audit trail, in order: the first row's values (the record as
    entered), then each later row's changed values, each with its row (who, when, why); and the last row (the
    void, for a voided record).

    The audit trail is read by the participant each row names (an index scan), not by the records' ids: a
    block holds thousands of records, and neither a list of thousands of ids (built, sent and planned per
    block) nor a join on the record table (PostgreSQL scans the whole audit table for it, once per block: the
    file's time grew with the square of the trial) is as cheap. A record whose trail does not start with its
    creation in these rows (it was moved from another participant's casebook, or has no trail) is read again
    by its id, so no row of its trail is missed."""
    if not records:
        return {}
    form = plan.spec
    owners = list(records)
    wanted = {record["pk"] for rows in records.values() for record in rows}
    history = form.model.history
    by_owner = history.filter(id__in=owners) if form.model is Participant else history.filter(participant_id__in=owners)
    result = _replay(_trail(by_owner, plan), plan.audited, wanted)
    partial = [pk for pk in wanted if pk not in result or result[pk]["created"] is False]
    if partial:
        result.update(_replay(_trail(history.filter(id__in=partial), plan), plan.audited, set(partial)))
    return result


def _trail(rows, plan: _Form):
    return rows.order_by("id", "history_id").values_list(
        "id",
        "history_id",
        "history_date",
        "history_user__username",
        "history_change_reason",
        "history_type",
        *plan.audited,
    )


def _replay(rows, fields: tuple[str, ...], wanted: set) -> dict[int, dict]:
    result = {}
    previous, record_id, entry = None, None, None
    for row in rows:
        if row[_ID] != record_id:
            record_id, previous = row[_ID], None
            entry = None
            if record_id in wanted:  # not a record an increment leaves out
                entry = result[record_id] = {"transactions": [], "last": row, "created": row[_TYPE] == "+"}
        if entry is None:
            continue
        values = row[_VALUES:]
        if previous is None:
            changed = {name: value for name, value in zip(fields, values, strict=True) if value is not None}
            entry["transactions"].append((row, changed))
        else:
            changed = {
                name: value for name, value, before in zip(fields, values, previous, strict=True) if value != before
            }
            if changed:
                entry["transactions"].append((row, changed))
        previous = values
        entry["last"] = row
    return result


def _audit_record(row: tuple, location: str, context: _Block) -> str:
    username = row[_USER]
    user = context.user_oids.get(username)
    if user is None:
        user = context.user_oids[username] = attr(oid("USR", username) if username else SYSTEM_USER)
    reason = row[_REASON]
    return (
        f'<AuditRecord><UserRef UserOID={user}/><LocationRef LocationOID="{location}"/>'
        f"<DateTimeStamp>{stamp(row[_DATE], context.zone)}</DateTimeStamp>"
        + (f"<ReasonForChange>{text(reason)}</ReasonForChange>" if reason else "")
        + f"<SourceID>audit trail row {row[_HISTORY_ID]}</SourceID></AuditRecord>"
    )


def _signature(signature, location: str, zone) -> str:
    return (
        f"<Signature><UserRef UserOID={attr(oid('USR', signature.signed_by.username))}/>"
        f'<LocationRef LocationOID="{location}"/><SignatureRef SignatureOID={attr(oid("SD", signature.meaning))}/>'
        f"<DateTimeStamp>{stamp(signature.signed_datetime, zone)}</DateTimeStamp></Signature>"
    )


def _queries(ids: list[int]) -> dict[tuple[int, int], list]:
    found = defaultdict(list)
    queries = DataQuery.objects.filter(participant_id__in=ids, voided=False).select_related(
        "raised_by", "answered_by", "content_type"
    )
    for query in queries.order_by("raised_datetime", "pk"):
        found[(query.content_type_id, query.object_id)].append(query)
    return found


def _query_note(seq: int, query) -> str:
    thread = f"Query ({query.get_status_display().lower()}, {query.get_site_status_display().lower()})"
    if query.field_name:
        thread += f" on {query.field_name}"
    thread += f", raised by {query.raised_by.username if query.raised_by else 'the data checks'}: {query.text}"
    if query.answer:
        thread += f" Answer by {query.answered_by.username if query.answered_by else 'the site'}: {query.answer}"
    return f'<Annotation SeqNum="{seq}"><Comment SponsorOrSite="Sponsor">{text(thread)}</Comment></Annotation>'


def _form_data(out: list, plan: _Form, record: dict, context: _Block, queries, location: str, ordinals) -> None:
    """Appends the record's ``FormData`` to ``out``."""
    form, zone, since = plan.spec, context.zone, context.since
    opening = plan.opening
    if plan.repeats:
        opening += f" FormRepeatKey={attr(_repeat_key(form, record, ordinals[form.key]))}"
    audit = context.audits[form.key].get(record["pk"])
    if record["voided"]:
        last = _audit_record(audit["last"], location, context) if audit else ""
        out.append(f'{opening} TransactionType="Remove">{last}</FormData>')
        return
    out.append(f'{opening} TransactionType="Upsert">')
    out += [_query_note(seq, query) for seq, query in enumerate(queries, 1)]
    append = out.append
    for number, (row, changed) in enumerate(audit["transactions"] if audit else [(None, {})]):
        if since is not None and row is not None and row[_DATE] < since:
            continue  # in the file the increment follows
        if number == 0:
            append(f'{plan.group}"Insert">')
            if row is not None:
                append(_audit_record(row, location, context))
            # As entered: what the first row of the audit trail holds, and what it does not (the names of
            # related records, the derived study day) as the record has them now. The loop runs for every
            # value of the file: the common types are quoted here, not in a call.
            for item in plan.items:
                if item.audited_field and row is not None:
                    value = changed.get(item.audited_field)
                else:
                    value = _current(form, item, record, context)
                kind = type(value)
                if kind is int:
                    quoted = f'"{value}"'
                elif kind is str and value:
                    quoted = attr(value)
                else:
                    quoted = value_attr(value, zone)
                    if quoted is None:
                        continue
                append(f'{item.inserted}{quoted} TransactionType="Insert"/>')
        else:
            append(f'{plan.group}"Update">')
            append(_audit_record(row, location, context))
            for name, value in changed.items():
                item = plan.by_field[name]
                quoted = value_attr(value, zone)
                if quoted is None:  # a value taken away
                    append(item.updated_null)
                else:
                    append(f'{item.inserted}{quoted} TransactionType="Update"/>')
        append("</ItemGroupData>")
    append("</FormData>")


def _current(form: FormSpec, item: _Item, record: dict, context: _Block):
    if item.study_day:
        on, day0 = record.get(form.study_day_from), context.day0.get(record["owner"])
        if isinstance(on, datetime.datetime):
            on = on.astimezone(context.zone).date()
        return None if on is None or day0 is None else str((on - day0).days)
    return record.get(item.spec.path)
