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
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils import timezone

from patients.casebook.queries import DataQuery
from patients.casebook.signatures import CasebookSignature
from patients.models import Participant
from ucmsc_crf.odm.definitions import ALLOCATION_KEY, ENROLMENT_KEY, STUDY_DAY_METHOD, FormSpec
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


def odm_value(value) -> str | None:
    """A value as ODM writes it: ISO 8601 dates, date-times with their offset (the trial's zone), decimals
    with a point, booleans 1 / 0; None is no value (the item is not written)."""
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
        return stamp(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def stamp(value: datetime.datetime) -> str:
    """A date-time in the trial's zone, with its offset."""
    return value.astimezone(timezone.get_current_timezone()).isoformat(timespec="seconds")


def subjects(block: list, forms: list[FormSpec], *, since=None) -> Iterator[str]:
    """The ``SubjectData`` of each participant of the block, as text."""
    ids = [p.pk for p in block]
    by_participant = {form.key: _records(form, ids, since=since) for form in forms}
    audits = {form.key: _audits(form, by_participant[form.key]) for form in forms}
    queries = _queries(ids)
    content_types = {form.key: ContentType.objects.get_for_model(form.model).pk for form in forms}
    signatures = defaultdict(list)
    for signature in CasebookSignature.objects.filter(participant_id__in=ids).select_related("signed_by"):
        signatures[signature.participant_id].append(signature)
    for participant in block:
        out = [
            f"<SubjectData SubjectKey={attr(participant.study_id)} "
            f'TransactionType="{"Remove" if participant.voided else "Upsert"}">'
        ]
        location = oid("LOC", participant.site.code)
        valid = [s for s in signatures[participant.pk] if s.invalidated_datetime is None]
        if valid:
            out.append(_signature(valid[-1], location))
        out.append(f'<SiteRef LocationOID="{location}"/>')
        for seq, signature in enumerate((s for s in signatures[participant.pk] if s.invalidated_datetime), 1):
            note = (
                f"Signature by {signature.signed_by.username} on {stamp(signature.signed_datetime)} invalidated on "
                f"{stamp(signature.invalidated_datetime)}: {signature.invalidated_reason}"
            )
            out.append(f'<Annotation SeqNum="{seq}"><Comment SponsorOrSite="Site">{text(note)}</Comment></Annotation>')
        if not participant.voided:  # a participant entered in error: removed, with nothing of them as data
            events = defaultdict(list)
            for form in forms:
                for record in by_participant[form.key].get(participant.pk, ()):
                    events[record["_event"]].append((form, record))
            for event_oid in sorted(events, key=lambda e: (e != CASEBOOK_EVENT, e)):
                out.append(f'<StudyEventData StudyEventOID="{event_oid}">')
                ordinals = defaultdict(int)
                for form, record in events[event_oid]:
                    ordinals[form.key] += 1
                    key = (content_types[form.key], record["pk"])
                    out.append(_form_data(form, record, audits[form.key], queries.get(key, ()), location, ordinals))
                out.append("</StudyEventData>")
        out.append("</SubjectData>")
        yield "".join(out)


def _records(form: FormSpec, ids: list[int], *, since=None) -> dict[int, list[dict]]:
    """The form's records of these participants (voided ones too; with ``since``, those changed from then on),
    each a dict of the paths it reads."""
    model = form.model
    paths = [item.path for item in form.items if item.path]
    extra = ["pk", "voided"]
    if model is Participant:
        rows = model.objects.filter(pk__in=ids).values(*extra, *paths, owner=F("pk"))
        if form.key == ALLOCATION_KEY:
            rows = rows.filter(arm__isnull=False)
    else:
        extra += ["participant__day0_date", *(["visit__code"] if form.at_visits else []), *form.natural_key]
        if form.study_day_from:
            extra.append(form.study_day_from)
        rows = model.objects.filter(participant_id__in=ids)
        rows = rows.values(*dict.fromkeys(extra + paths), owner=F("participant_id"))
        rows = rows.order_by("participant_id", *(form.natural_key or ("pk",)), "pk")
    if since is not None:
        rows = rows.filter(pk__in=model.history.filter(history_date__gte=since).values("id"))
    found = defaultdict(list)
    for row in rows:
        row["_since"] = since
        row["_event"] = oid("SE", row["visit__code"]) if row.get("visit__code") else CASEBOOK_EVENT
        found[row["owner"]].append(row)
    return found


def _repeat_key(form: FormSpec, record: dict, ordinal: int) -> str:
    """What names the record within the casebook (its natural key, e.g. the observation's date), stable across
    exports; the record's order among its form's records where the form has none."""
    if not form.natural_key:
        return str(ordinal)
    return "/".join(odm_value(record.get(path)) or "" for path in form.natural_key)


def _audits(form: FormSpec, records: dict[int, list[dict]]) -> dict[int, dict]:
    """Per record, its transactions from the audit trail, in order: the first row's values (the record as
    entered), then each later row's changed values, each with its row (who, when, why); and the last row (the
    void, for a voided record)."""
    pks = [record["pk"] for rows in records.values() for record in rows]
    fields = [item.audited_field for item in form.items if item.audited_field]
    result = {}
    if not pks:
        return result
    rows = (
        form.model.history.filter(id__in=pks)
        .order_by("id", "history_id")
        .values("id", "history_id", "history_date", "history_user__username", "history_change_reason", *fields)
    )
    previous, record_id = None, None
    for row in rows:
        if row["id"] != record_id:
            record_id, previous = row["id"], None
            result[record_id] = {"transactions": [], "last": row}
        entry = result[record_id]
        if previous is None:
            changed = {name: row[name] for name in fields if row[name] is not None}
        else:
            changed = {name: row[name] for name in fields if row[name] != previous[name]}
        if changed or previous is None:
            entry["transactions"].append((row, changed))
        previous = {name: row[name] for name in fields}
        entry["last"] = row
    return result


def _audit_record(row: dict, location: str) -> str:
    username = row.get("history_user__username")
    user = oid("USR", username) if username else SYSTEM_USER
    reason = row.get("history_change_reason")
    return (
        f'<AuditRecord><UserRef UserOID={attr(user)}/><LocationRef LocationOID="{location}"/>'
        f"<DateTimeStamp>{stamp(row['history_date'])}</DateTimeStamp>"
        + (f"<ReasonForChange>{text(reason)}</ReasonForChange>" if reason else "")
        + f"<SourceID>audit trail row {row['history_id']}</SourceID></AuditRecord>"
    )


def _signature(signature, location: str) -> str:
    return (
        f"<Signature><UserRef UserOID={attr(oid('USR', signature.signed_by.username))}/>"
        f'<LocationRef LocationOID="{location}"/><SignatureRef SignatureOID={attr(oid("SD", signature.meaning))}/>'
        f"<DateTimeStamp>{stamp(signature.signed_datetime)}</DateTimeStamp></Signature>"
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


def _form_data(form: FormSpec, record: dict, audits: dict, queries, location: str, ordinals: dict) -> str:
    opening = f'<FormData FormOID="{form.oid}"'
    if form.key not in (ENROLMENT_KEY, ALLOCATION_KEY):
        opening += f" FormRepeatKey={attr(_repeat_key(form, record, ordinals[form.key]))}"
    audit = audits.get(record["pk"], {})
    if record["voided"]:
        return (
            f'{opening} TransactionType="Remove">{_audit_record(audit["last"], location) if audit else ""}</FormData>'
        )
    out = [f'{opening} TransactionType="Upsert">']
    out += [_query_note(seq, query) for seq, query in enumerate(queries, 1)]
    since = record.get("_since")
    by_field = {item.audited_field: item for item in form.items if item.audited_field}
    for number, (row, changed) in enumerate(audit.get("transactions") or [(None, {})]):
        if since is not None and row is not None and row["history_date"] < since:
            continue  # in the file the increment follows
        kind = "Insert" if number == 0 else "Update"
        out.append(f'<ItemGroupData ItemGroupOID="{form.group_oid}" TransactionType="{kind}">')
        if row is not None:
            out.append(_audit_record(row, location))
        if number == 0:
            # As entered: what the first row of the audit trail holds, and what it does not (the names of
            # related records, the derived study day) as the record has them now.
            for item in form.items:
                value = changed.get(item.audited_field) if item.audited_field and row is not None else None
                if value is None and (row is None or not item.audited_field):
                    value = _current(form, item, record)
                out.append(_item_data(item, odm_value(value), kind))
        else:
            out += [_item_data(by_field[name], odm_value(value), kind) for name, value in changed.items()]
        out.append("</ItemGroupData>")
    out.append("</FormData>")
    return "".join(out)


def _current(form: FormSpec, item, record: dict):
    if item.method_oid == STUDY_DAY_METHOD:
        on, day0 = record.get(form.study_day_from), record.get("participant__day0_date")
        if isinstance(on, datetime.datetime):
            on = timezone.localtime(on).date()
        return None if on is None or day0 is None else str((on - day0).days)
    return record.get(item.path)


def _item_data(item, value: str | None, kind: str) -> str:
    """One value of a transaction; a value taken away in an update is written as null."""
    if value is None:
        return f'<ItemData ItemOID="{item.oid}" TransactionType="{kind}" IsNull="Yes"/>' if kind == "Update" else ""
    return f'<ItemData ItemOID="{item.oid}" Value={attr(value)} TransactionType="{kind}"/>'
